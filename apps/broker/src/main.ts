import 'reflect-metadata';
import { ConfigValidationError, loadBrokerConfig, readEnvironment } from '@broker/config';
import { createRootLogger } from '@broker/observability';
import { createBrokerApp } from './broker.app';

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
  const app = await createBrokerApp({ env, config, logger });
  await app.listen({ port: env.port, host: env.host });
  logger.info(
    { port: env.port, host: env.host, credentials: config.credentials.length, callers: config.callers.length, mode: env.redis ? 'fleet' : 'in-process' },
    'token broker listening',
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`token broker failed to start: ${error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error'}\n`);
  process.exit(1);
});
