# syntax=docker/dockerfile:1
# The image of `serve` and `worker` (deploy/base). Built outside CI, which has no container engine; CI tests the
# same install path (npm pack, then npm ci --omit=dev --ignore-scripts, then node) in test/integration/package/.

# Build: dev dependencies and the TypeScript compiler live only here.
FROM node:24-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# Run: production dependencies only, installed without lifecycle scripts (`prepare` would need the compiler).
FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
  && npm cache clean --force \
  # Nothing installs or builds at run time: npm, npx, corepack and yarn leave the image.
  && rm -rf /usr/local/lib/node_modules /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack \
     /usr/local/bin/yarn /usr/local/bin/yarnpkg /opt/yarn-* /root/.npm
COPY bin ./bin
COPY --from=build /src/dist/src ./dist/src
# Numeric, so Kubernetes can verify runAsNonRoot without a passwd lookup; matches deploy/base's runAsUser.
USER 10001:10001
EXPOSE 3000
ENTRYPOINT ["node", "dist/src/main.js"]
CMD ["serve"]
