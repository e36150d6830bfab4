export type {
  AdobeImsCredential,
  AdobeImsJwtCredential,
  ApiKeyCallerConfig,
  BrokerConfig,
  CallerConfig,
  CredentialConfig,
  HeaderTemplates,
  JwtAlgorithm,
  JwtCallerConfig,
  JwtIssuerConfig,
  OAuth2ClientAuth,
  OAuth2Credential,
  RateLimit,
  RateLimitsPolicy,
  RotationConfig,
  RotationSchedule,
  SecretRef,
  SecretsPolicy,
  TokenPolicy,
} from './schema/broker-config.types';
export type { CertificateIdentity } from './schema/certificate-identity';
export { parseDistinguishedName, type DistinguishedNamePart } from './schema/certificate-identity';
export type { OutboundProxyEnvironment, TlsClientAuth, TlsEnvironment } from './environment/tls-environment.interface';
export { loadTlsMaterial, readTlsMaterial, TLS_FILES_SOURCE, type TlsMaterial } from './environment/tls-material.loader';
export type {
  BrokerEnvironment,
  LogLevel,
  RedisEnvironment,
  RedisNode,
  TokenEncryptionKey,
} from './environment/broker-environment.interface';
export { ALL_CREDENTIALS, BROKER_ENV } from './config.constants';
export { ConfigValidationError, type ConfigIssue } from './errors/config-validation.error';
export { loadBrokerConfig, parseBrokerConfig } from './loading/config.loader';
export { ConfigReloader, type ReloadResult } from './module/config.reloader';
export { ConfigModule } from './module/config.module';
export type { ConfigModuleOptions } from './module/config.providers';
export { ConfigService, type ConfigChangeListener } from './module/config.service';
export { configHash } from './loading/config.hash';
export { parseDuration } from './schema/duration.parser';
export { BROKER_ENV_VARIABLES, parseEnvironment, readEnvironment } from './environment/environment.parser';
export type { EventLoopBlock } from './environment/test-hooks.parser';
export { HTTP_TIMEOUT_DEFAULTS, type HttpTimeouts } from './environment/http-environment.parser';
export { ProcessEnvironment } from './environment/process-environment.service';
