import { X509Certificate } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { SecretMaterial } from '@broker/secrets';

const DAY_MS = 24 * 3600 * 1000;
/** A certificate this close to its end gets a warning, repeated at most once a day per credential. */
export const KEY_EXPIRY_WARNING_MS = 30 * DAY_MS;

/**
 * Expiry of the certificate that goes with a credential's signing key, when its secret carries one
 * (`certificate`, PEM). Adobe binds the JWT credential to that certificate: past its end, token exchanges
 * fail. Known once the secret has been read for a mint.
 */
@Injectable()
export class KeyExpiryRegistry {
  private readonly logger = new Logger(KeyExpiryRegistry.name);
  private readonly expiries = new Map<string, Date>();
  private readonly warnedAt = new Map<string, number>();

  /** When the credential's certificate expires; undefined when its secret has none (or it was not read yet). */
  expiryOf(credentialId: string): Date | undefined {
    return this.expiries.get(credentialId);
  }

  /** Notes the `certificate` of a credential's secret and warns (at most daily) when it expires within 30 days. */
  observe(credentialId: string, material: SecretMaterial, now = Date.now()): void {
    const pem = material.fields.get('certificate')?.reveal();
    const expiresAt = pem === undefined ? undefined : certificateExpiry(pem);
    const previous = this.expiries.get(credentialId);
    if (expiresAt === undefined) this.expiries.delete(credentialId);
    else this.expiries.set(credentialId, expiresAt);

    if (pem !== undefined && expiresAt === undefined) {
      this.warnDaily(credentialId, now, { msg: 'the certificate in the secret does not parse; its expiry is unknown', credential_id: credentialId });
      return;
    }
    const left = expiresAt === undefined ? Infinity : expiresAt.getTime() - now;
    if (expiresAt === undefined || left > KEY_EXPIRY_WARNING_MS) {
      this.warnedAt.delete(credentialId);
      return;
    }
    // A new certificate that is also close to its end deserves its own warning at once.
    if (previous?.getTime() !== expiresAt.getTime()) this.warnedAt.delete(credentialId);
    this.warnDaily(credentialId, now, {
      msg: left > 0 ? 'the certificate of the signing key expires soon' : 'the certificate of the signing key has expired',
      credential_id: credentialId,
      expires_at: expiresAt.toISOString(),
      days_left: Math.floor(left / DAY_MS),
    });
  }

  private warnDaily(credentialId: string, now: number, line: Record<string, unknown>): void {
    const last = this.warnedAt.get(credentialId);
    if (last !== undefined && now - last < DAY_MS) return;
    this.warnedAt.set(credentialId, now);
    this.logger.warn(line);
  }
}

function certificateExpiry(pem: string): Date | undefined {
  try {
    return new X509Certificate(pem).validToDate;
  } catch {
    return undefined;
  }
}
