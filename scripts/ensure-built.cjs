// `npm start` and `npm run demo` run the compiled service; build first when dist/ is missing or older
// than the sources, so a fresh checkout needs no separate build step.
require('./check-node.cjs');
const { execSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const entry = join(root, 'dist/apps/broker/src/main.js');

function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) latest = Math.max(latest, newest(path));
    else if (entry.name.endsWith('.ts')) latest = Math.max(latest, statSync(path).mtimeMs);
  }
  return latest;
}

// The client package (packages/client) is built by the same `npm run build`; tests install it by name.
const clientEntry = join(root, 'packages/client/dist/index.js');
const sources = Math.max(...['apps', 'libs', 'test/support', 'packages/client/src'].map((dir) => newest(join(root, dir))));
const stale = (file) => !existsSync(file) || statSync(file).mtimeMs < sources;
if (stale(entry) || stale(clientEntry)) {
  execSync('npm run build --silent', { cwd: root, stdio: 'inherit' });
}
