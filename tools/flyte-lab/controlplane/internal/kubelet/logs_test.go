package kubelet

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	v1 "k8s.io/api/core/v1"
)

func frame(stream byte, s string) []byte {
	b := make([]byte, 8+len(s))
	b[0] = stream
	binary.BigEndian.PutUint32(b[4:], uint32(len(s)))
	copy(b[8:], s)
	return b
}

func TestDemux(t *testing.T) {
	var in bytes.Buffer
	in.Write(frame(1, "out 1\n"))
	in.Write(frame(2, "err 1\n"))
	in.Write(frame(1, "out 2\n"))
	var out bytes.Buffer
	if err := demux(&in, &out); err != nil {
		t.Fatal(err)
	}
	if out.String() != "out 1\nerr 1\nout 2\n" {
		t.Errorf("demux: %q", out.String())
	}
}

func TestLogOffsetsAcrossRestarts(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ns", "pod", "c.log")
	off0 := filepath.Join(dir, "state", "0-log-offset")
	off1 := filepath.Join(dir, "state", "1-log-offset")
	write := func(f *os.File, skip int64, s string) {
		t.Helper()
		w := &skipWriter{w: f, skip: skip}
		if _, err := w.Write([]byte(s)); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}

	// A leftover file from an earlier Pod of the same name is emptied by the first instance.
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path, []byte("old pod\n"), 0o644)
	f, skip, err := openLog(path, off0, true, true)
	if err != nil || skip != 0 {
		t.Fatal(skip, err)
	}
	write(f, skip, "a\nb\n")

	// The runner restarts while instance 0 runs: Docker's log holds a, b, c; only c is new.
	f, skip, err = openLog(path, off0, false, true)
	if err != nil || skip != 4 {
		t.Fatalf("adoption skip %d (want 4), %v", skip, err)
	}
	write(f, skip, "a\nb\nc\n")

	// Instance 1 (a restart) appends; adopting it later skips only its own output.
	f, skip, err = openLog(path, off1, true, false)
	if err != nil || skip != 0 {
		t.Fatal(skip, err)
	}
	write(f, skip, "d\n")
	f, skip, err = openLog(path, off1, false, false)
	if err != nil || skip != 2 {
		t.Fatalf("adoption of instance 1: skip %d (want 2), %v", skip, err)
	}
	write(f, skip, "d\ne\n")

	b, _ := os.ReadFile(path)
	if string(b) != "a\nb\nc\nd\ne\n" {
		t.Errorf("log file %q", b)
	}
}

func TestTailBuffer(t *testing.T) {
	tb := &tailBuffer{n: 5}
	tb.Write([]byte("abc"))
	tb.Write([]byte("defgh"))
	if string(tb.buf) != "defgh" {
		t.Errorf("tail %q", tb.buf)
	}
}

func TestBackoff(t *testing.T) {
	want := []string{"10s", "20s", "40s", "1m20s", "2m40s", "5m0s", "5m0s"}
	for i, w := range want {
		if got := backoff(i + 1).String(); got != w {
			t.Errorf("backoff(%d) = %s, want %s", i+1, got, w)
		}
	}
}

func TestVolumes(t *testing.T) {
	dir := t.TempDir()
	pod := flytePod()
	pod.Spec.Volumes = []v1.Volume{
		{Name: "scratch", VolumeSource: v1.VolumeSource{EmptyDir: &v1.EmptyDirVolumeSource{}}},
		{Name: "cfg", VolumeSource: v1.VolumeSource{ConfigMap: &v1.ConfigMapVolumeSource{
			LocalObjectReference: v1.LocalObjectReference{Name: "cm"}, Items: []v1.KeyToPath{{Key: "a", Path: "sub/a.txt"}}}}},
		{Name: "info", VolumeSource: v1.VolumeSource{DownwardAPI: &v1.DownwardAPIVolumeSource{Items: []v1.DownwardAPIVolumeFile{
			{Path: "labels", FieldRef: &v1.ObjectFieldSelector{FieldPath: "metadata.labels"}}}}}},
	}
	c := &pod.Spec.Containers[0]
	c.VolumeMounts = []v1.VolumeMount{
		{Name: "scratch", MountPath: "/scratch"},
		{Name: "scratch", MountPath: "/per-pod", SubPathExpr: "$(POD)"},
		{Name: "cfg", MountPath: "/etc/cfg"},
	}
	src := envSources{ConfigMap: func(string) (*v1.ConfigMap, error) {
		return &v1.ConfigMap{Data: map[string]string{"a": "1", "b": "2"}}, nil
	}}
	dirs := volumeDirs{root: filepath.Join(dir, string(pod.UID))}
	paths, err := setupVolumes(pod, dirs, src)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(paths["cfg"], "sub", "a.txt")); string(b) != "1" {
		t.Errorf("configmap item: %q", b)
	}
	if _, err := os.Stat(filepath.Join(paths["cfg"], "b")); !os.IsNotExist(err) {
		t.Error("configmap key not in items was written")
	}
	if b, _ := os.ReadFile(filepath.Join(paths["info"], "labels")); string(b) != "execution-id=\"f7a3b\"\ntask-name=\"dataset_task\"" {
		t.Errorf("downward API labels: %q", b)
	}
	env := newEnvList()
	env.set("POD", "p1")
	term := dirs.terminationLog(c.Name, 0)
	mounts, err := containerMounts(pod, c, paths, env, term)
	if err != nil {
		t.Fatal(err)
	}
	want := []Mount{
		{Type: "bind", Source: paths["scratch"], Target: "/scratch"},
		{Type: "bind", Source: filepath.Join(paths["scratch"], "p1"), Target: "/per-pod"},
		{Type: "bind", Source: paths["cfg"], Target: "/etc/cfg", ReadOnly: true},
		{Type: "bind", Source: term, Target: "/dev/termination-log"},
	}
	if len(mounts) != len(want) {
		t.Fatalf("mounts %+v", mounts)
	}
	for i := range want {
		if mounts[i] != want[i] {
			t.Errorf("mount %d: %+v, want %+v", i, mounts[i], want[i])
		}
	}
	if fi, err := os.Stat(term); err != nil || fi.Mode().Perm() != 0o666 {
		t.Errorf("termination log file: %v %v", fi, err)
	}
	os.WriteFile(term, bytes.Repeat([]byte("m"), 5000), 0o666)
	if msg, err := readTerminationMessage(term); err != nil || len(msg) != maxTerminationMessageLength {
		t.Errorf("termination message: %d bytes, %v", len(msg), err)
	}

	// A missing, non-optional ConfigMap is a config error (retried).
	src.ConfigMap = func(string) (*v1.ConfigMap, error) { return nil, nil }
	if _, err := setupVolumes(pod, dirs, src); err == nil {
		t.Error("missing configmap accepted")
	}
}
