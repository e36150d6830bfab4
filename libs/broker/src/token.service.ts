import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { ConfigService, type CredentialConfig } from '@broker/config';
import { UpstreamBadResponseError, UpstreamRejectedError, UpstreamUnavailableError } from '@broker/issuers';
import { DomainError } from '@broker/problems';
import { type StoredToken, TokenStore } from '@broker/token-store';
import type { CredentialState, FailureRecord } from './credential-state';
import { isServable, refreshCanHelp, refreshDueAt, satisfies } from './refresh-policy';
import { UnknownCredentialError } from './token.errors';
import { UpstreamMinter } from './upstream-minter';

/** Transient failures back off from 1 s, doubling up to 60 s, so an outage is probed, not hammered. */
const TRANSIENT_COOLDOWN_BASE_MS = 1_000;
const TRANSIENT_COOLDOWN_MAX_MS = 60_000;
/** setTimeout cannot wait longer than 2^31-1 ms; far-off refreshes re-arm in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Get-or-refresh for every credential. Callers are served from memory; a token is minted when none is
 * held or the held one cannot satisfy the caller, with one upstream call per credential however many
 * callers wait (single-flight), and refreshed in the background before it expires. When minting fails
 * the held token is served for as long as it is valid.
 */
@Injectable()
export class TokenService implements OnModuleDestroy {
  private readonly logger = new Logger(TokenService.name);
  private readonly states = new Map<string, CredentialState>();
  private readonly inFlight = new Map<string, Promise<StoredToken>>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly config: ConfigService,
    private readonly store: TokenStore,
    private readonly minter: UpstreamMinter,
  ) {
    this.unsubscribe = this.config.onChange(() => this.forgetRemovedCredentials());
  }

  /** A token of `credentialId` valid for at least `minTtlSeconds` if at all possible, else the best valid one. */
  async getToken(credentialId: string, minTtlSeconds: number): Promise<StoredToken> {
    const credential = this.config.credential(credentialId);
    if (!credential) throw new UnknownCredentialError(credentialId);
    const state = this.stateOf(credentialId);
    const now = Date.now();
    let token = state.token;
    if (!token || !satisfies(token, minTtlSeconds, now)) {
      token = await this.loadFromStore(credentialId, state);
    }
    if (token && satisfies(token, minTtlSeconds, now)) {
      if (state.refreshDueAt !== undefined && now >= state.refreshDueAt) this.refreshInBackground(credential);
      return token;
    }
    if (token && isServable(token, now) && !refreshCanHelp(token, minTtlSeconds, now, this.config.current.tokens)) {
      return token;
    }
    try {
      return await this.refresh(credential);
    } catch (error) {
      // The identity provider or secret source failed: a held token is still the truth until it expires.
      const held = state.token;
      if (held && isServable(held, Date.now())) return held;
      throw error;
    }
  }

  /** Mints a new token now (single-flight); used by refresh-ahead and operators. */
  refresh(credential: CredentialConfig): Promise<StoredToken> {
    let pending = this.inFlight.get(credential.id);
    if (!pending) {
      pending = this.mintAndStore(credential).finally(() => this.inFlight.delete(credential.id));
      this.inFlight.set(credential.id, pending);
    }
    return pending;
  }

  /** Forgets a credential's token in this process and in the store. */
  async evict(credentialId: string): Promise<void> {
    this.dropState(credentialId);
    await this.store.evict(credentialId);
  }

  /** A snapshot of what this process knows about a credential (never the token itself). */
  describe(credentialId: string): Readonly<Omit<CredentialState, 'timer' | 'token'>> & { expiresAt?: number; upstreamCalls: number } {
    const { timer: _timer, token, ...rest } = this.states.get(credentialId) ?? {};
    return { ...rest, ...(token ? { expiresAt: token.expiresAt } : {}), upstreamCalls: this.minter.callCount(credentialId) };
  }

  onModuleDestroy(): void {
    this.unsubscribe();
    for (const state of this.states.values()) clearTimeout(state.timer);
  }

  private async mintAndStore(credential: CredentialConfig): Promise<StoredToken> {
    const state = this.stateOf(credential.id);
    const started = Date.now();
    if (state.failure && state.failure.until > started) throw cooldownError(state.failure, started);
    try {
      const issued = await this.minter.mint(credential);
      await this.store.put(credential.id, issued);
      const stored = (await this.store.get(credential.id)) ?? issued;
      state.failure = undefined;
      state.lastRefresh = { at: started, durationMs: Date.now() - started, outcome: 'success' };
      this.hold(credential.id, state, stored);
      return stored;
    } catch (error) {
      const domain = error instanceof DomainError ? error : undefined;
      state.failure = this.failureAfter(error, state.failure, Date.now());
      state.lastRefresh = {
        at: started,
        durationMs: Date.now() - started,
        outcome: 'failure',
        errorCode: domain?.code ?? 'internal_error',
      };
      this.schedule(credential.id, state);
      throw error;
    }
  }

  private async loadFromStore(credentialId: string, state: CredentialState): Promise<StoredToken | undefined> {
    const stored = await this.store.get(credentialId);
    if (stored && stored !== state.token && (!state.token || stored.expiresAt > state.token.expiresAt)) {
      this.hold(credentialId, state, stored);
    }
    return state.token;
  }

  private hold(credentialId: string, state: CredentialState, token: StoredToken): void {
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
    state.timer = setTimeout(() => {
      state.timer = undefined;
      if (Date.now() < at) return this.schedule(credentialId, state);
      const credential = this.config.credential(credentialId);
      if (credential) this.refreshInBackground(credential);
    }, delay);
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

  /** Terminal rejections wait `failureCooldown`; transient failures back off exponentially (or per Retry-After). */
  private failureAfter(error: unknown, previous: FailureRecord | undefined, now: number): FailureRecord {
    const consecutive = (previous?.consecutive ?? 0) + 1;
    const domain = error instanceof DomainError ? error : new UpstreamUnavailableError('The token could not be minted.');
    if (error instanceof UpstreamRejectedError || error instanceof UpstreamBadResponseError) {
      return { until: now + this.config.current.tokens.failureCooldownMs, error: domain, consecutive };
    }
    const backoff = Math.min(TRANSIENT_COOLDOWN_MAX_MS, TRANSIENT_COOLDOWN_BASE_MS * 2 ** (consecutive - 1));
    const retryAfter = error instanceof UpstreamUnavailableError ? (error.retryAfterMs ?? 0) : 0;
    return { until: now + Math.max(backoff, retryAfter), error: domain, consecutive };
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

/** The remembered error, with `Retry-After` counting down to the end of the cooldown. */
function cooldownError(failure: FailureRecord, now: number): DomainError {
  const seconds = String(Math.max(1, Math.ceil((failure.until - now) / 1000)));
  const { error } = failure;
  return new DomainError(error.code, error.status, error.title, error.message, { ...error.headers, 'retry-after': seconds });
}
