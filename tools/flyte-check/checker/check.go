// Package checker runs Flyte 1's own registration-time code (flytepropeller's compiler and the k8s CRD
// transformer, at v1.16.8) over a registration bundle, plus the few flyteadmin / flytectl checks that live
// outside the compiler (mirrored in admin.go and launchplan.go, because flyteadmin is not served by the Go proxy).
package checker

import (
	"fmt"
	"sort"
	"strings"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/flyteorg/flyte/flytepropeller/pkg/compiler"
	"github.com/flyteorg/flyte/flytepropeller/pkg/compiler/common"
	compilerErrors "github.com/flyteorg/flyte/flytepropeller/pkg/compiler/errors"
)

// Options control the registration that the check simulates.
type Options struct {
	// Project, Domain and Version replace empty or "{{ registration.* }}" identifier fields, as
	// `flytectl register files -p P -d D --version V` does.
	Project string
	Domain  string
	Version string
	// SkipExecution turns off building the FlyteWorkflow CR (transformers/k8s.BuildFlyteWorkflow) per launch plan.
	SkipExecution bool
}

func (o Options) withDefaults() Options {
	if o.Project == "" {
		o.Project = "flytesnacks"
	}
	if o.Domain == "" {
		o.Domain = "development"
	}
	if o.Version == "" {
		o.Version = "flyte-check"
	}
	return o
}

// Problem is one reason an entity or file is rejected.
type Problem struct {
	// Code is the flytepropeller compiler's error code (e.g. MismatchingTypes, ParameterNotBound) or, for checks
	// outside the compiler, one of InvalidArgument (flyteadmin), NotFound (flyteadmin lookup), InvalidFile (flytectl),
	// Decode, UnknownFields, OutOfOrder.
	Code string `json:"code"`
	// Origin names the Flyte component whose rule this is: compiler, propeller (k8s CRD builder), admin, flytectl, bundle.
	Origin  string `json:"origin"`
	Message string `json:"message"`
}

// EntityResult is the verdict on one file.
type EntityResult struct {
	File     string    `json:"file"`
	Name     string    `json:"name"`
	OK       bool      `json:"ok"`
	Error    string    `json:"error,omitempty"`
	Problems []Problem `json:"problems,omitempty"`
	Notes    []string  `json:"notes,omitempty"`
}

func (r *EntityResult) fail(code, origin, format string, args ...any) {
	r.Problems = append(r.Problems, Problem{Code: code, Origin: origin, Message: fmt.Sprintf(format, args...)})
}

func (r *EntityResult) note(format string, args ...any) {
	r.Notes = append(r.Notes, fmt.Sprintf(format, args...))
}

func (r *EntityResult) addCompileErrors(origin string, err error) {
	if err == nil {
		return
	}
	if ce, ok := err.(compilerErrors.CompileErrors); ok && ce.Errors() != nil && len(*ce.Errors()) > 0 {
		for _, e := range ce.Errors().List() {
			r.Problems = append(r.Problems, Problem{Code: string(e.Code()), Origin: origin, Message: e.Error()})
		}
		return
	}
	r.fail("Error", origin, "%v", err)
}

func (r *EntityResult) finish() {
	r.OK = len(r.Problems) == 0
	if !r.OK {
		msgs := make([]string, 0, len(r.Problems))
		for _, p := range r.Problems {
			if strings.Contains(p.Message, "Code: "+p.Code) {
				msgs = append(msgs, p.Message)
			} else {
				msgs = append(msgs, p.Code+": "+p.Message)
			}
		}
		r.Error = strings.Join(msgs, "; ")
	}
}

// Report is the result of checking one registration set.
type Report struct {
	OK          bool           `json:"ok"`
	Files       []EntityResult `json:"files"`
	Tasks       []EntityResult `json:"tasks"`
	Workflows   []EntityResult `json:"workflows"`
	LaunchPlans []EntityResult `json:"launchPlans"`
}

type workflowEntry struct {
	file    string
	closure *core.CompiledWorkflowClosure
	iface   *core.TypedInterface
}

