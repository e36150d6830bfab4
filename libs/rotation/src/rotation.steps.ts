import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@broker/config';
import { TokenIssuers } from '@broker/issuers';
import { DomainError } from '@broker/problems';
import { STAGE, SecretVersionStore, SecretVersionStoreError, type SecretMaterial } from '@broker/secrets';
import { FleetBus } from '@broker/fleet';
import { AdobeConsoleClient, type ConsoleSecret, type ConsoleTarget } from './adobe-console.client';
import { ManagementTokens } from './management-tokens';
import type { RotatableCredential } from './rotatable-credential';
import { ROTATION_MESSAGES, ROTATION_TIMINGS } from './rotation.constants';
import { RotationStepError } from './rotation.errors';
import { assertHeld } from './rotation-lock';
import type { RotationOutcome, RotationRecord } from './rotation-state';
import { type DecodedVersion, decodeVersion, encodeRotatedSecret } from './secret-version.codec';

/** What a step did: go on with `record.step`, end the rotation, or come back later. */
export type StepResult =
  | { readonly kind: 'advance'; readonly record: RotationRecord; readonly details?: AuditDetails }
  | { readonly kind: 'finish'; readonly record: RotationRecord; readonly outcome: RotationOutcome; readonly details?: AuditDetails }
  | { readonly kind: 'wait'; readonly record: RotationRecord; readonly until: number; readonly reason: string };

export type AuditDetails = Readonly<Record<string, string | number | boolean>>;

/** A step's inputs: the credential, its record, and the lock's signal (aborted when the lock is lost). */
export interface StepContext {
  readonly credential: RotatableCredential;
  readonly record: RotationRecord;
  readonly signal: AbortSignal;
  readonly now: () => number;
  readonly checkIntervalMs: number;
}

/** The labelled Secrets Manager versions of a credential's secret, with their values decoded. */
export interface Labelled {
  readonly all: readonly DecodedVersion[];
  readonly current?: DecodedVersion;
  readonly pending?: DecodedVersion;
  readonly previous?: DecodedVersion;
}

/** What `prepare` found (and did); also the answer of a dry run. */
export interface PrepareReport {
  readonly currentVersionId: string;
  readonly currentUuid: string;
  readonly adobeSecrets: number;
  readonly orphan?: { readonly uuid: string; readonly ageMs: number; readonly action: 'deleted' | 'would_delete' };
}

/**
 * The rotation steps. Each is idempotent and resumable: it re-reads the world (Secrets Manager labels, the
 * secrets Adobe lists) instead of trusting that an earlier attempt did or did not happen, and never deletes
 * the Adobe secret that AWSCURRENT holds. Policy only; the adapters do the I/O.
 */
@Injectable()
export class RotationSteps {
  private readonly logger = new Logger(this.constructor.name);

  constructor(
    private readonly store: SecretVersionStore,
    private readonly console: AdobeConsoleClient,
    private readonly managementTokens: ManagementTokens,
    private readonly issuers: TokenIssuers,
    private readonly events: FleetBus,
    private readonly config: ConfigService,
  ) {}

  /** Runs the record's current step. */
  run(ctx: StepContext): Promise<StepResult> {
    assertHeld(ctx.signal);
    switch (ctx.record.step) {
      case 'prepare':
        return this.prepareStep(ctx);
      case 'create':
        return this.create(ctx);
      case 'test':
        return this.test(ctx);
      case 'promote':
        return this.promote(ctx);
      case 'retire':
        return this.retire(ctx);
      case 'rollback':
        return this.rollback(ctx);
      default: {
        const unknown: never = ctx.record.step;
        throw new Error(`unknown rotation step ${String(unknown)}`);
      }
    }
  }

