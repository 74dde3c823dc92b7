package main

import (
	"context"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/service"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// console serves /console: a plain HTML list of executions and a page per execution with its nodes, task attempts,
// log links and links to the REST API's data. It is not Flyte's console (flyteconsole is a separate web app that
// the lab does not have); it answers at the URLs clients print (/console/projects/<p>/domains/<d>/executions/<name>).
type console struct {
	admin   service.AdminServiceServer
	domains []string
	logger  *slog.Logger
}

var consoleFuncs = template.FuncMap{
	"ts": func(t *timestamppb.Timestamp) string {
		if t == nil || (t.GetSeconds() == 0 && t.GetNanos() == 0) {
			return ""
		}
		return t.AsTime().UTC().Format("2006-01-02 15:04:05Z")
	},
	"dur": func(d *durationpb.Duration) string {
		if d == nil {
			return ""
		}
		return d.AsDuration().Round(time.Millisecond).String()
	},
	"id": func(id *core.Identifier) string {
		if id == nil {
			return ""
		}
		return id.GetName() + ":" + id.GetVersion()
	},
	"esc": url.PathEscape,
}

var consoleTemplates = template.Must(template.New("page").Funcs(consoleFuncs).Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>{{.Title}} · flyte-lab</title>
<style>body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left;font-size:90%}
.note{background:#fff3cd;padding:6px;border:1px solid #e0c060}.err{color:#a00}code{font-size:90%}</style></head>
<body><p class="note">flyte-lab control plane: this is <b>not</b> Flyte's console, only a plain listing of what the lab's
admin service holds. Data links go to the FlyteAdmin REST API (<code>/api/v1/...</code>, JSON).</p>
<h1>{{.Title}}</h1>
{{range .Errors}}<p class="err">{{.}}</p>{{end}}
{{if .Executions}}{{template "execs" .}}{{end}}
{{if .Execution}}{{template "exec" .}}{{end}}
{{if .Empty}}<p>No executions yet.</p>{{end}}
</body></html>
{{define "execs"}}
{{range .Executions}}<h2>{{.Project}} / {{.Domain}}</h2>
{{if .Error}}<p class="err">{{.Error}}</p>{{end}}
{{if .Items}}<table><tr><th>execution</th><th>launch plan</th><th>phase</th><th>mode</th><th>created</th><th>started</th><th>duration</th><th>data</th></tr>
{{range .Items}}<tr><td><a href="/console/projects/{{esc .GetId.GetProject}}/domains/{{esc .GetId.GetDomain}}/executions/{{esc .GetId.GetName}}">{{.GetId.GetName}}</a></td>
<td>{{id .GetSpec.GetLaunchPlan}}</td><td>{{.GetClosure.GetPhase}}</td><td>{{.GetSpec.GetMetadata.GetMode}}</td><td>{{ts .GetClosure.GetCreatedAt}}</td><td>{{ts .GetClosure.GetStartedAt}}</td><td>{{dur .GetClosure.GetDuration}}</td>
<td><a href="/api/v1/data/executions/{{esc .GetId.GetProject}}/{{esc .GetId.GetDomain}}/{{esc .GetId.GetName}}">inputs/outputs</a></td></tr>
{{end}}</table>{{else}}{{if not .Error}}<p>none</p>{{end}}{{end}}
{{end}}{{end}}
{{define "exec"}}{{with .Execution}}
<table>
<tr><th>execution</th><td>{{.GetId.GetProject}}/{{.GetId.GetDomain}}/{{.GetId.GetName}}</td></tr>
<tr><th>launch plan</th><td>{{id .GetSpec.GetLaunchPlan}}</td></tr>
<tr><th>workflow</th><td>{{id .GetClosure.GetWorkflowId}}</td></tr>
<tr><th>phase</th><td>{{.GetClosure.GetPhase}}</td></tr>
<tr><th>mode</th><td>{{.GetSpec.GetMetadata.GetMode}}{{if .GetSpec.GetMetadata.GetScheduledAt}} (scheduled at {{ts .GetSpec.GetMetadata.GetScheduledAt}}){{end}}</td></tr>
<tr><th>created / started</th><td>{{ts .GetClosure.GetCreatedAt}} / {{ts .GetClosure.GetStartedAt}}</td></tr>
<tr><th>duration</th><td>{{dur .GetClosure.GetDuration}}</td></tr>
{{if .GetClosure.GetError}}<tr><th>error</th><td class="err"><pre>{{.GetClosure.GetError.GetCode}}: {{.GetClosure.GetError.GetMessage}}</pre></td></tr>{{end}}
{{if .GetClosure.GetAbortCause}}<tr><th>abort cause</th><td>{{.GetClosure.GetAbortCause}}</td></tr>{{end}}
<tr><th>data</th><td><a href="/api/v1/data/executions/{{esc .GetId.GetProject}}/{{esc .GetId.GetDomain}}/{{esc .GetId.GetName}}">inputs/outputs (GetExecutionData)</a> ·
<a href="/api/v1/executions/{{esc .GetId.GetProject}}/{{esc .GetId.GetDomain}}/{{esc .GetId.GetName}}">execution (GetExecution)</a></td></tr>
</table>{{end}}
<h2>Nodes</h2>
{{if .Nodes}}<table><tr><th>node</th><th>phase</th><th>started</th><th>duration</th><th>attempts and logs</th><th>data</th></tr>
{{range .Nodes}}<tr><td>{{.Node.GetId.GetNodeId}}</td><td>{{.Node.GetClosure.GetPhase}}</td><td>{{ts .Node.GetClosure.GetStartedAt}}</td><td>{{dur .Node.GetClosure.GetDuration}}</td>
<td>{{range .Tasks}}#{{.GetId.GetRetryAttempt}} {{.GetClosure.GetPhase}}{{range .GetClosure.GetLogs}} <a href="{{.GetUri}}">{{if .GetName}}{{.GetName}}{{else}}log{{end}}</a>{{end}}{{if .GetClosure.GetError}} <span class="err">{{.GetClosure.GetError.GetMessage}}</span>{{end}}<br>{{end}}{{if .Error}}<span class="err">{{.Error}}</span>{{end}}</td>
<td><a href="/api/v1/data/node_executions/{{esc .Node.GetId.GetExecutionId.GetProject}}/{{esc .Node.GetId.GetExecutionId.GetDomain}}/{{esc .Node.GetId.GetExecutionId.GetName}}/{{esc .Node.GetId.GetNodeId}}">inputs/outputs</a></td></tr>
{{end}}</table>{{else}}<p>none</p>{{end}}
{{end}}`))

type execGroup struct {
	Project, Domain string
	Items           []*admin.Execution
	Error           string
}

type nodeRow struct {
	Node  *admin.NodeExecution
	Tasks []*admin.TaskExecution
	Error string
}

type consolePage struct {
	Title      string
	Errors     []string
	Executions []execGroup
	Empty      bool
	Execution  *admin.Execution
	Nodes      []nodeRow
}

func grpcMessage(err error) string {
	st := status.Convert(err)
	return fmt.Sprintf("%s: %s", st.Code(), st.Message())
}

func (c *console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 20*time.Second)
	defer cancel()
	parts := strings.Split(strings.Trim(strings.TrimPrefix(r.URL.Path, "/console"), "/"), "/")
	var page consolePage
	status := http.StatusOK
	switch {
	case len(parts) == 6 && parts[0] == "projects" && parts[2] == "domains" && parts[4] == "executions":
		page = c.executionPage(ctx, parts[1], parts[3], parts[5])
		if page.Execution == nil {
			status = http.StatusNotFound
		}
	case len(parts) == 1 && parts[0] == "":
		page = c.indexPage(ctx)
	default:
		page = c.indexPage(ctx)
		page.Errors = append([]string{fmt.Sprintf("the lab's console has no page %s; executions are at "+
			"/console/projects/<project>/domains/<domain>/executions/<name>", r.URL.Path)}, page.Errors...)
		status = http.StatusNotFound
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := consoleTemplates.Execute(w, page); err != nil {
		c.logger.Warn("console page", "path", r.URL.Path, "error", err)
	}
}

func (c *console) indexPage(ctx context.Context) consolePage {
	page := consolePage{Title: "Executions"}
	projects, err := c.admin.ListProjects(ctx, &admin.ProjectListRequest{Limit: 100})
	if err != nil {
		page.Errors = append(page.Errors, "ListProjects: "+grpcMessage(err))
		return page
	}
	total := 0
	for _, p := range projects.GetProjects() {
		domains := c.domains
		if len(p.GetDomains()) > 0 {
			domains = nil
			for _, d := range p.GetDomains() {
				domains = append(domains, d.GetId())
			}
		}
		for _, d := range domains {
			g := execGroup{Project: p.GetId(), Domain: d}
			list, err := c.admin.ListExecutions(ctx, &admin.ResourceListRequest{
				Id:     &admin.NamedEntityIdentifier{Project: p.GetId(), Domain: d},
				Limit:  50,
				SortBy: &admin.Sort{Key: "created_at", Direction: admin.Sort_DESCENDING},
			})
			if err != nil {
				g.Error = "ListExecutions: " + grpcMessage(err)
			} else {
				g.Items = list.GetExecutions()
				total += len(g.Items)
			}
			if g.Error != "" || len(g.Items) > 0 {
				page.Executions = append(page.Executions, g)
			}
		}
	}
	page.Empty = total == 0 && len(page.Errors) == 0
	return page
}

func (c *console) executionPage(ctx context.Context, project, domain, name string) consolePage {
	id := &core.WorkflowExecutionIdentifier{Project: project, Domain: domain, Name: name}
	page := consolePage{Title: "Execution " + project + "/" + domain + "/" + name}
	exec, err := c.admin.GetExecution(ctx, &admin.WorkflowExecutionGetRequest{Id: id})
	if err != nil {
		page.Errors = append(page.Errors, "GetExecution: "+grpcMessage(err))
		return page
	}
	page.Execution = exec
	nodes, err := c.admin.ListNodeExecutions(ctx, &admin.NodeExecutionListRequest{WorkflowExecutionId: id, Limit: 200})
	if err != nil {
		page.Errors = append(page.Errors, "ListNodeExecutions: "+grpcMessage(err))
		return page
	}
	for _, n := range nodes.GetNodeExecutions() {
		row := nodeRow{Node: n}
		if nid := n.GetId().GetNodeId(); nid != "start-node" && nid != "end-node" {
			tasks, err := c.admin.ListTaskExecutions(ctx, &admin.TaskExecutionListRequest{NodeExecutionId: n.GetId(), Limit: 20})
			if err != nil {
				row.Error = "ListTaskExecutions: " + grpcMessage(err)
			} else {
				row.Tasks = tasks.GetTaskExecutions()
			}
		}
		page.Nodes = append(page.Nodes, row)
	}
	return page
}
