import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for the broker's admin API (node:http), implementing the contract brokerctl codes against:
 * GET /admin/credentials[/{id}], POST …/{id}/refresh, DELETE …/{id}/token, POST|GET …/{id}/rotations,
 * POST /admin/config/reload. Answers are canned but stateful enough for the CLI's paths (a started
 * rotation makes the next one conflict; an eviction drops the token).
 */

export const ADMIN_KEY = 'adm1n-K3y-for-brokerctl-tests-4f9c2a';
/** A valid caller key without the admin role: 403. */
export const NON_ADMIN_KEY = 'plain-caller-key-without-admin-role';

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly authorization: string | undefined;
}

type Json = Record<string, unknown>;

export interface FakeAdminServer {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Next `POST /admin/config/reload` answers 422 with these issues when set. */
  reloadIssues: { path: string; message: string }[] | undefined;
  /** Override the answer of one `METHOD path` (e.g. to send HTML, a 500 or a body echoing the key). */
  readonly overrides: Map<string, { status: number; contentType: string; body: string }>;
  close(): Promise<void>;
}

/** Shapes as apps/broker/src/rotation-view.ts builds them. */
const FINISHED_ROTATION: Json = {
  rotation_id: 'rot-0',
  state: 'succeeded',
  step: 'retire',
  trigger: 'schedule',
  started_at: '2026-10-01T00:00:00.000Z',
  updated_at: '2026-10-01T00:20:00.000Z',
  finished_at: '2026-10-01T00:20:00.000Z',
  error_code: null,
  steps: [],
};
const DRY_RUN_OK: Json = {
  rotation_id: null,
  dry_run: true,
  state: 'ok',
  step: 'prepare',
  error_code: null,
  current_version_id: 'a1b2c3d4-0000-4000-8000-000000000001',
  current_adobe_secret_uuid: 'c0ffee00-0000-4000-8000-000000000002',
  adobe_secrets: [{ uuid: 'c0ffee00-0000-4000-8000-000000000002' }],
  orphan: null,
};
const DRY_RUN_BLOCKED: Json = { rotation_id: null, dry_run: true, state: 'blocked', step: 'prepare', error_code: 'rotation_not_configured' };
const CURRENT_SECRET: Json = {
  version_id: 'a1b2c3d4-0000-4000-8000-000000000001',
  created_at: '2026-10-01T00:10:00.000Z',
  age_seconds: 3 * 86_400 + 7_200,
  next_scheduled_at: '2026-12-01T00:00:00.000Z',
  instance_version_id: 'a1b2c3d4-0000-4000-8000-000000000001',
  instance_fetched_at: '2026-11-21T07:00:00.000Z',
};

function baseCredentials(now: number): Map<string, Json> {
  const iso = (offsetSeconds: number): string => new Date(now + offsetSeconds * 1000).toISOString();
  return new Map<string, Json>([
    [
      'aep-prod',
      {
        id: 'aep-prod',
        provider: 'adobe-ims',
        token: { held: true, expires_at: iso(86_000), expires_in: 86_000, next_refresh_at: iso(43_000) },
        last_refresh: { at: iso(-400), duration_ms: 212, outcome: 'success', error_code: null },
        upstream_calls: 3,
        secret: { source: 'aws', version: 'a1b2c3d4-0000-4000-8000-000000000001', fetched_at: iso(-120), age_seconds: 120 },
        rotation: null,
      },
    ],
    [
      'journeys',
      {
        id: 'journeys',
        provider: 'oauth2',
        token: { held: false, expires_at: null, expires_in: null, next_refresh_at: null },
        last_refresh: { at: iso(-30), duration_ms: 41, outcome: 'failure', error_code: 'upstream_invalid_client' },
        upstream_calls: 7,
        secret: { source: 'file', version: null, fetched_at: null, age_seconds: null },
        rotation: null,
      },
    ],
  ]);
}

