import type { OpenAPIObject } from '@nestjs/swagger';

/** The documented form of the proxy route (Fastify serves it as the wildcard `/v1/proxy/*`). */
export const PROXY_OPENAPI_PATH = '/v1/proxy/{credentialId}/{upstream}/{path}';

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDto' } } } });

/**
 * The proxy route is registered on Fastify directly (it streams bodies), so Nest's scanner does not see it;
 * its operations are added to the generated document here. HEAD is served too and, as for every route, not
 * listed.
 */
export function addProxyPaths(document: OpenAPIObject): void {
  const operation = (method: string) => ({
    tags: ['proxy'],
    operationId: `proxy_${method}`,
    summary: 'Call an upstream API of the credential; the broker adds the token, the caller never sees it.',
    description:
      'Forwards the request to `{base URL of upstream}/{path}` (query kept) with `Authorization: Bearer <token>` and the credential headers (for Adobe `x-api-key`, `x-gw-ims-org-id`); the caller `Authorization`, `Cookie`, `Proxy-*` and hop-by-hop headers are removed. Bodies stream both ways. The upstream answer is passed back untouched (no redirect followed, `Set-Cookie` dropped) with `x-broker-upstream-status`. A 401 for the current token replaces it once for the fleet and replays the call when it has no body or one of at most 64 KiB. Needs a `proxy:` grant for the credential.',
    security: [{ caller: [] }],
    parameters: [
      { name: 'credentialId', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$' } },
      { name: 'upstream', in: 'path', required: true, description: 'A name under the credential `proxy.upstreams`.', schema: { type: 'string', pattern: '^[a-z0-9-]{1,32}$' } },
      { name: 'path', in: 'path', required: true, description: 'The rest of the path, appended to the upstream base URL; no `.`/`..` segments, `%2F`, `%5C` or backslashes.', schema: { type: 'string' } },
    ],
    ...(method === 'get' || method === 'delete' || method === 'options' ? {} : { requestBody: { required: false, content: { '*/*': { schema: { type: 'string', format: 'binary' } } } } }),
    responses: {
      default: {
        description: 'The upstream answer, untouched, with `x-broker-upstream-status`.',
        headers: { 'x-broker-upstream-status': { schema: { type: 'integer' }, description: 'The status the upstream sent.' } },
      },
      '400': problem('`invalid_path`, `invalid_credential_id`.'),
      '401': problem('`unauthenticated` (the caller; an upstream 401 is passed through as the upstream sent it).'),
      '403': problem('`forbidden`: no `proxy:` grant for this credential.'),
      '404': problem('`unknown_upstream`, or `credential_not_found` for `*` callers.'),
      '413': problem('`request_too_large`: the body is over the credential `proxy.maxRequestBody`.'),
      '429': problem('`rate_limited`, with `Retry-After`.'),
      '502': problem('`upstream_unreachable`; or the identity provider rejected the credential (`upstream_<error>`).'),
      '503': problem('No valid token can be had (`upstream_unavailable`, `secret_unavailable`).'),
      '504': problem('`upstream_timeout`: no response headers within the credential `proxy.timeout`.'),
    },
  });
  document.paths[PROXY_OPENAPI_PATH] = Object.fromEntries(['get', 'post', 'put', 'patch', 'delete', 'options'].map((method) => [method, operation(method)]));
}
