/**
 * An emulated Adobe API (platform.adobe.io and friends) for proxy and client tests. It checks what every
 * Adobe API gateway checks: `Authorization: Bearer <token>` must be a token the IMS emulator issued to the
 * client whose id is the `x-api-key`, and `x-gw-ims-org-id` must be that client's organization. It answers
 * like the gateway does when they are not (401 with `error_code` 401013, 403 with 403010).
 *
 * Routes (any method, under any prefix, so it can stand behind a base URL with a path):
 * - `…/stream?bytes=N`        200 with N bytes of `application/octet-stream`, written with backpressure
 * - `…/hang`                  never answers (until closed); `…/hang-body` sends headers and one chunk, then stalls
 * - `…/redirect`              302 to `/elsewhere`, `Location` as written
 * - `…/cookie`                200 with a `Set-Cookie`
 * - `…/status/NNN`            answers NNN with a small JSON body
 * - anything else             200 echoing what arrived: method, path, query, headers, body size and SHA-256
 *
 * `distrust(token)` makes it answer 401 for a token it would otherwise accept (a token revoked at Adobe).
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { EmulatorServer, type EmulatorListenOptions } from './emulator-server';
import type { ImsEmulator } from './ims-emulator';

/** What the emulator received, as a test looks at it (the body as its size and hash; it may be 100 MiB). */
export interface AdobeApiRequest {
  readonly method: string;
  /** The request target exactly as received (path and query, not decoded). */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  bodyBytes: number;
  bodySha256: string;
  /** The status answered; undefined while pending or when the request was dropped. */
  status?: number;
}

/** The echo route's answer. */
export interface AdobeApiEcho {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly headers: IncomingHttpHeaders;
  readonly bodyBytes: number;
  readonly bodySha256: string;
}

const CHUNK = Buffer.alloc(64 * 1024, 0x61);

export class AdobeApiEmulator {
  /** Base URL, e.g. http://127.0.0.1:PORT (no trailing slash). */
  readonly url: string;
  readonly requests: AdobeApiRequest[] = [];
  /** Requests that passed the gateway checks, by the bearer token they carried. */
  readonly acceptedTokens: string[] = [];

  private readonly orgs = new Map<string, string>();
  private readonly distrusted = new Set<string>();
  /** When set, every token is refused: an API that no longer accepts this credential at all. */
  distrustAll = false;

  private constructor(
    private readonly http: EmulatorServer,
    private readonly ims: ImsEmulator,
  ) {
    this.url = http.url;
  }

  /** Listens on a free loopback port; tokens are checked against `ims`'s issued tokens. */
  static start(ims: ImsEmulator, options: EmulatorListenOptions = {}): Promise<AdobeApiEmulator> {
    return EmulatorServer.listen('AdobeApiEmulator', options, (http) => new AdobeApiEmulator(http, ims));
  }

  /** Registers an API client: its `x-api-key` (the IMS client id) and the org it belongs to. */
  addClient(apiKey: string, orgId: string): void {
    this.orgs.set(apiKey, orgId);
  }

  /** From now on, answer 401 for this token (as Adobe does for a revoked one). */
  distrust(token: string): void {
    this.distrusted.add(token);
  }

  /** Clears recorded requests and distrust; clients stay. */
  reset(): void {
    this.requests.length = 0;
    this.acceptedTokens.length = 0;
    this.distrusted.clear();
    this.distrustAll = false;
  }

  close(): Promise<void> {
    return this.http.close();
  }

  /** Answers one request (called by the EmulatorServer). */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const record: AdobeApiRequest = { method: req.method ?? '', url: req.url ?? '/', headers: { ...req.headers }, bodyBytes: 0, bodySha256: '' };
    this.requests.push(record);
    const hash = createHash('sha256');
    for await (const chunk of req as AsyncIterable<Buffer>) {
      record.bodyBytes += chunk.length;
      hash.update(chunk);
    }
    record.bodySha256 = hash.digest('hex');
    if (res.destroyed) return;

    const refusal = this.refusalOf(req.headers);
    if (refusal) return this.send(res, record, refusal.status, refusal.body);
    this.acceptedTokens.push(bearerOf(req.headers) as string);

    const url = new URL(record.url, 'http://emulator');
    const route = url.pathname.split('/').filter((s) => s !== '');
    const last = route.at(-1) ?? '';
    const penultimate = route.at(-2);
    if (penultimate === 'status' && /^[1-5]\d\d$/.test(last)) {
      return this.send(res, record, Number(last), { status: Number(last), message: 'as asked' });
    }
    switch (last) {
      case 'stream':
        return this.stream(res, record, Number(url.searchParams.get('bytes') ?? '0'));
      case 'hang':
        await this.http.sleep(24 * 3600_000);
        return;
      case 'hang-body':
        record.status = 200;
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.write(CHUNK);
        await this.http.sleep(24 * 3600_000);
        return;
      case 'redirect':
        record.status = 302;
        res.writeHead(302, { location: '/elsewhere?from=emulator', 'content-length': '0' });
        res.end();
        return;
      case 'cookie':
        record.status = 200;
        res.setHeader('set-cookie', 'session=emulated; Path=/; HttpOnly');
        return this.send(res, record, 200, { cookie: 'set' });
      default: {
        const echo: AdobeApiEcho = {
          method: record.method,
          path: url.pathname,
          query: url.search,
          headers: record.headers,
          bodyBytes: record.bodyBytes,
          bodySha256: record.bodySha256,
        };
        return this.send(res, record, 200, echo);
      }
    }
  }

  /** The gateway's checks: a bearer token IMS issued to the `x-api-key` client, and that client's org. */
  private refusalOf(headers: IncomingHttpHeaders): { status: number; body: object } | undefined {
    const token = bearerOf(headers);
    const apiKey = headers['x-api-key'];
    const orgId = headers['x-gw-ims-org-id'];
    if (typeof apiKey !== 'string' || !this.orgs.has(apiKey)) {
      return { status: 403, body: { error_code: '403000', message: 'Api Key is invalid' } };
    }
    const issued = token === undefined ? undefined : this.ims.issued.find((t) => t.token === token);
    if (token === undefined || issued === undefined || issued.clientId !== apiKey || this.distrustAll || this.distrusted.has(token)) {
      return { status: 401, body: { error_code: '401013', message: 'Oauth token is not valid' } };
    }
    if (orgId !== this.orgs.get(apiKey)) {
      return { status: 403, body: { error_code: '403010', message: 'Oauth token does not have permission to access the organization' } };
    }
    return undefined;
  }

  private send(res: ServerResponse, record: AdobeApiRequest, status: number, body: object): void {
    record.status = status;
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
    res.end(text);
  }

  /** Writes `bytes` bytes, waiting for `drain` so the emulator's own memory stays flat too. */
  private async stream(res: ServerResponse, record: AdobeApiRequest, bytes: number): Promise<void> {
    record.status = 200;
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(bytes) });
    let left = bytes;
    while (left > 0 && !res.destroyed) {
      const chunk = left >= CHUNK.length ? CHUNK : CHUNK.subarray(0, left);
      left -= chunk.length;
      if (!res.write(chunk)) await new Promise<void>((resolve) => res.once('drain', resolve).once('close', resolve));
    }
    res.end();
  }
}

function bearerOf(headers: IncomingHttpHeaders): string | undefined {
  const match = /^Bearer (\S+)$/.exec(headers.authorization ?? '');
  return match?.[1];
}
