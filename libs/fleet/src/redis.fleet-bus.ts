import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { REDIS_CLIENT, REDIS_SUBSCRIBER, type RedisClient, RedisKeyspace } from '@broker/redis';
import { FleetBus } from './fleet-bus.port';
import { type FleetEvent, type FleetEventListener, type FleetEventType, isFleetEventType } from './fleet-event';
import { FleetIdentity } from './fleet-identity';
import { fleetChannel } from './fleet.keys';

/**
 * Fleet events over Redis pub/sub, on one channel for the fleet. Delivery is best effort (pub/sub drops
 * messages while a subscriber reconnects), so every consumer also has a bounded fallback: waiters poll the
 * store, and L1 entries are re-validated against the store when they come due.
 */
@Injectable()
export class RedisFleetBus extends FleetBus implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RedisFleetBus.name);
  private readonly listeners = new Set<FleetEventListener>();
  private readonly channel: string;
  private readonly onMessage = (channel: string, message: string): void => this.deliver(channel, message);

  constructor(
    readonly identity: FleetIdentity,
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    @Inject(REDIS_SUBSCRIBER) private readonly subscriber: RedisClient,
    keyspace: RedisKeyspace,
  ) {
    super();
    this.channel = fleetChannel(keyspace);
  }

  onModuleInit(): void {
    this.subscriber.on('message', this.onMessage);
    // ioredis re-subscribes by itself after a reconnect; a failure now is retried the same way.
    this.subscriber.subscribe(this.channel).catch(() => {
      this.logger.warn({ msg: 'cannot subscribe to fleet events yet; will retry on reconnect' });
    });
  }

  onModuleDestroy(): void {
    this.subscriber.off('message', this.onMessage);
  }

  async publish(type: FleetEventType, credentialId: string): Promise<void> {
    try {
      await this.redis.publish(this.channel, JSON.stringify({ type, credentialId, origin: this.instanceId }));
    } catch {
      this.logger.warn({ msg: 'cannot publish fleet event', type, credential_id: credentialId });
    }
  }

  subscribe(listener: FleetEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private deliver(channel: string, message: string): void {
    if (channel !== this.channel) return;
    let event: FleetEvent;
    try {
      event = JSON.parse(message) as FleetEvent;
    } catch {
      return;
    }
    if (!isFleetEventType(event.type) || typeof event.credentialId !== 'string' || typeof event.origin !== 'string') return;
    for (const listener of this.listeners) listener(event);
  }
}
