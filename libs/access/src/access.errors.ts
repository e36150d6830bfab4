import { DomainError } from '@broker/problems';

/** Missing, malformed or unknown caller credentials. */
export class UnauthenticatedError extends DomainError {
  constructor(detail: string, invalidToken: boolean) {
    super('unauthenticated', 401, 'Unauthenticated', detail, {
      // RFC 6750 §3: a bare challenge when nothing was sent, `invalid_token` when what was sent is wrong.
      'www-authenticate': invalidToken ? 'Bearer realm="token-broker", error="invalid_token"' : 'Bearer realm="token-broker"',
    });
  }
}

/** The caller may not fetch this credential (or, for callers without `*`, it does not exist). */
export class ForbiddenCredentialError extends DomainError {
  /** `credentialId` has passed the id rule before it gets here, so it may be logged and echoed. */
  constructor(
    readonly credentialId: string,
    detail = `This caller may not fetch credential '${credentialId}'.`,
  ) {
    super('forbidden', 403, 'Forbidden', detail);
  }
}

/** The caller may not call through the proxy with this credential (or, for callers without `*`, it does not exist). */
export class ForbiddenProxyError extends ForbiddenCredentialError {
  constructor(credentialId: string) {
    super(credentialId, `This caller may not call APIs through the broker with credential '${credentialId}'.`);
  }
}

/** The caller is authenticated but lacks the role an endpoint needs. */
export class MissingRoleError extends DomainError {
  constructor(role: string) {
    super('forbidden', 403, 'Forbidden', `This endpoint needs the '${role}' role.`);
  }
}
