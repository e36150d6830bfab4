import type { FastifyInstance } from 'fastify';
import { callerAuditOf, unverifiedCertificateRefusal } from '@broker/access';
import { type BrokerEnvironment, loadTlsMaterial, type TlsMaterial } from '@broker/config';
import type { AuditLog, RootLogger } from '@broker/observability';
import type { ProblemFilter } from '@broker/problems';
import type { Server } from 'node:tls';
import { TlsFilesWatcher, type TlsFilesWatcherOptions } from './tls-files.watcher';
import { tlsServerOptions } from './tls-server.options';

/** Test and tuning knobs of TLS serving; production uses the defaults. */
export interface TlsServingOptions {
  /** Already loaded (main.ts loads it inside its exit-78 boot checks); loaded from `env.tls` otherwise. */
  readonly material?: TlsMaterial;
  readonly handshakeTimeoutMs?: number;
  readonly watch?: TlsFilesWatcherOptions;
}

/** The `https` option of the Fastify adapter, or undefined for plain HTTP (with the boot warning). */
export function httpsOptionsFor(env: BrokerEnvironment, logger: RootLogger, options: TlsServingOptions = {}): { https: ReturnType<typeof tlsServerOptions>; material: TlsMaterial } | undefined {
  if (env.tls === undefined) {
    logger.warn('TLS_CERT_FILE is not set: serving plain HTTP, so tokens travel unencrypted; set it unless a mesh or proxy terminates TLS');
    return undefined;
  }
  const material = options.material ?? loadTlsMaterial(env.tls);
  logger.info({ fingerprint: material.fingerprint, not_after: material.notAfter, client_auth: env.tls.clientAuth }, 'serving https');
  return { https: tlsServerOptions(env.tls, material, options.handshakeTimeoutMs), material };
}

/**
 * Installs what TLS serving needs on the Fastify instance before it is ready: the refusal of unverified
 * client certificates (TLS_CLIENT_AUTH=optional) and the live reload of the TLS files, stopped on close.
 */
export function installTlsServing(
  instance: FastifyInstance,
  env: BrokerEnvironment,
  material: TlsMaterial,
  deps: { logger: RootLogger; problems: ProblemFilter; audit: AuditLog },
  options: TlsServingOptions = {},
): void {
  const tls = env.tls;
  if (tls === undefined) return;
  if (tls.clientAuth === 'optional') {
    instance.addHook('onRequest', async (request, reply) => {
      const refusal = unverifiedCertificateRefusal(request);
      if (refusal === undefined) return;
      deps.problems.send(refusal, request, reply);
      deps.audit.record({ action: 'access.denied', outcome: 'denied', status: 401, reason: refusal.code, ...callerAuditOf(request) });
      return reply;
    });
  }
  const watcher = new TlsFilesWatcher(instance.server as unknown as Server, tls, material, deps.logger.child({ context: TlsFilesWatcher.name }), options.watch);
  instance.addHook('onReady', async () => watcher.start());
  instance.addHook('onClose', async () => watcher.stop());
}
