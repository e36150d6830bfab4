import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { ConfigService } from '@broker/config';
import { SecretsService } from './secrets.service';

/**
 * Readiness of the secret sources. A source counts as down only when none of the credentials it serves has a
 * secret (read now or cached): then this instance cannot refresh anything from it. One misconfigured secret
 * is reported in the details but does not take every replica out of service.
 */
@Injectable()
export class SecretsHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly config: ConfigService,
    private readonly secrets: SecretsService,
  ) {}

  async check(key = 'secrets'): Promise<HealthIndicatorResult> {
    const indicator = this.health.check(key);
    const bySource = new Map<string, { ok: number; failing: string[] }>();
    await Promise.all(
      this.config.current.credentials.map(async (credential) => {
        const tally = bySource.get(credential.secret.source) ?? { ok: 0, failing: [] };
        bySource.set(credential.secret.source, tally);
        try {
          await this.secrets.get(credential);
          tally.ok += 1;
        } catch {
          tally.failing.push(credential.id);
        }
      }),
    );
    const details = Object.fromEntries(
      [...bySource].map(([source, tally]) => [source, { available: tally.ok, unavailable: tally.failing.sort() }]),
    );
    const down = [...bySource.values()].some((tally) => tally.ok === 0 && tally.failing.length > 0);
    return down ? indicator.down(details) : indicator.up(details);
  }
}
