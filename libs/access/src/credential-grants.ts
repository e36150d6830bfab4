import { ALL_CREDENTIALS } from '@broker/config';

/** A caller's `credentials:` list, compiled once per config so a request only does set and regex lookups. */
export interface CredentialGrants {
  /** `*`: every credential, and unknown ids are told apart (404) from forbidden ones. */
  readonly all: boolean;
  readonly ids: ReadonlySet<string>;
  readonly patterns: readonly RegExp[];
}

/** `*` inside a grant stands for any run of id characters; everything else is literal. */
function globToRegExp(glob: string): RegExp {
  const literal = glob.split('*').map((part) => part.replace(/[.]/g, '\\.'));
  return new RegExp(`^${literal.join('[A-Za-z0-9._-]*')}$`);
}

/** Compiles grant entries: exact ids, globs such as `aep-*`, or `*` alone. */
export function compileGrants(entries: readonly string[]): CredentialGrants {
  const ids = new Set<string>();
  const patterns: RegExp[] = [];
  let all = false;
  for (const entry of entries) {
    if (entry === ALL_CREDENTIALS) all = true;
    else if (entry.includes('*')) patterns.push(globToRegExp(entry));
    else ids.add(entry);
  }
  return { all, ids, patterns };
}

/** True when `grants` name `credentialId` (whether it exists is the policy's question). */
export function isGranted(grants: CredentialGrants, credentialId: string): boolean {
  return grants.all || grants.ids.has(credentialId) || grants.patterns.some((pattern) => pattern.test(credentialId));
}
