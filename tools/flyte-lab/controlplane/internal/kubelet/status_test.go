package kubelet

import (
	"strings"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

var t0 = time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)

func inspect(status string, exit int, oom bool, errMsg string) *ContainerInspect {
	c := &ContainerInspect{ID: "abc123", Image: "sha256:img", Created: t0}
	c.State = ContainerState{Status: status, Running: status == "running", ExitCode: exit, OOMKilled: oom, Error: errMsg}
	if status != "created" {
		c.State.StartedAt = t0.Add(time.Second)
	}
	if status == "exited" {
		c.State.FinishedAt = t0.Add(5 * time.Second)
	}
	return c
}

func TestInstanceFromDocker(t *testing.T) {
	for _, tc := range []struct {
		name   string
		in     *ContainerInspect
		state  instanceState
		exit   int32
		reason string
	}{
		{"running", inspect("running", 0, false, ""), stateRunning, 0, ""},
		{"exit 0", inspect("exited", 0, false, ""), stateExited, 0, ReasonCompleted},
		{"exit 3", inspect("exited", 3, false, ""), stateExited, 3, ReasonError},
		{"OOM", inspect("exited", 137, true, ""), stateExited, 137, ReasonOOMKilled},
		{"killed", inspect("exited", 137, false, ""), stateExited, 137, ReasonError},
		{"created", inspect("created", 0, false, ""), stateCreated, 0, ""},
		{"start failed", inspect("created", 127, false, `exec: "nope": executable file not found in $PATH`), stateExited, 128, ReasonStartError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := instanceFromDocker(tc.in)
			if in.State != tc.state || in.ExitCode != tc.exit || in.Reason != tc.reason {
				t.Errorf("got state %v exit %d reason %q", in.State, in.ExitCode, in.Reason)
			}
			if tc.reason == ReasonStartError && !strings.Contains(in.Message, "executable file not found") {
				t.Errorf("start error message %q", in.Message)
			}
		})
	}
}

func condition(s v1.PodStatus, typ v1.PodConditionType) v1.PodCondition {
	for _, c := range s.Conditions {
		if c.Type == typ {
			return c
		}
	}
	return v1.PodCondition{}
}

// scheduledPod is a flyte Pod as it looks after binding (PodScheduled set by the binding).
func scheduledPod() *v1.Pod {
	pod := flytePod()
	pod.Status = v1.PodStatus{Phase: v1.PodPending, QOSClass: v1.PodQOSGuaranteed, Conditions: []v1.PodCondition{
		{Type: v1.PodScheduled, Status: v1.ConditionTrue, LastTransitionTime: metav1.NewTime(t0)},
	}}
	return pod
}

func TestStatusPending(t *testing.T) {
	pod := scheduledPod()
	s := generatePodStatus(pod, newPodRuntime(), "127.0.0.1", t0.Add(time.Second))
	if s.Phase != v1.PodPending {
		t.Fatalf("phase %s", s.Phase)
	}
	cs := s.ContainerStatuses[0]
	if cs.State.Waiting == nil || cs.State.Waiting.Reason != ReasonContainerCreating || cs.Ready || *cs.Started {
		t.Errorf("container status %+v", cs)
	}
	if c := condition(s, v1.PodScheduled); c.Status != v1.ConditionTrue || !c.LastTransitionTime.Equal(&metav1.Time{Time: t0}) {
		t.Errorf("PodScheduled %+v (its transition time must be kept)", c)
	}
	if c := condition(s, v1.PodReady); c.Status != v1.ConditionFalse || c.Reason != condContainersNotReady ||
		c.Message != "containers with unready status: [f7a3b-n0-0]" {
		t.Errorf("Ready %+v", c)
	}
	if c := condition(s, v1.PodInitialized); c.Status != v1.ConditionTrue {
		t.Errorf("Initialized %+v", c)
	}
	if c := condition(s, v1.PodReadyToStartContainers); c.Status != v1.ConditionFalse {
		t.Errorf("PodReadyToStartContainers %+v", c)
	}
	if s.StartTime == nil || !s.StartTime.Time.Equal(t0.Add(time.Second)) || s.HostIP != "127.0.0.1" || s.PodIP != "127.0.0.1" {
		t.Errorf("startTime %v hostIP %q podIP %q", s.StartTime, s.HostIP, s.PodIP)
	}
	if s.QOSClass != v1.PodQOSGuaranteed || s.ObservedGeneration != 1 {
		t.Errorf("qos %s observedGeneration %d", s.QOSClass, s.ObservedGeneration)
	}

	// With init containers, the regular containers wait in PodInitializing.
	pod.Spec.InitContainers = []v1.Container{{Name: "init", Image: "x"}}
	s = generatePodStatus(pod, newPodRuntime(), "127.0.0.1", t0)
	if s.ContainerStatuses[0].State.Waiting.Reason != ReasonPodInitializing || s.InitContainerStatuses[0].State.Waiting.Reason != ReasonPodInitializing {
		t.Errorf("init pending: %+v %+v", s.ContainerStatuses[0].State, s.InitContainerStatuses[0].State)
	}
	if c := condition(s, v1.PodInitialized); c.Status != v1.ConditionFalse || c.Reason != condContainersNotInitialized {
		t.Errorf("Initialized %+v", c)
	}
}

