// Runs Flyte task nodes in containers of the app's image, as a cluster would: the node's command as the image runs
// it (`unionml execute ...`), the task's environment only, the run's storage mounted at the same path.
import type { DockerConnection } from '@unionml/docker';
import type { NodeRunner } from '@unionml/flyte';

/** A local executor runner that runs each node in a container of `image` (network host; `mounts` bound in place). */
export async function containerRunner(image: string, options: { mounts: string[]; connection?: DockerConnection | undefined }): Promise<NodeRunner> {
  const { Docker } = await import('@unionml/docker');
  const docker = new Docker(options.connection);
  await docker.ping();
  const binds = options.mounts.map((path) => `${path}:${path}`);
  return async ({ argv, taskEnv, timeoutSeconds, onLog }) => {
    const result = await docker.run({ image, cmd: argv, env: taskEnv, binds, networkMode: 'host', timeoutSeconds, ...(onLog ? { onOutput: onLog } : {}) });
    return { exitCode: result.exitCode, stderr: result.stderr, timedOut: result.timedOut };
  };
}
