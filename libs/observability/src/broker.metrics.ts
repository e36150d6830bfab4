import { Counter, Gauge, Histogram, type LabelValues, Registry, collectDefaultMetrics } from 'prom-client';
import { type CredentialHealth, registerCredentialHealthGauges } from './credential-health.gauges';
import { ServiceHealthMetrics } from './service-health.metrics';

/** Per-credential figures the metrics read at scrape time (no timers, no bookkeeping on the hot path). */
export interface CredentialSnapshot extends CredentialHealth {
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

/** The instance's readiness as the gauges show it: its state and each component's status. */
export interface ReadinessSnapshot {
  readonly state: string;
  readonly components: Readonly<Record<string, string>>;
}

/** Evaluates readiness at scrape time, so the gauges are current even where nothing probes `/health/ready`. */
export type ReadinessSource = () => Promise<ReadinessSnapshot>;

const READINESS_STATES = ['ready', 'degraded', 'not_ready'] as const;
const COMPONENT_STATUSES = ['up', 'degraded', 'down'] as const;

/** How often the event-loop lag monitor samples (`broker_nodejs_eventloop_lag_*`), in ms. */
export const EVENT_LOOP_MONITORING_PRECISION_MS = 100;

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const WAIT_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Increments of a counter kept as plain numbers per label set, added to the counter when it is read. */
class PendingIncrements<L extends string> {
  private readonly counts = new Map<string, { readonly labels: LabelValues<L>; count: number }>();

  /** One increment of the label set `key` names; `labels` is called the first time only. */
  add(key: string, labels: () => LabelValues<L>): void {
    const entry = this.counts.get(key);
    if (entry === undefined) this.counts.set(key, { labels: labels(), count: 1 });
    else entry.count++;
  }

  flushInto(counter: Counter<L>): void {
    for (const entry of this.counts.values()) {
      if (entry.count === 0) continue;
      counter.inc(entry.labels, entry.count);
      entry.count = 0;
    }
  }
}

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
  readonly cacheLookups: Counter<'layer' | 'result'> = new Counter({
    name: 'broker_token_cache_lookups_total',
    help: 'Token lookups by cache layer (l1 = process memory, l2 = token store) and result (hit, miss).',
    labelNames: ['layer', 'result'] as const,
    registers: [this.registry],
    collect: (): void => this.pendingCacheLookups.flushInto(this.cacheLookups),
  });
  readonly lockAcquisitions = new Counter({
    name: 'broker_lock_acquisitions_total',
    help: 'Refresh-lock attempts by outcome: acquired, contended (another instance holds it), lost (before the upstream call), unavailable.',
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
  readonly httpRequests: Counter<'method' | 'route' | 'status'> = new Counter({
    name: 'broker_http_requests_total',
    help: 'HTTP requests by method, route pattern and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
    collect: (): void => this.pendingHttpRequests.flushInto(this.httpRequests),
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

  /** 1 for the state readiness is in, 0 for the others (one series per state, so alerts need no value mapping). */
  readonly readinessState = new Gauge({
    name: 'broker_readiness_state',
    help: 'Readiness of this instance: 1 for the current state (ready, degraded, not_ready), 0 for the others.',
    labelNames: ['state'] as const,
    registers: [this.registry],
    collect: async () => {
      if (this.readiness) this.recordReadiness(await this.readiness());
    },
  });
  readonly readinessComponent = new Gauge({
    name: 'broker_readiness_component',
    help: 'Readiness components (lifecycle, config, credentials, secrets, redis): 1 for the current status (up, degraded, down), 0 for the others.',
    labelNames: ['component', 'status'] as const,
    registers: [this.registry],
  });
  readonly configInfo = new Gauge({
    name: 'broker_config_info',
    help: 'Always 1; the hash label identifies the loaded configuration (the same hash on every instance means the same settings).',
    labelNames: ['hash'] as const,
    registers: [this.registry],
    collect: () => {
      // One series: the previous hash's series goes away after a reload.
      this.configInfo.reset();
      if (this.configHash) this.configInfo.set({ hash: this.configHash() }, 1);
    },
  });
  /** Redis connection and readiness answers (alerts). */
  readonly service = new ServiceHealthMetrics(this.registry);

  /**
   * The per-request counters count in plain numbers, added to the prom-client counters whenever those are
   * read (each scrape): prom-client hashes the labels on every `inc`, bound children included, which was
   * a measurable share of a cache hit. The duration histogram keeps one label-bound child per route.
   */
  private readonly pendingHttpRequests = new PendingIncrements<'method' | 'route' | 'status'>();
  private readonly pendingCacheLookups = new PendingIncrements<'layer' | 'result'>();
  private readonly durationChildren = new Map<string, Histogram.Internal<'route'>>();

  private snapshots: CredentialSnapshotSource = () => [];
  private readiness: ReadinessSource | undefined;
  private configHash: (() => string) | undefined;

  constructor() {
    // The event-loop lag monitor samples with a timer: prom-client's default, every 10 ms, woke an idle broker
    // 100 times a second, about 0.3 s of CPU per minute (more than everything else an idle broker does).
    // Every 100 ms still catches any stall longer than that and the lag of every sample it takes.
    collectDefaultMetrics({ register: this.registry, prefix: 'broker_', eventLoopMonitoringPrecision: EVENT_LOOP_MONITORING_PRECISION_MS });
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
    registerCredentialHealthGauges(this.registry, () => this.snapshots());
  }

  /** One finished HTTP request: `broker_http_requests_total` and `broker_http_request_duration_seconds`. */
  recordHttpRequest(method: string, route: string, status: number, seconds: number): void {
    this.pendingHttpRequests.add(`${method} ${status} ${route}`, () => ({ method, route, status: String(status) }));
    let duration = this.durationChildren.get(route);
    if (duration === undefined) {
      duration = this.httpDuration.labels({ route });
      this.durationChildren.set(route, duration);
    }
    duration.observe(seconds);
  }

  /** One token lookup in a cache layer: `broker_token_cache_lookups_total`. */
  recordCacheLookup(layer: 'l1' | 'l2', result: 'hit' | 'miss'): void {
    this.pendingCacheLookups.add(`${layer} ${result}`, () => ({ layer, result }));
  }

  /** Registers where the per-credential gauges read from. */
  setCredentialSnapshots(source: CredentialSnapshotSource): void {
    this.snapshots = source;
  }

  /** Registers how readiness is evaluated at scrape time. */
  setReadinessSource(source: ReadinessSource): void {
    this.readiness = source;
  }

  /** Sets the readiness gauges from one evaluation (also called by every readiness probe). */
  recordReadiness(snapshot: ReadinessSnapshot): void {
    for (const state of READINESS_STATES) this.readinessState.set({ state }, snapshot.state === state ? 1 : 0);
    this.readinessComponent.reset();
    for (const [component, current] of Object.entries(snapshot.components)) {
      for (const status of COMPONENT_STATUSES) this.readinessComponent.set({ component, status }, current === status ? 1 : 0);
    }
  }

  /** Registers where `broker_config_info` reads the loaded config's hash from. */
  setConfigHashSource(source: () => string): void {
    this.configHash = source;
  }

  /** The exposition text for `GET /metrics`. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
