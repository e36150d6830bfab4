import type { SecretValue } from './secret-value';

/** Staging labels with a meaning to Secrets Manager (and to rotation). */
export const STAGE = Object.freeze({ current: 'AWSCURRENT', pending: 'AWSPENDING', previous: 'AWSPREVIOUS' } as const);

/** One version of a secret and the staging labels on it. */
export interface SecretVersionInfo {
  readonly versionId: string;
  readonly stages: readonly string[];
  /** When the version was created (epoch ms), when the store says. */
  readonly createdAt?: number;
}

/** A version with its value. */
export interface SecretVersionValue extends SecretVersionInfo {
  readonly value: SecretValue;
}

/** Which version to read: by id, or the one carrying a staging label. */
export type VersionSelector = { readonly versionId: string } | { readonly stage: string };

/**
 * A store operation failed. `code` is the backend's error name (`ResourceNotFoundException`, …), never a
 * message that could quote a value; `permanent` failures will not fix themselves by retrying.
 */
export class SecretVersionStoreError extends Error {
  constructor(
    readonly operation: string,
    readonly code: string,
    readonly permanent: boolean,
    options?: { cause?: unknown },
  ) {
    super(`Secrets Manager ${operation} failed (${code})`, options);
    this.name = 'SecretVersionStoreError';
  }
}

/**
 * Port: a secret store with versions and staging labels (AWS Secrets Manager), for rotation. Adapters map
 * every failure to `SecretVersionStoreError`.
 */
export abstract class SecretVersionStore {
  /** The versions that carry at least one staging label (deprecated versions are left out). */
  abstract listVersions(secretId: string): Promise<readonly SecretVersionInfo[]>;
  /** Version id -> staging labels, from the secret's description (one cheap call). */
  abstract describe(secretId: string): Promise<ReadonlyMap<string, readonly string[]>>;
  /** The selected version with its value; undefined when no such version (or label) exists. */
  abstract getValue(secretId: string, select: VersionSelector): Promise<SecretVersionValue | undefined>;
  /**
   * Creates the version `clientRequestToken` (which becomes its version id) with `stages`. Idempotent: the
   * same token with the same value is a no-op; the same token with another value is an error.
   */
  abstract putVersion(secretId: string, clientRequestToken: string, value: SecretValue, stages: readonly string[]): Promise<void>;
  /** Moves `stage` to `toVersionId`, taking it from `fromVersionId` (required when another version holds it). */
  abstract moveStage(secretId: string, stage: string, toVersionId: string, fromVersionId?: string): Promise<void>;
  /** Takes `stage` off `fromVersionId` (AWSCURRENT cannot be removed, only moved). */
  abstract removeStage(secretId: string, stage: string, fromVersionId: string): Promise<void>;
}
