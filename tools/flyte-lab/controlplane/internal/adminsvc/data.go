package adminsvc

// data.go: GetExecutionData, GetNodeExecutionData and GetTaskExecutionData, as FlyteAdmin v1.16.8
// (flyteadmin/pkg/manager/impl/util/data.go GetInputs / GetOutputs with signed URLs enabled, and the three
// managers). Inputs and outputs are read from the URIs recorded for the execution (inputs.pb / outputs.pb that admin,
// propeller and the tasks wrote on MinIO) and returned as a signed URL with the object's size, plus inline
// (full_inputs / full_outputs) when the object is at most cfg.MaxInlineBytes. Something not written yet (an
// execution that never started, a node still running) gives empty data, not an error.

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strconv"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/unionml-ts/tools/flyte-lab/controlplane/internal/blob"
)

// literalData returns the signed URL blob of a literal map stored at uri and, when it is small enough, the map
// itself. An empty uri or a missing object gives an empty blob and an empty map.
func (s *Service) literalData(ctx context.Context, uri string) (*core.LiteralMap, *admin.UrlBlob, error) {
	full := &core.LiteralMap{}
	if uri == "" {
		return full, &admin.UrlBlob{}, nil
	}
	if _, _, err := blob.Split(uri); err != nil {
		return nil, nil, status.Errorf(codes.InvalidArgument, "invalid uri: %s", uri)
	}
	size, err := s.blob.Head(ctx, uri)
	if errors.Is(err, blob.ErrNotFound) {
		return full, &admin.UrlBlob{}, nil
	}
	if err != nil {
		return nil, nil, status.Errorf(codes.Internal, "failed to get object size for %s with %v", uri, err)
	}
	url, err := s.blob.PresignGet(uri, s.cfg.SignedURLTTL)
	if err != nil {
		return nil, nil, status.Errorf(codes.Internal, "failed to presign url for uri [%s] for %v with err %v", uri,
			s.cfg.SignedURLTTL, err)
	}
	urlBlob := &admin.UrlBlob{Url: url, Bytes: size}
	if size <= s.cfg.MaxInlineBytes {
		if err := s.blob.GetProto(ctx, uri, full); err != nil {
			// As admin: the signed URL still lets the client fetch the data.
			log.Printf("adminsvc: failed to read literal map %s: %v", uri, err)
			full = &core.LiteralMap{}
		}
	}
	return full, urlBlob, nil
}

// outputData is admin's GetOutputs: outputs stored inline in the closure are returned as they are (when small
// enough); otherwise they are read from the output URI.
func (s *Service) outputData(ctx context.Context, uri string, inline *core.LiteralMap) (*core.LiteralMap, *admin.UrlBlob, error) {
	if inline != nil {
		urlBlob := &admin.UrlBlob{}
		if uri != "" {
			_, b, err := s.literalData(ctx, uri)
			if err != nil {
				return nil, nil, err
			}
			urlBlob = b
		}
		if int64(proto.Size(inline)) <= s.cfg.MaxInlineBytes {
			return inline, urlBlob, nil
		}
		return &core.LiteralMap{}, urlBlob, nil
	}
	return s.literalData(ctx, uri)
}

// GetExecutionData returns an execution's inputs (what it was launched with, launch plan defaults included) and
// outputs.
func (s *Service) GetExecutionData(ctx context.Context, req *admin.WorkflowExecutionGetDataRequest) (*admin.WorkflowExecutionGetDataResponse, error) {
	if err := validateWorkflowExecutionID(req.GetId()); err != nil {
		return nil, err
	}
	e, err := s.getExecution(req.GetId())
	if err != nil {
		return nil, err
	}
	inputs, inputsBlob, err := s.literalData(ctx, s.executionInputsURI(e.GetId()))
	if err != nil {
		return nil, err
	}
	c := e.GetClosure()
	inline := c.GetOutputData()
	if v := c.GetOutputs().GetValues(); v != nil {
		inline = v
	}
	outputs, outputsBlob, err := s.outputData(ctx, c.GetOutputs().GetUri(), inline)
	if err != nil {
		return nil, err
	}
	return &admin.WorkflowExecutionGetDataResponse{
		Inputs:      inputsBlob,
		Outputs:     outputsBlob,
		FullInputs:  inputs,
		FullOutputs: outputs,
	}, nil
}

