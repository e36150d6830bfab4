import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

/** sysexits(3) EX_CONFIG: the configuration is wrong, restarting will not help. */
export const EXIT_CONFIG = 78;
/** Anything else that stops the boot (e.g. the port is taken: a restart may well succeed later). */
export const EXIT_FAILURE = 1;

/** One line each, with the fix: what an operator reads first when the broker does not start. */
export const STARTUP_MESSAGES = Object.freeze({
  configMissing: (path: string) =>
    `token broker: config file ${path} not found; copy config/broker.example.yaml to ${path} and edit it, or set BROKER_CONFIG to your config file`,
  portInUse: (host: string, port: number) =>
    `token broker: port ${port} on ${host} is already in use; set PORT to a free port (or stop what listens there)`,
  portDenied: (host: string, port: number) =>
    `token broker: not allowed to listen on port ${port} on ${host}; set PORT to a port above 1023`,
  failed: (error: unknown) => `token broker failed to start: ${error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error'}`,
});

/** The one-line message for a config path that does not exist, or undefined when it does. */
export function missingConfigMessage(path: string): string | undefined {
  return existsSync(path) ? undefined : STARTUP_MESSAGES.configMissing(path);
}

/** The one-line message for a listen error the operator can fix with PORT, or undefined for other errors. */
export function listenErrorMessage(error: unknown, host: string, port: number): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') return STARTUP_MESSAGES.portInUse(host, port);
  if (code === 'EACCES') return STARTUP_MESSAGES.portDenied(host, port);
  return undefined;
}

/**
 * Binds and releases the port before anything else starts (Redis connections, secret reads), so a taken
 * port is reported in one line at once rather than after a full boot and Nest's own error log.
 */
export function probePort(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error) => resolve(listenErrorMessage(error, host, port)));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}
