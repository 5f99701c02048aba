#!/usr/bin/env bash
# Sets up a machine (Debian, as root) to run Skiff's node on containerd, with nothing but Debian's
# packages and no image registry:
#
#   setup.sh setup      install + configure + images + start (what `skiff node setup` runs)
#   setup.sh install    apt-get the packages: containerd, runc, the CNI plugins, nftables, busybox-static…
#   setup.sh configure  containerd's config and a bridge CNI network, under Skiff's own directories
#   setup.sh images     build skiff.local/pause:1 and skiff.local/testimage:1 (when their sources changed)
#   setup.sh start      start containerd if it is not running, import the images it lacks
#   setup.sh stop       stop containerd and remove what its pods left (netns, bridge, cgroups, rules)
#   setup.sh status     configured? running?
#   setup.sh check      exits 3 naming the packages that are missing (install would add them)
#   setup.sh teardown   stop, then remove Skiff's node directories
#
# Several steps may be given at once, run in order: `setup.sh configure images start`. Every step is
# idempotent and quick when there is nothing to do.
#
# Everything lives in $SKIFF_NODE_DIR (default /var/lib/skiff-node); containerd's socket is
# /run/skiff-node/containerd.sock. A containerd the machine already runs is not touched.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NODE_DIR=${SKIFF_NODE_DIR:-/var/lib/skiff-node}
RUN_DIR=/run/skiff-node
SOCKET=$RUN_DIR/containerd.sock
BRIDGE=skiff0
SUBNET=10.88.0.0/16
GATEWAY=10.88.0.1
PAUSE_IMAGE=skiff.local/pause:1
TEST_IMAGE=skiff.local/testimage:1
packages=(containerd runc containernetworking-plugins iptables nftables conntrack busybox-static gcc libc6-dev)

need_root() {
  if [ "$(id -u)" != 0 ]; then
    echo "skiff node: $1 needs root (run it with sudo)" >&2
    exit 1
  fi
}

missing_packages() {
  local package
  for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || echo "$package"
  done
}

check() {
  local missing
  missing=$(missing_packages | tr '\n' ' ')
  if [ -n "$missing" ]; then
    echo "skiff node: missing packages: ${missing% } (sudo skiff node setup installs them)" >&2
    exit 3
  fi
}

