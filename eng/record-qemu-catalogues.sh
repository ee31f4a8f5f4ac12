#!/usr/bin/env bash
# Record the catalogues of the installed QEMU that launchers (libvirt 9.0) probe, for the emulator's
# QEMU 7.2 persona to serve: replies that describe the binary (machines, CPU models, QOM types and
# their properties, command-line options, TPM and migration capabilities), not a machine's state.
#
#   eng/record-qemu-catalogues.sh [OUT [QEMU]]
#     OUT   defaults to src/Emulator/Catalogues/qemu-MAJOR.MINOR/ (the installed QEMU's version)
#     QEMU  defaults to qemu-system-x86_64 on PATH
#
# QEMU runs as libvirt's TCG probe runs it: -machine none -accel tcg -display none -nodefaults
# -no-user-config, QMP on a unix socket that this script binds and listens on first and hands to
# QEMU as an inherited fd (as libvirt does), so there is nothing to wait for: connect() succeeds at
# once and the greeting arrives when QEMU is ready. TCG, not KVM: its answers do not depend on the
# host CPU, so two machines record the same files.
#
# The requests are libvirt 9.0's capability probe (../shared/reference/libvirt-notes.md), plus, so a
# persona can answer other launchers too: qom-list-types with abstract/implements=device,
# device-list-properties of every non-abstract device type (of the CPU models, only max, host, base
# and qemu64: the others have the same properties), qom-list-properties of every non-abstract memory
# backend, query-cpu-model-expansion full beside static, query-gic-capabilities. The "host" CPU
# expansions libvirt asks of a KVM process are recorded as TCG answers them (errors).
#
# What is kept and what is dropped: names, types, defaults, flags and QEMU's error replies (class and
# its one-line message, which a persona must send as QEMU does) are facts and are kept. QEMU's prose
# is dropped: every "description" member (device-list-properties, qom-list-properties) and every
# "help" member (query-command-line-options), because those texts are QEMU's writing (GPL-licensed
# help strings), not facts about the binary, and no launcher reads them.
#
# A request that makes this QEMU abort (a device whose module is not installed) is not recorded; the
# manifest lists it under "aborted" and QEMU is started again for the rest.
#
# Output, deterministic: one pretty-printed JSON file per command, each a list of exchanges
# {"arguments": {...}, "return": ...} or {"arguments": ..., "error": {"class", "desc"}} (no
# "arguments" when the command took none), plus manifest.json (QEMU's version and the date the
# files were recorded, carried over unchanged while every file stays the same), plus
# qemu.qmp-schema.json: the binary's query-qmp-schema answer as `qmp-codegen introspect` saves it
# ({"query-version": ..., "query-qmp-schema": [...]}, one entry a line), which the emulator's QEMU 7.2
# persona is generated from (QmpSchema Generate="Server") and serves. Lists whose order
# QEMU takes from a hash table are sorted by name; query-machines and query-cpu-definitions keep
# QEMU's order (libvirt lists them in that order). Exit 0 on success, 1 when QEMU is absent or fails.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
qemu="${2:-qemu-system-x86_64}"
binary=$(command -v "$qemu" 2>/dev/null) || { echo "record-qemu-catalogues: $qemu not installed (apt-get install qemu-system-x86)" >&2; exit 1; }
exec python3 - "$binary" "${1:-}" "$here/.." <<'PY'
import datetime, json, os, socket, subprocess, sys, tempfile

binary, out, repo = sys.argv[1], sys.argv[2], sys.argv[3]

def fail(message):
    print("record-qemu-catalogues: " + message, file=sys.stderr)
    sys.exit(1)

work = tempfile.mkdtemp(prefix="qemu-catalogues-")
path = os.path.join(work, "qmp.sock")

