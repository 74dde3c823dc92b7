/**
 * `git init` and the initial commit of a new app (Python UnionML's post-generation hook): the app version that
 * deployment uses is the git commit.
 */
import { spawnSync } from 'node:child_process';

/** What {@link initialCommit} did. */
export type GitOutcome = { status: 'committed'; defaultIdentity: string[] } | { status: 'no-git' } | { status: 'failed'; step: string; detail: string };

/** The identity used when git has none configured. */
export const DEFAULT_IDENTITY = { 'user.name': 'unionml', 'user.email': 'unionml@localhost' } as const;

/**
 * Runs `git init`, `git add --all` and `git commit -m "initial commit for APP_NAME"` in `dir`. When git has no
 * user.name or user.email, the commit uses {@link DEFAULT_IDENTITY} for the missing ones (`git -c ...`), so that
 * it never fails for want of an identity.
 */
export function initialCommit(dir: string, appName: string): GitOutcome {
  const git = (args: string[]) => spawnSync('git', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
  const init = git(['init', '--quiet']);
  if (init.error && 'code' in init.error && init.error.code === 'ENOENT') return { status: 'no-git' };
  if (init.error || init.status !== 0) return { status: 'failed', step: 'git init', detail: detail(init) };
  const add = git(['add', '--all']);
  if (add.error || add.status !== 0) return { status: 'failed', step: 'git add --all', detail: detail(add) };

  const env = process.env;
  const configured = (key: string) => git(['config', '--get', key]).stdout?.trim();
  const missing: string[] = [];
  if (!configured('user.name') && !(env['GIT_AUTHOR_NAME'] && env['GIT_COMMITTER_NAME'])) missing.push('user.name');
  if (!configured('user.email') && !(env['GIT_AUTHOR_EMAIL'] && env['GIT_COMMITTER_EMAIL']) && !env['EMAIL']) missing.push('user.email');
  const identity = missing.flatMap((key) => ['-c', `${key}=${DEFAULT_IDENTITY[key as keyof typeof DEFAULT_IDENTITY]}`]);
  const commit = git([...identity, 'commit', '--quiet', '-m', `initial commit for ${appName}`]);
  if (commit.error || commit.status !== 0) return { status: 'failed', step: 'git commit', detail: detail(commit) };
  return { status: 'committed', defaultIdentity: missing };
}

function detail(result: ReturnType<typeof spawnSync>): string {
  if (result.error) return result.error.message;
  const text = `${String(result.stderr ?? '')}${String(result.stdout ?? '')}`.trim();
  return text || `exit status ${String(result.status ?? result.signal)}`;
}
