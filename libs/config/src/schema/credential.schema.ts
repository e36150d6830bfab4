import { adobeImsJwtCredential } from './adobe-ims-jwt.schema';
import { adobeImsCredential } from './adobe-ims.schema';
import { oauth2Credential } from './oauth2.schema';
import { taggedUnion } from './tagged-union.schema';

// Adding a provider: a schema file like adobe-ims.schema.ts (with `provider` first) and an entry here;
// the CredentialConfig type follows, and every `switch` over `provider` stops compiling until it is handled.
/** One entry of `credentials:`, selected by its `provider`. */
export const credential = taggedUnion('provider', [adobeImsCredential, adobeImsJwtCredential, oauth2Credential]);
