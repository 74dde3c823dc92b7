#!/usr/bin/env bash
# Builds the Flyte lab's task image for flytekit workflows with the local Docker daemon (npm run docker:up), without a
# container registry to pull from:
#   1. base: Debian bookworm made here with `debootstrap --variant=minbase` from the mirror in apt's sources, imported
#      with `docker import` as flyte-lab-debian:bookworm-<hash> (cached: made once per base recipe);
#   2. in a container of the base (network host): apt-get install python3 python3-venv ca-certificates, then a venv in
#      /opt/flytekit with `pip install flytekit==1.16.31 pandas pyarrow -c tools/flytekit-check/constraints.txt`
#      (every installed distribution must be pinned by constraints.txt);
#   3. `docker commit` as flyte-lab-flytekit:<hash>, <hash> = sha256 of this script, constraints.txt and the MinIO port
#      baked in as the default endpoint (the first 12 hex digits), also tagged
#      localhost:30000/flyte-lab-flytekit:<hash> and pushed there if a registry answers on 127.0.0.1:30000;
#   4. checks: pyflyte-execute / pyflyte-fast-execute run, and (when MinIO answers) flytekit in the image writes and
#      reads s3://my-s3-bucket (a file and a pandas DataFrame as Parquet) with the FLYTE_AWS_* env below.
# Idempotent: when flyte-lab-flytekit:<hash> exists nothing is built (the push is still done if the registry lacks it).
# The image runs as root, WORKDIR /root, PATH starts with /opt/flytekit/bin (pyflyte, pyflyte-execute,
# pyflyte-fast-execute), and has the lab's MinIO as default storage (FLYTE_AWS_ENDPOINT=http://127.0.0.1:30002,
# minio / miniostorage; override with -e): run it with --network host.
# Logs, timings and the image size go to stderr. On success the LAST line of stdout is the image reference
# (flyte-lab-flytekit:<hash>).
#
# Usage: build-flytekit-image.sh [--verify] [--no-push] [--rebuild-base]
#   --verify        run the checks (4.) also when the image already exists
#   --no-push       never push to the registry
#   --rebuild-base  remake the Debian base even if it exists (new debootstrap)
# Environment:
#   FLYTE_LAB_DEBIAN_MIRROR   Debian mirror for debootstrap (default: the first bookworm URI in apt's sources)
#   FLYTE_LAB_REGISTRY_PORT   registry port on 127.0.0.1 (default 30000; the tag always says localhost:<port>)
#   FLYTE_LAB_MINIO_PORT      MinIO port on 127.0.0.1: the image's default FLYTE_AWS_ENDPOINT and the check (30002)
# Needs: root (debootstrap), docker with a running daemon, debootstrap (installed with apt-get when missing), curl.
set -euo pipefail

SELF="$(readlink -f "${BASH_SOURCE[0]}")"
ROOT="$(cd "$(dirname "$SELF")/../../.." && pwd)"
CONSTRAINTS="$ROOT/tools/flytekit-check/constraints.txt"
FLYTEKIT_VERSION=1.16.31
# Installed on top of flytekit: flytekit's pandas/Parquet structured dataset handlers need both (pinned by constraints).
EXTRA_PACKAGES=(pandas pyarrow)
SUITE=bookworm
APT_PACKAGES=(python3 python3-venv ca-certificates)
VENV=/opt/flytekit
REPO=flyte-lab-flytekit
BASE_REPO=flyte-lab-debian
REGISTRY_PORT="${FLYTE_LAB_REGISTRY_PORT:-30000}"
MINIO_PORT="${FLYTE_LAB_MINIO_PORT:-30002}"
BUCKET=my-s3-bucket
CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt
# Bump when the base's recipe changes in a way the variables in base_recipe() do not show.
BASE_RECIPE_VERSION=1

VERIFY="" PUSH=1 REBUILD_BASE=""
for arg in "$@"; do
  case "$arg" in
  --verify) VERIFY=1 ;;
  --no-push) PUSH="" ;;
  --rebuild-base) REBUILD_BASE=1 ;;
  -h | --help)
    sed -n '2,/^set -euo/p' "$SELF" | sed '$d; s/^# \{0,1\}//'
    exit 0
    ;;
  *)
    echo "build-flytekit-image: unknown argument: $arg (see --help)" >&2
    exit 2
    ;;
  esac
done

log() { echo "build-flytekit-image: $*" >&2; }
die() {
  echo "build-flytekit-image: ERROR: $*" >&2
  exit 1
}
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
sha() { sha256sum | cut -c1-12; }
mb() { docker image inspect --format '{{.Size}}' "$1" | awk '{ printf "%.0f MB", $1 / 1e6 }'; }

