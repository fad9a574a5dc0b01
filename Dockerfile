# Diplomacy Digest: the bot in a container (see docs/deployment.md).
#   docker build -t diplomacy-digest .
#   docker compose up            (compose.yaml: the bot, TinyDB in a volume)
# Stage 1 builds the package into a virtual environment; stage 2 is that environment only,
# run as a non-root user. State lives in /data (a volume); seeds/, digests/ and sources.toml
# are mounted by compose (the image carries the repository's digests/ as a default).
FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN python -m venv /opt/venv \
 && /opt/venv/bin/pip install --upgrade pip \
 && /opt/venv/bin/pip install .

FROM python:3.11-slim
RUN useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin digest \
 && mkdir -p /app/seeds /app/digests /data \
 && chown -R digest:digest /app /data
COPY --from=build /opt/venv /opt/venv
COPY --chown=digest:digest digests /app/digests
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    DATA_DIR=/data \
    SEEDS_DIR=/app/seeds \
    DIGESTS_DIR=/app/digests \
    SOURCES_FILE=/app/sources.toml \
    METRICS_PORT=9090 \
    LOG_FORMAT=json
WORKDIR /app
USER digest
VOLUME ["/data"]
# 8443: the webhook (and /healthz /readyz /metrics in webhook mode); 9090: /healthz /readyz /metrics when polling
EXPOSE 8443 9090
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 CMD ["digestbot", "healthcheck"]
ENTRYPOINT ["digestbot"]
CMD ["run"]
