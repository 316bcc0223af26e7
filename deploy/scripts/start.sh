#!/usr/bin/env bash
# ApplicationStart: get the images and start the platform in the background. `up --detach` returns
# once the containers are created; a foreground `up` would keep the hook's output open and
# CodeDeploy would wait until the hook times out.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

[[ -r "$ENV_FILE" ]] || die "$ENV_FILE is missing; AfterInstall (install.sh) writes it: see its output in this deployment's log"

workers_image=$(env_value WORKERS_IMAGE)
if [[ -n "$workers_image" ]]; then
  log "pulling images (workers: $workers_image)"
  compose pull --quiet </dev/null
else
  # No registry image configured: build the workers image from the built file shipped in this bundle.
  log "pulling the engine image and building the workers image from the bundle"
  compose pull --quiet camunda </dev/null
  compose build --pull workers </dev/null
fi
compose up --detach --no-build --remove-orphans </dev/null
log "containers started; ValidateService checks their health"
