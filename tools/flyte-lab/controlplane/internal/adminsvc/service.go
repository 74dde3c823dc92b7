// Package adminsvc is the lab's FlyteAdmin-compatible AdminService (flyteidl's service.AdminServiceServer): projects,
// registration of tasks, workflows and launch plans (compiled with flytepropeller's compiler, as FlyteAdmin does),
// executions (FlyteWorkflow objects built with propeller's BuildFlyteWorkflow and created in Kubernetes), the events
// propeller reports, node and task executions and their data, and the hooks the scheduler uses.
//
// Files: service.go (this: Config, Service, keys), registry.go (projects, domains, tasks, workflows, launch plans,
// named entities, attributes, version), executions.go, events.go, nodes.go (node and task executions), data.go
// (GetExecutionData and friends), schedule.go (the scheduler's hooks).
package adminsvc

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/service"
	flyteclient "github.com/flyteorg/flyte/flytepropeller/pkg/client/clientset/versioned"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/unionml-ts/tools/flyte-lab/controlplane/internal/blob"
	"github.com/unionml-ts/tools/flyte-lab/controlplane/internal/store"
)

// Buckets of the database (see store). Keys are made with store.Key from identifier fields in this order:
//
//	projects:        project
//	tasks, workflows, launch_plans: project/domain/name/version
//	named_entities:  resourceType/project/domain/name (resourceType as its enum number)
//	executions:      project/domain/name
//	node_executions: project/domain/execName/nodeId
//	task_executions: project/domain/execName/nodeId/taskProject/taskDomain/taskName/taskVersion/retryAttempt
//	attributes:      resourceType/project/domain/workflow (matchable attributes: resourceType as the
//	                 admin.MatchableResource name, domain and workflow empty for coarser levels; values are
//	                 admin.MatchableAttributesConfiguration)
const (
	BucketProjects       = "projects"
	BucketTasks          = "tasks"
	BucketWorkflows      = "workflows"
	BucketLaunchPlans    = "launch_plans"
	BucketNamedEntities  = "named_entities"
	BucketExecutions     = "executions"
	BucketNodeExecutions = "node_executions"
	BucketTaskExecutions = "task_executions"
	BucketAttributes     = "attributes"
	// BucketDescriptionEntities holds the description entities that CreateTask/CreateWorkflow requests carry
	// (admin.DescriptionEntity), keyed resourceType/project/domain/name/version (resourceType as its enum number).
	BucketDescriptionEntities = "description_entities"
)

// Config is what the service needs from the lab.
type Config struct {
	DB   *store.DB
	Blob *blob.Store
	// KubeConfig is the kubeconfig file propeller also uses.
	KubeConfig string
	// Domains of every project (the sandbox's: development, staging, production).
	Domains []string
	// SeedProjects are registered at start if missing (the sandbox has "flytesnacks").
	SeedProjects []string
	// NamespaceTemplate makes an execution's Kubernetes namespace ("{{ project }}-{{ domain }}", FlyteAdmin's default).
	NamespaceTemplate string
	// MetadataPrefix is where offloaded inputs and the like go (s3://my-s3-bucket/metadata).
	MetadataPrefix string
	// RawOutputPrefix is the default raw output data prefix (s3://my-s3-bucket/data).
	RawOutputPrefix string
	// SignedURLTTL is how long signed URLs in data responses live.
	SignedURLTTL time.Duration
	// MaxInlineBytes: inputs/outputs up to this size are returned inline (FullInputs/FullOutputs) by the Get*Data calls.
	MaxInlineBytes int64
	// ConsoleURL is the base of console links (http://localhost:30080/console).
	ConsoleURL string
}

// Service implements service.AdminServiceServer.
type Service struct {
	service.UnimplementedAdminServiceServer
	cfg   Config
	db    *store.DB
	blob  *blob.Store
	kube  kubernetes.Interface
	flyte flyteclient.Interface
	// regMu serializes registry writes that read before they write across keys (launch plan activation,
	// attribute merges).
	regMu sync.Mutex
	// started is when the service was made (GetVersion's build time).
	started time.Time
}

// New connects to Kubernetes and seeds the configured projects.
func New(ctx context.Context, cfg Config) (*Service, error) {
	if cfg.DB == nil || cfg.Blob == nil {
		return nil, fmt.Errorf("adminsvc: DB and Blob are required")
	}
	if len(cfg.Domains) == 0 {
		cfg.Domains = []string{"development", "staging", "production"}
	}
	if cfg.NamespaceTemplate == "" {
		cfg.NamespaceTemplate = "{{ project }}-{{ domain }}"
	}
	if cfg.SignedURLTTL == 0 {
		cfg.SignedURLTTL = time.Hour
	}
	if cfg.MaxInlineBytes == 0 {
		cfg.MaxInlineBytes = 10 << 20
	}
	rest, err := clientcmd.BuildConfigFromFlags("", cfg.KubeConfig)
	if err != nil {
		return nil, fmt.Errorf("adminsvc: kubeconfig %s: %w", cfg.KubeConfig, err)
	}
	kube, err := kubernetes.NewForConfig(rest)
	if err != nil {
		return nil, err
	}
	fc, err := flyteclient.NewForConfig(rest)
	if err != nil {
		return nil, err
	}
	s := &Service{cfg: cfg, db: cfg.DB, blob: cfg.Blob, kube: kube, flyte: fc, started: time.Now()}
	if err := s.seed(ctx); err != nil {
		return nil, err
	}
	return s, nil
}
