// Package dataproxy is the lab's DataProxyService (flyteidl's service.DataProxyServiceServer), written after
// FlyteAdmin's flyteadmin/dataproxy/service.go (v1.16.8): signed upload locations for fast registration and
// FlyteRemote, signed download locations and links, and GetData for flyte:// URLs. Objects live in the lab's MinIO
// (internal/blob); node and task execution data come from the admin service (Executions).
package dataproxy

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"net/url"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/service"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/unionml-ts/tools/flyte-lab/controlplane/internal/blob"
)

// FlyteContentMD5 is the user-metadata key that carries an upload's MD5 (stow.FlyteContentMD5). S3 stores it as the
// x-amz-meta-flytecontentmd5 header.
const FlyteContentMD5 = "flyteContentMD5"

// Executions is what GetData and CreateDownloadLink need from the admin service. adminsvc.Service (any
// service.AdminServiceServer) satisfies it.
type Executions interface {
	GetNodeExecution(context.Context, *admin.NodeExecutionGetRequest) (*admin.NodeExecution, error)
	GetNodeExecutionData(context.Context, *admin.NodeExecutionGetDataRequest) (*admin.NodeExecutionGetDataResponse, error)
	ListTaskExecutions(context.Context, *admin.TaskExecutionListRequest) (*admin.TaskExecutionList, error)
	GetTaskExecutionData(context.Context, *admin.TaskExecutionGetDataRequest) (*admin.TaskExecutionGetDataResponse, error)
}

