package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/textproto"
	"runtime/debug"
	"strings"
	"time"

	"github.com/flyteorg/flyte/flyteidl/clients/go/assets"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/service"
	gateway "github.com/flyteorg/flyte/flyteidl/gen/pb-go/gateway/flyteidl/service"
	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/health"
	"google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/reflection"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// deps are the services and settings the servers are built from.
type deps struct {
	Admin     service.AdminServiceServer
	DataProxy service.DataProxyServiceServer
	Auth      service.AuthMetadataServiceServer
	Identity  service.IdentityServiceServer
	// PodLogs is the pod runner's log folder (<dir>/<namespace>/<pod>/<container>.log); "" serves no logs.
	PodLogs string
	// Domains are listed on the console page.
	Domains []string
	// MaxMessageBytes, when > 0, limits gRPC messages both ways (admin's server.grpc.maxMessageSizeBytes); 0 keeps
	// grpc-go's defaults (4 MiB received, no send limit), which is admin's default.
	MaxMessageBytes int
	Logger          *slog.Logger
}

type servers struct {
	grpc    *grpc.Server
	health  *health.Server
	handler http.Handler
}

// newServers builds the gRPC server, the HTTP mux and the handler that splits them: requests whose Content-Type is
// application/grpc* go to the gRPC server (its ServeHTTP), everything else to the mux.
func newServers(ctx context.Context, d deps) (*servers, error) {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	opts := []grpc.ServerOption{
		grpc.ChainUnaryInterceptor(unaryInterceptor(d.Logger)),
		grpc.ChainStreamInterceptor(streamInterceptor(d.Logger)),
		// flytekit pings every 30 s, also without calls. The policy below is what grpc-go would enforce on
		// connections it serves itself; under ServeHTTP the net/http HTTP/2 server answers every PING and enforces
		// nothing, so pings are never refused either way.
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: 10 * time.Second, PermitWithoutStream: true}),
	}
	if d.MaxMessageBytes > 0 {
		opts = append(opts, grpc.MaxRecvMsgSize(d.MaxMessageBytes), grpc.MaxSendMsgSize(d.MaxMessageBytes))
	}
	gs := grpc.NewServer(opts...)
	service.RegisterAdminServiceServer(gs, d.Admin)
	service.RegisterDataProxyServiceServer(gs, d.DataProxy)
	service.RegisterAuthMetadataServiceServer(gs, d.Auth)
	service.RegisterIdentityServiceServer(gs, d.Identity)
	hs := health.NewServer()
	hs.SetServingStatus("flyteadmin", grpc_health_v1.HealthCheckResponse_SERVING)
	grpc_health_v1.RegisterHealthServer(gs, hs)
	reflection.Register(gs)

	mux, err := newHTTPMux(ctx, d)
	if err != nil {
		return nil, err
	}
	httpSide := logHTTP(d.Logger, cors(mux))
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.Header.Get("Content-Type"), "application/grpc") {
			gs.ServeHTTP(w, r)
			return
		}
		httpSide.ServeHTTP(w, r)
	})
	return &servers{grpc: gs, health: hs, handler: handler}, nil
}

// newHTTPMux is the HTTP side: FlyteAdmin's REST gateway and the lab's own pages.
func newHTTPMux(ctx context.Context, d deps) (*http.ServeMux, error) {
	gw := runtime.NewServeMux(
		// As admin's newHTTPServer: protobuf for application/octet-stream, snake_case JSON with every field for
		// application/json (other Accept types get grpc-gateway's default camelCase JSON, as in admin).
		runtime.WithMarshalerOption("application/octet-stream", &runtime.ProtoMarshaller{}),
		runtime.WithMarshalerOption("application/json", &runtime.JSONPb{MarshalOptions: protojson.MarshalOptions{
			UseProtoNames: true, EmitUnpopulated: true, EmitDefaultValues: true,
		}}),
		runtime.WithForwardResponseOption(userInfoHeaders),
		runtime.WithIncomingHeaderMatcher(headerMatcher),
	)
	if err := gateway.RegisterAdminServiceHandlerServer(ctx, gw, d.Admin); err != nil {
		return nil, fmt.Errorf("registering admin service gateway: %w", err)
	}
	if err := gateway.RegisterAuthMetadataServiceHandlerServer(ctx, gw, d.Auth); err != nil {
		return nil, fmt.Errorf("registering auth metadata gateway: %w", err)
	}
	if err := gateway.RegisterIdentityServiceHandlerServer(ctx, gw, d.Identity); err != nil {
		return nil, fmt.Errorf("registering identity gateway: %w", err)
	}
	if err := gateway.RegisterDataProxyServiceHandlerServer(ctx, gw, d.DataProxy); err != nil {
		return nil, fmt.Errorf("registering data proxy gateway: %w", err)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("/healthcheck", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	mux.HandleFunc("/api/v1/openapi", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(assets.AdminSwaggerFile)
	})
	mux.Handle("/logs/", &logsHandler{dir: d.PodLogs})
	c := &console{admin: d.Admin, domains: d.Domains, logger: d.Logger}
	mux.Handle("/console", c)
	mux.Handle("/console/", c)
	noAuth := func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "flyte-lab: "+r.URL.Path+" is not served: the lab is open (no authentication, no OAuth2 server); "+
			"clients need no token", http.StatusNotFound)
	}
	for _, p := range []string{"/oauth2/", "/login", "/logout", "/callback", "/.well-known/openid-configuration"} {
		mux.HandleFunc(p, noAuth)
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			// The sandbox's ingress sends / to the console.
			http.Redirect(w, r, "/console/", http.StatusFound)
			return
		}
		gw.ServeHTTP(w, r)
	})
	return mux, nil
}

