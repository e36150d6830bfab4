import { z } from 'zod';
import { HEADER_PLACEHOLDERS, MESSAGES, METASCOPE_PATTERN, TECHNICAL_ACCOUNT_ID_PATTERN } from '../config.constants';
import { ADOBE_IDENTITY } from './adobe-identity.schema';
import { listOf, mapping, text } from './field.schemas';
import { headerTemplates } from './header-templates.schema';
import { proxySettings } from './proxy.schema';
import { secretRef } from './secret-ref.schema';

/** `provider: adobe-ims-jwt`: Adobe's legacy Service Account (JWT) credential. */
export const adobeImsJwtCredential = mapping({
  provider: z.literal('adobe-ims-jwt'),
  ...ADOBE_IDENTITY,
  technicalAccountId: text(TECHNICAL_ACCOUNT_ID_PATTERN, MESSAGES.technicalAccountId),
  metascopes: listOf(text(METASCOPE_PATTERN, MESSAGES.metascope), { nonEmpty: true, unique: true }),
  secret: secretRef.meta({ description: 'JSON with client_secret and private_key (PEM), optionally certificate' }),
  headers: headerTemplates(HEADER_PLACEHOLDERS.adobe).optional(),
  proxy: proxySettings.optional(),
});
