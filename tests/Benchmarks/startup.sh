#!/usr/bin/env bash
# Start to greeting and resident memory of one small domain: the emulator's QEMU 7.2 persona beside
# QEMU 7.2 itself, in the same run (issue 23, item 7):
#
#   bash tests/Benchmarks/startup.sh [RUNS] [NAME=COMMAND ...]       (default: 10 runs)
#
# Each variant is started RUNS times, in turns (variant 1, 2, ..., then again), with the line libvirt
# 9.0 writes for a one-disk domain, cut to what matters here: -machine pc, -accel tcg, -m 64,
# -nodefaults, -display none, a 64 MiB qcow2 through -blockdev on virtio-blk, and the monitor as a
# client socket (`-chardev socket,id=mon,path=SOCK -mon chardev=mon,mode=control`: the process connects
# to a socket this script listens on, as QEMU's QEMUMachine has it). Measured:
#   greeting   seconds from the start of the process to the QMP greeting on the monitor
#   ready      ... to the answer of query-status after qmp_capabilities (what a launcher waits for)
#   RSS, PSS   resident and proportional memory after query-status (PSS from /proc/PID/smaps_rollup)
# and the median (min-max) of each is printed per variant. Variants, unless given as NAME=COMMAND:
#   qemu-7.2          /usr/bin/qemu-system-x86_64 (when installed)
#   persona-jit       the Release build's apphost with --qemu 7.2 (built when missing)
#   persona-jit-tuned the same with DOTNET_TieredPGO=0 DOTNET_gcConcurrent=0 (invariant globalization is the project's)
#   persona-aot       a NativeAOT publish of src/Emulator (when /tmp/qmp-emulator-aot/Qmp.Emulator exists:
#                     dotnet publish src/Emulator -c Release -r linux-x64 -p:QmpNativeAot=true -o /tmp/qmp-emulator-aot)
# COMMAND is split on spaces and may start with VAR=VALUE environment settings. Not part of `dotnet test`.
set -euo pipefail

