import type { CallerCredential } from './caller-credential';
import { TokenBrokerError } from './errors';
import type { TokenBrokerEvent } from './events';
import type { ResolvedOptions } from './options';

/** A successful broker answer: its JSON body and when the request was sent (epoch ms). */
export interface BrokerAnswer {
  readonly body: unknown;
  readonly sentAt: number;
}

export interface BrokerRequest {
  readonly credentialId: string;
  readonly method: 'GET' | 'POST';
  /** Path and query under the base URL, e.g. `/v1/tokens/aep-prod?min_ttl=300`. */
  readonly path: string;
  readonly body?: unknown;
  /** Extra strings to keep out of error messages (e.g. the rejected token). */
  readonly secrets?: readonly string[];
}

/** Backoff when the broker gave no Retry-After: 100 ms doubling to 2 s, with jitter between half and all of it. */
const BACKOFF_FIRST_MS = 100;
const BACKOFF_MAX_MS = 2_000;
/** The least time worth a retry (or the whole per-request timeout, when that is shorter). */
const MIN_LAST_ATTEMPT_MS = 250;
/** Longest problem body read; the broker's are a few hundred bytes. */
const MAX_ERROR_BODY_CHARS = 8_192;

/**
 * Broker requests with the retry policy: 429, 503, network errors and timeouts are retried within the
 * deadline, honouring Retry-After; other answers are final. A 401 from the broker with a token file is
 * retried once if the file holds a new token by then.
 */
export class BrokerHttp {
  constructor(
    private readonly options: ResolvedOptions,
    private readonly credential: CallerCredential,
    private readonly closed: AbortSignal,
    private readonly emit: (event: TokenBrokerEvent) => void,
  ) {}

  async send(request: BrokerRequest): Promise<BrokerAnswer> {
    const deadlineAt = Date.now() + this.options.deadlineMs;
    let rereadAfter401 = false;
    for (let attempt = 1; ; attempt++) {
      const bearer = await this.credential.current();
      let error: TokenBrokerError;
      try {
        return await this.attempt(request, bearer, deadlineAt);
      } catch (thrown) {
        if (!(thrown instanceof TokenBrokerError)) throw thrown;
        error = thrown;
      }
      if (error.code === 'closed') throw error;
      if (error.status === 401 && this.credential.fromFile && !rereadAfter401) {
        // The kubelet may have rotated the projected token since we read it: one more try with the file's content.
        rereadAfter401 = true;
        if ((await this.credential.current()) !== bearer) continue;
      }
      if (!error.retryable) throw error;
      const delayMs = error.retryAfter !== undefined ? error.retryAfter * 1000 : backoff(attempt);
      // Waiting past the deadline only to fail then helps no one: fail now with what the broker said. So does
      // an attempt left with a sliver of time, which could only end in a bare timeout hiding this error.
      if (Date.now() + delayMs + Math.min(this.options.timeoutMs, MIN_LAST_ATTEMPT_MS) > deadlineAt) throw error;
      this.emit({ type: 'retry', credentialId: request.credentialId, attempt, status: error.status, code: error.code, delayMs });
      await sleep(delayMs, this.closed);
      if (this.closed.aborted) throw closedError(request.credentialId);
    }
  }

