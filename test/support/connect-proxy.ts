/**
 * A small forward proxy for outbound-proxy tests: it answers HTTP CONNECT by piping bytes to the target
 * (loopback targets only) and records every target, so a test can tell which calls went through it.
 * Plain-HTTP proxy requests (absolute-form URLs) are refused with 502: every upstream here is HTTPS.
 */
import { createServer, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

export class ConnectProxy {
  /** `host:port` of every CONNECT, in arrival order. */
  readonly connects: string[] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<ConnectProxy> {
    const server = createServer((_request, response) => response.writeHead(502).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('ConnectProxy: no TCP address');
    const proxy = new ConnectProxy(server, `http://127.0.0.1:${address.port}`);
    server.on('connect', (request, client: Socket, head: Buffer) => proxy.tunnel(request.url ?? '', client, head));
    return proxy;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private tunnel(target: string, client: Socket, head: Buffer): void {
    this.connects.push(target);
    const colon = target.lastIndexOf(':');
    const host = target.slice(0, colon);
    const port = Number(target.slice(colon + 1));
    if (!LOOPBACK.has(host) || !Number.isInteger(port)) {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const upstream = connect(port, host === '[::1]' ? '::1' : host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
  }
}
