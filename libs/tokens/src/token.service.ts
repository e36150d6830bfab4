import { createHash } from 'node:crypto';
import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { ConfigService, type CredentialConfig } from '@broker/config';
import { type IssuedToken, UpstreamUnavailableError } from '@broker/issuers';
import { CredentialLocks, fenceFingerprint, type LockHandle, LockUnavailableError } from '@broker/locking';
import { BrokerMetrics, runOutsideRequest } from '@broker/observability';
import { DomainError } from '@broker/problems';
import { type FleetEvent, FleetBus } from '@broker/fleet';
import { MemoryTokenStore, type SharedFailure, type StoredToken, TokenStore } from '@broker/token-store';
import type { CredentialState, FailureRecord } from './credential-state';
import { isServable, refreshCanHelp, refreshDueAt, satisfies } from './refresh-policy';
import { RefreshLockLostError, UnknownCredentialError } from './token.errors';
import { UpstreamMinter } from './upstream-minter';
import { waitAtMost } from './caller-wait';

/** Transient failures back off from 1 s, doubling up to 60 s, so an outage is probed, not hammered. */
const TRANSIENT_COOLDOWN_BASE_MS = 1_000;
const TRANSIENT_COOLDOWN_MAX_MS = 60_000;
/** setTimeout cannot wait longer than 2^31-1 ms; far-off refreshes re-arm in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/**
 * The refresh lock lives briefly and is extended while its holder works, so a holder that dies frees it
 * within this time and another instance takes over.
 */
export const REFRESH_LOCK_TTL_MS = 5_000;
/** How long "nothing fresher in the store" is believed for requests whose min_ttl the held token cannot meet. */
const STORE_RECHECK_MS = 1_000;
/** Instances that lost the lock race re-check the store this often (pub/sub usually wakes them sooner). */
const WAIT_POLL_MS = 200;

/**
 * Get-or-refresh for every credential. Callers are served from process memory (L1), then from the token
 * store (L2: Redis in fleet mode). A token is minted when none is held or the held one cannot satisfy the
 * caller: one upstream call per credential for the whole fleet, made by the instance holding the
 * credential's refresh lock, while the others wait for its token. Tokens are refreshed in the background
 * before they expire; when minting fails, the held token is served for as long as it is valid.
 */
@Injectable()
export class TokenService implements OnModuleDestroy {
  private readonly logger = new Logger(TokenService.name);
  private readonly states = new Map<string, CredentialState>();
  private readonly inFlight = new Map<string, Promise<StoredToken>>();
  private readonly storeChecks = new Map<string, Promise<StoredToken | undefined>>();
  /** Rejection claims made while the shared store was unreachable: this instance's own cooldown. */
  private readonly localRejectionClaims = new MemoryTokenStore();
  private readonly unsubscribers: (() => void)[];

  constructor(
    private readonly config: ConfigService,
    private readonly store: TokenStore,
    private readonly events: FleetBus,
    private readonly locks: CredentialLocks,
    private readonly minter: UpstreamMinter,
    private readonly metrics: BrokerMetrics,
  ) {
    this.unsubscribers = [
      this.config.onChange(() => this.forgetRemovedCredentials()),
      this.events.subscribe((event) => this.onEvent(event)),
    ];
  }

  /**
   * The held token of `credentialId` when it is valid for `minTtlSeconds` now: a cache hit, counted, with the
   * background refresh started when one is due. Otherwise undefined, with nothing counted or started: the
   * caller then asks `getToken`, which does all the rest (the store, the refresh, the caller's wait).
   */
  heldToken(credentialId: string, minTtlSeconds: number): StoredToken | undefined {
    const credential = this.config.credential(credentialId);
    const state = this.states.get(credentialId);
    return credential && state ? this.hit(credential, state, minTtlSeconds, Date.now()) : undefined;
  }

  /**
   * `heldToken` without counting or starting anything, for a caller that may still decide not to serve it
   * (the fast lane, before the rate limit); it calls `heldToken` once it serves.
   */
  peekHeldToken(credentialId: string, minTtlSeconds: number): StoredToken | undefined {
    const token = this.config.credential(credentialId) ? this.states.get(credentialId)?.token : undefined;
    return token && satisfies(token, minTtlSeconds, Date.now()) ? token : undefined;
  }