  /** The labelled versions of the credential's secret, values decoded (rotation-made ones name their Adobe secret). */
  async labelled(credential: RotatableCredential): Promise<Labelled> {
    const secretId = credential.secret.secretId;
    const versions = await this.sm(() => this.store.listVersions(secretId));
    const all: DecodedVersion[] = [];
    for (const version of versions) {
      const value = await this.sm(() => this.store.getValue(secretId, { versionId: version.versionId }));
      if (value) all.push(decodeVersion({ ...value, ...(version.createdAt === undefined ? {} : { createdAt: version.createdAt }) }));
    }
    const holder = (stage: string) => all.find((v) => v.stages.includes(stage));
    const current = holder(STAGE.current);
    const pending = holder(STAGE.pending);
    const previous = holder(STAGE.previous);
    return { all, ...(current ? { current } : {}), ...(pending ? { pending } : {}), ...(previous ? { previous } : {}) };
  }

  /**
   * Step 1. Lists Adobe's secrets (with a token minted from AWSCURRENT). With two there, the one that is not
   * current is deleted only if no labelled version references it (an orphan of an interrupted rotation) and
   * it is older than `retireAfter`; anything else stops the rotation with a clear error. `dryRun` changes
   * nothing and reports what would be done.
   */
  async prepare(ctx: StepContext, dryRun = false): Promise<PrepareReport> {
    const { credential, record } = ctx;
    const versions = await this.labelled(credential);
    const current = this.requireCurrent(versions);
    const pending = versions.pending;
    if (pending && pending.versionId !== current.versionId && pending.versionId !== record.id) {
      throw new RotationStepError('rotation_foreign_pending', 409, ROTATION_MESSAGES.foreignPending);
    }
    const target = await this.session(credential, current);
    const adobe = await this.console.list(target);
    // A bare AWSCURRENT secret names no Adobe secret: when this rotation already identified it (a resumed
    // create), trust the record; otherwise only a single Adobe secret is unambiguous.
    const recorded = record.oldVersionId === current.versionId ? record.oldUuid : undefined;
    const currentUuid = current.adobeUuid ?? recorded ?? (adobe.length === 1 ? adobe[0]?.uuid : undefined);
    if (currentUuid === undefined) {
      const code = adobe.length === 0 ? 'rotation_current_missing' : 'rotation_current_unknown';
      throw new RotationStepError(code, 409, adobe.length === 0 ? ROTATION_MESSAGES.currentMissing : ROTATION_MESSAGES.currentUnknown);
    }
    if (!adobe.some((s) => s.uuid === currentUuid)) {
      throw new RotationStepError('rotation_current_missing', 409, ROTATION_MESSAGES.currentMissing);
    }
    const referenced = new Set(versions.all.flatMap((v) => (v.adobeUuid ? [v.adobeUuid] : [])));
    let orphan: PrepareReport['orphan'];
    for (const other of adobe.filter((s) => s.uuid !== currentUuid)) {
      if (referenced.has(other.uuid) && other.uuid !== this.ownPendingUuid(versions, record)) {
        throw new RotationStepError('rotation_secret_limit', 409, ROTATION_MESSAGES.secretLimit);
      }
      const ageMs = ctx.now() - other.createdAt;
      if (ageMs < credential.rotation.retireAfterMs) {
        throw new RotationStepError('rotation_orphan_too_young', 409, ROTATION_MESSAGES.orphanTooYoung(ageMs, credential.rotation.retireAfterMs), false, {
          retryAt: other.createdAt + credential.rotation.retireAfterMs + 1,
        });
      }
      if (!dryRun) {
        assertHeld(ctx.signal);
        await this.console.delete(target, other.uuid);
        this.logger.warn({ msg: 'deleted an orphaned Adobe client secret', credential_id: credential.id, adobe_secret_uuid: other.uuid, age_ms: ageMs });
      }
      orphan = { uuid: other.uuid, ageMs, action: dryRun ? 'would_delete' : 'deleted' };
    }
    return { currentVersionId: current.versionId, currentUuid, adobeSecrets: adobe.length, ...(orphan ? { orphan } : {}) };
  }

  private async prepareStep(ctx: StepContext): Promise<StepResult> {
    const report = await this.prepare(ctx);
    const record: RotationRecord = { ...ctx.record, step: 'create', oldVersionId: report.currentVersionId, oldUuid: report.currentUuid };
    return {
      kind: 'advance',
      record,
      details: { adobe_secrets: report.adobeSecrets, ...(report.orphan ? { orphan_deleted: report.orphan.uuid } : {}) },
    };
  }

