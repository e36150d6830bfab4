import type { RotationConfig } from '@broker/config';
import { nextCronSlot, previousCronSlot } from './rotation-schedule';
import type { RotationRecord, RotationState } from '../state/rotation-state';

/** What the alerts need to know about a credential's rotations (read by the Prometheus gauges). */
export interface RotationHealth {
  /** The oldest the current secret may be under the schedule: one period plus the start window. */
  readonly maxSecretAgeSeconds?: number;
  /** How long ago a scheduled rotation should have started (end of its window) and none did; 0 if none is late. */
  readonly overdueSeconds: number;
  /** The latest rotation failed, rolled back, or waits to retry a failed step: it will not finish on its own. */
  readonly blocked: boolean;
}

/**
 * The rotation health of a credential from its persisted state and the observed creation time of its
 * current secret. Three distinct signals: blocked (rotations run but fail), overdue (the schedule did not
 * start one), and, with `maxSecretAgeSeconds`, a secret that outlived its policy whatever the reason.
 */
export function rotationHealth(rotation: RotationConfig, state: RotationState, currentCreatedAt: number | undefined, now: number): RotationHealth {
  const latest: RotationRecord | undefined = state.active ?? state.history[0];
  const blocked = latest !== undefined && (state.active ? state.active.errorCode !== undefined : latest.outcome !== 'succeeded');
  const schedule = rotation.schedule;
  if (!schedule) return { overdueSeconds: 0, blocked };
  const periodMs = schedule.kind === 'every' ? schedule.intervalMs : nextCronSlot(schedule.expression, now) - previousCronSlot(schedule.expression, now);
  // The start of the latest slot whose window has ended: a rotation should have started within it.
  let slot: number | undefined;
  if (schedule.kind === 'every') slot = currentCreatedAt === undefined ? undefined : currentCreatedAt + schedule.intervalMs;
  else slot = previousCronSlot(schedule.expression, now - rotation.windowMs);
  const deadline = slot === undefined ? undefined : slot + rotation.windowMs;
  // A rotation started since the slot, or a secret made since (by hand, say), satisfies it.
  const started =
    slot !== undefined && ([state.active, ...state.history].some((run) => run !== undefined && run.startedAt >= slot) || (currentCreatedAt ?? -Infinity) >= slot);
  const overdueMs = deadline !== undefined && now > deadline && !state.active && !started ? now - deadline : 0;
  return { maxSecretAgeSeconds: (periodMs + rotation.windowMs) / 1000, overdueSeconds: Math.floor(overdueMs / 1000), blocked };
}
