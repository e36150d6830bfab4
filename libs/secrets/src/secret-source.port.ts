import type { SecretRef } from '@broker/config';

/** Raw content of a secret as a source returns it, before parsing. */
export interface RawSecret {
  readonly value: string;
  readonly version?: string;
}

/** Port: one backend that stores client secrets. Adapters fetch and map errors to `SecretSourceError`. */
export abstract class SecretSource {
  abstract readonly kind: SecretRef['source'];
  abstract fetch(ref: SecretRef): Promise<RawSecret>;
}
