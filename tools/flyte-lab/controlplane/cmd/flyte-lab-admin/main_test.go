package main

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/service"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health/grpc_health_v1"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/unionml-ts/tools/flyte-lab/controlplane/internal/authsvc"
	"github.com/unionml-ts/tools/flyte-lab/controlplane/internal/blob"
	"github.com/unionml-ts/tools/flyte-lab/controlplane/internal/dataproxy"
)

// fakeAdmin answers a few AdminService calls.
type fakeAdmin struct {
	service.UnimplementedAdminServiceServer
}

func (fakeAdmin) ListProjects(context.Context, *admin.ProjectListRequest) (*admin.Projects, error) {
	return &admin.Projects{Projects: []*admin.Project{{Id: "flytesnacks", Name: "flytesnacks",
		Domains: []*admin.Domain{{Id: "development", Name: "development"}}}}}, nil
}

func (fakeAdmin) ListExecutions(_ context.Context, r *admin.ResourceListRequest) (*admin.ExecutionList, error) {
	return &admin.ExecutionList{Executions: []*admin.Execution{{
		Id:      &core.WorkflowExecutionIdentifier{Project: r.GetId().GetProject(), Domain: r.GetId().GetDomain(), Name: "abc123"},
		Spec:    &admin.ExecutionSpec{LaunchPlan: &core.Identifier{Name: "wf", Version: "v1"}},
		Closure: &admin.ExecutionClosure{Phase: core.WorkflowExecution_SUCCEEDED, CreatedAt: timestamppb.Now()},
	}}}, nil
}

func (fakeAdmin) GetExecution(_ context.Context, r *admin.WorkflowExecutionGetRequest) (*admin.Execution, error) {
	switch r.GetId().GetName() {
	case "plain-error":
		return nil, errors.New("something broke")
	case "panic":
		panic("boom")
	case "abc123":
		return &admin.Execution{Id: r.GetId(), Closure: &admin.ExecutionClosure{Phase: core.WorkflowExecution_RUNNING}}, nil
	}
	return nil, status.Errorf(codes.NotFound, "execution %s not found", r.GetId().GetName())
}

func (fakeAdmin) ListNodeExecutions(_ context.Context, r *admin.NodeExecutionListRequest) (*admin.NodeExecutionList, error) {
	return &admin.NodeExecutionList{NodeExecutions: []*admin.NodeExecution{{
		Id:      &core.NodeExecutionIdentifier{NodeId: "n0", ExecutionId: r.GetWorkflowExecutionId()},
		Closure: &admin.NodeExecutionClosure{Phase: core.NodeExecution_RUNNING},
	}}}, nil
}

