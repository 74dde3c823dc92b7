// Package scheduler is the lab's native scheduler, after FlyteAdmin's flyteadmin/scheduler (v1.16.8): it launches
// the active launch plans that have a schedule, at each tick of their cron expression or fixed rate.
//
// What it keeps from FlyteAdmin's scheduler:
//   - Schedules: spec.entity_metadata.schedule.cron_schedule.schedule, parsed with robfig/cron's ParseStandard (the
//     5-field form and the descriptors @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly and
//     "@every <duration>", plus an optional CRON_TZ=/TZ= prefix), or rate {value, unit MINUTE/HOUR/DAY} as
//     cron.ConstantDelaySchedule{Delay} (the next tick is the previous one plus the delay, on whole seconds).
//     A schedule is empty (none) when it has no cron string and a rate of 0, as admin's isScheduleEmpty.
//   - Identity: a schedule is one launch plan version (project/domain/name/version); activating another version
//     is a new schedule.
//   - A schedule seen for the first time starts from that moment: its first tick is the first one after it (admin's
//     updater adds a job with a zero start, so cron computes Next(now)). No backfill.
//   - Catch-up after downtime: on the next pass every tick after the last one fired, up to now, is fired in order,
//     like admin's CatchupAll from the snapshot's last execution time, or from the schedule's activation time when
//     that is later (admin's BootStrapSchedulesFromSnapShot takes max(updatedAt, snapshot)); here the launch plan's
//     closure.updated_at plays updatedAt. MaxCatchUp can bound this (0, the default, is admin's: all of them).
//   - Launching: Source.LaunchScheduled with the tick's time (adminsvc sends admin's request: the deterministic name
//     of ExecutionName, mode SCHEDULED, scheduled_at and, for cron schedules only, the kickoff_time_input_arg as a
//     datetime input). AlreadyExists
//     counts as fired (admin's idempotency: the name is derived from the launch plan and the tick). An error whose
//     details carry admin.InactiveProject counts as fired, as in admin's executor. Other errors are retried with
//     backoff, up to MaxAttempts (30, as admin's executor), then the tick is skipped and logged.
//   - A deactivated launch plan (not ACTIVE, or no longer returned by Source) stops firing at once, and its state is
//     dropped, so a later reactivation starts afresh.
//
// Where it differs: admin polls the schedule table every 30 s and snapshots last execution times every 30 s; this
// polls every Interval (1 s) and records the last fired tick of each schedule in the bbolt bucket "schedules" as soon
// as it fires, so a restart neither repeats ticks (AlreadyExists would catch those anyway) nor misses any. Cron
// expressions are evaluated in Location (UTC by default, as in the sandbox's container; admin uses the process's
// local zone unless useUTCTz). The deprecated cron_expression field (which admin's native scheduler refuses) is
// accepted when ParseStandard parses it.
package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/robfig/cron/v3"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/unionml-ts/tools/flyte-lab/controlplane/internal/store"
)

// Bucket is the database bucket of schedule state: key project/domain/name/version, value a Timestamp, the last
// tick fired (or, before the first tick, the moment the schedule was first seen).
const Bucket = "schedules"

// Source is what the scheduler needs from the admin service (adminsvc.Service provides both).
type Source interface {
	// ScheduledLaunchPlans returns the launch plans that are ACTIVE and have a schedule.
	ScheduledLaunchPlans(ctx context.Context) ([]*admin.LaunchPlan, error)
	// LaunchScheduled creates the execution of lp for the tick scheduledAt, with a name derived from both;
	// AlreadyExists means that tick already ran.
	LaunchScheduled(ctx context.Context, lp *admin.LaunchPlan, scheduledAt time.Time) (*core.WorkflowExecutionIdentifier, error)
}

