// A FlyteAdmin stand-in for the remote model's unit tests: the AdminService and DataProxyService methods the
// operations call, in memory, answering with FlyteAdmin's codes and messages (AdminError, as the real client throws
// them). Executions move through the phases a test scripts; signed upload URLs point at a loopback HTTP server.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AdminError, type AdminErrorCode } from '@unionml/flyte/admin';
import { flyteidl } from '@unionml/flyte';
import type { AdminLike } from '../remote-model/connection.js';

const GRPC = { INVALID_ARGUMENT: 3, NOT_FOUND: 5, ALREADY_EXISTS: 6, UNAVAILABLE: 14 } as const;
const CODES: Record<keyof typeof GRPC, AdminErrorCode> = {
  INVALID_ARGUMENT: 'FLYTE_ADMIN_INVALID',
  NOT_FOUND: 'FLYTE_ADMIN_NOT_FOUND',
  ALREADY_EXISTS: 'FLYTE_ADMIN_EXISTS',
  UNAVAILABLE: 'FLYTE_ADMIN_UNAVAILABLE',
};

/** An error as the admin client makes it from a gRPC status. */
export function adminError(status: keyof typeof GRPC, details: string, method = 'AdminService.Fake'): AdminError {
  return new AdminError(CODES[status], `FlyteAdmin at fake:30080 answered ${status} to ${method}: ${details}`, {
    endpoint: 'fake:30080',
    method,
    grpcCode: GRPC[status],
    details,
  });
}

/** One execution the fake knows: its phases to go through (one per GetExecution), its outputs and nodes. */
export interface FakeExecution {
  id: { project: string; domain: string; name: string };
  launchPlan: flyteidl.core.IIdentifier;
  inputs: flyteidl.core.ILiteralMap;
  /** The phases GetExecution answers, in turn (the last one stays). */
  phases: (keyof typeof flyteidl.core.WorkflowExecution.Phase)[];
  error?: { code: string; message: string };
  outputs?: flyteidl.core.ILiteralMap;
  createdAt: number;
  /** The phase GetExecution answered last. */
  seen?: keyof typeof flyteidl.core.WorkflowExecution.Phase;
}

type Entity = { kind: string; key: string; bytes: Uint8Array; name: string; version: string; created: number };

export class FakeAdmin {
  readonly endpoint = 'fake:30080';
  readonly configPath = undefined;
  readonly projects = new Set(['flytesnacks']);
  readonly entities = new Map<string, Entity>();
  readonly states = new Map<string, number>();
  readonly executions = new Map<string, FakeExecution>();
  /** Every call: method and request. */
  readonly calls: { method: string; request: Record<string, unknown> }[] = [];
  /** Uploaded objects by native URL. */
  readonly uploads = new Map<string, Buffer>();
  /** How GetExecution fails before answering (a restarting FlyteAdmin): the next N calls are UNAVAILABLE. */
  unavailableCalls = 0;
  /** How GetWorkflow fails, if it does (e.g. 'NOT_FOUND', 'UNAVAILABLE'), and for how many calls. */
  workflowError: { status: Parameters<typeof adminError>[0]; calls: number } | undefined;
  /** What a new execution does: its phases, error and outputs. */
  nextExecution: Partial<Pick<FakeExecution, 'phases' | 'error' | 'outputs'>> = { phases: ['RUNNING', 'SUCCEEDED'] };
  private clock = 1_700_000_000;
  private counter = 0;
  private server: Server | undefined;
  private port = 0;

  /** Starts the loopback server the signed upload URLs point at. */
  async start(): Promise<this> {
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const key = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname.slice(1));
        if (request.method === 'GET') {
          const object = this.uploads.get(`s3://fake-bucket/${key}`);
          if (object) response.writeHead(200).end(object);
          else response.writeHead(404).end('<Error><Code>NoSuchKey</Code></Error>');
          return;
        }
        if (request.method !== 'PUT' || !request.headers['content-md5']) {
          response.writeHead(403).end('<Error><Code>SignatureDoesNotMatch</Code></Error>');
          return;
        }
        this.uploads.set(`s3://fake-bucket/${key}`, Buffer.concat(chunks));
        response.writeHead(200).end();
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  close(): void {}

  /** The client, as the operations see it. */
  get client(): AdminLike {
    return this as unknown as AdminLike;
  }

  /** Registers an entity directly (e.g. a launch plan of an older version). */
  addLaunchPlan(name: string, version: string, project = 'flytesnacks', domain = 'development'): void {
    this.entities.set(`launchPlan/${project}/${domain}/${name}/${version}`, {
      kind: 'launchPlan',
      key: `${project}/${domain}/${name}/${version}`,
      bytes: new Uint8Array(),
      name,
      version,
      created: this.clock++,
    });
  }

  private record(method: string, request: object): void {
    this.calls.push({ method, request: request as Record<string, unknown> });
  }

