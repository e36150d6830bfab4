import { AdobeConsoleClient, ConsoleApiError, type ConsoleTarget, MANAGEMENT_SCOPES } from '@broker/rotation';
import { SecretValue } from '@broker/secrets';
import { AdobeConsoleEmulator } from '../support/adobe-console-emulator';
import { ImsEmulator } from '../support/ims-emulator';

const ORG = '23294';
const CREDENTIAL = '436084';
const CLIENT = 'console-client';

describe('AdobeConsoleClient against the I/O Management API emulator (wired to the IMS emulator)', () => {
  let ims: ImsEmulator;
  let adobe: AdobeConsoleEmulator;
  const client = new AdobeConsoleClient();

  /** A token the IMS emulator issues to the client with `secret` and `scopes`. */
  async function mint(secret: string, scopes: readonly string[] = MANAGEMENT_SCOPES, clientId = CLIENT): Promise<string> {
    const response = await fetch(ims.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret, scope: scopes.join(',') }),
    });
    const body = (await response.json()) as { access_token?: string };
    if (!body.access_token) throw new Error(`IMS refused: ${JSON.stringify(body)}`);
    return body.access_token;
  }

  function target(token: string, overrides: Partial<ConsoleTarget> = {}): ConsoleTarget {
    return { consoleUrl: adobe.url, consoleOrgId: ORG, consoleCredentialId: CREDENTIAL, clientId: CLIENT, accessToken: new SecretValue(token), ...overrides };
  }

  beforeEach(async () => {
    ims = await ImsEmulator.start();
    adobe = await AdobeConsoleEmulator.start(ims);
    adobe.addCredential({ orgId: ORG, credentialId: CREDENTIAL, clientId: CLIENT, secrets: [{ value: 'first-secret', createdAt: 1_700_000_000_000 }] });
  });
  afterEach(async () => {
    await adobe.close();
    await ims.close();
  });

  it('lists, adds (the plaintext comes back once) and deletes; IMS accepts exactly the listed secrets', async () => {
    const token = await mint('first-secret');
    const [first] = await client.list(target(token));
    expect(first).toEqual({ uuid: expect.stringMatching(/^[0-9a-f]{32}$/), createdAt: 1_700_000_000_000, lastUsedAt: expect.any(Number) });

    const added = await client.add(target(token));
    expect(added.clientSecret.reveal()).toMatch(/^p8e-/);
    expect(String(added.clientSecret)).toBe('[redacted]');
    await expect(mint(added.clientSecret.reveal())).resolves.toMatch(/^eyJ/);
    const listed = await client.list(target(token));
    expect(listed.map((s) => s.uuid)).toEqual([first?.uuid, added.uuid]);
    expect(JSON.stringify(adobe.requests.filter((r) => r.action === 'list'))).not.toContain(added.clientSecret.reveal());

    await expect(client.delete(target(token), first?.uuid as string)).resolves.toBe('deleted');
    await expect(client.delete(target(token), first?.uuid as string)).resolves.toBe('absent');
    await expect(mint('first-secret')).rejects.toThrow(/invalid_client/);
    expect(adobe.requests.every((r) => r.headers['x-api-key'] === CLIENT && r.headers.authorization === `Bearer ${token}`)).toBe(true);
  });

  it('reports last_used_at from the IMS emulator, per secret', async () => {
    const token = await mint('first-secret');
    const added = await client.add(target(token));
    const before = Date.now();
    await mint(added.clientSecret.reveal(), ['openid']);
    const listed = await client.list(target(token));
    expect(listed.find((s) => s.uuid === added.uuid)?.lastUsedAt).toBeGreaterThanOrEqual(before);
    expect(listed.find((s) => s.uuid !== added.uuid)?.lastUsedAt).toBeLessThan(before);
  });

  it('refuses a third secret and the deletion of the last one', async () => {
    const token = await mint('first-secret');
    await client.add(target(token));
    await expect(client.add(target(token))).rejects.toMatchObject({ code: 'console_rejected', httpStatus: 409 });
    const only = adobe.secrets(ORG, CREDENTIAL);
    await client.delete(target(token), only[1]?.uuid as string);
    await expect(client.delete(target(token), only[0]?.uuid as string)).rejects.toMatchObject({ code: 'console_rejected', httpStatus: 400 });
  });

  it.each([
    ['no valid bearer token', (t: string) => target(`${t}x`), 401],
    ['an API key of another client', (t: string) => target(t, { clientId: 'someone-else' }), 403],
  ])('rejects %s', async (_what, make, status) => {
    const token = await mint('first-secret');
    const error = await client.list(make(token)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConsoleApiError);
    expect(error).toMatchObject({ code: 'console_rejected', httpStatus: status });
    expect((error as Error).message).toContain(String(status));
  });

  it('rejects a token without the management scopes', async () => {
    const token = await mint('first-secret', ['openid', 'AdobeID']);
    await expect(client.list(target(token))).rejects.toMatchObject({ code: 'console_rejected', httpStatus: 403 });
  });

  it('maps outages and nonsense to typed errors, never quoting the body', async () => {
    const token = await mint('first-secret');
    adobe.failNext(1, '503');
    await expect(client.list(target(token))).rejects.toMatchObject({ code: 'console_unavailable', retryable: true });
    adobe.failNext(1, 'reset');
    await expect(client.list(target(token))).rejects.toMatchObject({ code: 'console_unavailable' });
    adobe.failNext(1, 'garbage');
    const error = await client.list(target(token)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'console_bad_response' });
    expect((error as Error).message).not.toContain('oops');
    await expect(client.list(target(token, { consoleUrl: 'http://127.0.0.1:1' }))).rejects.toMatchObject({ code: 'console_unavailable' });
  });
});
