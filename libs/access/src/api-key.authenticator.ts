import { createHash } from 'node:crypto';
import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@broker/config';
import { UnauthenticatedError } from './access.errors';
import type { Caller } from './caller';

/** API keys are opaque printable strings; anything longer or stranger is rejected before hashing. */
const API_KEY_PATTERN = /^[\x21-\x7e]{8,512}$/;
const BEARER_PATTERN = /^Bearer +(\S+) *$/i;

/**
 * Authenticates callers by `Authorization: Bearer <api key>`. Only SHA-256 hashes of keys are configured;
 * the presented key is hashed and looked up, so the broker never holds a caller's key.
 */
@Injectable()
export class ApiKeyAuthenticator implements OnModuleDestroy {
  private byHash = new Map<string, Caller>();
  private readonly unsubscribe: () => void;

  constructor(private readonly config: ConfigService) {
    this.rebuild();
    this.unsubscribe = config.onChange(() => this.rebuild());
  }

  /** The caller behind an `Authorization` header value; throws `UnauthenticatedError` otherwise. */
  authenticate(authorization: string | string[] | undefined): Caller {
    if (authorization === undefined) throw new UnauthenticatedError('An Authorization: Bearer header is required.', false);
    const match = typeof authorization === 'string' ? BEARER_PATTERN.exec(authorization) : null;
    const key = match?.[1];
    if (key === undefined || !API_KEY_PATTERN.test(key)) {
      throw new UnauthenticatedError('The Authorization header must be "Bearer <api key>".', true);
    }
    const caller = this.byHash.get(createHash('sha256').update(key).digest('hex'));
    if (!caller) throw new UnauthenticatedError('The API key is not known.', true);
    return caller;
  }

  onModuleDestroy(): void {
    this.unsubscribe();
  }

  private rebuild(): void {
    this.byHash = new Map(
      this.config.current.callers.map((caller) => [caller.apiKeySha256, { id: caller.id, credentials: caller.credentials }]),
    );
  }
}
