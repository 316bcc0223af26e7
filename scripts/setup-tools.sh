#!/usr/bin/env bash
# Installs the Python-based tools the tests need into git-ignored virtual environments under .venv/.
# Idempotent: a stamp file per environment records the requirements it was built from.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-python3}

install_env() {
  local name=$1 requirements=$2
  local dir="$root/.venv/$name" stamp="$root/.venv/$name/.requirements"
  if [[ -f "$stamp" ]] && cmp -s "$stamp" "$requirements"; then
    return 0
  fi
  echo "setup-tools: installing $(grep -v '^#' "$requirements" | tr '\n' ' ')into .venv/$name"
  "$python" -m venv "$dir"
  "$dir/bin/pip" install --quiet --disable-pip-version-check --upgrade pip
  "$dir/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
  cp "$requirements" "$stamp"
}

install_env tools "$root/scripts/python-tools.txt"
install_env checkov "$root/scripts/checkov-tools.txt"
