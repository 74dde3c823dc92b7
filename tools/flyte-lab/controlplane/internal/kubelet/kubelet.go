package kubelet

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	v1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/record"
	"k8s.io/client-go/util/workqueue"
)

// Config is the runner's configuration.
type Config struct {
	// NodeName is the Node the runner registers and runs Pods for (default flyte-lab).
	NodeName string
	// SchedulerName: unscheduled Pods that ask for this scheduler are bound to the node (default
	// "default-scheduler", which the API server gives Pods that name none).
	SchedulerName string
	// NodeIP is the node's address, which is also every Pod's (host networking): 127.0.0.1.
	NodeIP string
	// LogsDir holds the container logs: LogsDir/<namespace>/<pod>/<container>.log.
	LogsDir string
	// VolumesDir holds the runner's per-Pod state: volumes and termination message files.
	VolumesDir string
	// MaxParallel is how many Pods may have containers running at once; others wait (Pending, ContainerCreating).
	MaxParallel int
	// SyncWorkers is how many workqueue workers handle Pod events (they never wait on containers).
	SyncWorkers int
	// RemoveTerminatedContainers removes a finished Pod's containers as soon as its final status is written,
	// instead of keeping them until the Pod is deleted as the kubelet does (saves a copy of the image per container
	// with Docker's vfs storage driver).
	RemoveTerminatedContainers bool
	// PullFallbackToLocal: when pulling an image fails (pull policy Always, e.g. a :latest tag) but the image is
	// present locally, use it instead of failing with ErrImagePull.
	PullFallbackToLocal bool
	// APIServerHost and APIServerPort are given to containers as KUBERNETES_SERVICE_HOST/PORT (the addresses the
	// runner itself uses; with host networking, containers reach the API server there).
	APIServerHost string
	APIServerPort string
	// HousekeepingInterval is how often orphaned containers and Pod directories are looked for.
	HousekeepingInterval time.Duration
	// NodeStatusInterval and LeaseDuration drive the node heartbeat (the lease is renewed every quarter of its
	// duration, as the kubelet does).
	NodeStatusInterval time.Duration
	LeaseDuration      time.Duration
	// KubeletVersion is reported in the Node's status (the API server's version).
	KubeletVersion string
}

func (c *Config) defaults() {
	if c.NodeName == "" {
		c.NodeName = "flyte-lab"
	}
	if c.SchedulerName == "" {
		c.SchedulerName = v1.DefaultSchedulerName
	}
	if c.NodeIP == "" {
		c.NodeIP = "127.0.0.1"
	}
	if c.MaxParallel <= 0 {
		c.MaxParallel = 4
	}
	if c.SyncWorkers <= 0 {
		c.SyncWorkers = 4
	}
	if c.HousekeepingInterval <= 0 {
		c.HousekeepingInterval = 30 * time.Second
	}
	if c.NodeStatusInterval <= 0 {
		c.NodeStatusInterval = time.Minute
	}
	if c.LeaseDuration <= 0 {
		c.LeaseDuration = 40 * time.Second
	}
	if c.KubeletVersion == "" {
		c.KubeletVersion = "v1.34.1"
	}
}

// Kubelet schedules Pods to its node and runs them with Docker.
type Kubelet struct {
	cfg    Config
	client kubernetes.Interface
	docker *Docker
	log    *slog.Logger
	ctx    context.Context

	informer    cache.SharedIndexInformer
	queue       workqueue.TypedRateLimitingInterface[string]
	broadcaster record.EventBroadcaster
	recorder    record.EventRecorder // kubelet events
	scheduler   record.EventRecorder // default-scheduler events

	mu       sync.Mutex
	workers  map[types.UID]*podWorker // running, and finished ones until their Pod is gone
	wg       sync.WaitGroup
	slots    chan struct{} // one token per Pod with running containers
	overflow int           // adopted Pods holding a slot beyond MaxParallel

	memoryCapacity   int64
	lowerOOMScoreAdj bool // negative OOM score adjustments work on this machine
	allocatable      v1.ResourceList
	nodeLabels       map[string]string
	serviceEnv       map[string]string
	unschedulable    sync.Map // pod UID -> message last written
	synced           chan struct{}
	instance         string                  // this runner's name on the node's Lease: host/pid/start
	stop             context.CancelCauseFunc // ends Run with an error
}

