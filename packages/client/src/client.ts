import { createHash } from 'node:crypto';
import { BrokerHttp, closedError } from './broker-http';
import { CallerCredential } from './caller-credential';
import type { TokenBrokerEvent } from './events';
import { type ResolvedOptions, resolveOptions, type TokenBrokerClientOptions } from './options';
import { isReplayable } from './replay';
import { type BrokerToken, type HeldToken, heldTokenOf, viewOf } from './token';

/** The headers an API call with a credential needs, e.g. `authorization`, `x-api-key`, `x-gw-ims-org-id`. */
export type CredentialHeaders = Record<string, string>;

interface CacheEntry {
  readonly token: HeldToken;
  /** Epoch ms until which the token is served from memory. */
  readonly reuseUntil: number;
}

/** The broker's credential ids; checked before one goes into a URL. */
const CREDENTIAL_ID = /^[A-Za-z0-9._-]{1,64}$/;
/** A token with less than minTtl left is reused this long at most, so a caller asks the broker at most once a second. */
const SHORT_TOKEN_REUSE_MS = 1_000;

/**
 * Tokens from the token broker, cached until `minTtl` seconds before they expire, one broker request per
 * credential at a time, retried within a deadline when the broker asks (429/503) or cannot be reached.
 */
export class TokenBrokerClient {
  readonly #options: ResolvedOptions;
  readonly #http: BrokerHttp;
  readonly #closer = new AbortController();
  readonly #tokens = new Map<string, CacheEntry>();
  readonly #inflight = new Map<string, Promise<HeldToken>>();
  /** Per credential: its header template (the /headers answer without `authorization`). */
  readonly #templates = new Map<string, Readonly<CredentialHeaders>>();
  readonly #templatesInflight = new Map<string, Promise<Readonly<CredentialHeaders>>>();
  readonly #rejections = new Map<string, Promise<HeldToken>>();
  /** Per credential, the last token an API rejected: if the broker hands it out again, it is reused for a second at most. */
  readonly #rejected = new Map<string, string>();

  constructor(options: TokenBrokerClientOptions) {
    this.#options = resolveOptions(options);
    const credential = new CallerCredential(this.#options.apiKey, this.#options.tokenFile);
    this.#http = new BrokerHttp(this.#options, credential, this.#closer.signal, (event) => this.#emit(event));
  }

  /** A token of `credentialId` valid for at least `minTtl` seconds when the broker can provide one. */
  async getToken(credentialId: string): Promise<BrokerToken> {
    const now = Date.now();
    const entry = this.#tokens.get(credentialId);
    if (entry !== undefined && now < entry.reuseUntil) {
      if (this.#options.onEvent !== undefined) this.#emit({ type: 'cache-hit', credentialId });
      return viewOf(entry.token, now);
    }
    return viewOf(await this.#held(credentialId), Date.now());
  }

  /** The headers an API call with `credentialId` needs: `authorization` plus the credential's own (for Adobe `x-api-key`, `x-gw-ims-org-id`). */
  async headers(credentialId: string): Promise<CredentialHeaders> {
    return (await this.#headersFor(credentialId)).headers;
  }

  /**
   * Tells the broker an API answered 401 to `accessToken` and returns the replacement. The broker refreshes
   * once for the whole fleet when it is its current token, and otherwise answers its current token.
   */
  async reportRejected(credentialId: string, accessToken: string): Promise<BrokerToken> {
    this.#assertOpen(credentialId);
    assertCredentialId(credentialId);
    if (typeof accessToken !== 'string' || accessToken.length === 0) throw new TypeError('reportRejected: accessToken must be the rejected token');
    this.#emit({ type: 'rejected', credentialId });
    this.#rejected.set(credentialId, accessToken);
    const entry = this.#tokens.get(credentialId);
    if (entry !== undefined && entry.token.accessToken !== accessToken && Date.now() < entry.reuseUntil) {
      // Another call already replaced the rejected token: that is what the broker would answer too.
      return viewOf(entry.token, Date.now());
    }
    if (entry?.token.accessToken === accessToken) this.#tokens.delete(credentialId);
    const sha256 = createHash('sha256').update(accessToken).digest('hex');
    const key = `${credentialId}\n${sha256}`;
    let pending = this.#rejections.get(key);
    if (pending === undefined) {
      pending = this.#singleFlight(this.#rejections, key, async () => {
        const answer = await this.#http.send({
          credentialId,
          method: 'POST',
          path: `/v1/tokens/${credentialId}/rejections`,
          body: { token_sha256: sha256 },
          secrets: [accessToken],
        });
        return this.#store(credentialId, heldTokenOf(answer.body, answer.sentAt, credentialId), answer.sentAt);
      });
    }
    return viewOf(await pending, Date.now());
  }

  /**
   * `fetch(url, init)` with the credential's headers set (replacing any of the same name). On a 401 it
   * reports the token as rejected and, when the body can be sent again (none, a string, bytes, a Blob, a
   * form), retries once with the replacement; after a streamed body the 401 is returned (the next call
   * gets the replacement).
   */
  async fetch(credentialId: string, url: string | URL, init: RequestInit = {}): Promise<Response> {
    const first = await this.#headersFor(credentialId);
    const response = await fetch(url, withHeaders(init, first.headers));
    if (response.status !== 401) return response;
    if (!isReplayable(init.body)) {
      try {
        await this.reportRejected(credentialId, first.token.accessToken);
      } catch (error) {
        await response.body?.cancel().catch(() => undefined);
        throw error;
      }
      return response;
    }
    // Free the connection: the 401's body is of no use.
    await response.body?.cancel().catch(() => undefined);
    await this.reportRejected(credentialId, first.token.accessToken);
    const second = await this.#headersFor(credentialId);
    return fetch(url, withHeaders(init, second.headers));
  }

