import { hostname } from 'node:os';
import { Injectable } from '@nestjs/common';
import { ConfigService, configHash } from '@broker/config';
import type { ReadinessState } from './readiness/readiness.report';
import { ReadinessService } from './readiness/readiness.service';

/** Which instance answered an admin request, the config it runs and its readiness (`brokerctl status`'s header). */
export interface InstanceStatus {
  id: string;
  readiness: ReadinessState;
  config_hash: string;
}

/** Builds this instance's summary for the admin API. */
@Injectable()
export class InstanceStatusService {
  /** Host name and process id: unique per pod (and per process on a laptop). */
  readonly instanceId = `${hostname()}:${process.pid}`;

  constructor(
    private readonly config: ConfigService,
    private readonly readiness: ReadinessService,
  ) {}

  get configHash(): string {
    return configHash(this.config.current);
  }

  async self(): Promise<InstanceStatus> {
    const report = await this.readiness.evaluate();
    return { id: this.instanceId, readiness: report.state, config_hash: this.configHash };
  }
}
