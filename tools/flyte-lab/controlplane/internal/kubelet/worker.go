package kubelet

// The pod worker: one goroutine per Pod bound to the node, from admission until the Pod is finished (or deleted,
// or gone). It owns everything about its Pod's containers; the controller only hands it newer Pod objects and
// termination requests, so the informer never waits on a container.

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"strconv"
	"sync"
	"time"

	v1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// killKind says why a worker must stop its Pod's containers.
type killKind int

const (
	killNone     killKind = iota
	killDeadline          // activeDeadlineSeconds passed: stop the containers; the Pod fails with DeadlineExceeded
	killDeleted           // deletionTimestamp set: stop, write the terminal status, remove containers, final delete
	killGone              // the Pod is no longer in the API: stop and remove the containers
)

func (k killKind) String() string {
	return [...]string{"none", "deadline", "deleted", "gone"}[k]
}

const (
	// minGracePeriod is the kubelet's minimum grace period for stopping a container.
	minGracePeriod = 2 * time.Second
	// logDrainTimeout bounds how long an exited container's log copy may take to finish before its status is written.
	logDrainTimeout = 5 * time.Second
	// configRetry is how often a container that cannot be created (config or create errors) is retried.
	configRetry = 10 * time.Second
)

// backoff is the kubelet's restart and image pull back-off: 10s doubling up to 5 minutes.
func backoff(failures int) time.Duration {
	d := 10 * time.Second
	for i := 1; i < failures && d < 5*time.Minute; i++ {
		d *= 2
	}
	return min(d, 5*time.Minute)
}

// runningContainer is a Docker container the worker watches (log copy and exit wait).
type runningContainer struct {
	id       string
	cancel   context.CancelFunc
	logsDone chan struct{}
}

type exitEvent struct {
	name string
	id   string
}

// pullState tracks image pull failures of one container for the ErrImagePull -> ImagePullBackOff sequence.
type pullState struct {
	failures int
	failedAt time.Time
	err      string
	flipped  bool // the status shows ImagePullBackOff (the kubelet shows ErrImagePull first, then the back-off)
}

type podWorker struct {
	k    *Kubelet
	uid  types.UID
	ns   string
	name string
	dirs volumeDirs
	log  *slog.Logger

	mu        sync.Mutex
	pod       *v1.Pod
	kill      killKind
	runCancel context.CancelFunc // cancels Docker calls of the current step when a kill is requested
	wake      chan struct{}      // pod updated or kill requested
	done      chan struct{}
	finalized bool // the final delete was sent (killDeleted completed)

	// Owned by the run goroutine.
	rt           *podRuntime
	specs        map[string]*v1.Container // init and regular containers by name (names are unique in a Pod)
	initNames    map[string]bool
	volumes      map[string]string
	running      map[string]*runningContainer
	exits        chan exitEvent
	notBefore    map[string]time.Time // no (re)start attempt before this time
	pulls        map[string]*pullState
	restarts     map[string]int // failures counted for CrashLoopBackOff
	slotHeld     bool           // the Pod holds one of the runner's --max-parallel slots (from its first container start)
	needSlot     bool           // a container is ready to be created but all slots are taken
	volumeErrors int
}

func newPodWorker(k *Kubelet, pod *v1.Pod, kill killKind) *podWorker {
	w := &podWorker{
		k: k, uid: pod.UID, ns: pod.Namespace, name: pod.Name, pod: pod, kill: kill,
		dirs:      volumeDirs{root: k.podDir(pod.UID)},
		log:       k.log.With("pod", pod.Namespace+"/"+pod.Name, "uid", string(pod.UID)),
		wake:      make(chan struct{}, 1),
		done:      make(chan struct{}),
		rt:        newPodRuntime(),
		specs:     map[string]*v1.Container{},
		initNames: map[string]bool{},
		running:   map[string]*runningContainer{},
		exits:     make(chan exitEvent),
		notBefore: map[string]time.Time{},
		pulls:     map[string]*pullState{},
		restarts:  map[string]int{},
	}
	for i := range pod.Spec.InitContainers {
		c := &pod.Spec.InitContainers[i]
		w.specs[c.Name], w.initNames[c.Name] = c, true
	}
	for i := range pod.Spec.Containers {
		w.specs[pod.Spec.Containers[i].Name] = &pod.Spec.Containers[i]
	}
	return w
}

// update hands the worker a newer Pod object.
func (w *podWorker) update(pod *v1.Pod) {
	w.mu.Lock()
	if newerOrSame(pod, w.pod) {
		w.pod = pod
	}
	w.mu.Unlock()
	w.poke()
}

// newerOrSame compares resource versions (etcd revisions, numeric in practice).
func newerOrSame(a, b *v1.Pod) bool {
	x, err1 := strconv.ParseUint(a.ResourceVersion, 10, 64)
	y, err2 := strconv.ParseUint(b.ResourceVersion, 10, 64)
	return err1 != nil || err2 != nil || x >= y
}

func (w *podWorker) poke() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// requestKill asks the worker to stop the Pod's containers. A later, stronger request (deleted, then gone)
// replaces an earlier one.
func (w *podWorker) requestKill(kind killKind) {
	w.mu.Lock()
	if kind > w.kill {
		w.kill = kind
		if w.runCancel != nil {
			w.runCancel()
		}
	}
	w.mu.Unlock()
	w.poke()
}

func (w *podWorker) killRequested() killKind {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.kill
}

