// The Flyte side of the CLI: package, execute (the container entrypoint) and --local --compiled, on the tiny app.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { flyteidl, Long, readBundle } from '@unionml/flyte';
import { describe, expect, it } from 'vitest';
import { APPS, REPO, onlyJson, tempDir, unionml } from '../test-support/run.js';

const errorDocument = (outputPrefix: string) => flyteidl.core.ErrorDocument.decode(readFileSync(join(outputPrefix, 'error.pb')));
const uri = (path: string) => pathToFileURL(path).href;

describe('unionml package', () => {
  it('writes the bundle of 4 tasks, 3 workflows and 3 launch plans, and reports it with --json', async () => {
    const output = join(tempDir(), 'bundle.tgz');
    const result = await unionml(['package', 'tiny:model', '--image', 'tiny:v1', '--version', 'v1', '-o', output, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const report = onlyJson(result) as { files: string[]; version: string; bundle: string };
    expect(report).toMatchObject({ bundle: output, version: 'v1', project: 'flytesnacks', domain: 'development', image: 'tiny:v1' });
    expect(report.files.map((f) => f.replace(/^\d+_/, ''))).toEqual([
      'tiny_dataset.dataset_task_1.pb',
      'tiny_classifier.train_task_1.pb',
      'tiny_classifier.predict_task_1.pb',
      'tiny_classifier.predict_from_features_task_1.pb',
      'tiny_classifier.train_2.pb',
      'tiny_classifier.predict_2.pb',
      'tiny_classifier.predict_from_features_2.pb',
      'tiny_classifier.train_3.pb',
      'tiny_classifier.predict_3.pb',
      'tiny_classifier.predict_from_features_3.pb',
    ]);
    const bundle = await readBundle(output);
    expect(bundle.tasks[1]?.template?.container?.args?.slice(-6)).toEqual(['app-module', 'tiny', 'unionml-obj-name', 'model', 'task-name', 'train_task']);
  });

  it('versions by the git commit and refuses uncommitted changes', async () => {
    const dir = tempDir();
    copyFileSync(join(APPS, 'tiny.ts'), join(dir, 'app.ts'));
    symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'));
    writeFileSync(join(dir, '.gitignore'), 'node_modules\n');
    writeFileSync(join(dir, 'package.json'), '{"type": "module"}\n');
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: dir, encoding: 'utf8' }).trim();
    const notRepo = await unionml(['package', 'app:model', '--image', 'x:1', '-o', join(dir, 'b.tgz')], { cwd: dir });
    expect(notRepo.code).toBe(1);
    expect(notRepo.stderr).toContain('is not in a git repository with a commit');
    git('init', '-q');
    git('add', '-A');
    git('commit', '-qm', 'init');
    const committed = await unionml(['package', 'app:model', '--image', 'x:1', '-o', join(dir, '..', `${Date.now()}.tgz`), '--json'], { cwd: dir });
    expect(committed.code, committed.stderr).toBe(0);
    expect((onlyJson(committed) as { version: string }).version).toBe(git('rev-parse', 'HEAD'));
    writeFileSync(join(dir, 'new.txt'), 'x');
    const dirty = await unionml(['package', 'app:model', '--image', 'x:1', '-o', join(dir, 'b.tgz')], { cwd: dir });
    expect(dirty.code).toBe(1);
    expect(dirty.stderr).toContain('Version number cannot be determined with uncommitted changes present.');
  });

  it('needs --image, and names an undeclarable field', async () => {
    const noImage = await unionml(['package', 'tiny:model', '--version', 'v1']);
    expect([noImage.code, noImage.stderr]).toEqual([2, expect.stringContaining('missing --image IMAGE')]);
    const undeclared = await unionml(['package', 'tiny:other', '--image', 'x:1', '--version', 'v1', '-o', join(tempDir(), 'b.tgz')]);
    expect(undeclared.code).toBe(1);
    expect(undeclared.stderr).toContain("model 'other_classifier' does not declare its prediction type");
  });
});

