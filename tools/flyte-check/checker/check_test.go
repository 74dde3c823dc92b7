package checker

import (
	"archive/tar"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
)

// ---- fixtures built from flyteidl's Go types (no committed blobs) ----

func simple(t core.SimpleType) *core.LiteralType {
	return &core.LiteralType{Type: &core.LiteralType_Simple{Simple: t}}
}

func vars(kv ...any) *core.VariableMap {
	m := &core.VariableMap{Variables: map[string]*core.Variable{}}
	for i := 0; i < len(kv); i += 2 {
		m.Variables[kv[i].(string)] = &core.Variable{Type: kv[i+1].(*core.LiteralType)}
	}
	return m
}

func id(rt core.ResourceType, name string) *core.Identifier {
	// Placeholders, as the TS SDK writes them; flytectl (and flyte-check) hydrate them at registration.
	return &core.Identifier{ResourceType: rt, Project: "{{ registration.project }}", Domain: "{{ registration.domain }}",
		Name: name, Version: "{{ registration.version }}"}
}

func taskSpec(name string, in, out *core.VariableMap) *admin.TaskSpec {
	return &admin.TaskSpec{Template: &core.TaskTemplate{
		Id:        id(core.ResourceType_TASK, name),
		Type:      "container",
		Metadata:  &core.TaskMetadata{Runtime: &core.RuntimeMetadata{Type: core.RuntimeMetadata_OTHER, Version: "0.1.0", Flavor: "typescript"}, Retries: &core.RetryStrategy{}},
		Interface: &core.TypedInterface{Inputs: in, Outputs: out},
		Target: &core.TaskTemplate_Container{Container: &core.Container{
			Image: "unionml/app:v1",
			Args:  []string{"unionml-execute", "--inputs", "{{.input}}", "--output-prefix", "{{.outputPrefix}}"},
		}},
	}}
}

func promise(node, v string) *core.BindingData {
	return &core.BindingData{Value: &core.BindingData_Promise{Promise: &core.OutputReference{NodeId: node, Var: v}}}
}

func floatLit(f float64) *core.Literal {
	return &core.Literal{Value: &core.Literal_Scalar{Scalar: &core.Scalar{Value: &core.Scalar_Primitive{Primitive: &core.Primitive{Value: &core.Primitive_FloatValue{FloatValue: f}}}}}}
}

func strLit(s string) *core.Literal {
	return &core.Literal{Value: &core.Literal_Scalar{Scalar: &core.Scalar{Value: &core.Scalar_Primitive{Primitive: &core.Primitive{Value: &core.Primitive_StringValue{StringValue: s}}}}}}
}

func taskNode(nodeID, task string, upstream []string, bindings ...*core.Binding) *core.Node {
	return &core.Node{
		Id: nodeID, Metadata: &core.NodeMetadata{Name: task}, Inputs: bindings, UpstreamNodeIds: upstream,
		Target: &core.Node_TaskNode{TaskNode: &core.TaskNode{Reference: &core.TaskNode_ReferenceId{ReferenceId: id(core.ResourceType_TASK, task)}}},
	}
}

func bind(v string, b *core.BindingData) *core.Binding { return &core.Binding{Var: v, Binding: b} }

// The positive fixture: say_hello(name: str) -> o0: str; length(greeting: str, scale: float) -> o0: float;
// hello_wf(name: str, scale: float, run_at: datetime) -> o0: float.
func goodTasks() (*admin.TaskSpec, *admin.TaskSpec) {
	hello := taskSpec("ts.say_hello", vars("name", simple(core.SimpleType_STRING)), vars("o0", simple(core.SimpleType_STRING)))
	length := taskSpec("ts.length", vars("greeting", simple(core.SimpleType_STRING), "scale", simple(core.SimpleType_FLOAT)), vars("o0", simple(core.SimpleType_FLOAT)))
	return hello, length
}

