package adminsvc

// nodes.go: GetNodeExecution, ListNodeExecutions, ListNodeExecutionsForTask, GetDynamicNodeWorkflow,
// GetTaskExecution and ListTaskExecutions, as FlyteAdmin v1.16.8 (flyteadmin/pkg/manager/impl/
// {node_execution_manager,task_execution_manager}.go, repositories/transformers/{node_execution,task_execution}.go).
//
// Node and task executions are stored as the admin.NodeExecution / admin.TaskExecution the API returns. Admin's
// tables hold a few columns those messages lack: a node execution's parent node and parent task execution (for
// unique_parent_id and ListNodeExecutionsForTask), the location of a dynamic node's compiled workflow and the event
// version; a task execution's phase version (for duplicate detection). They are kept in the same stored record, as
// protobuf fields with numbers above 1000 that the flyteidl messages do not define: proto.Unmarshal keeps them as
// unknown fields and proto.Marshal writes them back, so one bbolt value (one transaction) still holds the whole
// record. They are removed before a record is returned.

import (
	"context"
	"fmt"
	"strings"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/unionml-ts/tools/flyte-lab/controlplane/internal/filters"
	"github.com/unionml-ts/tools/flyte-lab/controlplane/internal/store"
)

// Field numbers of the extra columns in stored records.
const (
	extraParentNodeID   protowire.Number = 1001 // node: parent node id (string)
	extraParentTask     protowire.Number = 1002 // node: parent task execution (core.TaskExecutionIdentifier)
	extraDynamicClosure protowire.Number = 1003 // node: URI of the dynamic workflow's compiled closure (string)
	extraEventVersion   protowire.Number = 1004 // node: event version (varint)
	extraPhaseVersion   protowire.Number = 1001 // task: phase version (varint)
)

// nodeExtras are a node execution's columns that admin.NodeExecution lacks.
type nodeExtras struct {
	parentNodeID   string
	parentTask     *core.TaskExecutionIdentifier
	dynamicClosure string
	eventVersion   int32
}

// taskExtras are a task execution's columns that admin.TaskExecution lacks.
type taskExtras struct {
	phaseVersion uint32
}

// scanExtras calls fn for each extra field of a stored record.
func scanExtras(m proto.Message, fn func(num protowire.Number, typ protowire.Type, bytes []byte, varint uint64)) {
	if m == nil || !m.ProtoReflect().IsValid() {
		return
	}
	b := m.ProtoReflect().GetUnknown()
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return
		}
		b = b[n:]
		switch typ {
		case protowire.BytesType:
			v, n := protowire.ConsumeBytes(b)
			if n < 0 {
				return
			}
			fn(num, typ, v, 0)
			b = b[n:]
		case protowire.VarintType:
			v, n := protowire.ConsumeVarint(b)
			if n < 0 {
				return
			}
			fn(num, typ, nil, v)
			b = b[n:]
		default:
			n := protowire.ConsumeFieldValue(num, typ, b)
			if n < 0 {
				return
			}
			b = b[n:]
		}
	}
}

func nodeExtrasOf(ne *admin.NodeExecution) nodeExtras {
	var x nodeExtras
	if ne == nil {
		return x
	}
	scanExtras(ne, func(num protowire.Number, typ protowire.Type, b []byte, v uint64) {
		switch {
		case num == extraParentNodeID && typ == protowire.BytesType:
			x.parentNodeID = string(b)
		case num == extraParentTask && typ == protowire.BytesType:
			t := &core.TaskExecutionIdentifier{}
			if proto.Unmarshal(b, t) == nil {
				x.parentTask = t
			}
		case num == extraDynamicClosure && typ == protowire.BytesType:
			x.dynamicClosure = string(b)
		case num == extraEventVersion && typ == protowire.VarintType:
			x.eventVersion = int32(v)
		}
	})
	return x
}

func setNodeExtras(ne *admin.NodeExecution, x nodeExtras) {
	var b []byte
	if x.parentNodeID != "" {
		b = protowire.AppendTag(b, extraParentNodeID, protowire.BytesType)
		b = protowire.AppendString(b, x.parentNodeID)
	}
	if x.parentTask != nil {
		raw, err := proto.Marshal(x.parentTask)
		if err == nil {
			b = protowire.AppendTag(b, extraParentTask, protowire.BytesType)
			b = protowire.AppendBytes(b, raw)
		}
	}
	if x.dynamicClosure != "" {
		b = protowire.AppendTag(b, extraDynamicClosure, protowire.BytesType)
		b = protowire.AppendString(b, x.dynamicClosure)
	}
	if x.eventVersion != 0 {
		b = protowire.AppendTag(b, extraEventVersion, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(x.eventVersion))
	}
	ne.ProtoReflect().SetUnknown(b)
}

