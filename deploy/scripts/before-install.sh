#!/usr/bin/env bash
# BeforeInstall: check the host can run the platform, then empty the install directory so files
# deleted from the repository do not linger from earlier revisions.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

command -v docker >/dev/null 2>&1 || die "docker is not installed on this host; the app stack's user data installs it: check /var/log/cloud-init-output.log"
docker compose version >/dev/null 2>&1 || die "the docker compose plugin is missing; install docker-compose-plugin on this host"
command -v aws >/dev/null 2>&1 || die "the aws CLI is missing; install awscli-2 on this host (install.sh reads the runtime settings with it)"
command -v docker-credential-ecr-login >/dev/null 2>&1 || die "docker-credential-ecr-login is missing; the app stack's user data installs amazon-ecr-credential-helper, which pulls the workers image from ECR"

case "$APP_DIR" in
  /opt/?* | /srv/?* | /tmp/?*) ;;
  *) die "refusing to empty APP_DIR=$APP_DIR: it must be a directory under /opt, /srv or /tmp" ;;
esac
mkdir -p "$APP_DIR"
find "$APP_DIR" -mindepth 1 -delete
mkdir -p "$(dirname "$ENV_FILE")"
chmod 700 "$(dirname "$ENV_FILE")"
log "host ready: $(docker compose version --short 2>/dev/null || echo 'compose'), install directory $APP_DIR emptied"
