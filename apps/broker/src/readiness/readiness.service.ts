import { Injectable, Optional } from '@nestjs/common';
import { TokenService } from '@broker/tokens';
import { ConfigService, configHash } from '@broker/config';
import { BrokerMetrics } from '@broker/observability';
import { RedisHealthIndicator } from '@broker/redis';
import { type SecretAvailability, SecretsHealthIndicator } from '@broker/secrets';
import { Lifecycle } from '../lifecycle';
import { type CredentialFacts, credentialsComponentOf } from './credential-readiness';
import { type ComponentReport, readinessOf, type ReadinessReport } from './readiness.report';

/** A refresh failure with this code is the provider's answer being malformed, not the provider rejecting the credential. */
const BAD_RESPONSE_CODE = 'upstream_bad_response';
/** Terminal upstream failures (the provider refused) are 502s; transient ones are 503s. */
const REJECTED_STATUS = 502;

const sinceIso = (at: number): string => new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * Evaluates readiness: "can this instance serve tokens now". Redis down, a failing secret source or a
 * failing identity provider make it degraded (still 200: held tokens keep being served, and taking every
 * replica out of the Service at once would only turn that into connection errors). Only draining or no
 * credential servable at all make it not ready (503). Every evaluation also sets the readiness gauges.
 */
@Injectable()
export class ReadinessService {
  constructor(
    private readonly config: ConfigService,
    private readonly tokens: TokenService,
    private readonly secrets: SecretsHealthIndicator,
    private readonly lifecycle: Lifecycle,
    private readonly metrics: BrokerMetrics,
    /** Present in fleet mode only. */
    @Optional() private readonly redis?: RedisHealthIndicator,
  ) {
    metrics.setReadinessSource(async () => {
      const report = await this.evaluate({ passive: true });
      return { state: report.state, components: statusesOf(report) };
    });
  }

  /**
   * `passive` judges secrets by what earlier reads found instead of reading failing or expired ones again:
   * for heartbeats and metric scrapes, which must not turn into a poll of Secrets Manager.
   */
  async evaluate(options: { passive?: boolean } = {}): Promise<ReadinessReport> {
    const config = this.config.current;
    // Every heartbeat (each 5 s) and scrape evaluates readiness passively, for every credential: one pass,
    // and nothing allocated for a credential with nothing to report (secret at hand, no refresh failure),
    // which is what almost all of them are. The summary is taken now, of `config`.
    const summary = options.passive ? this.secrets.passiveSummary() : undefined;
    const [availability, redis] = await Promise.all([summary ? undefined : this.secrets.availability(options), this.redis?.check('redis')]);
    const now = Date.now();
    const secretsResult = (summary ? this.secrets.checkSummary('secrets', summary) : await this.secrets.check('secrets', availability))['secrets'];
    // The credentials whose secret has something to report; every other one has its secret at hand.
    const secretExceptions: ReadonlyMap<string, SecretAvailability> =
      summary?.exceptions ?? new Map((availability ?? []).filter((a) => !a.available || a.failure !== undefined).map((a) => [a.credentialId, a]));
    let healthy = 0;
    const others: CredentialFacts[] = [];
    for (const credential of config.credentials) {
      const secret = secretExceptions.get(credential.id);
      const failure = this.tokens.refreshFailureOf(credential.id);
      if (!secret && !failure) {
        healthy += 1;
        continue;
      }
      const expiresAt = this.tokens.heldTokenExpiresAt(credential.id);
      others.push({
        id: credential.id,
        tokenHeld: expiresAt !== undefined && expiresAt > now,
        secretAvailable: secret?.available ?? true,
        ...(secret?.failure === undefined ? {} : { secretFailure: secret.failure }),
        ...(failure ? { refreshFailure: { code: failure.code, rejected: failure.status === REJECTED_STATUS && failure.code !== BAD_RESPONSE_CODE } } : {}),
      });
    }
    const drainingSince = this.lifecycle.drainingStartedAt;
    const components: Record<string, ComponentReport> = {
      lifecycle: drainingSince === undefined ? { status: 'up' } : { status: 'down', reason: `draining since ${sinceIso(drainingSince)} (shutting down)` },
      config: { status: 'up', source: config.source, credentials: config.credentials.length, hash: configHash(config) },
      credentials: credentialsComponentOf(healthy, others),
      // A failing source is a problem to fix, not a reason to stop serving: cached secrets and held tokens still work.
      secrets: degradedWhenDown(secretsResult),
      ...(redis ? { redis: degradedWhenDown(redis['redis']) } : {}),
    };
    const report = readinessOf(components);
    this.metrics.recordReadiness({ state: report.state, components: statusesOf(report) });
    return report;
  }
}

/** A dependency's terminus result as a component that can only degrade readiness; `status` first, for readers. */
function degradedWhenDown(result: ({ status: string } & Record<string, unknown>) | undefined): ComponentReport {
  if (!result) return { status: 'degraded', reason: 'not checked' };
  const { status, ...details } = result;
  return { status: status === 'up' ? 'up' : 'degraded', ...details };
}

function statusesOf(report: ReadinessReport): Record<string, string> {
  return Object.fromEntries(Object.entries(report.body.details).map(([name, component]) => [name, component.status]));
}
