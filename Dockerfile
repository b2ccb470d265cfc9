# The hub as an image: Python app + the pinned GraphiQL assets (no CDN at run time).
FROM node:20-slim AS web
WORKDIR /app/web
COPY web/package.json web/package-lock.json web/.npmrc ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 HUB_HOST=0.0.0.0 HUB_PORT=8000 \
    HUB_DATA_DIR=/data HUB_WEB_DIR=/app/web
WORKDIR /app
COPY pyproject.toml README.md ./
COPY hub hub
COPY schema schema
COPY graph graph
RUN pip install --no-cache-dir . && useradd --system --home /app hub && mkdir /data && chown hub /data
COPY --from=web /app/web/node_modules web/node_modules
USER hub
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s CMD python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8000/healthz')" || exit 1
CMD ["hub", "serve"]
