package adminsvc

// executions.go: CreateExecution, RelaunchExecution, RecoverExecution, GetExecution, UpdateExecution, ListExecutions,
// TerminateExecution and GetExecutionMetrics, as FlyteAdmin v1.16.8 serves them:
// flyteadmin/pkg/manager/impl/execution_manager.go, validation/execution_validator.go, util/shared.go,
// util/single_task_execution.go, workflowengine/impl/{k8s_executor,prepare_execution}.go and
// repositories/transformers/execution.go.
//
// An execution is stored as the admin.Execution that GetExecution returns (bucket executions, key
// project/domain/name). The inputs are offloaded as admin does: <MetadataPrefix>/<project>/<domain>/<name>/inputs
// (launch plan defaults + fixed inputs + the request's inputs) and .../user_inputs (the request's inputs only, which
// relaunch and recover reuse).

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/flyteorg/flyte/flytepropeller/pkg/apis/flyteworkflow/v1alpha1"
	"github.com/flyteorg/flyte/flytepropeller/pkg/compiler/transformers/k8s"
	"github.com/flyteorg/flyte/flytepropeller/pkg/compiler/validators"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"
	"google.golang.org/protobuf/types/known/wrapperspb"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/rand"
	k8svalidation "k8s.io/apimachinery/pkg/util/validation"

	"github.com/unionml-ts/tools/flyte-lab/controlplane/internal/filters"
	"github.com/unionml-ts/tools/flyte-lab/controlplane/internal/store"
)

const (
	// maxExecutionNameLength is the longest execution name (a Kubernetes label value, admin's
	// allowedExecutionNameLength).
	maxExecutionNameLength = 63
	// defaultProducerID is the producer id of propellers that do not set a cluster id (admin's common.DefaultProducerID).
	defaultProducerID = "propeller"
	// flyteFinalizer is propeller's controller.Finalizer, which admin's PrepareFlyteWorkflow adds.
	flyteFinalizer = "flyte.org/finalizer"
	// execDefaultMaxParallelism and execEventVersion are admin's application defaults (flyteadmin.maxParallelism,
	// flyteadmin.eventVersion).
	execDefaultMaxParallelism = 25
	execEventVersion          = 2
	// maxLabelEntries is admin's maxLabelArrayLength.
	maxLabelEntries = 16
	// trimmedErrMessageLen is how much of an error message list responses keep (admin's TrimErrorMessage).
	trimmedErrMessageLen = 100
)

var executionNameRegex = regexp.MustCompile(`^[a-z][a-z\-0-9]*$`)

// ---------------------------------------------------------------------------------------------------------------
// Errors with admin's messages.

func execMissingArg(field string) error {
	return status.Errorf(codes.InvalidArgument, "missing %s", field)
}

func execInvalidArg(field string) error {
	return status.Errorf(codes.InvalidArgument, "invalid value for %s", field)
}

func execMissingEntity(id *core.WorkflowExecutionIdentifier) error {
	return status.Errorf(codes.NotFound, "missing entity of type execution with identifier %v",
		&core.Identifier{Project: id.GetProject(), Domain: id.GetDomain(), Name: id.GetName()})
}

// execStatusError makes sure err is a gRPC status (an Internal one when it is not).
func execStatusError(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok {
		return err
	}
	return status.Error(codes.Internal, err.Error())
}

// execAlreadyInTerminalState is admin's errors.NewAlreadyInTerminalStateError: FailedPrecondition with an
// EventFailureReason detail, which propeller's event recorders recognise (IsEventAlreadyInTerminalStateError).
func execAlreadyInTerminalState(msg, curPhase string) error {
	st, err := status.New(codes.FailedPrecondition, msg).WithDetails(&admin.EventFailureReason{
		Reason: &admin.EventFailureReason_AlreadyInTerminalState{
			AlreadyInTerminalState: &admin.EventErrorAlreadyInTerminalState{CurrentPhase: curPhase},
		},
	})
	if err != nil {
		return status.Error(codes.FailedPrecondition, msg)
	}
	return st.Err()
}

// execIncompatibleCluster is admin's errors.NewIncompatibleClusterError.
func execIncompatibleCluster(msg, cluster string) error {
	st, err := status.New(codes.FailedPrecondition, msg).WithDetails(&admin.EventFailureReason{
		Reason: &admin.EventFailureReason_IncompatibleCluster{
			IncompatibleCluster: &admin.EventErrorIncompatibleCluster{Cluster: cluster},
		},
	})
	if err != nil {
		return status.Error(codes.FailedPrecondition, msg)
	}
	return st.Err()
}

// ---------------------------------------------------------------------------------------------------------------
// Phases.

func isExecutionTerminal(p core.WorkflowExecution_Phase) bool {
	switch p {
	case core.WorkflowExecution_SUCCEEDED, core.WorkflowExecution_FAILED, core.WorkflowExecution_TIMED_OUT,
		core.WorkflowExecution_ABORTED:
		return true
	}
	return false
}

func isNodeExecutionTerminal(p core.NodeExecution_Phase) bool {
	switch p {
	case core.NodeExecution_SUCCEEDED, core.NodeExecution_FAILED, core.NodeExecution_TIMED_OUT,
		core.NodeExecution_ABORTED, core.NodeExecution_SKIPPED, core.NodeExecution_RECOVERED:
		return true
	}
	return false
}

func isTaskExecutionTerminal(p core.TaskExecution_Phase) bool {
	switch p {
	case core.TaskExecution_SUCCEEDED, core.TaskExecution_FAILED, core.TaskExecution_ABORTED:
		return true
	}
	return false
}

// ---------------------------------------------------------------------------------------------------------------
// Keys and storage locations.

func executionKey(id *core.WorkflowExecutionIdentifier) string {
	return store.Key(id.GetProject(), id.GetDomain(), id.GetName())
}

// metadataBase is where admin offloads literal maps (its storage "metadata" prefix).
func (s *Service) metadataBase() string {
	if s.cfg.MetadataPrefix != "" {
		return strings.TrimSuffix(s.cfg.MetadataPrefix, "/")
	}
	return s.blob.URI("metadata")
}

// executionDataURI is admin's common.OffloadLiteralMap location for an execution: <metadata>/<project>/<domain>/
// <name>/<parts...>.
func (s *Service) executionDataURI(id *core.WorkflowExecutionIdentifier, parts ...string) string {
	all := append([]string{s.metadataBase(), id.GetProject(), id.GetDomain(), id.GetName()}, parts...)
	return strings.Join(all, "/")
}

func (s *Service) executionInputsURI(id *core.WorkflowExecutionIdentifier) string {
	return s.executionDataURI(id, "inputs")
}

func (s *Service) executionUserInputsURI(id *core.WorkflowExecutionIdentifier) string {
	return s.executionDataURI(id, "user_inputs")
}

// getExecution reads an execution record; NotFound as admin's execution repository.
func (s *Service) getExecution(id *core.WorkflowExecutionIdentifier) (*admin.Execution, error) {
	e := &admin.Execution{}
	ok, err := s.db.Get(BucketExecutions, executionKey(id), e)
	if err != nil {
		return nil, execStatusError(err)
	}
	if !ok {
		return nil, execMissingEntity(id)
	}
	return e, nil
}

// ---------------------------------------------------------------------------------------------------------------
// Validation (validation/execution_validator.go, validation.go, project_validator.go).

func validateWorkflowExecutionID(id *core.WorkflowExecutionIdentifier) error {
	switch {
	case id == nil:
		return execMissingArg("id")
	case id.GetProject() == "":
		return execMissingArg("project")
	case id.GetDomain() == "":
		return execMissingArg("domain")
	case id.GetName() == "":
		return execMissingArg("name")
	}
	return nil
}

