import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { MAX_RESPONSE_BYTES, post, postForm } from './bounded-http';
import { UpstreamBadResponseError, UpstreamUnavailableError } from './upstream.errors';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

describe('bounded-http', () => {
  let server: Server;
  let url: string;
  let handler: Handler;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => handler(req, Buffer.concat(chunks).toString('utf8'), res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no address');
    url = `http://127.0.0.1:${address.port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('posts a FormData as multipart/form-data with its boundary', async () => {
    let seen: { contentType: string | undefined; body: string } | undefined;
    handler = (req, body, res) => {
      seen = { contentType: req.headers['content-type'], body };
      res.end('{}');
    };
    const form = new FormData();
    form.append('client_id', 'abc');
    form.append('jwt_token', 'ey.x.y');
    const response = await post(`${url}/ims/exchange/jwt`, form, 1_000);

    expect(response.status).toBe(200);
    expect(seen?.contentType).toMatch(/^multipart\/form-data; boundary=/);
    expect(seen?.body).toContain('name="client_id"\r\n\r\nabc\r\n');
    expect(seen?.body).toContain('name="jwt_token"\r\n\r\ney.x.y\r\n');
  });

  it('posts a form urlencoded, with extra headers', async () => {
    let seen: IncomingMessage | undefined;
    handler = (req, _body, res) => {
      seen = req;
      res.end('{}');
    };
    await postForm(`${url}/token`, new URLSearchParams({ a: 'b c' }), 1_000, { authorization: 'Basic x' });
    expect(seen?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(seen?.headers['authorization']).toBe('Basic x');
  });

  it('does not follow a redirect', async () => {
    handler = (_req, _body, res) => {
      res.writeHead(307, { location: 'http://127.0.0.1:9/elsewhere' }).end();
    };
    const response = await post(`${url}/token`, new FormData(), 1_000);
    expect(response.status).toBe(307);
  });

  it.each([
    ['declared', true],
    ['streamed', false],
  ])('refuses a %s body over %i bytes', async (_label, declare) => {
    handler = (_req, _body, res) => {
      const body = Buffer.alloc(10 * 1024 * 1024, 'a');
      res.writeHead(200, declare ? { 'content-length': body.length } : {});
      res.end(body);
    };
    await expect(post(`${url}/token`, new FormData(), 5_000)).rejects.toThrow(UpstreamBadResponseError);
    expect(MAX_RESPONSE_BYTES).toBe(64 * 1024);
  });

  it('gives up after the timeout', async () => {
    handler = () => undefined;
    await expect(post(`${url}/token`, new FormData(), 200)).rejects.toThrow(UpstreamUnavailableError);
  });
});
