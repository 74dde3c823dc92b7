package checker

import (
	"fmt"

	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
)

// placeholderLiteral makes a value of the given type, standing in for a user-supplied execution input so that the
// CRD builder can be exercised for launch plans with required inputs. It only has to satisfy the type checks.
func placeholderLiteral(t *core.LiteralType) (*core.Literal, error) {
	scalar := func(s *core.Scalar) *core.Literal { return &core.Literal{Value: &core.Literal_Scalar{Scalar: s}} }
	prim := func(p *core.Primitive) *core.Literal {
		return scalar(&core.Scalar{Value: &core.Scalar_Primitive{Primitive: p}})
	}
	switch v := t.GetType().(type) {
	case *core.LiteralType_Simple:
		switch v.Simple {
		case core.SimpleType_INTEGER:
			return prim(&core.Primitive{Value: &core.Primitive_Integer{Integer: 0}}), nil
		case core.SimpleType_FLOAT:
			return prim(&core.Primitive{Value: &core.Primitive_FloatValue{FloatValue: 0}}), nil
		case core.SimpleType_STRING:
			return prim(&core.Primitive{Value: &core.Primitive_StringValue{StringValue: ""}}), nil
		case core.SimpleType_BOOLEAN:
			return prim(&core.Primitive{Value: &core.Primitive_Boolean{Boolean: false}}), nil
		case core.SimpleType_DATETIME:
			return prim(&core.Primitive{Value: &core.Primitive_Datetime{Datetime: timestamppb.Now()}}), nil
		case core.SimpleType_DURATION:
			return prim(&core.Primitive{Value: &core.Primitive_Duration{Duration: durationpb.New(0)}}), nil
		case core.SimpleType_NONE:
			return scalar(&core.Scalar{Value: &core.Scalar_NoneType{NoneType: &core.Void{}}}), nil
		case core.SimpleType_STRUCT:
			// msgpack of {} (0x80), what flytekit and our SDK send for a dict/dataclass.
			return scalar(&core.Scalar{Value: &core.Scalar_Binary{Binary: &core.Binary{Value: []byte{0x80}, Tag: "msgpack"}}}), nil
		case core.SimpleType_BINARY:
			return scalar(&core.Scalar{Value: &core.Scalar_Binary{Binary: &core.Binary{Value: []byte{}}}}), nil
		}
	case *core.LiteralType_Blob:
		return scalar(&core.Scalar{Value: &core.Scalar_Blob{Blob: &core.Blob{
			Uri: "file:///flyte-check/placeholder", Metadata: &core.BlobMetadata{Type: v.Blob}}}}), nil
	case *core.LiteralType_StructuredDatasetType:
		return scalar(&core.Scalar{Value: &core.Scalar_StructuredDataset{StructuredDataset: &core.StructuredDataset{
			Uri: "file:///flyte-check/placeholder", Metadata: &core.StructuredDatasetMetadata{StructuredDatasetType: v.StructuredDatasetType}}}}), nil
	case *core.LiteralType_Schema:
		return scalar(&core.Scalar{Value: &core.Scalar_Schema{Schema: &core.Schema{Uri: "file:///flyte-check/placeholder", Type: v.Schema}}}), nil
	case *core.LiteralType_CollectionType:
		return &core.Literal{Value: &core.Literal_Collection{Collection: &core.LiteralCollection{Literals: []*core.Literal{}}}}, nil
	case *core.LiteralType_MapValueType:
		return &core.Literal{Value: &core.Literal_Map{Map: &core.LiteralMap{Literals: map[string]*core.Literal{}}}}, nil
	case *core.LiteralType_EnumType:
		if len(v.EnumType.GetValues()) > 0 {
			return prim(&core.Primitive{Value: &core.Primitive_StringValue{StringValue: v.EnumType.GetValues()[0]}}), nil
		}
	case *core.LiteralType_UnionType:
		for _, variant := range v.UnionType.GetVariants() {
			inner, err := placeholderLiteral(variant)
			if err == nil {
				return scalar(&core.Scalar{Value: &core.Scalar_Union{Union: &core.Union{Value: inner, Type: variant}}}), nil
			}
		}
	}
	return nil, fmt.Errorf("cannot make a placeholder for type %v", t)
}