T0="$(now)"
declare -A TIMES=()
command -v docker >/dev/null 2>&1 || die "docker not found (run: cd $ROOT && npm run docker:up)"
timeout 10 docker version --format '{{.Server.Version}}' >/dev/null 2>&1 ||
  die "no Docker daemon answers (start it with: cd $ROOT && npm run docker:up)"
[[ -f "$CONSTRAINTS" ]] || die "$CONSTRAINTS is missing"
grep -qx "flytekit==$FLYTEKIT_VERSION" "$CONSTRAINTS" ||
  die "$CONSTRAINTS does not pin flytekit==$FLYTEKIT_VERSION (change FLYTEKIT_VERSION here with it)"
for p in "${EXTRA_PACKAGES[@]}"; do
  grep -qiE "^$p==" "$CONSTRAINTS" || die "$p is not pinned in $CONSTRAINTS (pin it exactly)"
done

# The recipe: this script, the constraints, and the MinIO port baked into the image's default FLYTE_AWS_ENDPOINT.
HASH="$( {
  cat "$SELF" "$CONSTRAINTS"
  echo "minio-port $MINIO_PORT"
} | sha)"
TAG="$REPO:$HASH"
REG_TAG="localhost:$REGISTRY_PORT/$TAG"

WORK="$(mktemp -d "${TMPDIR:-/var/tmp}/flyte-lab-image.XXXXXX")"
BUILD_CONTAINER=""
cleanup() {
  [[ -n "$BUILD_CONTAINER" ]] && docker rm -f "$BUILD_CONTAINER" >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT

# One build at a time on this machine.
exec 9>"${TMPDIR:-/tmp}/flyte-lab-images.lock"
flock -w 1800 9 || die "another build holds ${TMPDIR:-/tmp}/flyte-lab-images.lock"

# ---- the Debian mirror -------------------------------------------------------------------------------------------
# The first URI of a `deb` source whose suites include bookworm itself (not -updates / -security), from
# /etc/apt/sources.list (one-line format) or /etc/apt/sources.list.d/*.list / *.sources (deb822).
debian_mirror() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f "$f" ]] || continue
    awk -v s="$SUITE" '$1 == "deb" { i = 2; if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
      if ($(i + 1) == s) { print $i; exit } }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f "$f" ]] || continue
    awk -v s="$SUITE" 'BEGIN { RS = ""; FS = "\n" }
      { types = ""; uris = ""; suites = ""
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^Types:/) types = $i; if ($i ~ /^URIs:/) uris = $i; if ($i ~ /^Suites:/) suites = $i }
        if (types ~ /[: ]deb( |$)/ && (" " suites " ") ~ (" " s " ")) { sub(/^URIs:[ \t]*/, "", uris); split(uris, u, " "); print u[1]; exit } }' "$f"
  done
}
MIRROR="${FLYTE_LAB_DEBIAN_MIRROR:-}"
[[ -n "$MIRROR" ]] || MIRROR="$(debian_mirror | head -n1 || true)"
[[ -n "$MIRROR" ]] || MIRROR=http://deb.debian.org/debian

# ---- pip settings to pass into the build container ---------------------------------------------------------------
# The container trusts this machine's CA bundle (copied in for the build only, not kept in the image). Index URLs,
# trusted hosts and proxies from this machine's pip configuration and environment are passed through.
pip_settings() {
  PIP_ENV=(-e PIP_CERT=/tmp/build/ca.crt -e SSL_CERT_FILE=/tmp/build/ca.crt -e REQUESTS_CA_BUNDLE=/tmp/build/ca.crt
    -e PIP_DISABLE_PIP_VERSION_CHECK=1 -e PIP_NO_INPUT=1 -e PIP_DEFAULT_TIMEOUT=180)
  if command -v python3 >/dev/null 2>&1; then
    while IFS= read -r line; do
      key="${line%%=*}" value="${line#*=}"
      value="${value#\'}" value="${value%\'}"
      name="${key#*.}"
      case "$name" in
      index-url | extra-index-url | trusted-host | proxy | timeout | retries)
        var="PIP_$(echo "$name" | tr 'a-z-' 'A-Z_')"
        PIP_ENV+=(-e "$var=$value")
        log "pip setting from this machine: $var=$value"
        ;;
      find-links) log "note: this machine's pip find-links ($value) is not available in the container; not used" ;;
      esac
    done < <(python3 -m pip config list 2>/dev/null || true)
  fi
  for var in http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY; do
    if [[ -n "${!var:-}" ]]; then
      PIP_ENV+=(-e "$var=${!var}")
      log "passing $var to the build container"
    fi
  done
}

