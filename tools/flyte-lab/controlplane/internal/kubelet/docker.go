package kubelet

// A minimal client for the Docker Engine API (https://docs.docker.com/engine/api/), spoken over net/http on the
// daemon's unix socket (or a tcp:// address). Only the calls the runner needs are here; no Docker Go module is used.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// maxAPIVersion is the newest Engine API version the runner speaks (Docker 20.10). Newer daemons still serve it.
const maxAPIVersion = "1.41"

// Docker talks to one Docker daemon.
type Docker struct {
	host    string // e.g. unix:///var/run/docker.sock
	version string // API version used in request paths
	// http serves short requests (a timeout applies); stream serves long ones (logs, wait, pulls) that only end
	// with their context.
	http   *http.Client
	stream *http.Client
	base   string // scheme://host prefix for request URLs
}

// DockerError is a non-2xx answer of the daemon.
type DockerError struct {
	Status  int
	Message string
}

func (e *DockerError) Error() string { return fmt.Sprintf("docker: %d: %s", e.Status, e.Message) }

// IsNotFound reports whether err is the daemon's 404 (no such container or image).
func IsNotFound(err error) bool {
	var de *DockerError
	return errors.As(err, &de) && de.Status == http.StatusNotFound
}

// NewDocker returns a client for host ("unix:///path", "tcp://host:port" or "http://host:port"). It asks the daemon
// for its API version and uses min(that, 1.41).
func NewDocker(ctx context.Context, host string) (*Docker, error) {
	u, err := url.Parse(host)
	if err != nil {
		return nil, fmt.Errorf("docker host %q: %w", host, err)
	}
	transport := &http.Transport{MaxIdleConnsPerHost: 32, IdleConnTimeout: 90 * time.Second}
	d := &Docker{host: host}
	switch u.Scheme {
	case "unix":
		path := u.Path
		transport.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
			var dialer net.Dialer
			return dialer.DialContext(ctx, "unix", path)
		}
		d.base = "http://docker"
	case "tcp", "http":
		d.base = "http://" + u.Host
	default:
		return nil, fmt.Errorf("docker host %q: only unix://, tcp:// and http:// are supported", host)
	}
	d.http = &http.Client{Transport: transport, Timeout: 2 * time.Minute}
	d.stream = &http.Client{Transport: transport}

	var v struct {
		Version    string
		APIVersion string `json:"ApiVersion"`
	}
	if err := d.do(ctx, http.MethodGet, "/version", nil, nil, &v); err != nil {
		return nil, fmt.Errorf("docker daemon at %s: %w", host, err)
	}
	d.version = maxAPIVersion
	if compareVersions(v.APIVersion, maxAPIVersion) < 0 {
		d.version = v.APIVersion
	}
	return d, nil
}

