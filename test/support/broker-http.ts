/** A broker answer as the tests look at it: the body is parsed when it is JSON, `text` keeps it verbatim. */
export interface BrokerResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly body: unknown;
  /** From sending the request to having read the whole answer. */
  readonly elapsedMs: number;
  /** Wall clock (epoch ms) when the answer was complete: the latest moment the broker could have computed it. */
  readonly receivedAt: number;
  /** Wall clock (epoch ms) just before the request was sent. */
  readonly sentAt: number;
}

export interface CallOptions {
  /** Sent as `Authorization: Bearer <apiKey>`. */
  readonly apiKey?: string;
  /** Raw `Authorization` header (wins over `apiKey`). */
  readonly authorization?: string;
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** One request to the broker with global fetch (undici), which opens as many connections as needed. */
export async function call(baseUrl: string, path: string, options: CallOptions = {}): Promise<BrokerResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.authorization !== undefined) headers['authorization'] = options.authorization;
  else if (options.apiKey !== undefined) headers['authorization'] = `Bearer ${options.apiKey}`;
  const sentAt = Date.now();
  const started = performance.now();
  const response = await fetch(`${baseUrl}${path}`, {
    method: options.method ?? 'GET',
    headers,
    ...(options.body === undefined ? {} : { body: options.body }),
  });
  const text = await response.text();
  const elapsedMs = performance.now() - started;
  return { status: response.status, headers: response.headers, text, body: parseJson(text), elapsedMs, receivedAt: Date.now(), sentAt };
}

/** The token endpoint's success body. */
export interface TokenBody {
  readonly credential_id: string;
  readonly access_token: string;
  readonly token_type: string;
  readonly expires_in: number;
  readonly expires_at: string;
}

/** The fields of an RFC 9457 problem the broker sends. */
export interface ProblemBody {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: string;
  readonly request_id?: string;
}

/**
 * Polls `condition` every `intervalMs` until it holds; for effects with no event to await (a background
 * refresh reaching an emulator). Rejects after `timeoutMs` naming `what`.
 */
export async function waitUntil(condition: () => boolean, what: string, timeoutMs = 5_000, intervalMs = 20): Promise<number> {
  const started = performance.now();
  while (!condition()) {
    if (performance.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return performance.now() - started;
}

/** Resolves after `ms`; only where time itself is what is tested (a token ageing, a cooldown running out). */
export function elapse(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
