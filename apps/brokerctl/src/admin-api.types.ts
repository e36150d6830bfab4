/**
 * The admin API's answers as brokerctl reads them (snake_case, as the broker sends them). Fields the CLI
 * does not display are kept loose on purpose: `--json` passes the body through unchanged.
 */

export interface TokenState {
  readonly held: boolean;
  readonly expires_at: string | null;
  readonly expires_in: number | null;
  readonly next_refresh_at: string | null;
}

export interface LastRefresh {
  readonly at: string;
  readonly duration_ms: number;
  readonly outcome: 'success' | 'failure';
  readonly error_code?: string | null;
}

export interface SecretState {
  readonly source: string;
  readonly version: string | null;
  readonly fetched_at: string | null;
  readonly age_seconds: number | null;
  /** The source's own cause while reading fails (newer brokers). */
  readonly last_error?: string | null;
}

/**
 * A rotation (or a dry run's report) as the broker describes it; `rotation_id` and `state` are relied upon,
 * `step`, `trigger`, `started_at`, `finished_at`, `error_code` and `detail` shown when present.
 */
export type Rotation = Readonly<Record<string, unknown>> & { readonly rotation_id?: string | null; readonly state?: string };

export interface CredentialStatus {
  readonly id: string;
  readonly provider: string;
  readonly token: TokenState;
  readonly last_refresh: LastRefresh | null;
  readonly upstream_calls: number;
  readonly secret: SecretState;
  readonly rotation: Rotation | null;
}

/** An instance: the one that answered, or a live one by its heartbeat (newer brokers). */
export interface InstanceSummary {
  readonly instance_id?: string;
  readonly host?: string;
  readonly pid?: number;
  readonly seen_at?: string;
  readonly readiness?: string;
  readonly config_hash?: string;
}

export interface CredentialList {
  readonly config_hash?: string;
  readonly instance?: InstanceSummary;
  /** Every live instance (null while the broker cannot read the roster). */
  readonly fleet?: readonly InstanceSummary[] | null;
  readonly credentials: readonly CredentialStatus[];
}

export interface RefreshResult {
  readonly credential_id: string;
  readonly expires_at: string;
  readonly expires_in: number;
}

export interface ReloadResult {
  readonly status: string;
  readonly credentials: number;
  readonly callers: number;
}

export interface RotationHistory {
  readonly current: Rotation | null;
  readonly history: readonly Rotation[];
  /** The fleet-wide current secret version, its age and the next scheduled rotation. */
  readonly current_secret?: Readonly<Record<string, unknown>> | null;
}

/** RFC 9457 problem with the broker's `code`; `issues` on a rejected config reload. */
export interface Problem {
  readonly type?: string;
  readonly title?: string;
  readonly status?: number;
  readonly detail?: string;
  readonly code?: string;
  readonly request_id?: string;
  readonly issues?: readonly { readonly path?: string; readonly message?: string }[];
}
