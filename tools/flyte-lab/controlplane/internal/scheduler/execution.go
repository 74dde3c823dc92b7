package scheduler

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
)

// ExecutionName is the name FlyteAdmin's scheduler gives the execution of launch plan id for the tick scheduledAt
// (flyteadmin/scheduler/executor/executor_impl.go and identifier/identifier.go): "f" and the first 19 hex digits of
// a UUID whose first 8 bytes are the little-endian FNV-1 64 hash of "project:domain:name:version:<unix seconds>".
// The same tick always gets the same name, which is what makes a repeated launch AlreadyExists. (adminsvc's
// LaunchScheduled names executions this way; the tests here use it to play the admin service.)
func ExecutionName(id *core.Identifier, scheduledAt time.Time) string {
	h := fnv.New64()
	_, _ = fmt.Fprintf(h, "%s:%s:%s:%s:%d", id.GetProject(), id.GetDomain(), id.GetName(), id.GetVersion(), scheduledAt.Unix())
	b := make([]byte, 16)
	binary.LittleEndian.PutUint64(b, h.Sum64())
	return "f" + hex.EncodeToString(b)[:19]
}
