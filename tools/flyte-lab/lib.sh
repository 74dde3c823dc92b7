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
REGISTRY_PORT="${FLYTE_LAB_REGISTRY_PORT:-30000}"
ADMIN_PORT="${FLYTE_LAB_ADMIN_PORT:-30080}"
# Propeller's profiling/metrics server listens on every interface (flytestdlib's profutils binds ":PORT"; no flag
# changes the address), so it gets a port of its own that nothing else in the lab uses.
PROPELLER_PROF_PORT="${FLYTE_LAB_PROPELLER_PROF_PORT:-30089}"
# The Flyte client config the lab writes (as ~/.flyte/config-sandbox.yaml from `flytectl demo start`).
FLYTE_CONFIG="${FLYTE_LAB_CONFIG:-$STATE/config.yaml}"

# The processes the lab runs, in start order (down.sh stops them in reverse).
COMPONENTS=(etcd kube-apiserver minio docker-registry flyte-lab-admin flytepropeller flyte-lab-kubelet)
# Containers the pod runner made carry this label (down.sh removes them).
POD_LABEL=org.unionml.flyte-lab.node

say() { echo "flyte-lab: $*"; }
die() {
  echo "flyte-lab: ERROR: $*" >&2
  exit 1
}

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# exe_of NAME: the executable NAME runs: bin/NAME, except the registry (Debian's docker-registry).
exe_of() {
  case "$1" in
    docker-registry) echo "${FLYTE_LAB_REGISTRY_BIN:-/usr/bin/docker-registry}" ;;
    *) echo "$BIN/$1" ;;
  esac
}

# pid_of NAME: the pid from NAME's pid file if that process is alive and runs NAME's executable, else nothing.
pid_of() {
  local f="$RUN/$1.pid" pid exe want
  [[ -f "$f" ]] || return 0
  pid="$(cat "$f")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 0
  exe="$(readlink "/proc/$pid/exe" 2>/dev/null)" || return 0
  want="$(exe_of "$1")"
  # A rebuilt binary shows as "<path> (deleted)" for a process started before the rebuild.
  [[ "$exe" == "$want" || "$exe" == "$want (deleted)" ]] || return 0
  echo "$pid"
}

rss_mb() { awk '/^VmRSS:/ { printf "%d", $2 / 1024 }' "/proc/$1/status" 2>/dev/null; }

# port_busy PORT: true when something accepts TCP connections on 127.0.0.1:PORT.
port_busy() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }
