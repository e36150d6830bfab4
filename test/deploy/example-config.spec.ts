import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseBrokerConfig } from '@broker/config';
import { readText, ROOT } from './deploy-files';

/**
 * Config files people copy (config/broker.example.yaml, the Kubernetes ConfigMap) must not let anyone in with
 * a key that is published: in the README, the docs, compose's demo, the demo, or the test fixtures. A copied
 * example then opens nothing until its owner puts their own callers' hashes in.
 */

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Files that publish API keys: as `Bearer <key>`, `sha256("<key>")` comments or `printf %s '<key>'`. */
function publishingFiles(): string[] {
  const docs = existsSync(join(ROOT, 'docs')) ? readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`) : [];
  return ['README.md', 'docker-compose.yml', 'config/compose.yaml', 'apps/broker/src/demo.ts', 'test/fixtures/config.fixtures.ts', ...docs].filter((f) =>
    existsSync(join(ROOT, f)),
  );
}

function publishedKeys(): Set<string> {
  const keys = new Set<string>(['demo-key', 'demo-key-change-me', 'demo-admin-key-change-me', 'changeme', 'change-me', 'secret', 'password', 'test']);
  for (const file of publishingFiles()) {
    const text = readText(file);
    for (const pattern of [/Bearer ([\x21-\x7e]{4,}?)['"\s]/g, /sha256\("([^"]+)"\)/g, /printf %s '([^'$]+)'/g, /(?:KEY|key) = '([^']{4,})'/g]) {
      for (const match of text.matchAll(pattern)) if (match[1] && !match[1].startsWith('$')) keys.add(match[1]);
    }
  }
  return keys;
}

describe('example configs', () => {
  const published = publishedKeys();
  const publishedHashes = new Set([...published].map(sha256));

  it('finds the published demo keys (the check can fail)', () => {
    expect([...published]).toEqual(expect.arrayContaining(['demo-key-change-me', 'demo-key']));
    expect(publishedHashes.has(sha256('demo-key-change-me'))).toBe(true);
  });

  it('config/broker.example.yaml validates and has no caller a published key opens', () => {
    const config = parseBrokerConfig(readText('config/broker.example.yaml'), join(ROOT, 'config/broker.example.yaml'));
    expect(config.callers.length).toBeGreaterThan(0);
    const open = config.callers.filter((c) => c.apiKeySha256 !== undefined && publishedHashes.has(c.apiKeySha256)).map((c) => c.id);
    expect(open).toEqual([]);
  });

  it("the Kubernetes ConfigMap's config has no caller a published key opens", () => {
    const configMap = readText('deploy/kubernetes/configmap.yaml');
    const hashes = [...configMap.matchAll(/apiKeySha256: "?([0-9a-f]{64})"?/g)].map((m) => m[1] ?? '');
    expect(hashes.length).toBeGreaterThan(0);
    expect(hashes.filter((h) => publishedHashes.has(h))).toEqual([]);
  });
});
