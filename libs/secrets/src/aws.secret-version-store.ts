import { Injectable } from '@nestjs/common';
import { AwsSecretsManagerClient, awsErrorName, PERMANENT_AWS_ERRORS } from './aws-secrets-manager.client';
import { SecretValue } from './secret-value';
import {
  type SecretVersionInfo,
  SecretVersionStore,
  SecretVersionStoreError,
  type SecretVersionValue,
  type VersionSelector,
} from './secret-version-store.port';

/** A secret with more labelled versions than this is not one the broker manages; stop paging there. */
const MAX_PAGES = 10;

/** Secrets Manager versions and staging labels, through the client shared with the secret source. */
@Injectable()
export class AwsSecretVersionStore extends SecretVersionStore {
  constructor(private readonly client: AwsSecretsManagerClient) {
    super();
  }

  async listVersions(secretId: string): Promise<readonly SecretVersionInfo[]> {
    const versions: SecretVersionInfo[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const output = await this.call('ListSecretVersionIds', () =>
        this.client.sdk().then(({ client, commands }) => client.send(new commands.ListSecretVersionIdsCommand({ SecretId: secretId, MaxResults: 100, ...(nextToken ? { NextToken: nextToken } : {}) }))),
      );
      for (const version of output.Versions ?? []) {
        if (!version.VersionId || (version.VersionStages ?? []).length === 0) continue;
        versions.push({
          versionId: version.VersionId,
          stages: version.VersionStages ?? [],
          ...(version.CreatedDate ? { createdAt: version.CreatedDate.getTime() } : {}),
        });
      }
      nextToken = output.NextToken;
      if (!nextToken) break;
    }
    return versions;
  }

  async describe(secretId: string): Promise<ReadonlyMap<string, readonly string[]>> {
    const output = await this.call('DescribeSecret', () => this.client.sdk().then(({ client, commands }) => client.send(new commands.DescribeSecretCommand({ SecretId: secretId }))));
    return new Map(Object.entries(output.VersionIdsToStages ?? {}));
  }

  async getValue(secretId: string, select: VersionSelector): Promise<SecretVersionValue | undefined> {
    const selector = 'versionId' in select ? { VersionId: select.versionId } : { VersionStage: select.stage };
    let output;
    try {
      const { client, commands } = await this.client.sdk();
      output = await client.send(new commands.GetSecretValueCommand({ SecretId: secretId, ...selector }));
    } catch (error) {
      // Not found means "no such version or label": an answer, not a failure (the secret itself must exist).
      if (awsErrorName(error) === 'ResourceNotFoundException') return undefined;
      throw storeError('GetSecretValue', error);
    }
    const text = output.SecretString ?? (output.SecretBinary ? Buffer.from(output.SecretBinary).toString('utf8') : undefined);
    if (text === undefined || !output.VersionId) throw new SecretVersionStoreError('GetSecretValue', 'EmptyValue', true);
    return {
      versionId: output.VersionId,
      stages: output.VersionStages ?? [],
      ...(output.CreatedDate ? { createdAt: output.CreatedDate.getTime() } : {}),
      value: new SecretValue(text),
    };
  }

  async putVersion(secretId: string, clientRequestToken: string, value: SecretValue, stages: readonly string[]): Promise<void> {
    await this.call('PutSecretValue', async () => {
      const { client, commands } = await this.client.sdk();
      return client.send(
        new commands.PutSecretValueCommand({ SecretId: secretId, ClientRequestToken: clientRequestToken, SecretString: value.reveal(), VersionStages: [...stages] }),
      );
    });
  }

  async moveStage(secretId: string, stage: string, toVersionId: string, fromVersionId?: string): Promise<void> {
    await this.call('UpdateSecretVersionStage', async () => {
      const { client, commands } = await this.client.sdk();
      return client.send(
        new commands.UpdateSecretVersionStageCommand({
          SecretId: secretId,
          VersionStage: stage,
          MoveToVersionId: toVersionId,
          ...(fromVersionId === undefined || fromVersionId === toVersionId ? {} : { RemoveFromVersionId: fromVersionId }),
        }),
      );
    });
  }

  async removeStage(secretId: string, stage: string, fromVersionId: string): Promise<void> {
    await this.call('UpdateSecretVersionStage', async () => {
      const { client, commands } = await this.client.sdk();
      return client.send(new commands.UpdateSecretVersionStageCommand({ SecretId: secretId, VersionStage: stage, RemoveFromVersionId: fromVersionId }));
    });
  }

  private async call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw storeError(operation, error);
    }
  }
}

function storeError(operation: string, error: unknown): SecretVersionStoreError {
  const code = awsErrorName(error);
  return new SecretVersionStoreError(operation, code, PERMANENT_AWS_ERRORS.has(code), { cause: error });
}
