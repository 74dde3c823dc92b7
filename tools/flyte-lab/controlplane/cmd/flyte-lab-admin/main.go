// Command flyte-lab-admin is the lab's FlyteAdmin-compatible control plane: AdminService, DataProxyService,
// AuthMetadataService, IdentityService, gRPC health and reflection, FlyteAdmin's REST gateway, pod logs, a plain
// console page and the native scheduler, all on one port (gRPC and HTTP, as the sandbox's ingress on :30080).
// See ../../README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/unionml-ts/tools/flyte-lab/controlplane/internal/adminsvc"
	"github.com/unionml-ts/tools/flyte-lab/controlplane/internal/authsvc"
	"github.com/unionml-ts/tools/flyte-lab/controlplane/internal/blob"
	"github.com/unionml-ts/tools/flyte-lab/controlplane/internal/dataproxy"
	"github.com/unionml-ts/tools/flyte-lab/controlplane/internal/scheduler"
	"github.com/unionml-ts/tools/flyte-lab/controlplane/internal/store"
)

type options struct {
	listen          string
	publicURL       string
	db              string
	kubeconfig      string
	s3Endpoint      string
	s3AccessKey     string
	s3SecretKey     string
	s3Region        string
	bucket          string
	metadataPrefix  string
	rawOutputPrefix string
	podLogs         string
	seedProjects    string
	domains         string
	scheduler       bool
	maxCatchUp      int
	maxMessageBytes int
	shutdownTimeout time.Duration
	logJSON         bool
}

func parseFlags(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("flyte-lab-admin", flag.ContinueOnError)
	fs.StringVar(&o.listen, "listen", "127.0.0.1:30080", "address for gRPC and HTTP (one port, h2c and HTTP/1.1)")
	fs.StringVar(&o.publicURL, "public-url", "", "URL clients reach the control plane at, for console links and OAuth2 metadata (default http://localhost:<listen port>)")
	fs.StringVar(&o.db, "db", "", "bbolt database file (required; created if missing)")
	fs.StringVar(&o.kubeconfig, "kubeconfig", os.Getenv("KUBECONFIG"), "kubeconfig of the lab's kube-apiserver (default $KUBECONFIG)")
	fs.StringVar(&o.s3Endpoint, "s3-endpoint", "http://127.0.0.1:30002", "S3 (MinIO) endpoint")
	fs.StringVar(&o.s3AccessKey, "s3-access-key", "minio", "S3 access key")
	fs.StringVar(&o.s3SecretKey, "s3-secret-key", "miniostorage", "S3 secret key")
	fs.StringVar(&o.s3Region, "s3-region", "us-east-1", "S3 region to sign for")
	fs.StringVar(&o.bucket, "bucket", "my-s3-bucket", "bucket for metadata, uploads and (by default) raw data")
	fs.StringVar(&o.metadataPrefix, "metadata-prefix", "s3://my-s3-bucket/metadata", "where the admin service writes offloaded inputs and the like")
	fs.StringVar(&o.rawOutputPrefix, "raw-output-prefix", "s3://my-s3-bucket/data", "default raw output data prefix of executions")
	fs.StringVar(&o.podLogs, "pod-logs", "", "the pod runner's log folder (<dir>/<namespace>/<pod>/<container>.log), served at /logs/; empty serves none")
	fs.StringVar(&o.seedProjects, "seed-project", "flytesnacks", "projects registered at start if missing (comma-separated)")
	fs.StringVar(&o.domains, "domains", "development,staging,production", "domains of every project (comma-separated)")
	fs.BoolVar(&o.scheduler, "scheduler", true, "run the native scheduler (--scheduler=false to turn it off)")
	fs.IntVar(&o.maxCatchUp, "scheduler-max-catch-up", 0, "after downtime, fire at most this many missed ticks per schedule (0: all of them, as FlyteAdmin)")
	fs.IntVar(&o.maxMessageBytes, "grpc-max-message-bytes", 0, "gRPC message size limit both ways (0: grpc-go's defaults, 4 MiB received, as FlyteAdmin's default)")
	fs.DurationVar(&o.shutdownTimeout, "shutdown-timeout", 10*time.Second, "how long SIGTERM waits for requests in flight (FlyteAdmin's gracefulShutdownTimeoutSeconds)")
	fs.BoolVar(&o.logJSON, "log-json", false, "log JSON lines instead of key=value text")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if o.db == "" {
		return o, errors.New("--db is required")
	}
	if o.kubeconfig == "" {
		return o, errors.New("--kubeconfig (or $KUBECONFIG) is required")
	}
	if o.publicURL == "" {
		_, port, err := net.SplitHostPort(o.listen)
		if err != nil {
			return o, fmt.Errorf("--listen %q: %w", o.listen, err)
		}
		o.publicURL = "http://localhost:" + port
	}
	if u, err := url.Parse(o.publicURL); err != nil || u.Host == "" {
		return o, fmt.Errorf("--public-url %q is not an absolute URL", o.publicURL)
	}
	o.publicURL = strings.TrimSuffix(o.publicURL, "/")
	return o, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func main() {
	o, err := parseFlags(os.Args[1:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "flyte-lab-admin:", err)
		os.Exit(2)
	}
	var h slog.Handler = slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})
	if o.logJSON {
		h = slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})
	}
	log := slog.New(h)
	slog.SetDefault(log)
	if err := run(o, log); err != nil {
		log.Error("flyte-lab-admin failed", "error", err)
		os.Exit(1)
	}
}

