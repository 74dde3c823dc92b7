#!/usr/bin/env bash
# Starts the lab's storage and Kubernetes side on 127.0.0.1, each process in the background with its pid file in
# .state/run/ and its log in .state/logs/:
#   etcd            http://127.0.0.1:2379 (peer 127.0.0.1:2380), data in .state/etcd
#   kube-apiserver  https://127.0.0.1:6443, its own CA and serving cert, service-account keys and a static token
#                   (generated once with openssl into .state/pki); kubeconfig written to .state/kubeconfig
#   minio           http://127.0.0.1:30002 (console 127.0.0.1:30003), minio / miniostorage, bucket my-s3-bucket,
#                   data in .state/minio
# Idempotent: a process that already runs (its pid file names a live process of bin/NAME) is left alone and only
# checked for readiness. Waits for each with a timeout, then prints the readiness times and each process's RSS.
# Needs the binaries of build.sh (bin/etcd, bin/kube-apiserver, bin/minio), curl (7.75+, for --aws-sigv4) and
# openssl. Stop with down.sh. FLYTE_LAB_STATE moves the state folder; FLYTE_LAB_*_PORT change ports (see lib.sh).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# The Docker daemon runs the Pods' containers and Debian's docker-registry serves localhost:30000; docker-up.sh
# installs both and starts the daemon (idempotent; quick when the daemon answers).
if ! docker info >/dev/null 2>&1 || [[ ! -x "$(exe_of docker-registry)" ]]; then
  bash "$LAB/../scripts/docker-up.sh" >/dev/null || die "the Docker daemon is not available (tools/scripts/docker-up.sh failed)"
fi
for b in "${COMPONENTS[@]}"; do
  [[ -x "$(exe_of "$b")" ]] || die "$(exe_of "$b") is missing: run tools/flyte-lab/build.sh first"
done
command -v curl >/dev/null || die "curl not found"
command -v openssl >/dev/null || die "openssl not found"
mkdir -p "$RUN" "$LOGS" "$PKI"
exec 9>"$RUN/.updown.lock"
flock -w 300 9 || die "another up.sh or down.sh holds $RUN/.updown.lock"

T0="$(now)"
declare -A STATUS=()

# ---- certificates, keys, token ------------------------------------------------------------------------------------
ensure_pki() {
  local log="$LOGS/openssl.log"
  (
    cd "$PKI"
    umask 077
    if [[ ! -s ca.crt || ! -s ca.key ]]; then
      openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 3650 -sha256 \
        -subj "/CN=flyte-lab-ca" >>"$log" 2>&1
      rm -f apiserver.crt
    fi
    if [[ ! -s apiserver.crt || ! -s apiserver.key ]]; then
      openssl req -newkey rsa:2048 -nodes -keyout apiserver.key -out apiserver.csr -subj "/CN=kube-apiserver" \
        >>"$log" 2>&1
      local svc=kubernetes.default.svc
      printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
        "extendedKeyUsage=serverAuth" \
        "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:$svc,DNS:$svc.cluster.local" \
        >apiserver.ext
      openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 -sha256 \
        -extfile apiserver.ext -out apiserver.crt >>"$log" 2>&1
      rm -f apiserver.csr apiserver.ext
    fi
    if [[ ! -s sa.key || ! -s sa.pub ]]; then
      openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out sa.key >>"$log" 2>&1
      openssl pkey -in sa.key -pubout -out sa.pub >>"$log" 2>&1
    fi
    if [[ ! -s token ]]; then
      openssl rand -hex 24 >token
    fi
    # token,user,uid,"groups": system:masters may do anything.
    printf '%s,flyte-lab-admin,flyte-lab-admin,"system:masters"\n' "$(cat token)" >tokens.csv
  ) || die "openssl failed (see $log)"
}

# ---- process helpers -----------------------------------------------------------------------------------------------
# launch NAME CMD...: starts CMD in a session of its own, output appended to the log, pid to the pid file.
launch() {
  local name="$1"
  shift
  echo "==== $(date -u +%Y-%m-%dT%H:%M:%SZ) up.sh: $*" >>"$LOGS/$name.log"
  # 9>&-: the process must not inherit (and so hold) up.sh's lock.
  setsid "$@" >>"$LOGS/$name.log" 2>&1 </dev/null 9>&- &
  echo $! >"$RUN/$name.pid"
}

