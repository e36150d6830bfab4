import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';

/** What an emulator must offer the server: a handler for each request. */
export interface RequestHandler {
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

export interface EmulatorListenOptions {
  /** Default 0 (a free port). */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Serve HTTPS with this certificate and key (PEM), e.g. from test-pki.ts; the url then says https. */
  readonly tls?: { readonly cert: string; readonly key: string };
}

/**
 * The HTTP side every upstream emulator shares: listening on loopback, tracking open connections, delays
 * that close() cancels (a delayed handler then never resumes), and a close that drops everything pending.
 * An emulator keeps only its protocol.
 */
export class EmulatorServer {
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private isClosed = false;

  private constructor(
    private readonly server: Server,
    /** Base URL, e.g. http://127.0.0.1:PORT (no trailing slash). */
    readonly url: string,
  ) {}

  /**
   * Listens, builds the emulator with `create`, and routes every request to its `handle`; a handler that
   * throws drops the connection.
   */
  static async listen<T extends RequestHandler>(name: string, options: EmulatorListenOptions, create: (http: EmulatorServer) => T): Promise<T> {
    const host = options.host ?? '127.0.0.1';
    const server: Server = options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }) : createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error(`${name}: no TCP address`);
    const urlHost = host.includes(':') ? `[${host}]` : host;
    const http = new EmulatorServer(server, `${options.tls ? 'https' : 'http'}://${urlHost}:${address.port}`);
    const emulator = create(http);
    server.on('connection', (socket) => {
      http.sockets.add(socket);
      socket.once('close', () => http.sockets.delete(socket));
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      emulator.handle(req, res).catch((error: unknown) => {
        // A client that aborted mid-request is not worth a log line; an emulator bug is.
        if (!req.socket.destroyed) console.error(`${name} internal error`, error);
        // Either way, drop the connection rather than send something that looks like a real answer.
        req.socket.destroy();
      });
    });
    return emulator;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Waits `ms`; close() cancels the wait, so the handler never resumes and its socket is destroyed. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  /** Stops listening; pending (delayed) requests are dropped, open connections destroyed. */
  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const closing = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closing;
  }
}

/** Reads the whole body as UTF-8; undefined when it exceeds `limit` bytes. */
export async function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) tooLarge = true; // keep draining so the response can still be written
    else chunks.push(chunk);
  }
  return tooLarge ? undefined : Buffer.concat(chunks).toString('utf8');
}
