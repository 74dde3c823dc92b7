package main

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// logsHandler serves /logs/<namespace>/<pod>/<container>: the pod runner's log file
// <dir>/<namespace>/<pod>/<container>.log, as text/plain (Range and HEAD work; ?download is not needed).
type logsHandler struct{ dir string }

// Kubernetes names: a namespace and a container name are DNS-1123 labels, a pod name a DNS-1123 subdomain. Anything
// else (including "..", "/" and "\") is refused before the file system is touched.
var (
	dnsLabel     = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	dnsSubdomain = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
)

func (h *logsHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "flyte-lab: logs are read with GET", http.StatusMethodNotAllowed)
		return
	}
	rest := strings.TrimPrefix(r.URL.Path, "/logs/")
	parts := strings.Split(rest, "/")
	if len(parts) != 3 {
		http.Error(w, "flyte-lab: a log is at /logs/<namespace>/<pod>/<container>", http.StatusNotFound)
		return
	}
	ns, pod, container := parts[0], parts[1], parts[2]
	if len(ns) > 63 || !dnsLabel.MatchString(ns) || len(pod) > 253 || !dnsSubdomain.MatchString(pod) ||
		len(container) > 63 || !dnsLabel.MatchString(container) {
		http.Error(w, fmt.Sprintf("flyte-lab: %q is not a namespace/pod/container name", rest), http.StatusBadRequest)
		return
	}
	if h.dir == "" {
		http.Error(w, "flyte-lab: pod logs are not served: the control plane was started without --pod-logs", http.StatusNotFound)
		return
	}
	path := filepath.Join(h.dir, ns, pod, container+".log")
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			http.Error(w, fmt.Sprintf("flyte-lab: no log for container %q of pod %q in namespace %q (yet): the pod runner "+
				"writes it to %s once the container starts", container, pod, ns, path), http.StatusNotFound)
			return
		}
		http.Error(w, "flyte-lab: cannot read log: "+err.Error(), http.StatusInternalServerError)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		http.Error(w, "flyte-lab: "+path+" is not a log file", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, "", st.ModTime(), f)
}