# launched_alive NAME: true while the process launch started for NAME lives (a zombie counts as dead).
launched_alive() {
  local pid state
  pid="$(cat "$RUN/$1.pid" 2>/dev/null)" || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  state="$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null)" || return 1
  [[ -n "$state" && "$state" != Z && "$state" != X ]]
}

# wait_ready NAME TIMEOUT_SECONDS CHECK...: polls CHECK until it succeeds; fails early if the process died.
wait_ready() {
  local name="$1" timeout="$2" t
  shift 2
  t="$(now)"
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    # The launched pid, alive (not a zombie) whatever it runs yet: right after launch, and under load for a while,
    # it is still the forked shell or setsid that has not exec'd the binary, which pid_of does not recognise.
    if ! launched_alive "$name"; then
      tail -n 25 "$LOGS/$name.log" | sed 's/^/    /' >&2
      die "$name exited before it was ready (log: $LOGS/$name.log)"
    fi
    if ((SECONDS >= deadline)); then
      tail -n 25 "$LOGS/$name.log" | sed 's/^/    /' >&2
      die "$name not ready after ${timeout}s (log: $LOGS/$name.log)"
    fi
    sleep 0.1
  done
  READY_IN="$(since "$t")"
}

# stop_for_restart NAME WHY: stops NAME (SIGTERM, SIGKILL after 20 s) so that start runs it afresh.
stop_for_restart() {
  local pid
  pid="$(pid_of "$1")"
  [[ -n "$pid" ]] || return 0
  say "$1: $2; restarting it"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 20))
  while [[ -d "/proc/$pid" ]] && ((SECONDS < deadline)); do sleep 0.1; done
  [[ -d "/proc/$pid" ]] && kill -KILL "$pid" 2>/dev/null
  rm -f "$RUN/$1.pid"
}

# install_config NAME FILE: moves FILE.tmp to FILE; if that changes FILE, a running NAME is stopped to be restarted.
install_config() {
  if [[ -f "$2" ]] && ! cmp -s "$2.tmp" "$2"; then stop_for_restart "$1" "its config $2 changed"; fi
  mv -f "$2.tmp" "$2"
}

# start NAME TIMEOUT CHECK_FN PORT... -- CMD...: starts NAME unless it runs, then waits until CHECK_FN succeeds.
start() {
  local name="$1" timeout="$2" check="$3" pid p
  shift 3
  local ports=()
  while [[ "$1" != -- ]]; do
    ports+=("$1")
    shift
  done
  shift
  pid="$(pid_of "$name")"
  if [[ -n "$pid" && "$(readlink "/proc/$pid/exe" 2>/dev/null)" == *" (deleted)" ]]; then
    # build.sh replaced the binary since this process started: run the new one.
    stop_for_restart "$name" "its binary was rebuilt since it started (pid $pid)"
    pid=""
  elif [[ -n "$pid" && "$(cat "$RUN/$name.cmd" 2>/dev/null)" != "$*" ]]; then
    stop_for_restart "$name" "its command line changed"
    pid=""
  fi
  if [[ -n "$pid" ]]; then
    wait_ready "$name" "$timeout" "$check"
    STATUS[$name]="already running"
    return
  fi
  rm -f "$RUN/$name.pid"
  for p in "${ports[@]}"; do
    ! port_busy "$p" ||
      die "127.0.0.1:$p is in use by a process not named by a pid file in $RUN (ss -ltnp 'sport = :$p')"
  done
  launch "$name" "$@"
  echo "$*" >"$RUN/$name.cmd"
  wait_ready "$name" "$timeout" "$check"
  STATUS[$name]="started, ready in ${READY_IN}s"
}

