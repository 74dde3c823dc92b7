package adminsvc

import (
	"strings"
	"testing"
	"time"

	"encoding/binary"
	"fmt"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/google/uuid"
	"hash/fnv"
)

// adminScheduledName is the native scheduler's own recipe (identifier.GetExecutionIdentifier + executor.Execute),
// written with the uuid package as admin does.
func adminScheduledName(id *core.Identifier, at time.Time) string {
	h := fnv.New64()
	_, _ = h.Write([]byte(fmt.Sprintf("%s:%s:%s:%s:%d", id.GetProject(), id.GetDomain(), id.GetName(), id.GetVersion(), at.Unix())))
	b := make([]byte, 16)
	binary.LittleEndian.PutUint64(b, h.Sum64())
	u, err := uuid.FromBytes(b)
	if err != nil {
		panic(err)
	}
	return "f" + strings.ReplaceAll(u.String(), "-", "")[:19]
}

func TestSchedule(t *testing.T) {
	env := newTestEnv(t)
	lp := registerFixture(t, env, func(lp *admin.LaunchPlan) {
		lp.Spec.FixedInputs = nil
		lp.Spec.DefaultInputs.Parameters["c"] = &core.Parameter{Var: &core.Variable{Type: intType()},
			Behavior: &core.Parameter_Default{Default: intLit(0)}}
		lp.Spec.DefaultInputs.Parameters["when"] = &core.Parameter{Var: &core.Variable{
			Type: &core.LiteralType{Type: &core.LiteralType_Simple{Simple: core.SimpleType_DATETIME}}},
			Behavior: &core.Parameter_Required{Required: true}}
		lp.Spec.DefaultInputs.Parameters["a"].Behavior = &core.Parameter_Default{Default: intLit(2)}
		lp.Closure.ExpectedInputs = lp.Spec.DefaultInputs
		lp.Spec.EntityMetadata = &admin.LaunchPlanMetadata{Schedule: &admin.Schedule{
			ScheduleExpression:  &admin.Schedule_CronSchedule{CronSchedule: &admin.CronSchedule{Schedule: "*/5 * * * *"}},
			KickoffTimeInputArg: "when",
		}}
	})
	// A second, unscheduled active launch plan and an inactive scheduled one.
	other := &admin.LaunchPlan{Id: ident(core.ResourceType_LAUNCH_PLAN, "plain"), Spec: &admin.LaunchPlanSpec{},
		Closure: &admin.LaunchPlanClosure{State: admin.LaunchPlanState_ACTIVE}}
	must(t, env.s.db.Put(BucketLaunchPlans, versionKey(other.GetId()), other))
	off := &admin.LaunchPlan{Id: ident(core.ResourceType_LAUNCH_PLAN, "off"), Spec: lp.GetSpec(),
		Closure: &admin.LaunchPlanClosure{State: admin.LaunchPlanState_INACTIVE}}
	must(t, env.s.db.Put(BucketLaunchPlans, versionKey(off.GetId()), off))

	lps, err := env.s.ScheduledLaunchPlans(env.ctx)
	must(t, err)
	if len(lps) != 1 || lps[0].GetId().GetName() != "lp" {
		t.Fatalf("scheduled %v", lps)
	}

	at := time.Date(2026, 12, 2, 10, 5, 0, 0, time.UTC)
	if got, want := scheduledExecutionName(lp.GetId(), at), adminScheduledName(lp.GetId(), at); got != want {
		t.Fatalf("name %s, admin's %s", got, want)
	}
	id, err := env.s.LaunchScheduled(env.ctx, lps[0], at)
	must(t, err)
	if id.GetName() != adminScheduledName(lp.GetId(), at) || len(id.GetName()) != 20 {
		t.Fatalf("id %v", id)
	}
	again, err := env.s.LaunchScheduled(env.ctx, lps[0], at) // the same tick again: AlreadyExists, fine
	must(t, err)
	if again.GetName() != id.GetName() {
		t.Fatalf("second launch %v", again)
	}
	e, err := env.s.GetExecution(env.ctx, &admin.WorkflowExecutionGetRequest{Id: id})
	must(t, err)
	md := e.GetSpec().GetMetadata()
	if md.GetMode() != admin.ExecutionMetadata_SCHEDULED || !md.GetScheduledAt().AsTime().Equal(at) {
		t.Fatalf("metadata %v", md)
	}
	inputs := &core.LiteralMap{}
	must(t, env.s.blob.GetProto(env.ctx, env.s.executionInputsURI(id), inputs))
	if !inputs.Literals["when"].GetScalar().GetPrimitive().GetDatetime().AsTime().Equal(at) ||
		inputs.Literals["a"].GetScalar().GetPrimitive().GetInteger() != 2 {
		t.Fatalf("inputs %v", inputs)
	}
	next, err := env.s.LaunchScheduled(env.ctx, lps[0], at.Add(5*time.Minute))
	must(t, err)
	if next.GetName() == id.GetName() {
		t.Fatal("the next tick must get another name")
	}
}
