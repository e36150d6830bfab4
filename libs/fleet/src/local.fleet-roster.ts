import { Injectable } from '@nestjs/common';
import { FleetRoster, type InstanceHeartbeat } from './fleet-roster.port';

/** In-process mode: the fleet is this process, as of its last heartbeat. */
@Injectable()
export class LocalFleetRoster extends FleetRoster {
  private last: InstanceHeartbeat | undefined;

  async beat(heartbeat: InstanceHeartbeat): Promise<void> {
    this.last = heartbeat;
  }

  async leave(): Promise<void> {
    this.last = undefined;
  }

  async members(): Promise<InstanceHeartbeat[]> {
    return this.last ? [this.last] : [];
  }
}
