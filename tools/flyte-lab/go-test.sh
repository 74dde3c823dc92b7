#!/usr/bin/env bash
# The control plane's and pod runner's Go tests (nx run flyte-lab:go-test), with results counted by npm test
# (test-output/vitest/flyte-lab-go*.json):
#   1. every package, with the running lab's MinIO (FLYTE_LAB_S3_*: DataProxy's signed URLs against real MinIO), the
#      Kubernetes side on client-go's fake clientsets;
#   2. the pod runner's integration test (TestIntegration) against the running lab's kube-apiserver and the Docker
#      daemon: it registers nodes of its own and a scheduler name of its own, so the lab's Pods are left alone.
# The adminsvc tests that take FLYTE_LAB_KUBECONFIG are not run against the live lab: its propeller would pick up
# their FlyteWorkflows. TestPropellerEndToEnd (real propeller on a private apiserver) runs by hand, see
# controlplane/README.md.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE="${FLYTE_LAB_STATE:-$ROOT/tools/flyte-lab/.state}"
[[ -f "$STATE/env" ]] || {
  echo "flyte-lab go-test: $STATE/env is missing: bring the lab up first (npx nx run flyte-lab:up)" >&2
  exit 1
}
# shellcheck source=/dev/null
source "$STATE/env"
unset FLYTE_LAB_KUBECONFIG
cd "$ROOT"
status=0
node tools/scripts/go-test-report.mjs flyte-lab-go tools/flyte-lab/controlplane ./... || status=1
FLYTE_LAB_KUBECONFIG="$KUBECONFIG" node tools/scripts/go-test-report.mjs flyte-lab-go-kubelet tools/flyte-lab/controlplane \
  -run '^TestIntegration$' -count=1 -timeout 15m ./internal/kubelet/ || status=1
exit $status
