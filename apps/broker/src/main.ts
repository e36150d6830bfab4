import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import pino from 'pino';
import { type BrokerEnvironment, ConfigValidationError, loadBrokerConfig, loadTlsMaterial, readEnvironment } from '@broker/config';
import { createRootLogger, type RootLogger } from '@broker/observability';
import { createBrokerApp } from './broker.app';
import { startEventLoopBlocker } from './event-loop-blocker';
import { FleetEventsListener } from './fleet-events.listener';
import { Lifecycle } from './lifecycle';
import { EXIT_CONFIG, EXIT_FAILURE, listenErrorMessage, missingConfigMessage, probePort, STARTUP_MESSAGES } from './startup.errors';
import { listenHealthPort } from './transport/health-port.server';
import { applyOutboundProxy } from './transport/outbound-proxy';

/** Writes one line to stderr and exits; used for the start-up failures an operator fixes (no stack trace). */
function exitWith(message: string, code: number): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

async function main(): Promise<void> {
  let env;
  let config;
  let material;
  try {
    env = readEnvironment();
    const missing = missingConfigMessage(env.configPath);
    if (missing) exitWith(missing, EXIT_CONFIG);
    config = loadBrokerConfig(env.configPath);
    material = env.tls && loadTlsMaterial(env.tls);
  } catch (error) {
    if (!(error instanceof ConfigValidationError)) throw error;
    exitWith(error.message, EXIT_CONFIG);
  }
  const portProblem = await probePort(env.host, env.port);
  if (portProblem) exitWith(portProblem, EXIT_FAILURE);
  const logger = createRootLogger({ level: env.logLevel });
  const auditDestination = env.auditLogPath ? pino.destination({ dest: env.auditLogPath, mkdir: true, sync: false }) : undefined;
  applyOutboundProxy(env.outboundProxy, logger);
  let app: NestFastifyApplication;
  try {
    app = await createBrokerApp({ env, config, logger, ...(auditDestination ? { auditDestination } : {}), ...(material ? { tls: { material } } : {}) });
  } catch (error) {
    // The boot check of secrets reports an unset variable or a missing file like any config error.
    if (error instanceof ConfigValidationError) {
      await new Promise<void>((resolve) => logger.flush(() => resolve()));
      exitWith(error.message, EXIT_CONFIG);
    }
    throw error;
  }
  installSignalHandlers(app, env, logger);
  await listenOrExit(() => app.listen({ port: env.port, host: env.host }), env.host, env.port);
  const healthPort = env.healthPort;
  if (healthPort !== undefined) {
    await listenOrExit(() => listenHealthPort(app.getHttpAdapter().getInstance(), healthPort, env.host), env.host, healthPort);
    logger.info({ health_port: env.healthPort }, 'health and metrics also served on the health port');
  }
  if (env.testEventLoopBlock) startEventLoopBlocker(env.testEventLoopBlock, logger);
  logger.info(
    { port: env.port, host: env.host, https: env.tls !== undefined, credentials: config.credentials.length, callers: config.callers.length, mode: env.redis ? 'fleet' : 'in-process' },
    'token broker listening',
  );
}

/** Listens, or exits with the one-line message of a port in use or refused (taken since the probe, say). */
async function listenOrExit(listen: () => Promise<unknown>, host: string, port: number): Promise<void> {
  try {
    await listen();
  } catch (error) {
    const message = listenErrorMessage(error, host, port);
    if (message) exitWith(message, EXIT_FAILURE);
    throw error;
  }
}

/**
 * SIGTERM/SIGINT: fail readiness first and keep serving for SHUTDOWN_DRAIN so load balancers stop sending,
 * then close (in-flight requests finish, held locks are released, Redis connections close) within
 * SHUTDOWN_TIMEOUT. SIGHUP: re-read the config file and apply it if valid.
 */
function installSignalHandlers(app: NestFastifyApplication, env: BrokerEnvironment, logger: RootLogger): void {
  let stopping = false;
  const stop = async (signal: NodeJS.Signals): Promise<void> => {
    if (stopping) return;
    stopping = true;
    app.get(Lifecycle).beginDrain();
    logger.info({ signal, drain_ms: env.shutdownDrainMs }, 'draining: readiness fails, still serving');
    await new Promise((resolve) => setTimeout(resolve, env.shutdownDrainMs));
    const deadline = setTimeout(() => {
      logger.error({ timeout_ms: env.shutdownTimeoutMs }, 'shutdown timed out; exiting');
      logger.flush(() => process.exit(1));
    }, env.shutdownTimeoutMs);
    deadline.unref();
    await app.close();
    logger.info('stopped');
    logger.flush(() => process.exit(0));
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, (received) => void stop(received));
  process.on('SIGHUP', () => app.get(FleetEventsListener).reloadAndLog('SIGHUP'));
}

main().catch((error: unknown) => {
  process.stderr.write(`${STARTUP_MESSAGES.failed(error)}\n`);
  process.exit(EXIT_FAILURE);
});
