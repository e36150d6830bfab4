/**
 * Starts and stops REAL redis-server processes (standalone, cluster, sentinel)
 * on free ports for integration tests. There is no Docker here, and a real
 * server is the only honest test of Lua scripts, locks and failover.
 *
 * Every process gets its own temp dir (removed when it stops) and dies with
 * the process that started it (see withParentDeathSignal). Call stopAllRedis()
 * from afterAll anyway: Jest reuses workers, so a forgotten server would live
 * on until the worker exits, and its temp dir would stay behind.
 */
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as connectTls } from 'node:tls';
import { freePort } from './free-port';
import { withParentDeathSignal } from './parent-death';

export const REDIS_HOST = '127.0.0.1';

const READY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;
const CLUSTER_READY_TIMEOUT_MS = 20_000;
const OUTPUT_LIMIT = 64 * 1024;
const PORT_ATTEMPTS = 3;

export interface RedisNodeAddress {
  host: string;
  port: number;
}

export interface StartRedisOptions {
  /** Default: a free port (retried if another process grabs it first). */
  port?: number;
  /** Sets requirepass; the url then carries it. */
  password?: string;
  /** Extra redis-server arguments, e.g. ['--maxmemory', '10mb']. */
  args?: string[];
  /** TLS only (`--tls-port`, `--port 0`): the url says rediss://; clients need not present a certificate. */
  tls?: RedisTlsFiles;
}

/** PEM files of a TLS redis-server: its certificate and key, and the CA clients use to verify it. */
export interface RedisTlsFiles {
  certFile: string;
  keyFile: string;
  caFile: string;
}

/** What a server process is started with; kept so restart() can do it again. */
interface LaunchSpec {
  kind: 'redis-server' | 'sentinel';
  password?: string;
  tls?: RedisTlsFiles;
  /** Arguments for a given port and fresh temp dir. */
  argv: (port: number, dir: string) => string[];
  /** Writes config files into the temp dir before spawning. */
  prepare?: (port: number, dir: string) => void;
}

/** Servers whose process may still be alive; stopAllRedis() and the exit hook use it. */
const live = new Set<RedisServer>();
let exitHookInstalled = false;

export class RedisServer implements RedisNodeAddress {
  readonly host = REDIS_HOST;
  readonly port: number;
  readonly password: string | undefined;
  readonly tls: RedisTlsFiles | undefined;

  private readonly spec: LaunchSpec;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private dir: string | undefined;
  private out = '';

  /** @internal use startRedis / startRedisCluster / startRedisSentinel. */
  constructor(port: number, spec: LaunchSpec) {
    this.port = port;
    this.password = spec.password;
    this.tls = spec.tls;
    this.spec = spec;
  }

  /** redis://[:password@]127.0.0.1:PORT (rediss:// for a TLS server) */
  get url(): string {
    const auth = this.password !== undefined ? `:${encodeURIComponent(this.password)}@` : '';
    return `${this.tls ? 'rediss' : 'redis'}://${auth}${this.host}:${this.port}`;
  }

  /** Process id of the current incarnation (changes on restart); undefined when not running. */
  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The temp dir of the current incarnation (its data and config files). */
  get dataDir(): string | undefined {
    return this.dir;
  }

  /** Recent stdout+stderr of the server (redis logs to stdout), for error messages. */
  output(): string {
    return this.out;
  }

  /** Sends one command over a fresh connection (authenticating if needed). */
  command(...args: string[]): Promise<RedisReply> {
    return redisCommand(this.port, args, {
      ...(this.password !== undefined ? { password: this.password } : {}),
      ...(this.tls ? { tlsCa: readFileSync(this.tls.caFile, 'utf8') } : {}),
    });
  }

  /** SIGTERM, then SIGKILL if it has not exited after 5 s; removes the temp dir. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child && this.running) {
      child.kill('SIGTERM');
      child.kill('SIGCONT'); // a paused server cannot act on SIGTERM
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await this.exited;
      clearTimeout(timer);
    }
    this.cleanup();
  }

  /** SIGKILL: a crash, no shutdown work at all. */
  async kill(): Promise<void> {
    if (this.child && this.running) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
    this.cleanup();
  }

  /** Starts again on the SAME port with an empty data dir (stops the current process first). */
  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  /** SIGSTOP: the server keeps its connections but answers nothing (a hung or GC-paused node). */
  pause(): void {
    if (this.running) this.child?.kill('SIGSTOP');
  }

