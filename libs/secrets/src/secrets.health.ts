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

  /** Per source: credentials with a secret at hand and those without; `failing`: each failing source's cause. */
  async check(key = 'secrets', availability?: readonly SecretAvailability[]): Promise<HealthIndicatorResult> {
    const indicator = this.health.check(key);
    const results = availability ?? (await this.availability());
    const bySource = new Map<string, { available: number; unavailable: string[] }>();
    const failing: Record<string, string> = {};
    // One pass, no sort of every credential (heartbeats ask every 5 s): sources are listed in the order of
    // their first credential by id, and only the credentials named in the details (usually none) are sorted.
    const firstIds = new Map<string, string>();
    for (const result of results) if (!firstIds.has(result.source)) firstIds.set(result.source, result.credentialId);
    if (firstIds.size > 1) {
      for (const result of results) {
        if (BY_ID.compare(result.credentialId, firstIds.get(result.source) as string) < 0) firstIds.set(result.source, result.credentialId);
      }
    }
    for (const [source] of [...firstIds].sort(([, a], [, b]) => BY_ID.compare(a, b))) bySource.set(source, { available: 0, unavailable: [] });
    for (const result of results) {
      if (result.available) (bySource.get(result.source) as { available: number }).available += 1;
    }
    const named = results.filter((r) => !r.available || r.failure !== undefined).sort((a, b) => BY_ID.compare(a.credentialId, b.credentialId));
    for (const result of named) {
      if (!result.available) bySource.get(result.source)?.unavailable.push(result.credentialId);
      if (result.failure !== undefined) failing[result.credentialId] = result.failure;
    }
    const details = {
      ...Object.fromEntries(bySource),
      ...(Object.keys(failing).length > 0 ? { failing } : {}),
    };
    return Object.keys(failing).length > 0 || results.some((r) => !r.available) ? indicator.down(details) : indicator.up(details);
  }

  private availabilityOf(credential: CredentialConfig, available: boolean): SecretAvailability {
    const failure = this.secrets.lastErrorOf(credential.id);
    const { id: credentialId, secret } = credential;
    return failure === undefined ? { credentialId, source: secret.source, available } : { credentialId, source: secret.source, available, failure };
  }
}
