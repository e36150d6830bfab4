import { CLIENT_ID_PATTERN, CONFIG_DEFAULTS, ID_PATTERN, MESSAGES, ORG_ID_PATTERN } from './config.constants';
import { matching } from './field.rules';
import { imsUrl } from './ims-url.rule';
import type { MappingReader } from './mapping.reader';

/** The fields every Adobe IMS credential starts with, whatever its grant. */
export interface AdobeIdentity {
  readonly id: string;
  readonly imsUrl: string;
  readonly clientId: string;
  readonly orgId: string;
}

/** Reads `id`, `imsUrl`, `clientId` and `orgId` (in that order); undefined when any is invalid (issues recorded). */
export function readAdobeIdentity(r: MappingReader): AdobeIdentity | undefined {
  const id = r.required('id', matching(ID_PATTERN, MESSAGES.id));
  const url = r.optional('imsUrl', imsUrl, CONFIG_DEFAULTS.imsUrl);
  const clientId = r.required('clientId', matching(CLIENT_ID_PATTERN, MESSAGES.clientId));
  const orgId = r.required('orgId', matching(ORG_ID_PATTERN, MESSAGES.orgId));
  if (id === undefined || url === undefined || clientId === undefined || orgId === undefined) return undefined;
  return { id, imsUrl: url, clientId, orgId };
}
