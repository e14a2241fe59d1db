#!/usr/bin/env bash
# Installs the real third-party programs Uranus runs against, pinned in hack/versions.env and cached
# by version outside the work tree, so a second run does nothing.
#   Debian: openssl, chromium (explorer tests), lua5.4 (Argo CD health scripts); for real nodes beside the
#   kwok ones: containerd, runc, containernetworking-plugins, conntrack, iptables, busybox-static (image contents)
#   Go module proxy: etcd (wrapper module hack/etcd), kube-apiserver, kube-controller-manager,
#   kube-scheduler, kubectl, kubelet, kube-proxy (wrapper module hack/kube), kwok, cometbft, coredns.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
cache="${URANUS_CACHE_DIR:-$HOME/.cache/uranus}"
step=0
total=7
say() { step=$((step + 1)); printf '[%d/%d] %s\n' "$step" "$total" "$*"; }
die() { printf 'install-binaries: %s\n' "$*" >&2; exit 1; }

need_go() {
  command -v go >/dev/null || die "Go is missing: install Go (https://go.dev/doc/install) or the Debian package golang-go, then run again"
}

build_env() {
  export CGO_ENABLED=0 GOFLAGS=-buildvcs=false
  if [[ "$GO_TOOLCHAIN" != local ]]; then export GOTOOLCHAIN="$GO_TOOLCHAIN"; fi
}

# Debian packages: installed only when a binary is missing, so a warm machine needs no root.
debian_packages() {
  local missing=()
  command -v openssl >/dev/null || missing+=(openssl)
  [[ -x /usr/bin/chromium ]] || missing+=(chromium)
  command -v lua5.4 >/dev/null || missing+=(lua5.4)
  [[ -x /usr/bin/containerd ]] || missing+=(containerd)
  [[ -x /usr/sbin/runc || -x /usr/bin/runc ]] || missing+=(runc)
  [[ -x /usr/lib/cni/bridge ]] || missing+=(containernetworking-plugins)
  [[ -x /usr/sbin/conntrack ]] || missing+=(conntrack)
  [[ -x /usr/sbin/iptables ]] || missing+=(iptables)
  # Image contents must be one static binary; Debian's plain busybox package is dynamically linked.
  dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'ok installed' || missing+=(busybox-static)
  if ((${#missing[@]} == 0)); then
    say "Debian packages: present"
    return
  fi
  say "Debian packages: installing ${missing[*]}"
  local sudo=""
  [[ $(id -u) == 0 ]] || sudo="sudo"
  command -v apt-get >/dev/null || die "apt-get not found: install ${missing[*]} with your package manager"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Builds into $cache/<name>-<version> once: the builder writes into a scratch folder that becomes the cache entry
# only when complete, so an interrupted build is redone rather than half used.
cached_build() { # name version "what it does" builder [builder args...]
  local name=$1 version=$2 doing=$3 builder=$4
  shift 4
  local dest="$cache/$name-$version"
  if [[ -f "$dest/.complete" ]]; then say "$name $version: cached in $dest"; return; fi
  say "$name $version: $doing"
  need_go
  build_env
  local tmp="$dest.tmp"
  rm -rf "$tmp" && mkdir -p "$tmp"
  "$builder" "$tmp" "$@"
  touch "$tmp/.complete"
  rm -rf "$dest" && mv "$tmp" "$dest"
}

build_kubernetes() { # out [commands...]; default: the control-plane commands
  local out=$1
  shift
  local cmds=("$@")
  ((${#cmds[@]} > 0)) || cmds=(kube-apiserver kube-controller-manager kube-scheduler kubectl)
  local minor="${KUBERNETES_VERSION#v1.}"
  minor="${minor%%.*}"
  local pkg=k8s.io/component-base/version
  local ldflags="-s -w -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
  ldflags+=" -X k8s.io/client-go/pkg/version.gitVersion=$KUBERNETES_VERSION"
  for cmd in "${cmds[@]}"; do
    printf '      go build %s\n' "$cmd"
    (cd "$here/kube" && go build -trimpath -ldflags "$ldflags" -o "$out/$cmd" "k8s.io/kubernetes/cmd/$cmd")
  done
}

# kubelet and kube-proxy live in their own entry so the control-plane entry above stays valid.
build_kubelet() { # out
  build_kubernetes "$1" kubelet kube-proxy
}

build_etcd() { # out
  (cd "$here/etcd" && go build -trimpath -ldflags "-s -w" -o "$1/etcd" go.etcd.io/etcd/server/v3)
}

go_install() { # out module@version [extra ldflags]
  GOBIN="$1" go install -trimpath -ldflags "-s -w ${3:-}" "$2"
}

mkdir -p "$cache"
debian_packages
cached_build etcd "$ETCD_VERSION" "building from the wrapper module hack/etcd" build_etcd
cached_build kubernetes "$KUBERNETES_VERSION" \
  "building kube-apiserver, kube-controller-manager, kube-scheduler, kubectl (several minutes on first run)" \
  build_kubernetes
cached_build kubelet "$KUBERNETES_VERSION" "building kubelet, kube-proxy (several minutes on first run)" build_kubelet
cached_build kwok "$KWOK_VERSION" "go install sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION" \
  go_install "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION" "-X sigs.k8s.io/kwok/pkg/consts.Version=$KWOK_VERSION"
cached_build cometbft "$COMETBFT_VERSION" "go install github.com/cometbft/cometbft/cmd/cometbft@$COMETBFT_VERSION" \
  go_install "github.com/cometbft/cometbft/cmd/cometbft@$COMETBFT_VERSION"
cached_build coredns "$COREDNS_VERSION" "go install github.com/coredns/coredns@$COREDNS_VERSION" \
  go_install "github.com/coredns/coredns@$COREDNS_VERSION"
echo "binaries ready in $cache"
