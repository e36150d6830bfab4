import type { FleetEventListener, FleetEventType } from './fleet-event';
import type { FleetIdentity } from './fleet-identity';

/** Port: fan-out of fleet events to every broker instance (in-process mode: this process only). */
export abstract class FleetBus {
  /** This process's identity, stamped on the events it publishes. */
  abstract readonly identity: FleetIdentity;
  /** Publishes to every instance, this one included; never throws (events are an optimisation over polling). */
  abstract publish(type: FleetEventType, credentialId: string): Promise<void>;
  /** Registers a listener; returns the function that removes it. */
  abstract subscribe(listener: FleetEventListener): () => void;

  /** This process's instance id (the `origin` of its events). */
  get instanceId(): string {
    return this.identity.instanceId;
  }
}