// headerMatcher is admin's auth.GetCustomHeaderMatcher: X-Request-Id passes through, plus grpc-gateway's defaults.
func headerMatcher(key string) (string, bool) {
	if textproto.CanonicalMIMEHeaderKey(key) == "X-Request-Id" {
		return "X-Request-Id", true
	}
	return runtime.DefaultHeaderMatcher(key)
}

// userInfoHeaders is admin's auth.GetUserInfoForwardResponseHandler: UserInfo responses set X-User-Subject and one
// X-User-Claim-* header per additional claim.
func userInfoHeaders(ctx context.Context, w http.ResponseWriter, m proto.Message) error {
	info, ok := m.(*service.UserInfoResponse)
	if !ok {
		return nil
	}
	for k, v := range info.GetAdditionalClaims().GetFields() {
		b, err := v.MarshalJSON()
		if err != nil {
			continue
		}
		w.Header().Set("X-User-Claim-"+strings.ReplaceAll(k, "_", "-"), string(b))
	}
	w.Header().Set("X-User-Subject", info.GetSubject())
	return nil
}

// cors is admin's CORS setting (server.security.allowCors with allowedOrigins ["*"], allowedHeaders Content-Type and
// flyte-authorization, credentials allowed).
func cors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin == "" {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Access-Control-Allow-Credentials", "true")
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			w.Header().Set("Access-Control-Allow-Methods", "GET, POST, DELETE, HEAD, PUT, PATCH")
			w.Header().Set("Access-Control-Allow-Headers", "Content-Type, flyte-authorization")
			w.WriteHeader(http.StatusOK)
			return
		}
		next.ServeHTTP(w, r)
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logHTTP logs one line per HTTP request: method, path, status, bytes, duration.
func logHTTP(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				log.Error("http handler panic", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				if sw.status == 0 {
					http.Error(sw, "internal error", http.StatusInternalServerError)
				}
			}
			if sw.status == 0 {
				sw.status = http.StatusOK
			}
			log.Info("http", "method", r.Method, "path", r.URL.Path, "status", sw.status, "bytes", sw.bytes,
				"duration", time.Since(start).Round(time.Microsecond).String(), "proto", r.Proto, "remote", r.RemoteAddr)
		}()
		next.ServeHTTP(sw, r)
	})
}

// rpcError turns what a handler returned into a gRPC status. Errors without one become INTERNAL (grpc-go would send
// UNKNOWN, which flytekit's AuthUnaryInterceptor treats like UNAUTHENTICATED and answers with a login attempt);
// context errors keep their codes. A panic becomes INTERNAL, as admin's recovery interceptor does.
func rpcError(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return status.FromContextError(err).Err()
	}
	return status.Error(codes.Internal, err.Error())
}

func logRPC(log *slog.Logger, ctx context.Context, method string, start time.Time, err error) {
	code := status.Code(err)
	attrs := []any{"method", method, "code", code.String(), "duration", time.Since(start).Round(time.Microsecond).String()}
	if p, ok := peer.FromContext(ctx); ok && p.Addr != nil {
		attrs = append(attrs, "peer", p.Addr.String())
	}
	switch code {
	case codes.OK, codes.Canceled, codes.InvalidArgument, codes.NotFound, codes.AlreadyExists,
		codes.FailedPrecondition, codes.OutOfRange, codes.Aborted, codes.PermissionDenied, codes.Unauthenticated:
		if err != nil {
			attrs = append(attrs, "error", status.Convert(err).Message())
		}
		log.Info("rpc", attrs...)
	default:
		attrs = append(attrs, "error", status.Convert(err).Message())
		log.Warn("rpc", attrs...)
	}
}

func unaryInterceptor(log *slog.Logger) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
		start := time.Now()
		defer func() {
			if p := recover(); p != nil {
				log.Error("rpc panic", "method", info.FullMethod, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				resp, err = nil, status.Errorf(codes.Internal, "panic in %s: %v", info.FullMethod, p)
			}
			logRPC(log, ctx, info.FullMethod, start, err)
		}()
		resp, err = handler(ctx, req)
		return resp, rpcError(ctx, err)
	}
}

func streamInterceptor(log *slog.Logger) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) (err error) {
		start := time.Now()
		defer func() {
			if p := recover(); p != nil {
				log.Error("rpc panic", "method", info.FullMethod, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				err = status.Errorf(codes.Internal, "panic in %s: %v", info.FullMethod, p)
			}
			logRPC(log, ss.Context(), info.FullMethod, start, err)
		}()
		return rpcError(ss.Context(), handler(srv, ss))
	}
}