func TestStatusRunningThenSucceeded(t *testing.T) {
	pod := scheduledPod()
	rt := newPodRuntime()
	rt.SandboxReady = true
	name := pod.Spec.Containers[0].Name
	in := instanceFromDocker(inspect("running", 0, false, ""))
	rt.record(name, false).Current = in
	s := generatePodStatus(pod, rt, "127.0.0.1", t0.Add(2*time.Second))
	if s.Phase != v1.PodRunning {
		t.Fatalf("phase %s", s.Phase)
	}
	cs := s.ContainerStatuses[0]
	if cs.State.Running == nil || !cs.State.Running.StartedAt.Time.Equal(t0.Add(time.Second)) || !cs.Ready || !*cs.Started ||
		cs.ContainerID != "docker://abc123" || cs.ImageID != "sha256:img" || cs.RestartCount != 0 {
		t.Errorf("running status %+v", cs)
	}
	for _, typ := range []v1.PodConditionType{v1.PodReady, v1.ContainersReady, v1.PodInitialized, v1.PodReadyToStartContainers, v1.PodScheduled} {
		if c := condition(s, typ); c.Status != v1.ConditionTrue {
			t.Errorf("%s = %+v", typ, c)
		}
	}
	pod.Status = s

	ci := inspect("exited", 0, false, "")
	*in = *instanceFromDocker(ci)
	rt.Terminal = true
	s = generatePodStatus(pod, rt, "127.0.0.1", t0.Add(6*time.Second))
	if s.Phase != v1.PodSucceeded {
		t.Fatalf("phase %s", s.Phase)
	}
	term := s.ContainerStatuses[0].State.Terminated
	if term == nil || term.ExitCode != 0 || term.Reason != ReasonCompleted || term.ContainerID != "docker://abc123" ||
		!term.StartedAt.Time.Equal(t0.Add(time.Second)) || !term.FinishedAt.Time.Equal(t0.Add(5*time.Second)) {
		t.Errorf("terminated %+v", term)
	}
	if c := condition(s, v1.PodReady); c.Status != v1.ConditionFalse || c.Reason != condPodCompleted {
		t.Errorf("Ready %+v", c)
	}
	if c := condition(s, v1.PodInitialized); c.Status != v1.ConditionTrue || !c.LastTransitionTime.Equal(&metav1.Time{Time: t0.Add(2 * time.Second)}) {
		t.Errorf("Initialized %+v (unchanged status keeps its transition time)", c)
	}
	if c := condition(s, v1.PodReadyToStartContainers); c.Status != v1.ConditionFalse {
		t.Errorf("PodReadyToStartContainers after the end %+v", c)
	}
	if !s.StartTime.Time.Equal(t0.Add(2 * time.Second)) {
		t.Errorf("start time changed: %v", s.StartTime)
	}
}