  private hit(credential: CredentialConfig, state: CredentialState, minTtlSeconds: number, now: number): StoredToken | undefined {
    const token = state.token;
    if (!token || !satisfies(token, minTtlSeconds, now)) return undefined;
    this.metrics.recordCacheLookup('l1', 'hit');
    if (state.refreshDueAt !== undefined && now >= state.refreshDueAt) this.refreshInBackground(credential);
    return token;
  }

  /** A token of `credentialId` valid for at least `minTtlSeconds` if at all possible, else the best valid one. */
  async getToken(credentialId: string, minTtlSeconds: number): Promise<StoredToken> {
    const credential = this.config.credential(credentialId);
    if (!credential) throw new UnknownCredentialError(credentialId);
    const state = this.stateOf(credentialId);
    const now = Date.now();
    const held = this.hit(credential, state, minTtlSeconds, now);
    if (held) return held;
    let token = state.token;
    this.metrics.recordCacheLookup('l1', 'miss');
    // A held token that cannot meet this min_ttl: the store had nothing fresher a moment ago, and a fresher
    // token written since would have been announced (updated event). Do not ask Redis again on every such
    // request, or pay its timeout on every one of them while it is not answering.
    const checkedRecently = token !== undefined && state.storeCheckedAt !== undefined && now - state.storeCheckedAt < STORE_RECHECK_MS;
    if (!checkedRecently) token = await this.checkStore(credentialId, state);
    this.metrics.recordCacheLookup('l2', token && satisfies(token, minTtlSeconds, now) ? 'hit' : 'miss');
    if (token && satisfies(token, minTtlSeconds, now)) {
      if (state.refreshDueAt !== undefined && now >= state.refreshDueAt) this.refreshInBackground(credential);
      return token;
    }
    if (token && isServable(token, now) && !refreshCanHelp(token, minTtlSeconds, now, this.config.current.tokens)) return token;
    try {
      // The caller's wait has its own bound: past it a 503 with Retry-After, and the refresh carries on.
      return await waitAtMost(this.refresh(credential, token?.expiresAt ?? 0), this.config.current.tokens.callerWaitMs);
    } catch (error) {
      // The identity provider or secret source failed: a held token is still the truth until it expires.
      const held = state.token;
      if (held && isServable(held, Date.now())) return held;
      throw error;
    }
  }

  /**
   * Makes sure a token expiring after `before` exists, minting it if this instance wins the lock. `before`
   * is what the caller found wanting, read before any await: a token adopted from another instance while
   * this refresh waits must count as the refresh's result, not as the thing to replace.
   */
  refresh(credential: CredentialConfig, before = this.states.get(credential.id)?.token?.expiresAt ?? 0): Promise<StoredToken> {
    let pending = this.inFlight.get(credential.id);
    if (!pending) {
      pending = this.coordinateRefresh(credential, before).finally(() => this.inFlight.delete(credential.id));
      this.inFlight.set(credential.id, pending);
    }
    return pending;
  }

  /**
   * An operator's refresh: forget any failure cooldown (local and shared) and mint a new token now, once
   * for the fleet. Returns the token now held.
   */
  async refreshNow(credentialId: string): Promise<StoredToken> {
    const credential = this.config.credential(credentialId);
    if (!credential) throw new UnknownCredentialError(credentialId);
    const state = this.stateOf(credentialId);
    await this.loadFromStore(credentialId, state);
    state.failure = undefined;
    await this.quietly(this.store.clearFailure(credentialId));
    return this.refresh(credential);
  }

