#!/usr/bin/env bash
# Brings up what @unionml/docker needs on this machine (`npm run docker:up`). Idempotent:
#   1. installs Debian's docker.io if dockerd is missing (and docker-registry, used by @unionml/docker's push tests),
#   2. starts `dockerd --storage-driver=vfs --iptables=false --bridge=none` in the background if no daemon answers
#      (log: tmp/docker-up/dockerd.log), and waits for it,
#   3. makes the local base image with this machine's Node and npm if it does not exist yet: a minimal root filesystem
#      (node and the libraries ldd lists, /bin/sh (dash), /usr/bin/env, a few coreutils and find, npm/npx, the CA bundle, root's passwd/group,
#      /tmp, /root) imported with `docker import`, tagged by content as unionml-node-base:<node version>-<hash> and as
#      unionml-node-base:latest, and checked (node, npm --version, npm install of a small package over the network).
# The daemon has no bridge network: containers and build steps must use network mode `host`.
# On success the LAST line of stdout is the base image reference (the content tag); everything else goes to stderr.
#
# Environment:
#   DOCKER_HOST              a unix:// socket to use/start (default /var/run/docker.sock); for tcp:// hosts the daemon
#                            is only waited for, never installed or started
#   DOCKERD_EXTRA_ARGS       more dockerd options when it is started here, e.g. "--data-root /big/disk/docker"
#   DOCKER_UP_TIMEOUT        seconds to wait for the daemon (default 180: a loaded machine starts it slowly)
#   DOCKER_UP_VERIFY=1       run the full image check even when the image already exists
#   DOCKER_UP_NO_REGISTRY=1  do not install docker-registry
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE="$ROOT/tmp/docker-up"
DOCKERD_LOG="$STATE/dockerd.log"
TIMEOUT="${DOCKER_UP_TIMEOUT:-180}"
REPO="unionml-node-base"
# Bump when the recipe of the root filesystem changes in a way its file list does not show.
RECIPE=1

log() { echo "docker-up: $*" >&2; }
die() {
  echo "docker-up: ERROR: $*" >&2
  exit 1
}
start=$SECONDS
mkdir -p "$STATE"

socket=/var/run/docker.sock
remote=""
case "${DOCKER_HOST:-}" in
"") ;;
unix://*) socket="${DOCKER_HOST#unix://}" ;;
*) remote="$DOCKER_HOST" ;;
esac

# ---- 1. packages ---------------------------------------------------------------------------------------------
apt_updated=""
apt_install() {
  [[ "$(id -u)" == 0 ]] || die "installing $* needs root (run: sudo apt-get install -y $*)"
  command -v apt-get >/dev/null 2>&1 || die "$* is missing and this is not a Debian/Ubuntu machine: install it yourself"
  # Keep the packages' maintainer scripts from starting services (dockerd is started below, with our options).
  local created_policy=""
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    created_policy=1
  fi
  local ok=1
  if [[ -z "$apt_updated" ]]; then
    log "apt-get update"
    if with_retries "apt-get update" apt_quiet update -qq; then apt_updated=1; else ok=""; fi
  fi
  if [[ -n "$ok" ]]; then
    log "apt-get install $*"
    with_retries "apt-get install $*" apt_quiet install -y -qq --no-install-recommends "$@" || ok=""
  fi
  [[ -n "$created_policy" ]] && rm -f /usr/sbin/policy-rc.d
  [[ -n "$ok" ]] || die "apt-get could not install $* (log: $STATE/apt.log; a mirror that fails three times in a row is down or unreachable from here)"
  return 0
}
# apt-get with its output in the log (another apt-get holding the lock is waited for, up to 2 minutes).
apt_quiet() { DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=120 "$@" >>"$STATE/apt.log" 2>&1; }
# Runs "$@" up to three times, 10 s then 30 s apart (a mirror or the network may fail once); the log's tail on failure.
with_retries() {
  local what="$1" attempt
  shift
  for attempt in 1 2 3; do
    "$@" && return 0
    tail -n 20 "$STATE/apt.log" | sed 's/^/    /' >&2
    if ((attempt < 3)); then
      log "$what failed (attempt $attempt of 3); retrying in $((attempt == 1 ? 10 : 30))s"
      sleep $((attempt == 1 ? 10 : 30))
    fi
  done
  log "$what failed 3 times"
  return 1
}

if [[ -z "$remote" ]]; then
  if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1; then
    apt_install docker.io
  fi
  if [[ "${DOCKER_UP_NO_REGISTRY:-}" != 1 ]] && ! command -v docker-registry >/dev/null 2>&1; then
    apt_install docker-registry
  fi
fi
command -v docker >/dev/null 2>&1 || die "the docker client is missing (apt-get install docker.io)"

