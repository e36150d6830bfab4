import { createHash } from 'node:crypto';
import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@broker/config';
import { ACCESS_MESSAGES } from './access.constants';
import { UnauthenticatedError } from './access.errors';
import type { Caller } from './caller';
import { callerFrom } from './caller.factory';

/** API keys are opaque printable strings; anything longer or stranger is rejected before hashing. */
const API_KEY_PATTERN = /^[\x21-\x7e]{8,512}$/;

/**
 * Authenticates callers by API key. Only SHA-256 hashes of keys are configured; the presented key is hashed
 * and looked up, so the broker never holds a caller's key.
 */
@Injectable()
export class ApiKeyAuthenticator implements OnModuleDestroy {
  private byHash = new Map<string, Caller>();
  private readonly unsubscribe: () => void;

  constructor(private readonly config: ConfigService) {
    this.rebuild();
    this.unsubscribe = config.onChange(() => this.rebuild());
  }

  /** The caller behind a presented API key (the bearer token); throws `UnauthenticatedError` otherwise. */
  authenticateKey(key: string): Caller {
    if (!API_KEY_PATTERN.test(key)) throw new UnauthenticatedError(ACCESS_MESSAGES.malformedHeader, true);
    const caller = this.byHash.get(createHash('sha256').update(key).digest('hex'));
    if (!caller) throw new UnauthenticatedError(ACCESS_MESSAGES.unknownKey, true);
    return caller;
  }

  onModuleDestroy(): void {
    this.unsubscribe();
  }

  private rebuild(): void {
    const { callers, rateLimits } = this.config.current;
    this.byHash = new Map(callers.flatMap((caller) => (caller.apiKeySha256 === undefined ? [] : [[caller.apiKeySha256, callerFrom(caller, rateLimits, 'api-key')]])));
  }
}
