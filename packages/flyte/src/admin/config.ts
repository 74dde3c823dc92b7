/**
 * Flyte's client config, read as Flyte's own tools read it: flytectl's YAML (`~/.flyte/config.yaml`, the file
 * `flytectl demo start` writes, `FLYTECTL_CONFIG`), with flytekit's `FLYTE_*` environment variables over it
 * (flytekit's `configuration/internal.py`: `FLYTE_{SECTION}_{OPTION}`; the environment wins over the file).
 * @module
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { FlyteConfigError } from './errors.js';

/** The `admin` section: how to reach FlyteAdmin and authenticate to it. */
export interface AdminConfig {
  /** As written: `dns:///localhost:30080`, `localhost:30080`, `https://flyte.example.com`... (`FLYTE_PLATFORM_URL`). */
  endpoint: string;
  /** Plain-text HTTP/2 (no TLS), as the sandbox's `insecure: true` (`FLYTE_PLATFORM_INSECURE`). Unset: TLS, unless the endpoint says `http://`. */
  insecure?: boolean;
  /** TLS without verifying the server's certificate (`FLYTE_PLATFORM_INSECURE_SKIP_VERIFY`). */
  insecureSkipVerify?: boolean;
  /** A PEM file of the CA certificates to trust instead of the default roots (`FLYTE_PLATFORM_CA_CERT_FILE_PATH`). */
  caCertFilePath?: string;
  /** `ClientSecret` (also `basic`, `client_credentials`), `Pkce` (also `standard`), `DeviceFlow`, `ExternalCommand` (`FLYTE_CREDENTIALS_AUTH_MODE`). */
  authType?: string;
  /** The OAuth2 client id of the client-credentials flow (`FLYTE_CREDENTIALS_CLIENT_ID`). */
  clientId?: string;
  /** The client secret itself: `FLYTE_CREDENTIALS_CLIENT_SECRET`, or the value of the variable `clientSecretEnvVar` names. */
  clientSecret?: string;
  /** A file holding the client secret, read when a token is needed (`FLYTE_CREDENTIALS_CLIENT_SECRET_LOCATION`). */
  clientSecretLocation?: string;
  /** The environment variable holding the client secret (`FLYTE_CREDENTIALS_CLIENT_SECRET_ENV_VAR`). */
  clientSecretEnvVar?: string;
  /** OAuth2 scopes to ask for; without them, the server's (`FLYTE_CREDENTIALS_SCOPES`, comma-separated). */
  scopes?: string[];
  /** The OAuth2 audience; without it, the server's (`FLYTE_CREDENTIALS_AUDIENCE`). */
  audience?: string;
  /** The ExternalCommand auth type's command (`FLYTE_CREDENTIALS_COMMAND`); read, not run. */
  command?: string[];
}

/** The `storage` section (the object store the cluster's data lives in), as `flytectl demo start` writes it. */
export interface StorageConfig {
  /** `minio`, `s3`, `gcs`, `stow`... */
  type?: string;
  /** The bucket, e.g. `my-s3-bucket`. */
  container?: string;
  connection: {
    /** `FLYTE_AWS_ENDPOINT`. */
    endpoint?: string;
    /** `FLYTE_AWS_ACCESS_KEY_ID`. */
    accessKey?: string;
    /** `FLYTE_AWS_SECRET_ACCESS_KEY`. */
    secretKey?: string;
    region?: string;
    disableSsl?: boolean;
    authType?: string;
  };
}

/** A Flyte client config: where it was read from, and its sections. */
export interface FlyteConfig {
  /** The file read (absolute), or `undefined` when it came from the environment alone (`FLYTE_PLATFORM_URL`). */
  path: string | undefined;
  admin: AdminConfig;
  console: {
    /** The console's URL, for links (`FLYTE_PLATFORM_CONSOLE_ENDPOINT`). */
    endpoint?: string;
  };
  storage: StorageConfig;
}

