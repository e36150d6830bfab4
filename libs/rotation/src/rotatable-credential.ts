import type { AdobeImsCredential, CredentialConfig, RotationConfig } from '@broker/config';

/** An adobe-ims credential with rotation settings and its secret in Secrets Manager (the config lib checks both). */
export type RotatableCredential = AdobeImsCredential & {
  readonly rotation: RotationConfig;
  readonly secret: { readonly source: 'aws'; readonly secretId: string; readonly versionStage: string };
};

/** The credential narrowed to a rotatable one, or undefined. */
export function asRotatable(credential: CredentialConfig | undefined): RotatableCredential | undefined {
  if (credential?.provider !== 'adobe-ims' || !credential.rotation || credential.secret.source !== 'aws') return undefined;
  return credential as RotatableCredential;
}