func taskExtrasOf(te *admin.TaskExecution) taskExtras {
	var x taskExtras
	if te == nil {
		return x
	}
	scanExtras(te, func(num protowire.Number, typ protowire.Type, _ []byte, v uint64) {
		if num == extraPhaseVersion && typ == protowire.VarintType {
			x.phaseVersion = uint32(v)
		}
	})
	return x
}

func setTaskExtras(te *admin.TaskExecution, x taskExtras) {
	var b []byte
	if x.phaseVersion != 0 {
		b = protowire.AppendTag(b, extraPhaseVersion, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(x.phaseVersion))
	}
	te.ProtoReflect().SetUnknown(b)
}

// stripExtras removes the extra fields from a record about to be returned.
func stripExtras(m proto.Message) {
	m.ProtoReflect().SetUnknown(nil)
}

// ---------------------------------------------------------------------------------------------------------------
// Keys and reads.

func nodeExecutionKey(id *core.NodeExecutionIdentifier) string {
	x := id.GetExecutionId()
	return store.Key(x.GetProject(), x.GetDomain(), x.GetName(), id.GetNodeId())
}

func taskExecutionKey(id *core.TaskExecutionIdentifier) string {
	t := id.GetTaskId()
	return store.Key(nodeExecutionKey(id.GetNodeExecutionId()), t.GetProject(), t.GetDomain(), t.GetName(),
		t.GetVersion(), fmt.Sprint(id.GetRetryAttempt()))
}

// getNodeExecutionRecord reads a stored node execution (extras still attached) and its extras; NotFound as admin's
// node execution repository.
func (s *Service) getNodeExecutionRecord(id *core.NodeExecutionIdentifier) (*admin.NodeExecution, nodeExtras, error) {
	ne := &admin.NodeExecution{}
	ok, err := s.db.Get(BucketNodeExecutions, nodeExecutionKey(id), ne)
	if err != nil {
		return nil, nodeExtras{}, execStatusError(err)
	}
	if !ok {
		return nil, nodeExtras{}, status.Errorf(codes.NotFound, "missing entity of type node execution with identifier %v",
			&core.NodeExecutionIdentifier{NodeId: id.GetNodeId(), ExecutionId: id.GetExecutionId()})
	}
	return ne, nodeExtrasOf(ne), nil
}

// getTaskExecutionRecord reads a stored task execution (extras still attached); NotFound as admin's repository.
func (s *Service) getTaskExecutionRecord(id *core.TaskExecutionIdentifier) (*admin.TaskExecution, error) {
	te := &admin.TaskExecution{}
	ok, err := s.db.Get(BucketTaskExecutions, taskExecutionKey(id), te)
	if err != nil {
		return nil, execStatusError(err)
	}
	if !ok {
		return nil, status.Errorf(codes.NotFound, "missing entity of type task execution with identifier %v", id)
	}
	return te, nil
}

// storedNode is a node execution with its extras.
type storedNode struct {
	ne *admin.NodeExecution
	x  nodeExtras
}

// nodesOfExecution returns every node execution of a workflow execution, in key order.
func (s *Service) nodesOfExecution(id *core.WorkflowExecutionIdentifier) ([]storedNode, error) {
	var out []storedNode
	err := store.Scan(s.db, BucketNodeExecutions, executionKey(id)+"/",
		func() *admin.NodeExecution { return &admin.NodeExecution{} },
		func(_ string, ne *admin.NodeExecution) bool {
			out = append(out, storedNode{ne: ne, x: nodeExtrasOf(ne)})
			return true
		})
	if err != nil {
		return nil, execStatusError(err)
	}
	return out, nil
}

// publicNode is what the API returns for a stored node: without extras; for nodes recorded from events older than
// version 1, the parent and dynamic flags come from its children, as admin's transformNodeExecutionModel does.
func publicNode(n storedNode, all []storedNode) *admin.NodeExecution {
	ne := n.ne
	stripExtras(ne)
	if ne.Metadata == nil {
		ne.Metadata = &admin.NodeExecutionMetaData{}
	}
	if n.x.eventVersion == 0 && !ne.Metadata.GetIsParentNode() && !ne.Metadata.GetIsDynamic() {
		for _, c := range all {
			if c.x.parentNodeID == ne.GetId().GetNodeId() {
				ne.Metadata.IsParentNode = true
				ne.Metadata.IsDynamic = n.x.dynamicClosure != ""
				break
			}
		}
	}
	return ne
}

