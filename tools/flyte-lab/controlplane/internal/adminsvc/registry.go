package adminsvc

// registry.go: projects and domains, tasks, workflows, launch plans, named entities, matchable attributes,
// description entities and the version, as FlyteAdmin v1.16.8 serves them. Each method names the flyteadmin file
// (flyteadmin/pkg/...) whose behaviour and messages it follows; where the lab departs, a comment says so.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/flyteorg/flyte/flytepropeller/pkg/compiler"
	"github.com/flyteorg/flyte/flytepropeller/pkg/compiler/common"
	"github.com/flyteorg/flyte/flytepropeller/pkg/compiler/validators"
	"github.com/flyteorg/flyte/flytestdlib/pbhash"
	protov1 "github.com/golang/protobuf/proto"
	"github.com/robfig/cron/v3"
	"github.com/wI2L/jsondiff"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8svalidation "k8s.io/apimachinery/pkg/util/validation"

	"github.com/unionml-ts/tools/flyte-lab/controlplane/internal/filters"
	"github.com/unionml-ts/tools/flyte-lab/controlplane/internal/store"
)

// ---------------------------------------------------------------------------------------------------------------
// Lookups other files use.

// seed registers cfg.SeedProjects that are missing, as flyteadmin's seed-projects does
// (repositories/config/seed_data.go: name = id, description "<id> description"), and makes their namespaces.
func (s *Service) seed(ctx context.Context) error {
	for _, id := range s.cfg.SeedProjects {
		p := &admin.Project{Id: id, Name: id, Description: id + " description", State: admin.Project_ACTIVE}
		err := s.db.Create(BucketProjects, store.Key(id), p, nil)
		if err != nil && !errors.Is(err, store.ErrExists) {
			return fmt.Errorf("adminsvc: seed project %s: %w", id, err)
		}
		for _, d := range s.cfg.Domains {
			if _, err := s.ensureNamespace(ctx, id, d); err != nil {
				return fmt.Errorf("adminsvc: seed project %s: %w", id, err)
			}
		}
	}
	return nil
}

// missingEntity is admin's repository NotFound error (repositories/errors.GetMissingEntityError), as its task,
// workflow and launch plan repositories return it.
func missingEntity(kind string, id *core.Identifier) error {
	return status.Errorf(codes.NotFound, "missing entity of type %s with identifier %v", kind, &core.Identifier{
		Project: id.GetProject(), Domain: id.GetDomain(), Name: id.GetName(), Version: id.GetVersion(),
	})
}

// regEntryNotFound is what admin's repositories return for other missing rows (errors/postgres.go, gorm's
// ErrRecordNotFound).
var regEntryNotFound = status.Error(codes.NotFound, "entry not found")

// dbError wraps a database error (one that is not already a status) as Internal.
func dbError(err error) error {
	if _, ok := status.FromError(err); ok {
		return err
	}
	return status.Error(codes.Internal, err.Error())
}

// errMessage is an error's message as admin prints a FlyteAdminError with %v: the status message alone.
func errMessage(err error) string {
	if st, ok := status.FromError(err); ok {
		return st.Message()
	}
	return err.Error()
}

func versionKey(id *core.Identifier) string {
	return store.Key(id.GetProject(), id.GetDomain(), id.GetName(), id.GetVersion())
}

// getTask returns a registered task; NotFound as admin's task repository when absent.
func (s *Service) getTask(id *core.Identifier) (*admin.Task, error) {
	t := &admin.Task{}
	ok, err := s.db.Get(BucketTasks, versionKey(id), t)
	if err != nil {
		return nil, dbError(err)
	}
	if !ok {
		return nil, missingEntity(core.ResourceType_TASK.String(), id)
	}
	return t, nil
}

// getWorkflow returns a registered workflow with its whole closure (the compiled workflow closure that executions
// build the FlyteWorkflow from); NotFound when absent.
func (s *Service) getWorkflow(id *core.Identifier) (*admin.Workflow, error) {
	w := &admin.Workflow{}
	ok, err := s.db.Get(BucketWorkflows, versionKey(id), w)
	if err != nil {
		return nil, dbError(err)
	}
	if !ok {
		return nil, missingEntity(core.ResourceType_WORKFLOW.String(), id)
	}
	return w, nil
}

// getLaunchPlan returns a registered launch plan; NotFound when absent.
func (s *Service) getLaunchPlan(id *core.Identifier) (*admin.LaunchPlan, error) {
	lp := &admin.LaunchPlan{}
	ok, err := s.db.Get(BucketLaunchPlans, versionKey(id), lp)
	if err != nil {
		return nil, dbError(err)
	}
	if !ok {
		return nil, missingEntity(core.ResourceType_LAUNCH_PLAN.String(), id)
	}
	return lp, nil
}

// getProject returns a project with the configured domains; NotFound "project [id] not found" as admin's project
// repository.
func (s *Service) getProject(id string) (*admin.Project, error) {
	p := &admin.Project{}
	ok, err := s.db.Get(BucketProjects, store.Key(id), p)
	if err != nil {
		return nil, dbError(err)
	}
	if !ok {
		return nil, status.Errorf(codes.NotFound, "project [%s] not found", id)
	}
	p.Domains = s.domains()
	return p, nil
}

func (s *Service) domains() []*admin.Domain {
	out := make([]*admin.Domain, 0, len(s.cfg.Domains))
	for _, d := range s.cfg.Domains {
		out = append(out, &admin.Domain{Id: d, Name: d})
	}
	return out
}

// namespaceName is admin's common.GetNamespaceName.
func (s *Service) namespaceName(project, domain string) string {
	ns := strings.ReplaceAll(s.cfg.NamespaceTemplate, "{{ project }}", project)
	return strings.ReplaceAll(ns, "{{ domain }}", domain)
}

// ensureNamespace creates the Kubernetes namespace of project/domain if it is missing and returns its name. In a
// FlyteAdmin deployment the cluster resource controller (flyteadmin/pkg/clusterresource) creates these namespaces
// (and whatever else its templates hold) for every project and domain, a while after registration; the lab has no
// such controller, so registration and seeding create the namespace here, at once.
func (s *Service) ensureNamespace(ctx context.Context, project, domain string) (string, error) {
	name := s.namespaceName(project, domain)
	if s.kube == nil {
		return name, nil
	}
	_, err := s.kube.CoreV1().Namespaces().Get(ctx, name, metav1.GetOptions{})
	if err == nil {
		return name, nil
	}
	if !apierrors.IsNotFound(err) {
		return "", status.Errorf(codes.Internal, "failed to get namespace %s: %v", name, err)
	}
	_, err = s.kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}},
		metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return "", status.Errorf(codes.Internal, "failed to create namespace %s: %v", name, err)
	}
	return name, nil
}

// activeLaunchPlans returns every ACTIVE launch plan of every project and domain (the scheduler's view).
func (s *Service) activeLaunchPlans() ([]*admin.LaunchPlan, error) {
	var out []*admin.LaunchPlan
	err := store.Scan(s.db, BucketLaunchPlans, "", regNewLaunchPlan, func(_ string, lp *admin.LaunchPlan) bool {
		if lp.GetClosure().GetState() == admin.LaunchPlanState_ACTIVE {
			out = append(out, lp)
		}
		return true
	})
	if err != nil {
		return nil, dbError(err)
	}
	return out, nil
}

// matchableAttributes returns the most specific matchable attributes of one type for project/domain/workflow, as
// admin's resource repository Get does (priority: workflow 100 > project-domain 10 > project 5); nil when none is
// set. workflow may be "" (then only project-domain and project settings count).
func (s *Service) matchableAttributes(resourceType admin.MatchableResource, project, domain, workflow string) (
	*admin.MatchableAttributesConfiguration, error) {
	candidates := []string{}
	if workflow != "" {
		candidates = append(candidates, attributesKey(resourceType, project, domain, workflow))
	}
	candidates = append(candidates, attributesKey(resourceType, project, domain, ""),
		attributesKey(resourceType, project, "", ""))
	for _, k := range candidates {
		c := &admin.MatchableAttributesConfiguration{}
		ok, err := s.db.Get(BucketAttributes, k, c)
		if err != nil {
			return nil, dbError(err)
		}
		if ok {
			return c, nil
		}
	}
	return nil, nil
}

// ---------------------------------------------------------------------------------------------------------------
// Validation (flyteadmin/pkg/manager/impl/validation/validation.go, project_validator.go, shared/errors.go).

func regMissingArg(field string) error {
	return status.Errorf(codes.InvalidArgument, "missing %s", field)
}
func regInvalidArg(field string) error {
	return status.Errorf(codes.InvalidArgument, "invalid value for %s", field)
}

func regIdentifierFieldsSet(id *core.Identifier) error {
	switch {
	case id == nil:
		return regMissingArg("id")
	case id.GetProject() == "":
		return regMissingArg("project")
	case id.GetDomain() == "":
		return regMissingArg("domain")
	case id.GetName() == "":
		return regMissingArg("name")
	case id.GetVersion() == "":
		return regMissingArg("version")
	}
	return nil
}

// regIdentifier is admin's ValidateIdentifier: the resource type must be the expected one.
func regIdentifier(id *core.Identifier, want core.ResourceType) error {
	if id == nil {
		return regMissingArg("id")
	}
	if id.GetResourceType() != want {
		return status.Errorf(codes.InvalidArgument, "unexpected resource type %s for identifier [%+v], expected %s instead",
			strings.ToLower(id.GetResourceType().String()), id, strings.ToLower(want.String()))
	}
	return regIdentifierFieldsSet(id)
}

func regNamedEntityIdentifier(id *admin.NamedEntityIdentifier) error {
	switch {
	case id == nil:
		return regMissingArg("id")
	case id.GetProject() == "":
		return regMissingArg("project")
	case id.GetDomain() == "":
		return regMissingArg("domain")
	case id.GetName() == "":
		return regMissingArg("name")
	}
	return nil
}

func regResourceType(rt core.ResourceType) error {
	if rt == core.ResourceType_UNSPECIFIED || rt.String() == "" {
		return regInvalidArg("resource_type")
	}
	return nil
}

func regLimit(limit uint32) error {
	if limit == 0 {
		return regInvalidArg("limit")
	}
	return nil
}

// checkProjectAndDomain is admin's ValidateProjectAndDomain: the project must be registered and ACTIVE, the
// domain one of the configured ones.
func (s *Service) checkProjectAndDomain(project, domain string) error {
	p, err := s.getProject(project)
	if err != nil {
		return status.Errorf(codes.InvalidArgument,
			"failed to validate that project [%s] and domain [%s] are registered, err: [%+v]", project, domain, errMessage(err))
	}
	if p.GetState() != admin.Project_ACTIVE {
		return regInactiveProject(project)
	}
	for _, d := range s.cfg.Domains {
		if d == domain {
			return nil
		}
	}
	return status.Errorf(codes.InvalidArgument, "domain [%s] is unrecognized by system", domain)
}

// regInactiveProject is admin's NewInactiveProjectError (with its admin.InactiveProject detail).
func regInactiveProject(id string) error {
	st := status.Newf(codes.InvalidArgument, "project [%s] is not active", id)
	if d, err := st.WithDetails(&admin.InactiveProject{Id: id}); err == nil {
		st = d
	}
	return st.Err()
}

// checkProjectForUpdate is admin's ValidateProjectForUpdate (project attributes).
func (s *Service) checkProjectForUpdate(project string) error {
	p, err := s.getProject(project)
	if err != nil {
		return status.Errorf(codes.InvalidArgument, "failed to validate that project [%s] is registered, err: [%+v]",
			project, errMessage(err))
	}
	if p.GetState() != admin.Project_ACTIVE {
		return status.Errorf(codes.InvalidArgument, "project [%s] is not active", project)
	}
	return nil
}

const regMaxLabels = 16

func regLabels(labels *admin.Labels) error {
	if len(labels.GetValues()) == 0 {
		return nil
	}
	if len(labels.GetValues()) > regMaxLabels {
		return status.Errorf(codes.InvalidArgument, "labels map cannot exceed %d entries", regMaxLabels)
	}
	for _, key := range regSortedKeys(labels.GetValues()) {
		value := labels.GetValues()[key]
		if errs := k8svalidation.IsQualifiedName(key); len(errs) > 0 {
			return status.Errorf(codes.InvalidArgument, "invalid label key [%s]: %v", key, errs)
		}
		if errs := k8svalidation.IsValidLabelValue(value); len(errs) > 0 {
			return status.Errorf(codes.InvalidArgument, "invalid label value [%s]: %v", value, errs)
		}
	}
	return nil
}

func regSortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// ---------------------------------------------------------------------------------------------------------------
// Lists: admin's filter expressions (manager/impl/util/filters.go, common/filters.go), sort keys
// (common/sorting.go) and the columns of its tables (repositories/models), over records read from the store.