# ---- readiness checks ----------------------------------------------------------------------------------------------
etcd_ready() { curl -sf --max-time 2 "http://$HOST:$ETCD_PORT/health" | grep -q '"health":"true"'; }
apiserver_ready() {
  [[ "$(curl -sf --max-time 2 --cacert "$PKI/ca.crt" -H "Authorization: Bearer $(cat "$PKI/token")" \
    "https://$HOST:$APISERVER_PORT/readyz")" == ok ]]
}
minio_ready() { curl -sf --max-time 2 -o /dev/null "http://$HOST:$MINIO_PORT/minio/health/ready"; }
registry_ready() { curl -sf --max-time 2 -o /dev/null "http://$HOST:$REGISTRY_PORT/v2/"; }
admin_ready() { curl -sf --max-time 2 -o /dev/null "http://$HOST:$ADMIN_PORT/healthcheck"; }
# kube PATH: GET from the apiserver as the lab's admin user.
kube() {
  curl -sf --max-time 5 --cacert "$PKI/ca.crt" -H "Authorization: Bearer $(cat "$PKI/token")" "https://$HOST:$APISERVER_PORT$1"
}
# Propeller is ready when its health check answers and it has established the FlyteWorkflow CRD.
propeller_ready() {
  curl -sf --max-time 2 -o /dev/null "http://$HOST:$PROPELLER_PROF_PORT/healthcheck" &&
    kube /apis/apiextensions.k8s.io/v1/customresourcedefinitions/flyteworkflows.flyte.lyft.com |
    tr -d ' \n' | grep -q '"type":"Established","status":"True"'
}
# The pod runner is ready when its Node reports Ready.
kubelet_ready() { kube /api/v1/nodes/flyte-lab | tr -d ' \n' | grep -q '"type":"Ready","status":"True"'; }

# s3 CURL_ARGS...: a SigV4-signed request to MinIO; prints the HTTP status.
s3() {
  curl -s --max-time 10 -o /dev/null -w '%{http_code}' --aws-sigv4 "aws:amz:us-east-1:s3" \
    --user "$MINIO_USER:$MINIO_PASSWORD" "$@"
}
ensure_bucket() {
  local url="http://$HOST:$MINIO_PORT/$BUCKET" code
  code="$(s3 -I "$url")"
  case "$code" in
    200) BUCKET_STATUS="exists" ;;
    404)
      code="$(s3 -X PUT "$url")"
      [[ "$code" == 200 ]] || die "creating bucket $BUCKET: HTTP $code"
      BUCKET_STATUS="created"
      ;;
    *) die "checking bucket $BUCKET: HTTP $code" ;;
  esac
}

write_kubeconfig() {
  local f="$STATE/kubeconfig"
  umask 077
  cat >"$f.tmp" <<EOF
# Generated by tools/flyte-lab/up.sh: the lab's kube-apiserver, as a system:masters user with a static token.
apiVersion: v1
kind: Config
clusters:
  - name: flyte-lab
    cluster:
      server: https://$HOST:$APISERVER_PORT
      certificate-authority-data: $(base64 -w0 <"$PKI/ca.crt")
users:
  - name: flyte-lab-admin
    user:
      token: $(cat "$PKI/token")
contexts:
  - name: flyte-lab
    context:
      cluster: flyte-lab
      user: flyte-lab-admin
current-context: flyte-lab
EOF
  mv -f "$f.tmp" "$f"
  cat >"$STATE/env.tmp" <<EOF
# Generated by tools/flyte-lab/up.sh: source it for the lab's endpoints.
export KUBECONFIG='$STATE/kubeconfig'
export FLYTE_LAB_ETCD_ENDPOINT='http://$HOST:$ETCD_PORT'
export FLYTE_LAB_S3_ENDPOINT='http://$HOST:$MINIO_PORT'
export FLYTE_LAB_S3_ACCESS_KEY='$MINIO_USER'
export FLYTE_LAB_S3_SECRET_KEY='$MINIO_PASSWORD'
export FLYTE_LAB_S3_BUCKET='$BUCKET'
export FLYTE_LAB_REGISTRY='localhost:$REGISTRY_PORT'
export FLYTE_LAB_ADMIN_ENDPOINT='dns:///localhost:$ADMIN_PORT'
export FLYTECTL_CONFIG='$FLYTE_CONFIG'
EOF
  mv -f "$STATE/env.tmp" "$STATE/env"
}

# Listening sockets of PID that are not on the loopback interface (there should be none).
non_loopback_listeners() {
  command -v ss >/dev/null || return 0
  ss -Hlntup 2>/dev/null | grep "pid=$1," | awk '{ print $5 }' | grep -Ev '^(127\.[0-9.]+|\[::1\]):[0-9]+$' || true
}

# ---- bring-up ------------------------------------------------------------------------------------------------------
ensure_pki

mkdir -p "$STATE/etcd" "$STATE/minio" "$STATE/apiserver"
start etcd 30 etcd_ready "$ETCD_PORT" "$ETCD_PEER_PORT" -- \
  "$BIN/etcd" --name flyte-lab --data-dir "$STATE/etcd/data" \
  --listen-client-urls "http://$HOST:$ETCD_PORT" --advertise-client-urls "http://$HOST:$ETCD_PORT" \
  --listen-peer-urls "http://$HOST:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://$HOST:$ETCD_PEER_PORT" \
  --initial-cluster "flyte-lab=http://$HOST:$ETCD_PEER_PORT" --unsafe-no-fsync

