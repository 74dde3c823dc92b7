// Command flyte-lab-kubelet is the lab's pod runner: it registers a Node, binds unscheduled Pods to it (the
// scheduler's job) and runs them with the Docker daemon, writing Pod status back as a kubelet would. See
// README.md next to this file.
//
// On SIGTERM or SIGINT it stops watching and exits, leaving containers running: a runner started later adopts
// them (their Docker labels name the Pod), so restarting the runner does not disturb running tasks.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/unionml-ts/tools/flyte-lab/controlplane/internal/kubelet"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "flyte-lab-kubelet:", err)
		os.Exit(1)
	}
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func run() error {
	stateRoot := "/var/lib/flyte-lab-kubelet"
	if s := os.Getenv("FLYTE_LAB_STATE"); s != "" {
		stateRoot = filepath.Join(s, "kubelet")
	}
	var cfg kubelet.Config
	kubeconfig := flag.String("kubeconfig", os.Getenv("KUBECONFIG"), "kubeconfig of the API server (default $KUBECONFIG)")
	dockerHost := flag.String("docker-host", envOr("DOCKER_HOST", "unix:///var/run/docker.sock"), "Docker daemon (default $DOCKER_HOST or unix:///var/run/docker.sock); must run on this machine")
	flag.StringVar(&cfg.NodeName, "node-name", "flyte-lab", "name of the Node to register and run Pods for")
	flag.StringVar(&cfg.LogsDir, "logs-dir", filepath.Join(stateRoot, "logs"), "container logs: DIR/<namespace>/<pod>/<container>.log (default $FLYTE_LAB_STATE/kubelet/logs)")
	flag.StringVar(&cfg.VolumesDir, "volumes-dir", filepath.Join(stateRoot, "volumes"), "the runner's per-Pod state: volumes, termination message files (default $FLYTE_LAB_STATE/kubelet/volumes)")
	flag.IntVar(&cfg.MaxParallel, "max-parallel", 4, "Pods whose containers may run at once; the others wait in Pending (ContainerCreating)")
	flag.BoolVar(&cfg.RemoveTerminatedContainers, "remove-terminated-containers", false, "remove a finished Pod's containers once its final status is written (the kubelet keeps them until the Pod is deleted)")
	flag.BoolVar(&cfg.PullFallbackToLocal, "pull-fallback-to-local", true, "when a pull fails (e.g. pull policy Always for a :latest tag) but the image is present locally, run the local image")
	flag.StringVar(&cfg.SchedulerName, "scheduler-name", "default-scheduler", "bind unscheduled Pods whose spec.schedulerName is this to the node")
	flag.StringVar(&cfg.NodeIP, "node-ip", "127.0.0.1", "the node's (and, with host networking, every Pod's) IP address")
	verbose := flag.Bool("v", false, "debug logging")
	flag.Parse()

	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	if *kubeconfig == "" {
		return fmt.Errorf("no kubeconfig: pass --kubeconfig or set KUBECONFIG")
	}
	rc, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		return fmt.Errorf("kubeconfig %s: %w", *kubeconfig, err)
	}
	// The kubelet's defaults (kubeAPIQPS 50, kubeAPIBurst 100); client-go's 5/10 would throttle status writes.
	rc.QPS, rc.Burst = 50, 100
	rc.UserAgent = "flyte-lab-kubelet/" + cfg.NodeName
	client, err := kubernetes.NewForConfig(rc)
	if err != nil {
		return err
	}
	if u, err := url.Parse(rc.Host); err == nil {
		host, port, err := net.SplitHostPort(u.Host)
		if err != nil {
			host, port = u.Host, "443"
		}
		cfg.APIServerHost, cfg.APIServerPort = host, port
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	docker, err := kubelet.NewDocker(ctx, *dockerHost)
	if err != nil {
		return err
	}
	log.Info("starting", "node", cfg.NodeName, "apiserver", rc.Host, "docker", *dockerHost,
		"logsDir", cfg.LogsDir, "volumesDir", cfg.VolumesDir, "maxParallel", cfg.MaxParallel)
	return kubelet.New(cfg, client, docker, log).Run(ctx)
}