// Admin's entities (common/entity.go).
const (
	regEntExecution           = "e"
	regEntLaunchPlan          = "l"
	regEntNodeExecution       = "ne"
	regEntTask                = "t"
	regEntTaskExecution       = "te"
	regEntWorkflow            = "w"
	regEntNamedEntity         = "nen"
	regEntNamedEntityMetadata = "nem"
	regEntProject             = "p"
	regEntSignal              = "s"
	regEntAdminTag            = "at"
	regEntExecutionAdminTag   = "eat"
	regEntExecutionTag        = "et"
	regEntNodeExecutionEvent  = "nee"
)

// regFilterEntityPrefix maps the "<prefix>." of a filter field to its entity (util/filters.go).
var regFilterEntityPrefix = map[string]string{
	"task":                  regEntTask,
	"workflow":              regEntWorkflow,
	"launch_plan":           regEntLaunchPlan,
	"execution":             regEntExecution,
	"node_execution":        regEntNodeExecution,
	"task_execution":        regEntTaskExecution,
	"entities":              regEntNamedEntity,
	"named_entity_metadata": regEntNamedEntityMetadata,
	"project":               regEntProject,
	"signal":                regEntSignal,
	"admin_tag":             regEntAdminTag,
	"execution_admin_tag":   regEntExecutionAdminTag,
	"execution_tag":         regEntExecutionTag,
}

// regAllowedJoins: the entities a list of each primary entity may filter on (util/filters.go allowedJoinEntities, for
// the entities this file lists).
var regAllowedJoins = map[string][]string{
	regEntLaunchPlan:          {regEntLaunchPlan, regEntWorkflow},
	regEntTask:                {regEntTask},
	regEntWorkflow:            {regEntWorkflow},
	regEntNamedEntity:         {regEntNamedEntity, regEntNamedEntityMetadata},
	regEntNamedEntityMetadata: {regEntNamedEntityMetadata},
	regEntProject:             {regEntProject},
}

