import { readFile } from 'node:fs/promises';
import { TokenBrokerError } from './errors';

/**
 * What the client presents to the broker: a fixed API key, or a projected service-account token read from
 * a file. The file is read for every broker request (those are rare: about one per token lifetime), so a
 * token the kubelet swapped in is used from the next request on.
 */
export class CallerCredential {
  readonly #apiKey: string | undefined;
  readonly #tokenFile: string | undefined;
  #lastRead: string | undefined;
  /** Everything ever presented, so messages can be scrubbed of it. */
  readonly #presented = new Set<string>();

  constructor(apiKey: string | undefined, tokenFile: string | undefined) {
    this.#apiKey = apiKey;
    this.#tokenFile = tokenFile;
    if (apiKey !== undefined) this.#presented.add(apiKey);
  }

  get fromFile(): boolean {
    return this.#tokenFile !== undefined;
  }

  /** The bearer value to send now. */
  async current(): Promise<string> {
    if (this.#apiKey !== undefined) return this.#apiKey;
    const path = this.#tokenFile as string;
    try {
      const value = (await readFile(path, 'utf8')).trim();
      if (value.length === 0 || /\s/.test(value)) throw new Error('the file is empty or holds more than one token');
      this.#lastRead = value;
      this.#presented.add(value);
      return value;
    } catch (error) {
      // A read racing the kubelet's swap can fail; the token read a moment ago is still good.
      if (this.#lastRead !== undefined) return this.#lastRead;
      const reason = reasonOf(error);
      throw new TokenBrokerError(`token broker client: cannot read tokenFile ${path} (${reason})`, {
        status: 0,
        code: 'token_file_unreadable',
        detail: `cannot read tokenFile ${path} (${reason})`,
        cause: error,
      });
    }
  }

  /** Secrets this credential has presented, longest first (so a prefix never hides a longer match). */
  presented(): readonly string[] {
    return [...this.#presented].sort((a, b) => b.length - a.length);
  }
}

/** `ENOENT`, `EACCES`, … or the message; duck-typed, as fs errors may come from another realm. */
function reasonOf(error: unknown): string {
  if (typeof error !== 'object' || error === null) return 'unreadable';
  if ('code' in error && typeof error.code === 'string') return error.code;
  return 'message' in error && typeof error.message === 'string' ? error.message : 'unreadable';
}