// Synced is closed once the node is registered and the runner has read all Pods.
func (k *Kubelet) Synced() <-chan struct{} { return k.synced }

// New makes a runner. It does not talk to the API server or Docker until Run.
func New(cfg Config, client kubernetes.Interface, docker *Docker, log *slog.Logger) *Kubelet {
	cfg.defaults()
	k := &Kubelet{
		cfg: cfg, client: client, docker: docker, log: log,
		workers: map[types.UID]*podWorker{},
		slots:   make(chan struct{}, cfg.MaxParallel),
		synced:  make(chan struct{}),
	}
	k.serviceEnv = map[string]string{}
	if cfg.APIServerHost != "" && cfg.APIServerPort != "" {
		addr := "tcp://" + cfg.APIServerHost + ":" + cfg.APIServerPort
		prefix := "KUBERNETES_PORT_" + cfg.APIServerPort + "_TCP"
		for k2, v := range map[string]string{
			"KUBERNETES_SERVICE_HOST": cfg.APIServerHost, "KUBERNETES_SERVICE_PORT": cfg.APIServerPort,
			"KUBERNETES_SERVICE_PORT_HTTPS": cfg.APIServerPort, "KUBERNETES_PORT": addr, prefix: addr,
			prefix + "_PROTO": "tcp", prefix + "_PORT": cfg.APIServerPort, prefix + "_ADDR": cfg.APIServerHost,
		} {
			k.serviceEnv[k2] = v
		}
	}
	return k
}

func (k *Kubelet) podDir(uid types.UID) string { return filepath.Join(k.cfg.VolumesDir, string(uid)) }

// forceSlot takes a slot even when all are taken (for adopted Pods whose containers already run).
func (k *Kubelet) forceSlot() {
	select {
	case k.slots <- struct{}{}:
	default:
		k.mu.Lock()
		k.overflow++
		k.mu.Unlock()
	}
}

func (k *Kubelet) releaseSlot() {
	k.mu.Lock()
	if k.overflow > 0 {
		k.overflow--
		k.mu.Unlock()
		return
	}
	k.mu.Unlock()
	<-k.slots
}

// envSources reads ConfigMaps and Secrets of a namespace from the API server (nil when absent).
func (k *Kubelet) envSources(ctx context.Context, ns string) envSources {
	return envSources{
		ConfigMap: func(name string) (*v1.ConfigMap, error) {
			cm, err := k.client.CoreV1().ConfigMaps(ns).Get(ctx, name, metav1.GetOptions{})
			if apierrors.IsNotFound(err) {
				return nil, nil
			}
			return cm, err
		},
		Secret: func(name string) (*v1.Secret, error) {
			s, err := k.client.CoreV1().Secrets(ns).Get(ctx, name, metav1.GetOptions{})
			if apierrors.IsNotFound(err) {
				return nil, nil
			}
			return s, err
		},
		Allocatable: k.allocatable,
		IP:          k.cfg.NodeIP,
		ServiceEnv:  k.serviceEnv,
	}
}

const uidIndex = "uid"

