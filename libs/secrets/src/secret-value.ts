import { inspect } from 'node:util';

const REDACTED = '[redacted]';

/**
 * Holds secret material so that it cannot be printed by accident: `String()`, `JSON.stringify` and
 * `util.inspect` (hence every logger) show `[redacted]`. Only `reveal()` returns the value.
 */
export class SecretValue {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The secret itself; call only where it is sent to its destination. */
  reveal(): string {
    return this.#value;
  }

  /** Constant-time-insensitive equality is fine here: both sides are ours. */
  equals(other: SecretValue): boolean {
    return this.#value === other.#value;
  }

  toString(): string {
    return REDACTED;
  }
  toJSON(): string {
    return REDACTED;
  }
  [inspect.custom](): string {
    return REDACTED;
  }
}