func (fakeAdmin) ListTaskExecutions(_ context.Context, r *admin.TaskExecutionListRequest) (*admin.TaskExecutionList, error) {
	return &admin.TaskExecutionList{TaskExecutions: []*admin.TaskExecution{{
		Id: &core.TaskExecutionIdentifier{NodeExecutionId: r.GetNodeExecutionId()},
		Closure: &admin.TaskExecutionClosure{Phase: core.TaskExecution_RUNNING,
			Logs: []*core.TaskLog{{Name: "pod log", Uri: "http://localhost:30080/logs/flytesnacks-development/abc123-n0-0/abc123-n0-0"}}},
	}}}, nil
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type testServer struct {
	addr string
	logs *syncBuffer
	dir  string
}

func startServer(t *testing.T) *testServer {
	t.Helper()
	bs, err := blob.New(blob.Config{Endpoint: "http://127.0.0.1:30002", AccessKey: "minio", SecretKey: "miniostorage", Bucket: "my-s3-bucket"})
	if err != nil {
		t.Fatal(err)
	}
	dp, err := dataproxy.New(dataproxy.Config{Blob: bs})
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{logs: &syncBuffer{}, dir: t.TempDir()}
	log := slog.New(slog.NewTextHandler(ts.logs, nil))
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := newServers(ctx, deps{
		Admin: fakeAdmin{}, DataProxy: dp, Auth: authsvc.NewAuthMetadata(authsvc.Config{}), Identity: authsvc.NewIdentity(),
		PodLogs: ts.dir, Domains: []string{"development"}, Logger: log,
	})
	if err != nil {
		t.Fatal(err)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: srv.handler, Protocols: new(http.Protocols)}
	hs.Protocols.SetHTTP1(true)
	hs.Protocols.SetUnencryptedHTTP2(true)
	go func() { _ = hs.Serve(lis) }()
	t.Cleanup(func() {
		cancel()
		sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer scancel()
		_ = hs.Shutdown(sctx)
		srv.grpc.Stop()
	})
	ts.addr = lis.Addr().String()
	return ts
}

func TestGRPCOverH2C(t *testing.T) {
	ts := startServer(t)
	conn, err := grpc.NewClient("passthrough:///"+ts.addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	adminClient := service.NewAdminServiceClient(conn)
	projects, err := adminClient.ListProjects(ctx, &admin.ProjectListRequest{})
	if err != nil || len(projects.GetProjects()) != 1 || projects.GetProjects()[0].GetId() != "flytesnacks" {
		t.Fatalf("ListProjects: %v %v", projects, err)
	}
	// Unimplemented calls, plain errors and panics keep or get proper codes (never UNKNOWN).
	_, err = adminClient.GetVersion(ctx, &admin.GetVersionRequest{})
	if status.Code(err) != codes.Unimplemented {
		t.Errorf("GetVersion: %v", err)
	}
	_, err = adminClient.GetExecution(ctx, &admin.WorkflowExecutionGetRequest{Id: &core.WorkflowExecutionIdentifier{Name: "plain-error"}})
	if status.Code(err) != codes.Internal || status.Convert(err).Message() != "something broke" {
		t.Errorf("plain error: %v", err)
	}
	_, err = adminClient.GetExecution(ctx, &admin.WorkflowExecutionGetRequest{Id: &core.WorkflowExecutionIdentifier{Name: "panic"}})
	if status.Code(err) != codes.Internal {
		t.Errorf("panic: %v", err)
	}
	_, err = adminClient.GetExecution(ctx, &admin.WorkflowExecutionGetRequest{Id: &core.WorkflowExecutionIdentifier{Name: "nope"}})
	if status.Code(err) != codes.NotFound {
		t.Errorf("not found: %v", err)
	}

	hc := grpc_health_v1.NewHealthClient(conn)
	for _, svc := range []string{"", "flyteadmin"} {
		r, err := hc.Check(ctx, &grpc_health_v1.HealthCheckRequest{Service: svc})
		if err != nil || r.GetStatus() != grpc_health_v1.HealthCheckResponse_SERVING {
			t.Errorf("health %q: %v %v", svc, r, err)
		}
	}

	auth := service.NewAuthMetadataServiceClient(conn)
	pc, err := auth.GetPublicClientConfig(ctx, &service.PublicClientAuthConfigRequest{})
	if err != nil || pc.GetClientId() != "flytectl" || pc.GetAuthorizationMetadataKey() != "flyte-authorization" ||
		pc.GetRedirectUri() != "http://localhost:53593/callback" || strings.Join(pc.GetScopes(), ",") != "all,offline" {
		t.Errorf("GetPublicClientConfig: %v %v", pc, err)
	}
	md, err := auth.GetOAuth2Metadata(ctx, &service.OAuth2MetadataRequest{})
	if err != nil || md.GetIssuer() != "http://"+ts.addr || md.GetTokenEndpoint() != "http://"+ts.addr+"/oauth2/token" {
		t.Errorf("GetOAuth2Metadata: %v %v", md, err)
	}
	ui, err := service.NewIdentityServiceClient(conn).UserInfo(ctx, &service.UserInfoRequest{})
	if err != nil || ui.GetSubject() != "" {
		t.Errorf("UserInfo: %v %v", ui, err)
	}

	dp := service.NewDataProxyServiceClient(conn)
	sum := md5.Sum([]byte("x"))
	up, err := dp.CreateUploadLocation(ctx, &service.CreateUploadLocationRequest{Project: "flytesnacks", Domain: "development", ContentMd5: sum[:], Filename: "x.tar.gz"})
	if err != nil || !strings.HasPrefix(up.GetNativeUrl(), "s3://my-s3-bucket/flytesnacks/development/") {
		t.Errorf("CreateUploadLocation: %v %v", up, err)
	}

	// Reflection lists the services.
	stream, err := reflectionpb.NewServerReflectionClient(conn).ServerReflectionInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(&reflectionpb.ServerReflectionRequest{MessageRequest: &reflectionpb.ServerReflectionRequest_ListServices{}}); err != nil {
		t.Fatal(err)
	}
	rr, err := stream.Recv()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range rr.GetListServicesResponse().GetService() {
		names = append(names, s.GetName())
	}
	for _, want := range []string{"flyteidl.service.AdminService", "flyteidl.service.DataProxyService", "flyteidl.service.AuthMetadataService",
		"flyteidl.service.IdentityService", "grpc.health.v1.Health"} {
		if !strings.Contains(strings.Join(names, " "), want) {
			t.Errorf("reflection lists %v, not %s", names, want)
		}
	}
	_ = stream.CloseSend()

	// One log line per RPC, with method, code and duration.
	logs := ts.logs.String()
	for _, want := range []string{
		`msg=rpc method=/flyteidl.service.AdminService/ListProjects code=OK duration=`,
		`msg=rpc method=/flyteidl.service.AdminService/GetExecution code=Internal duration=`,
		`msg="rpc panic" method=/flyteidl.service.AdminService/GetExecution panic=boom`,
		`msg=rpc method=/grpc.health.v1.Health/Check code=OK`,
	} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %q:\n%s", want, logs)
		}
	}
}

