import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type TokenEvent, type TokenEventListener, TokenEvents } from './token-events.port';

/** In-process events: one instance, so publishing is a local call. */
@Injectable()
export class LocalTokenEvents extends TokenEvents {
  readonly instanceId = randomUUID();
  private readonly listeners = new Set<TokenEventListener>();

  async publish(type: TokenEvent['type'], credentialId: string): Promise<void> {
    const event = { type, credentialId, origin: this.instanceId };
    for (const listener of this.listeners) listener(event);
  }

  subscribe(listener: TokenEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
