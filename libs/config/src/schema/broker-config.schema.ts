import type { z } from 'zod';
import { caller } from './caller.schema';
import { credential } from './credential.schema';
import { listOf, mapping } from './field.schemas';
import { jwtIssuer } from './issuer.schema';
import { secretsPolicy, tokenPolicy } from './policy.schema';
import { rateLimitsPolicy } from './rate-limit.schema';

/**
 * broker.yaml, described once: validation, the TypeScript types (broker-config.types.ts) and the JSON
 * Schema for editors (config/broker.schema.json, `npm run schema`) all come from here. Adding a key is
 * adding it to the section's schema; docs/configuration.md says how.
 *
 * Rules that span sections (ids unique, callers naming configured credentials and trusted issuers) are
 * in rules/, as they cannot be said in JSON Schema and must see entries that fail their own rules.
 */
export const brokerConfigSchema = mapping({
  // Empty or absent lists are valid: a broker with no callers serves nobody, a legitimate boot state.
  credentials: listOf(credential).prefault([]).meta({ description: 'upstream OAuth clients the broker mints tokens for' }),
  callers: listOf(caller).prefault([]).meta({ description: 'who may fetch which tokens' }),
  tokens: tokenPolicy.prefault({}).meta({ description: 'when tokens are refreshed and how upstreams are called' }),
  secrets: secretsPolicy.prefault({}),
  issuers: listOf(jwtIssuer).prefault([]).meta({ description: 'trusted issuers of workload JWTs, for callers with jwtSubject' }),
  rateLimits: rateLimitsPolicy.prefault({}),
});

/** The section names, in the order issues are grouped in. */
export const SECTIONS = Object.keys(brokerConfigSchema.shape);

/** What the schema yields, before the assembly that resolves callers' issuers and anchors secret files. */
export type ParsedBrokerConfig = z.output<typeof brokerConfigSchema>;
