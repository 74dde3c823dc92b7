package blob

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/service/s3"
)

// Object is what Stat reports about an object.
type Object struct {
	Size int64
	// ETag without its quotes (for a single-part upload, the hex MD5 of the content).
	ETag string
	// Metadata is the object's user metadata (x-amz-meta-*), keys in lower case, as flytestdlib's stow store reads it.
	Metadata map[string]string
}

// Stat reads an object's size, ETag and user metadata; a missing object gives an error that wraps ErrNotFound.
func (s *Store) Stat(ctx context.Context, uri string) (Object, error) {
	bucket, key, err := Split(uri)
	if err != nil {
		return Object{}, err
	}
	out, err := s.s3.HeadObjectWithContext(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		if isNotFound(err) {
			return Object{}, fmt.Errorf("%s: %w", uri, ErrNotFound)
		}
		return Object{}, err
	}
	o := Object{
		Size:     aws.Int64Value(out.ContentLength),
		ETag:     strings.TrimPrefix(strings.Trim(aws.StringValue(out.ETag), `"`), "W/"),
		Metadata: map[string]string{},
	}
	for k, v := range out.Metadata {
		o.Metadata[strings.ToLower(k)] = aws.StringValue(v)
	}
	return o, nil
}

// PresignPutWithMetadata is PresignPut that also signs user metadata into the URL: the upload must then send each
// entry as an x-amz-meta-<key> header with the same value (as stow's S3 PreSignRequest does for FlyteAdmin's
// DataProxy when add_content_md5_metadata is set). A nil or empty contentMD5 is not signed.
func (s *Store) PresignPutWithMetadata(uri string, ttl time.Duration, contentMD5 string, metadata map[string]string) (string, error) {
	bucket, key, err := Split(uri)
	if err != nil {
		return "", err
	}
	in := &s3.PutObjectInput{Bucket: &bucket, Key: &key}
	if contentMD5 != "" {
		in.ContentMD5 = aws.String(contentMD5)
	}
	if len(metadata) > 0 {
		in.Metadata = map[string]*string{}
		for k, v := range metadata {
			in.Metadata[k] = aws.String(v)
		}
	}
	req, _ := s.s3.PutObjectRequest(in)
	return req.Presign(ttl)
}

// Delete removes uri (no error if it does not exist).
func (s *Store) Delete(ctx context.Context, uri string) error {
	bucket, key, err := Split(uri)
	if err != nil {
		return err
	}
	_, err = s.s3.DeleteObjectWithContext(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: &key})
	return err
}
