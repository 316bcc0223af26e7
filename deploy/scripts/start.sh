#!/usr/bin/env bash
# ApplicationStart: pull the images and start the platform in the background; nothing is built here. `up --detach` returns
# once the containers are created; a foreground `up` would keep the hook's output open and
# CodeDeploy would wait until the hook times out.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

[[ -r "$ENV_FILE" ]] || die "$ENV_FILE is missing; AfterInstall (install.sh) writes it: see its output in this deployment's log"

# Both images come from registries: the engine's from Docker Hub, the workers' from ECR by the digest
# CI built (install.sh wrote it; Docker's ECR credential helper authenticates with the instance role).
log "pulling images (workers: $(env_value WORKERS_IMAGE))"
compose pull --quiet </dev/null
compose up --detach --no-build --remove-orphans </dev/null
log "containers started; ValidateService checks their health"