// compareVersions compares dotted numeric versions ("1.41" < "1.43").
func compareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) || i < len(bs); i++ {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

func (d *Docker) url(path string, query url.Values) string {
	s := d.base
	if d.version != "" {
		s += "/v" + d.version
	}
	s += path
	if len(query) > 0 {
		s += "?" + query.Encode()
	}
	return s
}

// request sends a request and returns the response if its status is 2xx; otherwise it returns a *DockerError.
func (d *Docker) request(ctx context.Context, client *http.Client, method, path string, query url.Values, body any) (*http.Response, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, d.url(path, query), rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return resp, nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var m struct{ Message string }
	msg := strings.TrimSpace(string(b))
	if json.Unmarshal(b, &m) == nil && m.Message != "" {
		msg = m.Message
	}
	return nil, &DockerError{Status: resp.StatusCode, Message: msg}
}

// do sends a short request and decodes a JSON answer into out (if not nil).
func (d *Docker) do(ctx context.Context, method, path string, query url.Values, body, out any) error {
	resp, err := d.request(ctx, d.http, method, path, query, body)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		return err
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// DockerInfo is the part of GET /info the runner uses.
type DockerInfo struct {
	NCPU            int
	MemTotal        int64
	ServerVersion   string
	OperatingSystem string
	KernelVersion   string
	OSType          string
	Architecture    string
	DockerRootDir   string
	CgroupVersion   string
}

// Info returns the daemon's system information.
func (d *Docker) Info(ctx context.Context) (*DockerInfo, error) {
	var info DockerInfo
	return &info, d.do(ctx, http.MethodGet, "/info", nil, nil, &info)
}

// ImageInspect is the part of GET /images/{name}/json the runner uses.
type ImageInspect struct {
	ID          string `json:"Id"`
	RepoTags    []string
	RepoDigests []string
	Config      struct{ User string }
}

// InspectImage returns the local image called ref; IsNotFound(err) if there is none.
func (d *Docker) InspectImage(ctx context.Context, ref string) (*ImageInspect, error) {
	var img ImageInspect
	return &img, d.do(ctx, http.MethodGet, "/images/"+ref+"/json", nil, nil, &img)
}

// PullImage pulls ref (which may carry a tag or digest) and waits until the pull ends. The daemon reports pull errors
// inside its 200 progress stream; they are returned as errors.
func (d *Docker) PullImage(ctx context.Context, ref string) error {
	name, tag := splitReference(ref)
	q := url.Values{"fromImage": {name}}
	if tag != "" {
		q.Set("tag", tag)
	}
	resp, err := d.request(ctx, d.stream, http.MethodPost, "/images/create", q, nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	dec := json.NewDecoder(resp.Body)
	for {
		var msg struct {
			Error       string `json:"error"`
			ErrorDetail *struct {
				Message string `json:"message"`
			} `json:"errorDetail"`
		}
		if err := dec.Decode(&msg); err == io.EOF {
			return nil
		} else if err != nil {
			return fmt.Errorf("reading pull progress: %w", err)
		}
		if msg.Error != "" {
			return errors.New(msg.Error)
		}
		if msg.ErrorDetail != nil && msg.ErrorDetail.Message != "" {
			return errors.New(msg.ErrorDetail.Message)
		}
	}
}

// splitReference splits an image reference into the name and the tag or digest for /images/create, as the docker
// CLI does ("host:5000/a/b:t" -> "host:5000/a/b", "t"; "a@sha256:..." -> "a", "sha256:...").
func splitReference(ref string) (name, tag string) {
	if i := strings.Index(ref, "@"); i >= 0 {
		return ref[:i], ref[i+1:]
	}
	slash := strings.LastIndex(ref, "/")
	if i := strings.LastIndex(ref, ":"); i > slash {
		return ref[:i], ref[i+1:]
	}
	return ref, ""
}

// ContainerConfig is the body of POST /containers/create (the fields the runner sets).
type ContainerConfig struct {
	Image        string
	Entrypoint   []string          `json:",omitempty"`
	Cmd          []string          `json:",omitempty"`
	Env          []string          `json:",omitempty"`
	WorkingDir   string            `json:",omitempty"`
	User         string            `json:",omitempty"`
	Labels       map[string]string `json:",omitempty"`
	Tty          bool              `json:",omitempty"`
	OpenStdin    bool              `json:",omitempty"`
	StdinOnce    bool              `json:",omitempty"`
	AttachStdin  bool              `json:",omitempty"`
	AttachStdout bool              `json:",omitempty"`
	AttachStderr bool              `json:",omitempty"`
	HostConfig   HostConfig
}

// HostConfig is the host-side part of a container's configuration.
type HostConfig struct {
	NetworkMode    string
	PidMode        string        `json:",omitempty"`
	IpcMode        string        `json:",omitempty"`
	Mounts         []Mount       `json:",omitempty"`
	NanoCPUs       int64         `json:"NanoCpus,omitempty"`
	CPUShares      int64         `json:"CpuShares,omitempty"`
	Memory         int64         `json:",omitempty"`
	MemorySwap     int64         `json:",omitempty"`
	OomScoreAdj    int           `json:",omitempty"`
	Privileged     bool          `json:",omitempty"`
	CapAdd         []string      `json:",omitempty"`
	CapDrop        []string      `json:",omitempty"`
	ReadonlyRootfs bool          `json:",omitempty"`
	SecurityOpt    []string      `json:",omitempty"`
	GroupAdd       []string      `json:",omitempty"`
	RestartPolicy  RestartPolicy `json:",omitempty"`
	LogConfig      LogConfig     `json:",omitempty"`
}

// Mount is a bind mount into the container.
type Mount struct {
	Type     string // "bind"
	Source   string
	Target   string
	ReadOnly bool `json:",omitempty"`
}

// RestartPolicy is Docker's restart policy; the runner always uses "no" and restarts containers itself.
type RestartPolicy struct{ Name string }

// LogConfig selects the container's log driver.
type LogConfig struct{ Type string }

// CreateContainer creates a container called name and returns its id.
func (d *Docker) CreateContainer(ctx context.Context, name string, cfg *ContainerConfig) (string, error) {
	var out struct {
		ID       string `json:"Id"`
		Warnings []string
	}
	if err := d.do(ctx, http.MethodPost, "/containers/create", url.Values{"name": {name}}, cfg, &out); err != nil {
		return "", err
	}
	return out.ID, nil
}

// StartContainer starts a created container.
func (d *Docker) StartContainer(ctx context.Context, id string) error {
	return d.do(ctx, http.MethodPost, "/containers/"+id+"/start", nil, nil, nil)
}

// StopContainer sends the container's stop signal (SIGTERM unless the image says otherwise) and SIGKILL after
// grace. A container that is not running is not an error.
func (d *Docker) StopContainer(ctx context.Context, id string, grace time.Duration) error {
	secs := int(grace.Round(time.Second) / time.Second)
	// The daemon holds the request until the container is gone; give the HTTP request the grace period plus slack.
	ctx, cancel := context.WithTimeout(ctx, grace+time.Minute)
	defer cancel()
	resp, err := d.request(ctx, d.stream, http.MethodPost, "/containers/"+id+"/stop", url.Values{"t": {strconv.Itoa(secs)}}, nil)
	if err != nil {
		var de *DockerError
		if errors.As(err, &de) && de.Status == http.StatusNotModified {
			return nil
		}
		return err
	}
	resp.Body.Close()
	return nil
}

// RemoveContainer removes a container (forcibly, with its anonymous volumes). A missing container is not an error.
func (d *Docker) RemoveContainer(ctx context.Context, id string) error {
	err := d.do(ctx, http.MethodDelete, "/containers/"+id, url.Values{"force": {"1"}, "v": {"1"}}, nil, nil)
	if IsNotFound(err) {
		return nil
	}
	var de *DockerError
	if errors.As(err, &de) && de.Status == http.StatusConflict && strings.Contains(de.Message, "already in progress") {
		return nil
	}
	return err
}

// ContainerState is Docker's State object of a container.
type ContainerState struct {
	Status     string // created, running, paused, restarting, removing, exited, dead
	Running    bool
	OOMKilled  bool
	Dead       bool
	Pid        int
	ExitCode   int
	Error      string
	StartedAt  time.Time
	FinishedAt time.Time
}

// ContainerInspect is the part of GET /containers/{id}/json the runner uses.
type ContainerInspect struct {
	ID      string `json:"Id"`
	Name    string
	Created time.Time
	Image   string // image id (sha256:...)
	State   ContainerState
	Config  struct {
		Image  string
		Labels map[string]string
		Tty    bool
	}
	Mounts []struct {
		Source      string
		Destination string
	}
}

// InspectContainer returns a container's details; IsNotFound(err) if it does not exist.
func (d *Docker) InspectContainer(ctx context.Context, id string) (*ContainerInspect, error) {
	var c ContainerInspect
	return &c, d.do(ctx, http.MethodGet, "/containers/"+id+"/json", nil, nil, &c)
}

// ContainerSummary is one entry of GET /containers/json.
type ContainerSummary struct {
	ID      string `json:"Id"`
	Names   []string
	Image   string
	Labels  map[string]string
	State   string
	Created int64
}

// ListContainers lists all containers (running or not) that carry every label in labels ("key" or "key=value").
func (d *Docker) ListContainers(ctx context.Context, labels ...string) ([]ContainerSummary, error) {
	filters, _ := json.Marshal(map[string][]string{"label": labels})
	var out []ContainerSummary
	return out, d.do(ctx, http.MethodGet, "/containers/json", url.Values{"all": {"1"}, "filters": {string(filters)}}, nil, &out)
}

// WaitContainer blocks until the container is not running and returns its exit code.
func (d *Docker) WaitContainer(ctx context.Context, id string) (int, error) {
	resp, err := d.request(ctx, d.stream, http.MethodPost, "/containers/"+id+"/wait", url.Values{"condition": {"not-running"}}, nil)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var out struct {
		StatusCode int
		Error      *struct{ Message string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return 0, err
	}
	if out.Error != nil && out.Error.Message != "" {
		return out.StatusCode, errors.New(out.Error.Message)
	}
	return out.StatusCode, nil
}

// Logs streams a container's stdout and stderr (interleaved, in the order the daemon stored them) into w. With
// follow it returns when the container stops or ctx ends; tail limits the output to the last lines ("all" for
// everything). tty says whether the container has a TTY (its log is then not multiplexed).
func (d *Docker) Logs(ctx context.Context, id string, follow, tty bool, tail string, w io.Writer) error {
	q := url.Values{"stdout": {"1"}, "stderr": {"1"}, "tail": {tail}}
	if follow {
		q.Set("follow", "1")
	}
	resp, err := d.request(ctx, d.stream, http.MethodGet, "/containers/"+id+"/logs", q, nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if tty {
		_, err = io.Copy(w, resp.Body)
		return err
	}
	return demux(resp.Body, w)
}

// demux copies the payload of Docker's multiplexed stream (8-byte frame headers: stream type, 3 zero bytes,
// big-endian payload length) into w, stdout and stderr alike.
func demux(r io.Reader, w io.Writer) error {
	br := bufio.NewReaderSize(r, 32<<10)
	var hdr [8]byte
	for {
		if _, err := io.ReadFull(br, hdr[:]); err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
		n := int64(binary.BigEndian.Uint32(hdr[4:]))
		if _, err := io.CopyN(w, br, n); err != nil {
			return err
		}
	}
}
