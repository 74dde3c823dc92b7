// The pure parts of the remote model operations: execution phases, list filters, which launch plan version to use,
// and what a finished execution's closure means as an error.
import type { flyteidl } from '@unionml/flyte';
import { RemoteError } from '../errors.js';

/** `flyteidl.core.WorkflowExecution.Phase` by number (the numbers are fixed by flyteidl). */
export const EXECUTION_PHASES = ['UNDEFINED', 'QUEUED', 'RUNNING', 'SUCCEEDING', 'SUCCEEDED', 'FAILING', 'FAILED', 'ABORTED', 'TIMED_OUT', 'ABORTING'] as const;
/** An execution's phase, by name. */
export type ExecutionPhase = (typeof EXECUTION_PHASES)[number];

/** `flyteidl.core.NodeExecution.Phase` by number. */
export const NODE_PHASES = [
  'UNDEFINED',
  'QUEUED',
  'RUNNING',
  'SUCCEEDED',
  'FAILING',
  'FAILED',
  'ABORTED',
  'SKIPPED',
  'TIMED_OUT',
  'DYNAMIC_RUNNING',
  'RECOVERED',
] as const;
/** A node execution's phase, by name. */
export type NodePhase = (typeof NODE_PHASES)[number];

/** The phase's name (`UNDEFINED` for a number flyteidl does not have). */
export function executionPhase(phase: number | null | undefined): ExecutionPhase {
  return EXECUTION_PHASES[phase ?? 0] ?? 'UNDEFINED';
}

/** A node phase's name. */
export function nodePhase(phase: number | null | undefined): NodePhase {
  return NODE_PHASES[phase ?? 0] ?? 'UNDEFINED';
}

/** Phases after which an execution does not change (FlyteAdmin's `IsExecutionTerminal`). */
export function isTerminal(phase: ExecutionPhase): boolean {
  return phase === 'SUCCEEDED' || phase === 'FAILED' || phase === 'ABORTED' || phase === 'TIMED_OUT';
}

/** Quotes a value of a FlyteAdmin filter expression (values are plain: letters, digits, `.`, `_`, `-`). */
function filterValue(value: string): string {
  if (/[(),;+]/.test(value)) throw new TypeError(`a FlyteAdmin filter value cannot contain ( ) , ; or +: ${JSON.stringify(value)}`);
  return value;
}

/**
 * The filter of executions of some launch plans (by name, e.g. `{model}.train` and the training schedules), of one
 * app version (the launch plans' version) when given, in one phase when given: FlyteAdmin's expression, e.g.
 * `value_in(launch_plan.name,m.train;nightly)+eq(launch_plan.version,abc)+eq(phase,SUCCEEDED)`.
 */
export function executionFilter(options: { launchPlans: readonly string[]; appVersion?: string | undefined; phase?: ExecutionPhase | undefined }): string {
  const names = [...new Set(options.launchPlans)].map(filterValue);
  const parts = [names.length === 1 ? `eq(launch_plan.name,${names[0]})` : `value_in(launch_plan.name,${names.join(';')})`];
  if (options.appVersion !== undefined) parts.push(`eq(launch_plan.version,${filterValue(options.appVersion)})`);
  if (options.phase !== undefined) parts.push(`eq(phase,${options.phase})`);
  return parts.join('+');
}

/** The versions of a launch plan FlyteAdmin listed (newest first), as a message's list: at most 10, and how many more. */
export function describeVersions(versions: readonly string[], total = versions.length): string {
  if (versions.length === 0) return 'none';
  const shown = versions.slice(0, 10).join(', ');
  return total > 10 ? `${shown} (and ${total - 10} more)` : shown;
}

/**
 * The message of a task's error as Flyte records it. Task runtimes (flytekit's and ours) write
 * `Trace:\n\n    <stack>\n\nMessage:\n\n    <message>`: the message part, dedented, is what the user needs; the
 * trace stays in the task's log. Any other text is returned as it is.
 */
export function taskMessage(raw: string): string {
  const match = /(?:^|\n)Message:\s*\n([\s\S]*)$/.exec(raw);
  if (!match) return raw.trim();
  const lines = match[1]!.split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => /^\s*/.exec(l)![0].length));
  return lines
    .map((l) => l.slice(Number.isFinite(indent) ? indent : 0))
    .join('\n')
    .trim();
}

/**
 * The error of an execution that ended without succeeding: FAILED carries the failing task's own message (the
 * execution's `closure.error`), ABORTED and TIMED_OUT are state errors. Returns undefined for SUCCEEDED.
 */
export function terminalError(execution: flyteidl.admin.IExecution, url: string | undefined): RemoteError | undefined {
  const closure = execution.closure ?? {};
  const phase = executionPhase(closure.phase);
  const name = execution.id?.name ?? '';
  const launchPlan = execution.spec?.launchPlan;
  const what = `execution ${name}${launchPlan?.name ? ` of ${launchPlan.name}${launchPlan.version ? ` (version ${launchPlan.version})` : ''}` : ''}`;
  const where = url ? `: ${url}` : '';
  switch (phase) {
    case 'SUCCEEDED':
      return undefined;
    case 'FAILED': {
      const error = closure.error;
      const raw = (error?.message ?? '').trim();
      const message = taskMessage(raw) || 'no error message was recorded';
      return new RemoteError('REMOTE_EXECUTION_FAILED', `${what} failed: ${message}`, {
        hint: `fix what the error names; the task's log (with its stack trace) is linked from the execution's page${where}`,
        execution: name,
        url,
        flyteErrorCode: error?.code ?? undefined,
        taskError: raw || undefined,
      });
    }
    case 'ABORTED': {
      const cause = closure.abortMetadata?.cause || closure.abortCause;
      return new RemoteError('REMOTE_EXECUTION_ABORTED', `${what} was aborted${cause ? `: ${cause}` : ''}`, {
        hint: 'start it again',
        execution: name,
        url,
      });
    }
    case 'TIMED_OUT':
      return new RemoteError('REMOTE_EXECUTION_TIMED_OUT', `${what} timed out on Flyte`, {
        hint: "raise the task's timeout (timeoutSeconds in its task options) or make the run shorter",
        execution: name,
        url,
      });
    default:
      return undefined;
  }
}

/** Whether an error is FlyteAdmin's answer for an entity that is already registered with the same definition. */
export function isIdenticalStructure(error: unknown): boolean {
  return adminStatus(error) === 'ALREADY_EXISTS';
}

/** Whether an error is FlyteAdmin's answer for an entity that is already registered with another definition. */
export function isDifferentStructure(error: unknown): boolean {
  return adminStatus(error) === 'INVALID_ARGUMENT' && /different structure already exists/i.test(adminDetails(error));
}

/** The gRPC status name of an AdminError (`NOT_FOUND`...), or undefined for any other error. */
export function adminStatus(error: unknown): string | undefined {
  const status = (error as { grpcStatus?: unknown } | null)?.grpcStatus;
  return typeof status === 'string' ? status : undefined;
}

/** FlyteAdmin's own message in an AdminError (its gRPC details), or the error's message. */
export function adminDetails(error: unknown): string {
  const details = (error as { details?: unknown } | null)?.details;
  return typeof details === 'string' && details !== '' ? details : error instanceof Error ? error.message : String(error);
}

/** Whether an error means FlyteAdmin could not be reached for a while (worth waiting out during a long wait). */
export function isUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'FLYTE_ADMIN_UNAVAILABLE' || code === 'FLYTE_ADMIN_TIMEOUT';
}
