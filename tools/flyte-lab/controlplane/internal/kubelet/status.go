package kubelet

// Pure mappings from what the runner knows about a Pod's containers to the Pod's status, following the kubelet of
// Kubernetes v1.34 (pkg/kubelet/kubelet_pods.go: convertToAPIContainerStatuses, getPhase, generateAPIPodStatus;
// pkg/kubelet/status: generate.go, status_manager.go TerminatePod, normalizeStatus, mergePodStatus) with the
// feature gates at their v1.34 defaults (PodReadyToStartContainersCondition and PodObservedGenerationTracking on,
// ContainerRestartRules off).

import (
	"fmt"
	"sort"
	"strings"
	"time"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Container waiting and termination reasons the kubelet uses (pkg/kubelet/images, pkg/kubelet/container, CRI).
const (
	ReasonContainerCreating          = "ContainerCreating"
	ReasonPodInitializing            = "PodInitializing"
	ReasonErrImagePull               = "ErrImagePull"
	ReasonImagePullBackOff           = "ImagePullBackOff"
	ReasonInvalidImageName           = "InvalidImageName"
	ReasonErrImageNeverPull          = "ErrImageNeverPull"
	ReasonCreateContainerConfigError = "CreateContainerConfigError"
	ReasonCreateContainerError       = "CreateContainerError"
	ReasonCrashLoopBackOff           = "CrashLoopBackOff"
	ReasonCompleted                  = "Completed"
	ReasonError                      = "Error"
	ReasonOOMKilled                  = "OOMKilled"
	ReasonStartError                 = "StartError"
	ReasonContainerStatusUnknown     = "ContainerStatusUnknown"
	ReasonDeadlineExceeded           = "DeadlineExceeded"
	MessageDeadlineExceeded          = "Pod was active on the node longer than the specified deadline"
)

// Pod condition reasons (pkg/kubelet/status/generate.go).
const (
	condUnknownContainerStatuses = "UnknownContainerStatuses"
	condPodCompleted             = "PodCompleted"
	condPodFailed                = "PodFailed"
	condContainersNotReady       = "ContainersNotReady"
	condContainersNotInitialized = "ContainersNotInitialized"
	condReadinessGatesNotReady   = "ReadinessGatesNotReady"
)

const (
	// maxTerminationMessageLength is how much of a termination message file the kubelet reads (its end).
	maxTerminationMessageLength = 4 * 1024
	// maxTerminationMessageLogLines/Length bound the log tail used by FallbackToLogsOnError.
	maxTerminationMessageLogLines  = 80
	maxTerminationMessageLogLength = 2048
	// maxPodTerminationMessageLength is shared by all containers' messages in one status.
	maxPodTerminationMessageLength = 12 * 1024
)

// instanceState is the state of one Docker container.
type instanceState int

const (
	stateCreated instanceState = iota // created, never started
	stateRunning
	stateExited
)

// instance is one Docker container made for a container of the Pod (one per start; a restart makes a new one).
type instance struct {
	ID         string
	ImageID    string
	State      instanceState
	StartedAt  time.Time
	FinishedAt time.Time
	ExitCode   int32
	Reason     string
	Message    string
}

// containerRecord is what the runner knows about one container of the Pod's spec.
type containerRecord struct {
	// Current is the newest Docker container of this spec container; nil when none has been made yet.
	Current *instance
	// LastTermination is how the previous instance ended (set once a container has been restarted).
	LastTermination *v1.ContainerStateTerminated
	RestartCount    int32
	// Waiting, when set and Current is not running, is shown instead of the instance's state: the reason the
	// runner cannot start the container now (ErrImagePull, ImagePullBackOff, CreateContainerConfigError,
	// CrashLoopBackOff, ...).
	Waiting *v1.ContainerStateWaiting
}

// podRuntime is everything the status of one Pod is generated from.
type podRuntime struct {
	Init       map[string]*containerRecord
	Containers map[string]*containerRecord
	// SandboxReady: the Pod's volumes and directories are set up (PodReadyToStartContainers).
	SandboxReady bool
	// Terminal: the runner is done with the Pod and none of its containers runs or will run again.
	Terminal bool
	// Rejected: the runner did not admit the Pod (the status is only phase, reason and message, as the kubelet
	// writes for Pods it rejects).
	Rejected bool
	// Phase, Reason and Message override the generated ones when set (active deadline, rejected Pods).
	Phase   v1.PodPhase
	Reason  string
	Message string
}

func newPodRuntime() *podRuntime {
	return &podRuntime{Init: map[string]*containerRecord{}, Containers: map[string]*containerRecord{}}
}

func (rt *podRuntime) record(name string, init bool) *containerRecord {
	m := rt.Containers
	if init {
		m = rt.Init
	}
	r := m[name]
	if r == nil {
		r = &containerRecord{}
		m[name] = r
	}
	return r
}

// instanceFromDocker maps Docker's view of a container to an instance. Exit reasons are those containerd's CRI
// reports: OOMKilled (Docker's State.OOMKilled), Completed (exit 0), Error (other exit codes), and StartError with
// exit code 128 for a container the runtime failed to start. The termination message is filled in by the caller.
func instanceFromDocker(c *ContainerInspect) *instance {
	in := &instance{ID: c.ID, ImageID: c.Image}
	st := c.State
	switch {
	case st.Running || st.Status == "running" || st.Status == "paused" || st.Status == "restarting":
		in.State = stateRunning
		in.StartedAt = st.StartedAt
	case st.Status == "created" && st.Error == "":
		in.State = stateCreated
	case st.Status == "created":
		// Docker keeps a container whose start failed in "created" with the error and exit code 126/127.
		in.State = stateExited
		in.ExitCode = 128
		in.Reason = ReasonStartError
		in.Message = st.Error
		in.FinishedAt = st.FinishedAt
		if in.FinishedAt.IsZero() {
			in.FinishedAt = c.Created
		}
	default: // exited, dead, removing
		in.State = stateExited
		in.ExitCode = int32(st.ExitCode)
		in.StartedAt = st.StartedAt
		in.FinishedAt = st.FinishedAt
		switch {
		case st.OOMKilled:
			in.Reason = ReasonOOMKilled
		case st.ExitCode == 0:
			in.Reason = ReasonCompleted
		default:
			in.Reason = ReasonError
		}
	}
	return in
}

// terminatedState is the API form of an exited instance.
func (in *instance) terminatedState() *v1.ContainerStateTerminated {
	return &v1.ContainerStateTerminated{
		ExitCode:    in.ExitCode,
		Reason:      in.Reason,
		Message:     in.Message,
		StartedAt:   metav1.NewTime(in.StartedAt),
		FinishedAt:  metav1.NewTime(in.FinishedAt),
		ContainerID: dockerContainerID(in.ID),
	}
}

func dockerContainerID(id string) string {
	if id == "" {
		return ""
	}
	return "docker://" + id
}

// isRestartableInit reports whether c is a sidecar (an init container with restartPolicy Always).
func isRestartableInit(c *v1.Container) bool {
	return c.RestartPolicy != nil && *c.RestartPolicy == v1.ContainerRestartPolicyAlways
}

// containerStatus generates one container's status. old is the container's status in the Pod as last written
// (nil if none); defaultWaiting is the reason shown for a container with no Docker container yet.
func containerStatus(c *v1.Container, rec *containerRecord, old *v1.ContainerStatus, defaultWaiting string, isInit bool) v1.ContainerStatus {
	s := v1.ContainerStatus{Name: c.Name, Image: c.Image}
	for _, m := range c.VolumeMounts {
		vm := v1.VolumeMountStatus{Name: m.Name, MountPath: m.MountPath, ReadOnly: m.ReadOnly}
		if m.ReadOnly {
			rro := v1.RecursiveReadOnlyDisabled
			vm.RecursiveReadOnly = &rro
		}
		s.VolumeMounts = append(s.VolumeMounts, vm)
	}
	if rec == nil {
		rec = &containerRecord{}
	}
	s.RestartCount = rec.RestartCount
	if rec.LastTermination != nil {
		s.LastTerminationState.Terminated = rec.LastTermination.DeepCopy()
	}
	cur := rec.Current
	switch {
	case cur != nil && cur.State == stateRunning:
		s.State.Running = &v1.ContainerStateRunning{StartedAt: metav1.NewTime(cur.StartedAt)}
	case rec.Waiting != nil:
		s.State.Waiting = rec.Waiting.DeepCopy()
		if cur != nil && cur.State == stateExited {
			// Waiting to restart: the instance that ended last is the last termination state.
			s.LastTerminationState.Terminated = cur.terminatedState()
		}
	case cur != nil && cur.State == stateExited:
		s.State.Terminated = cur.terminatedState()
	case cur != nil: // created but not started yet: the runner starts it right away
		s.State.Waiting = &v1.ContainerStateWaiting{Reason: ReasonContainerCreating}
	case old != nil && old.State.Terminated != nil:
		// No Docker container any more (removed after the Pod ended, or by hand): keep the terminated status that
		// was reported, as the kubelet does.
		o := old.DeepCopy()
		o.VolumeMounts = s.VolumeMounts
		o.Ready, o.Started = false, ptrTo(false)
		return *o
	default:
		s.State.Waiting = &v1.ContainerStateWaiting{Reason: defaultWaiting}
	}
	if cur != nil {
		s.ContainerID = dockerContainerID(cur.ID)
		s.ImageID = cur.ImageID
		s.AllocatedResources = c.Resources.Requests.DeepCopy()
		s.Resources = c.Resources.DeepCopy()
	}
	// Without probes a container is started and ready as soon as it runs; a regular init container is ready once
	// it has completed successfully.
	started := s.State.Running != nil
	s.Started = &started
	if isInit && !isRestartableInit(c) {
		s.Ready = s.State.Terminated != nil && s.State.Terminated.ExitCode == 0
	} else {
		s.Ready = s.State.Running != nil
	}
	return s
}

func ptrTo[T any](v T) *T { return &v }

func findStatus(statuses []v1.ContainerStatus, name string) (v1.ContainerStatus, bool) {
	for _, s := range statuses {
		if s.Name == name {
			return s, true
		}
	}
	return v1.ContainerStatus{}, false
}

// hasAnyRegularContainerStarted reports whether a regular container has ever run (the Pod has initialized).
func hasAnyRegularContainerStarted(spec *v1.PodSpec, statuses []v1.ContainerStatus) bool {
	for _, c := range spec.Containers {
		s, ok := findStatus(statuses, c.Name)
		if !ok {
			continue
		}
		if s.State.Running != nil || s.State.Terminated != nil || s.LastTerminationState.Terminated != nil {
			return true
		}
	}
	return false
}

// podPhase is the kubelet's getPhase (with ContainerRestartRules off).
func podPhase(pod *v1.Pod, info []v1.ContainerStatus, podIsTerminal, podHasInitialized bool) v1.PodPhase {
	spec := &pod.Spec
	pendingRestartableInit, pendingRegularInit, failedInit := 0, 0, 0
	for i := range spec.InitContainers {
		c := &spec.InitContainers[i]
		if isRestartableInit(c) {
			continue
		}
		s, ok := findStatus(info, c.Name)
		if !ok {
			pendingRegularInit++
			continue
		}
		switch {
		case s.State.Running != nil:
			pendingRegularInit++
		case s.State.Terminated != nil:
			if s.State.Terminated.ExitCode != 0 {
				failedInit++
			}
		case s.State.Waiting != nil:
			if s.LastTerminationState.Terminated != nil {
				if s.LastTerminationState.Terminated.ExitCode != 0 {
					failedInit++
				}
			} else {
				pendingRegularInit++
			}
		default:
			pendingRegularInit++
		}
	}

	unknown, running, waiting, stopped, succeeded := 0, 0, 0, 0, 0
	for i := range spec.InitContainers {
		c := &spec.InitContainers[i]
		if !isRestartableInit(c) {
			continue
		}
		s, ok := findStatus(info, c.Name)
		if !ok {
			unknown++
			continue
		}
		switch {
		case s.State.Running != nil:
			if s.Started == nil || !*s.Started {
				pendingRestartableInit++
			}
			running++
		case s.State.Terminated != nil:
		case s.State.Waiting != nil:
			if s.LastTerminationState.Terminated == nil {
				pendingRestartableInit++
				waiting++
			}
		default:
			pendingRestartableInit++
			unknown++
		}
	}
	for _, c := range spec.Containers {
		s, ok := findStatus(info, c.Name)
		if !ok {
			unknown++
			continue
		}
		switch {
		case s.State.Running != nil:
			running++
		case s.State.Terminated != nil:
			stopped++
			if s.State.Terminated.ExitCode == 0 {
				succeeded++
			}
		case s.State.Waiting != nil:
			if s.LastTerminationState.Terminated != nil {
				stopped++
			} else {
				waiting++
			}
		default:
			unknown++
		}
	}

	if failedInit > 0 && spec.RestartPolicy == v1.RestartPolicyNever {
		return v1.PodFailed
	}
	switch {
	case pendingRegularInit > 0 || (pendingRestartableInit > 0 && !podHasInitialized):
		return v1.PodPending
	case waiting > 0:
		return v1.PodPending
	case running > 0 && unknown == 0:
		return v1.PodRunning
	case running == 0 && stopped > 0 && unknown == 0:
		if podIsTerminal {
			if stopped == succeeded {
				return v1.PodSucceeded
			}
			return v1.PodFailed
		}
		if spec.RestartPolicy == v1.RestartPolicyAlways {
			return v1.PodRunning
		}
		if stopped == succeeded {
			return v1.PodSucceeded
		}
		if spec.RestartPolicy == v1.RestartPolicyNever {
			return v1.PodFailed
		}
		return v1.PodRunning
	default:
		return v1.PodPending
	}
}

func isTerminalPhase(p v1.PodPhase) bool { return p == v1.PodSucceeded || p == v1.PodFailed }

// kubeletConditions are the Pod conditions the kubelet owns; others (set by schedulers, controllers or users) are
// kept as they are.
var kubeletConditions = map[v1.PodConditionType]bool{
	v1.PodScheduled:              true,
	v1.PodReady:                  true,
	v1.PodInitialized:            true,
	v1.ContainersReady:           true,
	v1.PodReadyToStartContainers: true,
	v1.PodResizePending:          true,
	v1.PodResizeInProgress:       true,
}

// containersReadyCondition is GenerateContainersReadyCondition.
func containersReadyCondition(pod *v1.Pod, statuses []v1.ContainerStatus, phase v1.PodPhase) v1.PodCondition {
	cond := v1.PodCondition{Type: v1.ContainersReady, ObservedGeneration: pod.Generation}
	if statuses == nil {
		cond.Status, cond.Reason = v1.ConditionFalse, condUnknownContainerStatuses
		return cond
	}
	var unknown, unready []string
	check := func(name string) {
		if s, ok := findStatus(statuses, name); !ok {
			unknown = append(unknown, name)
		} else if !s.Ready {
			unready = append(unready, name)
		}
	}
	for i := range pod.Spec.InitContainers {
		if isRestartableInit(&pod.Spec.InitContainers[i]) {
			check(pod.Spec.InitContainers[i].Name)
		}
	}
	for _, c := range pod.Spec.Containers {
		check(c.Name)
	}
	if (phase == v1.PodSucceeded && len(unknown) == 0) || phase == v1.PodFailed {
		cond.Status, cond.Reason = v1.ConditionFalse, condPodCompleted
		if phase == v1.PodFailed {
			cond.Reason = condPodFailed
		}
		return cond
	}
	var msgs []string
	if len(unknown) > 0 {
		msgs = append(msgs, fmt.Sprintf("containers with unknown status: %s", unknown))
	}
	if len(unready) > 0 {
		msgs = append(msgs, fmt.Sprintf("containers with unready status: %s", unready))
	}
	if len(msgs) > 0 {
		cond.Status, cond.Reason, cond.Message = v1.ConditionFalse, condContainersNotReady, strings.Join(msgs, ", ")
		return cond
	}
	cond.Status = v1.ConditionTrue
	return cond
}

// podReadyCondition is GeneratePodReadyCondition.
func podReadyCondition(pod *v1.Pod, conditions []v1.PodCondition, statuses []v1.ContainerStatus, phase v1.PodPhase) v1.PodCondition {
	cr := containersReadyCondition(pod, statuses, phase)
	cond := v1.PodCondition{Type: v1.PodReady, ObservedGeneration: pod.Generation}
	if cr.Status != v1.ConditionTrue {
		cond.Status, cond.Reason, cond.Message = cr.Status, cr.Reason, cr.Message
		return cond
	}
	var msgs []string
	for _, rg := range pod.Spec.ReadinessGates {
		var found *v1.PodCondition
		for i := range conditions {
			if conditions[i].Type == rg.ConditionType {
				found = &conditions[i]
			}
		}
		if found == nil {
			msgs = append(msgs, fmt.Sprintf("corresponding condition of pod readiness gate %q does not exist.", string(rg.ConditionType)))
		} else if found.Status != v1.ConditionTrue {
			msgs = append(msgs, fmt.Sprintf("the status of pod readiness gate %q is not \"True\", but %v", string(rg.ConditionType), found.Status))
		}
	}
	if len(msgs) > 0 {
		cond.Status, cond.Reason, cond.Message = v1.ConditionFalse, condReadinessGatesNotReady, strings.Join(msgs, ", ")
		return cond
	}
	cond.Status = v1.ConditionTrue
	return cond
}

// initializedCondition is GeneratePodInitializedCondition.
func initializedCondition(pod *v1.Pod, statuses []v1.ContainerStatus, phase v1.PodPhase) v1.PodCondition {
	cond := v1.PodCondition{Type: v1.PodInitialized, ObservedGeneration: pod.Generation}
	if statuses == nil && len(pod.Spec.InitContainers) > 0 {
		cond.Status, cond.Reason = v1.ConditionFalse, condUnknownContainerStatuses
		return cond
	}
	var unknown, incomplete []string
	for i := range pod.Spec.InitContainers {
		c := &pod.Spec.InitContainers[i]
		s, ok := findStatus(statuses, c.Name)
		if !ok {
			unknown = append(unknown, c.Name)
			continue
		}
		if isRestartableInit(c) {
			if s.Started == nil || !*s.Started {
				incomplete = append(incomplete, c.Name)
			}
		} else if !s.Ready {
			incomplete = append(incomplete, c.Name)
		}
	}
	if phase == v1.PodSucceeded && len(unknown) == 0 {
		cond.Status, cond.Reason = v1.ConditionTrue, condPodCompleted
		return cond
	}
	if hasAnyRegularContainerStarted(&pod.Spec, statuses) {
		cond.Status = v1.ConditionTrue
		return cond
	}
	var msgs []string
	if len(unknown) > 0 {
		msgs = append(msgs, fmt.Sprintf("containers with unknown status: %s", unknown))
	}
	if len(incomplete) > 0 {
		msgs = append(msgs, fmt.Sprintf("containers with incomplete status: %s", incomplete))
	}
	if len(msgs) > 0 {
		cond.Status, cond.Reason, cond.Message = v1.ConditionFalse, condContainersNotInitialized, strings.Join(msgs, ", ")
		return cond
	}
	cond.Status = v1.ConditionTrue
	return cond
}

// podQOSClass is the kubelet's GetPodQOS (container-level resources; cpu and memory only).
func podQOSClass(pod *v1.Pod) v1.PodQOSClass {
	requests, limits := v1.ResourceList{}, v1.ResourceList{}
	guaranteed := true
	all := append(append([]v1.Container{}, pod.Spec.InitContainers...), pod.Spec.Containers...)
	for _, c := range all {
		for name, q := range c.Resources.Requests {
			if (name == v1.ResourceCPU || name == v1.ResourceMemory) && q.Sign() > 0 {
				sum := requests[name]
				sum.Add(q)
				requests[name] = sum
			}
		}
		found := 0
		for name, q := range c.Resources.Limits {
			if (name == v1.ResourceCPU || name == v1.ResourceMemory) && q.Sign() > 0 {
				found++
				sum := limits[name]
				sum.Add(q)
				limits[name] = sum
			}
		}
		if found < 2 {
			guaranteed = false
		}
	}
	if len(requests) == 0 && len(limits) == 0 {
		return v1.PodQOSBestEffort
	}
	if guaranteed {
		for name, req := range requests {
			if lim, ok := limits[name]; !ok || lim.Cmp(req) != 0 {
				guaranteed = false
				break
			}
		}
	}
	if guaranteed && len(requests) == len(limits) {
		return v1.PodQOSGuaranteed
	}
	return v1.PodQOSBurstable
}

// generatePodStatus generates the status the runner writes for pod from rt, as the kubelet's generateAPIPodStatus
// followed by its status manager (TerminatePod for finished Pods, transition times, normalization) would. ip is the
// node's (and, with host networking, the Pod's) address; now stamps new transitions and the start time.
func generatePodStatus(pod *v1.Pod, rt *podRuntime, ip string, now time.Time) v1.PodStatus {
	old := &pod.Status
	s := v1.PodStatus{QOSClass: podQOSClass(pod), ObservedGeneration: pod.Generation}
	if rt.Rejected {
		s.Phase, s.Reason, s.Message = v1.PodFailed, rt.Reason, rt.Message
		s.StartTime = old.StartTime.DeepCopy()
		if s.StartTime == nil {
			s.StartTime = &metav1.Time{Time: now}
		}
		for _, c := range old.Conditions {
			if !kubeletConditions[c.Type] {
				s.Conditions = append(s.Conditions, c)
			}
		}
		normalizeStatus(pod, &s)
		return s
	}

	defaultWaiting := ReasonContainerCreating
	if len(pod.Spec.InitContainers) > 0 {
		defaultWaiting = ReasonPodInitializing
	}
	for i := range pod.Spec.InitContainers {
		c := &pod.Spec.InitContainers[i]
		var o *v1.ContainerStatus
		if os, ok := findStatus(old.InitContainerStatuses, c.Name); ok {
			o = &os
		}
		s.InitContainerStatuses = append(s.InitContainerStatuses, containerStatus(c, rt.Init[c.Name], o, defaultWaiting, true))
	}
	for i := range pod.Spec.Containers {
		c := &pod.Spec.Containers[i]
		var o *v1.ContainerStatus
		if os, ok := findStatus(old.ContainerStatuses, c.Name); ok {
			o = &os
		}
		s.ContainerStatuses = append(s.ContainerStatuses, containerStatus(c, rt.Containers[c.Name], o, defaultWaiting, false))
	}
	if rt.Terminal {
		terminateStatuses(pod, &s)
	}

	all := append(append([]v1.ContainerStatus{}, s.ContainerStatuses...), s.InitContainerStatuses...)
	s.Phase = podPhase(pod, all, rt.Terminal, hasAnyRegularContainerStarted(&pod.Spec, all))
	if rt.Phase != "" {
		s.Phase = rt.Phase
	}
	if rt.Terminal && !isTerminalPhase(s.Phase) {
		// TerminatePod: a finished Pod always ends in a terminal phase.
		s.Phase = v1.PodFailed
	}
	if isTerminalPhase(old.Phase) {
		// Pods never leave a terminal phase.
		s.Phase = old.Phase
	}
	switch {
	case rt.Reason != "" || rt.Message != "":
		s.Reason, s.Message = rt.Reason, rt.Message
	case s.Phase == old.Phase:
		s.Reason, s.Message = old.Reason, old.Message
	}

	// Conditions: keep those the kubelet does not own, then generate the kubelet's own.
	for _, c := range old.Conditions {
		if !kubeletConditions[c.Type] {
			s.Conditions = append(s.Conditions, c)
		}
	}
	readyToStart := v1.PodCondition{Type: v1.PodReadyToStartContainers, Status: v1.ConditionFalse, ObservedGeneration: pod.Generation}
	if rt.SandboxReady && !rt.Terminal {
		readyToStart.Status = v1.ConditionTrue
	}
	allForConds := append(append([]v1.ContainerStatus{}, s.InitContainerStatuses...), s.ContainerStatuses...)
	s.Conditions = append(s.Conditions,
		readyToStart,
		initializedCondition(pod, allForConds, s.Phase),
		podReadyCondition(pod, s.Conditions, allForConds, s.Phase),
		containersReadyCondition(pod, allForConds, s.Phase),
		v1.PodCondition{Type: v1.PodScheduled, Status: v1.ConditionTrue, ObservedGeneration: pod.Generation},
	)
	for i := range s.Conditions {
		c := &s.Conditions[i]
		if !kubeletConditions[c.Type] {
			continue
		}
		c.LastTransitionTime = metav1.NewTime(now)
		for _, oc := range old.Conditions {
			if oc.Type == c.Type && oc.Status == c.Status && !oc.LastTransitionTime.IsZero() {
				c.LastTransitionTime = oc.LastTransitionTime
			}
		}
	}

	if old.StartTime != nil && !old.StartTime.IsZero() {
		s.StartTime = old.StartTime.DeepCopy()
	} else {
		t := metav1.NewTime(now)
		s.StartTime = &t
	}
	s.HostIP, s.HostIPs = ip, []v1.HostIP{{IP: ip}}
	s.PodIP, s.PodIPs = old.PodIP, old.PodIPs
	if s.PodIP == "" {
		s.PodIP, s.PodIPs = ip, []v1.PodIP{{IP: ip}}
	}
	s.NominatedNodeName = old.NominatedNodeName
	s.ResourceClaimStatuses = old.ResourceClaimStatuses
	s.ExtendedResourceClaimStatus = old.ExtendedResourceClaimStatus
	if old.ObservedGeneration > s.ObservedGeneration {
		s.ObservedGeneration = old.ObservedGeneration
	}
	normalizeStatus(pod, &s)
	return s
}

// terminateStatuses is the status manager's TerminatePod: once the Pod is finished, a container that never
// reported a termination is reported as terminated with an unknown status (exit code 137).
func terminateStatuses(pod *v1.Pod, s *v1.PodStatus) {
	unknown := func() v1.ContainerState {
		return v1.ContainerState{Terminated: &v1.ContainerStateTerminated{
			Reason:   ReasonContainerStatusUnknown,
			Message:  "The container could not be located when the pod was terminated",
			ExitCode: 137,
		}}
	}
	initialized := len(pod.Spec.InitContainers) == 0 || hasAnyRegularContainerStarted(&pod.Spec, s.ContainerStatuses)
	if !initialized {
		if n := len(s.InitContainerStatuses); n > 0 {
			last := s.InitContainerStatuses[n-1]
			initialized = last.State.Terminated != nil && last.State.Terminated.ExitCode == 0
		}
	}
	if initialized {
		for i := range s.ContainerStatuses {
			if s.ContainerStatuses[i].State.Terminated == nil {
				s.ContainerStatuses[i].State = unknown()
				s.ContainerStatuses[i].Ready = false
				s.ContainerStatuses[i].Started = ptrTo(false)
			}
		}
	}
	// Init containers up to the last one that has any evidence of having started are marked as failed.
	lastStarted := -1
	for i, cs := range s.InitContainerStatuses {
		if cs.State.Waiting == nil || cs.LastTerminationState.Terminated != nil {
			lastStarted = i
		}
	}
	for i := 0; i <= lastStarted; i++ {
		if s.InitContainerStatuses[i].State.Terminated == nil {
			s.InitContainerStatuses[i].State = unknown()
			s.InitContainerStatuses[i].Ready = false
			s.InitContainerStatuses[i].Started = ptrTo(false)
		}
	}
}

// normalizeStatus truncates times to seconds (what the API stores), bounds termination messages and sorts
// container statuses as the kubelet does: regular containers by name, init containers in spec order.
func normalizeStatus(pod *v1.Pod, s *v1.PodStatus) {
	perContainer := maxPodTerminationMessageLength
	if n := len(pod.Spec.Containers) + len(pod.Spec.InitContainers) + len(pod.Spec.EphemeralContainers); n > 0 {
		perContainer /= n
	}
	ts := func(t *metav1.Time) { *t = t.Rfc3339Copy() }
	state := func(c *v1.ContainerState) {
		if c.Running != nil {
			ts(&c.Running.StartedAt)
		}
		if c.Terminated != nil {
			ts(&c.Terminated.StartedAt)
			ts(&c.Terminated.FinishedAt)
			if len(c.Terminated.Message) > perContainer {
				c.Terminated.Message = c.Terminated.Message[:perContainer]
			}
		}
	}
	if s.StartTime != nil {
		ts(s.StartTime)
	}
	for i := range s.Conditions {
		ts(&s.Conditions[i].LastProbeTime)
		ts(&s.Conditions[i].LastTransitionTime)
	}
	for _, list := range [][]v1.ContainerStatus{s.ContainerStatuses, s.InitContainerStatuses} {
		for i := range list {
			state(&list[i].State)
			state(&list[i].LastTerminationState)
		}
	}
	sort.SliceStable(s.ContainerStatuses, func(i, j int) bool { return s.ContainerStatuses[i].Name < s.ContainerStatuses[j].Name })
}
