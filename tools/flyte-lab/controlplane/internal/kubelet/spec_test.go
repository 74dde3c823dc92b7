package kubelet

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// flytePod is shaped like the Pods flytepropeller v1.16 creates for a container task.
func flytePod() *v1.Pod {
	return &v1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Name: "f7a3b-n0-0", Namespace: "flytesnacks-development", UID: "0b8f2f6e-1111-2222-3333-444455556666",
			Labels:     map[string]string{"execution-id": "f7a3b", "task-name": "dataset_task"},
			Finalizers: []string{"flyte.org/finalizer-k8s"},
			Generation: 1,
		},
		Spec: v1.PodSpec{
			NodeName:      "flyte-lab",
			RestartPolicy: v1.RestartPolicyNever,
			Containers: []v1.Container{{
				Name:  "f7a3b-n0-0",
				Image: "localhost:30000/digits:abc",
				Args: []string{"unionml", "execute", "--inputs", "s3://my-s3-bucket/metadata/inputs.pb",
					"--output-prefix", "s3://my-s3-bucket/metadata/n0/data/0", "--", "app-module", "app"},
				Env: []v1.EnvVar{
					{Name: "FLYTE_INTERNAL_EXECUTION_ID", Value: "f7a3b"},
					{Name: "FLYTE_ATTEMPT_NUMBER", Value: "0"},
				},
				Resources: v1.ResourceRequirements{
					Requests: v1.ResourceList{v1.ResourceCPU: resource.MustParse("1"), v1.ResourceMemory: resource.MustParse("1Gi")},
					Limits:   v1.ResourceList{v1.ResourceCPU: resource.MustParse("1"), v1.ResourceMemory: resource.MustParse("1Gi")},
				},
				TerminationMessagePath:   "/dev/termination-log",
				TerminationMessagePolicy: v1.TerminationMessageReadFile,
				ImagePullPolicy:          v1.PullIfNotPresent,
			}},
		},
	}
}

func TestBuildContainerConfigFlytePod(t *testing.T) {
	pod := flytePod()
	c := &pod.Spec.Containers[0]
	env, err := resolveEnv(pod, c, envSources{ServiceEnv: map[string]string{"KUBERNETES_SERVICE_HOST": "127.0.0.1"}})
	if err != nil {
		t.Fatal(err)
	}
	mounts := []Mount{{Type: "bind", Source: "/state/uid/containers/x/0-termination-log", Target: "/dev/termination-log"}}
	cfg := buildContainerConfig(pod, containerParams{Container: c, Env: env, Mounts: mounts, Node: "flyte-lab", MemoryCapacity: 8 << 30})

	if cfg.Image != "localhost:30000/digits:abc" {
		t.Errorf("Image = %q", cfg.Image)
	}
	if cfg.Entrypoint != nil {
		t.Errorf("no command: the image's ENTRYPOINT must stay, got Entrypoint %q", cfg.Entrypoint)
	}
	if !reflect.DeepEqual(cfg.Cmd, c.Args) {
		t.Errorf("args must become Cmd: %q", cfg.Cmd)
	}
	wantEnv := []string{"FLYTE_INTERNAL_EXECUTION_ID=f7a3b", "FLYTE_ATTEMPT_NUMBER=0", "KUBERNETES_SERVICE_HOST=127.0.0.1"}
	if !reflect.DeepEqual(cfg.Env, wantEnv) {
		t.Errorf("Env = %q, want %q", cfg.Env, wantEnv)
	}
	hc := cfg.HostConfig
	if hc.NetworkMode != "host" {
		t.Errorf("NetworkMode = %q", hc.NetworkMode)
	}
	if hc.NanoCPUs != 1e9 || hc.Memory != 1<<30 || hc.MemorySwap != 1<<30 {
		t.Errorf("limits: NanoCpus %d Memory %d MemorySwap %d", hc.NanoCPUs, hc.Memory, hc.MemorySwap)
	}
	if hc.CPUShares != 1024 {
		t.Errorf("CpuShares = %d, want 1024 for a request of 1 CPU", hc.CPUShares)
	}
	if hc.OomScoreAdj != -997 {
		t.Errorf("Guaranteed Pod: OomScoreAdj = %d, want -997", hc.OomScoreAdj)
	}
	if cfg := buildContainerConfig(pod, containerParams{Container: c, NoNegativeOOMScoreAdj: true}); cfg.HostConfig.OomScoreAdj != 0 {
		t.Errorf("without CAP_SYS_RESOURCE: OomScoreAdj = %d, want 0", cfg.HostConfig.OomScoreAdj)
	}
	if hc.RestartPolicy.Name != "no" || hc.LogConfig.Type != "json-file" {
		t.Errorf("restart policy %q, log driver %q", hc.RestartPolicy.Name, hc.LogConfig.Type)
	}
	if !reflect.DeepEqual(hc.Mounts, mounts) {
		t.Errorf("Mounts = %+v", hc.Mounts)
	}
	wantLabels := map[string]string{
		LabelPodName: pod.Name, LabelPodNamespace: pod.Namespace, LabelPodUID: string(pod.UID),
		LabelContainerName: c.Name, LabelRestartCount: "0", LabelNode: "flyte-lab",
		LabelTerminationMessagePath: "/dev/termination-log", LabelTerminationMessagePolicy: "File",
	}
	if !reflect.DeepEqual(cfg.Labels, wantLabels) {
		t.Errorf("Labels = %v", cfg.Labels)
	}
	if got := DockerContainerName(pod, c.Name, 2); got != "k8s_f7a3b-n0-0_f7a3b-n0-0_flytesnacks-development_0b8f2f6e-1111-2222-3333-444455556666_2" {
		t.Errorf("DockerContainerName = %q", got)
	}

	// The JSON body leaves unset fields out, so Docker applies the image's defaults.
	b, _ := json.Marshal(cfg)
	for _, absent := range []string{`"Entrypoint"`, `"WorkingDir"`, `"User"`} {
		if strings.Contains(string(b), absent) {
			t.Errorf("create body has %s: %s", absent, b)
		}
	}
}

