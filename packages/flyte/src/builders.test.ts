import { describe, expect, it } from 'vitest';
import { launchPlan, parseQuantity, taskArgs, taskSpec, workflowSpec, type EntityId, type TaskOptions } from './builders.js';
import { validateCron } from './cron.js';
import { FlyteSpecError } from './errors.js';
import { flyteidl, Long } from './idl.js';
import { t } from './types.js';
import { VERSION } from './version.js';

const { SimpleType } = flyteidl.core;
const id = (name: string): EntityId => ({ project: 'flytesnacks', domain: 'development', name, version: 'v1' });
const float = (value: number): flyteidl.core.ILiteral => ({ scalar: { primitive: { floatValue: value } } });
const str = (value: string): flyteidl.core.ILiteral => ({ scalar: { primitive: { stringValue: value } } });

const ENTRY = ['node', '/app/dist/entrypoint.js'];
const base = (over: Partial<TaskOptions> = {}): TaskOptions => ({
  id: id('ts.say_hello'),
  interface: { inputs: { name: t.string() }, outputs: { o0: t.string() } },
  image: 'localhost:30000/hello:v1',
  args: taskArgs(ENTRY, ['task-module', 'dist/tasks.js', 'task-name', 'sayHello']),
  ...over,
});

/** Encodes, decodes and re-encodes: the bytes must be stable (what flytectl and admin will read). */
function roundTrip<T>(type: { encode(m: T): { finish(): Uint8Array }; decode(b: Uint8Array): T }, message: T): { decoded: T; bytes: Uint8Array } {
  const bytes = type.encode(message).finish();
  const decoded = type.decode(bytes);
  expect(Buffer.from(type.encode(decoded).finish()).equals(Buffer.from(bytes))).toBe(true);
  return { decoded, bytes };
}

describe('taskArgs', () => {
  it('is pyflyte-execute shaped, with propeller templates and the address after --', () => {
    expect(taskArgs(['unionml-task'], ['task-name', 'train'])).toEqual([
      'unionml-task',
      '--inputs',
      '{{.input}}',
      '--output-prefix',
      '{{.outputPrefix}}',
      '--raw-output-data-prefix',
      '{{.rawOutputDataPrefix}}',
      '--checkpoint-path',
      '{{.checkpointOutputPrefix}}',
      '--prev-checkpoint',
      '{{.prevCheckpointPrefix}}',
      '--',
      'task-name',
      'train',
    ]);
  });
});

