import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigValidationError, loadBrokerConfig } from '@broker/config';
import { type Run, runCompiled } from './run-compiled';

/** The compiled CLI, built by the Jest global setup when older than the sources. */
// Room to wait for a concurrent rebuild of dist/ (see run-compiled.ts).
jest.setTimeout(120_000);

const CLI = join(__dirname, '../../dist/apps/brokerctl/src/main.js');
const EXAMPLE = join(__dirname, '../../config/broker.example.yaml');
const EX_CONFIG = 78;

let workdir: string;

beforeAll(() => {
  workdir = mkdtempSync(join(tmpdir(), 'brokerctl-config-'));
});

afterAll(() => {
  rmSync(workdir, { recursive: true, force: true });
});

/** Runs the compiled CLI with only PATH set, plus `env`: no broker URL or admin key is needed. */
function brokerctl(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  return runCompiled(CLI, args, { PATH: process.env.PATH ?? '', ...env });
}

/** What the broker prints (to stderr) when it refuses to boot with this file. */
function bootMessage(path: string): string {
  try {
    loadBrokerConfig(path);
  } catch (error) {
    if (error instanceof ConfigValidationError) return `${error.message}\n`;
    throw error;
  }
  throw new Error(`${path} is valid`);
}

describe('brokerctl config validate', () => {
  it('accepts the example config with one line and exit 0', async () => {
    const run = await brokerctl(['config', 'validate', EXAMPLE]);

    expect(run).toEqual({ code: 0, stdout: expect.stringMatching(/^.*broker\.example\.yaml: valid \(\d+ credentials?, \d+ callers?\)\n$/), stderr: '' });
  });

  it('refuses an invalid file with exit 78 and exactly the boot message, never echoing a pasted secret', async () => {
    const pasted = 'pasted-secret-4f1d2a9b7c';
    const path = join(workdir, 'invalid.yaml');
    writeFileSync(
      path,
      [
        'credentials:',
        '  - id: aep-prod',
        '    provider: adobe-ims',
        '    imsUrl: http://ims.example.com',
        '    clientId: abc',
        `    clientSecret: ${pasted}`,
        '    orgId: 53A1B2C3@AdobeOrg',
        '    scopes: [openid]',
        '    secret: { source: env, name: AEP_SECRET }',
        'callers:',
        '  - { id: svc, apiKeySha256: nothex, credentials: [aep-prod, ghost] }',
        'tokens:',
        '  upstreamTimeout: 10',
        '',
      ].join('\n'),
    );

    const run = await brokerctl(['config', 'validate', path]);

    expect(run).toEqual({ code: EX_CONFIG, stdout: '', stderr: bootMessage(path) });
    for (const offending of ['credentials[0].imsUrl', 'credentials[0].clientSecret', 'callers[0].apiKeySha256', 'callers[0].credentials[1]', 'tokens.upstreamTimeout']) {
      expect(run.stderr).toContain(`  - ${offending}: `);
    }
    expect(run.stderr).not.toContain(pasted);
  });

  it('validates BROKER_CONFIG when no file is given', async () => {
    const path = join(workdir, 'from-env.yaml');
    writeFileSync(path, 'credentials: []\ncallers: []\n');

    expect(await brokerctl(['config', 'validate'], { BROKER_CONFIG: path })).toEqual({
      code: 0,
      stdout: `${path}: valid (0 credentials, 0 callers)\n`,
      stderr: '',
    });
  });

  it('reports a missing file as the broker does', async () => {
    const path = join(workdir, 'nope.yaml');

    expect(await brokerctl(['config', 'validate', path])).toEqual({ code: EX_CONFIG, stdout: '', stderr: `invalid configuration in ${path}:\n  - (file): file not found\n` });
  });

  it('needs neither a broker URL nor an admin key, and takes no broker options', async () => {
    const run = await brokerctl(['config', 'validate', EXAMPLE, '--url', 'http://127.0.0.1:1']);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('config validate takes no options');
  });
});