runs="${1:-10}"
shift || true
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
command -v python3 >/dev/null || { echo "python3 is needed" >&2; exit 2; }
variants=("$@")
if [ ${#variants[@]} -eq 0 ]; then
  [ -x /usr/bin/qemu-system-x86_64 ] && variants+=("qemu-7.2=/usr/bin/qemu-system-x86_64")
  jit="$root/src/Emulator/bin/Release/net10.0/Qmp.Emulator"
  if [ ! -x "$jit" ]; then
    dotnet build "$root/src/Emulator" -c Release -nodeReuse:false -clp:ErrorsOnly -nologo >&2
  fi
  variants+=("persona-jit=$jit --qemu 7.2")
  variants+=("persona-jit-tuned=DOTNET_TieredPGO=0 DOTNET_gcConcurrent=0 $jit --qemu 7.2")
  [ -x /tmp/qmp-emulator-aot/Qmp.Emulator ] && variants+=("persona-aot=/tmp/qmp-emulator-aot/Qmp.Emulator --qemu 7.2")
fi

echo "$(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg), $runs runs each"
python3 - "$runs" "${variants[@]}" <<'PY'
import base64, gzip, json, os, socket, statistics, subprocess, sys, tempfile, time

runs = int(sys.argv[1])
variants = []
for spec in sys.argv[2:]:
    name, _, command = spec.partition('=')
    words = command.split()
    env = dict(os.environ)
    while words and '=' in words[0] and not words[0].startswith('/'):
        key, _, value = words.pop(0).partition('=')
        env[key] = value
    variants.append((name, words, env))

# The empty 64 MiB qcow2 image of tests/Benchmarks/libvirt-domains.sh.
QCOW2 = gzip.decompress(base64.b64decode(
    "H4sICEkiFWsCA3E2NC5xY293MgDt0MFKw0AQANBN4wf4CfsNfoQgePHkOTZbDLRJ2Gyx9eRnC15sRZFe2nj2vYWBgZ1hZh5u7z5C"
    "CHU4dX0MV7959RXrk6wK8xzbjD/Jc/3+eCh9C6HtctnHp67M61Ith5y3Y5lbsUi7knLfrGPblCauunU6+79eDpsxp2nqhj6W/Zgu"
    "bXXs37epjfc3MfUld2k6N35YN6/7mNNqOWz7Ml0cPxz23DTjNPPIiyo3L/Fk5wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAPBnCycAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAD496rvBwAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    "AAAAAAAAAAAAAAAAAAAAAAAAAAefydwh7QgAAwA="))

work = tempfile.mkdtemp(prefix='qmp-startup.')
disk = os.path.join(work, 'disk.qcow2')
with open(disk, 'wb') as f:
    f.write(QCOW2)

def line(sock):
    args = ['-machine', 'pc', '-accel', 'tcg', '-m', '64', '-nodefaults', '-display', 'none', '-no-user-config',
            '-blockdev', json.dumps({'driver': 'file', 'filename': disk, 'node-name': 'file0'}),
            '-blockdev', json.dumps({'driver': 'qcow2', 'file': 'file0', 'node-name': 'disk0'}),
            '-device', 'virtio-blk-pci,drive=disk0,id=virtio-disk0',
            '-chardev', f'socket,id=mon,path={sock}', '-mon', 'chardev=mon,mode=control']
    return args

def memory(pid):
    rss = pss = None
    with open(f'/proc/{pid}/status') as f:
        for l in f:
            if l.startswith('VmRSS:'):
                rss = int(l.split()[1]) / 1024
    try:
        with open(f'/proc/{pid}/smaps_rollup') as f:
            for l in f:
                if l.startswith('Pss:'):
                    pss = int(l.split()[1]) / 1024
    except OSError:
        pass
    return rss, pss

def once(words, env):
    sock = os.path.join(work, 'mon.sock')
    if os.path.exists(sock):
        os.unlink(sock)
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(sock)
    listener.listen(1)
    listener.settimeout(120)
    start = time.monotonic()
    proc = subprocess.Popen(words + line(sock), env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        conn, _ = listener.accept()
        conn.settimeout(120)
        reader = conn.makefile('rb')
        greeting = json.loads(reader.readline())
        assert 'QMP' in greeting, greeting
        t_greeting = time.monotonic() - start
        conn.sendall(b'{"execute":"qmp_capabilities"}{"execute":"query-status"}')
        replies = [json.loads(reader.readline()) for _ in range(2)]
        assert all('return' in r for r in replies), replies
        t_ready = time.monotonic() - start
        rss, pss = memory(proc.pid)
        conn.sendall(b'{"execute":"quit"}')
        try:
            proc.wait(timeout=60)
        finally:
            conn.close()
        return t_greeting, t_ready, rss, pss
    except Exception:
        proc.kill()
        err = proc.stderr.read().decode(errors='replace')
        raise SystemExit(f'{" ".join(words)} failed: {err.strip()[-400:]}')
    finally:
        listener.close()
        if proc.poll() is None:
            proc.kill()
            proc.wait()

results = {name: [] for name, _, _ in variants}
for _ in range(runs):
    for name, words, env in variants:
        results[name].append(once(words, env))

def fmt(values, unit, digits):
    values = [v for v in values if v is not None]
    if not values:
        return 'n/a'
    return f'{statistics.median(values):.{digits}f} {unit} ({min(values):.{digits}f}-{max(values):.{digits}f})'

print(f'{"variant":<18} {"greeting":<22} {"ready":<22} {"RSS":<22} {"PSS":<22}')
for name, samples in results.items():
    columns = list(zip(*samples))
    print(f'{name:<18} {fmt(columns[0], "s", 3):<22} {fmt(columns[1], "s", 3):<22} {fmt(columns[2], "MiB", 1):<22} {fmt(columns[3], "MiB", 1):<22}')
subprocess.run(['rm', '-rf', work])
PY
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
