package kubelet

// Pure mappings from a Pod's spec to what Docker is asked to run: container names and labels, the environment
// (with the kubelet's $(VAR) expansion and downward API), resources and security settings, and the create body.

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// Labels on every Docker container the runner makes. The io.kubernetes.* keys are the ones the kubelet's Docker
// integration used, so tools that know them (and `docker ps --filter label=...`) work.
const (
	LabelPodName       = "io.kubernetes.pod.name"
	LabelPodNamespace  = "io.kubernetes.pod.namespace"
	LabelPodUID        = "io.kubernetes.pod.uid"
	LabelContainerName = "io.kubernetes.container.name"
	LabelRestartCount  = "io.kubernetes.container.restartCount"
	// LabelNode names the runner (node) that owns the container; only containers with this label are ever
	// adopted or removed by a runner of that node.
	LabelNode = "org.unionml.flyte-lab.node"
	// LabelInit is "true" for init containers.
	LabelInit = "org.unionml.flyte-lab.init-container"
	// LabelTerminationMessagePath/Policy record the spec's values (the host file is the mount at that path).
	LabelTerminationMessagePath   = "io.kubernetes.container.terminationMessagePath"
	LabelTerminationMessagePolicy = "io.kubernetes.container.terminationMessagePolicy"
)

// DockerContainerName is the kubelet's Docker naming: k8s_<container>_<pod>_<namespace>_<uid>_<restartCount>.
func DockerContainerName(pod *v1.Pod, container string, restartCount int32) string {
	return fmt.Sprintf("k8s_%s_%s_%s_%s_%d", container, pod.Name, pod.Namespace, pod.UID, restartCount)
}

// containerLabels ties a Docker container to its Pod and spec container.
func containerLabels(pod *v1.Pod, c *v1.Container, init bool, restartCount int32, node string) map[string]string {
	l := map[string]string{
		LabelPodName:       pod.Name,
		LabelPodNamespace:  pod.Namespace,
		LabelPodUID:        string(pod.UID),
		LabelContainerName: c.Name,
		LabelRestartCount:  strconv.Itoa(int(restartCount)),
		LabelNode:          node,
	}
	if init {
		l[LabelInit] = "true"
	}
	if c.TerminationMessagePath != "" {
		l[LabelTerminationMessagePath] = c.TerminationMessagePath
	}
	if c.TerminationMessagePolicy != "" {
		l[LabelTerminationMessagePolicy] = string(c.TerminationMessagePolicy)
	}
	return l
}

// Image reference grammar of github.com/distribution/reference (the kubelet rejects other names with
// InvalidImageName).
var imageReferenceRE = func() *regexp.Regexp {
	alnum := `[a-z0-9]+`
	sep := `(?:[._]|__|[-]+)`
	pathComponent := alnum + `(?:` + sep + alnum + `)*`
	domainComponent := `(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])`
	domain := `(?:` + domainComponent + `(?:\.` + domainComponent + `)*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?`
	name := `(?:` + domain + `/)?` + pathComponent + `(?:/` + pathComponent + `)*`
	tag := `[\w][\w.-]{0,127}`
	digest := `[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}`
	return regexp.MustCompile(`^` + name + `(?::` + tag + `)?(?:@` + digest + `)?$`)
}()

// validImageReference reports whether ref is a well-formed image reference.
func validImageReference(ref string) bool {
	return len(ref) <= 255+128+80 && imageReferenceRE.MatchString(ref)
}

// expand is the kubelet's $(VAR) expansion (k8s.io/kubernetes/third_party/forked/golang/expansion): $(NAME) is
// replaced by the variable's value when it is defined and left as is otherwise; $$ is an escaped $.
func expand(input string, lookup func(string) (string, bool)) string {
	var buf bytes.Buffer
	checkpoint := 0
	for cursor := 0; cursor < len(input); cursor++ {
		if input[cursor] != '$' || cursor+1 >= len(input) {
			continue
		}
		buf.WriteString(input[checkpoint:cursor])
		rest := input[cursor+1:]
		advance := 1
		switch rest[0] {
		case '$':
			buf.WriteByte('$')
		case '(':
			closer := strings.IndexByte(rest, ')')
			if closer < 0 {
				buf.WriteString("$(")
				break
			}
			name := rest[1:closer]
			if v, ok := lookup(name); ok {
				buf.WriteString(v)
			} else {
				buf.WriteString("$(" + name + ")")
			}
			advance = closer + 1
		default:
			buf.WriteByte('$')
			buf.WriteByte(rest[0])
		}
		cursor += advance
		checkpoint = cursor + 1
	}
	return buf.String() + input[checkpoint:]
}

