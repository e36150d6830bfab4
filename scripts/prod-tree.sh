#!/usr/bin/env bash
# Builds the production file tree into ./dist of the current directory: what the image ships (the Dockerfile's
# build stage runs this), from apps/ and libs/ only (tsconfig.prod.json). Test code must never get in: no
# emulators, fixtures, harness or specs (tsc also compiles whatever an included file imports, so an import of
# test code from the app would drag it in); the build fails if any did. `npm run build` (dist/ for tests,
# the demo and compose's emulator) is a different, fuller build.
set -euo pipefail

rm -rf dist
npx nest build broker --path tsconfig.prod.json

leaks="$(find dist \( -path dist/test -o -name '*.fixtures.*' -o -name '*.spec.*' -o -name '*.e2e-spec.*' -o -name '*emulator*' -o -name 'demo*' \) -print)"
if [ -n "$leaks" ]; then
  echo "prod-tree: test or demo code in the production build:" >&2
  echo "$leaks" >&2
  exit 1
fi
if grep -rlE "require\(\"[./]*/test/" dist >/dev/null; then
  echo "prod-tree: compiled code requires files under test/:" >&2
  grep -rlE "require\(\"[./]*/test/" dist >&2
  exit 1
fi
for entry in dist/apps/broker/src/main.js dist/apps/brokerctl/src/main.js; do
  [ -f "$entry" ] || { echo "prod-tree: $entry was not built" >&2; exit 1; }
done