  /**
   * A caller (or the proxy) reports that an upstream API rejected the token whose SHA-256 is `tokenSha256`.
   * If that is the credential's current token, it is replaced once for the whole fleet (the same lock and
   * single-flight as any refresh), at most once per `tokens.rejectionCooldown`; a fingerprint of any other
   * token (already replaced, or unknown) never causes an upstream call. Returns the token to use now.
   */
  async reportRejection(credentialId: string, tokenSha256: string): Promise<{ token: StoredToken; outcome: RejectionOutcome }> {
    const credential = this.config.credential(credentialId);
    if (!credential) throw new UnknownCredentialError(credentialId);
    const state = this.stateOf(credentialId);
    const current = await this.loadFromStore(credentialId, state);
    if (!current || sha256Hex(current.accessToken) !== tokenSha256) {
      this.metrics.rejections.inc({ outcome: 'not_current' });
      return { token: await this.getToken(credentialId, this.config.current.tokens.minTtlDefaultSeconds), outcome: 'not_current' };
    }
    const cooldownMs = this.config.current.tokens.rejectionCooldownMs;
    // With the shared store unreachable, the cooldown is this instance's own; the refresh lock still keeps
    // the fleet at one mint per rejected token wherever it works.
    const claim =
      (await this.quietly(this.store.claimRejection(credentialId, tokenSha256, cooldownMs))) ??
      (await this.localRejectionClaims.claimRejection(credentialId, tokenSha256, cooldownMs));
    if (claim === 'other') {
      this.metrics.rejections.inc({ outcome: 'cooldown' });
      return { token: current, outcome: 'cooldown' };
    }
    this.logger.warn({ msg: 'token rejected upstream; refreshing it for the fleet', credential_id: credentialId, claim });
    // `same`: another instance claimed this token's refresh; the lock makes this wait for (or adopt) its token.
    let token = await this.refresh(credential, current.expiresAt);
    // A refresh already in flight may have started before `current` existed and ended with it: go once more.
    if (token.accessToken === current.accessToken) token = await this.refresh(credential, current.expiresAt);
    this.metrics.rejections.inc({ outcome: 'refreshed' });
    return { token, outcome: 'refreshed' };
  }

  /** What this instance knows about a credential after catching up with the store (never the token). */
  async status(credentialId: string): Promise<ReturnType<TokenService['describe']>> {
    if (this.config.credential(credentialId)) await this.loadFromStore(credentialId, this.stateOf(credentialId));
    return this.describe(credentialId);
  }

  /** Forgets a credential's token in the store and in every instance's memory. */
  async evict(credentialId: string): Promise<void> {
    this.dropState(credentialId);
    await this.store.evict(credentialId);
    await this.events.publish('evicted', credentialId);
  }

  /** A snapshot of what this process knows about a credential (never the token itself). */
  describe(credentialId: string): Readonly<Omit<CredentialState, 'timer' | 'token' | 'storeCheckedAt'>> & { expiresAt?: number; upstreamCalls: number } {
    const { timer: _timer, token, storeCheckedAt: _checked, ...rest } = this.states.get(credentialId) ?? {};
    return { ...rest, ...(token ? { expiresAt: token.expiresAt } : {}), upstreamCalls: this.minter.callCount(credentialId) };
  }

  /**
   * What readiness needs of a credential, without copying its state (heartbeats ask for every credential
   * every 5 s): the failure of its last refresh, if it has not succeeded since, and when the held token
   * expires (undefined when none is held).
   */
  refreshFailureOf(credentialId: string): DomainError | undefined {
    return this.states.get(credentialId)?.failure?.error;
  }

  heldTokenExpiresAt(credentialId: string): number | undefined {
    return this.states.get(credentialId)?.token?.expiresAt;
  }

  onModuleDestroy(): void {
    for (const unsubscribe of this.unsubscribers) unsubscribe();
    for (const state of this.states.values()) clearTimeout(state.timer);
  }