func httpGet(t *testing.T, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestHTTPSide(t *testing.T) {
	ts := startServer(t)
	base := "http://" + ts.addr
	h2 := &http.Client{Transport: &http.Transport{Protocols: func() *http.Protocols {
		p := new(http.Protocols)
		p.SetUnencryptedHTTP2(true)
		return p
	}()}}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	for _, c := range []struct {
		name   string
		client *http.Client
		proto  int
	}{{"HTTP/1.1", http.DefaultClient, 1}, {"h2c", h2, 2}} {
		resp, _ := httpGet(t, c.client, base+"/healthcheck")
		if resp.StatusCode != 200 || resp.ProtoMajor != c.proto {
			t.Errorf("%s /healthcheck: %d %s", c.name, resp.StatusCode, resp.Proto)
		}
		// The REST gateway, snake_case JSON with Accept: application/json as admin's.
		req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/projects", nil)
		req.Header.Set("Accept", "application/json")
		r, err := c.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(r.Body)
		r.Body.Close()
		if r.StatusCode != 200 || !strings.Contains(string(body), `"id":"flytesnacks"`) || !strings.Contains(string(body), `"token":""`) {
			t.Errorf("%s /api/v1/projects: %d %s", c.name, r.StatusCode, body)
		}
	}

	resp, body := httpGet(t, http.DefaultClient, base+"/config/v1/flyte_client")
	var pc map[string]any
	if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &pc) != nil || pc["client_id"] != "flytectl" && pc["clientId"] != "flytectl" {
		t.Errorf("/config/v1/flyte_client: %d %s", resp.StatusCode, body)
	}
	resp, body = httpGet(t, http.DefaultClient, base+"/.well-known/oauth-authorization-server")
	if resp.StatusCode != 200 || !strings.Contains(body, "http://"+ts.addr+"/oauth2/authorize") {
		t.Errorf("/.well-known/oauth-authorization-server: %d %s", resp.StatusCode, body)
	}
	resp, _ = httpGet(t, http.DefaultClient, base+"/me")
	if resp.StatusCode != 200 || resp.Header.Get("X-User-Subject") != "" {
		t.Errorf("/me: %d %v", resp.StatusCode, resp.Header)
	}
	resp, body = httpGet(t, http.DefaultClient, base+"/oauth2/token")
	if resp.StatusCode != 404 || !strings.Contains(body, "no authentication") {
		t.Errorf("/oauth2/token: %d %s", resp.StatusCode, body)
	}
	resp, body = httpGet(t, http.DefaultClient, base+"/api/v1/executions/flytesnacks/development/nope")
	if resp.StatusCode != 404 || !strings.Contains(body, "not found") {
		t.Errorf("REST NotFound: %d %s", resp.StatusCode, body)
	}
	resp, body = httpGet(t, http.DefaultClient, base+"/api/v1/openapi")
	if resp.StatusCode != 200 || !strings.Contains(body, `"swagger"`) {
		t.Errorf("/api/v1/openapi: %d", resp.StatusCode)
	}
	// The data proxy over REST.
	r, err := http.Post(base+"/api/v1/dataproxy/artifact_urn", "application/json",
		strings.NewReader(`{"project":"flytesnacks","domain":"development","filename_root":"r","filename":"f.txt","content_md5":"ERERERERERERERERERERERE="}`))
	if err == nil {
		b, _ := io.ReadAll(r.Body)
		r.Body.Close()
		// No MinIO needed unless the object might exist: filename_root+filename makes admin check, so accept a
		// signed URL (MinIO up) or the Internal error of an unreachable store.
		if !(r.StatusCode == 200 && strings.Contains(string(b), `"native_url":"s3://my-s3-bucket/flytesnacks/development/r/f.txt"`)) && r.StatusCode != 500 {
			t.Errorf("POST /api/v1/dataproxy/artifact_urn: %d %s", r.StatusCode, b)
		}
	} else {
		t.Fatal(err)
	}

	resp, _ = httpGet(t, noRedirect, base+"/")
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/console/" {
		t.Errorf("/: %d %v", resp.StatusCode, resp.Header)
	}
	resp, body = httpGet(t, http.DefaultClient, base+"/console")
	if resp.StatusCode != 200 || !strings.Contains(body, "not</b> Flyte's console") || !strings.Contains(body, "/console/projects/flytesnacks/domains/development/executions/abc123") {
		t.Errorf("/console: %d %s", resp.StatusCode, body)
	}
	resp, body = httpGet(t, http.DefaultClient, base+"/console/projects/flytesnacks/domains/development/executions/abc123")
	if resp.StatusCode != 200 || !strings.Contains(body, "RUNNING") || !strings.Contains(body, "/logs/flytesnacks-development/abc123-n0-0/abc123-n0-0") ||
		!strings.Contains(body, "/api/v1/data/node_executions/flytesnacks/development/abc123/n0") {
		t.Errorf("execution page: %d %s", resp.StatusCode, body)
	}
	resp, _ = httpGet(t, http.DefaultClient, base+"/console/projects/flytesnacks/domains/development/executions/nope")
	if resp.StatusCode != 404 {
		t.Errorf("missing execution page: %d", resp.StatusCode)
	}

	// A gRPC content type over HTTP/1.1 goes to the gRPC server, which refuses it.
	r, err = http.Post(base+"/flyteidl.service.AdminService/ListProjects", "application/grpc", strings.NewReader(""))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if r.StatusCode == 200 || !strings.Contains(string(b), "HTTP/2") {
		t.Errorf("gRPC over HTTP/1.1: %d %s", r.StatusCode, b)
	}

	if logs := ts.logs.String(); !strings.Contains(logs, `msg=http method=GET path=/healthcheck status=200`) {
		t.Errorf("no HTTP log line:\n%s", logs)
	}
}

