import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Credentials for a registry, as the Engine API's `X-Registry-Auth` header carries them. */
export interface RegistryAuth {
  username: string;
  password: string;
  /** The registry's address as Docker names it: the host (and port), or `https://index.docker.io/v1/` for Docker Hub. */
  serveraddress: string;
}

/** Docker Hub's key in `config.json`. */
export const DOCKER_HUB_AUTH_KEY = 'https://index.docker.io/v1/';

interface ConfigFile {
  auths?: Record<string, { auth?: string; username?: string; password?: string } | undefined>;
  credsStore?: string;
  credHelpers?: Record<string, string | undefined>;
}

/** The path of the Docker CLI's config file: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`. */
export function dockerConfigPath(): string {
  return join(process.env['DOCKER_CONFIG'] || join(homedir(), '.docker'), 'config.json');
}

/**
 * The credentials the Docker CLI would use for `registry` (undefined for Docker Hub), read from its config file
 * (`configPath`, default {@link dockerConfigPath}): a credential helper (`credHelpers[registry]`, then `credsStore`,
 * run as `docker-credential-<name> get`), else `auths[registry]` (`auth` as base64 `user:password`, or `username` and
 * `password`). Keys of `auths` match with or without a scheme or path (`https://localhost:5000/v2/` matches
 * `localhost:5000`). Undefined when nothing is configured (or the file is missing or unreadable).
 *
 * @example
 * ```ts
 * dockerConfigAuth('localhost:5000'); // { username: 'u', password: 'p', serveraddress: 'localhost:5000' }
 * ```
 */
export function dockerConfigAuth(registry: string | undefined, configPath: string = dockerConfigPath()): RegistryAuth | undefined {
  let config: ConfigFile;
  try {
    const parsed: unknown = JSON.parse(readFileSync(configPath, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    config = parsed;
  } catch {
    return undefined;
  }
  const hub = registry === undefined || registry === 'docker.io' || registry === 'index.docker.io';
  const serveraddress = hub ? DOCKER_HUB_AUTH_KEY : registry;
  const wanted = hub ? 'index.docker.io' : registry;

  const helper = config.credHelpers?.[hub ? DOCKER_HUB_AUTH_KEY : registry] ?? (hub ? config.credHelpers?.['docker.io'] : undefined) ?? config.credsStore;
  if (helper) {
    const fromHelper = credentialHelper(helper, serveraddress);
    if (fromHelper) return fromHelper;
  }

  for (const [key, entry] of Object.entries(config.auths ?? {})) {
    if (!entry || normalizeKey(key) !== wanted) continue;
    if (typeof entry.auth === 'string' && entry.auth !== '') {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0) return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), serveraddress };
    }
    if (typeof entry.username === 'string' && typeof entry.password === 'string') {
      return { username: entry.username, password: entry.password, serveraddress };
    }
  }
  return undefined;
}

/** `https://index.docker.io/v1/` → `index.docker.io`, `http://localhost:5000/v2` → `localhost:5000`. */
function normalizeKey(key: string): string {
  const host = key.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').split('/')[0] ?? '';
  return host === 'docker.io' || host === 'registry-1.docker.io' ? 'index.docker.io' : host;
}

/** Runs `docker-credential-<name> get`; undefined when it fails, finds nothing, or returns an identity token. */
function credentialHelper(name: string, serverURL: string): RegistryAuth | undefined {
  const result = spawnSync(`docker-credential-${name}`, ['get'], { input: serverURL, encoding: 'utf8', timeout: 15_000 });
  if (result.error || result.status !== 0) return undefined;
  try {
    const parsed = JSON.parse(result.stdout) as { Username?: unknown; Secret?: unknown };
    if (typeof parsed.Username !== 'string' || typeof parsed.Secret !== 'string' || parsed.Username === '<token>') return undefined;
    return { username: parsed.Username, password: parsed.Secret, serveraddress: serverURL };
  } catch {
    return undefined;
  }
}
