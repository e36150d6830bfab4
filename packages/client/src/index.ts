export { TokenBrokerClient, type CredentialHeaders } from './client';
export { TokenBrokerError, type ClientErrorCode, type TokenBrokerErrorFields } from './errors';
export type { CacheHitEvent, RejectedEvent, RetryEvent, TokenBrokerEvent, TokenFetchedEvent } from './events';
export type { TokenBrokerClientOptions } from './options';
export type { BrokerToken } from './token';
