export { type SecretMaterial, parseSecretMaterial, sameMaterial } from './secret-material';
export { SecretValue } from './secret-value';
export { SecretSourceError, SecretUnavailableError } from './secret.errors';
export { SecretSource, type RawSecret } from './secret-source.port';
export { SecretsService, type SecretStatus } from './secrets.service';
export { type SecretAvailability, type SecretsSummary, SecretsHealthIndicator } from './secrets.health';
export { SecretsModule } from './secrets.module';
export {
  STAGE,
  type SecretVersionInfo,
  SecretVersionStore,
  SecretVersionStoreError,
  type SecretVersionValue,
  type VersionSelector,
} from './secret-version-store.port';
