# Cluster Studio image: Node builds the frontend, a slim Python image runs it (same entry point as `make run`).
FROM node:20-slim AS frontend
WORKDIR /src/frontend
ENV PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

FROM python:3.11-slim AS app
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOST=0.0.0.0 \
    PORT=8000 \
    STUDIO_DATA_DIR=/data \
    NUMBA_CACHE_DIR=/tmp/numba-cache
WORKDIR /app
COPY pyproject.toml constraints.txt alembic.ini ./
COPY backend ./backend
COPY modules ./modules
COPY migrations ./migrations
RUN pip install --no-cache-dir -c constraints.txt -e . \
    && useradd --create-home --uid 10001 studio \
    && mkdir -p /data && chown studio:studio /data
COPY --from=frontend /src/frontend/dist ./frontend/dist
USER studio
VOLUME ["/data"]
EXPOSE 8000
# Migrations first, then uvicorn: exactly what `make run` does.
CMD ["python", "-m", "backend"]