func validateIdentifierFieldsSet(id *core.Identifier) error {
	switch {
	case id == nil:
		return execMissingArg("id")
	case id.GetProject() == "":
		return execMissingArg("project")
	case id.GetDomain() == "":
		return execMissingArg("domain")
	case id.GetName() == "":
		return execMissingArg("name")
	case id.GetVersion() == "":
		return execMissingArg("version")
	}
	return nil
}

// validateProjectAndDomain is admin's ValidateProjectAndDomain.
func (s *Service) validateProjectAndDomain(ctx context.Context, project, domain string) error {
	p, err := s.getProject(project)
	if err != nil {
		return status.Errorf(codes.InvalidArgument,
			"failed to validate that project [%s] and domain [%s] are registered, err: [%+v]", project, domain, err)
	}
	if p.GetState() != admin.Project_ACTIVE {
		msg := fmt.Sprintf("project [%s] is not active", project)
		st, derr := status.New(codes.InvalidArgument, msg).WithDetails(&admin.InactiveProject{Id: project})
		if derr != nil {
			return status.Error(codes.InvalidArgument, msg)
		}
		return st.Err()
	}
	for _, d := range s.cfg.Domains {
		if d == domain {
			return nil
		}
	}
	return status.Errorf(codes.InvalidArgument, "domain [%s] is unrecognized by system", domain)
}

func validateLiteralMap(m *core.LiteralMap, field string) error {
	for name, lit := range m.GetLiterals() {
		if name == "" {
			return status.Errorf(codes.InvalidArgument, "missing key in %s", field)
		}
		if lit.GetValue() == nil && lit.GetOffloadedMetadata() == nil {
			return status.Errorf(codes.InvalidArgument, "missing valid literal in %s %s", field, name)
		}
		if dt := lit.GetScalar().GetPrimitive().GetDatetime(); dt != nil {
			if err := dt.CheckValid(); err != nil {
				return status.Error(codes.InvalidArgument, err.Error())
			}
		}
	}
	return nil
}

func validateExecutionLabels(labels *admin.Labels) error {
	if len(labels.GetValues()) == 0 {
		return nil
	}
	if len(labels.GetValues()) > maxLabelEntries {
		return status.Errorf(codes.InvalidArgument, "labels map cannot exceed %d entries", maxLabelEntries)
	}
	for k, v := range labels.GetValues() {
		if errs := k8svalidation.IsQualifiedName(k); len(errs) > 0 {
			return status.Errorf(codes.InvalidArgument, "invalid label key [%s]: %v", k, errs)
		}
		if errs := k8svalidation.IsValidLabelValue(v); len(errs) > 0 {
			return status.Errorf(codes.InvalidArgument, "invalid label value [%s]: %v", v, errs)
		}
	}
	return nil
}

func validateExecutionNotifications(ns []*admin.Notification) error {
	for _, n := range ns {
		var recipients []string
		switch {
		case n.GetEmail() != nil:
			recipients = n.GetEmail().GetRecipientsEmail()
		case n.GetSlack() != nil:
			recipients = n.GetSlack().GetRecipientsEmail()
		case n.GetPagerDuty() != nil:
			recipients = n.GetPagerDuty().GetRecipientsEmail()
		default:
			return execInvalidArg("notification type")
		}
		if len(recipients) == 0 {
			return execMissingArg("recipients")
		}
		for _, r := range recipients {
			if r == "" {
				return execMissingArg("recipient")
			}
		}
		for _, p := range n.GetPhases() {
			if !isExecutionTerminal(p) {
				return execInvalidArg("phase")
			}
		}
	}
	return nil
}

// validateExecutionRequest is admin's ValidateExecutionRequest.
func (s *Service) validateExecutionRequest(ctx context.Context, req *admin.ExecutionCreateRequest) error {
	if req.GetProject() == "" {
		return execMissingArg("project")
	}
	if req.GetDomain() == "" {
		return execMissingArg("domain")
	}
	if req.GetName() != "" {
		name := strings.ToLower(req.GetName())
		if len(name) > maxExecutionNameLength {
			return status.Errorf(codes.InvalidArgument, "size of name exceeded length %d : %s", maxExecutionNameLength, name)
		}
		if !executionNameRegex.MatchString(name) {
			return status.Errorf(codes.InvalidArgument, "invalid name format: %s, does not match regex '%s'", name,
				executionNameRegex.String())
		}
	}
	if err := s.validateProjectAndDomain(ctx, req.GetProject(), req.GetDomain()); err != nil {
		return err
	}
	if req.GetSpec() == nil {
		return execMissingArg("spec")
	}
	if err := validateIdentifierFieldsSet(req.GetSpec().GetLaunchPlan()); err != nil {
		return err
	}
	switch rt := req.GetSpec().GetLaunchPlan().GetResourceType(); rt {
	case core.ResourceType_LAUNCH_PLAN, core.ResourceType_TASK:
	default:
		return status.Errorf(codes.InvalidArgument,
			"Invalid reference entity resource type [%v], only [map[LAUNCH_PLAN:<nil> TASK:<nil>]] allowed", rt)
	}
	if err := validateLiteralMap(req.GetInputs(), "inputs"); err != nil {
		return err
	}
	if err := validateExecutionNotifications(req.GetSpec().GetNotifications().GetNotifications()); err != nil {
		return err
	}
	return validateExecutionLabels(req.GetSpec().GetLabels())
}

// checkAndFetchInputs is admin's validation.CheckAndFetchInputsForExecution: the request's inputs must be expected
// inputs of the right type, every required one present; defaults fill the rest, and fixed inputs are added but may
// not be overridden.
func checkAndFetchInputs(userInputs, fixedInputs *core.LiteralMap, expected *core.ParameterMap) (*core.LiteralMap, error) {
	out := map[string]*core.Literal{}
	expectedMap := expected.GetParameters()
	for name, v := range userInputs.GetLiterals() {
		if _, ok := expectedMap[name]; !ok {
			return nil, status.Errorf(codes.InvalidArgument, "invalid input %s", name)
		}
		out[name] = v
	}
	for name, p := range expectedMap {
		v, ok := out[name]
		if !ok {
			if p.GetRequired() {
				return nil, status.Errorf(codes.InvalidArgument, "expected_inputs %s missing", name)
			}
			out[name] = p.GetDefault()
			continue
		}
		inputType := validators.LiteralTypeForLiteral(v)
		if err := validators.ValidateLiteralType(inputType); err != nil {
			return nil, status.Errorf(codes.InvalidArgument, "Failed to validate literal type for [%s] with err: %s", name, err)
		}
		if !validators.AreTypesCastable(inputType, p.GetVar().GetType()) {
			return nil, status.Errorf(codes.InvalidArgument, "invalid %s input wrong type. Expected %s, but got %s", name,
				p.GetVar().GetType(), inputType)
		}
	}
	for name, v := range fixedInputs.GetLiterals() {
		if _, ok := out[name]; ok {
			return nil, status.Errorf(codes.InvalidArgument, "fixed_inputs %s cannot be overridden", name)
		}
		out[name] = v
	}
	return &core.LiteralMap{Literals: out}, nil
}

// expectedInputs is the launch plan closure's expected inputs (what admin computes at registration), or its spec's
// default inputs for a launch plan stored without them.
func expectedInputs(lp *admin.LaunchPlan) *core.ParameterMap {
	if lp.GetClosure().GetExpectedInputs() != nil {
		return lp.GetClosure().GetExpectedInputs()
	}
	return lp.GetSpec().GetDefaultInputs()
}

// newExecutionName is admin's common.GetExecutionName: "a" and 19 random characters.
func newExecutionName() string {
	return "a" + rand.String(19)
}

// ---------------------------------------------------------------------------------------------------------------
// Execution config (execution_manager.go getExecutionConfig, util.MergeIntoExecConfig).