// GetNodeExecutionData returns a node execution's inputs and outputs, its flyte:// URLs and, for a dynamic node,
// the workflow it generated.
func (s *Service) GetNodeExecutionData(ctx context.Context, req *admin.NodeExecutionGetDataRequest) (*admin.NodeExecutionGetDataResponse, error) {
	id := req.GetId()
	if err := validateNodeExecutionID(id); err != nil {
		return nil, err
	}
	ne, x, err := s.getNodeExecutionRecord(id)
	if err != nil {
		return nil, err
	}
	inputs, inputsBlob, err := s.literalData(ctx, ne.GetInputUri())
	if err != nil {
		return nil, err
	}
	outputs, outputsBlob, err := s.outputData(ctx, ne.GetClosure().GetOutputUri(), ne.GetClosure().GetOutputData())
	if err != nil {
		return nil, err
	}
	base := fmt.Sprintf("flyte://v1/%s/%s/%s/%s", id.GetExecutionId().GetProject(), id.GetExecutionId().GetDomain(),
		id.GetExecutionId().GetName(), id.GetNodeId())
	resp := &admin.NodeExecutionGetDataResponse{
		Inputs:      inputsBlob,
		Outputs:     outputsBlob,
		FullInputs:  inputs,
		FullOutputs: outputs,
		FlyteUrls:   &admin.FlyteURLs{Inputs: base + "/i", Outputs: base + "/o"},
	}
	if ne.GetClosure().GetDeckUri() != "" {
		resp.FlyteUrls.Deck = base + "/d"
	}
	if x.dynamicClosure != "" {
		closure, err := s.dynamicWorkflowClosure(ctx, x.dynamicClosure)
		if err != nil {
			return nil, err
		}
		resp.DynamicWorkflow = &admin.DynamicWorkflowNodeMetadata{
			Id:                closure.GetPrimary().GetTemplate().GetId(),
			CompiledWorkflow:  closure,
			DynamicJobSpecUri: ne.GetClosure().GetDynamicJobSpecUri(),
		}
	}
	return resp, nil
}

// GetTaskExecutionData returns a task execution's inputs and outputs and its flyte:// URLs.
func (s *Service) GetTaskExecutionData(ctx context.Context, req *admin.TaskExecutionGetDataRequest) (*admin.TaskExecutionGetDataResponse, error) {
	id := req.GetId()
	if err := validateTaskExecutionID(id); err != nil {
		return nil, err
	}
	te, err := s.getTaskExecutionRecord(id)
	if err != nil {
		return nil, err
	}
	inputs, inputsBlob, err := s.literalData(ctx, te.GetInputUri())
	if err != nil {
		return nil, err
	}
	outputs, outputsBlob, err := s.outputData(ctx, te.GetClosure().GetOutputUri(), te.GetClosure().GetOutputData())
	if err != nil {
		return nil, err
	}
	n := id.GetNodeExecutionId()
	base := fmt.Sprintf("flyte://v1/%s/%s/%s/%s/%s", n.GetExecutionId().GetProject(), n.GetExecutionId().GetDomain(),
		n.GetExecutionId().GetName(), n.GetNodeId(), strconv.Itoa(int(id.GetRetryAttempt())))
	return &admin.TaskExecutionGetDataResponse{
		Inputs:      inputsBlob,
		Outputs:     outputsBlob,
		FullInputs:  inputs,
		FullOutputs: outputs,
		FlyteUrls:   &admin.FlyteURLs{Inputs: base + "/i", Outputs: base + "/o"},
	}, nil
}