func (w *podWorker) currentPod() *v1.Pod {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.pod
}

func (w *podWorker) event(eventType, reason, format string, args ...any) {
	w.k.recorder.Eventf(w.currentPod(), eventType, reason, format, args...)
}

// run is the worker's life. ctx ends when the runner shuts down: the worker then returns at once and leaves the
// containers running for the next runner to adopt.
func (w *podWorker) run(ctx context.Context) {
	defer close(w.done)
	defer w.releaseSlot()

	pod := w.currentPod()
	if w.killRequested() == killNone && !isTerminalPhase(pod.Status.Phase) {
		if reason := unsupportedReason(pod); reason != "" {
			w.reject(ctx, "UnsupportedPodSpec", "Pod was rejected: flyte-lab-kubelet cannot run this Pod: "+reason)
			return
		}
	}
	// Nothing may start before the Pod's existing containers are known (they would be started a second time).
	for d := time.Second; ; d = min(2*d, 30*time.Second) {
		err := w.observe(ctx)
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return
		}
		w.log.Error("reading the Pod's containers from Docker; retrying", "err", err, "retryIn", d)
		w.detachAll()
		w.rt = newPodRuntime()
		select {
		case <-ctx.Done():
			return
		case <-time.After(d):
		}
	}
	if isTerminalPhase(pod.Status.Phase) && w.killRequested() == killNone {
		// Finished before this runner started: nothing runs again.
		w.rt.Terminal = true
		w.stopAll(ctx, w.gracePeriod(killNone))
		if w.k.cfg.RemoveTerminatedContainers && ctx.Err() == nil {
			w.removeContainers(ctx)
		}
		return
	}

	// The kubelet's first status: scheduled, containers waiting, start time set.
	w.writeStatus(ctx)

	var deadlineTimer *time.Timer
	defer func() {
		if deadlineTimer != nil {
			deadlineTimer.Stop()
		}
	}()
	for {
		if kind := w.killRequested(); kind != killNone {
			w.terminate(ctx, kind)
			return
		}
		runCtx, cancel := context.WithCancel(ctx)
		w.mu.Lock()
		w.runCancel = cancel
		w.mu.Unlock()
		w.progress(runCtx)
		cancel()
		if ctx.Err() != nil {
			return
		}
		if w.killRequested() != killNone {
			continue
		}
		if w.finished() {
			w.finish(ctx)
			return
		}
		w.writeStatus(ctx)

		// Wait for something to happen.
		var deadlineC <-chan time.Time
		if dl, ok := w.deadline(); ok {
			if deadlineTimer != nil {
				deadlineTimer.Stop()
			}
			deadlineTimer = time.NewTimer(time.Until(dl))
			deadlineC = deadlineTimer.C
		}
		var wakeC <-chan time.Time
		var wakeTimer *time.Timer
		if t, ok := w.nextWake(); ok {
			wakeTimer = time.NewTimer(time.Until(t))
			wakeC = wakeTimer.C
		}
		var slotC chan struct{}
		if w.needSlot && !w.slotHeld {
			slotC = w.k.slots
		}
		select {
		case <-ctx.Done():
			return
		case ev := <-w.exits:
			w.handleExit(ctx, ev)
		case slotC <- struct{}{}:
			w.slotHeld, w.needSlot = true, false
		case <-wakeC:
		case <-w.wake:
		case <-deadlineC:
			w.log.Info("active deadline exceeded")
			w.requestKill(killDeadline)
		}
		if wakeTimer != nil {
			wakeTimer.Stop()
		}
	}
}

// reject fails a Pod the runner cannot run, as the kubelet does with Pods it does not admit: phase Failed with a
// reason and message, no container started.
func (w *podWorker) reject(ctx context.Context, reason, message string) {
	w.log.Warn("rejecting Pod", "reason", reason, "message", message)
	w.event(v1.EventTypeWarning, reason, "%s", message)
	w.rt.Terminal, w.rt.Rejected = true, true
	w.rt.Phase, w.rt.Reason, w.rt.Message = v1.PodFailed, reason, message
	w.writeStatusRetry(ctx)
}

// observe reads the Pod's existing Docker containers (a restarted runner adopts them) and, for containers that
// have none, what the Pod's status says they did, so a container that already ran is never run again.
func (w *podWorker) observe(ctx context.Context) error {
	list, err := w.k.docker.ListContainers(ctx, LabelPodUID+"="+string(w.uid), LabelNode+"="+w.k.cfg.NodeName)
	if err != nil {
		return err
	}
	byName := map[string][]ContainerSummary{}
	for _, c := range list {
		name := c.Labels[LabelContainerName]
		if _, ok := w.specs[name]; !ok {
			w.log.Info("removing a container the Pod's spec does not have", "container", name, "id", shortID(c.ID))
			_ = w.k.docker.RemoveContainer(ctx, c.ID)
			continue
		}
		byName[name] = append(byName[name], c)
	}
	pod := w.currentPod()
	for name := range w.specs {
		rec := w.rt.record(name, w.initNames[name])
		insts := byName[name]
		sort.Slice(insts, func(i, j int) bool {
			ri, rj := restartCountOf(insts[i]), restartCountOf(insts[j])
			if ri != rj {
				return ri > rj
			}
			return insts[i].Created > insts[j].Created
		})
		for i, s := range insts {
			ci, err := w.k.docker.InspectContainer(ctx, s.ID)
			if IsNotFound(err) {
				continue
			}
			if err != nil {
				return err
			}
			in := instanceFromDocker(ci)
			rc := restartCountOf(s)
			switch {
			case i == 0 && in.State == stateCreated:
				// Made but never started (the runner stopped in between): make it again.
				_ = w.k.docker.RemoveContainer(ctx, ci.ID)
				rec.RestartCount = rc
			case i == 0:
				rec.Current, rec.RestartCount = in, rc
				if in.State == stateExited {
					w.completeInstance(ctx, name, rc, ci, in)
				} else {
					w.log.Info("adopting running container", "container", name, "id", shortID(ci.ID))
					if !w.slotHeld {
						// Running containers hold a slot whether or not one is free.
						w.k.forceSlot()
						w.slotHeld = true
					}
					w.attach(ctx, name, ci.ID, ci.Config.Tty, rc, false)
				}
			case i == 1 && in.State == stateExited:
				w.completeInstance(ctx, name, rc, ci, in)
				rec.LastTermination = in.terminatedState()
			}
		}
		if rec.Current == nil {
			w.fromOldStatus(pod, name, rec)
		}
	}
	return nil
}