func regColumnSet(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

var regBaseColumns = []string{"id", "created_at", "updated_at", "deleted_at"}

// regEntityColumns are the column names of admin's tables (gorm's names of repositories/models' fields).
var regEntityColumns = map[string]map[string]bool{
	regEntTask: regColumnSet(append(regBaseColumns, "project", "domain", "name", "version", "closure", "digest", "type",
		"short_description")...),
	regEntWorkflow: regColumnSet(append(regBaseColumns, "project", "domain", "name", "version", "typed_interface",
		"remote_closure_identifier", "digest", "short_description")...),
	regEntLaunchPlan: regColumnSet(append(regBaseColumns, "project", "domain", "name", "version", "spec", "workflow_id",
		"closure", "state", "digest", "schedule_type", "launch_condition_type")...),
	regEntNamedEntity: regColumnSet("resource_type", "project", "domain", "name", "description", "state"),
	regEntNamedEntityMetadata: regColumnSet(append(regBaseColumns, "resource_type", "project", "domain", "name",
		"description", "state")...),
	regEntProject: regColumnSet(append(regBaseColumns, "identifier", "name", "description", "labels", "state")...),
}

// regDescriptionEntityColumns: models.DescriptionEntityColumns (sort keys of ListDescriptionEntities).
var regDescriptionEntityColumns = regColumnSet(append(regBaseColumns, "resource_type", "project", "domain", "name",
	"version", "short_description", "long_description", "link")...)

// regCondition is one parsed filter: Func(entity.field, values).
type regCondition struct {
	fn     string
	entity string
	field  string
	values []string
}

// admin's filter regexp (util/filters.go); functions (common/filters.go).
var regFilterRegex = regexp.MustCompile(`(.+)\((.+),\s?(.+)\)`)

var regFilterFuncs = map[string]bool{
	"contains": true, "not_like": true, "gt": true, "gte": true, "lt": true, "lte": true, "eq": true, "ne": true,
	"value_in": true, "value_not_in": true,
}

// regParseFilters reads a filter expression as admin's ParseFilters does, with its checks and messages: the entity a
// field names must be one the primary entity may join, and the field one of that entity's columns.
func regParseFilters(expr, primary string) ([]regCondition, error) {
	if expr == "" {
		return nil, nil
	}
	var out []regCondition
	for _, part := range strings.Split(expr, "+") {
		m := regFilterRegex.FindStringSubmatch(part)
		if len(m) != 4 {
			return nil, regInvalidArg("filters")
		}
		entity, field := primary, m[2]
		for prefix, e := range regFilterEntityPrefix {
			if strings.HasPrefix(field, prefix+".") {
				entity, field = e, field[len(prefix)+1:]
				break
			}
		}
		if primary == regEntNamedEntity && entity == regEntNamedEntity && (field == "description" || field == "state") {
			entity = regEntNamedEntityMetadata // common/filters.go customizeEntity
		}
		allowed := false
		for _, e := range regAllowedJoins[primary] {
			allowed = allowed || e == entity
		}
		if !allowed {
			return nil, status.Errorf(codes.InvalidArgument, "'%s' entity is not allowed in filters", entity)
		}
		if !regEntityColumns[entity][field] {
			return nil, status.Errorf(codes.InvalidArgument, "'%s.%s' is invalid filter", entity, field)
		}
		fn := m[1]
		if !regFilterFuncs[fn] {
			return nil, status.Errorf(codes.InvalidArgument, "unrecognized filter function: %s", fn)
		}
		c := regCondition{fn: fn, entity: entity, field: field, values: []string{m[3]}}
		if fn == "value_in" || fn == "value_not_in" {
			c.values = strings.Split(m[3], ";")
		}
		out = append(out, c)
	}
	return out, nil
}

// regLike turns an SQL LIKE pattern (% and _) into a regexp.
func regLike(pattern string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("(?s)^")
	for _, r := range pattern {
		switch r {
		case '%':
			b.WriteString(".*")
		case '_':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

// matches evaluates one condition against a value, as the SQL admin builds would (comparisons with
// filters.Compare: numbers as numbers, RFC 3339 times as times, else strings).
func (c regCondition) matches(v string) bool {
	switch c.fn {
	case "eq":
		return filters.Compare(v, c.values[0]) == 0
	case "ne":
		return filters.Compare(v, c.values[0]) != 0
	case "gt":
		return filters.Compare(v, c.values[0]) > 0
	case "gte":
		return filters.Compare(v, c.values[0]) >= 0
	case "lt":
		return filters.Compare(v, c.values[0]) < 0
	case "lte":
		return filters.Compare(v, c.values[0]) <= 0
	case "contains":
		return regLike("%" + c.values[0] + "%").MatchString(v)
	case "not_like":
		return !regLike(c.values[0]).MatchString(v)
	case "value_in", "value_not_in":
		in := false
		for _, x := range c.values {
			in = in || filters.Compare(v, x) == 0
		}
		return in == (c.fn == "value_in")
	}
	return false
}

// regFieldFunc returns a record's value of entity.field.
type regFieldFunc[T any] func(rec T, entity, field string) string

func regFilter[T any](recs []T, conds []regCondition, get regFieldFunc[T]) []T {
	if len(conds) == 0 {
		return recs
	}
	out := recs[:0:0]
	for _, r := range recs {
		ok := true
		for _, c := range conds {
			if !c.matches(get(r, c.entity, c.field)) {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, r)
		}
	}
	return out
}

// regSort is admin's NewSortParameter: nil sort gives def; an unknown key or direction is InvalidArgument.
type regSort struct {
	key  string
	desc bool
}

func newRegSort(sortBy *admin.Sort, allowed map[string]bool, def *regSort) (*regSort, error) {
	if sortBy == nil {
		return def, nil
	}
	if !allowed[sortBy.GetKey()] {
		return nil, status.Errorf(codes.InvalidArgument, "invalid sort key '%s'", sortBy.GetKey())
	}
	switch sortBy.GetDirection() {
	case admin.Sort_DESCENDING:
		return &regSort{key: sortBy.GetKey(), desc: true}, nil
	case admin.Sort_ASCENDING:
		return &regSort{key: sortBy.GetKey()}, nil
	}
	return nil, status.Errorf(codes.InvalidArgument, "invalid sort order specified: %v", sortBy)
}

// regPage sorts (when sp is set), then cuts the page at token/limit with filters.Page. An unreadable token is admin's
// "invalid pagination token T for METHOD".
func regPage[T any](recs []T, sp *regSort, get regFieldFunc[T], primary, token string, limit uint32, method string) (
	[]T, string, error) {
	if _, err := filters.Offset(token); err != nil {
		if method == "" {
			return nil, "", status.Errorf(codes.InvalidArgument, "invalid pagination token %s", token)
		}
		return nil, "", status.Errorf(codes.InvalidArgument, "invalid pagination token %s for %s", token, method)
	}
	var key func(T) string
	desc := false
	if sp != nil {
		key = func(r T) string { return get(r, primary, sp.key) }
		desc = sp.desc
	}
	return filters.Page(recs, key, desc, token, limit)
}

func regTime(t *timestamppb.Timestamp) string {
	if t == nil {
		return ""
	}
	return t.AsTime().UTC().Format(time.RFC3339Nano)
}

var regCreatedAtDesc = &regSort{key: "created_at", desc: true}

func regNewTask() *admin.Task               { return &admin.Task{} }
func regNewWorkflow() *admin.Workflow       { return &admin.Workflow{} }
func regNewLaunchPlan() *admin.LaunchPlan   { return &admin.LaunchPlan{} }
func regNewProject() *admin.Project         { return &admin.Project{} }
func regNewNamedEntity() *admin.NamedEntity { return &admin.NamedEntity{} }
func regNewAttributes() *admin.MatchableAttributesConfiguration {
	return &admin.MatchableAttributesConfiguration{}
}
func regNewDescriptionEntity() *admin.DescriptionEntity { return &admin.DescriptionEntity{} }

// regScanPrefix is the store prefix of project/domain[/name] records.
func regScanPrefix(project, domain, name string) string {
	if name != "" {
		return store.Key(project, domain, name, "")
	}
	return store.Key(project, domain, "")
}

// regIdentityField gives the identifier columns every versioned entity has.
func regIdentityField(id *core.Identifier, field string) (string, bool) {
	switch field {
	case "project":
		return id.GetProject(), true
	case "domain":
		return id.GetDomain(), true
	case "name":
		return id.GetName(), true
	case "version":
		return id.GetVersion(), true
	}
	return "", false
}

// The lab has no numeric row ids: "id" (admin's auto-increment, i.e. insertion order) reads as created_at.

func regTaskField(t *admin.Task, _ string, field string) string {
	if v, ok := regIdentityField(t.GetId(), field); ok {
		return v
	}
	switch field {
	case "created_at", "updated_at", "id":
		return regTime(t.GetClosure().GetCreatedAt())
	case "type":
		return t.GetClosure().GetCompiledTask().GetTemplate().GetType()
	case "short_description":
		return t.GetShortDescription()
	}
	return ""
}

func regWorkflowField(w *admin.Workflow, _ string, field string) string {
	if v, ok := regIdentityField(w.GetId(), field); ok {
		return v
	}
	switch field {
	case "created_at", "updated_at", "id":
		return regTime(w.GetClosure().GetCreatedAt())
	case "short_description":
		return w.GetShortDescription()
	}
	return ""
}

func lpScheduleType(spec *admin.LaunchPlanSpec) (lpScheduleType, conditionType string) {
	sch := spec.GetEntityMetadata().GetSchedule()
	switch {
	case sch == nil:
		return "NONE", ""
	case sch.GetCronExpression() != "" || sch.GetCronSchedule() != nil:
		return "CRON", "SCHED"
	case sch.GetRate() != nil:
		return "RATE", "SCHED"
	}
	return "NONE", ""
}

// launchPlanFields reads launch plan columns and, for entity "w", the columns of its workflow (admin joins the
// workflows table into launch plan lists).
func (s *Service) launchPlanFields() regFieldFunc[*admin.LaunchPlan] {
	wfCache := map[string]*admin.Workflow{}
	return func(lp *admin.LaunchPlan, entity, field string) string {
		if entity == regEntWorkflow {
			wid := lp.GetSpec().GetWorkflowId()
			if v, ok := regIdentityField(wid, field); ok {
				return v
			}
			k := versionKey(wid)
			w, ok := wfCache[k]
			if !ok {
				w, _ = s.getWorkflow(wid)
				wfCache[k] = w
			}
			return regWorkflowField(w, regEntWorkflow, field)
		}
		if v, ok := regIdentityField(lp.GetId(), field); ok {
			return v
		}
		switch field {
		case "created_at", "id":
			return regTime(lp.GetClosure().GetCreatedAt())
		case "updated_at":
			return regTime(lp.GetClosure().GetUpdatedAt())
		case "state":
			return strconv.Itoa(int(lp.GetClosure().GetState()))
		case "schedule_type":
			st, _ := lpScheduleType(lp.GetSpec())
			return st
		case "launch_condition_type":
			_, ct := lpScheduleType(lp.GetSpec())
			return ct
		}
		return ""
	}
}

func regNamedEntityField(ne *admin.NamedEntity, _ string, field string) string {
	switch field {
	case "resource_type":
		return strconv.Itoa(int(ne.GetResourceType()))
	case "project":
		return ne.GetId().GetProject()
	case "domain":
		return ne.GetId().GetDomain()
	case "name":
		return ne.GetId().GetName()
	case "description":
		return ne.GetMetadata().GetDescription()
	case "state":
		return strconv.Itoa(int(ne.GetMetadata().GetState()))
	}
	return ""
}

func regProjectField(p *admin.Project, _ string, field string) string {
	switch field {
	case "identifier":
		return p.GetId()
	case "name":
		return p.GetName()
	case "description":
		return p.GetDescription()
	case "state":
		return strconv.Itoa(int(p.GetState()))
	}
	return "" // the lab keeps no created_at/updated_at for projects
}

func regDescriptionEntityField(d *admin.DescriptionEntity, _ string, field string) string {
	if v, ok := regIdentityField(d.GetId(), field); ok {
		return v
	}
	switch field {
	case "resource_type":
		return strconv.Itoa(int(d.GetId().GetResourceType()))
	case "short_description":
		return d.GetShortDescription()
	case "link":
		return d.GetSourceCode().GetLink()
	}
	return ""
}

// regIdentifierFilters are the conditions admin adds for ids (util/filters.go getIdentifierFilters).
func regIdentifierFilters(entity, project, domain, name string) []regCondition {
	var out []regCondition
	for _, f := range [][2]string{{"project", project}, {"domain", domain}, {"name", name}} {
		if f[1] != "" {
			out = append(out, regCondition{fn: "eq", entity: entity, field: f[0], values: []string{f[1]}})
		}
	}
	return out
}

// regUniqueNames reduces records to one per project/domain/name (admin's GROUP BY project, domain, name for the
// List*Ids calls), keeping the newest record of each name, sorted by sp (name ascending when nil).
func regUniqueNames[T any](recs []T, id func(T) *core.Identifier, created func(T) string) []T {
	byName := map[string]T{}
	var order []string
	for _, r := range recs {
		k := store.Key(id(r).GetProject(), id(r).GetDomain(), id(r).GetName())
		old, ok := byName[k]
		if !ok {
			order = append(order, k)
			byName[k] = r
		} else if filters.Compare(created(r), created(old)) > 0 {
			byName[k] = r
		}
	}
	out := make([]T, 0, len(order))
	for _, k := range order {
		out = append(out, byName[k])
	}
	return out
}

// ---------------------------------------------------------------------------------------------------------------
// Projects and domains (manager/impl/project_manager.go, validation/project_validator.go,
// repositories/gormimpl/project_repo.go).

const (
	maxProjectNameLength        = 64
	maxProjectDescriptionLength = 300
)

// regProject is admin's ValidateProject.
func regProject(p *admin.Project) error {
	if p.GetId() == "" {
		return regMissingArg("project_id")
	}
	if err := regLabels(p.GetLabels()); err != nil {
		return err
	}
	if errs := k8svalidation.IsDNS1123Label(p.GetId()); len(errs) > 0 {
		return status.Errorf(codes.InvalidArgument, "invalid project id [%s]: %v", p.GetId(), errs)
	}
	if len(p.GetName()) > maxProjectNameLength {
		return status.Errorf(codes.InvalidArgument, "project_name cannot exceed %d characters", maxProjectNameLength)
	}
	if len(p.GetDescription()) > maxProjectDescriptionLength {
		return status.Errorf(codes.InvalidArgument, "project_description cannot exceed %d characters",
			maxProjectDescriptionLength)
	}
	if p.GetDomains() != nil {
		return status.Error(codes.InvalidArgument,
			"Domains are currently only set system wide. Please retry without domains included in your request.")
	}
	return nil
}

// RegisterProject registers a project (admin: ValidateProjectRegisterRequest, then an insert whose unique key
// violation is ALREADY_EXISTS). The lab also creates the project's namespaces (see ensureNamespace).
func (s *Service) RegisterProject(ctx context.Context, req *admin.ProjectRegisterRequest) (
	*admin.ProjectRegisterResponse, error) {
	p := req.GetProject()
	if p == nil {
		return nil, regMissingArg("project")
	}
	if p.GetName() == "" {
		return nil, regMissingArg("project_name")
	}
	if err := regProject(p); err != nil {
		return nil, err
	}
	if _, err := s.getProject(p.GetId()); err == nil {
		return nil, regProjectExists()
	}
	for _, d := range s.cfg.Domains {
		if _, err := s.ensureNamespace(ctx, p.GetId(), d); err != nil {
			return nil, err
		}
	}
	rec := &admin.Project{Id: p.GetId(), Name: p.GetName(), Description: p.GetDescription(), Labels: p.GetLabels(),
		State: p.GetState(), Org: p.GetOrg()}
	if err := s.db.Create(BucketProjects, store.Key(p.GetId()), rec, nil); err != nil {
		if errors.Is(err, store.ErrExists) {
			return nil, regProjectExists()
		}
		return nil, dbError(err)
	}
	return &admin.ProjectRegisterResponse{}, nil
}

// regProjectExists is what admin's Postgres error transformer makes of the projects table's unique key violation.
func regProjectExists() error {
	return status.Error(codes.AlreadyExists,
		`value with matching already exists (duplicate key value violates unique constraint "projects_pkey")`)
}

// UpdateProject updates name, description, labels and state (admin: the project must exist, ValidateProject, then
// gorm's Updates, which skips empty name/description and nil labels).
func (s *Service) UpdateProject(_ context.Context, req *admin.Project) (*admin.ProjectUpdateResponse, error) {
	if _, err := s.getProject(req.GetId()); err != nil {
		return nil, err
	}
	if err := regProject(req); err != nil {
		return nil, err
	}
	p := &admin.Project{}
	err := s.db.Update(BucketProjects, store.Key(req.GetId()), p, func(found bool) error {
		if !found {
			return status.Errorf(codes.NotFound, "project [%s] not found", req.GetId())
		}
		if req.GetName() != "" {
			p.Name = req.GetName()
		}
		if req.GetDescription() != "" {
			p.Description = req.GetDescription()
		}
		if req.GetLabels() != nil {
			p.Labels = req.GetLabels()
		}
		p.State = req.GetState()
		return nil
	})
	if err != nil {
		return nil, dbError(err)
	}
	return &admin.ProjectUpdateResponse{}, nil
}

// GetProject returns one project with the configured domains.
func (s *Service) GetProject(_ context.Context, req *admin.ProjectGetRequest) (*admin.Project, error) {
	if req.GetId() == "" {
		return nil, regMissingArg("project_id")
	}
	return s.getProject(req.GetId())
}

// ListProjects lists projects: without filters, archived ones are left out; default order identifier ascending;
// a limit of 0 means no limit (admin's project repository).
func (s *Service) ListProjects(_ context.Context, req *admin.ProjectListRequest) (*admin.Projects, error) {
	conds, err := regParseFilters(req.GetFilters(), regEntProject)
	if err != nil {
		return nil, err
	}
	sp, err := newRegSort(req.GetSortBy(), regEntityColumns[regEntProject], &regSort{key: "identifier"})
	if err != nil {
		return nil, err
	}
	recs, err := store.List(s.db, BucketProjects, "", regNewProject)
	if err != nil {
		return nil, dbError(err)
	}
	if len(conds) == 0 {
		conds = []regCondition{{fn: "ne", entity: regEntProject, field: "state",
			values: []string{strconv.Itoa(int(admin.Project_ARCHIVED))}}}
	}
	recs = regFilter(recs, conds, regProjectField)
	limit := req.GetLimit()
	if limit == 0 {
		limit = uint32(len(recs)) + 1
	}
	out, token, err := regPage(recs, sp, regProjectField, regEntProject, req.GetToken(), limit, "ListProjects")
	if err != nil {
		return nil, err
	}
	for _, p := range out {
		p.Domains = s.domains()
	}
	return &admin.Projects{Projects: out, Token: token}, nil
}

// GetDomains returns the configured domains (id and name the same, as the sandbox's config has them).
func (s *Service) GetDomains(context.Context, *admin.GetDomainRequest) (*admin.GetDomainsResponse, error) {
	return &admin.GetDomainsResponse{Domains: s.domains()}, nil
}

// ---------------------------------------------------------------------------------------------------------------
// Tasks (manager/impl/task_manager.go, validation/task_validator.go, workflowengine/impl/compiler.go,
// errors/errors.go).

func regTaskTemplate(id *core.Identifier, t *core.TaskTemplate) error {
	if t.GetType() == "" {
		return regMissingArg("type")
	}
	if t.GetMetadata() == nil {
		return regMissingArg("metadata")
	}
	if rt := t.GetMetadata().GetRuntime(); rt != nil && rt.GetVersion() == "" {
		return regMissingArg("runtime version")
	}
	if t.GetInterface() == nil {
		return regMissingArg("typed interface")
	}
	if t.GetContainer() != nil {
		if t.GetContainer().GetImage() == "" {
			return regMissingArg("image")
		}
		if r := t.GetContainer().GetResources(); r != nil {
			return regTaskResources(id, r.GetRequests(), r.GetLimits())
		}
		return nil
	}
	if t.GetK8SPod() != nil {
		return regK8sPod(id, t)
	}
	return nil
}

// The lab configures no platform task resource limits, so only the task's own requests and limits are checked.
func regTaskResources(id *core.Identifier, requests, limits []*core.Resources_ResourceEntry) error {
	req, err := regResourceQuantities(id, requests)
	if err != nil {
		return err
	}
	lim, err := regResourceQuantities(id, limits)
	if err != nil {
		return err
	}
	return regResource(id, req, lim)
}

func regResourceQuantities(id *core.Identifier, entries []*core.Resources_ResourceEntry) (
	map[core.Resources_ResourceName]resource.Quantity, error) {
	out := map[core.Resources_ResourceName]resource.Quantity{}
	for _, e := range entries {
		switch e.GetName() {
		case core.Resources_CPU, core.Resources_MEMORY, core.Resources_GPU, core.Resources_EPHEMERAL_STORAGE:
		default:
			continue
		}
		if _, ok := out[e.GetName()]; ok {
			return nil, status.Errorf(codes.InvalidArgument, "can't specify %v limit for task [%+v] multiple times",
				e.GetName(), id)
		}
		q, err := resource.ParseQuantity(e.GetValue())
		if err != nil {
			return nil, status.Errorf(codes.InvalidArgument, "Parsing of %v request failed for value %v - reason  %v. "+
				"Please follow K8s conventions for resources "+
				"https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/", e.GetName(), e.GetValue(), err)
		}
		out[e.GetName()] = q
		if e.GetName() == core.Resources_GPU && q.MilliValue()%1000 != 0 {
			return nil, status.Errorf(codes.InvalidArgument, "gpu for [%+v] must be a whole number, got: %s instead",
				id, e.GetValue())
		}
	}
	return out, nil
}

func regResource(id *core.Identifier, requests, limits map[core.Resources_ResourceName]resource.Quantity) error {
	names := make([]int, 0, len(requests))
	for n := range requests {
		names = append(names, int(n))
	}
	sort.Ints(names)
	for _, n := range names {
		name := core.Resources_ResourceName(n)
		def := requests[name]
		lim, ok := limits[name]
		switch name {
		case core.Resources_CPU, core.Resources_EPHEMERAL_STORAGE, core.Resources_MEMORY:
			if ok && lim.Value() < def.Value() {
				return status.Errorf(codes.InvalidArgument,
					"Requested %v default [%v] is greater than the limit [%v]. Please fix your configuration",
					name, def.String(), lim.String())
			}
		case core.Resources_GPU:
			if ok && def.Value() != lim.Value() {
				return status.Errorf(codes.InvalidArgument,
					"For extended resource 'gpu' the default value must equal the limit value for task [%+v]", id)
			}
		}
	}
	return nil
}

func regK8sPod(id *core.Identifier, t *core.TaskTemplate) error {
	if t.GetK8SPod().GetPodSpec() == nil {
		return status.Error(codes.InvalidArgument,
			"invalid TaskSpecification, pod tasks should specify their target as a K8sPod with a defined pod spec")
	}
	raw, err := protojson.Marshal(t.GetK8SPod().GetPodSpec())
	if err != nil {
		return status.Error(codes.InvalidArgument, err.Error())
	}
	var pod corev1.PodSpec
	if err := json.Unmarshal(raw, &pod); err != nil {
		return status.Error(codes.InvalidArgument, err.Error())
	}
	for _, c := range pod.Containers {
		if err := regResource(id, regPodQuantities(c.Resources.Requests), regPodQuantities(c.Resources.Limits)); err != nil {
			return err
		}
	}
	return nil
}

func regPodQuantities(rl corev1.ResourceList) map[core.Resources_ResourceName]resource.Quantity {
	out := map[core.Resources_ResourceName]resource.Quantity{}
	for name, q := range rl {
		n := string(name)
		if name == corev1.ResourceEphemeralStorage {
			n = core.Resources_EPHEMERAL_STORAGE.String()
		}
		out[core.Resources_ResourceName(core.Resources_ResourceName_value[strings.ToUpper(n)])] = q
	}
	return out
}

// specDigest is admin's spec digest (manager/impl/util/digests.go: flytestdlib's pbhash of the compiled task, the
// compiled workflow closure or the launch plan).
func specDigest(ctx context.Context, m protov1.Message) ([]byte, error) {
	d, err := pbhash.ComputeHash(ctx, m)
	if err != nil {
		return nil, status.Errorf(codes.Internal, "failed to hash %T to digest with err %v", m, err)
	}
	return d, nil
}

// differentStructureMessage is the message of admin's New*ExistsDifferentStructureError: the JSON paths where the old and
// new specs differ (wI2L/jsondiff over the Go structs, as admin does).
func differentStructureMessage(name, kind string, oldSpec, newSpec any) string {
	m := fmt.Sprintf("%v %s with different structure already exists. (Please register a new version of the %s):\n",
		name, kind, kind)
	diff, _ := jsondiff.Compare(oldSpec, newSpec)
	rdiff, _ := jsondiff.Compare(newSpec, oldSpec)
	byPath := map[string]jsondiff.Operation{}
	for _, op := range diff {
		byPath[op.Path] = op
	}
	var lines []string
	for _, op := range rdiff {
		if o, ok := byPath[op.Path]; ok {
			lines = append(lines, fmt.Sprintf("%v:\n\t- %v \n\t+ %v", op.Path, op.Value, o.Value))
		}
	}
	m += strings.Join(lines, "\n")
	const maxBytes = 3 * 1024 * 1024
	if len(m) > maxBytes {
		const suffix = "\n\n... [diff truncated — exceeded gRPC max message size]"
		m = m[:maxBytes-len(suffix)] + suffix
	}
	return m
}

// CreateTask registers a task: admin's validation, flytepropeller's CompileTask, then the insert. The same
// compiled task again is ALREADY_EXISTS "task with identical structure already exists" (which flytectl and
// flytekit treat as success); a different one under the same id is INVALID_ARGUMENT "<name> task with different
// structure already exists. ..." with the diff — admin's codes.
func (s *Service) CreateTask(ctx context.Context, req *admin.TaskCreateRequest) (*admin.TaskCreateResponse, error) {
	id := req.GetId()
	if err := regIdentifier(id, core.ResourceType_TASK); err != nil {
		return nil, err
	}
	if err := s.checkProjectAndDomain(id.GetProject(), id.GetDomain()); err != nil {
		return nil, err
	}
	if req.GetSpec().GetTemplate() == nil {
		return nil, regMissingArg("spec")
	}
	if err := regTaskTemplate(id, req.GetSpec().GetTemplate()); err != nil {
		return nil, err
	}
	tmpl := proto.Clone(req.GetSpec().GetTemplate()).(*core.TaskTemplate)
	tmpl.Id = id
	compiled, err := compiler.CompileTask(tmpl)
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "task failed compilation with %v", err)
	}
	newDigest, err := specDigest(ctx, compiled)
	if err != nil {
		return nil, err
	}
	task := &admin.Task{
		Id:               regEntityID(core.ResourceType_TASK, id),
		Closure:          &admin.TaskClosure{CompiledTask: compiled, CreatedAt: timestamppb.Now()},
		ShortDescription: req.GetSpec().GetDescription().GetShortDescription(),
	}
	existing := &admin.Task{}
	if err := s.db.Create(BucketTasks, versionKey(id), task, existing); err != nil {
		if !errors.Is(err, store.ErrExists) {
			return nil, dbError(err)
		}
		oldDigest, err := specDigest(ctx, existing.GetClosure().GetCompiledTask())
		if err != nil {
			return nil, err
		}
		if string(oldDigest) == string(newDigest) {
			return nil, status.Error(codes.AlreadyExists, "task with identical structure already exists")
		}
		return nil, status.Error(codes.InvalidArgument, differentStructureMessage(id.GetName(), "task",
			existing.GetClosure().GetCompiledTask(), compiled))
	}
	if err := s.recordRegistration(core.ResourceType_TASK, id, req.GetSpec().GetDescription()); err != nil {
		return nil, err
	}
	return &admin.TaskCreateResponse{}, nil
}

// regEntityID is the identifier admin returns for a stored entity (its transformers: resource type, project, domain,
// name, version).
func regEntityID(rt core.ResourceType, id *core.Identifier) *core.Identifier {
	return &core.Identifier{ResourceType: rt, Project: id.GetProject(), Domain: id.GetDomain(), Name: id.GetName(),
		Version: id.GetVersion()}
}

// recordRegistration records what follows a first registration: the named entity (ACTIVE) and, when the request carried
// one, the description entity (admin stores it with the task or workflow row).
func (s *Service) recordRegistration(rt core.ResourceType, id *core.Identifier, desc *admin.DescriptionEntity) error {
	ne := &admin.NamedEntity{
		ResourceType: rt,
		Id:           &admin.NamedEntityIdentifier{Project: id.GetProject(), Domain: id.GetDomain(), Name: id.GetName()},
		Metadata:     &admin.NamedEntityMetadata{State: admin.NamedEntityState_NAMED_ENTITY_ACTIVE},
	}
	if err := s.db.Create(BucketNamedEntities, regNamedEntityKey(rt, id.GetProject(), id.GetDomain(), id.GetName()), ne,
		nil); err != nil && !errors.Is(err, store.ErrExists) {
		return dbError(err)
	}
	if desc == nil {
		return nil
	}
	d := &admin.DescriptionEntity{
		Id:               &core.Identifier{ResourceType: id.GetResourceType(), Project: id.GetProject(), Domain: id.GetDomain(), Name: id.GetName(), Version: id.GetVersion()},
		ShortDescription: desc.GetShortDescription(),
		LongDescription:  desc.GetLongDescription(),
		SourceCode:       &admin.SourceCode{Link: desc.GetSourceCode().GetLink()},
		Tags:             desc.GetTags(),
	}
	if d.LongDescription == nil {
		d.LongDescription = &admin.Description{}
	}
	if err := s.db.Put(BucketDescriptionEntities, regDescriptionKey(d.GetId()), d); err != nil {
		return dbError(err)
	}
	return nil
}

func regNamedEntityKey(rt core.ResourceType, project, domain, name string) string {
	return store.Key(strconv.Itoa(int(rt)), project, domain, name)
}

func regDescriptionKey(id *core.Identifier) string {
	return store.Key(strconv.Itoa(int(id.GetResourceType())), id.GetProject(), id.GetDomain(), id.GetName(),
		id.GetVersion())
}

// GetTask returns a task (admin only logs an invalid identifier here and looks it up anyway).
func (s *Service) GetTask(_ context.Context, req *admin.ObjectGetRequest) (*admin.Task, error) {
	return s.getTask(req.GetId())
}

// regResourceListRequest is admin's ValidateResourceListRequest.
func regResourceListRequest(req *admin.ResourceListRequest) error {
	switch {
	case req.GetId() == nil:
		return regMissingArg("id")
	case req.GetId().GetProject() == "":
		return regMissingArg("project")
	case req.GetId().GetDomain() == "":
		return regMissingArg("domain")
	}
	return regLimit(req.GetLimit())
}

// ListTasks lists task versions of a project/domain (and name, when given), filtered and sorted as admin does;
// without sort_by, newest first.
func (s *Service) ListTasks(_ context.Context, req *admin.ResourceListRequest) (*admin.TaskList, error) {
	if err := regResourceListRequest(req); err != nil {
		return nil, err
	}
	id := req.GetId()
	conds, err := regParseFilters(req.GetFilters(), regEntTask)
	if err != nil {
		return nil, err
	}
	sp, err := newRegSort(req.GetSortBy(), regEntityColumns[regEntTask], regCreatedAtDesc)
	if err != nil {
		return nil, err
	}
	recs, err := store.List(s.db, BucketTasks, regScanPrefix(id.GetProject(), id.GetDomain(), id.GetName()), regNewTask)
	if err != nil {
		return nil, dbError(err)
	}
	recs = regFilter(recs, append(regIdentifierFilters(regEntTask, id.GetProject(), id.GetDomain(), id.GetName()),
		conds...), regTaskField)
	out, token, err := regPage(recs, sp, regTaskField, regEntTask, req.GetToken(), req.GetLimit(), "ListTasks")
	if err != nil {
		return nil, err
	}
	return &admin.TaskList{Tasks: out, Token: token}, nil
}

// regNamedEntityIdentifierListRequest is admin's ValidateNamedEntityIdentifierListRequest.
func regNamedEntityIdentifierListRequest(req *admin.NamedEntityIdentifierListRequest) error {
	switch {
	case req.GetProject() == "":
		return regMissingArg("project")
	case req.GetDomain() == "":
		return regMissingArg("domain")
	}
	return regLimit(req.GetLimit())
}

// regListIDs lists the distinct names of a project/domain's records (admin's List*Identifiers: GROUP BY project,
// domain, name; the request's filters are not applied, as in admin). Without sort_by, by name.
func regListIDs[T proto.Message](s *Service, bucket string, newMsg func() T, id func(T) *core.Identifier,
	get regFieldFunc[T], primary string, req *admin.NamedEntityIdentifierListRequest, method string) (
	*admin.NamedEntityIdentifierList, error) {
	sp, err := newRegSort(req.GetSortBy(), regEntityColumns[primary], &regSort{key: "name"})
	if err != nil {
		return nil, err
	}
	prefix := ""
	if req.GetProject() != "" && req.GetDomain() != "" {
		prefix = regScanPrefix(req.GetProject(), req.GetDomain(), "")
	}
	recs, err := store.List(s.db, bucket, prefix, newMsg)
	if err != nil {
		return nil, dbError(err)
	}
	recs = regFilter(recs, regIdentifierFilters(primary, req.GetProject(), req.GetDomain(), ""), get)
	recs = regUniqueNames(recs, id, func(r T) string { return get(r, primary, "created_at") })
	out, token, err := regPage(recs, sp, get, primary, req.GetToken(), req.GetLimit(), method)
	if err != nil {
		return nil, err
	}
	ids := make([]*admin.NamedEntityIdentifier, 0, len(out))
	for _, r := range out {
		ids = append(ids, &admin.NamedEntityIdentifier{Project: id(r).GetProject(), Domain: id(r).GetDomain(),
			Name: id(r).GetName()})
	}
	return &admin.NamedEntityIdentifierList{Entities: ids, Token: token}, nil
}

// ListTaskIds lists the names of a project/domain's tasks.
func (s *Service) ListTaskIds(_ context.Context, req *admin.NamedEntityIdentifierListRequest) (
	*admin.NamedEntityIdentifierList, error) {
	if err := regNamedEntityIdentifierListRequest(req); err != nil {
		return nil, err
	}
	return regListIDs(s, BucketTasks, regNewTask, (*admin.Task).GetId, regTaskField, regEntTask, req, "ListUniqueTaskIdentifiers")
}

// ---------------------------------------------------------------------------------------------------------------
// Workflows (manager/impl/workflow_manager.go, validation/workflow_validator.go,
// workflowengine/impl/{compiler,interface_provider}.go).

// regLPInterface is admin's LaunchPlanInterfaceProvider: a launch plan's expected inputs and outputs, under the id
// the workflow asked for.
type regLPInterface struct {
	id      *core.Identifier
	inputs  *core.ParameterMap
	outputs *core.VariableMap
}

func (p *regLPInterface) GetID() *core.Identifier               { return p.id }
func (p *regLPInterface) GetExpectedInputs() *core.ParameterMap { return p.inputs }
func (p *regLPInterface) GetExpectedOutputs() *core.VariableMap { return p.outputs }
func (p *regLPInterface) String() string                        { return fmt.Sprint(p.id) }
func (s *Service) lpProvider(id *core.Identifier) (*regLPInterface, error) {
	lp, err := s.getLaunchPlan(id)
	if err != nil {
		return nil, err
	}
	return &regLPInterface{id: id, inputs: lp.GetClosure().GetExpectedInputs(),
		outputs: lp.GetClosure().GetExpectedOutputs()}, nil
}

// compileWorkflow is admin's getCompiledWorkflow: the requirements, every required task and launch plan, then
// flytepropeller's CompileWorkflow. Errors carry admin's inner messages (the caller wraps them).
func (s *Service) compileWorkflow(tmpl *core.WorkflowTemplate, subs []*core.WorkflowTemplate) (
	*core.CompiledWorkflowClosure, error) {
	reqs, err := compiler.GetRequirements(tmpl, subs)
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "failed to get workflow requirements with err %v", err)
	}
	tasks := make([]*core.CompiledTask, 0, len(reqs.GetRequiredTaskIds()))
	for _, tid := range reqs.GetRequiredTaskIds() {
		t, err := s.getTask(tid)
		if err != nil {
			return nil, err
		}
		tasks = append(tasks, t.GetClosure().GetCompiledTask())
	}
	lps := make([]common.InterfaceProvider, 0, len(reqs.GetRequiredLaunchPlanIds()))
	for _, lid := range reqs.GetRequiredLaunchPlanIds() {
		p, err := s.lpProvider(lid)
		if err != nil {
			return nil, err
		}
		lps = append(lps, p)
	}
	closure, err := compiler.CompileWorkflow(tmpl, subs, tasks, lps)
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return closure, nil
}