// execConfigSource is what ExecutionSpec, LaunchPlanSpec and WorkflowExecutionConfig have in common.
type execConfigSource interface {
	GetMaxParallelism() int32
	GetSecurityContext() *core.SecurityContext
	GetRawOutputDataConfig() *admin.RawOutputDataConfig
	GetLabels() *admin.Labels
	GetAnnotations() *admin.Annotations
	GetInterruptible() *wrapperspb.BoolValue
	GetOverwriteCache() bool
	GetEnvs() *admin.Envs
}

// mergeExecConfig fills what dst does not set yet from src (admin's MergeIntoExecConfig).
func mergeExecConfig(dst *admin.WorkflowExecutionConfig, src execConfigSource) {
	if dst.GetMaxParallelism() == 0 && src.GetMaxParallelism() > 0 {
		dst.MaxParallelism = src.GetMaxParallelism()
	}
	if dst.GetSecurityContext() == nil && src.GetSecurityContext() != nil {
		if ra := src.GetSecurityContext().GetRunAs(); ra != nil &&
			(ra.GetK8SServiceAccount() != "" || ra.GetIamRole() != "" || ra.GetExecutionIdentity() != "") {
			dst.SecurityContext = src.GetSecurityContext()
		}
	}
	if dst.GetRawOutputDataConfig().GetOutputLocationPrefix() == "" &&
		src.GetRawOutputDataConfig().GetOutputLocationPrefix() != "" {
		dst.RawOutputDataConfig = src.GetRawOutputDataConfig()
	}
	if len(dst.GetLabels().GetValues()) == 0 && len(src.GetLabels().GetValues()) > 0 {
		dst.Labels = src.GetLabels()
	}
	if len(dst.GetAnnotations().GetValues()) == 0 && len(src.GetAnnotations().GetValues()) > 0 {
		dst.Annotations = src.GetAnnotations()
	}
	if dst.GetInterruptible() == nil && src.GetInterruptible() != nil {
		dst.Interruptible = src.GetInterruptible()
	}
	if !dst.GetOverwriteCache() && src.GetOverwriteCache() {
		dst.OverwriteCache = true
	}
	if len(dst.GetEnvs().GetValues()) == 0 && len(src.GetEnvs().GetValues()) > 0 {
		dst.Envs = src.GetEnvs()
	}
}

// resolveAuthRole is admin's resolveAuthRole (the deprecated auth fields of the request or the launch plan).
func resolveAuthRole(req *admin.ExecutionCreateRequest, lp *admin.LaunchPlan) *admin.AuthRole {
	if req.GetSpec().GetAuthRole() != nil {
		return req.GetSpec().GetAuthRole()
	}
	spec := lp.GetSpec()
	switch {
	case spec == nil:
		return &admin.AuthRole{}
	case spec.GetAuthRole() != nil:
		return spec.GetAuthRole()
	case spec.GetAuth() != nil:
		return &admin.AuthRole{
			AssumableIamRole:         spec.GetAuth().GetAssumableIamRole(),
			KubernetesServiceAccount: spec.GetAuth().GetKubernetesServiceAccount(),
		}
	case spec.GetRole() != "":
		return &admin.AuthRole{AssumableIamRole: spec.GetRole()}
	}
	return &admin.AuthRole{}
}

// executionConfig is admin's getExecutionConfig: request spec, then launch plan spec, then the most specific
// matchable WORKFLOW_EXECUTION_CONFIG (workflow, project-domain or project), then the project's own, then the
// application's defaults (max parallelism 25, the raw output prefix).
func (s *Service) executionConfig(req *admin.ExecutionCreateRequest, lp *admin.LaunchPlan) (*admin.WorkflowExecutionConfig, error) {
	cfg := &admin.WorkflowExecutionConfig{}
	mergeExecConfig(cfg, req.GetSpec())
	workflowName := ""
	if lp.GetSpec() != nil {
		mergeExecConfig(cfg, lp.GetSpec())
		workflowName = lp.GetSpec().GetWorkflowId().GetName()
	}
	for _, scope := range [][2]string{{req.GetDomain(), workflowName}, {"", ""}} {
		m, err := s.matchableAttributes(admin.MatchableResource_WORKFLOW_EXECUTION_CONFIG, req.GetProject(),
			scope[0], scope[1])
		if err != nil {
			return nil, err
		}
		if wec := m.GetAttributes().GetWorkflowExecutionConfig(); wec != nil {
			mergeExecConfig(cfg, wec)
		}
	}
	authRole := resolveAuthRole(req, lp)
	if cfg.GetSecurityContext() == nil &&
		(authRole.GetKubernetesServiceAccount() != "" || authRole.GetAssumableIamRole() != "") {
		cfg.SecurityContext = &core.SecurityContext{RunAs: &core.Identity{
			IamRole:           authRole.GetAssumableIamRole(),
			K8SServiceAccount: authRole.GetKubernetesServiceAccount(),
		}}
	}
	mergeExecConfig(cfg, &admin.WorkflowExecutionConfig{
		MaxParallelism:      execDefaultMaxParallelism,
		RawOutputDataConfig: &admin.RawOutputDataConfig{OutputLocationPrefix: s.cfg.RawOutputPrefix},
	})
	if cfg.GetSecurityContext() == nil {
		cfg.SecurityContext = &core.SecurityContext{}
	}
	if cfg.GetSecurityContext().GetRunAs() == nil {
		cfg.SecurityContext.RunAs = &core.Identity{}
	}
	return cfg, nil
}

// pluginOverrides is admin's addPluginOverrides: the matchable PLUGIN_OVERRIDE attributes of the execution's
// project, domain and workflow.
func (s *Service) pluginOverrides(project, domain, workflow string) ([]*admin.PluginOverride, error) {
	m, err := s.matchableAttributes(admin.MatchableResource_PLUGIN_OVERRIDE, project, domain, workflow)
	if err != nil {
		return nil, err
	}
	return m.GetAttributes().GetPluginOverrides().GetOverrides(), nil
}

// resolveStringMap is admin's resolveStringMap: the preferred values if set, else the defaults.
func resolveStringMap(preferred, defaults map[string]string) map[string]string {
	out := map[string]string{}
	src := preferred
	if src == nil {
		src = defaults
	}
	for k, v := range src {
		out[k] = v
	}
	return out
}

// ---------------------------------------------------------------------------------------------------------------
// Launching.

// launchTarget is what an execution runs: the launch plan (generated for a single task, as admin does) and the
// workflow with its compiled closure.
type launchTarget struct {
	lp       *admin.LaunchPlan
	workflow *admin.Workflow
	// task is set for a single-task execution (spec.launch_plan names a task).
	task *admin.Task
}