  /**
   * Take the credential's lock and mint, or wait for the instance that holds it. If the lock backend is
   * unreachable (Redis down), nothing can be shared anyway: mint for this process alone, once.
   */
  private async coordinateRefresh(credential: CredentialConfig, before: number): Promise<StoredToken> {
    const state = this.stateOf(credential.id);
    await this.throwIfCoolingDown(credential.id, state);
    const { upstreamAttempts, upstreamTimeoutMs } = this.config.current.tokens;
    const deadline = Date.now() + REFRESH_LOCK_TTL_MS + upstreamAttempts * upstreamTimeoutMs + 5_000;
    const trace: string[] = [];
    const t0 = Date.now();
    const step = (what: string): void => void trace.push(`+${Date.now() - t0}ms ${what}`);
    for (;;) {
      // Another instance's token may have reached this one (pub/sub) while it waited.
      const arrived = newerThan(state.token, before);
      if (arrived) {
        this.metrics.refreshes.inc({ outcome: 'adopted' });
        return arrived;
      }
      let lock: LockHandle | undefined;
      try {
        const a0 = Date.now();
        lock = await this.locks.refresh(credential.id, REFRESH_LOCK_TTL_MS);
        step(`acquire ${lock ? 'won' : 'contended'} in ${Date.now() - a0}ms`);
      } catch (error) {
        if (!(error instanceof LockUnavailableError)) throw error;
        step(`acquire failed: ${String((error as { cause?: unknown }).cause)}`);
        this.metrics.lockAcquisitions.inc({ outcome: 'unavailable' });
        // Only a Redis that is really unreachable (disconnected, or not answering: circuit open) gets here.
        this.logger.warn({ msg: 'redis unreachable; minting for this instance only, sharing nothing', credential_id: credential.id });
        return this.mint(credential, state, async (issued) => issued, { lock: 'none', trace });
      }
      this.metrics.lockAcquisitions.inc({ outcome: lock ? 'acquired' : 'contended' });
      if (lock) {
        try {
          return await this.mintUnderLock(credential, state, lock, before, trace);
        } catch (error) {
          // Lost before the upstream call: whoever holds the lock now mints; wait for its token instead.
          if (!(error instanceof RefreshLockLostError)) throw error;
          step('lock lost before the upstream call');
          this.metrics.lockAcquisitions.inc({ outcome: 'lost' });
        } finally {
          await lock.release();
        }
      }
      const waitStarted = performance.now();
      const adopted = await this.waitForWinner(credential.id, state, before, Math.min(deadline, Date.now() + REFRESH_LOCK_TTL_MS));
      this.metrics.lockWait.observe((performance.now() - waitStarted) / 1000);
      step(`wait ${adopted ? 'adopted' : 'timed out'} after ${Math.round(performance.now() - waitStarted)}ms`);
      if (adopted) {
        this.metrics.refreshes.inc({ outcome: 'adopted' });
        return adopted;
      }
      if (Date.now() >= deadline) {
        throw new UpstreamUnavailableError('Another broker instance is refreshing this token and has not finished in time.', 1_000);
      }
    }
  }

  private async mintUnderLock(credential: CredentialConfig, state: CredentialState, lock: LockHandle, before: number, trace: string[] = []): Promise<StoredToken> {
    // Another instance may have refreshed while this one waited for the lock.
    const r0 = Date.now();
    let readError: unknown;
    const read = await this.store.get(credential.id).catch((error: unknown) => {
      readError = error;
      return undefined;
    });
    trace.push(`store read under lock in ${Date.now() - r0}ms: ${readError ? `failed (${String(readError)})` : read ? 'found' : 'empty'}`);
    const current = newerThan(read, before) ?? newerThan(state.token, before);
    if (current) {
      this.hold(credential.id, state, current);
      this.metrics.refreshes.inc({ outcome: 'adopted' });
      return current;
    }
    return this.mint(credential, state, async (issued) => {
      const outcome = await this.store.put(credential.id, issued, lock);
      if (outcome === 'written') {
        await this.events.publish('updated', credential.id);
        return issued;
      }
      // The fleet's token is the stored one, even when ours would live longer: serving ours would put two
      // tokens into circulation, for up to half their lifetime. Ours is served only if nothing is stored.
      const stored = await this.store.get(credential.id).catch(() => undefined);
      const adopted = stored && isServable(stored, Date.now()) ? stored : undefined;
      this.logger.warn({ msg: 'token write rejected by the store', credential_id: credential.id, outcome, adopted_stored: adopted !== undefined });
      return adopted ?? issued;
    }, { lock: 'held', fence: fenceFingerprint(lock), trace, signal: lock.signal });
  }

  /** Calls the identity provider once (with retries) and records the outcome; `persist` shares the token. */
  private async mint(
    credential: CredentialConfig,
    state: CredentialState,
    persist: (issued: IssuedToken) => Promise<StoredToken>,
    decision: { lock: 'held' | 'none'; fence?: string; trace: string[]; signal?: AbortSignal },
  ): Promise<StoredToken> {
    const started = Date.now();
    const { signal, ...logged } = decision;
    this.logger.log({ msg: 'mint decision', credential_id: credential.id, instance: this.events.instanceId.slice(0, 8), lost: signal?.aborted, ...logged });
    let issued: IssuedToken;
    try {
      issued = await this.minter.mint(credential, signal);
    } catch (error) {
      if (error instanceof RefreshLockLostError) throw error;
      this.metrics.refreshes.inc({ outcome: 'failed' });
      state.failure = this.failureAfter(error, state.failure, Date.now());
      state.lastRefresh = { at: started, durationMs: Date.now() - started, outcome: 'failure', errorCode: state.failure.error.code };
      await this.quietly(this.store.recordFailure(credential.id, sharedFailureOf(state.failure)));
      this.schedule(credential.id, state);
      throw error;
    }
    let token: StoredToken = issued;
    try {
      token = await persist(issued);
    } catch {
      this.logger.warn({ msg: 'minted token could not be shared; serving it from this instance', credential_id: credential.id });
    }
    this.metrics.refreshes.inc({ outcome: 'minted' });
    state.failure = undefined;
    state.lastRefresh = { at: started, durationMs: Date.now() - started, outcome: 'success' };
    await this.quietly(this.store.clearFailure(credential.id));
    this.hold(credential.id, state, token);
    return token;
  }