func TestCommandArgsSemantics(t *testing.T) {
	for _, tc := range []struct {
		name             string
		command, args    []string
		entrypoint, cmds []string
	}{
		{"neither: image ENTRYPOINT and CMD", nil, nil, nil, nil},
		{"command only: replaces ENTRYPOINT, image CMD not used", []string{"sh", "-c"}, nil, []string{"sh", "-c"}, nil},
		{"args only: image ENTRYPOINT with these args", nil, []string{"a", "b"}, nil, []string{"a", "b"}},
		{"both", []string{"python"}, []string{"-m", "x"}, []string{"python"}, []string{"-m", "x"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pod := flytePod()
			c := &pod.Spec.Containers[0]
			c.Command, c.Args = tc.command, tc.args
			cfg := buildContainerConfig(pod, containerParams{Container: c})
			if !reflect.DeepEqual(cfg.Entrypoint, tc.entrypoint) || !reflect.DeepEqual(cfg.Cmd, tc.cmds) {
				t.Errorf("Entrypoint %q Cmd %q, want %q %q", cfg.Entrypoint, cfg.Cmd, tc.entrypoint, tc.cmds)
			}
		})
	}
}

func TestResourcesRequestsOnlyDoNotLimit(t *testing.T) {
	pod := flytePod()
	c := &pod.Spec.Containers[0]
	c.Resources.Limits = nil
	c.Resources.Requests = v1.ResourceList{v1.ResourceCPU: resource.MustParse("250m"), v1.ResourceMemory: resource.MustParse("512Mi")}
	cfg := buildContainerConfig(pod, containerParams{Container: c, MemoryCapacity: 8 << 30})
	hc := cfg.HostConfig
	if hc.NanoCPUs != 0 || hc.Memory != 0 || hc.MemorySwap != 0 {
		t.Errorf("requests only must not limit: NanoCpus %d Memory %d", hc.NanoCPUs, hc.Memory)
	}
	if hc.CPUShares != 256 {
		t.Errorf("CpuShares = %d, want 256", hc.CPUShares)
	}
	// Burstable: 1000 - 1000*512Mi/8Gi = 938.
	if hc.OomScoreAdj != 938 {
		t.Errorf("OomScoreAdj = %d, want 938", hc.OomScoreAdj)
	}
	c.Resources.Requests = nil
	cfg = buildContainerConfig(pod, containerParams{Container: c, MemoryCapacity: 8 << 30})
	if cfg.HostConfig.CPUShares != 2 || cfg.HostConfig.OomScoreAdj != 1000 {
		t.Errorf("BestEffort: CpuShares %d OomScoreAdj %d, want 2 and 1000", cfg.HostConfig.CPUShares, cfg.HostConfig.OomScoreAdj)
	}
	c.Resources.Limits = v1.ResourceList{v1.ResourceCPU: resource.MustParse("1500m"), v1.ResourceMemory: resource.MustParse("100M")}
	cfg = buildContainerConfig(pod, containerParams{Container: c})
	if cfg.HostConfig.NanoCPUs != 1_500_000_000 || cfg.HostConfig.Memory != 100_000_000 {
		t.Errorf("limits: NanoCpus %d Memory %d", cfg.HostConfig.NanoCPUs, cfg.HostConfig.Memory)
	}
}