// launch runs admin's launchExecutionAndPrepareModel and createExecutionModel: validate, resolve the launch plan and
// workflow, check the inputs, store the execution (phase UNDEFINED), offload the inputs and create the FlyteWorkflow.
// A FlyteWorkflow that cannot be built or created leaves the execution FAILED with the error and still returns its
// id, as admin does.
func (s *Service) launch(ctx context.Context, req *admin.ExecutionCreateRequest, requestedAt time.Time) (
	*core.WorkflowExecutionIdentifier, error) {
	if err := s.validateExecutionRequest(ctx, req); err != nil {
		return nil, err
	}
	var target launchTarget
	var err error
	if req.GetSpec().GetLaunchPlan().GetResourceType() == core.ResourceType_TASK {
		target, err = s.singleTaskTarget(ctx, req)
	} else {
		target.lp, err = s.getLaunchPlan(req.GetSpec().GetLaunchPlan())
	}
	if err != nil {
		return nil, err
	}
	inputs, err := checkAndFetchInputs(req.GetInputs(), target.lp.GetSpec().GetFixedInputs(), expectedInputs(target.lp))
	if err != nil {
		return nil, err
	}
	if target.workflow == nil {
		if target.workflow, err = s.getWorkflow(target.lp.GetSpec().GetWorkflowId()); err != nil {
			return nil, err
		}
	}
	closure := target.workflow.GetClosure().GetCompiledWorkflow()
	if closure == nil {
		return nil, status.Errorf(codes.Internal, "Unable to read WorkflowClosure of %v", target.workflow.GetId())
	}

	name := req.GetName()
	if name == "" {
		name = newExecutionName()
	}
	id := &core.WorkflowExecutionIdentifier{Project: req.GetProject(), Domain: req.GetDomain(), Name: name}
	namespace := s.namespaceName(id.GetProject(), id.GetDomain())

	spec := proto.Clone(req.GetSpec()).(*admin.ExecutionSpec)
	if spec.Metadata == nil {
		spec.Metadata = &admin.ExecutionMetadata{}
	}
	// Admin sets the principal to the authenticated user; the lab has no authentication.
	spec.Metadata.Principal = ""
	if err := s.inheritExecutionMetadata(spec, id); err != nil {
		return nil, err
	}

	var lpForConfig *admin.LaunchPlan
	if target.task == nil {
		lpForConfig = target.lp
	}
	execConfig, err := s.executionConfig(req, lpForConfig)
	if err != nil {
		return nil, err
	}
	overrideWorkflow := target.lp.GetSpec().GetWorkflowId().GetName()
	if target.task != nil {
		// Admin looks single-task overrides up under the execution's name.
		overrideWorkflow = id.GetName()
	}
	overrides, err := s.pluginOverrides(id.GetProject(), id.GetDomain(), overrideWorkflow)
	if err != nil {
		return nil, err
	}
	var labels, annotations map[string]string
	if target.task == nil {
		labels = resolveStringMap(execConfig.GetLabels().GetValues(), target.lp.GetSpec().GetLabels().GetValues())
		annotations = resolveStringMap(execConfig.GetAnnotations().GetValues(),
			target.lp.GetSpec().GetAnnotations().GetValues())
		if len(labels) > maxLabelEntries {
			return nil, status.Errorf(codes.InvalidArgument, "labels has too many entries [%v > %v]", len(labels), maxLabelEntries)
		}
	} else {
		labels = resolveStringMap(execConfig.GetLabels().GetValues(), nil)
		annotations = resolveStringMap(execConfig.GetAnnotations().GetValues(), nil)
	}
	if p, err := s.getProject(id.GetProject()); err == nil {
		for k, v := range p.GetLabels().GetValues() {
			if _, ok := labels[k]; !ok {
				labels[k] = v
			}
		}
	}

	// Notifications: the request's, else the launch plan's unless disabled.
	notifications := target.lp.GetSpec().GetEntityMetadata().GetNotifications()
	if len(spec.GetNotifications().GetNotifications()) > 0 {
		notifications = spec.GetNotifications().GetNotifications()
	} else if spec.GetDisableAll() {
		notifications = []*admin.Notification{}
	}

	if target.task == nil {
		spec.MaxParallelism = execConfig.GetMaxParallelism()
		if err := s.checkLaunchPlanConcurrency(target.lp); err != nil {
			return nil, err
		}
	}
	spec.Inputs = nil
	spec.SecurityContext = execConfig.GetSecurityContext()
	spec.Metadata.SystemMetadata = &admin.SystemMetadata{Namespace: namespace}

	created := timestamppb.New(time.Now())
	exec := &admin.Execution{
		Id:   id,
		Spec: spec,
		Closure: &admin.ExecutionClosure{
			Phase:         core.WorkflowExecution_UNDEFINED,
			CreatedAt:     created,
			UpdatedAt:     created,
			Notifications: notifications,
			WorkflowId:    target.workflow.GetId(),
			StateChangeDetails: &admin.ExecutionStateChangeDetails{
				State:      admin.ExecutionState_EXECUTION_ACTIVE,
				Principal:  spec.GetMetadata().GetPrincipal(),
				OccurredAt: created,
			},
		},
	}
	if err := s.db.Create(BucketExecutions, executionKey(id), exec, nil); err != nil {
		if errors.Is(err, store.ErrExists) {
			return nil, status.Errorf(codes.AlreadyExists,
				"value with matching already exists (duplicate key value violates unique constraint \"executions_pkey\")")
		}
		return nil, execStatusError(err)
	}

	// Offload the inputs (admin's common.OffloadLiteralMap); without them there is no execution.
	if err := s.offloadExecutionInputs(ctx, id, inputs, req.GetInputs()); err != nil {
		_ = s.db.Delete(BucketExecutions, executionKey(id))
		return nil, err
	}

	var recovery *core.WorkflowExecutionIdentifier
	if spec.GetMetadata().GetMode() == admin.ExecutionMetadata_RECOVERED {
		recovery = spec.GetMetadata().GetReferenceExecution()
	}
	execErr := s.createFlyteWorkflow(ctx, flyteWorkflowParams{
		id:          id,
		namespace:   namespace,
		closure:     closure,
		inputs:      inputs,
		acceptedAt:  requestedAt,
		labels:      labels,
		annotations: annotations,
		config:      execConfig,
		recovery:    recovery,
		overrides:   overrides,
	})
	if execErr != nil {
		s.failExecution(id, execErr)
	}
	return id, nil
}

// offloadExecutionInputs writes an execution's inputs and the user's part of them.
func (s *Service) offloadExecutionInputs(ctx context.Context, id *core.WorkflowExecutionIdentifier, inputs,
	userInputs *core.LiteralMap) error {
	if userInputs == nil {
		userInputs = &core.LiteralMap{}
	}
	for _, w := range []struct {
		uri, name string
		m         *core.LiteralMap
	}{{s.executionInputsURI(id), "inputs", inputs}, {s.executionUserInputsURI(id), "user_inputs", userInputs}} {
		if err := s.blob.PutProto(ctx, w.uri, w.m); err != nil {
			return status.Errorf(codes.Internal, "Failed to write protobuf for [%+v] with err: %v",
				[]string{id.GetProject(), id.GetDomain(), id.GetName(), w.name}, err)
		}
	}
	return nil
}

// failExecution records a FlyteWorkflow that could not be created as admin's CreateExecutionModel does when
// Execute fails: phase FAILED with the error (kind USER for InvalidArgument, else SYSTEM).
func (s *Service) failExecution(id *core.WorkflowExecutionIdentifier, cause error) {
	execErr := &core.ExecutionError{Code: "Unknown", Message: cause.Error(), Kind: core.ExecutionError_SYSTEM}
	if st, ok := status.FromError(cause); ok {
		execErr.Code = st.Code().String()
		execErr.Message = st.Message()
		if st.Code() == codes.InvalidArgument {
			execErr.Kind = core.ExecutionError_USER
		}
	}
	e := &admin.Execution{}
	_ = s.db.Update(BucketExecutions, executionKey(id), e, func(found bool) error {
		if !found || e.GetClosure().GetPhase() != core.WorkflowExecution_UNDEFINED {
			return errStopUpdate
		}
		e.Closure.Phase = core.WorkflowExecution_FAILED
		e.Closure.OutputResult = &admin.ExecutionClosure_Error{Error: execErr}
		return nil
	})
}

// errStopUpdate aborts a store.Update without writing.
var errStopUpdate = errors.New("no update")

// inheritExecutionMetadata is admin's getInheritedExecMetadata for executions launched by a node (launch plan nodes):
// the parent node execution must exist; the principal and cluster label come from its execution and the nesting
// grows by one.
func (s *Service) inheritExecutionMetadata(spec *admin.ExecutionSpec, id *core.WorkflowExecutionIdentifier) error {
	parent := spec.GetMetadata().GetParentNodeExecution()
	if parent == nil {
		return nil
	}
	if _, _, err := s.getNodeExecutionRecord(parent); err != nil {
		return err
	}
	source, err := s.getExecution(parent.GetExecutionId())
	if err != nil {
		return err
	}
	spec.Metadata.Principal = source.GetSpec().GetMetadata().GetPrincipal()
	spec.Metadata.Nesting = source.GetSpec().GetMetadata().GetNesting() + 1
	if source.GetSpec().GetExecutionClusterLabel() != nil {
		spec.ExecutionClusterLabel = source.GetSpec().GetExecutionClusterLabel()
	}
	return nil
}

