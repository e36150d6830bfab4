import { EXIT, MESSAGES, REQUEST_TIMEOUT_MS } from './brokerctl.constants';
import { CliError, ProblemError } from './brokerctl.errors';
import type { Problem } from './admin-api.types';

export interface AdminResponse {
  readonly status: number;
  /** The parsed JSON body; undefined for an empty body (204). */
  readonly body: unknown;
}

export interface AdminRequest {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** Path under the broker URL, starting with `/admin/`; path segments already encoded. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
}

/**
 * The broker's admin API over fetch: adds the key, refuses redirects (they could carry the key elsewhere),
 * and turns anything that is not a 2xx into a `CliError`. Knows nothing about commands or output.
 */
export class AdminApiClient {
  constructor(
    private readonly baseUrl: URL,
    private readonly adminKey: string,
    private readonly timeoutMs = REQUEST_TIMEOUT_MS,
  ) {}

  /** Sends one request; resolves with 2xx answers only. */
  async send(request: AdminRequest): Promise<AdminResponse> {
    const url = this.urlFor(request);
    const where = this.baseUrl.origin;
    let response: Response;
    try {
      response = await fetch(url, {
        method: request.method,
        headers: { authorization: `Bearer ${this.adminKey}`, accept: 'application/json, application/problem+json' },
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      if (error instanceof DOMException && error.name === 'TimeoutError') {
        throw new CliError(MESSAGES.timeout(where, this.timeoutMs), EXIT.failure);
      }
      throw new CliError(MESSAGES.unreachable(where, reasonOf(error)), EXIT.failure);
    }
    const text = await response.text();
    if (response.status >= 300 && response.status < 400) throw new CliError(MESSAGES.redirect(response.status), EXIT.failure);
    const body = parseJson(text);
    if (response.ok) {
      if (text !== '' && body === undefined) throw new CliError(MESSAGES.unexpectedBody('not JSON'), EXIT.failure);
      return { status: response.status, body };
    }
    if (!isProblem(body)) throw new CliError(MESSAGES.unexpectedStatus(response.status), EXIT.failure);
    throw new ProblemError(response.status, body, body);
  }

  private urlFor(request: AdminRequest): URL {
    // Keep a path prefix of the base URL (a broker behind an ingress at https://host/broker/).
    const url = new URL(this.baseUrl.href);
    url.pathname = `${url.pathname.replace(/\/+$/, '')}${request.path}`;
    url.search = new URLSearchParams(request.query ?? {}).toString();
    return url;
  }
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isProblem(body: unknown): body is Problem {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const { title, code } = body as Record<string, unknown>;
  return typeof title === 'string' || typeof code === 'string';
}

/** The low-level cause (ECONNREFUSED, ENOTFOUND, …) that fetch hides behind "fetch failed". */
function reasonOf(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return error instanceof Error ? error.message : 'unknown error';
}
