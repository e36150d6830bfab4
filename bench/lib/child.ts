import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { withParentDeathSignal } from '../../test/support/parent-death';

/** The compiled bench scripts, relative to this file (bench/.build/bench/lib). */
export const BENCH_SCRIPTS = {
  cannon: join(__dirname, '../load/cannon.js'),
  burst: join(__dirname, '../load/burst.js'),
  baseline: join(__dirname, '../servers/baseline.js'),
  bareProxy: join(__dirname, '../servers/bare-proxy.js'),
  jsonApi: join(__dirname, '../servers/json-api.js'),
} as const;

/**
 * A bench script run as its own Node process (the load generators and the baseline server), so it never
 * shares an event loop with what it measures. It dies with the bench (pdeathsig), and talks in JSON lines on
 * stdout: `{"ready": …}` when listening, one result object before exiting.
 */
export class NodeChild {
  private readonly lines: string[] = [];
  private readonly errors: string[] = [];
  readonly exited: Promise<number | null>;

  private constructor(private readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      this.lines.push(...parts.filter((line) => line.length > 0));
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      this.errors.push(chunk.toString('utf8'));
      if (this.errors.length > 50) this.errors.shift();
    });
  }

  static start(script: string, input: unknown, options: { env?: Record<string, string>; nodeArgs?: string[] } = {}): NodeChild {
    const [file, args] = withParentDeathSignal(process.execPath, [...(options.nodeArgs ?? []), script, JSON.stringify(input)]);
    const child = spawn(file, args, {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new NodeChild(child);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** The first JSON line written so far that has `key`, waiting up to `timeoutMs`. */
  async waitFor<T>(key: string, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.jsonLines().find((line) => key in line);
      if (found) return found as T;
      if (this.child.exitCode !== null) throw new Error(`child exited (${this.child.exitCode}) without "${key}": ${this.stderr()}`);
      if (Date.now() > deadline) {
        this.child.kill('SIGKILL');
        throw new Error(`child gave no "${key}" within ${timeoutMs} ms: ${this.stderr()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Waits for the child to exit (killing it after `timeoutMs`) and returns its last JSON line. */
  async result<T>(timeoutMs: number): Promise<T> {
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const code = await this.exited;
    clearTimeout(timer);
    const last = this.jsonLines().at(-1);
    if (code !== 0 || last === undefined) throw new Error(`child failed (exit ${String(code)}): ${this.stderr()}`);
    return last as T;
  }

  async stop(timeoutMs = 5_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }

  private jsonLines(): Record<string, unknown>[] {
    return this.lines.flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  }

  private stderr(): string {
    return this.errors.join('').slice(-2000);
  }
}