  /** SIGCONT after pause(). */
  resume(): void {
    if (this.running) this.child?.kill('SIGCONT');
  }

  /** @internal spawns the process and waits until it answers PING. */
  async launch(): Promise<void> {
    installExitHook();
    const dir = mkdtempSync(join(tmpdir(), `redis-${this.port}-`));
    this.dir = dir;
    this.out = '';
    this.spec.prepare?.(this.port, dir);
    const [file, args] = withParentDeathSignal('redis-server', this.spec.argv(this.port, dir));
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    live.add(this);
    this.exited = new Promise<void>((resolve) => {
      // 'close', not 'exit': by then stdout/stderr are drained, so output() is complete.
      child.once('close', () => resolve());
      child.once('error', () => resolve()); // e.g. ENOENT: no 'exit' follows
    });
    let spawnError: Error | undefined;
    child.once('error', (err) => {
      spawnError = err;
    });
    const capture = (chunk: Buffer): void => {
      this.out = (this.out + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
    };
    child.stdout?.on('data', capture);
    child.stderr?.on('data', capture);
    // A server a spec forgot to stop must not keep Jest's worker alive; the exit hook kills it.
    child.unref();
    (child.stdout as Socket | null)?.unref();
    (child.stderr as Socket | null)?.unref();

    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (spawnError) {
        this.cleanup();
        throw new Error(`could not spawn redis-server (is it on PATH?): ${spawnError.message}`);
      }
      if (!this.running) {
        await this.exited;
        const code = child.exitCode ?? child.signalCode;
        this.cleanup();
        throw new RedisStartError(`${this.spec.kind} on port ${this.port} exited (${String(code)}) before it was ready`, this.out);
      }
      try {
        if ((await this.command('PING')) === 'PONG') return;
      } catch {
        // not listening yet, or still loading
      }
      if (Date.now() > deadline) {
        await this.kill();
        throw new RedisStartError(`${this.spec.kind} on port ${this.port} did not answer PING within ${READY_TIMEOUT_MS} ms`, this.out);
      }
      await sleep(50);
    }
  }

  private cleanup(): void {
    live.delete(this);
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }

  /** @internal synchronous kill for the process "exit" hook. */
  killNow(): void {
    if (this.running) this.child?.kill('SIGKILL');
    this.cleanup();
  }
}

export class RedisStartError extends Error {
  readonly serverOutput: string;

  constructor(message: string, serverOutput: string) {
    super(`${message}\n--- server output ---\n${serverOutput.trim() || '(none)'}`);
    this.name = 'RedisStartError';
    this.serverOutput = serverOutput;
  }
}

// ---- standalone -------------------------------------------------------------

/** Starts one redis-server on 127.0.0.1 without persistence and waits until it answers PING. */
export async function startRedis(options: StartRedisOptions = {}): Promise<RedisServer> {
  const spec: LaunchSpec = {
    kind: 'redis-server',
    ...(options.password !== undefined ? { password: options.password } : {}),
    ...(options.tls ? { tls: options.tls } : {}),
    argv: (port, dir) => [
      ...(options.tls
        ? ['--port', '0', '--tls-port', String(port), '--tls-cert-file', options.tls.certFile, '--tls-key-file', options.tls.keyFile, '--tls-ca-cert-file', options.tls.caFile, '--tls-auth-clients', 'no']
        : ['--port', String(port)]),
      ...['--bind', REDIS_HOST, '--save', '', '--appendonly', 'no', '--dir', dir],
      ...(options.password !== undefined ? ['--requirepass', options.password] : []),
      ...(options.args ?? []),
    ],
  };
  return launchOnPort(options.port, () => spec);
}

/** Stops every server started by this module that is still running. */
export async function stopAllRedis(): Promise<void> {
  await Promise.all([...live].map((server) => server.stop()));
}

/** Picks a free port (unless given) and retries when another process wins the race for it. */
async function launchOnPort(fixedPort: number | undefined, specFor: () => LaunchSpec | Promise<LaunchSpec>): Promise<RedisServer> {
  for (let attempt = 1; ; attempt++) {
    const server = new RedisServer(fixedPort ?? (await freePort()), await specFor());
    try {
      await server.launch();
      return server;
    } catch (err) {
      const raced = err instanceof RedisStartError && /address already in use/i.test(err.serverOutput);
      if (fixedPort !== undefined || !raced || attempt >= PORT_ATTEMPTS) throw err;
    }
  }
}

// ---- cluster --------------------------------------------------------------------

