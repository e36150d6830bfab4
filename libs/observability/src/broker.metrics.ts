import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Per-credential figures the metrics read at scrape time (no timers, no bookkeeping on the hot path). */
export interface CredentialSnapshot {
  readonly credentialId: string;
  readonly provider: string;
  /** Seconds until the held token expires; undefined when none is held. */
  readonly tokenSecondsToExpiry?: number;
  /** Seconds since the secret was read from its source; undefined when not read yet. */
  readonly secretAgeSeconds?: number;
  /** Seconds since the current client secret was created (known once rotation has run). */
  readonly secretCreatedAgeSeconds?: number;
  /** Seconds until the signing key/certificate expires, for providers that sign with one. */
  readonly keySecondsToExpiry?: number;
}

/** Where the gauges get their per-credential figures from; registered by the broker at boot. */
export type CredentialSnapshotSource = () => readonly CredentialSnapshot[];

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const WAIT_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * The broker's Prometheus instruments, in a registry of their own (one per app instance). Labels carry ids,
 * routes, outcomes and codes only: never a token, a secret or a caller's key.
 */
export class BrokerMetrics {
  readonly registry = new Registry();

  readonly upstreamRequests = new Counter({
    name: 'broker_upstream_requests_total',
    help: 'Token requests sent to identity providers, by provider and outcome (success or error code).',
    labelNames: ['provider', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly upstreamDuration = new Histogram({
    name: 'broker_upstream_request_duration_seconds',
    help: 'Duration of token requests to identity providers.',
    labelNames: ['provider'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly cacheLookups = new Counter({
    name: 'broker_token_cache_lookups_total',
    help: 'Token lookups by cache layer (l1 = process memory, l2 = token store) and result (hit, miss).',
    labelNames: ['layer', 'result'] as const,
    registers: [this.registry],
  });
  readonly lockAcquisitions = new Counter({
    name: 'broker_lock_acquisitions_total',
    help: 'Refresh-lock attempts by outcome: acquired, contended (another instance holds it), unavailable.',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly lockWait = new Histogram({
    name: 'broker_lock_wait_seconds',
    help: 'Time a refresh waited for the lock holder to store a new token (contended refreshes only).',
    buckets: WAIT_BUCKETS,
    registers: [this.registry],
  });
  readonly refreshLag = new Histogram({
    name: 'broker_refresh_ahead_lag_seconds',
    help: 'How late a background refresh started after it was due.',
    buckets: WAIT_BUCKETS,
    registers: [this.registry],
  });
  readonly refreshes = new Counter({
    name: 'broker_token_refreshes_total',
    help: 'Refreshes completed by this instance, by outcome (minted, adopted from another instance, failed).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly rejections = new Counter({
    name: 'broker_token_rejections_total',
    help: 'Tokens reported rejected by an upstream API, by outcome (refreshed, cooldown, not_current).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly rotations = new Counter({
    name: 'broker_secret_rotations_total',
    help: 'Client-secret rotations by credential and outcome.',
    labelNames: ['credential', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly httpRequests = new Counter({
    name: 'broker_http_requests_total',
    help: 'HTTP requests by method, route pattern and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'broker_http_request_duration_seconds',
    help: 'HTTP request duration by route pattern.',
    labelNames: ['route'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1, 5],
    registers: [this.registry],
  });
  readonly proxyRequests = new Counter({
    name: 'broker_proxy_requests_total',
    help: 'Calls through the credential-injecting proxy, by credential, upstream name and status answered.',
    labelNames: ['credential', 'upstream', 'status'] as const,
    registers: [this.registry],
  });
  readonly proxyDuration = new Histogram({
    name: 'broker_proxy_request_duration_seconds',
    help: 'Duration of proxied calls, from the request to the last byte of the answer.',
    labelNames: ['credential', 'upstream'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly rateLimited = new Counter({
    name: 'broker_rate_limited_total',
    help: 'Requests rejected by the per-caller rate limit, by caller id.',
    labelNames: ['caller'] as const,
    registers: [this.registry],
  });

  private snapshots: CredentialSnapshotSource = () => [];

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'broker_' });
    const gauge = (name: string, help: string, pick: (s: CredentialSnapshot) => number | undefined): void => {
      const snapshots = (): readonly CredentialSnapshot[] => this.snapshots();
      new Gauge({
        name,
        help,
        labelNames: ['credential', 'provider'] as const,
        registers: [this.registry],
        collect() {
          this.reset();
          for (const snapshot of snapshots()) {
            const value = pick(snapshot);
            if (value !== undefined) this.set({ credential: snapshot.credentialId, provider: snapshot.provider }, value);
          }
        },
      });
    };
    gauge('broker_token_seconds_to_expiry', 'Seconds until the held token of a credential expires.', (s) => s.tokenSecondsToExpiry);
    gauge('broker_secret_age_seconds', 'Seconds since the client secret was last read from its source.', (s) => s.secretAgeSeconds);
    gauge('broker_secret_created_age_seconds', 'Seconds since the current client secret was created (rotation).', (s) => s.secretCreatedAgeSeconds);
    gauge('broker_signing_key_seconds_to_expiry', 'Seconds until the signing certificate of a credential expires.', (s) => s.keySecondsToExpiry);
  }

  /** Registers where the per-credential gauges read from. */
  setCredentialSnapshots(source: CredentialSnapshotSource): void {
    this.snapshots = source;
  }

  /** The exposition text for `GET /metrics`. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
