import { Injectable } from '@nestjs/common';
import { FleetBus } from './fleet-bus.port';
import type { FleetEventListener, FleetEventType } from './fleet-event';
import { FleetIdentity } from './fleet-identity';

/** In-process events: one instance, so publishing is a local call. */
@Injectable()
export class LocalFleetBus extends FleetBus {
  private readonly listeners = new Set<FleetEventListener>();

  constructor(readonly identity: FleetIdentity) {
    super();
  }

  async publish(type: FleetEventType, credentialId: string): Promise<void> {
    const event = { type, credentialId, origin: this.instanceId };
    for (const listener of this.listeners) listener(event);
  }

  subscribe(listener: FleetEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