// regWorkflowFailure attaches admin's CreateWorkflowFailureReason detail.
func regWorkflowFailure(code codes.Code, message string, reason *admin.CreateWorkflowFailureReason) error {
	st := status.New(code, message)
	if d, err := st.WithDetails(reason); err == nil {
		st = d
	}
	return st.Err()
}

// CreateWorkflow registers a workflow: admin's validation, compilation against the registered tasks and launch
// plans ("failed to compile workflow for [id] with err: ..." on any failure, INVALID_ARGUMENT), then the insert
// with the closure (compiled workflow with its tasks, created_at). Identical again → ALREADY_EXISTS, different →
// INVALID_ARGUMENT with the diff, with admin's failure-reason details.
func (s *Service) CreateWorkflow(ctx context.Context, req *admin.WorkflowCreateRequest) (
	*admin.WorkflowCreateResponse, error) {
	id := req.GetId()
	if err := regIdentifier(id, core.ResourceType_WORKFLOW); err != nil {
		return nil, err
	}
	if err := s.checkProjectAndDomain(id.GetProject(), id.GetDomain()); err != nil {
		return nil, err
	}
	if req.GetSpec().GetTemplate() == nil {
		return nil, regMissingArg("spec")
	}
	tmpl := proto.Clone(req.GetSpec().GetTemplate()).(*core.WorkflowTemplate)
	tmpl.Id = id
	compiled, err := s.compileWorkflow(tmpl, req.GetSpec().GetSubWorkflows())
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "failed to compile workflow for [%+v] with err: %v", id, errMessage(err))
	}
	newDigest, err := specDigest(ctx, compiled)
	if err != nil {
		return nil, err
	}
	wf := &admin.Workflow{
		Id:               regEntityID(core.ResourceType_WORKFLOW, id),
		Closure:          &admin.WorkflowClosure{CompiledWorkflow: compiled, CreatedAt: timestamppb.Now()},
		ShortDescription: req.GetSpec().GetDescription().GetShortDescription(),
	}
	existing := &admin.Workflow{}
	if err := s.db.Create(BucketWorkflows, versionKey(id), wf, existing); err != nil {
		if !errors.Is(err, store.ErrExists) {
			return nil, dbError(err)
		}
		oldDigest, err := specDigest(ctx, existing.GetClosure().GetCompiledWorkflow())
		if err != nil {
			return nil, err
		}
		if string(oldDigest) == string(newDigest) {
			return nil, regWorkflowFailure(codes.AlreadyExists, "workflow with identical structure already exists",
				&admin.CreateWorkflowFailureReason{Reason: &admin.CreateWorkflowFailureReason_ExistsIdenticalStructure{
					ExistsIdenticalStructure: &admin.WorkflowErrorExistsIdenticalStructure{Id: id}}})
		}
		return nil, regWorkflowFailure(codes.InvalidArgument,
			differentStructureMessage(id.GetName(), "workflow", existing.GetClosure().GetCompiledWorkflow(), compiled),
			&admin.CreateWorkflowFailureReason{Reason: &admin.CreateWorkflowFailureReason_ExistsDifferentStructure{
				ExistsDifferentStructure: &admin.WorkflowErrorExistsDifferentStructure{Id: id}}})
	}
	if err := s.recordRegistration(core.ResourceType_WORKFLOW, id, req.GetSpec().GetDescription()); err != nil {
		return nil, err
	}
	return &admin.WorkflowCreateResponse{}, nil
}

