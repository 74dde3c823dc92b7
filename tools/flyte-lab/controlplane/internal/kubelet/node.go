package kubelet

// The Node: registration, status and lease heartbeat (as the kubelet's node status manager and node lease
// controller do), and the scheduler's part: binding unscheduled Pods to the node.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	v1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// evictionMemory and evictionStorageFraction are the kubelet's default hard eviction thresholds
// (memory.available<100Mi, nodefs.available<10%), which it subtracts from capacity to get allocatable.
const (
	evictionMemory          = 100 << 20
	evictionStorageFraction = 0.10
	maxPods                 = 110
)

func readTrimmed(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// nodeObject describes the machine as a Node: capacity from Docker's view of it (CPUs, memory) and the volumes
// dir's filesystem, conditions from whether Docker answers.
func (k *Kubelet) nodeObject(info *DockerInfo, runtimeErr error) *v1.Node {
	cpus := int64(runtime.NumCPU())
	mem := int64(0)
	if info != nil {
		cpus, mem = int64(info.NCPU), info.MemTotal
	}
	var st syscall.Statfs_t
	storage := int64(0)
	if syscall.Statfs(k.cfg.VolumesDir, &st) == nil {
		storage = int64(st.Blocks) * st.Bsize
	}
	capacity := v1.ResourceList{
		v1.ResourceCPU:              *resource.NewQuantity(cpus, resource.DecimalSI),
		v1.ResourceMemory:           *resource.NewQuantity(mem, resource.BinarySI),
		v1.ResourceEphemeralStorage: *resource.NewQuantity(storage, resource.BinarySI),
		v1.ResourcePods:             *resource.NewQuantity(maxPods, resource.DecimalSI),
		"hugepages-1Gi":             *resource.NewQuantity(0, resource.DecimalSI),
		"hugepages-2Mi":             *resource.NewQuantity(0, resource.DecimalSI),
	}
	allocatable := capacity.DeepCopy()
	allocatable[v1.ResourceMemory] = *resource.NewQuantity(max(mem-evictionMemory, 0), resource.BinarySI)
	allocatable[v1.ResourceEphemeralStorage] = *resource.NewQuantity(int64(float64(storage)*(1-evictionStorageFraction)), resource.BinarySI)

	hostname, _ := os.Hostname()
	osImage, kernel, runtimeVersion := "", "", "docker://unknown"
	if info != nil {
		osImage, kernel, runtimeVersion = info.OperatingSystem, info.KernelVersion, "docker://"+info.ServerVersion
	}
	ready := v1.NodeCondition{Type: v1.NodeReady, Status: v1.ConditionTrue, Reason: "KubeletReady", Message: "kubelet is posting ready status"}
	if runtimeErr != nil {
		ready = v1.NodeCondition{Type: v1.NodeReady, Status: v1.ConditionFalse, Reason: "KubeletNotReady",
			Message: fmt.Sprintf("container runtime is down: %v", runtimeErr)}
	}
	return &v1.Node{
		ObjectMeta: metav1.ObjectMeta{
			Name:   k.cfg.NodeName,
			Labels: k.nodeLabels,
			Annotations: map[string]string{
				"volumes.kubernetes.io/controller-managed-attach-detach": "true",
			},
		},
		Status: v1.NodeStatus{
			Capacity:    capacity,
			Allocatable: allocatable,
			Conditions: []v1.NodeCondition{
				{Type: v1.NodeMemoryPressure, Status: v1.ConditionFalse, Reason: "KubeletHasSufficientMemory", Message: "kubelet has sufficient memory available"},
				{Type: v1.NodeDiskPressure, Status: v1.ConditionFalse, Reason: "KubeletHasNoDiskPressure", Message: "kubelet has no disk pressure"},
				{Type: v1.NodePIDPressure, Status: v1.ConditionFalse, Reason: "KubeletHasSufficientPID", Message: "kubelet has sufficient PID available"},
				ready,
			},
			Addresses: []v1.NodeAddress{
				{Type: v1.NodeInternalIP, Address: k.cfg.NodeIP},
				{Type: v1.NodeHostName, Address: hostname},
			},
			NodeInfo: v1.NodeSystemInfo{
				MachineID:               readTrimmed("/etc/machine-id"),
				SystemUUID:              readTrimmed("/sys/class/dmi/id/product_uuid"),
				BootID:                  readTrimmed("/proc/sys/kernel/random/boot_id"),
				KernelVersion:           kernel,
				OSImage:                 osImage,
				ContainerRuntimeVersion: runtimeVersion,
				KubeletVersion:          k.cfg.KubeletVersion,
				OperatingSystem:         runtime.GOOS,
				Architecture:            runtime.GOARCH,
			},
		},
	}
}

// registerNode creates the Node, or updates the one a previous runner registered.
func (k *Kubelet) registerNode(ctx context.Context) error {
	k.nodeLabels = map[string]string{
		"kubernetes.io/hostname":  k.cfg.NodeName,
		"kubernetes.io/os":        runtime.GOOS,
		"kubernetes.io/arch":      runtime.GOARCH,
		"beta.kubernetes.io/os":   runtime.GOOS,
		"beta.kubernetes.io/arch": runtime.GOARCH,
	}
	info, ierr := k.docker.Info(ctx)
	if ierr != nil {
		return fmt.Errorf("docker info: %w", ierr)
	}
	want := k.nodeObject(info, nil)
	k.memoryCapacity = info.MemTotal
	k.allocatable = want.Status.Allocatable.DeepCopy()

	for attempt := 0; ; attempt++ {
		err := k.applyNode(ctx, want, true)
		if err == nil {
			k.log.Info("node registered", "node", k.cfg.NodeName, "cpu", info.NCPU, "memory", info.MemTotal,
				"runtime", want.Status.NodeInfo.ContainerRuntimeVersion)
			return nil
		}
		if attempt >= 30 || ctx.Err() != nil {
			return fmt.Errorf("registering node %s: %w", k.cfg.NodeName, err)
		}
		k.log.Warn("registering node; retrying", "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(2 * time.Second):
		}
	}
}

// applyNode creates or updates the Node object and writes its status. heartbeat forces new heartbeat times.
func (k *Kubelet) applyNode(ctx context.Context, want *v1.Node, heartbeat bool) error {
	nodes := k.client.CoreV1().Nodes()
	node, err := nodes.Get(ctx, want.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		node, err = nodes.Create(ctx, want, metav1.CreateOptions{})
	}
	if err != nil {
		return err
	}
	changed := false
	if node.Labels == nil {
		node.Labels = map[string]string{}
	}
	for key, v := range want.Labels {
		if node.Labels[key] != v {
			node.Labels[key], changed = v, true
		}
	}
	if node.Spec.Unschedulable {
		// The runner is the node's only scheduler; an old cordon would leave every Pod pending.
		k.log.Warn("node was cordoned; the runner schedules to it anyway")
	}
	if changed {
		if node, err = nodes.Update(ctx, node, metav1.UpdateOptions{}); err != nil {
			return err
		}
	}
	now := metav1.Now()
	status := want.Status.DeepCopy()
	for i := range status.Conditions {
		c := &status.Conditions[i]
		c.LastHeartbeatTime, c.LastTransitionTime = now, now
		for _, old := range node.Status.Conditions {
			if old.Type != c.Type {
				continue
			}
			if old.Status == c.Status {
				c.LastTransitionTime = old.LastTransitionTime
			}
			if !heartbeat {
				c.LastHeartbeatTime = old.LastHeartbeatTime
			}
		}
	}
	status.Images = node.Status.Images
	status.VolumesInUse, status.VolumesAttached = node.Status.VolumesInUse, node.Status.VolumesAttached
	if apiequality.Semantic.DeepEqual(&node.Status, status) {
		return nil
	}
	node.Status = *status
	_, err = nodes.UpdateStatus(ctx, node, metav1.UpdateOptions{})
	return err
}

// heartbeat renews the node's Lease (every quarter of its duration) and refreshes the Node's status (when Docker's
// health changes, and every NodeStatusInterval), as the kubelet does.
func (k *Kubelet) heartbeat(ctx context.Context) {
	renew := k.cfg.LeaseDuration / 4
	tick := time.NewTicker(renew)
	defer tick.Stop()
	lastStatus := time.Now()
	var lastErr error
	for {
		if err := k.renewLease(ctx, false); errors.Is(err, errLeaseLost) {
			k.log.Error("stopping: another runner runs this node now", "err", err)
			k.stop(err)
			return
		} else if err != nil && ctx.Err() == nil {
			k.log.Warn("renewing node lease", "err", err)
		}
		info, err := k.docker.Info(ctx)
		if ctx.Err() != nil {
			return
		}
		if (err == nil) != (lastErr == nil) || time.Since(lastStatus) >= k.cfg.NodeStatusInterval {
			if err != nil {
				k.log.Warn("container runtime is down", "err", err)
			}
			if uerr := k.applyNode(ctx, k.nodeObject(info, err), true); uerr != nil && ctx.Err() == nil {
				k.log.Warn("updating node status", "err", uerr)
			} else {
				lastStatus, lastErr = time.Now(), err
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// runnerAnnotation on the node's Lease names the runner instance that renews it (host/pid/start). Two runners for
// one node would both run its Pods; a runner refuses to start while another live one holds the Lease.
const runnerAnnotation = "flyte-lab.unionml.org/runner"

// errLeaseLost ends a runner whose Lease another runner took over (it had stopped renewing it).
var errLeaseLost = errors.New("another flyte-lab-kubelet took over the node's lease")

// claimLease takes the node's Lease for this runner, or fails if another runner that is alive holds it. A missing
// Lease is made by the first heartbeat, once the Node exists.
func (k *Kubelet) claimLease(ctx context.Context) error {
	lease, err := k.client.CoordinationV1().Leases(v1.NamespaceNodeLease).Get(ctx, k.cfg.NodeName, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if holder := lease.Annotations[runnerAnnotation]; holder != "" && holder != k.instance && lease.Spec.RenewTime != nil {
		age := time.Since(lease.Spec.RenewTime.Time)
		if age < k.cfg.LeaseDuration && runnerMayBeAlive(holder) {
			return fmt.Errorf("node %s is run by another flyte-lab-kubelet (%s, lease renewed %s ago): stop it first, "+
				"or use another --node-name", k.cfg.NodeName, holder, age.Round(time.Second))
		}
	}
	return k.renewLease(ctx, true)
}

// runnerMayBeAlive reports whether the runner instance named host/pid/start may still run: on this host, its
// process must exist.
func runnerMayBeAlive(instance string) bool {
	parts := strings.Split(instance, "/")
	host, _ := os.Hostname()
	if len(parts) != 3 || parts[0] != host {
		return true
	}
	pid, err := strconv.Atoi(parts[1])
	if err != nil {
		return true
	}
	if pid == os.Getpid() {
		return true // another runner in this process
	}
	return syscall.Kill(pid, 0) == nil
}

// renewLease renews the node's Lease (creating it if needed), as the kubelet's node lease controller does. Unless
// claim is set, it fails with errLeaseLost if another runner's name is on the Lease.
func (k *Kubelet) renewLease(ctx context.Context, claim bool) error {
	leases := k.client.CoordinationV1().Leases(v1.NamespaceNodeLease)
	now := metav1.NowMicro()
	lease, err := leases.Get(ctx, k.cfg.NodeName, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		node, nerr := k.client.CoreV1().Nodes().Get(ctx, k.cfg.NodeName, metav1.GetOptions{})
		if nerr != nil {
			return nerr
		}
		secs := int32(k.cfg.LeaseDuration / time.Second)
		_, err = leases.Create(ctx, &coordinationv1.Lease{
			ObjectMeta: metav1.ObjectMeta{
				Name: k.cfg.NodeName, Namespace: v1.NamespaceNodeLease,
				Annotations:     map[string]string{runnerAnnotation: k.instance},
				OwnerReferences: []metav1.OwnerReference{{APIVersion: "v1", Kind: "Node", Name: node.Name, UID: node.UID}},
			},
			Spec: coordinationv1.LeaseSpec{HolderIdentity: &k.cfg.NodeName, LeaseDurationSeconds: &secs, RenewTime: &now},
		}, metav1.CreateOptions{})
		return err
	}
	if err != nil {
		return err
	}
	if holder := lease.Annotations[runnerAnnotation]; !claim && holder != "" && holder != k.instance {
		return fmt.Errorf("%w (%s)", errLeaseLost, holder)
	}
	if lease.Annotations == nil {
		lease.Annotations = map[string]string{}
	}
	lease.Annotations[runnerAnnotation] = k.instance
	lease.Spec.RenewTime = &now
	lease.Spec.HolderIdentity = &k.cfg.NodeName
	_, err = leases.Update(ctx, lease, metav1.UpdateOptions{})
	return err
}

// releaseLease removes this runner's name from the Lease on shutdown, so that the next runner may start at once.
func (k *Kubelet) releaseLease() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	leases := k.client.CoordinationV1().Leases(v1.NamespaceNodeLease)
	lease, err := leases.Get(ctx, k.cfg.NodeName, metav1.GetOptions{})
	if err != nil || lease.Annotations[runnerAnnotation] != k.instance {
		return
	}
	delete(lease.Annotations, runnerAnnotation)
	if _, err := leases.Update(ctx, lease, metav1.UpdateOptions{}); err != nil {
		k.log.Warn("releasing node lease", "err", err)
	}
}

// schedule is the default scheduler's job for the one-node cluster: bind a Pod that has no node and asks for the
// runner's scheduler (default-scheduler), unless its node selector or required node affinity excludes the node (then it is reported
// Unschedulable, as the scheduler does). Resource requests are not checked against what is free: --max-parallel
// bounds how many Pods run at once instead.
func (k *Kubelet) schedule(ctx context.Context, pod *v1.Pod) error {
	if name := pod.Spec.SchedulerName; name != k.cfg.SchedulerName && (name != "" || k.cfg.SchedulerName != v1.DefaultSchedulerName) {
		return nil
	}
	if pod.DeletionTimestamp != nil || isTerminalPhase(pod.Status.Phase) || len(pod.Spec.SchedulingGates) > 0 {
		return nil
	}
	if msg := nodeMismatch(pod, k.nodeLabels, k.cfg.NodeName); msg != "" {
		return k.markUnschedulable(ctx, pod, msg)
	}
	err := k.client.CoreV1().Pods(pod.Namespace).Bind(ctx, &v1.Binding{
		ObjectMeta: metav1.ObjectMeta{Name: pod.Name, Namespace: pod.Namespace, UID: pod.UID},
		Target:     v1.ObjectReference{Kind: "Node", Name: k.cfg.NodeName},
	}, metav1.CreateOptions{})
	if apierrors.IsConflict(err) || apierrors.IsNotFound(err) {
		return nil // bound by someone else meanwhile, or gone
	}
	if err != nil {
		return err
	}
	k.unschedulable.Delete(pod.UID)
	k.log.Info("pod scheduled", "pod", pod.Namespace+"/"+pod.Name)
	k.scheduler.Eventf(pod, v1.EventTypeNormal, "Scheduled", "Successfully assigned %s/%s to %s", pod.Namespace, pod.Name, k.cfg.NodeName)
	return nil
}

func (k *Kubelet) markUnschedulable(ctx context.Context, pod *v1.Pod, why string) error {
	msg := "0/1 nodes are available: 1 " + why + "."
	if prev, ok := k.unschedulable.Load(pod.UID); ok && prev == msg {
		return nil
	}
	np := pod.DeepCopy()
	cond := v1.PodCondition{Type: v1.PodScheduled, Status: v1.ConditionFalse, Reason: v1.PodReasonUnschedulable,
		Message: msg, LastTransitionTime: metav1.Now(), ObservedGeneration: pod.Generation}
	replaced := false
	for i, c := range np.Status.Conditions {
		if c.Type == v1.PodScheduled {
			if c.Status == cond.Status {
				cond.LastTransitionTime = c.LastTransitionTime
			}
			np.Status.Conditions[i], replaced = cond, true
		}
	}
	if !replaced {
		np.Status.Conditions = append(np.Status.Conditions, cond)
	}
	if _, err := k.client.CoreV1().Pods(pod.Namespace).UpdateStatus(ctx, np, metav1.UpdateOptions{}); err != nil {
		if apierrors.IsConflict(err) || apierrors.IsNotFound(err) {
			return nil // a newer version is on its way through the informer
		}
		return err
	}
	k.unschedulable.Store(pod.UID, msg)
	k.scheduler.Eventf(pod, v1.EventTypeWarning, "FailedScheduling", "%s", msg)
	return nil
}

// nodeMismatch returns why the node does not fit the Pod's nodeName, nodeSelector or required node affinity ("" if
// it fits). The node has no taints, so tolerations do not matter.
func nodeMismatch(pod *v1.Pod, labels map[string]string, nodeName string) string {
	for key, v := range pod.Spec.NodeSelector {
		if lv, ok := labels[key]; !ok || lv != v {
			return "node(s) didn't match Pod's node affinity/selector"
		}
	}
	if a := pod.Spec.Affinity; a != nil && a.NodeAffinity != nil && a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution != nil {
		if !matchNodeSelectorTerms(a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms, labels, nodeName) {
			return "node(s) didn't match Pod's node affinity/selector"
		}
	}
	return ""
}

// matchNodeSelectorTerms: the terms are ORed, the requirements of a term ANDed; an empty term matches nothing.
func matchNodeSelectorTerms(terms []v1.NodeSelectorTerm, labels map[string]string, nodeName string) bool {
	for _, t := range terms {
		if len(t.MatchExpressions) == 0 && len(t.MatchFields) == 0 {
			continue
		}
		ok := true
		for _, e := range t.MatchExpressions {
			ok = ok && matchRequirement(e, labels)
		}
		for _, e := range t.MatchFields {
			ok = ok && e.Key == "metadata.name" && matchRequirement(e, map[string]string{"metadata.name": nodeName})
		}
		if ok {
			return true
		}
	}
	return false
}

func matchRequirement(e v1.NodeSelectorRequirement, labels map[string]string) bool {
	v, exists := labels[e.Key]
	in := func() bool {
		for _, x := range e.Values {
			if x == v {
				return true
			}
		}
		return false
	}
	switch e.Operator {
	case v1.NodeSelectorOpIn:
		return exists && in()
	case v1.NodeSelectorOpNotIn:
		return !exists || !in()
	case v1.NodeSelectorOpExists:
		return exists
	case v1.NodeSelectorOpDoesNotExist:
		return !exists
	case v1.NodeSelectorOpGt, v1.NodeSelectorOpLt:
		if !exists || len(e.Values) != 1 {
			return false
		}
		a, err1 := strconv.ParseInt(v, 10, 64)
		b, err2 := strconv.ParseInt(e.Values[0], 10, 64)
		if err1 != nil || err2 != nil {
			return false
		}
		if e.Operator == v1.NodeSelectorOpGt {
			return a > b
		}
		return a < b
	}
	return false
}