// checkLaunchPlanConcurrency is admin's checkLaunchPlanConcurrency: a launch plan with a concurrency policy may have
// at most max QUEUED or RUNNING executions (any version); with behaviour SKIP the next one is refused.
func (s *Service) checkLaunchPlanConcurrency(lp *admin.LaunchPlan) error {
	policy := lp.GetSpec().GetConcurrencyPolicy()
	if policy == nil {
		return nil
	}
	id := lp.GetId()
	var count int64
	err := store.Scan(s.db, BucketExecutions, store.Key(id.GetProject(), id.GetDomain())+"/",
		func() *admin.Execution { return &admin.Execution{} }, func(_ string, e *admin.Execution) bool {
			ph := e.GetClosure().GetPhase()
			if e.GetSpec().GetLaunchPlan().GetName() == id.GetName() &&
				e.GetSpec().GetLaunchPlan().GetResourceType() == core.ResourceType_LAUNCH_PLAN &&
				(ph == core.WorkflowExecution_QUEUED || ph == core.WorkflowExecution_RUNNING) {
				count++
			}
			return true
		})
	if err != nil {
		return execStatusError(err)
	}
	if count < int64(policy.GetMax()) {
		return nil
	}
	switch policy.GetBehavior() {
	case admin.ConcurrencyLimitBehavior_CONCURRENCY_LIMIT_BEHAVIOR_SKIP:
		return status.Errorf(codes.AlreadyExists, "concurrency limit (%d) reached for launch plan %s; skipping execution",
			policy.GetMax(), id.GetName())
	case admin.ConcurrencyLimitBehavior_CONCURRENCY_LIMIT_BEHAVIOR_UNSPECIFIED:
		return nil
	}
	return status.Errorf(codes.Unknown, "unsupported concurrency-limit behavior: %v", policy.GetBehavior())
}

// singleTaskTarget is admin's launchSingleTaskExecution preparation (util/single_task_execution.go): the task, and
// a skeleton workflow ".flytegen.<task>" with one node running it and a launch plan of the same name, registered on
// first use (through the registry's CreateWorkflow / CreateLaunchPlan) and marked SYSTEM_GENERATED.
func (s *Service) singleTaskTarget(ctx context.Context, req *admin.ExecutionCreateRequest) (launchTarget, error) {
	taskID := req.GetSpec().GetLaunchPlan()
	task, err := s.getTask(taskID)
	if err != nil {
		return launchTarget{}, err
	}
	tmpl := task.GetClosure().GetCompiledTask().GetTemplate()
	genName := ".flytegen." + taskID.GetName()
	wfID := &core.Identifier{ResourceType: core.ResourceType_WORKFLOW, Project: taskID.GetProject(),
		Domain: taskID.GetDomain(), Name: genName, Version: taskID.GetVersion()}
	wf, err := s.getWorkflow(wfID)
	if status.Code(err) == codes.NotFound {
		retries := tmpl.GetMetadata().GetRetries()
		if retries == nil {
			retries = &core.RetryStrategy{Retries: 3}
		}
		nodeID := nodeNameFromTask(taskID.GetName())
		spec := &admin.WorkflowSpec{Template: &core.WorkflowTemplate{
			Id:        wfID,
			Interface: tmpl.GetInterface(),
			Nodes: []*core.Node{{
				Id:       nodeID,
				Metadata: &core.NodeMetadata{Name: nodeID, Retries: retries},
				Inputs:   taskBindings(tmpl.GetInterface().GetInputs(), ""),
				Target: &core.Node_TaskNode{TaskNode: &core.TaskNode{
					Reference: &core.TaskNode_ReferenceId{ReferenceId: taskID},
				}},
			}},
			Outputs: taskBindings(tmpl.GetInterface().GetOutputs(), nodeID),
		}}
		if _, err := s.CreateWorkflow(ctx, &admin.WorkflowCreateRequest{Id: wfID, Spec: spec}); err != nil &&
			status.Code(err) != codes.AlreadyExists {
			return launchTarget{}, err
		}
		_, _ = s.UpdateNamedEntity(ctx, &admin.NamedEntityUpdateRequest{
			ResourceType: core.ResourceType_WORKFLOW,
			Id:           &admin.NamedEntityIdentifier{Project: wfID.GetProject(), Domain: wfID.GetDomain(), Name: genName},
			Metadata:     &admin.NamedEntityMetadata{State: admin.NamedEntityState_SYSTEM_GENERATED},
		})
		wf, err = s.getWorkflow(wfID)
	}
	if err != nil {
		return launchTarget{}, err
	}
	lpID := &core.Identifier{ResourceType: core.ResourceType_LAUNCH_PLAN, Project: taskID.GetProject(),
		Domain: taskID.GetDomain(), Name: genName, Version: taskID.GetVersion()}
	lp, err := s.getLaunchPlan(lpID)
	if status.Code(err) == codes.NotFound {
		// Admin's generated launch plan names the task as its workflow id and links the skeleton workflow by its
		// database id; the lab's launch plans link by id, so this one names the skeleton workflow.
		_, err = s.CreateLaunchPlan(ctx, &admin.LaunchPlanCreateRequest{Id: lpID, Spec: &admin.LaunchPlanSpec{
			WorkflowId:      wfID,
			EntityMetadata:  &admin.LaunchPlanMetadata{},
			DefaultInputs:   &core.ParameterMap{},
			FixedInputs:     &core.LiteralMap{},
			Labels:          &admin.Labels{},
			Annotations:     &admin.Annotations{},
			AuthRole:        req.GetSpec().GetAuthRole(),
			SecurityContext: req.GetSpec().GetSecurityContext(),
		}})
		if err != nil && status.Code(err) != codes.AlreadyExists {
			return launchTarget{}, err
		}
		_, _ = s.UpdateNamedEntity(ctx, &admin.NamedEntityUpdateRequest{
			ResourceType: core.ResourceType_LAUNCH_PLAN,
			Id:           &admin.NamedEntityIdentifier{Project: lpID.GetProject(), Domain: lpID.GetDomain(), Name: genName},
			Metadata:     &admin.NamedEntityMetadata{State: admin.NamedEntityState_SYSTEM_GENERATED},
		})
		lp, err = s.getLaunchPlan(lpID)
	}
	if err != nil {
		return launchTarget{}, err
	}
	return launchTarget{lp: lp, workflow: wf, task: task}, nil
}

