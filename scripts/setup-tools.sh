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

# actionlint has no binary wheel on PyPI (its sdist downloads from GitHub), so build it from the Go module.
actionlint_version=v1.7.12
if ! "$root/.venv/tools/bin/actionlint" --version 2>/dev/null | head -1 | grep -qx "$actionlint_version"; then
  if command -v go >/dev/null; then
    echo "setup-tools: building actionlint $actionlint_version with Go into .venv/tools/bin"
    GOBIN="$root/.venv/tools/bin" GOFLAGS=-mod=mod go install "github.com/rhysd/actionlint/cmd/actionlint@$actionlint_version"
  else
    echo "setup-tools: Go is not installed, so actionlint cannot be built; the workflow checks will fail until it is" >&2
  fi
fi

# nektos/act runs the workflows themselves in the tests (host mode, no Docker): a Go module, built here.
act_version=v0.2.89
if ! "$root/.venv/tools/bin/act" --version 2>/dev/null | grep -qx "act version ${act_version#v}"; then
  if command -v go >/dev/null; then
    echo "setup-tools: building act $act_version with Go into .venv/tools/bin (about 2 minutes on a cold module cache)"
    GOBIN="$root/.venv/tools/bin" GOFLAGS=-mod=mod go install "github.com/nektos/act@$act_version"
  else
    echo "setup-tools: Go is not installed, so act cannot be built; the workflow runs will fail until it is" >&2
  fi
fi

# GitHub's Ubuntu runner image has yq (mikefarah's; Debian's yq is another program with another
# language) and the AWS CLI, and the workflows call both in run: steps. For the workflow runs under act,
# .venv/runner/bin holds exactly these two and leads the steps' PATH.
install_env awscli "$root/scripts/runner-tools.txt"
mkdir -p "$root/.venv/runner/bin"
ln -sfn ../../awscli/bin/aws "$root/.venv/runner/bin/aws"
yq_version=v4.54.3
if ! "$root/.venv/runner/bin/yq" --version 2>/dev/null | grep -q " ${yq_version}\$"; then
  if command -v go >/dev/null; then
    echo "setup-tools: building yq $yq_version with Go into .venv/runner/bin"
    GOBIN="$root/.venv/runner/bin" GOFLAGS=-mod=mod go install "github.com/mikefarah/yq/v4@$yq_version"
  else
    echo "setup-tools: Go is not installed, so yq cannot be built; workflow runs that read YAML will fail until it is" >&2
  fi
fi

# Compose files are validated with compose-go (what Docker Compose uses) through a small Go program.
compose_validate="$root/.venv/tools/bin/compose-validate"
compose_stamp="$root/.venv/tools/.compose-validate"
compose_sum=$(cat "$root/scripts/compose-validate/go.mod" "$root/scripts/compose-validate/go.sum" "$root/scripts/compose-validate/main.go" | sha256sum | cut -d' ' -f1)
if [[ ! -x "$compose_validate" ]] || [[ "$(cat "$compose_stamp" 2>/dev/null)" != "$compose_sum" ]]; then
  if command -v go >/dev/null; then
    echo "setup-tools: building compose-validate (compose-go) into .venv/tools/bin"
    (cd "$root/scripts/compose-validate" && GOFLAGS=-mod=mod go build -o "$compose_validate" .)
    echo "$compose_sum" > "$compose_stamp"
  else
    echo "setup-tools: Go is not installed, so compose-validate cannot be built; the compose checks will fail until it is" >&2
  fi
fi
