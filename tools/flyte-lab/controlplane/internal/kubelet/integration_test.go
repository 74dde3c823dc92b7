package kubelet

// Integration tests against a real API server and Docker daemon (the lab's: `tools/flyte-lab/up.sh`,
// `npm run docker:up`). They run only when FLYTE_LAB_KUBECONFIG is set:
//
//	FLYTE_LAB_KUBECONFIG=tools/flyte-lab/.state/kubeconfig go test -run Integration -v ./internal/kubelet
//
// Optional: FLYTE_LAB_DOCKER_HOST (default $DOCKER_HOST or unix:///var/run/docker.sock), FLYTE_LAB_TEST_IMAGE (an
// image with /bin/sh and node, present locally; default unionml-node-base:latest).
//
// Each run registers its own Nodes (flyte-lab-test-<id>...) and binds its Pods to them directly, or through its
// own scheduler name, so it never touches Pods of a lab runner that may be running at the same time. Pods live in
// the namespace flyte-lab-kubelet-test (kept: without a controller manager a deleted namespace never goes away).

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

const testNamespace = "flyte-lab-kubelet-test"

type lab struct {
	t      *testing.T
	client kubernetes.Interface
	docker *Docker
	image  string
	runID  string
	root   string // logs and volumes dirs of the runners
}

// runner is one in-process runner.
type runner struct {
	k      *Kubelet
	cfg    Config
	cancel context.CancelFunc
	done   chan error
	once   sync.Once
}

func setupLab(t *testing.T) *lab {
	kc := os.Getenv("FLYTE_LAB_KUBECONFIG")
	if kc == "" {
		t.Skip("integration tests need a lab: set FLYTE_LAB_KUBECONFIG to its kubeconfig (tools/flyte-lab/up.sh) and have a Docker daemon (npm run docker:up)")
	}
	rc, err := clientcmd.BuildConfigFromFlags("", kc)
	if err != nil {
		t.Fatal(err)
	}
	rc.QPS, rc.Burst = 50, 100
	client, err := kubernetes.NewForConfig(rc)
	if err != nil {
		t.Fatal(err)
	}
	host := os.Getenv("FLYTE_LAB_DOCKER_HOST")
	if host == "" {
		host = os.Getenv("DOCKER_HOST")
	}
	if host == "" {
		host = "unix:///var/run/docker.sock"
	}
	ctx := context.Background()
	docker, err := NewDocker(ctx, host)
	if err != nil {
		t.Fatalf("docker: %v (npm run docker:up)", err)
	}
	image := os.Getenv("FLYTE_LAB_TEST_IMAGE")
	if image == "" {
		image = "unionml-node-base:latest"
	}
	if _, err := docker.InspectImage(ctx, image); err != nil {
		t.Fatalf("test image %s: %v (npm run docker:up makes it)", image, err)
	}
	_, err = client.CoreV1().Namespaces().Create(ctx, &v1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: testNamespace}}, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	l := &lab{t: t, client: client, docker: docker, image: image, runID: fmt.Sprintf("%06x", rand.IntN(1<<24)), root: t.TempDir()}
	t.Logf("run %s, image %s, docker %s", l.runID, image, host)
	return l
}

// startRunner runs a runner for node in the background; the returned runner's stop leaves its containers running.
func (l *lab) startRunner(node string, mutate func(*Config)) *runner {
	cfg := Config{
		NodeName: node, SchedulerName: node + "-scheduler",
		LogsDir: filepath.Join(l.root, node, "logs"), VolumesDir: filepath.Join(l.root, node, "volumes"),
		MaxParallel: 4, HousekeepingInterval: 5 * time.Second, PullFallbackToLocal: true,
		APIServerHost: "127.0.0.1", APIServerPort: "6443",
	}
	if mutate != nil {
		mutate(&cfg)
	}
	log := slog.New(slog.NewTextHandler(testWriter{l.t}, &slog.HandlerOptions{Level: slog.LevelInfo}))
	ctx, cancel := context.WithCancel(context.Background())
	r := &runner{k: New(cfg, l.client, l.docker, log), cfg: cfg, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- r.k.Run(ctx) }()
	select {
	case <-r.k.Synced():
	case err := <-r.done:
		l.t.Fatalf("runner %s: %v", node, err)
	case <-time.After(30 * time.Second):
		l.t.Fatalf("runner %s did not start", node)
	}
	return r
}

