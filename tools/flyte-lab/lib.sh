# Shared by up.sh and down.sh (sourced, not run): the lab's paths, ports and process helpers.
# shellcheck shell=bash disable=SC2034 # the variables are used by the scripts that source this file

LAB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BIN="$LAB/bin"
STATE="${FLYTE_LAB_STATE:-$LAB/.state}"
RUN="$STATE/run"   # pid files
LOGS="$STATE/logs" # one log per process
PKI="$STATE/pki"   # CA, apiserver serving cert, service-account keys, token file

# Every listener is on 127.0.0.1. MinIO's ports and credentials are the demo cluster's (flytectl demo start).
HOST=127.0.0.1
ETCD_PORT="${FLYTE_LAB_ETCD_PORT:-2379}"
ETCD_PEER_PORT="${FLYTE_LAB_ETCD_PEER_PORT:-2380}"
APISERVER_PORT="${FLYTE_LAB_APISERVER_PORT:-6443}"
MINIO_PORT="${FLYTE_LAB_MINIO_PORT:-30002}"
MINIO_CONSOLE_PORT="${FLYTE_LAB_MINIO_CONSOLE_PORT:-30003}"
MINIO_USER=minio
MINIO_PASSWORD=miniostorage
BUCKET=my-s3-bucket

# The processes the lab runs, in start order (down.sh stops them in reverse).
COMPONENTS=(etcd kube-apiserver minio)

say() { echo "flyte-lab: $*"; }
die() {
  echo "flyte-lab: ERROR: $*" >&2
  exit 1
}

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# pid_of NAME: the pid from NAME's pid file if that process is alive and runs bin/NAME, else nothing.
pid_of() {
  local f="$RUN/$1.pid" pid exe
  [[ -f "$f" ]] || return 0
  pid="$(cat "$f")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 0
  exe="$(readlink "/proc/$pid/exe" 2>/dev/null)" || return 0
  # A rebuilt binary shows as "<path> (deleted)" for a process started before the rebuild.
  [[ "$exe" == "$BIN/$1" || "$exe" == "$BIN/$1 (deleted)" ]] || return 0
  echo "$pid"
}

rss_mb() { awk '/^VmRSS:/ { printf "%d", $2 / 1024 }' "/proc/$1/status" 2>/dev/null; }

# port_busy PORT: true when something accepts TCP connections on 127.0.0.1:PORT.
port_busy() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }
