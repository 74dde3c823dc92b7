/**
 * `unionml package APP:MODEL --image IMAGE [--version V] [--project P] [--domain D] [-o BUNDLE.tgz] [--json]`: compiles
 * the app and writes its Flyte registration bundle.
 */
import { resolve } from 'node:path';
import type { CommandContext } from '../commands.js';
import { UsageError } from '../errors.js';
import { importRemote } from '../errors.js';
import { option, roundSeconds, TASK_ENTRYPOINT } from './shared.js';

/** What `unionml package --json` prints. */
export interface PackageReport {
  bundle: string;
  version: string;
  project: string;
  domain: string;
  image: string;
  files: string[];
  seconds: number;
}

export async function packageApp({ positionals, values, cwd, out }: CommandContext): Promise<number> {
  const address = positionals[0]!;
  const image = option(values, 'image');
  if (!image)
    throw new UsageError('missing --image IMAGE: the container image the tasks run in', 'package', { hint: 'e.g. --image localhost:30000/my-app:v1' });
  const project = option(values, 'project') ?? 'flytesnacks';
  const domain = option(values, 'domain') ?? 'development';
  const output = resolve(cwd, option(values, 'output') ?? 'bundle.tgz');

  out.guardStdout();
  const started = performance.now();
  const [core, compiler] = await Promise.all([import('@unionml/core'), import('@unionml/compiler')]);
  const version = option(values, 'version') ?? (await importRemote('package')).appVersion(cwd, { allowUncommitted: values['allow-uncommitted'] === true });
  const { module, exportName } = core.parseAppAddress(address);
  const model = await core.loadModel(address, { cwd });
  const { files } = await compiler.packageModel(model, { entrypoint: TASK_ENTRYPOINT, module, exportName, image, version, project, domain, output });
  const seconds = (performance.now() - started) / 1000;
  out.restore();

  out.say(`packaged model '${model.name}' version ${version} for ${project}/${domain} (image ${image}) in ${seconds.toFixed(1)} s`);
  for (const file of files) out.say(`  ${file}`);
  out.say(`wrote ${output}`);
  if (out.json) out.resultJson({ bundle: output, version, project, domain, image, files, seconds: roundSeconds(seconds) } satisfies PackageReport);
  return 0;
}
