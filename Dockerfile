# The app image. Multi-stage: `build` compiles TypeScript with every dependency, `runtime` holds
# only dist/ and production dependencies and is what `docker compose up` runs (the app, and the
# migrate job's db:migrate and db:seed).
#
# Base: Node 24 (an LTS line, as in .nvmrc), pinned to its minor release, on Debian trixie slim.
# Alpine would be smaller, but glibc is what Node's release binaries and our CI are built for.
# Bump both FROM lines together (Dependabot and Renovate read them).

FROM node:24.22-trixie-slim AS build
WORKDIR /app
# Dependencies first, so editing src/ does not reinstall them.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:24.22-trixie-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
# Owned by root and read-only to the app: the process cannot rewrite its own code.
COPY --from=build /app/dist ./dist
COPY public ./public
COPY tenants ./tenants
USER node
EXPOSE 3000
# Liveness only (/healthz never touches Redis, so a Redis outage does not mark replicas unhealthy).
# Slim images have no curl: Node's own fetch does the probe.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself is PID 1 (not npm, not a shell), so `docker stop` delivers SIGTERM to the server,
# which stops accepting, finishes requests in flight and exits.
CMD ["node", "dist/server.js"]
