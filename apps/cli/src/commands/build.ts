/**
 * `unionml build APP:MODEL [--version V] [--build-arg K=V ...] [--registry R] [--push] [--json]`: builds the app's
 * image, with a live progress display on a terminal.
 */
import type { CommandContext } from '../commands.js';
import { importRemote, UsageError } from '../errors.js';
import { option, roundSeconds } from './shared.js';

/** What `unionml build --json` prints. */
export interface BuildReport {
  image: string;
  id: string;
  sizeBytes: number;
  seconds: number;
  pushed?: boolean;
}

export async function build({ positionals, values, cwd, out }: CommandContext): Promise<number> {
  const address = positionals[0]!;
  const buildArgs = parseBuildArgs(values['build-arg']);
  out.guardStdout();
  const sandbox = values['sandbox'] === true;
  const push = values['push'] === true;
  if (sandbox && !push) throw new UsageError('--sandbox names the registry to push to: it needs --push', 'build');
  const [core, remote] = await Promise.all([import('@unionml/core'), importRemote('build')]);
  const version = option(values, 'version') ?? remote.appVersion(cwd, { allowUncommitted: values['allow-uncommitted'] === true });
  const registry = push
    ? remote.registryFor({ endpoint: option(values, 'endpoint'), registry: option(values, 'registry'), sandbox })
    : option(values, 'registry');
  const model = await core.loadModel(address, { cwd });
  const progress = remote.renderProgress(process.stderr);
  let result: Awaited<ReturnType<typeof remote.buildAppImage>>;
  try {
    result = await remote.buildAppImage(model, {
      cwd,
      version,
      registry,
      imageName: option(values, 'image-name'),
      dockerfile: option(values, 'dockerfile'),
      buildArgs,
      networkMode: option(values, 'network'),
      push,
      onBuildEvent: progress.onBuild,
      onPushEvent: progress.onPush,
    });
  } finally {
    progress.done();
  }
  out.restore();
  if (result.stagedPackages.length) out.info(`packed into the image: ${result.stagedPackages.join(', ')}`);
  out.say(`built ${result.image} (${(result.sizeBytes / 1e6).toFixed(0)} MB) in ${result.seconds.toFixed(1)} s${result.pushed ? ', pushed' : ''}`);
  if (out.json)
    out.resultJson({
      image: result.image,
      id: result.id,
      sizeBytes: result.sizeBytes,
      seconds: roundSeconds(result.seconds),
      ...(push ? { pushed: true } : {}),
    } satisfies BuildReport);
  else out.result(result.image);
  return 0;
}

/** `K=V` pairs of --build-arg. */
export function parseBuildArgs(value: CommandContext['values'][string], command = 'build'): Record<string, string> {
  const list = Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
  const args: Record<string, string> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`--build-arg '${item}' is not KEY=VALUE`, command, { hint: 'e.g. --build-arg BASE_IMAGE=node:20-bookworm-slim' });
    args[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return args;
}