// envList is an ordered environment where a later definition replaces the value of an earlier one.
type envList struct {
	names  []string
	values map[string]string
}

func newEnvList() *envList { return &envList{values: map[string]string{}} }

func (e *envList) set(name, value string) {
	if _, ok := e.values[name]; !ok {
		e.names = append(e.names, name)
	}
	e.values[name] = value
}

func (e *envList) get(name string) (string, bool) {
	v, ok := e.values[name]
	return v, ok
}

// Docker renders the environment as NAME=value strings.
func (e *envList) Docker() []string {
	out := make([]string, 0, len(e.names))
	for _, n := range e.names {
		out = append(out, n+"="+e.values[n])
	}
	return out
}

// envSources gives the environment resolver what lies outside the Pod: ConfigMaps and Secrets (nil, nil when one
// does not exist), the node's allocatable resources, the Pod's and node's address, and the service variables.
type envSources struct {
	ConfigMap   func(name string) (*v1.ConfigMap, error)
	Secret      func(name string) (*v1.Secret, error)
	Allocatable v1.ResourceList
	IP          string
	ServiceEnv  map[string]string
}

// configError is an environment or volume reference the kubelet cannot resolve now (a missing ConfigMap or key):
// the container waits with CreateContainerConfigError and is retried.
type configError struct{ msg string }

func (e *configError) Error() string { return e.msg }

