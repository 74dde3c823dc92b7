import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { errorMessage } from '@unionml/errors';
import { Docker } from '../docker.js';

/** The base image `npm run docker:up` makes (this machine's Node and npm). */
export const BASE_IMAGE = 'unionml-node-base:latest';

/**
 * Why the daemon tests cannot run (no daemon, or no base image), with what to do: `npm run docker:up`. Undefined when
 * they can. Test files call it in `beforeAll` and throw the error in `beforeEach`, so that every test FAILS (never
 * skips) without a daemon.
 */
export async function daemonProblem(docker: Docker = new Docker()): Promise<Error | undefined> {
  try {
    await docker.ping();
  } catch (e) {
    return new Error(`these tests need a Docker daemon: run \`npm run docker:up\` first (${errorMessage(e)})`);
  }
  if (!(await docker.inspect(BASE_IMAGE))) {
    return new Error(`these tests need the base image ${BASE_IMAGE}: run \`npm run docker:up\` first`);
  }
  return undefined;
}

/** Tags and folders made by a test file, removed by `cleanup()`. */
export class TestResources {
  readonly tags: string[] = [];
  readonly dirs: string[] = [];

  constructor(private readonly docker: Docker) {}

  /** A unique tag, e.g. `unionml-docker-test/build:1234-ab12cd34`, removed at cleanup. */
  tag(name: string): string {
    const tag = `unionml-docker-test/${name}:${process.pid}-${randomBytes(4).toString('hex')}`;
    this.tags.push(tag);
    return tag;
  }

  /** A temporary folder with the given files (paths relative to it; `/`-separated). */
  async folder(files: Record<string, string | Uint8Array> = {}): Promise<string> {
    const dir = await mkdtemp(path.join(tmpdir(), 'unionml-docker-test-'));
    this.dirs.push(dir);
    for (const [name, content] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
      await writeFile(path.join(dir, name), content);
    }
    return dir;
  }

  async cleanup(): Promise<void> {
    for (const tag of this.tags) await this.docker.remove(tag, { force: true }).catch(() => {});
    for (const dir of this.dirs) await rm(dir, { recursive: true, force: true });
  }
}
