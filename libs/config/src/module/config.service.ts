import { Injectable } from '@nestjs/common';
import type { BrokerConfig, CredentialConfig } from '../schema/broker-config.types';

/** Called after the config was replaced, with the new and the previous config. */
export type ConfigChangeListener = (next: BrokerConfig, previous: BrokerConfig) => void;

interface Snapshot {
  readonly config: BrokerConfig;
  readonly credentials: ReadonlyMap<string, CredentialConfig>;
}

function snapshotOf(config: BrokerConfig): Snapshot {
  return { config, credentials: new Map(config.credentials.map((c) => [c.id, c])) };
}

/** Holds the current broker config; `replace` exists for hot reload. */
@Injectable()
export class ConfigService {
  // Config and its index live in one object so a reader never sees one without the other.
  private snapshot: Snapshot;
  private readonly listeners = new Set<ConfigChangeListener>();

  constructor(initial: BrokerConfig) {
    this.snapshot = snapshotOf(initial);
  }

  /** The config in force now; do not cache it across awaits if hot reload matters to you. */
  get current(): BrokerConfig {
    return this.snapshot.config;
  }

  /** The credential with this id in the current config. */
  credential(id: string): CredentialConfig | undefined {
    return this.snapshot.credentials.get(id);
  }

  /**
   * Swaps in `next` and then tells every listener. A throwing listener does not stop the others;
   * their errors are rethrown together afterwards, with `next` already in force.
   */
  replace(next: BrokerConfig): void {
    const previous = this.snapshot.config;
    this.snapshot = snapshotOf(next);
    const errors: unknown[] = [];
    for (const listener of [...this.listeners]) {
      try {
        listener(next, previous);
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, 'config change listener failed');
  }

  /** Registers a listener for `replace`; returns the function that unregisters it. */
  onChange(listener: ConfigChangeListener): () => void {
    const registration: ConfigChangeListener = (next, previous) => listener(next, previous);
    this.listeners.add(registration);
    return () => this.listeners.delete(registration);
  }
}
