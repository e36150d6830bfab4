export { TokensModule } from './tokens.module';
export { REFRESH_LOCK_TTL_MS, type RejectionOutcome, sha256Hex } from './token.service';
export { EXPIRY_MARGIN_MS, isServable, refreshCanHelp, refreshDueAt, satisfies } from './refresh-policy';
export { UnknownCredentialError } from './token.errors';
export { TokenService } from './token.service';
export { UpstreamMinter, backoffDelayMs, isRetryable } from './upstream-minter';