func TestStatusFailedWithMessage(t *testing.T) {
	pod := scheduledPod()
	rt := newPodRuntime()
	in := instanceFromDocker(inspect("exited", 3, false, ""))
	in.Message = "bad input\n"
	rt.record(pod.Spec.Containers[0].Name, false).Current = in
	s := generatePodStatus(pod, rt, "127.0.0.1", t0) // restartPolicy Never: Failed even before the worker is done
	if s.Phase != v1.PodFailed {
		t.Fatalf("phase %s", s.Phase)
	}
	term := s.ContainerStatuses[0].State.Terminated
	if term.ExitCode != 3 || term.Reason != ReasonError || term.Message != "bad input\n" {
		t.Errorf("terminated %+v", term)
	}
	if c := condition(s, v1.ContainersReady); c.Reason != condPodFailed {
		t.Errorf("ContainersReady %+v", c)
	}
	// An OOM kill.
	*in = *instanceFromDocker(inspect("exited", 137, true, ""))
	s = generatePodStatus(pod, rt, "127.0.0.1", t0)
	if s.Phase != v1.PodFailed || s.ContainerStatuses[0].State.Terminated.Reason != ReasonOOMKilled {
		t.Errorf("OOM: %s %+v", s.Phase, s.ContainerStatuses[0].State.Terminated)
	}
	// Messages are bounded as the kubelet does (12 KiB shared by the Pod's containers).
	in.Message = strings.Repeat("x", 20000)
	s = generatePodStatus(pod, rt, "127.0.0.1", t0)
	if n := len(s.ContainerStatuses[0].State.Terminated.Message); n != 12*1024 {
		t.Errorf("message length %d", n)
	}
}

func TestStatusTerminalPhaseIsFinal(t *testing.T) {
	pod := scheduledPod()
	pod.Status.Phase = v1.PodSucceeded
	rt := newPodRuntime()
	rt.record(pod.Spec.Containers[0].Name, false).Current = instanceFromDocker(inspect("running", 0, false, ""))
	if s := generatePodStatus(pod, rt, "127.0.0.1", t0); s.Phase != v1.PodSucceeded {
		t.Errorf("left a terminal phase: %s", s.Phase)
	}
}

func TestStatusKilledBeforeStart(t *testing.T) {
	// A Pod deleted before its container was made: the container is reported terminated with an unknown status
	// and the Pod fails (status manager's TerminatePod).
	pod := scheduledPod()
	rt := newPodRuntime()
	rt.Terminal = true
	s := generatePodStatus(pod, rt, "127.0.0.1", t0)
	term := s.ContainerStatuses[0].State.Terminated
	if s.Phase != v1.PodFailed || term == nil || term.Reason != ReasonContainerStatusUnknown || term.ExitCode != 137 {
		t.Errorf("phase %s terminated %+v", s.Phase, term)
	}
}

func TestStatusDeadlineExceeded(t *testing.T) {
	pod := scheduledPod()
	rt := newPodRuntime()
	in := instanceFromDocker(inspect("exited", 143, false, ""))
	rt.record(pod.Spec.Containers[0].Name, false).Current = in
	rt.Terminal, rt.Phase, rt.Reason, rt.Message = true, v1.PodFailed, ReasonDeadlineExceeded, MessageDeadlineExceeded
	s := generatePodStatus(pod, rt, "127.0.0.1", t0)
	if s.Phase != v1.PodFailed || s.Reason != ReasonDeadlineExceeded || s.Message != MessageDeadlineExceeded {
		t.Errorf("phase %s reason %q message %q", s.Phase, s.Reason, s.Message)
	}
}

func TestStatusRejected(t *testing.T) {
	pod := scheduledPod()
	rt := newPodRuntime()
	rt.Terminal, rt.Rejected, rt.Phase, rt.Reason, rt.Message = true, true, v1.PodFailed, "UnsupportedPodSpec", "Pod was rejected: x"
	s := generatePodStatus(pod, rt, "127.0.0.1", t0)
	if s.Phase != v1.PodFailed || s.Reason != "UnsupportedPodSpec" || len(s.ContainerStatuses) != 0 || s.StartTime == nil {
		t.Errorf("rejected status %+v", s)
	}
}

