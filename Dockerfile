FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -o /lectern ./cmd/lectern

FROM debian:bookworm-slim
COPY --from=build /lectern /usr/local/bin/lectern
EXPOSE 8080 7882/udp
ENTRYPOINT ["lectern", "serve"]