type state struct {
	opts Options
	// everything that appears anywhere in the set, for "registered too late" messages: key -> file
	present map[string]string
	// every entity already tried in registration order, accepted or not: key -> file
	attempted map[string]string
	// registered so far, in flytectl's order
	tasks     map[string]*core.CompiledTask
	taskBytes map[string][]byte
	workflows map[string]*workflowEntry
	wfBytes   map[string][]byte
	lps       map[string]*admin.LaunchPlan // with closure.expected_inputs/outputs filled as admin stores them
	lpBytes   map[string][]byte
}

// IDKey renders an identifier the way the checker indexes entities.
func IDKey(id *core.Identifier) string {
	if id == nil {
		return "<nil>"
	}
	rt := strings.ToLower(id.GetResourceType().String())
	return fmt.Sprintf("%s:%s/%s/%s@%s", rt, id.GetProject(), id.GetDomain(), id.GetName(), id.GetVersion())
}

// Check simulates `flytectl register files` of the sources (in order) against a fresh flyteadmin.
func Check(sources []Source, opts Options) *Report {
	opts = opts.withDefaults()
	st := &state{
		opts: opts, present: map[string]string{}, attempted: map[string]string{},
		tasks: map[string]*core.CompiledTask{}, taskBytes: map[string][]byte{},
		workflows: map[string]*workflowEntry{}, wfBytes: map[string][]byte{},
		lps: map[string]*admin.LaunchPlan{}, lpBytes: map[string][]byte{},
	}
	rep := &Report{Files: []EntityResult{}, Tasks: []EntityResult{}, Workflows: []EntityResult{}, LaunchPlans: []EntityResult{}}

	// Pass 1: index every decodable entity, to explain ordering mistakes.
	for _, src := range sources {
		for _, f := range src.Files {
			if f.Entry != "" {
				continue
			}
			if id := peekID(f); id != nil {
				hydrateIdentifier(id, opts)
				if _, seen := st.present[IDKey(id)]; !seen {
					st.present[IDKey(id)] = f.Display()
				}
			}
		}
	}

	// Pass 2: register in flytectl's order (sorted file names per source).
	for _, src := range sources {
		for _, f := range src.Files {
			if !st.checkLayout(f, src, rep) {
				continue
			}
			if id := peekID(f); id != nil {
				hydrateIdentifier(id, opts)
				st.attempt(id, f)
			}
			switch KindOf(f.Name) {
			case KindTask:
				rep.Tasks = append(rep.Tasks, st.checkTask(f))
			case KindWorkflow:
				rep.Workflows = append(rep.Workflows, st.checkWorkflow(f))
			case KindLaunchPlan:
				rep.LaunchPlans = append(rep.LaunchPlans, st.checkLaunchPlan(f))
			}
		}
	}

	total := len(rep.Tasks) + len(rep.Workflows) + len(rep.LaunchPlans)
	if total == 0 {
		r := EntityResult{File: sourcesLabel(sources), Name: "(bundle)"}
		r.fail("InvalidFile", "bundle", "no _1/_2/_3 .pb files found")
		r.finish()
		rep.Files = append(rep.Files, r)
	}
	rep.OK = true
	for _, group := range [][]EntityResult{rep.Files, rep.Tasks, rep.Workflows, rep.LaunchPlans} {
		for _, r := range group {
			if !r.OK {
				rep.OK = false
			}
		}
	}
	return rep
}

func sourcesLabel(sources []Source) string {
	names := make([]string, 0, len(sources))
	for _, s := range sources {
		names = append(names, s.Path)
	}
	return strings.Join(names, ",")
}