  /** Resolves with the token another instance stored, or undefined when `until` passes without one. */
  private waitForWinner(credentialId: string, state: CredentialState, before: number, until: number): Promise<StoredToken | undefined> {
    return new Promise<StoredToken | undefined>((resolve, reject) => {
      let settled = false;
      const finish = (outcome: () => void): void => {
        if (settled) return;
        settled = true;
        clearInterval(poll);
        clearTimeout(timer);
        unsubscribe();
        outcome();
      };
      const check = async (): Promise<void> => {
        const stored = await this.quietly(this.store.get(credentialId));
        const newer = newerThan(stored, before);
        if (newer) {
          this.hold(credentialId, state, newer);
          return finish(() => resolve(newer));
        }
        const failure = await this.quietly(this.store.failure(credentialId));
        if (failure) {
          state.failure = { until: failure.until, error: errorOf(failure), consecutive: (state.failure?.consecutive ?? 0) + 1 };
          finish(() => reject(cooldownError(state.failure as FailureRecord, Date.now())));
        }
      };
      const unsubscribe = this.events.subscribe((event) => {
        if (event.credentialId === credentialId && event.type === 'updated') void check();
      });
      const poll = setInterval(() => void check(), WAIT_POLL_MS);
      const timer = setTimeout(() => finish(() => resolve(undefined)), Math.max(0, until - Date.now()));
    });
  }

  /** Local cooldown first (free), then the fleet's shared failure marker. */
  private async throwIfCoolingDown(credentialId: string, state: CredentialState): Promise<void> {
    const now = Date.now();
    if (state.failure && state.failure.until > now) throw cooldownError(state.failure, now);
    const shared = await this.quietly(this.store.failure(credentialId));
    if (shared) {
      state.failure = { until: shared.until, error: errorOf(shared), consecutive: (state.failure?.consecutive ?? 0) + 1 };
      throw cooldownError(state.failure, now);
    }
  }

  /** loadFromStore for the serving path, shared by the requests that arrive while one read is in flight. */
  private checkStore(credentialId: string, state: CredentialState): Promise<StoredToken | undefined> {
    let pending = this.storeChecks.get(credentialId);
    if (!pending) {
      pending = this.loadFromStore(credentialId, state).finally(() => this.storeChecks.delete(credentialId));
      this.storeChecks.set(credentialId, pending);
    }
    return pending;
  }

  private async loadFromStore(credentialId: string, state: CredentialState): Promise<StoredToken | undefined> {
    let read = false;
    const stored = await this.quietly(this.store.get(credentialId).then((found) => ((read = true), found)));
    if (read) state.storeCheckedAt = Date.now();
    if (stored && (!state.token || stored.expiresAt > state.token.expiresAt)) this.hold(credentialId, state, stored);
    return state.token;
  }

  private hold(credentialId: string, state: CredentialState, token: StoredToken): void {
    if (state.token === token) return;
    state.token = token;
    state.refreshDueAt = refreshDueAt(token, this.config.current.tokens);
    this.schedule(credentialId, state);
  }