// fromOldStatus fills a container's record from the Pod's status when Docker has no container for it: one that
// terminated keeps its reported termination; one reported running whose container vanished is terminated with an
// unknown status (exit code 137), as the kubelet reports it.
func (w *podWorker) fromOldStatus(pod *v1.Pod, name string, rec *containerRecord) {
	list := pod.Status.ContainerStatuses
	if w.initNames[name] {
		list = pod.Status.InitContainerStatuses
	}
	old, ok := findStatus(list, name)
	if !ok {
		return
	}
	rec.RestartCount = max(rec.RestartCount, old.RestartCount)
	if old.LastTerminationState.Terminated != nil {
		rec.LastTermination = old.LastTerminationState.Terminated.DeepCopy()
	}
	switch {
	case old.State.Terminated != nil:
		t := old.State.Terminated
		rec.Current = &instance{
			ID: trimDockerID(old.ContainerID), ImageID: old.ImageID, State: stateExited,
			StartedAt: t.StartedAt.Time, FinishedAt: t.FinishedAt.Time, ExitCode: t.ExitCode, Reason: t.Reason, Message: t.Message,
		}
	case old.State.Running != nil:
		rec.Current = &instance{
			ID: trimDockerID(old.ContainerID), ImageID: old.ImageID, State: stateExited, StartedAt: old.State.Running.StartedAt.Time,
			FinishedAt: time.Now(), ExitCode: 137, Reason: ReasonContainerStatusUnknown,
			Message: "The container could not be located when the pod was terminated",
		}
	}
}

func trimDockerID(id string) string {
	const p = "docker://"
	if len(id) > len(p) && id[:len(p)] == p {
		return id[len(p):]
	}
	return id
}

func restartCountOf(c ContainerSummary) int32 {
	n, _ := strconv.Atoi(c.Labels[LabelRestartCount])
	return int32(n)
}

func shortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// completeInstance fills in an exited instance's termination message: the termination message file, or with
// FallbackToLogsOnError and a failure, the end of the container's output.
func (w *podWorker) completeInstance(ctx context.Context, name string, restartCount int32, ci *ContainerInspect, in *instance) {
	spec := w.specs[name]
	if in.ImageID == "" {
		in.ImageID = ci.Image
	}
	msg := ""
	if spec.TerminationMessagePath != "" {
		path := w.dirs.terminationLog(name, restartCount)
		if m, err := readTerminationMessage(path); err == nil {
			msg = m
		} else if !os.IsNotExist(err) {
			msg = fmt.Sprintf("Error on reading termination log %s: %v", path, err)
		}
	}
	if msg == "" && spec.TerminationMessagePolicy == v1.TerminationMessageFallbackToLogsOnError &&
		in.ExitCode != 0 && in.Reason != ReasonStartError {
		msg = logTail(ctx, w.k.docker, ci.ID, ci.Config.Tty)
	}
	if msg != "" {
		if in.Message != "" {
			in.Message += ": "
		}
		in.Message += msg
	}
}

// attach starts copying a running container's output into its log file and waiting for its exit.
func (w *podWorker) attach(ctx context.Context, name, id string, tty bool, restartCount int32, fresh bool) {
	wctx, cancel := context.WithCancel(ctx)
	rc := &runningContainer{id: id, cancel: cancel, logsDone: make(chan struct{})}
	w.running[name] = rc
	path := logPath(w.k.cfg.LogsDir, w.ns, w.name, name)
	offsetFile := w.dirs.logOffset(name, restartCount)
	go func() {
		defer close(rc.logsDone)
		if err := streamLogs(wctx, w.k.docker, id, tty, path, offsetFile, fresh, restartCount == 0); err != nil && wctx.Err() == nil {
			w.log.Warn("copying container output", "container", name, "err", err)
		}
	}()
	go func() {
		for {
			_, err := w.k.docker.WaitContainer(wctx, id)
			if wctx.Err() != nil {
				return
			}
			if err != nil && !IsNotFound(err) {
				w.log.Warn("waiting for container", "container", name, "err", err)
				select {
				case <-time.After(time.Second):
					continue
				case <-wctx.Done():
					return
				}
			}
			break
		}
		select {
		case <-rc.logsDone:
		case <-time.After(logDrainTimeout):
		case <-wctx.Done():
			return
		}
		select {
		case w.exits <- exitEvent{name: name, id: id}:
		case <-wctx.Done():
		}
	}()
}

