import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadBrokerConfig, parseEnvironment } from '@broker/config';
import { createRootLogger } from '@broker/observability';
import { createBrokerApp } from '../../apps/broker/src/broker.app';
import { ImsEmulator } from '../support/ims-emulator';
import { LogCapture } from '../support/log-capture';
import { type Run, runCompiled } from './run-compiled';

/**
 * The compiled brokerctl against the real broker (in-process, as test/e2e boots it) and the IMS emulator:
 * the contract the fake server in brokerctl.spec.ts stands in for, checked end to end.
 */

// Room to wait for a concurrent rebuild of dist/ (see run-compiled.ts).
jest.setTimeout(120_000);

const CLI = join(__dirname, '../../dist/apps/brokerctl/src/main.js');
const ADMIN_KEY = 'e2e-brokerctl-admin-key-7c1d';
const CALLER_KEY = 'e2e-brokerctl-caller-key-19ab';
const CLIENT_SECRET = 'e2e-brokerctl-client-secret';

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

function configYaml(imsUrl: string, secretPath: string, extraCredential = ''): string {
  return `
credentials:
  - id: aep-prod
    provider: adobe-ims
    imsUrl: ${imsUrl}
    clientId: brokerctl-client
    orgId: E2E0000000000000000000AA@AdobeOrg
    scopes: [openid, AdobeID]
    secret: { source: file, path: ${secretPath} }
${extraCredential}
callers:
  - id: svc
    apiKeySha256: ${sha(CALLER_KEY)}
    credentials: [aep-prod]
  - id: ops
    apiKeySha256: ${sha(ADMIN_KEY)}
    credentials: ['*']
    roles: [admin]
`;
}

let ims: ImsEmulator;
let app: NestFastifyApplication;
let url: string;
let workdir: string;
let configPath: string;
let secretPath: string;

beforeAll(async () => {
  ims = await ImsEmulator.start();
  ims.addClient({ clientId: 'brokerctl-client', secrets: [CLIENT_SECRET] });
  workdir = mkdtempSync(join(tmpdir(), 'brokerctl-e2e-'));
  secretPath = join(workdir, 'client-secret');
  configPath = join(workdir, 'broker.yaml');
  writeFileSync(secretPath, CLIENT_SECRET, { mode: 0o600 });
  writeFileSync(configPath, configYaml(ims.url, secretPath));
  const env = parseEnvironment({ HOST: '127.0.0.1', LOG_LEVEL: 'silent', BROKER_CONFIG: configPath });
  const logger = createRootLogger({ level: 'silent', destination: new LogCapture() });
  app = await createBrokerApp({ env, config: loadBrokerConfig(configPath), logger });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  if (address === null || typeof address === 'string') throw new Error('broker has no TCP address');
  url = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  await app.close();
  await ims.close();
  rmSync(workdir, { recursive: true, force: true });
});

async function brokerctl(args: readonly string[], key = ADMIN_KEY): Promise<Run> {
  const run = await runCompiled(CLI, args, { PATH: process.env.PATH ?? '', BROKER_URL: url, BROKER_ADMIN_KEY: key });
  for (const secret of [ADMIN_KEY, CALLER_KEY, CLIENT_SECRET]) expect(`${run.stdout}${run.stderr}`).not.toContain(secret);
  return run;
}

describe('brokerctl against the real broker', () => {
  it('refreshes, shows and evicts a token', async () => {
    const empty = await brokerctl(['status']);
    expect(empty.code).toBe(0);
    // Which instance answered, its readiness and config hash; then the credentials; then the fleet (this one).
    expect(empty.stdout).toMatch(/^answered by \S+:\d+ \([0-9a-f]{8}\): ready, config [0-9a-f]{12}\n\nID\s+PROVIDER\s+TOKEN\b/);
    expect(empty.stdout).toMatch(/\nfleet: 1 live instance\nINSTANCE\s+READINESS\s+CONFIG\s+LAST HEARTBEAT\n\S+:\d+ \([0-9a-f]{8}\)\s+ready\s+[0-9a-f]{12}\s/);
    expect(empty.stdout).toMatch(/^aep-prod\s+adobe-ims\s+none\s/m);

    const refresh = await brokerctl(['refresh', 'aep-prod']);
    expect(refresh).toMatchObject({ code: 0, stderr: '' });
    expect(refresh.stdout).toMatch(/^refreshed aep-prod: new token expires at \S+ \(in 23h59m\)\n$/);
    expect(ims.issued.length).toBeGreaterThanOrEqual(1);

    const detail = await brokerctl(['status', 'aep-prod']);
    expect(detail.stdout).toMatch(/^token\s+held$/m);
    expect(detail.stdout).toMatch(/^last refresh\s+success /m);
    const json = JSON.parse((await brokerctl(['status', '--json'])).stdout) as { credentials: { id: string; token: { held: boolean } }[] };
    expect(json.credentials).toEqual([expect.objectContaining({ id: 'aep-prod', token: expect.objectContaining({ held: true }) })]);
    // The token itself never reaches the CLI's output.
    const token = ims.issued.at(-1)?.token ?? '';
    expect(JSON.stringify(json)).not.toContain(token);

    const evict = await brokerctl(['evict', 'aep-prod']);
    expect(evict).toMatchObject({ code: 0, stdout: 'evicted the held token of aep-prod; the next request mints a new one\n' });
  });

  it('maps the real problems to exit codes', async () => {
    const unknown = await brokerctl(['status', 'nope']);
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toMatch(/^error: .+ \(credential_not_found\): .+\n$/);

    const notAdmin = await brokerctl(['status'], CALLER_KEY);
    expect(notAdmin.code).toBe(3);
    expect(notAdmin.stderr).toMatch(/^error: .+ \((forbidden|missing_role)\)/);

    const wrongKey = await brokerctl(['status'], 'no-such-key-at-all');
    expect(wrongKey.code).toBe(3);
    expect(wrongKey.stderr).toMatch(/^error: .+ \(unauthenticated\)/);
  });

  it('reloads the config file, and lists every issue of a bad one', async () => {
    writeFileSync(configPath, configYaml(ims.url, secretPath, `  - id: aep-stage\n    provider: adobe-ims\n    imsUrl: ${ims.url}\n    clientId: c2\n    orgId: E2E0000000000000000000AA@AdobeOrg\n    scopes: [openid]\n    secret: { source: file, path: ${secretPath} }\n`));
    const ok = await brokerctl(['reload']);
    expect(ok).toMatchObject({ code: 0, stdout: 'configuration applied: 2 credentials, 2 callers\n' });

    writeFileSync(configPath, configYaml('http://ims.example.com', secretPath));
    const bad = await brokerctl(['reload']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: .+ \(config_invalid\): .+\n {2}- credentials\[0\]\.imsUrl: must use https/);
  });
});
