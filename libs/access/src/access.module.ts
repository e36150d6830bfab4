import { Module } from '@nestjs/common';
import { AccessPolicy } from './access.policy';
import { AdminGuard } from './admin.guard';
import { ApiKeyAuthenticator } from './api-key.authenticator';
import { AuditInterceptor } from './audit.interceptor';
import { CallerAuthenticator } from './caller.authenticator';
import { CertificateAuthenticator } from './certificate.authenticator';
import { CallerGuard } from './caller.guard';
import { JwtAuthenticator } from './jwt.authenticator';

/**
 * Caller authentication (API keys, workload JWTs and client certificates), rate limiting (the `RateLimiter` port, provided by the
 * global RateLimitModule), the per-credential access policy, the admin role and the admin audit interceptor.
 */
@Module({
  providers: [ApiKeyAuthenticator, JwtAuthenticator, CertificateAuthenticator, CallerAuthenticator, CallerGuard, AdminGuard, AccessPolicy, AuditInterceptor],
  exports: [ApiKeyAuthenticator, JwtAuthenticator, CertificateAuthenticator, CallerAuthenticator, CallerGuard, AdminGuard, AccessPolicy, AuditInterceptor],
})
export class AccessModule {}
