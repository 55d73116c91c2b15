#!/usr/bin/env bash
# Checks the Kubernetes manifests (deploy/k8s) without a cluster; CI runs it early (it needs no build):
#   1. the copies kustomize needs inside deploy/k8s equal their sources (the nginx template, the init script);
#   2. every overlay renders with `kubectl kustomize` and passes tests/k8s/check.mjs: the Kubernetes and the
#      operators' schemas (npm packages pinned in tests/k8s/package-lock.json), unknown fields, our policies
#      (probes, requests and limits, non-root, read-only root filesystem, no privilege escalation, no
#      capabilities, PDBs, HPAs in production, default deny), the same images as docker-compose.yml;
#   3. every broken example in tests/k8s/broken/ renders and FAILS the check with the problem its expect.txt
#      names (so the check is shown to catch a wrong field, a missing probe, a root container, no limits...).
#   scripts/k8s-check.sh            all of it
# Needs kubectl with Kustomize 5 (kubectl >= 1.27; preinstalled on the project's machines; Debian's
# kubernetes-client is installed when kubectl is missing, but bookworm's 1.20 is too old to render these)
# and node + npm (Debian's nodejs and npm are installed when missing).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
NPM_DIR=tests/k8s
T0=$SECONDS
log() { printf 'k8s-check: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
apt_install() {
  local sudo=""; [[ $(id -u) == 0 ]] || sudo=sudo
  log "installing $*"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

command -v kubectl >/dev/null || apt_install kubernetes-client
kustomize_version=$(kubectl version --client 2>/dev/null | sed -n 's/^Kustomize Version: v\([0-9]*\).*/\1/p')
[[ ${kustomize_version:-0} -ge 5 ]] ||
  die "kubectl $(kubectl version --client 2>/dev/null | head -n1) has no Kustomize 5: install kubectl >= 1.27"
{ command -v node >/dev/null && command -v npm >/dev/null; } || apt_install nodejs npm
if [[ ! -d $NPM_DIR/node_modules || $NPM_DIR/package-lock.json -nt $NPM_DIR/node_modules/.package-lock.json ]]; then
  log "npm ci in $NPM_DIR"
  npm ci --prefix "$NPM_DIR" --no-audit --no-fund --loglevel=error >&2
fi

# 1. The copies.
for pair in deploy/nginx/nginx.conf.template:deploy/k8s/base/nginx.conf.template \
            deploy/postgres/init-databases.sh:deploy/k8s/overlays/dev/init-databases.sh; do
  cmp -s "${pair%%:*}" "${pair#*:}" ||
    die "${pair#*:} differs from ${pair%%:*}: copy it again (cp ${pair%%:*} ${pair#*:})"
done
log "the nginx template and the init script in deploy/k8s equal their sources"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 2. The overlays.
for overlay in dev production; do
  flags=(--compose docker-compose.yml)
  [[ $overlay == production ]] && flags+=(--production)
  kubectl kustomize "deploy/k8s/overlays/$overlay" >"$work/$overlay.yaml" || die "overlay $overlay does not render"
  log "overlay $overlay:"
  node "$NPM_DIR/check.mjs" "$work/$overlay.yaml" "${flags[@]}" >&2 || die "overlay $overlay fails the check"
done

# 3. The broken examples must fail, for the reason they were written for.
count=0
for dir in tests/k8s/broken/*/; do
  name=$(basename "$dir")
  expected=$(<"$dir/expect.txt")
  flags=()
  grep -q 'overlays/production' "$dir/kustomization.yaml" && flags+=(--production)
  kubectl kustomize "$dir" >"$work/broken.yaml" || die "broken example $name does not render (it must render and fail the check)"
  if out=$(node "$NPM_DIR/check.mjs" "$work/broken.yaml" "${flags[@]}"); then
    die "broken example $name PASSED the check"
  fi
  grep -qF -- "$expected" <<<"$out" || die "broken example $name failed, but not with '$expected':"$'\n'"$out"
  count=$((count + 1))
done
((count > 0)) || die "no broken examples in tests/k8s/broken"
log "$count broken examples each fail the check as expected"
log "passed in $((SECONDS - T0)) s"
