package adminsvc

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/flyteorg/flyte/flytepropeller/pkg/apis/flyteworkflow/v1alpha1"
	flyteclient "github.com/flyteorg/flyte/flytepropeller/pkg/client/clientset/versioned"
	flytefake "github.com/flyteorg/flyte/flytepropeller/pkg/client/clientset/versioned/fake"
	"github.com/flyteorg/flyte/flytepropeller/pkg/compiler"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
	kubefake "k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/unionml-ts/tools/flyte-lab/controlplane/internal/blob"
	"github.com/unionml-ts/tools/flyte-lab/controlplane/internal/store"
)

// ---------------------------------------------------------------------------------------------------------------
// Test fixtures: a bbolt file in a temp dir, an in-memory S3 (path-style PUT/GET/HEAD, signatures not checked), and
// client-go fake clientsets -- or the lab's real kube-apiserver when FLYTE_LAB_KUBECONFIG names its kubeconfig.

type fakeS3 struct {
	mu      sync.Mutex
	objects map[string][]byte
}

func (f *fakeS3) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	key := strings.TrimPrefix(r.URL.Path, "/")
	switch r.Method {
	case http.MethodPut:
		b, _ := io.ReadAll(r.Body)
		f.objects[key] = b
		w.WriteHeader(http.StatusOK)
	case http.MethodGet, http.MethodHead:
		b, ok := f.objects[key]
		if !ok {
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusNotFound)
			if r.Method == http.MethodGet {
				_, _ = io.WriteString(w, `<?xml version="1.0"?><Error><Code>NoSuchKey</Code><Message>no</Message></Error>`)
			}
			return
		}
		w.Header().Set("Content-Length", itoa(len(b)))
		w.WriteHeader(http.StatusOK)
		if r.Method == http.MethodGet {
			_, _ = w.Write(b)
		}
	default:
		w.WriteHeader(http.StatusMethodNotAllowed)
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

type testEnv struct {
	s     *Service
	s3    *fakeS3
	flyte flyteclient.Interface
	kube  kubernetes.Interface
	ctx   context.Context
}

// The fixtures' project and namespace. Against a real kube-apiserver the tests use a project of their own
// ("adminsvc-test"), so that their FlyteWorkflow objects stay apart from the lab's.
var (
	testProject = "flytesnacks"
	testDomain  = "development"
	testNS      = "flytesnacks-development"
)

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "admin.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	fs3 := &fakeS3{objects: map[string][]byte{}}
	srv := httptest.NewServer(fs3)
	t.Cleanup(srv.Close)
	bs, err := blob.New(blob.Config{Endpoint: srv.URL, AccessKey: "k", SecretKey: "s", Bucket: "test-bucket"})
	if err != nil {
		t.Fatal(err)
	}
	env := &testEnv{s3: fs3, ctx: context.Background()}
	if kc := os.Getenv("FLYTE_LAB_KUBECONFIG"); kc != "" {
		rest, err := clientcmd.BuildConfigFromFlags("", kc)
		if err != nil {
			t.Fatal(err)
		}
		env.kube = kubernetes.NewForConfigOrDie(rest)
		env.flyte = flyteclient.NewForConfigOrDie(rest)
		testProject, testNS = "adminsvc-test", "adminsvc-test-development"
		clearFlyteWorkflows(t, env.flyte, testNS)
		t.Cleanup(func() { clearFlyteWorkflows(t, env.flyte, testNS) })
	} else {
		env.kube = kubefake.NewSimpleClientset()
		env.flyte = flytefake.NewSimpleClientset()
	}
	env.s = &Service{
		cfg: Config{
			DB: db, Blob: bs,
			Domains:           []string{"development", "staging", "production"},
			NamespaceTemplate: "{{ project }}-{{ domain }}",
			MetadataPrefix:    "s3://test-bucket/metadata",
			RawOutputPrefix:   "s3://test-bucket/data",
			SignedURLTTL:      time.Hour,
			MaxInlineBytes:    10 << 20,
			ConsoleURL:        "http://localhost:30080/console",
		},
		db: db, blob: bs, kube: env.kube, flyte: env.flyte,
	}
	if err := db.Put(BucketProjects, testProject, &admin.Project{Id: testProject, Name: testProject,
		State: admin.Project_ACTIVE, Labels: &admin.Labels{Values: map[string]string{"team": "lab"}}}); err != nil {
		t.Fatal(err)
	}
	return env
}

// clearFlyteWorkflows deletes the FlyteWorkflow objects of a namespace on a real apiserver, releasing propeller's
// finalizer first (no propeller runs for these tests). It skips the test when the CRD is not installed.
func clearFlyteWorkflows(t *testing.T, fc flyteclient.Interface, ns string) {
	t.Helper()
	ctx := context.Background()
	list, err := fc.FlyteworkflowV1alpha1().FlyteWorkflows(ns).List(ctx, metav1.ListOptions{})
	if apierrors.IsNotFound(err) {
		t.Skip("the FlyteWorkflow CRD is not installed (propeller creates it: run TestPropellerEndToEnd first)")
	}
	if err != nil {
		t.Fatal(err)
	}
	for i := range list.Items {
		wf := &list.Items[i]
		if len(wf.Finalizers) > 0 {
			wf.Finalizers = nil
			if _, err := fc.FlyteworkflowV1alpha1().FlyteWorkflows(ns).Update(ctx, wf, metav1.UpdateOptions{}); err != nil &&
				!apierrors.IsNotFound(err) {
				t.Fatal(err)
			}
		}
		err := fc.FlyteworkflowV1alpha1().FlyteWorkflows(ns).Delete(ctx, wf.Name, metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			t.Fatal(err)
		}
	}
}

