/**
 * The proxy baseline: a bare `node:http` reverse proxy doing the header work of the broker's proxy and
 * nothing else, so `broker / bare` shows what the broker's layers cost on a proxied call:
 *  - route `/v1/proxy/{credentialId}/{upstream}/{path}`, the upstream looked up by name;
 *  - `Authorization: Bearer <key>` checked (sha256 of the key, one Map lookup);
 *  - the caller's Authorization, Cookie, Proxy-* and hop-by-hop headers removed, the token and the Adobe
 *    headers injected; the answer's Set-Cookie and hop-by-hop headers dropped, x-broker-upstream-status added;
 *  - bodies piped both ways over a keep-alive agent.
 * No audit line, no metrics, no path safety checks: it is the floor, not a competitor.
 * Input: one JSON argument; prints `{"ready": {"port": …}}` when listening.
 */
import { createHash } from 'node:crypto';
import { Agent, createServer, type IncomingHttpHeaders, request } from 'node:http';

export interface BareProxyInput {
  port: number;
  apiKeySha256: string;
  credentialId: string;
  upstreamName: string;
  upstreamUrl: string;
  accessToken: string;
  clientId: string;
  orgId: string;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);
const BEARER_PATTERN = /^Bearer +(\S+) *$/i;

function main(): void {
  const input = JSON.parse(process.argv[2] ?? '{}') as BareProxyInput;
  const upstream = new URL(input.upstreamUrl);
  const prefix = `/v1/proxy/${input.credentialId}/${input.upstreamName}`;
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const injected = { authorization: `Bearer ${input.accessToken}`, 'x-api-key': input.clientId, 'x-gw-ims-org-id': input.orgId };

  const server = createServer((req, res) => {
    const key = BEARER_PATTERN.exec(req.headers.authorization ?? '')?.[1];
    if (key === undefined || createHash('sha256').update(key).digest('hex') !== input.apiKeySha256) {
      res.writeHead(401, { 'content-type': 'application/problem+json' }).end('{"code":"unauthenticated"}');
      return;
    }
    const url = req.url ?? '/';
    if (!url.startsWith(prefix)) {
      res.writeHead(404, { 'content-type': 'application/problem+json' }).end('{"code":"unknown_upstream"}');
      return;
    }
    const headers: IncomingHttpHeaders = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (name === 'authorization' || name === 'cookie' || name === 'host' || name.startsWith('proxy-') || HOP_BY_HOP.has(name)) continue;
      headers[name] = value;
    }
    Object.assign(headers, injected);
    const outgoing = request({ host: upstream.hostname, port: upstream.port, path: `${upstream.pathname.replace(/\/$/, '')}${url.slice(prefix.length) || '/'}`, method: req.method, headers, agent }, (answer) => {
      const back: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(answer.headers)) {
        if (value === undefined || name === 'set-cookie' || HOP_BY_HOP.has(name)) continue;
        back[name] = value;
      }
      back['x-broker-upstream-status'] = String(answer.statusCode ?? 502);
      res.writeHead(answer.statusCode ?? 502, back);
      answer.pipe(res);
    });
    outgoing.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    req.pipe(outgoing);
  });
  server.listen(input.port, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ ready: { port: input.port } })}\n`));
}

main();
