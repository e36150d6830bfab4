import {
  CLIENT_ID_PATTERN,
  CONFIG_DEFAULTS,
  HEADER_PLACEHOLDERS,
  ID_PATTERN,
  MESSAGES,
  METASCOPE_PATTERN,
  ORG_ID_PATTERN,
  TECHNICAL_ACCOUNT_ID_PATTERN,
} from './config.constants';
import type { AdobeImsJwtCredential } from './broker-config.interface';
import { listOf, matching } from './field.rules';
import { headerTemplates } from './header-templates.rule';
import { imsUrl } from './ims-url.rule';
import type { Variant } from './mapping.reader';
import { secretRef, type ReadContext } from './secret-ref.reader';

/** `provider: adobe-ims-jwt`: Adobe's legacy Service Account (JWT) credential. */
export const ADOBE_IMS_JWT_CREDENTIAL: Variant<AdobeImsJwtCredential, ReadContext> = {
  keys: ['id', 'imsUrl', 'clientId', 'orgId', 'technicalAccountId', 'metascopes', 'secret', 'headers'],
  read(r, context) {
    const id = r.required('id', matching(ID_PATTERN, MESSAGES.id));
    const url = r.optional('imsUrl', imsUrl, CONFIG_DEFAULTS.imsUrl);
    const clientId = r.required('clientId', matching(CLIENT_ID_PATTERN, MESSAGES.clientId));
    const orgId = r.required('orgId', matching(ORG_ID_PATTERN, MESSAGES.orgId));
    const technicalAccountId = r.required('technicalAccountId', matching(TECHNICAL_ACCOUNT_ID_PATTERN, MESSAGES.technicalAccountId));
    const metascopes = r.required(
      'metascopes',
      listOf(matching(METASCOPE_PATTERN, MESSAGES.metascope), { nonEmpty: true, unique: true }),
    );
    const secret = r.required('secret', secretRef(context));
    const headers = r.optional('headers', headerTemplates(HEADER_PLACEHOLDERS.adobe), undefined);
    if (r.raw('headers') !== undefined && headers === undefined) return undefined;
    if (
      id === undefined ||
      url === undefined ||
      clientId === undefined ||
      orgId === undefined ||
      technicalAccountId === undefined ||
      metascopes === undefined ||
      secret === undefined
    ) {
      return undefined;
    }
    return {
      id,
      provider: 'adobe-ims-jwt',
      imsUrl: url,
      clientId,
      orgId,
      technicalAccountId,
      metascopes,
      secret,
      ...(headers ? { headers } : {}),
    };
  },
};
