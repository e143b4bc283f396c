# cassbot as a container: docker build -t cassbot . && docker run --init ... (see docs/operations.md)
FROM python:3.11-slim-bookworm

# tini is PID 1, so SIGTERM reaches cassbot and it stops cleanly (finishing the mail in hand).
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY templates ./templates
COPY config ./config
COPY demo ./demo
RUN pip install --no-cache-dir . \
 && useradd --system --home /app --uid 10001 cassbot \
 && mkdir -p /app/state && chown cassbot /app/state

# The store (SQLite by default) and any Maildirs live in state/: keep it on a volume.
VOLUME ["/app/state"]
USER cassbot
ENV CASSBOT_CONFIG=/app/config/cassbot.toml \
    CASSBOT_TEMPLATES=/app/templates \
    PYTHONUNBUFFERED=1

# Healthy while every mailbox has had a good poll recently (cassbot status exits 1 otherwise).
HEALTHCHECK --interval=60s --timeout=20s --start-period=120s --retries=3 CMD ["cassbot", "status"]

ENTRYPOINT ["tini", "--", "cassbot"]
CMD ["run"]
