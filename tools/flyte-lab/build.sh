#!/usr/bin/env bash
# Builds the Flyte lab's binaries from the Go module proxy into tools/flyte-lab/bin/:
#   etcd            go.etcd.io/etcd/server/v3            (module ./etcd)
#   kube-apiserver  k8s.io/kubernetes/cmd/kube-apiserver (module ./kube-apiserver)
#   minio           github.com/minio/minio               (module ./minio)
#   flytepropeller  ./propeller (our main: propeller's controller command with its task plugins)
#   flytectl        github.com/flyteorg/flyte/flytectl   (module ./flytectl)
#   flyte-lab-admin    ./controlplane/cmd/flyte-lab-admin   (ours: the FlyteAdmin-compatible control plane)
#   flyte-lab-kubelet  ./controlplane/cmd/flyte-lab-kubelet (ours: the pod runner)
# Usage: build.sh [--force] [NAME...]   (no NAME: all seven, in the order above)
# Idempotent: a binary is rebuilt only when its module's go.mod, go.sum or .go files, its recipe in this script (the
# ldflags function) or the Go version change; bin/.NAME.sha256 holds the hash of what the binary was built from.
# Each build is CGO_ENABLED=0 go build -trimpath -ldflags "-s -w ..." with GOTOOLCHAIN=local and -mod=readonly.
# Cold builds take minutes each on 2 cores (see README.md); a build log is kept in bin/.NAME.build.log.
set -euo pipefail

LAB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BIN="$LAB/bin"
ALL=(etcd kube-apiserver minio flytepropeller flytectl flyte-lab-admin flyte-lab-kubelet)

log() { echo "flyte-lab build: $*" >&2; }
die() {
  echo "flyte-lab build: ERROR: $*" >&2
  exit 1
}

# ---- targets: module folder, package, ldflags ------------------------------------------------------------------
module_dir() {
  case "$1" in
    etcd) echo "$LAB/etcd" ;;
    kube-apiserver) echo "$LAB/kube-apiserver" ;;
    minio) echo "$LAB/minio" ;;
    flytepropeller) echo "$LAB/propeller" ;;
    flytectl) echo "$LAB/flytectl" ;;
    flyte-lab-admin | flyte-lab-kubelet) echo "$LAB/controlplane" ;;
    *) return 1 ;;
  esac
}
package_of() {
  case "$1" in
    etcd) echo go.etcd.io/etcd/server/v3 ;;
    kube-apiserver) echo k8s.io/kubernetes/cmd/kube-apiserver ;;
    minio) echo github.com/minio/minio ;;
    flytepropeller) echo . ;;
    flytectl) echo github.com/flyteorg/flyte/flytectl ;;
    flyte-lab-admin | flyte-lab-kubelet) echo "./cmd/$1" ;;
  esac
}

# Module metadata from the module cache (go mod download fetches it first if needed), run in the module folder so
# that the version is the one its go.mod selects. mod_version/mod_time/mod_hash MODULE; mod_hash is the commit
# from the proxy's origin record, empty when the proxy did not record one.
mod_field() { go list -m -f "{{with .Replace}}$2{{else}}$2{{end}}" "$1"; } # MODULE TEMPLATE: of the replacement if any
mod_version() { mod_field "$1" '{{.Version}}'; }
mod_time() { mod_field "$1" '{{.Time.UTC.Format "2006-01-02T15:04:05Z"}}'; }
mod_hash() {
  local info
  info="$(go mod download -json "$1@$(mod_version "$1")" | sed -n 's/^[[:space:]]*"Info": "\(.*\)",$/\1/p')"
  [[ -n "$info" && -f "$info" ]] || return 0
  sed -n 's/.*"Hash":"\([0-9a-f]*\)".*/\1/p' "$info"
}

# The version stamps each upstream's own build sets (build dates are the module's commit time, so a rebuild of the
# same versions gives the same binary).
ldflags_etcd() {
  local h
  h="$(mod_hash go.etcd.io/etcd/server/v3)"
  echo "-s -w${h:+ -X go.etcd.io/etcd/api/v3/version.GitSHA=${h:0:9}}"
}
ldflags_kube-apiserver() {
  local v t h major minor f=""
  v="$(mod_version k8s.io/kubernetes)"
  t="$(mod_time k8s.io/kubernetes)"
  h="$(mod_hash k8s.io/kubernetes)"
  major="${v#v}" && major="${major%%.*}"
  minor="${v#v*.}" && minor="${minor%%.*}"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    f+=" -X $pkg.gitVersion=$v -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
    f+=" -X $pkg.buildDate=$t${h:+ -X $pkg.gitCommit=$h}"
  done
  echo "-s -w$f"
}
ldflags_minio() {
  local v t h short
  v="$(mod_version github.com/minio/minio)"
  t="$(mod_time github.com/minio/minio)"
  h="$(mod_hash github.com/minio/minio)"
  short="${v##*-}" # a pseudo-version ends in the commit's first 12 hex digits
  local p=github.com/minio/minio/cmd
  echo "-s -w -X $p.Version=$t -X $p.ReleaseTag=DEVELOPMENT.${t//:/-} -X $p.CommitID=${h:-$short}" \
    "-X $p.ShortCommitID=$short -X $p.CopyrightYear=${t%%-*}"
}
# (flytestdlib's version.BuildTime is initialised with time.Now(), which -X cannot override: it shows the start time.)
flyte_ldflags() { # MODULE
  local v h p=github.com/flyteorg/flyte/flytestdlib/version
  v="$(mod_version "$1")"
  h="$(mod_hash "$1")"
  echo "-s -w -X $p.Version=$v${h:+ -X $p.Build=${h:0:7}}"
}
ldflags_flytepropeller() { flyte_ldflags github.com/flyteorg/flyte/flytepropeller; }
ldflags_flytectl() { flyte_ldflags github.com/flyteorg/flyte/flytectl; }
# The control plane and pod runner: ours, no version stamps.
ldflags_flyte-lab-admin() { echo "-s -w"; }
ldflags_flyte-lab-kubelet() { echo "-s -w"; }