func goodWorkflow() *admin.WorkflowSpec {
	return &admin.WorkflowSpec{Template: &core.WorkflowTemplate{
		Id:               id(core.ResourceType_WORKFLOW, "ts.hello_wf"),
		Metadata:         &core.WorkflowMetadata{},
		MetadataDefaults: &core.WorkflowMetadataDefaults{},
		Interface: &core.TypedInterface{
			Inputs:  vars("name", simple(core.SimpleType_STRING), "scale", simple(core.SimpleType_FLOAT), "run_at", simple(core.SimpleType_DATETIME)),
			Outputs: vars("o0", simple(core.SimpleType_FLOAT)),
		},
		Nodes: []*core.Node{
			taskNode("n0", "ts.say_hello", nil, bind("name", promise("", "name"))),
			taskNode("n1", "ts.length", []string{"n0"}, bind("greeting", promise("n0", "o0")), bind("scale", promise("start-node", "scale"))),
		},
		Outputs: []*core.Binding{bind("o0", promise("n1", "o0"))},
	}}
}

func defaultLaunchPlan() *admin.LaunchPlan {
	return &admin.LaunchPlan{Id: id(core.ResourceType_LAUNCH_PLAN, "ts.hello_wf"), Spec: &admin.LaunchPlanSpec{
		WorkflowId: id(core.ResourceType_WORKFLOW, "ts.hello_wf"),
		DefaultInputs: &core.ParameterMap{Parameters: map[string]*core.Parameter{
			"name":   {Var: &core.Variable{Type: simple(core.SimpleType_STRING)}, Behavior: &core.Parameter_Default{Default: strLit("world")}},
			"scale":  {Var: &core.Variable{Type: simple(core.SimpleType_FLOAT)}, Behavior: &core.Parameter_Default{Default: floatLit(2)}},
			"run_at": {Var: &core.Variable{Type: simple(core.SimpleType_DATETIME)}, Behavior: &core.Parameter_Required{Required: true}},
		}},
		FixedInputs:         &core.LiteralMap{Literals: map[string]*core.Literal{}},
		EntityMetadata:      &admin.LaunchPlanMetadata{},
		RawOutputDataConfig: &admin.RawOutputDataConfig{},
	}}
}

func scheduledLaunchPlan(cronExpr, kickoff string) *admin.LaunchPlan {
	lp := defaultLaunchPlan()
	lp.Id = id(core.ResourceType_LAUNCH_PLAN, "ts.hello_wf_nightly")
	delete(lp.Spec.DefaultInputs.Parameters, "scale")
	lp.Spec.FixedInputs.Literals["scale"] = floatLit(3)
	lp.Spec.EntityMetadata.Schedule = &admin.Schedule{
		ScheduleExpression:  &admin.Schedule_CronSchedule{CronSchedule: &admin.CronSchedule{Schedule: cronExpr}},
		KickoffTimeInputArg: kickoff,
	}
	return lp
}

type entry struct {
	name string
	msg  proto.Message
	raw  []byte
}