// GetWorkflow returns a workflow with its whole closure.
func (s *Service) GetWorkflow(_ context.Context, req *admin.ObjectGetRequest) (*admin.Workflow, error) {
	if err := regIdentifier(req.GetId(), core.ResourceType_WORKFLOW); err != nil {
		return nil, err
	}
	return s.getWorkflow(req.GetId())
}

// regListedWorkflow is what admin's ListWorkflows returns of a workflow (transformers.FromWorkflowModel): the id,
// created_at, the short description and the primary template's interface only.
func regListedWorkflow(w *admin.Workflow) *admin.Workflow {
	iface := w.GetClosure().GetCompiledWorkflow().GetPrimary().GetTemplate().GetInterface()
	if iface == nil {
		iface = &core.TypedInterface{}
	}
	return &admin.Workflow{
		Id: w.GetId(),
		Closure: &admin.WorkflowClosure{
			CreatedAt: w.GetClosure().GetCreatedAt(),
			CompiledWorkflow: &core.CompiledWorkflowClosure{
				Primary: &core.CompiledWorkflow{Template: &core.WorkflowTemplate{Interface: iface}},
			},
		},
		ShortDescription: w.GetShortDescription(),
	}
}

// ListWorkflows lists workflow versions (closures reduced to the interface, as admin's list does).
func (s *Service) ListWorkflows(_ context.Context, req *admin.ResourceListRequest) (*admin.WorkflowList, error) {
	if err := regResourceListRequest(req); err != nil {
		return nil, err
	}
	id := req.GetId()
	conds, err := regParseFilters(req.GetFilters(), regEntWorkflow)
	if err != nil {
		return nil, err
	}
	sp, err := newRegSort(req.GetSortBy(), regEntityColumns[regEntWorkflow], regCreatedAtDesc)
	if err != nil {
		return nil, err
	}
	recs, err := store.List(s.db, BucketWorkflows, regScanPrefix(id.GetProject(), id.GetDomain(), id.GetName()),
		regNewWorkflow)
	if err != nil {
		return nil, dbError(err)
	}
	recs = regFilter(recs, append(regIdentifierFilters(regEntWorkflow, id.GetProject(), id.GetDomain(), id.GetName()),
		conds...), regWorkflowField)
	out, token, err := regPage(recs, sp, regWorkflowField, regEntWorkflow, req.GetToken(), req.GetLimit(), "ListWorkflows")
	if err != nil {
		return nil, err
	}
	for i, w := range out {
		out[i] = regListedWorkflow(w)
	}
	return &admin.WorkflowList{Workflows: out, Token: token}, nil
}

// ListWorkflowIds lists the names of a project/domain's workflows.
func (s *Service) ListWorkflowIds(_ context.Context, req *admin.NamedEntityIdentifierListRequest) (
	*admin.NamedEntityIdentifierList, error) {
	if err := regNamedEntityIdentifierListRequest(req); err != nil {
		return nil, err
	}
	return regListIDs(s, BucketWorkflows, regNewWorkflow, (*admin.Workflow).GetId, regWorkflowField, regEntWorkflow, req,
		"ListWorkflowIdentifiers")
}

// ---------------------------------------------------------------------------------------------------------------
// Launch plans (manager/impl/launch_plan_manager.go, validation/launch_plan_validator.go,
// validation/notifications_validator.go, transformers/launch_plan.go).

// regLiteralMap is admin's validateLiteralMap (including its early return after a datetime literal).
func regLiteralMap(m *core.LiteralMap, field string) error {
	for _, name := range regSortedKeys(m.GetLiterals()) {
		l := m.GetLiterals()[name]
		if name == "" {
			return status.Errorf(codes.InvalidArgument, "missing key in %s", field)
		}
		if l.GetValue() == nil && l.GetOffloadedMetadata() == nil {
			return status.Errorf(codes.InvalidArgument, "missing valid literal in %s %s", field, name)
		}
		if l.GetScalar().GetPrimitive().GetDatetime() != nil {
			return regDatetime(l)
		}
	}
	return nil
}

func regDatetime(l *core.Literal) error {
	if err := l.GetScalar().GetPrimitive().GetDatetime().CheckValid(); err != nil {
		return status.Error(codes.InvalidArgument, err.Error())
	}
	return nil
}

// regParameterMap is admin's validateParameterMapDisableArtifacts (artifacts are off, admin's default).
func regParameterMap(m *core.ParameterMap, field string) error {
	for _, name := range regSortedKeys(m.GetParameters()) {
		if m.GetParameters()[name].GetArtifactQuery() != nil {
			return status.Errorf(codes.InvalidArgument, "artifact mode not enabled but query found %s %s", field, name)
		}
	}
	for _, name := range regSortedKeys(m.GetParameters()) {
		p := m.GetParameters()[name]
		if name == "" {
			return status.Errorf(codes.InvalidArgument, "missing key in %s", field)
		}
		if p.GetVar().GetType() == nil {
			return status.Errorf(codes.InvalidArgument,
				"The Variable component of the Parameter %s in %s either is missing, or has a missing Type", name, field)
		}
		if p.GetDefault() == nil && p.GetArtifactQuery() == nil && !p.GetRequired() {
			return status.Errorf(codes.InvalidArgument,
				"Invalid variable %s in %s - variable has neither default, nor is required. One must be specified",
				name, field)
		}
		if def := p.GetDefault(); def != nil {
			inputType := validators.LiteralTypeForLiteral(def)
			if err := validators.ValidateLiteralType(inputType); err != nil {
				return status.Errorf(codes.InvalidArgument, "Failed to validate literal type for [%s] with err: %s", name, err)
			}
			if !validators.AreTypesCastable(inputType, p.GetVar().GetType()) {
				return status.Errorf(codes.InvalidArgument, "Type mismatch for Parameter %s in %s has type %s, expected %s",
					name, field, p.GetVar().GetType().String(), inputType.String())
			}
			if p.GetVar().GetType().GetSimple() == core.SimpleType_DATETIME {
				return regDatetime(def)
			}
		}
	}
	return nil
}

// lpExpectedInputs is admin's checkAndFetchExpectedInputForLaunchPlan: default and fixed inputs must be inputs of
// the workflow with castable types; the result is the default inputs plus a required parameter for every workflow
// input that is neither default nor fixed.
func lpExpectedInputs(wfInputs *core.VariableMap, fixed *core.LiteralMap, defaults *core.ParameterMap) (
	*core.ParameterMap, error) {
	out := map[string]*core.Parameter{}
	if len(wfInputs.GetVariables()) == 0 {
		if n := len(defaults.GetParameters()); n > 0 {
			return nil, status.Errorf(codes.InvalidArgument,
				"invalid launch plan default inputs, expected none but found %d", n)
		}
		if n := len(fixed.GetLiterals()); n > 0 {
			return nil, status.Errorf(codes.InvalidArgument,
				"invalid launch plan fixed inputs, expected none but found %d", n)
		}
		return &core.ParameterMap{Parameters: out}, nil
	}
	vars := wfInputs.GetVariables()
	for _, name := range regSortedKeys(defaults.GetParameters()) {
		p := defaults.GetParameters()[name]
		v, ok := vars[name]
		if !ok {
			return nil, status.Errorf(codes.InvalidArgument, "unexpected default_input %s", name)
		}
		if !validators.AreTypesCastable(p.GetVar().GetType(), v.GetType()) {
			return nil, status.Errorf(codes.InvalidArgument, "invalid default_input wrong type %s, expected %v, got %v instead",
				name, p.GetVar().GetType().String(), v.GetType().String())
		}
	}
	for _, name := range regSortedKeys(fixed.GetLiterals()) {
		v, ok := vars[name]
		if !ok {
			return nil, status.Errorf(codes.InvalidArgument, "unexpected fixed_input %s", name)
		}
		inputType := validators.LiteralTypeForLiteral(fixed.GetLiterals()[name])
		if err := validators.ValidateLiteralType(inputType); err != nil {
			return nil, status.Errorf(codes.InvalidArgument, "Failed to validate literal type for [%s] with err: %s", name, err)
		}
		if !validators.AreTypesCastable(inputType, v.GetType()) {
			return nil, status.Errorf(codes.InvalidArgument, "invalid fixed_input wrong type %s, expected %v, got %v instead",
				name, v.GetType(), inputType)
		}
	}
	for name, v := range vars {
		if p, ok := defaults.GetParameters()[name]; ok {
			out[name] = p
		} else if _, ok := fixed.GetLiterals()[name]; !ok {
			out[name] = &core.Parameter{
				Var:      &core.Variable{Type: v.GetType(), Description: v.GetDescription()},
				Behavior: &core.Parameter_Required{Required: true},
			}
		}
	}
	return &core.ParameterMap{Parameters: out}, nil
}