# ---- build -------------------------------------------------------------------------------------------------------
export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS="-mod=readonly -buildvcs=false"

want_hash() { # NAME: what the binary is built from
  local name="$1" dir
  dir="$(module_dir "$name")"
  {
    go env GOVERSION GOOS GOARCH
    echo "$name $(package_of "$name") CGO_ENABLED=$CGO_ENABLED -trimpath"
    declare -f "ldflags_$name"
    [[ "$name" == flyte* ]] && declare -f flyte_ldflags
    (
      cd "$dir"
      find . -type f \( -name '*.go' -o -name go.mod -o -name go.sum \) -print | LC_ALL=C sort |
        while read -r f; do
          echo "$f"
          cat "$f"
        done
    )
  } | sha256sum | cut -d' ' -f1
}

mb() { echo "$(($(stat -c %s "$1") / 1048576)) MiB"; }

build_one() { # NAME -> prints a summary line
  local name="$1" dir pkg out stamp want ldflags logf times
  dir="$(module_dir "$name")" || die "unknown binary '$name' (one of: ${ALL[*]})"
  pkg="$(package_of "$name")"
  out="$BIN/$name"
  stamp="$BIN/.$name.sha256"
  logf="$BIN/.$name.build.log"
  want="$(want_hash "$name")"
  if [[ "$FORCE" != 1 && -x "$out" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    log "$name: up to date ($(mb "$out"))"
    SUMMARY+=("$(printf '%-15s up to date                        %s' "$name" "$(mb "$out")")")
    return
  fi
  log "$name: building $pkg in ${dir#"$LAB"/} (log: ${logf#"$LAB"/})"
  rm -f "$stamp"
  ldflags="$(cd "$dir" && "ldflags_$name")" ||
    die "$name: could not read module metadata (is the Go module proxy reachable?)"
  local TIMEFORMAT='%R %U %S'
  # bash's time reports on the group's stderr, captured here; go's output goes to the log.
  if ! times="$({ time (cd "$dir" && go build -trimpath -ldflags "$ldflags" -o "$out.tmp" "$pkg" >"$logf" 2>&1); } \
    2>&1)"; then
    echo "flyte-lab build: ERROR: go build of $name failed. Last lines of $logf:" >&2
    tail -n 30 "$logf" | sed 's/^/    /' >&2
    echo "flyte-lab build: hint: is the Go module proxy reachable (go env GOPROXY: $(go env GOPROXY))?" \
      "'missing go.sum entry' means: run 'go mod tidy' in ${dir#"$LAB"/}" >&2
    rm -f "$out.tmp"
    exit 1
  fi
  mv -f "$out.tmp" "$out"
  echo "$want" >"$stamp"
  local real user sys
  read -r real user sys <<<"$times"
  local cpu
  cpu="$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.0f", u + s }')"
  real="$(awk -v r="$real" 'BEGIN { printf "%.0f", r }')"
  log "$name: built in ${real}s (CPU ${cpu}s), $(mb "$out")"
  SUMMARY+=("$(printf '%-15s built in %5ss wall, %5ss CPU   %s' "$name" "$real" "$cpu" "$(mb "$out")")")
}

FORCE=0
TARGETS=()
for a in "$@"; do
  case "$a" in
    --force) FORCE=1 ;;
    -h | --help)
      sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *) TARGETS+=("$a") ;;
  esac
done
[[ ${#TARGETS[@]} -gt 0 ]] || TARGETS=("${ALL[@]}")

command -v go >/dev/null 2>&1 || die "go not found on PATH (Go >= 1.26 is needed)"
mkdir -p "$BIN"
# One build at a time: two would fight over the 2 cores and the same outputs.
exec 9>"$BIN/.build.lock"
flock -n 9 || {
  log "another build.sh is running; waiting for it"
  flock 9
}

SUMMARY=()
start=$SECONDS
for t in "${TARGETS[@]}"; do build_one "$t"; done
echo "flyte-lab build: done in $((SECONDS - start))s ($(go env GOVERSION)):"
printf '  %s\n' "${SUMMARY[@]}"
