package kubelet

// Volumes as host directories under the runner's state directory, bind-mounted into the Pod's containers:
//
//	<volumes-dir>/<pod uid>/volumes/<kind>/<volume name>/          emptyDir, configMap, secret, downwardAPI, projected
//	<volumes-dir>/<pod uid>/containers/<container>/<n>-termination-log   the termination message file of instance n
//	<volumes-dir>/<pod uid>/containers/<container>/<n>-log-offset        where instance n's output starts in its log file
//
// Docker must run on this machine (a unix socket) for the host paths to mean the same thing to the daemon.

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	v1 "k8s.io/api/core/v1"
)

// volumeDirs is the state directory of one Pod.
type volumeDirs struct{ root string }

func (d volumeDirs) volume(kind, name string) string {
	return filepath.Join(d.root, "volumes", "kubernetes.io~"+kind, name)
}

func (d volumeDirs) container(name string) string { return filepath.Join(d.root, "containers", name) }

func (d volumeDirs) terminationLog(name string, restartCount int32) string {
	return filepath.Join(d.container(name), fmt.Sprintf("%d-termination-log", restartCount))
}

func (d volumeDirs) logOffset(name string, restartCount int32) string {
	return filepath.Join(d.container(name), fmt.Sprintf("%d-log-offset", restartCount))
}

// setupVolumes makes every volume of pod on the host and returns each one's host path (hostPath volumes are the
// host path itself). ConfigMap, Secret and downward API contents are written once, when the Pod starts (the kubelet
// also refreshes them while the Pod runs; the runner does not). A missing ConfigMap or Secret that is not optional
// is a *configError: the Pod waits in ContainerCreating and the runner retries.
func setupVolumes(pod *v1.Pod, dirs volumeDirs, src envSources) (map[string]string, error) {
	paths := map[string]string{}
	for _, vol := range pod.Spec.Volumes {
		vs := vol.VolumeSource
		var dir string
		var err error
		switch {
		case vs.EmptyDir != nil:
			// Medium Memory is disk-backed too: a tmpfs mount would not be shared between the Pod's containers.
			dir = dirs.volume("empty-dir", vol.Name)
			if err = os.MkdirAll(dir, 0o777); err == nil {
				err = os.Chmod(dir, 0o777)
			}
		case vs.HostPath != nil:
			dir, err = setupHostPath(vs.HostPath)
		case vs.ConfigMap != nil:
			dir = dirs.volume("configmap", vol.Name)
			err = writeConfigMapVolume(dir, vs.ConfigMap.LocalObjectReference.Name, vs.ConfigMap.Items,
				vs.ConfigMap.DefaultMode, vs.ConfigMap.Optional, src, true)
		case vs.Secret != nil:
			dir = dirs.volume("secret", vol.Name)
			err = writeSecretVolume(dir, vs.Secret.SecretName, vs.Secret.Items, vs.Secret.DefaultMode, vs.Secret.Optional, src, true)
		case vs.DownwardAPI != nil:
			dir = dirs.volume("downward-api", vol.Name)
			err = writeDownwardAPIVolume(dir, pod, vs.DownwardAPI.Items, vs.DownwardAPI.DefaultMode, src, true)
		case vs.Projected != nil:
			dir = dirs.volume("projected", vol.Name)
			err = resetDir(dir)
			for _, s := range vs.Projected.Sources {
				if err != nil {
					break
				}
				switch {
				case s.ConfigMap != nil:
					err = writeConfigMapVolume(dir, s.ConfigMap.Name, s.ConfigMap.Items, vs.Projected.DefaultMode, s.ConfigMap.Optional, src, false)
				case s.Secret != nil:
					err = writeSecretVolume(dir, s.Secret.Name, s.Secret.Items, vs.Projected.DefaultMode, s.Secret.Optional, src, false)
				case s.DownwardAPI != nil:
					err = writeDownwardAPIVolume(dir, pod, s.DownwardAPI.Items, vs.Projected.DefaultMode, src, false)
				}
			}
		default:
			err = fmt.Errorf("unsupported volume type")
		}
		if err != nil {
			return nil, fmt.Errorf("volume %q: %w", vol.Name, err)
		}
		paths[vol.Name] = dir
	}
	return paths, nil
}

