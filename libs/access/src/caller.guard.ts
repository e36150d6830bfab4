import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiKeyAuthenticator } from './api-key.authenticator';

/** Rejects unauthenticated requests and attaches the `Caller` to the request. */
@Injectable()
export class CallerGuard implements CanActivate {
  constructor(private readonly apiKeys: ApiKeyAuthenticator) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    request.caller = this.apiKeys.authenticate(request.headers.authorization);
    return true;
  }
}
