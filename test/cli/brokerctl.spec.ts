import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/free-port';
import { ADMIN_KEY, type FakeAdminServer, NON_ADMIN_KEY, startFakeAdminServer } from './fake-admin-server';
import { type Run, runCompiled } from './run-compiled';

/** The compiled CLI, built by the Jest global setup when older than the sources. */
// Room to wait for a concurrent rebuild of dist/ (see run-compiled.ts).
jest.setTimeout(120_000);

const CLI = join(__dirname, '../../dist/apps/brokerctl/src/main.js');

let server: FakeAdminServer;
let workdir: string;

beforeAll(async () => {
  server = await startFakeAdminServer();
  workdir = mkdtempSync(join(tmpdir(), 'brokerctl-spec-'));
});

afterAll(async () => {
  await server.close();
  rmSync(workdir, { recursive: true, force: true });
});

beforeEach(() => {
  server.requests.length = 0;
  server.overrides.clear();
  server.reloadIssues = undefined;
});

/** Runs the compiled CLI with a clean environment, and checks that no output ever contains a key. */
async function brokerctl(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  const fullEnv: Record<string, string> = { PATH: process.env.PATH ?? '', BROKER_URL: server.url, BROKER_ADMIN_KEY: ADMIN_KEY, ...env };
  const run = await runCompiled(CLI, args, fullEnv);
  for (const key of [ADMIN_KEY, NON_ADMIN_KEY, fullEnv['BROKER_ADMIN_KEY']]) {
    if (key === undefined || key === '') continue;
    expect(run.stdout).not.toContain(key);
    expect(run.stderr).not.toContain(key);
  }
  return run;
}

describe('brokerctl status', () => {
  it('prints a table of every credential, authenticated with the admin key', async () => {
    const run = await brokerctl(['status']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+PROVIDER\s+TOKEN\s+EXPIRES\s+NEXT REFRESH\s+LAST REFRESH\s+UPSTREAM CALLS\s+SECRET\s+ROTATION$/);
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^aep-prod\s+adobe-ims\s+held\s+in 23h53m\s+in 11h5\dm\s+success 6m\d\ds ago\s+3\s+aws a1b2c3d4 \(read 2m00s ago\)\s+-$/);
    expect(lines[2]).toMatch(/^journeys\s+oauth2\s+none\s+-\s+-\s+failure \(upstream_invalid_client\) \d+s ago\s+7\s+file \(not read yet\)\s+-$/);
    // Columns line up: every row starts its second column where the header's does.
    const column = lines[0]?.indexOf('PROVIDER');
    expect(lines.map((line) => line.indexOf(line.includes('adobe-ims') ? 'adobe-ims' : line.includes('oauth2') ? 'oauth2' : 'PROVIDER'))).toEqual([column, column, column]);
    expect(server.requests).toEqual([{ method: 'GET', url: '/admin/credentials', authorization: `Bearer ${ADMIN_KEY}` }]);
  });

  it('prints the broker answer unchanged with --json', async () => {
    const run = await brokerctl(['status', '--json']);
    expect(run.code).toBe(0);
    const body = JSON.parse(run.stdout) as { credentials: { id: string; upstream_calls: number }[] };
    expect(body.credentials.map((c) => [c.id, c.upstream_calls])).toEqual([
      ['aep-prod', 3],
      ['journeys', 7],
    ]);
  });

  it('shows one credential in detail', async () => {
    const run = await brokerctl(['status', 'aep-prod']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^credential\s+aep-prod$/m);
    expect(run.stdout).toMatch(/^token\s+held$/m);
    expect(run.stdout).toMatch(/^last refresh\s+success .* ago, took 212 ms, at \d{4}-/m);
    expect(run.stdout).toMatch(/^secret\s+aws a1b2c3d4-0000-4000-8000-000000000001 \(read 2m00s ago\)$/m);
    expect(server.requests[0]?.url).toBe('/admin/credentials/aep-prod');
  });

  it('exits 4 with the problem line for an unknown credential, and prints the problem with --json', async () => {
    const run = await brokerctl(['status', 'nope']);
    expect(run.code).toBe(4);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe("error: Not Found (credential_not_found): No credential 'nope' is configured.\n");

    const json = await brokerctl(['status', 'nope', '--json']);
    expect(json.code).toBe(4);
    expect(JSON.parse(json.stdout)).toMatchObject({ code: 'credential_not_found', status: 404 });
  });
});