func TestSecurityContext(t *testing.T) {
	pod := flytePod()
	c := &pod.Spec.Containers[0]
	pod.Spec.SecurityContext = &v1.PodSecurityContext{RunAsUser: ptrTo(int64(1000)), RunAsGroup: ptrTo(int64(100)),
		SupplementalGroups: []int64{5}, FSGroup: ptrTo(int64(2000))}
	c.SecurityContext = &v1.SecurityContext{RunAsUser: ptrTo(int64(1001)), ReadOnlyRootFilesystem: ptrTo(true),
		AllowPrivilegeEscalation: ptrTo(false), Capabilities: &v1.Capabilities{Drop: []v1.Capability{"ALL"}, Add: []v1.Capability{"NET_BIND_SERVICE"}}}
	cfg := buildContainerConfig(pod, containerParams{Container: c})
	if cfg.User != "1001:100" {
		t.Errorf("User = %q", cfg.User)
	}
	hc := cfg.HostConfig
	if !hc.ReadonlyRootfs || !reflect.DeepEqual(hc.SecurityOpt, []string{"no-new-privileges"}) ||
		!reflect.DeepEqual(hc.CapDrop, []string{"ALL"}) || !reflect.DeepEqual(hc.CapAdd, []string{"NET_BIND_SERVICE"}) ||
		!reflect.DeepEqual(hc.GroupAdd, []string{"5", "2000"}) {
		t.Errorf("host config %+v", hc)
	}
	c.SecurityContext.RunAsNonRoot = ptrTo(true)
	if err := runAsNonRootError(pod, c, ""); err != nil {
		t.Errorf("uid 1001 is not root: %v", err)
	}
	pod.Spec.SecurityContext, c.SecurityContext.RunAsUser = nil, nil
	var ce *configError
	if err := runAsNonRootError(pod, c, "root"); !errors.As(err, &ce) {
		t.Errorf("image user root with runAsNonRoot: %v", err)
	}
}

