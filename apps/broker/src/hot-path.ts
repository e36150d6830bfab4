import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { CallerGuard } from '@broker/access';
import type { DenialAuditFilter } from './denial-audit.filter';
import type { TokenServing } from './token-serving';

/** The routes served outside Nest's pipeline: the callers' two GET routes, requested on every cache hit. */
export type HotPathName = 'token' | 'headers';
const HOT_PATH_NAMES: readonly HotPathName[] = ['token', 'headers'];

/** Where a `@HotPath` route carries its name: Fastify's per-route `config`. */
const HOT_PATH_CONFIG_KEY = 'brokerHotPath';

/**
 * Marks a controller route whose handler Fastify replaces, when Nest registers it, with the hot-path handler
 * of the same name. The controller method stays the route's declaration: its path, its OpenAPI description,
 * and the route pattern metrics and access lines name. Its body is what answers wherever the hot path is not
 * installed (a Nest testing module), and does the same work through the same `TokenServing`.
 */
export function HotPath(name: HotPathName): MethodDecorator {
  return RouteConfig({ [HOT_PATH_CONFIG_KEY]: name });
}

/** What the hot-path handlers need from the app: the guard's and the filter's work, and the routes' own. */
export interface HotPathDependencies {
  readonly guard: CallerGuard;
  readonly serving: TokenServing;
  readonly errors: DenialAuditFilter;
}

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>;

/**
 * Serves the `@HotPath` routes on Fastify directly. Nest's generic dispatch (router context, guard and
 * param resolution, interceptors, the result's type checks) cost the broker a third of a cache hit's CPU
 * (docs/benchmarks.md §1); these handlers do the same steps, with the same code, in a straight line:
 * `CallerGuard.admitRequest` (authentication, rate limit), `TokenServing` (grant, token, audit line), the
 * `@Header`s of the controller, and `DenialAuditFilter.answer` for every error (problem + denial audit).
 *
 * Installs an `onRoute` hook, so call it before `app.init()`; the returned check throws at boot unless every
 * hot path was installed (a renamed route must not silently fall back to the slow path).
 */
export function installHotPaths(fastify: FastifyInstance, deps: HotPathDependencies): () => void {
  const handlers: Readonly<Record<HotPathName, Handler>> = {
    token: (request, reply) =>
      serve(deps, request, reply, async (id, query) => {
        const { credentialId, token } = await deps.serving.issue(request, id, query);
        return deps.serving.tokenBody(credentialId, token);
      }),
    headers: (request, reply) => serve(deps, request, reply, async (id, query) => JSON.stringify(await deps.serving.headers(request, id, query))),
  };
  const installed = new Set<HotPathName>();
  fastify.addHook('onRoute', (route: RouteOptions) => {
    const name = (route.config as Record<string, unknown> | undefined)?.[HOT_PATH_CONFIG_KEY] as HotPathName | undefined;
    if (name === undefined) return;
    route.handler = handlers[name];
    installed.add(name);
  });
  return () => {
    const missing = HOT_PATH_NAMES.filter((name) => !installed.has(name));
    if (missing.length > 0) throw new Error(`hot path(s) not installed: ${missing.join(', ')}; no @HotPath route declares them`);
  };
}

async function serve(
  deps: HotPathDependencies,
  request: FastifyRequest,
  reply: FastifyReply,
  body: (credentialId: string, query: Record<string, unknown>) => Promise<string>,
): Promise<FastifyReply> {
  const credentialId = (request.params as { credentialId: string }).credentialId;
  // As Nest's adapter does for every route with a parameter: an empty one is no match (404), not a bad id.
  if (credentialId === '') {
    reply.callNotFound();
    return reply;
  }
  try {
    const admitted = deps.guard.admitRequest(request);
    if (admitted instanceof Promise) await admitted;
    // Set before the handler's work, as Nest does with `@Header`: a problem answered from here on carries them too.
    void reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    const payload = await body(credentialId, request.query as Record<string, unknown>);
    return reply.header('content-type', JSON_CONTENT_TYPE).send(payload);
  } catch (error) {
    deps.errors.answer(error, request, reply);
    return reply;
  }
}
