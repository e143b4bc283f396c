# cassbot as a container. Build: docker build -t cassbot .   Run: see docs/operations.md
FROM debian:bookworm-slim

# Python from Debian, tini as PID 1 so SIGTERM reaches cassbot (which then finishes the mail
# in hand and exits 0), and Tesseract with its English data to read scanned consent forms.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      python3 python3-venv ca-certificates tini tesseract-ocr tesseract-ocr-eng \
 && rm -rf /var/lib/apt/lists/*

# Only for builds behind an intercepting proxy: the CI script passes its CA bundle.
ARG PIP_CERT=""
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN python3 -m venv /opt/cassbot \
 && /opt/cassbot/bin/pip install --no-cache-dir --disable-pip-version-check . \
 && useradd --system --home-dir /app --uid 10001 cassbot \
 && mkdir -p /app/state && chown cassbot /app/state
COPY templates ./templates
COPY config ./config
COPY demo ./demo

# The store (SQLite by default) and any Maildirs live in state/: keep it on a volume.
# Configuration: mount your own file over /app/config/cassbot.toml; secrets come
# from the environment (docker run --env-file), never from the image.
VOLUME ["/app/state"]
USER cassbot
ENV PATH=/opt/cassbot/bin:$PATH \
    CASSBOT_CONFIG=/app/config/cassbot.toml \
    CASSBOT_TEMPLATES=/app/templates \
    PYTHONUNBUFFERED=1

# Healthy while every mailbox has had a good poll recently and the service keeps saying so: it rewrites
# state/health.json every 30 s, and this check reads it with nothing but the standard library.
HEALTHCHECK --interval=60s --timeout=20s --start-period=120s --retries=3 CMD ["python", "-m", "bot.health"]

ENTRYPOINT ["tini", "--", "cassbot"]
CMD ["run"]
