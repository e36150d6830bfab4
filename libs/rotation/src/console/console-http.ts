import { ConsoleApiError } from '../rotation.errors';
import { ROTATION_MESSAGES, ROTATION_TIMINGS } from '../rotation.constants';

/** An answer of the I/O Management API, read in full (bounded). */
export interface ConsoleResponse {
  readonly status: number;
  readonly body: string;
}

/**
 * One request with a deadline, no redirects followed, and at most `maxConsoleResponseBytes` read. Network
 * failures and timeouts become `console_unavailable`. (libs/issuers' bounded-http only POSTs forms; this
 * is its GET/POST/DELETE sibling for a JSON API, with the same limits.)
 */
export async function consoleRequest(method: 'GET' | 'POST' | 'DELETE', url: string, headers: Record<string, string>, timeoutMs: number): Promise<ConsoleResponse> {
  let response: Response;
  try {
    response = await fetch(url, { method, headers: { accept: 'application/json', ...headers }, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new ConsoleApiError('console_unavailable', ROTATION_MESSAGES.consoleUnavailable(describeNetworkError(error, timeoutMs)));
  }
  const limit = ROTATION_TIMINGS.maxConsoleResponseBytes;
  if (Number(response.headers.get('content-length') ?? '0') > limit) {
    await response.body?.cancel().catch(() => undefined);
    throw new ConsoleApiError('console_bad_response', ROTATION_MESSAGES.consoleBadResponse(`larger than ${limit} bytes`), response.status);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of response.body ?? []) {
      size += chunk.byteLength;
      if (size > limit) {
        await response.body?.cancel().catch(() => undefined);
        throw new ConsoleApiError('console_bad_response', ROTATION_MESSAGES.consoleBadResponse(`larger than ${limit} bytes`), response.status);
      }
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof ConsoleApiError) throw error;
    throw new ConsoleApiError('console_unavailable', ROTATION_MESSAGES.consoleUnavailable(describeNetworkError(error, timeoutMs)));
  }
  return { status: response.status, body: Buffer.concat(chunks).toString('utf8') };
}

function describeNetworkError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `no answer within ${timeoutMs} ms`;
  const code = (error as { cause?: { code?: unknown } }).cause?.code;
  return `not reachable${typeof code === 'string' ? ` (${code})` : ''}`;
}
