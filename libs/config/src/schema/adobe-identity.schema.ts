import { CLIENT_ID_PATTERN, CONFIG_DEFAULTS, ID_PATTERN, MESSAGES, ORG_ID_PATTERN } from '../config.constants';
import { text } from './field.schemas';
import { imsUrl } from './upstream-url.schemas';

/** A credential's `id`, which callers name in their grants. */
export const credentialId = text(ID_PATTERN, MESSAGES.id).meta({ description: 'unique; 1-64 characters of A-Z a-z 0-9 . _ -' });

export const clientId = text(CLIENT_ID_PATTERN, MESSAGES.clientId).meta({ description: 'the OAuth client id' });

/** The fields every Adobe IMS credential starts with (after `provider`), whatever its grant. */
export const ADOBE_IDENTITY = {
  id: credentialId,
  imsUrl: imsUrl.prefault(CONFIG_DEFAULTS.imsUrl),
  clientId,
  orgId: text(ORG_ID_PATTERN, MESSAGES.orgId).meta({ description: 'the IMS organization id, ending with @AdobeOrg' }),
} as const;