// detachAll stops watching the Pod's containers (they keep running).
func (w *podWorker) detachAll() {
	for name, rc := range w.running {
		rc.cancel()
		<-rc.logsDone
		delete(w.running, name)
	}
}

// handleExit records a container's exit and schedules its restart when the restart policy asks for one.
func (w *podWorker) handleExit(ctx context.Context, ev exitEvent) {
	rc := w.running[ev.name]
	if rc == nil || rc.id != ev.id {
		return
	}
	rc.cancel()
	delete(w.running, ev.name)
	rec := w.rt.record(ev.name, w.initNames[ev.name])
	w.refresh(ctx, ev.name, ev.id, rec.RestartCount)
	in := rec.Current
	if in == nil || in.State != stateExited {
		return
	}
	w.log.Info("container exited", "container", ev.name, "exitCode", in.ExitCode, "reason", in.Reason)
	if !w.shouldRestart(ev.name, in) {
		return
	}
	w.restarts[ev.name]++
	n := w.restarts[ev.name]
	if n == 1 {
		return // the kubelet restarts a container right away the first time
	}
	d := backoff(n - 1)
	w.notBefore[ev.name] = time.Now().Add(d)
	pod := w.currentPod()
	rec.Waiting = &v1.ContainerStateWaiting{
		Reason:  ReasonCrashLoopBackOff,
		Message: fmt.Sprintf("back-off %s restarting failed container=%s pod=%s_%s(%s)", d, ev.name, pod.Name, pod.Namespace, pod.UID),
	}
	w.event(v1.EventTypeWarning, "BackOff", "Back-off restarting failed container %s in pod %s_%s(%s)", ev.name, pod.Name, pod.Namespace, pod.UID)
}

// refresh re-reads an instance from Docker into the container's record.
func (w *podWorker) refresh(ctx context.Context, name, id string, restartCount int32) {
	rec := w.rt.record(name, w.initNames[name])
	ci, err := w.k.docker.InspectContainer(ctx, id)
	if err != nil {
		if IsNotFound(err) && rec.Current != nil && rec.Current.ID == id {
			// Removed behind the runner's back.
			rec.Current.State, rec.Current.ExitCode = stateExited, 137
			rec.Current.Reason = ReasonContainerStatusUnknown
			rec.Current.Message = "The container could not be located when the pod was terminated"
			rec.Current.FinishedAt = time.Now()
		} else if err != nil {
			w.log.Warn("inspecting container", "container", name, "err", err)
		}
		return
	}
	in := instanceFromDocker(ci)
	if in.State == stateExited {
		w.completeInstance(ctx, name, restartCount, ci, in)
	}
	if rec.Current != nil && rec.Current.ImageID != "" {
		in.ImageID = rec.Current.ImageID
	}
	rec.Current = in
}

// shouldRestart applies the restart policy to an exited container (sidecars always restart).
func (w *podWorker) shouldRestart(name string, in *instance) bool {
	spec := w.specs[name]
	if w.initNames[name] {
		if isRestartableInit(spec) {
			return true
		}
		return in.ExitCode != 0 && w.currentPod().Spec.RestartPolicy != v1.RestartPolicyNever
	}
	switch w.currentPod().Spec.RestartPolicy {
	case v1.RestartPolicyAlways:
		return true
	case v1.RestartPolicyOnFailure:
		return in.ExitCode != 0
	}
	return false
}

// progress starts whatever should start now: the Pod's volumes first, then the init containers one after the
// other, then the regular containers in order. The first container start takes one of the runner's slots.
func (w *podWorker) progress(ctx context.Context) {
	if w.needSlot && !w.slotHeld {
		return // run's select waits for a slot
	}
	if !w.rt.SandboxReady {
		if t, ok := w.notBefore[""]; ok && time.Now().Before(t) {
			return
		}
		vols, err := setupVolumes(w.currentPod(), w.dirs, w.k.envSources(ctx, w.ns))
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			w.volumeErrors++
			w.notBefore[""] = time.Now().Add(min(time.Duration(w.volumeErrors)*2*time.Second, 2*time.Minute))
			w.log.Warn("setting up volumes", "err", err)
			w.event(v1.EventTypeWarning, "FailedMount", "MountVolume.SetUp failed: %v", err)
			return
		}
		if err := os.MkdirAll(w.dirs.root, 0o755); err != nil {
			w.log.Warn("pod directory", "err", err)
			return
		}
		w.volumes = vols
		w.rt.SandboxReady = true
	}
	pod := w.currentPod()
	for i := range pod.Spec.InitContainers {
		c := &pod.Spec.InitContainers[i]
		rec := w.rt.record(c.Name, true)
		if isRestartableInit(c) {
			if w.running[c.Name] == nil && w.due(c.Name) && (rec.Current == nil || rec.Current.State == stateExited) {
				w.start(ctx, c.Name)
			}
			if rec.Current == nil || rec.Current.State != stateRunning {
				return // the next init container starts once this sidecar has started
			}
			continue
		}
		if rec.Current != nil && rec.Current.State == stateExited && rec.Current.ExitCode == 0 {
			continue
		}
		if w.running[c.Name] != nil {
			return
		}
		if rec.Current != nil && rec.Current.State == stateExited && !w.shouldRestart(c.Name, rec.Current) {
			return // failed for good: finished() ends the Pod
		}
		if w.due(c.Name) {
			w.start(ctx, c.Name)
		}
		return
	}
	for i := range pod.Spec.Containers {
		c := &pod.Spec.Containers[i]
		if ctx.Err() != nil {
			return
		}
		rec := w.rt.record(c.Name, false)
		if w.running[c.Name] != nil {
			continue
		}
		if rec.Current != nil && rec.Current.State == stateExited && !w.shouldRestart(c.Name, rec.Current) {
			continue
		}
		if w.due(c.Name) {
			w.start(ctx, c.Name)
		}
	}
}

