#!/usr/bin/env bash
# AfterInstall: write the runtime env file from SSM Parameter Store and Secrets Manager. Settings
# never travel in the bundle: the same bundle serves every environment, and the instance role can
# read only its own environment's parameters and secrets.
#
# Parameter Store, under RUNTIME_PARAMETER_PATH (default /camunda-platform/<deployment group>/):
#   one parameter per setting, named after the variable: DB_HOST, DB_NAME, DB_PORT, WORKERS_REPOSITORY, ...
#   DB_SECRET_ID          Secrets Manager id of the database credentials (JSON with username, password)
#   WORKERS_DB_SECRET_ID  Secrets Manager id of the workers' own database user (same shape): their
#                         idempotency records live in its schema, shared by every host
#   ADMIN_SECRET_ID       Secrets Manager id of the Camunda admin (JSON with username, password)
#   WORKERS_CAMUNDA_SECRET_ID  Secrets Manager id of the workers' own Camunda user (same shape): the
#                         workers fetch and complete external tasks as it, never as the admin
#   MONITORING_CAMUNDA_SECRET_ID  Secrets Manager id of the read-only monitoring user (same shape):
#                         the metrics exporter polls the engine as it, never as the admin
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

group=${DEPLOYMENT_GROUP_NAME:-}
path=${RUNTIME_PARAMETER_PATH:-${group:+/camunda-platform/$group/}}
[[ -n "$path" ]] || die "neither RUNTIME_PARAMETER_PATH nor DEPLOYMENT_GROUP_NAME is set: cannot tell which parameters to read"
[[ "$path" == */ ]] || path="$path/"

declare -A settings=()

# Parameter names become variable names; anything else under the path is ignored with a warning.
parameters=$(aws ssm get-parameters-by-path --path "$path" --recursive --with-decryption \
  --query 'Parameters[].[Name,Value]' --output text) ||
  die "reading SSM parameters under $path failed; check the instance role may ssm:GetParametersByPath there"
while IFS=$'\t' read -r name value; do
  [[ -n "$name" ]] || continue
  key=${name##*/}
  if [[ ! "$key" =~ ^[A-Z][A-Z0-9_]*$ ]]; then
    log "ignoring parameter $name: its last segment is not an environment variable name"
    continue
  fi
  settings[$key]=$value
done <<<"$parameters"

# Reads one field of a JSON secret; the value travels through pipes only, never argv or the log.
secret_field() {
  local secret_id=$1 field=$2
  aws secretsmanager get-secret-value --secret-id "$secret_id" --query SecretString --output text |
    python3 -c 'import json, sys
try:
    value = json.load(sys.stdin)[sys.argv[1]]
except (ValueError, KeyError, TypeError):
    sys.exit(3)
sys.stdout.write(str(value))' "$field"
}

read_secret() {
  local secret_id=$1 user_key=$2 password_key=$3 value
  value=$(secret_field "$secret_id" username) || die "secret $secret_id has no readable \"username\" field; check the secret and the instance role's secretsmanager:GetSecretValue"
  settings[$user_key]=$value
  value=$(secret_field "$secret_id" password) || die "secret $secret_id has no readable \"password\" field; check the secret and the instance role's secretsmanager:GetSecretValue"
  settings[$password_key]=$value
}

# Each <NAME>_SECRET_ID setting names a secret whose username and password become two settings; the id
# itself is not passed on. Order as listed (the database's, then the Camunda users').
secret_settings=(
  "DB_SECRET_ID DB_USER DB_PASSWORD"
  "WORKERS_DB_SECRET_ID WORKERS_DB_USER WORKERS_DB_PASSWORD"
  "ADMIN_SECRET_ID CAMUNDA_ADMIN_USER CAMUNDA_ADMIN_PASSWORD"
  "WORKERS_CAMUNDA_SECRET_ID WORKERS_CAMUNDA_USER WORKERS_CAMUNDA_PASSWORD"
  "MONITORING_CAMUNDA_SECRET_ID MONITORING_CAMUNDA_USER MONITORING_CAMUNDA_PASSWORD"
)
for entry in "${secret_settings[@]}"; do
  read -r id_key user_key password_key <<<"$entry"
  if [[ -n "${settings[$id_key]:-}" ]]; then
    read_secret "${settings[$id_key]}" "$user_key" "$password_key"
    unset "settings[$id_key]"
  fi
done

# The workers image: the environment's repository (a setting) and the digest this revision was built
# with (in the bundle), so every host runs exactly the image CI built for this commit.
digest_file="$APP_DIR/workers/image-digest"
[[ -r "$digest_file" ]] || die "this revision carries no workers image digest ($digest_file): it was packaged without --workers-image-digest; deploy it with the workflow, which pushes the image and passes its digest"
digest=$(<"$digest_file")
[[ "$digest" =~ ^sha256:[0-9a-f]{64}$ ]] || die "$digest_file holds \"$digest\", not an image digest (sha256:<64 hex digits)"
if [[ -n "${settings[WORKERS_REPOSITORY]:-}" ]]; then
  settings[WORKERS_IMAGE]="${settings[WORKERS_REPOSITORY]}@$digest"
fi

missing=()
# The workers' user is required: hosts of one deployment group share their idempotency records, and
# the workers refuse to start in a cluster without them.
for key in DB_HOST DB_NAME DB_USER DB_PASSWORD WORKERS_DB_USER WORKERS_DB_PASSWORD CAMUNDA_ADMIN_USER CAMUNDA_ADMIN_PASSWORD WORKERS_CAMUNDA_USER WORKERS_CAMUNDA_PASSWORD MONITORING_CAMUNDA_USER MONITORING_CAMUNDA_PASSWORD WORKERS_IMAGE; do
  [[ -n "${settings[$key]:-}" ]] || missing+=("$key")
done
((${#missing[@]} == 0)) || die "missing runtime settings: ${missing[*]}; add them under $path (or the secrets DB_SECRET_ID / WORKERS_DB_SECRET_ID / ADMIN_SECRET_ID / WORKERS_CAMUNDA_SECRET_ID / MONITORING_CAMUNDA_SECRET_ID point at; WORKERS_IMAGE comes from WORKERS_REPOSITORY, which the delivery stack creates)"

# Values are written single-quoted, which compose reads literally (no $ expansion), so the only
# characters that cannot be represented are the single quote and line breaks.
umask 077
mkdir -p "$(dirname "$ENV_FILE")"
tmp=$(mktemp "$ENV_FILE.XXXXXX")
trap 'rm -f "$tmp"' EXIT
mapfile -t keys < <(printf '%s\n' "${!settings[@]}" | LC_ALL=C sort)
for key in "${keys[@]}"; do
  value=${settings[$key]}
  if [[ "$value" == *"'"* || "$value" == *$'\n'* || "$value" == *$'\r'* ]]; then
    die "the value of $key contains a single quote or a line break, which the env file cannot hold; regenerate it without those characters"
  fi
  printf "%s='%s'\n" "$key" "$value" >>"$tmp"
done
chmod 600 "$tmp"
mv -f "$tmp" "$ENV_FILE"
trap - EXIT
log "wrote ${#keys[@]} settings to $ENV_FILE: ${keys[*]}"
