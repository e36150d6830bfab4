import { type DynamicModule, Module } from '@nestjs/common';
import { RateLimitModule } from '@broker/rate-limit';
import { AccessPolicy } from './access.policy';
import { AdminGuard } from './admin.guard';
import { ApiKeyAuthenticator } from './api-key.authenticator';
import { AuditInterceptor } from './audit.interceptor';
import { CallerAuthenticator } from './caller.authenticator';
import { CertificateAuthenticator } from './certificate.authenticator';
import { CallerGuard } from './caller.guard';
import { JwtAuthenticator } from './jwt.authenticator';

/**
 * Caller authentication (API keys, workload JWTs and client certificates), rate limiting (the `RateLimiter` port of
 * RateLimitModule for `mode`), the per-credential access policy, the admin role and the admin audit interceptor.
 */
@Module({})
export class AccessModule {
  static forRoot(options: { mode: 'local' | 'fleet' }): DynamicModule {
    return {
      module: AccessModule,
      imports: [RateLimitModule.forRoot(options)],
      providers: [ApiKeyAuthenticator, JwtAuthenticator, CertificateAuthenticator, CallerAuthenticator, CallerGuard, AdminGuard, AccessPolicy, AuditInterceptor],
      // Re-exported: the guards run in the importing module (`@UseGuards` on its controllers) and need the limiter there.
      exports: [RateLimitModule, ApiKeyAuthenticator, JwtAuthenticator, CertificateAuthenticator, CallerAuthenticator, CallerGuard, AdminGuard, AccessPolicy, AuditInterceptor],
    };
  }
}
