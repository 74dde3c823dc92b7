#!/usr/bin/env bash
# Stops what up.sh started, in reverse order: each process named by a pid file in .state/run/ (and only if that pid
# still runs the lab's bin/NAME) gets SIGTERM, then SIGKILL after 20 s. Data, certificates and logs stay in .state/
# for the next up.sh; `down.sh --purge` deletes the state folder as well.
# Exits non-zero if a lab binary (bin/*) still runs afterwards, listing its pid (it was not started by up.sh with
# this state folder, so it is left alone).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PURGE=0
case "${1:-}" in
  --purge) PURGE=1 ;;
  "") ;;
  *) die "usage: down.sh [--purge]" ;;
esac

if [[ -d "$RUN" ]]; then
  exec 9>"$RUN/.updown.lock"
  flock -w 300 9 || die "another up.sh or down.sh holds $RUN/.updown.lock"
fi

stop() { # NAME
  local name="$1" pid t
  pid="$(pid_of "$name")"
  if [[ -z "$pid" ]]; then
    [[ -f "$RUN/$name.pid" ]] && say "$name: not running (stale pid file removed)"
    rm -f "$RUN/$name.pid"
    return
  fi
  t="$(now)"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 20))
  while [[ -d "/proc/$pid" && -n "$(pid_of "$name")" ]]; do
    if ((SECONDS >= deadline)); then
      say "$name (pid $pid): no exit 20 s after SIGTERM, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.1
  done
  rm -f "$RUN/$name.pid"
  say "$name (pid $pid) stopped in $(since "$t")s"
}

for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do
  stop "${COMPONENTS[i]}"
done

# The Pods' containers: the pod runner leaves them running when it stops (a restarted runner adopts them); down
# removes every container it made.
if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
  mapfile -t pods < <(docker ps -aq --filter "label=$POD_LABEL")
  if [[ ${#pods[@]} -gt 0 ]]; then
    docker rm -f "${pods[@]}" >/dev/null
    say "removed ${#pods[@]} pod container(s)"
  fi
fi

# Anything of the lab's still running (e.g. started with another state folder)?
left=()
for p in /proc/[0-9]*; do
  exe="$(readlink "$p/exe" 2>/dev/null)" || continue
  [[ "$exe" == "$BIN/"* ]] && left+=("${p#/proc/} ($exe)")
done
if [[ ${#left[@]} -gt 0 ]]; then
  printf 'flyte-lab: still running from %s (not named by a pid file in %s):\n' "$BIN" "$RUN" >&2
  printf '  pid %s\n' "${left[@]}" >&2
  exit 1
fi

if [[ $PURGE == 1 ]]; then
  rm -rf "$STATE"
  say "state folder $STATE deleted"
fi
say "nothing of the lab is running"
