package adminsvc

import (
	"strings"
	"testing"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/event"
	eventsErr "github.com/flyteorg/flyte/flytepropeller/events/errors"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

type eventWorkflow = event.WorkflowExecutionEvent

// TestWorkflowEventTransitions checks admin's phase rules and that propeller's own error classification
// (flytepropeller/events/errors.WrapError, what its event recorders apply to the gRPC errors) reads the answers as
// admin's.
func TestWorkflowEventTransitions(t *testing.T) {
	env := newTestEnv(t)
	registerFixture(t, env, nil)
	_, err := env.s.CreateExecution(env.ctx, createReq("wfev", map[string]*core.Literal{"a": intLit(1)}))
	must(t, err)
	t0 := time.Now().Add(-time.Minute)
	send := func(phase core.WorkflowExecution_Phase, at time.Time, mutate func(*event.WorkflowExecutionEvent)) error {
		ev := wfEventAt("wfev", phase, at)
		if mutate != nil {
			mutate(ev)
		}
		_, err := env.s.CreateWorkflowEvent(env.ctx, &admin.WorkflowExecutionEventRequest{Event: ev})
		return err
	}
	must(t, send(core.WorkflowExecution_QUEUED, t0, nil))
	must(t, send(core.WorkflowExecution_QUEUED, t0, nil)) // repeated QUEUED is allowed
	must(t, send(core.WorkflowExecution_RUNNING, t0.Add(time.Second), nil))
	err = send(core.WorkflowExecution_RUNNING, t0.Add(2*time.Second), nil)
	wantCode(t, err, codes.AlreadyExists, "This phase RUNNING was already recorded")
	if !eventsErr.IsAlreadyExists(eventsErr.WrapError(err)) {
		t.Fatalf("propeller does not see AlreadyExists in %v", err)
	}
	err = send(core.WorkflowExecution_QUEUED, t0.Add(2*time.Second), nil)
	wantCode(t, err, codes.FailedPrecondition, "Cannot go from RUNNING to QUEUED")

	must(t, send(core.WorkflowExecution_FAILING, t0.Add(3*time.Second), func(ev *event.WorkflowExecutionEvent) {
		ev.OutputResult = &event.WorkflowExecutionEvent_Error{Error: &core.ExecutionError{Code: "USER:ValueError",
			Message: "task n0 failed: ValueError: boom", Kind: core.ExecutionError_USER}}
	}))
	must(t, send(core.WorkflowExecution_FAILED, t0.Add(10*time.Second), func(ev *event.WorkflowExecutionEvent) {
		ev.OutputResult = &event.WorkflowExecutionEvent_Error{Error: &core.ExecutionError{Code: "USER:ValueError",
			Message: "task n0 failed: ValueError: boom", Kind: core.ExecutionError_USER}}
	}))
	e, err := env.s.GetExecution(env.ctx, &admin.WorkflowExecutionGetRequest{Id: execID("wfev")})
	must(t, err)
	c := e.GetClosure()
	if c.GetPhase() != core.WorkflowExecution_FAILED || c.GetError().GetMessage() != "task n0 failed: ValueError: boom" ||
		c.GetError().GetKind() != core.ExecutionError_USER {
		t.Fatalf("closure %v", c)
	}
	if !c.GetStartedAt().AsTime().Equal(t0.Add(time.Second)) || c.GetDuration().AsDuration() != 9*time.Second ||
		!c.GetUpdatedAt().AsTime().Equal(t0.Add(10*time.Second)) {
		t.Fatalf("times: started %v duration %v updated %v", c.GetStartedAt().AsTime(), c.GetDuration().AsDuration(),
			c.GetUpdatedAt().AsTime())
	}
	err = send(core.WorkflowExecution_FAILED, t0.Add(11*time.Second), nil)
	wantCode(t, err, codes.AlreadyExists, "")
	err = send(core.WorkflowExecution_SUCCEEDED, t0.Add(11*time.Second), nil)
	wantCode(t, err, codes.FailedPrecondition, "Invalid phase change from FAILED to SUCCEEDED")
	if !eventsErr.IsEventAlreadyInTerminalStateError(eventsErr.WrapError(err)) {
		t.Fatalf("propeller does not see AlreadyInTerminalState in %v", err)
	}

	// Listing trims long error messages as admin does.
	long := strings.Repeat("x", 300)
	_, err = env.s.CreateExecution(env.ctx, createReq("longerr", map[string]*core.Literal{"a": intLit(1)}))
	must(t, err)
	_, err = env.s.CreateWorkflowEvent(env.ctx, &admin.WorkflowExecutionEventRequest{Event: &event.WorkflowExecutionEvent{
		ExecutionId: execID("longerr"), Phase: core.WorkflowExecution_FAILED, OccurredAt: timestamppb.Now(),
		OutputResult: &event.WorkflowExecutionEvent_Error{Error: &core.ExecutionError{Message: long}},
	}})
	must(t, err)
	res, err := env.s.ListExecutions(env.ctx, &admin.ResourceListRequest{
		Id: &admin.NamedEntityIdentifier{Project: testProject, Domain: testDomain}, Limit: 10, Filters: "eq(name,longerr)"})
	must(t, err)
	if len(res.GetExecutions()) != 1 || len(res.GetExecutions()[0].GetClosure().GetError().GetMessage()) != 100 {
		t.Fatalf("list %v", res)
	}
	full, _ := env.s.GetExecution(env.ctx, &admin.WorkflowExecutionGetRequest{Id: execID("longerr")})
	if full.GetClosure().GetError().GetMessage() != long {
		t.Fatal("GetExecution must return the whole message")
	}

	// Events for an unknown execution, and without an execution id.
	_, err = env.s.CreateWorkflowEvent(env.ctx, wfEvent("ghost", core.WorkflowExecution_RUNNING))
	wantCode(t, err, codes.NotFound, "")
	if !eventsErr.IsNotFound(eventsErr.WrapError(err)) {
		t.Fatal("propeller does not see NotFound")
	}
	_, err = env.s.CreateWorkflowEvent(env.ctx, &admin.WorkflowExecutionEventRequest{Event: &event.WorkflowExecutionEvent{}})
	wantCode(t, err, codes.InvalidArgument, "doesn't have an execution id")
}

func TestWorkflowEventOutputsAndCluster(t *testing.T) {
	env := newTestEnv(t)
	registerFixture(t, env, nil)
	_, err := env.s.CreateExecution(env.ctx, createReq("outs", map[string]*core.Literal{"a": intLit(1)}))
	must(t, err)
	ev := wfEvent("outs", core.WorkflowExecution_RUNNING)
	ev.Event.ProducerId = "lab-cluster"
	_, err = env.s.CreateWorkflowEvent(env.ctx, ev)
	must(t, err)
	// Events from another cluster are refused once the execution runs.
	ev = wfEvent("outs", core.WorkflowExecution_SUCCEEDING)
	ev.Event.ProducerId = "elsewhere"
	_, err = env.s.CreateWorkflowEvent(env.ctx, ev)
	wantCode(t, err, codes.FailedPrecondition, "")
	if !eventsErr.IsEventIncompatibleClusterError(eventsErr.WrapError(err)) {
		t.Fatalf("propeller does not see IncompatibleCluster in %v", err)
	}
	ev = wfEvent("outs", core.WorkflowExecution_SUCCEEDED)
	ev.Event.ProducerId = "lab-cluster"
	ev.Event.OutputResult = &event.WorkflowExecutionEvent_OutputData{OutputData: &core.LiteralMap{
		Literals: map[string]*core.Literal{"o": intLit(49)}}}
	_, err = env.s.CreateWorkflowEvent(env.ctx, ev)
	must(t, err)
	e, _ := env.s.GetExecution(env.ctx, &admin.WorkflowExecutionGetRequest{Id: execID("outs")})
	want := "s3://test-bucket/metadata/" + testProject + "/development/outs/offloaded_outputs"
	if e.GetClosure().GetOutputs().GetUri() != want {
		t.Fatalf("outputs %v", e.GetClosure().GetOutputs())
	}
	if e.GetSpec().GetMetadata().GetSystemMetadata().GetExecutionCluster() != "lab-cluster" {
		t.Fatalf("cluster %v", e.GetSpec().GetMetadata().GetSystemMetadata())
	}
	data, err := env.s.GetExecutionData(env.ctx, &admin.WorkflowExecutionGetDataRequest{Id: execID("outs")})
	must(t, err)
	if data.GetFullOutputs().GetLiterals()["o"].GetScalar().GetPrimitive().GetInteger() != 49 ||
		data.GetOutputs().GetBytes() == 0 || !strings.Contains(data.GetOutputs().GetUrl(), "X-Amz-Signature") {
		t.Fatalf("data %v", data)
	}
	if data.GetFullInputs().GetLiterals()["a"].GetScalar().GetPrimitive().GetInteger() != 1 ||
		data.GetInputs().GetBytes() == 0 {
		t.Fatalf("inputs %v", data)
	}
}

func nodeEvent(name, node string, phase core.NodeExecution_Phase, at time.Time) *event.NodeExecutionEvent {
	return &event.NodeExecutionEvent{
		Id:         &core.NodeExecutionIdentifier{ExecutionId: execID(name), NodeId: node},
		Phase:      phase,
		OccurredAt: timestamppb.New(at),
		ProducerId: "propeller",
		InputValue: &event.NodeExecutionEvent_InputUri{InputUri: "s3://test-bucket/metadata/propeller/" + name + "/" + node + "/data/inputs.pb"},
		SpecNodeId: node, EventVersion: 1,
	}
}

func taskEvent(name, node string, phase core.TaskExecution_Phase, version uint32, at time.Time) *event.TaskExecutionEvent {
	return &event.TaskExecutionEvent{
		TaskId:                ident(core.ResourceType_TASK, "app.square"),
		ParentNodeExecutionId: &core.NodeExecutionIdentifier{ExecutionId: execID(name), NodeId: node},
		Phase:                 phase,
		PhaseVersion:          version,
		OccurredAt:            timestamppb.New(at),
		ProducerId:            "propeller",
		TaskType:              "python-task",
		InputValue:            &event.TaskExecutionEvent_InputUri{InputUri: "s3://test-bucket/metadata/propeller/" + name + "/" + node + "/data/inputs.pb"},
	}
}

func TestNodeAndTaskEvents(t *testing.T) {
	env := newTestEnv(t)
	registerFixture(t, env, nil)
	_, err := env.s.CreateExecution(env.ctx, createReq("nodes", map[string]*core.Literal{"a": intLit(1)}))
	must(t, err)
	t0 := time.Now().Add(-time.Minute)
	sendNode := func(ev *event.NodeExecutionEvent) error {
		_, err := env.s.CreateNodeEvent(env.ctx, &admin.NodeExecutionEventRequest{Event: ev})
		return err
	}
	sendTask := func(ev *event.TaskExecutionEvent) error {
		_, err := env.s.CreateTaskEvent(env.ctx, &admin.TaskExecutionEventRequest{Event: ev})
		return err
	}
	// A task event before its node exists: admin's error.
	err = sendTask(taskEvent("nodes", "n0", core.TaskExecution_QUEUED, 0, t0))
	wantCode(t, err, codes.Unknown, "failed to get existing node execution id")

	must(t, sendNode(nodeEvent("nodes", "n0", core.NodeExecution_QUEUED, t0)))
	err = sendNode(nodeEvent("nodes", "n0", core.NodeExecution_QUEUED, t0))
	wantCode(t, err, codes.AlreadyExists, "")
	if !eventsErr.IsAlreadyExists(eventsErr.WrapError(err)) {
		t.Fatal("propeller does not see AlreadyExists for a node event")
	}
	must(t, sendNode(nodeEvent("nodes", "n0", core.NodeExecution_RUNNING, t0.Add(time.Second))))

	q := taskEvent("nodes", "n0", core.TaskExecution_QUEUED, 0, t0.Add(time.Second))
	q.Logs = []*core.TaskLog{{Name: "pending", Uri: "http://logs/pending", ShowWhilePending: true}, {Name: "hidden", Uri: "http://logs/h", HideOnceFinished: true}}
	q.Reason = "pod pending"
	must(t, sendTask(q))
	r0 := taskEvent("nodes", "n0", core.TaskExecution_RUNNING, 0, t0.Add(2*time.Second))
	r0.Logs = []*core.TaskLog{{Name: "Kubernetes Logs", Uri: "http://logs/k8s"}}
	r0.CustomInfo, _ = structpb.NewStruct(map[string]any{"a": 1, "nested": map[string]any{"x": 1}})
	r0.Metadata = &event.TaskExecutionMetadata{GeneratedName: "nodes-n0-0"}
	must(t, sendTask(r0))
	r1 := taskEvent("nodes", "n0", core.TaskExecution_RUNNING, 1, t0.Add(3*time.Second))
	r1.CustomInfo, _ = structpb.NewStruct(map[string]any{"b": 2, "nested": map[string]any{"y": 2}})
	r1.Reason = "still running"
	must(t, sendTask(r1)) // same phase, higher version
	err = sendTask(taskEvent("nodes", "n0", core.TaskExecution_RUNNING, 1, t0.Add(4*time.Second)))
	wantCode(t, err, codes.AlreadyExists, "have already recorded task execution phase RUNNING (version: 1)")
	s := taskEvent("nodes", "n0", core.TaskExecution_SUCCEEDED, 0, t0.Add(5*time.Second))
	s.OutputResult = &event.TaskExecutionEvent_OutputUri{OutputUri: "s3://test-bucket/metadata/propeller/nodes/n0/data/0/outputs.pb"}
	must(t, sendTask(s))
	err = sendTask(taskEvent("nodes", "n0", core.TaskExecution_RUNNING, 2, t0.Add(6*time.Second)))
	wantCode(t, err, codes.FailedPrecondition, "invalid phase change from SUCCEEDED to RUNNING")
	if !eventsErr.IsEventAlreadyInTerminalStateError(eventsErr.WrapError(err)) {
		t.Fatal("propeller does not see AlreadyInTerminalState for a task event")
	}

	ns := nodeEvent("nodes", "n0", core.NodeExecution_SUCCEEDED, t0.Add(6*time.Second))
	ns.OutputResult = &event.NodeExecutionEvent_OutputUri{OutputUri: "s3://test-bucket/metadata/propeller/nodes/n0/data/0/outputs.pb"}
	ns.TargetMetadata = &event.NodeExecutionEvent_TaskNodeMetadata{TaskNodeMetadata: &event.TaskNodeMetadata{
		CacheStatus: core.CatalogCacheStatus_CACHE_POPULATED, CatalogKey: &core.CatalogMetadata{DatasetId: ident(core.ResourceType_DATASET, "ds")},
	}}
	must(t, sendNode(ns))
	err = sendNode(nodeEvent("nodes", "n0", core.NodeExecution_RUNNING, t0.Add(7*time.Second)))
	wantCode(t, err, codes.FailedPrecondition, "Invalid phase change from SUCCEEDED to RUNNING")
	if !eventsErr.IsEventAlreadyInTerminalStateError(eventsErr.WrapError(err)) {
		t.Fatal("propeller does not see AlreadyInTerminalState for a node event")
	}

	ne, err := env.s.GetNodeExecution(env.ctx, &admin.NodeExecutionGetRequest{Id: ns.GetId()})
	must(t, err)
	c := ne.GetClosure()
	if c.GetPhase() != core.NodeExecution_SUCCEEDED || c.GetDuration().AsDuration() != 5*time.Second ||
		!c.GetCreatedAt().AsTime().Equal(t0) || c.GetOutputUri() == "" ||
		c.GetTaskNodeMetadata().GetCacheStatus() != core.CatalogCacheStatus_CACHE_POPULATED ||
		ne.GetInputUri() == "" || ne.GetMetadata().GetSpecNodeId() != "n0" {
		t.Fatalf("node %v", ne)
	}
	if len(ne.ProtoReflect().GetUnknown()) != 0 {
		t.Fatal("extras leaked into the response")
	}

	te, err := env.s.GetTaskExecution(env.ctx, &admin.TaskExecutionGetRequest{Id: &core.TaskExecutionIdentifier{
		TaskId: ident(core.ResourceType_TASK, "app.square"), NodeExecutionId: ns.GetId()}})
	must(t, err)
	tc := te.GetClosure()
	if tc.GetPhase() != core.TaskExecution_SUCCEEDED || tc.GetDuration().AsDuration() != 3*time.Second ||
		tc.GetOutputUri() == "" || tc.GetTaskType() != "python-task" || te.GetIsParent() {
		t.Fatalf("task %v", te)
	}
	// Logs: merged, the QUEUED-only ones kept while pending and dropped later only if replaced.
	var logNames []string
	for _, l := range tc.GetLogs() {
		logNames = append(logNames, l.GetName())
	}
	if strings.Join(logNames, ",") != "Kubernetes Logs,pending" {
		t.Fatalf("logs %v", logNames)
	}
	if len(tc.GetReasons()) != 2 || tc.GetReason() != "still running" {
		t.Fatalf("reasons %v", tc.GetReasons())
	}
	ci := tc.GetCustomInfo().AsMap()
	if ci["a"] != 1.0 || ci["b"] != 2.0 || ci["nested"].(map[string]any)["x"] != 1.0 || ci["nested"].(map[string]any)["y"] != 2.0 {
		t.Fatalf("custom info %v", ci)
	}
	if tc.GetMetadata().GetGeneratedName() != "nodes-n0-0" {
		t.Fatalf("metadata %v", tc.GetMetadata())
	}
	list, err := env.s.ListTaskExecutions(env.ctx, &admin.TaskExecutionListRequest{NodeExecutionId: ns.GetId(), Limit: 10})
	must(t, err)
	if len(list.GetTaskExecutions()) != 1 {
		t.Fatalf("task list %v", list)
	}

	// A node event for an execution that does not exist.
	err = sendNode(nodeEvent("ghost", "n0", core.NodeExecution_QUEUED, t0))
	wantCode(t, err, codes.NotFound, "")
}

func TestNodeHierarchy(t *testing.T) {
	env := newTestEnv(t)
	registerFixture(t, env, nil)
	_, err := env.s.CreateExecution(env.ctx, createReq("tree", map[string]*core.Literal{"a": intLit(1)}))
	must(t, err)
	t0 := time.Now().Add(-time.Minute)
	send := func(ev *event.NodeExecutionEvent) {
		t.Helper()
		_, err := env.s.CreateNodeEvent(env.ctx, &admin.NodeExecutionEventRequest{Event: ev})
		must(t, err)
	}
	// A dynamic node n1 generating a workflow with child dn0, and a sub-workflow node n2 with child n2-0-n0.
	send(nodeEvent("tree", "n0", core.NodeExecution_RUNNING, t0))
	send(nodeEvent("tree", "n1", core.NodeExecution_QUEUED, t0.Add(time.Second)))
	dyn := nodeEvent("tree", "n1", core.NodeExecution_DYNAMIC_RUNNING, t0.Add(2*time.Second))
	dyn.IsParent, dyn.IsDynamic = true, true
	dynWf := &core.CompiledWorkflowClosure{Primary: &core.CompiledWorkflow{Template: &core.WorkflowTemplate{
		Id: ident(core.ResourceType_WORKFLOW, "dyn.wf")}}}
	dyn.TargetMetadata = &event.NodeExecutionEvent_TaskNodeMetadata{TaskNodeMetadata: &event.TaskNodeMetadata{
		DynamicWorkflow: &event.DynamicWorkflowNodeMetadata{Id: ident(core.ResourceType_WORKFLOW, "dyn.wf"),
			CompiledWorkflow: dynWf, DynamicJobSpecUri: "s3://test-bucket/x/futures.pb"},
	}}
	send(dyn)
	child := nodeEvent("tree", "n1-0-dn0", core.NodeExecution_QUEUED, t0.Add(3*time.Second))
	child.ParentNodeMetadata = &event.ParentNodeExecutionMetadata{NodeId: "n1"}
	child.RetryGroup = "0"
	child.SpecNodeId = "dn0"
	send(child)
	sub := nodeEvent("tree", "n2", core.NodeExecution_RUNNING, t0.Add(4*time.Second))
	sub.IsParent = true
	send(sub)
	subChild := nodeEvent("tree", "n2-0-n0", core.NodeExecution_RUNNING, t0.Add(5*time.Second))
	subChild.ParentNodeMetadata = &event.ParentNodeExecutionMetadata{NodeId: "n2"}
	send(subChild)
	orphan := nodeEvent("tree", "x-0-n0", core.NodeExecution_RUNNING, t0)
	orphan.ParentNodeMetadata = &event.ParentNodeExecutionMetadata{NodeId: "x"}
	_, err = env.s.CreateNodeEvent(env.ctx, &admin.NodeExecutionEventRequest{Event: orphan})
	wantCode(t, err, codes.NotFound, "missing entity of type node execution")

	ids := func(l *admin.NodeExecutionList) string {
		var out []string
		for _, n := range l.GetNodeExecutions() {
			out = append(out, n.GetId().GetNodeId())
		}
		return strings.Join(out, ",")
	}
	top, err := env.s.ListNodeExecutions(env.ctx, &admin.NodeExecutionListRequest{WorkflowExecutionId: execID("tree"), Limit: 10})
	must(t, err)
	if ids(top) != "n0,n1,n2" {
		t.Fatalf("top level %s", ids(top))
	}
	kids, err := env.s.ListNodeExecutions(env.ctx, &admin.NodeExecutionListRequest{WorkflowExecutionId: execID("tree"),
		UniqueParentId: "n1", Limit: 10})
	must(t, err)
	if ids(kids) != "n1-0-dn0" || kids.GetNodeExecutions()[0].GetMetadata().GetRetryGroup() != "0" {
		t.Fatalf("children of n1 %v", kids)
	}
	kids, err = env.s.ListNodeExecutions(env.ctx, &admin.NodeExecutionListRequest{WorkflowExecutionId: execID("tree"),
		UniqueParentId: "n2", Limit: 10, Filters: "eq(phase,RUNNING)"})
	must(t, err)
	if ids(kids) != "n2-0-n0" {
		t.Fatalf("children of n2 %s", ids(kids))
	}
	_, err = env.s.ListNodeExecutions(env.ctx, &admin.NodeExecutionListRequest{WorkflowExecutionId: execID("tree"),
		UniqueParentId: "nope", Limit: 10})
	wantCode(t, err, codes.NotFound, "")
	page, err := env.s.ListNodeExecutions(env.ctx, &admin.NodeExecutionListRequest{WorkflowExecutionId: execID("tree"),
		Limit: 2, SortBy: &admin.Sort{Key: "created_at", Direction: admin.Sort_DESCENDING}})
	must(t, err)
	if ids(page) != "n2,n1" || page.GetToken() != "2" {
		t.Fatalf("page %s token %q", ids(page), page.GetToken())
	}

	n1, err := env.s.GetNodeExecution(env.ctx, &admin.NodeExecutionGetRequest{Id: dyn.GetId()})
	must(t, err)
	if !n1.GetMetadata().GetIsParentNode() || !n1.GetMetadata().GetIsDynamic() ||
		n1.GetClosure().GetDynamicJobSpecUri() != "s3://test-bucket/x/futures.pb" {
		t.Fatalf("dynamic node %v", n1)
	}
	dw, err := env.s.GetDynamicNodeWorkflow(env.ctx, &admin.GetDynamicNodeWorkflowRequest{Id: dyn.GetId()})
	must(t, err)
	if dw.GetCompiledWorkflow().GetPrimary().GetTemplate().GetId().GetName() != "dyn.wf" {
		t.Fatalf("dynamic workflow %v", dw)
	}
	nd, err := env.s.GetNodeExecutionData(env.ctx, &admin.NodeExecutionGetDataRequest{Id: dyn.GetId()})
	must(t, err)
	if nd.GetDynamicWorkflow().GetId().GetName() != "dyn.wf" || nd.GetFlyteUrls().GetInputs() != "flyte://v1/"+testProject+"/development/tree/n1/i" {
		t.Fatalf("node data %v", nd)
	}
	_, err = env.s.GetDynamicNodeWorkflow(env.ctx, &admin.GetDynamicNodeWorkflowRequest{Id: sub.GetId()})
	wantCode(t, err, codes.NotFound, "node does not contain dynamic workflow")
}

// TestEventVersion0ParentTask covers propeller's oldest event shape: child nodes of a dynamic task name the task
// execution as their parent.
func TestEventVersion0ParentTask(t *testing.T) {
	env := newTestEnv(t)
	registerFixture(t, env, nil)
	_, err := env.s.CreateExecution(env.ctx, createReq("v0", map[string]*core.Literal{"a": intLit(1)}))
	must(t, err)
	t0 := time.Now()
	_, err = env.s.CreateNodeEvent(env.ctx, &admin.NodeExecutionEventRequest{Event: nodeEvent("v0", "n0", core.NodeExecution_RUNNING, t0)})
	must(t, err)
	_, err = env.s.CreateTaskEvent(env.ctx, &admin.TaskExecutionEventRequest{Event: taskEvent("v0", "n0", core.TaskExecution_RUNNING, 0, t0)})
	must(t, err)
	tid := &core.TaskExecutionIdentifier{TaskId: ident(core.ResourceType_TASK, "app.square"),
		NodeExecutionId: &core.NodeExecutionIdentifier{ExecutionId: execID("v0"), NodeId: "n0"}}
	child := nodeEvent("v0", "dn0", core.NodeExecution_RUNNING, t0)
	child.EventVersion = 0
	child.ParentTaskMetadata = &event.ParentTaskExecutionMetadata{Id: tid}
	_, err = env.s.CreateNodeEvent(env.ctx, &admin.NodeExecutionEventRequest{Event: child})
	must(t, err)
	l, err := env.s.ListNodeExecutionsForTask(env.ctx, &admin.NodeExecutionForTaskListRequest{TaskExecutionId: tid, Limit: 5})
	must(t, err)
	if len(l.GetNodeExecutions()) != 1 || l.GetNodeExecutions()[0].GetId().GetNodeId() != "dn0" {
		t.Fatalf("for task %v", l)
	}
	top, err := env.s.ListNodeExecutions(env.ctx, &admin.NodeExecutionListRequest{WorkflowExecutionId: execID("v0"), Limit: 5})
	must(t, err)
	if len(top.GetNodeExecutions()) != 1 {
		t.Fatalf("top level must leave out task children: %v", top)
	}
	te, err := env.s.GetTaskExecution(env.ctx, &admin.TaskExecutionGetRequest{Id: tid})
	must(t, err)
	if !te.GetIsParent() {
		t.Fatal("task execution with child nodes must be is_parent")
	}
}

func TestDataOfUnstartedExecution(t *testing.T) {
	env := newTestEnv(t)
	registerFixture(t, env, nil)
	_, err := env.s.CreateExecution(env.ctx, createReq("idle", map[string]*core.Literal{"a": intLit(3)}))
	must(t, err)
	d, err := env.s.GetExecutionData(env.ctx, &admin.WorkflowExecutionGetDataRequest{Id: execID("idle")})
	must(t, err)
	if d.GetFullOutputs() == nil || len(d.GetFullOutputs().GetLiterals()) != 0 || d.GetOutputs().GetUrl() != "" {
		t.Fatalf("outputs of an execution that never ran: %v", d)
	}
	if d.GetFullInputs().GetLiterals()["a"].GetScalar().GetPrimitive().GetInteger() != 3 {
		t.Fatalf("inputs %v", d.GetFullInputs())
	}
	// A node whose outputs were not written yet.
	ev := nodeEvent("idle", "n0", core.NodeExecution_RUNNING, time.Now())
	_, err = env.s.CreateNodeEvent(env.ctx, &admin.NodeExecutionEventRequest{Event: ev})
	must(t, err)
	nd, err := env.s.GetNodeExecutionData(env.ctx, &admin.NodeExecutionGetDataRequest{Id: ev.GetId()})
	must(t, err)
	if len(nd.GetFullInputs().GetLiterals()) != 0 || nd.GetInputs().GetBytes() != 0 {
		t.Fatalf("node data %v", nd)
	}
	// Inputs larger than the inline limit come only as a URL.
	env.s.cfg.MaxInlineBytes = 1
	d, err = env.s.GetExecutionData(env.ctx, &admin.WorkflowExecutionGetDataRequest{Id: execID("idle")})
	must(t, err)
	if len(d.GetFullInputs().GetLiterals()) != 0 || d.GetInputs().GetBytes() == 0 || d.GetInputs().GetUrl() == "" {
		t.Fatalf("large inputs %v", d)
	}
}
