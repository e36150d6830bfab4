import { endStep, finish, newRotation, parseState, retryDelayMs, type RotationRecord, type RotationState, startStep, EMPTY_STATE } from './rotation-state';

describe('rotation records', () => {
  it('tracks step runs and moves a finished rotation into the history, newest first, capped', () => {
    let record = newRotation('r1', 'operator', 1_000, 'ops');
    record = startStep(record, 'prepare', 1_000);
    record = endStep({ ...record, step: 'create' }, 'success', 1_500);
    expect(record.steps).toEqual([{ step: 'prepare', startedAt: 1_000, finishedAt: 1_500, outcome: 'success' }]);
    expect(record.step).toBe('create');

    const active: RotationRecord = { ...record, errorCode: 'x', nextAttemptAt: 9 };
    let state: RotationState = finish({ ...EMPTY_STATE, active }, active, 'rolled_back', 2_000, 'rotation_test_failed');
    expect(state.active).toBeUndefined();
    expect(state.history[0]).toMatchObject({ id: 'r1', outcome: 'rolled_back', errorCode: 'rotation_test_failed', finishedAt: 2_000 });
    expect(state.history[0]).not.toHaveProperty('nextAttemptAt');

    for (let i = 0; i < 30; i++) state = finish(state, newRotation(`r${i + 2}`, 'schedule', i), 'succeeded', i);
    expect(state.history).toHaveLength(20);
    expect(state.history[0]?.id).toBe('r31');
    expect(state.history[0]).not.toHaveProperty('errorCode');
  });

  it('backs retries off from one check interval, doubling, capped at an hour', () => {
    expect([1, 2, 3].map((n) => retryDelayMs(n, 30_000))).toEqual([30_000, 60_000, 120_000]);
    expect(retryDelayMs(20, 30_000)).toBe(3_600_000);
  });

  it('parses what it wrote and refuses anything else', () => {
    const state = finish({ ...EMPTY_STATE, lastScheduledSlot: 5 }, newRotation('r1', 'operator', 1), 'succeeded', 2);
    expect(parseState(JSON.stringify(state))).toEqual(state);
    for (const bad of ['', 'null', '{}', '{"history":[{"id":1}]}', '{"history":[],"active":{"id":"x","step":"dance","startedAt":1,"steps":[]}}']) {
      expect(parseState(bad)).toBeUndefined();
    }
  });
});
