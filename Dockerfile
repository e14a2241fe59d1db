# The Uranus image: the `uranus` CLI (operator, scheduler extender, chain sidecar) plus CometBFT.
#   docker build -t uranus:latest .
# Versions come from hack/versions.env; pass them as build args when they change.
ARG COMETBFT_VERSION=v0.38.25

FROM golang:1.26-bookworm AS cometbft
ARG COMETBFT_VERSION
RUN CGO_ENABLED=0 GOBIN=/out go install -trimpath -ldflags "-s -w" \
      github.com/cometbft/cometbft/cmd/cometbft@${COMETBFT_VERSION}

FROM node:20-bookworm-slim AS dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# Compiled once here, so no TypeScript compiler runs (or takes memory) in the containers.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY cli ./cli
COPY crds ./crds
COPY operator ./operator
COPY scheduler-extender ./scheduler-extender
COPY chain-sidecar ./chain-sidecar
COPY kube-runtime ./kube-runtime
COPY observability ./observability
COPY units ./units
COPY process ./process
COPY local-cluster ./local-cluster
COPY hack/build.sh hack/versions.env ./hack/
RUN bash hack/build.sh

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=cometbft /out/cometbft /usr/local/bin/cometbft
COPY --from=dependencies /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
RUN ln -s /app/dist/cli/uranus-main.js /usr/local/bin/uranus
# The restricted profile: a fixed non-root user, no shell needed at run time.
USER 65532:65532
ENTRYPOINT ["uranus"]
CMD ["--help"]
