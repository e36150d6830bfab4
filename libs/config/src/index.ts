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
  ProxySettings,
  RateLimit,
  RateLimitsPolicy,
  RotationConfig,
  RotationSchedule,
  SecretRef,
  SecretsPolicy,
  TokenPolicy,
} from './broker-config.interface';
export type {
  BrokerEnvironment,
  LogLevel,
  RedisEnvironment,
  RedisNode,
  TokenEncryptionKey,
} from './broker-environment.interface';
export { ALL_CREDENTIALS, BROKER_ENV } from './config.constants';
export { ConfigValidationError, type ConfigIssue } from './config-validation.error';
export { loadBrokerConfig, parseBrokerConfig } from './config.loader';
export { ConfigReloader, type ReloadResult } from './config.reloader';
export { ConfigModule } from './config.module';
export type { ConfigModuleOptions } from './config.providers';
export { ConfigService, type ConfigChangeListener } from './config.service';
export { parseDuration } from './duration.parser';
export { BROKER_ENV_VARIABLES, parseEnvironment, readEnvironment } from './environment.parser';
export { ProcessEnvironment } from './process-environment.service';
export { tryParseByteSize, UPSTREAM_NAME_PATTERN } from './proxy.reader';
