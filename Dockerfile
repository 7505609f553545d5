# Boundary Bot's container image. Build: docker build -t boundary-bot .
#
# Two stages: the first makes a virtual environment with the bot and its dependencies (all
# from wheels: no compiler is needed or shipped); the second copies it onto a clean slim
# Python and runs it as an unprivileged user. Configuration comes only from environment
# variables and mounted files (NAME_FILE variables: see deploy/docker/entrypoint.sh and
# docs/configuration.md). Migrations are never run by surprise: BOUNDARY_AUTO_MIGRATE is
# false here, so run `docker run … boundary-bot migrate` (or the compose file's migrate
# service, or the Kubernetes example's init container), or opt in with
# BOUNDARY_AUTO_MIGRATE=true.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /app
COPY pyproject.toml README.md constraints.txt ./
COPY bot/ bot/
COPY adapters/ adapters/
# Editable, so that the migrations, scripts and examples beside the code are found where
# the code expects them (/app), exactly as in a checkout.
RUN pip install --no-cache-dir --no-compile -c constraints.txt -e .
COPY migrations/ migrations/
COPY responses/ responses/
COPY examples/ examples/
COPY alembic.ini ./
COPY deploy/docker/entrypoint.sh /app/deploy/docker/entrypoint.sh

FROM ${PYTHON_IMAGE}
LABEL org.opencontainers.image.title="Boundary Bot" \
      org.opencontainers.image.description="A private Slack, Teams and web-chat bot for clinicians facing an uncomfortable client" \
      org.opencontainers.image.licenses="Apache-2.0"
RUN groupadd --system --gid 10001 boundary \
    && useradd --system --uid 10001 --gid boundary --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin boundary \
    && mkdir -p /var/lib/boundary-bot \
    && chown boundary:boundary /var/lib/boundary-bot
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HOST=0.0.0.0 \
    PORT=3978 \
    BOUNDARY_LOG_FORMAT=json \
    BOUNDARY_AUTO_MIGRATE=false \
    BOUNDARY_LOCAL_MODE=false
# The working directory holds nothing but what the bot may write there (a SQLite file, if
# someone chooses SQLite): keep it on a volume, or use PostgreSQL.
WORKDIR /var/lib/boundary-bot
USER 10001:10001
EXPOSE 3978
# /livez: the process answers. Readiness (/readyz) is for the orchestrator to route by.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/livez' % os.environ.get('PORT', '3978'), timeout=4)"]
ENTRYPOINT ["/app/deploy/docker/entrypoint.sh"]
CMD ["serve"]
