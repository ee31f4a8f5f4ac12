#!/usr/bin/env bash
# libvirt 9.0 running many domains at once, on the emulator's QEMU 7.2 persona and on QEMU 7.2 itself:
#
#   sudo bash tests/Benchmarks/libvirt-domains.sh [N] [EMULATOR]     (defaults: 20, the Release build)
#
# For each of two binaries, in the same run:
#   qmp-emulator   a wrapper that runs `EMULATOR --qemu 7.2 "$@"` (EMULATOR: the Qmp.Emulator apphost of
#                  `dotnet build src/Emulator -c Release`, built when missing, or a NativeAOT publish of it)
#   qemu-7.2       /usr/bin/qemu-system-x86_64 (TCG, 64 MiB guests; skipped when not installed)
# it sets up libvirt's embedded QEMU driver in a fresh root as ../shared/tools/libvirt-check.sh does
# (qemu.conf without security driver, cgroups or virtlogd; the 'libvirt-qemu' user supplied in a
# private mount namespace when missing), defines N one-disk domains (a 64 MiB qcow2 on virtio-blk
# each, no NIC, USB or balloon), starts all N (they then run at once), reads every domain process's
# memory (RSS, and PSS from /proc/PID/smaps_rollup), then suspends, resumes and destroys each,
# checking every domain's state after each phase. It prints the seconds per phase and the memory per
# domain. The embedded driver lets one process own a root, so a single virsh (fed on its stdin) issues
# every command: libvirt starts the domains one after another, and they all run together.
# Not part of `dotnet test`: it takes a minute or two. Exit 0 when every step passed for every binary.
set -uo pipefail

n="${1:-20}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
emulator="${2:-$root/src/Emulator/bin/Release/net10.0/Qmp.Emulator}"
[ "$(id -u)" = 0 ] || { echo "run as root (libvirt's embedded driver runs privileged)" >&2; exit 2; }
command -v virsh >/dev/null || { echo "virsh not found (apt-get install libvirt-clients libvirt-daemon-driver-qemu)" >&2; exit 2; }
if [ ! -x "$emulator" ]; then
  echo "building the emulator (dotnet build src/Emulator -c Release)" >&2
  dotnet build "$root/src/Emulator" -c Release -nodeReuse:false -clp:ErrorsOnly -nologo >&2 || exit 1
fi
[ -x "$emulator" ] || { echo "not an executable: $emulator" >&2; exit 2; }

