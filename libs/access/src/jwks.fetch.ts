import type { Logger } from '@nestjs/common';
import type { FetchImplementation } from 'jose';
import { ACCESS_MESSAGES, JWT_VERIFICATION } from './access.constants';

/** No key set could be had: the fetch failed (or is backing off) and none was fetched recently enough. */
export class JwksUnavailableError extends Error {
  constructor() {
    super('no usable JSON Web Key Set');
    this.name = new.target.name;
  }
}

/** The limits of one issuer's key-set fetches; `JWT_VERIFICATION` in production, shorter in tests. */
export interface JwksFetchPolicy {
  readonly failureBackoffMs: number;
  readonly staleIfErrorMs: number;
  readonly maxJwksBytes: number;
}

/**
 * The fetch jose uses for one issuer's key set (`createRemoteJWKSet`'s `customFetch`). jose already caches
 * the set and bounds refetches on unknown `kid`s; this adds what it leaves out: a size cap, a check that the
 * answer is a key set, a pause after a failure (so an outage is not probed once per request), and the last
 * good set for a while when the issuer cannot be reached. Nothing about the caller's token is logged.
 */
export function createJwksFetch(issuer: string, logger: Logger, policy: JwksFetchPolicy = JWT_VERIFICATION): FetchImplementation {
  let lastGood: { readonly body: string; readonly at: number } | undefined;
  let quietUntil = 0;
  return async (url, options) => {
    if (Date.now() >= quietUntil) {
      try {
        const body = await fetchKeySet(url, options, policy.maxJwksBytes);
        lastGood = { body, at: Date.now() };
        return keySetResponse(body);
      } catch (error) {
        quietUntil = Date.now() + policy.failureBackoffMs;
        const stale = lastGood !== undefined && Date.now() - lastGood.at < policy.staleIfErrorMs;
        logger.warn({ msg: stale ? ACCESS_MESSAGES.jwksServedStale : ACCESS_MESSAGES.jwksFetchFailed, issuer, reason: describeFailure(error) });
      }
    }
    if (lastGood !== undefined && Date.now() - lastGood.at < policy.staleIfErrorMs) return keySetResponse(lastGood.body);
    throw new JwksUnavailableError();
  };
}

async function fetchKeySet(url: string, options: Parameters<FetchImplementation>[1], maxBytes: number): Promise<string> {
  const response = await fetch(url, options);
  if (response.status !== 200) {
    await response.body?.cancel().catch(() => undefined);
    throw new Error(`status ${response.status}`);
  }
  if (Number(response.headers.get('content-length') ?? '0') > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new Error('key set too large');
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body ?? []) {
    size += chunk.byteLength;
    if (size > maxBytes) {
      await response.body?.cancel().catch(() => undefined);
      throw new Error('key set too large');
    }
    chunks.push(chunk);
  }
  const body = Buffer.concat(chunks).toString('utf8');
  const parsed: unknown = JSON.parse(body);
  if (typeof parsed !== 'object' || parsed === null || !Array.isArray((parsed as { keys?: unknown }).keys)) throw new Error('not a key set');
  return body;
}

function keySetResponse(body: string): Response {
  return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
}

/** A short, value-free description: the status, a size or shape problem, or the network error's code. */
function describeFailure(error: unknown): string {
  // Duck-typed: fetch's errors (DOMException, undici's TypeError) may come from another realm.
  if (typeof error !== 'object' || error === null) return 'unknown error';
  const { name, message, cause } = error as { name?: unknown; message?: unknown; cause?: { code?: unknown } };
  if (name === 'TimeoutError' || name === 'AbortError') return 'timeout';
  if (name === 'SyntaxError') return 'not JSON';
  if (typeof cause?.code === 'string') return cause.code;
  return typeof message === 'string' ? message.slice(0, 64) : 'unknown error';
}
