import { z } from 'zod';
import { HEADER_PLACEHOLDERS, MESSAGES, SCOPE_PATTERN } from '../config.constants';
import { ADOBE_IDENTITY } from './adobe-identity.schema';
import { hasIssueAt, isMapping, listOf, mapping, text } from './field.schemas';
import { headerTemplates } from './header-templates.schema';
import { proxySettings } from './proxy.schema';
import { rotationSettings } from './rotation.schema';
import { secretRef } from './secret-ref.schema';

/** `provider: adobe-ims`: an OAuth Server-to-Server credential of Adobe IMS. */
export const adobeImsCredential = mapping({
  provider: z.literal('adobe-ims'),
  ...ADOBE_IDENTITY,
  scopes: listOf(text(SCOPE_PATTERN, MESSAGES.scope), { nonEmpty: true, unique: true }),
  secret: secretRef,
  headers: headerTemplates(HEADER_PLACEHOLDERS.adobe).optional(),
  proxy: proxySettings.optional(),
  rotation: rotationSettings.optional().meta({ description: 'client-secret rotation through the Adobe I/O Management API' }),
}).check(
  // Rotation moves versions in Secrets Manager. A wrong source is reported once, on `rotation` itself:
  // that is the line to change or remove.
  z.superRefine(
    (credential, ctx) => {
      if (!isMapping(credential.rotation) || hasIssueAt(ctx, 'secret')) return;
      const { secret } = credential;
      if (secret.source !== 'aws') ctx.addIssue({ code: 'custom', message: MESSAGES.rotationNeedsAws, path: ['rotation'] });
      else if (secret.versionStage !== 'AWSCURRENT') ctx.addIssue({ code: 'custom', message: MESSAGES.rotationNeedsCurrent, path: ['rotation'] });
    },
    { when: (payload) => isMapping(payload.value) },
  ),
);
