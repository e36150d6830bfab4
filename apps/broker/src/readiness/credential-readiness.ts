import type { ComponentReport } from './readiness.report';

/** What the broker knows about one credential, as readiness needs it. */
export interface CredentialFacts {
  readonly id: string;
  /** A valid token is held by this instance. */
  readonly tokenHeld: boolean;
  /** A client secret is at hand (read now or cached). */
  readonly secretAvailable: boolean;
  /** The secret source's failure in people's words, when it is failing. */
  readonly secretFailure?: string;
  /** The last refresh's failure, if it has not succeeded since: its code and whether the provider rejected the credential. */
  readonly refreshFailure?: { readonly code: string; readonly rejected: boolean };
}

/** Whether the credential can be served now (a token held, or a way to mint one) and what is wrong with it, if anything. */
export function assessCredential(facts: CredentialFacts): { servable: boolean; problems: string[] } {
  const problems: string[] = [];
  if (!facts.secretAvailable) problems.push(`secret unreadable: ${facts.secretFailure ?? 'no secret at hand'}`);
  if (facts.refreshFailure?.rejected) problems.push(`identity provider rejects it (${facts.refreshFailure.code})`);
  else if (facts.refreshFailure) problems.push(`last refresh failed (${facts.refreshFailure.code})`);
  const canMint = facts.secretAvailable && facts.refreshFailure?.rejected !== true;
  return { servable: facts.tokenHeld || canMint, problems };
}

/**
 * The `credentials` component: `down` only when no configured credential can be served at all (another
 * replica or a restart might), `degraded` when some cannot or have a failing refresh, else `up`.
 */
export function credentialsComponent(all: readonly CredentialFacts[]): ComponentReport {
  const others = all.filter((facts) => !isHealthy(facts));
  return credentialsComponentOf(all.length - others.length, others);
}

/**
 * The same from a count of healthy credentials (secret at hand, no refresh failure: servable, nothing to
 * say about them) and the facts of the others, in config order: what readiness builds, so that 10,000
 * healthy credentials cost a counter rather than 10,000 objects on every heartbeat.
 */
export function credentialsComponentOf(healthy: number, others: readonly CredentialFacts[]): ComponentReport {
  const assessed = others.map((facts) => ({ facts, ...assessCredential(facts) }));
  const servable = healthy + assessed.filter((a) => a.servable).length;
  const total = healthy + others.length;
  const unservable = Object.fromEntries(
    assessed.filter((a) => !a.servable).map((a) => [a.facts.id, `no token held; ${a.problems.join('; ')}`]),
  );
  const impaired = Object.fromEntries(
    assessed.filter((a) => a.servable && a.problems.length > 0).map((a) => [a.facts.id, `${a.facts.tokenHeld ? 'token held; ' : ''}${a.problems.join('; ')}`]),
  );
  const status = total > 0 && servable === 0 ? 'down' : Object.keys(unservable).length + Object.keys(impaired).length > 0 ? 'degraded' : 'up';
  return {
    status,
    servable,
    total,
    ...(Object.keys(unservable).length > 0 ? { unservable } : {}),
    ...(Object.keys(impaired).length > 0 ? { impaired } : {}),
  };
}

/** Servable with no problem to report, whatever the token: the secret is at hand and no refresh failed. */
function isHealthy(facts: CredentialFacts): boolean {
  return facts.secretAvailable && facts.refreshFailure === undefined;
}
