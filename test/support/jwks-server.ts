import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, exportJWK, exportSPKI, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';

/** How the key-set endpoint answers: normally, with a 500, never (until closed), or with something that is not JSON. */
export type JwksMode = 'ok' | 'error' | 'hang' | 'garbage';

/**
 * A JWKS endpoint for workload-JWT tests (an issuer's `/openid/v1/jwks`), on a free loopback port. It counts
 * every request it gets, whatever the path, so a test can also prove that nothing was fetched from it (the
 * `jku`/`x5u` server).
 */
export class JwksServer {
  /** Requests for the key set. */
  keySetFetches = 0;
  /** Every request, any path. */
  requests = 0;
  mode: JwksMode = 'ok';
  private keys: JWK[] = [];
  private readonly hanging = new Set<ServerResponse>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<JwksServer> {
    const holder: { instance?: JwksServer } = {};
    const server = createServer((request, response) => holder.instance?.handle(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    holder.instance = new JwksServer(server, `http://127.0.0.1:${port}`);
    return holder.instance;
  }

  /** The key-set URL, as `issuers[].jwksUri`. */
  get jwksUri(): string {
    return `${this.url}/openid/v1/jwks`;
  }

  /** Publishes these public keys (replacing the previous set). */
  setKeys(keys: readonly JWK[]): void {
    this.keys = [...keys];
  }

  async close(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    this.requests += 1;
    if (request.url !== '/openid/v1/jwks') {
      response.writeHead(404).end();
      return;
    }
    this.keySetFetches += 1;
    switch (this.mode) {
      case 'ok':
        response.writeHead(200, { 'content-type': 'application/jwk-set+json' }).end(JSON.stringify({ keys: this.keys }));
        return;
      case 'error':
        response.writeHead(500).end('internal error');
        return;
      case 'hang':
        this.hanging.add(response);
        return;
      case 'garbage':
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"keys": [ not json');
        return;
      default: {
        const unknown: never = this.mode;
        throw new Error(`unknown mode ${String(unknown)}`);
      }
    }
  }
}

/** A signing key of a test issuer, with its public JWK (kid and alg set) and its public key as PEM. */
export interface TestSigningKey {
  readonly kid: string;
  readonly alg: 'RS256' | 'ES256';
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
  readonly publicPem: string;
}

/** Generates a real key pair with jose. */
export async function generateSigningKey(alg: 'RS256' | 'ES256', kid: string): Promise<TestSigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, publicJwk, publicPem: await exportSPKI(publicKey) };
}

export interface WorkloadTokenOptions {
  readonly issuer: string;
  readonly audience: string;
  readonly subject?: string;
  /** Seconds from now; default 600. */
  readonly expiresIn?: number;
  /** Seconds from now. */
  readonly notBefore?: number;
  /** Leave `exp` out altogether. */
  readonly noExpiry?: boolean;
  /** Extra protected-header members (`jku`, `x5u`, `jwk`, a different `kid`, …). */
  readonly header?: Readonly<Record<string, unknown>>;
  readonly claims?: JWTPayload;
}

/** A workload JWT as a Kubernetes projected service-account token would look, signed with `key`. */
export function signWorkloadToken(key: TestSigningKey, options: WorkloadTokenOptions): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ ...options.claims })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, ...options.header })
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setIssuedAt(now);
  if (options.subject !== undefined) jwt.setSubject(options.subject);
  if (!options.noExpiry) jwt.setExpirationTime(now + (options.expiresIn ?? 600));
  if (options.notBefore !== undefined) jwt.setNotBefore(now + options.notBefore);
  return jwt.sign(key.privateKey);
}

/** An unsigned token (`alg: none`): header and payload, and an empty signature. */
export function unsignedToken(payload: JWTPayload): string {
  const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(payload)}.`;
}

/** The classic key-confusion forgery: HS256 with the issuer's RSA public key (PEM) as the HMAC secret. */
export function hmacWithPublicKey(key: TestSigningKey, payload: JWTPayload): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg: 'HS256', kid: key.kid }).sign(new TextEncoder().encode(key.publicPem));
}