  /**
   * Step 2. Adds a secret at Adobe and stores it at once as AWSPENDING, version id = the rotation id (the
   * persisted ClientRequestToken). If the process dies between the two calls the plaintext is gone for good:
   * the new Adobe secret is then an orphan, which `prepare` deletes on the next attempt (after retireAfter).
   */
  private async create(ctx: StepContext): Promise<StepResult> {
    const { credential, record } = ctx;
    const secretId = credential.secret.secretId;
    const existing = await this.sm(() => this.store.getValue(secretId, { versionId: record.id }));
    if (existing) {
      // An earlier attempt got as far as Secrets Manager: keep its secret.
      const decoded = decodeVersion(existing);
      if (!existing.stages.includes(STAGE.pending) && !existing.stages.includes(STAGE.current)) {
        const holder = await this.holderOf(secretId, STAGE.pending);
        await this.sm(() => this.store.moveStage(secretId, STAGE.pending, record.id, holder));
      }
      return { kind: 'advance', record: { ...record, step: 'test', ...(decoded.adobeUuid ? { newUuid: decoded.adobeUuid } : {}) }, details: { resumed: true } };
    }
    // Clears the way (an orphan left by a crash right here is older than retireAfter by now, or this fails).
    const report = await this.prepare(ctx);
    const versions = await this.labelled(credential);
    const current = this.requireCurrent(versions);
    const target = await this.session(credential, current);
    assertHeld(ctx.signal);
    const added = await this.console.add(target);
    const value = encodeRotatedSecret(added.clientSecret, added.uuid, current.material);
    try {
      await this.withRetries(ROTATION_TIMINGS.putAttempts, ROTATION_TIMINGS.putRetryDelayMs, () =>
        this.sm(() => this.store.putVersion(secretId, record.id, value, [STAGE.pending])),
      );
    } catch (error) {
      // The plaintext cannot be kept anywhere: take the secret back from Adobe now, or leave it as an orphan.
      await this.console.delete(target, added.uuid).catch(() => {
        this.logger.warn({ msg: 'could not delete the unsaved new secret; prepare will remove the orphan', credential_id: credential.id });
      });
      throw error;
    }
    return {
      kind: 'advance',
      record: { ...record, step: 'test', newUuid: added.uuid, oldVersionId: report.currentVersionId, oldUuid: report.currentUuid },
      details: { new_uuid: added.uuid },
    };
  }

  /** Step 3. Mints a token (the credential's own scopes) with the pending secret; a failure rolls back. */
  private async test(ctx: StepContext): Promise<StepResult> {
    const { credential, record } = ctx;
    const version = await this.sm(() => this.store.getValue(credential.secret.secretId, { versionId: record.id }));
    const material = version ? decodeVersion(version).material : undefined;
    if (!material) throw new RotationStepError('rotation_version_missing', 409, ROTATION_MESSAGES.testFailed('the new version is missing'));
    const timeoutMs = this.config.current.tokens.upstreamTimeoutMs;
    let lastCode = 'unknown';
    for (let attempt = 1; attempt <= ROTATION_TIMINGS.testAttempts; attempt++) {
      assertHeld(ctx.signal);
      try {
        await this.issuers.issue(credential, material, { timeoutMs });
        return { kind: 'advance', record: { ...record, step: 'promote' }, details: { attempts: attempt } };
      } catch (error) {
        lastCode = error instanceof DomainError ? error.code : 'internal_error';
        if (attempt < ROTATION_TIMINGS.testAttempts) await sleep(ROTATION_TIMINGS.testRetryDelayMs);
      }
    }
    throw new RotationStepError('rotation_test_failed', 502, ROTATION_MESSAGES.testFailed(lastCode));
  }