# ---- checks of an image ------------------------------------------------------------------------------------------
S3_ENV=(-e "FLYTE_AWS_ENDPOINT=http://127.0.0.1:$MINIO_PORT" -e FLYTE_AWS_ACCESS_KEY_ID=minio
  -e FLYTE_AWS_SECRET_ACCESS_KEY=miniostorage)
check_image() {
  local out
  out="$(docker run --rm --network host "$TAG" sh -c \
    'pyflyte-execute --help >/dev/null && pyflyte-fast-execute --help >/dev/null && pyflyte --help >/dev/null &&
     python -c "import sys, flytekit, pandas, pyarrow; print(sys.version.split()[0], flytekit.__version__, pandas.__version__, pyarrow.__version__)"' 2>&1)" ||
    { echo "$out" | tail -n 20 >&2; return 1; }
  read -r py fk pd pa <<<"$(echo "$out" | tail -n1)"
  [[ "$fk" == "$FLYTEKIT_VERSION" ]] || { log "flytekit in the image is $fk, not $FLYTEKIT_VERSION"; return 1; }
  log "check: python $py, flytekit $fk, pandas $pd, pyarrow $pa; pyflyte, pyflyte-execute, pyflyte-fast-execute run"
}
check_s3() {
  if ! curl -s -o /dev/null --max-time 3 "http://127.0.0.1:$MINIO_PORT/minio/health/live"; then
    log "check: MinIO does not answer on 127.0.0.1:$MINIO_PORT; s3:// check skipped (start it: bash tools/flyte-lab/up.sh)"
    return 0
  fi
  local out prefix
  prefix="s3://$BUCKET/flyte-lab-image-check/$HASH/$(date +%s)-$$"
  # Only the env flytekit reads (FLYTE_AWS_*), as propeller's pods get it: no AWS_* variables.
  out="$(docker run -i --rm --network host "${S3_ENV[@]}" -e "PREFIX=$prefix" "$TAG" python - 2>&1 <<'EOF'
import os, tempfile
import pandas as pd
from flytekit.core.context_manager import FlyteContextManager
from flytekit.core.data_persistence import FileAccessProvider
from flytekit.core.type_engine import TypeEngine

prefix = os.environ["PREFIX"]
fa = FileAccessProvider(local_sandbox_dir=tempfile.mkdtemp(), raw_output_prefix=prefix + "/raw")
src = os.path.join(tempfile.mkdtemp(), "hello.txt")
with open(src, "w") as f:
    f.write("hello from the flytekit image\n")
fa.put_data(src, prefix + "/hello.txt")
dst = os.path.join(tempfile.mkdtemp(), "back.txt")
fa.get_data(prefix + "/hello.txt", dst)
assert open(dst).read() == "hello from the flytekit image\n", "read back differs"
ctx = FlyteContextManager.current_context().with_file_access(fa).build()
df = pd.DataFrame({"x": [1, 2, 3], "y": [0.5, 1.5, 2.5]})
lit = TypeEngine.to_literal(ctx, df, pd.DataFrame, TypeEngine.to_literal_type(pd.DataFrame))
uri = lit.scalar.structured_dataset.uri
back = TypeEngine.to_python_value(ctx, lit, pd.DataFrame)
assert back.equals(df), back
print("ok", prefix + "/hello.txt", uri)
EOF
  )" || { echo "$out" | tail -n 30 >&2; return 1; }
  local ok file uri
  read -r ok file uri <<<"$(echo "$out" | tail -n1)"
  [[ "$ok" == ok && -n "$uri" ]] || { echo "$out" | tail -n 30 >&2; return 1; }
  log "check: flytekit in the image wrote and read $file and a DataFrame (Parquet) at $uri"
}

# ---- the image ---------------------------------------------------------------------------------------------------
if docker image inspect "$TAG" >/dev/null 2>&1; then
  log "image $TAG exists (recipe hash $HASH): nothing to build"
  if [[ -n "$VERIFY" ]]; then
    check_image || die "image $TAG does not work (see above)"
    check_s3 || die "flytekit in $TAG cannot use s3:// on MinIO (see above)"
  fi