func setupHostPath(hp *v1.HostPathVolumeSource) (string, error) {
	path := hp.Path
	t := v1.HostPathUnset
	if hp.Type != nil {
		t = *hp.Type
	}
	fi, statErr := os.Stat(path)
	switch t {
	case v1.HostPathUnset:
	case v1.HostPathDirectoryOrCreate:
		if os.IsNotExist(statErr) {
			return path, os.MkdirAll(path, 0o755)
		}
		if statErr == nil && !fi.IsDir() {
			return "", &configError{fmt.Sprintf("hostPath %s is not a directory", path)}
		}
	case v1.HostPathFileOrCreate:
		if os.IsNotExist(statErr) {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return "", err
			}
			f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY, 0o644)
			if err != nil {
				return "", err
			}
			return path, f.Close()
		}
		if statErr == nil && fi.IsDir() {
			return "", &configError{fmt.Sprintf("hostPath %s is a directory", path)}
		}
	default:
		if statErr != nil {
			return "", &configError{fmt.Sprintf("hostPath type check failed: %s does not exist", path)}
		}
		ok := true
		switch t {
		case v1.HostPathDirectory:
			ok = fi.IsDir()
		case v1.HostPathFile:
			ok = fi.Mode().IsRegular()
		case v1.HostPathSocket:
			ok = fi.Mode()&os.ModeSocket != 0
		case v1.HostPathCharDev:
			ok = fi.Mode()&os.ModeCharDevice != 0
		case v1.HostPathBlockDev:
			ok = fi.Mode()&os.ModeDevice != 0 && fi.Mode()&os.ModeCharDevice == 0
		}
		if !ok {
			return "", &configError{fmt.Sprintf("hostPath type check failed: %s is not a %s", path, t)}
		}
	}
	return path, nil
}

// resetDir empties dir (files written for an earlier start of the Pod) and makes sure it exists.
func resetDir(dir string) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	return os.MkdirAll(dir, 0o755)
}

// writeFiles writes data into dir: every key, or only items (key -> relative path, optional mode). fresh empties
// dir first (not for the sources of a projected volume, which share it).
func writeFiles(dir string, data map[string][]byte, items []v1.KeyToPath, defaultMode *int32, fresh bool, what string) error {
	if fresh {
		if err := resetDir(dir); err != nil {
			return err
		}
	}
	mode := os.FileMode(0o644)
	if defaultMode != nil {
		mode = os.FileMode(*defaultMode)
	}
	type file struct {
		path string
		data []byte
		mode os.FileMode
	}
	var files []file
	if len(items) == 0 {
		for _, k := range sortedKeys(data) {
			files = append(files, file{k, data[k], mode})
		}
	} else {
		for _, it := range items {
			b, ok := data[it.Key]
			if !ok {
				return &configError{fmt.Sprintf("configured key %q not found in %s", it.Key, what)}
			}
			m := mode
			if it.Mode != nil {
				m = os.FileMode(*it.Mode)
			}
			files = append(files, file{it.Path, b, m})
		}
	}
	for _, f := range files {
		if filepath.IsAbs(f.path) || strings.Contains(f.path, "..") {
			return fmt.Errorf("invalid item path %q", f.path)
		}
		p := filepath.Join(dir, f.path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, f.data, f.mode); err != nil {
			return err
		}
		if err := os.Chmod(p, f.mode); err != nil {
			return err
		}
	}
	return nil
}

func writeConfigMapVolume(dir, name string, items []v1.KeyToPath, mode *int32, optional *bool, src envSources, fresh bool) error {
	cm, err := src.ConfigMap(name)
	if err != nil {
		return err
	}
	data := map[string][]byte{}
	if cm == nil {
		if optional == nil || !*optional {
			return &configError{fmt.Sprintf("configmap %q not found", name)}
		}
	} else {
		for k, v := range cm.Data {
			data[k] = []byte(v)
		}
		for k, v := range cm.BinaryData {
			data[k] = v
		}
	}
	return writeFiles(dir, data, items, mode, fresh, "configmap "+name)
}

func writeSecretVolume(dir, name string, items []v1.KeyToPath, mode *int32, optional *bool, src envSources, fresh bool) error {
	s, err := src.Secret(name)
	if err != nil {
		return err
	}
	data := map[string][]byte{}
	if s == nil {
		if optional == nil || !*optional {
			return &configError{fmt.Sprintf("secret %q not found", name)}
		}
	} else {
		data = s.Data
	}
	return writeFiles(dir, data, items, mode, fresh, "secret "+name)
}