// nodeNameFromTask is admin's generateNodeNameFromTask.
func nodeNameFromTask(taskName string) string {
	if len(taskName) >= 63 {
		taskName = taskName[len(taskName)-63:]
	}
	var b strings.Builder
	for _, r := range taskName {
		if r == '-' || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') || ('0' <= r && r <= '9') || r > 127 {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// taskBindings is admin's generateBindings: each variable bound to the same-named output of nodeID.
func taskBindings(vars *core.VariableMap, nodeID string) []*core.Binding {
	out := make([]*core.Binding, 0, len(vars.GetVariables()))
	for name := range vars.GetVariables() {
		out = append(out, &core.Binding{Var: name, Binding: &core.BindingData{
			Value: &core.BindingData_Promise{Promise: &core.OutputReference{NodeId: nodeID, Var: name}},
		}})
	}
	return out
}

// flyteWorkflowParams is what admin's workflow executor gets (workflowengine/interfaces.ExecutionData).
type flyteWorkflowParams struct {
	id          *core.WorkflowExecutionIdentifier
	namespace   string
	closure     *core.CompiledWorkflowClosure
	inputs      *core.LiteralMap
	acceptedAt  time.Time
	labels      map[string]string
	annotations map[string]string
	config      *admin.WorkflowExecutionConfig
	recovery    *core.WorkflowExecutionIdentifier
	overrides   []*admin.PluginOverride
}

// buildFlyteWorkflow is admin's flyteWorkflowBuilder.Build plus PrepareFlyteWorkflow.
func (s *Service) buildFlyteWorkflow(p flyteWorkflowParams) (*v1alpha1.FlyteWorkflow, error) {
	closure := proto.Clone(p.closure).(*core.CompiledWorkflowClosure)
	wf, err := k8s.BuildFlyteWorkflow(closure, p.inputs, p.id, p.namespace)
	if err != nil {
		return nil, err
	}
	wf.ExecutionID = v1alpha1.WorkflowExecutionIdentifier{WorkflowExecutionIdentifier: p.id}
	accepted := metav1.NewTime(p.acceptedAt)
	wf.AcceptedAt = &accepted
	if !containsString(wf.Finalizers, flyteFinalizer) {
		wf.Finalizers = append(wf.Finalizers, flyteFinalizer)
	}
	// addPermissions. Admin also annotates the IAM role under its configured role name key, which the lab leaves unset.
	if sc := p.config.GetSecurityContext(); sc.GetRunAs() != nil {
		proto.Merge(&wf.SecurityContext, sc)
		if sa := sc.GetRunAs().GetK8SServiceAccount(); sa != "" {
			wf.ServiceAccountName = sa
		}
	}
	if wf.Labels == nil {
		wf.Labels = map[string]string{}
	}
	for k, v := range p.labels {
		wf.Labels[k] = v
	}
	if wf.Annotations == nil {
		wf.Annotations = map[string]string{}
	}
	for k, v := range p.annotations {
		wf.Annotations[k] = v
	}
	if wf.WorkflowMeta == nil {
		wf.WorkflowMeta = &v1alpha1.WorkflowMeta{}
	}
	wf.WorkflowMeta.EventVersion = v1alpha1.EventVersion(execEventVersion)

	// addExecutionOverrides (the lab sets no platform task resources).
	ec := v1alpha1.ExecutionConfig{
		TaskPluginImpls:   map[string]v1alpha1.TaskPluginOverride{},
		RecoveryExecution: v1alpha1.WorkflowExecutionIdentifier{WorkflowExecutionIdentifier: p.recovery},
		MaxParallelism:    uint32(max(p.config.GetMaxParallelism(), 0)),
		OverwriteCache:    p.config.GetOverwriteCache(),
	}
	for _, o := range p.overrides {
		ec.TaskPluginImpls[o.GetTaskType()] = v1alpha1.TaskPluginOverride{
			PluginIDs:             o.GetPluginId(),
			MissingPluginBehavior: o.GetMissingPluginBehavior(),
		}
	}
	if p.config.GetInterruptible() != nil {
		v := p.config.GetInterruptible().GetValue()
		ec.Interruptible = &v
	}
	if p.config.GetEnvs() != nil {
		ec.EnvironmentVariables = map[string]string{}
		for _, kv := range p.config.GetEnvs().GetValues() {
			ec.EnvironmentVariables[kv.GetKey()] = kv.GetValue()
		}
	}
	wf.ExecutionConfig = ec
	if p.config.GetRawOutputDataConfig() != nil {
		wf.RawOutputDataConfig = v1alpha1.RawOutputDataConfig{RawOutputDataConfig: p.config.GetRawOutputDataConfig()}
	}
	if s.cfg.ConsoleURL != "" {
		wf.ConsoleURL = s.cfg.ConsoleURL
	}
	return wf, nil
}

func containsString(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// createFlyteWorkflow is admin's K8sWorkflowExecutor.Execute: build the FlyteWorkflow and create it in the
// execution's namespace (made first if missing; admin's cluster resource controller would have made it). An
// existing object of the same name is not an error.
func (s *Service) createFlyteWorkflow(ctx context.Context, p flyteWorkflowParams) error {
	wf, err := s.buildFlyteWorkflow(p)
	if err != nil {
		return err
	}
	if s.flyte == nil {
		return status.Error(codes.Internal, "failed to create workflow in propeller: no Kubernetes client")
	}
	if _, err := s.ensureNamespace(ctx, p.id.GetProject(), p.id.GetDomain()); err != nil {
		return status.Errorf(codes.Internal, "failed to create workflow in propeller %v", err)
	}
	_, err = s.flyte.FlyteworkflowV1alpha1().FlyteWorkflows(p.namespace).Create(ctx, wf, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return status.Errorf(codes.Internal, "failed to create workflow in propeller %v", err)
	}
	return nil
}

// ---------------------------------------------------------------------------------------------------------------
// RPCs.

// CreateExecution starts an execution of a launch plan (or of a single task) as admin's CreateExecution does.
func (s *Service) CreateExecution(ctx context.Context, req *admin.ExecutionCreateRequest) (*admin.ExecutionCreateResponse, error) {
	requestedAt := time.Now()
	req = proto.Clone(req).(*admin.ExecutionCreateRequest)
	// Prior to flyteidl v0.15.0 the inputs were in the spec.
	if len(req.GetInputs().GetLiterals()) == 0 {
		req.Inputs = req.GetSpec().GetInputs()
	}
	id, err := s.launch(ctx, req, requestedAt)
	if err != nil {
		return nil, err
	}
	return &admin.ExecutionCreateResponse{Id: id}, nil
}

// relaunchRequest is the create request for a relaunch or recovery of an execution: its spec with the new mode and
// reference, and the user inputs it was launched with.
func (s *Service) relaunchRequest(ctx context.Context, id *core.WorkflowExecutionIdentifier, name string,
	mode admin.ExecutionMetadata_ExecutionMode) (*admin.ExecutionCreateRequest, error) {
	existing, err := s.getExecution(id)
	if err != nil {
		return nil, err
	}
	spec := existing.GetSpec()
	if spec.Metadata == nil {
		spec.Metadata = &admin.ExecutionMetadata{}
	}
	inputs := &core.LiteralMap{}
	if err := s.blob.GetProto(ctx, s.executionUserInputsURI(existing.GetId()), inputs); err != nil {
		return nil, status.Errorf(codes.Internal, "failed to read the inputs of %v: %v", existing.GetId(), err)
	}
	spec.Metadata.Mode = mode
	spec.Metadata.ReferenceExecution = existing.GetId()
	// The new execution gets its own system metadata and scheduling time.
	spec.Metadata.SystemMetadata = nil
	return &admin.ExecutionCreateRequest{
		Project: id.GetProject(),
		Domain:  id.GetDomain(),
		Name:    name,
		Spec:    spec,
		Inputs:  inputs,
	}, nil
}

// RelaunchExecution starts a new execution with the spec and user inputs of an earlier one (mode RELAUNCH).
func (s *Service) RelaunchExecution(ctx context.Context, req *admin.ExecutionRelaunchRequest) (*admin.ExecutionCreateResponse, error) {
	requestedAt := time.Now()
	create, err := s.relaunchRequest(ctx, req.GetId(), req.GetName(), admin.ExecutionMetadata_RELAUNCH)
	if err != nil {
		return nil, err
	}
	create.Spec.OverwriteCache = req.GetOverwriteCache()
	id, err := s.launch(ctx, create, requestedAt)
	if err != nil {
		return nil, err
	}
	return &admin.ExecutionCreateResponse{Id: id}, nil
}

// RecoverExecution starts a new execution of an earlier one in mode RECOVERED: its FlyteWorkflow names the earlier
// execution as recovery execution (executionConfig.RecoveryExecution), so propeller copies the outputs of every node
// that succeeded there (it asks this service through GetNodeExecution / GetNodeExecutionData / ListTaskExecutions
// on its admin endpoint) and runs the rest.
func (s *Service) RecoverExecution(ctx context.Context, req *admin.ExecutionRecoverRequest) (*admin.ExecutionCreateResponse, error) {
	requestedAt := time.Now()
	create, err := s.relaunchRequest(ctx, req.GetId(), req.GetName(), admin.ExecutionMetadata_RECOVERED)
	if err != nil {
		return nil, err
	}
	if req.GetMetadata() != nil {
		create.Spec.Metadata.ParentNodeExecution = req.GetMetadata().GetParentNodeExecution()
	}
	id, err := s.launch(ctx, create, requestedAt)
	if err != nil {
		return nil, err
	}
	return &admin.ExecutionCreateResponse{Id: id}, nil
}

// GetExecution returns an execution (admin fills in the namespace for executions stored without one).
func (s *Service) GetExecution(ctx context.Context, req *admin.WorkflowExecutionGetRequest) (*admin.Execution, error) {
	if err := validateWorkflowExecutionID(req.GetId()); err != nil {
		return nil, err
	}
	e, err := s.getExecution(req.GetId())
	if err != nil {
		return nil, err
	}
	if e.GetSpec().GetMetadata().GetSystemMetadata().GetNamespace() == "" {
		if e.Spec == nil {
			e.Spec = &admin.ExecutionSpec{}
		}
		if e.Spec.Metadata == nil {
			e.Spec.Metadata = &admin.ExecutionMetadata{}
		}
		if e.Spec.Metadata.SystemMetadata == nil {
			e.Spec.Metadata.SystemMetadata = &admin.SystemMetadata{}
		}
		e.Spec.Metadata.SystemMetadata.Namespace = s.namespaceName(req.GetId().GetProject(), req.GetId().GetDomain())
	}
	return e, nil
}

// UpdateExecution changes an execution's state (ACTIVE / ARCHIVED) and records who and when.
func (s *Service) UpdateExecution(ctx context.Context, req *admin.ExecutionUpdateRequest) (*admin.ExecutionUpdateResponse, error) {
	if err := validateWorkflowExecutionID(req.GetId()); err != nil {
		return nil, err
	}
	now := timestamppb.Now()
	e := &admin.Execution{}
	err := s.db.Update(BucketExecutions, executionKey(req.GetId()), e, func(found bool) error {
		if !found {
			return execMissingEntity(req.GetId())
		}
		if e.Closure == nil {
			e.Closure = &admin.ExecutionClosure{}
		}
		e.Closure.StateChangeDetails = &admin.ExecutionStateChangeDetails{State: req.GetState(), OccurredAt: now}
		return nil
	})
	if err != nil {
		return nil, execStatusError(err)
	}
	return &admin.ExecutionUpdateResponse{}, nil
}

// TerminateExecution aborts an execution as admin does: record the abort (phase ABORTING, abort metadata) and
// delete its FlyteWorkflow; propeller then aborts the running nodes, reports ABORTED and releases the object. When
// the object is already gone nobody will report, so the execution becomes ABORTED here.
func (s *Service) TerminateExecution(ctx context.Context, req *admin.ExecutionTerminateRequest) (*admin.ExecutionTerminateResponse, error) {
	id := req.GetId()
	if err := validateWorkflowExecutionID(id); err != nil {
		return nil, err
	}
	// Admin stores whatever cause it gets, an empty one included: flytectl v0.9.8's `delete execution` sends none.
	e := &admin.Execution{}
	err := s.db.Update(BucketExecutions, executionKey(id), e, func(found bool) error {
		if !found {
			return execMissingEntity(id)
		}
		if isExecutionTerminal(e.GetClosure().GetPhase()) {
			return execAlreadyInTerminalState("Cannot abort an already terminated workflow execution",
				e.GetClosure().GetPhase().String())
		}
		if e.Closure == nil {
			e.Closure = &admin.ExecutionClosure{}
		}
		e.Closure.OutputResult = &admin.ExecutionClosure_AbortMetadata{AbortMetadata: &admin.AbortMetadata{Cause: req.GetCause()}}
		e.Closure.Phase = core.WorkflowExecution_ABORTING
		return nil
	})
	if err != nil {
		return nil, execStatusError(err)
	}
	if s.flyte == nil {
		s.markAborted(id)
		return &admin.ExecutionTerminateResponse{}, nil
	}
	ns := s.namespaceName(id.GetProject(), id.GetDomain())
	background := metav1.DeletePropagationBackground
	err = s.flyte.FlyteworkflowV1alpha1().FlyteWorkflows(ns).Delete(ctx, id.GetName(),
		metav1.DeleteOptions{PropagationPolicy: &background})
	if err != nil && !apierrors.IsNotFound(err) {
		return nil, status.Errorf(codes.Internal, "failed to terminate execution: %v with err %v", id, err)
	}
	if err != nil || s.flyteWorkflowGone(ctx, id) {
		s.markAborted(id)
	}
	return &admin.ExecutionTerminateResponse{}, nil
}

// flyteWorkflowGone reports whether the execution's FlyteWorkflow no longer exists.
func (s *Service) flyteWorkflowGone(ctx context.Context, id *core.WorkflowExecutionIdentifier) bool {
	if s.flyte == nil {
		return true
	}
	_, err := s.flyte.FlyteworkflowV1alpha1().FlyteWorkflows(s.namespaceName(id.GetProject(), id.GetDomain())).
		Get(ctx, id.GetName(), metav1.GetOptions{})
	return apierrors.IsNotFound(err)
}

// markAborted moves an ABORTING execution to ABORTED (what propeller's ABORTED event would do), keeping the abort
// metadata.
func (s *Service) markAborted(id *core.WorkflowExecutionIdentifier) {
	now := time.Now()
	e := &admin.Execution{}
	_ = s.db.Update(BucketExecutions, executionKey(id), e, func(found bool) error {
		if !found || e.GetClosure().GetPhase() != core.WorkflowExecution_ABORTING {
			return errStopUpdate
		}
		e.Closure.Phase = core.WorkflowExecution_ABORTED
		e.Closure.UpdatedAt = timestamppb.New(now)
		if st := e.GetClosure().GetStartedAt(); st != nil {
			e.Closure.Duration = durationpb.New(now.Sub(st.AsTime()))
		}
		return nil
	})
}

// ReconcileExecutions moves ABORTING executions whose FlyteWorkflow is gone to ABORTED. The server should call it
// every few seconds: an execution terminated while propeller was down (or whose object was deleted by hand) has no
// one else to finish it.
func (s *Service) ReconcileExecutions(ctx context.Context) error {
	var aborting []*core.WorkflowExecutionIdentifier
	err := store.Scan(s.db, BucketExecutions, "", func() *admin.Execution { return &admin.Execution{} },
		func(_ string, e *admin.Execution) bool {
			if e.GetClosure().GetPhase() == core.WorkflowExecution_ABORTING {
				aborting = append(aborting, e.GetId())
			}
			return true
		})
	if err != nil {
		return err
	}
	for _, id := range aborting {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if s.flyteWorkflowGone(ctx, id) {
			s.markAborted(id)
		}
	}
	return nil
}

// GetExecutionMetrics (span metrics built from node and task events in admin's metrics_manager) is not
// implemented in the lab.
func (s *Service) GetExecutionMetrics(ctx context.Context, req *admin.WorkflowExecutionGetMetricsRequest) (*admin.WorkflowExecutionGetMetricsResponse, error) {
	return nil, status.Error(codes.Unimplemented,
		"GetExecutionMetrics is not implemented by the Flyte lab's control plane")
}

// ---------------------------------------------------------------------------------------------------------------
// ListExecutions.

func trimErrorMessage(msg string) string {
	if len(msg) <= trimmedErrMessageLen {
		return msg
	}
	return strings.ToValidUTF8(msg[:trimmedErrMessageLen], "")
}

func formatTime(ts *timestamppb.Timestamp) string {
	if ts == nil {
		return ""
	}
	return ts.AsTime().UTC().Format(time.RFC3339Nano)
}

func formatDuration(d *durationpb.Duration) string {
	if d == nil {
		return "0"
	}
	return fmt.Sprint(d.AsDuration().Seconds())
}

// executionFields gives an execution's value for the filter and sort fields admin's executions table (and its
// joins with launch_plans, workflows, tasks and tags) has.
func executionFields(e *admin.Execution) filters.Fields {
	lp := e.GetSpec().GetLaunchPlan()
	return func(field string) (string, bool) {
		c := e.GetClosure()
		switch strings.TrimPrefix(field, "execution.") {
		case "project", "execution_project":
			return e.GetId().GetProject(), true
		case "domain", "execution_domain":
			return e.GetId().GetDomain(), true
		case "name", "execution_name":
			return e.GetId().GetName(), true
		case "phase":
			return c.GetPhase().String(), true
		case "created_at", "execution_created_at":
			return formatTime(c.GetCreatedAt()), true
		case "updated_at", "execution_updated_at":
			return formatTime(c.GetUpdatedAt()), true
		case "started_at":
			return formatTime(c.GetStartedAt()), true
		case "duration":
			return formatDuration(c.GetDuration()), true
		case "mode":
			return fmt.Sprint(int32(e.GetSpec().GetMetadata().GetMode())), true
		case "state":
			return fmt.Sprint(int32(c.GetStateChangeDetails().GetState())), true
		case "user":
			return e.GetSpec().GetMetadata().GetPrincipal(), true
		case "error_kind":
			if c.GetError() == nil {
				return "", true
			}
			return c.GetError().GetKind().String(), true
		case "error_code":
			return c.GetError().GetCode(), true
		case "abort_cause":
			return c.GetAbortMetadata().GetCause(), true
		case "cluster":
			return e.GetSpec().GetMetadata().GetSystemMetadata().GetExecutionCluster(), true
		case "launch_entity":
			return strings.ToLower(lp.GetResourceType().String()), true
		case "inputs_uri", "user_inputs_uri":
			return "", true
		}
		entity, col, ok := strings.Cut(field, ".")
		if !ok {
			return "", false
		}
		var ref *core.Identifier
		switch entity {
		case "launch_plan":
			if lp.GetResourceType() == core.ResourceType_LAUNCH_PLAN {
				ref = lp
			}
		case "task":
			if lp.GetResourceType() == core.ResourceType_TASK {
				ref = lp
			}
		case "workflow":
			ref = c.GetWorkflowId()
		default:
			return "", false
		}
		switch col {
		case "project":
			return ref.GetProject(), true
		case "domain":
			return ref.GetDomain(), true
		case "name":
			return ref.GetName(), true
		case "version":
			return ref.GetVersion(), true
		}
		return "", false
	}
}

// enumFilterValues rewrites enum names in filter values on numeric enum fields (mode, state) to numbers, so that
// eq(mode,SCHEDULED) and eq(mode,1) both work.
func enumFilterValues(fs []filters.Filter) {
	for i := range fs {
		field := strings.TrimPrefix(fs[i].Field, "execution.")
		for j, v := range fs[i].Values {
			switch field {
			case "mode":
				if n, ok := admin.ExecutionMetadata_ExecutionMode_value[v]; ok {
					fs[i].Values[j] = fmt.Sprint(n)
				}
			case "state":
				if n, ok := admin.ExecutionState_value[v]; ok {
					fs[i].Values[j] = fmt.Sprint(n)
				}
			}
		}
	}
}

// parseListFilters parses a filter expression; durations ("1m", "90s" or plain seconds) are turned into seconds.
func parseListFilters(expr string) ([]filters.Filter, error) {
	fs, err := filters.Parse(expr)
	if err != nil {
		return nil, err
	}
	for i := range fs {
		if !strings.HasSuffix(fs[i].Field, "duration") {
			continue
		}
		for j, v := range fs[i].Values {
			if _, err := fmt.Sscanf(v, "%g", new(float64)); err == nil && !strings.ContainsAny(v, "hms") {
				continue
			}
			d, err := time.ParseDuration(v)
			if err != nil {
				return nil, status.Errorf(codes.InvalidArgument, "Failed to parse duration [%s]", v)
			}
			fs[i].Values[j] = fmt.Sprint(d.Seconds())
		}
	}
	return fs, nil
}

// sortKey returns the sort field and direction of a request (default: def, descending when defDesc); an unknown
// key is admin's "invalid sort key".
func sortKey(sort *admin.Sort, fields func(string) (string, bool), def string, defDesc bool) (string, bool, error) {
	if sort == nil {
		return def, defDesc, nil
	}
	if _, ok := fields(sort.GetKey()); !ok || sort.GetKey() == "" {
		return "", false, status.Errorf(codes.InvalidArgument, "invalid sort key '%s'", sort.GetKey())
	}
	return sort.GetKey(), sort.GetDirection() == admin.Sort_DESCENDING, nil
}

// ListExecutions lists the executions of a project and domain (optionally one name), with admin's filters, sort
// keys and offset tokens. Archived executions are left out unless the filters mention state. Default order: newest
// first.
func (s *Service) ListExecutions(ctx context.Context, req *admin.ResourceListRequest) (*admin.ExecutionList, error) {
	if req.GetId() == nil {
		return nil, execMissingArg("id")
	}
	if req.GetId().GetProject() == "" {
		return nil, execMissingArg("project")
	}
	if req.GetId().GetDomain() == "" {
		return nil, execMissingArg("domain")
	}
	if req.GetLimit() == 0 {
		return nil, execInvalidArg("limit")
	}
	fs, err := parseListFilters(req.GetFilters())
	if err != nil {
		return nil, err
	}
	enumFilterValues(fs)
	hasState := false
	for _, f := range fs {
		if strings.TrimPrefix(f.Field, "execution.") == "state" {
			hasState = true
		}
	}
	if !hasState {
		fs = append(fs, filters.Filter{Func: filters.Eq, Field: "state",
			Values: []string{fmt.Sprint(int32(admin.ExecutionState_EXECUTION_ACTIVE))}})
	}
	if req.GetId().GetName() != "" {
		fs = append(fs, filters.Filter{Func: filters.Eq, Field: "name", Values: []string{req.GetId().GetName()}})
	}
	sortField, desc, err := sortKey(req.GetSortBy(), executionFields(&admin.Execution{}), "created_at", true)
	if err != nil {
		return nil, err
	}

	var matched []*admin.Execution
	var matchErr error
	err = store.Scan(s.db, BucketExecutions, store.Key(req.GetId().GetProject(), req.GetId().GetDomain())+"/",
		func() *admin.Execution { return &admin.Execution{} }, func(_ string, e *admin.Execution) bool {
			ok, err := filters.Match(fs, executionFields(e))
			if err != nil {
				matchErr = err
				return false
			}
			if ok {
				matched = append(matched, e)
			}
			return true
		})
	if err != nil {
		return nil, execStatusError(err)
	}
	if matchErr != nil {
		return nil, matchErr
	}
	page, token, err := filters.Page(matched, func(e *admin.Execution) string {
		v, _ := executionFields(e)(sortField)
		return v
	}, desc, req.GetToken(), req.GetLimit())
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "invalid pagination token %s for ListExecutions", req.GetToken())
	}
	for _, e := range page {
		if e.GetSpec() != nil {
			e.Spec.Inputs = nil
		}
		if e.GetClosure() != nil {
			e.Closure.ComputedInputs = nil
			if ee := e.GetClosure().GetError(); ee != nil {
				ee.Message = trimErrorMessage(ee.GetMessage())
			}
		}
	}
	return &admin.ExecutionList{Executions: page, Token: token}, nil
}