func TestStatusRestarts(t *testing.T) {
	pod := scheduledPod()
	pod.Spec.RestartPolicy = v1.RestartPolicyOnFailure
	rt := newPodRuntime()
	rec := rt.record(pod.Spec.Containers[0].Name, false)
	rec.Current = instanceFromDocker(inspect("exited", 1, false, ""))
	rec.Waiting = &v1.ContainerStateWaiting{Reason: ReasonCrashLoopBackOff, Message: "back-off 10s restarting failed container"}
	s := generatePodStatus(pod, rt, "127.0.0.1", t0)
	cs := s.ContainerStatuses[0]
	if s.Phase != v1.PodRunning || cs.State.Waiting == nil || cs.State.Waiting.Reason != ReasonCrashLoopBackOff ||
		cs.LastTerminationState.Terminated == nil || cs.LastTerminationState.Terminated.ExitCode != 1 {
		t.Errorf("crash loop: phase %s status %+v", s.Phase, cs)
	}
	// Restarted once and running again.
	rec.LastTermination = rec.Current.terminatedState()
	rec.Current, rec.Waiting, rec.RestartCount = instanceFromDocker(inspect("running", 0, false, "")), nil, 1
	s = generatePodStatus(pod, rt, "127.0.0.1", t0)
	cs = s.ContainerStatuses[0]
	if s.Phase != v1.PodRunning || cs.RestartCount != 1 || cs.State.Running == nil || cs.LastTerminationState.Terminated.ExitCode != 1 {
		t.Errorf("restarted: phase %s status %+v", s.Phase, cs)
	}
}

func TestStatusInitContainers(t *testing.T) {
	pod := scheduledPod()
	pod.Spec.InitContainers = []v1.Container{{Name: "init", Image: "x"}}
	rt := newPodRuntime()
	initRec := rt.record("init", true)
	initRec.Current = instanceFromDocker(inspect("running", 0, false, ""))
	s := generatePodStatus(pod, rt, "127.0.0.1", t0)
	if s.Phase != v1.PodPending || s.InitContainerStatuses[0].State.Running == nil || s.InitContainerStatuses[0].Ready {
		t.Errorf("init running: %s %+v", s.Phase, s.InitContainerStatuses[0])
	}
	initRec.Current = instanceFromDocker(inspect("exited", 0, false, ""))
	s = generatePodStatus(pod, rt, "127.0.0.1", t0)
	if !s.InitContainerStatuses[0].Ready || condition(s, v1.PodInitialized).Status != v1.ConditionTrue {
		t.Errorf("init done: %+v %+v", s.InitContainerStatuses[0], condition(s, v1.PodInitialized))
	}
	// A failed init container with restartPolicy Never fails the Pod.
	initRec.Current = instanceFromDocker(inspect("exited", 2, false, ""))
	if s = generatePodStatus(pod, rt, "127.0.0.1", t0); s.Phase != v1.PodFailed {
		t.Errorf("init failed: phase %s", s.Phase)
	}
}

func TestStatusKeepsReportedTermination(t *testing.T) {
	// After the containers were removed (Pod finished), the terminated status already written is kept.
	pod := scheduledPod()
	pod.Status.Phase = v1.PodSucceeded
	pod.Status.ContainerStatuses = []v1.ContainerStatus{{Name: pod.Spec.Containers[0].Name, ContainerID: "docker://gone",
		State: v1.ContainerState{Terminated: &v1.ContainerStateTerminated{ExitCode: 0, Reason: ReasonCompleted, ContainerID: "docker://gone"}}}}
	rt := newPodRuntime()
	rt.Terminal = true
	s := generatePodStatus(pod, rt, "127.0.0.1", t0)
	if term := s.ContainerStatuses[0].State.Terminated; term == nil || term.Reason != ReasonCompleted || s.Phase != v1.PodSucceeded {
		t.Errorf("status %+v", s.ContainerStatuses[0])
	}
}

func TestPhaseSidecar(t *testing.T) {
	always := v1.ContainerRestartPolicyAlways
	pod := scheduledPod()
	pod.Spec.InitContainers = []v1.Container{{Name: "sidecar", Image: "x", RestartPolicy: &always}}
	rt := newPodRuntime()
	rt.record("sidecar", true).Current = instanceFromDocker(inspect("running", 0, false, ""))
	rt.record(pod.Spec.Containers[0].Name, false).Current = instanceFromDocker(inspect("exited", 0, false, ""))
	rt.Terminal = true
	// The sidecar was stopped at the end: it does not count for the phase.
	rt.record("sidecar", true).Current = instanceFromDocker(inspect("exited", 137, false, ""))
	if s := generatePodStatus(pod, rt, "127.0.0.1", t0); s.Phase != v1.PodSucceeded {
		t.Errorf("phase %s", s.Phase)
	}
}
