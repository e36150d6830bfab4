import {
  CLIENT_ID_PATTERN,
  CONFIG_DEFAULTS,
  HEADER_PLACEHOLDERS,
  ID_PATTERN,
  MESSAGES,
  ORG_ID_PATTERN,
  SCOPE_PATTERN,
} from './config.constants';
import type { AdobeImsCredential } from './broker-config.interface';
import { listOf, matching } from './field.rules';
import { headerTemplates } from './header-templates.rule';
import { imsUrl } from './ims-url.rule';
import type { Variant } from './mapping.reader';
import { rotationSettings } from './rotation.reader';
import { secretRef, type ReadContext } from './secret-ref.reader';

/** `provider: adobe-ims`: an OAuth Server-to-Server credential of Adobe IMS. */
export const ADOBE_IMS_CREDENTIAL: Variant<AdobeImsCredential, ReadContext> = {
  keys: ['id', 'imsUrl', 'clientId', 'orgId', 'scopes', 'secret', 'headers', 'rotation'],
  read(r, context) {
    const id = r.required('id', matching(ID_PATTERN, MESSAGES.id));
    const url = r.optional('imsUrl', imsUrl, CONFIG_DEFAULTS.imsUrl);
    const clientId = r.required('clientId', matching(CLIENT_ID_PATTERN, MESSAGES.clientId));
    const orgId = r.required('orgId', matching(ORG_ID_PATTERN, MESSAGES.orgId));
    const scopes = r.required('scopes', listOf(matching(SCOPE_PATTERN, MESSAGES.scope), { nonEmpty: true, unique: true }));
    const secret = r.required('secret', secretRef(context));
    const headers = r.optional('headers', headerTemplates(HEADER_PLACEHOLDERS.adobe), undefined);
    if (r.raw('headers') !== undefined && headers === undefined) return undefined;
    const rotation = r.optional('rotation', rotationSettings(secret), undefined);
    if (r.raw('rotation') !== undefined && rotation === undefined) return undefined;
    if (
      id === undefined ||
      url === undefined ||
      clientId === undefined ||
      orgId === undefined ||
      scopes === undefined ||
      secret === undefined
    ) {
      return undefined;
    }
    return { id, provider: 'adobe-ims', imsUrl: url, clientId, orgId, scopes, secret, ...(headers ? { headers } : {}), ...(rotation ? { rotation } : {}) };
  },
};
