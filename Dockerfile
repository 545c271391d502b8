# Lectern: one static binary on Debian slim. See docker-compose.yml.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -o /lectern ./cmd/lectern

FROM debian:bookworm-slim
# CA certificates: Stripe, SMTP over TLS and any other outgoing TLS.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data lectern \
 && mkdir -p /data && chown lectern /data
COPY --from=build /lectern /usr/local/bin/lectern
USER lectern
ENV LECTERN_ADDR=:8080 \
    LECTERN_DATA_DIR=/data \
    LECTERN_ICE_UDP=:7882 \
    LECTERN_ICE_TCP=:7881 \
    LECTERN_TURN_UDP=:3478 \
    LECTERN_TURN_TCP=:3478
# 8080 HTTP (put a TLS reverse proxy in front), 7882/udp ICE (all media
# over one UDP port), 7881/tcp ICE over TCP, 3478 udp+tcp the embedded TURN.
EXPOSE 8080/tcp 7882/udp 7881/tcp 3478/udp 3478/tcp
VOLUME /data
HEALTHCHECK --interval=10s --timeout=6s --retries=3 CMD ["lectern", "probe", "http://127.0.0.1:8080/readyz"]
ENTRYPOINT ["lectern", "serve"]
