#!/usr/bin/env bash
# ValidateService: wait until the engine answers /engine-rest/engine (authenticated) and the workers
# report ready on /readyz. On timeout print the containers' state and logs, so the reason shows up
# in the deployment's diagnostics (CodeDeploy keeps the tail of this output), then fail.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

timeout=${VALIDATE_TIMEOUT_SECONDS:-420}
interval=${VALIDATE_INTERVAL_SECONDS:-5}
engine_port=$(env_value CAMUNDA_PORT)
workers_port=$(env_value WORKER_HTTP_PORT)
engine_url="http://127.0.0.1:${engine_port:-8080}/engine-rest/engine"
workers_url="http://127.0.0.1:${workers_port:-9464}/readyz"
admin_user=$(env_value CAMUNDA_ADMIN_USER)
admin_password=$(env_value CAMUNDA_ADMIN_PASSWORD)

# Prints the HTTP status (000 when nothing answers). Credentials go to curl on stdin as a config
# line, so they never appear in the process list.
http_status() {
  local url=$1 auth=${2:-}
  if [[ -n "$auth" ]]; then
    printf 'user = "%s"\n' "$auth" | curl --silent --output /dev/null --write-out '%{http_code}' \
      --max-time 5 --config - "$url" || true
  else
    curl --silent --output /dev/null --write-out '%{http_code}' --max-time 5 "$url" || true
  fi
}

quote_config() {
  local value=${1//\\/\\\\}
  printf '%s' "${value//\"/\\\"}"
}
auth=""
[[ -n "$admin_user" ]] && auth="$(quote_config "$admin_user"):$(quote_config "$admin_password")"

deadline=$((SECONDS + timeout))
engine="000"
workers="000"
last=""
while ((SECONDS < deadline)); do
  engine=$(http_status "$engine_url" "$auth")
  workers=$(http_status "$workers_url")
  state="engine $engine, workers $workers"
  [[ "$state" != "$last" ]] && log "$state"
  last=$state
  if [[ "$engine" == 200 && "$workers" == 200 ]]; then
    log "healthy: $engine_url and $workers_url answer 200"
    exit 0
  fi
  sleep "$interval"
done

log "not healthy after $timeout s; container state and logs follow"
compose ps --all || true
compose logs --no-color --timestamps --tail "${VALIDATE_LOG_LINES:-150}" || true
reasons=()
[[ "$engine" == 200 ]] || reasons+=("engine $engine_url answered HTTP $engine")
[[ "$workers" == 200 ]] || reasons+=("workers $workers_url answered HTTP $workers")
die "not healthy after $timeout s: $(IFS=';'; echo "${reasons[*]}") (000 = no answer, 401 = wrong admin credentials)"
