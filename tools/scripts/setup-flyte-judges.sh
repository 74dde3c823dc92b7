#!/usr/bin/env bash
# Builds the Flyte judges: Flyte's own code, used by tests to check what UnionML for TypeScript produces.
#   tools/flytekit-check/.venv        flytekit 1.16.31 from PyPI (check_bundle.py, read_literals.py)
#   tools/flyte-check/bin/flyte-check flytepropeller v1.16.8's compiler from the Go module proxy
# Idempotent: the venv is rebuilt only when requirements.txt/constraints.txt change, the binary only when its Go
# sources, go.mod or go.sum (or the Go version) change. On success the last two lines of stdout are the venv and the
# binary paths. Needs: python3 (3.10-3.12, or $FLYTE_JUDGES_PYTHON) with venv, go (>= 1.26), and the PyPI and Go
# module proxy registries.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
FK="$ROOT/tools/flytekit-check"
FC="$ROOT/tools/flyte-check"
VENV="$FK/.venv"
BIN="$FC/bin/flyte-check"
PY="${FLYTE_JUDGES_PYTHON:-python3}"

log() { echo "setup-flyte-judges: $*" >&2; }
die() {
  echo "setup-flyte-judges: ERROR: $*" >&2
  exit 1
}
# Shows the end of a failed step's log with a hint about the usual cause.
fail_with_log() {
  local what="$1" logfile="$2" hint="$3"
  echo "setup-flyte-judges: ERROR: $what failed. Last lines of $logfile:" >&2
  tail -n 40 "$logfile" | sed 's/^/    /' >&2
  echo "setup-flyte-judges: hint: $hint" >&2
  exit 1
}
sha() { sha256sum | cut -d' ' -f1; }

mkdir -p "$FC/bin"
LOGDIR="$(mktemp -d "${TMPDIR:-/tmp}/flyte-judges.XXXXXX")"
trap 'rm -rf "$LOGDIR"' EXIT

# ---- flytekit venv -------------------------------------------------------------------------------------------
want_py="$(cat "$FK/requirements.txt" "$FK/constraints.txt" | sha)"
stamp_py="$VENV/.judges-requirements.sha256"
if [[ -x "$VENV/bin/python" && -f "$stamp_py" && "$(cat "$stamp_py")" == "$want_py" ]] &&
  "$VENV/bin/python" -c 'import flytekit' >/dev/null 2>&1; then
  log "flytekit venv up to date ($VENV)"
else
  start=$SECONDS
  command -v "$PY" >/dev/null 2>&1 || die "$PY not found (set FLYTE_JUDGES_PYTHON to a Python 3.10-3.12)"
  pyver="$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
  "$PY" -c 'import sys; sys.exit(0 if (3, 10) <= sys.version_info[:2] <= (3, 12) else 1)' ||
    die "flytekit 1.16 needs Python >=3.10,<3.13 but $PY is $pyver (set FLYTE_JUDGES_PYTHON)"
  log "creating flytekit venv with $PY ($pyver): $VENV"
  rm -rf "$VENV"
  "$PY" -m venv "$VENV" >"$LOGDIR/venv.log" 2>&1 ||
    fail_with_log "python -m venv" "$LOGDIR/venv.log" "install the venv module (Debian: apt-get install python3-venv)"
  "$VENV/bin/python" -m pip install --disable-pip-version-check --no-input \
    -r "$FK/requirements.txt" -c "$FK/constraints.txt" >"$LOGDIR/pip.log" 2>&1 ||
    fail_with_log "pip install of tools/flytekit-check/requirements.txt" "$LOGDIR/pip.log" \
      "is PyPI reachable (pip config / PIP_INDEX_URL)? does every pin in constraints.txt exist for Python $pyver?"
  "$VENV/bin/python" -c 'import flytekit, flyteidl, pandas, pyarrow' >"$LOGDIR/import.log" 2>&1 ||
    fail_with_log "importing flytekit in the new venv" "$LOGDIR/import.log" "a broken install; delete $VENV and retry"
  echo "$want_py" >"$stamp_py"
  log "flytekit venv ready in $((SECONDS - start))s"
fi

# ---- flyte-check (Go) ----------------------------------------------------------------------------------------
command -v go >/dev/null 2>&1 || die "go not found on PATH (Go >= 1.26 is needed to build tools/flyte-check)"
goversion="$(go env GOVERSION)"
want_go="$(
  cd "$FC"
  {
    echo "$goversion"
    find . -path ./bin -prune -o -type f \( -name '*.go' -o -name go.mod -o -name go.sum \) -print | LC_ALL=C sort |
      while read -r f; do
        echo "$f"
        cat "$f"
      done
  } | sha
)"
stamp_go="$FC/bin/.flyte-check.sha256"
if [[ -x "$BIN" && -f "$stamp_go" && "$(cat "$stamp_go")" == "$want_go" ]]; then
  log "flyte-check up to date ($BIN)"
else
  start=$SECONDS
  log "building flyte-check with $goversion (cold: downloads ~170 modules from the Go module proxy)"
  rm -f "$stamp_go"
  (
    cd "$FC"
    # GOTOOLCHAIN=local: never download a toolchain; -mod=readonly: go.mod/go.sum are committed and must be complete.
    # Default compile flags on purpose, so that a later `go test ./...` reuses the compiled packages from GOCACHE.
    GOTOOLCHAIN=local GOFLAGS=-mod=readonly go build -buildvcs=false -ldflags='-s -w' -o "$BIN.tmp" .
  ) >"$LOGDIR/go.log" 2>&1 ||
    fail_with_log "go build of tools/flyte-check" "$LOGDIR/go.log" \
      "is the Go module proxy reachable (go env GOPROXY: $(go env GOPROXY))? 'missing go.sum entry' means run 'go mod tidy' in tools/flyte-check"
  mv -f "$BIN.tmp" "$BIN"
  echo "$want_go" >"$stamp_go"
  log "flyte-check built in $((SECONDS - start))s"
fi

"$BIN" --help >/dev/null 2>&1 || [[ $? -eq 2 ]] || die "$BIN does not run"
echo "$VENV"
echo "$BIN"
