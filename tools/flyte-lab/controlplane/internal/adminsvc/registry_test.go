package adminsvc

// Tests of registry.go on a real bbolt file in a temp dir. Namespaces go to client-go's fake clientset, or to the
// lab's kube-apiserver when FLYTE_LAB_KUBECONFIG names its kubeconfig. TestRegisterPyflyteBundle registers what
// `pyflyte package` (flytekit 1.16 in tools/flytekit-check/.venv) makes of tools/flytekit-check/fixtures, as
// `flytectl register files` would; it is skipped when that venv is missing.

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/unionml-ts/tools/flyte-lab/controlplane/internal/store"
)

const (
	rtProj = "flytesnacks"
	rtDev  = "development"
)

// rtNewTestService opens (or reopens) the database in dir and makes a Service over it, seeded with flytesnacks.
func rtNewTestService(t *testing.T, dir string, kube kubernetes.Interface) *Service {
	t.Helper()
	db, err := store.Open(filepath.Join(dir, "admin.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s := &Service{
		cfg: Config{DB: db, Domains: []string{"development", "staging", "production"}, SeedProjects: []string{rtProj},
			NamespaceTemplate: "{{ project }}-{{ domain }}"},
		db:   db,
		kube: kube,
	}
	if err := s.seed(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

func rtWantCode(t *testing.T, err error, code codes.Code, contains string) {
	t.Helper()
	st, _ := status.FromError(err)
	if err == nil || st.Code() != code || !strings.Contains(st.Message(), contains) {
		t.Fatalf("want %v containing %q, got %v", code, contains, err)
	}
}

func rtMust(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func rtSimple(s core.SimpleType) *core.LiteralType {
	return &core.LiteralType{Type: &core.LiteralType_Simple{Simple: s}}
}

func rtVars(kv ...any) *core.VariableMap {
	m := &core.VariableMap{Variables: map[string]*core.Variable{}}
	for i := 0; i < len(kv); i += 2 {
		m.Variables[kv[i].(string)] = &core.Variable{Type: rtSimple(kv[i+1].(core.SimpleType))}
	}
	return m
}

func rtIdent(rt core.ResourceType, name, version string) *core.Identifier {
	return &core.Identifier{ResourceType: rt, Project: rtProj, Domain: rtDev, Name: name, Version: version}
}

// rtTaskTemplate is a Python-like container task: inputs and outputs as given.
func rtTaskTemplate(image string, in, out *core.VariableMap) *core.TaskTemplate {
	return &core.TaskTemplate{
		Type:      "python-task",
		Metadata:  &core.TaskMetadata{Runtime: &core.RuntimeMetadata{Type: core.RuntimeMetadata_FLYTE_SDK, Version: "1.16.0", Flavor: "python"}},
		Interface: &core.TypedInterface{Inputs: in, Outputs: out},
		Target: &core.TaskTemplate_Container{Container: &core.Container{
			Image: image, Args: []string{"pyflyte-execute", "--inputs", "{{.input}}", "--output-prefix", "{{.outputPrefix}}"},
			Resources: &core.Resources{
				Requests: []*core.Resources_ResourceEntry{{Name: core.Resources_CPU, Value: "500m"}},
				Limits:   []*core.Resources_ResourceEntry{{Name: core.Resources_CPU, Value: "1"}},
			},
		}},
	}
}

func rtCreateTask(s *Service, name, version string, tmpl *core.TaskTemplate) error {
	_, err := s.CreateTask(context.Background(), &admin.TaskCreateRequest{
		Id: rtIdent(core.ResourceType_TASK, name, version), Spec: &admin.TaskSpec{Template: tmpl,
			Description: &admin.DescriptionEntity{ShortDescription: "task " + name}}})
	return err
}

func rtPromise(node, v string) *core.BindingData {
	return &core.BindingData{Value: &core.BindingData_Promise{Promise: &core.OutputReference{NodeId: node, Var: v}}}
}

func rtTaskNode(id string, task *core.Identifier, inputs map[string]*core.BindingData) *core.Node {
	n := &core.Node{Id: id, Metadata: &core.NodeMetadata{Name: id},
		Target: &core.Node_TaskNode{TaskNode: &core.TaskNode{Reference: &core.TaskNode_ReferenceId{ReferenceId: task}}}}
	for _, k := range regSortedKeys(inputs) {
		n.Inputs = append(n.Inputs, &core.Binding{Var: k, Binding: inputs[k]})
	}
	return n
}

// rtChainWorkflow: x:int → n0 = first(a=x) → n1 = second(<secondInput>=n0.o0) → o0 = n1.o0.
func rtChainWorkflow(first, second *core.Identifier, secondInput string, out core.SimpleType) *core.WorkflowTemplate {
	return &core.WorkflowTemplate{
		Metadata:  &core.WorkflowMetadata{},
		Interface: &core.TypedInterface{Inputs: rtVars("x", core.SimpleType_INTEGER), Outputs: rtVars("o0", out)},
		Nodes: []*core.Node{
			rtTaskNode("n0", first, map[string]*core.BindingData{"a": rtPromise("start-node", "x")}),
			rtTaskNode("n1", second, map[string]*core.BindingData{secondInput: rtPromise("n0", "o0")}),
		},
		Outputs: []*core.Binding{{Var: "o0", Binding: rtPromise("n1", "o0")}},
	}
}

func rtCreateWorkflow(s *Service, name, version string, tmpl *core.WorkflowTemplate) error {
	_, err := s.CreateWorkflow(context.Background(), &admin.WorkflowCreateRequest{
		Id: rtIdent(core.ResourceType_WORKFLOW, name, version), Spec: &admin.WorkflowSpec{Template: tmpl,
			Description: &admin.DescriptionEntity{ShortDescription: "workflow " + name}}})
	return err
}

func rtIntLiteral(v int64) *core.Literal {
	return &core.Literal{Value: &core.Literal_Scalar{Scalar: &core.Scalar{Value: &core.Scalar_Primitive{
		Primitive: &core.Primitive{Value: &core.Primitive_Integer{Integer: v}}}}}}
}

func rtStrLiteral(v string) *core.Literal {
	return &core.Literal{Value: &core.Literal_Scalar{Scalar: &core.Scalar{Value: &core.Scalar_Primitive{
		Primitive: &core.Primitive{Value: &core.Primitive_StringValue{StringValue: v}}}}}}
}

func rtLpSpec(wf *core.Identifier, defaults map[string]*core.Literal, fixed map[string]*core.Literal) *admin.LaunchPlanSpec {
	spec := &admin.LaunchPlanSpec{WorkflowId: wf, DefaultInputs: &core.ParameterMap{Parameters: map[string]*core.Parameter{}},
		FixedInputs: &core.LiteralMap{Literals: fixed}}
	for k, v := range defaults {
		spec.DefaultInputs.Parameters[k] = &core.Parameter{Var: &core.Variable{Type: rtSimple(core.SimpleType_INTEGER)},
			Behavior: &core.Parameter_Default{Default: v}}
	}
	return spec
}

func rtCreateLP(s *Service, name, version string, spec *admin.LaunchPlanSpec) error {
	_, err := s.CreateLaunchPlan(context.Background(), &admin.LaunchPlanCreateRequest{
		Id: rtIdent(core.ResourceType_LAUNCH_PLAN, name, version), Spec: spec})
	return err
}

// rtRegisterBasics registers tasks double (int→int) and shout (string→string), workflow wf (double twice) and launch
// plan wf (x defaults to 3), all at version v1.
func rtRegisterBasics(t *testing.T, s *Service) {
	t.Helper()
	rtMust(t, rtCreateTask(s, "double", "v1", rtTaskTemplate("img:1", rtVars("a", core.SimpleType_INTEGER), rtVars("o0", core.SimpleType_INTEGER))))
	rtMust(t, rtCreateTask(s, "shout", "v1", rtTaskTemplate("img:1", rtVars("s", core.SimpleType_STRING), rtVars("o0", core.SimpleType_STRING))))
	double := rtIdent(core.ResourceType_TASK, "double", "v1")
	rtMust(t, rtCreateWorkflow(s, "wf", "v1", rtChainWorkflow(double, double, "a", core.SimpleType_INTEGER)))
	rtMust(t, rtCreateLP(s, "wf", "v1", rtLpSpec(rtIdent(core.ResourceType_WORKFLOW, "wf", "v1"),
		map[string]*core.Literal{"x": rtIntLiteral(3)}, nil)))
}

func TestSeedAndProjects(t *testing.T) {
	ctx := context.Background()
	kube := fake.NewSimpleClientset()
	s := rtNewTestService(t, t.TempDir(), kube)
	p, err := s.GetProject(ctx, &admin.ProjectGetRequest{Id: rtProj})
	rtMust(t, err)
	if p.GetName() != rtProj || p.GetDescription() != "flytesnacks description" || len(p.GetDomains()) != 3 ||
		p.GetDomains()[0].GetId() != "development" || p.GetDomains()[0].GetName() != "development" {
		t.Fatalf("seeded project: %v", p)
	}
	for _, d := range []string{"development", "staging", "production"} {
		if _, err := kube.CoreV1().Namespaces().Get(ctx, "flytesnacks-"+d, metav1.GetOptions{}); err != nil {
			t.Fatalf("namespace flytesnacks-%s: %v", d, err)
		}
	}
	_, err = s.GetProject(ctx, &admin.ProjectGetRequest{Id: "nope"})
	rtWantCode(t, err, codes.NotFound, "project [nope] not found")

	_, err = s.RegisterProject(ctx, &admin.ProjectRegisterRequest{Project: &admin.Project{Id: "Bad_Id", Name: "x"}})
	rtWantCode(t, err, codes.InvalidArgument, "invalid project id [Bad_Id]: [a lowercase RFC 1123 label must consist of")
	_, err = s.RegisterProject(ctx, &admin.ProjectRegisterRequest{Project: &admin.Project{Id: "ok"}})
	rtWantCode(t, err, codes.InvalidArgument, "missing project_name")
	_, err = s.RegisterProject(ctx, &admin.ProjectRegisterRequest{Project: &admin.Project{Id: strings.Repeat("a", 64), Name: "x"}})
	rtWantCode(t, err, codes.InvalidArgument, "must be no more than 63 characters")
	_, err = s.RegisterProject(ctx, &admin.ProjectRegisterRequest{Project: &admin.Project{Id: "ok", Name: "x",
		Labels: &admin.Labels{Values: map[string]string{"bad key!": "v"}}}})
	rtWantCode(t, err, codes.InvalidArgument, "invalid label key [bad key!]")
	_, err = s.RegisterProject(ctx, &admin.ProjectRegisterRequest{Project: &admin.Project{Id: "ok", Name: "x",
		Domains: []*admin.Domain{{Id: "development"}}}})
	rtWantCode(t, err, codes.InvalidArgument, "Domains are currently only set system wide")
	_, err = s.RegisterProject(ctx, &admin.ProjectRegisterRequest{Project: &admin.Project{Id: rtProj, Name: "again"}})
	rtWantCode(t, err, codes.AlreadyExists, "value with matching already exists")

	for _, id := range []string{"zeta", "alpha", "mid"} {
		_, err := s.RegisterProject(ctx, &admin.ProjectRegisterRequest{Project: &admin.Project{Id: id, Name: strings.ToUpper(id),
			Labels: &admin.Labels{Values: map[string]string{"team": "ml"}}}})
		rtMust(t, err)
	}
	if _, err := kube.CoreV1().Namespaces().Get(ctx, "alpha-staging", metav1.GetOptions{}); err != nil {
		t.Fatalf("namespace of a registered project: %v", err)
	}
	// Archive "mid": it leaves the default list, and stays reachable with a state filter.
	_, err = s.UpdateProject(ctx, &admin.Project{Id: "mid", State: admin.Project_ARCHIVED})
	rtMust(t, err)
	mid, _ := s.GetProject(ctx, &admin.ProjectGetRequest{Id: "mid"})
	if mid.GetName() != "MID" || mid.GetState() != admin.Project_ARCHIVED || mid.GetLabels().GetValues()["team"] != "ml" {
		t.Fatalf("update kept name/labels and set state: %v", mid)
	}
	_, err = s.UpdateProject(ctx, &admin.Project{Id: "ghost", Name: "g"})
	rtWantCode(t, err, codes.NotFound, "project [ghost] not found")

	all, err := s.ListProjects(ctx, &admin.ProjectListRequest{})
	rtMust(t, err)
	if got := rtProjectIDs(all); got != "alpha,flytesnacks,zeta" || all.GetToken() != "" {
		t.Fatalf("default list (identifier asc, no archived): %s token %q", got, all.GetToken())
	}
	pg, err := s.ListProjects(ctx, &admin.ProjectListRequest{Limit: 2})
	rtMust(t, err)
	if rtProjectIDs(pg) != "alpha,flytesnacks" || pg.GetToken() != "2" {
		t.Fatalf("first page: %s %q", rtProjectIDs(pg), pg.GetToken())
	}
	pg, err = s.ListProjects(ctx, &admin.ProjectListRequest{Limit: 2, Token: pg.GetToken()})
	rtMust(t, err)
	if rtProjectIDs(pg) != "zeta" || pg.GetToken() != "" {
		t.Fatalf("second page: %s %q", rtProjectIDs(pg), pg.GetToken())
	}
	archived, err := s.ListProjects(ctx, &admin.ProjectListRequest{Filters: "eq(state,1)"})
	rtMust(t, err)
	if rtProjectIDs(archived) != "mid" {
		t.Fatalf("archived filter: %s", rtProjectIDs(archived))
	}
	desc, err := s.ListProjects(ctx, &admin.ProjectListRequest{Filters: "value_in(identifier,alpha;zeta;mid)",
		SortBy: &admin.Sort{Key: "name", Direction: admin.Sort_DESCENDING}})
	rtMust(t, err)
	if rtProjectIDs(desc) != "zeta,mid,alpha" {
		t.Fatalf("value_in + name desc: %s", rtProjectIDs(desc))
	}
	_, err = s.ListProjects(ctx, &admin.ProjectListRequest{SortBy: &admin.Sort{Key: "bogus"}})
	rtWantCode(t, err, codes.InvalidArgument, "invalid sort key 'bogus'")
	_, err = s.ListProjects(ctx, &admin.ProjectListRequest{Filters: "eq(bogus,1)"})
	rtWantCode(t, err, codes.InvalidArgument, "'p.bogus' is invalid filter")
	_, err = s.ListProjects(ctx, &admin.ProjectListRequest{Token: "x"})
	rtWantCode(t, err, codes.InvalidArgument, "invalid pagination token x for ListProjects")

	doms, err := s.GetDomains(ctx, &admin.GetDomainRequest{})
	rtMust(t, err)
	if len(doms.GetDomains()) != 3 || doms.GetDomains()[2].GetName() != "production" {
		t.Fatalf("domains: %v", doms)
	}
	// Registration into an archived project is refused with admin's inactive-project error.
	_, err = s.CreateTask(ctx, &admin.TaskCreateRequest{Id: &core.Identifier{ResourceType: core.ResourceType_TASK,
		Project: "mid", Domain: rtDev, Name: "t", Version: "v"}, Spec: &admin.TaskSpec{Template: rtTaskTemplate("i", nil, nil)}})
	rtWantCode(t, err, codes.InvalidArgument, "project [mid] is not active")
}

func rtProjectIDs(ps *admin.Projects) string {
	var ids []string
	for _, p := range ps.GetProjects() {
		ids = append(ids, p.GetId())
	}
	return strings.Join(ids, ",")
}

func TestTaskRegistration(t *testing.T) {
	ctx := context.Background()
	s := rtNewTestService(t, t.TempDir(), fake.NewSimpleClientset())
	tmpl := rtTaskTemplate("img:1", rtVars("a", core.SimpleType_INTEGER), rtVars("o0", core.SimpleType_INTEGER))
	rtMust(t, rtCreateTask(s, "double", "v1", tmpl))

	got, err := s.GetTask(ctx, &admin.ObjectGetRequest{Id: rtIdent(core.ResourceType_TASK, "double", "v1")})
	rtMust(t, err)
	if got.GetClosure().GetCompiledTask().GetTemplate().GetId().GetName() != "double" || got.GetClosure().GetCreatedAt() == nil ||
		got.GetShortDescription() != "task double" || got.GetId().GetResourceType() != core.ResourceType_TASK {
		t.Fatalf("stored task: %v", got)
	}

	// The same spec again: admin's ALREADY_EXISTS "identical structure" (clients treat it as registered).
	rtWantCode(t, rtCreateTask(s, "double", "v1", tmpl), codes.AlreadyExists, "task with identical structure already exists")
	// A different spec under the same id.
	other := rtTaskTemplate("img:2", rtVars("a", core.SimpleType_INTEGER), rtVars("o0", core.SimpleType_INTEGER))
	err = rtCreateTask(s, "double", "v1", other)
	rtWantCode(t, err, codes.InvalidArgument, "double task with different structure already exists. (Please register a new version of the task):\n")
	rtWantCode(t, err, codes.InvalidArgument, "img:1")

	// Validation and compilation errors.
	_, err = s.CreateTask(ctx, &admin.TaskCreateRequest{Id: &core.Identifier{ResourceType: core.ResourceType_TASK, Project: rtProj, Domain: rtDev, Name: "x"}})
	rtWantCode(t, err, codes.InvalidArgument, "missing version")
	_, err = s.CreateTask(ctx, &admin.TaskCreateRequest{Id: &core.Identifier{Project: rtProj, Domain: rtDev, Name: "x", Version: "1"}})
	rtWantCode(t, err, codes.InvalidArgument, "unexpected resource type unspecified for identifier")
	_, err = s.CreateTask(ctx, &admin.TaskCreateRequest{Id: &core.Identifier{ResourceType: core.ResourceType_TASK, Project: "nope", Domain: rtDev, Name: "x", Version: "1"},
		Spec: &admin.TaskSpec{Template: tmpl}})
	rtWantCode(t, err, codes.InvalidArgument, "failed to validate that project [nope] and domain [development] are registered, err: [project [nope] not found]")
	_, err = s.CreateTask(ctx, &admin.TaskCreateRequest{Id: &core.Identifier{ResourceType: core.ResourceType_TASK, Project: rtProj, Domain: "qa", Name: "x", Version: "1"},
		Spec: &admin.TaskSpec{Template: tmpl}})
	rtWantCode(t, err, codes.InvalidArgument, "domain [qa] is unrecognized by system")
	_, err = s.CreateTask(ctx, &admin.TaskCreateRequest{Id: rtIdent(core.ResourceType_TASK, "x", "1")})
	rtWantCode(t, err, codes.InvalidArgument, "missing spec")
	noImage := rtTaskTemplate("", nil, nil)
	rtWantCode(t, rtCreateTask(s, "x", "1", noImage), codes.InvalidArgument, "missing image")
	bigReq := rtTaskTemplate("i", nil, nil)
	bigReq.GetContainer().Resources.Requests[0].Value = "2"
	rtWantCode(t, rtCreateTask(s, "x", "1", bigReq), codes.InvalidArgument, "Requested CPU default [2] is greater than the limit [1]")
	badRes := rtTaskTemplate("i", nil, nil)
	badRes.GetContainer().Resources.Limits[0].Value = "lots"
	rtWantCode(t, rtCreateTask(s, "x", "1", badRes), codes.InvalidArgument, "Parsing of CPU request failed for value lots")
	noMeta := rtTaskTemplate("i", nil, nil)
	noMeta.Metadata = nil
	rtWantCode(t, rtCreateTask(s, "x", "1", noMeta), codes.InvalidArgument, "missing metadata")
	// The compiler's own checks (a container without a command or args).
	noArgs := rtTaskTemplate("i", rtVars("a", core.SimpleType_INTEGER), nil)
	noArgs.GetContainer().Args = nil
	rtWantCode(t, rtCreateTask(s, "x", "1", noArgs), codes.InvalidArgument, "task failed compilation with")

	_, err = s.GetTask(ctx, &admin.ObjectGetRequest{Id: rtIdent(core.ResourceType_TASK, "double", "v9")})
	rtWantCode(t, err, codes.NotFound, "missing entity of type TASK with identifier")

	// Description entity stored from the request.
	de, err := s.GetDescriptionEntity(ctx, &admin.ObjectGetRequest{Id: rtIdent(core.ResourceType_TASK, "double", "v1")})
	rtMust(t, err)
	if de.GetShortDescription() != "task double" {
		t.Fatalf("description entity: %v", de)
	}
	_, err = s.GetDescriptionEntity(ctx, &admin.ObjectGetRequest{Id: rtIdent(core.ResourceType_TASK, "double", "v7")})
	rtWantCode(t, err, codes.NotFound, "entry not found")
	des, err := s.ListDescriptionEntities(ctx, &admin.DescriptionEntityListRequest{ResourceType: core.ResourceType_TASK,
		Id: &admin.NamedEntityIdentifier{Project: rtProj, Domain: rtDev, Name: "double"}, Limit: 10})
	rtMust(t, err)
	if len(des.GetDescriptionEntities()) != 1 {
		t.Fatalf("description entities: %v", des)
	}
}

func TestWorkflowRegistration(t *testing.T) {
	ctx := context.Background()
	s := rtNewTestService(t, t.TempDir(), fake.NewSimpleClientset())
	rtRegisterBasics(t, s)
	double := rtIdent(core.ResourceType_TASK, "double", "v1")
	shout := rtIdent(core.ResourceType_TASK, "shout", "v1")

	wf, err := s.GetWorkflow(ctx, &admin.ObjectGetRequest{Id: rtIdent(core.ResourceType_WORKFLOW, "wf", "v1")})
	rtMust(t, err)
	cw := wf.GetClosure().GetCompiledWorkflow()
	if len(cw.GetTasks()) != 1 || cw.GetPrimary().GetTemplate().GetId().GetName() != "wf" ||
		len(cw.GetPrimary().GetConnections().GetDownstream()) == 0 || wf.GetClosure().GetCreatedAt() == nil {
		t.Fatalf("compiled closure: %v", wf.GetClosure())
	}
	// Re-registering the same template: identical; a changed one: different structure (with the failure reason).
	same := rtChainWorkflow(double, double, "a", core.SimpleType_INTEGER)
	err = rtCreateWorkflow(s, "wf", "v1", same)
	rtWantCode(t, err, codes.AlreadyExists, "workflow with identical structure already exists")
	if d := status.Convert(err).Details(); len(d) != 1 || d[0].(*admin.CreateWorkflowFailureReason).GetExistsIdenticalStructure() == nil {
		t.Fatalf("identical-structure details: %v", d)
	}
	changed := rtChainWorkflow(double, double, "a", core.SimpleType_INTEGER)
	changed.Metadata = &core.WorkflowMetadata{OnFailure: core.WorkflowMetadata_FAIL_AFTER_EXECUTABLE_NODES_COMPLETE}
	rtWantCode(t, rtCreateWorkflow(s, "wf", "v1", changed), codes.InvalidArgument,
		"wf workflow with different structure already exists. (Please register a new version of the workflow):\n")

	// An int output wired to a string input: the compiler's MismatchingTypes, in admin's wrapping.
	err = rtCreateWorkflow(s, "bad", "v1", rtChainWorkflow(double, shout, "s", core.SimpleType_STRING))
	rtWantCode(t, err, codes.InvalidArgument, "failed to compile workflow for [")
	rtWantCode(t, err, codes.InvalidArgument, "with err: ")
	rtWantCode(t, err, codes.InvalidArgument, "Code: MismatchingTypes, Node Id: n1, Description: The output variable 'n0.o0' has type [simple:INTEGER], but it's assigned to the input variable 'n1.s' which has type type [simple:STRING].")
	// A workflow whose task is not registered.
	missing := rtIdent(core.ResourceType_TASK, "ghost", "v1")
	err = rtCreateWorkflow(s, "lost", "v1", rtChainWorkflow(double, missing, "a", core.SimpleType_INTEGER))
	rtWantCode(t, err, codes.InvalidArgument, "failed to compile workflow for [")
	rtWantCode(t, err, codes.InvalidArgument, "with err: missing entity of type TASK with identifier ")
	rtWantCode(t, err, codes.InvalidArgument, `name:"ghost"`)
	_, err = s.GetWorkflow(ctx, &admin.ObjectGetRequest{Id: rtIdent(core.ResourceType_WORKFLOW, "bad", "v1")})
	rtWantCode(t, err, codes.NotFound, "missing entity of type WORKFLOW")
	_, err = s.GetWorkflow(ctx, &admin.ObjectGetRequest{Id: rtIdent(core.ResourceType_TASK, "wf", "v1")})
	rtWantCode(t, err, codes.InvalidArgument, "unexpected resource type task for identifier")

	// A workflow that launches the launch plan wf as a node (launch plan interfaces reach the compiler).
	parent := &core.WorkflowTemplate{
		Metadata:  &core.WorkflowMetadata{},
		Interface: &core.TypedInterface{Inputs: rtVars("x", core.SimpleType_INTEGER), Outputs: rtVars("o0", core.SimpleType_INTEGER)},
		Nodes: []*core.Node{{Id: "n0", Metadata: &core.NodeMetadata{Name: "child"},
			Inputs: []*core.Binding{{Var: "x", Binding: rtPromise("start-node", "x")}},
			Target: &core.Node_WorkflowNode{WorkflowNode: &core.WorkflowNode{Reference: &core.WorkflowNode_LaunchplanRef{
				LaunchplanRef: rtIdent(core.ResourceType_LAUNCH_PLAN, "wf", "v1")}}}}},
		Outputs: []*core.Binding{{Var: "o0", Binding: rtPromise("n0", "o0")}},
	}
	rtMust(t, rtCreateWorkflow(s, "parent", "v1", parent))

	// Lists: the closure is reduced to the interface; names; sorting; filters.
	rtMust(t, rtCreateWorkflow(s, "wf", "v2", changed))
	list, err := s.ListWorkflows(ctx, &admin.ResourceListRequest{Id: &admin.NamedEntityIdentifier{Project: rtProj, Domain: rtDev, Name: "wf"}, Limit: 10})
	rtMust(t, err)
	if len(list.GetWorkflows()) != 2 || list.GetWorkflows()[0].GetId().GetVersion() != "v2" {
		t.Fatalf("workflow list (newest first): %v", list)
	}
	if w := list.GetWorkflows()[0]; w.GetClosure().GetCompiledWorkflow().GetPrimary().GetTemplate().GetInterface().GetInputs() == nil ||
		len(w.GetClosure().GetCompiledWorkflow().GetTasks()) != 0 {
		t.Fatalf("listed workflow closure: %v", w.GetClosure())
	}
	ids, err := s.ListWorkflowIds(ctx, &admin.NamedEntityIdentifierListRequest{Project: rtProj, Domain: rtDev, Limit: 10})
	rtMust(t, err)
	if len(ids.GetEntities()) != 2 || ids.GetEntities()[0].GetName() != "parent" || ids.GetEntities()[1].GetName() != "wf" {
		t.Fatalf("workflow ids: %v", ids)
	}
}

func TestLaunchPlans(t *testing.T) {
	ctx := context.Background()
	s := rtNewTestService(t, t.TempDir(), fake.NewSimpleClientset())
	rtRegisterBasics(t, s)
	wfID := rtIdent(core.ResourceType_WORKFLOW, "wf", "v1")
	lpID := rtIdent(core.ResourceType_LAUNCH_PLAN, "wf", "v1")

	lp, err := s.GetLaunchPlan(ctx, &admin.ObjectGetRequest{Id: lpID})
	rtMust(t, err)
	if lp.GetClosure().GetState() != admin.LaunchPlanState_INACTIVE ||
		lp.GetClosure().GetExpectedInputs().GetParameters()["x"].GetDefault().GetScalar().GetPrimitive().GetInteger() != 3 ||
		lp.GetClosure().GetExpectedOutputs().GetVariables()["o0"] == nil || lp.GetClosure().GetCreatedAt() == nil {
		t.Fatalf("launch plan closure: %v", lp.GetClosure())
	}
	// No default: the input becomes required in expected_inputs (and in the stored spec's default_inputs).
	rtMust(t, rtCreateLP(s, "wf_required", "v1", rtLpSpec(wfID, nil, nil)))
	req, _ := s.GetLaunchPlan(ctx, &admin.ObjectGetRequest{Id: rtIdent(core.ResourceType_LAUNCH_PLAN, "wf_required", "v1")})
	if !req.GetClosure().GetExpectedInputs().GetParameters()["x"].GetRequired() || !req.GetSpec().GetDefaultInputs().GetParameters()["x"].GetRequired() {
		t.Fatalf("required input: %v", req.GetClosure())
	}
	// Fixed input: not expected any more.
	rtMust(t, rtCreateLP(s, "wf_fixed", "v1", rtLpSpec(wfID, nil, map[string]*core.Literal{"x": rtIntLiteral(5)})))
	fx, _ := s.GetLaunchPlan(ctx, &admin.ObjectGetRequest{Id: rtIdent(core.ResourceType_LAUNCH_PLAN, "wf_fixed", "v1")})
	if len(fx.GetClosure().GetExpectedInputs().GetParameters()) != 0 {
		t.Fatalf("fixed input still expected: %v", fx.GetClosure())
	}

	// Idempotency.
	rtWantCode(t, rtCreateLP(s, "wf", "v1", rtLpSpec(wfID, map[string]*core.Literal{"x": rtIntLiteral(3)}, nil)), codes.AlreadyExists,
		"launch plan with identical structure already exists")
	rtWantCode(t, rtCreateLP(s, "wf", "v1", rtLpSpec(wfID, map[string]*core.Literal{"x": rtIntLiteral(4)}, nil)), codes.InvalidArgument,
		"wf launch plan with different structure already exists. (Please register a new version of the launch plan):\n")

	// Validation against the workflow's interface.
	rtWantCode(t, rtCreateLP(s, "e1", "v1", rtLpSpec(wfID, map[string]*core.Literal{"y": rtIntLiteral(1)}, nil)), codes.InvalidArgument,
		"unexpected default_input y")
	rtWantCode(t, rtCreateLP(s, "e2", "v1", rtLpSpec(wfID, nil, map[string]*core.Literal{"y": rtIntLiteral(1)})), codes.InvalidArgument,
		"unexpected fixed_input y")
	rtWantCode(t, rtCreateLP(s, "e3", "v1", rtLpSpec(wfID, nil, map[string]*core.Literal{"x": rtStrLiteral("three")})), codes.InvalidArgument,
		"invalid fixed_input wrong type x, expected simple:INTEGER, got simple:STRING instead")
	wrongDefault := rtLpSpec(wfID, map[string]*core.Literal{"x": rtStrLiteral("three")}, nil)
	rtWantCode(t, rtCreateLP(s, "e4", "v1", wrongDefault), codes.InvalidArgument, "Type mismatch for Parameter x in default_inputs has type")
	wrongVar := rtLpSpec(wfID, nil, nil)
	wrongVar.DefaultInputs.Parameters["x"] = &core.Parameter{Var: &core.Variable{Type: rtSimple(core.SimpleType_STRING)},
		Behavior: &core.Parameter_Default{Default: rtStrLiteral("s")}}
	rtWantCode(t, rtCreateLP(s, "e5", "v1", wrongVar), codes.InvalidArgument, "invalid default_input wrong type x")
	rtWantCode(t, rtCreateLP(s, "e6", "v1", rtLpSpec(rtIdent(core.ResourceType_WORKFLOW, "nowf", "v1"), nil, nil)), codes.NotFound,
		"missing entity of type WORKFLOW")
	scheduled := rtLpSpec(wfID, nil, nil)
	scheduled.EntityMetadata = &admin.LaunchPlanMetadata{Schedule: &admin.Schedule{ScheduleExpression: &admin.Schedule_CronSchedule{
		CronSchedule: &admin.CronSchedule{Schedule: "0 2 * * *"}}}}
	rtWantCode(t, rtCreateLP(s, "e7", "v1", scheduled), codes.InvalidArgument,
		"Cannot create a launch plan with a schedule if there is an unbound required input. [x] is required")
	badCron := rtLpSpec(wfID, map[string]*core.Literal{"x": rtIntLiteral(1)}, nil)
	badCron.EntityMetadata = &admin.LaunchPlanMetadata{Schedule: &admin.Schedule{ScheduleExpression: &admin.Schedule_CronSchedule{
		CronSchedule: &admin.CronSchedule{Schedule: "every day"}}}}
	rtWantCode(t, rtCreateLP(s, "e8", "v1", badCron), codes.InvalidArgument, "Invalid cron expression")

	// Activation: one active version per name.
	rtMust(t, rtCreateLP(s, "wf", "v2", rtLpSpec(wfID, map[string]*core.Literal{"x": rtIntLiteral(7)}, nil)))
	_, err = s.GetActiveLaunchPlan(ctx, &admin.ActiveLaunchPlanRequest{Id: &admin.NamedEntityIdentifier{Project: rtProj, Domain: rtDev, Name: "wf"}})
	rtWantCode(t, err, codes.NotFound, "No active launch plan could be found: flytesnacks:development:wf")
	_, err = s.UpdateLaunchPlan(ctx, &admin.LaunchPlanUpdateRequest{Id: lpID, State: admin.LaunchPlanState_ACTIVE})
	rtMust(t, err)
	_, err = s.UpdateLaunchPlan(ctx, &admin.LaunchPlanUpdateRequest{Id: rtIdent(core.ResourceType_LAUNCH_PLAN, "wf", "v2"), State: admin.LaunchPlanState_ACTIVE})
	rtMust(t, err)
	active, err := s.GetActiveLaunchPlan(ctx, &admin.ActiveLaunchPlanRequest{Id: &admin.NamedEntityIdentifier{Project: rtProj, Domain: rtDev, Name: "wf"}})
	rtMust(t, err)
	if active.GetId().GetVersion() != "v2" {
		t.Fatalf("active version: %v", active.GetId())
	}
	v1, _ := s.GetLaunchPlan(ctx, &admin.ObjectGetRequest{Id: lpID})
	if v1.GetClosure().GetState() != admin.LaunchPlanState_INACTIVE {
		t.Fatal("activating v2 left v1 active")
	}
	_, err = s.UpdateLaunchPlan(ctx, &admin.LaunchPlanUpdateRequest{Id: rtIdent(core.ResourceType_LAUNCH_PLAN, "wf_fixed", "v1"), State: admin.LaunchPlanState_ACTIVE})
	rtMust(t, err)
	all, err := s.activeLaunchPlans()
	rtMust(t, err)
	if len(all) != 2 {
		t.Fatalf("activeLaunchPlans: %d", len(all))
	}
	al, err := s.ListActiveLaunchPlans(ctx, &admin.ActiveLaunchPlanListRequest{Project: rtProj, Domain: rtDev, Limit: 10,
		SortBy: &admin.Sort{Key: "name", Direction: admin.Sort_ASCENDING}})
	rtMust(t, err)
	if len(al.GetLaunchPlans()) != 2 || al.GetLaunchPlans()[0].GetId().GetName() != "wf" {
		t.Fatalf("ListActiveLaunchPlans: %v", al)
	}
	_, err = s.UpdateLaunchPlan(ctx, &admin.LaunchPlanUpdateRequest{Id: rtIdent(core.ResourceType_LAUNCH_PLAN, "wf", "v2"), State: admin.LaunchPlanState_INACTIVE})
	rtMust(t, err)
	_, err = s.GetActiveLaunchPlan(ctx, &admin.ActiveLaunchPlanRequest{Id: &admin.NamedEntityIdentifier{Project: rtProj, Domain: rtDev, Name: "wf"}})
	rtWantCode(t, err, codes.NotFound, "No active launch plan")
	_, err = s.UpdateLaunchPlan(ctx, &admin.LaunchPlanUpdateRequest{Id: rtIdent(core.ResourceType_LAUNCH_PLAN, "wf", "v9"), State: admin.LaunchPlanState_ACTIVE})
	rtWantCode(t, err, codes.NotFound, "missing entity of type LAUNCH_PLAN")
	_, err = s.UpdateLaunchPlan(ctx, &admin.LaunchPlanUpdateRequest{Id: rtIdent(core.ResourceType_LAUNCH_PLAN, "wf", "v9"), State: admin.LaunchPlanState_INACTIVE})
	rtWantCode(t, err, codes.NotFound, "missing entity of type LAUNCH_PLAN")

	// List filters: state, workflow join, names.
	lps, err := s.ListLaunchPlans(ctx, &admin.ResourceListRequest{Id: &admin.NamedEntityIdentifier{Project: rtProj, Domain: rtDev},
		Limit: 10, Filters: "eq(launch_plan.state,1)"})
	rtMust(t, err)
	if len(lps.GetLaunchPlans()) != 1 || lps.GetLaunchPlans()[0].GetId().GetName() != "wf_fixed" {
		t.Fatalf("state filter: %v", lps)
	}
	lps, err = s.ListLaunchPlans(ctx, &admin.ResourceListRequest{Id: &admin.NamedEntityIdentifier{Project: rtProj, Domain: rtDev},
		Limit: 10, Filters: "eq(workflow.name,wf)+eq(version,v1)", SortBy: &admin.Sort{Key: "name", Direction: admin.Sort_ASCENDING}})
	rtMust(t, err)
	if names := rtLpNames(lps); names != "wf,wf_fixed,wf_required" {
		t.Fatalf("workflow join filter: %s", names)
	}
	_, err = s.ListLaunchPlans(ctx, &admin.ResourceListRequest{Id: &admin.NamedEntityIdentifier{Project: rtProj, Domain: rtDev},
		Limit: 10, Filters: "eq(task.name,wf)"})
	rtWantCode(t, err, codes.InvalidArgument, "'t' entity is not allowed in filters")
	lids, err := s.ListLaunchPlanIds(ctx, &admin.NamedEntityIdentifierListRequest{Project: rtProj, Domain: rtDev, Limit: 2})
	rtMust(t, err)
	if len(lids.GetEntities()) != 2 || lids.GetToken() != "2" {
		t.Fatalf("launch plan ids page: %v", lids)
	}
}

func rtLpNames(l *admin.LaunchPlanList) string {
	var n []string
	for _, lp := range l.GetLaunchPlans() {
		n = append(n, lp.GetId().GetName())
	}
	return strings.Join(n, ",")
}

func TestListsAndNamedEntities(t *testing.T) {
	ctx := context.Background()
	s := rtNewTestService(t, t.TempDir(), fake.NewSimpleClientset())
	for _, v := range []string{"a1", "a2", "a3", "a4", "a5"} {
		rtMust(t, rtCreateTask(s, "double", v, rtTaskTemplate("img:"+v, rtVars("a", core.SimpleType_INTEGER), rtVars("o0", core.SimpleType_INTEGER))))
	}
	rtMust(t, rtCreateTask(s, "shout", "a1", rtTaskTemplate("img", rtVars("s", core.SimpleType_STRING), rtVars("o0", core.SimpleType_STRING))))
	rtMust(t, rtCreateTask(s, ".flytegen.shout", "a1", rtTaskTemplate("img", rtVars("s", core.SimpleType_STRING), rtVars("o0", core.SimpleType_STRING))))

	id := &admin.NamedEntityIdentifier{Project: rtProj, Domain: rtDev, Name: "double"}
	// Default order: newest first, with tokens.
	l, err := s.ListTasks(ctx, &admin.ResourceListRequest{Id: id, Limit: 2})
	rtMust(t, err)
	if rtTaskVersions(l) != "a5,a4" || l.GetToken() != "2" {
		t.Fatalf("page 1: %s %q", rtTaskVersions(l), l.GetToken())
	}
	l, err = s.ListTasks(ctx, &admin.ResourceListRequest{Id: id, Limit: 2, Token: l.GetToken()})
	rtMust(t, err)
	if rtTaskVersions(l) != "a3,a2" || l.GetToken() != "4" {
		t.Fatalf("page 2: %s %q", rtTaskVersions(l), l.GetToken())
	}
	l, err = s.ListTasks(ctx, &admin.ResourceListRequest{Id: id, Limit: 2, Token: l.GetToken()})
	rtMust(t, err)
	if rtTaskVersions(l) != "a1" || l.GetToken() != "" {
		t.Fatalf("page 3: %s %q", rtTaskVersions(l), l.GetToken())
	}
	l, err = s.ListTasks(ctx, &admin.ResourceListRequest{Id: id, Limit: 10, SortBy: &admin.Sort{Key: "version", Direction: admin.Sort_ASCENDING},
		Filters: "value_in(version,a2;a4;a5)+ne(version,a5)"})
	rtMust(t, err)
	if rtTaskVersions(l) != "a2,a4" {
		t.Fatalf("filters: %s", rtTaskVersions(l))
	}
	l, err = s.ListTasks(ctx, &admin.ResourceListRequest{Id: &admin.NamedEntityIdentifier{Project: rtProj, Domain: rtDev}, Limit: 10,
		Filters: "eq(task.name,shout)+contains(type,python)+gte(created_at,2000-01-01T00:00:00Z)"})
	rtMust(t, err)
	if len(l.GetTasks()) != 1 || l.GetTasks()[0].GetId().GetName() != "shout" {
		t.Fatalf("prefixed filters: %v", l)
	}
	_, err = s.ListTasks(ctx, &admin.ResourceListRequest{Id: id, Limit: 0})
	rtWantCode(t, err, codes.InvalidArgument, "invalid value for limit")
	_, err = s.ListTasks(ctx, &admin.ResourceListRequest{Id: id, Limit: 1, SortBy: &admin.Sort{Key: "colour"}})
	rtWantCode(t, err, codes.InvalidArgument, "invalid sort key 'colour'")
	_, err = s.ListTasks(ctx, &admin.ResourceListRequest{Id: id, Limit: 1, Filters: "eq(workflow.name,x)"})
	rtWantCode(t, err, codes.InvalidArgument, "'w' entity is not allowed in filters")
	_, err = s.ListTasks(ctx, &admin.ResourceListRequest{Id: id, Limit: 1, Filters: "like(name,x)"})
	rtWantCode(t, err, codes.InvalidArgument, "unrecognized filter function: like")
	_, err = s.ListTasks(ctx, &admin.ResourceListRequest{Id: id, Limit: 1, Filters: "garbage"})
	rtWantCode(t, err, codes.InvalidArgument, "invalid value for filters")
	_, err = s.ListTasks(ctx, &admin.ResourceListRequest{Id: id, Limit: 1, Token: "-3"})
	rtWantCode(t, err, codes.InvalidArgument, "invalid pagination token -3 for ListTasks")
	_, err = s.ListTasks(ctx, &admin.ResourceListRequest{Id: &admin.NamedEntityIdentifier{Project: rtProj}, Limit: 1})
	rtWantCode(t, err, codes.InvalidArgument, "missing domain")

	tids, err := s.ListTaskIds(ctx, &admin.NamedEntityIdentifierListRequest{Project: rtProj, Domain: rtDev, Limit: 10})
	rtMust(t, err)
	if len(tids.GetEntities()) != 3 || tids.GetEntities()[0].GetName() != ".flytegen.shout" || tids.GetEntities()[1].GetName() != "double" {
		t.Fatalf("task ids: %v", tids)
	}

	// Named entities: made by registration (ACTIVE); .flytegen names hidden by the default filter.
	ne, err := s.ListNamedEntities(ctx, &admin.NamedEntityListRequest{ResourceType: core.ResourceType_TASK, Project: rtProj, Domain: rtDev, Limit: 10})
	rtMust(t, err)
	if len(ne.GetEntities()) != 2 || ne.GetEntities()[0].GetId().GetName() != "double" ||
		ne.GetEntities()[0].GetMetadata().GetState() != admin.NamedEntityState_NAMED_ENTITY_ACTIVE {
		t.Fatalf("named entities: %v", ne)
	}
	_, err = s.UpdateNamedEntity(ctx, &admin.NamedEntityUpdateRequest{ResourceType: core.ResourceType_TASK, Id: id,
		Metadata: &admin.NamedEntityMetadata{Description: "doubles", State: admin.NamedEntityState_NAMED_ENTITY_ARCHIVED}})
	rtMust(t, err)
	got, err := s.GetNamedEntity(ctx, &admin.NamedEntityGetRequest{ResourceType: core.ResourceType_TASK, Id: id})
	rtMust(t, err)
	if got.GetMetadata().GetDescription() != "doubles" || got.GetMetadata().GetState() != admin.NamedEntityState_NAMED_ENTITY_ARCHIVED {
		t.Fatalf("updated named entity: %v", got)
	}
	ne, err = s.ListNamedEntities(ctx, &admin.NamedEntityListRequest{ResourceType: core.ResourceType_TASK, Project: rtProj, Domain: rtDev, Limit: 10,
		Filters: "eq(named_entity_metadata.state,0)"})
	rtMust(t, err)
	if len(ne.GetEntities()) != 2 || ne.GetEntities()[0].GetId().GetName() != ".flytegen.shout" {
		t.Fatalf("active named entities: %v", ne)
	}
	ne, err = s.ListNamedEntities(ctx, &admin.NamedEntityListRequest{ResourceType: core.ResourceType_TASK, Project: rtProj, Domain: rtDev, Limit: 10,
		Filters: "eq(state,1)"})
	rtMust(t, err)
	if len(ne.GetEntities()) != 1 || ne.GetEntities()[0].GetId().GetName() != "double" {
		t.Fatalf("archived named entities: %v", ne)
	}
	_, err = s.GetNamedEntity(ctx, &admin.NamedEntityGetRequest{ResourceType: core.ResourceType_WORKFLOW, Id: id})
	rtWantCode(t, err, codes.NotFound, "entry not found")
	_, err = s.GetNamedEntity(ctx, &admin.NamedEntityGetRequest{Id: id})
	rtWantCode(t, err, codes.InvalidArgument, "invalid value for resource_type")
	_, err = s.UpdateNamedEntity(ctx, &admin.NamedEntityUpdateRequest{ResourceType: core.ResourceType_TASK,
		Id: &admin.NamedEntityIdentifier{Project: rtProj, Domain: rtDev, Name: "ghost"}, Metadata: &admin.NamedEntityMetadata{}})
	rtWantCode(t, err, codes.NotFound, "entry not found")
}

func rtTaskVersions(l *admin.TaskList) string {
	var v []string
	for _, t := range l.GetTasks() {
		v = append(v, t.GetId().GetVersion())
	}
	return strings.Join(v, ",")
}

func TestMatchableAttributes(t *testing.T) {
	ctx := context.Background()
	s := rtNewTestService(t, t.TempDir(), fake.NewSimpleClientset())
	queue := func(q string) *admin.MatchingAttributes {
		return &admin.MatchingAttributes{Target: &admin.MatchingAttributes_ExecutionQueueAttributes{
			ExecutionQueueAttributes: &admin.ExecutionQueueAttributes{Tags: []string{q}}}}
	}
	rt := admin.MatchableResource_EXECUTION_QUEUE
	_, err := s.GetProjectDomainAttributes(ctx, &admin.ProjectDomainAttributesGetRequest{Project: rtProj, Domain: rtDev, ResourceType: rt})
	rtWantCode(t, err, codes.NotFound, "Resource [{Project:flytesnacks Domain:development Workflow: LaunchPlan: ResourceType:EXECUTION_QUEUE}] not found")

	_, err = s.UpdateProjectAttributes(ctx, &admin.ProjectAttributesUpdateRequest{Attributes: &admin.ProjectAttributes{Project: rtProj, MatchingAttributes: queue("p")}})
	rtMust(t, err)
	// The project-level setting answers a project-domain get (admin's repository picks the most specific).
	pd, err := s.GetProjectDomainAttributes(ctx, &admin.ProjectDomainAttributesGetRequest{Project: rtProj, Domain: rtDev, ResourceType: rt})
	rtMust(t, err)
	if pd.GetAttributes().GetMatchingAttributes().GetExecutionQueueAttributes().GetTags()[0] != "p" || pd.GetAttributes().GetDomain() != "" {
		t.Fatalf("fallback to project level: %v", pd)
	}
	_, err = s.UpdateProjectDomainAttributes(ctx, &admin.ProjectDomainAttributesUpdateRequest{Attributes: &admin.ProjectDomainAttributes{
		Project: rtProj, Domain: rtDev, MatchingAttributes: queue("pd")}})
	rtMust(t, err)
	_, err = s.UpdateWorkflowAttributes(ctx, &admin.WorkflowAttributesUpdateRequest{Attributes: &admin.WorkflowAttributes{
		Project: rtProj, Domain: rtDev, Workflow: "wf", MatchingAttributes: queue("w")}})
	rtMust(t, err)
	w, err := s.GetWorkflowAttributes(ctx, &admin.WorkflowAttributesGetRequest{Project: rtProj, Domain: rtDev, Workflow: "wf", ResourceType: rt})
	rtMust(t, err)
	if w.GetAttributes().GetMatchingAttributes().GetExecutionQueueAttributes().GetTags()[0] != "w" {
		t.Fatalf("workflow level: %v", w)
	}
	w, err = s.GetWorkflowAttributes(ctx, &admin.WorkflowAttributesGetRequest{Project: rtProj, Domain: rtDev, Workflow: "other", ResourceType: rt})
	rtMust(t, err)
	if w.GetAttributes().GetMatchingAttributes().GetExecutionQueueAttributes().GetTags()[0] != "pd" {
		t.Fatalf("workflow falls back to project-domain: %v", w)
	}
	list, err := s.ListMatchableAttributes(ctx, &admin.ListMatchableAttributesRequest{ResourceType: rt})
	rtMust(t, err)
	if len(list.GetConfigurations()) != 3 || list.GetConfigurations()[0].GetWorkflow() != "wf" || list.GetConfigurations()[2].GetDomain() != "" {
		t.Fatalf("list (most specific first): %v", list)
	}
	_, err = s.DeleteWorkflowAttributes(ctx, &admin.WorkflowAttributesDeleteRequest{Project: rtProj, Domain: rtDev, Workflow: "wf", ResourceType: rt})
	rtMust(t, err)
	_, err = s.DeleteProjectDomainAttributes(ctx, &admin.ProjectDomainAttributesDeleteRequest{Project: rtProj, Domain: rtDev, ResourceType: rt})
	rtMust(t, err)
	_, err = s.DeleteProjectAttributes(ctx, &admin.ProjectAttributesDeleteRequest{Project: rtProj, ResourceType: rt})
	rtMust(t, err)
	_, err = s.GetWorkflowAttributes(ctx, &admin.WorkflowAttributesGetRequest{Project: rtProj, Domain: rtDev, Workflow: "wf", ResourceType: rt})
	rtWantCode(t, err, codes.NotFound, "not found")

	// Plugin overrides merge by task type.
	po := func(taskType, plugin string) *admin.MatchingAttributes {
		return &admin.MatchingAttributes{Target: &admin.MatchingAttributes_PluginOverrides{PluginOverrides: &admin.PluginOverrides{
			Overrides: []*admin.PluginOverride{{TaskType: taskType, PluginId: []string{plugin}}}}}}
	}
	for _, m := range []*admin.MatchingAttributes{po("python-task", "a"), po("spark", "b"), po("python-task", "c")} {
		_, err = s.UpdateProjectDomainAttributes(ctx, &admin.ProjectDomainAttributesUpdateRequest{Attributes: &admin.ProjectDomainAttributes{
			Project: rtProj, Domain: rtDev, MatchingAttributes: m}})
		rtMust(t, err)
	}
	pd, err = s.GetProjectDomainAttributes(ctx, &admin.ProjectDomainAttributesGetRequest{Project: rtProj, Domain: rtDev, ResourceType: admin.MatchableResource_PLUGIN_OVERRIDE})
	rtMust(t, err)
	ov := pd.GetAttributes().GetMatchingAttributes().GetPluginOverrides().GetOverrides()
	if len(ov) != 2 || ov[0].GetTaskType() != "python-task" || ov[0].GetPluginId()[0] != "c" {
		t.Fatalf("merged plugin overrides: %v", ov)
	}

	// Workflow execution config at project level: the config defaults when unset.
	pa, err := s.GetProjectAttributes(ctx, &admin.ProjectAttributesGetRequest{Project: rtProj, ResourceType: admin.MatchableResource_WORKFLOW_EXECUTION_CONFIG})
	rtMust(t, err)
	if pa.GetAttributes().GetMatchingAttributes().GetWorkflowExecutionConfig().GetMaxParallelism() != 25 {
		t.Fatalf("default execution config: %v", pa)
	}
	_, err = s.UpdateProjectDomainAttributes(ctx, &admin.ProjectDomainAttributesUpdateRequest{Attributes: &admin.ProjectDomainAttributes{Project: rtProj, Domain: rtDev}})
	rtWantCode(t, err, codes.InvalidArgument, "missing matching_attributes")
	_, err = s.UpdateProjectDomainAttributes(ctx, &admin.ProjectDomainAttributesUpdateRequest{Attributes: &admin.ProjectDomainAttributes{Project: "nope", Domain: rtDev, MatchingAttributes: queue("x")}})
	rtWantCode(t, err, codes.InvalidArgument, "failed to validate that project [nope]")
	_, err = s.GetProjectAttributes(ctx, &admin.ProjectAttributesGetRequest{Project: "nope"})
	rtWantCode(t, err, codes.InvalidArgument, "failed to validate that project [nope] exists")
}

func TestVersion(t *testing.T) {
	s := rtNewTestService(t, t.TempDir(), nil)
	v, err := s.GetVersion(context.Background(), &admin.GetVersionRequest{})
	rtMust(t, err)
	if v.GetControlPlaneVersion().GetVersion() != "v1.16.8" || !strings.Contains(v.GetControlPlaneVersion().GetBuild(), "flyte-lab") {
		t.Fatalf("version: %v", v)
	}
}

func TestRestartKeepsEverything(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := rtNewTestService(t, dir, fake.NewSimpleClientset())
	rtRegisterBasics(t, s)
	_, err := s.RegisterProject(ctx, &admin.ProjectRegisterRequest{Project: &admin.Project{Id: "other", Name: "Other"}})
	rtMust(t, err)
	_, err = s.UpdateLaunchPlan(ctx, &admin.LaunchPlanUpdateRequest{Id: rtIdent(core.ResourceType_LAUNCH_PLAN, "wf", "v1"), State: admin.LaunchPlanState_ACTIVE})
	rtMust(t, err)
	_, err = s.UpdateProjectDomainAttributes(ctx, &admin.ProjectDomainAttributesUpdateRequest{Attributes: &admin.ProjectDomainAttributes{
		Project: rtProj, Domain: rtDev, MatchingAttributes: &admin.MatchingAttributes{Target: &admin.MatchingAttributes_ExecutionQueueAttributes{
			ExecutionQueueAttributes: &admin.ExecutionQueueAttributes{Tags: []string{"q"}}}}}})
	rtMust(t, err)
	before, err := s.GetWorkflow(ctx, &admin.ObjectGetRequest{Id: rtIdent(core.ResourceType_WORKFLOW, "wf", "v1")})
	rtMust(t, err)
	rtMust(t, s.db.Close())

	s2 := rtNewTestService(t, dir, fake.NewSimpleClientset())
	after, err := s2.GetWorkflow(ctx, &admin.ObjectGetRequest{Id: rtIdent(core.ResourceType_WORKFLOW, "wf", "v1")})
	rtMust(t, err)
	if !proto.Equal(before, after) {
		t.Fatal("workflow changed across a restart")
	}
	if _, err := s2.GetProject(ctx, &admin.ProjectGetRequest{Id: "other"}); err != nil {
		t.Fatal(err)
	}
	active, err := s2.GetActiveLaunchPlan(ctx, &admin.ActiveLaunchPlanRequest{Id: &admin.NamedEntityIdentifier{Project: rtProj, Domain: rtDev, Name: "wf"}})
	rtMust(t, err)
	if active.GetId().GetVersion() != "v1" {
		t.Fatalf("active launch plan after restart: %v", active.GetId())
	}
	if _, err := s2.GetProjectDomainAttributes(ctx, &admin.ProjectDomainAttributesGetRequest{Project: rtProj, Domain: rtDev,
		ResourceType: admin.MatchableResource_EXECUTION_QUEUE}); err != nil {
		t.Fatal(err)
	}
	// Registration stays idempotent across the restart.
	rtWantCode(t, rtCreateTask(s2, "double", "v1", rtTaskTemplate("img:1", rtVars("a", core.SimpleType_INTEGER), rtVars("o0", core.SimpleType_INTEGER))),
		codes.AlreadyExists, "identical structure")
	ne, err := s2.ListNamedEntities(ctx, &admin.NamedEntityListRequest{ResourceType: core.ResourceType_WORKFLOW, Project: rtProj, Domain: rtDev, Limit: 5})
	rtMust(t, err)
	if len(ne.GetEntities()) != 1 {
		t.Fatalf("named entities after restart: %v", ne)
	}
}

// TestEnsureNamespaceLab runs ensureNamespace against the lab's kube-apiserver (FLYTE_LAB_KUBECONFIG).
func TestEnsureNamespaceLab(t *testing.T) {
	kc := os.Getenv("FLYTE_LAB_KUBECONFIG")
	if kc == "" {
		t.Skip("FLYTE_LAB_KUBECONFIG not set")
	}
	rest, err := clientcmd.BuildConfigFromFlags("", kc)
	rtMust(t, err)
	kube, err := kubernetes.NewForConfig(rest)
	rtMust(t, err)
	s := rtNewTestService(t, t.TempDir(), kube)
	ctx := context.Background()
	name, err := s.ensureNamespace(ctx, "regtest", "development")
	rtMust(t, err)
	if name != "regtest-development" {
		t.Fatal(name)
	}
	if _, err := s.ensureNamespace(ctx, "regtest", "development"); err != nil {
		t.Fatalf("second ensureNamespace: %v", err)
	}
	if _, err := kube.CoreV1().Namespaces().Get(ctx, name, metav1.GetOptions{}); err != nil {
		t.Fatal(err)
	}
}

// ---------------------------------------------------------------------------------------------------------------
// A real bundle: `pyflyte package` of tools/flytekit-check/fixtures, registered as `flytectl register files`
// does (files in name order, identifiers hydrated with project/domain/version).

func rtPyflyteBundle(t *testing.T) string {
	t.Helper()
	fixtures, err := filepath.Abs("../../../../flytekit-check/fixtures")
	rtMust(t, err)
	py := filepath.Join(fixtures, "..", ".venv", "bin", "pyflyte")
	if _, err := os.Stat(py); err != nil {
		t.Skip("flytekit venv missing (" + py + "): run tools/scripts/setup-flyte-judges.sh")
	}
	out := filepath.Join(t.TempDir(), "bundle.tgz")
	cmd := exec.Command(py, "--pkgs", "judges_fixture", "package", "--image", "example.com/judges-fixture:v1",
		"--output", out, "--force")
	cmd.Dir = fixtures
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pyflyte package: %v\n%s", err, b)
	}
	return out
}

func rtReadBundle(t *testing.T, path string) map[string][]byte {
	t.Helper()
	f, err := os.Open(path)
	rtMust(t, err)
	defer f.Close()
	gz, err := gzip.NewReader(f)
	rtMust(t, err)
	tr := tar.NewReader(gz)
	files := map[string][]byte{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		rtMust(t, err)
		if h.Typeflag == tar.TypeReg && strings.HasSuffix(h.Name, ".pb") {
			b, err := io.ReadAll(tr)
			rtMust(t, err)
			files[filepath.Base(h.Name)] = b
		}
	}
	return files
}

// rtHydrate fills every core.Identifier's empty or templated project/domain/version, as flytectl does.
func rtHydrate(m protoreflect.Message, version string) {
	if id, ok := m.Interface().(*core.Identifier); ok {
		fill := func(v *string, with string) {
			if *v == "" || strings.HasPrefix(*v, "{{") {
				*v = with
			}
		}
		fill(&id.Project, rtProj)
		fill(&id.Domain, rtDev)
		fill(&id.Version, version)
		return
	}
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.IsList() && fd.Kind() == protoreflect.MessageKind:
			for i := 0; i < v.List().Len(); i++ {
				rtHydrate(v.List().Get(i).Message(), version)
			}
		case fd.IsMap() && fd.MapValue().Kind() == protoreflect.MessageKind:
			v.Map().Range(func(_ protoreflect.MapKey, mv protoreflect.Value) bool {
				rtHydrate(mv.Message(), version)
				return true
			})
		case !fd.IsList() && !fd.IsMap() && fd.Kind() == protoreflect.MessageKind:
			rtHydrate(v.Message(), version)
		}
		return true
	})
}

