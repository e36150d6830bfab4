import { Injectable } from '@nestjs/common';

/** Process lifecycle as serving sees it: once draining, readiness fails so load balancers stop sending. */
@Injectable()
export class Lifecycle {
  private drainingSince: number | undefined;

  /** Starts draining (SIGTERM): readiness reports down from now on. */
  beginDrain(): void {
    this.drainingSince ??= Date.now();
  }

  get draining(): boolean {
    return this.drainingSince !== undefined;
  }

  /** When draining began (epoch ms), if it has. */
  get drainingStartedAt(): number | undefined {
    return this.drainingSince;
  }
}
