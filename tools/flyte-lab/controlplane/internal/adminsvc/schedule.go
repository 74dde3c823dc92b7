package adminsvc

// schedule.go: the hooks of the lab's scheduler loop, which plays FlyteAdmin's native scheduler
// (flyteadmin/scheduler: identifier/identifier.go, executor/executor_impl.go). The loop decides when a schedule
// fires; these hooks say which launch plans have schedules and launch one tick.

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// hasSchedule is the negation of admin's isScheduleEmpty.
func hasSchedule(lp *admin.LaunchPlan) bool {
	sch := lp.GetSpec().GetEntityMetadata().GetSchedule()
	switch {
	case sch == nil:
		return false
	case sch.GetCronSchedule().GetSchedule() != "":
		return true
	case sch.GetCronExpression() != "":
		return true
	}
	return sch.GetRate().GetValue() != 0
}

// ScheduledLaunchPlans returns the ACTIVE launch plans that have a schedule (cron or fixed rate), what admin's
// launch plan manager registers with its scheduler when a launch plan is activated.
func (s *Service) ScheduledLaunchPlans(ctx context.Context) ([]*admin.LaunchPlan, error) {
	lps, err := s.activeLaunchPlans()
	if err != nil {
		return nil, err
	}
	var out []*admin.LaunchPlan
	for _, lp := range lps {
		if hasSchedule(lp) {
			out = append(out, lp)
		}
	}
	return out, nil
}

// scheduledExecutionName is the native scheduler's execution name for a launch plan's tick: a 64-bit FNV-1 hash of
// "project:domain:name:version:<unix seconds>" made into a UUID (little-endian, the rest zero) and written as "f"
// plus the first 19 hex digits. The same tick always gets the same name.
func scheduledExecutionName(id *core.Identifier, scheduledAt time.Time) string {
	h := fnv.New64()
	_, _ = fmt.Fprintf(h, "%s:%s:%s:%s:%d", id.GetProject(), id.GetDomain(), id.GetName(), id.GetVersion(),
		scheduledAt.Unix())
	b := make([]byte, 16)
	binary.LittleEndian.PutUint64(b, h.Sum64())
	return "f" + hex.EncodeToString(b)[:19]
}

// LaunchScheduled starts the execution of a launch plan for the tick scheduledAt, as the native scheduler's executor
// does: a deterministic name (so a tick launched twice, e.g. after a restart, is refused by CreateExecution as
// AlreadyExists and runs once), mode SCHEDULED with scheduled_at, and for cron schedules the kickoff time input
// argument set to the scheduled time. Like the native scheduler, it treats AlreadyExists (this tick already ran, or
// the launch plan's concurrency policy skipped it) as success and returns the execution id; an inactive project is
// skipped (nil id, nil error).
func (s *Service) LaunchScheduled(ctx context.Context, lp *admin.LaunchPlan, scheduledAt time.Time) (*core.WorkflowExecutionIdentifier, error) {
	lpID := lp.GetId()
	sch := lp.GetSpec().GetEntityMetadata().GetSchedule()
	inputs := map[string]*core.Literal{}
	cron := sch.GetCronSchedule().GetSchedule() != "" || sch.GetCronExpression() != ""
	if arg := sch.GetKickoffTimeInputArg(); cron && arg != "" {
		inputs[arg] = &core.Literal{Value: &core.Literal_Scalar{Scalar: &core.Scalar{Value: &core.Scalar_Primitive{
			Primitive: &core.Primitive{Value: &core.Primitive_Datetime{Datetime: timestamppb.New(scheduledAt)}},
		}}}}
	}
	name := scheduledExecutionName(lpID, scheduledAt)
	id := &core.WorkflowExecutionIdentifier{Project: lpID.GetProject(), Domain: lpID.GetDomain(), Name: name}
	_, err := s.CreateExecution(ctx, &admin.ExecutionCreateRequest{
		Project: lpID.GetProject(),
		Domain:  lpID.GetDomain(),
		Name:    name,
		Spec: &admin.ExecutionSpec{
			LaunchPlan: &core.Identifier{
				ResourceType: core.ResourceType_LAUNCH_PLAN,
				Project:      lpID.GetProject(),
				Domain:       lpID.GetDomain(),
				Name:         lpID.GetName(),
				Version:      lpID.GetVersion(),
			},
			Metadata: &admin.ExecutionMetadata{
				Mode:        admin.ExecutionMetadata_SCHEDULED,
				ScheduledAt: timestamppb.New(scheduledAt),
			},
		},
		Inputs: &core.LiteralMap{Literals: inputs},
	})
	switch {
	case err == nil, status.Code(err) == codes.AlreadyExists:
		return id, nil
	case isInactiveProject(err):
		return nil, nil
	}
	return nil, err
}

// isInactiveProject reports an error carrying admin's InactiveProject detail.
func isInactiveProject(err error) bool {
	st, ok := status.FromError(err)
	if !ok {
		return false
	}
	for _, d := range st.Details() {
		if _, ok := d.(*admin.InactiveProject); ok {
			return true
		}
	}
	return false
}
