import { Injectable } from '@nestjs/common';
import { STAGE, SecretVersionStore } from '@broker/secrets';
import type { RotatableCredential } from '../rotatable-credential';
import { RotationSteps } from './rotation.steps';
import type { RotationRecord } from '../state/rotation-state';

/** What the labels of a credential's secret say, cheaply (one ListSecretVersionIds). */
export interface SecretObservation {
  readonly at: number;
  readonly currentVersionId?: string;
  /** When the AWSCURRENT version was created: the age of the current secret. */
  readonly currentCreatedAt?: number;
  /** AWSPENDING or AWSPREVIOUS is on a version: a rotation may be unfinished (see `rebuild`). */
  readonly unfinished: boolean;
}

/**
 * Rebuilds an interrupted rotation from the Secrets Manager labels when no record of it survived (local
 * mode after a restart, or a Redis that lost its data). The labels are enough, because every rotation
 * leaves them in one of two telling shapes until it ends:
 * - AWSPENDING on a rotation-made version (JSON with `adobe_secret_uuid`) that is not AWSCURRENT: created
 *   but not promoted; resume at `test` (which promotes it, or rolls it back).
 * - AWSCURRENT on a rotation-made version and AWSPREVIOUS on another: promoted, old secret not yet retired
 *   (retire takes AWSPREVIOUS off); resume at `retire`, counting from the new version's creation (a few
 *   seconds before the real promotion; the last-use check covers the difference).
 */
@Injectable()
export class RotationRecovery {
  constructor(
    private readonly store: SecretVersionStore,
    private readonly steps: RotationSteps,
  ) {}

  /** The labels' summary; throws `SecretVersionStoreError` when Secrets Manager cannot be read. */
  async observe(credential: RotatableCredential): Promise<SecretObservation> {
    const versions = await this.store.listVersions(credential.secret.secretId);
    const current = versions.find((v) => v.stages.includes(STAGE.current));
    const unfinished = versions.some((v) => v.stages.includes(STAGE.pending) || (v.stages.includes(STAGE.previous) && v !== current));
    return {
      at: Date.now(),
      ...(current ? { currentVersionId: current.versionId } : {}),
      ...(current?.createdAt === undefined ? {} : { currentCreatedAt: current.createdAt }),
      unfinished,
    };
  }

  /** The record of the rotation the labels say is unfinished, or undefined when there is none. */
  async rebuild(credential: RotatableCredential, now: number): Promise<RotationRecord | undefined> {
    const { current, pending, previous } = await this.steps.labelled(credential);
    if (!current) return undefined;
    const base = { trigger: 'recovered' as const, startedAt: now, updatedAt: now, steps: [] };
    if (pending?.adobeUuid && pending.versionId !== current.versionId) {
      return {
        ...base,
        id: pending.versionId,
        step: 'test',
        oldVersionId: current.versionId,
        ...(current.adobeUuid ? { oldUuid: current.adobeUuid } : {}),
        newUuid: pending.adobeUuid,
      };
    }
    if (current.adobeUuid && previous && previous.versionId !== current.versionId) {
      return {
        ...base,
        id: current.versionId,
        step: 'retire',
        oldVersionId: previous.versionId,
        ...(previous.adobeUuid ? { oldUuid: previous.adobeUuid } : {}),
        newUuid: current.adobeUuid,
        promotedAt: current.createdAt ?? now,
      };
    }
    return undefined;
  }
}