export interface RedisCluster {
  /** Seed nodes for ioredis' Cluster. */
  nodes: RedisNodeAddress[];
  servers: RedisServer[];
  stop(): Promise<void>;
}

/** Starts `masters` (>= 3) cluster-enabled servers, joins them with redis-cli, waits for cluster_state:ok everywhere. */
export async function startRedisCluster(masters = 3): Promise<RedisCluster> {
  if (masters < 3) throw new Error('a Redis Cluster needs at least 3 masters');
  const servers: RedisServer[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(servers.map((s) => s.stop()));
  };
  try {
    for (let i = 0; i < masters; i++) {
      servers.push(
        await launchOnPort(undefined, async () => {
          // Explicit bus port: the default (port + 10000) overflows for ephemeral ports above 55535.
          const busPort = await freePort();
          return {
            kind: 'redis-server',
            argv: (port, dir) => [
              ...['--port', String(port), '--bind', REDIS_HOST, '--save', '', '--appendonly', 'no', '--dir', dir],
              ...['--cluster-enabled', 'yes', '--cluster-config-file', join(dir, 'nodes.conf')],
              ...['--cluster-node-timeout', '2000', '--cluster-port', String(busPort)],
            ],
          };
        }),
      );
    }
    const addresses = servers.map((s) => `${s.host}:${s.port}`);
    await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'], 30_000);
    await waitUntil(CLUSTER_READY_TIMEOUT_MS, 'cluster_state:ok on every node', async () => {
      for (const s of servers) {
        const info = String(await s.command('CLUSTER', 'INFO'));
        const ok =
          info.includes('cluster_state:ok') &&
          info.includes('cluster_slots_ok:16384') &&
          info.includes(`cluster_known_nodes:${masters}`);
        if (!ok) return false;
      }
      return true;
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return { nodes: servers.map((s) => ({ host: s.host, port: s.port })), servers, stop };
}

// ---- sentinel ---------------------------------------------------------------------

export interface StartRedisSentinelOptions {
  /** Default 'mymaster'. */
  masterName?: string;
  /** How long the master must be unreachable before failover starts. Default 1000 ms. */
  downAfterMs?: number;
  /** Default 5000 ms. */
  failoverTimeoutMs?: number;
}

export interface RedisSentinelSetup {
  masterName: string;
  /** The initial master; after a failover, ask the sentinel (currentMaster()). */
  master: RedisServer;
  replica: RedisServer;
  sentinel: RedisServer;
  /** For ioredis: new Redis({ sentinels, name: masterName }). */
  sentinels: RedisNodeAddress[];
  /** What the sentinel currently reports as master. */
  currentMaster(): Promise<RedisNodeAddress>;
  stop(): Promise<void>;
}

/** One master, one replica and one sentinel (quorum 1), all on free ports, replication established. */
export async function startRedisSentinel(options: StartRedisSentinelOptions = {}): Promise<RedisSentinelSetup> {
  const masterName = options.masterName ?? 'mymaster';
  const started: RedisServer[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(started.map((s) => s.stop()));
  };
  try {
    // Redis 7 waits repl-diskless-sync-delay (5 s) before the first full sync; tests need not.
    const master = await startRedis({ args: ['--repl-diskless-sync-delay', '0'] });
    started.push(master);
    const replica = await startRedis({ args: ['--replicaof', master.host, String(master.port)] });
    started.push(replica);
    await waitUntil(READY_TIMEOUT_MS, 'replica link up', async () =>
      String(await replica.command('INFO', 'replication')).includes('master_link_status:up'),
    );

    const sentinel = await launchOnPort(undefined, () => ({
      kind: 'sentinel',
      // Sentinel rewrites its config file, so it must live in the writable temp dir.
      prepare: (port, dir) =>
        writeFileSync(
          join(dir, 'sentinel.conf'),
          [
            `port ${port}`,
            `bind ${REDIS_HOST}`,
            `dir ${dir}`,
            `sentinel monitor ${masterName} ${master.host} ${master.port} 1`,
            `sentinel down-after-milliseconds ${masterName} ${options.downAfterMs ?? 1000}`,
            `sentinel failover-timeout ${masterName} ${options.failoverTimeoutMs ?? 5000}`,
            `sentinel parallel-syncs ${masterName} 1`,
            '',
          ].join('\n'),
        ),
      argv: (_port, dir) => [join(dir, 'sentinel.conf'), '--sentinel'],
    }));
    started.push(sentinel);
    await waitUntil(READY_TIMEOUT_MS, 'sentinel sees the replica', async () => {
      const replicas = await sentinel.command('SENTINEL', 'REPLICAS', masterName);
      return Array.isArray(replicas) && replicas.length > 0;
    });

    const currentMaster = async (): Promise<RedisNodeAddress> => {
      const reply = await sentinel.command('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', masterName);
      if (!Array.isArray(reply) || typeof reply[0] !== 'string' || typeof reply[1] !== 'string') {
        throw new Error(`sentinel does not know master ${masterName}: ${JSON.stringify(reply)}`);
      }
      return { host: reply[0], port: Number(reply[1]) };
    };
    return {
      masterName,
      master,
      replica,
      sentinel,
      sentinels: [{ host: sentinel.host, port: sentinel.port }],
      currentMaster,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

// ---- a minimal RESP2 client (so the harness does not depend on the client under test) ----

export type RedisReply = string | number | null | RedisReply[];

export interface RedisCommandOptions {
  password?: string;
  host?: string;
  /** Default 2000 ms. */
  timeoutMs?: number;
  /** Speak TLS, trusting this CA (PEM). */
  tlsCa?: string;
}

/** Sends one command on a fresh connection; rejects on an error reply, a socket error or a timeout. */
export function redisCommand(port: number, args: string[], options: RedisCommandOptions = {}): Promise<RedisReply> {
  const commands = options.password !== undefined ? [['AUTH', options.password], args] : [args];
  return new Promise<RedisReply>((resolve, reject) => {
    const host = options.host ?? REDIS_HOST;
    const socket = options.tlsCa === undefined ? connect({ port, host }) : connectTls({ port, host, ca: options.tlsCa });
    let buffer = Buffer.alloc(0);
    const replies: RedisReply[] = [];
    const finish = (err: Error | undefined, reply?: RedisReply): void => {
      socket.destroy();
      if (err) reject(err);
      else resolve(reply ?? null);
    };
    socket.setTimeout(options.timeoutMs ?? 2000, () => finish(new Error(`redis ${args[0] ?? ''} on port ${port}: timed out`)));
    socket.once('error', (err) => finish(err));
    socket.once(options.tlsCa === undefined ? 'connect' : 'secureConnect', () => socket.write(commands.map(encodeCommand).join('')));
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      try {
        for (let parsed = parseReply(buffer, 0); parsed; parsed = parseReply(buffer, 0)) {
          replies.push(parsed.value);
          buffer = buffer.subarray(parsed.end);
        }
      } catch (err) {
        finish(err as Error);
        return;
      }
      if (replies.length === commands.length) finish(undefined, replies[replies.length - 1]);
    });
  });
}

function encodeCommand(args: string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
}

/** Parses one reply at `start`; undefined if incomplete; throws on an error reply. */
function parseReply(buf: Buffer, start: number): { value: RedisReply; end: number } | undefined {
  const lineEnd = buf.indexOf('\r\n', start);
  if (lineEnd < 0) return undefined;
  const type = buf.toString('latin1', start, start + 1);
  const line = buf.toString('utf8', start + 1, lineEnd);
  const next = lineEnd + 2;
  switch (type) {
    case '+':
      return { value: line, end: next };
    case '-':
      throw new Error(`redis error reply: ${line}`);
    case ':':
      return { value: Number(line), end: next };
    case '$': {
      const length = Number(line);
      if (length < 0) return { value: null, end: next };
      if (buf.length < next + length + 2) return undefined;
      return { value: buf.toString('utf8', next, next + length), end: next + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { value: null, end: next };
      const items: RedisReply[] = [];
      let pos = next;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buf, pos);
        if (!item) return undefined;
        items.push(item.value);
        pos = item.end;
      }
      return { value: items, end: pos };
    }
    default:
      throw new Error(`unexpected RESP type byte ${JSON.stringify(type)}`);
  }
}

// ---- helpers --------------------------------------------------------------------

/**
 * Kills live servers when this process exits normally. Inside Jest this never
 * fires: a test file's `process` is a sandbox copy whose events the real
 * process does not emit. withParentDeathSignal() covers that case (and a
 * SIGKILLed test runner); this hook covers plain Node scripts without setpriv.
 */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Only synchronous work is possible here; SIGKILL cannot be ignored or delayed.
  process.once('exit', () => {
    for (const server of [...live]) server.killNow();
  });
}

function run(file: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${file} ${args.join(' ')} failed: ${err.message}\n${stdout}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

async function waitUntil(timeoutMs: number, what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await check()) return;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    }
    await sleep(100);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
