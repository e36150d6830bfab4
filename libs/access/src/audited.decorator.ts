import { applyDecorators, SetMetadata, UseInterceptors } from '@nestjs/common';
import { AUDIT_ACTION } from './access.constants';
import { AuditInterceptor } from './audit.interceptor';

/**
 * Records one audit event per call of an admin handler: `@Audited('admin.evict')`. Success or failure, with
 * the caller id and, when the route has a valid `:credentialId`, the credential. Requests refused before the
 * handler (401/403/429 by the guards) are recorded as `access.denied` by the app's denial audit instead.
 */
export function Audited(action: `admin.${string}`): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(AUDIT_ACTION, action), UseInterceptors(AuditInterceptor));
}
