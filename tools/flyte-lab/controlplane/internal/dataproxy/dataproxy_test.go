package dataproxy

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base32"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/service"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/unionml-ts/tools/flyte-lab/controlplane/internal/blob"
)

var fixedNow = time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)

// offlineService signs URLs without contacting any endpoint (presigning is local).
func offlineService(t *testing.T, ex Executions) *Service {
	t.Helper()
	bs, err := blob.New(blob.Config{Endpoint: "http://127.0.0.1:1", AccessKey: "minio", SecretKey: "miniostorage", Bucket: "my-s3-bucket"})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{Blob: bs, Executions: ex, Now: func() time.Time { return fixedNow }})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func wantCode(t *testing.T, err error, code codes.Code, msgPart string) {
	t.Helper()
	if status.Code(err) != code {
		t.Fatalf("got %v, want code %v", err, code)
	}
	if msgPart != "" && !strings.Contains(status.Convert(err).Message(), msgPart) {
		t.Fatalf("message %q does not contain %q", status.Convert(err).Message(), msgPart)
	}
}

func TestCreateUploadLocationValidation(t *testing.T) {
	s := offlineService(t, nil)
	ctx := context.Background()
	md5sum := md5.Sum([]byte("x"))
	_, err := s.CreateUploadLocation(ctx, &service.CreateUploadLocationRequest{Domain: "development", ContentMd5: md5sum[:]})
	wantCode(t, err, codes.InvalidArgument, "project and domain are required parameters")
	_, err = s.CreateUploadLocation(ctx, &service.CreateUploadLocationRequest{Project: "flytesnacks", Domain: "development"})
	wantCode(t, err, codes.InvalidArgument, "content_md5 or filename_root is a required parameter")
	_, err = s.CreateUploadLocation(ctx, &service.CreateUploadLocationRequest{Project: "flytesnacks", Domain: "development",
		ContentMd5: md5sum[:], ExpiresIn: durationpb.New(2 * time.Hour)})
	wantCode(t, err, codes.InvalidArgument, "expiresIn [2h0m0s] cannot exceed max allowed expiration [1h0m0s]")
	_, err = s.CreateUploadLocation(ctx, &service.CreateUploadLocationRequest{Project: "flytesnacks", Domain: "development",
		ContentMd5: md5sum[:], ExpiresIn: &durationpb.Duration{Seconds: 1, Nanos: -1}})
	wantCode(t, err, codes.InvalidArgument, "is invalid")
}

