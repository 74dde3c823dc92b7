package checker

// Checks that flyteadmin v1.16.8 and flytectl run outside the compiler. flyteadmin is not served by the Go module
// proxy (and would pull its database stack), so these few rules are mirrored here from
//   flyteadmin/pkg/manager/impl/validation/{validation,task_validator,launch_plan_validator,notifications_validator}.go
//   flytectl/cmd/register/register_util.go (hydrateIdentifier, hydrateNode, validateLPWithSchedule)
// using the compiler's own exported helpers (validators.AreTypesCastable, LiteralTypeForLiteral, ...) where admin does.
// Messages keep admin's wording so a failure reads like the gRPC error a real admin would return.

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
)

const (
	registrationProjectPattern = "{{ registration.project }}"
	registrationDomainPattern  = "{{ registration.domain }}"
	registrationVersionPattern = "{{ registration.version }}"
)

// hydrateIdentifier is flytectl's: empty or placeholder project/domain/version take the registration's values.
func hydrateIdentifier(id *core.Identifier, o Options) {
	if id == nil {
		return
	}
	if id.GetProject() == "" || id.GetProject() == registrationProjectPattern {
		id.Project = o.Project
	}
	if id.GetDomain() == "" || id.GetDomain() == registrationDomainPattern {
		id.Domain = o.Domain
	}
	if id.GetVersion() == "" || id.GetVersion() == registrationVersionPattern {
		id.Version = o.Version
	}
}

// hydrateNode follows flytectl: task/sub-workflow/launch-plan references, recursing into branches and array nodes.
func hydrateNode(n *core.Node, o Options) {
	if n == nil {
		return
	}
	switch {
	case n.GetTaskNode() != nil:
		hydrateIdentifier(n.GetTaskNode().GetReferenceId(), o)
	case n.GetWorkflowNode() != nil:
		hydrateIdentifier(n.GetWorkflowNode().GetSubWorkflowRef(), o)
		hydrateIdentifier(n.GetWorkflowNode().GetLaunchplanRef(), o)
	case n.GetBranchNode() != nil:
		ie := n.GetBranchNode().GetIfElse()
		hydrateNode(ie.GetCase().GetThenNode(), o)
		for _, b := range ie.GetOther() {
			hydrateNode(b.GetThenNode(), o)
		}
		hydrateNode(ie.GetElseNode(), o)
	case n.GetArrayNode() != nil:
		hydrateNode(n.GetArrayNode().GetNode(), o)
	}
}

func hydrateWorkflowSpec(spec *admin.WorkflowSpec, o Options) {
	t := spec.GetTemplate()
	for _, n := range t.GetNodes() {
		hydrateNode(n, o)
	}
	hydrateNode(t.GetFailureNode(), o)
	hydrateIdentifier(t.GetId(), o)
	for _, sw := range spec.GetSubWorkflows() {
		for _, n := range sw.GetNodes() {
			hydrateNode(n, o)
		}
		hydrateNode(sw.GetFailureNode(), o)
		hydrateIdentifier(sw.GetId(), o)
	}
}

// validateIdentifier is admin's ValidateIdentifier: resource type matches and all four fields are set.
func validateIdentifier(id *core.Identifier, want core.ResourceType) string {
	if id == nil {
		return "missing id"
	}
	if id.GetResourceType() != want {
		return fmt.Sprintf("unexpected resource type %s for identifier [%s], expected %s instead",
			strings.ToLower(id.GetResourceType().String()), IDKey(id), strings.ToLower(want.String()))
	}
	for _, f := range []struct{ v, name string }{
		{id.GetProject(), "project"}, {id.GetDomain(), "domain"}, {id.GetName(), "name"}, {id.GetVersion(), "version"},
	} {
		if f.v == "" {
			return "missing " + f.name
		}
	}
	return ""
}

