import { Injectable, Logger } from '@nestjs/common';
import { ConfigService, type CredentialConfig } from '@broker/config';
import { AwsSecretsManagerSource } from './aws.secret-source';
import { EnvSecretSource } from './env.secret-source';
import { FileSecretSource } from './file.secret-source';
import { parseSecretMaterial, type SecretMaterial } from './secret-material';
import { SecretSourceError, SecretUnavailableError } from './secret.errors';
import type { SecretSource } from './secret-source.port';

interface CacheEntry {
  readonly material: SecretMaterial;
  /** Serialised reference the entry was read from; a config change of the reference invalidates it. */
  readonly refKey: string;
}

/** Per-credential outcome of the last read, for readiness and admin status. */
export interface SecretStatus {
  readonly cached: boolean;
  readonly fetchedAt?: number;
  readonly version?: string;
  readonly lastError?: string;
}

/**
 * Resolves a credential's client secret through its source, caching it for `secrets.cacheTtl`. When a
 * source fails, the last value read keeps being used (whatever its age): a secrets-manager outage must not
 * stop token refreshes. Concurrent reads of one credential share one source call.
 */
@Injectable()
export class SecretsService {
  private readonly logger = new Logger(SecretsService.name);
  private readonly cache = new Map<string, CacheEntry>();
  private readonly inFlight = new Map<string, Promise<SecretMaterial>>();
  private readonly lastErrors = new Map<string, string>();
  private readonly sources: Record<SecretSource['kind'], SecretSource>;

  constructor(
    private readonly config: ConfigService,
    aws: AwsSecretsManagerSource,
    file: FileSecretSource,
    env: EnvSecretSource,
  ) {
    this.sources = { aws, file, env };
  }

  /** The credential's secret: cached if fresh, else read from its source (falling back to the cache). */
  async get(credential: CredentialConfig): Promise<SecretMaterial> {
    const entry = this.entryFor(credential);
    if (entry && Date.now() - entry.material.fetchedAt < this.config.current.secrets.cacheTtlMs) return entry.material;
    return this.read(credential);
  }

  /**
   * Boot's read of a credential's secret: fills the cache, and answers the source's cause instead of
   * throwing or logging, so the boot check decides what a failure means (stop for env/file, warn for aws).
   */
  async prefetch(credential: CredentialConfig): Promise<{ ok: true } | { ok: false; reason: string }> {
    try {
      await this.read(credential, { quiet: true });
      return { ok: true };
    } catch (error) {
      return { ok: false, reason: reasonOf(error instanceof SecretUnavailableError ? error.cause : error) };
    }
  }

  /** Reads the source now, bypassing a fresh cache entry (after the upstream rejected the cached secret). */
  async reload(credential: CredentialConfig): Promise<SecretMaterial> {
    return this.read(credential);
  }

  /** Drops the cached secret of a credential (e.g. after a rotation promoted a new one). */
  invalidate(credentialId: string): void {
    this.cache.delete(credentialId);
  }

  /** What is known about a credential's secret, without touching the source. */
  status(credentialId: string): SecretStatus {
    const entry = this.cache.get(credentialId);
    const lastError = this.lastErrors.get(credentialId);
    return {
      cached: entry !== undefined,
      ...(entry ? { fetchedAt: entry.material.fetchedAt } : {}),
      ...(entry?.material.version === undefined ? {} : { version: entry.material.version }),
      ...(lastError === undefined ? {} : { lastError }),
    };
  }

  /** Whether a secret of the credential is cached: `status(id).cached` without the copy. */
  isCached(credentialId: string): boolean {
    return this.cache.has(credentialId);
  }

  /** The source's last failure for the credential, if its last read failed: `status(id).lastError` without the copy. */
  lastErrorOf(credentialId: string): string | undefined {
    return this.lastErrors.get(credentialId);
  }

  private read(credential: CredentialConfig, options: { quiet?: boolean } = {}): Promise<SecretMaterial> {
    let pending = this.inFlight.get(credential.id);
    if (!pending) {
      pending = this.fetchAndCache(credential, options.quiet === true).finally(() => this.inFlight.delete(credential.id));
      this.inFlight.set(credential.id, pending);
    }
    return pending;
  }

  private async fetchAndCache(credential: CredentialConfig, quiet: boolean): Promise<SecretMaterial> {
    const refKey = JSON.stringify(credential.secret);
    try {
      const raw = await this.sources[credential.secret.source].fetch(credential.secret);
      const material = parseSecretMaterial(raw.value, { fetchedAt: Date.now(), ...(raw.version === undefined ? {} : { version: raw.version }) });
      if (!material) throw new SecretSourceError('the secret holds no client secret (a string, or JSON with "client_secret")', true);
      this.cache.set(credential.id, { material, refKey });
      this.lastErrors.delete(credential.id);
      return material;
    } catch (error) {
      const reason = reasonOf(error);
      // One line per distinct failure, not one per read: readiness probes re-read a failing source often.
      const repeated = this.lastErrors.get(credential.id) === reason;
      this.lastErrors.set(credential.id, reason);
      const stale = this.entryFor(credential);
      if (stale) {
        if (!repeated && !quiet) this.logger.warn({ msg: 'secret source failed; using the cached secret', credential_id: credential.id, reason });
        return stale.material;
      }
      if (!repeated && !quiet) this.logger.error({ msg: 'secret source failed and no secret is cached', credential_id: credential.id, reason });
      throw new SecretUnavailableError(credential.id, { cause: error });
    }
  }

  private entryFor(credential: CredentialConfig): CacheEntry | undefined {
    const entry = this.cache.get(credential.id);
    return entry && entry.refKey === JSON.stringify(credential.secret) ? entry : undefined;
  }
}

/** The reason kept and shown for a failed read: the source's own words, never the secret. */
function reasonOf(error: unknown): string {
  return error instanceof SecretSourceError ? error.reason : 'unexpected error reading the secret';
}