describe('loading a TypeScript app that Node takes for CommonJS', () => {
  it('says to add "type": "module"', async () => {
    const dir = tempDir();
    // No package.json with "type": "module": the .ts file loads as CommonJS, where top-level await is an error.
    writeFileSync(join(dir, 'cjs.ts'), 'await Promise.resolve();\nexport const model = 1;\n');
    const result = await unionml(['train', 'cjs:model', '--local'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('hint: the app was loaded as CommonJS: add "type": "module" to its package.json');
  });
});

describe('unionml execute (the task container entrypoint)', () => {
  const address = (task: string) => ['--', 'app-module', 'tiny', 'unionml-obj-name', 'model', 'task-name', task];
  const prefixes = () => {
    const dir = tempDir();
    return { dir, out: join(dir, 'out'), args: ['--output-prefix', uri(join(dir, 'out')), '--raw-output-data-prefix', uri(join(dir, 'raw'))] };
  };

  it('writes a SYSTEM error.pb for missing or corrupt inputs.pb, and exits 0 as flytekit', async () => {
    const missing = prefixes();
    const a = await unionml(['execute', '--inputs', uri(join(missing.dir, 'inputs.pb')), ...missing.args, ...address('dataset_task')]);
    expect(a.code, a.stderr).toBe(0);
    const doc = errorDocument(missing.out).error!;
    expect(doc.origin).toBe(flyteidl.core.ExecutionError.ErrorKind.SYSTEM);
    expect(doc.message).toContain('does not exist');

    const corrupt = prefixes();
    mkdirSync(corrupt.dir, { recursive: true });
    writeFileSync(join(corrupt.dir, 'inputs.pb'), 'not a protobuf \u0000\u00ff');
    const b = await unionml(['execute', '--inputs', uri(join(corrupt.dir, 'inputs.pb')), ...corrupt.args, ...address('dataset_task')]);
    expect(b.code).toBe(0);
    expect(errorDocument(corrupt.out).error?.origin).toBe(flyteidl.core.ExecutionError.ErrorKind.SYSTEM);
    expect(existsSync(join(corrupt.out, 'outputs.pb'))).toBe(false);
  });

  it('names an unknown task address (SYSTEM, not recoverable) and bad arguments', async () => {
    const p = prefixes();
    mkdirSync(p.dir, { recursive: true });
    writeFileSync(join(p.dir, 'inputs.pb'), flyteidl.core.LiteralMap.encode({ literals: {} }).finish());
    const result = await unionml(['execute', '--inputs', uri(join(p.dir, 'inputs.pb')), ...p.args, ...address('deploy_task')]);
    expect(result.code).toBe(0);
    const error = errorDocument(p.out).error!;
    expect(error.origin).toBe(flyteidl.core.ExecutionError.ErrorKind.SYSTEM);
    expect(error.kind).toBe(flyteidl.core.ContainerError.Kind.NON_RECOVERABLE);
    expect(error.message).toContain("model 'tiny_classifier' has no task 'deploy_task'");
    expect(result.stderr).toContain("has no task 'deploy_task'");
    const bad = await unionml(['execute', '--inputs', 'x']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('missing --output-prefix');
  });

  it('an output prefix under /proc: exits 2 within seconds with both errors on stderr (it used to hang for ever)', async () => {
    const p = prefixes();
    mkdirSync(p.dir, { recursive: true });
    writeFileSync(
      join(p.dir, 'inputs.pb'),
      flyteidl.core.LiteralMap.encode({
        literals: { n: { scalar: { primitive: { integer: Long.fromNumber(20) } } }, offset: { scalar: { primitive: { floatValue: 0 } } } },
      }).finish(),
    );
    const prefix = `/proc/unionml-cli-${process.pid}`;
    const started = Date.now();
    const result = await unionml(
      [
        'execute',
        '--inputs',
        uri(join(p.dir, 'inputs.pb')),
        '--output-prefix',
        prefix,
        '--raw-output-data-prefix',
        uri(join(p.dir, 'raw')),
        ...address('dataset_task'),
      ],
      { timeoutMs: 30_000 },
    );
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain('!! Cannot write error.pb: exit 2 !!');
    expect(result.stderr).toContain(
      `the task's error (not written): [SYSTEM:StorageFailed] cannot write the outputs of task tiny_dataset.dataset_task to ${prefix}: cannot write ${prefix}/outputs.pb: cannot create the folder ${prefix} (ENOENT`,
    );
    expect(result.stderr).toContain(
      `the error writing ${prefix}/error.pb: [STORAGE_FAILED] cannot write ${prefix}/error.pb: cannot create the folder ${prefix} (ENOENT`,
    );
  }, 40_000);

  it('runs the dataset task: outputs.pb holds a Parquet structured dataset', async () => {
    const p = prefixes();
    mkdirSync(p.dir, { recursive: true });
    writeFileSync(
      join(p.dir, 'inputs.pb'),
      flyteidl.core.LiteralMap.encode({
        literals: { n: { scalar: { primitive: { integer: Long.fromNumber(20) } } }, offset: { scalar: { primitive: { floatValue: 0 } } } },
      }).finish(),
    );
    const result = await unionml(['execute', '--inputs', uri(join(p.dir, 'inputs.pb')), ...p.args, ...address('dataset_task')]);
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(join(p.out, 'error.pb'))).toBe(false);
    const outputs = flyteidl.core.LiteralMap.decode(readFileSync(join(p.out, 'outputs.pb')));
    const dataset = outputs.literals['data']?.scalar?.structuredDataset;
    expect(dataset?.metadata?.structuredDatasetType?.format).toBe('parquet');
    expect(
      readFileSync(new URL(`${dataset!.uri!}/00000`))
        .subarray(0, 4)
        .toString(),
    ).toBe('PAR1');
  });
});

describe('unionml train|predict --local --compiled', () => {
  it('gives the same metrics and predictions as the in-process path', async () => {
    const dir = tempDir();
    const inProcess = await unionml(['train', 'tiny:model', '--local', '--json', '-o', join(dir, 'a.json')]);
    const compiled = await unionml(['train', 'tiny:model', '--local', '--compiled', '--json', '-o', join(dir, 'b.json')]);
    expect(compiled.code, compiled.stderr).toBe(0);
    const a = onlyJson(inProcess) as { metrics: unknown; hyperparameters: unknown };
    const b = onlyJson(compiled) as { metrics: unknown; hyperparameters: unknown; nodes: { id: string }[] };
    expect(b.metrics).toEqual(a.metrics);
    expect(b.hyperparameters).toEqual(a.hyperparameters);
    expect(b.nodes.map((n) => n.id)).toEqual(['n0', 'n1']);
    expect(compiled.stderr).toMatch(/tiny_dataset\.dataset_task \(n0\) succeeded in \d+\.\d s/);

    const features = join(dir, 'features.json');
    writeFileSync(
      features,
      JSON.stringify([
        { x: 1, x2: 2 },
        { x: 90, x2: 180 },
      ]),
    );
    const local = await unionml(['predict', 'tiny:model', '--local', '--model-path', join(dir, 'a.json'), '-f', features, '--json']);
    const viaFlyte = await unionml(['predict', 'tiny:model', '--local', '--compiled', '--model-path', join(dir, 'b.json'), '-f', features, '--json']);
    expect(viaFlyte.code, viaFlyte.stderr).toBe(0);
    expect(onlyJson(viaFlyte)).toEqual(onlyJson(local));
    const fromReader = await unionml([
      'predict',
      'tiny:model',
      '--local',
      '--compiled',
      '--model-path',
      join(dir, 'b.json'),
      '-i',
      '{"n": 20, "offset": 50}',
      '--json',
    ]);
    const fromReaderLocal = await unionml(['predict', 'tiny:model', '--local', '--model-path', join(dir, 'a.json'), '-i', '{"n": 20, "offset": 50}', '--json']);
    expect(onlyJson(fromReader)).toEqual(onlyJson(fromReaderLocal));
  }, 120_000);

  it("stops at a failing node with the app's error from error.pb", async () => {
    const result = await unionml([
      'train',
      'tiny:model',
      '--local',
      '--compiled',
      '-i',
      '{"trainerKwargs": {"explode": true}}',
      '-o',
      join(tempDir(), 'm.json'),
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error: node n1 (tiny_classifier.train_task) failed with a USER error [USER:RuntimeError]: Error: the trainer exploded\n');
    expect(result.stderr).not.toContain('Trace:');
    const verbose = await unionml([
      'train',
      'tiny:model',
      '--local',
      '--compiled',
      '--verbose',
      '-i',
      '{"trainerKwargs": {"explode": true}}',
      '-o',
      join(tempDir(), 'm.json'),
    ]);
    expect(verbose.stderr).toMatch(/Trace:\n\n {4}Error: the trainer exploded\n {8}at /);
  }, 120_000);
});

describe('the run folder of unionml train|predict --local --compiled', () => {
  it('is removed when the run ends, succeeded or failed; --keep keeps it and says where it is', async () => {
    const dir = tempDir();
    // A private temporary folder (os.tmpdir() follows TMPDIR), so that only this test's run folders are counted.
    const tmp = join(dir, 'tmp');
    mkdirSync(tmp);
    const env = { TMPDIR: tmp };
    const runFolders = () => readdirSync(tmp).filter((name) => name.startsWith('unionml-run-'));
    const kept = (stderr: string) => /\[unionml\] keeping the run's files in (\S+) \(--keep\)\n/.exec(stderr)?.[1];
    const modelFile = join(dir, 'model.json');
    const features = join(dir, 'features.json');
    writeFileSync(features, JSON.stringify([{ x: 1, x2: 2 }]));
    const train = ['train', 'tiny:model', '--local', '--compiled', '--json'];
    const predict = ['predict', 'tiny:model', '--local', '--compiled', '--model-path', modelFile, '-f', features, '--json'];

    const trained = await unionml([...train, '-o', modelFile], { env });
    expect(trained.code, trained.stderr).toBe(0);
    expect(existsSync(modelFile)).toBe(true); // copied out before the folder went
    expect(runFolders()).toEqual([]);
    const report = onlyJson(trained) as { modelPath: string; workDir?: string; nodes: { id: string; taskName: string }[] };
    expect(report.modelPath).toBe(modelFile);
    expect(report.workDir).toBeUndefined();
    expect(report.nodes.map((n) => `${n.taskName} (${n.id})`)).toEqual(['tiny_dataset.dataset_task (n0)', 'tiny_classifier.train_task (n1)']);
    expect(kept(trained.stderr)).toBeUndefined();

    const predicted = await unionml(predict, { env });
    expect(predicted.code, predicted.stderr).toBe(0);
    expect(runFolders()).toEqual([]);

    const failed = await unionml(['train', 'tiny:model', '--local', '--compiled', '-i', '{"trainerKwargs": {"explode": true}}', '-o', join(dir, 'm.json')], {
      env,
    });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('the trainer exploded');
    expect(runFolders()).toEqual([]);

    const keptTraining = await unionml([...train, '-o', join(dir, 'kept.json'), '--keep'], { env });
    expect(keptTraining.code, keptTraining.stderr).toBe(0);
    const [trainFolder] = runFolders();
    expect(kept(keptTraining.stderr)).toBe(join(tmp, trainFolder!));
    expect((onlyJson(keptTraining) as { workDir?: string }).workDir).toBe(join(tmp, trainFolder!));
    expect(readdirSync(join(tmp, trainFolder!))).toEqual(expect.arrayContaining(['metadata', 'data']));

    const keptPrediction = await unionml([...predict, '--keep'], { env });
    expect(keptPrediction.code, keptPrediction.stderr).toBe(0);
    const predictFolder = runFolders().find((name) => name !== trainFolder);
    expect(kept(keptPrediction.stderr)).toBe(join(tmp, predictFolder!));
    expect(existsSync(join(tmp, predictFolder!, 'inputs', 'model.json'))).toBe(true);
    expect(runFolders()).toHaveLength(2);
  }, 180_000);
});