// writeBundle writes entries as a flat .tgz, like pyflyte package does.
func writeBundle(t *testing.T, entries ...entry) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "bundle.tgz")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	gz := gzip.NewWriter(f)
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		data := e.raw
		if e.msg != nil {
			if data, err = proto.Marshal(e.msg); err != nil {
				t.Fatal(err)
			}
		}
		if err := tw.WriteHeader(&tar.Header{Name: e.name, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []interface{ Close() error }{tw, gz, f} {
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

func check(t *testing.T, entries ...entry) *Report {
	t.Helper()
	srcs, err := LoadSources([]string{writeBundle(t, entries...)})
	if err != nil {
		t.Fatal(err)
	}
	return Check(srcs, Options{})
}

func goodEntries() []entry {
	hello, length := goodTasks()
	return []entry{
		{name: "0_ts.say_hello_1.pb", msg: hello},
		{name: "1_ts.length_1.pb", msg: length},
		{name: "2_ts.hello_wf_2.pb", msg: goodWorkflow()},
		{name: "3_ts.hello_wf_3.pb", msg: defaultLaunchPlan()},
		{name: "4_ts.hello_wf_nightly_3.pb", msg: scheduledLaunchPlan("0 2 * * *", "run_at")},
	}
}

// all problems of a report, for assertions and logs
func problems(rep *Report) []Problem {
	var out []Problem
	for _, g := range [][]EntityResult{rep.Files, rep.Tasks, rep.Workflows, rep.LaunchPlans} {
		for _, r := range g {
			out = append(out, r.Problems...)
		}
	}
	return out
}

func requireRejected(t *testing.T, rep *Report, code, substring string) {
	t.Helper()
	if rep.OK {
		t.Fatalf("expected rejection with %s, got ok", code)
	}
	for _, p := range problems(rep) {
		t.Logf("rejected: [%s/%s] %s", p.Origin, p.Code, p.Message)
	}
	for _, p := range problems(rep) {
		if p.Code == code && strings.Contains(p.Message, substring) {
			return
		}
	}
	t.Fatalf("no problem with code %s containing %q in %+v", code, substring, problems(rep))
}

// ---- tests ----

func TestAcceptsGoodBundle(t *testing.T) {
	rep := check(t, goodEntries()...)
	if !rep.OK {
		t.Fatalf("expected ok, got %+v", problems(rep))
	}
	if len(rep.Tasks) != 2 || len(rep.Workflows) != 1 || len(rep.LaunchPlans) != 2 {
		t.Fatalf("unexpected counts: %d/%d/%d", len(rep.Tasks), len(rep.Workflows), len(rep.LaunchPlans))
	}
	for _, lp := range rep.LaunchPlans {
		if len(lp.Notes) == 0 || !strings.Contains(strings.Join(lp.Notes, " "), "FlyteWorkflow CR built") {
			t.Fatalf("launch plan %s: CRD not built: %v", lp.Name, lp.Notes)
		}
	}
}

func TestRejectsStringOutputBoundToFloatInput(t *testing.T) {
	e := goodEntries()
	wf := goodWorkflow()
	// scale: FLOAT <- n0.o0: STRING
	wf.Template.Nodes[1].Inputs[1] = bind("scale", promise("n0", "o0"))
	e[2].msg = wf
	requireRejected(t, check(t, e...), "MismatchingTypes", "'ts.say_hello.o0' has type [simple:STRING], but it's assigned to the input variable 'ts.length.scale'")
}

func TestRejectsUnboundRequiredTaskInput(t *testing.T) {
	e := goodEntries()
	wf := goodWorkflow()
	wf.Template.Nodes[1].Inputs = wf.Template.Nodes[1].Inputs[:1] // drop the "scale" binding
	e[2].msg = wf
	requireRejected(t, check(t, e...), "ParameterNotBound", "scale")
}

func TestRejectsTaskWithEmptyImage(t *testing.T) {
	e := goodEntries()
	hello, _ := goodTasks()
	hello.Template.GetContainer().Image = ""
	e[0].msg = hello
	rep := check(t, e...)
	requireRejected(t, rep, "ValueRequired", "image")
	requireRejected(t, rep, "InvalidArgument", "missing image")
}

func TestRejectsLaunchPlanWithUnknownFixedInput(t *testing.T) {
	e := goodEntries()
	lp := scheduledLaunchPlan("0 2 * * *", "run_at")
	lp.Spec.FixedInputs.Literals["bogus"] = floatLit(1)
	e[4].msg = lp
	requireRejected(t, check(t, e...), "InvalidArgument", "unexpected fixed_input bogus")
}

func TestRejectsLaunchPlanDefaultOfWrongType(t *testing.T) {
	e := goodEntries()
	lp := defaultLaunchPlan()
	lp.Spec.DefaultInputs.Parameters["scale"] = &core.Parameter{Var: &core.Variable{Type: simple(core.SimpleType_STRING)}, Behavior: &core.Parameter_Default{Default: strLit("x")}}
	e[3].msg = lp
	requireRejected(t, check(t, e...), "InvalidArgument", "invalid default_input wrong type scale")
}

func TestRejectsBadSchedules(t *testing.T) {
	e := goodEntries()
	e[4].msg = scheduledLaunchPlan("0 2 * *", "run_at")
	requireRejected(t, check(t, e...), "InvalidArgument", "Invalid cron expression")

	e[4].msg = scheduledLaunchPlan("0 2 * * *", "name")
	requireRejected(t, check(t, e...), "InvalidArgument", "KickoffTimeInputArg must reference a datetime input")

	lp := scheduledLaunchPlan("", "run_at")
	lp.Spec.EntityMetadata.Schedule.ScheduleExpression = &admin.Schedule_Rate{Rate: &admin.FixedRate{Value: 0, Unit: admin.FixedRateUnit_HOUR}}
	e[4].msg = lp
	requireRejected(t, check(t, e...), "InvalidArgument", "fixed rate value must be > 0")

	// scheduled, but "name" has no default: admin refuses an unbound required input besides the kickoff arg
	lp = scheduledLaunchPlan("0 2 * * *", "run_at")
	delete(lp.Spec.DefaultInputs.Parameters, "name")
	e[4].msg = lp
	requireRejected(t, check(t, e...), "InvalidArgument", "unbound required input. [name] is required")
}

func TestRejectsFixedInputThatIsAlsoDefault(t *testing.T) {
	e := goodEntries()
	lp := defaultLaunchPlan()
	lp.Spec.FixedInputs.Literals["scale"] = floatLit(5)
	e[3].msg = lp
	requireRejected(t, check(t, e...), "InvalidArgument", "cannot be overridden")
}

func TestRejectsBadFileNamesAndOrder(t *testing.T) {
	e := goodEntries()
	e[0].name = "0_ts.say_hello.pb" // no _1 suffix
	requireRejected(t, check(t, e...), "InvalidFile", "no _1/_2/_3 suffix")

	e = goodEntries()
	e = append(e, entry{name: "README.md", raw: []byte("hi")})
	requireRejected(t, check(t, e...), "InvalidFile", "not a .pb file")

	// The workflow sorts before the task it uses: flytectl registers it first and admin cannot find the task.
	e = goodEntries()
	e[1].name = "9_ts.length_1.pb"
	requireRejected(t, check(t, e...), "OutOfOrder", "ts.length")

	// A launch plan sorting before its workflow.
	e = goodEntries()
	e[3].name = "1a_ts.hello_wf_3.pb"
	requireRejected(t, check(t, e...), "OutOfOrder", "ts.hello_wf")

	// A reference to a task that is nowhere in the bundle.
	e = goodEntries()
	e = append(e[:1], e[2:]...)
	requireRejected(t, check(t, e...), "NotFound", "ts.length")
}

func TestRejectsWrongMessageTypeForSuffix(t *testing.T) {
	e := goodEntries()
	e[2].name = "2_ts.hello_wf_1.pb" // a WorkflowSpec named as a TaskSpec
	rep := check(t, e...)
	if rep.OK {
		t.Fatalf("a WorkflowSpec under a _1 name must not pass")
	}
	for _, p := range problems(rep) {
		t.Logf("rejected: [%s/%s] %s", p.Origin, p.Code, p.Message)
	}
}

func TestRejectsCycle(t *testing.T) {
	e := goodEntries()
	wf := goodWorkflow()
	wf.Template.Nodes[0].Inputs[0] = bind("name", promise("n1", "o0")) // n0 <- n1 <- n0 (and FLOAT->STRING)
	wf.Template.Nodes[0].UpstreamNodeIds = []string{"n1"}
	e[2].msg = wf
	rep := check(t, e...)
	if rep.OK {
		t.Fatal("cycle accepted")
	}
	for _, p := range problems(rep) {
		t.Logf("rejected: [%s/%s] %s", p.Origin, p.Code, p.Message)
	}
}

func TestUnknownFieldsDetected(t *testing.T) {
	hello, _ := goodTasks()
	data, _ := proto.Marshal(hello)
	data = append(data, 0xf8, 0x07, 0x01) // field 127, varint 1: not in TaskSpec
	e := goodEntries()
	e[0] = entry{name: e[0].name, raw: data}
	requireRejected(t, check(t, e...), "UnknownFields", "(root)")
}