// regSchedule is admin's validateSchedule (a schedule needs every required input bound, except the kickoff
// time argument, which must be a free datetime input; cron expressions parse with robfig/cron's ParseStandard).
func regSchedule(spec *admin.LaunchPlanSpec, expected *core.ParameterMap) error {
	sch := spec.GetEntityMetadata().GetSchedule()
	if sch.GetCronExpression() == "" && sch.GetRate() == nil && sch.GetCronSchedule() == nil {
		return nil
	}
	for _, key := range regSortedKeys(expected.GetParameters()) {
		if expected.GetParameters()[key].GetRequired() && key != sch.GetKickoffTimeInputArg() {
			return status.Errorf(codes.InvalidArgument,
				"Cannot create a launch plan with a schedule if there is an unbound required input. [%v] is required", key)
		}
	}
	if arg := sch.GetKickoffTimeInputArg(); arg != "" {
		p, ok := expected.GetParameters()[arg]
		if !ok {
			return status.Errorf(codes.InvalidArgument,
				"Cannot create a schedule with a KickoffTimeInputArg that does not point to a free input. [%v] is not free or does not exist.", arg)
		}
		if p.GetVar().GetType().GetSimple() != core.SimpleType_DATETIME {
			return status.Errorf(codes.InvalidArgument,
				"KickoffTimeInputArg must reference a datetime input. [%v] is a [%v]", arg, p.GetVar().GetType())
		}
	}
	expr := sch.GetCronExpression()
	if expr == "" {
		expr = sch.GetCronSchedule().GetSchedule()
	}
	if expr != "" {
		if _, err := cron.ParseStandard(expr); err != nil {
			return status.Errorf(codes.InvalidArgument, "Invalid cron expression: %v", err)
		}
	}
	return nil
}

func regNotifications(ns []*admin.Notification) error {
	recipients := func(r []string) error {
		if len(r) == 0 {
			return regMissingArg("recipients")
		}
		for _, x := range r {
			if x == "" {
				return regMissingArg("recipient")
			}
		}
		return nil
	}
	for _, n := range ns {
		var err error
		switch {
		case n.GetEmail() != nil:
			err = recipients(n.GetEmail().GetRecipientsEmail())
		case n.GetSlack() != nil:
			err = recipients(n.GetSlack().GetRecipientsEmail())
		case n.GetPagerDuty() != nil:
			err = recipients(n.GetPagerDuty().GetRecipientsEmail())
		default:
			err = regInvalidArg("notification type")
		}
		if err != nil {
			return err
		}
		for _, ph := range n.GetPhases() {
			switch ph {
			case core.WorkflowExecution_SUCCEEDED, core.WorkflowExecution_FAILED, core.WorkflowExecution_TIMED_OUT,
				core.WorkflowExecution_ABORTED:
			default:
				return regInvalidArg("phase")
			}
		}
	}
	return nil
}

// regLaunchPlan is admin's ValidateLaunchPlan; it returns the spec with default_inputs replaced by the
// expected inputs, as admin rewrites the request.
func (s *Service) regLaunchPlan(req *admin.LaunchPlanCreateRequest, wfInterface *core.TypedInterface) (
	*admin.LaunchPlanSpec, error) {
	id := req.GetId()
	if err := regIdentifier(id, core.ResourceType_LAUNCH_PLAN); err != nil {
		return nil, err
	}
	if err := s.checkProjectAndDomain(id.GetProject(), id.GetDomain()); err != nil {
		return nil, err
	}
	spec := req.GetSpec()
	if spec == nil {
		return nil, regMissingArg("spec")
	}
	if err := regIdentifier(spec.GetWorkflowId(), core.ResourceType_WORKFLOW); err != nil {
		return nil, err
	}
	if err := regLabels(spec.GetLabels()); err != nil {
		return nil, err
	}
	if err := regLiteralMap(spec.GetFixedInputs(), "fixed_inputs"); err != nil {
		return nil, err
	}
	if err := regParameterMap(spec.GetDefaultInputs(), "default_inputs"); err != nil {
		return nil, err
	}
	expected, err := lpExpectedInputs(wfInterface.GetInputs(), spec.GetFixedInputs(), spec.GetDefaultInputs())
	if err != nil {
		return nil, err
	}
	if err := regSchedule(spec, expected); err != nil {
		return nil, err
	}
	out := proto.Clone(spec).(*admin.LaunchPlanSpec)
	out.DefaultInputs = expected
	if md := spec.GetEntityMetadata(); md != nil {
		if err := regNotifications(md.GetNotifications()); err != nil {
			return nil, err
		}
		if md.GetLaunchConditions() != nil {
			return nil, status.Errorf(codes.InvalidArgument, "Launch condition must be empty, found %v",
				md.GetLaunchConditions())
		}
	}
	return out, nil
}

// CreateLaunchPlan registers a launch plan (INACTIVE): its workflow must exist; admin's validation of default and
// fixed inputs against the workflow's interface; closure.expected_inputs = the checked default inputs,
// expected_outputs = the workflow's outputs. Identical again → ALREADY_EXISTS, different → INVALID_ARGUMENT.
func (s *Service) CreateLaunchPlan(ctx context.Context, req *admin.LaunchPlanCreateRequest) (
	*admin.LaunchPlanCreateResponse, error) {
	if err := regIdentifier(req.GetSpec().GetWorkflowId(), core.ResourceType_WORKFLOW); err != nil {
		return nil, err
	}
	wf, err := s.getWorkflow(req.GetSpec().GetWorkflowId())
	if err != nil {
		return nil, err
	}
	wfInterface := wf.GetClosure().GetCompiledWorkflow().GetPrimary().GetTemplate().GetInterface()
	spec, err := s.regLaunchPlan(req, wfInterface)
	if err != nil {
		return nil, err
	}
	id := req.GetId()
	lp := &admin.LaunchPlan{
		Id:   id,
		Spec: spec,
		Closure: &admin.LaunchPlanClosure{
			ExpectedInputs:  spec.GetDefaultInputs(),
			ExpectedOutputs: wfInterface.GetOutputs(),
		},
	}
	newDigest, err := specDigest(ctx, lp)
	if err != nil {
		return nil, err
	}
	now := timestamppb.Now()
	rec := &admin.LaunchPlan{
		Id:   regEntityID(core.ResourceType_LAUNCH_PLAN, id),
		Spec: spec,
		Closure: &admin.LaunchPlanClosure{
			State:           admin.LaunchPlanState_INACTIVE,
			ExpectedInputs:  lp.GetClosure().GetExpectedInputs(),
			ExpectedOutputs: lp.GetClosure().GetExpectedOutputs(),
			CreatedAt:       now,
			UpdatedAt:       now,
		},
	}
	existing := &admin.LaunchPlan{}
	if err := s.db.Create(BucketLaunchPlans, versionKey(id), rec, existing); err != nil {
		if !errors.Is(err, store.ErrExists) {
			return nil, dbError(err)
		}
		old := &admin.LaunchPlan{Id: existing.GetId(), Spec: existing.GetSpec(), Closure: &admin.LaunchPlanClosure{
			ExpectedInputs: existing.GetClosure().GetExpectedInputs(), ExpectedOutputs: existing.GetClosure().GetExpectedOutputs()}}
		oldDigest, err := specDigest(ctx, old)
		if err != nil {
			return nil, err
		}
		if string(oldDigest) == string(newDigest) {
			return nil, status.Error(codes.AlreadyExists, "launch plan with identical structure already exists")
		}
		return nil, status.Error(codes.InvalidArgument, differentStructureMessage(id.GetName(), "launch plan",
			existing.GetSpec(), spec))
	}
	if err := s.recordRegistration(core.ResourceType_LAUNCH_PLAN, id, nil); err != nil {
		return nil, err
	}
	return &admin.LaunchPlanCreateResponse{}, nil
}

// GetLaunchPlan returns a launch plan (identifier validated, as admin).
func (s *Service) GetLaunchPlan(_ context.Context, req *admin.ObjectGetRequest) (*admin.LaunchPlan, error) {
	if err := regIdentifier(req.GetId(), core.ResourceType_LAUNCH_PLAN); err != nil {
		return nil, err
	}
	return s.getLaunchPlan(req.GetId())
}

// UpdateLaunchPlan activates or deactivates a launch plan version. Activating one deactivates the version of the
// same project/domain/name that was active, in the same step. (Admin also adds/removes schedules in its event
// scheduler here; the lab's scheduler reads the active launch plans instead.)
func (s *Service) UpdateLaunchPlan(_ context.Context, req *admin.LaunchPlanUpdateRequest) (
	*admin.LaunchPlanUpdateResponse, error) {
	id := req.GetId()
	switch req.GetState() {
	case admin.LaunchPlanState_INACTIVE:
		if err := regIdentifier(id, core.ResourceType_LAUNCH_PLAN); err != nil {
			return nil, err
		}
		s.regMu.Lock()
		defer s.regMu.Unlock()
		if err := s.setLaunchPlanState(id, admin.LaunchPlanState_INACTIVE); err != nil {
			return nil, err
		}
	case admin.LaunchPlanState_ACTIVE:
		s.regMu.Lock()
		defer s.regMu.Unlock()
		if _, err := s.getLaunchPlan(id); err != nil {
			return nil, err
		}
		active, err := s.activeVersions(id.GetProject(), id.GetDomain(), id.GetName())
		if err != nil {
			return nil, err
		}
		for _, old := range active {
			if versionKey(old.GetId()) == versionKey(id) {
				continue
			}
			if err := s.setLaunchPlanState(old.GetId(), admin.LaunchPlanState_INACTIVE); err != nil {
				return nil, err
			}
		}
		if err := s.setLaunchPlanState(id, admin.LaunchPlanState_ACTIVE); err != nil {
			return nil, err
		}
	default:
		return nil, status.Errorf(codes.InvalidArgument, "Unrecognized launch plan state %v for update for launch plan [%+v]",
			req.GetState(), id)
	}
	return &admin.LaunchPlanUpdateResponse{}, nil
}

func (s *Service) setLaunchPlanState(id *core.Identifier, state admin.LaunchPlanState) error {
	lp := &admin.LaunchPlan{}
	err := s.db.Update(BucketLaunchPlans, versionKey(id), lp, func(found bool) error {
		if !found {
			return missingEntity(core.ResourceType_LAUNCH_PLAN.String(), id)
		}
		if lp.Closure == nil {
			lp.Closure = &admin.LaunchPlanClosure{}
		}
		lp.Closure.State = state
		lp.Closure.UpdatedAt = timestamppb.Now()
		return nil
	})
	if err != nil {
		return dbError(err)
	}
	return nil
}

// activeVersions returns the ACTIVE versions of project/domain/name (at most one, as UpdateLaunchPlan keeps it).
func (s *Service) activeVersions(project, domain, name string) ([]*admin.LaunchPlan, error) {
	var out []*admin.LaunchPlan
	err := store.Scan(s.db, BucketLaunchPlans, regScanPrefix(project, domain, name), regNewLaunchPlan,
		func(_ string, lp *admin.LaunchPlan) bool {
			if lp.GetClosure().GetState() == admin.LaunchPlanState_ACTIVE && lp.GetId().GetName() == name {
				out = append(out, lp)
			}
			return true
		})
	if err != nil {
		return nil, dbError(err)
	}
	return out, nil
}

// GetActiveLaunchPlan returns the active version of a launch plan; NotFound "No active launch plan could be
// found: project:domain:name" as admin.
func (s *Service) GetActiveLaunchPlan(_ context.Context, req *admin.ActiveLaunchPlanRequest) (*admin.LaunchPlan, error) {
	id := req.GetId()
	switch {
	case id.GetProject() == "":
		return nil, regMissingArg("project")
	case id.GetDomain() == "":
		return nil, regMissingArg("domain")
	case id.GetName() == "":
		return nil, regMissingArg("name")
	}
	active, err := s.activeVersions(id.GetProject(), id.GetDomain(), id.GetName())
	if err != nil {
		return nil, err
	}
	if len(active) != 1 {
		return nil, status.Errorf(codes.NotFound, "No active launch plan could be found: %s:%s:%s", id.GetProject(),
			id.GetDomain(), id.GetName())
	}
	return active[0], nil
}

// ListActiveLaunchPlans lists a project/domain's active launch plans.
func (s *Service) ListActiveLaunchPlans(_ context.Context, req *admin.ActiveLaunchPlanListRequest) (
	*admin.LaunchPlanList, error) {
	switch {
	case req.GetProject() == "":
		return nil, regMissingArg("project")
	case req.GetDomain() == "":
		return nil, regMissingArg("domain")
	}
	if err := regLimit(req.GetLimit()); err != nil {
		return nil, err
	}
	sp, err := newRegSort(req.GetSortBy(), regEntityColumns[regEntLaunchPlan], regCreatedAtDesc)
	if err != nil {
		return nil, err
	}
	recs, err := store.List(s.db, BucketLaunchPlans, regScanPrefix(req.GetProject(), req.GetDomain(), ""), regNewLaunchPlan)
	if err != nil {
		return nil, dbError(err)
	}
	get := s.launchPlanFields()
	recs = regFilter(recs, append(regIdentifierFilters(regEntLaunchPlan, req.GetProject(), req.GetDomain(), ""),
		regCondition{fn: "eq", entity: regEntLaunchPlan, field: "state", values: []string{"1"}}), get)
	out, token, err := regPage(recs, sp, get, regEntLaunchPlan, req.GetToken(), req.GetLimit(), "ListActiveLaunchPlans")
	if err != nil {
		return nil, err
	}
	return &admin.LaunchPlanList{LaunchPlans: out, Token: token}, nil
}

