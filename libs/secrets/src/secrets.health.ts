import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { ConfigService, type CredentialConfig } from '@broker/config';
import { SecretsService } from './secrets.service';

/** `localeCompare`'s order (the default collator), without building a collator per comparison. */
const BY_ID = new Intl.Collator();

/** Whether one credential's secret can be had now (read or cached) and, if its source fails, why. */
export interface SecretAvailability {
  readonly credentialId: string;
  readonly source: string;
  /** A secret is at hand: read now, or cached from an earlier read. */
  readonly available: boolean;
  /** The source's last failure in people's words (the SDK's or the OS's own cause), when it is failing. */
  readonly failure?: string;
}

/** What `SecretsHealthIndicator.passiveSummary` answers. */
export interface SecretsSummary {
  /** The configured sources, in the order the health details list them (by their first credential's id). */
  readonly sources: readonly string[];
  /** Per source, how many credentials have a secret at hand. */
  readonly available: ReadonlyMap<string, number>;
  /** By credential id, in config order: the credentials with no secret at hand or a failing source. */
  readonly exceptions: ReadonlyMap<string, SecretAvailability>;
}

const sourceOrders = new WeakMap<readonly CredentialConfig[], readonly string[]>();

/** The sources of a config's credentials, ordered by each one's first credential id (computed once per config). */
function sourceOrder(credentials: readonly CredentialConfig[]): readonly string[] {
  let order = sourceOrders.get(credentials);
  if (!order) {
    order = sourcesByFirstId(credentials.map(({ id, secret }) => ({ credentialId: id, source: secret.source })));
    // Only a frozen (loaded) config's list cannot change under the cache.
    if (Object.isFrozen(credentials)) sourceOrders.set(credentials, order);
  }
  return order;
}

/**
 * The sources named in `entries`, in the order the health details list them: by each source's first
 * credential id (`BY_ID`). One source needs no comparison at all.
 */
function sourcesByFirstId(entries: readonly Pick<SecretAvailability, 'credentialId' | 'source'>[]): string[] {
  const firstIds = new Map<string, string>();
  for (const { credentialId, source } of entries) if (!firstIds.has(source)) firstIds.set(source, credentialId);
  if (firstIds.size > 1) {
    for (const { credentialId, source } of entries) {
      if (BY_ID.compare(credentialId, firstIds.get(source) as string) < 0) firstIds.set(source, credentialId);
    }
  }
  return [...firstIds].sort(([, a], [, b]) => BY_ID.compare(a, b)).map(([source]) => source);
}

/**
 * The secret sources as readiness sees them: per credential, whether a secret is at hand and the source's
 * own cause when it fails. "down" when any credential's source is failing, even if a cached secret still
 * serves; how much that matters (degraded or not ready) is the caller's policy.
 */
@Injectable()
export class SecretsHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly config: ConfigService,
    private readonly secrets: SecretsService,
  ) {}

  /**
   * Tries every credential's secret (a fresh cache entry answers without touching the source). `passive`
   * only looks at what earlier reads found (for heartbeats and metric scrapes, which must not poll sources).
   */
  async availability(options: { passive?: boolean } = {}): Promise<SecretAvailability[]> {
    const credentials = this.config.current.credentials;
    // Passive answers come from memory: no promise per credential (heartbeats ask every 5 s, for every credential).
    if (options.passive) return credentials.map((credential) => this.availabilityOf(credential, this.secrets.isCached(credential.id)));
    return Promise.all(
      credentials.map(async (credential) => {
        let available = true;
        try {
          await this.secrets.get(credential);
        } catch {
          available = false;
        }
        return this.availabilityOf(credential, available);
      }),
    );
  }

  /**
   * `availability({ passive: true })` in summary, for heartbeats and scrapes (every 5 s, for every
   * credential): how many credentials of each source have a secret at hand, and only the credentials with
   * something to report (no secret at hand, or a failing source), in config order. Nothing is allocated for
   * the others.
   */
  passiveSummary(): SecretsSummary {
    const config = this.config.current;
    const available = new Map<string, number>();
    const exceptions = new Map<string, SecretAvailability>();
    for (const credential of config.credentials) {
      const cached = this.secrets.isCached(credential.id);
      if (cached) available.set(credential.secret.source, (available.get(credential.secret.source) ?? 0) + 1);
      if (!cached || this.secrets.lastErrorOf(credential.id) !== undefined) exceptions.set(credential.id, this.availabilityOf(credential, cached));
    }
    return { sources: sourceOrder(config.credentials), available, exceptions };
  }

  /** `check` of a passive summary: the same result as `check(key, await availability({ passive: true }))`. */
  checkSummary(key: string, summary: SecretsSummary): HealthIndicatorResult {
    const indicator = this.health.check(key);
    const bySource = new Map<string, { available: number; unavailable: string[] }>();
    for (const source of summary.sources) bySource.set(source, { available: summary.available.get(source) ?? 0, unavailable: [] });
    return indicate(indicator, bySource, [...summary.exceptions.values()]);
  }

  /** Per source: credentials with a secret at hand and those without; `failing`: each failing source's cause. */
  async check(key = 'secrets', availability?: readonly SecretAvailability[]): Promise<HealthIndicatorResult> {
    const indicator = this.health.check(key);
    const results = availability ?? (await this.availability());
    const bySource = new Map<string, { available: number; unavailable: string[] }>();
    // No sort of every credential: sources are listed in the order of their first credential by id, and only
    // the credentials named in the details (usually none) are sorted.
    for (const source of sourcesByFirstId(results)) bySource.set(source, { available: 0, unavailable: [] });
    for (const result of results) {
      if (result.available) (bySource.get(result.source) as { available: number }).available += 1;
    }
    return indicate(
      indicator,
      bySource,
      results.filter((r) => !r.available || r.failure !== undefined),
    );
  }

  private availabilityOf(credential: CredentialConfig, available: boolean): SecretAvailability {
    const failure = this.secrets.lastErrorOf(credential.id);
    const { id: credentialId, secret } = credential;
    return failure === undefined ? { credentialId, source: secret.source, available } : { credentialId, source: secret.source, available, failure };
  }
}

/**
 * The indicator of `check` and `checkSummary`: per-source counts, the credentials to name (those without a
 * secret or whose source fails, by id) in their source's `unavailable` and in `failing`; down if any.
 */
function indicate(
  indicator: ReturnType<HealthIndicatorService['check']>,
  bySource: Map<string, { available: number; unavailable: string[] }>,
  toName: readonly SecretAvailability[],
): HealthIndicatorResult {
  const failing: Record<string, string> = {};
  const named = [...toName].sort((a, b) => BY_ID.compare(a.credentialId, b.credentialId));
  for (const result of named) {
    if (!result.available) bySource.get(result.source)?.unavailable.push(result.credentialId);
    if (result.failure !== undefined) failing[result.credentialId] = result.failure;
  }
  const details = {
    ...Object.fromEntries(bySource),
    ...(Object.keys(failing).length > 0 ? { failing } : {}),
  };
  return Object.keys(failing).length > 0 || named.some((r) => !r.available) ? indicator.down(details) : indicator.up(details);
}
