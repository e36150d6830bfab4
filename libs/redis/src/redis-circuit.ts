import { Logger } from '@nestjs/common';

/** How often an open circuit sends its probe PING. */
const PROBE_INTERVAL_MS = 500;

/** The error of a command refused at once because the circuit is open. */
export const CIRCUIT_OPEN = 'redis is not answering (circuit open); failing fast until a probe answers';

/**
 * A Redis that keeps its connections but answers nothing (SIGSTOP, a partition that drops packets) is
 * detected once, by a command that outlives its budget in listening time, and then short-circuited:
 * commands fail at once, as they do while the connection is down, instead of each waiting for its own
 * timeout. A probe PING every 500 ms closes the circuit again as soon as Redis answers.
 */
export class RedisCircuit {
  private readonly logger = new Logger('RedisClient');
  private opened = false;
  private probing: NodeJS.Timeout | undefined;
  /** Set while the probe's own PING is being sent, so that it alone passes an open circuit. */
  passNext = false;

  constructor(private readonly probe: () => Promise<unknown>) {}

  get isOpen(): boolean {
    return this.opened;
  }

  /** A command got no answer within its budget of listening time: Redis is not answering. */
  trip(): void {
    if (this.opened) return;
    this.opened = true;
    this.logger.warn({ msg: 'redis is not answering; failing fast and probing in the background', probe_interval_ms: PROBE_INTERVAL_MS });
    this.scheduleProbe();
  }

  /** Stops probing (the client is closing). */
  close(): void {
    clearTimeout(this.probing);
    this.probing = undefined;
  }

  private scheduleProbe(): void {
    this.probing = setTimeout(() => {
      this.passNext = true;
      const answered = this.probe();
      this.passNext = false;
      answered.then(
        () => {
          this.opened = false;
          this.probing = undefined;
          this.logger.log({ msg: 'redis answering again; circuit closed' });
        },
        () => this.scheduleProbe(),
      );
    }, PROBE_INTERVAL_MS);
    this.probing.unref();
  }
}
