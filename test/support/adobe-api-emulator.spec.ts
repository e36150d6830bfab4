import { AdobeApiEmulator, type AdobeApiEcho } from './adobe-api-emulator';
import { ImsEmulator } from './ims-emulator';

const ORG = 'EMU0000000000000000000AA@AdobeOrg';

describe('AdobeApiEmulator', () => {
  let ims: ImsEmulator;
  let api: AdobeApiEmulator;

  beforeAll(async () => {
    ims = await ImsEmulator.start();
    ims.addClient({ clientId: 'client-a', secrets: ['secret-a'] });
    ims.addClient({ clientId: 'client-b', secrets: ['secret-b'] });
    api = await AdobeApiEmulator.start(ims);
    api.addClient('client-a', ORG);
  });
  afterAll(async () => {
    await api.close();
    await ims.close();
  });
  beforeEach(() => api.reset());

  async function mint(clientId: string, secret: string): Promise<string> {
    const response = await fetch(ims.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret, scope: 'openid' }).toString(),
    });
    return ((await response.json()) as { access_token: string }).access_token;
  }

  const adobeHeaders = (token: string, apiKey = 'client-a', org = ORG) => ({ authorization: `Bearer ${token}`, 'x-api-key': apiKey, 'x-gw-ims-org-id': org });

  it('echoes a request carrying a token IMS issued to the x-api-key client of that org', async () => {
    const token = await mint('client-a', 'secret-a');
    const response = await fetch(`${api.url}/data/foundation/catalog/datasets?limit=2`, { method: 'POST', headers: { ...adobeHeaders(token), 'x-sandbox-name': 'prod' }, body: 'hello' });
    expect(response.status).toBe(200);
    const echo = (await response.json()) as AdobeApiEcho;
    expect(echo).toMatchObject({ method: 'POST', path: '/data/foundation/catalog/datasets', query: '?limit=2', bodyBytes: 5 });
    expect(echo.headers['x-sandbox-name']).toBe('prod');
    expect(api.acceptedTokens).toEqual([token]);
  });

  it('answers 401 for an unknown token, a token of another client and a distrusted token', async () => {
    const other = await mint('client-b', 'secret-b');
    const token = await mint('client-a', 'secret-a');
    expect((await fetch(`${api.url}/x`, { headers: adobeHeaders('not-a-token') })).status).toBe(401);
    expect((await fetch(`${api.url}/x`, { headers: adobeHeaders(other) })).status).toBe(401);
    api.distrust(token);
    const refused = await fetch(`${api.url}/x`, { headers: adobeHeaders(token) });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({ error_code: '401013', message: 'Oauth token is not valid' });
  });

  it('answers 403 for an unknown api key or the wrong org', async () => {
    const token = await mint('client-a', 'secret-a');
    expect((await fetch(`${api.url}/x`, { headers: adobeHeaders(token, 'client-b') })).status).toBe(403);
    expect((await fetch(`${api.url}/x`, { headers: adobeHeaders(token, 'client-a', 'OTHER@AdobeOrg') })).status).toBe(403);
  });

  it('streams a body of the size asked, redirects without following, sets cookies and answers any status', async () => {
    const token = await mint('client-a', 'secret-a');
    const streamed = await fetch(`${api.url}/files/stream?bytes=200000`, { headers: adobeHeaders(token) });
    expect((await streamed.arrayBuffer()).byteLength).toBe(200_000);
    const redirect = await fetch(`${api.url}/redirect`, { headers: adobeHeaders(token), redirect: 'manual' });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe('/elsewhere?from=emulator');
    expect((await fetch(`${api.url}/cookie`, { headers: adobeHeaders(token) })).headers.get('set-cookie')).toMatch(/^session=/);
    expect((await fetch(`${api.url}/a/status/503`, { headers: adobeHeaders(token) })).status).toBe(503);
  });

  it('hangs when asked to, until the caller gives up', async () => {
    const token = await mint('client-a', 'secret-a');
    await expect(fetch(`${api.url}/hang`, { headers: adobeHeaders(token), signal: AbortSignal.timeout(200) })).rejects.toThrow();
  });
});
