import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import pino from 'pino';
import { type BrokerEnvironment, ConfigValidationError, loadBrokerConfig, readEnvironment } from '@broker/config';
import { createAuditLogger, createRootLogger, type RootLogger } from '@broker/observability';
import { createBrokerApp } from './broker.app';
import { startEventLoopBlocker } from './event-loop-blocker';
import { FleetEventsListener } from './fleet-events.listener';
import { Lifecycle } from './lifecycle';

/** sysexits(3) EX_CONFIG: the configuration is wrong, restarting will not help. */
const EXIT_CONFIG = 78;

async function main(): Promise<void> {
  let env;
  let config;
  try {
    env = readEnvironment();
    config = loadBrokerConfig(env.configPath);
  } catch (error) {
    if (!(error instanceof ConfigValidationError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(EXIT_CONFIG);
  }
  const logger = createRootLogger({ level: env.logLevel });
  const auditLogger = env.auditLogPath
    ? createAuditLogger(logger, pino.destination({ dest: env.auditLogPath, mkdir: true, sync: false }))
    : createAuditLogger(logger);
  const app = await createBrokerApp({ env, config, logger, auditLogger });
  installSignalHandlers(app, env, logger);
  await app.listen({ port: env.port, host: env.host });
  if (env.testEventLoopBlock) startEventLoopBlocker(env.testEventLoopBlock, logger);
  logger.info(
    { port: env.port, host: env.host, credentials: config.credentials.length, callers: config.callers.length, mode: env.redis ? 'fleet' : 'in-process' },
    'token broker listening',
  );
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
  process.stderr.write(`token broker failed to start: ${error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error'}\n`);
  process.exit(1);
});
