import { parseTokenResponse } from './token-response';
import { UpstreamBadResponseError, UpstreamRejectedError, UpstreamUnavailableError } from './upstream.errors';

const SENT_AT = Date.UTC(2026, 10, 21, 12, 0, 0);

function response(status: number, body: unknown, headers: Record<string, string> = {}) {
  return { status, headers: new Headers(headers), body: typeof body === 'string' ? body : JSON.stringify(body) };
}

describe('parseTokenResponse', () => {
  it('normalises a v3 response: expiry counted from the moment the request was sent', () => {
    const token = parseTokenResponse(response(200, { access_token: 'abc', token_type: 'bearer', expires_in: 86399 }), SENT_AT);
    expect(token).toEqual({ accessToken: 'abc', tokenType: 'bearer', issuedAt: SENT_AT, expiresAt: SENT_AT + 86_399_000 });
  });

  it('converts milliseconds when the provider counts in milliseconds (Adobe JWT exchange)', () => {
    const token = parseTokenResponse(response(200, { access_token: 'abc', token_type: 'bearer', expires_in: 86399992 }), SENT_AT, 'milliseconds');
    expect(token.expiresAt - SENT_AT).toBe(86_399_992);
  });

  it.each([86399992, 0, -5, 10, Number.MAX_SAFE_INTEGER])('rejects expires_in %p seconds as out of range', (expiresIn) => {
    expect(() => parseTokenResponse(response(200, { access_token: 'abc', token_type: 'bearer', expires_in: expiresIn }), SENT_AT)).toThrow(
      UpstreamBadResponseError,
    );
  });

  it.each([
    ['no token', { token_type: 'bearer', expires_in: 3600 }],
    ['not bearer', { access_token: 'a', token_type: 'mac', expires_in: 3600 }],
    ['no expiry', { access_token: 'a', token_type: 'bearer' }],
    ['not JSON', '<html>oops</html>'],
    ['a JSON array', '[]'],
  ])('rejects a 200 with %s', (_label, body) => {
    expect(() => parseTokenResponse(response(200, body), SENT_AT)).toThrow(UpstreamBadResponseError);
  });

  it('maps invalid_client to a terminal rejection whose code names the upstream error', () => {
    const error = catchError(() => parseTokenResponse(response(401, { error: 'invalid_client', error_description: 'bad' }), SENT_AT));
    expect(error).toBeInstanceOf(UpstreamRejectedError);
    expect((error as UpstreamRejectedError).code).toBe('upstream_invalid_client');
    expect((error as UpstreamRejectedError).status).toBe(502);
    expect((error as UpstreamRejectedError).isClientError).toBe(true);
  });

  it('does not echo an upstream error code of unexpected shape', () => {
    const error = catchError(() => parseTokenResponse(response(400, { error: 'Bad <script>' }), SENT_AT)) as UpstreamRejectedError;
    expect(error.code).toBe('upstream_rejected');
  });

  it('treats 429 as transient and keeps Retry-After', () => {
    const error = catchError(() => parseTokenResponse(response(429, { error: 'too_many_requests' }, { 'retry-after': '7' }), SENT_AT));
    expect(error).toBeInstanceOf(UpstreamUnavailableError);
    expect((error as UpstreamUnavailableError).retryAfterMs).toBe(7000);
  });

  it.each([500, 502, 503, 504])('treats %i as transient', (status) => {
    expect(() => parseTokenResponse(response(status, 'oops'), SENT_AT)).toThrow(UpstreamUnavailableError);
  });

  it('refuses redirects', () => {
    expect(() => parseTokenResponse(response(302, ''), SENT_AT)).toThrow(UpstreamBadResponseError);
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('parseTokenResponse without expires_in (RFC 6749 makes it optional)', () => {
  const ok = (body: Record<string, unknown>) => response(200, { access_token: 'abc', token_type: 'Bearer', ...body });

  it('asks for the lifetime only when expires_in is absent', () => {
    const fallback = jest.fn(() => 3600);
    expect(parseTokenResponse(ok({}), SENT_AT, 'seconds', fallback).expiresAt).toBe(SENT_AT + 3_600_000);
    expect(fallback).toHaveBeenCalledWith('abc');
    expect(parseTokenResponse(ok({ expires_in: 60 }), SENT_AT, 'seconds', fallback).expiresAt).toBe(SENT_AT + 60_000);
    expect(fallback).toHaveBeenCalledTimes(1);
  });

  it.each([
    ['unknown', undefined],
    ['years', 3 * 365 * 86400],
    ['too short', 5],
    ['already over', -10],
  ])('rejects a lifetime that is %s', (_label, seconds) => {
    expect(() => parseTokenResponse(ok({}), SENT_AT, 'seconds', () => seconds)).toThrow(UpstreamBadResponseError);
  });

  it('still rejects an expires_in that is present but bad, whatever the fallback says', () => {
    expect(() => parseTokenResponse(ok({ expires_in: 0 }), SENT_AT, 'seconds', () => 3600)).toThrow(UpstreamBadResponseError);
    expect(() => parseTokenResponse(ok({ expires_in: null }), SENT_AT, 'seconds', () => 3600)).toThrow(UpstreamBadResponseError);
  });
});