  private async attempt(request: BrokerRequest, bearer: string, deadlineAt: number): Promise<BrokerAnswer> {
    const url = `${this.options.baseUrl}${request.path}`;
    const where = `${this.options.displayUrl}${request.path.split('?')[0] ?? ''}`;
    const budgetMs = Math.min(this.options.timeoutMs, deadlineAt - Date.now());
    if (this.closed.aborted) throw closedError(request.credentialId);
    if (budgetMs <= 0) throw timeoutError(where, 0, request.credentialId);
    const timeout = AbortSignal.timeout(budgetMs);
    const headers: Record<string, string> = { authorization: `Bearer ${bearer}`, accept: 'application/json, application/problem+json' };
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    const sentAt = Date.now();
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method: request.method,
        headers,
        redirect: 'error',
        signal: AbortSignal.any([timeout, this.closed]),
        ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
      });
      text = await response.text();
    } catch (error) {
      if (this.closed.aborted) throw closedError(request.credentialId);
      if (timeout.aborted) throw timeoutError(where, budgetMs, request.credentialId, error);
      const cause = describeCause(error);
      throw new TokenBrokerError(`token broker ${where} unreachable: ${this.scrub(cause, request)}`, {
        status: 0,
        code: 'network_error',
        detail: this.scrub(cause, request),
        credentialId: request.credentialId,
        cause: error,
      });
    }
    if (response.ok) {
      try {
        return { body: JSON.parse(text) as unknown, sentAt };
      } catch (error) {
        throw new TokenBrokerError(`token broker ${where} answered ${response.status} with a body that is not JSON`, {
          status: response.status,
          code: 'invalid_response',
          detail: 'the body is not JSON',
          requestId: response.headers.get('x-request-id') ?? undefined,
          credentialId: request.credentialId,
          cause: error,
        });
      }
    }
    throw this.problemError(response, text, where, request);
  }

  /** The broker's RFC 9457 problem as a TokenBrokerError; any answer that is not one gets a generic code. */
  private problemError(response: Response, text: string, where: string, request: BrokerRequest): TokenBrokerError {
    const problem = parseObject(text.slice(0, MAX_ERROR_BODY_CHARS));
    const code = typeof problem?.['code'] === 'string' ? problem['code'] : `http_${response.status}`;
    const rawDetail = typeof problem?.['detail'] === 'string' ? problem['detail'] : response.statusText || `HTTP ${response.status}`;
    const detail = this.scrub(rawDetail, request);
    const requestId = typeof problem?.['request_id'] === 'string' ? problem['request_id'] : (response.headers.get('x-request-id') ?? undefined);
    const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
    return new TokenBrokerError(`token broker ${where} answered ${response.status} ${code}: ${detail}`, {
      status: response.status,
      code: this.scrub(code, request),
      detail,
      requestId: requestId === undefined ? undefined : this.scrub(requestId, request),
      retryAfter,
      credentialId: request.credentialId,
    });
  }

  /** Replaces anything secret we sent (API key, workload token, a reported token) by `[redacted]`. */
  private scrub(text: string, request: BrokerRequest): string {
    let out = text;
    for (const secret of [...this.credential.presented(), ...(request.secrets ?? [])]) {
      if (secret.length > 0 && out.includes(secret)) out = out.split(secret).join('[redacted]');
    }
    return out;
  }
}

/** `Retry-After` in seconds (delta-seconds or an HTTP date); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

function backoff(attempt: number): number {
  const step = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** (attempt - 1));
  return Math.round(step / 2 + Math.random() * (step / 2));
}

/**
 * fetch() wraps the real reason (ECONNREFUSED, a TLS failure) in a bare "fetch failed". Duck-typed, not
 * `instanceof Error`: undici's errors may come from another realm (a test runner's VM context).
 */
function describeCause(error: unknown): string {
  const outer = errorLike(error);
  const inner = errorLike(outer?.cause);
  const cause = inner ?? outer;
  if (cause === undefined) return String(error);
  const code = typeof cause.code === 'string' ? cause.code : undefined;
  if (!cause.message) return code ?? 'unknown error';
  return code && !cause.message.includes(code) ? `${code} ${cause.message}` : cause.message;
}

function errorLike(value: unknown): { message: string; code?: unknown; cause?: unknown } | undefined {
  if (typeof value !== 'object' || value === null || !('message' in value) || typeof value.message !== 'string') return undefined;
  return value as { message: string; code?: unknown; cause?: unknown };
}

function timeoutError(where: string, budgetMs: number, credentialId: string, cause?: unknown): TokenBrokerError {
  return new TokenBrokerError(`token broker ${where} did not answer within ${budgetMs} ms`, {
    status: 0,
    code: 'timeout',
    detail: `no answer within ${budgetMs} ms`,
    credentialId,
    cause,
  });
}

function closedError(credentialId: string): TokenBrokerError {
  return new TokenBrokerError('token broker client is closed', { status: 0, code: 'closed', detail: 'the client was closed', credentialId });
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

export { closedError };
