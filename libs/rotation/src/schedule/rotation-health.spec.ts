import type { RotationConfig } from '@broker/config';
import { rotationHealth } from './rotation-health';
import { newRotation, type RotationRecord, type RotationState } from '../state/rotation-state';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MONDAY_3AM = Date.parse('2026-11-23T03:00:00.000Z');

function rotation(overrides: Partial<RotationConfig> = {}): RotationConfig {
  return {
    consoleCredentialId: '436084',
    consoleOrgId: '23294',
    schedule: { kind: 'cron', expression: '0 3 * * 1' },
    windowMs: 2 * HOUR,
    retireAfterMs: HOUR,
    maxRetireWaitMs: 7 * DAY,
    consoleUrl: 'https://api.adobe.io',
    ...overrides,
  };
}

function finished(startedAt: number, outcome: RotationRecord['outcome']): RotationRecord {
  return { ...newRotation(`r-${startedAt}`, 'schedule', startedAt), step: 'retire', finishedAt: startedAt + HOUR, ...(outcome ? { outcome } : {}) };
}

const EMPTY: RotationState = { history: [] };

describe('rotationHealth', () => {
  it('allows one period plus the window of age: a week and 2 h for a weekly cron, every + window otherwise', () => {
    expect(rotationHealth(rotation(), EMPTY, undefined, MONDAY_3AM + HOUR).maxSecretAgeSeconds).toBe((7 * DAY + 2 * HOUR) / 1000);
    const every = rotation({ schedule: { kind: 'every', intervalMs: 30 * DAY } });
    expect(rotationHealth(every, EMPTY, MONDAY_3AM, MONDAY_3AM).maxSecretAgeSeconds).toBe((30 * DAY + 2 * HOUR) / 1000);
    // On-demand only: no policy, never overdue.
    expect(rotationHealth(rotation({ schedule: undefined }), EMPTY, MONDAY_3AM - 400 * DAY, MONDAY_3AM)).toEqual({ overdueSeconds: 0, blocked: false });
  });

  it('is overdue once a slot window ended without a rotation starting in it, counted from the window end', () => {
    const createdBefore = MONDAY_3AM - 3 * DAY;
    // Inside the window: not yet.
    expect(rotationHealth(rotation(), EMPTY, createdBefore, MONDAY_3AM + HOUR).overdueSeconds).toBe(0);
    // 30 min after the window ended, nothing started.
    expect(rotationHealth(rotation(), EMPTY, createdBefore, MONDAY_3AM + 2.5 * HOUR).overdueSeconds).toBe(1800);
    // A rotation started in the window (even one that failed): not overdue (that is `blocked`).
    const tried: RotationState = { history: [finished(MONDAY_3AM + 10 * 60_000, 'rolled_back')] };
    expect(rotationHealth(rotation(), tried, createdBefore, MONDAY_3AM + 2.5 * HOUR)).toMatchObject({ overdueSeconds: 0, blocked: true });
    // every: due at created + interval, late after the window.
    const every = rotation({ schedule: { kind: 'every', intervalMs: DAY } });
    expect(rotationHealth(every, EMPTY, MONDAY_3AM, MONDAY_3AM + DAY + 3 * HOUR).overdueSeconds).toBe(3600);
    expect(rotationHealth(every, EMPTY, undefined, MONDAY_3AM + 9 * DAY).overdueSeconds).toBe(0);
  });

  it('is blocked while the latest rotation failed or waits to retry a failed step, and clears on success', () => {
    expect(rotationHealth(rotation(), EMPTY, undefined, MONDAY_3AM).blocked).toBe(false);
    expect(rotationHealth(rotation(), { history: [finished(MONDAY_3AM - DAY, 'failed')] }, undefined, MONDAY_3AM).blocked).toBe(true);
    const older = finished(MONDAY_3AM - 8 * DAY, 'failed');
    expect(rotationHealth(rotation(), { history: [finished(MONDAY_3AM - DAY, 'succeeded'), older] }, undefined, MONDAY_3AM).blocked).toBe(false);
    const running = newRotation('r', 'schedule', MONDAY_3AM);
    expect(rotationHealth(rotation(), { active: running, history: [] }, undefined, MONDAY_3AM).blocked).toBe(false);
    const retrying: RotationRecord = { ...running, step: 'retire', attempts: 2, nextAttemptAt: MONDAY_3AM + HOUR, errorCode: 'console_unavailable' };
    expect(rotationHealth(rotation(), { active: retrying, history: [] }, undefined, MONDAY_3AM).blocked).toBe(true);
  });
});