// ---------------------------------------------------------------------------------------------------------------
// Node executions.

// GetNodeExecution returns a node execution.
func (s *Service) GetNodeExecution(ctx context.Context, req *admin.NodeExecutionGetRequest) (*admin.NodeExecution, error) {
	if err := validateNodeExecutionID(req.GetId()); err != nil {
		return nil, err
	}
	ne, x, err := s.getNodeExecutionRecord(req.GetId())
	if err != nil {
		return nil, err
	}
	var all []storedNode
	if x.eventVersion == 0 {
		if all, err = s.nodesOfExecution(req.GetId().GetExecutionId()); err != nil {
			return nil, err
		}
	}
	return publicNode(storedNode{ne: ne, x: x}, all), nil
}

// nodeFields gives a node execution's value for the filter and sort fields of admin's node_executions table.
func nodeFields(ne *admin.NodeExecution) filters.Fields {
	return func(field string) (string, bool) {
		c := ne.GetClosure()
		switch strings.TrimPrefix(field, "node_execution.") {
		case "project", "execution_project":
			return ne.GetId().GetExecutionId().GetProject(), true
		case "domain", "execution_domain":
			return ne.GetId().GetExecutionId().GetDomain(), true
		case "name", "execution_name":
			return ne.GetId().GetExecutionId().GetName(), true
		case "node_id":
			return ne.GetId().GetNodeId(), true
		case "phase":
			return c.GetPhase().String(), true
		case "input_uri":
			return ne.GetInputUri(), true
		case "created_at", "node_execution_created_at":
			return formatTime(c.GetCreatedAt()), true
		case "updated_at", "node_execution_updated_at":
			return formatTime(c.GetUpdatedAt()), true
		case "started_at":
			return formatTime(c.GetStartedAt()), true
		case "duration":
			return formatDuration(c.GetDuration()), true
		case "error_kind":
			if c.GetError() == nil {
				return "", true
			}
			return c.GetError().GetKind().String(), true
		case "error_code":
			return c.GetError().GetCode(), true
		case "cache_status":
			if c.GetTaskNodeMetadata().GetCatalogKey() == nil {
				return "", true
			}
			return c.GetTaskNodeMetadata().GetCacheStatus().String(), true
		}
		return "", false
	}
}

// listNodes filters, sorts (default: created_at ascending, admin's insertion order) and pages node executions.
func listNodes(nodes []storedNode, all []storedNode, expr string, sortBy *admin.Sort, token string, limit uint32,
	tokenErr string) (*admin.NodeExecutionList, error) {
	if limit == 0 {
		return nil, execInvalidArg("limit")
	}
	fs, err := parseListFilters(expr)
	if err != nil {
		return nil, err
	}
	sortField, desc, err := sortKey(sortBy, nodeFields(&admin.NodeExecution{}), "created_at", false)
	if err != nil {
		return nil, err
	}
	var matched []storedNode
	for _, n := range nodes {
		ok, err := filters.Match(fs, nodeFields(n.ne))
		if err != nil {
			return nil, err
		}
		if ok {
			matched = append(matched, n)
		}
	}
	page, next, err := filters.Page(matched, func(n storedNode) string {
		v, _ := nodeFields(n.ne)(sortField)
		return v
	}, desc, token, limit)
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "invalid pagination token %s for %s", token, tokenErr)
	}
	out := &admin.NodeExecutionList{Token: next, NodeExecutions: make([]*admin.NodeExecution, 0, len(page))}
	for _, n := range page {
		ne := publicNode(n, all)
		if e := ne.GetClosure().GetError(); e != nil {
			e.Message = trimErrorMessage(e.GetMessage())
		}
		out.NodeExecutions = append(out.NodeExecutions, ne)
	}
	return out, nil
}

