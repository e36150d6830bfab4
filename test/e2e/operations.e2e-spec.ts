import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { parseBrokerConfig, parseEnvironment } from '@broker/config';
import { createRootLogger } from '@broker/observability';
import { createBrokerApp } from '../../apps/broker/src/broker.app';
import type { CredentialStatus } from '../../apps/broker/src/credential-status';
import { type BrokerFileInput, brokerYaml } from '../support/broker-app';
import { call } from '../support/broker-http';
import { ImsEmulator } from '../support/ims-emulator';
import { LogCapture } from '../support/log-capture';

const ADMIN_KEY = 'admin-key-0123456789abcdef';
const CALLER_KEY = 'caller-key-0123456789abcdef';
const SECRET_A = 'secret-a-9f8e7d6c5b4a';
const SECRET_B = 'secret-b-1a2b3c4d5e6f';

describe('operations: admin API, metrics, OpenAPI', () => {
  let ims: ImsEmulator;
  let dir: string;
  let configPath: string;
  let app: NestFastifyApplication;
  let url: string;
  const logs = new LogCapture();

  const file = (ims: ImsEmulator, extra: Partial<BrokerFileInput> = {}): BrokerFileInput => ({
    credentials: [
      { id: 'aep-prod', imsUrl: ims.url, clientId: 'client-a', secret: { source: 'file', path: join(dir, 'a') } },
      { id: 'campaign', imsUrl: ims.url, clientId: 'client-b', secret: { source: 'file', path: join(dir, 'b') } },
    ],
    callers: [
      { id: 'ops', apiKey: ADMIN_KEY, credentials: ['*'], roles: ['admin'] },
      { id: 'billing', apiKey: CALLER_KEY, credentials: ['aep-prod'] },
    ],
    ...extra,
  });

  beforeAll(async () => {
    ims = await ImsEmulator.start();
    ims.addClient({ clientId: 'client-a', secrets: [SECRET_A] });
    ims.addClient({ clientId: 'client-b', secrets: [SECRET_B] });
    dir = mkdtempSync(join(tmpdir(), 'ops-e2e-'));
    writeFileSync(join(dir, 'a'), SECRET_A);
    writeFileSync(join(dir, 'b'), SECRET_B);
    configPath = join(dir, 'broker.yaml');
    writeFileSync(configPath, brokerYaml(file(ims)));
    const env = parseEnvironment({ HOST: '127.0.0.1', BROKER_CONFIG: configPath, LOG_LEVEL: 'trace' });
    const logger = createRootLogger({ level: 'trace', destination: logs });
    app = await createBrokerApp({ env, config: parseBrokerConfig(brokerYaml(file(ims)), configPath), logger });
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address();
    if (address === null || typeof address === 'string') throw new Error('no address');
    url = `http://127.0.0.1:${address.port}`;
  });

  afterAll(async () => {
    await app?.close();
    await ims?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists credentials with their state, without tokens or secrets', async () => {
    const token = await call(url, '/v1/tokens/aep-prod', { apiKey: CALLER_KEY });
    expect(token.status).toBe(200);
    const listed = await call(url, '/admin/credentials', { apiKey: ADMIN_KEY });
    expect(listed.status).toBe(200);
    const credentials = (listed.body as { credentials: CredentialStatus[] }).credentials;
    expect(credentials.map((c) => c.id)).toEqual(['aep-prod', 'campaign']);
    const [held, cold] = credentials;
    expect(held).toMatchObject({
      provider: 'adobe-ims',
      token: { held: true, expires_at: (token.body as { expires_at: string }).expires_at },
      last_refresh: { outcome: 'success', error_code: null },
      upstream_calls: 1,
      secret: { source: 'file', version: null },
    });
    expect(Date.parse(held?.token.next_refresh_at ?? '')).toBeGreaterThan(Date.now());
    expect(cold).toMatchObject({ token: { held: false, expires_at: null }, last_refresh: null, upstream_calls: 0 });
    expect(listed.text).not.toContain((token.body as { access_token: string }).access_token);
    expect(listed.text).not.toContain(SECRET_A);
  });

  it('refuses callers without the admin role, and unauthenticated ones', async () => {
    expect((await call(url, '/admin/credentials', { apiKey: CALLER_KEY })).status).toBe(403);
    const anonymous = await call(url, '/admin/credentials');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toContain('application/problem+json');
  });

  it('refreshes on demand (a new token, only its expiry returned) and evicts', async () => {
    const before = (await call(url, '/v1/tokens/aep-prod', { apiKey: CALLER_KEY })).body as { access_token: string };
    const refreshed = await call(url, '/admin/credentials/aep-prod/refresh', { apiKey: ADMIN_KEY, method: 'POST' });
    expect(refreshed.status).toBe(200);
    expect(Object.keys(refreshed.body as object).sort()).toEqual(['credential_id', 'expires_at', 'expires_in']);
    const after = (await call(url, '/v1/tokens/aep-prod', { apiKey: CALLER_KEY })).body as { access_token: string };
    expect(after.access_token).not.toBe(before.access_token);
    expect(ims.issuedTo('client-a')).toHaveLength(2);

    expect((await call(url, '/admin/credentials/aep-prod/token', { apiKey: ADMIN_KEY, method: 'DELETE' })).status).toBe(204);
    const status = (await call(url, '/admin/credentials/aep-prod', { apiKey: ADMIN_KEY })).body as { token: { held: boolean } };
    expect(status.token.held).toBe(false);
    const again = (await call(url, '/v1/tokens/aep-prod', { apiKey: CALLER_KEY })).body as { access_token: string };
    expect(again.access_token).not.toBe(after.access_token);
    expect(ims.issuedTo('client-a')).toHaveLength(3);
  });

  it('answers unknown and malformed ids with problems', async () => {
    expect((await call(url, '/admin/credentials/nope', { apiKey: ADMIN_KEY })).status).toBe(404);
    expect((await call(url, '/admin/credentials/a%20b/refresh', { apiKey: ADMIN_KEY, method: 'POST' })).status).toBe(400);
  });

  it('reloads a valid config without a restart, and keeps the running one when the file is invalid', async () => {
    // Remove the billing caller and the campaign credential.
    writeFileSync(
      configPath,
      brokerYaml({ ...file(ims), credentials: file(ims).credentials.slice(0, 1), callers: file(ims).callers.slice(0, 1) }),
    );
    const applied = await call(url, '/admin/config/reload', { apiKey: ADMIN_KEY, method: 'POST' });
    expect(applied.status).toBe(200);
    expect(applied.body).toEqual({ status: 'applied', source: configPath, credentials: 1, callers: 1 });
    expect((await call(url, '/v1/tokens/aep-prod', { apiKey: CALLER_KEY })).status).toBe(401);
    expect((await call(url, '/admin/credentials/campaign', { apiKey: ADMIN_KEY })).status).toBe(404);

    writeFileSync(configPath, 'credentials:\n  - id: "bad id"\n    provider: adobe-ims\ncallers: []\n');
    const rejected = await call(url, '/admin/config/reload', { apiKey: ADMIN_KEY, method: 'POST' });
    expect(rejected.status).toBe(422);
    expect(rejected.headers.get('content-type')).toContain('application/problem+json');
    const problem = rejected.body as { code: string; issues: { path: string }[] };
    expect(problem.code).toBe('config_invalid');
    expect(problem.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['credentials[0].id', 'credentials[0].clientId']));
    // The running configuration is the one applied before.
    expect((await call(url, '/admin/credentials', { apiKey: ADMIN_KEY })).body).toMatchObject({ credentials: [{ id: 'aep-prod' }] });
  });

  it('audits every admin action', () => {
    const audit = logs.entries.filter((e) => e.log_type === 'audit' && String(e.action).startsWith('admin.'));
    const actions = audit.map((e) => `${String(e.action)}:${String(e.outcome)}`);
    expect(actions).toEqual(
      expect.arrayContaining(['admin.list_credentials:success', 'admin.refresh:success', 'admin.evict:success', 'admin.config_reload:success', 'admin.config_reload:failure']),
    );
    for (const event of audit) expect(event.caller_id).toBe('ops');
  });

  it('exposes Prometheus metrics without tokens, secrets or keys', async () => {
    const scraped = await call(url, '/metrics');
    expect(scraped.status).toBe(200);
    expect(scraped.headers.get('content-type')).toContain('text/plain');
    for (const name of [
      'broker_upstream_requests_total{provider="adobe-ims",outcome="success"}',
      'broker_upstream_request_duration_seconds_bucket',
      'broker_token_cache_lookups_total{layer="l1",result="hit"}',
      'broker_lock_acquisitions_total{outcome="acquired"}',
      'broker_token_seconds_to_expiry{credential="aep-prod",provider="adobe-ims"}',
      'broker_secret_age_seconds{credential="aep-prod"',
      'broker_http_requests_total{method="GET",route="/v1/tokens/:credentialId",status="200"}',
      'broker_token_refreshes_total{outcome="minted"}',
      'broker_process_resident_memory_bytes',
    ]) {
      expect(scraped.text).toContain(name);
    }
    for (const issued of ims.issued) expect(scraped.text).not.toContain(issued.token);
    for (const secret of [SECRET_A, SECRET_B, ADMIN_KEY, CALLER_KEY]) expect(scraped.text).not.toContain(secret);
  });

  it('serves an OpenAPI document that lists exactly the routes the app serves', async () => {
    const spec = (await call(url, '/docs-json')).body as { paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, { properties: Record<string, unknown> }> } };
    const documented = Object.entries(spec.paths)
      .flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    const fastify = app.getHttpAdapter().getInstance();
    const served: string[] = [];
    for (const route of collectRoutes(fastify.printRoutes({ commonPrefix: false }))) served.push(route);
    const expected = served
      .filter((route) => !route.includes('/docs') && !route.startsWith('HEAD '))
      .map((route) => route.replace(/:([A-Za-z]+)/g, '{$1}'))
      // The streaming proxy is the one Fastify wildcard route (`/v1/proxy/*`, which the tree walk above
      // reports as `*`); OpenAPI names its parts.
      .map((route) => route.replace(/ (\/v1\/proxy\/)?\*$/, ' /v1/proxy/{credentialId}/{upstream}/{path}'))
      .sort();
    expect(documented).toEqual(expected);
    expect((await call(url, '/docs')).status).toBe(200);

    // Real responses carry exactly the documented properties.
    const token = await call(url, '/v1/tokens/aep-prod', { apiKey: ADMIN_KEY });
    expect(Object.keys(token.body as object).sort()).toEqual(Object.keys(spec.components.schemas.TokenResponseDto?.properties ?? {}).sort());
    const problem = await call(url, '/v1/tokens/aep-prod');
    expect(Object.keys(problem.body as object).sort()).toEqual(Object.keys(spec.components.schemas.ProblemDto?.properties ?? {}).sort());
    const status = await call(url, '/admin/credentials/aep-prod', { apiKey: ADMIN_KEY });
    expect(Object.keys(status.body as object).sort()).toEqual(Object.keys(spec.components.schemas.CredentialStatusDto?.properties ?? {}).sort());
    const responses = (spec.paths['/v1/tokens/{credentialId}']?.get as { responses: Record<string, { content?: Record<string, unknown> }> }).responses;
    expect(Object.keys(responses).sort()).toEqual(['200', '400', '401', '403', '404', '429', '502', '503']);
    expect(Object.keys(responses['401']?.content ?? {})).toEqual(['application/problem+json']);
    expect(problem.headers.get('content-type')).toContain('application/problem+json');
  });
});

/**
 * Turns Fastify's `printRoutes({ commonPrefix: false })` tree into `METHOD /path` lines: a node's depth is
 * its indentation / 4, and its path is its ancestors' segments followed by its own.
 */
function collectRoutes(tree: string): string[] {
  const routes: string[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^([│ ]*)[└├]── (\S+)(?: \(([^)]+)\))?/.exec(line);
    if (!match) continue;
    const depth = (match[1] ?? '').length / 4;
    stack.length = depth;
    stack.push(match[2] ?? '');
    for (const method of (match[3] ?? '').split(',').map((m) => m.trim()).filter(Boolean)) routes.push(`${method} ${stack.join('')}`);
  }
  return routes;
}