// resolveEnv builds a container's environment as the kubelet's makeEnvironmentVariables does: envFrom first, then
// env in order (values expanded against the variables defined so far and the service variables; valueFrom
// resolved), then the service variables not otherwise defined.
func resolveEnv(pod *v1.Pod, c *v1.Container, src envSources) (*envList, error) {
	env := newEnvList()
	configMaps := map[string]*v1.ConfigMap{}
	secrets := map[string]*v1.Secret{}
	getCM := func(name string, optional bool) (*v1.ConfigMap, error) {
		if cm, ok := configMaps[name]; ok {
			return cm, nil
		}
		cm, err := src.ConfigMap(name)
		if err != nil {
			return nil, err
		}
		if cm == nil && !optional {
			return nil, &configError{fmt.Sprintf("configmap %q not found", name)}
		}
		configMaps[name] = cm
		return cm, nil
	}
	getSecret := func(name string, optional bool) (*v1.Secret, error) {
		if s, ok := secrets[name]; ok {
			return s, nil
		}
		s, err := src.Secret(name)
		if err != nil {
			return nil, err
		}
		if s == nil && !optional {
			return nil, &configError{fmt.Sprintf("secret %q not found", name)}
		}
		secrets[name] = s
		return s, nil
	}

	for _, ef := range c.EnvFrom {
		switch {
		case ef.ConfigMapRef != nil:
			cm, err := getCM(ef.ConfigMapRef.Name, ef.ConfigMapRef.Optional != nil && *ef.ConfigMapRef.Optional)
			if err != nil {
				return nil, err
			}
			if cm != nil {
				for _, k := range sortedKeys(cm.Data) {
					env.set(ef.Prefix+k, cm.Data[k])
				}
			}
		case ef.SecretRef != nil:
			s, err := getSecret(ef.SecretRef.Name, ef.SecretRef.Optional != nil && *ef.SecretRef.Optional)
			if err != nil {
				return nil, err
			}
			if s != nil {
				for _, k := range sortedKeys(s.Data) {
					env.set(ef.Prefix+k, string(s.Data[k]))
				}
			}
		}
	}

	lookup := func(name string) (string, bool) {
		if v, ok := env.get(name); ok {
			return v, true
		}
		v, ok := src.ServiceEnv[name]
		return v, ok
	}
	for _, ev := range c.Env {
		value := ev.Value
		switch {
		case value != "":
			value = expand(value, lookup)
		case ev.ValueFrom == nil:
		case ev.ValueFrom.FieldRef != nil:
			v, err := podFieldValue(pod, ev.ValueFrom.FieldRef.FieldPath, src.IP)
			if err != nil {
				return nil, fmt.Errorf("env %s: %w", ev.Name, err)
			}
			value = v
		case ev.ValueFrom.ResourceFieldRef != nil:
			v, err := containerResourceValue(pod, c, ev.ValueFrom.ResourceFieldRef, src.Allocatable)
			if err != nil {
				return nil, fmt.Errorf("env %s: %w", ev.Name, err)
			}
			value = v
		case ev.ValueFrom.ConfigMapKeyRef != nil:
			ref := ev.ValueFrom.ConfigMapKeyRef
			optional := ref.Optional != nil && *ref.Optional
			cm, err := getCM(ref.Name, optional)
			if err != nil {
				return nil, err
			}
			v, ok := "", false
			if cm != nil {
				v, ok = cm.Data[ref.Key]
			}
			if !ok {
				if optional {
					continue
				}
				return nil, &configError{fmt.Sprintf("couldn't find key %v in ConfigMap %v/%v", ref.Key, pod.Namespace, ref.Name)}
			}
			value = v
		case ev.ValueFrom.SecretKeyRef != nil:
			ref := ev.ValueFrom.SecretKeyRef
			optional := ref.Optional != nil && *ref.Optional
			s, err := getSecret(ref.Name, optional)
			if err != nil {
				return nil, err
			}
			var v []byte
			ok := false
			if s != nil {
				v, ok = s.Data[ref.Key]
			}
			if !ok {
				if optional {
					continue
				}
				return nil, &configError{fmt.Sprintf("couldn't find key %v in Secret %v/%v", ref.Key, pod.Namespace, ref.Name)}
			}
			value = string(v)
		default:
			return nil, fmt.Errorf("env %s: unsupported valueFrom (only fieldRef, resourceFieldRef, configMapKeyRef and secretKeyRef are supported)", ev.Name)
		}
		env.set(ev.Name, value)
	}
	for _, k := range sortedKeys(src.ServiceEnv) {
		if _, ok := env.get(k); !ok {
			env.set(k, src.ServiceEnv[k])
		}
	}
	return env, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// podFieldValue is the downward API for a field path (the kubelet's podFieldSelectorRuntimeValue). With host
// networking the Pod's address is the node's.
func podFieldValue(pod *v1.Pod, path, ip string) (string, error) {
	switch path {
	case "metadata.name":
		return pod.Name, nil
	case "metadata.namespace":
		return pod.Namespace, nil
	case "metadata.uid":
		return string(pod.UID), nil
	case "metadata.labels":
		return formatMap(pod.Labels), nil
	case "metadata.annotations":
		return formatMap(pod.Annotations), nil
	case "spec.nodeName":
		return pod.Spec.NodeName, nil
	case "spec.serviceAccountName":
		return pod.Spec.ServiceAccountName, nil
	case "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs":
		return ip, nil
	}
	if strings.HasSuffix(path, "']") {
		if i := strings.Index(path, "['"); i > 0 {
			key := path[i+2 : len(path)-2]
			switch path[:i] {
			case "metadata.labels":
				return pod.Labels[key], nil
			case "metadata.annotations":
				return pod.Annotations[key], nil
			}
		}
	}
	return "", fmt.Errorf("unsupported fieldRef fieldPath %q", path)
}

// formatMap renders labels or annotations as the downward API does: sorted key="quoted value" lines.
func formatMap(m map[string]string) string {
	var b strings.Builder
	for i, k := range sortedKeys(m) {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(k + "=" + strconv.Quote(m[k]))
	}
	return b.String()
}

// containerResourceValue is the downward API for resources (limits default to the node's allocatable), rounded up
// to whole divisors as the kubelet does.
func containerResourceValue(pod *v1.Pod, c *v1.Container, ref *v1.ResourceFieldSelector, allocatable v1.ResourceList) (string, error) {
	target := c
	if ref.ContainerName != "" {
		target = nil
		for _, list := range [][]v1.Container{pod.Spec.Containers, pod.Spec.InitContainers} {
			for i := range list {
				if list[i].Name == ref.ContainerName {
					target = &list[i]
				}
			}
		}
		if target == nil {
			return "", fmt.Errorf("resourceFieldRef: no container %q", ref.ContainerName)
		}
	}
	divisor := ref.Divisor
	if divisor.IsZero() {
		divisor = resource.MustParse("1")
	}
	var q resource.Quantity
	var name v1.ResourceName
	switch ref.Resource {
	case "limits.cpu", "requests.cpu":
		name = v1.ResourceCPU
	case "limits.memory", "requests.memory":
		name = v1.ResourceMemory
	case "limits.ephemeral-storage", "requests.ephemeral-storage":
		name = v1.ResourceEphemeralStorage
	default:
		return "", fmt.Errorf("unsupported resourceFieldRef resource %q", ref.Resource)
	}
	if strings.HasPrefix(ref.Resource, "limits.") {
		var ok bool
		if q, ok = target.Resources.Limits[name]; !ok {
			q = allocatable[name]
		}
	} else {
		q = target.Resources.Requests[name]
	}
	if name == v1.ResourceCPU {
		return strconv.FormatInt(int64(math.Ceil(float64(q.MilliValue())/float64(divisor.MilliValue()))), 10), nil
	}
	return strconv.FormatInt(int64(math.Ceil(float64(q.Value())/float64(divisor.Value()))), 10), nil
}

// cpuShares is the kubelet's MilliCPUToShares for a CPU request (2 when there is none).
func cpuShares(c *v1.Container) int64 {
	const minShares, maxShares = 2, 262144
	q, ok := c.Resources.Requests[v1.ResourceCPU]
	if !ok {
		q = c.Resources.Limits[v1.ResourceCPU] // requests default to limits
	}
	shares := q.MilliValue() * 1024 / 1000
	return min(max(shares, minShares), maxShares)
}

// oomScoreAdj is the kubelet's GetContainerOOMScoreAdjust (pkg/kubelet/qos/policy.go) without the critical-Pod and
// sidecar special cases.
func oomScoreAdj(pod *v1.Pod, c *v1.Container, memoryCapacity int64) int {
	switch podQOSClass(pod) {
	case v1.PodQOSGuaranteed:
		return -997
	case v1.PodQOSBestEffort:
		return 1000
	}
	if memoryCapacity <= 0 {
		return 999
	}
	req := c.Resources.Requests.Memory().Value()
	adj := 1000 - (1000*req)/memoryCapacity
	if adj < 3 {
		return 3
	}
	if adj == 1000 {
		return 999
	}
	return int(adj)
}

// canLowerOOMScoreAdj reports whether this process has CAP_SYS_RESOURCE (needed for a negative oom_score_adj). The
// Docker daemon runs on the same machine and, on machines that withhold the capability, lacks it as well.
func canLowerOOMScoreAdj() bool {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "CapEff:"); ok {
			caps, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
			const capSysResource = 24
			return err == nil && caps&(1<<capSysResource) != 0
		}
	}
	return false
}

