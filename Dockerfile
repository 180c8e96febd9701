# syntax=docker/dockerfile:1
#
# leadgate: one image for every role (`start`, `api`, `worker`, `projector`, `migrate`, …),
# chosen by the command. It runs bin/leadgate.js, exactly as `npm start` and `npx leadgate`
# do: the server compiled file for file by esbuild (scripts/build.mjs) into dist/, with the
# bin's Node flags (its #! line), and no TypeScript loader in the process.
#
# Build:  docker build -t leadgate .
# Run:    docker run --env-file .env -p 8080:8080 leadgate api
# (written without a Docker engine at hand: see docker-compose.yml for the whole stack)

ARG NODE_IMAGE=node:20-bookworm-slim

# --- the web console (Vite needs the dev dependencies; its output is all that is kept) ---
FROM ${NODE_IMAGE} AS web
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# A checkout without the console builds nothing; the empty folder keeps the next COPY valid.
RUN npm run build:web --if-present && mkdir -p src/web/dist
# The server, compiled to dist/ (the runtime image carries no TypeScript sources).
RUN node scripts/build.mjs --force

# --- production dependencies only ---
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# --- the runtime: no compilers, no dev dependencies, not root ---
FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY scripts ./scripts
COPY --from=web /app/dist ./dist
COPY --from=web /app/src/web/dist ./src/web/dist
# DATA_DIR is used only by the embedded shape (no DATABASE_URL): give it to the runtime user.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
# Worker and projector containers listen on no port, so the health check lives in the
# compose file (api service), not here.
ENTRYPOINT ["/app/bin/leadgate.js"]
CMD ["start"]