work="$(mktemp -d /tmp/qmp-domains.XXXXXX)"
coproc_pid=""
cleanup() {
  [ -n "$coproc_pid" ] && kill "$coproc_pid" 2>/dev/null
  # whatever libvirt started under this folder and left running (each names $work on its command line)
  local p
  for p in /proc/[0-9]*; do
    p=${p#/proc/}
    [ "$p" = "$$" ] && continue
    case "$({ tr '\0' ' ' <"/proc/$p/cmdline"; } 2>/dev/null)" in *"$work/"*) kill -KILL "$p" 2>/dev/null ;; esac
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The wrapper libvirt runs as its QEMU (libvirt clears the environment: the wrapper names the runtime).
dotnet_root="$(dirname "$(readlink -f "$(command -v dotnet)")")"
mkdir -p "$work/bin"
cat >"$work/bin/qmp-emulator" <<EOF
#!/bin/sh
DOTNET_ROOT='$dotnet_root' exec '$emulator' --qemu 7.2 "\$@"
EOF
chmod 755 "$work/bin/qmp-emulator"

# The empty 64 MiB qcow2 image (what 'qemu-img create -f qcow2 disk.qcow2 64M' writes), as libvirt-check.sh has it.
base64 -d <<'EOF' | gunzip >"$work/disk.qcow2"
H4sICEkiFWsCA3E2NC5xY293MgDt0MFKw0AQANBN4wf4CfsNfoQgePHkOTZbDLRJ2Gyx9eRnC15sRZFe2nj2vYWBgZ1hZh5u7z5C
CHU4dX0MV7959RXrk6wK8xzbjD/Jc/3+eCh9C6HtctnHp67M61Ith5y3Y5lbsUi7knLfrGPblCauunU6+79eDpsxp2nqhj6W/Zgu
bXXs37epjfc3MfUld2k6N35YN6/7mNNqOWz7Ml0cPxz23DTjNPPIiyo3L/Fk5wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAPBnCycAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAD496rvBwAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
AAAAAAAAAAAAAAAAAAAAAAAAAAefydwh7QgAAwA=
EOF

# The privileged driver looks up 'libvirt-qemu' before it reads qemu.conf: supply it where the system lacks it.
ns=()
if ! getent passwd libvirt-qemu >/dev/null || ! getent group libvirt-qemu >/dev/null; then
  mkdir -p "$work/nss"
  cp /etc/passwd "$work/nss/passwd"; cp /etc/group "$work/nss/group"
  getent passwd libvirt-qemu >/dev/null || echo 'libvirt-qemu:x:64055:64055:Libvirt Qemu,,,:/nonexistent:/usr/sbin/nologin' >>"$work/nss/passwd"
  getent group libvirt-qemu >/dev/null || echo 'libvirt-qemu:x:64055:' >>"$work/nss/group"
  cat >"$work/nss/enter" <<EOF
#!/bin/sh
mount --bind "$work/nss/passwd" /etc/passwd && mount --bind "$work/nss/group" /etc/group || exit 125
exec "\$@"
EOF
  chmod +x "$work/nss/enter"
  ns=(unshare -m --propagation private "$work/nss/enter")
fi

# Commands to the one virsh; prints what it answered up to the marker. virsh reading a pipe echoes each
# command after its prompt and ends echo's output with the next prompt, not a newline: an empty line
# after the marker completes it.
send() {
  printf '%s\n' "$@" "echo __done__" "" >&"${VIRSH[1]}"
  local line
  while IFS= read -r -t 600 line <&"${VIRSH[0]}"; do
    case "$line" in __done__*) return 0 ;; esac
    printf '%s\n' "${line#virsh # }"
  done
  echo "virsh stopped answering" >&2
  return 1
}
now() { date +%s.%N; }
secs() { echo "scale=2; ($2 - $1) / 1" | bc; }
# Every domain's state must be $1 (virsh list --all: ' ID NAME STATE'). Bash closes a coprocess's pipes
# in subshells: send never runs in a pipeline or $(...), its answer goes through a file.
all_in() {
  local want="$1" count
  send "list --all" >"$work/list.out"
  count=$(awk -v w="$want" '$2 ~ /^d[0-9]+$/ { s = $3; for (i = 4; i <= NF; i++) s = s " " $i; if (s == w) c++ } END { print c + 0 }' "$work/list.out")
  [ "$count" = "$n" ]
}

