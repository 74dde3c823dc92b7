// The cluster a RemoteModel talks to: the Flyte config (read once, when first needed), the FlyteAdmin client
// (connected on first use, or injected), the object store for model files and outputs, and console links.
// @unionml/flyte/admin (and with it @grpc/grpc-js) is imported here, lazily: importing @unionml/remote stays cheap.
import type { AdminClient, FlyteConfig } from '@unionml/flyte/admin';
import type { Storage } from '@unionml/flyte';

/** What a RemoteModel needs of a FlyteAdmin client: an {@link AdminClient}, or a stand-in with the same services. */
export type AdminLike = Pick<AdminClient, 'service' | 'dataProxy' | 'endpoint' | 'close'> & { readonly configPath?: string | undefined };

/** Where the cluster is and how to reach it. */
export interface ConnectionOptions {
  /** The Flyte config file; default as flytectl and flytekit resolve it: `FLYTECTL_CONFIG`, else `~/.flyte/config.yaml`. */
  config?: string | undefined;
  /** A FlyteAdmin client to use instead of connecting (it is not closed by {@link Connection.close}). */
  admin?: AdminLike | undefined;
  /** The environment the config's `FLYTE_*` overrides and S3 credentials are read from (default `process.env`). */
  env?: NodeJS.ProcessEnv | undefined;
}

/** A lazily made connection to FlyteAdmin and the cluster's object store. */
export class Connection {
  #config: FlyteConfig | undefined;
  #admin: Promise<AdminLike> | undefined;
  #owned = false;
  #storage: Storage | undefined;

  constructor(private readonly options: ConnectionOptions) {}