// Run registers the node and runs Pods until ctx ends. On return the Pods' containers are left running: a runner
// started later adopts them.
func (k *Kubelet) Run(parent context.Context) error {
	ctx, stop := context.WithCancelCause(parent)
	defer stop(nil)
	k.ctx, k.stop = ctx, stop
	host, _ := os.Hostname()
	k.instance = fmt.Sprintf("%s/%d/%d", host, os.Getpid(), time.Now().UnixNano())
	if err := os.MkdirAll(k.cfg.LogsDir, 0o755); err != nil {
		return err
	}
	if err := os.MkdirAll(k.cfg.VolumesDir, 0o755); err != nil {
		return err
	}
	k.lowerOOMScoreAdj = canLowerOOMScoreAdj()
	if !k.lowerOOMScoreAdj {
		k.log.Info("no CAP_SYS_RESOURCE: containers of Guaranteed Pods get oom_score_adj 0 instead of -997")
	}
	if err := k.claimLease(ctx); err != nil {
		return err
	}
	defer k.releaseLease()
	if err := k.registerNode(ctx); err != nil {
		return err
	}
	var bg sync.WaitGroup
	bg.Add(1)
	go func() { defer bg.Done(); k.heartbeat(ctx) }()

	k.broadcaster = record.NewBroadcaster(record.WithContext(ctx))
	k.broadcaster.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: k.client.CoreV1().Events("")})
	k.recorder = k.broadcaster.NewRecorder(scheme.Scheme, v1.EventSource{Component: "kubelet", Host: k.cfg.NodeName})
	k.scheduler = k.broadcaster.NewRecorder(scheme.Scheme, v1.EventSource{Component: k.cfg.SchedulerName})
	defer k.broadcaster.Shutdown()

	k.queue = workqueue.NewTypedRateLimitingQueueWithConfig(workqueue.DefaultTypedControllerRateLimiter[string](),
		workqueue.TypedRateLimitingQueueConfig[string]{Name: "pods"})
	lw := cache.NewListWatchFromClient(k.client.CoreV1().RESTClient(), "pods", metav1.NamespaceAll, fields.Everything())
	k.informer = cache.NewSharedIndexInformer(lw, &v1.Pod{}, 0, cache.Indexers{
		uidIndex: func(obj any) ([]string, error) { return []string{string(obj.(*v1.Pod).UID)}, nil },
	})
	enqueue := func(obj any) {
		if key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj); err == nil {
			k.queue.Add(key)
		}
	}
	if _, err := k.informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    enqueue,
		UpdateFunc: func(_, obj any) { enqueue(obj) },
		DeleteFunc: enqueue,
	}); err != nil {
		return err
	}
	go k.informer.Run(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), k.informer.HasSynced) {
		return ctx.Err()
	}
	k.log.Info("pod cache synced", "pods", len(k.informer.GetStore().ListKeys()))
	k.housekeeping(ctx)
	close(k.synced)

	var syncers sync.WaitGroup
	for i := 0; i < k.cfg.SyncWorkers; i++ {
		syncers.Add(1)
		go func() {
			defer syncers.Done()
			for k.processNext(ctx) {
			}
		}()
	}
	bg.Add(1)
	go func() {
		defer bg.Done()
		t := time.NewTicker(k.cfg.HousekeepingInterval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				k.housekeeping(ctx)
			}
		}
	}()

	<-ctx.Done()
	k.log.Info("shutting down; containers keep running and will be adopted by the next runner")
	k.queue.ShutDown()
	syncers.Wait()
	done := make(chan struct{})
	go func() { k.wg.Wait(); bg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		k.log.Warn("some pod workers did not stop within 10s")
	}
	if err := context.Cause(ctx); err != nil && parent.Err() == nil {
		return err // stopped by the runner itself (lost its lease)
	}
	return nil
}

func (k *Kubelet) processNext(ctx context.Context) bool {
	key, quit := k.queue.Get()
	if quit {
		return false
	}
	defer k.queue.Done(key)
	if err := k.sync(ctx, key); err != nil {
		if ctx.Err() == nil {
			k.log.Warn("sync failed; retrying", "pod", key, "err", err)
		}
		k.queue.AddRateLimited(key)
		return true
	}
	k.queue.Forget(key)
	return true
}

// sync handles the latest state of one Pod (by namespace/name): bind it if it is unscheduled, hand it to its
// worker (starting one if needed), or clean up after it if it is gone.
func (k *Kubelet) sync(ctx context.Context, key string) error {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil
	}
	var pod *v1.Pod
	if obj, exists, err := k.informer.GetIndexer().GetByKey(key); err != nil {
		return err
	} else if exists {
		pod = obj.(*v1.Pod)
	}

	k.mu.Lock()
	for uid, w := range k.workers {
		if w.ns == ns && w.name == name && (pod == nil || pod.UID != uid) {
			k.goneLocked(w)
		}
	}
	k.mu.Unlock()
	if pod == nil {
		return nil
	}
	if pod.Spec.NodeName == "" {
		return k.schedule(ctx, pod)
	}
	if pod.Spec.NodeName != k.cfg.NodeName {
		return nil
	}

	kill := killNone
	if pod.DeletionTimestamp != nil {
		kill = killDeleted
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if w := k.workers[pod.UID]; w != nil {
		select {
		case <-w.done:
			w.mu.Lock()
			finalized, lastKill := w.finalized, w.kill
			w.mu.Unlock()
			if kill == killDeleted && !finalized && lastKill != killGone {
				k.startWorkerLocked(pod, kill)
			}
		default:
			w.update(pod)
			if kill != killNone {
				w.requestKill(kill)
			}
		}
		return nil
	}
	k.startWorkerLocked(pod, kill)
	return nil
}