func TestExpand(t *testing.T) {
	vars := map[string]string{"A": "1", "B": "two", "EMPTY": ""}
	lookup := func(n string) (string, bool) { v, ok := vars[n]; return v, ok }
	for in, want := range map[string]string{
		"$(A)":            "1",
		"x$(A)y$(B)z":     "x1ytwoz",
		"$(UNDEFINED)":    "$(UNDEFINED)",
		"$$(A)":           "$(A)",
		"$$$(A)":          "$1",
		"$(A":             "$(A",
		"$A":              "$A",
		"a$":              "a$",
		"$(EMPTY)-":       "-",
		"no refs at all":  "no refs at all",
		"$(A)$(B)$(A)$$$": "1two1$$",
	} {
		if got := expand(in, lookup); got != want {
			t.Errorf("expand(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestResolveEnv(t *testing.T) {
	pod := flytePod()
	pod.Spec.ServiceAccountName = "default"
	c := &pod.Spec.Containers[0]
	c.Resources.Limits = v1.ResourceList{v1.ResourceMemory: resource.MustParse("1Gi")}
	c.EnvFrom = []v1.EnvFromSource{{ConfigMapRef: &v1.ConfigMapEnvSource{LocalObjectReference: v1.LocalObjectReference{Name: "cm"}}, Prefix: "CM_"}}
	c.Env = []v1.EnvVar{
		{Name: "POD", ValueFrom: &v1.EnvVarSource{FieldRef: &v1.ObjectFieldSelector{FieldPath: "metadata.name"}}},
		{Name: "NS", ValueFrom: &v1.EnvVarSource{FieldRef: &v1.ObjectFieldSelector{FieldPath: "metadata.namespace"}}},
		{Name: "UID", ValueFrom: &v1.EnvVarSource{FieldRef: &v1.ObjectFieldSelector{FieldPath: "metadata.uid"}}},
		{Name: "NODE", ValueFrom: &v1.EnvVarSource{FieldRef: &v1.ObjectFieldSelector{FieldPath: "spec.nodeName"}}},
		{Name: "IP", ValueFrom: &v1.EnvVarSource{FieldRef: &v1.ObjectFieldSelector{FieldPath: "status.podIP"}}},
		{Name: "HOSTIP", ValueFrom: &v1.EnvVarSource{FieldRef: &v1.ObjectFieldSelector{FieldPath: "status.hostIP"}}},
		{Name: "TASK", ValueFrom: &v1.EnvVarSource{FieldRef: &v1.ObjectFieldSelector{FieldPath: "metadata.labels['task-name']"}}},
		{Name: "MEM", ValueFrom: &v1.EnvVarSource{ResourceFieldRef: &v1.ResourceFieldSelector{Resource: "limits.memory", Divisor: resource.MustParse("1Mi")}}},
		{Name: "CPU", ValueFrom: &v1.EnvVarSource{ResourceFieldRef: &v1.ResourceFieldSelector{Resource: "limits.cpu"}}},
		{Name: "KEY", ValueFrom: &v1.EnvVarSource{ConfigMapKeyRef: &v1.ConfigMapKeySelector{LocalObjectReference: v1.LocalObjectReference{Name: "cm"}, Key: "k"}}},
		{Name: "PW", ValueFrom: &v1.EnvVarSource{SecretKeyRef: &v1.SecretKeySelector{LocalObjectReference: v1.LocalObjectReference{Name: "s"}, Key: "pw"}}},
		{Name: "OPT", ValueFrom: &v1.EnvVarSource{SecretKeyRef: &v1.SecretKeySelector{LocalObjectReference: v1.LocalObjectReference{Name: "missing"}, Key: "x", Optional: ptrTo(true)}}},
		{Name: "REF", Value: "$(POD)/$(CM_k)/$(KUBERNETES_SERVICE_PORT)/$(NOPE)"},
		{Name: "CM_k", Value: "override"},
	}
	src := envSources{
		ConfigMap: func(name string) (*v1.ConfigMap, error) {
			if name == "cm" {
				return &v1.ConfigMap{Data: map[string]string{"k": "v"}}, nil
			}
			return nil, nil
		},
		Secret: func(name string) (*v1.Secret, error) {
			if name == "s" {
				return &v1.Secret{Data: map[string][]byte{"pw": []byte("hunter2")}}, nil
			}
			return nil, nil
		},
		Allocatable: v1.ResourceList{v1.ResourceCPU: resource.MustParse("2")},
		IP:          "127.0.0.1",
		ServiceEnv:  map[string]string{"KUBERNETES_SERVICE_PORT": "6443"},
	}
	env, err := resolveEnv(pod, c, src)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"CM_k=override", "POD=f7a3b-n0-0", "NS=flytesnacks-development", "UID=0b8f2f6e-1111-2222-3333-444455556666",
		"NODE=flyte-lab", "IP=127.0.0.1", "HOSTIP=127.0.0.1", "TASK=dataset_task", "MEM=1024", "CPU=2", "KEY=v", "PW=hunter2",
		"REF=f7a3b-n0-0/v/6443/$(NOPE)", "KUBERNETES_SERVICE_PORT=6443"}
	if got := env.Docker(); !reflect.DeepEqual(got, want) {
		t.Errorf("env\n got %q\nwant %q", got, want)
	}

	// A missing ConfigMap key is a config error (the container waits with CreateContainerConfigError).
	c.Env = []v1.EnvVar{{Name: "X", ValueFrom: &v1.EnvVarSource{ConfigMapKeyRef: &v1.ConfigMapKeySelector{LocalObjectReference: v1.LocalObjectReference{Name: "cm"}, Key: "nope"}}}}
	var ce *configError
	if _, err := resolveEnv(pod, c, src); !errors.As(err, &ce) || !strings.Contains(err.Error(), "couldn't find key nope in ConfigMap") {
		t.Errorf("missing key: %v", err)
	}
	c.EnvFrom = []v1.EnvFromSource{{SecretRef: &v1.SecretEnvSource{LocalObjectReference: v1.LocalObjectReference{Name: "absent"}}}}
	if _, err := resolveEnv(pod, c, src); !errors.As(err, &ce) {
		t.Errorf("missing secret: %v", err)
	}
}

func TestUnsupportedReason(t *testing.T) {
	pod := flytePod()
	if r := unsupportedReason(pod); r != "" {
		t.Fatalf("flyte pod rejected: %s", r)
	}
	pod.Spec.Volumes = []v1.Volume{{Name: "data", VolumeSource: v1.VolumeSource{PersistentVolumeClaim: &v1.PersistentVolumeClaimVolumeSource{ClaimName: "c"}}}}
	if r := unsupportedReason(pod); !strings.Contains(r, `volume "data"`) {
		t.Errorf("PVC volume: %q", r)
	}
	pod = flytePod()
	pod.Spec.Containers[0].Env = append(pod.Spec.Containers[0].Env, v1.EnvVar{Name: "F", ValueFrom: &v1.EnvVarSource{
		FileKeyRef: &v1.FileKeySelector{VolumeName: "v", Path: "p", Key: "k"}}})
	if r := unsupportedReason(pod); !strings.Contains(r, "env F") {
		t.Errorf("fileKeyRef: %q", r)
	}
	pod = flytePod()
	pod.Spec.Containers[0].Env = append(pod.Spec.Containers[0].Env, v1.EnvVar{Name: "F", ValueFrom: &v1.EnvVarSource{
		FieldRef: &v1.ObjectFieldSelector{FieldPath: "spec.schedulerName"}}})
	if r := unsupportedReason(pod); !strings.Contains(r, "unsupported fieldRef") {
		t.Errorf("fieldRef: %q", r)
	}
}

func TestValidImageReference(t *testing.T) {
	for ref, ok := range map[string]bool{
		"localhost:30000/digits:abc":                true,
		"unionml-node-base:latest":                  true,
		"unionml-node-base":                         true,
		"ghcr.io/flyteorg/flytekit:py3.11-1.16":     true,
		"busybox@sha256:" + strings.Repeat("a", 64): true,
		"Upper/Case":                                false,
		"":                                          false,
		"bad name":                                  false,
		"a:b:c":                                     false,
	} {
		if got := validImageReference(ref); got != ok {
			t.Errorf("validImageReference(%q) = %v", ref, got)
		}
	}
	for ref, want := range map[string][2]string{
		"localhost:30000/digits:abc": {"localhost:30000/digits", "abc"},
		"localhost:30000/digits":     {"localhost:30000/digits", ""},
		"busybox@sha256:abc":         {"busybox", "sha256:abc"},
	} {
		if n, tag := splitReference(ref); n != want[0] || tag != want[1] {
			t.Errorf("splitReference(%q) = %q %q", ref, n, tag)
		}
	}
}

func TestQOSClass(t *testing.T) {
	pod := flytePod()
	if q := podQOSClass(pod); q != v1.PodQOSGuaranteed {
		t.Errorf("requests == limits: %s", q)
	}
	pod.Spec.Containers[0].Resources.Limits = nil
	if q := podQOSClass(pod); q != v1.PodQOSBurstable {
		t.Errorf("requests only: %s", q)
	}
	pod.Spec.Containers[0].Resources = v1.ResourceRequirements{}
	if q := podQOSClass(pod); q != v1.PodQOSBestEffort {
		t.Errorf("none: %s", q)
	}
}

func TestNodeMismatch(t *testing.T) {
	labels := map[string]string{"kubernetes.io/hostname": "flyte-lab", "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64"}
	pod := flytePod()
	if m := nodeMismatch(pod, labels, "flyte-lab"); m != "" {
		t.Errorf("no constraints: %q", m)
	}
	pod.Spec.NodeSelector = map[string]string{"kubernetes.io/os": "linux"}
	if m := nodeMismatch(pod, labels, "flyte-lab"); m != "" {
		t.Errorf("matching selector: %q", m)
	}
	pod.Spec.NodeSelector = map[string]string{"gpu": "true"}
	if m := nodeMismatch(pod, labels, "flyte-lab"); m == "" {
		t.Error("selector gpu=true matched")
	}
	pod.Spec.NodeSelector = nil
	term := func(reqs ...v1.NodeSelectorRequirement) *v1.Affinity {
		return &v1.Affinity{NodeAffinity: &v1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &v1.NodeSelector{
			NodeSelectorTerms: []v1.NodeSelectorTerm{{MatchExpressions: reqs}}}}}
	}
	for _, tc := range []struct {
		req  v1.NodeSelectorRequirement
		fits bool
	}{
		{v1.NodeSelectorRequirement{Key: "kubernetes.io/arch", Operator: v1.NodeSelectorOpIn, Values: []string{"amd64", "arm64"}}, true},
		{v1.NodeSelectorRequirement{Key: "kubernetes.io/arch", Operator: v1.NodeSelectorOpNotIn, Values: []string{"amd64"}}, false},
		{v1.NodeSelectorRequirement{Key: "gpu", Operator: v1.NodeSelectorOpDoesNotExist}, true},
		{v1.NodeSelectorRequirement{Key: "gpu", Operator: v1.NodeSelectorOpExists}, false},
	} {
		pod.Spec.Affinity = term(tc.req)
		if fits := nodeMismatch(pod, labels, "flyte-lab") == ""; fits != tc.fits {
			t.Errorf("%+v: fits %v", tc.req, fits)
		}
	}
}