func TestRegisterPyflyteBundle(t *testing.T) {
	ctx := context.Background()
	files := rtReadBundle(t, rtPyflyteBundle(t))
	s := rtNewTestService(t, t.TempDir(), fake.NewSimpleClientset())
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	register := func(version string) (created, existed int) {
		for _, n := range names {
			var err error
			switch {
			case strings.HasSuffix(n, "_1.pb"):
				spec := &admin.TaskSpec{}
				rtMust(t, proto.Unmarshal(files[n], spec))
				rtHydrate(spec.ProtoReflect(), version)
				_, err = s.CreateTask(ctx, &admin.TaskCreateRequest{Id: spec.GetTemplate().GetId(), Spec: spec})
			case strings.HasSuffix(n, "_2.pb"):
				spec := &admin.WorkflowSpec{}
				rtMust(t, proto.Unmarshal(files[n], spec))
				rtHydrate(spec.ProtoReflect(), version)
				_, err = s.CreateWorkflow(ctx, &admin.WorkflowCreateRequest{Id: spec.GetTemplate().GetId(), Spec: spec})
			case strings.HasSuffix(n, "_3.pb"):
				lp := &admin.LaunchPlan{}
				rtMust(t, proto.Unmarshal(files[n], lp))
				rtHydrate(lp.ProtoReflect(), version)
				_, err = s.CreateLaunchPlan(ctx, &admin.LaunchPlanCreateRequest{Id: lp.GetId(), Spec: lp.GetSpec()})
			default:
				continue
			}
			if status.Code(err) == codes.AlreadyExists {
				existed++
				continue
			}
			if err != nil {
				t.Fatalf("%s: %v", n, err)
			}
			created++
		}
		return created, existed
	}
	created, existed := register("v1")
	if created != 10 || existed != 0 {
		t.Fatalf("first registration: %d created, %d existed (files %v)", created, existed, names)
	}
	created, existed = register("v1")
	if created != 0 || existed != 10 {
		t.Fatalf("re-registration: %d created, %d existed", created, existed)
	}
	// Every workflow's closure is what propeller needs: tasks compiled in.
	wl, err := s.ListWorkflows(ctx, &admin.ResourceListRequest{Id: &admin.NamedEntityIdentifier{Project: rtProj, Domain: rtDev}, Limit: 10})
	rtMust(t, err)
	if len(wl.GetWorkflows()) != 2 {
		t.Fatalf("workflows: %v", wl)
	}
	for _, w := range wl.GetWorkflows() {
		full, err := s.GetWorkflow(ctx, &admin.ObjectGetRequest{Id: w.GetId()})
		rtMust(t, err)
		if len(full.GetClosure().GetCompiledWorkflow().GetTasks()) == 0 {
			t.Fatalf("%s has no compiled tasks", w.GetId().GetName())
		}
	}
	nightly := rtIdent(core.ResourceType_LAUNCH_PLAN, "judges_fixture.report_nightly", "v1")
	lp, err := s.GetLaunchPlan(ctx, &admin.ObjectGetRequest{Id: nightly})
	rtMust(t, err)
	if _, ok := lp.GetClosure().GetExpectedInputs().GetParameters()["scale"]; ok {
		t.Fatalf("fixed input scale still expected: %v", lp.GetClosure().GetExpectedInputs())
	}
	_, err = s.UpdateLaunchPlan(ctx, &admin.LaunchPlanUpdateRequest{Id: nightly, State: admin.LaunchPlanState_ACTIVE})
	rtMust(t, err)
	active, err := s.activeLaunchPlans()
	rtMust(t, err)
	if len(active) != 1 || active[0].GetSpec().GetEntityMetadata().GetSchedule().GetCronSchedule().GetSchedule() != "0 2 * * *" {
		t.Fatalf("scheduler view: %v", active)
	}
}
