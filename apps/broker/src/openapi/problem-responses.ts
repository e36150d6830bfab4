import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { ProblemDto } from './api.schemas';

const DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: 'Malformed id, parameter or body (`invalid_request`, `invalid_credential_id`, `invalid_parameter`).',
  401: 'Missing, malformed or unknown caller credentials (`unauthenticated`), with `WWW-Authenticate: Bearer`.',
  403: 'The caller may not do this (`forbidden`); unknown credential ids look the same to callers without `*`.',
  404: 'Unknown credential (`credential_not_found`, `*` callers and admins only).',
  409: 'Conflict, e.g. a rotation is already running (`rotation_in_progress`).',
  422: 'The configuration file is invalid (`config_invalid`); the running configuration was kept.',
  429: 'Rate limit exceeded (`rate_limited`), with `Retry-After`.',
  502: 'The identity provider rejected the credential (`upstream_<error>`) or answered nonsense (`upstream_bad_response`).',
  503: 'Identity provider or secret source unavailable and no valid token held (`upstream_unavailable`, `secret_unavailable`), with `Retry-After`.',
};

/** Documents the RFC 9457 problem responses (`application/problem+json`) an endpoint can give. */
export function ApiProblems(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ProblemDto),
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: DESCRIPTIONS[status] ?? 'Problem',
        content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDto) } } },
      }),
    ),
  );
}
