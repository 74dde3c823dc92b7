// Runs Flyte task nodes in containers of the app's image, as a cluster would: the node's command as the image runs
// it (`unionml execute ...`), the task's environment only, the run's storage mounted at the same path.
import type { DockerConnection } from '@unionml/docker';
import type { NodeRunner } from '@unionml/flyte';

/** Options of {@link containerRunner}. */
export interface ContainerRunnerOptions {
  /** The containers' network, e.g. `host`. Default: the daemon's default network. */
  networkMode?: string | undefined;
  /** The Docker daemon. Default: `DOCKER_HOST`, else the local socket. */
  connection?: DockerConnection | undefined;
}

/**
 * A runner factory for `@unionml/compiler`'s compiled local runs (`LocalRunOptions.runner`): each node runs in a new
 * container of `image`, with the run's storage folder bound at the same path.
 *
 * @example
 * ```ts
 * await trainCompiled(model, {}, { ..., runner: containerRunner('unionml:digits-classifier-v1') });
 * ```
 */
export function containerRunner(image: string, options: ContainerRunnerOptions = {}): (run: { workDir: string }) => Promise<NodeRunner> {
  return async ({ workDir }) => {
    const { Docker } = await import('@unionml/docker');
    const docker = new Docker(options.connection);
    await docker.ping();
    const binds = [`${workDir}:${workDir}`];
    return async ({ argv, taskEnv, timeoutSeconds, onLog }) => {
      const result = await docker.run({
        image,
        cmd: argv,
        env: taskEnv,
        binds,
        timeoutSeconds,
        ...(options.networkMode ? { networkMode: options.networkMode } : {}),
        ...(onLog ? { onOutput: onLog } : {}),
      });
      return { exitCode: result.exitCode, stderr: result.stderr, timedOut: result.timedOut };
    };
  };
}
