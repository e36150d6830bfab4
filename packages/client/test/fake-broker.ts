import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request the fake broker received. */
export interface RecordedRequest {
  readonly method: string;
  /** Path and query, e.g. `/v1/tokens/a?min_ttl=300`. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly at: number;
}

/** What the fake answers: a response, a reset connection, or no answer at all. */
export interface FakeResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  readonly delayMs?: number;
}
export type FakeReply = FakeResponse | 'reset' | 'hang';

export type FakeHandler = (request: RecordedRequest) => FakeReply | Promise<FakeReply>;

/** A token response as the broker sends it. */
export function tokenReply(accessToken: string, expiresIn: number, delayMs = 0): FakeResponse {
  return {
    status: 200,
    delayMs,
    body: { credential_id: 'x', access_token: accessToken, token_type: 'bearer', expires_in: expiresIn, expires_at: new Date(Date.now() + expiresIn * 1000).toISOString() },
  };
}

/** An RFC 9457 problem as the broker sends it. */
export function problemReply(status: number, code: string, detail: string, headers: Record<string, string> = {}): FakeResponse {
  return {
    status,
    headers: { 'content-type': 'application/problem+json', ...headers },
    body: { type: `https://token-broker.dev/problems/${code}`, title: code, status, detail, code, request_id: `req-${status}-${code}` },
  };
}

/**
 * A scriptable stand-in for the broker (or for an API behind it) on a loopback port: every request is
 * recorded, and `handler` decides the answer.
 */
export class FakeServer {
  readonly requests: RecordedRequest[] = [];
  handler: FakeHandler = () => ({ status: 500, body: { detail: 'no handler' } });
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(handler?: FakeHandler): Promise<FakeServer> {
    const holder: { fake?: FakeServer } = {};
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const recorded: RecordedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
        void holder.fake?.answer(recorded, res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const fake = new FakeServer(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    holder.fake = fake;
    if (handler) fake.handler = handler;
    return fake;
  }

  /** Requests whose path (without query) is `path`. */
  requestsTo(path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.url.split('?')[0] === path);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async answer(request: RecordedRequest, res: ServerResponse): Promise<void> {
    this.requests.push(request);
    const reply = await this.handler(request);
    if (reply === 'hang') return;
    if (reply === 'reset') {
      res.socket?.destroy();
      return;
    }
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    if (res.destroyed) return;
    const body = reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
    res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
    res.end(body);
  }
}