/** Options of {@link readFlyteConfig}. */
export interface ReadFlyteConfigOptions {
  /** The file to read (`~` is expanded). Default: `FLYTECTL_CONFIG`, else `~/.flyte/config.yaml`. */
  path?: string;
  /** The environment (default `process.env`): `FLYTECTL_CONFIG`, `HOME` and the `FLYTE_*` overrides are read from it. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** Where the config is read from: the path given, `FLYTECTL_CONFIG`, else `~/.flyte/config.yaml` (absolute, `~` expanded). */
export function resolveConfigPath(options: ReadFlyteConfigOptions = {}): { path: string; from: 'option' | 'FLYTECTL_CONFIG' | 'default' } {
  const env = options.env ?? process.env;
  if (options.path) return { path: expandHome(options.path, env), from: 'option' };
  const fromEnv = env['FLYTECTL_CONFIG'];
  if (fromEnv) return { path: expandHome(fromEnv, env), from: 'FLYTECTL_CONFIG' };
  return { path: join(homeOf(env), '.flyte', 'config.yaml'), from: 'default' };
}

/**
 * Reads the Flyte client config: the YAML file (see {@link resolveConfigPath}), then flytekit's environment variables
 * over it. Without a file, `FLYTE_PLATFORM_URL` alone is a config. Throws `FLYTE_CONFIG_NOT_FOUND` (no file, naming
 * where it looked) and `FLYTE_CONFIG_INVALID` (not YAML, a wrong type, no endpoint; naming the file and key).
 */
export function readFlyteConfig(options: ReadFlyteConfigOptions = {}): FlyteConfig {
  const env = options.env ?? process.env;
  const { path, from } = resolveConfigPath(options);
  let text: string | undefined;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code;
    // No file at the default place: the environment may still name the endpoint (as flytekit allows).
    if (!(from === 'default' && reason === 'ENOENT' && env['FLYTE_PLATFORM_URL'])) {
      const where = from === 'option' ? path : from === 'FLYTECTL_CONFIG' ? `${path} (FLYTECTL_CONFIG)` : `${path} (the default; FLYTECTL_CONFIG is not set)`;
      throw new FlyteConfigError(
        'FLYTE_CONFIG_NOT_FOUND',
        path,
        reason === 'ENOENT' ? `no Flyte config at ${where}` : `cannot read the Flyte config ${where}: ${(error as Error).message}`,
        {
          cause: error,
          hint:
            from === 'option'
              ? 'check the path of the config file (flytectl demo start writes ~/.flyte/config-sandbox.yaml)'
              : 'start a sandbox with `flytectl demo start` and set FLYTECTL_CONFIG=~/.flyte/config-sandbox.yaml, write ~/.flyte/config.yaml with `flytectl config init --host <admin host>`, or set FLYTE_PLATFORM_URL',
        },
      );
    }
  }
  const file = text === undefined ? undefined : parseYaml(text, path);
  const read = new Reader(file, text === undefined ? undefined : path, env);

  const endpoint = read.string('admin.endpoint', 'FLYTE_PLATFORM_URL');
  if (!endpoint) {
    throw new FlyteConfigError('FLYTE_CONFIG_INVALID', path, `the Flyte config ${path} has no admin.endpoint`, {
      hint: 'set admin.endpoint (e.g. dns:///localhost:30080 for a sandbox) in the file, or FLYTE_PLATFORM_URL',
    });
  }
  const admin: AdminConfig = { endpoint };
  assign(admin, 'insecure', read.boolean('admin.insecure', 'FLYTE_PLATFORM_INSECURE'));
  assign(admin, 'insecureSkipVerify', read.boolean('admin.insecureSkipVerify', 'FLYTE_PLATFORM_INSECURE_SKIP_VERIFY'));
  assign(admin, 'caCertFilePath', read.string('admin.caCertFilePath', 'FLYTE_PLATFORM_CA_CERT_FILE_PATH'));
  assign(admin, 'authType', read.string('admin.authType', 'FLYTE_CREDENTIALS_AUTH_MODE'));
  assign(admin, 'clientId', read.string('admin.clientId', 'FLYTE_CREDENTIALS_CLIENT_ID'));
  assign(admin, 'clientSecretLocation', read.string('admin.clientSecretLocation', 'FLYTE_CREDENTIALS_CLIENT_SECRET_LOCATION'));
  assign(admin, 'clientSecretEnvVar', read.string('admin.clientSecretEnvVar', 'FLYTE_CREDENTIALS_CLIENT_SECRET_ENV_VAR'));
  assign(admin, 'scopes', read.list('admin.scopes', 'FLYTE_CREDENTIALS_SCOPES'));
  assign(admin, 'audience', read.string('admin.audience', 'FLYTE_CREDENTIALS_AUDIENCE'));
  assign(admin, 'command', read.list('admin.command', 'FLYTE_CREDENTIALS_COMMAND'));
  // flytekit: FLYTE_CREDENTIALS_CLIENT_SECRET, overridden by the variable clientSecretEnvVar names (the file is read when needed).
  assign(admin, 'clientSecret', (admin.clientSecretEnvVar ? env[admin.clientSecretEnvVar] : undefined) || env['FLYTE_CREDENTIALS_CLIENT_SECRET'] || undefined);

  const consoleEndpoint = read.string('console.endpoint', 'FLYTE_PLATFORM_CONSOLE_ENDPOINT');
  const connection: StorageConfig['connection'] = {};
  assign(connection, 'endpoint', read.string('storage.connection.endpoint', 'FLYTE_AWS_ENDPOINT'));
  assign(connection, 'accessKey', read.string('storage.connection.access-key', 'FLYTE_AWS_ACCESS_KEY_ID'));
  assign(connection, 'secretKey', read.string('storage.connection.secret-key', 'FLYTE_AWS_SECRET_ACCESS_KEY'));
  assign(connection, 'region', read.string('storage.connection.region'));
  assign(connection, 'disableSsl', read.boolean('storage.connection.disable-ssl'));
  assign(connection, 'authType', read.string('storage.connection.auth-type'));
  const storage: StorageConfig = { connection };
  assign(storage, 'type', read.string('storage.type'));
  assign(storage, 'container', read.string('storage.container'));

  return { path: text === undefined ? undefined : path, admin, console: consoleEndpoint ? { endpoint: consoleEndpoint } : {}, storage };
}

