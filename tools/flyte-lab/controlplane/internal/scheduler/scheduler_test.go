package scheduler

import (
	"context"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/unionml-ts/tools/flyte-lab/controlplane/internal/store"
)

type launch struct {
	key string
	at  time.Time
}

// fakeSource is an admin service with launch plans and an execution table keyed by admin's deterministic name.
type fakeSource struct {
	lps      []*admin.LaunchPlan
	launched []launch
	names    map[string]bool
	// failWith, when set, is returned by LaunchScheduled (and the launch not recorded).
	failWith error
	calls    int
}

func (f *fakeSource) ScheduledLaunchPlans(context.Context) ([]*admin.LaunchPlan, error) {
	return f.lps, nil
}

func (f *fakeSource) LaunchScheduled(_ context.Context, lp *admin.LaunchPlan, at time.Time) (*core.WorkflowExecutionIdentifier, error) {
	f.calls++
	if f.failWith != nil {
		return nil, f.failWith
	}
	name := ExecutionName(lp.GetId(), at)
	if f.names == nil {
		f.names = map[string]bool{}
	}
	if f.names[name] {
		return nil, status.Errorf(codes.AlreadyExists, "execution %s exists", name)
	}
	f.names[name] = true
	f.launched = append(f.launched, launch{Key(lp.GetId()), at})
	return &core.WorkflowExecutionIdentifier{Project: lp.GetId().GetProject(), Domain: lp.GetId().GetDomain(), Name: name}, nil
}

func (f *fakeSource) times(key string) []string {
	var out []string
	for _, l := range f.launched {
		if l.key == key {
			out = append(out, l.at.UTC().Format("15:04:05"))
		}
	}
	return out
}

type clock struct{ t time.Time }

func (c *clock) Now() time.Time      { return c.t }
func (c *clock) Set(hms string)      { c.t = at(hms) }
func (c *clock) Add(d time.Duration) { c.t = c.t.Add(d) }
func at(hms string) time.Time {
	t, _ := time.Parse("2006-01-02 15:04:05.000", "2026-12-02 "+hms)
	return t
}
func lpID(name, version string) *core.Identifier {
	return &core.Identifier{ResourceType: core.ResourceType_LAUNCH_PLAN, Project: "flytesnacks", Domain: "development", Name: name, Version: version}
}

func cronLP(name, version, expr, kickoff string) *admin.LaunchPlan {
	return &admin.LaunchPlan{
		Id: lpID(name, version),
		Spec: &admin.LaunchPlanSpec{EntityMetadata: &admin.LaunchPlanMetadata{Schedule: &admin.Schedule{
			ScheduleExpression:  &admin.Schedule_CronSchedule{CronSchedule: &admin.CronSchedule{Schedule: expr}},
			KickoffTimeInputArg: kickoff,
		}}},
		Closure: &admin.LaunchPlanClosure{State: admin.LaunchPlanState_ACTIVE},
	}
}

func rateLP(name, version string, value uint32, unit admin.FixedRateUnit) *admin.LaunchPlan {
	return &admin.LaunchPlan{
		Id: lpID(name, version),
		Spec: &admin.LaunchPlanSpec{EntityMetadata: &admin.LaunchPlanMetadata{Schedule: &admin.Schedule{
			ScheduleExpression: &admin.Schedule_Rate{Rate: &admin.FixedRate{Value: value, Unit: unit}},
		}}},
		Closure: &admin.LaunchPlanClosure{State: admin.LaunchPlanState_ACTIVE},
	}
}

type env struct {
	t     *testing.T
	path  string
	db    *store.DB
	src   *fakeSource
	clock *clock
	s     *Scheduler
	cfg   Config
}

