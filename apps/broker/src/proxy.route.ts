import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AccessPolicy, Caller, CallerGuard } from '@broker/access';
import { UnknownCredentialError } from '@broker/tokens';
import type { ConfigService } from '@broker/config';
import { PROXY_METHODS, PROXY_PREFIX, parseProxyTarget, type ProxyService } from '@broker/proxy';
import type { DenialAuditFilter } from './denial-audit.filter';
import { parseCredentialId } from './token-request';

/** What the proxy route needs from the app: Nest providers, and the app's error answering. */
export interface ProxyRouteDependencies {
  readonly guard: CallerGuard;
  readonly access: AccessPolicy;
  readonly config: ConfigService;
  readonly proxy: ProxyService;
  readonly errors: DenialAuditFilter;
}

/**
 * `ANY /v1/proxy/{credentialId}/{upstream}/{path}`, registered on Fastify directly: Nest would parse (and
 * buffer) bodies, and the proxy must stream them. In its own plugin scope, a catch-all content-type parser
 * leaves the body unread and the app's 16 KiB body limit does not apply. Authentication, the rate limit,
 * the grant check and the denial audit are the ones every other route uses.
 */
export async function registerProxyRoute(fastify: FastifyInstance, deps: ProxyRouteDependencies): Promise<void> {
  // Awaited: a plugin left pending here would be loaded only at listen time, which Nest does not wait for.
  await fastify.register((scope, _options, done) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, parsed) => parsed(null));
    scope.route({
      method: [...PROXY_METHODS],
      url: `${PROXY_PREFIX}*`,
      exposeHeadRoute: false,
      handler: (request, reply) => handle(deps, request, reply),
    });
    done();
  });
}

async function handle(deps: ProxyRouteDependencies, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  try {
    const admitted = deps.guard.admitRequest(request);
    if (admitted instanceof Promise) await admitted;
    const caller = request.caller as Caller;
    const target = parseProxyTarget(request.raw.url ?? '');
    const credentialId = parseCredentialId(target.credentialId);
    deps.access.assertMayProxy(caller, credentialId);
    const credential = deps.config.credential(credentialId);
    if (credential === undefined) {
      // Only `*` proxy callers get here: they learn the id is unknown, as on the token endpoints.
      throw new UnknownCredentialError(credentialId);
    }
    await deps.proxy.forward(request, reply, deps.proxy.resolve(caller.id, credential, target));
  } catch (error) {
    if (reply.sent || reply.raw.headersSent) {
      // The answer has begun: all that is left is to cut it short.
      reply.raw.destroy();
      return reply;
    }
    deps.errors.answer(error, request, reply);
  }
  return reply;
}
