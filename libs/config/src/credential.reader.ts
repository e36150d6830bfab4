import type { CredentialConfig } from './broker-config.interface';
import { ADOBE_IMS_CREDENTIAL } from './adobe-ims-credential.reader';
import { ADOBE_IMS_JWT_CREDENTIAL } from './adobe-ims-jwt-credential.reader';
import type { Rule } from './field.rules';
import { MappingReader, readVariant, type Variant } from './mapping.reader';
import { OAUTH2_CREDENTIAL } from './oauth2-credential.reader';
import type { ReadContext } from './secret-ref.reader';

// Adding a provider: a reader file like adobe-ims-credential.reader.ts, a member of
// CredentialConfig, and an entry here (the Record type refuses to compile until it exists).
const CREDENTIAL_PROVIDERS: Readonly<Record<CredentialConfig['provider'], Variant<CredentialConfig, ReadContext>>> = {
  'adobe-ims': ADOBE_IMS_CREDENTIAL,
  'adobe-ims-jwt': ADOBE_IMS_JWT_CREDENTIAL,
  oauth2: OAUTH2_CREDENTIAL,
};

/** Rule for one entry of `credentials:`, dispatched on its `provider`. */
export function credential(context: ReadContext): Rule<CredentialConfig> {
  return (value, path, issues) => {
    const reader = MappingReader.open(value, path, issues);
    return reader && readVariant(reader, 'provider', CREDENTIAL_PROVIDERS, context);
  };
}
