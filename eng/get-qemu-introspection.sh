#!/usr/bin/env bash
# Save the installed QEMU's live schema for a client generated from it alone, without committing
# anything QEMU produced: the file goes where the caller says (a project's obj/).
#
#   eng/get-qemu-introspection.sh OUT [QEMU]    QEMU defaults to qemu-system-x86_64 on PATH
#
# Starts QEMU with no machine (-M none, QMP on stdio), asks query-version and query-qmp-schema,
# quits, and writes OUT as `qmp-codegen introspect` does: {"query-version": ..., "query-qmp-schema": [...]}.
# Prints OUT on stdout. Exit 0 on success, 1 when QEMU is absent or its answer cannot be read (the
# reason on stderr). OUT is kept while it is newer than the QEMU binary, so a build asks QEMU once.
set -euo pipefail

out="${1:-}"
[ -n "$out" ] || { echo "usage: $0 OUT [QEMU]" >&2; exit 2; }
fail() { echo "get-qemu-introspection: $*" >&2; exit 1; }

qemu="${2:-qemu-system-x86_64}"
binary=$(command -v "$qemu" 2>/dev/null) || fail "$qemu not installed (apt-get install qemu-system-x86)"
binary=$(readlink -f "$binary")

if [ -s "$out" ] && [ "$out" -nt "$binary" ]; then
  echo "$out"
  exit 0
fi

mkdir -p "$(dirname "$out")"
replies=$(printf '%s\n' '{"execute": "qmp_capabilities"}' '{"execute": "query-version", "id": "v"}' \
    '{"execute": "query-qmp-schema", "id": "s"}' '{"execute": "quit"}' \
  | timeout 60 "$binary" -M none -display none -nodefaults -no-user-config -qmp stdio 2>&1) \
  || fail "$binary failed: ${replies:0:500}"

# QEMU writes each reply on one line, "return" first and the id last: {"return": X, "id": "v"}.
version="" schema=""
while IFS= read -r line; do
  line=${line%$'\r'}   # the stdio chardev ends lines with CRLF
  case "$line" in
    '{"return": '*', "id": "v"}') version=${line#'{"return": '}; version=${version%', "id": "v"}'} ;;
    '{"return": ['*', "id": "s"}') schema=${line#'{"return": '}; schema=${schema%', "id": "s"}'} ;;
  esac
done <<<"$replies"
[ -n "$version" ] && [ -n "$schema" ] || fail "$binary did not answer query-version and query-qmp-schema: ${replies:0:500}"

printf '{"query-version": %s, "query-qmp-schema": %s}\n' "$version" "$schema" >"$out.tmp"
mv "$out.tmp" "$out"
echo "$out"
