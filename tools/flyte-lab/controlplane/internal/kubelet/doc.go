// Package kubelet is the Flyte lab's pod runner: a kubelet (and, for its one node, a scheduler) that runs Pods with
// the Docker daemon instead of a CRI runtime.
//
// Layout:
//
//   - kubelet.go: Config, the controller (Pod informer, workqueue, per-Pod workers, --max-parallel slots) and the
//     housekeeping that removes containers and state of Pods that are gone.
//   - worker.go: the pod worker, one goroutine per Pod: adoption of existing containers, init containers, then
//     containers, restarts with back-off, image pulls, active deadline, deletion, and status writes.
//   - status.go: pure mapping from Docker's container state to the Pod's status (the kubelet's
//     convertToAPIContainerStatuses, getPhase and condition generators).
//   - spec.go: pure mapping from a Pod's container to Docker's create body (command/args, environment and downward
//     API with $(VAR) expansion, resources, security context, labels).
//   - volumes.go, logs.go: volumes and termination message files on the host; container log files.
//   - node.go: Node registration and status, the node Lease heartbeat, the single-runner guard, binding.
//   - docker.go: a small Docker Engine API client over the daemon's unix socket (net/http only).
//
// See ../../cmd/flyte-lab-kubelet/README.md for behaviour, flags and how it departs from a real kubelet.
package kubelet
