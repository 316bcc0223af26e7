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
# Without --timeout each service gets its own stop_grace_period (workers 45 s to finish their tasks,
# then the engine 75 s for Spring's graceful shutdown: 120 s together, within ApplicationStop's 180 s).
# One --timeout for all would cut the engine's shutdown short; STOP_TIMEOUT_SECONDS still forces one.
timeout_args=()
if [[ -n "${STOP_TIMEOUT_SECONDS:-}" ]]; then timeout_args=(--timeout "$STOP_TIMEOUT_SECONDS"); fi
log "stopping project $PROJECT (each service's stop_grace_period${STOP_TIMEOUT_SECONDS:+, overridden: $STOP_TIMEOUT_SECONDS s})"
# By project name only: compose finds the containers by label, so this works even if the compose
# file on disk already belongs to another revision or is gone.
(cd / && docker compose --project-name "$PROJECT" down --remove-orphans "${timeout_args[@]}")
log "project $PROJECT stopped"