// checkLayout applies flytectl's and pyflyte's file rules; false means the file is not an entity to check.
func (st *state) checkLayout(f File, src Source, rep *Report) bool {
	r := EntityResult{File: f.Display(), Name: f.Name}
	switch {
	case f.Entry == "dir" && src.Kind == "dir":
		// Like `flytectl register files DIR/*`: only the directory's own files are registered.
		r.note("subdirectory %q ignored", f.Name)
		r.finish()
		rep.Files = append(rep.Files, r)
		return false
	case f.Entry == "dir":
		r.fail("InvalidFile", "bundle", "directory entry %q: pyflyte writes a flat archive and flytectl sorts extracted paths as strings, so nested files change registration order", f.Name)
	case f.Entry == "special":
		r.fail("InvalidFile", "flytectl", "tar entry %q is neither a regular file nor a directory; flytectl ignores it", f.Name)
	case src.Kind == "archive" && strings.Contains(f.Name, "/"):
		r.fail("InvalidFile", "bundle", "nested path %q: bundles must be flat (pyflyte's layout NN_name_K.pb)", f.Name)
	case src.Kind == "archive" && isFastRegister(f.Name):
		// flytectl uploads it through DataProxy (fast registration); not a registration entity.
		return false
	case !strings.HasSuffix(f.Name, ".pb"):
		r.fail("InvalidFile", "flytectl", "%q is not a .pb file: flytectl fails with \"input package have some invalid files\"", f.Name)
	case KindOf(f.Name) == KindUnknown:
		r.fail("InvalidFile", "flytectl", "%q has no _1/_2/_3 suffix (_1 TaskSpec, _2 WorkflowSpec, _3 LaunchPlan); flytectl would guess the type by trial decoding, which can silently misread a workflow as a task", f.Name)
	default:
		return true
	}
	r.finish()
	rep.Files = append(rep.Files, r)
	return false
}

func peekID(f File) *core.Identifier {
	switch KindOf(f.Name) {
	case KindTask:
		m := &admin.TaskSpec{}
		if proto.Unmarshal(f.Data, m) == nil && m.GetTemplate().GetId() != nil {
			return proto.Clone(m.GetTemplate().GetId()).(*core.Identifier)
		}
	case KindWorkflow:
		m := &admin.WorkflowSpec{}
		if proto.Unmarshal(f.Data, m) == nil && m.GetTemplate().GetId() != nil {
			return proto.Clone(m.GetTemplate().GetId()).(*core.Identifier)
		}
	case KindLaunchPlan:
		m := &admin.LaunchPlan{}
		if proto.Unmarshal(f.Data, m) == nil && m.GetId() != nil {
			return proto.Clone(m.GetId()).(*core.Identifier)
		}
	}
	return nil
}

// decode unmarshals strictly enough to catch a file of the wrong message type: unknown fields are an error.
func decode(r *EntityResult, f File, m proto.Message, typeName string) bool {
	if err := proto.Unmarshal(f.Data, m); err != nil {
		r.fail("Decode", "flytectl", "cannot decode as %s: %v", typeName, err)
		return false
	}
	if paths := unknownFields(m.ProtoReflect(), ""); len(paths) > 0 {
		r.fail("UnknownFields", "bundle", "decoded as %s but has fields unknown to flyteidl v1.16.8 at %s (wrong _N suffix, or a newer schema?)", typeName, strings.Join(paths, ", "))
		return false
	}
	return true
}

func unknownFields(m protoreflect.Message, path string) []string {
	var out []string
	if len(m.GetUnknown()) > 0 {
		p := path
		if p == "" {
			p = "(root)"
		}
		out = append(out, p)
	}
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		name := path + "." + string(fd.Name())
		switch {
		case fd.IsList() && fd.Message() != nil:
			l := v.List()
			for i := 0; i < l.Len(); i++ {
				out = append(out, unknownFields(l.Get(i).Message(), fmt.Sprintf("%s[%d]", name, i))...)
			}
		case fd.IsMap() && fd.MapValue().Message() != nil:
			v.Map().Range(func(k protoreflect.MapKey, mv protoreflect.Value) bool {
				out = append(out, unknownFields(mv.Message(), fmt.Sprintf("%s[%v]", name, k.Interface()))...)
				return true
			})
		case !fd.IsList() && !fd.IsMap() && fd.Message() != nil:
			out = append(out, unknownFields(v.Message(), name)...)
		}
		return true
	})
	return out
}

// duplicate applies admin's rule for re-registering an id: identical bytes are AlreadyExists (flytectl reports
// success), different content is rejected.
func duplicate(r *EntityResult, seen map[string][]byte, key string, data []byte, kind string) bool {
	prev, ok := seen[key]
	if !ok {
		return false
	}
	if string(prev) == string(data) {
		r.note("%s %s registered twice with identical content (admin: AlreadyExists, flytectl: success)", kind, key)
	} else {
		r.fail("InvalidArgument", "admin", "%s %s is registered twice with different content: admin rejects the second (\"already exists with different structure\")", kind, key)
	}
	return true
}

