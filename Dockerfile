# syntax=docker/dockerfile:1
#
# Token broker image: `docker build -t token-broker .`
#
# Three stages: `build` compiles with every dependency, `deps` installs the production dependencies alone,
# and the runtime stage gets the compiled `dist/` and those `node_modules` and nothing else (no compiler,
# no npm cache, no sources). The same image runs the broker (default), the ops CLI
# (`node dist/apps/brokerctl/src/main.js`) and, for docker-compose, the IMS emulator
# (`node dist/test/support/ims-emulator.js`).
#
# `npm install`, not `npm ci`: lockfiles made on our build machines lack other platforms' optional
# binaries (e.g. @swc/core-linux-arm64-gnu), which `npm ci` rejects; `npm install` fills them in.

ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# The npm workspace (the client library, built by `npm run build` too) must be there for npm install.
COPY packages/client/package.json ./packages/client/
RUN npm install --no-audit --no-fund
COPY nest-cli.json tsconfig.json tsconfig.build.json ./
COPY apps ./apps
COPY libs ./libs
COPY test/support ./test/support
COPY packages ./packages
RUN npm run build

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/client/package.json ./packages/client/
# --workspaces=false: the runtime needs the broker's dependencies, not a link to the client library.
RUN npm install --omit=dev --workspaces=false --no-audit --no-fund && npm cache clean --force

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