  /**
   * Step 4. Moves AWSCURRENT to the new version (Secrets Manager moves AWSPREVIOUS to the old one), takes
   * AWSPENDING off, and tells every instance to re-read the secret now (not when its cache expires).
   */
  private async promote(ctx: StepContext): Promise<StepResult> {
    const { credential, record } = ctx;
    const secretId = credential.secret.secretId;
    const labels = await this.sm(() => this.store.describe(secretId));
    const holder = holderIn(labels, STAGE.current);
    if (holder !== record.id) {
      assertHeld(ctx.signal);
      await this.sm(() => this.store.moveStage(secretId, STAGE.current, record.id, holder));
    }
    if (labels.get(record.id)?.includes(STAGE.pending)) await this.sm(() => this.store.removeStage(secretId, STAGE.pending, record.id));
    await this.announce(credential.id);
    return { kind: 'advance', record: { ...record, step: 'retire', promotedAt: ctx.now() }, details: { version_id: record.id } };
  }

  /**
   * Step 5. Once `retireAfter` has passed since promotion, and Adobe's last use of the old secret is older
   * than the promotion (or, after a straggling use, older than `retireAfter`), or `maxRetireWait` has passed,
   * deletes the old secret at Adobe and takes AWSPREVIOUS off its version (it no longer works). Waits
   * otherwise.
   */
  private async retire(ctx: StepContext): Promise<StepResult> {
    const { credential, record } = ctx;
    const { retireAfterMs, maxRetireWaitMs } = credential.rotation;
    const promotedAt = record.promotedAt ?? record.updatedAt;
    const now = ctx.now();
    if (now < promotedAt + retireAfterMs) return { kind: 'wait', record, until: promotedAt + retireAfterMs, reason: 'retire_after' };
    const versions = await this.labelled(credential);
    const current = this.requireCurrent(versions);
    if (current.versionId !== record.id) {
      // Someone moved AWSCURRENT away from the new version (a manual roll back): delete nothing.
      throw new RotationStepError('rotation_current_changed', 409, ROTATION_MESSAGES.retireSelf);
    }
    const target = await this.session(credential, current);
    const adobe = await this.console.list(target);
    const currentUuid = current.adobeUuid ?? record.newUuid;
    const oldUuid = record.oldUuid ?? this.guessOld(versions, adobe, currentUuid);
    const old = oldUuid === undefined ? undefined : adobe.find((s) => s.uuid === oldUuid);
    let details: AuditDetails = { old_uuid: oldUuid ?? 'unknown' };
    if (old) {
      if (old.uuid === currentUuid) throw new RotationStepError('rotation_current_changed', 409, ROTATION_MESSAGES.retireSelf);
      // A straggler (a mint racing the secret-changed event) must not hold retirement up for maxRetireWait:
      // a use after promotion only counts while it is more recent than retireAfter.
      const usedSincePromotion = old.lastUsedAt !== undefined && old.lastUsedAt >= promotedAt && old.lastUsedAt > now - retireAfterMs;
      const forced = now >= promotedAt + maxRetireWaitMs;
      if (usedSincePromotion && !forced) {
        const quietAt = (old.lastUsedAt ?? now) + retireAfterMs + 1;
        return { kind: 'wait', record, until: Math.min(Math.max(quietAt, now + ctx.checkIntervalMs), promotedAt + maxRetireWaitMs), reason: 'old_secret_in_use' };
      }
      if (usedSincePromotion) {
        this.logger.warn({ msg: 'deleting the old secret although Adobe reports use since promotion (maxRetireWait passed)', credential_id: credential.id });
      }
      assertHeld(ctx.signal);
      await this.console.delete(target, old.uuid);
      details = { ...details, forced: usedSincePromotion };
    }
    const secretId = credential.secret.secretId;
    const labels = await this.sm(() => this.store.describe(secretId));
    const previous = holderIn(labels, STAGE.previous);
    if (previous !== undefined && previous !== current.versionId) await this.sm(() => this.store.removeStage(secretId, STAGE.previous, previous));
    if (labels.get(current.versionId)?.includes(STAGE.pending)) await this.sm(() => this.store.removeStage(secretId, STAGE.pending, current.versionId));
    return { kind: 'finish', record: { ...record, retiredAt: now }, outcome: 'succeeded', details };
  }