start kube-apiserver 120 apiserver_ready "$APISERVER_PORT" -- \
  "$BIN/kube-apiserver" --etcd-servers="http://$HOST:$ETCD_PORT" \
  --bind-address="$HOST" --advertise-address="$HOST" --secure-port="$APISERVER_PORT" \
  --cert-dir="$STATE/apiserver" --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
  --token-auth-file="$PKI/tokens.csv" --anonymous-auth=false --authorization-mode=AlwaysAllow \
  --disable-admission-plugins=ServiceAccount --service-cluster-ip-range=10.96.0.0/24 \
  --enable-priority-and-fairness=false --endpoint-reconciler-type=none
write_kubeconfig

start minio 60 minio_ready "$MINIO_PORT" "$MINIO_CONSOLE_PORT" -- \
  env MINIO_ROOT_USER="$MINIO_USER" MINIO_ROOT_PASSWORD="$MINIO_PASSWORD" MINIO_UPDATE=off \
  MINIO_BROWSER_REDIRECT=off "$BIN/minio" server "$STATE/minio/data" \
  --address "$HOST:$MINIO_PORT" --console-address "$HOST:$MINIO_CONSOLE_PORT"
ensure_bucket

# ---- registry (Debian's docker-registry, localhost:30000 as in the demo cluster) ------------------------------------
mkdir -p "$STATE/registry"
cat >"$STATE/registry/config.yml" <<EOF
# Generated by tools/flyte-lab/up.sh
version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: $STATE/registry/data
  delete:
    enabled: true
http:
  addr: $HOST:$REGISTRY_PORT
EOF
start docker-registry 30 registry_ready "$REGISTRY_PORT" -- "$(exe_of docker-registry)" serve "$STATE/registry/config.yml"

# ---- the control plane (FlyteAdmin's API on localhost:30080) --------------------------------------------------------
mkdir -p "$STATE/admin" "$STATE/pods" "$STATE/volumes"
start flyte-lab-admin 60 admin_ready "$ADMIN_PORT" -- \
  "$BIN/flyte-lab-admin" --listen "$HOST:$ADMIN_PORT" --db "$STATE/admin/admin.db" --kubeconfig "$STATE/kubeconfig" \
  --s3-endpoint "http://$HOST:$MINIO_PORT" --s3-access-key "$MINIO_USER" --s3-secret-key "$MINIO_PASSWORD" \
  --bucket "$BUCKET" --metadata-prefix "s3://$BUCKET/metadata" --raw-output-prefix "s3://$BUCKET/data" \
  --pod-logs "$STATE/pods" --seed-project flytesnacks --domains development,staging,production

# ---- flytepropeller ---------------------------------------------------------------------------------------------------
# As the demo cluster configures it (flyte-binary's sandbox values), on this lab's endpoints: events to the control
# plane over gRPC, storage on MinIO, the task containers given MinIO's endpoint and keys, log links served by the
# control plane from the pod runner's files. No catalog (datacatalog is not available), so task caching is off.
cat >"$STATE/propeller.yaml.tmp" <<EOF
# Generated by tools/flyte-lab/up.sh
propeller:
  kube-config: $STATE/kubeconfig
  create-flyteworkflow-crd: true
  limit-namespace: all
  metadata-prefix: metadata/propeller
  rawoutput-prefix: s3://$BUCKET/data
  workers: 4
  workflow-reeval-duration: 10s
  downstream-eval-duration: 30s
  enable-admin-launcher: true
  leader-election:
    enabled: false
  prof-port: $PROPELLER_PROF_PORT
admin:
  endpoint: dns:///$HOST:$ADMIN_PORT
  insecure: true
event:
  type: admin
  rate: 500
  capacity: 1000
catalog-cache:
  type: noop
storage:
  type: minio
  container: $BUCKET
  enable-multicontainer: true
  connection:
    endpoint: http://$HOST:$MINIO_PORT
    access-key: $MINIO_USER
    secret-key: $MINIO_PASSWORD
    auth-type: accesskey
    disable-ssl: true
    region: us-east-1
tasks:
  task-plugins:
    enabled-plugins: [container, sidecar, k8s-array, echo]
    default-for-task-types:
      container: container
      sidecar: sidecar
      container_array: k8s-array
