# syntax=docker/dockerfile:1
# aigc-mcp over Streamable HTTP in a container. Build: `docker build -t aigc-mcp .`
# Run: docker run -e AIGC_MCP_AUTH_TOKEN=… -e ARK_API_KEY=… -p 8787:8787 aigc-mcp
# (the server refuses to listen on 0.0.0.0 without a token). See README, "Running several replicas".

# Build stage: dev dependencies (TypeScript) compile src/ to dist/. --ignore-scripts: the package's
# own `prepare` script builds, which cannot run before the sources are copied.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build

# Runtime stage: production dependencies and dist/ only. No production dependency has an install
# script (sharp ships prebuilt libvips as optional packages), so --ignore-scripts loses nothing.
FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY README.md PRIVACY.md LICENSE ./
# Outputs (and, without Redis, job records) live in /data; the image's `node` user (uid 1000) owns it.
RUN mkdir -p /data && chown node:node /data
USER node
ENV AIGC_MCP_TRANSPORT=http \
    AIGC_MCP_HOST=0.0.0.0 \
    AIGC_MCP_PORT=8787 \
    AIGC_MCP_OUTPUT_DIR=/data
VOLUME ["/data"]
EXPOSE 8787
# /healthz needs no token; the Host 127.0.0.1 is always allowed. The slim image has no curl, so node asks.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.AIGC_MCP_PORT || 8787) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/index.js", "--http"]