func (st *state) checkTask(f File) (r EntityResult) {
	r = EntityResult{File: f.Display(), Name: f.Name}
	defer r.finish()
	spec := &admin.TaskSpec{}
	if !decode(&r, f, spec, "flyteidl.admin.TaskSpec") {
		return r
	}
	tmpl := spec.GetTemplate()
	if tmpl == nil {
		r.fail("InvalidArgument", "admin", "missing spec (TaskSpec.template is empty)")
		return r
	}
	hydrateIdentifier(tmpl.GetId(), st.opts)
	r.Name = tmpl.GetId().GetName()
	validateTaskAdmin(&r, tmpl)

	compiled, err := compiler.CompileTask(tmpl)
	r.addCompileErrors("compiler", err)
	if len(r.Problems) > 0 {
		return r
	}
	key := IDKey(tmpl.GetId())
	if duplicate(&r, st.taskBytes, key, f.Data, "task") {
		return r
	}
	st.tasks[key] = compiled
	st.taskBytes[key] = f.Data
	return r
}

func (st *state) attempt(id *core.Identifier, f File) {
	if _, ok := st.attempted[IDKey(id)]; !ok {
		st.attempted[IDKey(id)] = f.Display()
	}
}

func (st *state) missing(r *EntityResult, id *core.Identifier, what string) {
	key := IDKey(id)
	if file, ok := st.attempted[key]; ok {
		r.fail("DependencyRejected", "admin", "%s %s (%s) was rejected above, so admin cannot find it (NOT_FOUND)", what, key, file)
	} else if file, ok := st.present[key]; ok {
		r.fail("OutOfOrder", "flytectl", "%s %s is defined in %s, which sorts after this file: flytectl registers files in sorted name order and admin looks the %s up at registration (NOT_FOUND)", what, key, file, what)
	} else {
		r.fail("NotFound", "admin", "%s %s is not in the bundle (admin: NOT_FOUND unless registered beforehand)", what, key)
	}
}

func (st *state) checkWorkflow(f File) (r EntityResult) {
	r = EntityResult{File: f.Display(), Name: f.Name}
	defer r.finish()
	spec := &admin.WorkflowSpec{}
	if !decode(&r, f, spec, "flyteidl.admin.WorkflowSpec") {
		return r
	}
	tmpl := spec.GetTemplate()
	if tmpl == nil {
		r.fail("InvalidArgument", "admin", "missing spec (WorkflowSpec.template is empty)")
		return r
	}
	hydrateWorkflowSpec(spec, st.opts)
	r.Name = tmpl.GetId().GetName()
	if err := validateIdentifier(tmpl.GetId(), core.ResourceType_WORKFLOW); err != "" {
		r.fail("InvalidArgument", "admin", "%s", err)
	}

	reqs, err := compiler.GetRequirements(tmpl, spec.GetSubWorkflows())
	if err != nil {
		r.addCompileErrors("compiler", err)
		return r
	}
	tasks := make([]*core.CompiledTask, 0, len(reqs.GetRequiredTaskIds()))
	for _, id := range reqs.GetRequiredTaskIds() {
		if t, ok := st.tasks[IDKey(id)]; ok {
			tasks = append(tasks, t)
		} else {
			st.missing(&r, id, "task")
		}
	}
	var lps []common.InterfaceProvider
	for _, id := range reqs.GetRequiredLaunchPlanIds() {
		if lp, ok := st.lps[IDKey(id)]; ok {
			lps = append(lps, compiler.NewLaunchPlanInterfaceProvider(lp))
		} else {
			st.missing(&r, id, "launch plan")
		}
	}
	if len(r.Problems) > 0 {
		return r
	}

	closure, err := compiler.CompileWorkflow(tmpl, spec.GetSubWorkflows(), tasks, lps)
	if err != nil {
		r.addCompileErrors("compiler", err)
		return r
	}
	key := IDKey(tmpl.GetId())
	if duplicate(&r, st.wfBytes, key, f.Data, "workflow") {
		return r
	}
	st.workflows[key] = &workflowEntry{file: f.Display(), closure: closure, iface: closure.GetPrimary().GetTemplate().GetInterface()}
	st.wfBytes[key] = f.Data
	r.note("compiled: %d nodes (incl. start/end), %d tasks, %d sub-workflows", len(closure.GetPrimary().GetTemplate().GetNodes()), len(closure.GetTasks()), len(closure.GetSubWorkflows()))
	return r
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
