export { ForbiddenCredentialError, UnauthenticatedError } from './access.errors';
export { AccessModule } from './access.module';
export { AccessPolicy } from './access.policy';
export { ApiKeyAuthenticator } from './api-key.authenticator';
export type { Caller } from './caller';
export { CallerGuard } from './caller.guard';
