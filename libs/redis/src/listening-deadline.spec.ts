import { armedListeningDeadlines, listeningDeadline } from './listening-deadline';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function blockFor(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // A synchronous burst: the event loop cannot read sockets or run timers.
  }
}

describe('listeningDeadline', () => {
  afterEach(() => expect(armedListeningDeadlines()).toBe(0));

  it('expires after its budget when the loop is free, and disarms', async () => {
    let expiredAt: number | undefined;
    const started = Date.now();
    listeningDeadline(60, () => (expiredAt = Date.now()));
    expect(armedListeningDeadlines()).toBe(1);
    await sleep(200);
    expect(expiredAt).toBeDefined();
    expect((expiredAt as number) - started).toBeGreaterThanOrEqual(55);
    expect(armedListeningDeadlines()).toBe(0);
  });

  it('never fires once cancelled; cancelling twice or after expiry disarms once', async () => {
    let fired = 0;
    const cancel = listeningDeadline(50, () => (fired += 1));
    const other = listeningDeadline(20, () => (fired += 10));
    expect(armedListeningDeadlines()).toBe(2);
    cancel();
    cancel();
    expect(armedListeningDeadlines()).toBe(1);
    await sleep(150);
    expect(fired).toBe(10);
    other();
    expect(armedListeningDeadlines()).toBe(0);
  });

  it('credits a blocked stretch with at most 100 ms, where a plain timer would fire at once', async () => {
    let expiredAt: number | undefined;
    listeningDeadline(300, () => (expiredAt = Date.now()));
    // A plain timer with the same budget, overdue once the block ends.
    const plainFired = new Promise<number | undefined>((resolve) => setTimeout(() => resolve(expiredAt), 300));
    blockFor(1_000);
    const unblockedAt = Date.now();
    // When the plain timer fired, the listening deadline had not.
    expect(await plainFired).toBeUndefined();
    for (let waited = 0; expiredAt === undefined && waited < 2_000; waited += 25) await sleep(25);
    expect(expiredAt).toBeDefined();
    // About 200 ms of the budget was left after the block (at most 100 ms credited for it), and listening
    // time never runs faster than the wall clock.
    expect((expiredAt as number) - unblockedAt).toBeGreaterThanOrEqual(150);
  });
});
