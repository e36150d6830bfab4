import type { DomainError } from '@broker/problems';
import type { StoredToken } from '@broker/token-store';

/** Outcome of the last refresh of a credential, for status and metrics. */
export interface RefreshRecord {
  readonly at: number;
  readonly durationMs: number;
  readonly outcome: 'success' | 'failure';
  readonly errorCode?: string;
}

/** A failure remembered so that callers get an answer at once instead of a new upstream call each. */
export interface FailureRecord {
  readonly until: number;
  readonly error: DomainError;
  readonly consecutive: number;
}

/** What one broker process knows about a credential. */
export interface CredentialState {
  token?: StoredToken;
  /** When this process's background refresh of the held token is due (jittered once per token). */
  refreshDueAt?: number;
  timer?: NodeJS.Timeout;
  failure?: FailureRecord;
  lastRefresh?: RefreshRecord;
  /** When the store was last read successfully for this credential (see STORE_RECHECK_MS). */
  storeCheckedAt?: number;
}