// ListLaunchPlans lists launch plan versions; filters may also name the launch plan's workflow (workflow.*), as
// admin joins the workflows table.
func (s *Service) ListLaunchPlans(_ context.Context, req *admin.ResourceListRequest) (*admin.LaunchPlanList, error) {
	if err := regResourceListRequest(req); err != nil {
		return nil, err
	}
	id := req.GetId()
	conds, err := regParseFilters(req.GetFilters(), regEntLaunchPlan)
	if err != nil {
		return nil, err
	}
	sp, err := newRegSort(req.GetSortBy(), regEntityColumns[regEntLaunchPlan], regCreatedAtDesc)
	if err != nil {
		return nil, err
	}
	recs, err := store.List(s.db, BucketLaunchPlans, regScanPrefix(id.GetProject(), id.GetDomain(), id.GetName()),
		regNewLaunchPlan)
	if err != nil {
		return nil, dbError(err)
	}
	get := s.launchPlanFields()
	recs = regFilter(recs, append(regIdentifierFilters(regEntLaunchPlan, id.GetProject(), id.GetDomain(), id.GetName()),
		conds...), get)
	out, token, err := regPage(recs, sp, get, regEntLaunchPlan, req.GetToken(), req.GetLimit(), "ListLaunchPlans")
	if err != nil {
		return nil, err
	}
	return &admin.LaunchPlanList{LaunchPlans: out, Token: token}, nil
}

// ListLaunchPlanIds lists the names of a project/domain's launch plans (admin's manager does not validate this
// request; its repository refuses a zero limit with "missing and/or invalid parameters: limit").
func (s *Service) ListLaunchPlanIds(_ context.Context, req *admin.NamedEntityIdentifierListRequest) (
	*admin.NamedEntityIdentifierList, error) {
	if req.GetLimit() == 0 {
		return nil, status.Error(codes.InvalidArgument, "missing and/or invalid parameters: limit")
	}
	if req.GetProject() == "" && req.GetDomain() == "" {
		return nil, status.Error(codes.InvalidArgument, "missing and/or invalid parameters: filters")
	}
	return regListIDs(s, BucketLaunchPlans, regNewLaunchPlan, (*admin.LaunchPlan).GetId, s.launchPlanFields(),
		regEntLaunchPlan, req, "")
}

// ---------------------------------------------------------------------------------------------------------------
// Named entities (manager/impl/named_entity_manager.go, validation/named_entity_validator.go,
// repositories/gormimpl/named_entity_repo.go).

var regNamedEntityTypes = map[core.ResourceType]bool{
	core.ResourceType_TASK: true, core.ResourceType_WORKFLOW: true, core.ResourceType_LAUNCH_PLAN: true,
}

func (s *Service) getNamedEntity(rt core.ResourceType, id *admin.NamedEntityIdentifier) (*admin.NamedEntity, error) {
	if !regNamedEntityTypes[rt] {
		return nil, status.Errorf(codes.InvalidArgument, "Cannot get NamedEntityMetadata for resource type: %v", rt)
	}
	ne := &admin.NamedEntity{}
	ok, err := s.db.Get(BucketNamedEntities, regNamedEntityKey(rt, id.GetProject(), id.GetDomain(), id.GetName()), ne)
	if err != nil {
		return nil, dbError(err)
	}
	if !ok {
		return nil, regEntryNotFound
	}
	return ne, nil
}

// GetNamedEntity returns the named entity (metadata: description, state) of a task, workflow or launch plan name.
func (s *Service) GetNamedEntity(_ context.Context, req *admin.NamedEntityGetRequest) (*admin.NamedEntity, error) {
	if err := regResourceType(req.GetResourceType()); err != nil {
		return nil, err
	}
	if err := regNamedEntityIdentifier(req.GetId()); err != nil {
		return nil, err
	}
	return s.getNamedEntity(req.GetResourceType(), req.GetId())
}

// UpdateNamedEntity sets a named entity's state and (when not empty, as gorm's Assign of a struct) description.
func (s *Service) UpdateNamedEntity(_ context.Context, req *admin.NamedEntityUpdateRequest) (
	*admin.NamedEntityUpdateResponse, error) {
	if err := regResourceType(req.GetResourceType()); err != nil {
		return nil, err
	}
	if err := regNamedEntityIdentifier(req.GetId()); err != nil {
		return nil, err
	}
	if req.GetMetadata() == nil {
		return nil, regMissingArg("metadata")
	}
	if req.GetMetadata().GetState() != admin.NamedEntityState_NAMED_ENTITY_ACTIVE && !regNamedEntityTypes[req.GetResourceType()] {
		return nil, status.Errorf(codes.InvalidArgument, "Resource [%s] cannot have its state updated",
			req.GetResourceType().String())
	}
	if _, err := s.getNamedEntity(req.GetResourceType(), req.GetId()); err != nil {
		return nil, err
	}
	id := req.GetId()
	ne := &admin.NamedEntity{}
	err := s.db.Update(BucketNamedEntities, regNamedEntityKey(req.GetResourceType(), id.GetProject(), id.GetDomain(),
		id.GetName()), ne, func(found bool) error {
		if !found {
			return regEntryNotFound
		}
		if ne.Metadata == nil {
			ne.Metadata = &admin.NamedEntityMetadata{}
		}
		if d := req.GetMetadata().GetDescription(); d != "" {
			ne.Metadata.Description = d
		}
		ne.Metadata.State = req.GetMetadata().GetState()
		return nil
	})
	if err != nil {
		return nil, dbError(err)
	}
	return &admin.NamedEntityUpdateResponse{}, nil
}

// ListNamedEntities lists a project/domain's named entities of one resource type. Without filters, names starting
// with ".flytegen" (flytekit's generated single-task workflows and launch plans) are left out, as admin's default
// filter not_like(name,.flytegen%) does. Without sort_by, by name.
func (s *Service) ListNamedEntities(_ context.Context, req *admin.NamedEntityListRequest) (*admin.NamedEntityList, error) {
	switch {
	case req.GetProject() == "":
		return nil, regMissingArg("project")
	case req.GetDomain() == "":
		return nil, regMissingArg("domain")
	}
	if err := regResourceType(req.GetResourceType()); err != nil {
		return nil, err
	}
	if err := regLimit(req.GetLimit()); err != nil {
		return nil, err
	}
	expr := req.GetFilters()
	if expr == "" {
		expr = "not_like(name,.flytegen%)"
	}
	conds, err := regParseFilters(expr, regEntNamedEntity)
	if err != nil {
		return nil, err
	}
	sp, err := newRegSort(req.GetSortBy(), regEntityColumns[regEntNamedEntity], &regSort{key: "name"})
	if err != nil {
		return nil, err
	}
	if !regNamedEntityTypes[req.GetResourceType()] {
		return nil, status.Errorf(codes.InvalidArgument, "Cannot list entity names for resource type: %v",
			req.GetResourceType())
	}
	recs, err := store.List(s.db, BucketNamedEntities, store.Key(strconv.Itoa(int(req.GetResourceType())),
		req.GetProject(), req.GetDomain(), ""), regNewNamedEntity)
	if err != nil {
		return nil, dbError(err)
	}
	recs = regFilter(recs, conds, regNamedEntityField)
	out, token, err := regPage(recs, sp, regNamedEntityField, regEntNamedEntity, req.GetToken(), req.GetLimit(),
		"ListNamedEntities")
	if err != nil {
		return nil, err
	}
	return &admin.NamedEntityList{Entities: out, Token: token}, nil
}

// ---------------------------------------------------------------------------------------------------------------
// Description entities (manager/impl/description_entity_manager.go, transformers/description_entity.go). Stored
// from the description a CreateTask/CreateWorkflow request carries, as admin does.

// GetDescriptionEntity returns one; NotFound "entry not found" as admin.
func (s *Service) GetDescriptionEntity(_ context.Context, req *admin.ObjectGetRequest) (*admin.DescriptionEntity, error) {
	if err := regResourceType(req.GetId().GetResourceType()); err != nil {
		return nil, err
	}
	if err := regIdentifierFieldsSet(req.GetId()); err != nil {
		return nil, err
	}
	d := &admin.DescriptionEntity{}
	ok, err := s.db.Get(BucketDescriptionEntities, regDescriptionKey(req.GetId()), d)
	if err != nil {
		return nil, dbError(err)
	}
	if !ok {
		return nil, regEntryNotFound
	}
	return d, nil
}

// ListDescriptionEntities lists the description entities of a name (all its versions) of the requested resource
// type. Filters are checked against the task or workflow columns, as admin does.
func (s *Service) ListDescriptionEntities(_ context.Context, req *admin.DescriptionEntityListRequest) (
	*admin.DescriptionEntityList, error) {
	id := req.GetId()
	switch {
	case id == nil:
		return nil, regMissingArg("id")
	case id.GetProject() == "":
		return nil, regMissingArg("project")
	case id.GetDomain() == "":
		return nil, regMissingArg("domain")
	case id.GetName() == "":
		return nil, regMissingArg("name")
	}
	if err := regLimit(req.GetLimit()); err != nil {
		return nil, err
	}
	primary := map[core.ResourceType]string{core.ResourceType_TASK: regEntTask, core.ResourceType_WORKFLOW: regEntWorkflow,
		core.ResourceType_LAUNCH_PLAN: regEntLaunchPlan}[req.GetResourceType()]
	var conds []regCondition
	if req.GetFilters() != "" {
		if primary == "" {
			return nil, status.Errorf(codes.Unknown, "unsupported entity '%s'", primary)
		}
		var err error
		if conds, err = regParseFilters(req.GetFilters(), primary); err != nil {
			return nil, err
		}
	}
	sp, err := newRegSort(req.GetSortBy(), regDescriptionEntityColumns, regCreatedAtDesc)
	if err != nil {
		return nil, err
	}
	recs, err := store.List(s.db, BucketDescriptionEntities, store.Key(strconv.Itoa(int(req.GetResourceType())),
		id.GetProject(), id.GetDomain(), id.GetName(), ""), regNewDescriptionEntity)
	if err != nil {
		return nil, dbError(err)
	}
	recs = regFilter(recs, conds, regDescriptionEntityField)
	// Description entities have no time of their own here: order by version when created_at is asked for.
	if sp != nil && (sp.key == "created_at" || sp.key == "updated_at" || sp.key == "id") {
		sp = &regSort{key: "version", desc: sp.desc}
	}
	out, token, err := regPage(recs, sp, regDescriptionEntityField, "", req.GetToken(), req.GetLimit(), "ListWorkflows")
	if err != nil {
		return nil, err
	}
	return &admin.DescriptionEntityList{DescriptionEntities: out, Token: token}, nil
}

// ---------------------------------------------------------------------------------------------------------------
// Matchable attributes (manager/impl/resources/resource_manager.go, validation/attributes_validator.go,
// repositories/gormimpl/resource_repo.go, transformers/resource.go).

func attributesKey(rt admin.MatchableResource, project, domain, workflow string) string {
	return store.Key(rt.String(), project, domain, workflow)
}

// regResourceID prints as admin's repository ResourceID does in its messages.
type regResourceID struct {
	Project      string
	Domain       string
	Workflow     string
	LaunchPlan   string
	ResourceType string
}

func regResourceNotFound(rt admin.MatchableResource, project, domain, workflow string) error {
	return status.Errorf(codes.NotFound, "Resource [%+v] not found",
		regResourceID{Project: project, Domain: domain, Workflow: workflow, ResourceType: rt.String()})
}

// regMatchingType is admin's validateMatchingAttributes: the resource type a MatchingAttributes sets.
func regMatchingType(a *admin.MatchingAttributes, identifier string) (admin.MatchableResource, error) {
	switch {
	case a == nil:
		return -1, regMissingArg("matching_attributes")
	case a.GetTaskResourceAttributes() != nil:
		return admin.MatchableResource_TASK_RESOURCE, nil
	case a.GetClusterResourceAttributes() != nil:
		return admin.MatchableResource_CLUSTER_RESOURCE, nil
	case a.GetExecutionQueueAttributes() != nil:
		return admin.MatchableResource_EXECUTION_QUEUE, nil
	case a.GetExecutionClusterLabel() != nil:
		return admin.MatchableResource_EXECUTION_CLUSTER_LABEL, nil
	case a.GetPluginOverrides() != nil:
		return admin.MatchableResource_PLUGIN_OVERRIDE, nil
	case a.GetWorkflowExecutionConfig() != nil:
		return admin.MatchableResource_WORKFLOW_EXECUTION_CONFIG, nil
	case a.GetClusterAssignment() != nil:
		return admin.MatchableResource_CLUSTER_ASSIGNMENT, nil
	}
	return -1, status.Errorf(codes.InvalidArgument, "Unrecognized matching attributes type for request %s", identifier)
}