// due reports whether a (re)start of the container may be tried now, flipping ErrImagePull to ImagePullBackOff
// once the failure has been reported.
func (w *podWorker) due(name string) bool {
	now := time.Now()
	if ps := w.pulls[name]; ps != nil && ps.failures > 0 && !ps.flipped && now.Sub(ps.failedAt) >= time.Second {
		ps.flipped = true
		img := w.specs[name].Image
		w.rt.record(name, w.initNames[name]).Waiting = &v1.ContainerStateWaiting{
			Reason:  ReasonImagePullBackOff,
			Message: fmt.Sprintf("Back-off pulling image %q: %s: %s", img, ReasonErrImagePull, ps.err),
		}
		w.event(v1.EventTypeNormal, "BackOff", "Back-off pulling image %q", img)
	}
	t, ok := w.notBefore[name]
	return !ok || !now.Before(t)
}

// nextWake is the earliest time the worker has something scheduled (a retry or the ImagePullBackOff flip).
func (w *podWorker) nextWake() (time.Time, bool) {
	var best time.Time
	consider := func(t time.Time) {
		if t.After(time.Now()) && (best.IsZero() || t.Before(best)) {
			best = t
		}
	}
	for _, t := range w.notBefore {
		consider(t)
	}
	for _, ps := range w.pulls {
		if ps.failures > 0 && !ps.flipped {
			consider(ps.failedAt.Add(time.Second))
		}
	}
	return best, !best.IsZero()
}

// deadline is when activeDeadlineSeconds (counted from the Pod's start time) runs out.
func (w *podWorker) deadline() (time.Time, bool) {
	pod := w.currentPod()
	if pod.Spec.ActiveDeadlineSeconds == nil || pod.Status.StartTime == nil {
		return time.Time{}, false
	}
	return pod.Status.StartTime.Add(time.Duration(*pod.Spec.ActiveDeadlineSeconds) * time.Second), true
}

// start (re)starts one container: image, environment, mounts, create, start, then log copy and exit wait. A failure
// leaves the container waiting with the kubelet's reason and schedules a retry.
func (w *podWorker) start(ctx context.Context, name string) {
	pod := w.currentPod()
	spec := w.specs[name]
	init := w.initNames[name]
	rec := w.rt.record(name, init)
	restartCount := rec.RestartCount
	if rec.Current != nil {
		restartCount++ // a new instance of a container that ran before
	}

	if !w.slotHeld {
		// Containers run within one of the runner's slots (run's select waits for one).
		select {
		case w.k.slots <- struct{}{}:
			w.slotHeld = true
		default:
			w.needSlot = true
			return
		}
	}
	started := false
	defer func() {
		if !started && len(w.running) == 0 {
			// Nothing of this Pod runs while it waits to retry (image pull back-off, config error): free the slot.
			w.releaseSlot()
		}
	}()

	tImage := time.Now()
	imageID, imageUser, ok := w.ensureImage(ctx, name, spec)
	if !ok {
		return
	}
	fail := func(reason string, err error, retry time.Duration) {
		if ctx.Err() != nil {
			return
		}
		w.log.Warn("cannot start container", "container", name, "reason", reason, "err", err)
		rec.Waiting = &v1.ContainerStateWaiting{Reason: reason, Message: err.Error()}
		w.notBefore[name] = time.Now().Add(retry)
		w.event(v1.EventTypeWarning, "Failed", "Error: %v", err)
	}
	src := w.k.envSources(ctx, w.ns)
	env, err := resolveEnv(pod, spec, src)
	if err == nil {
		err = runAsNonRootError(pod, spec, imageUser)
	}
	if err != nil {
		fail(ReasonCreateContainerConfigError, err, configRetry)
		return
	}
	mounts, err := containerMounts(pod, spec, w.volumes, env, w.dirs.terminationLog(name, restartCount))
	if err != nil {
		fail(ReasonCreateContainerConfigError, err, configRetry)
		return
	}
	cfg := buildContainerConfig(pod, containerParams{
		Container: spec, Init: init, RestartCount: restartCount, Env: env, Mounts: mounts,
		Node: w.k.cfg.NodeName, MemoryCapacity: w.k.memoryCapacity, NoNegativeOOMScoreAdj: !w.k.lowerOOMScoreAdj,
	})
	dname := DockerContainerName(pod, name, restartCount)
	tCreate := time.Now()
	id, err := w.k.docker.CreateContainer(ctx, dname, cfg)
	var de *DockerError
	if errors.As(err, &de) && de.Status == 409 && w.removeStaleNamesake(ctx, dname) {
		id, err = w.k.docker.CreateContainer(ctx, dname, cfg)
	}
	if err != nil {
		fail(ReasonCreateContainerError, err, configRetry)
		return
	}
	w.event(v1.EventTypeNormal, "Created", "Created container: %s", name)

	// From here on this is a new instance.
	if rec.Current != nil && rec.Current.State == stateExited {
		rec.LastTermination = rec.Current.terminatedState()
	}
	rec.RestartCount = restartCount
	rec.Waiting = nil
	delete(w.pulls, name)
	rec.Current = &instance{ID: id, ImageID: imageID, State: stateCreated}
	if restartCount >= 2 {
		w.removeOldInstances(ctx, name, restartCount)
	}

	tStart := time.Now()
	if err := w.k.docker.StartContainer(ctx, id); err != nil {
		if ctx.Err() != nil {
			return
		}
		w.log.Warn("container failed to start", "container", name, "err", err)
		w.event(v1.EventTypeWarning, "Failed", "Error: %v", err)
		w.refresh(ctx, name, id, restartCount)
		if rec.Current.State != stateExited {
			rec.Current = &instance{ID: id, ImageID: imageID, State: stateExited, ExitCode: 128,
				Reason: ReasonStartError, Message: err.Error(), FinishedAt: time.Now()}
		}
		if w.shouldRestart(name, rec.Current) {
			w.restarts[name]++
			w.notBefore[name] = time.Now().Add(backoff(w.restarts[name]))
		}
		return
	}
	started = true
	w.event(v1.EventTypeNormal, "Started", "Started container %s", name)
	w.log.Info("container started", "container", name, "id", shortID(id), "restartCount", restartCount,
		"image", tCreate.Sub(tImage).Round(time.Millisecond), "create", tStart.Sub(tCreate).Round(time.Millisecond),
		"start", time.Since(tStart).Round(time.Millisecond))
	w.refresh(ctx, name, id, restartCount)
	rec.Current.ImageID = imageID
	w.attach(w.k.ctx, name, id, spec.TTY, restartCount, true)
	if rec.Current.State == stateExited {
		// Already over (a very short command): the exit event arrives right away; show it running until then.
		rec.Current.State = stateRunning
	}
}