class Monitor:
    """QEMU with its QMP monitor on a socket bound and listening before QEMU starts (nothing to wait for)."""
    def __init__(self):
        if os.path.exists(path):
            os.unlink(path)
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(path)
        listener.listen(1)
        fd = listener.fileno()
        self.log = open(os.path.join(work, "qemu.log"), "w+")
        self.proc = subprocess.Popen(
            [binary, "-machine", "none", "-accel", "tcg", "-display", "none", "-nodefaults", "-no-user-config",
             "-chardev", "socket,id=qmp,fd=%d,server=on,wait=off" % fd, "-mon", "chardev=qmp,mode=control"],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT, pass_fds=(fd,),
            env={"LC_ALL": "C", "PATH": os.environ.get("PATH", "/usr/bin:/bin")})
        self.client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.client.settimeout(120)
        self.client.connect(path)
        listener.close()
        self.reader = self.client.makefile("rb")
        greeting = self.receive()
        if greeting is None or "QMP" not in greeting:
            self.fail("no QMP greeting: %r" % greeting)
        if self.send({"execute": "qmp_capabilities"}) is None:
            self.fail("qmp_capabilities failed")

    def fail(self, message):
        self.log.seek(0)
        fail(message + ": " + self.log.read()[-500:])

    def receive(self):
        """The next reply, skipping events; None when QEMU has gone (it aborted)."""
        while True:
            try:
                line = self.reader.readline()
            except ConnectionResetError:
                line = b""
            if not line:
                self.proc.wait(timeout=120)
                return None
            message = json.loads(line)
            if "event" not in message:
                return message

    def send(self, request):
        self.client.sendall(json.dumps(request).encode() + b"\n")
        return self.receive()

    def quit(self):
        self.send({"execute": "quit"})
        self.proc.wait(timeout=120)

monitor = Monitor()
aborted = []   # requests that make this QEMU abort (a missing module): not recorded, listed in the manifest

def execute(command, arguments=None):
    global monitor
    request = {"execute": command}
    if arguments is not None:
        request["arguments"] = arguments
    reply = monitor.send(request)
    if reply is None:
        aborted.append(request)
        monitor = Monitor()
        return None
    exchange = {} if arguments is None else {"arguments": arguments}
    if "return" in reply:
        exchange["return"] = reply["return"]
    else:
        exchange["error"] = {"class": reply["error"]["class"], "desc": reply["error"]["desc"]}
    return exchange

files = {}

def record(command, *argument_sets):
    exchanges = [e for e in (execute(command, a) for a in (argument_sets or [None])) if e is not None]
    files.setdefault(command, []).extend(exchanges)
    return exchanges

def by_name(items):
    return sorted(items, key=lambda item: item["name"])

def strip_prose(props):
    return by_name([{k: v for k, v in p.items() if k not in ("description", "help")} for p in props])

version = record("query-version")[0]["return"]
# The schema the persona's server is generated from and answers query-qmp-schema with: names and types
# only (QEMU masks type names as numbers and keeps no docs), in QEMU's order.
schema = monitor.send({"execute": "query-qmp-schema"})
if schema is None or "return" not in schema:
    monitor.fail("query-qmp-schema failed: %r" % schema)
schema = schema["return"]
record("query-target")
record("query-kvm")
types = record("qom-list-types", None, {"abstract": True}, {"implements": "device"},
               {"implements": "device", "abstract": True})
for exchange in types:
    exchange["return"] = by_name(exchange["return"])
all_types = types[1]["return"]
concrete = sorted(t["name"] for t in all_types if not t.get("abstract"))
parents = {t["name"]: t.get("parent") for t in all_types}

def descends(name, ancestor):
    while name is not None:
        if name == ancestor:
            return True
        name = parents.get(name)
    return False

# libvirt 9.0's device-list-properties asks, then every concrete device type.
libvirt_devices = ["ICH9-LPC", "PIIX4_PM", "VGA", "ide-hd", "intel-iommu", "kvm-pit", "mch", "nvdimm",
    "pcie-root-port", "qxl", "scsi-hd", "usb-host", "usb-redir", "usb-storage", "vfio-pci",
    "vhost-user-fs-device", "virtio-balloon-ccw", "virtio-balloon-device", "virtio-balloon-pci",
    "virtio-blk-pci", "virtio-gpu-device", "virtio-gpu-pci", "virtio-iommu-pci", "virtio-mem-pci",
    "virtio-net-ccw", "virtio-net-pci", "virtio-scsi-ccw", "virtio-scsi-pci", "vmware-svga"]
