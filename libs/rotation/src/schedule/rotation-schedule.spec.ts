import type { RotationConfig } from '@broker/config';
import { decideSchedule, jitterMs, nextCronSlot, previousCronSlot, type ScheduleInputs } from './rotation-schedule';

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

function inputs(overrides: Partial<ScheduleInputs> = {}): ScheduleInputs {
  return { credentialId: 'aep-prod', now: MONDAY_3AM, failedInARow: 0, checkIntervalMs: 30_000, ...overrides };
}

describe('cron slots (UTC)', () => {
  it('finds the occurrence at or before now, and the next one after', () => {
    expect(previousCronSlot('0 3 * * 1', MONDAY_3AM)).toBe(MONDAY_3AM);
    expect(previousCronSlot('0 3 * * 1', MONDAY_3AM - 1)).toBe(MONDAY_3AM - 7 * DAY);
    expect(nextCronSlot('0 3 * * 1', MONDAY_3AM)).toBe(MONDAY_3AM + 7 * DAY);
  });
});

describe('jitterMs', () => {
  it('is the same on every instance, within the window, and differs between credentials and slots', () => {
    const a = jitterMs('aep-prod', MONDAY_3AM, 2 * HOUR);
    expect(jitterMs('aep-prod', MONDAY_3AM, 2 * HOUR)).toBe(a);
    expect(a).toBeGreaterThanOrEqual(0);
    expect(a).toBeLessThan(2 * HOUR);
    const others = new Set([jitterMs('aep-stage', MONDAY_3AM, 2 * HOUR), jitterMs('aep-prod', MONDAY_3AM + 7 * DAY, 2 * HOUR), a]);
    expect(others.size).toBe(3);
  });
});

describe('decideSchedule', () => {
  it('does nothing without a schedule (on demand only)', () => {
    const { schedule: _none, ...onDemand } = rotation();
    expect(decideSchedule(onDemand, inputs())).toEqual({ kind: 'none' });
  });

  it('fires a cron slot once its jittered start has come, within the window', () => {
    const start = MONDAY_3AM + jitterMs('aep-prod', MONDAY_3AM, HOUR);
    expect(decideSchedule(rotation(), inputs({ now: start - 1, lastScheduledSlot: MONDAY_3AM - 7 * DAY }))).toEqual({ kind: 'wait', at: start });
    expect(decideSchedule(rotation(), inputs({ now: start, lastScheduledSlot: MONDAY_3AM - 7 * DAY }))).toEqual({ kind: 'due', slot: MONDAY_3AM });
  });

  it('fires a slot once per fleet: a slot already taken waits for the next one', () => {
    const decision = decideSchedule(rotation(), inputs({ now: MONDAY_3AM + HOUR + 59 * 60_000, lastScheduledSlot: MONDAY_3AM }));
    const next = MONDAY_3AM + 7 * DAY;
    expect(decision).toEqual({ kind: 'wait', at: next + jitterMs('aep-prod', next, HOUR) });
  });

  it('reports a slot whose window passed as missed instead of catching up', () => {
    expect(decideSchedule(rotation(), inputs({ now: MONDAY_3AM + 2 * HOUR, lastScheduledSlot: MONDAY_3AM - 7 * DAY }))).toEqual({ kind: 'missed', slot: MONDAY_3AM });
  });

  it('every: is due once the current secret is that old (plus jitter); unknown age waits', () => {
    const every = rotation({ schedule: { kind: 'every', intervalMs: 30 * DAY }, windowMs: HOUR });
    const created = MONDAY_3AM - 30 * DAY;
    const slot = created + 30 * DAY;
    const start = slot + jitterMs('aep-prod', slot, HOUR / 2);
    expect(decideSchedule(every, inputs({ currentCreatedAt: created, now: start - 1 }))).toEqual({ kind: 'wait', at: start });
    expect(decideSchedule(every, inputs({ currentCreatedAt: created, now: start }))).toEqual({ kind: 'due', slot });
    expect(decideSchedule(every, inputs({ now: start }))).toEqual({ kind: 'wait' });
  });

  it('every: backs off after failed scheduled rotations, doubling', () => {
    const every = rotation({ schedule: { kind: 'every', intervalMs: DAY }, windowMs: 60_000 });
    const created = MONDAY_3AM - 10 * DAY;
    const failedAt = MONDAY_3AM;
    expect(decideSchedule(every, inputs({ currentCreatedAt: created, now: failedAt + 59_000, failedInARow: 1, lastFailureAt: failedAt })).kind).toBe('wait');
    expect(decideSchedule(every, inputs({ currentCreatedAt: created, now: failedAt + 60_000, failedInARow: 1, lastFailureAt: failedAt })).kind).toBe('due');
    expect(decideSchedule(every, inputs({ currentCreatedAt: created, now: failedAt + 60_000, failedInARow: 3, lastFailureAt: failedAt }))).toEqual({
      kind: 'wait',
      at: failedAt + 4 * 60_000,
    });
  });
});
