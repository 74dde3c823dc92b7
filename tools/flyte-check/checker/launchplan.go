package checker

import (
	"fmt"
	"sort"

	"github.com/robfig/cron/v3"
	"google.golang.org/protobuf/proto"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/flyteorg/flyte/flytepropeller/pkg/compiler/common"
	"github.com/flyteorg/flyte/flytepropeller/pkg/compiler/transformers/k8s"
	"github.com/flyteorg/flyte/flytepropeller/pkg/compiler/validators"
)

func (st *state) checkLaunchPlan(f File) (r EntityResult) {
	r = EntityResult{File: f.Display(), Name: f.Name}
	defer r.finish()
	lp := &admin.LaunchPlan{}
	if !decode(&r, f, lp, "flyteidl.admin.LaunchPlan") {
		return r
	}
	// flytectl hydrates both identifiers before CreateLaunchPlan.
	hydrateIdentifier(lp.GetId(), st.opts)
	hydrateIdentifier(lp.GetSpec().GetWorkflowId(), st.opts)
	r.Name = lp.GetId().GetName()
	bad := func(format string, args ...any) { r.fail("InvalidArgument", "admin", format, args...) }

	spec := lp.GetSpec()
	if spec == nil {
		bad("missing spec")
		return r
	}
	// LaunchPlanManager.CreateLaunchPlan: the workflow id first, then the workflow must exist.
	if msg := validateIdentifier(spec.GetWorkflowId(), core.ResourceType_WORKFLOW); msg != "" {
		bad("workflow_id: %s", msg)
		return r
	}
	wf, ok := st.workflows[IDKey(spec.GetWorkflowId())]
	if !ok {
		st.missing(&r, spec.GetWorkflowId(), "workflow")
		return r
	}
	// ValidateLaunchPlan
	if msg := validateIdentifier(lp.GetId(), core.ResourceType_LAUNCH_PLAN); msg != "" {
		bad("%s", msg)
	}
	validateLabels(&r, spec.GetLabels())
	validateLiteralMap(&r, spec.GetFixedInputs(), "fixed_inputs")
	validateParameterMap(&r, spec.GetDefaultInputs(), "default_inputs")
	if len(r.Problems) > 0 {
		return r
	}
	expected := checkAndFetchExpectedInputs(&r, wf.iface.GetInputs(), spec.GetFixedInputs(), spec.GetDefaultInputs())
	if expected == nil {
		return r
	}
	validateSchedule(&r, spec, expected)
	if md := spec.GetEntityMetadata(); md != nil {
		validateNotifications(&r, md.GetNotifications())
		if md.GetLaunchConditions() != nil {
			bad("Launch condition must be empty, found %v", md.GetLaunchConditions())
		}
	}
	// flytectl's client-side check for scheduled launch plans (validateLPWithSchedule).
	if spec.GetEntityMetadata().GetSchedule() != nil {
		validateLPWithSchedule(&r, spec, wf.iface)
	}
	// CreateExecution would fail for every execution: admin merges the expected (default) inputs first and then
	// refuses to let a fixed input override one (execution_validator.go CheckAndFetchInputsForExecution).
	for _, name := range sortedKeys(spec.GetFixedInputs().GetLiterals()) {
		if _, dup := expected.GetParameters()[name]; dup {
			r.fail("InvalidArgument", "admin", "input %q is both fixed and a default input: every CreateExecution fails with \"fixed_inputs %s cannot be overridden\"", name, name)
		}
	}
	if len(r.Problems) > 0 {
		return r
	}

	key := IDKey(lp.GetId())
	if duplicate(&r, st.lpBytes, key, f.Data, "launch plan") {
		return r
	}
	// What admin stores and later serves to the compiler's LaunchPlanInterfaceProvider.
	stored := proto.Clone(lp).(*admin.LaunchPlan)
	stored.Spec.DefaultInputs = expected
	stored.Closure = &admin.LaunchPlanClosure{ExpectedInputs: expected, ExpectedOutputs: wf.iface.GetOutputs()}
	st.lps[key] = stored
	st.lpBytes[key] = f.Data

	if !st.opts.SkipExecution {
		st.buildExecution(&r, lp, wf, expected)
	}
	return r
}