/** The gRPC address of an endpoint as written in a config, and whether its scheme says TLS. */
export interface ParsedEndpoint {
  /** What grpc-js dials: `host:port` (or a `unix:` address). */
  target: string;
  /** `host:port` (or the `unix:` address), for messages. */
  address: string;
  /** `true` for `https://`, `false` for `http://`, `undefined` when the endpoint names no scheme. */
  tls: boolean | undefined;
}

/**
 * Turns a config's `admin.endpoint` into a gRPC target: `dns:///host:port` and `dns:host:port` → `host:port` (as
 * flytekit strips `dns:///`), `https://host[:port]` → `host:port` (443 by default) with TLS, `http://host[:port]` →
 * `host:port` (80 by default) without, `host[:port]` as it is.
 */
export function parseEndpoint(endpoint: string): ParsedEndpoint {
  const raw = endpoint.trim();
  if (/^unix:/.test(raw)) return { target: raw, address: raw, tls: undefined };
  const dns = /^dns:(?:\/\/[^/]*\/)?(.+)$/.exec(raw);
  if (dns) return { target: dns[1]!, address: dns[1]!, tls: undefined };
  const url = /^(https?):\/\/([^/?#]+)/i.exec(raw);
  if (url) {
    const tls = url[1]!.toLowerCase() === 'https';
    const host = url[2]!;
    const address = /:\d+$/.test(host) ? host : `${host}:${tls ? 443 : 80}`;
    return { target: address, address, tls };
  }
  return { target: raw, address: raw, tls: undefined };
}

/** Expands a leading `~` to the home folder (of `env.HOME` when given) and resolves against the current folder. */
export function expandHome(path: string, env: Readonly<Record<string, string | undefined>> = process.env): string {
  const expanded = path === '~' ? homeOf(env) : path.startsWith('~/') ? join(homeOf(env), path.slice(2)) : path;
  return isAbsolute(expanded) ? expanded : resolve(expanded);
}

function homeOf(env: Readonly<Record<string, string | undefined>>): string {
  return env['HOME'] || env['USERPROFILE'] || homedir();
}

function assign<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

function parseYaml(text: string, path: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: false });
  const error = doc.errors[0];
  if (error) {
    const line = error.linePos?.[0];
    throw new FlyteConfigError(
      'FLYTE_CONFIG_INVALID',
      path,
      `the Flyte config ${path} is not valid YAML${line ? ` (line ${line.line}, column ${line.col})` : ''}: ${firstLine(error.message)}`,
      {
        cause: error,
        hint: 'fix the YAML syntax at the line the message names (indentation, a missing colon, tabs)',
      },
    );
  }
  const value: unknown = doc.toJS();
  if (value !== null && value !== undefined && (typeof value !== 'object' || Array.isArray(value))) {
    throw new FlyteConfigError('FLYTE_CONFIG_INVALID', path, `the Flyte config ${path} is not a YAML mapping (admin:, console:, storage:...)`);
  }
  return value ?? {};
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.trim();
}

/** Reads one setting: the environment variable when set (flytekit's order), else the dotted key of the file. */
class Reader {
  constructor(
    private readonly file: unknown,
    private readonly path: string | undefined,
    private readonly env: Readonly<Record<string, string | undefined>>,
  ) {}

  string(key: string, envName?: string): string | undefined {
    const fromEnv = this.fromEnv(envName);
    if (fromEnv !== undefined) return fromEnv;
    const value = this.at(key);
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value === 'string') return value;
    if (typeof value === 'number') return String(value);
    throw this.wrongType(key, 'a string', value);
  }

  boolean(key: string, envName?: string): boolean | undefined {
    const fromEnv = this.fromEnv(envName);
    // flytekit's bool_transformer: anything but false, 0, off, no (and the empty string) is true.
    if (fromEnv !== undefined) return !['false', '0', 'off', 'no', ''].includes(fromEnv.trim().toLowerCase());
    const value = this.at(key);
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'boolean') return value;
    if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
    throw this.wrongType(key, 'true or false', value);
  }

  list(key: string, envName?: string): string[] | undefined {
    const fromEnv = this.fromEnv(envName);
    if (fromEnv !== undefined) return splitList(fromEnv);
    const value = this.at(key);
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string') return splitList(value);
    if (Array.isArray(value) && value.every((item): item is string => typeof item === 'string')) return value;
    throw this.wrongType(key, 'a list of strings', value);
  }

  private fromEnv(name: string | undefined): string | undefined {
    if (!name) return undefined;
    return this.env[name];
  }

  private at(key: string): unknown {
    let node: unknown = this.file;
    for (const part of key.split('.')) {
      if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
      node = (node as Record<string, unknown>)[part];
    }
    return node;
  }

  private wrongType(key: string, expected: string, value: unknown): FlyteConfigError {
    const path = this.path ?? '(environment)';
    return new FlyteConfigError('FLYTE_CONFIG_INVALID', path, `${key} in the Flyte config ${path} must be ${expected}, not ${JSON.stringify(value)}`);
  }
}

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}
