#!/usr/bin/env bash
# Installs the Debian packages Skiff's tests use (as root on Debian; a no-op when they are present):
#   etcd-server         real etcd for the store's etcd backend
#   python3-kubernetes  the official Python client, driven by conformance/clients/python-watch.py (run it with
#                       /usr/bin/python3: a pyenv python3 first on PATH cannot see Debian's modules)
#   containerd, runc, containernetworking-plugins, busybox-static, gcc, libc6-dev
#                       the node on real containers (scripts/node/setup.sh builds its images from them)
#   iptables, nftables, conntrack
#                       pod ports and the service proxy
set -euo pipefail
packages=(etcd-server python3-kubernetes containerd runc containernetworking-plugins busybox-static gcc libc6-dev
  iptables nftables conntrack)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# Debian's package starts nothing on a machine without systemd; on one with it, stop the packaged service so
# it does not hold the default ports (tests use free ports of their own anyway).
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet etcd 2>/dev/null; then
  systemctl stop etcd || true
fi