// ListNodeExecutions lists the top-level node executions of a workflow execution (no parent node, no parent task),
// or with unique_parent_id the children of that node (a sub-workflow's, dynamic node's or array node's nodes).
func (s *Service) ListNodeExecutions(ctx context.Context, req *admin.NodeExecutionListRequest) (*admin.NodeExecutionList, error) {
	if err := validateWorkflowExecutionID(req.GetWorkflowExecutionId()); err != nil {
		return nil, execMissingArg("execution_id")
	}
	if req.GetLimit() == 0 {
		return nil, execInvalidArg("limit")
	}
	all, err := s.nodesOfExecution(req.GetWorkflowExecutionId())
	if err != nil {
		return nil, err
	}
	parent := req.GetUniqueParentId()
	if parent != "" {
		if _, _, err := s.getNodeExecutionRecord(&core.NodeExecutionIdentifier{
			ExecutionId: req.GetWorkflowExecutionId(), NodeId: parent}); err != nil {
			return nil, err
		}
	}
	var nodes []storedNode
	for _, n := range all {
		if parent != "" {
			if n.x.parentNodeID == parent {
				nodes = append(nodes, n)
			}
		} else if n.x.parentNodeID == "" && n.x.parentTask == nil {
			nodes = append(nodes, n)
		}
	}
	return listNodes(nodes, all, req.GetFilters(), req.GetSortBy(), req.GetToken(), req.GetLimit(), "ListNodeExecutions")
}

// ListNodeExecutionsForTask lists the node executions a task execution launched (propeller's event version 0
// dynamic tasks report their nodes with the task as parent).
func (s *Service) ListNodeExecutionsForTask(ctx context.Context, req *admin.NodeExecutionForTaskListRequest) (*admin.NodeExecutionList, error) {
	tid := req.GetTaskExecutionId()
	if err := validateTaskExecutionID(tid); err != nil {
		return nil, err
	}
	if req.GetLimit() == 0 {
		return nil, execInvalidArg("limit")
	}
	if _, err := s.getTaskExecutionRecord(tid); err != nil {
		return nil, err
	}
	all, err := s.nodesOfExecution(tid.GetNodeExecutionId().GetExecutionId())
	if err != nil {
		return nil, err
	}
	want := taskExecutionKey(tid)
	var nodes []storedNode
	for _, n := range all {
		if n.x.parentTask != nil && taskExecutionKey(n.x.parentTask) == want {
			nodes = append(nodes, n)
		}
	}
	return listNodes(nodes, all, req.GetFilters(), req.GetSortBy(), req.GetToken(), req.GetLimit(), "ListNodeExecutions")
}

// GetDynamicNodeWorkflow returns the workflow a dynamic node generated (uploaded when its event carried it).
func (s *Service) GetDynamicNodeWorkflow(ctx context.Context, req *admin.GetDynamicNodeWorkflowRequest) (*admin.DynamicNodeWorkflowResponse, error) {
	if err := validateNodeExecutionID(req.GetId()); err != nil {
		return nil, err
	}
	_, x, err := s.getNodeExecutionRecord(req.GetId())
	if err != nil {
		return nil, err
	}
	if x.dynamicClosure == "" {
		return nil, status.Error(codes.NotFound, "node does not contain dynamic workflow")
	}
	closure, err := s.dynamicWorkflowClosure(ctx, x.dynamicClosure)
	if err != nil {
		return nil, err
	}
	return &admin.DynamicNodeWorkflowResponse{CompiledWorkflow: closure}, nil
}

// dynamicWorkflowClosure is admin's fetchDynamicWorkflowClosure.
func (s *Service) dynamicWorkflowClosure(ctx context.Context, uri string) (*core.CompiledWorkflowClosure, error) {
	closure := &core.CompiledWorkflowClosure{}
	if err := s.blob.GetProto(ctx, uri, closure); err != nil {
		return nil, status.Errorf(codes.Internal, "Unable to read WorkflowClosure from location %s : %v", uri, err)
	}
	if closure.GetPrimary() == nil {
		return nil, status.Error(codes.Internal, "Empty primary workflow definition in loaded dynamic workflow model.")
	}
	if closure.GetPrimary().GetTemplate() == nil {
		return nil, status.Error(codes.Internal, "Empty primary workflow template in loaded dynamic workflow model.")
	}
	return closure, nil
}

// ---------------------------------------------------------------------------------------------------------------
// Task executions.

// taskIsParent reports whether some node execution names te as its parent task (admin preloads these children).
func taskIsParent(id *core.TaskExecutionIdentifier, nodes []storedNode) bool {
	want := taskExecutionKey(id)
	for _, n := range nodes {
		if n.x.parentTask != nil && taskExecutionKey(n.x.parentTask) == want {
			return true
		}
	}
	return false
}