plugins:
  k8s:
    inject-finalizer: true
    default-env-vars:
      - FLYTE_AWS_ENDPOINT: http://$HOST:$MINIO_PORT
      - FLYTE_AWS_ACCESS_KEY_ID: $MINIO_USER
      - FLYTE_AWS_SECRET_ACCESS_KEY: $MINIO_PASSWORD
  logs:
    # Not the default Kubernetes dashboard link (there is no dashboard): the pod runner's log files, served by the
    # control plane.
    kubernetes-enabled: false
    templates:
      - displayName: Pod logs (flyte-lab)
        templateUris:
          - "http://localhost:$ADMIN_PORT/logs/{{ .namespace }}/{{ .podName }}/{{ .containerName }}"
logger:
  level: 3
  show-source: true
EOF
install_config flytepropeller "$STATE/propeller.yaml"
start flytepropeller 120 propeller_ready "$PROPELLER_PROF_PORT" -- "$BIN/flytepropeller" --config "$STATE/propeller.yaml"

# ---- the pod runner (a kubelet that runs each Pod's containers with the Docker daemon) -------------------------------
start flyte-lab-kubelet 60 kubelet_ready -- \
  "$BIN/flyte-lab-kubelet" --kubeconfig "$STATE/kubeconfig" --node-name flyte-lab --logs-dir "$STATE/pods" \
  --volumes-dir "$STATE/volumes" --remove-terminated-containers

# ---- the client config, as flytectl demo start writes it (plus MinIO, for clients that read storage directly) ------
cat >"$FLYTE_CONFIG.tmp" <<EOF
# Generated by tools/flyte-lab/up.sh: the Flyte lab, in the form of ~/.flyte/config-sandbox.yaml from
# 'flytectl demo start'. Point flytectl and flytekit at it with FLYTECTL_CONFIG=$FLYTE_CONFIG.
admin:
  # For GRPC endpoints you might want to use dns:///flyte.myexample.com
  endpoint: dns:///localhost:$ADMIN_PORT
  insecure: true
console:
  endpoint: http://localhost:$ADMIN_PORT
storage:
  type: minio
  container: $BUCKET
  connection:
    endpoint: http://localhost:$MINIO_PORT
    access-key: $MINIO_USER
    secret-key: $MINIO_PASSWORD
    auth-type: accesskey
    disable-ssl: true
    region: us-east-1
EOF
mv -f "$FLYTE_CONFIG.tmp" "$FLYTE_CONFIG"

say "up in $(since "$T0")s"
declare -A WHERE=(
  [etcd]="http://$HOST:$ETCD_PORT (peer $HOST:$ETCD_PEER_PORT)"
  [kube-apiserver]="https://$HOST:$APISERVER_PORT"
  [minio]="http://$HOST:$MINIO_PORT (console $HOST:$MINIO_CONSOLE_PORT), bucket $BUCKET $BUCKET_STATUS"
  [docker-registry]="http://$HOST:$REGISTRY_PORT (push as localhost:$REGISTRY_PORT/NAME:TAG)"
  [flyte-lab-admin]="dns:///localhost:$ADMIN_PORT (gRPC and HTTP; console http://localhost:$ADMIN_PORT/console)"
  [flytepropeller]="events to the control plane; profiling on *:$PROPELLER_PROF_PORT (all interfaces, see README)"
  [flyte-lab-kubelet]="node flyte-lab; pod logs in $STATE/pods"
)
bad=0
for c in "${COMPONENTS[@]}"; do
  pid="$(pid_of "$c")"
  printf '  %-17s pid %-8s RSS %4s MiB  %-28s %s\n' "$c" "$pid" "$(rss_mb "$pid")" "${STATUS[$c]}" "${WHERE[$c]}"
  for l in $(non_loopback_listeners "$pid"); do
    # Propeller's profiling port cannot be bound to loopback (see lib.sh); it is the one listener allowed elsewhere.
    [[ "$c" == flytepropeller && "$l" =~ :$PROPELLER_PROF_PORT$ ]] && continue
    echo "flyte-lab: WARNING: $c (pid $pid) listens on $l, not on loopback" >&2
    bad=1
  done
done
say "kubeconfig: $STATE/kubeconfig   Flyte config: $FLYTE_CONFIG   env: source $STATE/env   logs: $LOGS/"
[[ $bad == 0 ]] || die "a component listens outside 127.0.0.1 (see above); stop the lab with down.sh"