// stop shuts the runner down (as on SIGTERM) and waits for Run to return; it may be called more than once.
func (r *runner) stop(t *testing.T) {
	r.once.Do(func() {
		r.cancel()
		select {
		case err := <-r.done:
			if err != nil {
				t.Errorf("runner: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("runner did not stop within 30s")
		}
	})
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// cleanup removes what the run left: Pods (finalizers stripped), Nodes and Leases, and Docker containers.
func (l *lab) cleanup(nodes ...string) {
	ctx := context.Background()
	pods, _ := l.client.CoreV1().Pods(testNamespace).List(ctx, metav1.ListOptions{LabelSelector: "run=" + l.runID})
	if pods != nil {
		for _, p := range pods.Items {
			if len(p.Finalizers) > 0 {
				p.Finalizers = nil
				_, _ = l.client.CoreV1().Pods(testNamespace).Update(ctx, &p, metav1.UpdateOptions{})
			}
			_ = l.client.CoreV1().Pods(testNamespace).Delete(ctx, p.Name, metav1.DeleteOptions{GracePeriodSeconds: ptrTo(int64(0))})
		}
	}
	for _, n := range nodes {
		_ = l.client.CoreV1().Nodes().Delete(ctx, n, metav1.DeleteOptions{})
		_ = l.client.CoordinationV1().Leases(v1.NamespaceNodeLease).Delete(ctx, n, metav1.DeleteOptions{})
		list, _ := l.docker.ListContainers(ctx, LabelNode+"="+n)
		for _, c := range list {
			_ = l.docker.RemoveContainer(ctx, c.ID)
		}
	}
}

// pod makes a test Pod bound to node (nodeName set, as after scheduling) running script with sh -c.
func (l *lab) pod(name, node, script string) *v1.Pod {
	return &v1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name + "-" + l.runID, Namespace: testNamespace, Labels: map[string]string{"run": l.runID}},
		Spec: v1.PodSpec{
			NodeName:                      node,
			RestartPolicy:                 v1.RestartPolicyNever,
			TerminationGracePeriodSeconds: ptrTo(int64(5)),
			Containers: []v1.Container{{
				Name: "main", Image: l.image, ImagePullPolicy: v1.PullIfNotPresent,
				Command: []string{"sh", "-c"}, Args: []string{script},
			}},
		},
	}
}

func (l *lab) create(p *v1.Pod) (*v1.Pod, time.Time) {
	l.t.Helper()
	t0 := time.Now()
	out, err := l.client.CoreV1().Pods(p.Namespace).Create(context.Background(), p, metav1.CreateOptions{})
	if err != nil {
		l.t.Fatalf("create %s: %v", p.Name, err)
	}
	return out, t0
}

// wait polls the Pod until cond holds; it fails the test after timeout.
func (l *lab) wait(name string, timeout time.Duration, what string, cond func(*v1.Pod) bool) *v1.Pod {
	l.t.Helper()
	deadline := time.Now().Add(timeout)
	var last *v1.Pod
	for time.Now().Before(deadline) {
		p, err := l.client.CoreV1().Pods(testNamespace).Get(context.Background(), name, metav1.GetOptions{})
		if err == nil {
			last = p
			if cond(p) {
				return p
			}
		} else if !apierrors.IsNotFound(err) {
			l.t.Logf("get %s: %v", name, err)
		}
		time.Sleep(25 * time.Millisecond)
	}
	if last != nil {
		l.t.Fatalf("pod %s: not %s within %s; status %s", name, what, timeout, statusSummary(last))
	}
	l.t.Fatalf("pod %s: not %s within %s (not found)", name, what, timeout)
	return nil
}

func (l *lab) waitGone(name string, timeout time.Duration) {
	l.t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		_, err := l.client.CoreV1().Pods(testNamespace).Get(context.Background(), name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	l.t.Fatalf("pod %s still exists after %s", name, timeout)
}

func phaseIs(ph v1.PodPhase) func(*v1.Pod) bool {
	return func(p *v1.Pod) bool { return p.Status.Phase == ph }
}

func statusSummary(p *v1.Pod) string {
	var b strings.Builder
	fmt.Fprintf(&b, "phase=%s reason=%q", p.Status.Phase, p.Status.Reason)
	for _, cs := range append(append([]v1.ContainerStatus{}, p.Status.InitContainerStatuses...), p.Status.ContainerStatuses...) {
		switch {
		case cs.State.Waiting != nil:
			fmt.Fprintf(&b, " %s=waiting(%s: %s)", cs.Name, cs.State.Waiting.Reason, cs.State.Waiting.Message)
		case cs.State.Running != nil:
			fmt.Fprintf(&b, " %s=running", cs.Name)
		case cs.State.Terminated != nil:
			fmt.Fprintf(&b, " %s=terminated(%d %s %q)", cs.Name, cs.State.Terminated.ExitCode, cs.State.Terminated.Reason, cs.State.Terminated.Message)
		}
	}
	return b.String()
}

func (l *lab) containerExists(id string) bool {
	_, err := l.docker.InspectContainer(context.Background(), id)
	if err != nil && !IsNotFound(err) {
		l.t.Fatal(err)
	}
	return err == nil
}

func (l *lab) readLog(r *runner, pod, container string) string {
	b, err := os.ReadFile(logPath(r.cfg.LogsDir, testNamespace, pod, container))
	if err != nil {
		l.t.Fatalf("log file: %v", err)
	}
	return string(b)
}

// nodeScript is a node.js program run as sh -c 'exec node -e ...'.
func nodeScript(js string) string { return "exec node -e '" + js + "'" }

func TestIntegration(t *testing.T) {
	l := setupLab(t)
	node := "flyte-lab-test-" + l.runID
	adoptNode := node + "-adopt"
	defer l.cleanup(node, adoptNode)
	r := l.startRunner(node, nil)
	defer r.stop(t)

	// First, alone, so the timings are not skewed by other Pods.
	t.Run("Succeeded", func(t *testing.T) { l.t = t; testSucceeded(l, r) })
	t.Run("Latency", func(t *testing.T) { l.t = t; testLatency(l, r) })
	t.Run("Parallel", func(t *testing.T) {
		for name, fn := range map[string]func(*lab, *runner){
			"Failed":           testFailed,
			"FallbackToLogs":   testFallbackToLogs,
			"OOMKilled":        testOOMKilled,
			"Deletion":         testDeletion,
			"Gone":             testGone,
			"InitAndEmptyDir":  testInitAndEmptyDir,
			"ActiveDeadline":   testActiveDeadline,
			"ImagePullBackOff": testImagePullBackOff,
			"OnFailure":        testOnFailure,
			"Scheduler":        testScheduler,
			"Unsupported":      testUnsupported,
		} {
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				fn(&lab{t: t, client: l.client, docker: l.docker, image: l.image, runID: l.runID, root: l.root}, r)
			})
		}
	})
	t.Run("Adoption", func(t *testing.T) { l.t = t; testAdoption(l, adoptNode) })
	t.Run("Throughput", func(t *testing.T) { l.t = t; testThroughput(l, r) })
}

