import { createHash } from 'node:crypto';
import type { BrokerConfig } from '../schema/broker-config.types';

/** Hex digits kept: enough to tell configs apart at a glance, short enough for a table column and a label. */
const HASH_LENGTH = 12;

/** JSON with object keys sorted at every level, so equal configs hash equally whatever the key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * A short SHA-256 of the loaded config's content (not of the file's bytes or its path): two instances that
 * run the same settings show the same hash, so an operator can see that a reload reached every pod.
 * Comments and formatting do not change it; the config holds no secret (only API-key hashes and locations).
 */
export function configHash(config: BrokerConfig): string {
  const known = hashes.get(config);
  if (known !== undefined) return known;
  const { source: _source, ...content } = config;
  const hash = createHash('sha256').update(canonical(content)).digest('hex').slice(0, HASH_LENGTH);
  // A loaded config is deep-frozen (the validator freezes it), so its hash cannot change: remember it. Every
  // heartbeat (each 5 s), readiness probe and scrape asks, and hashing 10,000 credentials' canonical JSON
  // each time was most of an idle broker's CPU. A config that is not frozen is hashed every time.
  if (Object.isFrozen(config)) hashes.set(config, hash);
  return hash;
}

/** Hashes of frozen configs, by identity (a reload brings a new object; the old one's entry goes with it). */
const hashes = new WeakMap<BrokerConfig, string>();
