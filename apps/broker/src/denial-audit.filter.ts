import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { callerAuditOf, credentialParamOf, ForbiddenCredentialError } from '@broker/access';
import type { AuditLog } from '@broker/observability';
import { DomainError, type ProblemFilter } from '@broker/problems';

/** The statuses that refuse a caller, with the reason recorded when the error has no stable code of its own. */
const DENIALS: Readonly<Record<number, string>> = { 401: 'unauthenticated', 403: 'forbidden', 429: 'rate_limited' };

/**
 * The app's global filter: answers every error exactly as the ProblemFilter does, then records one
 * `access.denied` audit event for each 401, 403 and 429, with the reason code, the caller when it was
 * authenticated, and the credential when the route names a well-formed one. Guards run before interceptors,
 * so a filter is the one place every refusal passes.
 */
@Catch()
export class DenialAuditFilter implements ExceptionFilter {
  constructor(
    private readonly problems: ProblemFilter,
    private readonly audit: AuditLog,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    this.problems.catch(exception, host);
    const http = host.switchToHttp();
    const status = http.getResponse<FastifyReply>().statusCode;
    const fallbackReason = DENIALS[status];
    if (fallbackReason === undefined) return;
    const request = http.getRequest<FastifyRequest>();
    const credentialId = exception instanceof ForbiddenCredentialError ? exception.credentialId : credentialParamOf(request);
    this.audit.record({
      action: 'access.denied',
      outcome: 'denied',
      status,
      reason: exception instanceof DomainError ? exception.code : fallbackReason,
      ...callerAuditOf(request),
      ...(credentialId === undefined ? {} : { credentialId }),
    });
  }
}