func testSucceeded(l *lab, r *runner) {
	p := l.pod("ok", r.cfg.NodeName, `echo greeting=$(GREETING); echo pwd=$PWD; echo pod=$POD_NAME ns=$POD_NS uid=$POD_UID node=$NODE ip=$POD_IP; echo first=$1 second=$2; echo to-stderr >&2`)
	c := &p.Spec.Containers[0]
	c.Args = append(c.Args, "argv0", "one", "two")
	c.WorkingDir = "/tmp"
	c.Env = []v1.EnvVar{
		{Name: "GREETING", Value: "hello"},
		{Name: "POD_NAME", ValueFrom: &v1.EnvVarSource{FieldRef: &v1.ObjectFieldSelector{FieldPath: "metadata.name"}}},
		{Name: "POD_NS", ValueFrom: &v1.EnvVarSource{FieldRef: &v1.ObjectFieldSelector{FieldPath: "metadata.namespace"}}},
		{Name: "POD_UID", ValueFrom: &v1.EnvVarSource{FieldRef: &v1.ObjectFieldSelector{FieldPath: "metadata.uid"}}},
		{Name: "NODE", ValueFrom: &v1.EnvVarSource{FieldRef: &v1.ObjectFieldSelector{FieldPath: "spec.nodeName"}}},
		{Name: "POD_IP", ValueFrom: &v1.EnvVarSource{FieldRef: &v1.ObjectFieldSelector{FieldPath: "status.podIP"}}},
	}
	c.Resources = v1.ResourceRequirements{
		Requests: v1.ResourceList{v1.ResourceCPU: resource.MustParse("100m"), v1.ResourceMemory: resource.MustParse("64Mi")},
		Limits:   v1.ResourceList{v1.ResourceCPU: resource.MustParse("1"), v1.ResourceMemory: resource.MustParse("256Mi")},
	}
	p.Finalizers = []string{"flyte.org/finalizer-k8s"}
	created, t0 := l.create(p)
	running := l.wait(p.Name, 60*time.Second, "Running", func(p *v1.Pod) bool { return p.Status.Phase != v1.PodPending })
	tRunning := time.Since(t0)
	done := l.wait(p.Name, 60*time.Second, "Succeeded", phaseIs(v1.PodSucceeded))
	tDone := time.Since(t0)
	l.t.Logf("TIMING created->%s observed %v, created->Succeeded observed %v", running.Status.Phase, tRunning.Round(time.Millisecond), tDone.Round(time.Millisecond))

	cs := done.Status.ContainerStatuses[0]
	term := cs.State.Terminated
	if term == nil || term.ExitCode != 0 || term.Reason != ReasonCompleted || cs.RestartCount != 0 || cs.Ready ||
		!strings.HasPrefix(cs.ContainerID, "docker://") || term.ContainerID != cs.ContainerID || term.StartedAt.IsZero() || term.FinishedAt.IsZero() {
		l.t.Errorf("container status %+v", cs)
	}
	st := done.Status
	if st.HostIP != "127.0.0.1" || st.PodIP != "127.0.0.1" || st.StartTime == nil || st.QOSClass != v1.PodQOSBurstable {
		l.t.Errorf("pod status hostIP %q podIP %q startTime %v qos %s", st.HostIP, st.PodIP, st.StartTime, st.QOSClass)
	}
	for _, typ := range []v1.PodConditionType{v1.PodScheduled, v1.PodInitialized} {
		if c := condition(st, typ); c.Status != v1.ConditionTrue {
			l.t.Errorf("%s %+v", typ, c)
		}
	}
	if c := condition(st, v1.PodReady); c.Status != v1.ConditionFalse || c.Reason != condPodCompleted {
		l.t.Errorf("Ready %+v", c)
	}
	l.t.Logf("TIMING status: startTime %s, container started %s, finished %s",
		st.StartTime.Format(time.RFC3339), term.StartedAt.Format(time.RFC3339), term.FinishedAt.Format(time.RFC3339))

	// stdout and stderr are copied by separate Docker goroutines, so only each stream's own order is certain.
	got := l.readLog(r, p.Name, "main")
	want := fmt.Sprintf("greeting=hello\npwd=/tmp\npod=%s ns=%s uid=%s node=%s ip=127.0.0.1\nfirst=one second=two\n",
		p.Name, testNamespace, created.UID, r.cfg.NodeName)
	if stdout := strings.Replace(got, "to-stderr\n", "", 1); stdout != want || len(stdout) != len(got)-len("to-stderr\n") {
		l.t.Errorf("log file:\n%s\nwant (plus to-stderr):\n%s", got, want)
	}

	// Docker saw the limits and host networking.
	id := trimDockerID(cs.ContainerID)
	ci := dockerRaw(l, id)
	if !strings.Contains(ci, `"NetworkMode":"host"`) || !strings.Contains(ci, `"NanoCpus":1000000000`) || !strings.Contains(ci, `"Memory":268435456`) {
		l.t.Errorf("docker host config: %s", ci)
	}

	// Deleting the finished Pod removes its container; the final delete (grace 0) leaves it to the finalizer.
	if err := l.client.CoreV1().Pods(testNamespace).Delete(context.Background(), p.Name, metav1.DeleteOptions{}); err != nil {
		l.t.Fatal(err)
	}
	l.wait(p.Name, 30*time.Second, "finally deleted", func(p *v1.Pod) bool {
		return p.DeletionGracePeriodSeconds != nil && *p.DeletionGracePeriodSeconds == 0 && !l.containerExists(id)
	})
	removeFinalizers(l, p.Name)
	l.waitGone(p.Name, 10*time.Second)
}

