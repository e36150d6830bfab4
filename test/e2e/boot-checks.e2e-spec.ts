import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrokerProcess } from '../support/broker-process';
import { freePort } from '../support/free-port';
import { ImsEmulator } from '../support/ims-emulator';
import { SecretsManagerEmulator } from '../support/secrets-manager-emulator';
import { type Run, runCompiled } from '../cli/run-compiled';

/**
 * Secrets checked at boot, with the real broker process: an `env` or `file` secret that cannot be read stops
 * the boot like a config error (exit 78, credential and variable/path named); an `aws` one does not (Secrets
 * Manager may be briefly unreachable) but the SDK's own cause is logged once at warn and shown by readiness,
 * `GET /admin/credentials` and `brokerctl status`.
 */

jest.setTimeout(120_000);

const MAIN = join(__dirname, '../../dist/apps/broker/src/main.js');
const CLI = join(__dirname, '../../dist/apps/brokerctl/src/main.js');
const ADMIN_KEY = `boot-admin-${randomBytes(12).toString('hex')}`;
const ENV_SECRET = `boot-env-secret-${randomBytes(12).toString('hex')}`;
const BOOT_WARNING = 'secret not readable at boot; starting anyway and retrying when it is needed';

let workdir: string;
let ims: ImsEmulator;

beforeAll(async () => {
  workdir = mkdtempSync(join(tmpdir(), 'broker-boot-checks-'));
  ims = await ImsEmulator.start();
  ims.addClient({ clientId: 'client-env-ok', secrets: [ENV_SECRET] });
});
afterAll(async () => {
  await ims.close();
  rmSync(workdir, { recursive: true, force: true });
});

function credentialYaml(id: string, secret: string): string {
  return `  - id: ${id}
    provider: adobe-ims
    imsUrl: ${ims.url}
    clientId: client-${id}
    orgId: BOOT0000000000000000000AA@AdobeOrg
    scopes: [openid]
    secret: ${secret}
`;
}

function configYaml(credentials: string[]): string {
  return `credentials:
${credentials.join('')}callers:
  - id: ops
    apiKeySha256: ${createHash('sha256').update(ADMIN_KEY).digest('hex')}
    credentials: ['*']
    roles: [admin]
`;
}

describe('env and file secrets that cannot be read stop the boot', () => {
  let run: Run;
  const missingFile = () => join(workdir, 'no-such-secret');
  const directory = () => join(workdir, 'a-directory');

  beforeAll(async () => {
    mkdirSync(directory());
    const configPath = join(workdir, 'broker.yaml');
    writeFileSync(
      configPath,
      configYaml([
        credentialYaml('env-ok', '{ source: env, name: BOOT_ENV_SECRET }'),
        credentialYaml('env-unset', '{ source: env, name: BOOT_VARIABLE_NOT_SET }'),
        credentialYaml('file-missing', `{ source: file, path: ${missingFile()} }`),
        credentialYaml('file-unreadable', `{ source: file, path: ${directory()} }`),
      ]),
    );
    run = await runCompiled(MAIN, [], {
      PATH: process.env.PATH ?? '',
      BROKER_CONFIG: configPath,
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      BOOT_ENV_SECRET: ENV_SECRET,
    });
  });

  it('exits 78 (EX_CONFIG), listing each credential with its variable or path, in the config error format', () => {
    expect(run.code).toBe(78);
    expect(run.stderr).toBe(
      [
        `invalid configuration in ${join(workdir, 'broker.yaml')}:`,
        "  - credentials[1].secret.name: credential 'env-unset': environment variable BOOT_VARIABLE_NOT_SET is not set",
        `  - credentials[2].secret.path: credential 'file-missing': cannot read secret file ${missingFile()} (ENOENT)`,
        `  - credentials[3].secret.path: credential 'file-unreadable': cannot read secret file ${directory()} (EISDIR)`,
        '',
      ].join('\n'),
    );
  });

  it('shows no stack trace and no secret value', () => {
    expect(`${run.stdout}${run.stderr}`).not.toMatch(/^\s+at /m);
    expect(`${run.stdout}${run.stderr}`).not.toContain(ENV_SECRET);
  });
});

