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
  const assessed = all.map((facts) => ({ facts, ...assessCredential(facts) }));
  const servable = assessed.filter((a) => a.servable).length;
  const unservable = Object.fromEntries(
    assessed.filter((a) => !a.servable).map((a) => [a.facts.id, `no token held; ${a.problems.join('; ')}`]),
  );
  const impaired = Object.fromEntries(
    assessed.filter((a) => a.servable && a.problems.length > 0).map((a) => [a.facts.id, `${a.facts.tokenHeld ? 'token held; ' : ''}${a.problems.join('; ')}`]),
  );
  const status = all.length > 0 && servable === 0 ? 'down' : Object.keys(unservable).length + Object.keys(impaired).length > 0 ? 'degraded' : 'up';
  return {
    status,
    servable,
    total: all.length,
    ...(Object.keys(unservable).length > 0 ? { unservable } : {}),
    ...(Object.keys(impaired).length > 0 ? { impaired } : {}),
  };
}
