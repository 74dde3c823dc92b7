// The method table is flyteidl's own: every unary method the generated typings declare for the four services, with its
// path, message types and types; and `@unionml/flyte` itself does not load @grpc/grpc-js (task images do not carry it).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { flyteidl } from '../idl.js';
import type { AdminClient } from './client.js';
import { serviceMethods, type AdminServiceClient, type CallOptions, type DataProxyServiceClient, type ServiceName } from './services.js';

const here = dirname(fileURLToPath(import.meta.url));
const src = resolve(here, '..');

/** The unary methods each service class of flyteidl.d.ts declares (its promise overloads). */
function declaredMethods(): Map<ServiceName, string[]> {
  const dts = readFileSync(createRequire(import.meta.url).resolve('@flyteorg/flyteidl/gen/pb-js/flyteidl.d.ts'), 'utf8');
  const out = new Map<ServiceName, string[]>();
  for (const name of ['AdminService', 'DataProxyService', 'AuthMetadataService', 'IdentityService'] as const) {
    const start = dts.indexOf(`class ${name} extends $protobuf.rpc.Service {`);
    const body = dts.slice(start, dts.indexOf('\n        }\n', start));
    out.set(
      name,
      [...body.matchAll(/public (\w+)\(request: [\w.]+\): Promise<[\w.]+>;/g)].map((match) => match[1]!),
    );
  }
  return out;
}

describe('the method table', () => {
  it('has every unary method flyteidl declares, for each of the four services', () => {
    const declared = declaredMethods();
    const table = serviceMethods();
    expect([...table.keys()]).toEqual(['AdminService', 'DataProxyService', 'AuthMetadataService', 'IdentityService']);
    for (const [service, methods] of table)
      expect(
        methods.map((method) => method.key),
        service,
      ).toEqual(declared.get(service));
    expect(Object.fromEntries([...table].map(([service, methods]) => [service, methods.length]))).toEqual({
      AdminService: 56,
      DataProxyService: 4,
      AuthMetadataService: 2,
      IdentityService: 1,
    });
  });

  it('names each method’s gRPC path and its generated request and response types', () => {
    const admin = serviceMethods().get('AdminService')!;
    const createTask = admin.find((method) => method.key === 'createTask')!;
    expect(createTask).toMatchObject({ service: 'AdminService', name: 'CreateTask', path: '/flyteidl.service.AdminService/CreateTask', readOnly: false });
    expect(createTask.requestType).toBe(flyteidl.admin.TaskCreateRequest);
    expect(createTask.responseType).toBe(flyteidl.admin.TaskCreateResponse);
    const upload = serviceMethods()
      .get('DataProxyService')!
      .find((method) => method.key === 'createUploadLocation')!;
    expect([upload.path, upload.requestType, upload.responseType]).toEqual([
      '/flyteidl.service.DataProxyService/CreateUploadLocation',
      flyteidl.service.CreateUploadLocationRequest,
      flyteidl.service.CreateUploadLocationResponse,
    ]);
    for (const [, methods] of serviceMethods()) {
      for (const method of methods) {
        expect(method.path).toBe(`/flyteidl.service.${method.service}/${method.name}`);
        expect(method.key).toBe(method.name[0]!.toLowerCase() + method.name.slice(1));
        expect(method.readOnly, method.name).toBe(/^(Get|List)/.test(method.name) || method.name === 'UserInfo');
      }
    }
  });

  it('types each method with flyteidl’s request interface and decoded response', () => {
    expectTypeOf<AdminServiceClient['createTask']>().toEqualTypeOf<
      (request: flyteidl.admin.ITaskCreateRequest, options?: CallOptions) => Promise<flyteidl.admin.TaskCreateResponse>
    >();
    expectTypeOf<AdminServiceClient['listExecutions']>().returns.resolves.toEqualTypeOf<flyteidl.admin.ExecutionList>();
    expectTypeOf<DataProxyServiceClient['createUploadLocation']>().parameter(0).toEqualTypeOf<flyteidl.service.ICreateUploadLocationRequest>();
    expectTypeOf<keyof AdminServiceClient>().toEqualTypeOf<
      Exclude<keyof flyteidl.service.AdminService, 'rpcImpl' | 'rpcCall' | 'end' | 'emit' | 'on' | 'off' | 'requestDelimited' | 'responseDelimited'>
    >();
    expectTypeOf<AdminClient['service']>().toEqualTypeOf<AdminServiceClient>();
    expectTypeOf<AdminServiceClient>().not.toHaveProperty('createTsk');
    const check = (admin: AdminClient) => {
      // @ts-expect-error a field the request does not have
      void admin.service.getTask({ identifier: {} });
    };
    expect(check).toBeTypeOf('function');
  });
});

describe('@unionml/flyte without @grpc/grpc-js', () => {
  it('no module reachable from src/index.ts imports the admin subpath, grpc-js or yaml', () => {
    const seen = new Set<string>();
    const external = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'|^\s*import\s+'([^']+)'|import\('([^']+)'\)/gm)) {
        const spec = match[1] ?? match[2] ?? match[3]!;
        if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
        else external.add(spec);
      }
    };
    visit(join(src, 'index.ts'));
    expect(seen.size).toBeGreaterThan(10);
    expect([...seen].filter((file) => file.startsWith(join(src, 'admin')))).toEqual([]);
    expect([...external].filter((spec) => spec.startsWith('@grpc/') || spec === 'yaml')).toEqual([]);
  });

  it('importing @unionml/flyte in node loads no @grpc/grpc-js; importing @unionml/flyte/admin does', () => {
    // CommonJS packages (grpc-js, yaml) that ESM imports are in require.cache: list what is there after the import.
    const script = `const target = process.argv[1]; await import(target);
const { createRequire } = await import('node:module');
const keys = Object.keys(createRequire(process.cwd() + '/').cache);
console.log(JSON.stringify({ grpc: keys.filter((k) => k.includes('/@grpc/')).length, yaml: keys.filter((k) => k.includes('/node_modules/yaml/')).length }));`;
    const run = (target: string) => {
      const result = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=@unionml/source', '--input-type=module', '-e', script, target], {
        cwd: resolve(src, '..'),
        encoding: 'utf8',
        env: { ...process.env, NODE_OPTIONS: '' },
      });
      expect(result.status, result.stderr).toBe(0);
      return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as { grpc: number; yaml: number };
    };
    expect(run('@unionml/flyte')).toEqual({ grpc: 0, yaml: 0 });
    const admin = run('@unionml/flyte/admin');
    expect(admin.grpc).toBeGreaterThan(0);
    expect(admin.yaml).toBeGreaterThan(0);
  });
});
