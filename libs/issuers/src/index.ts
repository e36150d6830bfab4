export { type IssuedToken, MAX_TOKEN_LIFETIME_SECONDS, MIN_TOKEN_LIFETIME_SECONDS } from './issued-token';
export { IssuersModule } from './issuers.module';
export { TokenIssuer, type IssueOptions } from './token-issuer.port';
export { TokenIssuers } from './token-issuers';
export { UpstreamBadResponseError, UpstreamRejectedError, UpstreamUnavailableError } from './upstream.errors';
export { parseTokenResponse } from './token-response';
export { retryAfterMs } from './bounded-http';
