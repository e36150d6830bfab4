import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@broker/config';
import { ACCESS_MESSAGES } from './access.constants';
import { UnauthenticatedError } from './access.errors';
import type { Caller } from './caller';
import { callerFrom } from './caller.factory';
import { type CertificateMatcher, compileCertificateIdentity } from './certificate.matcher';
import type { PresentedCertificate } from './presented-certificate';

interface CertificateCaller {
  readonly caller: Caller;
  readonly matchers: readonly CertificateMatcher[];
}

/** Bounds the per-fingerprint cache; a fleet has far fewer distinct client certificates than this. */
const MAX_CACHED_FINGERPRINTS = 4096;

/**
 * Authenticates callers by verified client certificate: URI SAN (exact or glob), DNS SAN or subject, as
 * configured under `certificate:`. A certificate must match exactly one caller; none or several is a 401.
 */
@Injectable()
export class CertificateAuthenticator implements OnModuleDestroy {
  private callers: readonly CertificateCaller[] = [];
  /** Matching is by fingerprint: the same certificate always matches the same way under one config. */
  private byFingerprint = new Map<string, Caller | UnauthenticatedError>();
  private readonly unsubscribe: () => void;

  constructor(private readonly config: ConfigService) {
    this.rebuild();
    this.unsubscribe = config.onChange(() => this.rebuild());
  }

  /** The caller a verified certificate is; throws `UnauthenticatedError` otherwise. */
  authenticate(certificate: PresentedCertificate): Caller {
    if (!certificate.verified) throw new UnauthenticatedError(ACCESS_MESSAGES.untrustedCertificate, false);
    let result = this.byFingerprint.get(certificate.fingerprint);
    if (result === undefined) {
      result = this.match(certificate);
      if (this.byFingerprint.size >= MAX_CACHED_FINGERPRINTS) this.byFingerprint.clear();
      this.byFingerprint.set(certificate.fingerprint, result);
    }
    if (result instanceof UnauthenticatedError) throw result;
    return result;
  }

  onModuleDestroy(): void {
    this.unsubscribe();
  }

  private match(certificate: PresentedCertificate): Caller | UnauthenticatedError {
    const matching = this.callers.filter((entry) => entry.matchers.some((matches) => matches(certificate)));
    if (matching.length === 1) return (matching[0] as CertificateCaller).caller;
    return new UnauthenticatedError(matching.length === 0 ? ACCESS_MESSAGES.unknownCertificate : ACCESS_MESSAGES.ambiguousCertificate, false);
  }

  private rebuild(): void {
    const { callers, rateLimits } = this.config.current;
    this.callers = callers.flatMap((caller) =>
      caller.certificates === undefined ? [] : [{ caller: callerFrom(caller, rateLimits, 'certificate'), matchers: caller.certificates.map(compileCertificateIdentity) }],
    );
    this.byFingerprint = new Map();
  }
}
