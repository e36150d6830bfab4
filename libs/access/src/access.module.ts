import { Module } from '@nestjs/common';
import { AccessPolicy } from './access.policy';
import { ApiKeyAuthenticator } from './api-key.authenticator';
import { CallerGuard } from './caller.guard';

/** Caller authentication and the per-credential access policy. */
@Module({
  providers: [ApiKeyAuthenticator, CallerGuard, AccessPolicy],
  exports: [ApiKeyAuthenticator, CallerGuard, AccessPolicy],
})
export class AccessModule {}