func TestPodLogs(t *testing.T) {
	ts := startServer(t)
	base := "http://" + ts.addr
	dir := filepath.Join(ts.dir, "flytesnacks-development", "abc123-n0-0")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "abc123-n0-0.log"), []byte("hello from the task\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(ts.dir, "secret.log"), []byte("secret"), 0o644); err != nil {
		t.Fatal(err)
	}
	resp, body := httpGet(t, http.DefaultClient, base+"/logs/flytesnacks-development/abc123-n0-0/abc123-n0-0")
	if resp.StatusCode != 200 || body != "hello from the task\n" || resp.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Errorf("log: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	resp, body = httpGet(t, http.DefaultClient, base+"/logs/flytesnacks-development/abc123-n0-0/other")
	if resp.StatusCode != 404 || !strings.Contains(body, `no log for container "other" of pod "abc123-n0-0"`) {
		t.Errorf("missing log: %d %s", resp.StatusCode, body)
	}
	for _, p := range []string{
		"/logs/flytesnacks-development/abc123-n0-0/..%2f..%2fsecret",
		"/logs/..%2F/x/secret",
		"/logs/flytesnacks-development/..%5c/abc123-n0-0",
		"/logs/flytesnacks-development/abc123-n0-0",
		"/logs/a/b/c/d",
		"/logs/UPPER/b/c",
	} {
		resp, body := httpGet(t, http.DefaultClient, base+p)
		if resp.StatusCode != 400 && resp.StatusCode != 404 || strings.Contains(body, "secret") && !strings.Contains(body, `"`) {
			t.Errorf("%s: %d %s", p, resp.StatusCode, body)
		}
		if body == "secret" {
			t.Errorf("%s served a file outside the log folder", p)
		}
	}
	// Raw path traversal, without the client cleaning it.
	conn, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, _ = conn.Write([]byte("GET /logs/../secret.log HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
	raw, _ := io.ReadAll(conn)
	if strings.Contains(string(raw), "\r\n\r\nsecret") {
		t.Errorf("raw traversal served the file: %s", raw)
	}
}

// TestKeepalivePings sends HTTP/2 PINGs the way flytekit's channel does (every 30 s, also without calls), many of
// them back to back, and checks that the server acknowledges each and never sends GOAWAY (too_many_pings).
func TestKeepalivePings(t *testing.T) {
	ts := startServer(t)
	conn, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := conn.Write([]byte(http2.ClientPreface)); err != nil {
		t.Fatal(err)
	}
	fr := http2.NewFramer(conn, conn)
	if err := fr.WriteSettings(); err != nil {
		t.Fatal(err)
	}
	// One gRPC call first, then idle pings.
	var hb bytes.Buffer
	enc := hpack.NewEncoder(&hb)
	for _, f := range [][2]string{{":method", "POST"}, {":scheme", "http"}, {":path", "/grpc.health.v1.Health/Check"},
		{":authority", ts.addr}, {"content-type", "application/grpc"}, {"te", "trailers"}} {
		_ = enc.WriteField(hpack.HeaderField{Name: f[0], Value: f[1]})
	}
	if err := fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: hb.Bytes(), EndHeaders: true}); err != nil {
		t.Fatal(err)
	}
	if err := fr.WriteData(1, true, []byte{0, 0, 0, 0, 0}); err != nil { // empty HealthCheckRequest
		t.Fatal(err)
	}
	const pings = 50
	for i := 0; i < pings; i++ {
		if err := fr.WritePing(false, [8]byte{byte(i)}); err != nil {
			t.Fatal(err)
		}
	}
	acks := 0
	for acks < pings {
		f, err := fr.ReadFrame()
		if err != nil {
			t.Fatalf("after %d acks: %v", acks, err)
		}
		switch f := f.(type) {
		case *http2.PingFrame:
			if f.IsAck() {
				acks++
			}
		case *http2.GoAwayFrame:
			t.Fatalf("GOAWAY %v %s after %d acks", f.ErrCode, f.DebugData(), acks)
		case *http2.SettingsFrame:
			if !f.IsAck() {
				_ = fr.WriteSettingsAck()
			}
		}
	}
}