describe('taskSpec', () => {
  it('builds flytekit-shaped templates that survive an encode/decode round trip', () => {
    const spec = taskSpec(
      base({
        env: { FOO: 'bar' },
        requests: { cpu: '500m', memory: '1Gi' },
        limits: { cpu: '1', memory: '2Gi' },
        retries: 2,
        timeoutSeconds: 600,
        interruptible: true,
        cache: true,
        cacheVersion: '1.0',
        description: 'says hello',
        sdk: { name: 'unionml', version: '0.1.0' },
      }),
    );
    const { decoded } = roundTrip(flyteidl.admin.TaskSpec, spec);
    const template = decoded.template!;
    expect(template.id).toMatchObject({
      resourceType: flyteidl.core.ResourceType.TASK,
      project: 'flytesnacks',
      domain: 'development',
      name: 'ts.say_hello',
      version: 'v1',
    });
    expect(template.type).toBe('python-task');
    expect(template.metadata!.runtime).toMatchObject({ type: flyteidl.core.RuntimeMetadata.RuntimeType.OTHER, version: '0.1.0', flavor: 'unionml' });
    expect(template.metadata!.retries!.retries).toBe(2);
    expect(Long.fromValue(template.metadata!.timeout!.seconds!).toNumber()).toBe(600);
    expect(template.metadata!.interruptible).toBe(true);
    expect(template.metadata!.discoverable).toBe(true);
    expect(template.metadata!.discoveryVersion).toBe('1.0');
    expect(template.interface!.inputs!.variables!['name']).toMatchObject({ type: { simple: SimpleType.STRING }, description: 'name' });
    expect(template.container).toMatchObject({ image: 'localhost:30000/hello:v1', command: [], env: [{ key: 'FOO', value: 'bar' }] });
    expect(template.container!.args).toEqual(base().args);
    expect(template.container!.resources!.requests).toEqual([
      { name: flyteidl.core.Resources.ResourceName.CPU, value: '500m' },
      { name: flyteidl.core.Resources.ResourceName.MEMORY, value: '1Gi' },
    ]);
    expect(template.container!.resources!.limits!.map((r) => r.value)).toEqual(['1', '2Gi']);
    expect(decoded.description!.shortDescription).toBe('says hello');
  });

  it('defaults: type python-task, runtime typescript/<version>, command [], no cache, interruptible unset', () => {
    const template = taskSpec(base()).template!;
    expect(template.metadata!.runtime).toEqual({ version: VERSION, flavor: 'typescript' });
    expect(template.metadata!.discoverable).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(template.metadata, 'interruptible')).toBe(false);
    expect(template.container!.command).toEqual([]);
    expect(taskSpec(base({ type: 'container', command: ['node'] })).template).toMatchObject({ type: 'container', container: { command: ['node'] } });
  });

  it.each<[string, Partial<TaskOptions>, RegExp, string]>([
    ['an empty image', { image: ' ' }, /has an empty image/, 'image'],
    ['no args', { args: [] }, /has no args/, 'args'],
    ['cache without a version', { cache: true }, /is cached but has no cacheVersion/, 'cacheVersion'],
    ['a bad quantity', { requests: { cpu: '1.5 cores' } }, /requests.cpu "1.5 cores" is not a Kubernetes quantity/, 'requests.cpu'],
    [
      'requests above limits',
      { requests: { memory: '2Gi' }, limits: { memory: '1500Mi' } },
      /requests.memory \(2Gi\) is above limits.memory \(1500Mi\)/,
      'requests.memory',
    ],
    ['a fractional GPU', { limits: { gpu: '0.5' } }, /limits.gpu "0.5" must be a whole number/, 'limits.gpu'],
    ['GPU requests below limits', { requests: { gpu: '1' }, limits: { gpu: '2' } }, /requests.gpu \(1\) must equal limits.gpu \(2\)/, 'requests.gpu'],
    ['an unknown resource', { requests: { disk: '1Gi' } as never }, /unknown resource requests.disk/, 'requests.disk'],
    ['negative retries', { retries: -1 }, /retries must be a whole number/, 'retries'],
    ['a zero timeout', { timeoutSeconds: 0 }, /timeoutSeconds must be a positive number/, 'timeoutSeconds'],
    ['an empty version', { id: { ...id('x'), version: '' } }, /id.version is empty/, 'id.version'],
    ['an sdk without a version', { sdk: { name: 'x', version: '' } }, /non-empty version/, 'sdk'],
  ])('rejects %s', (_name, over, message, field) => {
    const error = (() => {
      try {
        taskSpec(base(over));
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(FlyteSpecError);
    expect((error as FlyteSpecError).message).toMatch(message);
    expect((error as FlyteSpecError).field).toBe(field);
    expect((error as FlyteSpecError).code).toBe('FLYTE_SPEC_INVALID');
  });

  it('parses Kubernetes quantities', () => {
    expect(parseQuantity('500m')).toBeCloseTo(0.5);
    expect(parseQuantity('2')).toBe(2);
    expect(parseQuantity('1Gi')).toBe(2 ** 30);
    expect(parseQuantity('1500M')).toBe(1.5e9);
    expect(parseQuantity('1e3')).toBe(1000);
    expect(parseQuantity('.5')).toBe(0.5);
    expect(() => parseQuantity('1GB')).toThrow(FlyteSpecError);
    expect(() => parseQuantity('')).toThrow(FlyteSpecError);
  });
});

// flyte-protocol.md §3.1: ts.say_hello(name: str) -> str; ts.length(greeting: str, scale: float) -> int
const hello = taskSpec(base()).template!;
const length = taskSpec(
  base({
    id: id('ts.length'),
    interface: { inputs: { scale: t.float(), greeting: t.string() }, outputs: { o0: t.int() } },
    args: taskArgs(ENTRY, ['task-name', 'length']),
  }),
).template!;
const helloWf = () =>
  workflowSpec({
    id: id('ts.hello_wf'),
    interface: { inputs: { name: t.string() }, outputs: { o0: t.int() } },
    nodes: [
      { id: 'n0', task: hello, inputs: { name: { input: 'name' } } },
      { id: 'n1', task: length, inputs: { scale: { literal: float(2) }, greeting: { node: 'n0', output: 'o0' } } },
    ],
    outputs: { o0: { node: 'n1', output: 'o0' } },
  });

describe('workflowSpec', () => {
  it('builds the §3.1 example: start-node promises, sorted bindings, upstream ids from the bindings', () => {
    const spec = helloWf();
    const template = spec.template!;
    expect(template.id).toMatchObject({ resourceType: flyteidl.core.ResourceType.WORKFLOW, name: 'ts.hello_wf' });
    expect(template.metadata).toEqual({});
    expect(template.metadataDefaults).toEqual({});
    expect(template.nodes).toEqual([
      {
        id: 'n0',
        metadata: { name: 'say_hello', retries: {} },
        inputs: [{ var: 'name', binding: { promise: { nodeId: 'start-node', var: 'name' } } }],
        upstreamNodeIds: [],
        outputAliases: [],
        taskNode: { referenceId: hello.id, overrides: {} },
      },
      {
        id: 'n1',
        metadata: { name: 'length', retries: {} },
        inputs: [
          { var: 'greeting', binding: { promise: { nodeId: 'n0', var: 'o0' } } },
          { var: 'scale', binding: { scalar: { primitive: { floatValue: 2 } } } },
        ],
        upstreamNodeIds: ['n0'],
        outputAliases: [],
        taskNode: { referenceId: length.id, overrides: {} },
      },
    ]);
    expect(template.outputs).toEqual([{ var: 'o0', binding: { promise: { nodeId: 'n1', var: 'o0' } } }]);
    const { decoded } = roundTrip(flyteidl.admin.WorkflowSpec, spec);
    expect(decoded.template!.nodes![1]!.upstreamNodeIds).toEqual(['n0']);
    expect(decoded.subWorkflows).toEqual([]);
  });

  it('copies retries, timeout and interruptible from the task into the node metadata', () => {
    const task = taskSpec(base({ retries: 3, timeoutSeconds: 60, interruptible: false })).template!;
    const spec = workflowSpec({
      id: id('wf'),
      interface: { inputs: {}, outputs: {} },
      nodes: [{ id: 'n0', task, inputs: { name: { literal: str('x') } }, name: 'hello' }],
      outputs: {},
    });
    expect(spec.template!.nodes![0]!.metadata).toMatchObject({ name: 'hello', retries: { retries: 3 }, interruptible: false });
    expect(Long.fromValue(spec.template!.nodes![0]!.metadata!.timeout!.seconds!).toNumber()).toBe(60);
  });

  it('binds lists and maps of promises, leaves optional inputs unbound, and accepts castable types', () => {
    const gather = taskSpec(
      base({
        id: id('gather'),
        interface: { inputs: { xs: t.list(t.string()), m: t.map(t.string()), maybe: t.optional(t.int()), tag: t.enum(['a', 'b']) }, outputs: {} },
      }),
    ).template!;
    const spec = workflowSpec({
      id: id('wf'),
      interface: { inputs: { name: t.string() }, outputs: {} },
      nodes: [
        { id: 'n0', task: hello, inputs: { name: { input: 'name' } } },
        { id: 'n1', task: hello, inputs: { name: { literal: str('b') } } },
        {
          id: 'n2',
          task: gather,
          inputs: {
            xs: { list: [{ node: 'n0', output: 'o0' }, { node: 'n1', output: 'o0' }, { literal: str('c') }] },
            m: { map: { k: { input: 'name' } } },
            tag: { input: 'name' },
          },
        },
      ],
      outputs: {},
    });
    const node = spec.template!.nodes![2]!;
    expect(node.upstreamNodeIds).toEqual(['n0', 'n1']);
    expect(node.inputs!.map((b) => b.var)).toEqual(['m', 'tag', 'xs']);
    expect(node.inputs![2]!.binding!.collection!.bindings).toHaveLength(3);
    roundTrip(flyteidl.admin.WorkflowSpec, spec);
  });

  const nodeError = (build: () => unknown) => {
    try {
      build();
    } catch (e) {
      expect(e).toBeInstanceOf(FlyteSpecError);
      return (e as Error).message;
    }
    throw new Error('expected a FlyteSpecError');
  };

  it('rejects what Flyte’s compiler rejects', () => {
    const wf = (
      nodes: Parameters<typeof workflowSpec>[0]['nodes'],
      outputs: Parameters<typeof workflowSpec>[0]['outputs'] = {},
      inputs = { name: t.string() },
    ) => workflowSpec({ id: id('wf'), interface: { inputs, outputs: Object.fromEntries(Object.keys(outputs).map((k) => [k, t.string()])) }, nodes, outputs });
    expect(nodeError(() => wf([]))).toMatch(/has no nodes \(NoNodesFound\)/);
    expect(nodeError(() => wf([{ id: 'n0', task: hello, inputs: {} }]))).toMatch(
      /input 'name' \(string\) of node n0 \(task ts.say_hello\) is not bound \(ParameterNotBound\)/,
    );
    expect(nodeError(() => wf([{ id: 'n0', task: hello, inputs: { name: { input: 'name' }, extra: { input: 'name' } } }]))).toMatch(
      /binds 'extra', which is not an input of task ts.say_hello/,
    );
    expect(nodeError(() => wf([{ id: 'n0', task: hello, inputs: { name: { input: 'who' } } }]))).toMatch(/workflow input 'who', which is not declared/);
    expect(nodeError(() => wf([{ id: 'n0', task: hello, inputs: { name: { node: 'n9', output: 'o0' } } }]))).toMatch(
      /refers to node 'n9', which does not exist \(NodeReferenceNotFound\)/,
    );
    expect(
      nodeError(() =>
        wf([
          { id: 'n0', task: hello, inputs: { name: { input: 'name' } } },
          { id: 'n1', task: hello, inputs: { name: { node: 'n0', output: 'o1' } } },
        ]),
      ),
    ).toMatch(/output 'o1' of node n0, which has only o0 \(VariableNameNotFound\)/);
    expect(
      nodeError(() =>
        wf([
          { id: 'n0', task: length, inputs: { greeting: { input: 'name' }, scale: { literal: { scalar: { primitive: { integer: Long.fromNumber(2) } } } } } },
        ]),
      ),
    ).toMatch(/nodes.n0.inputs.scale expects float but is bound to int \(MismatchingTypes\)/);
    expect(nodeError(() => wf([{ id: 'n0', task: length, inputs: { greeting: { input: 'name' }, scale: { list: [] } } }]))).toMatch(
      /binds a list to float \(MismatchingBindings\)/,
    );
    expect(
      nodeError(() =>
        wf([
          { id: 'n0', task: hello, inputs: { name: { node: 'n1', output: 'o0' } } },
          { id: 'n1', task: hello, inputs: { name: { node: 'n0', output: 'o0' } } },
        ]),
      ),
    ).toMatch(/dependency cycle: n0 → n1 → n0 \(CycleDetected\)/);
    expect(nodeError(() => wf([{ id: 'n0', task: hello, inputs: { name: { node: 'n0', output: 'o0' } } }]))).toMatch(/depends on its own outputs/);
    expect(
      nodeError(() =>
        wf([
          { id: 'n0', task: hello, inputs: { name: { input: 'name' } } },
          { id: 'n0', task: hello, inputs: { name: { input: 'name' } } },
        ]),
      ),
    ).toMatch(/two nodes have the id 'n0'/);
    expect(nodeError(() => wf([{ id: 'start-node', task: hello, inputs: { name: { input: 'name' } } }]))).toMatch(/is reserved/);
    expect(nodeError(() => wf([{ id: 'N_0', task: hello, inputs: { name: { input: 'name' } } }]))).toMatch(/must be lowercase letters/);
    expect(nodeError(() => wf([{ id: 'n0', task: hello, inputs: { name: { input: 'name' } } }], { o0: { node: 'n0', output: 'o7' } }))).toMatch(
      /outputs.o0 refers to output 'o7'/,
    );
    expect(
      nodeError(() =>
        workflowSpec({
          id: id('wf'),
          interface: { inputs: {}, outputs: { o0: t.string() } },
          nodes: [{ id: 'n0', task: hello, inputs: { name: { literal: str('x') } } }],
          outputs: {},
        }),
      ),
    ).toMatch(/output 'o0' is not bound/);
    expect(
      nodeError(() =>
        workflowSpec({
          id: id('wf'),
          interface: { inputs: {}, outputs: { o0: t.int() } },
          nodes: [{ id: 'n0', task: hello, inputs: { name: { literal: str('x') } } }],
          outputs: { o0: { node: 'n0', output: 'o0' } },
        }),
      ),
    ).toMatch(/outputs.o0 expects int but is bound to string/);
  });

  it('checks union castability: a value casts to an optional, an optional does not cast to a plain type', () => {
    const opt = taskSpec(base({ id: id('opt'), interface: { inputs: { x: t.optional(t.string()) }, outputs: { o0: t.optional(t.string()) } } })).template!;
    expect(() =>
      workflowSpec({
        id: id('wf'),
        interface: { inputs: { name: t.string() }, outputs: {} },
        nodes: [{ id: 'n0', task: opt, inputs: { x: { input: 'name' } } }],
        outputs: {},
      }),
    ).not.toThrow();
    expect(
      nodeError(() =>
        workflowSpec({
          id: id('wf'),
          interface: { inputs: {}, outputs: {} },
          nodes: [
            { id: 'n0', task: opt, inputs: {} },
            { id: 'n1', task: hello, inputs: { name: { node: 'n0', output: 'o0' } } },
          ],
          outputs: {},
        }),
      ),
    ).toMatch(/expects string but is bound to optional<string>/);
  });
});

describe('launchPlan', () => {
  const reportWf = workflowSpec({
    id: id('ts.report_wf'),
    interface: { inputs: { name: t.string(), run_at: t.datetime(), scale: t.float(), note: t.optional(t.string()) }, outputs: {} },
    nodes: [{ id: 'n0', task: hello, inputs: { name: { input: 'name' } } }],
    outputs: {},
  });

  it('the default launch plan: a required parameter for each input, none for optional ones', () => {
    const lp = launchPlan({ id: id('ts.report_wf'), workflow: reportWf });
    const { decoded } = roundTrip(flyteidl.admin.LaunchPlan, lp);
    expect(decoded.id).toMatchObject({ resourceType: flyteidl.core.ResourceType.LAUNCH_PLAN, name: 'ts.report_wf', version: 'v1' });
    expect(lp.spec!.workflowId).toEqual(reportWf.template!.id);
    expect(lp.spec!.defaultInputs!.parameters!['name']).toEqual({ var: { type: { simple: SimpleType.STRING }, description: 'name' }, required: true });
    expect(lp.spec!.defaultInputs!.parameters!['note']!.default).toEqual({ scalar: { noneType: {} } });
    expect(lp.spec!.fixedInputs).toEqual({ literals: {} });
    expect(lp.spec!.entityMetadata).toEqual({ notifications: [] });
    expect(lp.spec!.labels).toEqual({ values: {} });
    expect(lp.spec!.rawOutputDataConfig).toEqual({});
  });

  it('a nightly cron schedule with a kickoff arg, defaults and fixed inputs (flyte-protocol.md §3.2)', () => {
    const lp = launchPlan({
      id: id('ts.report_wf_nightly'),
      workflow: reportWf,
      defaultInputs: { name: str('world') },
      fixedInputs: { scale: float(2) },
      schedule: { cron: '0 2 * * *', kickoffTimeInputArg: 'run_at' },
    });
    const { decoded } = roundTrip(flyteidl.admin.LaunchPlan, lp);
    expect(decoded.spec!.entityMetadata!.schedule).toMatchObject({ cronSchedule: { schedule: '0 2 * * *' }, kickoffTimeInputArg: 'run_at' });
    expect(lp.spec!.defaultInputs!.parameters).toEqual({
      name: { var: { type: { simple: SimpleType.STRING }, description: 'name' }, default: str('world') },
      run_at: { var: { type: { simple: SimpleType.DATETIME }, description: 'run_at' }, required: true },
      note: { var: { type: lp.spec!.defaultInputs!.parameters!['note']!.var!.type, description: 'note' }, default: { scalar: { noneType: {} } } },
    });
    expect(lp.spec!.fixedInputs).toEqual({ literals: { scale: float(2) } });
  });

  it('a fixed-rate schedule, and a cron offset', () => {
    const lp = launchPlan({
      id: id('hourly'),
      workflow: reportWf,
      defaultInputs: { name: str('x') },
      fixedInputs: { scale: float(1) },
      schedule: { fixedRate: { value: 4, unit: 'hour' }, kickoffTimeInputArg: 'run_at' },
    });
    expect(roundTrip(flyteidl.admin.LaunchPlan, lp).decoded.spec!.entityMetadata!.schedule).toMatchObject({
      rate: { value: 4, unit: flyteidl.admin.FixedRateUnit.HOUR },
      kickoffTimeInputArg: 'run_at',
    });
    const withOffset = launchPlan({
      id: id('o'),
      workflow: reportWf,
      defaultInputs: { name: str('x') },
      fixedInputs: { scale: float(1) },
      schedule: { cron: '@daily', offset: 'PT1H', kickoffTimeInputArg: 'run_at' },
    });
    expect(withOffset.spec!.entityMetadata!.schedule!.cronSchedule).toEqual({ schedule: '@daily', offset: 'PT1H' });
  });

  it.each<[string, Parameters<typeof launchPlan>[0], RegExp]>([
    [
      'an unknown default',
      { id: id('lp'), workflow: reportWf, defaultInputs: { nmae: str('x') } },
      /defaultInputs has 'nmae', which is not an input of workflow ts.report_wf/,
    ],
    [
      'a fixed value of the wrong type',
      { id: id('lp'), workflow: reportWf, fixedInputs: { scale: str('2') } },
      /fixedInputs.scale is string but the workflow input is float/,
    ],
    [
      'a name both fixed and defaulted',
      { id: id('lp'), workflow: reportWf, fixedInputs: { name: str('a') }, defaultInputs: { name: str('b') } },
      /'name' is both fixed and defaulted/,
    ],
    [
      'a kickoff arg that is not a datetime',
      {
        id: id('lp'),
        workflow: reportWf,
        defaultInputs: { name: str('x') },
        fixedInputs: { scale: float(1) },
        schedule: { cron: '@hourly', kickoffTimeInputArg: 'name' },
      },
      /kickoffTimeInputArg 'name' must be a datetime input, not string/,
    ],
    [
      'a kickoff arg that is fixed',
      {
        id: id('lp'),
        workflow: reportWf,
        defaultInputs: { name: str('x') },
        fixedInputs: { scale: float(1), run_at: { scalar: { primitive: { datetime: { seconds: Long.fromNumber(0) } } } } },
        schedule: { cron: '@hourly', kickoffTimeInputArg: 'run_at' },
      },
      /'run_at' is not a free input/,
    ],
    [
      'a schedule with a required input left unbound',
      { id: id('lp'), workflow: reportWf, schedule: { cron: '@hourly', kickoffTimeInputArg: 'run_at' } },
      /cannot schedule a launch plan with an unbound required input; 'name' is required/,
    ],
    ['an invalid cron', { id: id('lp'), workflow: reportWf, schedule: { cron: '61 * * * *' } }, /Schedule is invalid/],
    ['a zero rate', { id: id('lp'), workflow: reportWf, schedule: { fixedRate: { value: 0, unit: 'day' } } }, /fixed rate must be a whole number > 0/],
    ['a bad offset', { id: id('lp'), workflow: reportWf, schedule: { cron: '@daily', offset: '1h' } }, /offset "1h" is not an ISO 8601 duration/],
  ])('rejects %s', (_name, options, message) => {
    expect(() => launchPlan(options)).toThrow(message);
    expect(() => launchPlan(options)).toThrow(FlyteSpecError);
  });
});

describe('validateCron (robfig/cron ParseStandard)', () => {
  it.each([
    '*/5 * * * *',
    '@daily',
    '0 2 * * MON-FRI',
    '0 0 1 jan,jul ?',
    '15,45 8-18/2 * * 1-5',
    '@every 1h30m',
    '@annually',
    '@midnight',
    'CRON_TZ=Europe/Paris 0 6 * * *',
    '0 0 L * *'.replace('L', '31'),
  ])('accepts %s', (expression) => {
    expect(() => validateCron(expression)).not.toThrow();
  });

  it.each<[string, RegExp]>([
    ['61 * * * *', /end of range \(61\) above maximum \(59\): 61 \(minute\)/],
    ['* * *', /expected exactly 5 fields, found 3/],
    ['', /empty spec string/],
    ['* * * * * *', /expected exactly 5 fields, found 6/],
    ['0 24 * * *', /above maximum \(23\)/],
    ['0 0 0 * *', /beginning of range \(0\) below minimum \(1\)/],
    ['0 0 * 13 *', /above maximum \(12\)/],
    ['0 0 * * 7', /above maximum \(6\)/],
    ['5-1 * * * *', /beginning of range \(5\) beyond end of range \(1\)/],
    ['*/0 * * * *', /step of range should be a positive number/],
    ['1-2-3 * * * *', /too many hyphens/],
    ['*/2/3 * * * *', /too many slashes/],
    ['x * * * *', /failed to parse int from x/],
    ['@fortnightly', /unrecognized descriptor: @fortnightly/],
    ['@every forever', /failed to parse duration/],
    ['TZ=Mars/Olympus 0 0 * * *', /provided bad location Mars\/Olympus/],
  ])('rejects %s', (expression, reason) => {
    expect(() => validateCron(expression)).toThrow(reason);
    expect(() => validateCron(expression)).toThrow(/^Schedule is invalid\./);
  });
});
