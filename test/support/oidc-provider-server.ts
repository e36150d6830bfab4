/**
 * Child-process entry of the oidc-provider harness (see oidc-provider.ts), run from source with Node's type
 * stripping: `node test/support/oidc-provider-server.ts`. Under Jest, oidc-provider runs in Jest's VM realm,
 * where `structuredClone` yields objects of the outer realm; its `value.constructor === Object` checks then
 * reject every client JWKS (private_key_jwt). In a process of its own it runs exactly as in production.
 *
 * Input: OIDC_SERVER_PORT and OIDC_SERVER_OPTIONS (JSON, `OidcServerOptions`). Output: one line
 * `{"ready":"<issuer>"}` on stdout once listening. `GET /__test/stats` reports what the tests count.
 * Erasable TypeScript only (no enums, no parameter properties), so Node can strip the types.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type ClientMetadata } from 'oidc-provider';

export interface OidcServerOptions {
  readonly clients: readonly ClientMetadata[];
  /** Scopes the server knows; clients get what they ask for within their own `scope`. */
  readonly scopes: readonly string[];
  /** Lifetime of access tokens, seconds. */
  readonly accessTokenTtlSeconds: number;
}

export interface OidcServerStats {
  /** Requests to the token endpoint (any outcome). */
  readonly tokenRequests: number;
  /** `error_description` of every failed token request, oldest first. */
  readonly grantErrors: readonly string[];
  readonly serverErrors: readonly string[];
}

/** Also hard-coded in oidc-provider.ts, which must not import values from this file. */
const STATS_PATH = '/__test/stats';

async function main(): Promise<void> {
  const port = Number(process.env['OIDC_SERVER_PORT']);
  const options = JSON.parse(process.env['OIDC_SERVER_OPTIONS'] ?? '{}') as OidcServerOptions;
  const issuer = `http://127.0.0.1:${port}`;
  // Its own signing key for JWT access tokens (otherwise oidc-provider warns about a development key).
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingJwk = { ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: 'as-1' };
  const ttl = options.accessTokenTtlSeconds;

  const provider = new Provider(issuer, {
    clients: options.clients.map((client) => ({ grant_types: ['client_credentials'], response_types: [], redirect_uris: [], ...client })),
    jwks: { keys: [signingJwk] },
    scopes: [...options.scopes],
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true, allowedPolicy: () => true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => undefined,
        useGrantedResource: () => true,
        // A `resource` parameter (RFC 8707) gets a JWT access token for that audience.
        getResourceServerInfo: (_ctx: unknown, resource: string) => ({
          scope: options.scopes.join(' '),
          audience: resource,
          accessTokenTTL: ttl,
          accessTokenFormat: 'jwt',
        }),
      },
    },
    ttl: { ClientCredentials: () => ttl },
  });

  const stats = { tokenRequests: 0, grantErrors: [] as string[], serverErrors: [] as string[] };
  provider.on('grant.error', (_ctx, error) => stats.grantErrors.push(describe(error)));
  provider.on('server_error', (_ctx, error) => stats.serverErrors.push(describe(error)));
  const callback = provider.callback();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.url === STATS_PATH) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(stats));
      return;
    }
    if (req.url === '/token') stats.tokenRequests++;
    callback(req, res);
  });
  server.once('error', (error: NodeJS.ErrnoException) => {
    process.stdout.write(`${JSON.stringify({ failed: error.code ?? error.message })}\n`);
    process.exit(1);
  });
  server.listen(port, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ ready: issuer })}\n`));
  process.once('SIGTERM', () => server.close(() => process.exit(0)));
  // The parent holds our stdin: when it goes away, so do we.
  process.stdin.resume();
  process.stdin.once('end', () => process.exit(0));
}

function describe(error: Error): string {
  const description = (error as Error & { error_description?: unknown }).error_description;
  return typeof description === 'string' ? `${error.message}: ${description}` : error.message;
}

main().catch((error: unknown) => {
  process.stdout.write(`${JSON.stringify({ failed: String(error) })}\n`);
  process.exit(1);
});