func writeDownwardAPIVolume(dir string, pod *v1.Pod, items []v1.DownwardAPIVolumeFile, mode *int32, src envSources, fresh bool) error {
	data := map[string][]byte{}
	var keys []v1.KeyToPath
	for _, it := range items {
		var v string
		var err error
		switch {
		case it.FieldRef != nil:
			v, err = podFieldValue(pod, it.FieldRef.FieldPath, src.IP)
		case it.ResourceFieldRef != nil:
			var c *v1.Container
			for i := range pod.Spec.Containers {
				if pod.Spec.Containers[i].Name == it.ResourceFieldRef.ContainerName {
					c = &pod.Spec.Containers[i]
				}
			}
			if c == nil {
				return fmt.Errorf("downwardAPI %s: no container %q", it.Path, it.ResourceFieldRef.ContainerName)
			}
			v, err = containerResourceValue(pod, c, it.ResourceFieldRef, src.Allocatable)
		}
		if err != nil {
			return fmt.Errorf("downwardAPI %s: %w", it.Path, err)
		}
		data[it.Path] = []byte(v)
		keys = append(keys, v1.KeyToPath{Key: it.Path, Path: it.Path, Mode: it.Mode})
	}
	return writeFiles(dir, data, keys, mode, fresh, "downwardAPI")
}

// containerMounts maps a container's volumeMounts (subPath and subPathExpr included) to bind mounts, and adds the
// termination message file (terminationLog, a host file, mounted at terminationMessagePath).
func containerMounts(pod *v1.Pod, c *v1.Container, paths map[string]string, env *envList, terminationLog string) ([]Mount, error) {
	var mounts []Mount
	for _, m := range c.VolumeMounts {
		src, ok := paths[m.Name]
		if !ok {
			return nil, fmt.Errorf("volumeMount %q: no such volume", m.Name)
		}
		readOnly := m.ReadOnly
		for _, vol := range pod.Spec.Volumes {
			if vol.Name == m.Name && (vol.ConfigMap != nil || vol.Secret != nil || vol.DownwardAPI != nil || vol.Projected != nil) {
				readOnly = true // the kubelet always mounts these read-only
			}
		}
		sub := m.SubPath
		if m.SubPathExpr != "" {
			sub = expand(m.SubPathExpr, func(name string) (string, bool) {
				if env == nil {
					return "", false
				}
				return env.get(name)
			})
			if strings.Contains(sub, "$(") {
				return nil, &configError{fmt.Sprintf("volumeMount %q: subPathExpr %q references undefined variables", m.Name, m.SubPathExpr)}
			}
		}
		if sub != "" {
			if filepath.IsAbs(sub) || strings.Contains(sub, "..") {
				return nil, &configError{fmt.Sprintf("volumeMount %q: invalid subPath %q", m.Name, sub)}
			}
			src = filepath.Join(src, sub)
			if _, err := os.Stat(src); os.IsNotExist(err) {
				if err := os.MkdirAll(src, 0o777); err != nil {
					return nil, err
				}
				_ = os.Chmod(src, 0o777)
			}
		}
		mounts = append(mounts, Mount{Type: "bind", Source: src, Target: m.MountPath, ReadOnly: readOnly})
	}
	if c.TerminationMessagePath != "" && terminationLog != "" {
		if err := os.MkdirAll(filepath.Dir(terminationLog), 0o755); err != nil {
			return nil, err
		}
		f, err := os.OpenFile(terminationLog, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o666)
		if err != nil {
			return nil, err
		}
		f.Close()
		_ = os.Chmod(terminationLog, 0o666) // writable whatever user the container runs as
		mounts = append(mounts, Mount{Type: "bind", Source: terminationLog, Target: c.TerminationMessagePath})
	}
	return mounts, nil
}

// readTerminationMessage reads the end (at most 4 KiB) of a termination message file, as the kubelet does.
func readTerminationMessage(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", err
	}
	off := max(fi.Size()-maxTerminationMessageLength, 0)
	buf := make([]byte, fi.Size()-off)
	n, err := f.ReadAt(buf, off)
	if err != nil && n < len(buf) {
		return "", err
	}
	return string(buf[:n]), nil
}
