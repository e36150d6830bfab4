import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';
import { withParentDeathSignal } from './parent-death';

const MAIN = join(__dirname, '../../dist/apps/broker/src/main.js');

export interface BrokerProcessOptions {
  /** The YAML config file's content. */
  readonly config: string;
  /** Extra environment (REDIS_URL, TOKEN_ENCRYPTION_KEYS, AWS_*, …); PATH and HOME are passed through. */
  readonly env?: Readonly<Record<string, string>>;
  /** How long to wait for /health/live; default 20 s. */
  readonly startTimeoutMs?: number;
  /** Give it a HEALTH_PORT (a free port) and probe liveness there: needed when the main port requires client certificates. */
  readonly healthPort?: boolean;
  /**
   * A cgroup's `cgroup.procs` file: the broker is started inside that cgroup (the bench runs it under the
   * Deployment's memory limit, which Node sizes its heap from).
   */
  readonly cgroupProcs?: string;
}

/**
 * A real broker process (the compiled `main.js`) on a free port, for fleet tests: its stdout/stderr lines
 * are kept for assertions, and it can be stopped, killed, paused and resumed like a pod.
 */
export class BrokerProcess {
  readonly lines: string[] = [];
  readonly exited: Promise<number | null>;
  private readonly workdir: string;

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    workdir: string,
    private readonly scheme: 'http' | 'https' = 'http',
    /** The HEALTH_PORT, when started with one. */
    readonly healthPort?: number,
  ) {
    this.workdir = workdir;
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? null : 0))));
    let buffered = '';
    const collect = (chunk: Buffer): void => {
      buffered += chunk.toString('utf8');
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      this.lines.push(...parts.filter((line) => line.length > 0));
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
  }

  /** Starts a broker and waits until `/health/live` answers 200. */
  static async start(options: BrokerProcessOptions): Promise<BrokerProcess> {
    const workdir = mkdtempSync(join(tmpdir(), 'broker-proc-'));
    const configPath = join(workdir, 'broker.yaml');
    writeFileSync(configPath, options.config);
    const port = await freePort();
    const healthPort = options.healthPort ? await freePort() : undefined;
    // Under pdeathsig the broker dies with the test runner, however the runner dies.
    const [file, args] = BrokerProcess.inCgroup(withParentDeathSignal(process.execPath, [MAIN]), options.cgroupProcs);
    const child = spawn(file, args, {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? workdir,
        PORT: String(port),
        HOST: '127.0.0.1',
        BROKER_CONFIG: configPath,
        LOG_LEVEL: 'debug',
        ...(healthPort === undefined ? {} : { HEALTH_PORT: String(healthPort) }),
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const broker = new BrokerProcess(child, port, workdir, options.env?.['TLS_CERT_FILE'] ? 'https' : 'http', healthPort);
    await broker.waitUntilLive(options.startTimeoutMs ?? 20_000);
    return broker;
  }

  /** Wraps the command so that it joins the cgroup before exec (the shell's pid becomes the broker's). */
  private static inCgroup([file, args]: [string, string[]], procs: string | undefined): [string, string[]] {
    return procs === undefined ? [file, args] : ['/bin/sh', ['-c', 'echo $$ > "$1" && shift && exec "$@"', 'sh', procs, file, ...args]];
  }

  /** The config file this process reads (BROKER_CONFIG); tests rewrite it to exercise reloads. */
  get configPath(): string {
    return join(this.workdir, 'broker.yaml');
  }

  get url(): string {
    return `${this.scheme}://127.0.0.1:${this.port}`;
  }

  /** Where the health endpoints answer over plain HTTP: the HEALTH_PORT when there is one, else `url`. */
  get healthUrl(): string {
    return this.healthPort === undefined ? this.url : `http://127.0.0.1:${this.healthPort}`;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** GET `path` with an optional bearer key; returns status, parsed JSON body and headers. */
  async get(path: string, apiKey?: string): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
    const response = await fetch(`${this.url}${path}`, { headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {} });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: response.headers };
  }

  /** Resolves with the first log line (parsed) matching `predicate`, waiting up to `timeoutMs`. */
  async waitForLog(predicate: (entry: Record<string, unknown>) => boolean, timeoutMs = 10_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.logEntries().find(predicate);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no matching log line within ${timeoutMs} ms; last lines:\n${this.lines.slice(-20).join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** The JSON log lines written so far. */
  logEntries(): Record<string, unknown>[] {
    return this.lines.flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** SIGTERM, then SIGKILL if it has not exited within `timeoutMs`; returns the exit code. */
  async stop(timeoutMs = 10_000): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGCONT');
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
      try {
        await this.exited;
      } finally {
        clearTimeout(timer);
      }
    }
    rmSync(this.workdir, { recursive: true, force: true });
    return this.exited;
  }

  private async waitUntilLive(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) {
        throw new Error(`broker exited with ${this.child.exitCode} before becoming live:\n${this.lines.join('\n')}`);
      }
      try {
        const response = await fetch(`${this.healthUrl}/health/live`);
        if (response.status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    this.child.kill('SIGKILL');
    throw new Error(`broker not live within ${timeoutMs} ms:\n${this.lines.join('\n')}`);
  }
}
