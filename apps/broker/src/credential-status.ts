import { Injectable } from '@nestjs/common';
import { KeyExpiryRegistry } from '@broker/issuers';
import { RotationService } from '@broker/rotation';
import { TokenService } from '@broker/tokens';
import { ConfigService, type CredentialConfig } from '@broker/config';
import type { CredentialSnapshot } from '@broker/observability';
import { SecretsService } from '@broker/secrets';
import { refreshHealth } from './credential-health';

/** The admin view of one credential (the `GET /admin/credentials` contract). Never a token or a secret. */
export interface CredentialStatus {
  id: string;
  provider: string;
  token: { held: boolean; expires_at: string | null; expires_in: number | null; next_refresh_at: string | null };
  last_refresh: { at: string; duration_ms: number; outcome: 'success' | 'failure'; error_code: string | null } | null;
  last_error_code: string | null;
  upstream_calls: number;
  /** `last_error`: the source's own cause while reading it fails (e.g. the AWS SDK's), never the secret. */
  secret: { source: string; version: string | null; fetched_at: string | null; age_seconds: number | null; last_error: string | null };
  rotation: Record<string, unknown> | null;
  /** Expiry of the signing certificate, for providers that sign with a key (when the secret carries one). */
  signing_key_expires_at: string | null;
}

const iso = (epochMs: number | undefined): string | null => (epochMs === undefined ? null : new Date(epochMs).toISOString());

/** Builds credential status for the admin API and the per-credential gauges, from the broker's own state. */
@Injectable()
export class CredentialStatusService {
  constructor(
    private readonly config: ConfigService,
    private readonly tokens: TokenService,
    private readonly secrets: SecretsService,
    private readonly rotations: RotationService,
    private readonly keyExpiry: KeyExpiryRegistry,
  ) {}

  /** Status of one configured credential, after catching up with the shared token store. */
  async status(credential: CredentialConfig): Promise<CredentialStatus> {
    const now = Date.now();
    const known = await this.tokens.status(credential.id);
    const secret = this.secrets.status(credential.id);
    const held = known.expiresAt !== undefined && known.expiresAt > now;
    return {
      id: credential.id,
      provider: credential.provider,
      token: {
        held,
        expires_at: held ? iso(known.expiresAt) : null,
        expires_in: held && known.expiresAt !== undefined ? Math.floor((known.expiresAt - now) / 1000) : null,
        next_refresh_at: held ? iso(known.refreshDueAt) : null,
      },
      last_refresh: known.lastRefresh
        ? {
            at: new Date(known.lastRefresh.at).toISOString(),
            duration_ms: known.lastRefresh.durationMs,
            outcome: known.lastRefresh.outcome,
            error_code: known.lastRefresh.errorCode ?? null,
          }
        : null,
      last_error_code: known.failure?.error.code ?? null,
      upstream_calls: known.upstreamCalls,
      secret: {
        source: credential.secret.source,
        version: secret.version ?? null,
        fetched_at: iso(secret.fetchedAt),
        age_seconds: secret.fetchedAt === undefined ? null : Math.floor((now - secret.fetchedAt) / 1000),
        last_error: secret.lastError ?? null,
      },
      signing_key_expires_at: iso(this.keyExpiry.expiryOf(credential.id)?.getTime()),
      rotation: credential.provider === 'adobe-ims' && credential.rotation ? await this.rotationOf(credential.id) : null,
    };
  }

  /** The rotation summary for status (never fails the whole status: Secrets Manager may be unreachable). */
  private async rotationOf(credentialId: string): Promise<Record<string, unknown>> {
    try {
      const status = await this.rotations.status(credentialId);
      return {
        active: status.active ? { rotation_id: status.active.id, step: status.active.step, started_at: iso(status.active.startedAt), trigger: status.active.trigger } : null,
        last_outcome: status.lastOutcome ?? null,
        last_finished_at: iso(status.lastFinishedAt),
        last_error_code: status.lastErrorCode ?? null,
        current_secret_age_seconds: status.currentSecretAgeSeconds ?? null,
        next_scheduled_at: iso(status.nextScheduledAt),
      };
    } catch {
      return { error: 'rotation_status_unavailable' };
    }
  }

  /** Every configured credential's status. */
  all(): Promise<CredentialStatus[]> {
    return Promise.all(this.config.current.credentials.map((credential) => this.status(credential)));
  }

  /** Synchronous per-credential figures for the Prometheus gauges (this instance's memory only). */
  snapshots(): CredentialSnapshot[] {
    const now = Date.now();
    return this.config.current.credentials.map((credential) => {
      const known = this.tokens.describe(credential.id);
      const secret = this.secrets.status(credential.id);
      const createdAt = this.rotations.currentSecretCreatedAt(credential.id);
      const keyExpiry = this.keyExpiry.expiryOf(credential.id);
      const rotation = this.rotations.health(credential.id);
      return {
        credentialId: credential.id,
        provider: credential.provider,
        ...(known.expiresAt === undefined ? {} : { tokenSecondsToExpiry: Math.max(0, (known.expiresAt - now) / 1000) }),
        ...(secret.fetchedAt === undefined ? {} : { secretAgeSeconds: (now - secret.fetchedAt) / 1000 }),
        ...(createdAt === undefined ? {} : { secretCreatedAgeSeconds: (now - createdAt) / 1000 }),
        ...(keyExpiry === undefined ? {} : { keySecondsToExpiry: (keyExpiry.getTime() - now) / 1000 }),
        ...refreshHealth(known),
        ...(rotation === undefined
          ? {}
          : {
              rotationOverdueSeconds: rotation.overdueSeconds,
              rotationBlocked: rotation.blocked,
              ...(rotation.maxSecretAgeSeconds === undefined ? {} : { rotationMaxSecretAgeSeconds: rotation.maxSecretAgeSeconds }),
            }),
      };
    });
  }
}
