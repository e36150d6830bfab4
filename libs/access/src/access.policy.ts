import { Injectable } from '@nestjs/common';
import { ConfigService } from '@broker/config';
import { ForbiddenCredentialError, ForbiddenProxyError } from './access.errors';
import type { Caller } from './caller';
import { isGranted } from './credential-grants';

/** Which credentials a caller may fetch. */
@Injectable()
export class AccessPolicy {
  constructor(private readonly config: ConfigService) {}

  /**
   * Throws unless `caller` may fetch `credentialId` (granted by id or pattern, and configured). A caller
   * without `*` gets the same 403 for an unknown id as for a forbidden one, so credential ids cannot be
   * probed; `*` callers learn that an id is unknown (404) from the token service.
   */
  assertMayFetch(caller: Caller, credentialId: string): void {
    if (!this.mayFetch(caller, credentialId)) throw new ForbiddenCredentialError(credentialId);
  }

  /** `assertMayFetch` as a question: true for `*` callers whatever the id, as that method does. */
  mayFetch(caller: Caller, credentialId: string): boolean {
    return caller.grants.all || (isGranted(caller.grants, credentialId) && this.config.credential(credentialId) !== undefined);
  }

  /**
   * Throws unless `caller` may call upstream APIs with `credentialId` through the proxy (its `proxy:` grants),
   * with the same 403-for-unknown rule as `assertMayFetch`; `*` callers learn that an id is unknown (404).
   */
  assertMayProxy(caller: Caller, credentialId: string): void {
    if (caller.proxyGrants.all) return;
    if (isGranted(caller.proxyGrants, credentialId) && this.config.credential(credentialId)) return;
    throw new ForbiddenProxyError(credentialId);
  }
}
