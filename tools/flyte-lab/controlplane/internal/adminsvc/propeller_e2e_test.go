package adminsvc

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/service"
	flyteclient "github.com/flyteorg/flyte/flytepropeller/pkg/client/clientset/versioned"
	"google.golang.org/grpc"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"k8s.io/apimachinery/pkg/util/rand"

	"github.com/unionml-ts/tools/flyte-lab/controlplane/internal/blob"
	"github.com/unionml-ts/tools/flyte-lab/controlplane/internal/store"
)

// TestPropellerEndToEnd runs the real flytepropeller v1.16.8 against this service over gRPC (event sink "admin"),
// on the lab's kube-apiserver and MinIO, with a stand-in kubelet that completes the task Pods: a successful
// execution (outputs, node and task executions, data), a failing one (the task's error document must reach the
// execution's closure.error) and a terminated one (propeller reports ABORTED).
//
// Needs FLYTE_LAB_KUBECONFIG (the lab's kubeconfig; when the lab's own propeller watches that cluster, the test runs
// a private etcd and kube-apiserver from the binaries next to FLYTE_LAB_PROPELLER instead), FLYTE_LAB_PROPELLER
// (the flytepropeller binary) and
// FLYTE_LAB_S3_ENDPOINT / _ACCESS_KEY / _SECRET_KEY / _BUCKET (source tools/flyte-lab/.state/env). It uses project
// "adminsvc-e2e" and a propeller limited to that project's development namespace. FLYTE_LAB_PROPELLER_LOG=FILE keeps
// propeller's log.
func TestPropellerEndToEnd(t *testing.T) {
	kc, bin := os.Getenv("FLYTE_LAB_KUBECONFIG"), os.Getenv("FLYTE_LAB_PROPELLER")
	s3 := os.Getenv("FLYTE_LAB_S3_ENDPOINT")
	if kc == "" || bin == "" || s3 == "" {
		t.Skip("set FLYTE_LAB_KUBECONFIG, FLYTE_LAB_PROPELLER and FLYTE_LAB_S3_* to run propeller against the service")
	}
	if pid := propellerWatching(kc); pid != 0 {
		// The lab's own propeller would take this test's workflows (and report them to the lab's control plane):
		// run etcd and kube-apiserver of the test's own, from the lab's binaries and certificates.
		t.Logf("flytepropeller (pid %d) watches the cluster of %s: starting a private etcd and kube-apiserver", pid, kc)
		kc = privateCluster(t, kc, filepath.Dir(bin))
	}
	bucket := os.Getenv("FLYTE_LAB_S3_BUCKET")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	oldProject, oldNS := testProject, testNS
	testProject, testNS = "adminsvc-e2e", "adminsvc-e2e-development"
	defer func() { testProject, testNS = oldProject, oldNS }()

	db, err := store.Open(filepath.Join(t.TempDir(), "admin.db"))
	must(t, err)
	defer db.Close()
	bs, err := blob.New(blob.Config{Endpoint: s3, AccessKey: os.Getenv("FLYTE_LAB_S3_ACCESS_KEY"),
		SecretKey: os.Getenv("FLYTE_LAB_S3_SECRET_KEY"), Bucket: bucket})
	must(t, err)
	rest, err := clientcmd.BuildConfigFromFlags("", kc)
	must(t, err)
	kube := kubernetes.NewForConfigOrDie(rest)
	fc := flyteclient.NewForConfigOrDie(rest)
	env := &testEnv{kube: kube, flyte: fc, ctx: ctx}
	env.s = &Service{
		cfg: Config{DB: db, Blob: bs, Domains: []string{"development", "staging", "production"},
			NamespaceTemplate: "{{ project }}-{{ domain }}",
			MetadataPrefix:    "s3://" + bucket + "/metadata",
			RawOutputPrefix:   "s3://" + bucket + "/data",
			SignedURLTTL:      time.Hour, MaxInlineBytes: 10 << 20},
		db: db, blob: bs, kube: kube, flyte: fc,
	}
	must(t, db.Put(BucketProjects, testProject, &admin.Project{Id: testProject, Name: testProject, State: admin.Project_ACTIVE}))
	registerFixture(t, env, nil)
	if _, err := env.s.ensureNamespace(ctx, testProject, testDomain); err != nil {
		t.Fatal(err)
	}

	// The service on a gRPC port.
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	srv := grpc.NewServer()
	service.RegisterAdminServiceServer(srv, env.s)
	go func() { _ = srv.Serve(lis) }()
	defer srv.Stop()

	// Propeller, limited to the test namespace.
	dir := t.TempDir()
	profLis, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	profPort := profLis.Addr().(*net.TCPAddr).Port
	_ = profLis.Close()
	cfg := fmt.Sprintf(`propeller:
  kube-config: %[1]s
  create-flyteworkflow-crd: true
  limit-namespace: %[2]s
  metadata-prefix: metadata/propeller
  rawoutput-prefix: s3://%[3]s/data
  workers: 4
  workflow-reeval-duration: 2s
  downstream-eval-duration: 2s
  enable-admin-launcher: false
  leader-election:
    enabled: false
  prof-port: %[4]d
admin:
  endpoint: dns:///%[5]s
  insecure: true
event:
  type: admin
  rate: 500
  capacity: 1000
catalog-cache:
  type: noop
storage:
  type: minio
  container: %[3]s
  connection:
    endpoint: %[6]s
    access-key: %[7]s
    secret-key: %[8]s
    auth-type: accesskey
    disable-ssl: true
    region: us-east-1
tasks:
  task-plugins:
    enabled-plugins: [container, sidecar]
    default-for-task-types:
      container: container
      sidecar: sidecar
logger:
  level: 4
`, kc, testNS, bucket, profPort, lis.Addr().String(), s3, os.Getenv("FLYTE_LAB_S3_ACCESS_KEY"),
		os.Getenv("FLYTE_LAB_S3_SECRET_KEY"))
	must(t, os.WriteFile(filepath.Join(dir, "propeller.yaml"), []byte(cfg), 0o600))
	logPath := filepath.Join(dir, "propeller.log")
	logFile, err := os.Create(logPath)
	must(t, err)
	cmd := exec.Command(bin, "--config", filepath.Join(dir, "propeller.yaml"))
	cmd.Stdout, cmd.Stderr = logFile, logFile
	must(t, cmd.Start())
	defer func() {
		_ = cmd.Process.Kill()
		_, _ = cmd.Process.Wait()
		_ = logFile.Close()
		if keep := os.Getenv("FLYTE_LAB_PROPELLER_LOG"); keep != "" {
			b, _ := os.ReadFile(logPath)
			_ = os.WriteFile(keep, b, 0o644)
		}
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			lines := strings.Split(string(b), "\n")
			if len(lines) > 80 {
				lines = lines[len(lines)-80:]
			}
			t.Logf("propeller log (last lines):\n%s", strings.Join(lines, "\n"))
		}
	}()

	// Wait for the CRD, then start from an empty namespace.
	deadline := time.Now().Add(90 * time.Second)
	for {
		_, err := fc.FlyteworkflowV1alpha1().FlyteWorkflows(testNS).List(ctx, metav1.ListOptions{})
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("FlyteWorkflow CRD not served: %v", err)
		}
		time.Sleep(500 * time.Millisecond)
	}
	clearFlyteWorkflows(t, fc, testNS)
	clearPods(t, kube, testNS) // Pods of earlier runs (nothing garbage-collects them) would be adopted by name.
	defer clearPods(t, kube, testNS)

	var kwg sync.WaitGroup
	kwg.Add(1)
	go func() { defer kwg.Done(); fakeKubelet(ctx, t, kube, bs, testNS) }()
	defer func() { cancel(); kwg.Wait() }()

	// Execution names of this run (propeller's Pod names and storage paths derive from them).
	okName, failName, abortName, fkName := "e2e-ok-"+rand.String(5), "e2e-fail-"+rand.String(5),
		"e2e-abort-"+rand.String(5), "e2e-flytekit-"+rand.String(5)
	waitPhase := func(name string, want ...core.WorkflowExecution_Phase) *admin.Execution {
		t.Helper()
		deadline := time.Now().Add(120 * time.Second)
		for {
			e, err := env.s.GetExecution(ctx, &admin.WorkflowExecutionGetRequest{Id: execID(name)})
			must(t, err)
			for _, w := range want {
				if e.GetClosure().GetPhase() == w {
					return e
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("execution %s is %v, want %v (closure %v)", name, e.GetClosure().GetPhase(), want, e.GetClosure())
			}
			time.Sleep(300 * time.Millisecond)
		}
	}

	// 1. Success.
	_, err = env.s.CreateExecution(ctx, createReq(okName, map[string]*core.Literal{"a": intLit(7)}))
	must(t, err)
	e := waitPhase(okName, core.WorkflowExecution_SUCCEEDED, core.WorkflowExecution_FAILED)
	if e.GetClosure().GetPhase() != core.WorkflowExecution_SUCCEEDED {
		t.Fatalf("e2e-ok: %v", e.GetClosure())
	}
	if e.GetClosure().GetStartedAt() == nil || e.GetClosure().GetDuration() == nil || e.GetClosure().GetOutputs().GetUri() == "" {
		t.Fatalf("e2e-ok closure %v", e.GetClosure())
	}
	data, err := env.s.GetExecutionData(ctx, &admin.WorkflowExecutionGetDataRequest{Id: execID(okName)})
	must(t, err)
	if data.GetFullOutputs().GetLiterals()["o"].GetScalar().GetPrimitive().GetInteger() != 49 {
		t.Fatalf("outputs %v", data)
	}
	nodes, err := env.s.ListNodeExecutions(ctx, &admin.NodeExecutionListRequest{WorkflowExecutionId: execID(okName), Limit: 20})
	must(t, err)
	var n0 *admin.NodeExecution
	var seen []string
	for _, n := range nodes.GetNodeExecutions() {
		seen = append(seen, n.GetId().GetNodeId()+":"+n.GetClosure().GetPhase().String())
		if n.GetId().GetNodeId() == "n0" {
			n0 = n
		}
	}
	t.Logf("node executions: %v", seen)
	if n0 == nil || n0.GetClosure().GetPhase() != core.NodeExecution_SUCCEEDED || n0.GetInputUri() == "" ||
		n0.GetClosure().GetOutputUri() == "" || n0.GetClosure().GetStartedAt() == nil {
		t.Fatalf("n0 %v", n0)
	}
	tasks, err := env.s.ListTaskExecutions(ctx, &admin.TaskExecutionListRequest{NodeExecutionId: n0.GetId(), Limit: 10})
	must(t, err)
	if len(tasks.GetTaskExecutions()) != 1 || tasks.GetTaskExecutions()[0].GetClosure().GetPhase() != core.TaskExecution_SUCCEEDED {
		t.Fatalf("task executions %v", tasks)
	}
	td, err := env.s.GetTaskExecutionData(ctx, &admin.TaskExecutionGetDataRequest{Id: tasks.GetTaskExecutions()[0].GetId()})
	must(t, err)
	if td.GetFullInputs().GetLiterals()["a"].GetScalar().GetPrimitive().GetInteger() != 7 ||
		td.GetFullOutputs().GetLiterals()["o"].GetScalar().GetPrimitive().GetInteger() != 49 {
		t.Fatalf("task data %v", td)
	}

	// 1b. A sub-workflow: its nodes are children of s0 (propeller's event version 2 ids).
	subName := "e2e-sub-" + rand.String(5)
	subReq := createReq(subName, map[string]*core.Literal{"a": intLit(6)})
	subReq.Spec.LaunchPlan = ident(core.ResourceType_LAUNCH_PLAN, "parentlp")
	_, err = env.s.CreateExecution(ctx, subReq)
	must(t, err)
	e = waitPhase(subName, core.WorkflowExecution_SUCCEEDED, core.WorkflowExecution_FAILED)
	if e.GetClosure().GetPhase() != core.WorkflowExecution_SUCCEEDED {
		t.Fatalf("%s: %v", subName, e.GetClosure())
	}
	top, err := env.s.ListNodeExecutions(ctx, &admin.NodeExecutionListRequest{WorkflowExecutionId: execID(subName), Limit: 20})
	must(t, err)
	var topIDs, childIDs []string
	for _, n := range top.GetNodeExecutions() {
		topIDs = append(topIDs, n.GetId().GetNodeId())
		if n.GetId().GetNodeId() == "s0" && !n.GetMetadata().GetIsParentNode() {
			t.Errorf("s0 is not marked as a parent: %v", n.GetMetadata())
		}
	}
	children, err := env.s.ListNodeExecutions(ctx, &admin.NodeExecutionListRequest{WorkflowExecutionId: execID(subName),
		UniqueParentId: "s0", Limit: 20})
	must(t, err)
	for _, n := range children.GetNodeExecutions() {
		childIDs = append(childIDs, n.GetId().GetNodeId()+"("+n.GetMetadata().GetSpecNodeId()+")")
	}
	t.Logf("sub-workflow: top level %v, children of s0 %v", topIDs, childIDs)
	if len(topIDs) != 3 || len(childIDs) < 1 {
		t.Fatalf("sub-workflow node executions: top %v children %v", topIDs, childIDs)
	}

	// 2. A task that raises: its error document becomes the execution's error.
	_, err = env.s.CreateExecution(ctx, createReq(failName, map[string]*core.Literal{"a": intLit(-1)}))
	must(t, err)
	e = waitPhase(failName, core.WorkflowExecution_SUCCEEDED, core.WorkflowExecution_FAILED)
	if e.GetClosure().GetPhase() != core.WorkflowExecution_FAILED ||
		!strings.Contains(e.GetClosure().GetError().GetMessage(), "a must not be negative") {
		t.Fatalf("e2e-fail closure %v", e.GetClosure())
	}
	t.Logf("failed execution's error: %v", e.GetClosure().GetError())

	// 3. Terminate while the task runs: propeller aborts and reports ABORTED.
	_, err = env.s.CreateExecution(ctx, createReq(abortName, map[string]*core.Literal{"a": intLit(0)}))
	must(t, err)
	waitPhase(abortName, core.WorkflowExecution_RUNNING)
	_, err = env.s.TerminateExecution(ctx, &admin.ExecutionTerminateRequest{Id: execID(abortName), Cause: "test says stop"})
	must(t, err)
	e = waitPhase(abortName, core.WorkflowExecution_ABORTED)
	if e.GetClosure().GetAbortMetadata().GetCause() != "test says stop" {
		t.Fatalf("e2e-abort closure %v", e.GetClosure())
	}

	// 4. flytectl (FLYTE_LAB_FLYTECTL: the flytectl v0.9.8 binary): create an execution from an exec file, get
	// executions, relaunch and recover.
	if ctl := os.Getenv("FLYTE_LAB_FLYTECTL"); ctl != "" {
		cfgPath := filepath.Join(dir, "flytectl.yaml")
		must(t, os.WriteFile(cfgPath, []byte("admin:\n  endpoint: dns:///"+lis.Addr().String()+"\n  insecure: true\n"), 0o600))
		flytectl := func(args ...string) string {
			t.Helper()
			args = append([]string{"--config", cfgPath}, args...)
			out, err := exec.CommandContext(ctx, ctl, args...).CombinedOutput()
			if err != nil {
				t.Fatalf("flytectl %v: %v\n%s", args, err, out)
			}
			return string(out)
		}
		execFile := filepath.Join(dir, "exec.yaml")
		must(t, os.WriteFile(execFile, []byte("inputs:\n  a: 3\nworkflow: lp\nversion: v1\n"), 0o600))
		out := flytectl("create", "execution", "-p", testProject, "-d", testDomain, "--execFile", execFile)
		t.Logf("flytectl create execution: %s", strings.TrimSpace(out))
		m := regexp.MustCompile(`name:\s*"([a-z0-9-]+)"`).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("no execution name in flytectl's output: %s", out)
		}
		ctlName := m[1]
		e = waitPhase(ctlName, core.WorkflowExecution_SUCCEEDED, core.WorkflowExecution_FAILED)
		if e.GetClosure().GetPhase() != core.WorkflowExecution_SUCCEEDED {
			t.Fatalf("flytectl's execution %v", e.GetClosure())
		}
		out = flytectl("get", "execution", "-p", testProject, "-d", testDomain, ctlName, "-o", "json")
		if !strings.Contains(out, `"phase": "SUCCEEDED"`) || !strings.Contains(out, ctlName) {
			t.Fatalf("flytectl get execution: %s", out)
		}
		out = flytectl("get", "execution", "-p", testProject, "-d", testDomain, ctlName, "--details")
		if !strings.Contains(out, "n0") {
			t.Fatalf("flytectl get execution --details: %s", out)
		}
		out = flytectl("get", "execution", "-p", testProject, "-d", testDomain, "--filter.fieldSelector",
			"execution.phase=SUCCEEDED", "--filter.limit", "100")
		if !strings.Contains(out, ctlName) || !strings.Contains(out, okName) || strings.Contains(out, failName) {
			t.Fatalf("flytectl get execution (list): %s", out)
		}
		out = flytectl("create", "execution", "-p", testProject, "-d", testDomain, "--relaunch", ctlName)
		t.Logf("flytectl relaunch: %s", strings.TrimSpace(out))
		out = flytectl("create", "execution", "-p", testProject, "-d", testDomain, "--recover", failName)
		t.Logf("flytectl recover: %s", strings.TrimSpace(out))
		// Recovering a successful execution: propeller asks this service for the earlier node executions and their
		// outputs and marks the nodes RECOVERED instead of running them.
		out = flytectl("create", "execution", "-p", testProject, "-d", testDomain, "--recover", okName)
		m = regexp.MustCompile(`name:\s*"([a-z0-9-]+)"`).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("no execution name in flytectl's output: %s", out)
		}
		e = waitPhase(m[1], core.WorkflowExecution_SUCCEEDED, core.WorkflowExecution_FAILED)
		rn, err := env.s.GetNodeExecution(ctx, &admin.NodeExecutionGetRequest{Id: &core.NodeExecutionIdentifier{
			ExecutionId: execID(m[1]), NodeId: "n0"}})
		must(t, err)
		// (Propeller sets a workflow's outputs only from a SUCCEEDED end node, and here the end node is RECOVERED
		// too, so the recovered execution itself reports no outputs, as with FlyteAdmin; n0 has them.)
		rd, err := env.s.GetNodeExecutionData(ctx, &admin.NodeExecutionGetDataRequest{Id: rn.GetId()})
		must(t, err)
		if e.GetClosure().GetPhase() != core.WorkflowExecution_SUCCEEDED || rn.GetClosure().GetPhase() != core.NodeExecution_RECOVERED ||
			rd.GetFullOutputs().GetLiterals()["o"].GetScalar().GetPrimitive().GetInteger() != 49 {
			t.Fatalf("recovered execution %v, n0 %v, data %v", e.GetClosure(), rn.GetClosure(), rd)
		}
	} else {
		t.Log("FLYTE_LAB_FLYTECTL not set: flytectl part skipped")
	}

	// 5. flytekit's FlyteRemote against the same service (FLYTE_LAB_FLYTEKIT_PYTHON: a python with flytekit 1.16).
	py := os.Getenv("FLYTE_LAB_FLYTEKIT_PYTHON")
	if py == "" {
		t.Log("FLYTE_LAB_FLYTEKIT_PYTHON not set: flytekit part skipped")
		return
	}
	script := filepath.Join(dir, "remote.py")
	must(t, os.WriteFile(script, []byte(flytekitScript), 0o600))
	pyCmd := exec.CommandContext(ctx, py, script, lis.Addr().String(), testProject, okName, failName, fkName, subName)
	out, err := pyCmd.CombinedOutput()
	if err != nil {
		t.Fatalf("flytekit: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	got := lines[len(lines)-1]
	t.Logf("flytekit: %s", got)
	for _, want := range []string{`"outputs": 49`, `"inputs": 7`, `"n0_outputs": 49`, `"n0_tasks": 1`,
		`a must not be negative`, `"flytekit_outputs": 25`, `"sub_outputs": 36`, `"sub_child_outputs": [36]`, `"flytekit_phase": "SUCCEEDED"`, `"nodes": ["end-node", "n0", "start-node"]`} {
		if !strings.Contains(got, want) {
			t.Errorf("flytekit result lacks %s", want)
		}
	}
}

// flytekitScript drives FlyteRemote as a user would: fetch and sync executions with their nodes, read inputs and
// outputs, and launch the launch plan and wait for it.
const flytekitScript = `
import json, sys
from flytekit.configuration import Config, PlatformConfig
from flytekit.models.core.execution import WorkflowExecutionPhase
from flytekit.remote import FlyteRemote

endpoint, project, ok_name, fail_name, new_name, sub_name = sys.argv[1:7]
r = FlyteRemote(Config(platform=PlatformConfig(endpoint=endpoint, insecure=True)),
                default_project=project, default_domain="development")
out = {}
e = r.sync_execution(r.fetch_execution(name=ok_name), sync_nodes=True)
out["phase"] = WorkflowExecutionPhase.enum_to_string(e.closure.phase)
out["outputs"] = e.outputs["o"]
out["inputs"] = e.inputs["a"]
out["nodes"] = sorted(e.node_executions.keys())
n0 = e.node_executions["n0"]
out["n0_outputs"] = n0.outputs["o"]
out["n0_tasks"] = len(n0.task_executions)
f = r.sync_execution(r.fetch_execution(name=fail_name), sync_nodes=True)
out["fail_error"] = f.error.message
s = r.sync_execution(r.fetch_execution(name=sub_name), sync_nodes=True)
s0 = s.node_executions["s0"]
out["sub_outputs"] = s.outputs["o"]
out["sub_children"] = sorted(s0.subworkflow_node_executions.keys())
out["sub_child_outputs"] = [n.outputs["o"] for k, n in sorted(s0.subworkflow_node_executions.items()) if k.endswith("n0")]
lp = r.fetch_launch_plan(name="lp", version="v1")
x = r.execute(lp, inputs={"a": 5}, execution_name=new_name, wait=True)
out["flytekit_phase"] = WorkflowExecutionPhase.enum_to_string(x.closure.phase)
out["flytekit_outputs"] = x.outputs["o"]
print(json.dumps(out))
`

// fakeKubelet completes the task Pods of a namespace as a kubelet would after running them: it reads the task's
// inputs, writes outputs.pb (o = a*a) or, for a negative a, an error document, and reports the Pod Succeeded. Pods
// with a = 0 are left running.
func fakeKubelet(ctx context.Context, t *testing.T, kube kubernetes.Interface, bs *blob.Store, ns string) {
	done := map[string]bool{}
	for ctx.Err() == nil {
		pods, err := kube.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			time.Sleep(200 * time.Millisecond)
			continue
		}
		for i := range pods.Items {
			pod := &pods.Items[i]
			if done[string(pod.UID)] || pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed ||
				len(pod.Spec.Containers) == 0 {
				continue
			}
			done[string(pod.UID)] = true
			args := pod.Spec.Containers[0].Args
			arg := func(name string) string {
				for j := 0; j+1 < len(args); j++ {
					if args[j] == name {
						return args[j+1]
					}
				}
				return ""
			}
			inputs := &core.LiteralMap{}
			if err := bs.GetProto(ctx, arg("--inputs"), inputs); err != nil {
				t.Logf("fake kubelet: inputs of %s: %v", pod.Name, err)
				continue
			}
			a := inputs.GetLiterals()["a"].GetScalar().GetPrimitive().GetInteger()
			now := metav1.Now()
			pod.Status = corev1.PodStatus{Phase: corev1.PodRunning, StartTime: &now, ContainerStatuses: []corev1.ContainerStatus{{
				Name: pod.Spec.Containers[0].Name, Image: pod.Spec.Containers[0].Image, Ready: true, Started: boolPtr(true),
				State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: now}},
			}}}
			updated, err := kube.CoreV1().Pods(ns).UpdateStatus(ctx, pod, metav1.UpdateOptions{})
			if err != nil {
				t.Logf("fake kubelet: running %s: %v", pod.Name, err)
				continue
			}
			if a == 0 {
				continue
			}
			prefix := strings.TrimSuffix(arg("--output-prefix"), "/")
			if a < 0 {
				err = bs.PutProto(ctx, prefix+"/error.pb", &core.ErrorDocument{Error: &core.ContainerError{
					Code: "USER:ValueError", Message: "Traceback ...\nValueError: a must not be negative",
					Kind: core.ContainerError_NON_RECOVERABLE, Origin: core.ExecutionError_USER,
				}})
			} else {
				err = bs.PutProto(ctx, prefix+"/outputs.pb", &core.LiteralMap{Literals: map[string]*core.Literal{"o": intLit(a * a)}})
			}
			if err != nil {
				t.Logf("fake kubelet: outputs of %s: %v", pod.Name, err)
				continue
			}
			time.Sleep(300 * time.Millisecond)
			end := metav1.Now()
			updated.Status.Phase = corev1.PodSucceeded
			updated.Status.ContainerStatuses[0].Ready = false
			updated.Status.ContainerStatuses[0].State = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
				ExitCode: 0, Reason: "Completed", StartedAt: now, FinishedAt: end}}
			if _, err := kube.CoreV1().Pods(ns).UpdateStatus(ctx, updated, metav1.UpdateOptions{}); err != nil {
				t.Logf("fake kubelet: finishing %s: %v", pod.Name, err)
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func boolPtr(b bool) *bool { return &b }

// privateCluster starts etcd and kube-apiserver (the lab's binaries in binDir, the lab's certificates and token
// next to labKubeconfig) on free loopback ports for the test, and returns a kubeconfig for them. They are stopped
// when the test ends.
func privateCluster(t *testing.T, labKubeconfig, binDir string) string {
	t.Helper()
	pki := filepath.Join(filepath.Dir(labKubeconfig), "pki")
	dir := t.TempDir()
	port := func() int {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		must(t, err)
		defer l.Close()
		return l.Addr().(*net.TCPAddr).Port
	}
	etcdPort, peerPort, apiPort := port(), port(), port()
	start := func(name string, args ...string) {
		log, err := os.Create(filepath.Join(dir, name+".log"))
		must(t, err)
		cmd := exec.Command(filepath.Join(binDir, name), args...)
		cmd.Stdout, cmd.Stderr = log, log
		must(t, cmd.Start())
		t.Cleanup(func() {
			_ = cmd.Process.Kill()
			_, _ = cmd.Process.Wait()
			_ = log.Close()
		})
	}
	etcdURL := fmt.Sprintf("http://127.0.0.1:%d", etcdPort)
	peerURL := fmt.Sprintf("http://127.0.0.1:%d", peerPort)
	start("etcd", "--name", "t", "--data-dir", filepath.Join(dir, "etcd"), "--listen-client-urls", etcdURL,
		"--advertise-client-urls", etcdURL, "--listen-peer-urls", peerURL, "--initial-advertise-peer-urls", peerURL,
		"--initial-cluster", "t="+peerURL, "--unsafe-no-fsync")
	start("kube-apiserver", "--etcd-servers="+etcdURL, "--bind-address=127.0.0.1", "--advertise-address=127.0.0.1",
		fmt.Sprintf("--secure-port=%d", apiPort), "--cert-dir="+filepath.Join(dir, "certs"),
		"--tls-cert-file="+filepath.Join(pki, "apiserver.crt"), "--tls-private-key-file="+filepath.Join(pki, "apiserver.key"),
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file="+filepath.Join(pki, "sa.pub"),
		"--service-account-signing-key-file="+filepath.Join(pki, "sa.key"),
		"--token-auth-file="+filepath.Join(pki, "tokens.csv"), "--anonymous-auth=false", "--authorization-mode=AlwaysAllow",
		"--disable-admission-plugins=ServiceAccount", "--service-cluster-ip-range=10.96.0.0/24",
		"--enable-priority-and-fairness=false", "--endpoint-reconciler-type=none")
	cfg, err := clientcmd.LoadFromFile(labKubeconfig)
	must(t, err)
	for _, c := range cfg.Clusters {
		c.Server = fmt.Sprintf("https://127.0.0.1:%d", apiPort)
	}
	kc := filepath.Join(dir, "kubeconfig")
	must(t, clientcmd.WriteToFile(*cfg, kc))
	rest, err := clientcmd.BuildConfigFromFlags("", kc)
	must(t, err)
	kube := kubernetes.NewForConfigOrDie(rest)
	deadline := time.Now().Add(90 * time.Second)
	for {
		_, err := kube.CoreV1().Namespaces().Get(context.Background(), "default", metav1.GetOptions{})
		if err == nil {
			return kc
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(filepath.Join(dir, "kube-apiserver.log"))
			t.Fatalf("private kube-apiserver not ready: %v\n%s", err, b)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// propellerWatching returns the pid of a running flytepropeller whose config file names the kubeconfig kc (or 0).
func propellerWatching(kc string) int {
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		raw, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		args := strings.Split(strings.TrimRight(string(raw), "\x00"), "\x00")
		if len(args) == 0 || filepath.Base(args[0]) != "flytepropeller" {
			continue
		}
		for i, a := range args {
			cfg := ""
			switch {
			case a == "--config" && i+1 < len(args):
				cfg = args[i+1]
			case strings.HasPrefix(a, "--config="):
				cfg = strings.TrimPrefix(a, "--config=")
			}
			if cfg == "" {
				continue
			}
			b, err := os.ReadFile(cfg)
			if err == nil && strings.Contains(string(b), "kube-config: "+kc) {
				var pid int
				_, _ = fmt.Sscanf(filepath.Base(filepath.Dir(p)), "%d", &pid)
				return pid
			}
		}
	}
	return 0
}

// clearPods deletes the Pods of a namespace, releasing their finalizers first.
func clearPods(t *testing.T, kube kubernetes.Interface, ns string) {
	ctx := context.Background()
	pods, err := kube.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Logf("list pods: %v", err)
		return
	}
	zero := int64(0)
	for i := range pods.Items {
		p := &pods.Items[i]
		if len(p.Finalizers) > 0 {
			p.Finalizers = nil
			if _, err := kube.CoreV1().Pods(ns).Update(ctx, p, metav1.UpdateOptions{}); err != nil {
				t.Logf("release pod %s: %v", p.Name, err)
			}
		}
		_ = kube.CoreV1().Pods(ns).Delete(ctx, p.Name, metav1.DeleteOptions{GracePeriodSeconds: &zero})
	}
}