// removeStaleNamesake removes a container that holds the name the runner wants, if it is this Pod's and was never
// started (left by an attempt the runner did not finish). Any other holder is left alone: the create then fails.
func (w *podWorker) removeStaleNamesake(ctx context.Context, name string) bool {
	ci, err := w.k.docker.InspectContainer(ctx, name)
	if err != nil || ci.Config.Labels[LabelPodUID] != string(w.uid) || ci.State.Status != "created" || !ci.State.StartedAt.IsZero() {
		return false
	}
	w.log.Info("removing a never-started container left by an earlier attempt", "id", shortID(ci.ID))
	return w.k.docker.RemoveContainer(ctx, ci.ID) == nil
}

// removeOldInstances keeps only the newest dead instance of a restarted container, as the kubelet's container GC
// does (MaxPerPodContainer 1).
func (w *podWorker) removeOldInstances(ctx context.Context, name string, current int32) {
	list, err := w.k.docker.ListContainers(ctx, LabelPodUID+"="+string(w.uid), LabelContainerName+"="+name)
	if err != nil {
		return
	}
	for _, c := range list {
		if restartCountOf(c) < current-1 {
			_ = w.k.docker.RemoveContainer(ctx, c.ID)
		}
	}
}

// ensureImage makes sure the container's image is present, pulling it as the pull policy says. It returns the
// image's id (a repo digest when it has one) and configured user. On failure it sets the container's waiting
// reason (InvalidImageName, ErrImageNeverPull, ErrImagePull) and schedules the retry.
func (w *podWorker) ensureImage(ctx context.Context, name string, spec *v1.Container) (string, string, bool) {
	rec := w.rt.record(name, w.initNames[name])
	ref := spec.Image
	if !validImageReference(ref) {
		rec.Waiting = &v1.ContainerStateWaiting{Reason: ReasonInvalidImageName,
			Message: fmt.Sprintf("Failed to apply default image tag %q: couldn't parse image name %q: invalid reference format", ref, ref)}
		w.notBefore[name] = time.Now().Add(5 * time.Minute)
		w.event(v1.EventTypeWarning, "InspectFailed", "%s", rec.Waiting.Message)
		return "", "", false
	}
	img, err := w.k.docker.InspectImage(ctx, ref)
	present := err == nil
	if err != nil && !IsNotFound(err) {
		if ctx.Err() == nil {
			rec.Waiting = &v1.ContainerStateWaiting{Reason: ReasonErrImagePull, Message: err.Error()}
			w.notBefore[name] = time.Now().Add(configRetry)
		}
		return "", "", false
	}
	policy := spec.ImagePullPolicy
	switch {
	case policy == v1.PullNever && !present:
		rec.Waiting = &v1.ContainerStateWaiting{Reason: ReasonErrImageNeverPull,
			Message: fmt.Sprintf("Container image %q is not present with pull policy of Never", ref)}
		w.notBefore[name] = time.Now().Add(configRetry)
		w.event(v1.EventTypeWarning, "ErrImageNeverPull", "%s", rec.Waiting.Message)
		return "", "", false
	case present && policy != v1.PullAlways:
		w.event(v1.EventTypeNormal, "Pulled", "Container image %q already present on machine", ref)
		return imageIdentity(img), img.Config.User, true
	}

	w.event(v1.EventTypeNormal, "Pulling", "Pulling image %q", ref)
	t0 := time.Now()
	err = w.k.docker.PullImage(ctx, ref)
	if ctx.Err() != nil {
		return "", "", false
	}
	if err != nil && present && w.k.cfg.PullFallbackToLocal {
		w.log.Warn("pull failed; using the local image", "image", ref, "err", err)
		w.event(v1.EventTypeWarning, "Pulled", "Failed to pull image %q (%v); using the image present on the machine", ref, err)
		return imageIdentity(img), img.Config.User, true
	}
	if err == nil {
		img, err = w.k.docker.InspectImage(ctx, ref)
	}
	if err != nil {
		ps := w.pulls[name]
		if ps == nil {
			ps = &pullState{}
			w.pulls[name] = ps
		}
		ps.failures++
		ps.failedAt, ps.err, ps.flipped = time.Now(), err.Error(), false
		w.notBefore[name] = time.Now().Add(backoff(ps.failures))
		rec.Waiting = &v1.ContainerStateWaiting{Reason: ReasonErrImagePull, Message: err.Error()}
		w.log.Warn("image pull failed", "image", ref, "err", err, "retryIn", backoff(ps.failures))
		w.event(v1.EventTypeWarning, "Failed", "Failed to pull image %q: %v", ref, err)
		w.event(v1.EventTypeWarning, "Failed", "Error: %s", ReasonErrImagePull)
		return "", "", false
	}
	w.event(v1.EventTypeNormal, "Pulled", "Successfully pulled image %q in %s", ref, time.Since(t0).Round(time.Millisecond))
	return imageIdentity(img), img.Config.User, true
}