function problem(res: ServerResponse, status: number, code: string, title: string, detail: string, extra: Json = {}): void {
  const body = { type: `https://token-broker.dev/problems/${code}`, title, status, detail, code, request_id: 'req-fake-1', ...extra };
  res.writeHead(status, { 'content-type': 'application/problem+json' });
  res.end(JSON.stringify(body));
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Starts the fake on a free loopback port. */
export async function startFakeAdminServer(): Promise<FakeAdminServer> {
  const credentials = baseCredentials(Date.now());
  const rotations = new Map<string, { current: Json | null; history: Json[] }>([['aep-prod', { current: null, history: [FINISHED_ROTATION] }]]);
  let rotationCount = 0;

  const handle = (req: IncomingMessage, res: ServerResponse, state: FakeAdminServer): void => {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://fake');
    state.requests.push({ method, url: `${url.pathname}${url.search}`, authorization: req.headers.authorization });
    const override = state.overrides.get(`${method} ${url.pathname}`);
    if (override) {
      res.writeHead(override.status, { 'content-type': override.contentType });
      res.end(override.body);
      return;
    }
    const auth = req.headers.authorization;
    if (auth === `Bearer ${NON_ADMIN_KEY}`) {
      problem(res, 403, 'forbidden', 'Forbidden', "This caller lacks the 'admin' role.");
      return;
    }
    if (auth !== `Bearer ${ADMIN_KEY}`) {
      problem(res, 401, 'unauthenticated', 'Unauthorized', 'A valid API key is required.');
      return;
    }

    if (method === 'GET' && url.pathname === '/admin/credentials') {
      json(res, 200, { credentials: [...credentials.values()] });
      return;
    }
    if (method === 'POST' && url.pathname === '/admin/config/reload') {
      if (state.reloadIssues) {
        problem(res, 422, 'config_invalid', 'Unprocessable Content', 'The config file is invalid; nothing was applied.', {
          issues: state.reloadIssues,
        });
      } else {
        json(res, 200, { status: 'applied', credentials: credentials.size, callers: 4 });
      }
      return;
    }
    const match = /^\/admin\/credentials\/([^/]+)(\/refresh|\/token|\/rotations)?$/.exec(url.pathname);
    const id = match ? decodeURIComponent(match[1] ?? '') : undefined;
    if (id === 'bad$id') {
      problem(res, 400, 'invalid_credential_id', 'Bad Request', 'The credential id is malformed.');
      return;
    }
    const credential = id === undefined ? undefined : credentials.get(id);
    if (!match || id === undefined) {
      problem(res, 404, 'not_found', 'Not Found', 'No such route.');
      return;
    }
    if (!credential) {
      problem(res, 404, 'credential_not_found', 'Not Found', `No credential '${id}' is configured.`);
      return;
    }
    const action = match[2];
    if (method === 'GET' && action === undefined) {
      json(res, 200, credential);
      return;
    }
    if (method === 'POST' && action === '/refresh') {
      const expiresAt = new Date(Date.now() + 86_399_000).toISOString();
      credential['token'] = { held: true, expires_at: expiresAt, expires_in: 86_399, next_refresh_at: null };
      json(res, 200, { credential_id: id, expires_at: expiresAt, expires_in: 86_399 });
      return;
    }
    if (method === 'DELETE' && action === '/token') {
      credential['token'] = { held: false, expires_at: null, expires_in: null, next_refresh_at: null };
      res.writeHead(204);
      res.end();
      return;
    }
    const record = rotations.get(id) ?? { current: null, history: [] };
    rotations.set(id, record);
    if (method === 'POST' && action === '/rotations') {
      if (url.searchParams.get('dryRun') === 'true') {
        json(res, 200, credential['provider'] === 'adobe-ims' ? DRY_RUN_OK : { ...DRY_RUN_BLOCKED, detail: `Credential '${id}' has no rotation: section.` });
        return;
      }
      if (record.current) {
        problem(res, 409, 'rotation_in_progress', 'Conflict', `Rotation ${String(record.current['rotation_id'])} of '${id}' is still running.`);
        return;
      }
      rotationCount += 1;
      const now = new Date().toISOString();
      record.current = { rotation_id: `rot-${rotationCount}`, state: 'running', step: 'prepare', trigger: 'operator', started_at: now, updated_at: now, finished_at: null, error_code: null, steps: [] };
      res.setHeader('location', `/admin/credentials/${id}/rotations`);
      json(res, 202, record.current);
      return;
    }
    if (method === 'GET' && action === '/rotations') {
      const currentSecret = credential['provider'] === 'adobe-ims' ? CURRENT_SECRET : null;
      json(res, 200, { credential_id: id, current: record.current, history: record.history, current_secret: currentSecret });
      return;
    }
    problem(res, 405, 'method_not_allowed', 'Method Not Allowed', `${method} is not allowed here.`);
  };

  const server: Server = createServer();
  const state: FakeAdminServer = {
    url: '',
    requests: [],
    reloadIssues: undefined,
    overrides: new Map(),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    // Drain the (empty) body first, as a real server would.
    req.resume();
    req.on('end', () => handle(req, res, state));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, { url: `http://127.0.0.1:${port}` });
}