  private create(kind: string, id: flyteidl.core.IIdentifier, bytes: Uint8Array): Promise<object> {
    const key = `${id.project}/${id.domain}/${id.name}/${id.version}`;
    const existing = this.entities.get(`${kind}/${key}`);
    if (existing) {
      const same = Buffer.from(existing.bytes).equals(Buffer.from(bytes));
      const what = kind === 'launchPlan' ? 'launch plan' : kind;
      return Promise.reject(
        same
          ? adminError('ALREADY_EXISTS', `${what} with identical structure already exists`)
          : adminError(
              'INVALID_ARGUMENT',
              `${id.name} ${what} with different structure already exists. (Please register a new version of the ${what}):\n/x:\n\t- a \n\t+ b`,
            ),
      );
    }
    this.entities.set(`${kind}/${key}`, { kind, key, bytes, name: id.name!, version: id.version!, created: this.clock++ });
    return Promise.resolve({});
  }

  readonly service = {
    listProjects: (request: flyteidl.admin.IProjectListRequest) => {
      this.record('listProjects', request);
      const id = /eq\(project\.identifier,([^)]+)\)/.exec(request.filters ?? '')?.[1];
      return Promise.resolve({ projects: [...this.projects].filter((p) => !id || p === id).map((p) => ({ id: p, name: p })) });
    },
    registerProject: (request: flyteidl.admin.IProjectRegisterRequest) => {
      this.record('registerProject', request);
      this.projects.add(request.project!.id!);
      return Promise.resolve({});
    },
    createTask: (request: flyteidl.admin.ITaskCreateRequest) => {
      this.record('createTask', request);
      return this.create('task', request.id!, flyteidl.admin.TaskSpec.encode(request.spec!).finish());
    },
    createWorkflow: (request: flyteidl.admin.IWorkflowCreateRequest) => {
      this.record('createWorkflow', request);
      return this.create('workflow', request.id!, flyteidl.admin.WorkflowSpec.encode(request.spec!).finish());
    },
    createLaunchPlan: (request: flyteidl.admin.ILaunchPlanCreateRequest) => {
      this.record('createLaunchPlan', request);
      return this.create('launchPlan', request.id!, flyteidl.admin.LaunchPlanSpec.encode(request.spec!).finish());
    },
    listTasks: (request: flyteidl.admin.IResourceListRequest) => {
      this.record('listTasks', request);
      const { project, domain, name } = request.id!;
      const found = [...this.entities.values()]
        .filter((e) => e.kind === 'task' && e.key.startsWith(`${project}/${domain}/${name}/`))
        .sort((a, b) => b.created - a.created)
        .slice(0, request.limit ?? 100);
      return Promise.resolve({
        tasks: found.map((e) => ({
          id: { resourceType: flyteidl.core.ResourceType.TASK, project, domain, name, version: e.version },
          closure: { compiledTask: { template: flyteidl.admin.TaskSpec.decode(e.bytes).template } },
        })),
        token: '',
      });
    },
    getLaunchPlan: (request: flyteidl.admin.IObjectGetRequest) => {
      this.record('getLaunchPlan', request);
      const id = request.id!;
      const found = this.entities.get(`launchPlan/${id.project}/${id.domain}/${id.name}/${id.version}`);
      if (!found) return Promise.reject(adminError('NOT_FOUND', `missing entity of type LAUNCH_PLAN with identifier ${JSON.stringify(id)}`));
      return Promise.resolve({ id: { ...id, resourceType: flyteidl.core.ResourceType.LAUNCH_PLAN } });
    },
    listLaunchPlans: (request: flyteidl.admin.IResourceListRequest) => {
      this.record('listLaunchPlans', request);
      const { project, domain, name } = request.id!;
      const found = [...this.entities.values()]
        .filter((e) => e.kind === 'launchPlan' && e.key.startsWith(`${project}/${domain}/${name}/`))
        .sort((a, b) => b.created - a.created);
      const limit = request.limit ?? 100;
      return Promise.resolve({
        launchPlans: found.slice(0, limit).map((e) => ({
          id: { resourceType: flyteidl.core.ResourceType.LAUNCH_PLAN, project, domain, name, version: e.version },
        })),
        token: found.length > limit ? String(limit) : '',
      });
    },
    updateLaunchPlan: (request: flyteidl.admin.ILaunchPlanUpdateRequest) => {
      this.record('updateLaunchPlan', request);
      const id = request.id!;
      this.states.set(`${id.name}/${id.version}`, request.state ?? 0);
      return Promise.resolve({});
    },
    createExecution: (request: flyteidl.admin.IExecutionCreateRequest) => {
      this.record('createExecution', request);
      const name = `f${(++this.counter).toString().padStart(19, '0')}`;
      const id = { project: request.project!, domain: request.domain!, name };
      this.executions.set(name, {
        id,
        launchPlan: request.spec!.launchPlan!,
        inputs: request.inputs!,
        phases: [...(this.nextExecution.phases ?? ['SUCCEEDED'])],
        createdAt: this.clock++,
        ...(this.nextExecution.error ? { error: this.nextExecution.error } : {}),
        ...(this.nextExecution.outputs ? { outputs: this.nextExecution.outputs } : {}),
      });
      return Promise.resolve({ id });
    },
    getExecution: (request: flyteidl.admin.IWorkflowExecutionGetRequest) => {
      this.record('getExecution', request);
      if (this.unavailableCalls > 0) {
        this.unavailableCalls--;
        return Promise.reject(adminError('UNAVAILABLE', 'connection refused', 'AdminService.GetExecution'));
      }
      const execution = this.executions.get(request.id!.name!);
      if (!execution) return Promise.reject(adminError('NOT_FOUND', `missing entity of type EXECUTION with identifier ${request.id!.name}`));
      return Promise.resolve(this.executionMessage(execution, true));
    },
    listNodeExecutions: (request: flyteidl.admin.INodeExecutionListRequest) => {
      this.record('listNodeExecutions', request);
      const execution = this.executions.get(request.workflowExecutionId!.name!)!;
      const phase = execution.seen === 'SUCCEEDED' ? flyteidl.core.NodeExecution.Phase.SUCCEEDED : flyteidl.core.NodeExecution.Phase.RUNNING;
      return Promise.resolve({
        nodeExecutions: ['start-node', 'n0', 'n1'].map((nodeId) => ({ id: { nodeId }, closure: { phase, duration: { seconds: 2, nanos: 500_000_000 } } })),
      });
    },
    getWorkflow: (request: flyteidl.admin.IObjectGetRequest) => {
      this.record('getWorkflow', request);
      if (this.workflowError && this.workflowError.calls-- > 0) {
        return Promise.reject(adminError(this.workflowError.status, `workflow ${request.id!.name}`, 'AdminService.GetWorkflow'));
      }
      // Executions here run the two-node workflows the compiler makes: n0 the dataset task, n1 the model's task.
      const nodes = [
        { id: 'n0', metadata: { name: 'dataset_task' } },
        { id: 'n1', metadata: { name: 'train_task' } },
      ];
      return Promise.resolve({ id: request.id, closure: { compiledWorkflow: { primary: { template: { nodes } } } } });
    },
    getExecutionData: (request: flyteidl.admin.IWorkflowExecutionGetDataRequest) => {
      this.record('getExecutionData', request);
      const execution = this.executions.get(request.id!.name!)!;
      return Promise.resolve({ fullOutputs: execution.outputs ?? { literals: {} } });
    },
    listExecutions: (request: flyteidl.admin.IResourceListRequest) => {
      this.record('listExecutions', request);
      const filters = request.filters ?? '';
      const names = /launch_plan\.name,([^)]+)\)/.exec(filters)?.[1]?.split(';') ?? [];
      const version = /eq\(launch_plan\.version,([^)]+)\)/.exec(filters)?.[1];
      const phase = /eq\(phase,([^)]+)\)/.exec(filters)?.[1];
      const found = [...this.executions.values()]
        .filter((e) => names.includes(e.launchPlan.name!) && (!version || e.launchPlan.version === version) && (!phase || e.phases.at(-1) === phase))
        .sort((a, b) => b.createdAt - a.createdAt)
        .slice(0, request.limit ?? 100);
      return Promise.resolve({ executions: found.map((e) => this.executionMessage(e, false)), token: '' });
    },
  };

  readonly dataProxy = {
    createDownloadLocation: (request: flyteidl.service.ICreateDownloadLocationRequest) => {
      this.record('createDownloadLocation', request);
      const key = request.nativeUrl!.replace(/^s3:\/\/fake-bucket\//, '');
      return Promise.resolve({ signedUrl: `http://127.0.0.1:${this.port}/${key}?X-Amz-Signature=fake` });
    },
    createUploadLocation: (request: flyteidl.service.ICreateUploadLocationRequest) => {
      this.record('createUploadLocation', request);
      const key = `${request.project}/${request.domain}/${request.filenameRoot}/${request.filename}`;
      const md5 = request.contentMd5 ? Buffer.from(request.contentMd5).toString('base64') : '';
      return Promise.resolve({
        signedUrl: `http://127.0.0.1:${this.port}/${key}?X-Amz-Signature=fake`,
        nativeUrl: `s3://fake-bucket/${key}`,
        headers: md5 ? { 'Content-Length': String(md5.length), 'Content-MD5': md5 } : {},
      });
    },
  };

  /** An execution as GetExecution answers it; `advance` moves it to its next phase. */
  private executionMessage(execution: FakeExecution, advance: boolean): flyteidl.admin.IExecution {
    const phase = execution.phases.length > 1 && advance ? execution.phases.shift()! : execution.phases[0]!;
    if (advance) execution.seen = phase;
    return {
      id: execution.id,
      spec: { launchPlan: execution.launchPlan },
      closure: {
        phase: flyteidl.core.WorkflowExecution.Phase[phase],
        workflowId: { ...execution.launchPlan, resourceType: flyteidl.core.ResourceType.WORKFLOW },
        createdAt: { seconds: execution.createdAt },
        duration: { seconds: 12 },
        ...(phase === 'FAILED' && execution.error ? { error: execution.error } : {}),
      },
    } as unknown as flyteidl.admin.IExecution;
  }
}
