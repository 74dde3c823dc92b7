#!/usr/bin/env bash
# Makes a headless Chromium available for the browser tests (packages/server/src/report.integration.test.ts, which
# screenshots the model report). Idempotent:
#   1. installs Debian's chromium (and fonts-liberation, a font family the screenshots can show text in; it is only a
#      Recommends of chromium) with apt-get if no chromium is on PATH; log: tmp/chromium-setup/apt.log,
#   2. checks that it starts headless: `--dump-dom` of a small inline page must print that page's marker
#      (log: tmp/chromium-setup/check.log).
# On success the LAST line of stdout is the path of the chromium binary; everything else goes to stderr.
#
# Environment:
#   UNIONML_CHROMIUM           a chromium binary to use instead of the one on PATH (then nothing is installed)
#   CHROMIUM_SETUP_TIMEOUT     seconds the headless check may take (default 60)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE="$ROOT/tmp/chromium-setup"
APT_LOG="$STATE/apt.log"
CHECK_LOG="$STATE/check.log"
TIMEOUT="${CHROMIUM_SETUP_TIMEOUT:-60}"

log() { echo "chromium-setup: $*" >&2; }
die() {
  echo "chromium-setup: ERROR: $*" >&2
  exit 1
}
start=$SECONDS
mkdir -p "$STATE"

# ---- 1. package ----------------------------------------------------------------------------------------------
find_chromium() {
  if [[ -n "${UNIONML_CHROMIUM:-}" ]]; then
    [[ -x "$UNIONML_CHROMIUM" ]] && echo "$UNIONML_CHROMIUM"
    return 0
  fi
  command -v chromium 2>/dev/null || command -v chromium-browser 2>/dev/null || true
}

bin="$(find_chromium)"
if [[ -n "$bin" ]]; then
  log "found $bin"
elif [[ -n "${UNIONML_CHROMIUM:-}" ]]; then
  die "UNIONML_CHROMIUM=$UNIONML_CHROMIUM is not an executable file"
else
  [[ "$(id -u)" == 0 ]] || die "chromium is missing and installing it needs root (run: sudo bash $0, or: sudo apt-get install -y chromium)"
  command -v apt-get >/dev/null 2>&1 || die "chromium is missing and this is not a Debian/Ubuntu machine: install it yourself (or set UNIONML_CHROMIUM)"
  log "apt-get update (log: $APT_LOG)"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$APT_LOG" 2>&1 || {
    tail -n 20 "$APT_LOG" | sed 's/^/    /' >&2
    die "apt-get update failed (log: $APT_LOG)"
  }
  log "apt-get install chromium fonts-liberation (log: $APT_LOG)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-liberation >>"$APT_LOG" 2>&1 || {
    tail -n 20 "$APT_LOG" | sed 's/^/    /' >&2
    die "apt-get install chromium failed (log: $APT_LOG)"
  }
  bin="$(find_chromium)"
  [[ -n "$bin" ]] || die "apt-get installed chromium but no chromium is on PATH (log: $APT_LOG)"
  log "installed $("$bin" --version 2>/dev/null || echo chromium) in $((SECONDS - start))s"
fi

# ---- 2. check ------------------------------------------------------------------------------------------------
# A throwaway profile, so that a check never touches (or is slowed by) a real one.
PROFILE="$(mktemp -d "${TMPDIR:-/tmp}/chromium-setup.XXXXXX")"
trap 'rm -rf "$PROFILE"' EXIT
marker="unionml-chromium-check"
if ! timeout "$TIMEOUT" "$bin" --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir="$PROFILE" \
  --dump-dom "data:text/html,<p id=$marker>ok</p>" >"$CHECK_LOG" 2>&1 </dev/null; then
  tail -n 20 "$CHECK_LOG" | sed 's/^/    /' >&2
  die "$bin --headless --dump-dom failed or took more than ${TIMEOUT}s (log: $CHECK_LOG)"
fi
grep -q "id=\"$marker\"" "$CHECK_LOG" || {
  tail -n 20 "$CHECK_LOG" | sed 's/^/    /' >&2
  die "$bin --headless --dump-dom did not print the test page (log: $CHECK_LOG)"
}
log "ready in $((SECONDS - start))s: $("$bin" --version 2>/dev/null | head -n 1) at $bin"
echo "$bin"
