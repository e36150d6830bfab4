import { hostname } from 'node:os';
import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { ConfigService, configHash } from '@broker/config';
import { FleetIdentity, FleetRoster, HEARTBEAT_INTERVAL_MS, type InstanceHeartbeat } from '@broker/fleet';
import { ReadinessService } from './readiness/readiness.service';

/** The instance that answered an admin request (`brokerctl status`'s first line). */
export type InstanceStatus = InstanceHeartbeat;

/**
 * This instance in the fleet: its heartbeat (id, host, config hash, readiness), written every
 * HEARTBEAT_INTERVAL_MS so that `brokerctl status` on any instance lists every live one, and an operator
 * sees that a reload reached every pod (same config hash everywhere).
 */
@Injectable()
export class InstanceStatusService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(InstanceStatusService.name);
  private readonly startedAt = new Date().toISOString();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: ConfigService,
    private readonly readiness: ReadinessService,
    private readonly identity: FleetIdentity,
    private readonly roster: FleetRoster,
  ) {}

  onApplicationBootstrap(): void {
    void this.beat();
    this.timer = setInterval(() => void this.beat(), HEARTBEAT_INTERVAL_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.roster.leave(this.identity.instanceId);
  }

  /** This instance now; `passive` readiness does not re-read secret sources (heartbeats). */
  async self(options: { passive?: boolean } = {}): Promise<InstanceStatus> {
    const report = await this.readiness.evaluate(options);
    return {
      instance_id: this.identity.instanceId,
      host: hostname(),
      pid: process.pid,
      started_at: this.startedAt,
      seen_at: new Date().toISOString(),
      config_hash: configHash(this.config.current),
      readiness: report.state,
    };
  }

  /** Every live instance by its heartbeat, or null when the roster cannot be read (Redis down). */
  async fleet(): Promise<InstanceHeartbeat[] | null> {
    try {
      return await this.roster.members();
    } catch {
      return null;
    }
  }

  private async beat(): Promise<void> {
    try {
      await this.roster.beat(await this.self({ passive: true }));
    } catch (error) {
      this.logger.debug({ msg: 'heartbeat skipped', error: error instanceof Error ? error.message : String(error) });
    }
  }
}
