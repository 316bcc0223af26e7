# shellcheck shell=bash
# Settings and helpers shared by the lifecycle scripts; sourced, never run on its own.
# Every path can be overridden through the environment so the scripts can be exercised off-host.

# Where appspec.yml's `files` section installs the bundle.
APP_DIR=${CAMUNDA_APP_DIR:-/opt/camunda-platform}
# Written by install.sh from Parameter Store / Secrets Manager; outside APP_DIR so a new revision
# never ships or overwrites it, and readable by root only.
ENV_FILE=${CAMUNDA_ENV_FILE:-/etc/camunda-platform/runtime.env}
PROJECT=${CAMUNDA_COMPOSE_PROJECT:-camunda-platform}

log() {
  printf '%s %s: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "${LIFECYCLE_EVENT:-${0##*/}}" "$*"
}

die() {
  log "ERROR: $*" >&2
  exit 1
}

# docker compose bound to this bundle's file, project name and runtime environment file.
compose() {
  docker compose --project-name "$PROJECT" --project-directory "$APP_DIR" \
    --file "$APP_DIR/docker-compose.yml" --env-file "$ENV_FILE" "$@"
}

# Prints one value from the runtime env file (KEY='value' lines written by install.sh), or nothing.
# The file is parsed, never sourced: it holds data, not code.
env_value() {
  local wanted=$1 line key value
  [[ -r "$ENV_FILE" ]] || return 0
  while IFS= read -r line || [[ -n "$line" ]]; do
    [[ "$line" == *=* ]] || continue
    key=${line%%=*}
    value=${line#*=}
    if [[ "$key" == "$wanted" ]]; then
      value=${value#\'}
      value=${value%\'}
      printf '%s' "$value"
      return 0
    fi
  done <"$ENV_FILE"
}
