/** Something every broker instance must hear about a credential. */
export interface TokenEvent {
  /**
   * `updated`: a new token was stored; `evicted`: drop it everywhere; `secret-changed`: re-read the secret;
   * `config-reload`: re-read the config file (credentialId `*`).
   */
  readonly type: 'updated' | 'evicted' | 'secret-changed' | 'config-reload';
  readonly credentialId: string;
  /** The instance that published it (instances ignore their own events). */
  readonly origin: string;
}

export type TokenEventListener = (event: TokenEvent) => void;

/** Port: fan-out of token events to every broker instance (in-process: this process only). */
export abstract class TokenEvents {
  /** This process's instance id, stamped on the events it publishes. */
  abstract readonly instanceId: string;
  /** Publishes to every instance, this one included; never throws (events are an optimisation over polling). */
  abstract publish(type: TokenEvent['type'], credentialId: string): Promise<void>;
  /** Registers a listener; returns the function that removes it. */
  abstract subscribe(listener: TokenEventListener): () => void;
}