// securityUser renders runAsUser/runAsGroup (container settings win over the Pod's) as Docker's User.
func securityUser(pod *v1.Pod, c *v1.Container) string {
	var uid, gid *int64
	if psc := pod.Spec.SecurityContext; psc != nil {
		uid, gid = psc.RunAsUser, psc.RunAsGroup
	}
	if sc := c.SecurityContext; sc != nil {
		if sc.RunAsUser != nil {
			uid = sc.RunAsUser
		}
		if sc.RunAsGroup != nil {
			gid = sc.RunAsGroup
		}
	}
	switch {
	case uid != nil && gid != nil:
		return fmt.Sprintf("%d:%d", *uid, *gid)
	case uid != nil:
		return strconv.FormatInt(*uid, 10)
	case gid != nil:
		// Docker needs a user with a group; 0 is what the image would have used unless it names another user.
		return fmt.Sprintf("0:%d", *gid)
	}
	return ""
}

// runAsNonRootError checks runAsNonRoot against the user the container would run as (imageUser is the image's
// configured user); it returns the kubelet's message when the container would run as root.
func runAsNonRootError(pod *v1.Pod, c *v1.Container, imageUser string) error {
	nonRoot := false
	if psc := pod.Spec.SecurityContext; psc != nil && psc.RunAsNonRoot != nil {
		nonRoot = *psc.RunAsNonRoot
	}
	if sc := c.SecurityContext; sc != nil && sc.RunAsNonRoot != nil {
		nonRoot = *sc.RunAsNonRoot
	}
	if !nonRoot {
		return nil
	}
	user := securityUser(pod, c)
	if user == "" {
		user = imageUser
	}
	uid, _, _ := strings.Cut(user, ":")
	switch {
	case uid == "" || uid == "root" || uid == "0":
		return &configError{"container has runAsNonRoot and image will run as root"}
	case strings.Trim(uid, "0123456789") != "":
		return &configError{fmt.Sprintf("container has runAsNonRoot and image has non-numeric user (%s), cannot verify user is non-root", uid)}
	}
	return nil
}

