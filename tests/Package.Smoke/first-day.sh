#!/usr/bin/env bash
# The README's first section ("A typed client for the QEMU you have, in three steps") followed as a
# new user follows it: its code blocks, in order, run as written in a clean copy of the repository
# and a new folder, with a home of their own (so `~/qmp-feed`, the global tool and the NuGet cache
# are this run's, not the machine's). Only the QMP socket moves from /tmp/qmp.sock into this run's
# folder, so that two runs never meet. Needs qemu-system-x86_64; exits 3 with the reason without it.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
command -v qemu-system-x86_64 >/dev/null || { echo "SKIP: qemu-system-x86_64 not installed"; exit 3; }

work="$(mktemp -d)"
cleanup() {
  local pids
  pids="$(jobs -p)"
  if [ -n "$pids" ]; then kill $pids 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# The section's fenced blocks, one file each (block-1.sh, block-2.sh, block-3.xml, block-4.csharp, ...).
awk -v dir="$work" '
  /^## A typed client for the QEMU you have/ { inside = 1; next }
  inside && /^## / { exit }
  inside && /^```[a-z]+$/ { n++; lang = substr($0, 4); file = dir "/block-" n "." lang; next }
  inside && /^```$/ { file = ""; next }
  inside && file != "" { print > file }
' "$repo/README.md"
ls "$work"/block-* >/dev/null 2>&1 || { echo "the README has no first section with code blocks"; exit 1; }
socket="$work/qmp.sock"
sed -i "s#/tmp/qmp.sock#$socket#g" "$work"/block-*

echo "== a clean copy of the repository"
mkdir "$work/clone"
if git -C "$repo" rev-parse --git-dir >/dev/null 2>&1; then
  git -C "$repo" ls-files -co --exclude-standard -z | (cd "$repo" && tar cf - --null -T -) | tar xf - -C "$work/clone"
else
  (cd "$repo" && tar cf - --exclude=bin --exclude=obj --exclude=TestResults .) | tar xf - -C "$work/clone"
fi

# A new user's home: the feed, the global tool and the package cache are theirs. Packages already
# downloaded on this machine are offered read-only (a fallback folder) unless it holds ours.
real_home="$HOME"
export HOME="$work/home"
mkdir -p "$HOME"
export NUGET_PACKAGES="$HOME/.nuget/packages"
if [ -d "$real_home/.nuget/packages" ] && ! ls "$real_home/.nuget/packages" | grep -qi '^qmp'; then
  export NUGET_FALLBACK_PACKAGES="$real_home/.nuget/packages"
fi
export PATH="$HOME/.dotnet/tools:$PATH"

echo "== step 1 (in the clone)"
cat "$work/block-1.sh"
(cd "$work/clone" && source "$work/block-1.sh")

echo "== step 2 (in a new folder)"
cat "$work/block-2.sh"
mkdir "$work/user"
cd "$work/user"
source "$work/block-2.sh"
test -s qemu.qmp-schema.json || { echo "step 2 saved no schema"; exit 1; }

echo "== step 3 (the project file and the program, in $(pwd))"
project="$(ls ./*.csproj)"
# The item group goes where a user pastes it: inside <Project>, before its end.
awk -v block="$work/block-3.xml" '/<\/Project>/ { while ((getline line < block) > 0) print line } { print }' "$project" >"$work/project.tmp"
mv "$work/project.tmp" "$project"
cp "$work/block-4.csharp" Program.cs
dotnet run 2>&1 | tee "$work/run.txt"
grep -q '^QEMU [0-9]' "$work/run.txt" || { echo "no greeting printed"; exit 1; }
grep -q '^status: prelaunch$' "$work/run.txt" || { echo "no status printed"; exit 1; }
echo "first day: OK"
