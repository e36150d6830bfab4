import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
  paginateListSecretVersionIds,
} from '@aws-sdk/client-secrets-manager';
import type { SecretsManagerClientConfig } from '@aws-sdk/client-secrets-manager';
import { randomUUID } from 'node:crypto';
import { AWSCURRENT, AWSPENDING, AWSPREVIOUS, SecretsManagerEmulator } from './secrets-manager-emulator';

describe('SecretsManagerEmulator with the real AWS SDK v3 client', () => {
  let sm: SecretsManagerEmulator;
  let client: SecretsManagerClient;
  const clients: SecretsManagerClient[] = [];

  function newClient(extra: Partial<SecretsManagerClientConfig> = {}): SecretsManagerClient {
    const c = new SecretsManagerClient({
      endpoint: sm.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      ...extra,
    });
    clients.push(c);
    return c;
  }

  beforeAll(async () => {
    sm = await SecretsManagerEmulator.start();
    client = newClient();
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await sm.close();
  });
  beforeEach(() => {
    sm.reset();
    sm.clearSecrets();
  });

  it('CreateSecret then GetSecretValue returns the AWSCURRENT version', async () => {
    const created = await client.send(new CreateSecretCommand({ Name: 'adobe/client-a', SecretString: '{"client_secret":"s1"}' }));
    expect(created.ARN).toMatch(/^arn:aws:secretsmanager:us-east-1:123456789012:secret:adobe\/client-a-[A-Za-z0-9]{6}$/);
    expect(created.VersionId).toMatch(/^[0-9a-f-]{36}$/); // the SDK filled ClientRequestToken with a UUID

    const got = await client.send(new GetSecretValueCommand({ SecretId: 'adobe/client-a' }));
    expect(got).toMatchObject({
      ARN: created.ARN,
      Name: 'adobe/client-a',
      VersionId: created.VersionId,
      SecretString: '{"client_secret":"s1"}',
      VersionStages: [AWSCURRENT],
    });
    expect(typeof got.CreatedDate?.getTime()).toBe('number');
    expect(Math.abs((got.CreatedDate?.getTime() ?? 0) - Date.now())).toBeLessThan(5000);
    expect(got.$metadata.httpStatusCode).toBe(200);
    expect(sm.callsByAction).toEqual({ CreateSecret: 1, GetSecretValue: 1 });
    expect(sm.requests[1]?.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(sm.requests[1]?.headers['authorization']).toMatch(/^AWS4-HMAC-SHA256 /);
  });

  it('finds secrets by name, full ARN and partial ARN; seeds bypass HTTP', async () => {
    const { arn, versionId } = sm.putSecret('seeded', 'v1');
    expect(sm.calls).toBe(0);
    for (const SecretId of ['seeded', arn, arn.slice(0, -7)]) {
      const got = await client.send(new GetSecretValueCommand({ SecretId }));
      expect(got.VersionId).toBe(versionId);
    }
  });

  it('maps a missing secret to a typed ResourceNotFoundException', async () => {
    const err: unknown = await client.send(new GetSecretValueCommand({ SecretId: 'nope' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResourceNotFoundException);
    expect(err).toMatchObject({
      name: 'ResourceNotFoundException',
      message: "Secrets Manager can't find the specified secret.",
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('reads by VersionStage and VersionId; a missing label is ResourceNotFoundException', async () => {
    const first = sm.putSecret('s', 'v1');
    const second = sm.putSecret('s', 'v2');
    const previous = await client.send(new GetSecretValueCommand({ SecretId: 's', VersionStage: AWSPREVIOUS }));
    expect(previous).toMatchObject({ VersionId: first.versionId, SecretString: 'v1', VersionStages: [AWSPREVIOUS] });
    const byId = await client.send(new GetSecretValueCommand({ SecretId: 's', VersionId: second.versionId }));
    expect(byId.SecretString).toBe('v2');
    await expect(client.send(new GetSecretValueCommand({ SecretId: 's', VersionStage: AWSPENDING }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  describe('PutSecretValue', () => {
    it('moves AWSCURRENT to the new version and AWSPREVIOUS to the old current', async () => {
      const v1 = sm.putSecret('s', 'one').versionId;
      const v2 = (await client.send(new PutSecretValueCommand({ SecretId: 's', SecretString: 'two' }))).VersionId;
      const v3 = (await client.send(new PutSecretValueCommand({ SecretId: 's', SecretString: 'three' }))).VersionId;
      expect(sm.getCurrent('s')).toBe('three');
      expect(sm.versions('s').map((v) => [v.versionId, v.stages])).toEqual([
        [v1, []], // deprecated, but kept
        [v2, [AWSPREVIOUS]],
        [v3, [AWSCURRENT]],
      ]);
    });

    it('is a no-op when retried with the same token and value', async () => {
      sm.putSecret('s', 'one');
      const token = randomUUID();
      const put = () =>
        client.send(new PutSecretValueCommand({ SecretId: 's', SecretString: 'two', ClientRequestToken: token, VersionStages: [AWSPENDING] }));
      const a = await put();
      const b = await put();
      expect(a.VersionId).toBe(token);
      expect(b.VersionId).toBe(token);
      expect(b.VersionStages).toEqual([AWSPENDING]);
      expect(sm.versions('s')).toHaveLength(2);
      expect(sm.getCurrent('s')).toBe('one');
    });

    it('rejects the same token with a different value as ResourceExistsException', async () => {
      sm.putSecret('s', 'one');
      const token = randomUUID();
      await client.send(new PutSecretValueCommand({ SecretId: 's', SecretString: 'two', ClientRequestToken: token }));
      const err: unknown = await client
        .send(new PutSecretValueCommand({ SecretId: 's', SecretString: 'other', ClientRequestToken: token }))
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ResourceExistsException);
      expect(sm.getCurrent('s')).toBe('two');
      expect(sm.versions('s')).toHaveLength(2);
    });
  });

  describe('UpdateSecretVersionStage (the rotation finish step)', () => {
    it('requires RemoveFromVersionId, then moves AWSCURRENT and AWSPREVIOUS together', async () => {
      sm.putSecret('s', 'old-previous');
      const current = sm.putSecret('s', 'current').versionId;
      const pending = sm.putSecret('s', 'pending', { stages: [AWSPENDING] }).versionId;

      await expect(
        client.send(new UpdateSecretVersionStageCommand({ SecretId: 's', VersionStage: AWSCURRENT, MoveToVersionId: pending })),
      ).rejects.toMatchObject({ name: 'InvalidParameterException' });
      await expect(
        client.send(
          new UpdateSecretVersionStageCommand({ SecretId: 's', VersionStage: AWSCURRENT, MoveToVersionId: pending, RemoveFromVersionId: pending }),
        ),
      ).rejects.toMatchObject({ name: 'InvalidParameterException' });
      expect(sm.getCurrent('s')).toBe('current'); // failed calls changed nothing

      await client.send(
        new UpdateSecretVersionStageCommand({ SecretId: 's', VersionStage: AWSCURRENT, MoveToVersionId: pending, RemoveFromVersionId: current }),
      );
      expect(sm.getCurrent('s')).toBe('pending');
      const stages = Object.fromEntries(sm.versions('s').map((v) => [v.secretString, v.stages.sort()]));
      expect(stages).toEqual({ 'old-previous': [], current: [AWSPREVIOUS], pending: [AWSCURRENT, AWSPENDING].sort() });

      // Removing a label: only RemoveFromVersionId.
      await client.send(new UpdateSecretVersionStageCommand({ SecretId: 's', VersionStage: AWSPENDING, RemoveFromVersionId: pending }));
      const described = await client.send(new DescribeSecretCommand({ SecretId: 's' }));
      expect(described.VersionIdsToStages).toEqual({ [current]: [AWSPREVIOUS], [pending]: [AWSCURRENT] });
      expect(described.RotationEnabled).toBe(false);
      expect(described.LastChangedDate).toBeDefined();
    });

    it('refuses to remove AWSCURRENT without moving it', async () => {
      const v = sm.putSecret('s', 'x').versionId;
      await expect(
        client.send(new UpdateSecretVersionStageCommand({ SecretId: 's', VersionStage: AWSCURRENT, RemoveFromVersionId: v })),
      ).rejects.toMatchObject({ name: 'InvalidParameterException' });
    });
  });

  it('ListSecretVersionIds hides deprecated versions unless IncludeDeprecated, and paginates', async () => {
    sm.putSecret('s', 'a');
    sm.putSecret('s', 'b');
    sm.putSecret('s', 'c');
    const labelled = await client.send(new ListSecretVersionIdsCommand({ SecretId: 's' }));
    expect(labelled.Versions?.map((v) => v.VersionStages)).toEqual([[AWSPREVIOUS], [AWSCURRENT]]);
    expect(labelled.Versions?.[0]?.CreatedDate).toBeDefined();

    const ids: string[] = [];
    for await (const page of paginateListSecretVersionIds({ client, pageSize: 1 }, { SecretId: 's', IncludeDeprecated: true })) {
      for (const v of page.Versions ?? []) ids.push(v.VersionId ?? '');
    }
    expect(ids).toEqual(sm.versions('s').map((v) => v.versionId));
    expect(sm.callsByAction['ListSecretVersionIds']).toBe(4); // 1 + three pages of one
  });

  describe('faults', () => {
    it('throttling surfaces as a typed ThrottlingException', async () => {
      sm.putSecret('s', 'x');
      sm.mode = 'throttle';
      const once = newClient({ maxAttempts: 1 });
      await expect(once.send(new GetSecretValueCommand({ SecretId: 's' }))).rejects.toMatchObject({
        name: 'ThrottlingException',
        $metadata: { httpStatusCode: 400 },
      });
      expect(sm.callsByAction['GetSecretValue']).toBe(1);
    });

    it('the SDK retries a throttled call and then succeeds', async () => {
      sm.putSecret('s', 'x');
      sm.failNext(1, 'throttle');
      const got = await client.send(new GetSecretValueCommand({ SecretId: 's' }));
      expect(got.SecretString).toBe('x');
      expect(got.$metadata.attempts).toBe(2);
    });

    it('unavailable mode: 503, thrown after the SDK gives up', async () => {
      sm.putSecret('s', 'x');
      sm.mode = 'unavailable';
      const once = newClient({ maxAttempts: 1 });
      await expect(once.send(new GetSecretValueCommand({ SecretId: 's' }))).rejects.toMatchObject({
        $metadata: { httpStatusCode: 503 },
      });
      expect(sm.callsByAction['GetSecretValue']).toBe(1);

      await expect(client.send(new GetSecretValueCommand({ SecretId: 's' }))).rejects.toMatchObject({
        $metadata: { httpStatusCode: 503, attempts: 3 },
      });
      expect(sm.callsByAction['GetSecretValue']).toBe(4);
    });

    it('reset drops the connection', async () => {
      sm.putSecret('s', 'x');
      sm.failNext(1, 'reset');
      const once = newClient({ maxAttempts: 1 });
      // Under Jest the socket error comes from Node's realm, fails the SDK's `instanceof Error`
      // and is re-wrapped ("AWS SDK error wrapper for TimeoutError: read ECONNRESET"): match the text.
      await expect(once.send(new GetSecretValueCommand({ SecretId: 's' }))).rejects.toThrow(/ECONNRESET/);
      expect(sm.requests[0]?.status).toBeUndefined();
    });

    it('slow requests trip the client request timeout', async () => {
      sm.putSecret('s', 'x');
      sm.failNext(1, 'slow');
      sm.slowMs = 3000;
      // Without throwOnRequestTimeout, current @smithy/node-http-handler only logs a warning and keeps waiting.
      const impatient = newClient({ maxAttempts: 1, requestHandler: { requestTimeout: 200, throwOnRequestTimeout: true } });
      const started = Date.now();
      await expect(impatient.send(new GetSecretValueCommand({ SecretId: 's' }))).rejects.toMatchObject({ name: 'TimeoutError' });
      expect(Date.now() - started).toBeLessThan(2000);
    });
  });

  it('honours AWS_ENDPOINT_URL_SECRETS_MANAGER instead of the endpoint option', async () => {
    sm.putSecret('via-env', 'x');
    const saved = process.env['AWS_ENDPOINT_URL_SECRETS_MANAGER'];
    process.env['AWS_ENDPOINT_URL_SECRETS_MANAGER'] = sm.url;
    try {
      const viaEnv = new SecretsManagerClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
      clients.push(viaEnv);
      expect((await viaEnv.send(new GetSecretValueCommand({ SecretId: 'via-env' }))).SecretString).toBe('x');
    } finally {
      if (saved === undefined) delete process.env['AWS_ENDPOINT_URL_SECRETS_MANAGER'];
      else process.env['AWS_ENDPOINT_URL_SECRETS_MANAGER'] = saved;
    }
  });

  it('rejects unsigned requests like AWS does', async () => {
    const res = await fetch(sm.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'secretsmanager.GetSecretValue' },
      body: '{"SecretId":"s"}',
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(await res.json()).toMatchObject({ __type: 'MissingAuthenticationTokenException' });
  });
});
