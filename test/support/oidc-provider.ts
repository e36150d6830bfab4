/**
 * A real OAuth 2.0 authorization server for the e2e tests: panva's oidc-provider (OpenID-certified) with the
 * client_credentials grant enabled, on 127.0.0.1 and a free port. It runs in a child process
 * (oidc-provider-server.ts explains why it cannot run inside Jest).
 *
 * Clients authenticate with client_secret_basic, client_secret_post or private_key_jwt (give `jwks`).
 * Without a `resource` parameter it issues opaque access tokens; with one, JWT access tokens whose `aud` is
 * that resource (RFC 8707). Tokens can be checked with introspection (RFC 7662), as a resource server would.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { ClientMetadata } from 'oidc-provider';
import { freePort } from './free-port';
// Types only: a value import would run the server's main() in this process.
import type { OidcServerOptions, OidcServerStats } from './oidc-provider-server';
import { withParentDeathSignal } from './parent-death';

export type OidcClient = ClientMetadata;

export const OIDC_DEFAULT_TTL_SECONDS = 3600;
const SERVER_SCRIPT = join(__dirname, 'oidc-provider-server.ts');
const START_TIMEOUT_MS = 15_000;
/** Served by the child next to oidc-provider's routes. */
const STATS_PATH = '/__test/stats';

export class OidcAuthorizationServer {
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    /** The issuer identifier, e.g. http://127.0.0.1:41234 */
    readonly issuer: string,
    /** Everything the child printed (oidc-provider's notices), for debugging a failed test. */
    readonly output: readonly string[],
  ) {
    this.exited = new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
  }

  /** Token endpoint of the server (oidc-provider's default route). */
  get tokenUrl(): string {
    return `${this.issuer}/token`;
  }

  static async start(options: { clients: readonly OidcClient[]; scopes?: readonly string[]; accessTokenTtlSeconds?: number }): Promise<OidcAuthorizationServer> {
    const input: OidcServerOptions = {
      clients: options.clients,
      scopes: options.scopes ?? [],
      accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? OIDC_DEFAULT_TTL_SECONDS,
    };
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const [file, args] = withParentDeathSignal(process.execPath, ['--no-warnings', SERVER_SCRIPT]);
      const child = spawn(file, args, {
        env: { PATH: process.env['PATH'] ?? '', OIDC_SERVER_PORT: String(port), OIDC_SERVER_OPTIONS: JSON.stringify(input) },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const output: string[] = [];
      const outcome = await firstLine(child, output);
      if ('ready' in outcome) return new OidcAuthorizationServer(child, outcome.ready, output);
      child.kill('SIGKILL');
      // Another process took the port between freePort() and listen(); try another one.
      if (outcome.failed !== 'EADDRINUSE' || attempt >= 5) {
        throw new Error(`oidc-provider did not start: ${outcome.failed}\n${output.join('\n')}`);
      }
    }
  }

  /** What the server counted so far. */
  async stats(): Promise<OidcServerStats> {
    const response = await fetch(`${this.issuer}${STATS_PATH}`);
    return (await response.json()) as OidcServerStats;
  }

  /** RFC 7662 introspection of an access token, authenticated as a confidential client of this server. */
  async introspect(token: string, client: { clientId: string; clientSecret: string }): Promise<Record<string, unknown>> {
    const basic = Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`).toString('base64');
    const response = await fetch(`${this.issuer}/token/introspection`, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token }),
    });
    if (response.status !== 200) throw new Error(`introspection answered ${response.status}`);
    return (await response.json()) as Record<string, unknown>;
  }

  async close(): Promise<void> {
    this.child.kill('SIGTERM');
    const killer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await this.exited;
    clearTimeout(killer);
  }
}

/** Collects the child's output and resolves with its first JSON status line (ready or failed). */
function firstLine(child: ChildProcess, output: string[]): Promise<{ ready: string } | { failed: string }> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ failed: `no ready line within ${START_TIMEOUT_MS} ms` }), START_TIMEOUT_MS);
    const settle = (outcome: { ready: string } | { failed: string }): void => {
      clearTimeout(timer);
      resolve(outcome);
    };
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        output.push(line);
        const status = parseStatus(line);
        if (status) settle(status);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
    child.once('exit', (code) => settle({ failed: `exited with ${code}` }));
  });
}

function parseStatus(line: string): { ready: string } | { failed: string } | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(line) as { ready?: unknown; failed?: unknown };
    if (typeof parsed.ready === 'string') return { ready: parsed.ready };
    if (typeof parsed.failed === 'string') return { failed: parsed.failed };
  } catch {
    // oidc-provider's own notices are not ours to parse.
  }
  return undefined;
}
