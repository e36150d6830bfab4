import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { ConfigService } from '@broker/config';
import { SecretsService } from './secrets.service';

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
    return Promise.all(
      this.config.current.credentials.map(async (credential) => {
        let available = true;
        if (options.passive) {
          available = this.secrets.status(credential.id).cached;
        } else {
          try {
            await this.secrets.get(credential);
          } catch {
            available = false;
          }
        }
        const failure = this.secrets.status(credential.id).lastError;
        return { credentialId: credential.id, source: credential.secret.source, available, ...(failure === undefined ? {} : { failure }) };
      }),
    );
  }

  /** Per source: credentials with a secret at hand and those without; `failing`: each failing source's cause. */
  async check(key = 'secrets', availability?: readonly SecretAvailability[]): Promise<HealthIndicatorResult> {
    const indicator = this.health.check(key);
    const results = availability ?? (await this.availability());
    const bySource = new Map<string, { available: number; unavailable: string[] }>();
    const failing: Record<string, string> = {};
    for (const result of [...results].sort((a, b) => a.credentialId.localeCompare(b.credentialId))) {
      const tally = bySource.get(result.source) ?? { available: 0, unavailable: [] };
      bySource.set(result.source, tally);
      if (result.available) tally.available += 1;
      else tally.unavailable.push(result.credentialId);
      if (result.failure !== undefined) failing[result.credentialId] = result.failure;
    }
    const details = {
      ...Object.fromEntries(bySource),
      ...(Object.keys(failing).length > 0 ? { failing } : {}),
    };
    return Object.keys(failing).length > 0 || results.some((r) => !r.available) ? indicator.down(details) : indicator.up(details);
  }
}
