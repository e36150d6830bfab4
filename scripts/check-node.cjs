// Stops `npm start` / `npm run demo` on a Node older than package.json's `engines.node` with one line that
// says what to do, before anything is built or started (an old Node fails later with cryptic ESM errors).
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const wanted = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')).engines.node; // ">=22.12"
const [wantMajor = 0, wantMinor = 0] = wanted.replace(/^>=\s*/, '').split('.').map(Number);
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);

if (major < wantMajor || (major === wantMajor && minor < wantMinor)) {
  process.stderr.write(
    `token broker needs Node ${wanted} but this is Node ${process.versions.node}: run ./dev start (it installs Node 24 if needed) or put a newer node first on PATH\n`,
  );
  process.exit(1);
}
