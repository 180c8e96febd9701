# syntax=docker/dockerfile:1
#
# leadgate: one image for every role (`start`, `api`, `worker`, `projector`, `migrate`, …),
# chosen by the command. It runs the TypeScript sources through tsx, exactly as `npm start`,
# bin/leadgate.js and the tests do: there is no separate compiled build to drift from what
# was tested, and tsx's start-up cost (well under a second) is paid once per process.
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

# --- production dependencies only (tsx is one: it runs the sources) ---
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
COPY package.json tsconfig.json ./
COPY bin ./bin
COPY migrations ./migrations
COPY src ./src
COPY --from=web /app/src/web/dist ./src/web/dist
# DATA_DIR is used only by the embedded shape (no DATABASE_URL): give it to the runtime user.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
# Worker and projector containers listen on no port, so the health check lives in the
# compose file (api service), not here.
ENTRYPOINT ["node", "--import", "tsx", "src/cli.ts"]
CMD ["start"]