// GetTaskExecution returns a task execution.
func (s *Service) GetTaskExecution(ctx context.Context, req *admin.TaskExecutionGetRequest) (*admin.TaskExecution, error) {
	if err := validateTaskExecutionID(req.GetId()); err != nil {
		return nil, err
	}
	te, err := s.getTaskExecutionRecord(req.GetId())
	if err != nil {
		return nil, err
	}
	nodes, err := s.nodesOfExecution(req.GetId().GetNodeExecutionId().GetExecutionId())
	if err != nil {
		return nil, err
	}
	stripExtras(te)
	te.IsParent = taskIsParent(te.GetId(), nodes)
	return te, nil
}

// taskFields gives a task execution's value for the filter and sort fields of admin's task_executions table (and
// its task join).
func taskFields(te *admin.TaskExecution) filters.Fields {
	return func(field string) (string, bool) {
		c := te.GetClosure()
		n := te.GetId().GetNodeExecutionId()
		t := te.GetId().GetTaskId()
		switch strings.TrimPrefix(field, "task_execution.") {
		case "project", "execution_project":
			return n.GetExecutionId().GetProject(), true
		case "domain", "execution_domain":
			return n.GetExecutionId().GetDomain(), true
		case "name", "execution_name":
			return n.GetExecutionId().GetName(), true
		case "node_id":
			return n.GetNodeId(), true
		case "version":
			return t.GetVersion(), true
		case "retry_attempt":
			return fmt.Sprint(te.GetId().GetRetryAttempt()), true
		case "phase":
			return c.GetPhase().String(), true
		case "phase_version":
			return fmt.Sprint(taskExtrasOf(te).phaseVersion), true
		case "input_uri":
			return te.GetInputUri(), true
		case "created_at", "task_execution_created_at":
			return formatTime(c.GetCreatedAt()), true
		case "updated_at", "task_execution_updated_at":
			return formatTime(c.GetUpdatedAt()), true
		case "started_at":
			return formatTime(c.GetStartedAt()), true
		case "duration":
			return formatDuration(c.GetDuration()), true
		case "task.project":
			return t.GetProject(), true
		case "task.domain":
			return t.GetDomain(), true
		case "task.name":
			return t.GetName(), true
		case "task.version":
			return t.GetVersion(), true
		}
		return "", false
	}
}

// ListTaskExecutions lists the task executions (attempts) of a node execution. Default order: created_at ascending.
func (s *Service) ListTaskExecutions(ctx context.Context, req *admin.TaskExecutionListRequest) (*admin.TaskExecutionList, error) {
	if err := validateNodeExecutionID(req.GetNodeExecutionId()); err != nil {
		return nil, err
	}
	if req.GetLimit() == 0 {
		return nil, execInvalidArg("limit")
	}
	fs, err := parseListFilters(req.GetFilters())
	if err != nil {
		return nil, err
	}
	sortField, desc, err := sortKey(req.GetSortBy(), taskFields(&admin.TaskExecution{}), "created_at", false)
	if err != nil {
		return nil, err
	}
	var matched []*admin.TaskExecution
	var matchErr error
	err = store.Scan(s.db, BucketTaskExecutions, nodeExecutionKey(req.GetNodeExecutionId())+"/",
		func() *admin.TaskExecution { return &admin.TaskExecution{} }, func(_ string, te *admin.TaskExecution) bool {
			ok, err := filters.Match(fs, taskFields(te))
			if err != nil {
				matchErr = err
				return false
			}
			if ok {
				matched = append(matched, te)
			}
			return true
		})
	if err != nil {
		return nil, execStatusError(err)
	}
	if matchErr != nil {
		return nil, matchErr
	}
	page, next, err := filters.Page(matched, func(te *admin.TaskExecution) string {
		v, _ := taskFields(te)(sortField)
		return v
	}, desc, req.GetToken(), req.GetLimit())
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "invalid pagination token %s for ListTaskExecutions", req.GetToken())
	}
	var nodes []storedNode
	if len(page) > 0 {
		if nodes, err = s.nodesOfExecution(req.GetNodeExecutionId().GetExecutionId()); err != nil {
			return nil, err
		}
	}
	for _, te := range page {
		stripExtras(te)
		te.IsParent = taskIsParent(te.GetId(), nodes)
	}
	return &admin.TaskExecutionList{TaskExecutions: page, Token: next}, nil
}
