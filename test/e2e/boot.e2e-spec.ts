import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256Hex } from '../support/broker-app';
import { waitUntil } from '../support/broker-http';
import { freePort } from '../support/free-port';

/** The compiled service, built by the Jest global setup when older than the sources. */
const MAIN = join(__dirname, '../../dist/apps/broker/src/main.js');
const EXIT_CONFIG = 78;

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A broker process with its output kept apart per stream. */
interface Spawned {
  readonly child: ChildProcess;
  readonly exited: Promise<Exit>;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first stdout line containing `text`. */
  stdoutLine(text: string, timeoutMs: number): Promise<string>;
}

function start(env: Record<string, string>): Spawned {
  const child = spawn(process.execPath, [MAIN], {
    // A clean environment: only what the broker is meant to read, so the test does not depend on the runner's.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const watchers = new Set<() => void>();
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
    for (const watcher of [...watchers]) watcher();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
  });
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return {
    child,
    exited,
    stdout: () => out,
    stderr: () => err,
    stdoutLine: (text, timeoutMs) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const line = out.split('\n').find((l) => l.includes(text));
          if (line === undefined) return;
          cleanup();
          resolve(line);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no stdout line with '${text}' within ${timeoutMs} ms; stderr: ${err}`));
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          watchers.delete(check);
        };
        void exited.then(() => {
          if (watchers.has(check)) {
            cleanup();
            reject(new Error(`the broker exited before writing '${text}'; stderr: ${err}`));
          }
        });
        watchers.add(check);
        check();
      }),
  };
}

/** Waits for the exit, failing (and killing the process) when it takes longer than `timeoutMs`. */
async function exitWithin(spawned: Spawned, timeoutMs: number): Promise<Exit> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      spawned.child.kill('SIGKILL');
      reject(new Error(`the broker did not exit within ${timeoutMs} ms; stderr: ${spawned.stderr()}`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([spawned.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('broker process boot', () => {
  let workdir = '';
  const running = new Set<Spawned>();

  function launch(env: Record<string, string>): Spawned {
    const spawned = start(env);
    running.add(spawned);
    void spawned.exited.then(() => running.delete(spawned));
    return spawned;
  }

  beforeAll(async () => {
    workdir = mkdtempSync(join(tmpdir(), 'broker-e2e-boot-'));
    // The Jest global setup builds dist/, but a build started meanwhile by another run (nest empties dist/
    // first) removes it for a few seconds: wait for that build rather than fail on its half-written output.
    await waitUntil(() => existsSync(MAIN), `${MAIN} (run \`npm run build\`)`, 40_000, 200);
  }, 45_000);
  afterEach(() => {
    for (const spawned of running) spawned.child.kill('SIGKILL');
  });
  afterAll(() => {
    if (workdir !== '') rmSync(workdir, { recursive: true, force: true });
  });

  it('refuses an invalid config file with exit code 78, listing every offending path', async () => {
    const pasted = `pasted-secret-${randomBytes(12).toString('hex')}`;
    const path = join(workdir, 'invalid.yaml');
    writeFileSync(
      path,
      [
        'credentials:',
        '  - id: "bad id!"',
        '    provider: adobe-ims',
        '    imsUrl: http://ims.example.com',
        '    clientId: abc123',
        `    clientSecret: ${pasted}`,
        '    orgId: 53A1B2C3D4E5F60718293A4B@AdobeOrg',
        '    scopes: [openid]',
        '    secret: { source: env, name: SOME_SECRET }',
        '  - id: good',
        '    provider: adobe-ims',
        '    clientId: def456',
        '    orgId: 53A1B2C3D4E5F60718293A4B@AdobeOrg',
        '    scopes: [openid]',
        '    secret: { source: file, path: /run/secrets/good }',
        'callers:',
        '  - id: svc',
        `    apiKeySha256: ${sha256Hex('svc-key')}`,
        '    credentials: [good, ghost]',
        'tokens:',
        '  failureCooldown: 30 seconds',
        'secrets:',
        '  cacheTtl: 300',
        '',
      ].join('\n'),
    );
    const port = await freePort();
    const started = performance.now();
    const broker = launch({ BROKER_CONFIG: path, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' });

    const exit = await exitWithin(broker, 10_000);
    expect(exit).toEqual({ code: EXIT_CONFIG, signal: null });
    expect(performance.now() - started).toBeLessThan(10_000);
    const stderr = broker.stderr();
    expect(stderr).toContain(path);
    for (const offending of [
      'credentials[0].id',
      'credentials[0].imsUrl',
      'credentials[0].clientSecret',
      'callers[0].credentials[1]',
      'tokens.failureCooldown',
      'secrets.cacheTtl',
    ]) {
      expect(stderr).toContain(`${offending}:`);
    }
    expect(stderr).toMatch(/callers\[0\]\.credentials\[1\]: .*ghost/);
    expect(stderr).not.toContain(pasted);
    expect(broker.stdout()).not.toContain(pasted);
    // A config error is an operator's to fix, reported plainly: no stack trace.
    expect(stderr).not.toMatch(/at .*\.(ts|js):\d+/);
  });

  it('refuses an invalid environment with exit code 78, naming each variable', async () => {
    const path = join(workdir, 'unused.yaml');
    writeFileSync(path, 'credentials: []\n');
    const broker = launch({ BROKER_CONFIG: path, PORT: 'eighty', LOG_LEVEL: 'chatty' });

    expect(await exitWithin(broker, 10_000)).toEqual({ code: EXIT_CONFIG, signal: null });
    expect(broker.stderr()).toContain('PORT:');
    expect(broker.stderr()).toContain('LOG_LEVEL:');
  });

  it('refuses a missing config file with exit code 78', async () => {
    const path = join(workdir, 'does-not-exist.yaml');
    const broker = launch({ BROKER_CONFIG: path, PORT: String(await freePort()) });

    expect(await exitWithin(broker, 10_000)).toEqual({ code: EXIT_CONFIG, signal: null });
    expect(broker.stderr()).toContain(path);
  });

  it('starts with a valid config, answers /health/live, and exits 0 on SIGTERM', async () => {
    const path = join(workdir, 'valid.yaml');
    const envSecret = `env-secret-${randomBytes(12).toString('hex')}`;
    writeFileSync(
      path,
      [
        'credentials:',
        '  - id: aep-prod',
        '    provider: adobe-ims',
        '    clientId: 0123abcd',
        '    orgId: 53A1B2C3D4E5F60718293A4B@AdobeOrg',
        '    scopes: [openid, AdobeID]',
        '    secret: { source: env, name: AEP_CLIENT_SECRET }',
        'callers:',
        '  - id: svc',
        `    apiKeySha256: ${sha256Hex('svc-key-for-boot')}`,
        '    credentials: [aep-prod]',
        '',
      ].join('\n'),
    );
    const port = await freePort();
    const broker = launch({ BROKER_CONFIG: path, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', AEP_CLIENT_SECRET: envSecret });

    const listening = await broker.stdoutLine('token broker listening', 15_000);
    expect(JSON.parse(listening)).toMatchObject({ level: 'info', port, host: '127.0.0.1', credentials: 1, callers: 1 });
    const live = await fetch(`http://127.0.0.1:${port}/health/live`);
    expect(live.status).toBe(200);
    expect(await live.json()).toMatchObject({ status: 'ok' });

    broker.child.kill('SIGTERM');
    expect(await exitWithin(broker, 10_000)).toEqual({ code: 0, signal: null });
    expect(broker.stderr()).toBe('');
    expect(`${broker.stdout()}${broker.stderr()}`).not.toContain(envSecret);
    // Every stdout line is a JSON log line.
    for (const line of broker.stdout().split('\n').filter((l) => l.length > 0)) expect(() => JSON.parse(line) as unknown).not.toThrow();
  });
});
