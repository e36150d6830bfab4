/**
 * The upstream of the proxy scenario: a bare `node:http` API answering every call with a small JSON body
 * (the shape of an Adobe catalog entry), over keep-alive. Input: one JSON argument `{ "port": … }`; prints
 * `{"ready": {"port": …}}` when listening.
 */
import { createServer } from 'node:http';

const BODY = JSON.stringify({ id: '5f0c0000aaaa', name: 'bench-dataset', version: '1.0.3', created: 1764547200000, tags: { adobe: ['bench'] } });

function main(): void {
  const { port } = JSON.parse(process.argv[2] ?? '{}') as { port: number };
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY) }).end(BODY));
  });
  server.keepAliveTimeout = 60_000;
  server.listen(port, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ ready: { port } })}\n`));
}

main();
