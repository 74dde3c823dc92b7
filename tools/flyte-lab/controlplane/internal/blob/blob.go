// Package blob is the lab's object store client: s3:// URIs on MinIO (path-style, SigV4, static keys), with
// presigned GET and PUT URLs for DataProxy and GetExecutionData. Shared by the control plane's services.
package blob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/awserr"
	"github.com/aws/aws-sdk-go/aws/credentials"
	"github.com/aws/aws-sdk-go/aws/session"
	"github.com/aws/aws-sdk-go/service/s3"
	"google.golang.org/protobuf/proto"
)

// Config names the store: MinIO's endpoint (http://127.0.0.1:30002), its keys, the region it signs for and the
// bucket that relative keys and new objects go to.
type Config struct {
	Endpoint  string
	AccessKey string
	SecretKey string
	Region    string
	Bucket    string
}

// Store reads and writes s3:// URIs.
type Store struct {
	cfg Config
	s3  *s3.S3
}

// ErrNotFound is returned (wrapped) when an object does not exist.
var ErrNotFound = errors.New("object not found")

// New makes a Store. It does not contact the endpoint.
func New(cfg Config) (*Store, error) {
	if cfg.Endpoint == "" || cfg.Bucket == "" {
		return nil, fmt.Errorf("blob: endpoint and bucket are required")
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	sess, err := session.NewSession(&aws.Config{
		Endpoint:         aws.String(cfg.Endpoint),
		Region:           aws.String(cfg.Region),
		Credentials:      credentials.NewStaticCredentials(cfg.AccessKey, cfg.SecretKey, ""),
		S3ForcePathStyle: aws.Bool(true),
		DisableSSL:       aws.Bool(strings.HasPrefix(cfg.Endpoint, "http://")),
	})
	if err != nil {
		return nil, err
	}
	return &Store{cfg: cfg, s3: s3.New(sess)}, nil
}

// Bucket is the configured bucket.
func (s *Store) Bucket() string { return s.cfg.Bucket }

// URI joins the configured bucket and a key into s3://bucket/key.
func (s *Store) URI(key string) string {
	return "s3://" + s.cfg.Bucket + "/" + strings.TrimPrefix(key, "/")
}

// Split parses s3://bucket/key. Any other scheme is an error.
func Split(uri string) (bucket, key string, err error) {
	u, err := url.Parse(uri)
	if err != nil {
		return "", "", fmt.Errorf("blob: %q is not a URI: %w", uri, err)
	}
	if u.Scheme != "s3" || u.Host == "" {
		return "", "", fmt.Errorf("blob: %q is not an s3://bucket/key URI", uri)
	}
	return u.Host, strings.TrimPrefix(u.Path, "/"), nil
}

// Put writes data to uri.
func (s *Store) Put(ctx context.Context, uri string, data []byte) error {
	bucket, key, err := Split(uri)
	if err != nil {
		return err
	}
	_, err = s.s3.PutObjectWithContext(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: bytes.NewReader(data)})
	return err
}

// Get reads uri; a missing object gives an error that wraps ErrNotFound.
func (s *Store) Get(ctx context.Context, uri string) ([]byte, error) {
	bucket, key, err := Split(uri)
	if err != nil {
		return nil, err
	}
	out, err := s.s3.GetObjectWithContext(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		if isNotFound(err) {
			return nil, fmt.Errorf("%s: %w", uri, ErrNotFound)
		}
		return nil, err
	}
	defer out.Body.Close()
	return io.ReadAll(out.Body)
}

// Head returns the size of uri; a missing object gives an error that wraps ErrNotFound.
func (s *Store) Head(ctx context.Context, uri string) (int64, error) {
	bucket, key, err := Split(uri)
	if err != nil {
		return 0, err
	}
	out, err := s.s3.HeadObjectWithContext(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		if isNotFound(err) {
			return 0, fmt.Errorf("%s: %w", uri, ErrNotFound)
		}
		return 0, err
	}
	return aws.Int64Value(out.ContentLength), nil
}

// PutProto marshals m and writes it to uri.
func (s *Store) PutProto(ctx context.Context, uri string, m proto.Message) error {
	data, err := proto.Marshal(m)
	if err != nil {
		return err
	}
	return s.Put(ctx, uri, data)
}

// GetProto reads uri into m.
func (s *Store) GetProto(ctx context.Context, uri string, m proto.Message) error {
	data, err := s.Get(ctx, uri)
	if err != nil {
		return err
	}
	return proto.Unmarshal(data, m)
}

// PresignGet is a URL that GETs uri without credentials until ttl passes.
func (s *Store) PresignGet(uri string, ttl time.Duration) (string, error) {
	bucket, key, err := Split(uri)
	if err != nil {
		return "", err
	}
	req, _ := s.s3.GetObjectRequest(&s3.GetObjectInput{Bucket: &bucket, Key: &key})
	return req.Presign(ttl)
}

// PresignPut is a URL that PUTs uri without credentials until ttl passes. A non-empty contentMD5 (base64) is signed
// into the URL, so the upload must send the same Content-MD5 header, as FlyteAdmin's DataProxy does.
func (s *Store) PresignPut(uri string, ttl time.Duration, contentMD5 string) (string, error) {
	bucket, key, err := Split(uri)
	if err != nil {
		return "", err
	}
	in := &s3.PutObjectInput{Bucket: &bucket, Key: &key}
	if contentMD5 != "" {
		in.ContentMD5 = aws.String(contentMD5)
	}
	req, _ := s.s3.PutObjectRequest(in)
	return req.Presign(ttl)
}

// EnsureBucket creates the configured bucket if it does not exist.
func (s *Store) EnsureBucket(ctx context.Context) error {
	_, err := s.s3.HeadBucketWithContext(ctx, &s3.HeadBucketInput{Bucket: &s.cfg.Bucket})
	if err == nil {
		return nil
	}
	_, err = s.s3.CreateBucketWithContext(ctx, &s3.CreateBucketInput{Bucket: &s.cfg.Bucket})
	var aerr awserr.Error
	if errors.As(err, &aerr) && (aerr.Code() == s3.ErrCodeBucketAlreadyOwnedByYou || aerr.Code() == s3.ErrCodeBucketAlreadyExists) {
		return nil
	}
	return err
}

func isNotFound(err error) bool {
	var aerr awserr.Error
	if errors.As(err, &aerr) {
		switch aerr.Code() {
		case s3.ErrCodeNoSuchKey, "NotFound":
			return true
		}
	}
	var rerr awserr.RequestFailure
	return errors.As(err, &rerr) && rerr.StatusCode() == 404
}