// testLatency measures, one Pod at a time, how long the runner takes from Pod creation to Running and from the
// container's exit to Succeeded (the container runs for 1s).
func testLatency(l *lab, r *runner) {
	const n = 5
	var toRunning, toDone time.Duration
	for i := 0; i < n; i++ {
		p := l.pod(fmt.Sprintf("latency-%d", i), r.cfg.NodeName, nodeScript(`setTimeout(() => {}, 1000)`))
		_, t0 := l.create(p)
		l.wait(p.Name, 60*time.Second, "Running", phaseIs(v1.PodRunning))
		t1 := time.Now()
		l.wait(p.Name, 60*time.Second, "Succeeded", phaseIs(v1.PodSucceeded))
		toRunning += t1.Sub(t0)
		toDone += time.Since(t1)
	}
	l.t.Logf("TIMING %d Pods one at a time: created->Running mean %v; Running->Succeeded mean %v for a container that runs ~1s (node start + 1s timer)",
		n, (toRunning / n).Round(time.Millisecond), (toDone / n).Round(time.Millisecond))
}

// dockerRaw returns the container's inspect JSON.
func dockerRaw(l *lab, id string) string {
	resp, err := l.docker.request(context.Background(), l.docker.http, "GET", "/containers/"+id+"/json", nil, nil)
	if err != nil {
		l.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func removeFinalizers(l *lab, name string) {
	for i := 0; i < 10; i++ {
		p, err := l.client.CoreV1().Pods(testNamespace).Get(context.Background(), name, metav1.GetOptions{})
		if err != nil {
			return
		}
		p.Finalizers = nil
		if _, err = l.client.CoreV1().Pods(testNamespace).Update(context.Background(), p, metav1.UpdateOptions{}); err == nil || !apierrors.IsConflict(err) {
			return
		}
	}
}

func testFailed(l *lab, r *runner) {
	p := l.pod("fail", r.cfg.NodeName, `echo some output; printf 'bad input: x' > /dev/termination-log; exit 3`)
	// Guaranteed, as propeller's Pods are by default (requests = limits).
	res := v1.ResourceList{v1.ResourceCPU: resource.MustParse("500m"), v1.ResourceMemory: resource.MustParse("256Mi")}
	p.Spec.Containers[0].Resources = v1.ResourceRequirements{Requests: res, Limits: res}
	l.create(p)
	done := l.wait(p.Name, 90*time.Second, "Failed", phaseIs(v1.PodFailed))
	term := done.Status.ContainerStatuses[0].State.Terminated
	if term == nil || term.ExitCode != 3 || term.Reason != ReasonError || term.Message != "bad input: x" {
		l.t.Errorf("terminated %+v", term)
	}
	if got := l.readLog(r, p.Name, "main"); got != "some output\n" {
		l.t.Errorf("log %q", got)
	}
}

func testFallbackToLogs(l *lab, r *runner) {
	p := l.pod("fallback", r.cfg.NodeName, `for i in 1 2 3; do echo line $i; done; echo boom >&2; exit 4`)
	p.Spec.Containers[0].TerminationMessagePolicy = v1.TerminationMessageFallbackToLogsOnError
	l.create(p)
	done := l.wait(p.Name, 90*time.Second, "Failed", phaseIs(v1.PodFailed))
	term := done.Status.ContainerStatuses[0].State.Terminated
	// The tail of the output: stdout in order, stderr's line anywhere among it (Docker copies the streams apart).
	if term == nil || term.ExitCode != 4 || strings.Replace(term.Message, "boom\n", "", 1) != "line 1\nline 2\nline 3\n" {
		l.t.Errorf("terminated %+v", term)
	}
}

func testOOMKilled(l *lab, r *runner) {
	p := l.pod("oom", r.cfg.NodeName, nodeScript(`const a = []; for (;;) a.push(Buffer.alloc(1 << 20, 1));`))
	p.Spec.Containers[0].Resources.Limits = v1.ResourceList{v1.ResourceMemory: resource.MustParse("32Mi")}
	l.create(p)
	done := l.wait(p.Name, 90*time.Second, "Failed", phaseIs(v1.PodFailed))
	term := done.Status.ContainerStatuses[0].State.Terminated
	if term == nil || term.Reason != ReasonOOMKilled || term.ExitCode != 137 {
		l.t.Errorf("terminated %+v", term)
	}
}

func testDeletion(l *lab, r *runner) {
	p := l.pod("delete", r.cfg.NodeName, nodeScript(`console.log("started"); process.on("SIGTERM", () => { console.log("got SIGTERM"); process.exit(0); }); setInterval(() => {}, 1000);`))
	p.Finalizers = []string{"flyte.org/finalizer-k8s"}
	l.create(p)
	running := l.wait(p.Name, 90*time.Second, "Running", phaseIs(v1.PodRunning))
	id := trimDockerID(running.Status.ContainerStatuses[0].ContainerID)
	time.Sleep(500 * time.Millisecond) // let node install its SIGTERM handler
	t0 := time.Now()
	if err := l.client.CoreV1().Pods(testNamespace).Delete(context.Background(), p.Name, metav1.DeleteOptions{}); err != nil {
		l.t.Fatal(err)
	}
	done := l.wait(p.Name, 30*time.Second, "stopped and finally deleted", func(p *v1.Pod) bool {
		return p.DeletionGracePeriodSeconds != nil && *p.DeletionGracePeriodSeconds == 0
	})
	l.t.Logf("TIMING delete -> final delete %v", time.Since(t0).Round(time.Millisecond))
	if l.containerExists(id) {
		l.t.Error("container still exists after the final delete")
	}
	if done.Status.Phase != v1.PodSucceeded {
		// Exit code 0 after SIGTERM: a deleted Pod's terminal phase follows its containers' exit codes.
		l.t.Errorf("phase after deletion: %s", statusSummary(done))
	}
	if got := l.readLog(r, p.Name, "main"); got != "started\ngot SIGTERM\n" {
		l.t.Errorf("log %q", got)
	}
	removeFinalizers(l, p.Name)
	l.waitGone(p.Name, 10*time.Second)

	// Without a finalizer the Pod disappears once the runner's final delete is through.
	p2 := l.pod("delete2", r.cfg.NodeName, nodeScript(`setInterval(() => {}, 1000);`))
	p2.Spec.TerminationGracePeriodSeconds = ptrTo(int64(1))
	l.create(p2)
	running = l.wait(p2.Name, 90*time.Second, "Running", phaseIs(v1.PodRunning))
	id = trimDockerID(running.Status.ContainerStatuses[0].ContainerID)
	t0 = time.Now()
	if err := l.client.CoreV1().Pods(testNamespace).Delete(context.Background(), p2.Name, metav1.DeleteOptions{}); err != nil {
		l.t.Fatal(err)
	}
	l.waitGone(p2.Name, 30*time.Second)
	l.t.Logf("TIMING delete (process ignores SIGTERM, grace 1s -> 2s minimum) -> Pod gone %v", time.Since(t0).Round(time.Millisecond))
	if l.containerExists(id) {
		l.t.Error("container still exists after the Pod is gone")
	}
}

func testGone(l *lab, r *runner) {
	p := l.pod("gone", r.cfg.NodeName, nodeScript(`setInterval(() => {}, 1000);`))
	l.create(p)
	running := l.wait(p.Name, 90*time.Second, "Running", phaseIs(v1.PodRunning))
	id := trimDockerID(running.Status.ContainerStatuses[0].ContainerID)
	// Force delete: the Pod vanishes from the API at once; the runner must still remove its container.
	if err := l.client.CoreV1().Pods(testNamespace).Delete(context.Background(), p.Name, metav1.DeleteOptions{GracePeriodSeconds: ptrTo(int64(0))}); err != nil {
		l.t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for l.containerExists(id) {
		if time.Now().After(deadline) {
			l.t.Fatal("container of a force-deleted Pod not removed")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func testInitAndEmptyDir(l *lab, r *runner) {
	p := l.pod("init", r.cfg.NodeName, `cat /scratch/data; ls /scratch`)
	p.Spec.Volumes = []v1.Volume{{Name: "work", VolumeSource: v1.VolumeSource{EmptyDir: &v1.EmptyDirVolumeSource{}}}}
	p.Spec.Containers[0].VolumeMounts = []v1.VolumeMount{{Name: "work", MountPath: "/scratch"}}
	p.Spec.InitContainers = []v1.Container{{
		Name: "prepare", Image: l.image, ImagePullPolicy: v1.PullIfNotPresent,
		Command:      []string{"sh", "-c", "echo prepared by init > /scratch/data; echo init done"},
		VolumeMounts: []v1.VolumeMount{{Name: "work", MountPath: "/scratch"}},
	}}
	l.create(p)
	done := l.wait(p.Name, 90*time.Second, "Succeeded", phaseIs(v1.PodSucceeded))
	ics := done.Status.InitContainerStatuses
	if len(ics) != 1 || ics[0].State.Terminated == nil || ics[0].State.Terminated.ExitCode != 0 || !ics[0].Ready {
		l.t.Errorf("init status %+v", ics)
	}
	if got := l.readLog(r, p.Name, "main"); got != "prepared by init\ndata\n" {
		l.t.Errorf("main log %q", got)
	}
	if got := l.readLog(r, p.Name, "prepare"); got != "init done\n" {
		l.t.Errorf("init log %q", got)
	}
}

func testActiveDeadline(l *lab, r *runner) {
	p := l.pod("deadline", r.cfg.NodeName, nodeScript(`setInterval(() => {}, 1000);`))
	p.Spec.ActiveDeadlineSeconds = ptrTo(int64(3))
	p.Spec.TerminationGracePeriodSeconds = ptrTo(int64(1))
	_, t0 := l.create(p)
	done := l.wait(p.Name, 90*time.Second, "Failed", phaseIs(v1.PodFailed))
	l.t.Logf("TIMING activeDeadlineSeconds 3 -> Failed after %v", time.Since(t0).Round(time.Millisecond))
	if done.Status.Reason != ReasonDeadlineExceeded || done.Status.Message != MessageDeadlineExceeded {
		l.t.Errorf("status %s message %q", statusSummary(done), done.Status.Message)
	}
	if term := done.Status.ContainerStatuses[0].State.Terminated; term == nil || term.ExitCode != 137 {
		l.t.Errorf("terminated %+v (SIGKILL after the grace period, node as PID 1 ignores SIGTERM)", term)
	}
}

func testImagePullBackOff(l *lab, r *runner) {
	p := l.pod("pull", r.cfg.NodeName, "true")
	p.Spec.Containers[0].Image = "localhost:1/flyte-lab-kubelet-test/absent:v1"
	l.create(p)
	seen := map[string]bool{}
	l.wait(p.Name, 60*time.Second, "ErrImagePull then ImagePullBackOff", func(p *v1.Pod) bool {
		if len(p.Status.ContainerStatuses) > 0 {
			if w := p.Status.ContainerStatuses[0].State.Waiting; w != nil {
				seen[w.Reason] = true
			}
		}
		return seen[ReasonErrImagePull] && seen[ReasonImagePullBackOff]
	})
	if p2, _ := l.client.CoreV1().Pods(testNamespace).Get(context.Background(), p.Name, metav1.GetOptions{}); p2.Status.Phase != v1.PodPending {
		l.t.Errorf("phase %s", p2.Status.Phase)
	}
	_ = l.client.CoreV1().Pods(testNamespace).Delete(context.Background(), p.Name, metav1.DeleteOptions{})
	l.waitGone(p.Name, 30*time.Second)
}

func testOnFailure(l *lab, r *runner) {
	p := l.pod("onfailure", r.cfg.NodeName, `if [ -f /data/marker ]; then echo second run; exit 0; fi; touch /data/marker; echo first run; exit 1`)
	p.Spec.RestartPolicy = v1.RestartPolicyOnFailure
	p.Spec.Volumes = []v1.Volume{{Name: "data", VolumeSource: v1.VolumeSource{EmptyDir: &v1.EmptyDirVolumeSource{}}}}
	p.Spec.Containers[0].VolumeMounts = []v1.VolumeMount{{Name: "data", MountPath: "/data"}}
	l.create(p)
	done := l.wait(p.Name, 90*time.Second, "Succeeded", phaseIs(v1.PodSucceeded))
	cs := done.Status.ContainerStatuses[0]
	if cs.RestartCount != 1 || cs.LastTerminationState.Terminated == nil || cs.LastTerminationState.Terminated.ExitCode != 1 ||
		cs.State.Terminated == nil || cs.State.Terminated.ExitCode != 0 {
		l.t.Errorf("container status %+v", cs)
	}
	if got := l.readLog(r, p.Name, "main"); got != "first run\nsecond run\n" {
		l.t.Errorf("log %q", got)
	}
}

func testScheduler(l *lab, r *runner) {
	p := l.pod("sched", "", `echo scheduled`)
	p.Spec.SchedulerName = r.cfg.SchedulerName
	l.create(p)
	done := l.wait(p.Name, 90*time.Second, "Succeeded", phaseIs(v1.PodSucceeded))
	if done.Spec.NodeName != r.cfg.NodeName {
		l.t.Errorf("bound to %q", done.Spec.NodeName)
	}
	// A Pod whose node selector the node does not match is reported unschedulable.
	p2 := l.pod("unsched", "", `true`)
	p2.Spec.SchedulerName = r.cfg.SchedulerName
	p2.Spec.NodeSelector = map[string]string{"gpu": "true"}
	l.create(p2)
	l.wait(p2.Name, 30*time.Second, "Unschedulable", func(p *v1.Pod) bool {
		c := condition(p.Status, v1.PodScheduled)
		return c.Status == v1.ConditionFalse && c.Reason == v1.PodReasonUnschedulable
	})
}

func testUnsupported(l *lab, r *runner) {
	p := l.pod("unsupported", r.cfg.NodeName, `true`)
	p.Spec.Volumes = []v1.Volume{{Name: "pvc", VolumeSource: v1.VolumeSource{PersistentVolumeClaim: &v1.PersistentVolumeClaimVolumeSource{ClaimName: "x"}}}}
	l.create(p)
	done := l.wait(p.Name, 30*time.Second, "Failed", phaseIs(v1.PodFailed))
	if done.Status.Reason != "UnsupportedPodSpec" || !strings.Contains(done.Status.Message, `volume "pvc"`) {
		l.t.Errorf("status %s %q", statusSummary(done), done.Status.Message)
	}
}

// testAdoption stops a runner while its Pod's container runs and starts another: the new runner adopts the
// container (same id, no restart) and finishes the Pod, and the log file has every line exactly once.
func testAdoption(l *lab, node string) {
	r1 := l.startRunner(node, nil)

	// A second runner for the same node refuses to start while the first one runs.
	dup := New(r1.cfg, l.client, l.docker, slog.New(slog.NewTextHandler(testWriter{l.t}, nil)))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	err := dup.Run(ctx)
	cancel()
	if err == nil || !strings.Contains(err.Error(), "is run by another flyte-lab-kubelet") {
		l.t.Errorf("second runner for node %s: %v", node, err)
	}

	p := l.pod("adopt", node, nodeScript(`let i = 0; const t = setInterval(() => { console.log("tick " + i); if (++i === 40) { clearInterval(t); } }, 100);`))
	l.create(p)
	running := l.wait(p.Name, 90*time.Second, "Running", phaseIs(v1.PodRunning))
	id := running.Status.ContainerStatuses[0].ContainerID
	time.Sleep(time.Second)
	r1.stop(l.t)
	if ci := dockerRaw(l, trimDockerID(id)); !strings.Contains(ci, `"Running":true`) {
		l.t.Fatal("the container did not survive the runner's shutdown")
	}
	time.Sleep(time.Second) // output the stopped runner does not copy
	t0 := time.Now()
	r2 := l.startRunner(node, nil)
	defer r2.stop(l.t)
	done := l.wait(p.Name, 60*time.Second, "Succeeded", phaseIs(v1.PodSucceeded))
	l.t.Logf("TIMING restarted runner: start -> Pod Succeeded %v", time.Since(t0).Round(time.Millisecond))
	cs := done.Status.ContainerStatuses[0]
	if cs.ContainerID != id || cs.RestartCount != 0 || cs.State.Terminated == nil || cs.State.Terminated.ExitCode != 0 {
		l.t.Errorf("adopted container status %+v (was %s)", cs, id)
	}
	var want strings.Builder
	for i := 0; i < 40; i++ {
		fmt.Fprintf(&want, "tick %d\n", i)
	}
	if got := l.readLog(r2, p.Name, "main"); got != want.String() {
		l.t.Errorf("log after adoption:\n%s", got)
	}

	// An orphan: a container of this node whose Pod is gone while no runner runs is removed by the next runner.
	p2 := l.pod("orphan", node, nodeScript(`setInterval(() => {}, 1000);`))
	l.create(p2)
	running = l.wait(p2.Name, 90*time.Second, "Running", phaseIs(v1.PodRunning))
	oid := trimDockerID(running.Status.ContainerStatuses[0].ContainerID)
	r2.stop(l.t)
	if err := l.client.CoreV1().Pods(testNamespace).Delete(context.Background(), p2.Name, metav1.DeleteOptions{GracePeriodSeconds: ptrTo(int64(0))}); err != nil {
		l.t.Fatal(err)
	}
	r3 := l.startRunner(node, nil)
	defer r3.stop(l.t)
	deadline := time.Now().Add(30 * time.Second)
	for l.containerExists(oid) {
		if time.Now().After(deadline) {
			l.t.Fatal("orphaned container not removed by the next runner")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// testThroughput runs a batch of short Pods through --max-parallel 4 and reports the per-Pod overhead.
func testThroughput(l *lab, r *runner) {
	const n = 12
	var wg sync.WaitGroup
	durations := make([]time.Duration, n)
	t0 := time.Now()
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			p := l.pod(fmt.Sprintf("batch-%02d", i), r.cfg.NodeName, `echo done`)
			_, start := l.create(p)
			l.wait(p.Name, 180*time.Second, "Succeeded", phaseIs(v1.PodSucceeded))
			durations[i] = time.Since(start)
		}(i)
	}
	wg.Wait()
	total := time.Since(t0)
	var sum, worst time.Duration
	for _, d := range durations {
		sum += d
		worst = max(worst, d)
	}
	l.t.Logf("TIMING %d Pods (max-parallel %d): all Succeeded in %v; per Pod created->Succeeded mean %v, max %v; wall per Pod %v",
		n, r.cfg.MaxParallel, total.Round(time.Millisecond), (sum / n).Round(time.Millisecond), worst.Round(time.Millisecond),
		(total / n).Round(time.Millisecond))
}
