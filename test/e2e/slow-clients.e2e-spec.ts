import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { BrokerProcess } from '../support/broker-process';
import { ImsEmulator } from '../support/ims-emulator';

const SLOW_CONNECTIONS = 1_000;
const HEADERS_TIMEOUT_S = 2;
const API_KEY = `slow-key-${randomBytes(12).toString('hex')}`;
const SECRET = `secret-${randomBytes(16).toString('hex')}`;

/** VmRSS of a process, in bytes. */
function rssOf(pid: number): number {
  const kib = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kib) * 1024;
}

/**
 * Slowloris: a thousand connections that dribble a header line every 300 ms and never finish their head.
 * The broker must keep answering other callers meanwhile, close the slow connections once the head timeout
 * (HTTP_HEADERS_TIMEOUT, 2 s here) has passed, and not hold memory for them.
 */
describe('slow clients', () => {
  let ims: ImsEmulator;
  let broker: BrokerProcess;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    ims = await ImsEmulator.start();
    ims.addClient({ clientId: 'slow-client', secrets: [SECRET] });
    broker = await BrokerProcess.start({
      config: `
credentials:
  - id: slow
    provider: adobe-ims
    imsUrl: ${ims.url}
    clientId: slow-client
    orgId: ORG@AdobeOrg
    scopes: [openid]
    secret: { source: env, name: SLOW_SECRET }
callers:
  - id: svc
    apiKeySha256: ${createHash('sha256').update(API_KEY).digest('hex')}
    credentials: ['*']
`,
      env: { SLOW_SECRET: SECRET, HTTP_HEADERS_TIMEOUT: `${HEADERS_TIMEOUT_S}s`, LOG_LEVEL: 'warn' },
      startTimeoutMs: 60_000,
    });
  }, 90_000);

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await broker?.stop();
    await ims?.close();
  });

  it(`closes ${SLOW_CONNECTIONS} dribbling connections after the head timeout, serving other callers meanwhile`, async () => {
    expect((await broker.get('/v1/tokens/slow', API_KEY)).status).toBe(200);
    const rssBefore = rssOf(broker.pid);
    let closed = 0;
    const timers: NodeJS.Timeout[] = [];
    await Promise.all(
      Array.from({ length: SLOW_CONNECTIONS }, (_, i) => new Promise<void>((resolve, reject) => {
        const socket = connect({ host: '127.0.0.1', port: broker.port });
        sockets.push(socket);
        socket.on('error', () => undefined);
        socket.once('close', () => (closed += 1));
        socket.once('connect', () => {
          socket.write(`GET /v1/tokens/slow HTTP/1.1\r\nHost: 127.0.0.1\r\n`);
          const dribble = setInterval(() => socket.writable && socket.write(`X-Slow-${i}: ${'a'.repeat(20)}\r\n`), 300);
          timers.push(dribble);
          socket.once('close', () => clearInterval(dribble));
          resolve();
        });
        setTimeout(() => reject(new Error('connect timeout')), 20_000).unref();
      })),
    );
    try {
      // While the slow connections are open, other callers are answered quickly.
      const started = performance.now();
      const answers = await Promise.all(Array.from({ length: 50 }, () => broker.get('/v1/tokens/slow', API_KEY)));
      expect(answers.map((a) => a.status)).toEqual(Array(50).fill(200));
      expect(performance.now() - started).toBeLessThan(5_000);
      const rssDuring = rssOf(broker.pid);

      // The head timeout (plus Node's 1 s check interval, and some slack on a busy machine) closes them all.
      const deadline = Date.now() + (HEADERS_TIMEOUT_S + 8) * 1_000;
      while (closed < SLOW_CONNECTIONS && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(closed).toBe(SLOW_CONNECTIONS);
      // A thousand held connections cost the broker little memory (Node's default kept them 60 s).
      expect(rssDuring - rssBefore).toBeLessThan(64 * 1024 * 1024);
      expect((await broker.get('/v1/tokens/slow', API_KEY)).status).toBe(200);
    } finally {
      for (const timer of timers) clearInterval(timer);
    }
  }, 60_000);
});
