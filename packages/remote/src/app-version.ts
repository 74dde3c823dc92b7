import { execFileSync } from 'node:child_process';
import { VersionError } from './errors.js';

/**
 * The app version: the full commit hash of the git repository holding `cwd` (as Python UnionML). Uncommitted
 * changes are refused unless `allowUncommitted`, because the version would not describe the code.
 */
export function appVersion(cwd: string, options: { allowUncommitted?: boolean } = {}): string {
  const git = (args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  let sha: string;
  try {
    sha = git(['rev-parse', 'HEAD']);
  } catch {
    throw new VersionError(
      `the app version cannot be determined: ${cwd} is not in a git repository with a commit`,
      'commit the app (git init && git add -A && git commit -m init), or pass --version',
    );
  }
  if (!options.allowUncommitted && git(['status', '--porcelain']) !== '') {
    throw new VersionError(
      'Version number cannot be determined with uncommitted changes present.',
      'commit your changes, pass --allow-uncommitted, or pass --version',
    );
  }
  return sha;
}