  /** The Flyte config: the file given (or the default one), with the environment's `FLYTE_*` overrides. */
  async config(): Promise<FlyteConfig> {
    if (this.#config) return this.#config;
    const { readFlyteConfig } = await import('@unionml/flyte/admin');
    const env = this.options.env ?? process.env;
    const injected = this.options.admin;
    if (injected && !this.options.config) {
      // An injected client: its own config file if it has one, else the default file, else its settings alone.
      const path = injected.configPath;
      try {
        this.#config = readFlyteConfig({ ...(path ? { path } : {}), env });
      } catch {
        this.#config = { path: undefined, admin: { endpoint: injected.endpoint }, console: {}, storage: { connection: {} } };
      }
    } else {
      this.#config = readFlyteConfig({ ...(this.options.config ? { path: this.options.config } : {}), env });
    }
    return this.#config;
  }

  /** The FlyteAdmin client: the injected one, or one connected (GetVersion answered) on first use. */
  admin(): Promise<AdminLike> {
    if (this.options.admin) return Promise.resolve(this.options.admin);
    this.#admin ??= (async () => {
      const [{ AdminClient }, config] = await Promise.all([import('@unionml/flyte/admin'), this.config()]);
      const client = await AdminClient.connect(config);
      this.#owned = true;
      return client;
    })();
    // A failed connection is not kept: the next call tries again.
    this.#admin.catch(() => (this.#admin = undefined));
    return this.#admin;
  }

  /** FlyteAdmin's address, e.g. `localhost:30080`. */
  async endpoint(): Promise<string> {
    if (this.options.admin) return this.options.admin.endpoint;
    const { parseEndpoint } = await import('@unionml/flyte/admin');
    return parseEndpoint((await this.config()).admin.endpoint).address;
  }

  /**
   * The object store of the cluster's data (model files, outputs), with the config's storage settings: its
   * `storage.connection` (endpoint, keys, region; `FLYTE_AWS_*` variables override them) for `s3://`, local files, and
   * `http(s)://` for signed URLs. Without S3 credentials (in the config or the environment), `s3://` objects are read
   * through DataProxy's signed download URLs.
   */
  async storage(): Promise<Storage> {
    if (this.#storage) return this.#storage;
    const [{ anyStorage, uriScheme }, { dataProxyDownloads }] = await Promise.all([import('@unionml/flyte'), import('./data.js')]);
    const env = storageEnv(await this.config(), this.options.env ?? process.env);
    const direct = anyStorage(env);
    if (hasS3Credentials(env)) return (this.#storage = direct);
    const proxied = dataProxyDownloads(await this.admin());
    const pick = (uri: string) => (uriScheme(uri) === 's3' || uriScheme(uri) === 'gs' ? proxied : direct);
    this.#storage = {
      read: (uri) => pick(uri).read(uri),
      write: (uri, data) => pick(uri).write(uri, data),
      exists: (uri) => pick(uri).exists(uri),
      list: (prefix) => pick(prefix).list(prefix),
      copyFrom: (path, uri) => pick(uri).copyFrom(path, uri),
      copyTo: (uri, path) => pick(uri).copyTo(uri, path),
    };
    return this.#storage;
  }

  /** The console page of an execution, as flytekit prints it: `<console.endpoint>/console/projects/<p>/domains/<d>/executions/<name>`. */
  async consoleUrl(project: string, domain: string, name: string): Promise<string> {
    const config = await this.config();
    return consoleUrl(config.console.endpoint ?? consoleFromEndpoint(config.admin.endpoint), project, domain, name);
  }

  /** Closes the client this connection made (an injected one is the caller's to close). */
  async close(): Promise<void> {
    const admin = this.#admin;
    this.#admin = undefined;
    if (admin && this.#owned) (await admin.catch(() => undefined))?.close();
  }
}

/**
 * The environment S3Storage reads its settings from: the Flyte config's `storage.connection` (which already holds
 * the `FLYTE_AWS_*` overrides) over the process's, so that the config's MinIO keys are used for `s3://` data.
 */
export function storageEnv(config: FlyteConfig, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const { endpoint, accessKey, secretKey, region } = config.storage.connection;
  return {
    ...env,
    ...(endpoint ? { FLYTE_AWS_ENDPOINT: endpoint } : {}),
    ...(accessKey ? { FLYTE_AWS_ACCESS_KEY_ID: accessKey } : {}),
    ...(secretKey ? { FLYTE_AWS_SECRET_ACCESS_KEY: secretKey } : {}),
    ...(region && !env['FLYTE_AWS_REGION'] ? { FLYTE_AWS_REGION: region } : {}),
  };
}

/** Whether S3Storage has keys to sign with (the config's, FLYTE_AWS_*, or AWS_*). */
export function hasS3Credentials(env: NodeJS.ProcessEnv): boolean {
  return Boolean((env['FLYTE_AWS_ACCESS_KEY_ID'] || env['AWS_ACCESS_KEY_ID']) && (env['FLYTE_AWS_SECRET_ACCESS_KEY'] || env['AWS_SECRET_ACCESS_KEY']));
}

/** An execution's console page under a console URL. */
export function consoleUrl(console: string, project: string, domain: string, name: string): string {
  const base = console.replace(/\/+$/, '').replace(/\/console$/, '');
  return `${base}/console/projects/${encodeURIComponent(project)}/domains/${encodeURIComponent(domain)}/executions/${encodeURIComponent(name)}`;
}

/** Without `console.endpoint`, flytekit links to the admin endpoint's host over https (http for localhost). */
export function consoleFromEndpoint(endpoint: string): string {
  const host = endpoint.replace(/^(dns:\/\/\/|dns:|grpcs?:\/\/|https?:\/\/)/, '').replace(/\/.*$/, '');
  return `${isLocalEndpoint(host) ? 'http' : 'https'}://${host}`;
}

/** Whether FlyteAdmin's address is on this machine (Python UnionML: the endpoint starts with `localhost`). */
export function isLocalEndpoint(endpoint: string): boolean {
  const host = endpoint.replace(/^(dns:\/\/\/|dns:|grpcs?:\/\/|https?:\/\/)/, '');
  return /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?(\/.*)?$/.test(host);
}