else
  # -- 1. base
  base_recipe() { printf 'recipe %s\ndebootstrap --variant=minbase %s %s\narch %s\n' "$BASE_RECIPE_VERSION" "$SUITE" "$MIRROR" "$(dpkg --print-architecture 2>/dev/null || uname -m)"; }
  BASE="$BASE_REPO:$SUITE-$(base_recipe | sha)"
  if [[ -z "$REBUILD_BASE" ]] && docker image inspect "$BASE" >/dev/null 2>&1; then
    log "base image $BASE exists"
    TIMES[debootstrap]="cached"
  else
    [[ "$(id -u)" == 0 ]] || die "debootstrap needs root"
    if ! command -v debootstrap >/dev/null 2>&1; then
      command -v apt-get >/dev/null 2>&1 || die "debootstrap is missing and this is not a Debian/Ubuntu machine"
      log "installing debootstrap (apt-get update; apt-get install debootstrap)"
      { DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap; } >"$WORK/apt-host.log" 2>&1 ||
        { tail -n 20 "$WORK/apt-host.log" >&2; die "could not install debootstrap"; }
    fi
    log "debootstrap --variant=minbase $SUITE from $MIRROR (log: $WORK/debootstrap.log while it runs)"
    t="$(now)"
    debootstrap --variant=minbase "$SUITE" "$WORK/rootfs" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 ||
      { tail -n 30 "$WORK/debootstrap.log" >&2; die "debootstrap failed"; }
    # What a container image needs less of: no apt lists or cached .debs, no logs.
    rm -rf "$WORK/rootfs"/var/lib/apt/lists/* "$WORK/rootfs"/var/cache/apt/*.bin "$WORK/rootfs"/var/cache/apt/archives/*.deb \
      "$WORK/rootfs"/var/log/*.log "$WORK/rootfs"/var/log/apt/*
    size="$(du -sh "$WORK/rootfs" | cut -f1)"
    tar -C "$WORK/rootfs" --numeric-owner -cf - . |
      docker import \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'ENV LANG=C.UTF-8' \
        --change 'CMD ["/bin/bash"]' \
        --change "LABEL org.flyte-lab.base.suite=$SUITE org.flyte-lab.base.mirror=$MIRROR" \
        --message "flyte-lab Debian $SUITE minbase (debootstrap from $MIRROR)" \
        - "$BASE" >/dev/null
    rm -rf "$WORK/rootfs"
    TIMES[debootstrap]="$(since "$t") s"
    log "base image $BASE imported ($size root filesystem) in ${TIMES[debootstrap]}"
  fi

  # -- 2. python3 and flytekit, in one container (one layer on top of the base)
  BUILD_CONTAINER="flyte-lab-flytekit-build-$HASH-$$"
  docker run -d --name "$BUILD_CONTAINER" --network host "$BASE" sleep infinity >/dev/null
  mkdir -p "$WORK/build"
  cp "$CONSTRAINTS" "$WORK/build/constraints.txt"
  cp -L "$CA_BUNDLE" "$WORK/build/ca.crt"
  docker cp "$WORK/build" "$BUILD_CONTAINER:/tmp/build"

  log "apt-get install ${APT_PACKAGES[*]}"
  t="$(now)"
  docker exec -e DEBIAN_FRONTEND=noninteractive "$BUILD_CONTAINER" sh -c \
    "apt-get update -q && apt-get install -y -q --no-install-recommends ${APT_PACKAGES[*]} && apt-get clean &&
     rm -rf /var/lib/apt/lists/* /var/log/apt/* /var/log/*.log" >"$WORK/apt.log" 2>&1 ||
    { tail -n 30 "$WORK/apt.log" >&2; die "apt-get in the build container failed"; }
  TIMES[apt]="$(since "$t") s"
  log "apt done in ${TIMES[apt]}"

  pip_settings
  log "pip install flytekit==$FLYTEKIT_VERSION ${EXTRA_PACKAGES[*]} -c constraints.txt into $VENV"
  t="$(now)"
  docker exec "${PIP_ENV[@]}" "$BUILD_CONTAINER" sh -c \
    "python3 -m venv $VENV && $VENV/bin/pip install --no-cache-dir -c /tmp/build/constraints.txt \
       flytekit==$FLYTEKIT_VERSION ${EXTRA_PACKAGES[*]} && $VENV/bin/pip check" >"$WORK/pip.log" 2>&1 ||
    { tail -n 30 "$WORK/pip.log" >&2; die "pip install in the build container failed (is PyPI reachable? log above)"; }
  TIMES[pip]="$(since "$t") s"
  log "pip done in ${TIMES[pip]}"

  # Every installed distribution must be pinned by constraints.txt (the venv's own pip/setuptools aside).
  docker exec "$BUILD_CONTAINER" $VENV/bin/pip freeze --all >"$WORK/freeze.txt"
  tr 'A-Z_.' 'a-z--' <"$CONSTRAINTS" | { grep -E '^[a-z0-9-]+==' || true; } | sort >"$WORK/want"
  unpinned="$(tr 'A-Z_.' 'a-z--' <"$WORK/freeze.txt" | { grep -vE '^(pip|setuptools)==' || true; } | sort | comm -23 - "$WORK/want")"
  [[ -z "$unpinned" ]] || die "installed but not pinned by constraints.txt: $(echo "$unpinned" | tr '\n' ' ')"
  log "$(grep -cvE '^(pip|setuptools)==' "$WORK/freeze.txt") distributions installed (besides pip, setuptools), all pinned by constraints.txt"
  # Trim what no task imports, because the daemon's vfs storage copies the whole image for every container (a smaller
  # image starts faster): the test suites of pandas, numpy and pyarrow, pyarrow's C++ headers and Cython sources, and
  # Debian's docs (but the copyright files), man pages and translations.
  docker exec "$BUILD_CONTAINER" sh -c "
    sp=\$(echo $VENV/lib/python3*/site-packages)
    rm -rf \$sp/pandas/tests \$sp/pyarrow/tests \$sp/pyarrow/include \$sp/pyarrow/src &&
    find \$sp/numpy -type d -name tests -prune -exec rm -rf {} + &&
    find \$sp/pyarrow -type f \( -name '*.pxd' -o -name '*.pyx' -o -name '*.pxi' \) -delete &&
    find /usr/share/doc -type f ! -name copyright -delete && find /usr/share/doc -type d -empty -delete &&
    rm -rf /usr/share/man/* /usr/share/locale/* /usr/share/info/* &&
    rm -rf /tmp/build /root/.cache"

  t="$(now)"
  docker commit \
    --change "ENV PATH=$VENV/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    --change 'ENV LANG=C.UTF-8' \
    --change 'ENV PYTHONUNBUFFERED=1' \
    --change "ENV FLYTE_AWS_ENDPOINT=http://127.0.0.1:$MINIO_PORT" \
    --change 'ENV FLYTE_AWS_ACCESS_KEY_ID=minio' \
    --change 'ENV FLYTE_AWS_SECRET_ACCESS_KEY=miniostorage' \
    --change 'WORKDIR /root' \
    --change 'CMD ["/bin/bash"]' \
    --change "LABEL org.flyte-lab.recipe=$HASH org.flyte-lab.flytekit=$FLYTEKIT_VERSION org.flyte-lab.base=$BASE" \
    --message "flyte-lab flytekit $FLYTEKIT_VERSION image (tools/flyte-lab/images/build-flytekit-image.sh)" \
    "$BUILD_CONTAINER" "$TAG" >/dev/null
  docker rm -f "$BUILD_CONTAINER" >/dev/null
  BUILD_CONTAINER=""
  TIMES[commit]="$(since "$t") s"

  t="$(now)"
  if ! check_image; then
    docker rmi "$TAG" >/dev/null 2>&1 || true
    die "the new image does not work (see above); it was removed"
  fi
  check_s3 || die "flytekit in $TAG cannot use s3:// on MinIO (see above); the image is kept"
  TIMES[checks]="$(since "$t") s"
fi
docker tag "$TAG" "$REG_TAG"

# ---- push --------------------------------------------------------------------------------------------------------
if [[ -z "$PUSH" ]]; then
  log "push skipped (--no-push)"
elif ! curl -s -o /dev/null --max-time 3 "http://127.0.0.1:$REGISTRY_PORT/v2/"; then
  log "no registry answers on 127.0.0.1:$REGISTRY_PORT: push of $REG_TAG skipped (the tag exists locally)"
elif curl -sf -o /dev/null --max-time 10 -I -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
  "http://127.0.0.1:$REGISTRY_PORT/v2/$REPO/manifests/$HASH"; then
  log "registry on 127.0.0.1:$REGISTRY_PORT already has $REPO:$HASH"
else
  log "pushing $REG_TAG"
  t="$(now)"
  docker push "$REG_TAG" >"$WORK/push.log" 2>&1 || { tail -n 20 "$WORK/push.log" >&2; die "docker push $REG_TAG failed"; }
  TIMES[push]="$(since "$t") s"
  log "pushed in ${TIMES[push]}"
fi

summary=""
for k in debootstrap apt pip commit checks push; do
  if [[ -n "${TIMES[$k]:-}" ]]; then summary+="$k ${TIMES[$k]}, "; fi
done
log "timings: ${summary}total $(since "$T0") s"
log "image $TAG (also $REG_TAG): $(mb "$TAG")"
echo "$TAG"