func TestCreateUploadLocationPaths(t *testing.T) {
	s := offlineService(t, nil)
	ctx := context.Background()
	sum := md5.Sum([]byte("fast register tarball"))
	b32 := base32.StdEncoding.EncodeToString(sum[:])
	b64 := base64.StdEncoding.EncodeToString(sum[:])

	// pyflyte register / FlyteRemote.upload_file: md5 and filename, add_content_md5_metadata.
	resp, err := s.CreateUploadLocation(ctx, &service.CreateUploadLocationRequest{
		Project: "flytesnacks", Domain: "development", Filename: "fast1234.tar.gz", ContentMd5: sum[:], AddContentMd5Metadata: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := "s3://my-s3-bucket/flytesnacks/development/" + b32 + "/fast1234.tar.gz"; resp.GetNativeUrl() != want {
		t.Errorf("native_url %q, want %q", resp.GetNativeUrl(), want)
	}
	wantHeaders := map[string]string{"Content-Length": "24", "Content-MD5": b64, "x-amz-meta-flyteContentMD5": b64}
	if fmt.Sprint(resp.GetHeaders()) != fmt.Sprint(wantHeaders) {
		t.Errorf("headers %v, want %v", resp.GetHeaders(), wantHeaders)
	}
	if got := resp.GetExpiresAt().AsTime(); !got.Equal(fixedNow.Add(time.Hour)) {
		t.Errorf("expires_at %v", got)
	}
	u, err := url.Parse(resp.GetSignedUrl())
	if err != nil {
		t.Fatal(err)
	}
	if u.Path != "/my-s3-bucket/flytesnacks/development/"+b32+"/fast1234.tar.gz" {
		t.Errorf("signed URL path %q", u.Path)
	}
	q := u.Query()
	if q.Get("X-Amz-Expires") != "3600" || !strings.Contains(q.Get("X-Amz-SignedHeaders"), "content-md5") ||
		!strings.Contains(q.Get("X-Amz-SignedHeaders"), "x-amz-meta-flytecontentmd5") {
		t.Errorf("signed URL query %v", q)
	}

	// Org, filename_root and no filename: a random 20-character name.
	resp, err = s.CreateUploadLocation(ctx, &service.CreateUploadLocationRequest{
		Project: "flytesnacks", Domain: "development", Org: "acme", FilenameRoot: "my-root", ExpiresIn: durationpb.New(time.Minute),
	})
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^s3://my-s3-bucket/acme/flytesnacks/development/my-root/[bcdfghjklmnpqrstvwxz2456789]{20}$`).MatchString(resp.GetNativeUrl()) {
		t.Errorf("native_url %q", resp.GetNativeUrl())
	}
	if resp.GetHeaders()["Content-MD5"] != "" || resp.GetHeaders()["Content-Length"] != "0" {
		t.Errorf("headers %v", resp.GetHeaders())
	}
	if strings.Contains(resp.GetSignedUrl(), "content-md5") {
		t.Errorf("no md5 was given, but it is signed: %s", resp.GetSignedUrl())
	}

	// A storage prefix comes first.
	s.cfg.StoragePrefix = "uploads"
	resp, err = s.CreateUploadLocation(ctx, &service.CreateUploadLocationRequest{Project: "p", Domain: "d", ContentMd5: sum[:], Filename: "f"})
	if err != nil {
		t.Fatal(err)
	}
	if want := "s3://my-s3-bucket/uploads/p/d/" + b32 + "/f"; resp.GetNativeUrl() != want {
		t.Errorf("native_url %q, want %q", resp.GetNativeUrl(), want)
	}
}

func TestCreateDownloadLocation(t *testing.T) {
	s := offlineService(t, nil)
	ctx := context.Background()
	resp, err := s.CreateDownloadLocation(ctx, &service.CreateDownloadLocationRequest{NativeUrl: "s3://other-bucket/a/b.pb"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(resp.GetSignedUrl(), "http://127.0.0.1:1/other-bucket/a/b.pb?") || !resp.GetExpiresAt().AsTime().Equal(fixedNow.Add(time.Hour)) {
		t.Errorf("got %v", resp)
	}
	_, err = s.CreateDownloadLocation(ctx, &service.CreateDownloadLocationRequest{NativeUrl: "s3://b/k", ExpiresIn: durationpb.New(-time.Second)})
	wantCode(t, err, codes.InvalidArgument, "should not less than 0")
	_, err = s.CreateDownloadLocation(ctx, &service.CreateDownloadLocationRequest{NativeUrl: "s3://b/k", ExpiresIn: durationpb.New(3 * time.Hour)})
	wantCode(t, err, codes.InvalidArgument, "cannot exceed max allowed expiration")
	_, err = s.CreateDownloadLocation(ctx, &service.CreateDownloadLocationRequest{NativeUrl: "/local/file"})
	wantCode(t, err, codes.Internal, "failed to create a signed url")
}

func TestParseFlyteURL(t *testing.T) {
	for _, tc := range []struct {
		in          string
		node        bool
		attempt     uint32
		io          ArtifactType
		literalName string
		err         bool
	}{
		{in: "flyte://v1/fs/dev/abc/n0/i", node: true, io: ArtifactTypeI},
		{in: "flyte://v1/fs/dev/abc/n0/o", node: true, io: ArtifactTypeO},
		{in: "flyte://v1/fs/dev/abc/n0/d", node: true, io: ArtifactTypeD},
		{in: "flyte://v1/fs/dev/abc/n0/2/o", attempt: 2, io: ArtifactTypeO},
		{in: "flyte://v1/fs/dev/abc/n0/o/o0", node: true, io: ArtifactTypeO, literalName: "o0"},
		{in: "flyte://v1/fs/dev/abc/n0/1/i/x", attempt: 1, io: ArtifactTypeI, literalName: "x"},
		{in: "flyte://v1/fs/dev/abc/n0/d/x", err: true},
		{in: "flyte://v1/fs/dev/abc/n0", err: true},
		{in: "flyte://v2/fs/dev/abc/n0/i", err: true},
	} {
		p, err := ParseFlyteURL(tc.in)
		if tc.err {
			if err == nil {
				t.Errorf("%s: no error", tc.in)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.in, err)
			continue
		}
		nid := p.NodeExecID
		if !tc.node {
			if p.PartialTaskExecID == nil || p.PartialTaskExecID.GetRetryAttempt() != tc.attempt {
				t.Errorf("%s: %+v", tc.in, p)
				continue
			}
			nid = p.PartialTaskExecID.GetNodeExecutionId()
		}
		want := &core.NodeExecutionIdentifier{NodeId: "n0", ExecutionId: &core.WorkflowExecutionIdentifier{Project: "fs", Domain: "dev", Name: "abc"}}
		if !proto.Equal(nid, want) || p.IOType != tc.io || p.LiteralName != tc.literalName {
			t.Errorf("%s: %+v", tc.in, p)
		}
	}
}

type fakeExecutions struct {
	nodeData map[string]*admin.NodeExecutionGetDataResponse
	taskData map[uint32]*admin.TaskExecutionGetDataResponse
	deckURI  string
	// filterSupported false: ListTaskExecutions refuses filters, as an admin service might that lacks the field.
	filterSupported bool
	listCalls       []string
}

func (f *fakeExecutions) GetNodeExecution(_ context.Context, r *admin.NodeExecutionGetRequest) (*admin.NodeExecution, error) {
	if r.GetId().GetNodeId() == "missing" {
		return nil, status.Error(codes.NotFound, "missing")
	}
	return &admin.NodeExecution{Id: r.GetId(), Closure: &admin.NodeExecutionClosure{DeckUri: f.deckURI}}, nil
}

func (f *fakeExecutions) GetNodeExecutionData(_ context.Context, r *admin.NodeExecutionGetDataRequest) (*admin.NodeExecutionGetDataResponse, error) {
	d, ok := f.nodeData[r.GetId().GetNodeId()]
	if !ok {
		return nil, status.Errorf(codes.NotFound, "node %s not found", r.GetId().GetNodeId())
	}
	return d, nil
}

func (f *fakeExecutions) ListTaskExecutions(_ context.Context, r *admin.TaskExecutionListRequest) (*admin.TaskExecutionList, error) {
	f.listCalls = append(f.listCalls, r.GetFilters())
	if r.GetFilters() != "" && !f.filterSupported {
		return nil, status.Error(codes.InvalidArgument, "unknown field retry_attempt")
	}
	var out []*admin.TaskExecution
	for attempt := range f.taskData {
		if r.GetFilters() == "" || r.GetFilters() == fmt.Sprintf("eq(retry_attempt,%d)", attempt) {
			out = append(out, &admin.TaskExecution{Id: &core.TaskExecutionIdentifier{
				NodeExecutionId: r.GetNodeExecutionId(), RetryAttempt: attempt,
				TaskId: &core.Identifier{ResourceType: core.ResourceType_TASK, Project: "fs", Domain: "dev", Name: "t", Version: "v1"},
			}})
		}
	}
	return &admin.TaskExecutionList{TaskExecutions: out}, nil
}

func (f *fakeExecutions) GetTaskExecutionData(_ context.Context, r *admin.TaskExecutionGetDataRequest) (*admin.TaskExecutionGetDataResponse, error) {
	if r.GetId().GetTaskId().GetName() != "t" {
		return nil, status.Error(codes.InvalidArgument, "task id not filled in")
	}
	d, ok := f.taskData[r.GetId().GetRetryAttempt()]
	if !ok {
		return nil, status.Error(codes.NotFound, "no such attempt")
	}
	return d, nil
}

func intLiteral(v int64) *core.Literal {
	return &core.Literal{Value: &core.Literal_Scalar{Scalar: &core.Scalar{Value: &core.Scalar_Primitive{Primitive: &core.Primitive{Value: &core.Primitive_Integer{Integer: v}}}}}}
}

func TestGetData(t *testing.T) {
	ex := &fakeExecutions{
		nodeData: map[string]*admin.NodeExecutionGetDataResponse{"n0": {
			FullInputs:  &core.LiteralMap{Literals: map[string]*core.Literal{"a": intLiteral(1)}},
			FullOutputs: &core.LiteralMap{Literals: map[string]*core.Literal{"o0": intLiteral(2)}},
		}},
		taskData: map[uint32]*admin.TaskExecutionGetDataResponse{1: {
			FullOutputs: &core.LiteralMap{Literals: map[string]*core.Literal{"o0": intLiteral(3)}},
		}},
	}
	s := offlineService(t, ex)
	ctx := context.Background()

	resp, err := s.GetData(ctx, &service.GetDataRequest{FlyteUrl: "flyte://v1/fs/dev/abc/n0/i"})
	if err != nil || resp.GetLiteralMap().GetLiterals()["a"].GetScalar().GetPrimitive().GetInteger() != 1 {
		t.Fatalf("inputs: %v %v", resp, err)
	}
	resp, err = s.GetData(ctx, &service.GetDataRequest{FlyteUrl: "flyte://v1/fs/dev/abc/n0/o/o0"})
	if err != nil || resp.GetLiteral().GetScalar().GetPrimitive().GetInteger() != 2 {
		t.Fatalf("output o0: %v %v", resp, err)
	}
	_, err = s.GetData(ctx, &service.GetDataRequest{FlyteUrl: "flyte://v1/fs/dev/abc/n0/o/nope"})
	wantCode(t, err, codes.InvalidArgument, "name [nope] not found in node execution")

	// A task attempt: admin's filter is tried first, then (InvalidArgument) an unfiltered listing.
	resp, err = s.GetData(ctx, &service.GetDataRequest{FlyteUrl: "flyte://v1/fs/dev/abc/n0/1/o/o0"})
	if err != nil || resp.GetLiteral().GetScalar().GetPrimitive().GetInteger() != 3 {
		t.Fatalf("attempt 1 o0: %v %v", resp, err)
	}
	if fmt.Sprint(ex.listCalls) != "[eq(retry_attempt,1) ]" {
		t.Errorf("list calls %q", ex.listCalls)
	}
	ex.filterSupported, ex.listCalls = true, nil
	if _, err = s.GetData(ctx, &service.GetDataRequest{FlyteUrl: "flyte://v1/fs/dev/abc/n0/1/o"}); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(ex.listCalls) != "[eq(retry_attempt,1)]" {
		t.Errorf("list calls %q", ex.listCalls)
	}
	_, err = s.GetData(ctx, &service.GetDataRequest{FlyteUrl: "flyte://v1/fs/dev/abc/n0/7/o"})
	wantCode(t, err, codes.InvalidArgument, "no task executions were listed")
	_, err = s.GetData(ctx, &service.GetDataRequest{FlyteUrl: "flyte://v1/fs/dev/abc/n0/1/d"})
	wantCode(t, err, codes.InvalidArgument, "deck type cannot be specified with a retry attempt")

	_, err = s.GetData(ctx, &service.GetDataRequest{FlyteUrl: "s3://x/y"})
	wantCode(t, err, codes.InvalidArgument, "request does not start with the correct prefix")
	_, err = s.GetData(ctx, &service.GetDataRequest{})
	wantCode(t, err, codes.InvalidArgument, "source is required")
	_, err = s.GetData(ctx, &service.GetDataRequest{FlyteUrl: "flyte://v1/fs/dev/abc"})
	wantCode(t, err, codes.InvalidArgument, "failed to parse artifact url")
	_, err = s.GetData(ctx, &service.GetDataRequest{FlyteUrl: "flyte://v1/fs/dev/abc/nx/i"})
	wantCode(t, err, codes.NotFound, "")

	// Deck without a deck URI.
	_, err = s.GetData(ctx, &service.GetDataRequest{FlyteUrl: "flyte://v1/fs/dev/abc/n0/d"})
	wantCode(t, err, codes.NotFound, "no deckUrl found")
}

func TestCreateDownloadLinkValidation(t *testing.T) {
	s := offlineService(t, &fakeExecutions{})
	ctx := context.Background()
	nid := &core.NodeExecutionIdentifier{NodeId: "n0", ExecutionId: &core.WorkflowExecutionIdentifier{Project: "fs", Domain: "dev", Name: "abc"}}
	_, err := s.CreateDownloadLink(ctx, &service.CreateDownloadLinkRequest{Source: &service.CreateDownloadLinkRequest_NodeExecutionId{NodeExecutionId: nid}})
	wantCode(t, err, codes.InvalidArgument, "invalid artifact type")
	_, err = s.CreateDownloadLink(ctx, &service.CreateDownloadLinkRequest{ArtifactType: service.ArtifactType_ARTIFACT_TYPE_DECK})
	wantCode(t, err, codes.InvalidArgument, "source is required")
	nid.NodeId = "missing"
	_, err = s.CreateDownloadLink(ctx, &service.CreateDownloadLinkRequest{ArtifactType: service.ArtifactType_ARTIFACT_TYPE_DECK,
		Source: &service.CreateDownloadLinkRequest_NodeExecutionId{NodeExecutionId: nid}})
	wantCode(t, err, codes.InvalidArgument, "failed to find node execution")
}

// --- against the lab's MinIO (FLYTE_LAB_S3_ENDPOINT, as tools/flyte-lab/.state/env sets it) ---

func minioService(t *testing.T, ex Executions) (*Service, *blob.Store) {
	t.Helper()
	endpoint := os.Getenv("FLYTE_LAB_S3_ENDPOINT")
	if endpoint == "" {
		t.Skip("FLYTE_LAB_S3_ENDPOINT is not set (start the lab's storage: tools/flyte-lab/up.sh; source .state/env)")
	}
	env := func(k, def string) string {
		if v := os.Getenv(k); v != "" {
			return v
		}
		return def
	}
	bs, err := blob.New(blob.Config{Endpoint: endpoint, AccessKey: env("FLYTE_LAB_S3_ACCESS_KEY", "minio"),
		SecretKey: env("FLYTE_LAB_S3_SECRET_KEY", "miniostorage"), Bucket: env("FLYTE_LAB_S3_BUCKET", "my-s3-bucket")})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := bs.EnsureBucket(ctx); err != nil {
		t.Fatalf("MinIO at %s: %v", endpoint, err)
	}
	s, err := New(Config{Blob: bs, Executions: ex})
	if err != nil {
		t.Fatal(err)
	}
	return s, bs
}

// cleanup deletes the objects a test wrote.
func cleanup(t *testing.T, bs *blob.Store, uris ...string) {
	t.Cleanup(func() {
		for _, u := range uris {
			if err := bs.Delete(context.Background(), u); err != nil {
				t.Logf("deleting %s: %v", u, err)
			}
		}
	})
}

const testProject = "flyte-lab-dataproxy-test"

func put(t *testing.T, signedURL string, body []byte, headers map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, signedURL, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(msg)
}

func get(t *testing.T, u string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func TestMinIOSignedUpload(t *testing.T) {
	s, bs := minioService(t, nil)
	ctx := context.Background()
	body := []byte(fmt.Sprintf("a fast-registration tarball %d", time.Now().UnixNano()))
	sum := md5.Sum(body)
	b64 := base64.StdEncoding.EncodeToString(sum[:])

	resp, err := s.CreateUploadLocation(ctx, &service.CreateUploadLocationRequest{
		Project: testProject, Domain: "development", Filename: "fast.tar.gz", ContentMd5: sum[:], AddContentMd5Metadata: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	cleanup(t, bs, resp.GetNativeUrl())

	// Without Content-MD5 (and the metadata header): refused, the signature covers them.
	if code, msg := put(t, resp.GetSignedUrl(), body, nil); code < 400 {
		t.Errorf("PUT without Content-MD5: %d %s", code, msg)
	}
	// Content-MD5 without the signed metadata header: refused too.
	if code, msg := put(t, resp.GetSignedUrl(), body, map[string]string{"Content-MD5": b64}); code < 400 {
		t.Errorf("PUT without x-amz-meta-flyteContentMD5: %d %s", code, msg)
	}
	// With a Content-MD5 of other content: refused.
	other := md5.Sum([]byte("other"))
	if code, msg := put(t, resp.GetSignedUrl(), body, map[string]string{"Content-MD5": base64.StdEncoding.EncodeToString(other[:]),
		"x-amz-meta-flyteContentMD5": b64}); code < 400 {
		t.Errorf("PUT with a wrong Content-MD5: %d %s", code, msg)
	}
	// Right Content-MD5, but content that does not match it: refused by MinIO's digest check.
	if code, msg := put(t, resp.GetSignedUrl(), []byte("tampered"), map[string]string{"Content-MD5": b64, "x-amz-meta-flyteContentMD5": b64}); code < 400 {
		t.Errorf("PUT of other content: %d %s", code, msg)
	}
	// As flytekit does: Content-MD5 and the response's headers (except its Content-Length, which the HTTP client
	// sets from the body).
	h := map[string]string{}
	for k, v := range resp.GetHeaders() {
		if k != "Content-Length" {
			h[k] = v
		}
	}
	if code, msg := put(t, resp.GetSignedUrl(), body, h); code != http.StatusOK {
		t.Fatalf("PUT with the signed headers: %d %s", code, msg)
	}
	obj, err := bs.Stat(ctx, resp.GetNativeUrl())
	if err != nil {
		t.Fatal(err)
	}
	if obj.Metadata["flytecontentmd5"] != b64 || obj.Size != int64(len(body)) {
		t.Errorf("stored object %+v", obj)
	}
	got, err := bs.Get(ctx, resp.GetNativeUrl())
	if err != nil || !bytes.Equal(got, body) {
		t.Fatalf("read back %q %v", got, err)
	}

	// A signed download of it.
	dl, err := s.CreateDownloadLocation(ctx, &service.CreateDownloadLocationRequest{NativeUrl: resp.GetNativeUrl(), ExpiresIn: durationpb.New(time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	if code, b := get(t, dl.GetSignedUrl()); code != http.StatusOK || !bytes.Equal(b, body) {
		t.Errorf("signed GET: %d %q", code, b)
	}
}

func TestMinIOUploadWithoutMetadata(t *testing.T) {
	s, bs := minioService(t, nil)
	ctx := context.Background()
	body := []byte("no metadata")
	sum := md5.Sum(body)
	resp, err := s.CreateUploadLocation(ctx, &service.CreateUploadLocationRequest{
		Project: testProject, Domain: "development", ContentMd5: sum[:], Filename: fmt.Sprintf("f%d", time.Now().UnixNano()),
	})
	if err != nil {
		t.Fatal(err)
	}
	cleanup(t, bs, resp.GetNativeUrl())
	if _, ok := resp.GetHeaders()["x-amz-meta-flyteContentMD5"]; ok {
		t.Errorf("headers %v", resp.GetHeaders())
	}
	if code, msg := put(t, resp.GetSignedUrl(), body, nil); code < 400 {
		t.Errorf("PUT without Content-MD5: %d %s", code, msg)
	}
	if code, msg := put(t, resp.GetSignedUrl(), body, map[string]string{"Content-MD5": base64.StdEncoding.EncodeToString(sum[:])}); code != http.StatusOK {
		t.Errorf("PUT with Content-MD5: %d %s", code, msg)
	}
}

// flytekit's FlyteFS (remote_fs.py) asks with filename_root only (no md5, add_content_md5_metadata defaulting to
// true) and PUTs without any header.
func TestMinIOUploadFilenameRootOnly(t *testing.T) {
	s, bs := minioService(t, nil)
	ctx := context.Background()
	resp, err := s.CreateUploadLocation(ctx, &service.CreateUploadLocationRequest{
		Project: testProject, Domain: "development", FilenameRoot: fmt.Sprintf("root%d", time.Now().UnixNano()), AddContentMd5Metadata: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	cleanup(t, bs, resp.GetNativeUrl())
	if _, ok := resp.GetHeaders()["x-amz-meta-flyteContentMD5"]; ok || strings.Contains(resp.GetSignedUrl(), "flytecontentmd5") {
		t.Errorf("an empty md5 was signed as metadata: %v %s", resp.GetHeaders(), resp.GetSignedUrl())
	}
	if code, msg := put(t, resp.GetSignedUrl(), []byte("data"), nil); code != http.StatusOK {
		t.Fatalf("PUT: %d %s", code, msg)
	}
	if got, err := bs.Get(ctx, resp.GetNativeUrl()); err != nil || string(got) != "data" {
		t.Fatalf("read back %q %v", got, err)
	}
}

func TestMinIOExistingFile(t *testing.T) {
	s, bs := minioService(t, nil)
	ctx := context.Background()
	root := fmt.Sprintf("root%d", time.Now().UnixNano())
	body := []byte("version 1")
	sum := md5.Sum(body)
	req := &service.CreateUploadLocationRequest{Project: testProject, Domain: "development", FilenameRoot: root, Filename: "f.txt", ContentMd5: sum[:], AddContentMd5Metadata: true}
	resp, err := s.CreateUploadLocation(ctx, proto.Clone(req).(*service.CreateUploadLocationRequest))
	if err != nil {
		t.Fatal(err)
	}
	plain := "s3://my-s3-bucket/" + testProject + "/development/" + root + "/plain.txt"
	cleanup(t, bs, resp.GetNativeUrl(), plain)
	h := map[string]string{"Content-MD5": resp.GetHeaders()["Content-MD5"], "x-amz-meta-flyteContentMD5": resp.GetHeaders()["x-amz-meta-flyteContentMD5"]}
	if code, msg := put(t, resp.GetSignedUrl(), body, h); code != http.StatusOK {
		t.Fatalf("PUT: %d %s", code, msg)
	}
	// Same path and hash: allowed again.
	if _, err := s.CreateUploadLocation(ctx, proto.Clone(req).(*service.CreateUploadLocationRequest)); err != nil {
		t.Errorf("same hash: %v", err)
	}
	// Another hash: AlreadyExists.
	other := md5.Sum([]byte("version 2"))
	r2 := proto.Clone(req).(*service.CreateUploadLocationRequest)
	r2.ContentMd5 = other[:]
	_, err = s.CreateUploadLocation(ctx, r2)
	wantCode(t, err, codes.AlreadyExists, "file already exists at location [s3://my-s3-bucket/"+testProject+"/development/"+root+"/f.txt]")
	// No hash: AlreadyExists.
	r3 := proto.Clone(req).(*service.CreateUploadLocationRequest)
	r3.ContentMd5 = nil
	_, err = s.CreateUploadLocation(ctx, r3)
	wantCode(t, err, codes.AlreadyExists, "specify a matching hash")

	// An object without the metadata: its ETag (hex md5) is compared.
	if err := bs.Put(ctx, plain, body); err != nil {
		t.Fatal(err)
	}
	r4 := proto.Clone(req).(*service.CreateUploadLocationRequest)
	r4.Filename = "plain.txt"
	if _, err := s.CreateUploadLocation(ctx, r4); err != nil {
		t.Errorf("matching ETag: %v", err)
	}
	r4.ContentMd5 = other[:]
	_, err = s.CreateUploadLocation(ctx, r4)
	wantCode(t, err, codes.AlreadyExists, "")
}

func TestMinIODownloadLink(t *testing.T) {
	ex := &fakeExecutions{}
	s, bs := minioService(t, ex)
	ctx := context.Background()
	deck := fmt.Sprintf("s3://my-s3-bucket/%s/%d/deck.html", testProject, time.Now().UnixNano())
	if err := bs.Put(ctx, deck, []byte("<html>deck</html>")); err != nil {
		t.Fatal(err)
	}
	cleanup(t, bs, deck)
	nid := &core.NodeExecutionIdentifier{NodeId: "n0", ExecutionId: &core.WorkflowExecutionIdentifier{Project: "fs", Domain: "dev", Name: "abc"}}
	req := &service.CreateDownloadLinkRequest{ArtifactType: service.ArtifactType_ARTIFACT_TYPE_DECK,
		Source: &service.CreateDownloadLinkRequest_NodeExecutionId{NodeExecutionId: nid}}

	ex.deckURI = deck + ".missing"
	_, err := s.CreateDownloadLink(ctx, req)
	wantCode(t, err, codes.NotFound, "object not found")

	ex.deckURI = deck
	resp, err := s.CreateDownloadLink(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.GetSignedUrl()) != 1 || resp.GetPreSignedUrls().GetSignedUrl()[0] != resp.GetSignedUrl()[0] {
		t.Fatalf("got %v", resp)
	}
	if code, b := get(t, resp.GetSignedUrl()[0]); code != http.StatusOK || string(b) != "<html>deck</html>" {
		t.Errorf("GET deck: %d %q", code, b)
	}
	// GetData for a deck gives the same kind of link.
	ex.nodeData = map[string]*admin.NodeExecutionGetDataResponse{"n0": {}}
	data, err := s.GetData(ctx, &service.GetDataRequest{FlyteUrl: "flyte://v1/fs/dev/abc/n0/d"})
	if err != nil || len(data.GetPreSignedUrls().GetSignedUrl()) != 1 {
		t.Fatalf("GetData deck: %v %v", data, err)
	}
}
