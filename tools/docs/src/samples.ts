// The code samples of the READMEs: fenced `ts` blocks whose first line names a file (`// app.ts`). The samples of one
// README are one project: they are written into a folder of this project, typechecked together (strict, nodenext,
// resolving the workspace's built packages as a user's install would), and `main.ts`, if there is one, is run.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The workspace root. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** A file of a README's samples. */
export interface Sample {
  file: string;
  code: string;
  /** The line of the README where the block starts (1-based). */
  line: number;
}

/** The samples of a Markdown text: ```ts blocks whose first line is `// <file>.ts`. */
export function extractSamples(markdown: string): Sample[] {
  const samples: Sample[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(ts|typescript)\s*$/.test(lines[i]!)) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !lines[i]!.startsWith('```'); i++) body.push(lines[i]!);
    const file = /^\/\/ ([\w./-]+\.ts)\b/.exec(body[0] ?? '')?.[1];
    if (file) samples.push({ file, code: `${body.join('\n')}\n`, line: start + 1 });
  }
  return samples;
}

/** The READMEs whose samples are checked: the repository's, and every public package's and app's. */
export function readmes(): { name: string; path: string }[] {
  const list = [{ name: 'root', path: join(ROOT, 'README.md') }];
  for (const folder of ['packages', 'apps']) {
    for (const name of ['errors', 'data', 'flyte', 'docker', 'core', 'compiler', 'server', 'remote', 'cli', 'server']) {
      const path = join(ROOT, folder, name, 'README.md');
      if (existsSync(path) && !list.some((r) => r.path === path)) list.push({ name: `${folder}-${name}`, path });
    }
  }
  return list;
}

/** The packages that are published (not `private`), by folder. */
export function publicPackages(): { folder: string; name: string }[] {
  const out: { folder: string; name: string }[] = [];
  for (const folder of [
    'packages/errors',
    'packages/data',
    'packages/flyte',
    'packages/docker',
    'packages/core',
    'packages/compiler',
    'packages/server',
    'packages/remote',
    'apps/cli',
    'apps/server',
  ]) {
    const pkg = JSON.parse(readFileSync(join(ROOT, folder, 'package.json'), 'utf8')) as { name: string; private?: boolean };
    if (!pkg.private) out.push({ folder, name: pkg.name });
  }
  return out;
}
