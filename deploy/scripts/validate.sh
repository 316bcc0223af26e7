#!/usr/bin/env bash
# ValidateService: wait until the engine answers /engine-rest/engine (authenticated) and the workers
# report ready on /readyz. On timeout print the containers' state and logs, so the reason shows up
# in the deployment's diagnostics (CodeDeploy keeps the tail of this output), then fail.
# Once healthy, refuse an engine that still holds Camunda Run's invoice example (its demo users with
# their well-known passwords, groups, filters and definitions): GET requests as the admin user, the
# same check as the engine probe of `release --smoke` (actions/src/probe/demo-data.ts; a unit test
# keeps the names below equal to its lists). docs/operations.md gives the clean-up.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

timeout=${VALIDATE_TIMEOUT_SECONDS:-420}
interval=${VALIDATE_INTERVAL_SECONDS:-5}
engine_port=$(env_value CAMUNDA_PORT)
workers_port=$(env_value WORKER_HTTP_PORT)
engine_base="http://127.0.0.1:${engine_port:-8080}/engine-rest"
engine_url="${engine_base}/engine"
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

# What the invoice example creates (Camunda Run 7.23.0, camunda.bpm.run.example.enabled).
demo_users=(demo john mary peter)
demo_groups=(sales accounting management)
demo_filters=("My Tasks" "My Group Tasks" "Accounting" "John's Tasks" "Mary's Tasks" "Peter's Tasks" "All Tasks")
invoice_processes=(invoice ReviewInvoice)
invoice_decisions=(invoiceClassification invoice-assign-approver)

# GET <path> with query parameters (name=value, URL-encoded by curl) as the admin user; prints the body
# or fails the hook naming the path and the HTTP status.
engine_get() {
  local path=$1 out status
  shift
  local args=()
  for parameter in "$@"; do args+=(--data-urlencode "$parameter"); done
  out=$(printf 'user = "%s"\n' "$auth" | curl --silent --get --max-time 10 --config - \
    --write-out '\n%{http_code}' "${args[@]}" "${engine_base}${path}") || true
  status=${out##*$'\n'}
  if [[ "$status" != 200 ]]; then
    die "cannot check the engine for the invoice example's demo data: GET ${engine_base}${path} answered HTTP ${status:-000} (401/403: the admin user in $ENV_FILE must be a member of camunda-admin)"
  fi
  printf '%s' "${out%$'\n'*}"
}

# The wanted names that occur in a JSON list as "<field>":"<name>" (the REST API writes compact JSON),
# comma-separated; nothing when none does.
present_in() {
  local body=$1 field=$2 name quoted found=()
  shift 2
  for name in "$@"; do
    quoted=${name//\\/\\\\}
    quoted=${quoted//\"/\\\"}
    [[ "$body" == *"\"$field\":\"$quoted\""* ]] && found+=("$name")
  done
  join ', ' "${found[@]}"
}

# join <separator> <item>...: the items with the separator between them.
join() {
  local separator=$1 out=""
  shift
  for item in "$@"; do out+="${out:+$separator}$item"; done
  printf '%s' "$out"
}

# With authorization on a query lists only what its caller may read: an admin user without READ on
# one of these types would see nothing and pass. Resource type ids as in Camunda's Resources enum.
readable_types=(User:1 Group:2 Filter:5 ProcessDefinition:6 DecisionDefinition:10)

# Each list is fetched at the top level of the function: a failed GET ends the hook (set -e).
demo_data_check() {
  local body found=() names type missing=()
  for type in "${readable_types[@]}"; do
    body=$(engine_get /authorization/check permissionName=READ "resourceName=${type%%:*}" "resourceType=${type##*:}")
    [[ "$body" == *'"authorized":true'* ]] || missing+=("${type%%:*}")
  done
  if ((${#missing[@]} > 0)); then
    die "cannot check the engine for the invoice example's demo data: the admin user '$admin_user' lacks READ on $(join ', ' "${missing[@]}") (it must be a member of camunda-admin)"
  fi
  body=$(engine_get /user "idIn=$(IFS=,; echo "${demo_users[*]}")")
  names=$(present_in "$body" id "${demo_users[@]}")
  [[ -n "$names" ]] && found+=("users $names")
  body=$(engine_get /group "idIn=$(IFS=,; echo "${demo_groups[*]}")")
  names=$(present_in "$body" id "${demo_groups[@]}")
  [[ -n "$names" ]] && found+=("groups $names")
  body=$(engine_get /filter resourceType=Task)
  names=$(present_in "$body" name "${demo_filters[@]}")
  [[ -n "$names" ]] && found+=("filters $names")
  # One key at a time, as the probe does (the decision query has no list-of-keys parameter).
  local key definitions=()
  for key in "${invoice_processes[@]}"; do
    body=$(engine_get /process-definition "key=$key" maxResults=1)
    [[ -n "$(present_in "$body" key "$key")" ]] && definitions+=("process $key")
  done
  for key in "${invoice_decisions[@]}"; do
    body=$(engine_get /decision-definition "key=$key" maxResults=1)
    [[ -n "$(present_in "$body" key "$key")" ]] && definitions+=("decision $key")
  done
  ((${#definitions[@]} > 0)) && found+=("definitions $(join ', ' "${definitions[@]}")")
  if ((${#found[@]} > 0)); then
    die "the engine still holds Camunda Run's invoice example ($(join '; ' "${found[@]}")), whose demo users log in with their user name as password: remove it once as docs/operations.md describes (turn the example off first, or it comes back at the next start)"
  fi
  log "no demo data of the invoice example (users, groups, filters, process and decision definitions checked)"
}

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
    demo_data_check
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
