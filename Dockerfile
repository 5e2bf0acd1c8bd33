# Multi-stage build of the helpdesk server and its web UI.
FROM rust:1.95-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libpq-dev nodejs npm && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN rustup target add wasm32-unknown-unknown \
 && cargo install wasm-bindgen-cli --version "$(awk '$0 == "name = \"wasm-bindgen\"" {getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)" \
 && mkdir -p .tools/node && npm install --silent --prefix .tools/node binaryen@132.0.0 \
 && bash scripts/build-web.sh \
 && cargo build --release -p helpdesk-api --bin helpdesk

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 ca-certificates && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home /var/lib/helpdesk --create-home helpdesk
COPY --from=build /src/target/release/helpdesk /usr/local/bin/helpdesk
COPY --from=build /src/web-ui/dist /usr/share/helpdesk/web
ENV HELPDESK_WEB_DIR=/usr/share/helpdesk/web \
    HELPDESK_STORAGE=/var/lib/helpdesk/attachments \
    HELPDESK_MAIL_DIR=/var/lib/helpdesk/mail \
    HELPDESK_BIND=0.0.0.0:8080
USER helpdesk
WORKDIR /var/lib/helpdesk
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s CMD ["/bin/sh", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080"]
CMD ["helpdesk", "serve"]
