import { randomUUID } from 'node:crypto';

/** Who this process is in the fleet: a fresh id per process, so a restarted pod is a new instance. */
export class FleetIdentity {
  readonly instanceId = randomUUID();
}