// Config of the scheduler.
type Config struct {
	DB     *store.DB
	Source Source
	// Now is the clock (default time.Now); tests pass a fake one.
	Now func() time.Time
	// Interval between passes in Run (default 1 s).
	Interval time.Duration
	// Location cron expressions are evaluated in (default UTC).
	Location *time.Location
	// MaxCatchUp, when > 0, fires at most this many of the most recent missed ticks of a schedule (older ones are
	// skipped and logged). 0 fires them all, as FlyteAdmin does.
	MaxCatchUp int
	// MaxAttempts per tick before it is skipped (default 30, admin's executor retries).
	MaxAttempts int
	// MaxBackoff between attempts of a failing tick (default 5 min; the first retry is after 1 s, then doubling).
	MaxBackoff time.Duration
	Logger     *slog.Logger
}

// Scheduler launches scheduled launch plans.
type Scheduler struct {
	cfg Config
	mu  sync.Mutex
	// failing ticks: key -> attempts made and when to try again.
	failures map[string]*failure
	// reported holds keys whose schedule could not be evaluated, so the error is logged once.
	reported map[string]string
}

type failure struct {
	tick     time.Time
	attempts int
	retryAt  time.Time
}

// New makes a scheduler.
func New(cfg Config) (*Scheduler, error) {
	if cfg.DB == nil || cfg.Source == nil {
		return nil, errors.New("scheduler: DB and Source are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Interval <= 0 {
		cfg.Interval = time.Second
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 30
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 5 * time.Minute
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Scheduler{cfg: cfg, failures: map[string]*failure{}, reported: map[string]string{}}, nil
}

// Run makes a pass every Interval until ctx ends; it returns nil then.
func (s *Scheduler) Run(ctx context.Context) error {
	s.cfg.Logger.Info("scheduler started", "interval", s.cfg.Interval.String(), "location", s.cfg.Location.String())
	t := time.NewTicker(s.cfg.Interval)
	defer t.Stop()
	for {
		if err := s.Tick(ctx); err != nil && ctx.Err() == nil {
			s.cfg.Logger.Warn("scheduler pass failed", "error", err)
		}
		select {
		case <-ctx.Done():
			s.cfg.Logger.Info("scheduler stopped")
			return nil
		case <-t.C:
		}
	}
}

// Tick makes one pass at the clock's current time: it reads the scheduled launch plans, fires every due tick and
// drops the state of schedules that are gone.
func (s *Scheduler) Tick(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.Now().In(s.cfg.Location)
	lps, err := s.cfg.Source.ScheduledLaunchPlans(ctx)
	if err != nil {
		return fmt.Errorf("reading scheduled launch plans: %w", err)
	}
	active := map[string]bool{}
	for _, lp := range lps {
		if lp.GetClosure().GetState() != admin.LaunchPlanState_ACTIVE || IsScheduleEmpty(lp.GetSpec().GetEntityMetadata().GetSchedule()) {
			continue
		}
		key := Key(lp.GetId())
		active[key] = true
		if err := s.runSchedule(ctx, key, lp, now); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			s.cfg.Logger.Warn("schedule pass failed", "launch_plan", key, "error", err)
		}
	}
	return s.prune(active)
}

// Key is the schedule's key: project/domain/name/version of the launch plan.
func Key(id *core.Identifier) string {
	return store.Key(id.GetProject(), id.GetDomain(), id.GetName(), id.GetVersion())
}

func (s *Scheduler) runSchedule(ctx context.Context, key string, lp *admin.LaunchPlan, now time.Time) error {
	sched := lp.GetSpec().GetEntityMetadata().GetSchedule()
	next, err := NextFunc(sched, s.cfg.Location)
	if err != nil {
		if s.reported[key] != err.Error() {
			s.reported[key] = err.Error()
			s.cfg.Logger.Error("schedule cannot be evaluated; not firing it", "launch_plan", key, "error", err)
		}
		return nil
	}
	delete(s.reported, key)

	var last timestamppb.Timestamp
	found, err := s.cfg.DB.Get(Bucket, key, &last)
	if err != nil {
		return err
	}
	if !found {
		// First sight: start from now, no backfill.
		s.cfg.Logger.Info("schedule activated", "launch_plan", key, "schedule", Describe(sched), "next", fmtTime(next(now)))
		return s.cfg.DB.Put(Bucket, key, timestamppb.New(now))
	}
	from := last.AsTime().In(s.cfg.Location)
	if u := lp.GetClosure().GetUpdatedAt(); u != nil && u.AsTime().After(from) && !u.AsTime().After(now) {
		// Reactivated after the last tick fired: count from the activation, as admin's bootstrap does.
		from = u.AsTime().In(s.cfg.Location)
	}

	var due []time.Time
	for t := next(from); !t.IsZero() && !t.After(now); t = next(t) {
		due = append(due, t)
		if s.cfg.MaxCatchUp > 0 && len(due) > s.cfg.MaxCatchUp {
			due = due[1:]
		}
	}
	if len(due) == 0 {
		return nil
	}
	if skipped := countSkipped(next, from, due[0]); skipped > 0 {
		s.cfg.Logger.Warn("catch-up bounded: skipping older missed ticks", "launch_plan", key, "skipped", skipped, "from", fmtTime(from), "max_catch_up", s.cfg.MaxCatchUp)
	}
	if len(due) > 1 {
		s.cfg.Logger.Info("catching up missed ticks", "launch_plan", key, "ticks", len(due), "from", fmtTime(due[0]), "to", fmtTime(due[len(due)-1]))
	}
	for _, tick := range due {
		if f := s.failures[key]; f != nil && f.tick.Equal(tick) && now.Before(f.retryAt) {
			return nil // backing off
		}
		id, err := s.cfg.Source.LaunchScheduled(ctx, lp, tick)
		switch {
		case err == nil && id == nil:
			s.cfg.Logger.Info("tick not launched (inactive project)", "launch_plan", key, "scheduled_at", fmtTime(tick))
		case err == nil:
			s.cfg.Logger.Info("scheduled execution launched", "launch_plan", key, "scheduled_at", fmtTime(tick), "execution", execName(id))
		case status.Code(err) == codes.AlreadyExists:
			s.cfg.Logger.Info("scheduled execution already exists", "launch_plan", key, "scheduled_at", fmtTime(tick))
		case isInactiveProjectError(err):
			s.cfg.Logger.Info("project inactive; tick not launched", "launch_plan", key, "scheduled_at", fmtTime(tick))
		default:
			if ctx.Err() != nil {
				return ctx.Err()
			}
			f := s.failures[key]
			if f == nil || !f.tick.Equal(tick) {
				f = &failure{tick: tick}
				s.failures[key] = f
			}
			f.attempts++
			if f.attempts < s.cfg.MaxAttempts {
				backoff := time.Second << min(f.attempts-1, 20)
				if backoff > s.cfg.MaxBackoff {
					backoff = s.cfg.MaxBackoff
				}
				f.retryAt = now.Add(backoff)
				s.cfg.Logger.Warn("scheduled launch failed; will retry", "launch_plan", key, "scheduled_at", fmtTime(tick),
					"attempt", f.attempts, "retry_in", backoff.String(), "error", err)
				return nil
			}
			s.cfg.Logger.Error("scheduled launch failed; skipping this tick", "launch_plan", key, "scheduled_at", fmtTime(tick),
				"attempts", f.attempts, "error", err)
		}
		delete(s.failures, key)
		if err := s.cfg.DB.Put(Bucket, key, timestamppb.New(tick)); err != nil {
			return err
		}
	}
	return nil
}

// prune drops the state of schedules that are no longer active.
func (s *Scheduler) prune(active map[string]bool) error {
	var gone []string
	err := store.Scan(s.cfg.DB, Bucket, "", func() *timestamppb.Timestamp { return &timestamppb.Timestamp{} },
		func(key string, _ *timestamppb.Timestamp) bool {
			if !active[key] {
				gone = append(gone, key)
			}
			return true
		})
	if err != nil {
		return err
	}
	for _, key := range gone {
		if err := s.cfg.DB.Delete(Bucket, key); err != nil {
			return err
		}
		delete(s.failures, key)
		delete(s.reported, key)
		s.cfg.Logger.Info("schedule deactivated", "launch_plan", key)
	}
	return nil
}

// State returns the recorded last tick of every schedule (key -> time), for inspection and tests.
func (s *Scheduler) State() (map[string]time.Time, error) {
	out := map[string]time.Time{}
	err := store.Scan(s.cfg.DB, Bucket, "", func() *timestamppb.Timestamp { return &timestamppb.Timestamp{} },
		func(key string, ts *timestamppb.Timestamp) bool {
			out[key] = ts.AsTime()
			return true
		})
	return out, err
}

func countSkipped(next func(time.Time) time.Time, from, firstDue time.Time) int {
	n := 0
	for t := next(from); !t.IsZero() && t.Before(firstDue); t = next(t) {
		n++
	}
	return n
}

// IsScheduleEmpty is admin's isScheduleEmpty: no cron string and a zero rate.
func IsScheduleEmpty(s *admin.Schedule) bool {
	if s == nil {
		return true
	}
	if s.GetCronSchedule() != nil && len(s.GetCronSchedule().GetSchedule()) != 0 {
		return false
	}
	if len(s.GetCronExpression()) != 0 {
		return false
	}
	return s.GetRate().GetValue() == 0
}

// CronString is the schedule's cron expression: cron_schedule.schedule, else the deprecated cron_expression; "" for
// a fixed rate.
func CronString(s *admin.Schedule) string {
	if c := s.GetCronSchedule().GetSchedule(); c != "" {
		return c
	}
	return s.GetCronExpression()
}

// NextFunc returns the function that gives a schedule's next tick strictly after a time (zero when there is none),
// as admin's GetScheduledTime.
func NextFunc(s *admin.Schedule, loc *time.Location) (func(time.Time) time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	if c := CronString(s); c != "" {
		sched, err := cron.ParseStandard(c)
		if err != nil {
			return nil, fmt.Errorf("invalid cron expression %q: %w", c, err)
		}
		if sched.Next(time.Now().In(loc)).IsZero() {
			return nil, fmt.Errorf("invalid crontab string configuration: %s", c)
		}
		return func(t time.Time) time.Time { return sched.Next(t.In(loc)) }, nil
	}
	d, err := FixedRateDuration(s.GetRate())
	if err != nil {
		return nil, err
	}
	every := cron.ConstantDelaySchedule{Delay: d}
	return func(t time.Time) time.Time { return every.Next(t.In(loc)) }, nil
}

// FixedRateDuration is admin's getFixedRateDurationFromSchedule.
func FixedRateDuration(r *admin.FixedRate) (time.Duration, error) {
	d := time.Duration(r.GetValue())
	switch r.GetUnit() {
	case admin.FixedRateUnit_MINUTE:
		return d * time.Minute, nil
	case admin.FixedRateUnit_HOUR:
		return d * time.Hour, nil
	case admin.FixedRateUnit_DAY:
		return d * 24 * time.Hour, nil
	default:
		return 0, fmt.Errorf("unsupported unit %v for fixed rate scheduling", r.GetUnit())
	}
}

// Describe is a short text of a schedule for logs.
func Describe(s *admin.Schedule) string {
	if c := CronString(s); c != "" {
		return "cron " + c
	}
	return fmt.Sprintf("every %d %s", s.GetRate().GetValue(), s.GetRate().GetUnit())
}

func isInactiveProjectError(err error) bool {
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

func execName(id *core.WorkflowExecutionIdentifier) string {
	if id == nil {
		return ""
	}
	return id.GetName()
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