// containerParams is everything buildContainerConfig needs besides the Pod.
type containerParams struct {
	Container      *v1.Container
	Init           bool
	RestartCount   int32
	Env            *envList
	Mounts         []Mount // volume mounts and the termination message file, host paths resolved
	Node           string
	MemoryCapacity int64
	// NoNegativeOOMScoreAdj clamps the OOM score adjustment at 0: lowering it needs CAP_SYS_RESOURCE, and without it
	// runc fails to start the container ("can't get final child's PID from pipe").
	NoNegativeOOMScoreAdj bool
}

// buildContainerConfig maps one container of a Pod to the body of Docker's create call, with Kubernetes' command
// semantics: command replaces the image's ENTRYPOINT (and then its CMD is not used), args replace its CMD; both
// are expanded against the environment. The container joins the host network (the daemon has no bridge), so it
// reaches the lab's services on 127.0.0.1. CPU and memory limits become Docker limits (requests alone do not limit;
// the CPU request sets cpu shares as the kubelet does), swap is off.
func buildContainerConfig(pod *v1.Pod, p containerParams) *ContainerConfig {
	c := p.Container
	lookup := func(name string) (string, bool) {
		if p.Env == nil {
			return "", false
		}
		return p.Env.get(name)
	}
	expandAll := func(in []string) []string {
		if len(in) == 0 {
			return nil
		}
		out := make([]string, len(in))
		for i, s := range in {
			out[i] = expand(s, lookup)
		}
		return out
	}
	cfg := &ContainerConfig{
		Image:      c.Image,
		Entrypoint: expandAll(c.Command),
		Cmd:        expandAll(c.Args),
		WorkingDir: c.WorkingDir,
		User:       securityUser(pod, c),
		Labels:     containerLabels(pod, c, p.Init, p.RestartCount, p.Node),
		Tty:        c.TTY,
		OpenStdin:  c.Stdin,
		StdinOnce:  c.StdinOnce,
		HostConfig: HostConfig{
			NetworkMode:   "host",
			Mounts:        p.Mounts,
			CPUShares:     cpuShares(c),
			OomScoreAdj:   oomScoreAdj(pod, c, p.MemoryCapacity),
			RestartPolicy: RestartPolicy{Name: "no"},
			LogConfig:     LogConfig{Type: "json-file"},
		},
	}
	if p.NoNegativeOOMScoreAdj && cfg.HostConfig.OomScoreAdj < 0 {
		cfg.HostConfig.OomScoreAdj = 0
	}
	if p.Env != nil {
		cfg.Env = p.Env.Docker()
	}
	if q, ok := c.Resources.Limits[v1.ResourceCPU]; ok && !q.IsZero() {
		cfg.HostConfig.NanoCPUs = q.MilliValue() * 1_000_000
	}
	if q, ok := c.Resources.Limits[v1.ResourceMemory]; ok && !q.IsZero() {
		cfg.HostConfig.Memory = q.Value()
		cfg.HostConfig.MemorySwap = q.Value()
	}
	var groups []string
	if psc := pod.Spec.SecurityContext; psc != nil {
		for _, g := range psc.SupplementalGroups {
			groups = append(groups, strconv.FormatInt(g, 10))
		}
		if psc.FSGroup != nil {
			groups = append(groups, strconv.FormatInt(*psc.FSGroup, 10))
		}
	}
	cfg.HostConfig.GroupAdd = groups
	if pod.Spec.HostPID {
		cfg.HostConfig.PidMode = "host"
	}
	if pod.Spec.HostIPC {
		cfg.HostConfig.IpcMode = "host"
	}
	if sc := c.SecurityContext; sc != nil {
		if sc.Privileged != nil {
			cfg.HostConfig.Privileged = *sc.Privileged
		}
		if sc.ReadOnlyRootFilesystem != nil {
			cfg.HostConfig.ReadonlyRootfs = *sc.ReadOnlyRootFilesystem
		}
		if sc.AllowPrivilegeEscalation != nil && !*sc.AllowPrivilegeEscalation {
			cfg.HostConfig.SecurityOpt = append(cfg.HostConfig.SecurityOpt, "no-new-privileges")
		}
		if sc.Capabilities != nil {
			for _, cp := range sc.Capabilities.Add {
				cfg.HostConfig.CapAdd = append(cfg.HostConfig.CapAdd, string(cp))
			}
			for _, cp := range sc.Capabilities.Drop {
				cfg.HostConfig.CapDrop = append(cfg.HostConfig.CapDrop, string(cp))
			}
		}
	}
	return cfg
}

