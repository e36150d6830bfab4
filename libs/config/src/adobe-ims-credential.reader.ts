import { HEADER_PLACEHOLDERS, MESSAGES, SCOPE_PATTERN } from './config.constants';
import { readAdobeIdentity } from './adobe-identity.reader';
import type { AdobeImsCredential } from './broker-config.interface';
import { listOf, matching } from './field.rules';
import { headerTemplates } from './header-templates.rule';
import type { Variant } from './mapping.reader';
import { rotationSettings } from './rotation.reader';
import { optionalProxy } from './proxy.reader';
import { secretRef, type ReadContext } from './secret-ref.reader';

/** `provider: adobe-ims`: an OAuth Server-to-Server credential of Adobe IMS. */
export const ADOBE_IMS_CREDENTIAL: Variant<AdobeImsCredential, ReadContext> = {
  keys: ['id', 'imsUrl', 'clientId', 'orgId', 'scopes', 'secret', 'headers', 'rotation', 'proxy'],
  read(r, context) {
    const identity = readAdobeIdentity(r);
    const scopes = r.required('scopes', listOf(matching(SCOPE_PATTERN, MESSAGES.scope), { nonEmpty: true, unique: true }));
    const secret = r.required('secret', secretRef(context));
    const headers = r.optional('headers', headerTemplates(HEADER_PLACEHOLDERS.adobe), undefined);
    if (r.raw('headers') !== undefined && headers === undefined) return undefined;
    const rotation = r.optional('rotation', rotationSettings(secret), undefined);
    if (r.raw('rotation') !== undefined && rotation === undefined) return undefined;
    const proxy = optionalProxy(r);
    if (identity === undefined || scopes === undefined || secret === undefined || proxy === undefined) return undefined;
    return { ...identity, provider: 'adobe-ims', scopes, secret, ...(headers ? { headers } : {}), ...(rotation ? { rotation } : {}), ...(proxy ? { proxy } : {}) };
  },
};
