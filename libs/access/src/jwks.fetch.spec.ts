import type { Logger } from '@nestjs/common';
import { generateSigningKey, JwksServer } from '../../../test/support/jwks-server';
import { createJwksFetch, JwksUnavailableError } from './jwks.fetch';

describe('createJwksFetch', () => {
  let server: JwksServer;
  const warnings: Record<string, unknown>[] = [];
  const logger = { warn: (entry: Record<string, unknown>) => warnings.push(entry) } as unknown as Logger;
  const options = () => ({ headers: new Headers(), method: 'GET' as const, redirect: 'manual' as const, signal: AbortSignal.timeout(1_000) });

  beforeAll(async () => {
    server = await JwksServer.start();
    server.setKeys([(await generateSigningKey('ES256', 'k1')).publicJwk]);
  });
  afterAll(() => server.close());
  beforeEach(() => {
    server.mode = 'ok';
    warnings.length = 0;
  });

  it('returns the key set', async () => {
    const fetchKeys = createJwksFetch('iss', logger);
    const body = (await (await fetchKeys(server.jwksUri, options())).json()) as { keys: unknown[] };
    expect(body.keys).toHaveLength(1);
  });

  it('backs off after a failure instead of probing on every call', async () => {
    const fetchKeys = createJwksFetch('iss', logger, { failureBackoffMs: 60_000, staleIfErrorMs: 60_000, maxJwksBytes: 65_536 });
    server.mode = 'error';
    const before = server.keySetFetches;
    await expect(fetchKeys(server.jwksUri, options())).rejects.toBeInstanceOf(JwksUnavailableError);
    await expect(fetchKeys(server.jwksUri, options())).rejects.toBeInstanceOf(JwksUnavailableError);
    expect(server.keySetFetches - before).toBe(1);
    expect(warnings).toEqual([{ msg: 'jwks fetch failed', issuer: 'iss', reason: 'status 500' }]);
  });

  it('serves the last good key set for a while when the issuer fails', async () => {
    const fetchKeys = createJwksFetch('iss', logger, { failureBackoffMs: 0, staleIfErrorMs: 60_000, maxJwksBytes: 65_536 });
    await fetchKeys(server.jwksUri, options());
    server.mode = 'garbage';
    const stale = (await (await fetchKeys(server.jwksUri, options())).json()) as { keys: unknown[] };
    expect(stale.keys).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ msg: 'jwks fetch failed; using the last key set fetched', reason: 'not JSON' });
  });

  it('stops serving the last key set once it is too old', async () => {
    const fetchKeys = createJwksFetch('iss', logger, { failureBackoffMs: 0, staleIfErrorMs: 0, maxJwksBytes: 65_536 });
    await fetchKeys(server.jwksUri, options());
    server.mode = 'error';
    await expect(fetchKeys(server.jwksUri, options())).rejects.toBeInstanceOf(JwksUnavailableError);
  });

  it('refuses a key set over the size cap and a hanging issuer', async () => {
    const tiny = createJwksFetch('iss', logger, { failureBackoffMs: 0, staleIfErrorMs: 0, maxJwksBytes: 16 });
    await expect(tiny(server.jwksUri, options())).rejects.toBeInstanceOf(JwksUnavailableError);
    expect(warnings.at(-1)).toMatchObject({ reason: 'key set too large' });
    server.mode = 'hang';
    const fetchKeys = createJwksFetch('iss', logger, { failureBackoffMs: 0, staleIfErrorMs: 0, maxJwksBytes: 65_536 });
    await expect(fetchKeys(server.jwksUri, { ...options(), signal: AbortSignal.timeout(100) })).rejects.toBeInstanceOf(JwksUnavailableError);
    expect(warnings.at(-1)).toMatchObject({ reason: 'timeout' });
  });
});
