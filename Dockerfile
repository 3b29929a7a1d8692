# Neuron Playground: by default one process, sessions in an SQLite file on a volume; with
# NEURON_REDIS_URL and WORKERS=N, N workers sharing Redis (see compose.yaml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    NEURON_DATABASE=/data/sessions.sqlite3 \
    PORT=8000

RUN useradd --create-home --uid 10001 neuron && mkdir /data && chown neuron /data
WORKDIR /srv
COPY pyproject.toml README.md ./
COPY app ./app
COPY static ./static
COPY templates ./templates
RUN pip install --no-compile .

USER neuron
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/healthz', timeout=2)"
CMD ["sh", "-c", "python -m app --host 0.0.0.0 --port ${PORT} --workers ${WORKERS:-1}"]