describe('brokerctl actions', () => {
  it('refresh mints a new token', async () => {
    const run = await brokerctl(['refresh', 'aep-prod']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^refreshed aep-prod: new token expires at \d{4}-\d\d-\d\dT[\d:.]+Z \(in 23h59m\)\n$/);
    expect(server.requests[0]).toMatchObject({ method: 'POST', url: '/admin/credentials/aep-prod/refresh' });
  });

  it('evict drops the held token (204) and says so, also as JSON', async () => {
    const run = await brokerctl(['evict', 'aep-prod']);
    expect(run).toMatchObject({ code: 0, stdout: 'evicted the held token of aep-prod; the next request mints a new one\n' });
    expect(server.requests[0]).toMatchObject({ method: 'DELETE', url: '/admin/credentials/aep-prod/token' });
    const json = await brokerctl(['evict', 'aep-prod', '--json']);
    expect(JSON.parse(json.stdout)).toEqual({ credential_id: 'aep-prod', evicted: true });
  });

  it('rotate --dry-run prints what the check found, and fails (exit 1) when the rotation would stop', async () => {
    const ok = await brokerctl(['rotate', 'aep-prod', '--dry-run']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe(
      [
        'dry run for aep-prod (nothing was changed): state ok, step prepare',
        '  current_version_id: a1b2c3d4-0000-4000-8000-000000000001',
        '  current_adobe_secret_uuid: c0ffee00-0000-4000-8000-000000000002',
        '',
      ].join('\n'),
    );
    expect(server.requests[0]).toMatchObject({ method: 'POST', url: '/admin/credentials/aep-prod/rotations?dryRun=true' });

    const blocked = await brokerctl(['rotate', 'journeys', '--dry-run']);
    expect(blocked.code).toBe(1);
    expect(blocked.stdout).toBe("dry run for journeys (nothing was changed): state blocked, step prepare, error rotation_not_configured\n  detail: Credential 'journeys' has no rotation: section.\n");
    expect(blocked.stderr).toBe("error: a rotation of journeys would stop (rotation_not_configured): Credential 'journeys' has no rotation: section.\n");
    const json = await brokerctl(['rotate', 'journeys', '--dry-run', '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ state: 'blocked', error_code: 'rotation_not_configured' });
  });

  it('rotate starts a rotation (202); a second one conflicts (exit 5)', async () => {
    const first = await brokerctl(['rotate', 'aep-prod']);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^rotation rot-1 of aep-prod started: state running, step prepare, started \d{4}-\S+Z\nfollow it with: brokerctl rotations aep-prod\n$/);
    expect(server.requests[0]).toMatchObject({ method: 'POST', url: '/admin/credentials/aep-prod/rotations' });

    const second = await brokerctl(['rotate', 'aep-prod']);
    expect(second.code).toBe(5);
    expect(second.stderr).toBe("error: Conflict (rotation_in_progress): Rotation rot-1 of 'aep-prod' is still running.\n");
  });

  it('rotations shows the current rotation, the current secret and the history as a table', async () => {
    const run = await brokerctl(['rotations', 'aep-prod']);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^aep-prod: current rotation rot-1: state running, step prepare, started \d{4}-/);
    expect(lines[1]).toBe('current secret: version a1b2c3d4-0000-4000-8000-000000000001, 3d2h old, next scheduled rotation 2026-12-01T00:00:00.000Z');
    expect(lines[2]).toBe('');
    expect(lines[3]).toMatch(/^ROTATION\s+STATE\s+STEP\s+TRIGGER\s+STARTED\s+FINISHED\s+ERROR$/);
    expect(lines[4]).toMatch(/^rot-0\s+succeeded\s+retire\s+schedule\s+2026-10-01T00:00:00.000Z\s+2026-10-01T00:20:00.000Z\s+-$/);
    expect(lines).toHaveLength(5);

    const none = await brokerctl(['rotations', 'journeys']);
    expect(none.stdout).toBe('journeys: no rotation in progress\nno earlier rotations\n');
  });

  it('reload reports what was applied, or lists every issue and exits 1', async () => {
    const ok = await brokerctl(['reload']);
    expect(ok).toMatchObject({ code: 0, stdout: 'configuration applied: 2 credentials, 4 callers\n' });

    server.reloadIssues = [
      { path: 'credentials[0].imsUrl', message: 'must use https (http is allowed only for loopback hosts)' },
      { path: 'callers[1].credentials[0]', message: "unknown credential 'x'" },
    ];
    const bad = await brokerctl(['reload']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(
      [
        'error: Unprocessable Content (config_invalid): The config file is invalid; nothing was applied.',
        '  - credentials[0].imsUrl: must use https (http is allowed only for loopback hosts)',
        "  - callers[1].credentials[0]: unknown credential 'x'",
        '',
      ].join('\n'),
    );
  });
});

describe('brokerctl failures', () => {
  it('exits 3 for a wrong key (401) and for a key without the admin role (403)', async () => {
    const wrong = await brokerctl(['status'], { BROKER_ADMIN_KEY: 'not-the-right-key-at-all' });
    expect(wrong).toMatchObject({ code: 3, stderr: 'error: Unauthorized (unauthenticated): A valid API key is required.\n' });
    const reader = await brokerctl(['status'], { BROKER_ADMIN_KEY: NON_ADMIN_KEY });
    expect(reader).toMatchObject({ code: 3, stderr: "error: Forbidden (forbidden): This caller lacks the 'admin' role.\n" });
  });

  it('maps a 400 to the usage status (2)', async () => {
    // The CLI refuses malformed ids itself; this one passes its check and is refused by the (fake) broker.
    server.overrides.set('GET /admin/credentials/odd', {
      status: 400,
      contentType: 'application/problem+json',
      body: JSON.stringify({ title: 'Bad Request', status: 400, code: 'invalid_credential_id', detail: 'The credential id is malformed.' }),
    });
    const run = await brokerctl(['status', 'odd']);
    expect(run).toMatchObject({ code: 2, stderr: 'error: Bad Request (invalid_credential_id): The credential id is malformed.\n' });
  });

  it('reads the key from --key-file instead of the environment', async () => {
    const keyFile = join(workdir, 'admin-key');
    writeFileSync(keyFile, `${ADMIN_KEY}\n`, { mode: 0o600 });
    const run = await brokerctl(['status', '--key-file', keyFile], { BROKER_ADMIN_KEY: '' });
    expect(run.code).toBe(0);
    expect(server.requests[0]?.authorization).toBe(`Bearer ${ADMIN_KEY}`);

    const missing = await brokerctl(['status', '--key-file', join(workdir, 'absent')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`error: cannot read the key file ${join(workdir, 'absent')} (ENOENT)`);
  });

  it('never prints the key, even when the broker echoes it back', async () => {
    server.overrides.set('POST /admin/config/reload', {
      status: 500,
      contentType: 'application/problem+json',
      body: JSON.stringify({ title: 'Internal Server Error', status: 500, code: 'internal_error', detail: `oops Bearer ${ADMIN_KEY}` }),
    });
    for (const args of [['reload'], ['reload', '--json']]) {
      const run = await brokerctl(args);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('error: Internal Server Error (internal_error): oops Bearer [redacted]');
    }
  });

  it('masks control characters coming from the broker', async () => {
    server.overrides.set('GET /admin/credentials/aep-prod', {
      status: 404,
      contentType: 'application/problem+json',
      body: JSON.stringify({ title: 'Not Found', code: 'credential_not_found', detail: 'evil \u001b[2J\u0007 text' }),
    });
    const run = await brokerctl(['status', 'aep-prod']);
    expect(run.stderr).toBe('error: Not Found (credential_not_found): evil ?[2J? text\n');
  });

  it('exits 1 for an answer that is not a problem, and for an unreachable broker', async () => {
    server.overrides.set('GET /admin/credentials', { status: 502, contentType: 'text/html', body: '<html>bad gateway</html>' });
    const html = await brokerctl(['status']);
    expect(html).toMatchObject({ code: 1, stderr: 'error: unexpected answer from the broker (HTTP 502)\n' });

    const port = await freePort();
    const down = await brokerctl(['status'], { BROKER_URL: `http://127.0.0.1:${port}` });
    expect(down).toMatchObject({ code: 1, stderr: `error: cannot reach the broker at http://127.0.0.1:${port} (ECONNREFUSED)\n` });
  });

  it.each([
    [[], 'no command given'],
    [['frobnicate'], "unknown command 'frobnicate'"],
    [['refresh'], "'refresh' needs a credential id"],
    [['evict', '..'], 'the credential id must be 1-64 characters of A-Z a-z 0-9 . _ -'],
    [['status', 'a/b'], 'the credential id must be 1-64 characters of A-Z a-z 0-9 . _ -'],
    [['status', 'a', 'b'], "too many arguments for 'status'"],
    [['status', '--dry-run'], '--dry-run applies to rotate only'],
    [['status', '--key=pasted-secret-value'], "Unknown option '--key'"],
    [['status', '--url', 'ftp://broker'], 'the broker URL must be an http:// or https:// URL without user name or password'],
  ])('exits 2 for bad usage: %j', async (args, message) => {
    const run = await brokerctl(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`error: ${message}\nrun 'brokerctl --help' for usage\n`);
    expect(run.stderr).not.toContain('pasted-secret-value');
    expect(server.requests).toHaveLength(0);
  });

  it('exits 2 when no key is given, and prints usage for --help', async () => {
    const run = await brokerctl(['status'], { BROKER_ADMIN_KEY: '' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('error: no admin API key: set BROKER_ADMIN_KEY or pass --key-file <path>');

    const help = await brokerctl(['--help'], { BROKER_ADMIN_KEY: '' });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: brokerctl <command> \[options\]/);
    expect(help.stdout).toContain('rotate <id> [--dry-run]');
  });

  it('warns before sending the key over plain http to a non-loopback host', async () => {
    // An unresolvable .invalid name (RFC 2606): the warning comes first, then the connection fails.
    const run = await brokerctl(['status'], { BROKER_URL: 'http://broker.invalid:8080' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^warning: sending the admin API key over plain http to broker\.invalid:8080\nerror: cannot reach the broker at http:\/\/broker\.invalid:8080 \(\w+\)\n$/);
  });
});