// unsupportedReason returns why the runner cannot run pod ("" if it can). It is checked when a Pod is admitted;
// a rejected Pod fails at once with the message, as the kubelet does with Pods it cannot admit.
func unsupportedReason(pod *v1.Pod) string {
	for _, vol := range pod.Spec.Volumes {
		vs := vol.VolumeSource
		switch {
		case vs.EmptyDir != nil, vs.HostPath != nil, vs.ConfigMap != nil, vs.Secret != nil, vs.DownwardAPI != nil:
		case vs.Projected != nil:
			for _, s := range vs.Projected.Sources {
				if s.ConfigMap == nil && s.Secret == nil && s.DownwardAPI == nil {
					return fmt.Sprintf("volume %q: projected sources other than configMap, secret and downwardAPI are not supported", vol.Name)
				}
			}
		default:
			return fmt.Sprintf("volume %q: only emptyDir, hostPath, configMap, secret, downwardAPI and projected volumes are supported", vol.Name)
		}
	}
	all := append(append([]v1.Container{}, pod.Spec.InitContainers...), pod.Spec.Containers...)
	for _, c := range all {
		for _, ev := range c.Env {
			if ev.ValueFrom != nil && ev.ValueFrom.FieldRef == nil && ev.ValueFrom.ResourceFieldRef == nil &&
				ev.ValueFrom.ConfigMapKeyRef == nil && ev.ValueFrom.SecretKeyRef == nil {
				return fmt.Sprintf("container %q env %s: only fieldRef, resourceFieldRef, configMapKeyRef and secretKeyRef are supported in valueFrom", c.Name, ev.Name)
			}
			if ev.ValueFrom != nil && ev.ValueFrom.FieldRef != nil {
				if _, err := podFieldValue(pod, ev.ValueFrom.FieldRef.FieldPath, ""); err != nil {
					return fmt.Sprintf("container %q env %s: %v", c.Name, ev.Name, err)
				}
			}
		}
		for _, m := range c.VolumeMounts {
			found := false
			for _, vol := range pod.Spec.Volumes {
				found = found || vol.Name == m.Name
			}
			if !found {
				return fmt.Sprintf("container %q: volumeMount %q names no volume of the Pod", c.Name, m.Name)
			}
		}
		if len(c.VolumeDevices) > 0 {
			return fmt.Sprintf("container %q: volumeDevices are not supported", c.Name)
		}
	}
	if len(pod.Spec.EphemeralContainers) > 0 {
		return "ephemeral containers are not supported"
	}
	return ""
}