install() {
  need_root install
  local missing=()
  mapfile -t missing < <(missing_packages)
  if [ ${#missing[@]} -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
  # On a machine with systemd, the package starts its own containerd on the default socket: leave it.
}

replace_if_changed() { # replace_if_changed FILE: FILE.new becomes FILE unless they are the same
  if cmp -s "$1.new" "$1"; then rm "$1.new"; else mv "$1.new" "$1"; fi
}

configure() {
  need_root configure
  mkdir -p "$NODE_DIR"/{containerd,cni/net.d,cni/ipam,images,logs} "$RUN_DIR"
  cat >"$NODE_DIR/containerd/config.toml.new" <<TOML
version = 2
root = "$NODE_DIR/containerd/root"
state = "$NODE_DIR/containerd/state"

[grpc]
  address = "$SOCKET"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_tls_streaming = false
  max_container_log_line_size = 16384
  disable_apparmor = true
  # The node may lack CAP_SYS_RESOURCE (containers, VMs): never ask for a negative oom_score_adj.
  restrict_oom_score_adj = true
  tolerate_missing_hugetlb_controller = true
  disable_hugetlb_controller = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "$NODE_DIR/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$NODE_DIR/cni/net.d"
    max_conf_num = 1
TOML
  replace_if_changed "$NODE_DIR/containerd/config.toml"
  # Not in net.d itself while written: containerd watches that directory and loads what it finds.
  cat >"$NODE_DIR/cni/10-skiff.conflist.new" <<JSON
{
  "cniVersion": "1.0.0",
  "name": "skiff",
  "plugins": [
    {
      "type": "bridge", "bridge": "$BRIDGE", "isGateway": true, "ipMasq": false, "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "ranges": [[{ "subnet": "$SUBNET", "gateway": "$GATEWAY" }]],
        "routes": [{ "dst": "0.0.0.0/0" }],
        "dataDir": "$NODE_DIR/cni/ipam"
      }
    },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
JSON
  if cmp -s "$NODE_DIR/cni/10-skiff.conflist.new" "$NODE_DIR/cni/net.d/10-skiff.conflist"; then
    rm "$NODE_DIR/cni/10-skiff.conflist.new"
  else
    mv "$NODE_DIR/cni/10-skiff.conflist.new" "$NODE_DIR/cni/net.d/10-skiff.conflist"
  fi
  # Pod-to-Service traffic on one bridge needs the bridge to pass through netfilter.
  if [ -w /proc/sys/net/bridge/bridge-nf-call-iptables ]; then
    echo 1 >/proc/sys/net/bridge/bridge-nf-call-iptables 2>/dev/null || true
  fi
}

images() {
  mkdir -p "$NODE_DIR/images"
  local sources stamp work
  sources=$(cat "$here/pause.c" "$here/agnhost.sh" "$here/mkimage.sh" "$(command -v busybox)" | sha256sum | cut -d' ' -f1)
  stamp="$NODE_DIR/images/sources.sha256"
  if [ -f "$NODE_DIR/images/pause.tar" ] && [ -f "$NODE_DIR/images/testimage.tar" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$sources" ]; then
    return
  fi
  work=$(mktemp -d)
  trap 'rm -rf "$work"' RETURN
  mkdir -p "$work/pause"
  gcc -static -Os -s -o "$work/pause/pause" "$here/pause.c"
  "$here/mkimage.sh" "$work/pause" "$PAUSE_IMAGE" "$NODE_DIR/images/pause.tar" 'null' '["/pause"]'
  local root="$work/testimage"
  mkdir -p "$root"/{bin,etc,tmp,www,proc,sys,dev,root}
  cp "$(command -v busybox)" "$root/bin/busybox"
  for applet in $("$root/bin/busybox" --list); do
    [ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
  done
  mkdir -p "$root/usr/bin" "$root/sbin" "$root/usr/sbin"
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\nuser:x:1000:1000:user:/tmp:/bin/sh\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnobody:x:65534:\nuser:x:1000:\n' >"$root/etc/group"
  printf '<h1>hello from skiff</h1>\n' >"$root/www/index.html"
  chmod 1777 "$root/tmp"
  cp "$here/agnhost.sh" "$root/agnhost"
  chmod 755 "$root/agnhost"
  ln -s agnhost "$root/agnhost-2"
  "$here/mkimage.sh" "$root" "$TEST_IMAGE" "$NODE_DIR/images/testimage.tar" 'null' '["/bin/sh"]'
  echo "$sources" >"$stamp"
  # New builds replace what containerd had (or will have, when it starts).
  if running; then import_images; fi
}

running() {
  [ -S "$SOCKET" ] && ctr -a "$SOCKET" version >/dev/null 2>&1
}

import_images() { # the images containerd lacks, or all of them when they were rebuilt since the last import
  local force='' have file image
  # The stamp of the build last imported: a rebuild while containerd was down is imported at its start.
  cmp -s "$NODE_DIR/images/sources.sha256" "$NODE_DIR/images/imported.sha256" || force=force
  have=$(ctr -a "$SOCKET" -n k8s.io images ls -q 2>/dev/null || true)
  for file in pause testimage; do
    if [ "$file" = pause ]; then image=$PAUSE_IMAGE; else image=$TEST_IMAGE; fi
    if [ "$force" = force ] || ! grep -qx "$image" <<<"$have"; then
      ctr -a "$SOCKET" -n k8s.io images import "$NODE_DIR/images/$file.tar" >/dev/null
    fi
  done
  cp "$NODE_DIR/images/sources.sha256" "$NODE_DIR/images/imported.sha256"
}

start() {
  need_root start
  [ -f "$NODE_DIR/containerd/config.toml" ] || configure
  if ! running; then
    mkdir -p "$RUN_DIR" "$NODE_DIR/logs"
    # 9>&-: containerd must not inherit (and so hold forever) the lock below.
    setsid containerd --config "$NODE_DIR/containerd/config.toml" >>"$NODE_DIR/logs/containerd.log" 2>&1 </dev/null 9>&- &
    echo $! >"$RUN_DIR/containerd.pid"
    for _ in $(seq 200); do
      running && break
      sleep 0.05
    done
    running || { echo "skiff node: containerd did not start; see $NODE_DIR/logs/containerd.log" >&2; exit 1; }
  fi
  [ -f "$NODE_DIR/images/pause.tar" ] || images
  import_images
}

stop() {
  need_root stop
  if running; then
    # Pods first, so that their networks, mounts and cgroups go with them.
    for task in $(ctr -a "$SOCKET" -n k8s.io tasks ls -q 2>/dev/null); do
      ctr -a "$SOCKET" -n k8s.io tasks kill -s SIGKILL "$task" >/dev/null 2>&1 || true
    done
    sleep 0.2
    for task in $(ctr -a "$SOCKET" -n k8s.io tasks ls -q 2>/dev/null); do
      ctr -a "$SOCKET" -n k8s.io tasks delete -f "$task" >/dev/null 2>&1 || true
    done
    for container in $(ctr -a "$SOCKET" -n k8s.io containers ls -q 2>/dev/null); do
      ctr -a "$SOCKET" -n k8s.io containers delete "$container" >/dev/null 2>&1 || true
    done
  fi
  if [ -f "$RUN_DIR/containerd.pid" ]; then
    local pid
    pid=$(cat "$RUN_DIR/containerd.pid")
    if kill "$pid" 2>/dev/null; then
      for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    fi
    rm -f "$RUN_DIR/containerd.pid"
  fi
  # What pods leave behind when their sandboxes are not removed through CRI (no CNI DEL ran for them).
  # Only what is provably this node's: another containerd on the machine keeps its pods.
  pkill -f "containerd-shim-runc-v2 -namespace k8s.io -id .* -address $SOCKET" 2>/dev/null || true
  remove_pod_networks
  remove_hostport_rules
  for mount in $(awk -v dir="$NODE_DIR" 'index($2, dir) == 1 {print $2}' /proc/self/mounts | sort -r); do
    umount -l "$mount" 2>/dev/null || true
  done
  for hierarchy in /sys/fs/cgroup/*/skiff /sys/fs/cgroup/skiff; do
    [ -d "$hierarchy" ] || continue
    find "$hierarchy" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  done
  # IP reservations, and libcni's cache of results (kept outside conf_dir whatever the config says).
  rm -rf "$NODE_DIR/cni/ipam"
  local result id
  for result in /var/lib/cni/results/skiff-*-eth0; do
    [ -e "$result" ] || continue
    id=${result#/var/lib/cni/results/skiff-}
    rm -f "$result" "/var/lib/cni/results/cni-loopback-${id%-eth0}-lo"
  done
  running || rm -f "$SOCKET" "$SOCKET.ttrpc"
}

remove_pod_networks() { # the network namespaces and veths of pods on the $BRIDGE bridge, then the bridge
  local bridged netns peer
  ip link show "$BRIDGE" >/dev/null 2>&1 || return 0
  # Host ends of pod veths, by interface index: "12" for "12: veth1234@if3: … master skiff0 …".
  bridged=" $(ip -o link show master "$BRIDGE" 2>/dev/null | awk -F': ' '{printf "%s ", $1}')"
  for netns in $(ip netns list 2>/dev/null | awk '/^cni-/ {print $1}'); do
    # eth0@ifN: N is the index of its peer in the host's namespace.
    peer=$(ip -n "$netns" -o link show eth0 2>/dev/null | sed -n 's/^[0-9]*: eth0@if\([0-9]*\):.*/\1/p')
    if [ -n "$peer" ] && [[ $bridged == *" $peer "* ]]; then ip netns delete "$netns" 2>/dev/null || true; fi
  done
  for peer in $(ip -o link show master "$BRIDGE" 2>/dev/null | awk -F': ' '{sub(/@.*/, "", $2); print $2}'); do
    ip link delete "$peer" 2>/dev/null || true
  done
  ip link delete "$BRIDGE" 2>/dev/null || true
}

remove_hostport_rules() { # the CNI portmap rules of this node's network ("skiff"); its chains once unused
  command -v iptables >/dev/null 2>&1 || return 0
  local rule chain
  # portmap tags each pod's jump: -A CNI-HOSTPORT-DNAT … --comment "dnat name: \"skiff\" id: \"<id>\"" … -j CNI-DN-…
  while IFS= read -r rule; do
    chain=${rule##*-j }
    eval "iptables -t nat -D ${rule#-A }" 2>/dev/null || true
    iptables -t nat -F "$chain" 2>/dev/null && iptables -t nat -X "$chain" 2>/dev/null || true
  done < <(iptables -t nat -S CNI-HOSTPORT-DNAT 2>/dev/null | grep -F 'dnat name: \"skiff\"' || true)
  # The shared chains go only when no pod of any network uses them any more.
  if iptables -t nat -S CNI-HOSTPORT-DNAT >/dev/null 2>&1 &&
    [ "$(iptables -t nat -S CNI-HOSTPORT-DNAT | grep -c '^-A')" = 0 ]; then
    while IFS= read -r rule; do
      eval "iptables -t nat -D ${rule#-A }" 2>/dev/null || true
    done < <(iptables -t nat -S | grep -E '^-A (PREROUTING|OUTPUT|POSTROUTING) .*-j CNI-HOSTPORT-' || true)
    for chain in CNI-HOSTPORT-DNAT CNI-HOSTPORT-SETMARK CNI-HOSTPORT-MASQ; do
      iptables -t nat -F "$chain" 2>/dev/null && iptables -t nat -X "$chain" 2>/dev/null || true
    done
  fi
}

status() {
  if [ -f "$NODE_DIR/containerd/config.toml" ]; then echo "configured: $NODE_DIR"; else echo 'not configured'; fi
  if running; then echo "running: unix://$SOCKET"; else echo 'containerd not running'; fi
}

teardown() {
  stop
  rm -rf "$NODE_DIR" "$RUN_DIR"
}

# One at a time: test runs in parallel all ask for the node.
if [ "$(id -u)" = 0 ] && [ "${1:-setup}" != status ] && [ "${1:-setup}" != check ]; then
  mkdir -p "$(dirname "$RUN_DIR")"
  exec 9>"$RUN_DIR.lock"
  flock 9
fi
[ $# -gt 0 ] || set -- setup
for step in "$@"; do
  case $step in
  install | configure | images | start | stop | status | check | teardown) ;;
  setup) ;;
  *)
    echo "usage: setup.sh [setup|install|configure|images|start|stop|status|check|teardown]..." >&2
    exit 2
    ;;
  esac
done
for step in "$@"; do
  case $step in
  setup) install && configure && images && start ;;
  *) "$step" ;;
  esac
done