// putAttributes stores a setting; plugin overrides merge with what is there, by task type (admin's
// createOrMergeUpdate*: the new override of a task type replaces the old one, others stay).
func (s *Service) putAttributes(rt admin.MatchableResource, project, domain, workflow string,
	attrs *admin.MatchingAttributes) error {
	s.regMu.Lock()
	defer s.regMu.Unlock()
	c := &admin.MatchableAttributesConfiguration{}
	err := s.db.Update(BucketAttributes, attributesKey(rt, project, domain, workflow), c, func(found bool) error {
		merged := attrs
		if found && rt == admin.MatchableResource_PLUGIN_OVERRIDE {
			byType := map[string]*admin.PluginOverride{}
			for _, o := range c.GetAttributes().GetPluginOverrides().GetOverrides() {
				byType[o.GetTaskType()] = o
			}
			for _, o := range attrs.GetPluginOverrides().GetOverrides() {
				byType[o.GetTaskType()] = o
			}
			overrides := make([]*admin.PluginOverride, 0, len(byType))
			for _, k := range regSortedKeys(byType) {
				overrides = append(overrides, byType[k])
			}
			merged = &admin.MatchingAttributes{Target: &admin.MatchingAttributes_PluginOverrides{
				PluginOverrides: &admin.PluginOverrides{Overrides: overrides}}}
		}
		c.Attributes = merged
		c.Project, c.Domain, c.Workflow = project, domain, workflow
		return nil
	})
	return dbError(err)
}

func (s *Service) deleteAttributes(rt admin.MatchableResource, project, domain, workflow string) error {
	if err := s.db.Delete(BucketAttributes, attributesKey(rt, project, domain, workflow)); err != nil {
		return dbError(err)
	}
	return nil
}

// UpdateProjectDomainAttributes sets a project-domain level attribute.
func (s *Service) UpdateProjectDomainAttributes(_ context.Context, req *admin.ProjectDomainAttributesUpdateRequest) (
	*admin.ProjectDomainAttributesUpdateResponse, error) {
	a := req.GetAttributes()
	if a == nil {
		return nil, regMissingArg("attributes")
	}
	if err := s.checkProjectAndDomain(a.GetProject(), a.GetDomain()); err != nil {
		return nil, err
	}
	rt, err := regMatchingType(a.GetMatchingAttributes(), fmt.Sprintf("%s-%s", a.GetProject(), a.GetDomain()))
	if err != nil {
		return nil, err
	}
	if err := s.putAttributes(rt, a.GetProject(), a.GetDomain(), "", a.GetMatchingAttributes()); err != nil {
		return nil, err
	}
	return &admin.ProjectDomainAttributesUpdateResponse{}, nil
}

// GetProjectDomainAttributes returns the most specific setting for project/domain (a project-level one when there
// is no project-domain one, as admin's repository Get does); NotFound when none.
func (s *Service) GetProjectDomainAttributes(_ context.Context, req *admin.ProjectDomainAttributesGetRequest) (
	*admin.ProjectDomainAttributesGetResponse, error) {
	if err := s.checkProjectAndDomain(req.GetProject(), req.GetDomain()); err != nil {
		return nil, err
	}
	c, err := s.matchableAttributes(req.GetResourceType(), req.GetProject(), req.GetDomain(), "")
	if err != nil {
		return nil, err
	}
	if c == nil {
		return nil, regResourceNotFound(req.GetResourceType(), req.GetProject(), req.GetDomain(), "")
	}
	return &admin.ProjectDomainAttributesGetResponse{Attributes: &admin.ProjectDomainAttributes{
		Project: c.GetProject(), Domain: c.GetDomain(), MatchingAttributes: c.GetAttributes()}}, nil
}

// DeleteProjectDomainAttributes removes a project-domain level setting (no error when there is none, as admin).
func (s *Service) DeleteProjectDomainAttributes(_ context.Context, req *admin.ProjectDomainAttributesDeleteRequest) (
	*admin.ProjectDomainAttributesDeleteResponse, error) {
	if err := s.checkProjectAndDomain(req.GetProject(), req.GetDomain()); err != nil {
		return nil, err
	}
	if err := s.deleteAttributes(req.GetResourceType(), req.GetProject(), req.GetDomain(), ""); err != nil {
		return nil, err
	}
	return &admin.ProjectDomainAttributesDeleteResponse{}, nil
}

// UpdateProjectAttributes sets a project level attribute.
func (s *Service) UpdateProjectAttributes(_ context.Context, req *admin.ProjectAttributesUpdateRequest) (
	*admin.ProjectAttributesUpdateResponse, error) {
	a := req.GetAttributes()
	if a == nil {
		return nil, regMissingArg("attributes")
	}
	if err := s.checkProjectForUpdate(a.GetProject()); err != nil {
		return nil, err
	}
	rt, err := regMatchingType(a.GetMatchingAttributes(), a.GetProject())
	if err != nil {
		return nil, err
	}
	if err := s.putAttributes(rt, a.GetProject(), "", "", a.GetMatchingAttributes()); err != nil {
		return nil, err
	}
	return &admin.ProjectAttributesUpdateResponse{}, nil
}

// regDefaultMaxParallelism is admin's application default (runtime/application_config_provider.go).
const regDefaultMaxParallelism = 25

// regConfigExecutionConfig is admin's GetAsWorkflowExecutionConfig of the lab's (default) application config.
func regConfigExecutionConfig() *admin.WorkflowExecutionConfig {
	return &admin.WorkflowExecutionConfig{MaxParallelism: regDefaultMaxParallelism}
}

// GetProjectAttributes returns the project-level setting. For WORKFLOW_EXECUTION_CONFIG admin answers with the
// config defaults when there is none, and merges them into one that is set.
func (s *Service) GetProjectAttributes(_ context.Context, req *admin.ProjectAttributesGetRequest) (
	*admin.ProjectAttributesGetResponse, error) {
	if _, err := s.getProject(req.GetProject()); err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "failed to validate that project [%s] exists, err: [%+v]",
			req.GetProject(), errMessage(err))
	}
	rt := req.GetResourceType()
	c := &admin.MatchableAttributesConfiguration{}
	ok, err := s.db.Get(BucketAttributes, attributesKey(rt, req.GetProject(), "", ""), c)
	if err != nil {
		return nil, dbError(err)
	}
	wecAttrs := func(w *admin.WorkflowExecutionConfig) *admin.ProjectAttributesGetResponse {
		return &admin.ProjectAttributesGetResponse{Attributes: &admin.ProjectAttributes{Project: req.GetProject(),
			MatchingAttributes: &admin.MatchingAttributes{Target: &admin.MatchingAttributes_WorkflowExecutionConfig{
				WorkflowExecutionConfig: w}}}}
	}
	if !ok {
		if rt == admin.MatchableResource_WORKFLOW_EXECUTION_CONFIG {
			return wecAttrs(regConfigExecutionConfig()), nil
		}
		return nil, regResourceNotFound(rt, req.GetProject(), "", "")
	}
	if w := c.GetAttributes().GetWorkflowExecutionConfig(); w != nil {
		w = proto.Clone(w).(*admin.WorkflowExecutionConfig)
		if w.GetMaxParallelism() == 0 {
			w.MaxParallelism = regConfigExecutionConfig().GetMaxParallelism()
		}
		return wecAttrs(w), nil
	}
	return &admin.ProjectAttributesGetResponse{Attributes: &admin.ProjectAttributes{Project: req.GetProject(),
		MatchingAttributes: c.GetAttributes()}}, nil
}

// DeleteProjectAttributes removes a project-level setting.
func (s *Service) DeleteProjectAttributes(_ context.Context, req *admin.ProjectAttributesDeleteRequest) (
	*admin.ProjectAttributesDeleteResponse, error) {
	if err := s.checkProjectForUpdate(req.GetProject()); err != nil {
		return nil, err
	}
	if err := s.deleteAttributes(req.GetResourceType(), req.GetProject(), "", ""); err != nil {
		return nil, err
	}
	return &admin.ProjectAttributesDeleteResponse{}, nil
}

// UpdateWorkflowAttributes sets a workflow level attribute.
func (s *Service) UpdateWorkflowAttributes(_ context.Context, req *admin.WorkflowAttributesUpdateRequest) (
	*admin.WorkflowAttributesUpdateResponse, error) {
	a := req.GetAttributes()
	if a == nil {
		return nil, regMissingArg("attributes")
	}
	if err := s.checkProjectAndDomain(a.GetProject(), a.GetDomain()); err != nil {
		return nil, err
	}
	if a.GetWorkflow() == "" {
		return nil, regMissingArg("name")
	}
	rt, err := regMatchingType(a.GetMatchingAttributes(), fmt.Sprintf("%s-%s-%s", a.GetProject(), a.GetDomain(),
		a.GetWorkflow()))
	if err != nil {
		return nil, err
	}
	if err := s.putAttributes(rt, a.GetProject(), a.GetDomain(), a.GetWorkflow(), a.GetMatchingAttributes()); err != nil {
		return nil, err
	}
	return &admin.WorkflowAttributesUpdateResponse{}, nil
}

// GetWorkflowAttributes returns the most specific setting for the workflow (workflow, then project-domain, then
// project level, as admin's repository Get); NotFound when none.
func (s *Service) GetWorkflowAttributes(_ context.Context, req *admin.WorkflowAttributesGetRequest) (
	*admin.WorkflowAttributesGetResponse, error) {
	if err := s.checkProjectAndDomain(req.GetProject(), req.GetDomain()); err != nil {
		return nil, err
	}
	if req.GetWorkflow() == "" {
		return nil, regMissingArg("name")
	}
	c, err := s.matchableAttributes(req.GetResourceType(), req.GetProject(), req.GetDomain(), req.GetWorkflow())
	if err != nil {
		return nil, err
	}
	if c == nil {
		return nil, regResourceNotFound(req.GetResourceType(), req.GetProject(), req.GetDomain(), req.GetWorkflow())
	}
	return &admin.WorkflowAttributesGetResponse{Attributes: &admin.WorkflowAttributes{Project: c.GetProject(),
		Domain: c.GetDomain(), Workflow: c.GetWorkflow(), MatchingAttributes: c.GetAttributes()}}, nil
}

// DeleteWorkflowAttributes removes a workflow-level setting.
func (s *Service) DeleteWorkflowAttributes(_ context.Context, req *admin.WorkflowAttributesDeleteRequest) (
	*admin.WorkflowAttributesDeleteResponse, error) {
	if err := s.checkProjectAndDomain(req.GetProject(), req.GetDomain()); err != nil {
		return nil, err
	}
	if req.GetWorkflow() == "" {
		return nil, regMissingArg("name")
	}
	if err := s.deleteAttributes(req.GetResourceType(), req.GetProject(), req.GetDomain(), req.GetWorkflow()); err != nil {
		return nil, err
	}
	return &admin.WorkflowAttributesDeleteResponse{}, nil
}

// ListMatchableAttributes lists every setting of one resource type, most specific first.
func (s *Service) ListMatchableAttributes(_ context.Context, req *admin.ListMatchableAttributesRequest) (
	*admin.ListMatchableAttributesResponse, error) {
	rt := req.GetResourceType()
	if _, ok := admin.MatchableResource_name[int32(rt)]; !ok {
		return nil, regInvalidArg("resource_type")
	}
	recs, err := store.List(s.db, BucketAttributes, store.Key(rt.String(), ""), regNewAttributes)
	if err != nil {
		return nil, dbError(err)
	}
	priority := func(c *admin.MatchableAttributesConfiguration) int {
		switch {
		case c.GetWorkflow() != "":
			return 100
		case c.GetDomain() != "":
			return 10
		}
		return 5
	}
	sort.SliceStable(recs, func(i, j int) bool { return priority(recs[i]) > priority(recs[j]) })
	return &admin.ListMatchableAttributesResponse{Configurations: recs}, nil
}

// ---------------------------------------------------------------------------------------------------------------
// Version (manager/impl/version_manager.go).

// GetVersion reports the FlyteAdmin version the lab's control plane follows; Build says that it is the lab's.
func (s *Service) GetVersion(context.Context, *admin.GetVersionRequest) (*admin.GetVersionResponse, error) {
	started := s.started
	if started.IsZero() {
		started = time.Now()
	}
	return &admin.GetVersionResponse{ControlPlaneVersion: &admin.Version{
		Version:   "v1.16.8",
		Build:     "flyte-lab (FlyteAdmin-compatible control plane of the Flyte lab, not FlyteAdmin)",
		BuildTime: started.UTC().Format(time.RFC3339),
	}}, nil
}