# ---- 2. daemon -----------------------------------------------------------------------------------------------
export DOCKER_HOST="${remote:-unix://$socket}"
answers() { timeout 10 docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

if answers; then
  log "daemon at $DOCKER_HOST answers"
elif [[ -n "$remote" ]]; then
  die "no Docker daemon answers at $remote (this script starts daemons only on unix sockets)"
else
  [[ "$(id -u)" == 0 ]] || die "starting dockerd needs root (run: sudo npm run docker:up)"
  extra=()
  [[ "$socket" != /var/run/docker.sock ]] && extra=(--host "unix://$socket")
  # shellcheck disable=SC2206 # word splitting wanted
  [[ -n "${DOCKERD_EXTRA_ARGS:-}" ]] && extra+=(${DOCKERD_EXTRA_ARGS})
  # A dockerd already running for this socket (slow to answer on a loaded machine) is waited for, not started twice;
  # the pid file of one that is gone (a machine image taken while it ran) would make the new one refuse to start.
  pidfile=/var/run/docker.pid
  [[ "$socket" != /var/run/docker.sock ]] && pidfile=""
  dockerd_pid=""
  if [[ -n "$pidfile" && -f "$pidfile" ]]; then
    old_pid="$(tr -dc 0-9 <"$pidfile")"
    if [[ -n "$old_pid" && "$(cat "/proc/$old_pid/comm" 2>/dev/null)" == dockerd ]]; then
      dockerd_pid="$old_pid"
      log "dockerd (pid $dockerd_pid) is running but does not answer yet; waiting for it"
    else
      log "removing the stale $pidfile (pid ${old_pid:-?} is not a running dockerd)"
      rm -f "$pidfile"
    fi
  fi
  if [[ -z "$dockerd_pid" ]]; then
    # Likewise the pid file of the containerd a gone dockerd had started: dockerd would take a reused pid for it.
    ctr_pidfile=/var/run/docker/containerd/containerd.pid
    if [[ -n "$pidfile" && -f "$ctr_pidfile" ]]; then
      ctr_pid="$(tr -dc 0-9 <"$ctr_pidfile")"
      if [[ "$(cat "/proc/${ctr_pid:-0}/comm" 2>/dev/null)" != containerd ]]; then
        log "removing the stale $ctr_pidfile (pid ${ctr_pid:-?} is not a running containerd)"
        rm -f "$ctr_pidfile"
      fi
    fi
    log "starting dockerd (storage driver vfs, no iptables, no bridge); log: $DOCKERD_LOG"
    setsid nohup dockerd --storage-driver=vfs --iptables=false --bridge=none "${extra[@]}" >"$DOCKERD_LOG" 2>&1 </dev/null &
    dockerd_pid=$!
  fi
  waited=0
  until answers; do
    if ! kill -0 "$dockerd_pid" 2>/dev/null; then
      tail -n 20 "$DOCKERD_LOG" | sed 's/^/    /' >&2
      die "dockerd exited during start-up (log: $DOCKERD_LOG)"
    fi
    ((waited >= TIMEOUT)) && {
      tail -n 20 "$DOCKERD_LOG" | sed 's/^/    /' >&2
      die "dockerd (pid $dockerd_pid) did not answer on $socket within ${TIMEOUT}s (log: $DOCKERD_LOG; raise DOCKER_UP_TIMEOUT?)"
    }
    sleep 1
    waited=$((waited + 1))
  done
  log "dockerd $(docker version --format '{{.Server.Version}}') up in ${waited}s (pid $dockerd_pid)"
fi

# ---- 3. base image -------------------------------------------------------------------------------------------
NODE_BIN="$(command -v node)" || die "node is not installed on this machine"
NODE_BIN="$(readlink -f "$NODE_BIN")"
NODE_VERSION="$("$NODE_BIN" -p process.versions.node)"
NPM_DIR="$(readlink -f "$(dirname "$NODE_BIN")/../lib/node_modules/npm")"
[[ -f "$NPM_DIR/bin/npm-cli.js" ]] || die "npm not found next to $NODE_BIN (looked in $NPM_DIR)"
CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt
[[ -f "$CA_BUNDLE" ]] || die "$CA_BUNDLE is missing (apt-get install ca-certificates)"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/docker-up.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
FS="$WORK/rootfs"
mkdir -p "$FS"/usr/{bin,sbin,lib/x86_64-linux-gnu,lib64,lib/node_modules} "$FS"/etc/ssl/certs "$FS"/{dev,proc,sys,root,tmp,var/tmp}
ln -s usr/bin "$FS/bin"
ln -s usr/sbin "$FS/sbin"
ln -s usr/lib "$FS/lib"
ln -s usr/lib64 "$FS/lib64"
chmod 1777 "$FS/tmp" "$FS/var/tmp"
chmod 700 "$FS/root"

# Copies a file (following symlinks) to the same path under the merged-/usr layout of the root filesystem.
put() {
  local src="$1" dir
  dir="$(readlink -f "$(dirname "$src")")"
  mkdir -p "$FS$dir"
  cp -L --preserve=mode "$src" "$FS$dir/$(basename "$src")"
}
# A binary and every shared library ldd lists for it (the loader included).
put_with_libs() {
  local bin="$1" lib
  put "$bin"
  while read -r lib; do
    [[ -n "$lib" ]] && put "$lib"
  done < <(ldd "$bin" | grep -oE '/[^ ]+\.so[^ ]*' | sort -u)
}
put_with_libs "$NODE_BIN"
put_with_libs "$(readlink -f /bin/sh)"
put_with_libs "$(readlink -f /usr/bin/env)"
# A few coreutils and find, so that the usual `RUN mkdir -p ... && cp ...` steps of a Dockerfile and the template's
# `find node_modules -name '*.map' -delete` work (about 1.5 MB).
for tool in cat chmod chown cp ln ls mkdir mv rm rmdir touch find; do
  if path="$(command -v "$tool")"; then put_with_libs "$(readlink -f "$path")"; fi
done
[[ -e "$FS/usr/bin/sh" ]] || ln -s "$(basename "$(readlink -f /bin/sh)")" "$FS/usr/bin/sh"
cp -a "$NPM_DIR" "$FS/usr/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$FS/usr/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$FS/usr/bin/npx"
cp -L "$CA_BUNDLE" "$FS/etc/ssl/certs/ca-certificates.crt"
cat >"$FS/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/sh
EOF
cat >"$FS/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
EOF
printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$FS/etc/nsswitch.conf"
# npm's global config: trust this machine's CA bundle, as npm here does; no update checks, no funding/audit chatter.
mkdir -p "$FS/usr/etc"
printf 'cafile=/etc/ssl/certs/ca-certificates.crt\nupdate-notifier=false\nfund=false\naudit=false\n' >"$FS/usr/etc/npmrc"
# and the registry this machine's npm uses, when it is not npm's default (a mirror); never its credentials.
HOST_REGISTRY="$(npm config get registry 2>/dev/null || true)"
if [[ -n "$HOST_REGISTRY" && "$HOST_REGISTRY" != https://registry.npmjs.org/ ]]; then
  log "the image's npm uses this machine's registry: $HOST_REGISTRY"
  printf 'registry=%s\n' "$HOST_REGISTRY" >>"$FS/usr/etc/npmrc"
fi
chown -R 0:0 "$FS"

# The content tag: a hash of every path, its type, mode and link target, and every file's sha256.
manifest="$WORK/manifest"
{
  echo "recipe $RECIPE"
  (cd "$FS" && find . -printf '%p %y %m %l\n' | LC_ALL=C sort)
  (cd "$FS" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
} >"$manifest"
hash="$(sha256sum "$manifest" | cut -c1-12)"
TAG="$REPO:$NODE_VERSION-$hash"

verify() {
  local out
  out="$(docker run --rm --network host "$TAG" node -e 'console.log(process.versions.node)' 2>&1)" ||
    { echo "$out" >&2; return 1; }
  [[ "$out" == "$NODE_VERSION" ]] || { echo "node -e printed: $out" >&2; return 1; }
  out="$(docker run --rm --network host "$TAG" npm --version 2>&1)" || { echo "$out" >&2; return 1; }
  log "image check: node $NODE_VERSION, npm $out"
  if [[ "${1:-}" == full ]]; then
    # Over the network: three tries, 10 s then 30 s apart (a registry or the network may fail once).
    local attempt
    for attempt in 1 2 3; do
      if out="$(docker run --rm --network host --workdir /tmp/check "$TAG" sh -c \
        'npm init -y >/dev/null && npm install --no-audit --no-fund is-number@7.0.0 && node -e "process.exit(require(\"is-number\")(5) ? 0 : 1)"' 2>&1)"; then
        log "image check: npm install from the registry works inside the image"
        return 0
      fi
      echo "$out" | tail -n 20 | sed 's/^/    /' >&2
      ((attempt < 3)) || break
      log "image check: npm install inside the image failed (attempt $attempt of 3); retrying in $((attempt == 1 ? 10 : 30))s"
      sleep $((attempt == 1 ? 10 : 30))
    done
    return 1
  fi
}

if docker image inspect "$TAG" >/dev/null 2>&1; then
  log "base image $TAG exists"
  if [[ "${DOCKER_UP_VERIFY:-}" == 1 ]]; then verify full || die "base image $TAG does not work (see above)"; fi
else
  log "importing base image $TAG ($(du -sh "$FS" | cut -f1) root filesystem)"
  tar -C "$FS" --sort=name --numeric-owner --owner=0 --group=0 --mtime='2000-01-01 00:00Z' -cf - . |
    docker import \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
      --change 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
      --change "LABEL org.unionml.base.node=$NODE_VERSION org.unionml.base.manifest=$hash" \
      --change 'WORKDIR /' \
      --change 'CMD ["node"]' \
      --message "unionml-node-base: node $NODE_VERSION from $(hostname)" \
      - "$TAG" >/dev/null
  if ! verify full; then
    docker rmi "$TAG" >/dev/null 2>&1 || true
    die "the new base image does not work (see above); it was removed"
  fi
fi
docker tag "$TAG" "$REPO:latest"
log "ready in $((SECONDS - start))s: $TAG ($(docker image inspect --format '{{.Size}}' "$TAG" | awk '{printf "%.0f MB", $1/1e6}'))"
echo "$TAG"
