# syntax=docker/dockerfile:1
#
# Token broker image: `docker build -t token-broker .`
#
# Three stages make the image: `build` compiles the production tree with every dependency, `deps` installs
# the production dependencies alone, and the runtime stage (the last, so the default target) gets that
# `dist/` and those `node_modules` and nothing else (no compiler, no npm cache, no sources, no test code).
# The same image runs the broker (default) and the ops CLI (`node dist/apps/brokerctl/src/main.js`).
# A fourth stage, `ims-emulator`, is built only on request (`--target ims-emulator`, as docker-compose does):
# the Adobe IMS emulator from test/support, for the local demo fleet. It is never part of the broker image.
#
# `npm ci`: installs exactly what package-lock.json says and fails rather than rewrite it, so every build is
# the same. The lockfile records the optional native binaries of linux-x64, linux-arm64 and darwin-arm64
# (test/deploy/lockfile.spec.ts checks), so this works on amd64 and arm64 builders alike.

ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# The npm workspace (the client library) must be declared for npm ci to accept the lockfile.
COPY packages/client/package.json ./packages/client/
RUN npm ci --no-audit --no-fund
COPY nest-cli.json tsconfig.json tsconfig.prod.json ./
COPY scripts/prod-tree.sh ./scripts/prod-tree.sh
COPY apps ./apps
COPY libs ./libs
# apps/ and libs/ only (tsconfig.prod.json); fails if test code got in (test/deploy/image-tree.spec.ts runs
# the same steps).
RUN scripts/prod-tree.sh

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/client/package.json ./packages/client/
# --workspaces=false: the runtime needs the broker's dependencies, not a link to the client library.
RUN npm ci --omit=dev --workspaces=false --no-audit --no-fund && npm cache clean --force

# Demo only (docker-compose): the IMS emulator, compiled from test/support with the full dev build.
FROM build AS ims-emulator
COPY tsconfig.build.json ./
COPY test/support ./test/support
COPY packages ./packages
RUN npm run build
USER 10001:10001
CMD ["node", "dist/test/support/ims-emulator.js"]

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=8080 \
    BROKER_CONFIG=/etc/token-broker/broker.yaml
WORKDIR /app
# A fixed numeric uid/gid so Kubernetes' runAsNonRoot can verify it and volume permissions are predictable.
RUN groupadd --system --gid 10001 broker \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin broker
# Everything stays owned by root and read-only to the broker: the process writes nothing outside /tmp, so
# the root filesystem can be mounted read-only (readOnlyRootFilesystem in deploy/kubernetes).
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER 10001:10001
EXPOSE 8080
# Slim images have no curl: Node's own fetch probes liveness (the process answers; never Redis or IMS).
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Node itself is PID 1 (no npm wrapper, which would not forward SIGTERM): the broker handles SIGTERM by
# failing readiness, draining, then closing (SHUTDOWN_DRAIN + SHUTDOWN_TIMEOUT). A CMD rather than an
# ENTRYPOINT, so the CLI and the emulator run from the same image with a plain `command: [node, …]`.
CMD ["node", "dist/apps/broker/src/main.js"]