// imageIdentity is the image's id as Kubernetes reports it: a repo digest when the image has one, else its id.
func imageIdentity(img *ImageInspect) string {
	if len(img.RepoDigests) > 0 {
		return img.RepoDigests[0]
	}
	return img.ID
}

// finished reports whether the Pod is done: a regular init container failed and will not be restarted, or every
// regular container has exited and none will be restarted.
func (w *podWorker) finished() bool {
	pod := w.currentPod()
	for i := range pod.Spec.InitContainers {
		c := &pod.Spec.InitContainers[i]
		if isRestartableInit(c) {
			continue
		}
		rec := w.rt.record(c.Name, true)
		if rec.Current == nil || rec.Current.State != stateExited || w.running[c.Name] != nil {
			return false
		}
		if rec.Current.ExitCode != 0 {
			return !w.shouldRestart(c.Name, rec.Current)
		}
	}
	for i := range pod.Spec.Containers {
		c := &pod.Spec.Containers[i]
		rec := w.rt.record(c.Name, false)
		if w.running[c.Name] != nil || rec.Current == nil || rec.Current.State != stateExited || w.shouldRestart(c.Name, rec.Current) {
			return false
		}
	}
	return true
}

// finish ends a Pod whose containers are done: sidecars are stopped, the terminal status is written and the slot
// released; exited containers stay until the Pod is deleted (unless --remove-terminated-containers).
func (w *podWorker) finish(ctx context.Context) {
	w.stopAll(ctx, w.gracePeriod(killNone))
	w.rt.Terminal = true
	w.writeStatusRetry(ctx)
	w.log.Info("pod finished", "phase", w.currentPod().Status.Phase)
	w.releaseSlot()
	if w.k.cfg.RemoveTerminatedContainers && ctx.Err() == nil {
		w.removeContainers(ctx)
	}
}

// terminate stops the Pod's containers for a kill request and finishes the Pod accordingly.
func (w *podWorker) terminate(ctx context.Context, kind killKind) {
	grace := w.gracePeriod(kind)
	w.log.Info("stopping pod", "why", kind.String(), "gracePeriod", grace)
	w.stopAll(ctx, grace)
	if ctx.Err() != nil {
		return
	}
	w.releaseSlot()
	switch kind {
	case killGone:
		w.removeContainers(ctx)
		w.removeState()
		return
	case killDeadline:
		w.rt.Phase, w.rt.Reason, w.rt.Message = v1.PodFailed, ReasonDeadlineExceeded, MessageDeadlineExceeded
		w.event(v1.EventTypeWarning, ReasonDeadlineExceeded, "%s", MessageDeadlineExceeded)
	}
	w.rt.Terminal = true
	if !w.writeStatusRetry(ctx) {
		if kind == killDeleted && ctx.Err() == nil {
			w.removeContainers(ctx)
			w.removeState()
		}
		return
	}
	if kind != killDeleted {
		if w.k.cfg.RemoveTerminatedContainers {
			w.removeContainers(ctx)
		}
		return
	}
	// Deleted: the kubelet removes the Pod's containers and volumes and then deletes the Pod with grace period 0
	// (the object stays until its finalizers are removed, which is propeller's business).
	w.removeContainers(ctx)
	w.removeState()
	pod := w.currentPod()
	err := w.k.client.CoreV1().Pods(w.ns).Delete(ctx, w.name, metav1.DeleteOptions{
		GracePeriodSeconds: ptrTo(int64(0)),
		Preconditions:      metav1.NewUIDPreconditions(string(pod.UID)),
	})
	if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
		w.log.Warn("final delete", "err", err)
		return
	}
	w.mu.Lock()
	w.finalized = true
	w.mu.Unlock()
	w.log.Info("pod terminated and deleted")
}

