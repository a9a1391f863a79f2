# The server image used by docker-compose.yml. Runs as an unprivileged user; the journal of
# sessions not yet written lives in the /data volume.
FROM python:3.11-slim
WORKDIR /srv/video-metrics
COPY pyproject.toml README.md ./
COPY app ./app
COPY migrations ./migrations
COPY static ./static
RUN pip install --no-cache-dir -e . \
 && useradd --system --home-dir /data --create-home metrics
USER metrics
ENV HOST=0.0.0.0 PORT=3000 METRICS_DATA_DIR=/data
EXPOSE 3000
VOLUME /data
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:3000/readyz', timeout=2)"
CMD ["video-metrics", "serve"]