  /** Arms the one timer of a credential: at the refresh-ahead time, or when a failure's cooldown ends. */
  private schedule(credentialId: string, state: CredentialState): void {
    clearTimeout(state.timer);
    state.timer = undefined;
    const token = state.token;
    if (!token || state.refreshDueAt === undefined || !isServable(token, Date.now())) return;
    const at = Math.max(state.refreshDueAt, state.failure?.until ?? 0);
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, at - Date.now()));
    const fire = (): void => {
      state.timer = undefined;
      if (Date.now() < at) return this.schedule(credentialId, state);
      this.metrics.refreshLag.observe(Math.max(0, Date.now() - at) / 1000);
      const credential = this.config.credential(credentialId);
      if (credential) this.refreshInBackground(credential);
    };
    state.timer = runOutsideRequest(() => setTimeout(fire, delay));
    state.timer.unref();
  }

  private refreshInBackground(credential: CredentialConfig): void {
    if (this.inFlight.has(credential.id)) return;
    const failure = this.states.get(credential.id)?.failure;
    if (failure && failure.until > Date.now()) return;
    this.refresh(credential).catch((error: unknown) => {
      this.logger.warn({
        msg: 'background refresh failed; serving the held token while it is valid',
        credential_id: credential.id,
        code: error instanceof DomainError ? error.code : 'internal_error',
      });
    });
  }

  private onEvent(event: FleetEvent): void {
    if (event.type === 'evicted') {
      if (event.origin !== this.events.instanceId) this.dropState(event.credentialId);
      return;
    }
    if (event.type === 'updated' && event.origin !== this.events.instanceId && this.config.credential(event.credentialId)) {
      void this.loadFromStore(event.credentialId, this.stateOf(event.credentialId));
    }
  }

  /** Terminal failures (502) wait `failureCooldown`; transient ones back off exponentially (or per Retry-After). */
  private failureAfter(error: unknown, previous: FailureRecord | undefined, now: number): FailureRecord {
    const consecutive = (previous?.consecutive ?? 0) + 1;
    const domain = error instanceof DomainError ? error : new UpstreamUnavailableError('The token could not be minted.');
    // 502s (rejected credential, invalid response, unusable key material) will not fix themselves quickly.
    if (domain.status === 502) {
      return { until: now + this.config.current.tokens.failureCooldownMs, error: domain, consecutive };
    }
    const backoff = Math.min(TRANSIENT_COOLDOWN_MAX_MS, TRANSIENT_COOLDOWN_BASE_MS * 2 ** (consecutive - 1));
    const retryAfter = error instanceof UpstreamUnavailableError ? (error.retryAfterMs ?? 0) : 0;
    return { until: now + Math.max(backoff, retryAfter), error: domain, consecutive };
  }

  /** Store calls on the serving path degrade to "nothing there" when the shared store is unreachable. */
  private async quietly<T>(operation: Promise<T>): Promise<T | undefined> {
    try {
      return await operation;
    } catch {
      this.logger.debug({ msg: 'token store unreachable' });
      return undefined;
    }
  }

  private stateOf(credentialId: string): CredentialState {
    let state = this.states.get(credentialId);
    if (!state) {
      state = {};
      this.states.set(credentialId, state);
    }
    return state;
  }

  private dropState(credentialId: string): void {
    const state = this.states.get(credentialId);
    if (state) clearTimeout(state.timer);
    this.states.delete(credentialId);
  }

  private forgetRemovedCredentials(): void {
    for (const credentialId of [...this.states.keys()]) {
      if (!this.config.credential(credentialId)) this.dropState(credentialId);
    }
  }
}

/** What a reported rejection led to: a refresh, nothing (cooldown), or nothing (not the current token). */
export type RejectionOutcome = 'refreshed' | 'cooldown' | 'not_current';

/** Lower-case hex SHA-256, the form callers report rejected tokens in. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** `token` if it expires after `before` and may still be served. */
function newerThan(token: StoredToken | undefined, before: number): StoredToken | undefined {
  return token && token.expiresAt > before && isServable(token, Date.now()) ? token : undefined;
}

function sharedFailureOf(failure: FailureRecord): SharedFailure {
  const { error } = failure;
  return { code: error.code, status: error.status, title: error.title, detail: error.message, until: failure.until };
}

function errorOf(failure: SharedFailure): DomainError {
  return new DomainError(failure.code, failure.status, failure.title, failure.detail);
}

/** The remembered error, with `Retry-After` counting down to the end of the cooldown. */
function cooldownError(failure: FailureRecord, now: number): DomainError {
  const seconds = String(Math.max(1, Math.ceil((failure.until - now) / 1000)));
  const { error } = failure;
  return new DomainError(error.code, error.status, error.title, error.message, { ...error.headers, 'retry-after': seconds });
}
