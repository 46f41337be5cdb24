# 办好 — one static binary in a small image, running as an unprivileged user.
#   docker build -t banhao .
#   docker run -p 8080:8080 -v banhao-data:/data banhao serve --demo
# The CJK font used in PDFs and the time-zone data are compiled into the binary (pdfdoc embeds
# WenQuanYi Micro Hei; main imports time/tzdata); tzdata is installed as well for the system.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/banhao ./cmd/banhao

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin banhao \
    && mkdir -p /data && chown banhao:banhao /data
COPY --from=build /out/banhao /usr/local/bin/banhao
USER banhao
WORKDIR /data
ENV BANHAO_DB=sqlite:/data/banhao.db \
    BANHAO_DATA=/data \
    BANHAO_ADDR=0.0.0.0:8080 \
    BANHAO_TZ=Asia/Shanghai
VOLUME /data
EXPOSE 8080
ENTRYPOINT ["banhao"]
CMD ["serve"]