func newEnv(t *testing.T, start string, mod func(*Config)) *env {
	t.Helper()
	e := &env{t: t, path: filepath.Join(t.TempDir(), "admin.db"), src: &fakeSource{}, clock: &clock{}}
	e.clock.Set(start)
	e.cfg = Config{Source: e.src, Now: e.clock.Now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if mod != nil {
		mod(&e.cfg)
	}
	e.restart()
	t.Cleanup(func() { _ = e.db.Close() })
	return e
}

// restart closes and reopens the database and makes a new scheduler, as a restart of the control plane does.
func (e *env) restart() {
	e.t.Helper()
	if e.db != nil {
		if err := e.db.Close(); err != nil {
			e.t.Fatal(err)
		}
	}
	db, err := store.Open(e.path)
	if err != nil {
		e.t.Fatal(err)
	}
	e.db = db
	cfg := e.cfg
	cfg.DB = db
	s, err := New(cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	e.s = s
}

func (e *env) tick() {
	e.t.Helper()
	if err := e.s.Tick(context.Background()); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) want(key string, times ...string) {
	e.t.Helper()
	if got := strings.Join(e.src.times(key), " "); got != strings.Join(times, " ") {
		e.t.Fatalf("launched %s at [%s], want [%s]", key, got, strings.Join(times, " "))
	}
}

const k1 = "flytesnacks/development/lp/v1"

func TestCronFromNowNoBackfillNoRepeat(t *testing.T) {
	e := newEnv(t, "10:02:30.000", nil)
	e.src.lps = []*admin.LaunchPlan{cronLP("lp", "v1", "*/5 * * * *", "")}
	e.tick() // first sight: no backfill
	e.want(k1)
	e.clock.Set("10:04:59.999")
	e.tick()
	e.want(k1)
	e.clock.Set("10:05:00.000")
	e.tick()
	e.want(k1, "10:05:00")
	e.tick() // same time again: nothing new
	e.clock.Set("10:09:00.000")
	e.tick()
	e.want(k1, "10:05:00")
	e.clock.Set("10:10:00.300")
	e.tick()
	e.want(k1, "10:05:00", "10:10:00")
	st, _ := e.s.State()
	if !st[k1].Equal(at("10:10:00.000")) {
		t.Fatalf("state %v", st)
	}
}

func TestRestartCatchesUpWithoutRepeating(t *testing.T) {
	e := newEnv(t, "10:00:10.000", nil)
	e.src.lps = []*admin.LaunchPlan{cronLP("lp", "v1", "@hourly", ""), cronLP("q", "v1", "*/15 * * * *", "")}
	e.tick()
	e.clock.Set("11:00:01.000")
	e.tick()
	e.want(k1, "11:00:00")
	e.want("flytesnacks/development/q/v1", "10:15:00", "10:30:00", "10:45:00", "11:00:00")

	// Down from 11:00:01 to 14:20; restart.
	e.restart()
	e.clock.Set("14:20:00.000")
	e.tick()
	e.want(k1, "11:00:00", "12:00:00", "13:00:00", "14:00:00")
	e.want("flytesnacks/development/q/v1", "10:15:00", "10:30:00", "10:45:00", "11:00:00",
		"11:15:00", "11:30:00", "11:45:00", "12:00:00", "12:15:00", "12:30:00", "12:45:00", "13:00:00",
		"13:15:00", "13:30:00", "13:45:00", "14:00:00", "14:15:00")
	// Restart again right away: nothing repeated.
	e.restart()
	e.tick()
	if e.src.calls != 4+17 {
		t.Fatalf("%d launch calls", e.src.calls)
	}
}

func TestCrashBetweenLaunchAndRecordIsAlreadyExists(t *testing.T) {
	e := newEnv(t, "10:00:10.000", nil)
	lp := cronLP("lp", "v1", "* * * * *", "")
	e.src.lps = []*admin.LaunchPlan{lp}
	e.tick()
	e.clock.Set("10:01:00.000")
	e.tick()
	// Roll the recorded state back, as if the process died after launching 10:01 but before recording it.
	if err := e.db.Put(Bucket, k1, timestamppb.New(at("10:00:10.000"))); err != nil {
		t.Fatal(err)
	}
	e.restart()
	e.clock.Set("10:02:00.000")
	e.tick()
	e.want(k1, "10:01:00", "10:02:00")
	if e.src.calls != 3 {
		t.Fatalf("%d calls", e.src.calls)
	}
}

func TestMaxCatchUp(t *testing.T) {
	e := newEnv(t, "10:00:10.000", func(c *Config) { c.MaxCatchUp = 2 })
	e.src.lps = []*admin.LaunchPlan{cronLP("lp", "v1", "* * * * *", "")}
	e.tick()
	e.clock.Set("10:30:30.000")
	e.tick()
	e.want(k1, "10:29:00", "10:30:00")
}

func TestDeactivateAndReactivate(t *testing.T) {
	e := newEnv(t, "10:00:10.000", nil)
	lp := cronLP("lp", "v1", "*/10 * * * *", "")
	e.src.lps = []*admin.LaunchPlan{lp}
	e.tick()
	e.clock.Set("10:10:00.000")
	e.tick()
	e.want(k1, "10:10:00")

	// Deactivated: gone from the list (or listed as INACTIVE): nothing fires and the state is dropped.
	inactive := cronLP("lp", "v1", "*/10 * * * *", "")
	inactive.Closure.State = admin.LaunchPlanState_INACTIVE
	e.src.lps = []*admin.LaunchPlan{inactive}
	e.clock.Set("10:35:00.000")
	e.tick()
	e.want(k1, "10:10:00")
	if st, _ := e.s.State(); len(st) != 0 {
		t.Fatalf("state kept: %v", st)
	}
	// Reactivated at 10:41: starts from then, no backfill of 10:20..10:40.
	e.src.lps = []*admin.LaunchPlan{lp}
	e.clock.Set("10:41:00.000")
	e.tick()
	e.clock.Set("10:50:00.000")
	e.tick()
	e.want(k1, "10:10:00", "10:50:00")

	// A new version replaces the old one: v1 stops, v2 starts from now.
	e.src.lps = []*admin.LaunchPlan{cronLP("lp", "v2", "*/10 * * * *", "")}
	e.clock.Set("10:55:00.000")
	e.tick()
	e.clock.Set("11:00:00.000")
	e.tick()
	e.want(k1, "10:10:00", "10:50:00")
	e.want("flytesnacks/development/lp/v2", "11:00:00")
}

func TestReactivatedWhileSchedulerWasOff(t *testing.T) {
	// Admin's bootstrap counts from max(last execution, updatedAt): a launch plan reactivated during downtime does
	// not get the ticks from before its reactivation.
	e := newEnv(t, "10:00:10.000", nil)
	lp := cronLP("lp", "v1", "*/10 * * * *", "")
	e.src.lps = []*admin.LaunchPlan{lp}
	e.tick()
	e.clock.Set("10:10:00.000")
	e.tick()
	e.restart()
	lp.Closure.UpdatedAt = timestamppb.New(at("10:33:00.000"))
	e.clock.Set("10:45:00.000")
	e.tick()
	e.want(k1, "10:10:00", "10:40:00")
}

func TestFixedRate(t *testing.T) {
	e := newEnv(t, "10:00:00.500", nil)
	e.src.lps = []*admin.LaunchPlan{rateLP("lp", "v1", 10, admin.FixedRateUnit_MINUTE)}
	e.tick()
	e.clock.Set("10:09:59.999")
	e.tick()
	e.want(k1)
	e.clock.Set("10:20:00.000")
	e.tick()
	e.want(k1, "10:10:00", "10:20:00")

	e2 := newEnv(t, "10:00:00.000", nil)
	e2.src.lps = []*admin.LaunchPlan{rateLP("lp", "v1", 1, admin.FixedRateUnit_HOUR), rateLP("d", "v1", 1, admin.FixedRateUnit_DAY)}
	e2.tick()
	e2.clock.Add(49 * time.Hour)
	e2.tick()
	if n := len(e2.src.times(k1)); n != 49 {
		t.Fatalf("hourly: %d launches", n)
	}
	if got := e2.src.times("flytesnacks/development/d/v1"); len(got) != 2 {
		t.Fatalf("daily: %v", got)
	}
}

func TestBadSchedulesAreSkipped(t *testing.T) {
	e := newEnv(t, "10:00:00.000", nil)
	bad := cronLP("bad", "v1", "not a cron", "")
	feb31 := cronLP("feb31", "v1", "0 0 31 2 *", "")
	unit := rateLP("unit", "v1", 5, admin.FixedRateUnit(42))
	empty := rateLP("empty", "v1", 0, admin.FixedRateUnit_MINUTE)
	six := cronLP("six", "v1", "0 * * * * *", "") // 6 fields: not admin's syntax
	e.src.lps = []*admin.LaunchPlan{bad, feb31, unit, empty, six, cronLP("lp", "v1", "* * * * *", "")}
	e.tick()
	e.clock.Set("10:03:00.000")
	e.tick()
	e.want(k1, "10:01:00", "10:02:00", "10:03:00")
	if len(e.src.launched) != 3 {
		t.Fatalf("launched %v", e.src.launched)
	}
	for _, expr := range []string{"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly", "@every 1h30m", "0 9 * * MON-FRI", "CRON_TZ=Europe/Paris 0 9 * * *"} {
		if _, err := NextFunc(&admin.Schedule{ScheduleExpression: &admin.Schedule_CronSchedule{CronSchedule: &admin.CronSchedule{Schedule: expr}}}, time.UTC); err != nil {
			t.Errorf("%s: %v", expr, err)
		}
	}
	// The deprecated cron_expression is accepted when it is in admin's syntax.
	next, err := NextFunc(&admin.Schedule{ScheduleExpression: &admin.Schedule_CronExpression{CronExpression: "30 * * * *"}}, time.UTC)
	if err != nil || !next(at("10:00:00.000")).Equal(at("10:30:00.000")) {
		t.Fatalf("cron_expression: %v", err)
	}
}

func TestFailuresRetryThenSkip(t *testing.T) {
	e := newEnv(t, "10:00:10.000", func(c *Config) { c.MaxAttempts = 3 })
	e.src.lps = []*admin.LaunchPlan{cronLP("lp", "v1", "* * * * *", "")}
	e.tick()
	e.src.failWith = status.Error(codes.Unavailable, "kube-apiserver down")
	e.clock.Set("10:01:00.000")
	e.tick() // attempt 1; retry after 1 s
	e.tick() // backing off: no call
	if e.src.calls != 1 {
		t.Fatalf("%d calls", e.src.calls)
	}
	e.clock.Set("10:01:01.000")
	e.tick() // attempt 2; retry after 2 s
	e.clock.Set("10:01:03.000")
	e.tick() // attempt 3: skipped
	if e.src.calls != 3 {
		t.Fatalf("%d calls", e.src.calls)
	}
	e.src.failWith = nil
	e.clock.Set("10:02:00.000")
	e.tick()
	e.want(k1, "10:02:00")

	// A retry that then succeeds fires the tick late, once.
	e.src.failWith = status.Error(codes.Internal, "boom")
	e.clock.Set("10:03:00.000")
	e.tick()
	e.src.failWith = nil
	e.clock.Set("10:03:01.000")
	e.tick()
	e.want(k1, "10:02:00", "10:03:00")

	// admin.InactiveProject in the details: counted as fired (admin's executor ignores it).
	st, _ := status.New(codes.FailedPrecondition, "project inactive").WithDetails(&admin.InactiveProject{Id: "flytesnacks"})
	e.src.failWith = st.Err()
	e.clock.Set("10:04:00.000")
	e.tick()
	e.src.failWith = nil
	e.clock.Set("10:04:30.000")
	e.tick()
	e.want(k1, "10:02:00", "10:03:00")
	if s, _ := e.s.State(); !s[k1].Equal(at("10:04:00.000")) {
		t.Fatalf("state %v", s)
	}
}

func TestLocation(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	e := newEnv(t, "10:00:10.000", func(c *Config) { c.Location = ny })
	e.src.lps = []*admin.LaunchPlan{cronLP("lp", "v1", "0 6 * * *", "")} // 06:00 New York = 11:00 UTC in December
	e.tick()
	e.clock.Set("11:00:00.000")
	e.tick()
	e.want(k1, "11:00:00")
}

// adminExecutionName is admin's own computation (identifier.GetExecutionIdentifier and executor_impl.go), with
// google/uuid as admin uses it.
func adminExecutionName(id *core.Identifier, scheduledAt time.Time) string {
	h := fnv.New64()
	_, _ = h.Write([]byte(fmt.Sprintf("%s:%s:%s:%s:%d", id.GetProject(), id.GetDomain(), id.GetName(), id.GetVersion(), scheduledAt.Unix())))
	b := make([]byte, 16)
	binary.LittleEndian.PutUint64(b, h.Sum64())
	u, _ := uuid.FromBytes(b)
	return "f" + strings.ReplaceAll(u.String(), "-", "")[:19]
}

func TestExecutionName(t *testing.T) {
	tick := at("10:05:00.000")
	id := lpID("lp", "v1")
	if got, want := ExecutionName(id, tick), adminExecutionName(id, tick); got != want || len(got) != 20 {
		t.Fatalf("name %q, admin's %q", got, want)
	}
	if ExecutionName(id, tick) == ExecutionName(id, tick.Add(5*time.Minute)) {
		t.Fatal("two ticks, one name")
	}
}
