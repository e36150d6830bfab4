import type { DestinationStream } from 'pino';

/** One parsed log line; `raw` is the line exactly as the logger wrote it. */
export interface CapturedLine {
  readonly raw: string;
  readonly json: Readonly<Record<string, unknown>> | undefined;
}

/** A secret that was found in the logs, and the line that carried it. */
export interface Leak {
  readonly label: string;
  readonly line: string;
}

/**
 * A pino destination that keeps every line in memory, so a test can assert on the exact text the broker
 * would have written to stdout (redaction happens before the destination, so this is what operators see).
 */
export class LogCapture implements DestinationStream {
  private readonly captured: CapturedLine[] = [];
  private partial = '';
  private readonly waiters = new Set<{ match: (line: CapturedLine) => boolean; resolve: (line: CapturedLine) => void }>();

  write(chunk: string): void {
    const text = this.partial + chunk;
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    for (const raw of parts) {
      if (raw.length === 0) continue;
      const line = { raw, json: parseObject(raw) };
      this.captured.push(line);
      for (const waiter of [...this.waiters]) {
        if (waiter.match(line)) {
          this.waiters.delete(waiter);
          waiter.resolve(line);
        }
      }
    }
  }

  /** Every complete line written so far. */
  get lines(): readonly CapturedLine[] {
    return this.captured;
  }

  /** The parsed lines (lines that are not JSON objects are left out; see `unparsable`). */
  get entries(): readonly Readonly<Record<string, unknown>>[] {
    return this.captured.flatMap((line) => (line.json ? [line.json] : []));
  }

  /** Lines that are not a JSON object: a JSON-lines logger must never write one. */
  get unparsable(): readonly string[] {
    return this.captured.filter((line) => line.json === undefined).map((line) => line.raw);
  }

  /** Every line that contains one of the given strings; labels say which secret leaked without printing it. */
  leaksOf(secrets: ReadonlyMap<string, string>): Leak[] {
    const leaks: Leak[] = [];
    for (const line of [...this.captured.map((l) => l.raw), ...(this.partial ? [this.partial] : [])]) {
      for (const [label, secret] of secrets) {
        if (secret.length > 0 && line.includes(secret)) leaks.push({ label, line: line.split(secret).join('<LEAKED>') });
      }
    }
    return leaks;
  }

  /** Resolves with the first line (already written or still to come) that matches. */
  waitFor(match: (line: CapturedLine) => boolean, timeoutMs = 5_000): Promise<CapturedLine> {
    const found = this.captured.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (line: CapturedLine) => {
          clearTimeout(timer);
          resolve(line);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`no matching log line within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }
}

function parseObject(raw: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(raw);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
