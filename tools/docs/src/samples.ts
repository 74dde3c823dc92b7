// The code samples of the READMEs: fenced `ts` blocks whose first line names a file (`// app.ts`). The samples of one
// README are one project: they are written into a folder of this project, typechecked together (strict, nodenext,
// resolving the workspace's built packages as a user's install would), and `main.ts`, if there is one, is run.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
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

/** The workspace's packages and apps (`packages/*`, `apps/*`), with whether they are published. */
export function workspacePackages(): { folder: string; name: string; published: boolean }[] {
  return ['packages', 'apps'].flatMap((parent) =>
    readdirSync(join(ROOT, parent))
      .filter((dir) => existsSync(join(ROOT, parent, dir, 'package.json')))
      .map((dir) => {
        const pkg = JSON.parse(readFileSync(join(ROOT, parent, dir, 'package.json'), 'utf8')) as { name: string; private?: boolean };
        return { folder: `${parent}/${dir}`, name: pkg.name, published: pkg.private !== true };
      }),
  );
}

/** The READMEs whose samples are checked: the repository's, and every package's and app's that has one. */
export function readmes(): { name: string; path: string }[] {
  const packages = workspacePackages()
    .map(({ folder }) => ({ name: folder.replace('/', '-'), path: join(ROOT, folder, 'README.md') }))
    .filter(({ path }) => existsSync(path));
  return [{ name: 'root', path: join(ROOT, 'README.md') }, ...packages];
}

/** The packages that are published (not `private`), by folder. */
export function publicPackages(): { folder: string; name: string }[] {
  return workspacePackages()
    .filter((pkg) => pkg.published)
    .map(({ folder, name }) => ({ folder, name }));
}
