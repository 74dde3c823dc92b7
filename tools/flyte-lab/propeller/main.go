// Command flytepropeller is FlytePropeller's controller (github.com/flyteorg/flyte/flytepropeller v1.16.8, its
// cmd/controller command) with the task plugins compiled in.
//
// Upstream's main blank-imports github.com/flyteorg/flyte/flytepropeller/plugins, which registers every plugin
// through its init(). That package also imports the k8s/spark plugin, whose dependency
// (github.com/kubeflow/spark-operator) the Go module proxy does not serve, so this main imports the same plugins
// itself, less k8s/spark. The webapi connector and agent plugins need no import here: propeller's task handler
// imports them.
package main

import (
	"github.com/flyteorg/flyte/flytepropeller/cmd/controller/cmd"

	// The plugins of flytepropeller/plugins (v1.16.8) except k8s/spark; each registers itself in init().
	_ "github.com/flyteorg/flyte/flyteplugins/go/tasks/plugins/array/awsbatch"
	_ "github.com/flyteorg/flyte/flyteplugins/go/tasks/plugins/array/k8s"
	_ "github.com/flyteorg/flyte/flyteplugins/go/tasks/plugins/k8s/dask"
	_ "github.com/flyteorg/flyte/flyteplugins/go/tasks/plugins/k8s/kfoperators/mpi"
	_ "github.com/flyteorg/flyte/flyteplugins/go/tasks/plugins/k8s/kfoperators/pytorch"
	_ "github.com/flyteorg/flyte/flyteplugins/go/tasks/plugins/k8s/kfoperators/tensorflow"
	_ "github.com/flyteorg/flyte/flyteplugins/go/tasks/plugins/k8s/pod"
	_ "github.com/flyteorg/flyte/flyteplugins/go/tasks/plugins/k8s/ray"
	_ "github.com/flyteorg/flyte/flyteplugins/go/tasks/plugins/testing"
	_ "github.com/flyteorg/flyte/flyteplugins/go/tasks/plugins/webapi/athena"
	_ "github.com/flyteorg/flyte/flyteplugins/go/tasks/plugins/webapi/bigquery"
	_ "github.com/flyteorg/flyte/flyteplugins/go/tasks/plugins/webapi/databricks"
	_ "github.com/flyteorg/flyte/flyteplugins/go/tasks/plugins/webapi/snowflake"
)

func main() {
	cmd.Execute()
}