// buildExecution runs the propeller CRD builder admin calls at CreateExecution, with the launch plan's fixed and
// default inputs; required inputs without a value get a placeholder literal of their declared type.
func (st *state) buildExecution(r *EntityResult, lp *admin.LaunchPlan, wf *workflowEntry, expected *core.ParameterMap) {
	inputs := &core.LiteralMap{Literals: map[string]*core.Literal{}}
	var synthesized []string
	for _, name := range sortedKeys(expected.GetParameters()) {
		p := expected.GetParameters()[name]
		if p.GetDefault() != nil {
			inputs.Literals[name] = p.GetDefault()
			continue
		}
		lit, err := placeholderLiteral(p.GetVar().GetType())
		if err != nil {
			r.note("execution check skipped: no value for required input %q (%v)", name, err)
			return
		}
		inputs.Literals[name] = lit
		synthesized = append(synthesized, name)
	}
	for name, lit := range lp.GetSpec().GetFixedInputs().GetLiterals() {
		inputs.Literals[name] = lit
	}
	closure := proto.Clone(wf.closure).(*core.CompiledWorkflowClosure)
	execID := &core.WorkflowExecutionIdentifier{Project: st.opts.Project, Domain: st.opts.Domain, Name: "fcheck0"}
	crd, err := k8s.BuildFlyteWorkflow(closure, inputs, execID, st.opts.Project+"-"+st.opts.Domain)
	if err != nil {
		r.addCompileErrors("propeller", err)
		return
	}
	msg := fmt.Sprintf("FlyteWorkflow CR built (transformers/k8s.BuildFlyteWorkflow): %d nodes", len(crd.WorkflowSpec.Nodes))
	if len(synthesized) > 0 {
		sort.Strings(synthesized)
		msg += fmt.Sprintf("; placeholder values for required inputs %v", synthesized)
	}
	r.note("%s", msg)
}

func validateLiteralMap(r *EntityResult, m *core.LiteralMap, field string) {
	for _, name := range sortedKeys(m.GetLiterals()) {
		lit := m.GetLiterals()[name]
		if name == "" {
			r.fail("InvalidArgument", "admin", "missing key in %s", field)
		}
		if lit.GetValue() == nil && lit.GetOffloadedMetadata() == nil {
			r.fail("InvalidArgument", "admin", "missing valid literal in %s %s", field, name)
		}
		if dt := lit.GetScalar().GetPrimitive().GetDatetime(); dt != nil {
			if err := dt.CheckValid(); err != nil {
				r.fail("InvalidArgument", "admin", "%v", err)
			}
		}
	}
}

func validateParameterMap(r *EntityResult, m *core.ParameterMap, field string) {
	for _, name := range sortedKeys(m.GetParameters()) {
		p := m.GetParameters()[name]
		if name == "" {
			r.fail("InvalidArgument", "admin", "missing key in %s", field)
		}
		if p.GetArtifactQuery() != nil {
			r.fail("InvalidArgument", "admin", "artifact mode not enabled but query found %s %s", field, name)
		}
		if p.GetVar() == nil || p.GetVar().GetType() == nil {
			r.fail("InvalidArgument", "admin", "The Variable component of the Parameter %s in %s either is missing, or has a missing Type", name, field)
			continue
		}
		if p.GetDefault() == nil && p.GetArtifactQuery() == nil && !p.GetRequired() {
			r.fail("InvalidArgument", "admin", "Invalid variable %s in %s - variable has neither default, nor is required. One must be specified", name, field)
		}
		if d := p.GetDefault(); d != nil {
			t := validators.LiteralTypeForLiteral(d)
			if err := validators.ValidateLiteralType(t); err != nil {
				r.fail("InvalidArgument", "admin", "Failed to validate literal type for [%s] with err: %s", name, err)
				continue
			}
			if !validators.AreTypesCastable(t, p.GetVar().GetType()) {
				r.fail("InvalidArgument", "admin", "Type mismatch for Parameter %s in %s has type %s, expected %s", name, field,
					common.LiteralTypeToStr(p.GetVar().GetType()), common.LiteralTypeToStr(t))
			}
			if dt := d.GetScalar().GetPrimitive().GetDatetime(); dt != nil {
				if err := dt.CheckValid(); err != nil {
					r.fail("InvalidArgument", "admin", "%v", err)
				}
			}
		}
	}
}

