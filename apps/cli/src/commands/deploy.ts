/**
 * `unionml deploy APP:MODEL [--allow-uncommitted] [--patch] [--app-version V] [--no-schedule] [--registry R] ...`:
 * builds and pushes the app's image (or, with --patch, uploads the code for the last image) and registers its tasks,
 * workflows, launch plans and schedules on the Flyte cluster (RemoteModel.deploy), with the image's build shown as
 * `unionml build` shows it.
 */
import type { DeployResult, RegisteredEntity } from '@unionml/remote';
import type { CommandContext } from '../commands.js';
import { UsageError } from '../errors.js';
import { parseBuildArgs } from './build.js';
import { clusterArgs, connect, shellQuote, withSession } from './remote.js';
import { option, roundSeconds } from './shared.js';

/** What `unionml deploy --json` prints. */
export interface DeployReport {
  model: string;
  appVersion: string;
  image: string;
  project: string;
  domain: string;
  registered: RegisteredEntity[];
  activated: string[];
  /** For --patch: the app version whose image is reused, and the code archive. */
  patch?: { of: string; distribution: string; files: number; bytes: number };
  seconds: { build: number; register: number; total: number };
}

export async function deploy(context: CommandContext): Promise<number> {
  const { values, out } = context;
  if (values['schedule'] === true && values['no-schedule'] === true) throw new UsageError('give --schedule or --no-schedule, not both', 'deploy');
  const buildArgs = parseBuildArgs(values['build-arg'], 'deploy');
  if (values['patch'] === true) {
    const imageOptions = ['build-arg', 'network', 'registry', 'image-name'].filter((name) => values[name] !== undefined);
    if (imageOptions.length) {
      throw new UsageError(`--patch builds no image: leave out ${imageOptions.map((name) => `--${name}`).join(', ')}`, 'deploy', {
        hint: 'a patch reuses the image of the newest deployed version; deploy without --patch to build an image with these options',
      });
    }
  }
  const appVersion = option(values, 'app-version');
  if (appVersion !== undefined && appVersion.trim() === '') throw new UsageError('--app-version needs a value', 'deploy');
  const session = await connect(context, 'deploy', {
    registry: option(values, 'registry'),
    imageName: option(values, 'image-name'),
    dockerfile: option(values, 'dockerfile'),
  });
  const { model, app, remote, address, cluster } = session;
  return withSession(session, async () => {
    const progress = remote.renderProgress(process.stderr);
    let result: DeployResult;
    try {
      result = await app.deploy({
        appVersion,
        allowUncommitted: values['allow-uncommitted'] === true,
        patch: values['patch'] === true,
        schedule: values['no-schedule'] !== true,
        buildArgs,
        network: option(values, 'network'),
        onBuildEvent: progress.onBuild,
        onPushEvent: progress.onPush,
      });
    } finally {
      progress.done();
    }
    out.restore();
    const created = result.registered.filter((e) => e.created).length;
    const count = (kind: RegisteredEntity['kind'], one: string, many: string) => {
      const n = result.registered.filter((e) => e.kind === kind).length;
      return `${n} ${n === 1 ? one : many}`;
    };
    out.say(
      `deployed app version ${result.appVersion} of model '${model.name}' to ${result.project}/${result.domain} in ${result.seconds.total.toFixed(1)} s (image ${result.image})`,
    );
    if (result.patch) {
      out.say(`patch of app version ${result.patch.of}: its image runs the code archive ${result.patch.distribution} (${result.patch.files} files)`);
    }
    out.say(
      `registered ${count('task', 'task', 'tasks')}, ${count('workflow', 'workflow', 'workflows')} and ${count('launchPlan', 'launch plan', 'launch plans')}` +
        (created === result.registered.length ? '' : ` (${result.registered.length - created} already registered with the same definition)`),
    );
    if (result.activated.length) out.say(`activated schedules: ${result.activated.join(', ')}`);
    out.say(`train it: ${['unionml', 'train', address, ...clusterArgs(cluster), '--wait'].map(shellQuote).join(' ')}`);
    if (out.json) {
      out.resultJson({
        model: model.name,
        appVersion: result.appVersion,
        image: result.image,
        project: result.project,
        domain: result.domain,
        registered: result.registered,
        activated: result.activated,
        ...(result.patch ? { patch: result.patch } : {}),
        seconds: { build: roundSeconds(result.seconds.build), register: roundSeconds(result.seconds.register), total: roundSeconds(result.seconds.total) },
      } satisfies DeployReport);
    } else out.result(result.appVersion);
    return 0;
  });
}
