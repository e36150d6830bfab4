import { execFile, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrokerUnderTest, type CredentialInput, startBroker, TEST_ORG_ID } from '../support/broker-app';
import { ImsEmulator } from '../support/ims-emulator';
import { LogCapture } from '../support/log-capture';

const SCRIPT = join(__dirname, '../../examples/python/token_broker_client.py');
const HAS_PYTHON = spawnSync('python3', ['--version']).status === 0;
const CLIENT_ID = 'python-e2e-client';
const CLIENT_SECRET = `s3cret-${randomBytes(16).toString('hex')}`;
const API_KEY = `python-key-${randomBytes(16).toString('hex')}`;
const LIMITED_KEY = `python-limited-${randomBytes(16).toString('hex')}`;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

interface ScriptRun {
  readonly code: number;
  /** One JSON object per credential. */
  readonly lines: Record<string, unknown>[];
  /** The client's events, one JSON object each. */
  readonly events: Record<string, unknown>[];
  readonly stdout: string;
  readonly stderr: string;
  readonly elapsedMs: number;
}

// The docs promise a Python client that follows the same rules as the Node package; this runs it. Machines
// without python3 skip it (the suite names the reason in the describe title).
(HAS_PYTHON ? describe : describe.skip)(`examples/python/token_broker_client.py against the broker${HAS_PYTHON ? '' : ' (skipped: python3 is not on the PATH)'}`, () => {
  let ims: ImsEmulator;
  let secretDir: string;
  let broker: BrokerUnderTest;
  const audit = new LogCapture();
  const issued = (credentialId: string) => audit.entries.filter((e) => e['action'] === 'token.issue' && e['credential_id'] === credentialId).length;

  function runScript(args: string[], apiKey = API_KEY): Promise<ScriptRun> {
    const started = Date.now();
    return new Promise((resolve) => {
      execFile('python3', [SCRIPT, ...args], { env: { PATH: process.env.PATH ?? '', TOKEN_BROKER_URL: broker.url, TOKEN_BROKER_API_KEY: apiKey }, timeout: 60_000 }, (error, stdout, stderr) => {
        const parse = (text: string) =>
          text
            .split('\n')
            .filter((l) => l.startsWith('{'))
            .map((l) => JSON.parse(l) as Record<string, unknown>);
        resolve({ code: error ? Number(error.code ?? 1) : 0, lines: parse(stdout), events: parse(stderr), stdout, stderr, elapsedMs: Date.now() - started });
      });
    });
  }

  beforeAll(async () => {
    ims = await ImsEmulator.start();
    ims.addClient({ clientId: CLIENT_ID, secrets: [CLIENT_SECRET] });
    secretDir = mkdtempSync(join(tmpdir(), 'python-e2e-'));
    writeFileSync(join(secretDir, 'client-secret'), CLIENT_SECRET, { mode: 0o600 });
    const credential = (id: string): CredentialInput => ({ id, imsUrl: ims.url, clientId: CLIENT_ID, secret: { source: 'file', path: join(secretDir, 'client-secret') } });
    broker = await startBroker({
      logLevel: 'info',
      auditLogs: audit,
      file: {
        credentials: ['py-burst', 'py-limited-a', 'py-limited-b', 'py-other'].map(credential),
        callers: [
          { id: 'py', apiKey: API_KEY, credentials: ['py-burst', 'py-limited-*'] },
          // One request, then one per 4 s: the second credential meets a 429 even if the first took long.
          { id: 'py-limited', apiKey: LIMITED_KEY, credentials: ['py-limited-*'], rateLimit: { requestsPerSecond: 0.25, burst: 1 } },
        ],
      },
    });
  });

  afterAll(async () => {
    await broker?.close();
    await ims?.close();
    rmSync(secretDir, { recursive: true, force: true });
  });

  it('serves 50 concurrent threads with one broker request', async () => {
    ims.delayMs = 200;
    const run = await runScript(['py-burst', '--threads', '50']);
    ims.delayMs = 0;

    expect(run.code).toBe(0);
    const token = ims.issuedTo(CLIENT_ID).at(-1)?.token ?? '';
    expect(run.lines).toEqual([{ credential: 'py-burst', token_sha256: [sha256(token)], expires_in: expect.any(Number) }]);
    expect(run.lines[0]?.['expires_in']).toBeGreaterThan(ims.tokenLifetimeSeconds - 5);
    expect(issued('py-burst')).toBe(1);
    expect(run.events.filter((e) => e['event'] === 'token-fetched')).toHaveLength(1);
    expect(run.events.filter((e) => e['event'] === 'cache-hit')).toHaveLength(49);
    expect(`${run.stdout}${run.stderr}`).not.toContain(token);
  });

  it('builds the headers the broker would', async () => {
    const run = await runScript(['py-burst', '--headers']);
    expect(run.code).toBe(0);
    const token = ims.issuedTo(CLIENT_ID).at(-1)?.token ?? '';
    expect(run.lines[0]?.['headers']).toEqual({ authorization: `Bearer sha256:${sha256(token)}`, 'x-api-key': CLIENT_ID, 'x-gw-ims-org-id': TEST_ORG_ID });
  });

  it('waits out a 429 as Retry-After says', async () => {
    const run = await runScript(['py-limited-a', 'py-limited-b'], LIMITED_KEY);

    expect(run.code).toBe(0);
    expect(run.lines.map((l) => l['credential'])).toEqual(['py-limited-a', 'py-limited-b']);
    expect(run.lines.every((l) => Array.isArray(l['token_sha256']))).toBe(true);
    const retries = run.events.filter((e) => e['event'] === 'retry');
    expect(retries).toEqual([{ event: 'retry', credential: 'py-limited-b', attempt: 1, status: 429, code: 'rate_limited', delay: expect.any(Number) }]);
    // Retry-After: the whole seconds until the bucket holds a request again, 1 to 4 here.
    const delay = retries[0]?.['delay'] as number;
    expect([1, 2, 3, 4]).toContain(delay);
    expect(run.elapsedMs).toBeGreaterThanOrEqual(delay * 1000);
  });

  it('fails a refusal at once with the broker’s code and request id, and never prints the key', async () => {
    const run = await runScript(['py-other']);

    expect(run.code).toBe(1);
    expect(run.lines).toEqual([
      {
        credential: 'py-other',
        error: { message: expect.stringMatching(/answered 403 forbidden/), status: 403, code: 'forbidden', request_id: expect.stringMatching(/\S/), retry_after: null },
      },
    ]);
    expect(run.events.filter((e) => e['event'] === 'retry')).toEqual([]);
    expect(`${run.stdout}${run.stderr}`).not.toContain(API_KEY);
  });
});
