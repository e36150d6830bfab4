import { UpstreamBadResponseError, UpstreamUnavailableError } from './upstream.errors';

/** Token responses are a few kilobytes; anything much larger is an error page or an attack. */
export const MAX_RESPONSE_BYTES = 64 * 1024;

export interface UpstreamResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
}

/** What a token request can carry: a urlencoded form, or a `FormData` (sent as multipart/form-data). */
export type RequestBody = URLSearchParams | FormData;

/**
 * POSTs a form to a token endpoint with a deadline, never following redirects, and reads at most
 * `MAX_RESPONSE_BYTES` of the answer. Network failures and timeouts become `UpstreamUnavailableError`.
 */
export function postForm(url: string, form: URLSearchParams, timeoutMs: number, headers: Record<string, string> = {}): Promise<UpstreamResponse> {
  return post(url, form, timeoutMs, { 'content-type': 'application/x-www-form-urlencoded', ...headers });
}

/**
 * `postForm` for any body: a `FormData` goes out as multipart/form-data, with the boundary fetch picks
 * (so no content-type of our own). Same deadline, no redirects, same size cap.
 */
export async function post(url: string, payload: RequestBody, timeoutMs: number, headers: Record<string, string> = {}): Promise<UpstreamResponse> {
  // The deadline's timer is cleared as soon as the answer is read. `AbortSignal.timeout` would keep its timer,
  // the signal and fetch's abort listener alive for the whole `timeoutMs` after every mint (10 s by default:
  // 10,000 of them after a warm-up of 10,000 credentials), and then fire each one into a finished request.
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), timeoutMs);
  timer.unref();
  try {
    return await postWithin(url, payload, timeoutMs, headers, deadline.signal);
  } finally {
    clearTimeout(timer);
  }
}

async function postWithin(url: string, payload: RequestBody, timeoutMs: number, headers: Record<string, string>, signal: AbortSignal): Promise<UpstreamResponse> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { accept: 'application/json', ...headers },
      body: payload,
      redirect: 'manual',
      signal,
    });
  } catch (error) {
    throw new UpstreamUnavailableError(describeNetworkError(error, timeoutMs));
  }
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > MAX_RESPONSE_BYTES) {
    await response.body?.cancel();
    throw new UpstreamBadResponseError(`The identity provider's response is larger than ${MAX_RESPONSE_BYTES} bytes.`);
  }
  let body: string;
  try {
    body = await readBounded(response);
  } catch (error) {
    if (error instanceof UpstreamBadResponseError) throw error;
    throw new UpstreamUnavailableError(describeNetworkError(error, timeoutMs));
  }
  return { status: response.status, headers: response.headers, body };
}

async function readBounded(response: Response): Promise<string> {
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    if (size > MAX_RESPONSE_BYTES) {
      await response.body.cancel().catch(() => undefined);
      throw new UpstreamBadResponseError(`The identity provider's response is larger than ${MAX_RESPONSE_BYTES} bytes.`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function describeNetworkError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `The identity provider did not answer within ${timeoutMs} ms.`;
  }
  const code = (error as { cause?: { code?: unknown } }).cause?.code;
  return `The identity provider could not be reached${typeof code === 'string' ? ` (${code})` : ''}.`;
}

/** `Retry-After` as delay-seconds or HTTP-date, in ms; undefined when absent or unparsable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
