/** One live instance as its heartbeat describes it (what `brokerctl status` lists). */
export interface InstanceHeartbeat {
  readonly instance_id: string;
  readonly host: string;
  readonly pid: number;
  readonly started_at: string;
  /** When this heartbeat was written (ISO time). */
  readonly seen_at: string;
  readonly config_hash: string;
  readonly readiness: string;
}

/** A heartbeat older than this is gone: three beats missed. */
export const HEARTBEAT_INTERVAL_MS = 5_000;
export const HEARTBEAT_TTL_MS = 3 * HEARTBEAT_INTERVAL_MS;

/**
 * Port: the fleet's live instances, from a heartbeat each writes with a TTL (in-process mode: this process
 * only). A dead instance drops out once its heartbeat expires, without anyone cleaning up after it.
 */
export abstract class FleetRoster {
  /** Writes (or renews) this instance's heartbeat; never throws (a missed beat is retried at the next one). */
  abstract beat(heartbeat: InstanceHeartbeat): Promise<void>;
  /** Removes this instance's heartbeat at shutdown; never throws. */
  abstract leave(instanceId: string): Promise<void>;
  /** Every instance with a live heartbeat, oldest first; throws when the roster cannot be read. */
  abstract members(): Promise<InstanceHeartbeat[]>;
}
