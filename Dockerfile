# The trailwarden image the Kubernetes examples run (examples/kubernetes):
#   docker build -t trailwarden:0.1.0 .
# Build stage: compile the TypeScript to dist/. Runtime stage: production dependencies only
# (npm ci --omit=dev), the compiled CLI and what its commands read (schemas, rules, demo data, docs),
# running as an unprivileged user (uid 10001, as the examples' securityContext expects).
# test/package/dockerfile.test.ts runs these steps without a Docker engine; keep them plain.
FROM node:20-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src src
RUN npm run build

FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY --from=build /src/dist dist
COPY bin bin
COPY schema schema
COPY rules rules
COPY demo/config.yaml demo/inventory.json demo/
COPY demo/logs demo/logs
COPY docs docs
COPY examples examples
COPY config.example.yaml README.md ./
RUN groupadd --gid 10001 trailwarden \
 && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /var/lib/trailwarden trailwarden \
 && mkdir -p /var/lib/trailwarden && chown 10001:10001 /var/lib/trailwarden
USER 10001:10001
# Relative state.dir / output.dir and `trailwarden demo` write here (the examples mount a volume).
WORKDIR /var/lib/trailwarden
EXPOSE 9464
ENTRYPOINT ["node", "/app/bin/trailwarden.js"]
CMD ["daemon", "--config", "/etc/trailwarden/config.yaml"]
