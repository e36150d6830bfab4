import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { PROBLEM_CONTENT_TYPE, problemOf } from '@broker/problems';

/** What the health port serves: probes and the metrics scrape, nothing that hands out tokens. */
export const HEALTH_PORT_PATHS: ReadonlySet<string> = new Set(['/health/live', '/health/ready', '/metrics']);

function pathOf(url: string | undefined): string {
  const query = url?.indexOf('?') ?? -1;
  return url === undefined ? '' : query === -1 ? url : url.slice(0, query);
}

/**
 * The HEALTH_PORT listener: plain HTTP for probes and scrapers that hold no client certificate. Requests for
 * the health and metrics paths go through the main app's own router (same handlers, logging and metrics as
 * on the main port); anything else is a 404 problem and never reaches the app.
 */
export function createHealthPortServer(app: FastifyInstance): Server {
  return createServer((request: IncomingMessage, response: ServerResponse) => {
    if ((request.method === 'GET' || request.method === 'HEAD') && HEALTH_PORT_PATHS.has(pathOf(request.url))) {
      app.routing(request, response);
      return;
    }
    const problem = problemOf(404, 'not_found', 'Not Found', 'The health port serves only /health/live, /health/ready and /metrics.');
    response.writeHead(404, { 'content-type': PROBLEM_CONTENT_TYPE }).end(JSON.stringify(problem));
  });
}

/** Starts the health port; it closes when the main server does. */
export async function listenHealthPort(app: FastifyInstance, port: number, host: string): Promise<Server> {
  const server = createHealthPortServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  app.server.once('close', () => {
    server.close();
    server.closeAllConnections();
  });
  return server;
}
