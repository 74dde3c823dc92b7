package checker

import (
	"archive/tar"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// File is one entry of a registration set: a .pb file from an archive, a directory or the command line.
type File struct {
	// Source is the archive, directory or file the entry came from.
	Source string
	// Name is the entry's name inside its source (the tar member name, or the base name of a file).
	Name string
	Data []byte
	// Entry is "" for a regular file, "dir" for a directory, or "special" for any other tar entry type.
	Entry string
}

// Display is how a file is named in reports: "<archive>:<member>" or the file path.
func (f File) Display() string {
	if f.Source == "" || f.Source == f.Name {
		return f.Name
	}
	return f.Source + ":" + f.Name
}

// Source is one argument's worth of files, in the order flytectl would register them.
type Source struct {
	Path  string
	Kind  string // "archive", "dir" or "files"
	Files []File
}

// fnameRegex is flytectl's file-name rule (flytectl/cmd/register/register_util.go):
// the suffix _1/_2/_3 selects admin.TaskSpec / admin.WorkflowSpec / admin.LaunchPlan.
var fnameRegex = regexp.MustCompile(`^.*_(?P<index>[1-3])\.pb$`)

// Kind of a registration file, from its suffix.
type Kind int

const (
	KindUnknown Kind = iota
	KindTask
	KindWorkflow
	KindLaunchPlan
)

func (k Kind) String() string {
	switch k {
	case KindTask:
		return "task"
	case KindWorkflow:
		return "workflow"
	case KindLaunchPlan:
		return "launch plan"
	}
	return "unknown"
}

// KindOf returns the entity kind selected by the file name's _1/_2/_3 suffix.
func KindOf(name string) Kind {
	m := fnameRegex.FindStringSubmatch(filepath.Base(name))
	if m == nil {
		return KindUnknown
	}
	switch m[fnameRegex.SubexpIndex("index")] {
	case "1":
		return KindTask
	case "2":
		return KindWorkflow
	case "3":
		return KindLaunchPlan
	}
	return KindUnknown
}

func isArchive(p string) bool {
	return strings.HasSuffix(p, ".tgz") || strings.HasSuffix(p, ".tar.gz") || strings.HasSuffix(p, ".tar")
}

// isFastRegister mirrors flytectl: pyflyte's fast-registration source archive is fast*.tar.gz.
func isFastRegister(name string) bool {
	b := filepath.Base(name)
	return strings.HasPrefix(b, "fast") && strings.HasSuffix(b, ".tar.gz")
}

// LoadSources reads each argument: a .tgz/.tar.gz/.tar bundle, a directory of .pb files, or single .pb files
// (consecutive single files form one source, sorted like flytectl sorts them).
func LoadSources(args []string) ([]Source, error) {
	var sources []Source
	var loose *Source
	flushLoose := func() {
		if loose != nil {
			sort.SliceStable(loose.Files, func(i, j int) bool { return loose.Files[i].Name < loose.Files[j].Name })
			sources = append(sources, *loose)
			loose = nil
		}
	}
	for _, arg := range args {
		st, err := os.Stat(arg)
		if err != nil {
			return nil, err
		}
		switch {
		case st.IsDir():
			flushLoose()
			src, err := loadDir(arg)
			if err != nil {
				return nil, err
			}
			sources = append(sources, src)
		case isArchive(arg):
			flushLoose()
			src, err := loadArchive(arg)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", arg, err)
			}
			sources = append(sources, src)
		default:
			data, err := os.ReadFile(arg)
			if err != nil {
				return nil, err
			}
			if loose == nil {
				loose = &Source{Path: "(files)", Kind: "files"}
			}
			loose.Files = append(loose.Files, File{Source: arg, Name: arg, Data: data})
		}
	}
	flushLoose()
	return sources, nil
}

func loadDir(dir string) (Source, error) {
	src := Source{Path: dir, Kind: "dir"}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return src, err
	}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		if e.IsDir() {
			// Still reported, so that nested layouts are flagged.
			src.Files = append(src.Files, File{Source: dir, Name: e.Name() + "/", Entry: "dir"})
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return src, err
		}
		src.Files = append(src.Files, File{Source: dir, Name: e.Name(), Data: data})
	}
	sort.SliceStable(src.Files, func(i, j int) bool { return src.Files[i].Name < src.Files[j].Name })
	return src, nil
}

func loadArchive(p string) (Source, error) {
	src := Source{Path: p, Kind: "archive"}
	f, err := os.Open(p)
	if err != nil {
		return src, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(p, ".tgz") || strings.HasSuffix(p, ".tar.gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			return src, fmt.Errorf("not a gzip file: %w", err)
		}
		defer gz.Close()
		r = gz
	}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return src, fmt.Errorf("reading tar: %w", err)
		}
		switch h.Typeflag {
		case tar.TypeDir:
			// flytectl creates the directory; pyflyte never writes one.
			src.Files = append(src.Files, File{Source: p, Name: strings.TrimSuffix(h.Name, "/") + "/", Entry: "dir"})
		case tar.TypeReg:
			data, err := io.ReadAll(tr)
			if err != nil {
				return src, fmt.Errorf("reading %s: %w", h.Name, err)
			}
			src.Files = append(src.Files, File{Source: p, Name: h.Name, Data: data})
		default:
			// flytectl ignores other entry types (symlinks, ...); so do we, but say so.
			src.Files = append(src.Files, File{Source: p, Name: h.Name, Entry: "special"})
		}
	}
	// flytectl sorts the extracted paths with sort.Strings: registration order is file-name order.
	sort.SliceStable(src.Files, func(i, j int) bool { return src.Files[i].Name < src.Files[j].Name })
	return src, nil
}
