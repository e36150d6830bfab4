import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { MissingRoleError, UnauthenticatedError } from './access.errors';

/** Requires the `admin` role; use after `CallerGuard`: `@UseGuards(CallerGuard, AdminGuard)`. */
@Injectable()
export class AdminGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const caller = context.switchToHttp().getRequest<FastifyRequest>().caller;
    if (!caller) throw new UnauthenticatedError('An Authorization: Bearer header is required.', false);
    if (!caller.roles.includes('admin')) throw new MissingRoleError('admin');
    return true;
  }
}
