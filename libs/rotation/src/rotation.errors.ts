import { DomainError } from '@broker/problems';
import { ROTATION_MESSAGES } from './rotation.constants';

/** `POST …/rotations` while a rotation of the credential runs (or waits to retire its old secret). */
export class RotationInProgressError extends DomainError {
  constructor(credentialId: string) {
    super('rotation_in_progress', 409, 'Rotation in progress', ROTATION_MESSAGES.inProgress(credentialId));
  }
}

/** The credential has no `rotation:` settings (or is not an adobe-ims credential). */
export class RotationNotConfiguredError extends DomainError {
  constructor(credentialId: string) {
    super('rotation_not_configured', 409, 'Rotation not configured', ROTATION_MESSAGES.notConfigured(credentialId));
  }
}

/**
 * A rotation step could not complete. `code` is stable and stored in the rotation's history; the message
 * never quotes a secret or an upstream body. `retryable` failures (an unreachable service) leave the step to
 * be resumed; the others end the rotation (rolled back before promotion).
 */
export class RotationStepError extends DomainError {
  constructor(
    code: string,
    status: number,
    detail: string,
    readonly retryable = false,
    options?: { cause?: unknown; retryAt?: number },
  ) {
    super(code, status, 'Rotation step failed', detail, {}, options);
    this.retryAt = options?.retryAt;
  }

  /** When the step can succeed by waiting (an orphan that is not old enough yet), the moment to try again. */
  readonly retryAt: number | undefined;
}

/** The I/O Management API refused or failed a call. */
export class ConsoleApiError extends RotationStepError {
  constructor(
    code: 'console_rejected' | 'console_unavailable' | 'console_bad_response',
    detail: string,
    readonly httpStatus?: number,
  ) {
    super(code, code === 'console_unavailable' ? 503 : 502, detail, code === 'console_unavailable');
  }
}
