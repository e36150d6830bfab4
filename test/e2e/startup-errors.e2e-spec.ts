import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/free-port';

/**
 * What a new user sees when the broker cannot start: one line on stderr with the fix, no stack trace, and
 * nothing left in the temporary directory (each run gets a TMPDIR of its own, checked empty afterwards).
 * The real process each time: the compiled main.js, or `npm start` for the Node version check.
 */

jest.setTimeout(120_000);

const ROOT = join(__dirname, '../..');
const MAIN = join(ROOT, 'dist/apps/broker/src/main.js');
const EXAMPLE_CONFIG = join(ROOT, 'config/broker.example.yaml');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** What the run left in its own TMPDIR. */
  leftInTmp: string[];
}

let scratch: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'broker-startup-errors-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs `file args` in `cwd` with exactly `env` plus a fresh TMPDIR, and reports what it left there. */
function run(file: string, args: readonly string[], env: Record<string, string>, cwd = ROOT): Promise<Run> {
  const tmp = mkdtempSync(join(scratch, 'tmp-'));
  return new Promise((resolve) => {
    execFile(file, args, { cwd, env: { ...env, TMPDIR: tmp }, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ code, stdout, stderr, leftInTmp: readdirSync(tmp) });
    });
  });
}

function expectOneCleanLine(result: Run, line: string): void {
  expect(result.stderr).toBe(`${line}\n`);
  expect(`${result.stdout}${result.stderr}`).not.toMatch(/^\s+at /m);
  expect(result.leftInTmp).toEqual([]);
}

describe('start-up errors: one line with the fix', () => {
  it('port in use: says so and to set PORT, before anything else starts', async () => {
    const port = await freePort();
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen({ port, host: '127.0.0.1' }, resolve));
    try {
      const result = await run(process.execPath, [MAIN], { PATH: process.env.PATH ?? '', PORT: String(port), HOST: '127.0.0.1', BROKER_CONFIG: EXAMPLE_CONFIG });
      expect(result.code).toBe(1);
      expectOneCleanLine(result, `token broker: port ${port} on 127.0.0.1 is already in use; set PORT to a free port (or stop what listens there)`);
      // Nothing booted: no Nest or Redis log lines either.
      expect(result.stdout).toBe('');
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  it('missing config file (default path): says to copy the example or set BROKER_CONFIG', async () => {
    const emptyDir = mkdtempSync(join(scratch, 'cwd-'));
    const result = await run(process.execPath, [MAIN], { PATH: process.env.PATH ?? '', PORT: String(await freePort()) }, emptyDir);
    expect(result.code).toBe(78);
    expectOneCleanLine(
      result,
      'token broker: config file config/broker.yaml not found; copy config/broker.example.yaml to config/broker.yaml and edit it, or set BROKER_CONFIG to your config file',
    );
    expect(result.stdout).toBe('');
  });

  it('missing config file (BROKER_CONFIG): names that path', async () => {
    const path = join(scratch, 'nowhere', 'broker.yaml');
    const result = await run(process.execPath, [MAIN], { PATH: process.env.PATH ?? '', BROKER_CONFIG: path, PORT: String(await freePort()) });
    expect(result.code).toBe(78);
    expectOneCleanLine(result, `token broker: config file ${path} not found; copy config/broker.example.yaml to ${path} and edit it, or set BROKER_CONFIG to your config file`);
  });

  it('an invalid config still lists every problem (exit 78), in the same format as before', async () => {
    const path = join(scratch, 'bad.yaml');
    writeFileSync(path, 'credentials: []\ncallers: []\nnot_a_key: 1\n');
    const result = await run(process.execPath, [MAIN], { PATH: process.env.PATH ?? '', BROKER_CONFIG: path, PORT: String(await freePort()) });
    expect(result.code).toBe(78);
    expect(result.stderr).toMatch(new RegExp(`^invalid configuration in ${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\n  - not_a_key: `));
    expect(result.leftInTmp).toEqual([]);
  });

  // Debian's nodejs (20.x) is the old Node these machines and many laptops have; CI may not have one.
  const oldNode = ['/usr/bin/node', '/usr/local/bin/node'].find((path) => existsSync(path) && isOlderThanRequired(path));
  const npmForOldNode = ['/usr/bin/npm', '/usr/local/bin/npm'].find((path) => existsSync(path));
  (oldNode && npmForOldNode ? it : it.skip)(
    `npm start on a Node older than engines.node: says to run ./dev start${oldNode ? '' : ' (skipped: no Node older than 22.12 installed at /usr/bin or /usr/local/bin)'}`,
    async () => {
      const bin = join(oldNode as string, '..');
      const result = await run(npmForOldNode as string, ['start', '--silent'], { PATH: `${bin}:/usr/bin:/bin`, HOME: scratch, BROKER_CONFIG: EXAMPLE_CONFIG });
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(/^token broker needs Node >=22\.12 but this is Node \d+\.\d+\.\d+: run \.\/dev start \(it installs Node 24 if needed\) or put a newer node first on PATH\n/);
      expect(`${result.stdout}${result.stderr}`).not.toMatch(/^\s+at /m);
      expect(result.leftInTmp).toEqual([]);
    },
  );
});

function isOlderThanRequired(nodePath: string): boolean {
  const [major = 0, minor = 0] = execFileSync(nodePath, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim().split('.').map(Number);
  return major < 22 || (major === 22 && minor < 12);
}
