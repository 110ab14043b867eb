# Cluster Studio image: Node builds the frontend, a slim Python image runs it (same entry point as `make run`).
# The base images are build arguments: the official images by default; `make test-docker` passes
# stand-ins built from Debian packages where no image registry is reachable.
ARG NODE_IMAGE=node:20-slim
ARG PYTHON_IMAGE=python:3.11-slim

FROM ${NODE_IMAGE} AS frontend
WORKDIR /src/frontend
ENV PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

FROM ${PYTHON_IMAGE} AS app
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOST=0.0.0.0 \
    PORT=8000 \
    STUDIO_DATA_DIR=/data \
    NUMBA_CACHE_DIR=/app/numba-cache
WORKDIR /app
# The pinned dependencies first: this layer survives changes to the code.
COPY pyproject.toml constraints.txt ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install --no-cache-dir -c constraints.txt -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt \
    && useradd --create-home --uid 10001 studio \
    && mkdir -p /data "$NUMBA_CACHE_DIR" && chown studio:studio /data "$NUMBA_CACHE_DIR"
# The engine's kernels, compiled now into Numba's cache rather than at a user's first run. The
# runtime user owns the cache: Numba ignores a cache directory it cannot write to.
COPY modules ./modules
USER studio
RUN python -m modules.engine.precompile && python -m modules.engine.precompile --check
USER root
COPY alembic.ini ./
COPY backend ./backend
COPY migrations ./migrations
RUN pip install --no-cache-dir --no-deps -c constraints.txt -e .
COPY --from=frontend /src/frontend/dist ./frontend/dist
USER studio
VOLUME ["/data"]
EXPOSE 8000
# Migrations first, then uvicorn: exactly what `make run` does.
CMD ["python", "-m", "backend"]
