import type { BrokerResponse, ProblemBody, TokenBody } from '../support/broker-http';

/** A stack frame as V8 prints it (`at fn (/path/file.ts:12:3)`); no broker answer may carry one. */
export const STACK_FRAME = /at .*\.(ts|js):\d+/;

/**
 * Asserts an RFC 9457 problem answer with the broker's fields, and returns its body. Every error answer
 * is checked for stack traces, and its `request_id` must be the one the broker echoed in `x-request-id`.
 */
export function expectProblem(response: BrokerResponse, status: number, code?: string): ProblemBody {
  expect({ status: response.status, text: response.text }).toEqual({ status, text: expect.any(String) });
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json\b/);
  expect(response.text).not.toMatch(STACK_FRAME);
  const body = response.body as ProblemBody;
  expect(body).toEqual({
    type: expect.stringMatching(/^https?:\/\/\S+$/),
    title: expect.any(String),
    status,
    detail: expect.any(String),
    code: code ?? expect.stringMatching(/^[a-z][a-z0-9_]*$/),
    request_id: response.headers.get('x-request-id'),
  });
  expect(body.title.length).toBeGreaterThan(0);
  expect(body.detail.length).toBeGreaterThan(0);
  return body;
}

/** Asserts a successful token answer (shape, types, cache headers) and returns its body. */
export function expectToken(response: BrokerResponse, credentialId: string): TokenBody {
  expect({ status: response.status, text: response.text }).toEqual({ status: 200, text: expect.any(String) });
  expect(response.headers.get('content-type')).toMatch(/^application\/json\b/);
  expect(response.headers.get('cache-control')).toBe('no-store');
  expect(response.headers.get('pragma')).toBe('no-cache');
  const body = response.body as TokenBody;
  expect(body).toEqual({
    credential_id: credentialId,
    access_token: expect.any(String),
    token_type: 'bearer',
    expires_in: expect.any(Number),
    // RFC 3339 in UTC (`Z`), with optional fractional seconds.
    expires_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/),
  });
  expect(Number.isInteger(body.expires_in)).toBe(true);
  expect(body.expires_in).toBeGreaterThanOrEqual(0);
  return body;
}

/**
 * `expires_in` must be the whole seconds left when the answer was made: between what was left when the
 * request was sent and what was left when the answer arrived (rounded down).
 */
export function expectTruthfulExpiresIn(response: BrokerResponse, body: TokenBody): void {
  const expiresAt = Date.parse(body.expires_at);
  expect(body.expires_in).toBeLessThanOrEqual(Math.floor((expiresAt - response.sentAt) / 1000));
  expect(body.expires_in).toBeGreaterThanOrEqual(Math.floor((expiresAt - response.receivedAt) / 1000));
}
