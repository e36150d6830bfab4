import { createHash } from 'node:crypto';
import { CronExpressionParser } from 'cron-parser';
import type { RotationConfig } from '@broker/config';

/** What the scheduler should do about a credential's schedule right now. */
export type ScheduleDecision =
  | { readonly kind: 'none' }
  /** Not yet: the next start is at `at` (when known). */
  | { readonly kind: 'wait'; readonly at?: number }
  /** Start the rotation of `slot` now. */
  | { readonly kind: 'due'; readonly slot: number }
  /** The window of `slot` passed without a start (the fleet was down, or a rotation was still running). */
  | { readonly kind: 'missed'; readonly slot: number };

/** What the decision depends on besides the config and the clock. */
export interface ScheduleInputs {
  readonly credentialId: string;
  readonly now: number;
  /** When the AWSCURRENT version was created (for `every:`). */
  readonly currentCreatedAt?: number;
  /** The slot of the last scheduled rotation taken (or declared missed) by the fleet. */
  readonly lastScheduledSlot?: number;
  /** Consecutive failed scheduled rotations, newest first, and when the last one finished. */
  readonly failedInARow: number;
  readonly lastFailureAt?: number;
  readonly checkIntervalMs: number;
}

/**
 * The start offset of a slot within its window: derived from the credential and the slot, so every instance
 * of the fleet computes the same moment (the lock then picks one of them) and credentials sharing a cron
 * expression do not all start at once.
 */
export function jitterMs(credentialId: string, slot: number, windowMs: number): number {
  const digest = createHash('sha256').update(`${credentialId}\u0000${slot}`).digest();
  return Math.floor((digest.readUInt32BE(0) / 2 ** 32) * windowMs);
}

/**
 * Starts are jittered over the first half of the window, so that the second half leaves every instance
 * several checks to start it (a start drawn at the window's very end could fall between two checks).
 */
export function jitterRange(rotation: RotationConfig): number {
  return Math.floor(rotation.windowMs / 2);
}

/** The latest cron occurrence at or before `now` (UTC). */
export function previousCronSlot(expression: string, now: number): number {
  return CronExpressionParser.parse(expression, { currentDate: new Date(now + 1), tz: 'UTC' }).prev().getTime();
}

/** The first cron occurrence after `now` (UTC). */
export function nextCronSlot(expression: string, now: number): number {
  return CronExpressionParser.parse(expression, { currentDate: new Date(now), tz: 'UTC' }).next().getTime();
}

/**
 * Cron: each occurrence is a slot that fires once per fleet, from its jittered moment (in the first half of
 * `window`) until the window ends; a slot
 * whose window passed is skipped, not caught up (the operator chose that time), and a failed slot is not
 * retried before the next one. `every:`: a rotation is due once the current secret is `every` old (plus
 * jitter); a failure is retried after max(window, check interval), doubling per failure, at most a day.
 */
export function decideSchedule(rotation: RotationConfig, inputs: ScheduleInputs): ScheduleDecision {
  const schedule = rotation.schedule;
  if (!schedule) return { kind: 'none' };
  const { now } = inputs;
  switch (schedule.kind) {
    case 'cron': {
      const slot = previousCronSlot(schedule.expression, now);
      if (inputs.lastScheduledSlot !== undefined && slot <= inputs.lastScheduledSlot) {
        const next = nextCronSlot(schedule.expression, now);
        return { kind: 'wait', at: next + jitterMs(inputs.credentialId, next, jitterRange(rotation)) };
      }
      if (now >= slot + rotation.windowMs) return { kind: 'missed', slot };
      const startAt = slot + jitterMs(inputs.credentialId, slot, jitterRange(rotation));
      return now >= startAt ? { kind: 'due', slot } : { kind: 'wait', at: startAt };
    }
    case 'every': {
      if (inputs.currentCreatedAt === undefined) return { kind: 'wait' };
      const slot = inputs.currentCreatedAt + schedule.intervalMs;
      let startAt = slot + jitterMs(inputs.credentialId, slot, jitterRange(rotation));
      if (inputs.failedInARow > 0 && inputs.lastFailureAt !== undefined) {
        const backoff = Math.min(86_400_000, Math.max(rotation.windowMs, inputs.checkIntervalMs) * 2 ** (inputs.failedInARow - 1));
        startAt = Math.max(startAt, inputs.lastFailureAt + backoff);
      }
      return now >= startAt ? { kind: 'due', slot } : { kind: 'wait', at: startAt };
    }
    default: {
      const unknown: never = schedule;
      throw new Error(`unknown schedule ${String((unknown as { kind: unknown }).kind)}`);
    }
  }
}
