import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort } from '../support/free-port';

/**
 * `./dev demo` and `./dev demo --fleet` as a first-time user runs them: started through ./dev, the printed
 * commands run as printed (the token curls, the brokerctl status line, the fleet's same-token check), then
 * Ctrl+C (SIGINT to the process group), after which no process, port or temporary directory is left and
 * package-lock.json is as it was.
 */

// ./dev checks the installed packages and may rebuild dist/ first.
jest.setTimeout(240_000);

const ROOT = join(__dirname, '../..');
const READY_LINE = 'Press Ctrl+C to stop.';
const lockfile = (): string => readFileSync(join(ROOT, 'package-lock.json'), 'utf8');

interface RunningDemo {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

function startDemo(args: readonly string[], port: number): Promise<RunningDemo> {
  // Its own process group, like a shell job, so Ctrl+C can be sent to all of it.
  const child = spawn(join(ROOT, 'dev'), ['demo', ...args], {
    cwd: ROOT,
    detached: true,
    env: { ...process.env, PORT: String(port), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`demo not ready within 200 s:\n${out}`)), 200_000);
    const poll = setInterval(() => {
      if (!out.includes(READY_LINE)) return;
      clearInterval(poll);
      clearTimeout(timer);
      resolve({ child, output: () => out, exited });
    }, 100);
    void exited.then((code) => {
      clearInterval(poll);
      clearTimeout(timer);
      reject(new Error(`demo exited (${code}) before it was ready:\n${out}`));
    });
  });
}

/** Runs a printed command line in bash from the repository root; resolves with its stdout. */
function shell(line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('bash', ['-c', line], { cwd: ROOT, timeout: 120_000, env: process.env }, (error, stdout, stderr) =>
      error ? reject(new Error(`${line}\n${stderr}${stdout}`)) : resolve(stdout),
    );
  });
}

/** The printed line starting with `prefix` (after indentation). */
function printed(output: string, prefix: string): string {
  const line = output.split('\n').find((l) => l.trim().startsWith(prefix));
  if (!line) throw new Error(`no line starting with ${prefix} in:\n${output}`);
  return line.trim();
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function stopAndCheckClean(demo: RunningDemo, ports: readonly number[]): Promise<void> {
  const workdir = /config (\/\S+)\/broker\.yaml\)/.exec(demo.output())?.[1] ?? '';
  expect(existsSync(workdir)).toBe(true);
  const pid = demo.child.pid ?? 0;
  process.kill(-pid, 'SIGINT');
  await demo.exited;
  for (let i = 0; i < 100 && groupAlive(pid); i += 1) await new Promise((resolve) => setTimeout(resolve, 100));
  expect(groupAlive(pid)).toBe(false);
  expect(existsSync(workdir)).toBe(false);
  for (const port of ports) expect({ port, listening: await listening(port) }).toEqual({ port, listening: false });
}

async function tokenOf(curlLine: string): Promise<string> {
  const body = JSON.parse(await shell(curlLine)) as { access_token?: string };
  expect(body.access_token).toMatch(/^\S{20,}$/);
  return body.access_token ?? '';
}

describe('./dev demo', () => {
  let lockBefore: string;

  beforeEach(() => {
    lockBefore = lockfile();
  });

  // ./dev installs from the lockfile (npm ci) and never rewrites it.
  afterEach(() => {
    expect(lockfile()).toBe(lockBefore);
  });

  it('serves a token to the demo caller and brokerctl status to the printed admin key, and leaves nothing behind', async () => {
    const port = await freePort();
    const demo = await startDemo([], port);
    try {
      const output = demo.output();
      await tokenOf(printed(output, `curl -s -H 'Authorization: Bearer demo-key-change-me' http://127.0.0.1:${port}/v1/tokens/demo`));
      const adminKey = /Admin caller \(roles: \[admin\]\) key, valid while this demo runs: (\S+)/.exec(output)?.[1] ?? '';
      expect(adminKey.length).toBeGreaterThanOrEqual(20);
      const status = await shell(printed(output, 'BROKER_URL='));
      expect(status).toMatch(/^demo\s+adobe-ims\s+held\b/m);
      // The key is an admin's: without it, the admin API refuses.
      const refused = await fetch(`http://127.0.0.1:${port}/admin/credentials`, { headers: { authorization: 'Bearer demo-key-change-me' } });
      expect(refused.status).toBe(403);
    } finally {
      await stopAndCheckClean(demo, [port]);
    }
  });

  it('--fleet: two brokers on two ports sharing a local redis-server serve the same token', async () => {
    const port = await freePort();
    const demo = await startDemo(['--fleet'], port);
    const redisPort = Number(/sharing Redis at redis:\/\/127\.0\.0\.1:(\d+)/.exec(demo.output())?.[1]);
    try {
      const output = demo.output();
      expect(await listening(redisPort)).toBe(true);
      const first = await tokenOf(printed(output, `curl -s -H 'Authorization: Bearer demo-key-change-me' http://127.0.0.1:${port}/v1/tokens/demo`));
      const second = await tokenOf(printed(output, `curl -s -H 'Authorization: Bearer demo-key-change-me' http://127.0.0.1:${port + 1}/v1/tokens/demo`));
      expect(second).toBe(first);
      // The printed comparison prints two identical digests.
      const digests = (await shell(printed(output, 'for url in'))).trim().split('\n');
      expect(digests).toHaveLength(2);
      expect(digests[0]).toBe(digests[1]);
      expect(await shell(printed(output, 'BROKER_URL='))).toMatch(/^demo\s+adobe-ims\s+held\b/m);
    } finally {
      await stopAndCheckClean(demo, [port, port + 1, redisPort]);
    }
  });
});