// goneLocked handles a Pod that is no longer in the API: its worker stops and removes the containers; a finished
// worker is replaced by one that only removes them.
func (k *Kubelet) goneLocked(w *podWorker) {
	select {
	case <-w.done:
		if w.killRequested() == killGone {
			delete(k.workers, w.uid)
			return
		}
		k.startWorkerLocked(w.currentPod(), killGone)
	default:
		w.requestKill(killGone)
	}
}

func (k *Kubelet) startWorkerLocked(pod *v1.Pod, kill killKind) {
	w := newPodWorker(k, pod, kill)
	k.workers[pod.UID] = w
	k.wg.Add(1)
	go func() {
		defer k.wg.Done()
		w.run(k.ctx)
		if w.killRequested() == killGone && k.ctx.Err() == nil {
			k.mu.Lock()
			if k.workers[w.uid] == w {
				delete(k.workers, w.uid)
			}
			k.mu.Unlock()
		}
	}()
}

// podKnown reports whether a Pod with this UID is in the cache or has a worker.
func (k *Kubelet) podKnown(uid string) bool {
	if objs, err := k.informer.GetIndexer().ByIndex(uidIndex, uid); err == nil && len(objs) > 0 {
		return true
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	_, ok := k.workers[types.UID(uid)]
	return ok
}

// housekeeping removes what belongs to no Pod: containers of this node whose Pod is gone (deleted while the runner
// was down, or missed) and Pod directories under the volumes dir.
func (k *Kubelet) housekeeping(ctx context.Context) {
	list, err := k.docker.ListContainers(ctx, LabelNode+"="+k.cfg.NodeName)
	if err != nil {
		if ctx.Err() == nil {
			k.log.Warn("housekeeping: listing containers", "err", err)
		}
		return
	}
	for _, c := range list {
		uid := c.Labels[LabelPodUID]
		if uid == "" || k.podKnown(uid) {
			continue
		}
		k.log.Info("removing orphaned container", "id", shortID(c.ID), "pod", c.Labels[LabelPodNamespace]+"/"+c.Labels[LabelPodName],
			"container", c.Labels[LabelContainerName], "state", c.State)
		if c.State == "running" {
			_ = k.docker.StopContainer(ctx, c.ID, minGracePeriod)
		}
		if err := k.docker.RemoveContainer(ctx, c.ID); err != nil {
			k.log.Warn("removing orphaned container", "id", shortID(c.ID), "err", err)
		}
	}
	entries, err := os.ReadDir(k.cfg.VolumesDir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if e.IsDir() && !k.podKnown(e.Name()) {
			_ = os.RemoveAll(filepath.Join(k.cfg.VolumesDir, e.Name()))
		}
	}
}

// Stats is a snapshot of the runner's state, for logs and tests.
type Stats struct {
	Workers, Active, SlotsInUse int
}

// Stats returns how many Pods the runner tracks, how many it is working on, and how many slots are taken.
func (k *Kubelet) Stats() Stats {
	k.mu.Lock()
	defer k.mu.Unlock()
	s := Stats{Workers: len(k.workers), SlotsInUse: len(k.slots) + k.overflow}
	for _, w := range k.workers {
		select {
		case <-w.done:
		default:
			s.Active++
		}
	}
	return s
}

func (s Stats) String() string {
	return "workers=" + strconv.Itoa(s.Workers) + " active=" + strconv.Itoa(s.Active) + " slots=" + strconv.Itoa(s.SlotsInUse)
}
