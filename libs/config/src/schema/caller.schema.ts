import { z } from 'zod';
import { CREDENTIAL_GLOB_PATTERN, ID_PATTERN, MESSAGES, SHA256_HEX_PATTERN } from '../config.constants';
import { hasIssueAt, listOf, mapping, oneOf, text } from './field.schemas';
import { jwtClaim } from './issuer.schema';
import { rateLimit } from './rate-limit.schema';
import { certificateIdentities } from './certificate-identity.schema';

/** Roles beyond fetching tokens; `admin` opens the /admin endpoints. */
export const CALLER_ROLES = ['admin'] as const;

/** A credential id, a glob such as `aep-*`, or `*` alone. Whether exact ids exist is a cross-reference rule. */
const credentialGrant = text(CREDENTIAL_GLOB_PATTERN, MESSAGES.credentialGrant);

/**
 * One entry of `callers:`. Which issuer a `jwtSubject` belongs to, and whether exact credential ids
 * exist, depend on other sections: see rules/. The issuer is filled in when the config is assembled.
 */
export const caller = mapping({
  id: text(ID_PATTERN, MESSAGES.id),
  apiKeySha256: text(SHA256_HEX_PATTERN, MESSAGES.apiKeySha256)
    .optional()
    .meta({ description: 'hex SHA-256 of the caller API key (never the key itself)' }),
  jwtSubject: jwtClaim.optional().meta({ description: 'the sub claim of the workload JWT, e.g. system:serviceaccount:<ns>:<name>' }),
  issuer: jwtClaim.optional().meta({ description: 'the issuer of jwtSubject; needed when several issuers are configured' }),
  certificate: certificateIdentities.optional(),
  credentials: listOf(credentialGrant, { unique: true })
    .optional()
    .meta({ description: "credential ids, patterns such as aep-*, or '*' for all" }),
  roles: listOf(oneOf(CALLER_ROLES), { unique: true }).prefault([]),
  rateLimit: rateLimit.optional().meta({ description: 'the caller own bucket; absent means rateLimits.default' }),
})
  .check(
    z.superRefine(
      (entry, ctx) => {
        // A caller may carry several identities (an API key while it moves to mTLS, say), but needs one.
        const identities = [entry.apiKeySha256, entry.jwtSubject, entry.certificate].filter((value) => value !== undefined).length;
        const failedIdentity = hasIssueAt(ctx, 'apiKeySha256') || hasIssueAt(ctx, 'jwtSubject') || hasIssueAt(ctx, 'certificate');
        if (identities === 0 && !failedIdentity) ctx.addIssue({ code: 'custom', message: MESSAGES.callerIdentity, path: [] });
        if (entry.jwtSubject === undefined && entry.issuer !== undefined) ctx.addIssue({ code: 'custom', message: MESSAGES.callerIssuerWithoutJwt, path: ['issuer'] });
        // An admin-only caller (operators, CI) needs no credential; everyone else must be granted something.
        if (hasIssueAt(ctx, 'roles') || hasIssueAt(ctx, 'credentials') || entry.roles.includes('admin')) return;
        if (entry.credentials === undefined) ctx.addIssue({ code: 'custom', message: MESSAGES.required, path: ['credentials'] });
        else if (entry.credentials.length === 0) ctx.addIssue({ code: 'custom', message: MESSAGES.emptyList, path: ['credentials'] });
      },
      { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
    ),
  )
  .transform(({ id, apiKeySha256, jwtSubject, issuer, certificate, credentials = [], roles, rateLimit: limit }) => ({
    id,
    credentials,
    roles,
    ...(limit !== undefined && { rateLimit: limit }),
    ...(apiKeySha256 !== undefined && { apiKeySha256: apiKeySha256.toLowerCase() }),
    ...(jwtSubject !== undefined && { jwt: { subject: jwtSubject, ...(issuer !== undefined && { issuer }) } }),
    ...(certificate !== undefined && { certificates: certificate }),
  }));
