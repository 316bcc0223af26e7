#!/usr/bin/env bash
# ApplicationStop: stop the running platform. CodeDeploy runs the *previous* revision's copy of this
# script, and none on a fresh instance, so it must succeed when nothing (or no docker) is there.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

if ! command -v docker >/dev/null 2>&1; then
  log "docker is not installed yet: nothing to stop"
  exit 0
fi
running=$(docker ps --quiet --filter "label=com.docker.compose.project=$PROJECT")
if [[ -z "$running" ]]; then
  log "no container of project $PROJECT is running: nothing to stop"
  exit 0
fi
log "stopping project $PROJECT (grace ${STOP_TIMEOUT_SECONDS:-60} s for the workers to finish their tasks)"
# By project name only: compose finds the containers by label, so this works even if the compose
# file on disk already belongs to another revision or is gone.
(cd / && docker compose --project-name "$PROJECT" down --remove-orphans --timeout "${STOP_TIMEOUT_SECONDS:-60}")
log "project $PROJECT stopped"