func intType() *core.LiteralType {
	return &core.LiteralType{Type: &core.LiteralType_Simple{Simple: core.SimpleType_INTEGER}}
}

func strType() *core.LiteralType {
	return &core.LiteralType{Type: &core.LiteralType_Simple{Simple: core.SimpleType_STRING}}
}

func intLit(v int64) *core.Literal {
	return &core.Literal{Value: &core.Literal_Scalar{Scalar: &core.Scalar{Value: &core.Scalar_Primitive{
		Primitive: &core.Primitive{Value: &core.Primitive_Integer{Integer: v}}}}}}
}

func strLit(v string) *core.Literal {
	return &core.Literal{Value: &core.Literal_Scalar{Scalar: &core.Scalar{Value: &core.Scalar_Primitive{
		Primitive: &core.Primitive{Value: &core.Primitive_StringValue{StringValue: v}}}}}}
}

func ident(rt core.ResourceType, name string) *core.Identifier {
	return &core.Identifier{ResourceType: rt, Project: testProject, Domain: testDomain, Name: name, Version: "v1"}
}

// registerFixture stores a task (inputs a:int, b:string, c:int; output o:int), a one-node workflow around it and a
// launch plan "lp" (a required, b defaulting to "x", c fixed to 7), as the registry would have stored them.
func registerFixture(t *testing.T, env *testEnv, lpMutate func(*admin.LaunchPlan)) *admin.LaunchPlan {
	t.Helper()
	vars := &core.VariableMap{Variables: map[string]*core.Variable{
		"a": {Type: intType()}, "b": {Type: strType()}, "c": {Type: intType()},
	}}
	outs := &core.VariableMap{Variables: map[string]*core.Variable{"o": {Type: intType()}}}
	taskID := ident(core.ResourceType_TASK, "app.square")
	task := &core.TaskTemplate{
		Id:        taskID,
		Type:      "python-task",
		Metadata:  &core.TaskMetadata{Runtime: &core.RuntimeMetadata{Type: core.RuntimeMetadata_FLYTE_SDK, Version: "1.16"}},
		Interface: &core.TypedInterface{Inputs: vars, Outputs: outs},
		Target: &core.TaskTemplate_Container{Container: &core.Container{
			Image: "lab/app:latest", Args: []string{"pyflyte-execute", "--inputs", "{{.input}}", "--output-prefix",
				"{{.outputPrefix}}", "--raw-output-data-prefix", "{{.rawOutputDataPrefix}}"},
		}},
	}
	ct, err := compiler.CompileTask(task)
	if err != nil {
		t.Fatal(err)
	}
	bind := func(name string) *core.Binding {
		return &core.Binding{Var: name, Binding: &core.BindingData{Value: &core.BindingData_Promise{
			Promise: &core.OutputReference{NodeId: "start-node", Var: name}}}}
	}
	wfID := ident(core.ResourceType_WORKFLOW, "app.wf")
	wf := &core.WorkflowTemplate{
		Id:        wfID,
		Metadata:  &core.WorkflowMetadata{},
		Interface: &core.TypedInterface{Inputs: vars, Outputs: outs},
		Nodes: []*core.Node{{
			Id:     "n0",
			Inputs: []*core.Binding{bind("a"), bind("b"), bind("c")},
			Target: &core.Node_TaskNode{TaskNode: &core.TaskNode{Reference: &core.TaskNode_ReferenceId{ReferenceId: taskID}}},
		}},
		Outputs: []*core.Binding{{Var: "o", Binding: &core.BindingData{Value: &core.BindingData_Promise{
			Promise: &core.OutputReference{NodeId: "n0", Var: "o"}}}}},
	}
	closure, err := compiler.CompileWorkflow(wf, nil, []*core.CompiledTask{ct}, nil)
	if err != nil {
		t.Fatal(err)
	}
	must(t, env.s.db.Put(BucketTasks, versionKey(taskID), &admin.Task{Id: taskID,
		Closure: &admin.TaskClosure{CompiledTask: ct}}))
	must(t, env.s.db.Put(BucketWorkflows, versionKey(wfID), &admin.Workflow{Id: wfID,
		Closure: &admin.WorkflowClosure{CompiledWorkflow: closure}}))
	params := &core.ParameterMap{Parameters: map[string]*core.Parameter{
		"a": {Var: &core.Variable{Type: intType()}, Behavior: &core.Parameter_Required{Required: true}},
		"b": {Var: &core.Variable{Type: strType()}, Behavior: &core.Parameter_Default{Default: strLit("x")}},
	}}
	lp := &admin.LaunchPlan{
		Id: ident(core.ResourceType_LAUNCH_PLAN, "lp"),
		Spec: &admin.LaunchPlanSpec{
			WorkflowId:    wfID,
			DefaultInputs: params,
			FixedInputs:   &core.LiteralMap{Literals: map[string]*core.Literal{"c": intLit(7)}},
			Labels:        &admin.Labels{Values: map[string]string{"from-lp": "yes"}},
		},
		Closure: &admin.LaunchPlanClosure{State: admin.LaunchPlanState_ACTIVE, ExpectedInputs: params},
	}
	parentLP := proto.Clone(lp).(*admin.LaunchPlan)
	if lpMutate != nil {
		lpMutate(lp)
	}
	must(t, env.s.db.Put(BucketLaunchPlans, versionKey(lp.GetId()), lp))

	// A parent workflow running app.wf as a sub-workflow (node s0), with launch plan "parentlp".
	parentID := ident(core.ResourceType_WORKFLOW, "app.parent")
	parent := &core.WorkflowTemplate{
		Id:        parentID,
		Metadata:  &core.WorkflowMetadata{},
		Interface: &core.TypedInterface{Inputs: vars, Outputs: outs},
		Nodes: []*core.Node{{
			Id:     "s0",
			Inputs: []*core.Binding{bind("a"), bind("b"), bind("c")},
			Target: &core.Node_WorkflowNode{WorkflowNode: &core.WorkflowNode{
				Reference: &core.WorkflowNode_SubWorkflowRef{SubWorkflowRef: wfID}}},
		}},
		Outputs: []*core.Binding{{Var: "o", Binding: &core.BindingData{Value: &core.BindingData_Promise{
			Promise: &core.OutputReference{NodeId: "s0", Var: "o"}}}}},
	}
	parentClosure, err := compiler.CompileWorkflow(parent, []*core.WorkflowTemplate{wf}, []*core.CompiledTask{ct}, nil)
	if err != nil {
		t.Fatal(err)
	}
	must(t, env.s.db.Put(BucketWorkflows, versionKey(parentID), &admin.Workflow{Id: parentID,
		Closure: &admin.WorkflowClosure{CompiledWorkflow: parentClosure}}))
	parentLP.Id = ident(core.ResourceType_LAUNCH_PLAN, "parentlp")
	parentLP.Spec.WorkflowId = parentID
	must(t, env.s.db.Put(BucketLaunchPlans, versionKey(parentLP.GetId()), parentLP))
	return lp
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantCode(t *testing.T, err error, code codes.Code, contains string) {
	t.Helper()
	if status.Code(err) != code {
		t.Fatalf("got %v, want code %v", err, code)
	}
	if contains != "" && !strings.Contains(status.Convert(err).Message(), contains) {
		t.Fatalf("error %q does not contain %q", status.Convert(err).Message(), contains)
	}
}

func createReq(name string, inputs map[string]*core.Literal) *admin.ExecutionCreateRequest {
	return &admin.ExecutionCreateRequest{
		Project: testProject, Domain: testDomain, Name: name,
		Spec: &admin.ExecutionSpec{
			LaunchPlan: ident(core.ResourceType_LAUNCH_PLAN, "lp"),
			Metadata:   &admin.ExecutionMetadata{Mode: admin.ExecutionMetadata_MANUAL, Principal: "someone"},
		},
		Inputs: &core.LiteralMap{Literals: inputs},
	}
}

func execID(name string) *core.WorkflowExecutionIdentifier {
	return &core.WorkflowExecutionIdentifier{Project: testProject, Domain: testDomain, Name: name}
}

func (env *testEnv) getFlyteWorkflow(t *testing.T, name string) *v1alpha1.FlyteWorkflow {
	t.Helper()
	wf, err := env.flyte.FlyteworkflowV1alpha1().FlyteWorkflows(testNS).Get(env.ctx, name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return wf
}

// ---------------------------------------------------------------------------------------------------------------

func TestCheckAndFetchInputs(t *testing.T) {
	expected := &core.ParameterMap{Parameters: map[string]*core.Parameter{
		"a": {Var: &core.Variable{Type: intType()}, Behavior: &core.Parameter_Required{Required: true}},
		"b": {Var: &core.Variable{Type: strType()}, Behavior: &core.Parameter_Default{Default: strLit("x")}},
	}}
	fixed := &core.LiteralMap{Literals: map[string]*core.Literal{"c": intLit(7)}}
	lits := func(kv ...any) *core.LiteralMap {
		m := &core.LiteralMap{Literals: map[string]*core.Literal{}}
		for i := 0; i < len(kv); i += 2 {
			m.Literals[kv[i].(string)] = kv[i+1].(*core.Literal)
		}
		return m
	}
	got, err := checkAndFetchInputs(lits("a", intLit(3)), fixed, expected)
	must(t, err)
	if got.Literals["a"].GetScalar().GetPrimitive().GetInteger() != 3 ||
		got.Literals["b"].GetScalar().GetPrimitive().GetStringValue() != "x" ||
		got.Literals["c"].GetScalar().GetPrimitive().GetInteger() != 7 {
		t.Fatalf("merged inputs: %v", got)
	}
	got, err = checkAndFetchInputs(lits("a", intLit(3), "b", strLit("y")), fixed, expected)
	must(t, err)
	if got.Literals["b"].GetScalar().GetPrimitive().GetStringValue() != "y" {
		t.Fatalf("override of a default: %v", got)
	}
	for _, tc := range []struct {
		in   *core.LiteralMap
		want string
	}{
		{lits("a", intLit(1), "z", intLit(1)), "invalid input z"},
		{lits("b", strLit("q")), "expected_inputs a missing"},
		{lits("a", strLit("three")), "invalid a input wrong type"},
		{lits("a", intLit(1), "c", intLit(8)), "invalid input c"},
	} {
		_, err := checkAndFetchInputs(tc.in, fixed, expected)
		wantCode(t, err, codes.InvalidArgument, tc.want)
	}
	// A fixed input that is also expected cannot be overridden.
	expected.Parameters["c"] = &core.Parameter{Var: &core.Variable{Type: intType()},
		Behavior: &core.Parameter_Default{Default: intLit(1)}}
	_, err = checkAndFetchInputs(lits("a", intLit(1), "c", intLit(8)), fixed, expected)
	wantCode(t, err, codes.InvalidArgument, "fixed_inputs c cannot be overridden")
}

func TestCreateExecution(t *testing.T) {
	env := newTestEnv(t)
	registerFixture(t, env, func(lp *admin.LaunchPlan) {
		lp.Spec.Envs = &admin.Envs{Values: []*core.KeyValuePair{{Key: "FROM_LP", Value: "1"}}}
	})
	req := createReq("exec1", map[string]*core.Literal{"a": intLit(5)})
	req.Spec.SecurityContext = &core.SecurityContext{RunAs: &core.Identity{K8SServiceAccount: "runner"}}
	req.Spec.Labels = &admin.Labels{Values: map[string]string{"custom": "label"}}
	resp, err := env.s.CreateExecution(env.ctx, req)
	must(t, err)
	if !proto.Equal(resp.GetId(), execID("exec1")) {
		t.Fatalf("id %v", resp.GetId())
	}

	e, err := env.s.GetExecution(env.ctx, &admin.WorkflowExecutionGetRequest{Id: execID("exec1")})
	must(t, err)
	c := e.GetClosure()
	if c.GetPhase() != core.WorkflowExecution_UNDEFINED || c.GetCreatedAt() == nil || c.GetUpdatedAt() == nil ||
		c.GetStateChangeDetails().GetState() != admin.ExecutionState_EXECUTION_ACTIVE {
		t.Fatalf("closure %v", c)
	}
	if c.GetWorkflowId().GetName() != "app.wf" {
		t.Fatalf("workflow id %v", c.GetWorkflowId())
	}
	md := e.GetSpec().GetMetadata()
	if md.GetMode() != admin.ExecutionMetadata_MANUAL || md.GetSystemMetadata().GetNamespace() != testNS ||
		md.GetPrincipal() != "" {
		t.Fatalf("metadata %v", md)
	}
	if e.GetSpec().GetMaxParallelism() != 25 || e.GetSpec().GetSecurityContext().GetRunAs().GetK8SServiceAccount() != "runner" {
		t.Fatalf("spec %v", e.GetSpec())
	}

	// Inputs as admin offloads them.
	inputs := &core.LiteralMap{}
	must(t, env.s.blob.GetProto(env.ctx, "s3://test-bucket/metadata/"+testProject+"/development/exec1/inputs", inputs))
	if len(inputs.Literals) != 3 || inputs.Literals["c"].GetScalar().GetPrimitive().GetInteger() != 7 {
		t.Fatalf("inputs %v", inputs)
	}
	user := &core.LiteralMap{}
	must(t, env.s.blob.GetProto(env.ctx, "s3://test-bucket/metadata/"+testProject+"/development/exec1/user_inputs", user))
	if len(user.Literals) != 1 {
		t.Fatalf("user inputs %v", user)
	}

	// The FlyteWorkflow propeller gets.
	wf := env.getFlyteWorkflow(t, "exec1")
	if wf.ExecutionID.GetName() != "exec1" || wf.AcceptedAt == nil || wf.GetEventVersion() != v1alpha1.EventVersion2 {
		t.Fatalf("flyte workflow meta: %+v %+v", wf.ExecutionID, wf.WorkflowMeta)
	}
	for k, v := range map[string]string{"execution-id": "exec1", "project": testProject, "domain": testDomain,
		"workflow-name": "app-wf", "custom": "label", "team": "lab"} {
		if wf.Labels[k] != v {
			t.Errorf("label %s = %q, want %q (labels %v)", k, wf.Labels[k], v, wf.Labels)
		}
	}
	if _, ok := wf.Labels["from-lp"]; ok {
		t.Errorf("request labels should replace the launch plan's: %v", wf.Labels)
	}
	if !containsString(wf.Finalizers, flyteFinalizer) {
		t.Errorf("finalizers %v", wf.Finalizers)
	}
	if wf.ServiceAccountName != "runner" || wf.SecurityContext.GetRunAs().GetK8SServiceAccount() != "runner" {
		t.Errorf("service account %q %v", wf.ServiceAccountName, wf.SecurityContext.String())
	}
	if wf.RawOutputDataConfig.GetOutputLocationPrefix() != "s3://test-bucket/data" {
		t.Errorf("raw output %v", wf.RawOutputDataConfig.RawOutputDataConfig)
	}
	if wf.ExecutionConfig.MaxParallelism != 25 || wf.ExecutionConfig.EnvironmentVariables["FROM_LP"] != "1" {
		t.Errorf("execution config %+v", wf.ExecutionConfig)
	}
	if wf.Inputs == nil || wf.Inputs.Literals["a"].GetScalar().GetPrimitive().GetInteger() != 5 {
		t.Errorf("inputs %v", wf.Inputs)
	}
	if wf.ConsoleURL != "http://localhost:30080/console" {
		t.Errorf("console url %q", wf.ConsoleURL)
	}

	// The same name again.
	_, err = env.s.CreateExecution(env.ctx, createReq("exec1", map[string]*core.Literal{"a": intLit(5)}))
	wantCode(t, err, codes.AlreadyExists, "")
	// Input errors.
	_, err = env.s.CreateExecution(env.ctx, createReq("", nil))
	wantCode(t, err, codes.InvalidArgument, "expected_inputs a missing")
	_, err = env.s.CreateExecution(env.ctx, createReq("", map[string]*core.Literal{"a": intLit(1), "c": intLit(2)}))
	wantCode(t, err, codes.InvalidArgument, "invalid input c")
	// Names.
	_, err = env.s.CreateExecution(env.ctx, createReq("9bad", map[string]*core.Literal{"a": intLit(1)}))
	wantCode(t, err, codes.InvalidArgument, "invalid name format")
	resp, err = env.s.CreateExecution(env.ctx, createReq("", map[string]*core.Literal{"a": intLit(1)}))
	must(t, err)
	if n := resp.GetId().GetName(); len(n) != 20 || !executionNameRegex.MatchString(n) || n[0] != 'a' {
		t.Errorf("generated name %q", n)
	}
	// Deprecated spec.inputs.
	old := createReq("old-client", nil)
	old.Spec.Inputs = &core.LiteralMap{Literals: map[string]*core.Literal{"a": intLit(9)}}
	_, err = env.s.CreateExecution(env.ctx, old)
	must(t, err)
	// Unknown launch plan, project, domain.
	bad := createReq("", map[string]*core.Literal{"a": intLit(1)})
	bad.Spec.LaunchPlan.Version = "nope"
	_, err = env.s.CreateExecution(env.ctx, bad)
	wantCode(t, err, codes.NotFound, "")
	bad = createReq("", map[string]*core.Literal{"a": intLit(1)})
	bad.Project = "nope"
	_, err = env.s.CreateExecution(env.ctx, bad)
	wantCode(t, err, codes.InvalidArgument, "failed to validate that project [nope]")
	bad = createReq("", map[string]*core.Literal{"a": intLit(1)})
	bad.Domain = "nope"
	_, err = env.s.CreateExecution(env.ctx, bad)
	wantCode(t, err, codes.InvalidArgument, "domain [nope] is unrecognized by system")
}

func TestCreateExecutionFlyteWorkflowFails(t *testing.T) {
	env := newTestEnv(t)
	if os.Getenv("FLYTE_LAB_KUBECONFIG") != "" {
		t.Skip("needs the fake clientset")
	}
	registerFixture(t, env, nil)
	env.flyte.(*flytefake.Clientset).PrependReactor("create", "flyteworkflows",
		func(k8stesting.Action) (bool, runtime.Object, error) {
			return true, nil, errors.New("admission webhook said no")
		})
	resp, err := env.s.CreateExecution(env.ctx, createReq("doomed", map[string]*core.Literal{"a": intLit(1)}))
	must(t, err) // as admin: the execution exists, FAILED
	e, err := env.s.GetExecution(env.ctx, &admin.WorkflowExecutionGetRequest{Id: resp.GetId()})
	must(t, err)
	if e.GetClosure().GetPhase() != core.WorkflowExecution_FAILED {
		t.Fatalf("phase %v", e.GetClosure().GetPhase())
	}
	ee := e.GetClosure().GetError()
	if ee.GetCode() != "Internal" || ee.GetKind() != core.ExecutionError_SYSTEM ||
		!strings.Contains(ee.GetMessage(), "failed to create workflow in propeller admission webhook said no") {
		t.Fatalf("error %v", ee)
	}
	// Propeller will never report on it: events are refused as for any terminal execution.
	_, err = env.s.CreateWorkflowEvent(env.ctx, wfEvent("doomed", core.WorkflowExecution_RUNNING))
	wantCode(t, err, codes.FailedPrecondition, "")
}

func TestListExecutions(t *testing.T) {
	env := newTestEnv(t)
	registerFixture(t, env, nil)
	names := []string{"e1", "e2", "e3", "e4"}
	for _, n := range names {
		_, err := env.s.CreateExecution(env.ctx, createReq(n, map[string]*core.Literal{"a": intLit(1)}))
		must(t, err)
		time.Sleep(2 * time.Millisecond)
	}
	_, err := env.s.CreateWorkflowEvent(env.ctx, wfEvent("e2", core.WorkflowExecution_RUNNING))
	must(t, err)
	_, err = env.s.CreateWorkflowEvent(env.ctx, wfEvent("e3", core.WorkflowExecution_RUNNING))
	must(t, err)
	_, err = env.s.UpdateExecution(env.ctx, &admin.ExecutionUpdateRequest{Id: execID("e4"),
		State: admin.ExecutionState_EXECUTION_ARCHIVED})
	must(t, err)

	list := func(filters string, sort *admin.Sort, limit uint32, token string) ([]string, string) {
		t.Helper()
		res, err := env.s.ListExecutions(env.ctx, &admin.ResourceListRequest{
			Id:    &admin.NamedEntityIdentifier{Project: testProject, Domain: testDomain},
			Limit: limit, Token: token, Filters: filters, SortBy: sort,
		})
		must(t, err)
		var out []string
		for _, e := range res.GetExecutions() {
			out = append(out, e.GetId().GetName())
		}
		return out, res.GetToken()
	}
	eq := func(got []string, want ...string) {
		t.Helper()
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
	got, _ := list("", nil, 10, "")
	eq(got, "e3", "e2", "e1") // newest first; archived left out
	got, _ = list("eq(phase,RUNNING)", nil, 10, "")
	eq(got, "e3", "e2")
	got, _ = list("value_in(execution.phase,UNDEFINED;SUCCEEDED)", nil, 10, "")
	eq(got, "e1")
	got, _ = list("eq(state,1)", nil, 10, "")
	eq(got, "e4")
	got, _ = list("eq(launch_plan.name,lp)+eq(workflow.name,app.wf)+eq(mode,MANUAL)", &admin.Sort{Key: "execution_created_at",
		Direction: admin.Sort_ASCENDING}, 10, "")
	eq(got, "e1", "e2", "e3")
	got, tok := list("", nil, 2, "")
	eq(got, "e3", "e2")
	got, tok = list("", nil, 2, tok)
	eq(got, "e1")
	if tok != "" {
		t.Fatalf("token after the last page %q", tok)
	}
	e2, _ := env.s.GetExecution(env.ctx, &admin.WorkflowExecutionGetRequest{Id: execID("e2")})
	got, _ = list("gte(created_at,"+formatTime(e2.GetClosure().GetCreatedAt())+")", nil, 10, "")
	eq(got, "e3", "e2")

	_, err = env.s.ListExecutions(env.ctx, &admin.ResourceListRequest{
		Id: &admin.NamedEntityIdentifier{Project: testProject, Domain: testDomain}, Limit: 10, Filters: "eq(bogus,1)"})
	wantCode(t, err, codes.InvalidArgument, "")
	_, err = env.s.ListExecutions(env.ctx, &admin.ResourceListRequest{
		Id: &admin.NamedEntityIdentifier{Project: testProject, Domain: testDomain}})
	wantCode(t, err, codes.InvalidArgument, "limit")
	_, err = env.s.ListExecutions(env.ctx, &admin.ResourceListRequest{
		Id: &admin.NamedEntityIdentifier{Project: testProject, Domain: testDomain}, Limit: 1, SortBy: &admin.Sort{Key: "bogus"}})
	wantCode(t, err, codes.InvalidArgument, "invalid sort key")
}

func TestTerminateExecution(t *testing.T) {
	env := newTestEnv(t)
	registerFixture(t, env, nil)
	_, err := env.s.CreateExecution(env.ctx, createReq("stopme", map[string]*core.Literal{"a": intLit(1)}))
	must(t, err)
	_, err = env.s.CreateWorkflowEvent(env.ctx, wfEvent("stopme", core.WorkflowExecution_RUNNING))
	must(t, err)
	// With propeller's finalizer on the object, deleting it only marks it; propeller reports ABORTED.
	_, err = env.s.TerminateExecution(env.ctx, &admin.ExecutionTerminateRequest{Id: execID("stopme"), Cause: "enough"})
	must(t, err)
	e, _ := env.s.GetExecution(env.ctx, &admin.WorkflowExecutionGetRequest{Id: execID("stopme")})
	fakeClient := os.Getenv("FLYTE_LAB_KUBECONFIG") == ""
	if fakeClient {
		// The fake clientset ignores finalizers: the object is gone, so the execution is ABORTED at once.
		if e.GetClosure().GetPhase() != core.WorkflowExecution_ABORTED {
			t.Fatalf("phase %v", e.GetClosure().GetPhase())
		}
	} else {
		if e.GetClosure().GetPhase() != core.WorkflowExecution_ABORTING {
			t.Fatalf("phase %v", e.GetClosure().GetPhase())
		}
		_, err = env.s.CreateWorkflowEvent(env.ctx, wfEvent("stopme", core.WorkflowExecution_RUNNING))
		wantCode(t, err, codes.FailedPrecondition, "Invalid phase change from aborting")
		_, err = env.s.CreateWorkflowEvent(env.ctx, wfEvent("stopme", core.WorkflowExecution_ABORTED))
		must(t, err)
		e, _ = env.s.GetExecution(env.ctx, &admin.WorkflowExecutionGetRequest{Id: execID("stopme")})
	}
	if e.GetClosure().GetAbortMetadata().GetCause() != "enough" || e.GetClosure().GetDuration() == nil {
		t.Fatalf("closure %v", e.GetClosure())
	}
	_, err = env.s.TerminateExecution(env.ctx, &admin.ExecutionTerminateRequest{Id: execID("stopme"), Cause: "again"})
	wantCode(t, err, codes.FailedPrecondition, "Cannot abort an already terminated workflow execution")
	_, err = env.s.TerminateExecution(env.ctx, &admin.ExecutionTerminateRequest{Id: execID("nope"), Cause: "x"})
	wantCode(t, err, codes.NotFound, "")
}

func TestTerminateWhilePropellerHoldsTheObject(t *testing.T) {
	env := newTestEnv(t)
	registerFixture(t, env, nil)
	_, err := env.s.CreateExecution(env.ctx, createReq("held", map[string]*core.Literal{"a": intLit(1)}))
	must(t, err)
	if fc, ok := env.flyte.(*flytefake.Clientset); ok {
		// Behave like the apiserver with a finalizer: delete succeeds, the object stays.
		fc.PrependReactor("delete", "flyteworkflows", func(k8stesting.Action) (bool, runtime.Object, error) {
			return true, nil, nil
		})
	}
	_, err = env.s.TerminateExecution(env.ctx, &admin.ExecutionTerminateRequest{Id: execID("held"), Cause: "stop"})
	must(t, err)
	e, _ := env.s.GetExecution(env.ctx, &admin.WorkflowExecutionGetRequest{Id: execID("held")})
	if e.GetClosure().GetPhase() != core.WorkflowExecution_ABORTING {
		t.Fatalf("phase %v", e.GetClosure().GetPhase())
	}
	must(t, env.s.ReconcileExecutions(env.ctx)) // the object still exists: nothing changes
	e, _ = env.s.GetExecution(env.ctx, &admin.WorkflowExecutionGetRequest{Id: execID("held")})
	if e.GetClosure().GetPhase() != core.WorkflowExecution_ABORTING {
		t.Fatalf("phase after reconcile %v", e.GetClosure().GetPhase())
	}
	if fc, ok := env.flyte.(*flytefake.Clientset); ok {
		// Propeller released the object.
		fc.PrependReactor("get", "flyteworkflows", func(k8stesting.Action) (bool, runtime.Object, error) {
			return true, nil, apierrors.NewNotFound(v1alpha1.Resource("flyteworkflows"), "held")
		})
		must(t, env.s.ReconcileExecutions(env.ctx))
		e, _ = env.s.GetExecution(env.ctx, &admin.WorkflowExecutionGetRequest{Id: execID("held")})
		if e.GetClosure().GetPhase() != core.WorkflowExecution_ABORTED {
			t.Fatalf("phase after the object went %v", e.GetClosure().GetPhase())
		}
	}
}

func TestRelaunchAndRecover(t *testing.T) {
	env := newTestEnv(t)
	registerFixture(t, env, nil)
	_, err := env.s.CreateExecution(env.ctx, createReq("orig", map[string]*core.Literal{"a": intLit(41), "b": strLit("q")}))
	must(t, err)
	resp, err := env.s.RelaunchExecution(env.ctx, &admin.ExecutionRelaunchRequest{Id: execID("orig"), Name: "again",
		OverwriteCache: true})
	must(t, err)
	e, _ := env.s.GetExecution(env.ctx, &admin.WorkflowExecutionGetRequest{Id: resp.GetId()})
	md := e.GetSpec().GetMetadata()
	if md.GetMode() != admin.ExecutionMetadata_RELAUNCH || md.GetReferenceExecution().GetName() != "orig" ||
		!e.GetSpec().GetOverwriteCache() {
		t.Fatalf("relaunch spec %v", e.GetSpec())
	}
	inputs := &core.LiteralMap{}
	must(t, env.s.blob.GetProto(env.ctx, env.s.executionInputsURI(resp.GetId()), inputs))
	if inputs.Literals["a"].GetScalar().GetPrimitive().GetInteger() != 41 ||
		inputs.Literals["b"].GetScalar().GetPrimitive().GetStringValue() != "q" {
		t.Fatalf("relaunch inputs %v", inputs)
	}
	if !env.getFlyteWorkflow(t, "again").ExecutionConfig.OverwriteCache {
		t.Fatal("overwrite cache not passed to propeller")
	}

	resp, err = env.s.RecoverExecution(env.ctx, &admin.ExecutionRecoverRequest{Id: execID("orig"), Name: "recovered"})
	must(t, err)
	e, _ = env.s.GetExecution(env.ctx, &admin.WorkflowExecutionGetRequest{Id: resp.GetId()})
	if e.GetSpec().GetMetadata().GetMode() != admin.ExecutionMetadata_RECOVERED {
		t.Fatalf("recover mode %v", e.GetSpec().GetMetadata())
	}
	wf := env.getFlyteWorkflow(t, "recovered")
	if wf.ExecutionConfig.RecoveryExecution.GetName() != "orig" {
		t.Fatalf("recovery execution %v", wf.ExecutionConfig.RecoveryExecution)
	}
	_, err = env.s.RelaunchExecution(env.ctx, &admin.ExecutionRelaunchRequest{Id: execID("nope")})
	wantCode(t, err, codes.NotFound, "")
}

func wfEvent(name string, phase core.WorkflowExecution_Phase) *admin.WorkflowExecutionEventRequest {
	return &admin.WorkflowExecutionEventRequest{RequestId: "r", Event: wfEventAt(name, phase, time.Now())}
}

func wfEventAt(name string, phase core.WorkflowExecution_Phase, at time.Time) *eventWorkflow {
	return &eventWorkflow{ExecutionId: execID(name), Phase: phase, OccurredAt: timestamppb.New(at), ProducerId: "propeller"}
}

func TestSingleTaskExecution(t *testing.T) {
	env := newTestEnv(t)
	registerFixture(t, env, nil)
	req := &admin.ExecutionCreateRequest{
		Project: testProject, Domain: testDomain, Name: "taskrun",
		Spec: &admin.ExecutionSpec{
			LaunchPlan: ident(core.ResourceType_TASK, "app.square"),
			Metadata:   &admin.ExecutionMetadata{Mode: admin.ExecutionMetadata_MANUAL},
		},
		Inputs: &core.LiteralMap{Literals: map[string]*core.Literal{"a": intLit(2), "b": strLit("s"), "c": intLit(3)}},
	}
	_, err := env.s.CreateExecution(env.ctx, req)
	must(t, err)
	e, err := env.s.GetExecution(env.ctx, &admin.WorkflowExecutionGetRequest{Id: execID("taskrun")})
	must(t, err)
	if e.GetClosure().GetPhase() != core.WorkflowExecution_UNDEFINED ||
		e.GetClosure().GetWorkflowId().GetName() != ".flytegen.app.square" ||
		e.GetSpec().GetLaunchPlan().GetResourceType() != core.ResourceType_TASK {
		t.Fatalf("execution %v", e)
	}
	wf := env.getFlyteWorkflow(t, "taskrun")
	if _, ok := wf.Nodes["appsquare"]; !ok {
		t.Fatalf("nodes %v", wf.Nodes)
	}
	lp, err := env.s.getLaunchPlan(ident(core.ResourceType_LAUNCH_PLAN, ".flytegen.app.square"))
	must(t, err)
	if lp.GetClosure().GetState() != admin.LaunchPlanState_INACTIVE {
		t.Fatalf("generated launch plan %v", lp)
	}
	// A second run reuses the generated workflow and launch plan.
	req.Name = "taskrun2"
	_, err = env.s.CreateExecution(env.ctx, req)
	must(t, err)
	// Missing task input.
	delete(req.Inputs.Literals, "c")
	req.Name = ""
	_, err = env.s.CreateExecution(env.ctx, req)
	wantCode(t, err, codes.InvalidArgument, "expected_inputs c missing")
}

func TestExecutionConfigFromMatchableAttributes(t *testing.T) {
	env := newTestEnv(t)
	registerFixture(t, env, nil)
	_, err := env.s.UpdateProjectDomainAttributes(env.ctx, &admin.ProjectDomainAttributesUpdateRequest{
		Attributes: &admin.ProjectDomainAttributes{Project: testProject, Domain: testDomain,
			MatchingAttributes: &admin.MatchingAttributes{Target: &admin.MatchingAttributes_WorkflowExecutionConfig{
				WorkflowExecutionConfig: &admin.WorkflowExecutionConfig{MaxParallelism: 7,
					RawOutputDataConfig: &admin.RawOutputDataConfig{OutputLocationPrefix: "s3://test-bucket/pd-raw"}}}}}})
	must(t, err)
	_, err = env.s.UpdateProjectDomainAttributes(env.ctx, &admin.ProjectDomainAttributesUpdateRequest{
		Attributes: &admin.ProjectDomainAttributes{Project: testProject, Domain: testDomain,
			MatchingAttributes: &admin.MatchingAttributes{Target: &admin.MatchingAttributes_PluginOverrides{
				PluginOverrides: &admin.PluginOverrides{Overrides: []*admin.PluginOverride{{TaskType: "python-task",
					PluginId: []string{"agent-service"}}}}}}}})
	must(t, err)
	req := createReq("configured", map[string]*core.Literal{"a": intLit(1)})
	req.Spec.MaxParallelism = 3 // the request wins over the attributes
	_, err = env.s.CreateExecution(env.ctx, req)
	must(t, err)
	wf := env.getFlyteWorkflow(t, "configured")
	if wf.ExecutionConfig.MaxParallelism != 3 || wf.RawOutputDataConfig.GetOutputLocationPrefix() != "s3://test-bucket/pd-raw" {
		t.Fatalf("execution config %+v raw %v", wf.ExecutionConfig, wf.RawOutputDataConfig.RawOutputDataConfig)
	}
	if got := wf.ExecutionConfig.TaskPluginImpls["python-task"].PluginIDs; len(got) != 1 || got[0] != "agent-service" {
		t.Fatalf("plugin overrides %+v", wf.ExecutionConfig.TaskPluginImpls)
	}
}