describe('an aws secret that cannot be read does not stop the boot; its SDK cause is shown everywhere', () => {
  let sm: SecretsManagerEmulator;

  beforeAll(async () => {
    sm = await SecretsManagerEmulator.start();
  });
  afterAll(() => sm.close());

  /** A broker with one working env credential and one aws credential, the AWS environment given. */
  async function bootWith(aws: Record<string, string>, secretId: string): Promise<BrokerProcess> {
    return BrokerProcess.start({
      config: configYaml([credentialYaml('env-ok', '{ source: env, name: BOOT_ENV_SECRET }'), credentialYaml('aws-broken', `{ source: aws, secretId: ${secretId} }`)]),
      env: { BOOT_ENV_SECRET: ENV_SECRET, AWS_EC2_METADATA_DISABLED: 'true', LOG_LEVEL: 'info', ...aws },
    });
  }

  async function expectCauseEverywhere(broker: BrokerProcess, cause: string): Promise<void> {
    const warned = await broker.waitForLog((entry) => entry.msg === BOOT_WARNING);
    expect(warned).toMatchObject({ level: 'warn', credential_id: 'aws-broken', reason: expect.stringContaining(cause) });
    expect(broker.logEntries().filter((entry) => entry.msg === BOOT_WARNING)).toHaveLength(1);

    // One credential still servable: degraded (200), with the cause in the body.
    const ready = await broker.get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('degraded');
    const details = ready.body.details as Record<string, Record<string, unknown>>;
    expect(details['secrets']).toMatchObject({ status: 'degraded', failing: { 'aws-broken': expect.stringContaining(cause) } });
    expect(details['credentials']).toMatchObject({ status: 'degraded', servable: 1, total: 2, unservable: { 'aws-broken': expect.stringContaining(cause) } });

    const admin = await broker.get('/admin/credentials', ADMIN_KEY);
    const credentials = admin.body.credentials as { id: string; secret: { last_error: string | null } }[];
    expect(credentials.find((c) => c.id === 'aws-broken')?.secret.last_error).toContain(cause);
    expect(credentials.find((c) => c.id === 'env-ok')?.secret.last_error).toBeNull();

    const status = await runCompiled(CLI, ['status'], { PATH: process.env.PATH ?? '', BROKER_URL: broker.url, BROKER_ADMIN_KEY: ADMIN_KEY });
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`secret sources failing:\n  aws-broken: Secrets Manager GetSecretValue for boot/broken failed: ${cause}`);
    expect(`${broker.lines.join('\n')}${JSON.stringify(ready.body)}${status.stdout}`).not.toContain(ENV_SECRET);
  }

  it('Region is missing', async () => {
    const broker = await bootWith({}, 'boot/broken');
    try {
      await expectCauseEverywhere(broker, 'Region is missing');
    } finally {
      await broker.stop();
    }
  });

  it('connect ECONNREFUSED', async () => {
    const closed = await freePort();
    const broker = await bootWith(
      { AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${closed}`, AWS_ACCESS_KEY_ID: 'AKIDBOOTTEST', AWS_SECRET_ACCESS_KEY: 'boot-not-a-real-key' },
      'boot/broken',
    );
    try {
      await expectCauseEverywhere(broker, `connect ECONNREFUSED 127.0.0.1:${closed}`);
    } finally {
      await broker.stop();
    }
  });

  it('ResourceNotFoundException', async () => {
    const broker = await bootWith(
      { AWS_REGION: sm.region, AWS_ENDPOINT_URL_SECRETS_MANAGER: sm.url, AWS_ACCESS_KEY_ID: 'AKIDBOOTTEST', AWS_SECRET_ACCESS_KEY: 'boot-not-a-real-key' },
      'boot/broken',
    );
    try {
      await expectCauseEverywhere(broker, "ResourceNotFoundException: Secrets Manager can't find the specified secret.");
    } finally {
      await broker.stop();
    }
  });
});
