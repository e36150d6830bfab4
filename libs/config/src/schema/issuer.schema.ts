import { z } from 'zod';
import { DEFAULT_JWT_ALGORITHMS, JWT_ALGORITHMS, JWT_CLAIM_PATTERN, MESSAGES } from '../config.constants';
import { errorFor, listOf, mapping, text } from './field.schemas';
import { jwksUri } from './upstream-url.schemas';

/** `iss`, `aud` and `sub` values. */
export const jwtClaim = text(JWT_CLAIM_PATTERN, MESSAGES.jwtClaim);

const algorithm = z.enum(JWT_ALGORITHMS, { error: errorFor(MESSAGES.jwtAlgorithm) });

/** One entry of `issuers:`, a trusted issuer of workload JWTs (e.g. a Kubernetes API server). */
export const jwtIssuer = mapping({
  issuer: jwtClaim.meta({ description: 'the exact iss claim' }),
  jwksUri,
  audience: jwtClaim.meta({ description: 'the required aud claim' }),
  algorithms: listOf(algorithm, { nonEmpty: true, unique: true })
    .prefault([...DEFAULT_JWT_ALGORITHMS])
    .meta({ description: "allow-list; the token's alg header is never trusted beyond it" }),
});