// TestShutdownWithOpenGRPCConnection: an idle gRPC client connection (as propeller and FlyteRemote keep) does not
// hold up a graceful shutdown.
func TestShutdownWithOpenGRPCConnection(t *testing.T) {
	bs, _ := blob.New(blob.Config{Endpoint: "http://127.0.0.1:1", Bucket: "b"})
	dp, _ := dataproxy.New(dataproxy.Config{Blob: bs})
	srv, err := newServers(context.Background(), deps{Admin: fakeAdmin{}, DataProxy: dp, Auth: authsvc.NewAuthMetadata(authsvc.Config{}),
		Identity: authsvc.NewIdentity(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: srv.handler, Protocols: new(http.Protocols)}
	hs.Protocols.SetHTTP1(true)
	hs.Protocols.SetUnencryptedHTTP2(true)
	done := make(chan error, 1)
	go func() { done <- hs.Serve(lis) }()
	conn, err := grpc.NewClient("passthrough:///"+lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := service.NewAdminServiceClient(conn).ListProjects(context.Background(), &admin.ProjectListRequest{}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v after %v", err, time.Since(start))
	}
	srv.grpc.Stop()
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("shutdown took %v", d)
	}
	if err := <-done; err != http.ErrServerClosed {
		t.Errorf("Serve: %v", err)
	}
}
