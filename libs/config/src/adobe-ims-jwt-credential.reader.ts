import { HEADER_PLACEHOLDERS, MESSAGES, METASCOPE_PATTERN, TECHNICAL_ACCOUNT_ID_PATTERN } from './config.constants';
import { readAdobeIdentity } from './adobe-identity.reader';
import type { AdobeImsJwtCredential } from './broker-config.interface';
import { listOf, matching } from './field.rules';
import { headerTemplates } from './header-templates.rule';
import type { Variant } from './mapping.reader';
import { optionalProxy } from './proxy.reader';
import { secretRef, type ReadContext } from './secret-ref.reader';

/** `provider: adobe-ims-jwt`: Adobe's legacy Service Account (JWT) credential. */
export const ADOBE_IMS_JWT_CREDENTIAL: Variant<AdobeImsJwtCredential, ReadContext> = {
  keys: ['id', 'imsUrl', 'clientId', 'orgId', 'technicalAccountId', 'metascopes', 'secret', 'headers', 'proxy'],
  read(r, context) {
    const identity = readAdobeIdentity(r);
    const technicalAccountId = r.required('technicalAccountId', matching(TECHNICAL_ACCOUNT_ID_PATTERN, MESSAGES.technicalAccountId));
    const metascopes = r.required(
      'metascopes',
      listOf(matching(METASCOPE_PATTERN, MESSAGES.metascope), { nonEmpty: true, unique: true }),
    );
    const secret = r.required('secret', secretRef(context));
    const headers = r.optional('headers', headerTemplates(HEADER_PLACEHOLDERS.adobe), undefined);
    if (r.raw('headers') !== undefined && headers === undefined) return undefined;
    const proxy = optionalProxy(r);
    if (identity === undefined || technicalAccountId === undefined || metascopes === undefined || secret === undefined || proxy === undefined) return undefined;
    return {
      ...identity,
      provider: 'adobe-ims-jwt',
      technicalAccountId,
      metascopes,
      secret,
      ...(headers ? { headers } : {}),
      ...(proxy ? { proxy } : {}),
    };
  },
};