# CPU models are devices too, 150 of them with the same 500 properties: only the ones launchers use.
cpu_models = {"max-x86_64-cpu", "host-x86_64-cpu", "base-x86_64-cpu", "qemu64-x86_64-cpu"}
devices = sorted(set(libvirt_devices) | {t["name"] for t in types[2]["return"]
    if not t.get("abstract") and (not descends(t["name"], "x86_64-cpu") or t["name"] in cpu_models)})
for exchange in record("device-list-properties", *[{"typename": d} for d in devices]):
    if "return" in exchange:
        exchange["return"] = strip_prose(exchange["return"])

objects = sorted({"memory-backend-file", "memory-backend-memfd", "max-x86_64-cpu", "none-machine"}
    | {n for n in concrete if descends(n, "memory-backend")})
for exchange in record("qom-list-properties", *[{"typename": o} for o in objects]):
    if "return" in exchange:
        exchange["return"] = strip_prose(exchange["return"])

record("query-machines")
record("query-cpu-definitions")
record("query-tpm-models")
record("query-tpm-types")
options = record("query-command-line-options")[0]
options["return"] = sorted(({"option": o["option"], "parameters": strip_prose(o["parameters"])}
    for o in options["return"]), key=lambda o: o["option"])
record("query-migrate-capabilities")
record("query-sev-capabilities")
record("query-sgx-capabilities")
record("query-gic-capabilities")
expansions = []
for model in ("max", "host"):
    for props in (None, {"migratable": False}):
        for kind in ("static", "full"):
            expansions.append({"type": kind, "model": {"name": model} if props is None else {"name": model, "props": props}})
expansions.append({"type": "full", "model": {"name": "host", "props": {"migratable": False, "hv-passthrough": True}}})
record("query-cpu-model-expansion", *expansions)

monitor.quit()

q = version["qemu"]
if not out:
    out = os.path.normpath(os.path.join(repo, "src", "Emulator", "Catalogues", "qemu-%d.%d" % (q["major"], q["minor"])))
os.makedirs(out, exist_ok=True)

def compact(value):
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))

def pretty(value, indent):
    """JSON indented by two spaces, except that a value that fits on a line of 100 columns is written on
    one: a property per line in the big lists, so the files stay small and diffs read per fact."""
    line = compact(value)
    if not isinstance(value, (dict, list)) or len(value) == 0 or indent + len(line) <= 100:
        return line
    inner = " " * (indent + 2)
    if isinstance(value, dict):
        items = ["%s%s: %s" % (inner, compact(k), pretty(v, indent + 2)) for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    items = [inner + pretty(v, indent + 2) for v in value]
    return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"

def dump(value):
    return pretty(value, 0) + "\n"

def dump_schema():
    """What `qmp-codegen introspect` saves ({"query-version", "query-qmp-schema"}), one schema entry a line."""
    entries = ",\n".join("    " + compact(entry) for entry in schema)
    return '{\n  "query-version": %s,\n  "query-qmp-schema": [\n%s\n  ]\n}\n' % (compact(version), entries)

outputs = [(command + ".json", dump(exchanges)) for command, exchanges in files.items()]
outputs.append(("qemu.qmp-schema.json", dump_schema()))
changed = False
for name, text in outputs:
    target = os.path.join(out, name)
    old = open(target, encoding="utf-8").read() if os.path.exists(target) else None
    if old != text:
        changed = True
        with open(target, "w", encoding="utf-8") as f:
            f.write(text)

manifest_path = os.path.join(out, "manifest.json")
manifest = {
    "qemu": "%d.%d.%d" % (q["major"], q["minor"], q["micro"]),
    "package": version["package"],
    "binary": "qemu-system-x86_64",
    "accel": "tcg",
    "recorded": datetime.date.today().isoformat(),
    "commands": sorted(files),
    "aborted": aborted,
}
if not changed and os.path.exists(manifest_path):
    old = json.load(open(manifest_path, encoding="utf-8"))
    if {k: v for k, v in old.items() if k != "recorded"} == {k: v for k, v in manifest.items() if k != "recorded"}:
        manifest["recorded"] = old["recorded"]
with open(manifest_path, "w", encoding="utf-8") as f:
    f.write(dump(manifest))
print(out)
PY