failed=0
summary=()
run() {  # run LABEL BINARY
  local label="$1" binary="$2" dir="$work/$1" i t0 t1 rss pss pid ok
  mkdir -p "$dir/root/etc"
  cat >"$dir/root/etc/qemu.conf" <<'EOF'
security_driver = "none"
user = "root"
group = "root"
stdio_handler = "file"
cgroup_controllers = [ ]
EOF
  for i in $(seq 1 "$n"); do
    cp "$work/disk.qcow2" "$dir/d$i.qcow2"
    cat >"$dir/d$i.xml" <<EOF
<domain type='qemu'>
  <name>d$i</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <features><acpi/></features>
  <devices>
    <emulator>$binary</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='$dir/d$i.qcow2'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <controller type='usb' model='none'/>
    <memballoon model='none'/>
  </devices>
</domain>
EOF
  done

  coproc VIRSH { exec stdbuf -oL -eL "${ns[@]}" virsh -q -c "qemu:///embed?root=$dir/root" 2>&1; }
  coproc_pid=$VIRSH_PID
  ok=1
  step() {  # step NAME RESULT DETAIL
    printf '  %-9s %-4s %s\n' "$1" "$2" "$3"
    [ "$2" = PASS ] || { ok=0; failed=1; }
  }
  echo "$label: $binary"

  t0=$(now); send "domcapabilities --emulatorbin $binary --arch x86_64 --virttype qemu" >"$dir/probe.out"; t1=$(now)
  grep -q '<domainCapabilities>' "$dir/probe.out" && r=PASS || r=FAIL
  step probe $r "$(secs "$t0" "$t1") s (capabilities probe, once)"
  local cmds=()
  for i in $(seq 1 "$n"); do cmds+=("define $dir/d$i.xml"); done
  t0=$(now); send "${cmds[@]}" >/dev/null; t1=$(now)
  all_in "shut off" && r=PASS || r=FAIL
  step define $r "$(secs "$t0" "$t1") s for $n"

  cmds=(); for i in $(seq 1 "$n"); do cmds+=("start d$i"); done
  t0=$(now); send "${cmds[@]}" >"$dir/start.out"; t1=$(now)
  all_in running && r=PASS || r=FAIL
  local start_s; start_s=$(secs "$t0" "$t1")
  step start $r "$start_s s for $n ($(echo "scale=2; $start_s / $n" | bc) s each); all $n running at once"
  [ "$r" = PASS ] || sed 's/^/      /' "$dir/start.out" | grep -i error | head -3

  # Memory of every domain process, all running.
  rss=0; pss=0; local count=0 have_pss=1
  for i in $(seq 1 "$n"); do
    pid=$(cat "$dir/root/run/qemu/d$i.pid" 2>/dev/null) || continue
    [ -d "/proc/$pid" ] || continue
    rss=$((rss + $(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")))
    if [ -r "/proc/$pid/smaps_rollup" ]; then pss=$((pss + $(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup")))
    else have_pss=0; fi
    count=$((count + 1))
  done
  local mem="n/a"
  if [ "$count" -gt 0 ]; then
    mem="RSS $((rss / count / 1024)) MiB"
    [ "$have_pss" = 1 ] && mem="$mem, PSS $((pss / count / 1024)) MiB"
    mem="$mem per domain (total RSS $((rss / 1024)) MiB over $count processes)"
  fi
  [ "$count" = "$n" ] && r=PASS || r=FAIL
  step memory $r "$mem"

  local phase state
  for phase in suspend:paused resume:running destroy:"shut off"; do
    state=${phase#*:}; phase=${phase%%:*}
    cmds=(); for i in $(seq 1 "$n"); do cmds+=("$phase d$i"); done
    t0=$(now); send "${cmds[@]}" >"$dir/$phase.out"; t1=$(now)
    all_in "$state" && r=PASS || r=FAIL
    step "$phase" $r "$(secs "$t0" "$t1") s for $n"
    [ "$r" = PASS ] || sed 's/^/      /' "$dir/$phase.out" | grep -i error | head -3
  done
  local left=0
  for i in $(seq 1 "$n"); do
    pid=$(cat "$dir/root/run/qemu/d$i.pid" 2>/dev/null) && [ -d "/proc/$pid" ] && left=$((left + 1))
  done
  [ "$left" = 0 ] && r=PASS || r=FAIL
  step gone $r "$left domain processes left"

  cmds=(); for i in $(seq 1 "$n"); do cmds+=("undefine d$i"); done
  send "${cmds[@]}" >/dev/null
  printf 'quit\n' >&"${VIRSH[1]}"
  wait "$coproc_pid" 2>/dev/null
  coproc_pid=""
  summary+=("$(printf '%-13s start %6s s for %d   %s' "$label" "$start_s" "$n" "$mem")")
  [ "$ok" = 1 ]
}

echo "libvirt $(virsh -v), $n domains, $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
run qmp-emulator "$work/bin/qmp-emulator"
if [ -x /usr/bin/qemu-system-x86_64 ]; then
  run qemu-7.2 /usr/bin/qemu-system-x86_64
else
  echo "qemu-7.2: /usr/bin/qemu-system-x86_64 not installed (apt-get install qemu-system-x86): skipped"
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%s\n' "${summary[@]}"
exit "$failed"