  /**
   * Undoes a rotation that failed before promotion: deletes the new secret at Adobe and takes AWSPENDING off
   * its version. If AWSCURRENT turns out to be on the new version after all (a promotion whose answer was
   * lost), the rotation is promoted instead and goes on to retire.
   */
  private async rollback(ctx: StepContext): Promise<StepResult> {
    const { credential, record } = ctx;
    const secretId = credential.secret.secretId;
    const labels = await this.sm(() => this.store.describe(secretId));
    if (holderIn(labels, STAGE.current) === record.id) {
      await this.announce(credential.id);
      return { kind: 'advance', record: { ...record, step: 'retire', promotedAt: ctx.now() }, details: { already_promoted: true } };
    }
    const versions = await this.labelled(credential);
    const current = this.requireCurrent(versions);
    const ours = await this.sm(() => this.store.getValue(secretId, { versionId: record.id }));
    const newUuid = record.newUuid ?? (ours ? decodeVersion(ours).adobeUuid : undefined);
    if (newUuid !== undefined && newUuid !== current.adobeUuid && newUuid !== record.oldUuid) {
      const target = await this.session(credential, current);
      assertHeld(ctx.signal);
      await this.console.delete(target, newUuid);
    }
    if (labels.get(record.id)?.includes(STAGE.pending)) await this.sm(() => this.store.removeStage(secretId, STAGE.pending, record.id));
    return { kind: 'finish', record, outcome: 'rolled_back', details: { new_uuid: newUuid ?? 'none' } };
  }

  /** Tells every instance (this one included) to drop its cached secret of the credential. */
  private async announce(credentialId: string): Promise<void> {
    await this.events.publish('secret-changed', credentialId);
  }

  /** A console target authenticated with a management token minted from `version`'s secret. */
  private async session(credential: RotatableCredential, version: DecodedVersion): Promise<ConsoleTarget> {
    const material = version.material as SecretMaterial;
    const accessToken = await this.managementTokens.get(credential, version.versionId, material);
    const { consoleUrl, consoleOrgId, consoleCredentialId } = credential.rotation;
    return { consoleUrl, consoleOrgId, consoleCredentialId, clientId: credential.clientId, accessToken };
  }

  private requireCurrent(versions: Labelled): DecodedVersion & { material: SecretMaterial } {
    const current = versions.current;
    if (!current?.material) throw new RotationStepError('rotation_no_current', 409, ROTATION_MESSAGES.noCurrent);
    return current as DecodedVersion & { material: SecretMaterial };
  }

  /** The Adobe uuid of this rotation's own pending version, which prepare (re-run by create) must not count as foreign. */
  private ownPendingUuid(versions: Labelled, record: RotationRecord): string | undefined {
    return versions.all.find((v) => v.versionId === record.id)?.adobeUuid;
  }

  /** Without a recorded old uuid (a rotation rebuilt from labels): AWSPREVIOUS's, else the only other secret. */
  private guessOld(versions: Labelled, adobe: readonly ConsoleSecret[], currentUuid: string | undefined): string | undefined {
    if (versions.previous?.adobeUuid) return versions.previous.adobeUuid;
    const others = adobe.filter((s) => s.uuid !== currentUuid);
    return currentUuid !== undefined && others.length === 1 ? others[0]?.uuid : undefined;
  }

  private async holderOf(secretId: string, stage: string): Promise<string | undefined> {
    return holderIn(await this.sm(() => this.store.describe(secretId)), stage);
  }

  private async withRetries<T>(attempts: number, delayMs: number, run: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await run();
      } catch (error) {
        if (attempt >= attempts || (error instanceof RotationStepError && !error.retryable)) throw error;
        await sleep(delayMs * attempt);
      }
    }
  }

  /** Maps a version-store failure to a step error (retryable unless AWS says it is permanent). */
  private async sm<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (!(error instanceof SecretVersionStoreError)) throw error;
      throw new RotationStepError('secret_store_failed', error.permanent ? 502 : 503, ROTATION_MESSAGES.store(error.operation, error.code), !error.permanent);
    }
  }
}

function holderIn(labels: ReadonlyMap<string, readonly string[]>, stage: string): string | undefined {
  for (const [versionId, stages] of labels) if (stages.includes(stage)) return versionId;
  return undefined;
}