func run(o options, log *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	db, err := store.Open(o.db)
	if err != nil {
		return err
	}
	defer func() {
		if err := db.Close(); err != nil {
			log.Error("closing database", "error", err)
		} else {
			log.Info("database closed", "path", o.db)
		}
	}()

	bs, err := blob.New(blob.Config{Endpoint: o.s3Endpoint, AccessKey: o.s3AccessKey, SecretKey: o.s3SecretKey, Region: o.s3Region, Bucket: o.bucket})
	if err != nil {
		return err
	}
	bctx, bcancel := context.WithTimeout(ctx, 15*time.Second)
	err = bs.EnsureBucket(bctx)
	bcancel()
	if err != nil {
		return fmt.Errorf("object store %s (bucket %s) is not usable (is MinIO up? tools/flyte-lab/up.sh): %w", o.s3Endpoint, o.bucket, err)
	}

	adminSvc, err := adminsvc.New(ctx, adminsvc.Config{
		DB:              db,
		Blob:            bs,
		KubeConfig:      o.kubeconfig,
		Domains:         splitList(o.domains),
		SeedProjects:    splitList(o.seedProjects),
		MetadataPrefix:  o.metadataPrefix,
		RawOutputPrefix: o.rawOutputPrefix,
		ConsoleURL:      o.publicURL + "/console",
	})
	if err != nil {
		return err
	}
	dp, err := dataproxy.New(dataproxy.Config{Blob: bs, Executions: adminSvc})
	if err != nil {
		return err
	}
	srv, err := newServers(ctx, deps{
		Admin:           adminSvc,
		DataProxy:       dp,
		Auth:            authsvc.NewAuthMetadata(authsvc.Config{PublicURL: o.publicURL}),
		Identity:        authsvc.NewIdentity(),
		PodLogs:         o.podLogs,
		Domains:         splitList(o.domains),
		MaxMessageBytes: o.maxMessageBytes,
		Logger:          log,
	})
	if err != nil {
		return err
	}

	lis, err := net.Listen("tcp", o.listen)
	if err != nil {
		return err
	}
	hs := &http.Server{
		Handler:           srv.handler,
		ReadHeaderTimeout: 32 * time.Second, // admin's readHeaderTimeoutSeconds
		Protocols:         new(http.Protocols),
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	// HTTP/1.1 for browsers and REST clients, HTTP/2 with prior knowledge (h2c) for gRPC clients.
	hs.Protocols.SetHTTP1(true)
	hs.Protocols.SetUnencryptedHTTP2(true)

	var wg sync.WaitGroup
	schedCtx, schedCancel := context.WithCancel(ctx)
	defer schedCancel()
	if o.scheduler {
		sch, err := scheduler.New(scheduler.Config{DB: db, Source: adminSvc, MaxCatchUp: o.maxCatchUp, Logger: log.With("component", "scheduler")})
		if err != nil {
			return err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = sch.Run(schedCtx)
		}()
	}

	// Executions left ABORTING whose FlyteWorkflow is gone (propeller never reported ABORTED) are finished here, as
	// FlyteAdmin's execution reconciliation does.
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(5 * time.Second)
		defer tick.Stop()
		for {
			select {
			case <-schedCtx.Done():
				return
			case <-tick.C:
				if err := adminSvc.ReconcileExecutions(schedCtx); err != nil && schedCtx.Err() == nil {
					log.Warn("reconciling executions", "err", err)
				}
			}
		}
	}()

	serveErr := make(chan error, 1)
	go func() { serveErr <- hs.Serve(lis) }()
	log.Info("flyte-lab-admin serving", "listen", lis.Addr().String(), "public_url", o.publicURL, "db", o.db,
		"s3", o.s3Endpoint, "bucket", o.bucket, "pod_logs", o.podLogs, "scheduler", o.scheduler)

	select {
	case err := <-serveErr:
		schedCancel()
		wg.Wait()
		return fmt.Errorf("server stopped: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down", "timeout", o.shutdownTimeout.String())
	srv.health.Shutdown()
	schedCancel()
	sctx, scancel := context.WithTimeout(context.Background(), o.shutdownTimeout)
	defer scancel()
	if err := hs.Shutdown(sctx); err != nil {
		log.Warn("requests still in flight at the shutdown timeout; closing connections", "error", err)
		_ = hs.Close()
	}
	srv.grpc.Stop()
	wg.Wait()
	log.Info("stopped")
	return nil
}
