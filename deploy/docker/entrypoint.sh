#!/bin/sh
# Boundary Bot's container entrypoint.
#
# 1. Secrets from mounted files: for each secret setting below, NAME_FILE=/path sets NAME to
#    the contents of that file (Docker and Kubernetes secrets), e.g.
#    SLACK_BOT_TOKEN_FILE=/run/secrets/slack_bot_token. Only these names are read this way
#    (other *_FILE variables mean something else: SSL_CERT_FILE, and the bot's own
#    BOUNDARY_ENCRYPTION_KEY_FILE and BOUNDARY_PATTERN_SECRET_FILE, which it reads itself and
#    re-reads when a key is rotated). Setting both NAME and NAME_FILE is refused: one of
#    them would be ignored silently.
# 2. The command: `serve` when none is given; `migrate` is `db upgrade`; anything else is
#    passed to `boundary-bot` as it is (`doctor`, `db upgrade`, `org apply /config/org.yaml`…).
# 3. exec: the bot becomes this process, so SIGTERM from the container runtime reaches it
#    and it shuts down gracefully (see BOUNDARY_SHUTDOWN_GRACE).
set -eu

fail() {
    echo "boundary-bot entrypoint: $*" >&2
    exit 64
}

SECRETS="DATABASE_URL SLACK_BOT_TOKEN SLACK_SIGNING_SECRET SLACK_APP_TOKEN SLACK_CONFIG_TOKEN
MicrosoftAppId MicrosoftAppPassword MicrosoftAppTenantId OTEL_EXPORTER_OTLP_HEADERS"

for variable in $SECRETS; do
    path=$(printenv "${variable}_FILE" || true)
    [ -n "$path" ] || continue
    if [ -n "$(printenv "$variable" || true)" ]; then
        fail "both $variable and ${variable}_FILE are set; keep one"
    fi
    [ -r "$path" ] || fail "${variable}_FILE names $path, which cannot be read"
    value=$(cat "$path")
    export "$variable=$value"
    unset "${variable}_FILE"
done

if [ "$#" -eq 0 ]; then
    set -- serve
fi
if [ "$1" = migrate ]; then
    shift
    set -- db upgrade "$@"
fi
exec boundary-bot "$@"
