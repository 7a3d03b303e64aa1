#!/usr/bin/env bash
# Installs what the build and the tests need on a fresh machine of this kind (Debian 12, root,
# .NET SDK present), then restores NuGet packages. Safe to run again.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Debian packages the tests drive for real. Grows as runtimes, registries and networking arrive.
# mount: the store's disk-full test mounts a small tmpfs.
# perl runs the process runtime's shim (perl-base is enough; perl adds Time::HiRes for
# sub-second log timestamps).
# The image fixtures (tests/ZLayer.TestImages) run a real registry (docker-registry), make its
# htpasswd file (apache2-utils), put a static busybox in images (busybox-static), and check the
# layouts they write with skopeo and umoci. The runc bundle and runtime tests run containers with
# runc under conmon.
# The networking tests (tests/ZLayer.Networking.Tests) run the real CNI plugins from
# /usr/lib/cni (containernetworking-plugins), create namespaces with iproute2 and check the nat
# rules the plugins make with iptables; they ping and serve TCP with busybox-static.
# The bundle tests validate every generated config.json against the runtime-spec's JSON schema,
# which golang-github-opencontainers-specs-dev ships.
# The DNS server's tests ask it with the real dig (dnsutils).
# The docker runtime tests (tests/ZLayer.Runtime.Tests/Docker) start their own dockerd (docker.io,
# which brings containerd and the docker CLI) and their own `podman system service` (podman), each
# on a private socket with private storage.
# The API's metrics are checked with promtool (prometheus); the dashboard tests drive Debian's
# chromium through Playwright (never a downloaded browser); the autoscaler's end-to-end test and the
# benchmarks load services with wrk. The etcd store's tests run a real etcd (etcd-server; etcdctl
# from etcd-client sets up authentication).
apt_packages=(util-linux mount perl docker-registry apache2-utils busybox-static skopeo umoci runc conmon
  containernetworking-plugins iproute2 iptables golang-github-opencontainers-specs-dev dnsutils docker.io podman
  prometheus chromium wrk etcd-server etcd-client)

missing=()
for p in "${apt_packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]} > 0)); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "install-deps: need root to install: ${missing[*]}" >&2
    exit 1
  fi
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

command -v dotnet >/dev/null || { echo "install-deps: the .NET SDK (dotnet) is not on PATH" >&2; exit 1; }
dotnet restore "$root/ZLayer.slnx" -v q