  /** Stops the client: pending calls fail with code `closed`, the cache is dropped. */
  close(): void {
    this.#closer.abort();
    this.#tokens.clear();
    this.#templates.clear();
    this.#rejected.clear();
  }

  toString(): string {
    return `TokenBrokerClient(${this.#options.displayUrl})`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  async #headersFor(credentialId: string): Promise<{ token: BrokerToken; headers: CredentialHeaders }> {
    const cached = this.#templates.get(credentialId);
    const [token, template] = cached !== undefined ? [await this.getToken(credentialId), cached] : await Promise.all([this.getToken(credentialId), this.#template(credentialId)]);
    return { token, headers: { authorization: `Bearer ${token.accessToken}`, ...template } };
  }

  /** The credential's header template from the broker's /headers endpoint; refetched after each new token. */
  #template(credentialId: string): Promise<Readonly<CredentialHeaders>> {
    const pending = this.#templatesInflight.get(credentialId);
    if (pending !== undefined) return pending;
    return this.#singleFlight(this.#templatesInflight, credentialId, async () => {
      this.#assertOpen(credentialId);
      assertCredentialId(credentialId);
      const answer = await this.#http.send({ credentialId, method: 'GET', path: `/v1/tokens/${credentialId}/headers?min_ttl=${this.#options.minTtlSeconds}` });
      const template = templateOf(answer.body);
      this.#templates.set(credentialId, template);
      return template;
    });
  }

  /** The held token once the broker has answered; concurrent callers share one request per credential. */
  #held(credentialId: string): Promise<HeldToken> {
    const pending = this.#inflight.get(credentialId);
    if (pending !== undefined) return pending;
    return this.#singleFlight(this.#inflight, credentialId, async () => {
      this.#assertOpen(credentialId);
      assertCredentialId(credentialId);
      const answer = await this.#http.send({ credentialId, method: 'GET', path: `/v1/tokens/${credentialId}?min_ttl=${this.#options.minTtlSeconds}` });
      return this.#store(credentialId, heldTokenOf(answer.body, answer.sentAt, credentialId), answer.sentAt);
    });
  }

  /** Caches a token from the broker until minTtl before its expiry; one with less left only for a second. */
  #store(credentialId: string, token: HeldToken, sentAt: number): HeldToken {
    const started = Date.now();
    if (this.#closer.signal.aborted) return token;
    const reusableUntil = token.expiresAtMs - this.#options.minTtlSeconds * 1000;
    // A token an API rejected (served again while the broker's rejection cooldown runs) counts as short-lived.
    const long = reusableUntil > started && this.#rejected.get(credentialId) !== token.accessToken;
    const previous = this.#tokens.get(credentialId);
    this.#tokens.set(credentialId, { token, reuseUntil: long ? reusableUntil : Math.min(token.expiresAtMs, sentAt + SHORT_TOKEN_REUSE_MS) });
    // A new token may come with a changed credential (a config reload): take the header template afresh too.
    if (previous?.token.accessToken !== token.accessToken) this.#templates.delete(credentialId);
    this.#emit({ type: 'token-fetched', credentialId, expiresAt: new Date(token.expiresAtMs), cached: long, durationMs: started - sentAt });
    return token;
  }

  #singleFlight<T>(flights: Map<string, Promise<T>>, key: string, work: () => Promise<T>): Promise<T> {
    const flight = work().finally(() => {
      if (flights.get(key) === flight) flights.delete(key);
    });
    flights.set(key, flight);
    return flight;
  }

  #assertOpen(credentialId: string): void {
    if (this.#closer.signal.aborted) throw closedError(credentialId);
  }

  #emit(event: TokenBrokerEvent): void {
    const onEvent = this.#options.onEvent;
    if (onEvent === undefined) return;
    try {
      onEvent(event);
    } catch {
      // A counting hook must not break token delivery.
    }
  }
}

function assertCredentialId(credentialId: string): void {
  if (typeof credentialId !== 'string' || !CREDENTIAL_ID.test(credentialId)) {
    throw new TypeError('TokenBrokerClient: a credential id is 1-64 characters of A-Z, a-z, 0-9, ".", "_" and "-"');
  }
}

function templateOf(body: unknown): Readonly<CredentialHeaders> {
  const template: CredentialHeaders = {};
  if (typeof body === 'object' && body !== null) {
    for (const [name, value] of Object.entries(body)) {
      if (name.toLowerCase() !== 'authorization' && typeof value === 'string') template[name.toLowerCase()] = value;
    }
  }
  return Object.freeze(template);
}

function withHeaders(init: RequestInit, credentialHeaders: CredentialHeaders): RequestInit {
  const headers = new Headers(init.headers);
  for (const [name, value] of Object.entries(credentialHeaders)) headers.set(name, value);
  return { ...init, headers };
}