// Config is FlyteAdmin's server.dataProxy section plus what the lab wires in. Zero values take admin's defaults.
type Config struct {
	Blob       *blob.Store
	Executions Executions
	// UploadMaxExpiresIn: dataProxy.upload.maxExpiresIn (default 1h); also the expiry when a request gives none.
	UploadMaxExpiresIn time.Duration
	// DownloadMaxExpiresIn: dataProxy.download.maxExpiresIn (default 1h).
	DownloadMaxExpiresIn time.Duration
	// DefaultFileNameLength: dataProxy.upload.defaultFileNameLength (default 20), for requests without a filename.
	DefaultFileNameLength int
	// StoragePrefix: dataProxy.upload.storagePrefix (default "", as in the sandbox): the first path part of uploads.
	StoragePrefix string
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Service implements service.DataProxyServiceServer.
type Service struct {
	service.UnimplementedDataProxyServiceServer
	cfg Config
}

// New makes the service.
func New(cfg Config) (*Service, error) {
	if cfg.Blob == nil {
		return nil, fmt.Errorf("dataproxy: Blob is required")
	}
	if cfg.UploadMaxExpiresIn == 0 {
		cfg.UploadMaxExpiresIn = time.Hour
	}
	if cfg.DownloadMaxExpiresIn == 0 {
		cfg.DownloadMaxExpiresIn = time.Hour
	}
	if cfg.DefaultFileNameLength == 0 {
		cfg.DefaultFileNameLength = 20
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{cfg: cfg}, nil
}

func errorf(code codes.Code, format string, args ...any) error {
	return status.Errorf(code, format, args...)
}

// CreateUploadLocation makes a signed PUT URL, as FlyteAdmin's does: the object goes to
// s3://<bucket>/[<storagePrefix>/][<org>/]<project>/<domain>/<filename_root or base32(md5)>/<filename>, and a given
// content_md5 is signed into the URL, so the upload must send the same Content-MD5 header.
func (s *Service) CreateUploadLocation(ctx context.Context, req *service.CreateUploadLocationRequest) (
	*service.CreateUploadLocationResponse, error) {
	if len(req.GetProject()) == 0 || len(req.GetDomain()) == 0 {
		return nil, errorf(codes.InvalidArgument, "project and domain are required parameters")
	}
	if len(req.GetFilenameRoot()) == 0 && len(req.GetContentMd5()) == 0 {
		return nil, errorf(codes.InvalidArgument, "content_md5 or filename_root is a required parameter")
	}

	// A fully user-chosen path (filename_root and filename) may only be rewritten with a matching hash.
	if len(req.GetFilename()) > 0 && len(req.GetFilenameRoot()) > 0 {
		knownLocation, err := s.storageLocation(req.GetOrg(), req.GetProject(), req.GetDomain(), req.GetFilenameRoot(), req.GetFilename())
		if err != nil {
			return nil, errorf(codes.Internal, "failed to create storage location, Error: %v", err)
		}
		obj, err := s.cfg.Blob.Stat(ctx, knownLocation)
		exists := err == nil
		if err != nil && !errors.Is(err, blob.ErrNotFound) {
			return nil, errorf(codes.Internal, "failed to check if file exists at location [%s], Error: %v", knownLocation, err)
		}
		if exists {
			if len(req.GetContentMd5()) == 0 {
				return nil, errorf(codes.AlreadyExists, "file already exists at location [%v], specify a matching hash if you wish to rewrite", knownLocation)
			}
			base64Digest := base64.StdEncoding.EncodeToString(req.GetContentMd5())
			stored := obj.Metadata[strings.ToLower(FlyteContentMD5)]
			if len(stored) == 0 {
				// Without the metadata, admin compares the ETag with the digest in hex, base32 and base64.
				hexDigest := hex.EncodeToString(req.GetContentMd5())
				base32Digest := base32.StdEncoding.EncodeToString(req.GetContentMd5())
				if hexDigest != obj.ETag && base32Digest != obj.ETag && base64Digest != obj.ETag {
					return nil, errorf(codes.AlreadyExists, "file already exists at location [%v], specify a matching hash if you wish to rewrite", knownLocation)
				}
			} else if base64Digest != stored {
				return nil, errorf(codes.AlreadyExists, "file already exists at location [%v], specify a matching hash if you wish to rewrite", knownLocation)
			}
		}
	}

	expiresIn := req.GetExpiresIn()
	if expiresIn != nil {
		if !expiresIn.IsValid() {
			return nil, errorf(codes.InvalidArgument, "expiresIn [%v] is invalid", expiresIn)
		}
		if expiresIn.AsDuration() > s.cfg.UploadMaxExpiresIn {
			return nil, errorf(codes.InvalidArgument, "expiresIn [%v] cannot exceed max allowed expiration [%v]",
				expiresIn.AsDuration().String(), s.cfg.UploadMaxExpiresIn.String())
		}
	} else {
		expiresIn = durationpb.New(s.cfg.UploadMaxExpiresIn)
	}

	filename := req.GetFilename()
	if len(filename) == 0 {
		filename = randomString(s.cfg.DefaultFileNameLength)
	}

	base64DigestMD5 := base64.StdEncoding.EncodeToString(req.GetContentMd5())
	prefix := req.GetFilenameRoot()
	if len(prefix) == 0 {
		prefix = base32.StdEncoding.EncodeToString(req.GetContentMd5())
	}
	storagePath, err := s.storageLocation(req.GetOrg(), req.GetProject(), req.GetDomain(), prefix, filename)
	if err != nil {
		return nil, errorf(codes.Internal, "failed to create shardedStorageLocation, Error: %v", err)
	}

	// As stow's S3 PreSignRequest: Content-MD5 (when given) and, with add_content_md5_metadata, the
	// x-amz-meta-flytecontentmd5 header are signed; the headers map repeats them for the client. Its Content-Length
	// entry is the length of the base64 digest, not of the upload (stow does that too); clients must not send it.
	// Departure: without a content_md5, admin would still sign an empty x-amz-meta-flytecontentmd5 header, which
	// MinIO then requires; flytekit's FlyteFS (filename_root only, no headers sent) would be refused. The lab signs
	// no metadata then.
	headers := map[string]string{
		"Content-Length": strconv.Itoa(len(base64DigestMD5)),
		"Content-MD5":    base64DigestMD5,
	}
	var metadata map[string]string
	if req.GetAddContentMd5Metadata() && base64DigestMD5 != "" {
		metadata = map[string]string{FlyteContentMD5: base64DigestMD5}
		headers["x-amz-meta-"+FlyteContentMD5] = base64DigestMD5
	}
	signed, err := s.cfg.Blob.PresignPutWithMetadata(storagePath, expiresIn.AsDuration(), base64DigestMD5, metadata)
	if err != nil {
		return nil, errorf(codes.Internal, "failed to create a signed url. Error: %v", err)
	}
	return &service.CreateUploadLocationResponse{
		SignedUrl: signed,
		NativeUrl: storagePath,
		ExpiresAt: timestamppb.New(s.cfg.Now().Add(expiresIn.AsDuration())),
		Headers:   headers,
	}, nil
}

// CreateDownloadLocation (deprecated in flyteidl) signs a GET URL for any native URL, as admin does.
func (s *Service) CreateDownloadLocation(ctx context.Context, req *service.CreateDownloadLocationRequest) (
	*service.CreateDownloadLocationResponse, error) {
	expiresIn, err := validateDuration(req.GetExpiresIn(), s.cfg.DownloadMaxExpiresIn)
	if err != nil {
		return nil, errorf(codes.InvalidArgument, "error while validating request: expiresIn is invalid. Error: %v", err)
	}
	if _, err := url.Parse(req.GetNativeUrl()); err != nil {
		return nil, errorf(codes.InvalidArgument, "error while validating request: failed to parse native_url [%v]", req.GetNativeUrl())
	}
	signed, err := s.cfg.Blob.PresignGet(req.GetNativeUrl(), expiresIn.AsDuration())
	if err != nil {
		return nil, errorf(codes.Internal, "failed to create a signed url. Error: %v", err)
	}
	return &service.CreateDownloadLocationResponse{
		SignedUrl: signed,
		ExpiresAt: timestamppb.New(s.cfg.Now().Add(expiresIn.AsDuration())),
	}, nil
}

// CreateDownloadLink signs a GET URL for an execution's artifact. As in admin, the only source is a node execution
// and the only artifact is its deck (closure.deck_uri).
func (s *Service) CreateDownloadLink(ctx context.Context, req *service.CreateDownloadLinkRequest) (
	*service.CreateDownloadLinkResponse, error) {
	expiresIn, err := validateDuration(req.GetExpiresIn(), s.cfg.DownloadMaxExpiresIn)
	if err != nil {
		return nil, errorf(codes.InvalidArgument, "error while validating request. Error: %v", fmt.Errorf("expiresIn is invalid. Error: %w", err))
	}
	if req.GetArtifactType() == service.ArtifactType_ARTIFACT_TYPE_UNDEFINED {
		return nil, errorf(codes.InvalidArgument, "error while validating request. Error: %v", fmt.Errorf("invalid artifact type [%v]", req.GetArtifactType()))
	}
	if req.GetSource() == nil {
		return nil, errorf(codes.InvalidArgument, "error while validating request. Error: %v", fmt.Errorf("source is required. Provided nil"))
	}

	var nativeURL string
	src, ok := req.GetSource().(*service.CreateDownloadLinkRequest_NodeExecutionId)
	if !ok {
		return nil, errorf(codes.InvalidArgument, "unsupported source [%v]", reflect.TypeOf(req.GetSource()))
	}
	if s.cfg.Executions == nil {
		return nil, errorf(codes.Unavailable, "node executions are not available to the data proxy")
	}
	node, err := s.cfg.Executions.GetNodeExecution(ctx, &admin.NodeExecutionGetRequest{Id: src.NodeExecutionId})
	if err != nil {
		return nil, errorf(codes.InvalidArgument, "failed to find node execution [%v]. Error: %v", src.NodeExecutionId, err)
	}
	if req.GetArtifactType() == service.ArtifactType_ARTIFACT_TYPE_DECK {
		nativeURL = node.GetClosure().GetDeckUri()
	}
	if len(nativeURL) == 0 {
		return nil, errorf(codes.NotFound, "no deckUrl found for request [%+v]", req)
	}

	if _, err := s.cfg.Blob.Stat(ctx, nativeURL); err != nil {
		if errors.Is(err, blob.ErrNotFound) {
			return nil, errorf(codes.NotFound, "object not found")
		}
		return nil, errorf(codes.Internal, "failed to head object before signing url. Error: %v", err)
	}
	signed, err := s.cfg.Blob.PresignGet(nativeURL, expiresIn.AsDuration())
	if err != nil {
		return nil, errorf(codes.Internal, "failed to create a signed url. Error: %v", err)
	}
	ts := timestamppb.New(s.cfg.Now().Add(expiresIn.AsDuration()))
	return &service.CreateDownloadLinkResponse{
		SignedUrl: []string{signed},
		ExpiresAt: ts,
		PreSignedUrls: &service.PreSignedURLs{
			SignedUrl: []string{signed},
			ExpiresAt: ts,
		},
	}, nil
}

// GetData resolves a flyte:// URL (flyte://v1/<project>/<domain>/<execution>/<node>[/<attempt>]/<i|o|d>[/<name>]) to
// the literals it names (or, for a deck, signed URLs), as admin does.
func (s *Service) GetData(ctx context.Context, req *service.GetDataRequest) (*service.GetDataResponse, error) {
	if err := validateFlyteURL(req.GetFlyteUrl()); err != nil {
		return nil, errorf(codes.InvalidArgument, "failed to validate resolve artifact request. Error: %v", err)
	}
	parsed, err := ParseFlyteURL(req.GetFlyteUrl())
	if err != nil {
		return nil, errorf(codes.InvalidArgument, "failed to parse artifact url Error: %v", err)
	}
	if s.cfg.Executions == nil {
		return nil, errorf(codes.Unavailable, "node executions are not available to the data proxy")
	}
	if parsed.NodeExecID != nil {
		return s.dataFromNodeExecution(ctx, parsed.NodeExecID, parsed.IOType, parsed.LiteralName)
	}
	if parsed.PartialTaskExecID != nil {
		taskExecID, err := s.completeTaskExecutionID(ctx, parsed.PartialTaskExecID)
		if err != nil {
			return nil, err
		}
		return s.dataFromTaskExecution(ctx, taskExecID, parsed.IOType, parsed.LiteralName)
	}
	return nil, errorf(codes.InvalidArgument, "failed to parse get data request %v", req)
}

func (s *Service) dataFromNodeExecution(ctx context.Context, id *core.NodeExecutionIdentifier, io ArtifactType, name string) (
	*service.GetDataResponse, error) {
	resp, err := s.cfg.Executions.GetNodeExecutionData(ctx, &admin.NodeExecutionGetDataRequest{Id: id})
	if err != nil {
		return nil, err
	}
	var lm *core.LiteralMap
	switch io {
	case ArtifactTypeI:
		lm = resp.GetFullInputs()
	case ArtifactTypeO:
		lm = resp.GetFullOutputs()
	default:
		link, err := s.CreateDownloadLink(ctx, &service.CreateDownloadLinkRequest{
			ArtifactType: service.ArtifactType_ARTIFACT_TYPE_DECK,
			Source:       &service.CreateDownloadLinkRequest_NodeExecutionId{NodeExecutionId: id},
		})
		if err != nil {
			return nil, err
		}
		return &service.GetDataResponse{Data: &service.GetDataResponse_PreSignedUrls{PreSignedUrls: link.GetPreSignedUrls()}}, nil
	}
	if name != "" {
		if literal, ok := lm.GetLiterals()[name]; ok {
			return &service.GetDataResponse{Data: &service.GetDataResponse_Literal{Literal: literal}}, nil
		}
		return nil, errorf(codes.InvalidArgument, "name [%v] not found in node execution [%v]", name, id)
	}
	return &service.GetDataResponse{Data: &service.GetDataResponse_LiteralMap{LiteralMap: lm}}, nil
}

func (s *Service) dataFromTaskExecution(ctx context.Context, id *core.TaskExecutionIdentifier, io ArtifactType, name string) (
	*service.GetDataResponse, error) {
	resp, err := s.cfg.Executions.GetTaskExecutionData(ctx, &admin.TaskExecutionGetDataRequest{Id: id})
	if err != nil {
		return nil, err
	}
	var lm *core.LiteralMap
	switch io {
	case ArtifactTypeI:
		lm = resp.GetFullInputs()
	case ArtifactTypeO:
		lm = resp.GetFullOutputs()
	default:
		return nil, errorf(codes.InvalidArgument, "deck type cannot be specified with a retry attempt, just use the node instead")
	}
	if name != "" {
		if literal, ok := lm.GetLiterals()[name]; ok {
			return &service.GetDataResponse{Data: &service.GetDataResponse_Literal{Literal: literal}}, nil
		}
		return nil, errorf(codes.InvalidArgument, "name [%v] not found in task execution [%v]", name, id)
	}
	return &service.GetDataResponse{Data: &service.GetDataResponse_LiteralMap{LiteralMap: lm}}, nil
}

// completeTaskExecutionID fills in the task id of a task execution named by node execution and retry attempt, by
// listing the node's task executions with admin's filter eq(retry_attempt,N). Should the admin service not know that
// filter field (InvalidArgument), the node's task executions are listed unfiltered and matched here.
func (s *Service) completeTaskExecutionID(ctx context.Context, partial *core.TaskExecutionIdentifier) (*core.TaskExecutionIdentifier, error) {
	list, err := s.cfg.Executions.ListTaskExecutions(ctx, &admin.TaskExecutionListRequest{
		NodeExecutionId: partial.GetNodeExecutionId(),
		Limit:           1,
		Filters:         fmt.Sprintf("eq(retry_attempt,%s)", strconv.Itoa(int(partial.GetRetryAttempt()))),
	})
	if status.Code(err) == codes.InvalidArgument {
		list, err = s.scanTaskExecutions(ctx, partial)
	}
	if err != nil {
		return nil, errorf(codes.InvalidArgument, "failed to list task executions [%v]. Error: %v", partial, err)
	}
	if len(list.GetTaskExecutions()) == 0 {
		return nil, errorf(codes.InvalidArgument, "no task executions were listed [%v]. Error: %v", partial, err)
	}
	return list.GetTaskExecutions()[0].GetId(), nil
}

func (s *Service) scanTaskExecutions(ctx context.Context, partial *core.TaskExecutionIdentifier) (*admin.TaskExecutionList, error) {
	token := ""
	for {
		page, err := s.cfg.Executions.ListTaskExecutions(ctx, &admin.TaskExecutionListRequest{
			NodeExecutionId: partial.GetNodeExecutionId(),
			Limit:           100,
			Token:           token,
		})
		if err != nil {
			return nil, err
		}
		for _, te := range page.GetTaskExecutions() {
			if te.GetId().GetRetryAttempt() == partial.GetRetryAttempt() {
				return &admin.TaskExecutionList{TaskExecutions: []*admin.TaskExecution{te}}, nil
			}
		}
		if page.GetToken() == "" || page.GetToken() == token || len(page.GetTaskExecutions()) == 0 {
			return &admin.TaskExecutionList{}, nil
		}
		token = page.GetToken()
	}
}

// storageLocation builds s3://<bucket>/<storagePrefix>/<non-empty parts...> as admin's createStorageLocation does
// (flytestdlib's URLPathConstructor: each part trimmed of "/", joined, resolved against the bucket root).
func (s *Service) storageLocation(parts ...string) (string, error) {
	keys := []string{s.cfg.StoragePrefix}
	for _, p := range parts {
		if p != "" {
			keys = append(keys, p)
		}
	}
	base, err := url.Parse("s3://" + s.cfg.Blob.Bucket() + "/")
	if err != nil {
		return "", fmt.Errorf("failed to construct datastore reference. Error: %w", err)
	}
	trimmed := make([]string, len(keys))
	for i, k := range keys {
		trimmed[i] = strings.Trim(k, "/")
	}
	rel, err := url.Parse(strings.Join(trimmed, "/"))
	if err != nil {
		return "", fmt.Errorf("failed to construct datastore reference. Error: %w", err)
	}
	return base.ResolveReference(rel).String(), nil
}

func validateDuration(input *durationpb.Duration, maxAllowed time.Duration) (*durationpb.Duration, error) {
	if input == nil {
		return durationpb.New(maxAllowed), nil
	}
	if !input.IsValid() {
		return nil, fmt.Errorf("input duration [%v] is invalid", input)
	}
	if input.AsDuration() < 0 {
		return nil, fmt.Errorf("input duration [%v] should not less than 0", input.AsDuration().String())
	} else if input.AsDuration() > maxAllowed {
		return nil, fmt.Errorf("input duration [%v] cannot exceed max allowed expiration [%v]", input.AsDuration(), maxAllowed)
	}
	return input, nil
}

func validateFlyteURL(u string) error {
	if len(u) == 0 {
		return fmt.Errorf("source is required. Provided empty string")
	}
	if !strings.HasPrefix(u, "flyte://") {
		return fmt.Errorf("request does not start with the correct prefix")
	}
	return nil
}

// ArtifactType is the i/o/d suffix of a flyte:// URL (admin's common.ArtifactType).
type ArtifactType int

// The artifact types.
const (
	ArtifactTypeUndefined ArtifactType = iota
	ArtifactTypeI                      // inputs
	ArtifactTypeO                      // outputs
	ArtifactTypeD                      // deck
)

// ParsedFlyteURL is a parsed flyte:// URL (admin's common.ParsedExecution): a node execution when no attempt is
// given, else a task execution without its task id.
type ParsedFlyteURL struct {
	NodeExecID        *core.NodeExecutionIdentifier
	PartialTaskExecID *core.TaskExecutionIdentifier
	LiteralName       string
	IOType            ArtifactType
}

var (
	flyteURLRe         = regexp.MustCompile("flyte://v1/(?P<project>[a-zA-Z0-9_-]+)/(?P<domain>[a-zA-Z0-9_-]+)/(?P<exec>[a-zA-Z0-9_-]+)/(?P<node>[a-zA-Z0-9_-]+)(?:/(?P<attempt>[0-9]+))?/(?P<ioType>[iod])$")
	flyteURLLiteralRe  = regexp.MustCompile("flyte://v1/(?P<project>[a-zA-Z0-9_-]+)/(?P<domain>[a-zA-Z0-9_-]+)/(?P<exec>[a-zA-Z0-9_-]+)/(?P<node>[a-zA-Z0-9_-]+)(?:/(?P<attempt>[0-9]+))?/(?P<ioType>[io])/(?P<literalName>[a-zA-Z0-9_-]+)$")
	artifactTypeByName = map[string]ArtifactType{"undefined": ArtifactTypeUndefined, "i": ArtifactTypeI, "o": ArtifactTypeO, "d": ArtifactTypeD}
)

func matchNamed(re *regexp.Regexp, s string) map[string]string {
	m := re.FindStringSubmatch(s)
	if m == nil {
		return nil
	}
	out := map[string]string{}
	for i, name := range re.SubexpNames() {
		if i > 0 {
			out[name] = m[i]
		}
	}
	return out
}

// ParseFlyteURL parses a flyte:// URL as admin's common.ParseFlyteURLToExecution does.
func ParseFlyteURL(flyteURL string) (ParsedFlyteURL, error) {
	m := matchNamed(flyteURLRe, flyteURL)
	if m == nil {
		m = matchNamed(flyteURLLiteralRe, flyteURL)
	}
	if m == nil {
		return ParsedFlyteURL{}, fmt.Errorf("failed to parse [%s]", flyteURL)
	}
	ioType, ok := artifactTypeByName[m["ioType"]]
	if !ok {
		return ParsedFlyteURL{}, fmt.Errorf("%s does not belong to ArtifactType values", m["ioType"])
	}
	nodeExecID := &core.NodeExecutionIdentifier{
		NodeId:      m["node"],
		ExecutionId: &core.WorkflowExecutionIdentifier{Project: m["project"], Domain: m["domain"], Name: m["exec"]},
	}
	if attempt := m["attempt"]; attempt != "" {
		a, err := strconv.ParseUint(attempt, 10, 32)
		if err != nil {
			return ParsedFlyteURL{}, fmt.Errorf("failed to parse attempt [%v], %v", attempt, err)
		}
		return ParsedFlyteURL{
			PartialTaskExecID: &core.TaskExecutionIdentifier{NodeExecutionId: nodeExecID, RetryAttempt: uint32(a)},
			IOType:            ioType,
			LiteralName:       m["literalName"],
		}, nil
	}
	return ParsedFlyteURL{NodeExecID: nodeExecID, IOType: ioType, LiteralName: m["literalName"]}, nil
}

// randomString is k8s.io/apimachinery's rand.String: n characters from an alphabet without vowels or
// look-alikes, which is what admin names uploads without a filename with.
func randomString(n int) string {
	const alphanums = "bcdfghjklmnpqrstvwxz2456789"
	b := make([]byte, n)
	limit := big.NewInt(int64(len(alphanums)))
	for i := range b {
		v, err := rand.Int(rand.Reader, limit)
		if err != nil {
			panic(err)
		}
		b[i] = alphanums[v.Int64()]
	}
	return string(b)
}
