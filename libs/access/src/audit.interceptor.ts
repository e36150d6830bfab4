import { type CallHandler, type ExecutionContext, HttpException, Injectable, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { type Observable, tap } from 'rxjs';
import { AuditLog, type AuditEvent } from '@broker/observability';
import { DomainError } from '@broker/problems';
import { AUDIT_ACTION, CREDENTIAL_ID_PATTERN } from './access.constants';
import { callerAuditOf } from './caller-audit';

/** Status and stable reason of a failed admin call; never the error's message, which may quote input. */
function failureOf(error: unknown): Pick<AuditEvent, 'outcome' | 'status' | 'reason'> {
  const status = error instanceof DomainError ? error.status : error instanceof HttpException ? error.getStatus() : 500;
  const reason = error instanceof DomainError ? error.code : status >= 500 ? 'internal_error' : `http_${status}`;
  return { outcome: status === 401 || status === 403 || status === 429 ? 'denied' : 'failure', status, reason };
}

/** The credential a route acts on, when it has a well-formed `:credentialId`. */
export function credentialParamOf(request: FastifyRequest): string | undefined {
  const id = (request.params as Record<string, unknown> | undefined)?.['credentialId'];
  return typeof id === 'string' && CREDENTIAL_ID_PATTERN.test(id) ? id : undefined;
}

/** Writes the audit event of an `@Audited` handler once it has succeeded or failed. */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AuditLog,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const action = this.reflector.getAllAndOverride<string | undefined>(AUDIT_ACTION, [context.getHandler(), context.getClass()]);
    if (action === undefined) return next.handle();
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const credentialId = credentialParamOf(request);
    const base = {
      action,
      ...callerAuditOf(request),
      ...(credentialId === undefined ? {} : { credentialId }),
    };
    return next.handle().pipe(
      tap({
        complete: () => this.audit.record({ ...base, outcome: 'success' }),
        error: (error: unknown) => this.audit.record({ ...base, ...failureOf(error) }),
      }),
    );
  }
}
