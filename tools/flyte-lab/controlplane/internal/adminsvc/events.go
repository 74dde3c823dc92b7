package adminsvc

// events.go: CreateWorkflowEvent, CreateNodeEvent and CreateTaskEvent, which propeller calls with event sink
// "admin", as FlyteAdmin v1.16.8 handles them: flyteadmin/pkg/manager/impl/{execution_manager,node_execution_manager,
// task_execution_manager}.go, validation/{execution,node_execution,task_execution}_validator.go and
// repositories/transformers/{execution,node_execution,task_execution}.go (what each event changes).
//
// Propeller reacts to the errors (flytepropeller/events/errors): AlreadyExists means "already recorded" and is
// ignored; FailedPrecondition with an EventFailureReason AlreadyInTerminalState (or IncompatibleCluster) makes it
// stop the workflow; NotFound means the execution does not exist. Each event is applied in one bbolt transaction
// (check the transition, then write), so duplicates and races get the same answers as admin's database gives.

import (
	"context"
	"fmt"
	"sort"
	"strconv"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/event"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Names of offloaded event data (admin's transformers.InputsObjectSuffix / OutputsObjectSuffix).
const (
	offloadedInputs  = "offloaded_inputs"
	offloadedOutputs = "offloaded_outputs"
)

// validateOutputSize is admin's ValidateOutputData.
func (s *Service) validateOutputSize(m *core.LiteralMap) error {
	if m == nil {
		return nil
	}
	if n := int64(proto.Size(m)); n > s.cfg.MaxInlineBytes {
		return status.Errorf(codes.ResourceExhausted,
			"Output data size exceeds platform configured threshold (%+v > %v)", n, s.cfg.MaxInlineBytes)
	}
	return nil
}

// validateEventCluster is admin's ValidateCluster: an event from a named cluster (not empty, not the default
// "propeller") must come from the cluster the execution runs on. Admin records the cluster at creation; the lab
// has one cluster and records the producer of the first workflow event instead, so an execution without a cluster
// yet accepts any.
func validateEventCluster(clusterInDB, clusterInEvent string) error {
	if clusterInEvent == "" || clusterInEvent == defaultProducerID || clusterInDB == "" {
		return nil
	}
	if clusterInEvent != clusterInDB {
		return execIncompatibleCluster(fmt.Sprintf(
			"Cluster/producer from event [%s] does not match existing workflow execution clusterInDB: [%s]",
			clusterInEvent, clusterInDB), clusterInEvent)
	}
	return nil
}

// offload writes a literal map that an event carried inline and returns its URI (admin's InlineEventDataPolicy
// "offload", its default).
func (s *Service) offload(ctx context.Context, uri string, m *core.LiteralMap) (string, error) {
	if err := s.blob.PutProto(ctx, uri, m); err != nil {
		return "", status.Errorf(codes.Internal, "Failed to write protobuf for [%s] with err: %v", uri, err)
	}
	return uri, nil
}

func eventTime(ts *timestamppb.Timestamp, what string) error {
	if ts == nil {
		return status.Errorf(codes.InvalidArgument, "missing %s", what)
	}
	if err := ts.CheckValid(); err != nil {
		return status.Errorf(codes.Internal, "Failed to parse %s: %v", what, err)
	}
	return nil
}

// reportedAtOr is the event's reported_at, or occurred_at when unset.
func reportedAtOr(reported, occurred *timestamppb.Timestamp) *timestamppb.Timestamp {
	if reported == nil || (reported.GetSeconds() == 0 && reported.GetNanos() == 0) {
		return occurred
	}
	return reported
}

// ---------------------------------------------------------------------------------------------------------------
// Workflow events.

// CreateWorkflowEvent records a workflow execution event: the execution's phase, started_at, duration and outputs
// or error (a failed workflow's error, which propeller takes from the failed node, becomes closure.error).
func (s *Service) CreateWorkflowEvent(ctx context.Context, req *admin.WorkflowExecutionEventRequest) (*admin.WorkflowExecutionEventResponse, error) {
	ev := req.GetEvent()
	if ev == nil {
		return nil, status.Error(codes.InvalidArgument, "Workflow event handler was called without event")
	}
	if ev.GetExecutionId() == nil {
		return nil, status.Errorf(codes.InvalidArgument,
			"Workflow event handler request event doesn't have an execution id - %v", ev)
	}
	if err := s.validateOutputSize(ev.GetOutputData()); err != nil {
		return nil, err
	}
	if err := eventTime(ev.GetOccurredAt(), "OccurredAt"); err != nil {
		return nil, err
	}
	id := ev.GetExecutionId()
	var outputsURI string
	if ev.GetOutputUri() == "" && ev.GetOutputData() != nil {
		var err error
		if outputsURI, err = s.offload(ctx, s.executionDataURI(id, offloadedOutputs), ev.GetOutputData()); err != nil {
			return nil, err
		}
	}

	e := &admin.Execution{}
	err := s.db.Update(BucketExecutions, executionKey(id), e, func(found bool) error {
		if !found {
			return execMissingEntity(id)
		}
		if e.Closure == nil {
			e.Closure = &admin.ExecutionClosure{}
		}
		cur := e.GetClosure().GetPhase()
		cluster := e.GetSpec().GetMetadata().GetSystemMetadata().GetExecutionCluster()
		// Repeated QUEUED events (a cluster reassignment) are allowed.
		if ev.GetPhase() != core.WorkflowExecution_QUEUED {
			if cur == ev.GetPhase() {
				return status.Errorf(codes.AlreadyExists, "This phase %s was already recorded for workflow execution %v",
					cur.String(), id)
			}
			if err := validateEventCluster(cluster, ev.GetProducerId()); err != nil {
				return err
			}
		}
		switch {
		case isExecutionTerminal(cur):
			return execAlreadyInTerminalState(fmt.Sprintf("Invalid phase change from %s to %s for workflow execution %v",
				cur.String(), ev.GetPhase().String(), id), cur.String())
		case cur == core.WorkflowExecution_RUNNING && ev.GetPhase() == core.WorkflowExecution_QUEUED:
			return status.Errorf(codes.FailedPrecondition, "Cannot go from %s to %s for workflow execution %v",
				cur.String(), ev.GetPhase().String(), id)
		case cur == core.WorkflowExecution_ABORTING && !isExecutionTerminal(ev.GetPhase()):
			return status.Errorf(codes.FailedPrecondition,
				"Invalid phase change from aborting to %s for workflow execution %v", ev.GetPhase().String(), id)
		}
		return applyWorkflowEvent(e, ev, outputsURI)
	})
	if err != nil {
		return nil, execStatusError(err)
	}
	return &admin.WorkflowExecutionEventResponse{}, nil
}

// applyWorkflowEvent is admin's UpdateExecutionModelState.
func applyWorkflowEvent(e *admin.Execution, ev *event.WorkflowExecutionEvent, offloadedOutputsURI string) error {
	c := e.Closure
	prev := c.GetPhase()
	c.Phase = ev.GetPhase()
	c.UpdatedAt = ev.GetOccurredAt()
	if ev.GetPhase() == core.WorkflowExecution_RUNNING {
		c.StartedAt = ev.GetOccurredAt()
	} else if isExecutionTerminal(ev.GetPhase()) && c.GetStartedAt() != nil {
		c.Duration = durationpb.New(ev.GetOccurredAt().AsTime().Sub(c.GetStartedAt().AsTime()))
	}

	// The cluster that reports an execution still UNDEFINED or QUEUED becomes its cluster; later events must come
	// from it.
	if p := ev.GetProducerId(); p != "" && p != defaultProducerID {
		if prev == core.WorkflowExecution_UNDEFINED || prev == core.WorkflowExecution_QUEUED {
			if e.Spec == nil {
				e.Spec = &admin.ExecutionSpec{}
			}
			if e.Spec.Metadata == nil {
				e.Spec.Metadata = &admin.ExecutionMetadata{}
			}
			if e.Spec.Metadata.SystemMetadata == nil {
				e.Spec.Metadata.SystemMetadata = &admin.SystemMetadata{}
			}
			e.Spec.Metadata.SystemMetadata.ExecutionCluster = p
		} else if cluster := e.GetSpec().GetMetadata().GetSystemMetadata().GetExecutionCluster(); cluster != p {
			return execIncompatibleCluster(fmt.Sprintf(
				"Cannot accept events for running/terminated execution [%v] from cluster [%s],"+
					"expected events to originate from [%s]", ev.GetExecutionId(), p, cluster), cluster)
		}
	}

	switch {
	case ev.GetOutputUri() != "":
		c.OutputResult = &admin.ExecutionClosure_Outputs{Outputs: &admin.LiteralMapBlob{
			Data: &admin.LiteralMapBlob_Uri{Uri: ev.GetOutputUri()}}}
	case ev.GetOutputData() != nil:
		c.OutputResult = &admin.ExecutionClosure_Outputs{Outputs: &admin.LiteralMapBlob{
			Data: &admin.LiteralMapBlob_Uri{Uri: offloadedOutputsURI}}}
	case ev.GetError() != nil:
		c.OutputResult = &admin.ExecutionClosure_Error{Error: ev.GetError()}
	}
	return nil
}

// ---------------------------------------------------------------------------------------------------------------
// Node events.

func validateNodeExecutionID(id *core.NodeExecutionIdentifier) error {
	switch {
	case id == nil:
		return execMissingArg("id")
	case id.GetExecutionId() == nil:
		return execMissingArg("execution_id")
	case id.GetNodeId() == "":
		return execMissingArg("node_id")
	}
	return validateWorkflowExecutionID(id.GetExecutionId())
}

// dynamicClosureURI is where a dynamic node's compiled workflow goes (admin's uploadDynamicWorkflowClosure:
// <metadata>/admin/<project>/<domain>/<execution>/<node>/<project>_<domain>_<name>_<version>).
func (s *Service) dynamicClosureURI(id *core.NodeExecutionIdentifier, wf *core.Identifier) string {
	x := id.GetExecutionId()
	return fmt.Sprintf("%s/admin/%s/%s/%s/%s/%s_%s_%s_%s", s.metadataBase(), x.GetProject(), x.GetDomain(), x.GetName(),
		id.GetNodeId(), wf.GetProject(), wf.GetDomain(), wf.GetName(), wf.GetVersion())
}

// CreateNodeEvent records a node execution event, creating the node execution on first sight.
func (s *Service) CreateNodeEvent(ctx context.Context, req *admin.NodeExecutionEventRequest) (*admin.NodeExecutionEventResponse, error) {
	ev := req.GetEvent()
	if ev == nil {
		return nil, execMissingArg("event")
	}
	if err := validateNodeExecutionID(ev.GetId()); err != nil {
		return nil, err
	}
	if err := s.validateOutputSize(ev.GetOutputData()); err != nil {
		return nil, err
	}
	if err := eventTime(ev.GetOccurredAt(), "OccurredAt"); err != nil {
		return nil, err
	}
	id := ev.GetId()
	x := id.GetExecutionId()
	exec, err := s.getExecution(x)
	if err != nil {
		return nil, status.Errorf(status.Code(err), "Failed to get existing execution id: [%+v] with err: %v", x, err)
	}
	if err := validateEventCluster(exec.GetSpec().GetMetadata().GetSystemMetadata().GetExecutionCluster(),
		ev.GetProducerId()); err != nil {
		return nil, err
	}

	// Blob writes and reads of other records happen before the transaction.
	var dynamicRef string
	if dw := ev.GetTaskNodeMetadata().GetDynamicWorkflow(); dw != nil {
		dynamicRef = s.dynamicClosureURI(id, dw.GetId())
		if err := s.blob.PutProto(ctx, dynamicRef, dw.GetCompiledWorkflow()); err != nil {
			return nil, status.Errorf(codes.Internal,
				"Failed to upload dynamic workflow closure for node id [%+v] and workflow id [%+v] with err: %v",
				id, dw.GetId(), err)
		}
	}
	existing, _, err := s.getNodeExecutionRecord(id)
	if err != nil && status.Code(err) != codes.NotFound {
		return nil, err
	}
	var inputsURI, outputsURI string
	if existing.GetInputUri() == "" && ev.GetInputData() != nil {
		if inputsURI, err = s.offload(ctx, s.executionDataURI(x, id.GetNodeId(), offloadedInputs), ev.GetInputData()); err != nil {
			return nil, err
		}
	}
	if ev.GetOutputUri() == "" && ev.GetOutputData() != nil && isNodeExecutionTerminal(ev.GetPhase()) {
		if outputsURI, err = s.offload(ctx, s.executionDataURI(x, id.GetNodeId(), offloadedOutputs), ev.GetOutputData()); err != nil {
			return nil, err
		}
	}
	var parents nodeExtras
	if existing == nil {
		if pt := ev.GetParentTaskMetadata(); pt != nil {
			if _, err := s.getTaskExecutionRecord(pt.GetId()); err != nil {
				return nil, err
			}
			parents.parentTask = pt.GetId()
		}
		if pn := ev.GetParentNodeMetadata(); pn != nil {
			parentID := &core.NodeExecutionIdentifier{ExecutionId: x, NodeId: pn.GetNodeId()}
			if _, _, err := s.getNodeExecutionRecord(parentID); err != nil {
				return nil, err
			}
			parents.parentNodeID = pn.GetNodeId()
		}
	} else if child := ev.GetWorkflowNodeMetadata().GetExecutionId(); child != nil {
		// A node that launched an execution must name one that exists.
		if _, err := s.getExecution(child); err != nil {
			return nil, err
		}
	}

	ne := &admin.NodeExecution{}
	err = s.db.Update(BucketNodeExecutions, nodeExecutionKey(id), ne, func(found bool) error {
		if !found {
			createNodeExecution(ne, ev, parents, dynamicRef, inputsURI, outputsURI)
			return nil
		}
		cur := ne.GetClosure().GetPhase()
		if cur == ev.GetPhase() {
			return status.Errorf(codes.AlreadyExists, "This phase was already recorded %v for %+v", cur.String(), id)
		}
		if isNodeExecutionTerminal(cur) {
			return execAlreadyInTerminalState(fmt.Sprintf("Invalid phase change from %s to %s for node execution %v",
				cur.String(), ev.GetPhase().String(), id), ev.GetPhase().String())
		}
		updateNodeExecution(ne, ev, dynamicRef, inputsURI, outputsURI)
		return nil
	})
	if err != nil {
		return nil, execStatusError(err)
	}
	return &admin.NodeExecutionEventResponse{}, nil
}

// nodeEventInputs is admin's handleNodeExecutionInputs: the input URI of the event, or where its inline inputs were
// offloaded.
func nodeEventInputs(ev *event.NodeExecutionEvent, offloaded string) string {
	if ev.GetInputUri() != "" {
		return ev.GetInputUri()
	}
	return offloaded
}

// nodeTerminalState is admin's addTerminalState for node executions.
func nodeTerminalState(c *admin.NodeExecutionClosure, ev *event.NodeExecutionEvent, offloadedOutputs string) {
	if c.GetStartedAt() != nil {
		c.Duration = durationpb.New(ev.GetOccurredAt().AsTime().Sub(c.GetStartedAt().AsTime()))
	}
	switch {
	case ev.GetOutputUri() != "":
		c.OutputResult = &admin.NodeExecutionClosure_OutputUri{OutputUri: ev.GetOutputUri()}
	case ev.GetOutputData() != nil:
		c.OutputResult = &admin.NodeExecutionClosure_OutputUri{OutputUri: offloadedOutputs}
	case ev.GetError() != nil:
		c.OutputResult = &admin.NodeExecutionClosure_Error{Error: ev.GetError()}
	}
	c.DeckUri = ev.GetDeckUri()
}

// nodeTaskMetadata is the task node metadata (checkpoint, cache status and catalog key) of an event.
func nodeTaskMetadata(ev *event.NodeExecutionEvent) *admin.NodeExecutionClosure_TaskNodeMetadata {
	tm := ev.GetTaskNodeMetadata()
	out := &admin.NodeExecutionClosure_TaskNodeMetadata{TaskNodeMetadata: &admin.TaskNodeMetadata{
		CheckpointUri: tm.GetCheckpointUri(),
	}}
	if tm.GetCatalogKey() != nil {
		out.TaskNodeMetadata.CacheStatus = tm.GetCacheStatus()
		out.TaskNodeMetadata.CatalogKey = tm.GetCatalogKey()
	}
	return out
}

// createNodeExecution is admin's CreateNodeExecutionModel.
func createNodeExecution(ne *admin.NodeExecution, ev *event.NodeExecutionEvent, parents nodeExtras,
	dynamicRef, offloadedInputs, offloadedOutputs string) {
	ne.Id = ev.GetId()
	ne.InputUri = nodeEventInputs(ev, offloadedInputs)
	c := &admin.NodeExecutionClosure{
		Phase:     ev.GetPhase(),
		CreatedAt: ev.GetOccurredAt(),
		UpdatedAt: reportedAtOr(ev.GetReportedAt(), ev.GetOccurredAt()),
	}
	ne.Closure = c
	ne.Metadata = &admin.NodeExecutionMetaData{
		RetryGroup:   ev.GetRetryGroup(),
		SpecNodeId:   ev.GetSpecNodeId(),
		IsParentNode: ev.GetIsParent(),
		IsDynamic:    ev.GetIsDynamic(),
		IsArray:      ev.GetIsArray(),
	}
	if ev.GetPhase() == core.NodeExecution_RUNNING {
		c.StartedAt = ev.GetOccurredAt()
		c.DeckUri = ev.GetDeckUri()
	}
	if isNodeExecutionTerminal(ev.GetPhase()) {
		nodeTerminalState(c, ev, offloadedOutputs)
	}
	if ev.GetTaskNodeMetadata() != nil {
		c.TargetMetadata = nodeTaskMetadata(ev)
		if uri := ev.GetTaskNodeMetadata().GetDynamicWorkflow().GetDynamicJobSpecUri(); uri != "" {
			c.DynamicJobSpecUri = uri
		}
	}
	parents.dynamicClosure = dynamicRef
	parents.eventVersion = ev.GetEventVersion()
	setNodeExtras(ne, parents)
}

// updateNodeExecution is admin's UpdateNodeExecutionModel.
func updateNodeExecution(ne *admin.NodeExecution, ev *event.NodeExecutionEvent, dynamicRef, offloadedInputs,
	offloadedOutputs string) {
	if ne.GetInputUri() == "" {
		ne.InputUri = nodeEventInputs(ev, offloadedInputs)
	}
	if ne.Closure == nil {
		ne.Closure = &admin.NodeExecutionClosure{}
	}
	c := ne.Closure
	c.Phase = ev.GetPhase()
	c.UpdatedAt = reportedAtOr(ev.GetReportedAt(), ev.GetOccurredAt())
	if ev.GetPhase() == core.NodeExecution_RUNNING {
		c.StartedAt = ev.GetOccurredAt()
		c.DeckUri = ev.GetDeckUri()
	}
	if isNodeExecutionTerminal(ev.GetPhase()) {
		nodeTerminalState(c, ev, offloadedOutputs)
	}
	if child := ev.GetWorkflowNodeMetadata().GetExecutionId(); child != nil && c.GetWorkflowNodeMetadata() == nil {
		c.TargetMetadata = &admin.NodeExecutionClosure_WorkflowNodeMetadata{
			WorkflowNodeMetadata: &admin.WorkflowNodeMetadata{ExecutionId: child},
		}
	}
	if ev.GetTaskNodeMetadata() != nil {
		c.TargetMetadata = nodeTaskMetadata(ev)
		if uri := ev.GetTaskNodeMetadata().GetDynamicWorkflow().GetDynamicJobSpecUri(); uri != "" {
			c.DynamicJobSpecUri = uri
		}
	}
	x := nodeExtrasOf(ne)
	if dynamicRef != "" {
		x.dynamicClosure = dynamicRef
	}
	setNodeExtras(ne, x)
	if ne.Metadata == nil {
		ne.Metadata = &admin.NodeExecutionMetaData{}
	}
	// Not every event carries the flags; set them when one does.
	if ev.GetIsParent() {
		ne.Metadata.IsParentNode = true
	}
	if ev.GetIsDynamic() {
		ne.Metadata.IsDynamic = true
	}
	if ev.GetIsArray() {
		ne.Metadata.IsArray = true
	}
}

// ---------------------------------------------------------------------------------------------------------------
// Task events.

func validateTaskExecutionID(id *core.TaskExecutionIdentifier) error {
	if id == nil {
		return execMissingArg("id")
	}
	if id.GetNodeExecutionId() == nil {
		return execMissingArg("node_execution_id")
	}
	if err := validateNodeExecutionID(id.GetNodeExecutionId()); err != nil {
		return err
	}
	if id.GetTaskId() == nil {
		return execMissingArg("task_id")
	}
	if id.GetTaskId().GetResourceType() != core.ResourceType_TASK {
		return status.Errorf(codes.InvalidArgument, "unexpected resource type %s for identifier [%+v], expected task instead",
			lowerEnum(id.GetTaskId().GetResourceType().String()), id.GetTaskId())
	}
	return validateIdentifierFieldsSet(id.GetTaskId())
}

func lowerEnum(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// taskEventDataURI is where admin offloads a task event's inline data: <execution>/<node>/<task project>/<task domain>/
// <task name>/<task version>/<retry attempt>/<suffix>.
func (s *Service) taskEventDataURI(ev *event.TaskExecutionEvent, suffix string) string {
	n := ev.GetParentNodeExecutionId()
	t := ev.GetTaskId()
	return s.executionDataURI(n.GetExecutionId(), n.GetNodeId(), t.GetProject(), t.GetDomain(), t.GetName(),
		t.GetVersion(), strconv.FormatUint(uint64(ev.GetRetryAttempt()), 10), suffix)
}

// CreateTaskEvent records a task execution event, creating the task execution on first sight. An event of the
// phase already recorded is a duplicate unless its phase version is higher (propeller reports progress within a
// phase, e.g. new logs, with increasing phase versions).
func (s *Service) CreateTaskEvent(ctx context.Context, req *admin.TaskExecutionEventRequest) (*admin.TaskExecutionEventResponse, error) {
	ev := req.GetEvent()
	if ev == nil {
		return nil, execMissingArg("event")
	}
	if ev.GetOccurredAt() == nil {
		return nil, execMissingArg("occurred_at")
	}
	if err := s.validateOutputSize(ev.GetOutputData()); err != nil {
		return nil, err
	}
	id := &core.TaskExecutionIdentifier{
		TaskId:          ev.GetTaskId(),
		NodeExecutionId: ev.GetParentNodeExecutionId(),
		RetryAttempt:    ev.GetRetryAttempt(),
	}
	if err := validateTaskExecutionID(id); err != nil {
		return nil, err
	}
	if err := eventTime(ev.GetOccurredAt(), "OccurredAt"); err != nil {
		return nil, err
	}
	exec, err := s.getExecution(id.GetNodeExecutionId().GetExecutionId())
	if err != nil {
		return nil, err
	}
	if err := validateEventCluster(exec.GetSpec().GetMetadata().GetSystemMetadata().GetExecutionCluster(),
		ev.GetProducerId()); err != nil {
		return nil, err
	}
	existing, err := s.getTaskExecutionRecord(id)
	if err != nil && status.Code(err) != codes.NotFound {
		return nil, err
	}
	if existing == nil {
		if _, _, err := s.getNodeExecutionRecord(id.GetNodeExecutionId()); err != nil {
			if status.Code(err) == codes.NotFound {
				// Admin's message; its node execution repository's Exists gives no gRPC code here.
				return nil, status.Errorf(codes.Unknown, "failed to get existing node execution id: [%+v]", id.GetNodeExecutionId())
			}
			return nil, err
		}
	}
	var inputsURI, outputsURI string
	if existing.GetInputUri() == "" && ev.GetInputData() != nil {
		if inputsURI, err = s.offload(ctx, s.taskEventDataURI(ev, offloadedInputs), ev.GetInputData()); err != nil {
			return nil, err
		}
	}
	if ev.GetOutputUri() == "" && ev.GetOutputData() != nil && isTaskExecutionTerminal(ev.GetPhase()) {
		if outputsURI, err = s.offload(ctx, s.taskEventDataURI(ev, offloadedOutputs), ev.GetOutputData()); err != nil {
			return nil, err
		}
	}

	te := &admin.TaskExecution{}
	err = s.db.Update(BucketTaskExecutions, taskExecutionKey(id), te, func(found bool) error {
		if !found {
			createTaskExecution(te, id, ev, inputsURI, outputsURI)
			return nil
		}
		cur := te.GetClosure().GetPhase()
		version := taskExtrasOf(te).phaseVersion
		if cur == ev.GetPhase() && version >= ev.GetPhaseVersion() {
			return status.Errorf(codes.AlreadyExists, "have already recorded task execution phase %s (version: %d) for %v",
				ev.GetPhase().String(), ev.GetPhaseVersion(), id)
		}
		if isTaskExecutionTerminal(cur) {
			return execAlreadyInTerminalState(fmt.Sprintf("invalid phase change from %v to %v for task execution %v",
				cur.String(), ev.GetPhase().String(), id), ev.GetPhase().String())
		}
		return updateTaskExecution(te, ev, inputsURI, outputsURI)
	})
	if err != nil {
		return nil, execStatusError(err)
	}
	return &admin.TaskExecutionEventResponse{}, nil
}

func taskEventInputs(ev *event.TaskExecutionEvent, offloaded string) string {
	if ev.GetInputUri() != "" {
		return ev.GetInputUri()
	}
	return offloaded
}

// taskTerminalState is admin's addTaskTerminalState.
func taskTerminalState(c *admin.TaskExecutionClosure, ev *event.TaskExecutionEvent, offloadedOutputs string) {
	if c.GetStartedAt() != nil {
		c.Duration = durationpb.New(ev.GetOccurredAt().AsTime().Sub(c.GetStartedAt().AsTime()))
	}
	switch {
	case ev.GetOutputUri() != "":
		c.OutputResult = &admin.TaskExecutionClosure_OutputUri{OutputUri: ev.GetOutputUri()}
	case ev.GetOutputData() != nil:
		c.OutputResult = &admin.TaskExecutionClosure_OutputUri{OutputUri: offloadedOutputs}
	case ev.GetError() != nil:
		c.OutputResult = &admin.TaskExecutionClosure_Error{Error: ev.GetError()}
	}
}

func sortExternalResources(rs []*event.ExternalResourceInfo) {
	sort.SliceStable(rs, func(i, j int) bool {
		if rs[i].GetIndex() == rs[j].GetIndex() {
			return rs[i].GetRetryAttempt() < rs[j].GetRetryAttempt()
		}
		return rs[i].GetIndex() < rs[j].GetIndex()
	})
}

// createTaskExecution is admin's CreateTaskExecutionModel.
func createTaskExecution(te *admin.TaskExecution, id *core.TaskExecutionIdentifier, ev *event.TaskExecutionEvent,
	offloadedInputs, offloadedOutputs string) {
	te.Id = id
	te.InputUri = taskEventInputs(ev, offloadedInputs)
	md := ev.GetMetadata()
	if len(md.GetExternalResources()) > 1 {
		sortExternalResources(md.ExternalResources)
	}
	c := &admin.TaskExecutionClosure{
		Phase:        ev.GetPhase(),
		UpdatedAt:    reportedAtOr(ev.GetReportedAt(), ev.GetOccurredAt()),
		CreatedAt:    ev.GetOccurredAt(),
		Logs:         ev.GetLogs(),
		CustomInfo:   ev.GetCustomInfo(),
		TaskType:     ev.GetTaskType(),
		Metadata:     md,
		EventVersion: ev.GetEventVersion(),
	}
	te.Closure = c
	if len(ev.GetReasons()) > 0 {
		for _, r := range ev.GetReasons() {
			c.Reasons = append(c.Reasons, &admin.Reason{OccurredAt: r.GetOccurredAt(), Message: r.GetReason()})
		}
		c.Reason = ev.GetReasons()[len(ev.GetReasons())-1].GetReason()
	} else if ev.GetReason() != "" {
		c.Reasons = []*admin.Reason{{OccurredAt: ev.GetOccurredAt(), Message: ev.GetReason()}}
		c.Reason = ev.GetReason()
	}
	if ev.GetPhase() == core.TaskExecution_RUNNING {
		c.StartedAt = ev.GetOccurredAt()
	}
	if isTaskExecutionTerminal(ev.GetPhase()) {
		taskTerminalState(c, ev, offloadedOutputs)
	}
	setTaskExtras(te, taskExtras{phaseVersion: ev.GetPhaseVersion()})
}

// updateTaskExecution is admin's UpdateTaskExecutionModel.
func updateTaskExecution(te *admin.TaskExecution, ev *event.TaskExecutionEvent, offloadedInputs, offloadedOutputs string) error {
	if te.GetInputUri() == "" {
		te.InputUri = taskEventInputs(ev, offloadedInputs)
	}
	if te.Closure == nil {
		te.Closure = &admin.TaskExecutionClosure{}
	}
	c := te.Closure
	prev := c.GetPhase()
	isPhaseChange := prev != ev.GetPhase()
	c.Phase = ev.GetPhase()
	setTaskExtras(te, taskExtras{phaseVersion: ev.GetPhaseVersion()})
	c.UpdatedAt = reportedAtOr(ev.GetReportedAt(), ev.GetOccurredAt())
	c.Logs = filterLogsByPhase(mergeLogs(c.GetLogs(), ev.GetLogs()), ev.GetPhase())

	if len(ev.GetReasons()) > 0 {
		for _, r := range ev.GetReasons() {
			c.Reasons = append(c.Reasons, &admin.Reason{OccurredAt: r.GetOccurredAt(), Message: r.GetReason()})
		}
		c.Reason = ev.GetReasons()[len(ev.GetReasons())-1].GetReason()
	} else if ev.GetReason() != "" {
		if c.GetReason() != ev.GetReason() {
			c.Reasons = append(c.Reasons, &admin.Reason{OccurredAt: ev.GetOccurredAt(), Message: ev.GetReason()})
		}
		c.Reason = ev.GetReason()
	}
	if prev != core.TaskExecution_RUNNING && ev.GetPhase() == core.TaskExecution_RUNNING && c.GetStartedAt() == nil {
		c.StartedAt = ev.GetOccurredAt()
	}
	if isTaskExecutionTerminal(ev.GetPhase()) {
		taskTerminalState(c, ev, offloadedOutputs)
	}
	c.CustomInfo = mergeCustom(c.GetCustomInfo(), ev.GetCustomInfo())
	c.Metadata = mergeTaskMetadata(c.GetMetadata(), ev.GetMetadata())
	if isPhaseChange && len(c.GetMetadata().GetExternalResources()) > 0 {
		for _, r := range c.GetMetadata().GetExternalResources() {
			r.Logs = filterLogsByPhase(r.GetLogs(), ev.GetPhase())
		}
	}
	if ev.GetEventVersion() > c.GetEventVersion() {
		c.EventVersion = ev.GetEventVersion()
	}
	return nil
}

// mergeLogs is admin's mergeLogs: the latest logs, plus earlier ones not replaced by a latest log of the same URI or
// name.
func mergeLogs(existing, latest []*core.TaskLog) []*core.TaskLog {
	if len(latest) == 0 {
		return existing
	}
	if len(existing) == 0 {
		return latest
	}
	byURI := map[string]bool{}
	byName := map[string]bool{}
	for _, l := range latest {
		byURI[l.GetUri()] = true
		if l.GetName() != "" {
			byName[l.GetName()] = true
		}
	}
	out := append([]*core.TaskLog{}, latest...)
	for _, l := range existing {
		if !byURI[l.GetUri()] && !byName[l.GetName()] {
			out = append(out, l)
		}
	}
	return out
}

// filterLogsByPhase is admin's filterLogsByPhase: logs hidden once finished go at a terminal phase, and only logs
// shown while pending stay while QUEUED or INITIALIZING.
func filterLogsByPhase(logs []*core.TaskLog, phase core.TaskExecution_Phase) []*core.TaskLog {
	out := make([]*core.TaskLog, 0, len(logs))
	for _, l := range logs {
		if isTaskExecutionTerminal(phase) && l.GetHideOnceFinished() {
			continue
		}
		if (phase == core.TaskExecution_QUEUED || phase == core.TaskExecution_INITIALIZING) && !l.GetShowWhilePending() {
			continue
		}
		out = append(out, l)
	}
	return out
}

// mergeCustom is admin's mergeCustom: a JSON merge patch (RFC 7386) of the latest custom info onto the existing.
func mergeCustom(existing, latest *structpb.Struct) *structpb.Struct {
	if existing == nil {
		return latest
	}
	if latest == nil {
		return existing
	}
	out := proto.Clone(existing).(*structpb.Struct)
	mergePatchStruct(out, latest)
	return out
}

func mergePatchStruct(dst, patch *structpb.Struct) {
	if dst.Fields == nil {
		dst.Fields = map[string]*structpb.Value{}
	}
	for k, v := range patch.GetFields() {
		if _, isNull := v.GetKind().(*structpb.Value_NullValue); isNull {
			delete(dst.Fields, k)
			continue
		}
		if ps := v.GetStructValue(); ps != nil {
			if ds := dst.Fields[k].GetStructValue(); ds != nil {
				mergePatchStruct(ds, ps)
				continue
			}
			fresh := &structpb.Struct{}
			mergePatchStruct(fresh, ps)
			dst.Fields[k] = structpb.NewStructValue(fresh)
			continue
		}
		dst.Fields[k] = proto.Clone(v).(*structpb.Value)
	}
}

// mergeTaskMetadata is admin's mergeMetadata.
func mergeTaskMetadata(existing, latest *event.TaskExecutionMetadata) *event.TaskExecutionMetadata {
	if existing == nil {
		return latest
	}
	if latest == nil {
		return existing
	}
	if latest.GetGeneratedName() != "" {
		existing.GeneratedName = latest.GetGeneratedName()
	}
	existing.ExternalResources = mergeExternalResources(existing.GetExternalResources(), latest.GetExternalResources())
	existing.ResourcePoolInfo = latest.GetResourcePoolInfo()
	if latest.GetPluginIdentifier() != "" {
		existing.PluginIdentifier = latest.GetPluginIdentifier()
	}
	if latest.GetInstanceClass() != event.TaskExecutionMetadata_DEFAULT {
		existing.InstanceClass = latest.GetInstanceClass()
	}
	return existing
}

// mergeExternalResources is admin's mergeExternalResources: resources are kept sorted by (index, retry attempt);
// a reported one updates its match or is inserted.
func mergeExternalResources(existing, latest []*event.ExternalResourceInfo) []*event.ExternalResourceInfo {
	for _, r := range latest {
		i := sort.Search(len(existing), func(i int) bool {
			if existing[i].GetIndex() == r.GetIndex() {
				return existing[i].GetRetryAttempt() >= r.GetRetryAttempt()
			}
			return existing[i].GetIndex() >= r.GetIndex()
		})
		switch {
		case i >= len(existing):
			existing = append(existing, r)
		case existing[i].GetIndex() == r.GetIndex() && existing[i].GetRetryAttempt() == r.GetRetryAttempt():
			existing[i] = mergeExternalResource(existing[i], r)
		default:
			existing = append(existing, nil)
			copy(existing[i+1:], existing[i:])
			existing[i] = r
		}
	}
	return existing
}

func mergeExternalResource(existing, latest *event.ExternalResourceInfo) *event.ExternalResourceInfo {
	if latest.GetExternalId() != "" {
		existing.ExternalId = latest.GetExternalId()
	}
	existing.Phase = latest.GetPhase()
	if latest.GetCacheStatus() != core.CatalogCacheStatus_CACHE_DISABLED {
		existing.CacheStatus = latest.GetCacheStatus()
	}
	existing.Logs = mergeLogs(existing.GetLogs(), latest.GetLogs())
	if latest.GetCustomInfo() != nil {
		existing.CustomInfo = proto.Clone(latest.GetCustomInfo()).(*structpb.Struct)
	}
	return existing
}
