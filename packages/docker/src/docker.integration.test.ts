// Integration tier: against a real daemon (`npm run docker:up` first), building FROM its local base image and running
// containers. That daemon has no bridge network, so builds and runs pass `networkMode: 'host'` explicitly (the package's
// default is the daemon's default network, which one test checks). The tests that need no daemon are in docker.test.ts.
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Docker } from './docker.js';
import { DockerAbortedError, DockerBuildError, DockerRequestError, DockerRunError } from './errors.js';
import type { BuildEvent } from './progress.js';
import { BASE_IMAGE, daemonProblem, TestResources } from './test-support/daemon.js';

const docker = new Docker();
const res = new TestResources(docker);

let problem: Error | undefined;
beforeAll(async () => {
  problem = await daemonProblem(docker);
}, 30_000);
beforeEach(() => {
  if (problem) throw problem;
});
afterAll(async () => {
  await res.cleanup();
}, 60_000);

/** The error a promise rejects with. */
async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
}

describe('Docker.ping', () => {
  it('answers on the default socket', async () => {
    await expect(docker.ping()).resolves.toBeUndefined();
    expect(docker.address).toBe(process.env['DOCKER_HOST'] || 'unix:///var/run/docker.sock');
  });
});

describe('Docker.build', () => {
  it('builds FROM the base image with COPY and RUN, reports steps, and sets labels, build args and every tag', async () => {
    const context = await res.folder({
      Dockerfile: [
        `FROM ${BASE_IMAGE}`,
        'ARG GREETING=none',
        'LABEL from.dockerfile=yes',
        'COPY hello.txt /app/hello.txt',
        `RUN node -e "const fs = require('fs'); if (fs.readFileSync('/app/hello.txt', 'utf8') !== 'hello\\n') process.exit(1); fs.writeFileSync('/app/greeting', process.env.GREETING); console.log('greeting is', process.env.GREETING)"`,
        '',
      ].join('\n'),
      'hello.txt': 'hello\n',
    });
    const [tag1, tag2] = [res.tag('build'), res.tag('build-second')];
    const events: BuildEvent[] = [];
    const built = await docker.build({
      context,
      networkMode: 'host',
      tags: [tag1, tag2],
      buildArgs: { GREETING: 'bonjour' },
      labels: { 'org.unionml.test': 'yes', 'org.unionml.version': '1.2.3' },
      onEvent: (e) => events.push(e),
    });
    expect(built.id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(built.tags).toEqual([tag1, tag2]);
    expect(built.sizeBytes).toBeGreaterThan(50e6);
    expect(built.seconds).toBeGreaterThan(0);
    // Docker 20.10's classic builder applies each label of the build as one more LABEL step at the end.
    expect(events.filter((e) => e.kind === 'step').slice(0, 5)).toEqual([
      { kind: 'step', step: 1, total: 7, instruction: `FROM ${BASE_IMAGE}` },
      { kind: 'step', step: 2, total: 7, instruction: 'ARG GREETING=none' },
      { kind: 'step', step: 3, total: 7, instruction: 'LABEL from.dockerfile=yes' },
      { kind: 'step', step: 4, total: 7, instruction: 'COPY hello.txt /app/hello.txt' },
      { kind: 'step', step: 5, total: 7, instruction: expect.stringMatching(/^RUN node -e/) as string },
    ]);
    expect(events.filter((e) => e.kind === 'done')).toEqual([{ kind: 'done', id: built.id }]);
    expect(events).toContainEqual({ kind: 'log', text: 'greeting is bonjour' });
    expect(events.at(-1)).toEqual({ kind: 'done', id: built.id });

    const info = await docker.inspect(tag1);
    expect(info?.id).toBe(built.id);
    expect(info?.sizeBytes).toBe(built.sizeBytes);
    expect(info?.labels).toMatchObject({ 'org.unionml.test': 'yes', 'org.unionml.version': '1.2.3', 'from.dockerfile': 'yes' });
    expect(Date.parse(info?.created ?? '')).toBeGreaterThan(Date.now() - 10 * 60_000);
    expect(info?.tags).toEqual(expect.arrayContaining([tag1, tag2]));
    expect((await docker.inspect(tag2))?.id).toBe(built.id);
    const run = await docker.run({
      image: tag1,
      networkMode: 'host',
      cmd: ['node', '-e', "process.stdout.write(require('fs').readFileSync('/app/greeting', 'utf8'))"],
    });
    expect(run.stdout).toBe('bonjour');
  }, 120_000);

  it('honours .dockerignore and `exclude`, never sends .git, and lets extraFiles add and replace files', async () => {
    const context = await res.folder({
      Dockerfile: [
        `FROM ${BASE_IMAGE}`,
        'COPY . /ctx/',
        `RUN node -e "const fs = require('fs'); const files = []; const walk = (d, p) => { for (const n of fs.readdirSync(d).sort()) { const f = d + '/' + n; if (fs.statSync(f).isDirectory()) walk(f, p + n + '/'); else files.push(p + n); } }; walk('/ctx', ''); console.log('FILES ' + files.join(',')); console.log('PACKAGE ' + fs.readFileSync('/ctx/package.json', 'utf8'))"`,
        `RUN node -e "require('fs').existsSync('/ctx/secret.txt') && process.exit(4)"`,
        '',
      ].join('\n'),
      '.dockerignore': 'secret.txt\nlogs/\n*.md\n!README.md\n',
      'secret.txt': 'do not send',
      'logs/a.log': 'log',
      'notes.md': 'notes',
      'README.md': 'readme',
      'keep.txt': 'keep',
      'drop.txt': 'dropped by exclude',
      'package.json': '{"name":"original"}',
      '.git/config': '[core]',
    });
    const options = {
      context,
      exclude: ['drop.txt'],
      extraFiles: { 'package.json': '{"name":"staged"}', 'vendor/dep-1.0.0.tgz': new Uint8Array([1, 2, 3]) },
    };
    const { listContextFiles } = await import('./context.js');
    expect(await listContextFiles(options)).toEqual(['.dockerignore', 'Dockerfile', 'README.md', 'keep.txt', 'package.json', 'vendor/dep-1.0.0.tgz']);
    const logs: string[] = [];
    await docker.build({ ...options, networkMode: 'host', tags: [res.tag('ignore')], onEvent: (e) => e.kind === 'log' && logs.push(e.text) });
    expect(logs).toContain('FILES .dockerignore,Dockerfile,README.md,keep.txt,package.json,vendor/dep-1.0.0.tgz');
    expect(logs).toContain('PACKAGE {"name":"staged"}');
  }, 120_000);

  it('fails a RUN step with DockerBuildError naming the step, with its output, and leaves no tag', async () => {
    const context = await res.folder({
      Dockerfile: [
        `FROM ${BASE_IMAGE}`,
        'COPY a.txt /a.txt',
        `RUN node -e "console.log('about to fail'); console.error('something broke'); process.exit(3)"`,
        'RUN echo never',
        '',
      ].join('\n'),
      'a.txt': 'a',
    });
    const tag = res.tag('broken');
    const e = await failure(docker.build({ context, networkMode: 'host', tags: [tag] }));
    expect(e).toBeInstanceOf(DockerBuildError);
    const error = e as DockerBuildError;
    expect(error.code).toBe('DOCKER_BUILD_FAILED');
    expect(error.step).toMatch(/^Step 3\/4 : RUN node -e/);
    expect(error.message).toMatch(/failed at step 3\/4 \(RUN node -e .*\): The command '\/bin\/sh -c node -e .*' returned a non-zero code: 3$/);
    expect(error.logTail).toEqual(['about to fail', 'something broke']);
    expect(error.describe()).toContain('    something broke');
    expect(await docker.inspect(tag)).toBeUndefined();
  }, 120_000);

  it('fails a Dockerfile with an unknown instruction with a clear DockerBuildError', async () => {
    const context = await res.folder({ Dockerfile: `FROM ${BASE_IMAGE}\nFROMM nothing\n` });
    const tag = res.tag('syntax');
    const e = await failure(docker.build({ context, networkMode: 'host', tags: [tag] }));
    expect(e).toBeInstanceOf(DockerBuildError);
    expect((e as DockerBuildError).message).toBe(`build of ${tag} failed: dockerfile parse error line 2: unknown instruction: FROMM`);
    expect((e as DockerBuildError).hint).toBe(`fix ${path.join(context, 'Dockerfile')}`);
    expect((e as DockerBuildError).step).toBeUndefined();
    expect(await docker.inspect(tag)).toBeUndefined();
  });

  it('says when the base image is missing and cannot be pulled', async () => {
    const context = await res.folder({ Dockerfile: 'FROM unionml-no-such-base:1\nRUN true\n' });
    const e = await failure(docker.build({ context, networkMode: 'host', tags: [res.tag('nobase')] }));
    expect(e).toBeInstanceOf(DockerBuildError);
    expect((e as DockerBuildError).step).toBe('Step 1/2 : FROM unionml-no-such-base:1');
    expect((e as DockerBuildError).hint).toContain('base image');
  }, 60_000);

  it('builds a Dockerfile given in extraFiles (a folder without one is refused before contacting the daemon: docker.test.ts)', async () => {
    const context = await res.folder({ 'a.txt': 'from the folder' });
    const tag = res.tag('extra-dockerfile');
    const built = await docker.build({
      context,
      networkMode: 'host',
      tags: [tag],
      extraFiles: { 'build/Dockerfile': `FROM ${BASE_IMAGE}\nCOPY a.txt /a.txt\n` },
      dockerfile: 'build/Dockerfile',
    });
    const run = await docker.run({
      image: built.id,
      networkMode: 'host',
      cmd: ['node', '-e', "process.stdout.write(require('fs').readFileSync('/a.txt', 'utf8'))"],
    });
    expect(run.stdout).toBe('from the folder');
  }, 60_000);

  it('stops on abort with DockerAbortedError and leaves no tag', async () => {
    const context = await res.folder({ Dockerfile: `FROM ${BASE_IMAGE}\nRUN node -e "setTimeout(() => {}, 60000)"\n` });
    const tag = res.tag('aborted');
    const controller = new AbortController();
    const started = Date.now();
    const e = await failure(
      docker.build({
        context,
        networkMode: 'host',
        tags: [tag],
        signal: controller.signal,
        onEvent: (event) => {
          if (event.kind === 'log' && event.text.startsWith(' ---> Running in')) setTimeout(() => controller.abort(), 200);
        },
      }),
    );
    expect(e).toBeInstanceOf(DockerAbortedError);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(await docker.inspect(tag)).toBeUndefined();
  }, 60_000);
});

describe('progress callbacks', () => {
  it('a throwing onEvent stops the build and its error comes out unchanged; a throwing onOutput stops the run', async () => {
    const context = await res.folder({ Dockerfile: `FROM ${BASE_IMAGE}\nRUN node -e "console.log('x')"\n` });
    const tag = res.tag('listener');
    const boom = new Error('listener failed');
    await expect(
      docker.build({
        context,
        networkMode: 'host',
        tags: [tag],
        onEvent: (e) => {
          if (e.kind === 'step' && e.step === 2) throw boom;
        },
      }),
    ).rejects.toBe(boom);
    expect(await docker.inspect(tag)).toBeUndefined();
    await expect(
      docker.run({
        image: BASE_IMAGE,
        networkMode: 'host',
        cmd: ['node', '-e', "console.log('x'); setTimeout(() => {}, 60000)"],
        onOutput: () => {
          throw boom;
        },
      }),
    ).rejects.toBe(boom);
  }, 60_000);
});

describe('Docker.run', () => {
  it('returns the exit code, stdout and stderr separately, and streams output', async () => {
    const chunks: string[] = [];
    const result = await docker.run({
      image: BASE_IMAGE,
      networkMode: 'host',
      cmd: ['node', '-e', "console.log('to stdout'); console.error('to stderr'); console.log('é€'); process.exit(7)"],
      onOutput: (stream, text) => chunks.push(`${stream}:${text}`),
    });
    expect(result).toEqual({ exitCode: 7, stdout: 'to stdout\né€\n', stderr: 'to stderr\n', timedOut: false });
    expect(chunks.join('')).toContain('stderr:to stderr\n');
  });

  it('passes env, the working directory, the user and bind mounts, on network host', async () => {
    const dir = await res.folder({ 'input.txt': 'from the host' });
    const result = await docker.run({
      image: BASE_IMAGE,
      networkMode: 'host',
      cmd: [
        'node',
        '-e',
        "const fs = require('fs'); fs.writeFileSync('/data/out.txt', fs.readFileSync('input.txt', 'utf8') + ' and back'); console.log(process.env.GREETING, process.cwd(), require('os').hostname() === process.env.HOST_NAME)",
      ],
      env: { GREETING: 'hi there', HOST_NAME: execFileSync('hostname', { encoding: 'utf8' }).trim() },
      binds: [`${dir}:/data`],
      workingDir: '/data',
    });
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('hi there /data true\n');
    expect(await readFile(path.join(dir, 'out.txt'), 'utf8')).toBe('from the host and back');
    const user = await docker.run({
      image: BASE_IMAGE,
      networkMode: 'host',
      cmd: ['node', '-e', 'console.log(process.getuid(), process.getgid())'],
      user: '65534:65534',
    });
    expect(user.stdout).toBe('65534 65534\n');
  });

  it("without networkMode, uses the daemon's default network, not the host's", async () => {
    const hostName = execFileSync('hostname', { encoding: 'utf8' }).trim();
    const result = await docker.run({ image: BASE_IMAGE, cmd: ['node', '-e', "console.log(require('os').hostname())"] });
    expect(result.exitCode).toBe(0);
    expect(result.stdout.trim()).not.toBe(hostName);
    const context = await res.folder({ Dockerfile: `FROM ${BASE_IMAGE}\nRUN node -e "console.log('HOSTNAME ' + require('os').hostname(), ${Date.now()})"\n` });
    const logs: string[] = [];
    await docker.build({ context, tags: [res.tag('default-network')], onEvent: (e) => e.kind === 'log' && logs.push(e.text) });
    const line = logs.find((text) => text.startsWith('HOSTNAME '));
    expect(line).toBeDefined();
    expect(line).not.toContain(`HOSTNAME ${hostName} `);
  }, 60_000);

  it('kills the container after timeoutSeconds', async () => {
    const started = Date.now();
    const result = await docker.run({
      image: BASE_IMAGE,
      networkMode: 'host',
      cmd: ['node', '-e', "console.log('started'); setTimeout(() => {}, 60000)"],
      timeoutSeconds: 2,
    });
    expect(result).toMatchObject({ timedOut: true, exitCode: 137, stdout: 'started\n' });
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('stops on abort with DockerAbortedError', async () => {
    const controller = new AbortController();
    const run = docker.run({
      image: BASE_IMAGE,
      networkMode: 'host',
      cmd: ['node', '-e', "console.log('up'); setTimeout(() => {}, 60000)"],
      signal: controller.signal,
      onOutput: () => controller.abort(),
    });
    await expect(run).rejects.toThrow(DockerAbortedError);
  });

  it('throws DockerRunError for a missing image or command, and removes its containers', async () => {
    const missing = await failure(docker.run({ image: 'unionml-no-such-image:1', networkMode: 'host', cmd: ['true'] }));
    expect(missing).toBeInstanceOf(DockerRunError);
    expect((missing as DockerRunError).message).toBe('cannot run unionml-no-such-image:1: the daemon has no such image');
    const notFound = await failure(docker.run({ image: BASE_IMAGE, networkMode: 'host', cmd: ['no-such-command-xyz'] }));
    expect(notFound).toBeInstanceOf(DockerRunError);
    expect((notFound as DockerRunError).message).toMatch(/no-such-command-xyz.*not found/);
    // no container of ours is left behind
    const left = execFileSync('docker', ['ps', '-a', '--filter', `ancestor=${BASE_IMAGE}`, '--format', '{{.Command}}'], { encoding: 'utf8' });
    expect(left).not.toMatch(/no-such-command-xyz|to stdout|started/);
  });
});

describe('Docker.inspect / tag / remove', () => {
  it('tags an image, removes only the tag, and treats a missing image as nothing to do', async () => {
    const base = await docker.inspect(BASE_IMAGE);
    expect(base?.labels['org.unionml.base.node']).toBe(process.versions.node);
    const tag = res.tag('tagged');
    await docker.tag(BASE_IMAGE, tag);
    expect((await docker.inspect(tag))?.id).toBe(base?.id);
    await docker.remove(tag);
    expect(await docker.inspect(tag)).toBeUndefined();
    expect((await docker.inspect(BASE_IMAGE))?.id).toBe(base?.id);
    await expect(docker.remove(tag)).resolves.toBeUndefined();
    expect(await docker.inspect('unionml-no-such-image:1')).toBeUndefined();
    const e = await failure(docker.tag('unionml-no-such-image:1', res.tag('never')));
    expect(e).toBeInstanceOf(DockerRequestError);
    expect((e as DockerRequestError).code).toBe('DOCKER_IMAGE_NOT_FOUND');
  });

  it('a tag without :tag means latest', async () => {
    const repo = `unionml-docker-test/latest-${process.pid}`;
    res.tags.push(`${repo}:latest`);
    await docker.tag(BASE_IMAGE, repo);
    expect(await docker.inspect(`${repo}:latest`)).toBeDefined();
  });
});