// checkAndFetchExpectedInputs is admin's checkAndFetchExpectedInputForLaunchPlan: default and fixed inputs must name
// workflow inputs with castable types; unmentioned workflow inputs become required.
func checkAndFetchExpectedInputs(r *EntityResult, wfInputs *core.VariableMap, fixed *core.LiteralMap, defaults *core.ParameterMap) *core.ParameterMap {
	bad := func(format string, args ...any) { r.fail("InvalidArgument", "admin", format, args...) }
	expected := map[string]*core.Parameter{}
	defaultMap := defaults.GetParameters()
	fixedMap := fixed.GetLiterals()
	if len(wfInputs.GetVariables()) == 0 {
		if len(defaultMap) > 0 {
			bad("invalid launch plan default inputs, expected none but found %d", len(defaultMap))
		}
		if len(fixedMap) > 0 {
			bad("invalid launch plan fixed inputs, expected none but found %d", len(fixedMap))
		}
		if len(r.Problems) > 0 {
			return nil
		}
		return &core.ParameterMap{Parameters: expected}
	}
	vars := wfInputs.GetVariables()
	for _, name := range sortedKeys(defaultMap) {
		d := defaultMap[name]
		v, ok := vars[name]
		if !ok {
			bad("unexpected default_input %s", name)
		} else if !validators.AreTypesCastable(d.GetVar().GetType(), v.GetType()) {
			bad("invalid default_input wrong type %s, expected %v, got %v instead", name,
				common.LiteralTypeToStr(d.GetVar().GetType()), common.LiteralTypeToStr(v.GetType()))
		}
	}
	for _, name := range sortedKeys(fixedMap) {
		v, ok := vars[name]
		if !ok {
			bad("unexpected fixed_input %s", name)
			continue
		}
		t := validators.LiteralTypeForLiteral(fixedMap[name])
		if err := validators.ValidateLiteralType(t); err != nil {
			bad("Failed to validate literal type for [%s] with err: %s", name, err)
			continue
		}
		if !validators.AreTypesCastable(t, v.GetType()) {
			bad("invalid fixed_input wrong type %s, expected %v, got %v instead", name,
				common.LiteralTypeToStr(v.GetType()), common.LiteralTypeToStr(t))
		}
	}
	if len(r.Problems) > 0 {
		return nil
	}
	for name, v := range vars {
		if d, ok := defaultMap[name]; ok {
			expected[name] = d
		} else if _, ok := fixedMap[name]; !ok {
			expected[name] = &core.Parameter{
				Var:      &core.Variable{Type: v.GetType(), Description: v.GetDescription()},
				Behavior: &core.Parameter_Required{Required: true},
			}
		}
	}
	return &core.ParameterMap{Parameters: expected}
}

// validateSchedule is admin's, plus the scheduler's view of fixed rates: a rate with value 0 is silently treated as
// "no schedule" by LaunchPlanManager.isScheduleEmpty, so it is reported here.
func validateSchedule(r *EntityResult, spec *admin.LaunchPlanSpec, expected *core.ParameterMap) {
	bad := func(format string, args ...any) { r.fail("InvalidArgument", "admin", format, args...) }
	s := spec.GetEntityMetadata().GetSchedule()
	if s.GetCronExpression() == "" && s.GetRate() == nil && s.GetCronSchedule() == nil {
		if s != nil && s.GetKickoffTimeInputArg() != "" {
			r.note("schedule has kickoff_time_input_arg %q but neither cron_schedule nor rate: admin ignores it", s.GetKickoffTimeInputArg())
		}
		return
	}
	for _, key := range sortedKeys(expected.GetParameters()) {
		if expected.GetParameters()[key].GetRequired() && key != s.GetKickoffTimeInputArg() {
			bad("Cannot create a launch plan with a schedule if there is an unbound required input. [%v] is required", key)
		}
	}
	if arg := s.GetKickoffTimeInputArg(); arg != "" {
		if p, ok := expected.GetParameters()[arg]; !ok {
			bad("Cannot create a schedule with a KickoffTimeInputArg that does not point to a free input. [%v] is not free or does not exist.", arg)
		} else if p.GetVar().GetType().GetSimple() != core.SimpleType_DATETIME {
			bad("KickoffTimeInputArg must reference a datetime input. [%v] is a [%v]", arg, common.LiteralTypeToStr(p.GetVar().GetType()))
		}
	}
	expr := s.GetCronExpression()
	if expr == "" && s.GetCronSchedule() != nil {
		expr = s.GetCronSchedule().GetSchedule()
		if expr == "" {
			r.note("cron_schedule.schedule is empty: admin treats the launch plan as unscheduled")
		}
	}
	if expr != "" {
		if _, err := cron.ParseStandard(expr); err != nil {
			bad("Invalid cron expression: %v", err)
		}
	}
	if s.GetRate() != nil {
		if s.GetRate().GetValue() == 0 {
			bad("fixed rate value must be > 0 (admin treats a zero rate as no schedule)")
		}
	}
}

// validateLPWithSchedule is flytectl's check before registering a scheduled launch plan: every workflow input other
// than the kickoff argument needs a default or fixed value.
func validateLPWithSchedule(r *EntityResult, spec *admin.LaunchPlanSpec, wfIface *core.TypedInterface) {
	s := spec.GetEntityMetadata().GetSchedule()
	var missing []string
	for _, name := range sortedKeys(wfIface.GetInputs().GetVariables()) {
		if name == s.GetKickoffTimeInputArg() {
			continue
		}
		if p, ok := spec.GetDefaultInputs().GetParameters()[name]; ok && p.GetDefault() != nil {
			continue
		}
		if _, ok := spec.GetFixedInputs().GetLiterals()[name]; ok {
			continue
		}
		missing = append(missing, name)
	}
	if len(missing) > 0 {
		r.fail("InvalidArgument", "flytectl", "param values are missing on scheduled workflow for the following params %v. Either specify them having a default or fixed value", missing)
	}
}
