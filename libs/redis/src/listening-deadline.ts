/**
 * Deadlines that count only the time this process was able to listen.
 *
 * A plain `setTimeout` measures wall-clock time, and after the event loop was blocked (CPU starvation, a
 * long GC, a synchronous burst) Node runs expired timers *before* it reads the sockets: a reply that
 * arrived in time is still in the kernel buffer when the timeout fires. Judging Redis by such a timer
 * made a busy broker conclude "Redis is down" while Redis had answered, and act on it (mint without the
 * lock, lose a lock it held). These deadlines instead advance on a clock that credits a blocked stretch
 * with at most `MAX_CREDIT_MS`, and they give their verdict one `setImmediate` later, after the poll phase
 * has read whatever already arrived. A Redis that does not answer while the process listens still times
 * out after about the budget.
 */

/** How often the shared clock samples the event loop. */
const TICK_MS = 50;
/** The most one sample may credit: a loop blocked for seconds counts as this much listening time. */
const MAX_CREDIT_MS = 100;

let listened = 0;
let lastSample = performance.now();
let ticker: NodeJS.Timeout | undefined;
/** Deadlines armed and not yet expired or cancelled: the clock only ticks while there are some. */
let armed = 0;

function sample(): number {
  const now = performance.now();
  listened += Math.min(now - lastSample, MAX_CREDIT_MS);
  lastSample = now;
  return listened;
}

/**
 * Milliseconds of listening time (monotonic). Between deadlines the clock does not tick (a ticker wakes the
 * process 20 times a second, which an idle broker should not pay for), so a gap with none armed counts as at
 * most `MAX_CREDIT_MS`: no deadline spans it.
 */
export function listeningNow(): number {
  return sample();
}

/** Deadlines armed now (tests: the clock's ticker runs exactly while this is above 0). */
export function armedListeningDeadlines(): number {
  return armed;
}

function arm(): void {
  armed += 1;
  ticker ??= setInterval(sample, TICK_MS).unref();
}

function disarm(): void {
  armed -= 1;
  if (armed === 0 && ticker !== undefined) {
    clearInterval(ticker);
    ticker = undefined;
  }
}

/**
 * Calls `onExpire` once `budgetMs` of listening time has passed (and after the poll phase that follows);
 * returns a function that cancels it.
 */
export function listeningDeadline(budgetMs: number, onExpire: () => void): () => void {
  arm();
  const start = listeningNow();
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;
  let done = false;
  const finish = (): void => {
    if (done) return;
    done = true;
    disarm();
  };
  const check = (): void => {
    const left = start + budgetMs - listeningNow();
    if (left > 0) {
      timer = setTimeout(check, Math.ceil(left));
      return;
    }
    immediate = setImmediate(() => {
      finish();
      onExpire();
    });
  };
  timer = setTimeout(check, budgetMs);
  return () => {
    clearTimeout(timer);
    if (immediate) clearImmediate(immediate);
    finish();
  };
}