// validateTaskAdmin mirrors admin's ValidateTask/validateTaskTemplate (the platform resource limits and the task
// type whitelist are deployment configuration and are not applied).
func validateTaskAdmin(r *EntityResult, t *core.TaskTemplate) {
	bad := func(format string, args ...any) { r.fail("InvalidArgument", "admin", format, args...) }
	if msg := validateIdentifier(t.GetId(), core.ResourceType_TASK); msg != "" {
		bad("%s", msg)
	}
	if t.GetType() == "" {
		bad("missing type")
	}
	if t.GetMetadata() == nil {
		bad("missing metadata")
	} else if t.GetMetadata().GetRuntime() != nil && t.GetMetadata().GetRuntime().GetVersion() == "" {
		bad("missing runtime version")
	}
	if t.GetInterface() == nil {
		bad("missing typed interface")
	}
	if c := t.GetContainer(); c != nil {
		if c.GetImage() == "" {
			bad("missing image")
		}
		if c.GetResources() != nil {
			validateTaskResources(r, t.GetId(), c.GetResources())
		}
	}
	if t.GetK8SPod() != nil && t.GetK8SPod().GetPodSpec() == nil {
		bad("invalid TaskSpecification, pod tasks should specify their target as a K8sPod with a defined pod spec")
	}
}

func resourceMap(r *EntityResult, id *core.Identifier, entries []*core.Resources_ResourceEntry) map[core.Resources_ResourceName]resource.Quantity {
	out := map[core.Resources_ResourceName]resource.Quantity{}
	for _, e := range entries {
		switch e.GetName() {
		case core.Resources_CPU, core.Resources_MEMORY, core.Resources_GPU, core.Resources_EPHEMERAL_STORAGE:
		default:
			continue
		}
		if _, dup := out[e.GetName()]; dup {
			r.fail("InvalidArgument", "admin", "can't specify %v limit for task [%s] multiple times", e.GetName(), IDKey(id))
			continue
		}
		q, err := resource.ParseQuantity(e.GetValue())
		if err != nil {
			r.fail("InvalidArgument", "admin", "Parsing of %v request failed for value %v - reason  %v", e.GetName(), e.GetValue(), err)
			continue
		}
		if e.GetName() == core.Resources_GPU && q.MilliValue()%1000 != 0 {
			r.fail("InvalidArgument", "admin", "gpu for [%s] must be a whole number, got: %s instead", IDKey(id), e.GetValue())
		}
		out[e.GetName()] = q
	}
	return out
}

func validateTaskResources(r *EntityResult, id *core.Identifier, res *core.Resources) {
	requests := resourceMap(r, id, res.GetRequests())
	limits := resourceMap(r, id, res.GetLimits())
	for name, req := range requests {
		lim, ok := limits[name]
		if !ok {
			continue
		}
		switch name {
		case core.Resources_CPU, core.Resources_MEMORY, core.Resources_EPHEMERAL_STORAGE:
			if lim.Value() < req.Value() {
				r.fail("InvalidArgument", "admin", "Requested %v default [%v] is greater than the limit [%v]. Please fix your configuration", name, req.String(), lim.String())
			}
		case core.Resources_GPU:
			if lim.Value() != req.Value() {
				r.fail("InvalidArgument", "admin", "For extended resource 'gpu' the default value must equal the limit value for task [%s]", IDKey(id))
			}
		}
	}
}

func validateLabels(r *EntityResult, labels *admin.Labels) {
	if len(labels.GetValues()) > 16 {
		r.fail("InvalidArgument", "admin", "labels map cannot exceed 16 entries")
	}
	for k, v := range labels.GetValues() {
		if errs := validation.IsQualifiedName(k); len(errs) > 0 {
			r.fail("InvalidArgument", "admin", "invalid label key [%s]: %v", k, errs)
		}
		if errs := validation.IsValidLabelValue(v); len(errs) > 0 {
			r.fail("InvalidArgument", "admin", "invalid label value [%s]: %v", v, errs)
		}
	}
}

func isTerminalPhase(p core.WorkflowExecution_Phase) bool {
	switch p {
	case core.WorkflowExecution_ABORTED, core.WorkflowExecution_FAILED, core.WorkflowExecution_SUCCEEDED, core.WorkflowExecution_TIMED_OUT:
		return true
	}
	return false
}

func validateNotifications(r *EntityResult, ns []*admin.Notification) {
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
			r.fail("InvalidArgument", "admin", "invalid value for notification type")
			continue
		}
		if len(recipients) == 0 {
			r.fail("InvalidArgument", "admin", "missing recipients")
		}
		for _, x := range recipients {
			if x == "" {
				r.fail("InvalidArgument", "admin", "missing recipient")
			}
		}
		for _, p := range n.GetPhases() {
			if !isTerminalPhase(p) {
				r.fail("InvalidArgument", "admin", "invalid value for phase")
			}
		}
	}
}