// gracePeriod is how long containers get between SIGTERM and SIGKILL: the deletion's grace period for a deleted
// Pod, otherwise the spec's terminationGracePeriodSeconds (default 30s); at least 2s, as in the kubelet.
func (w *podWorker) gracePeriod(kind killKind) time.Duration {
	pod := w.currentPod()
	secs := int64(30)
	if pod.Spec.TerminationGracePeriodSeconds != nil {
		secs = *pod.Spec.TerminationGracePeriodSeconds
	}
	if kind == killDeleted || kind == killGone {
		if pod.DeletionGracePeriodSeconds != nil {
			secs = *pod.DeletionGracePeriodSeconds
		}
	}
	return max(time.Duration(secs)*time.Second, minGracePeriod)
}

// stopAll stops every running container of the Pod (in parallel; regular containers first, then sidecars, as the
// kubelet orders them), lets the log copies finish and records how each container ended. Containers that never
// started stay waiting and are reported by the terminal status as the kubelet does.
func (w *podWorker) stopAll(ctx context.Context, grace time.Duration) {
	stop := func(sidecars bool) {
		var wg sync.WaitGroup
		for name, rc := range w.running {
			if (w.initNames[name] && isRestartableInit(w.specs[name])) != sidecars {
				continue
			}
			wg.Add(1)
			go func(name string, rc *runningContainer) {
				defer wg.Done()
				w.event(v1.EventTypeNormal, "Killing", "Stopping container %s", name)
				if err := w.k.docker.StopContainer(ctx, rc.id, grace); err != nil && !IsNotFound(err) && ctx.Err() == nil {
					w.log.Warn("stopping container", "container", name, "err", err)
				}
			}(name, rc)
		}
		wg.Wait()
	}
	stop(false)
	stop(true)
	if ctx.Err() != nil {
		return
	}
	for name, rc := range w.running {
		select {
		case <-rc.logsDone:
		case <-time.After(logDrainTimeout):
		}
		rc.cancel()
		delete(w.running, name)
		rec := w.rt.record(name, w.initNames[name])
		w.refresh(ctx, name, rc.id, rec.RestartCount)
		if rec.Current != nil && rec.Current.State != stateExited {
			rec.Current.State, rec.Current.ExitCode, rec.Current.Reason = stateExited, 137, ReasonError
			rec.Current.FinishedAt = time.Now()
		}
	}
	// A container waiting to be (re)started will not be: show how it last ended.
	for _, rec := range w.rt.Containers {
		rec.Waiting = nil
	}
	for _, rec := range w.rt.Init {
		rec.Waiting = nil
	}
}

// removeContainers removes all of the Pod's Docker containers.
func (w *podWorker) removeContainers(ctx context.Context) {
	list, err := w.k.docker.ListContainers(ctx, LabelPodUID+"="+string(w.uid), LabelNode+"="+w.k.cfg.NodeName)
	if err != nil {
		w.log.Warn("listing containers to remove", "err", err)
		return
	}
	for _, c := range list {
		if err := w.k.docker.RemoveContainer(ctx, c.ID); err != nil {
			w.log.Warn("removing container", "id", shortID(c.ID), "err", err)
		}
	}
}

// removeState removes the Pod's volumes and termination message files (its log files stay).
func (w *podWorker) removeState() {
	if err := os.RemoveAll(w.dirs.root); err != nil {
		w.log.Warn("removing pod directory", "err", err)
	}
}

func (w *podWorker) releaseSlot() {
	if w.slotHeld {
		w.slotHeld = false
		w.k.releaseSlot()
	}
}

// writeStatus writes the Pod's status if it differs from what the API has. Conflicts are retried against a fresh
// copy of the Pod. It returns false if the Pod is gone (or was replaced by another of the same name).
func (w *podWorker) writeStatus(ctx context.Context) (ok bool, err error) {
	pod := w.currentPod()
	for attempt := 0; attempt < 5; attempt++ {
		st := generatePodStatus(pod, w.rt, w.k.cfg.NodeIP, time.Now())
		if apiequality.Semantic.DeepEqual(&pod.Status, &st) {
			return true, nil
		}
		np := pod.DeepCopy()
		np.Status = st
		res, err := w.k.client.CoreV1().Pods(w.ns).UpdateStatus(ctx, np, metav1.UpdateOptions{})
		if err == nil {
			w.log.Debug("status written", "phase", res.Status.Phase, "resourceVersion", res.ResourceVersion)
			if res.Status.Phase != pod.Status.Phase {
				w.log.Info("pod phase", "phase", res.Status.Phase, "was", pod.Status.Phase)
			}
			w.update(res)
			return true, nil
		}
		switch {
		case apierrors.IsConflict(err):
			fresh, gerr := w.k.client.CoreV1().Pods(w.ns).Get(ctx, w.name, metav1.GetOptions{})
			if apierrors.IsNotFound(gerr) || (gerr == nil && fresh.UID != w.uid) {
				return false, nil
			}
			if gerr != nil {
				return true, gerr
			}
			w.update(fresh)
			pod = fresh
		case apierrors.IsNotFound(err):
			return false, nil
		default:
			if ctx.Err() == nil {
				w.log.Warn("writing pod status", "err", err)
			}
			return true, err
		}
	}
	return true, fmt.Errorf("status update kept conflicting")
}

// writeStatusRetry writes the status until it succeeds, the Pod is gone (false) or the runner stops.
func (w *podWorker) writeStatusRetry(ctx context.Context) bool {
	for d := 500 * time.Millisecond; ; d = min(2*d, 10*time.Second) {
		ok, err := w.writeStatus(ctx)
		if !ok {
			return false
		}
		if err == nil {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(d):
		}
	}
}
