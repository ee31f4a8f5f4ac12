#!/usr/bin/env bash
# Pack the repository as a user's fresh clone would pack it:
#
#   tests/Package.Smoke/pack-clean-copy.sh FEED CLONE
#
# copies the repository's tracked and new files (no bin/ or obj/) into CLONE, then runs the README's
# pack command (eng/pack.sh) there into FEED, with the version the repository's commit packs as
# (0.1.0-dev.<commits>.g<sha>; the copy has no .git). Prints eng/pack.sh's lines: "version: X", then
# the packages. Used by run.sh and by the tests that build a project from the packages.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
feed="$1"
clone="$2"
mkdir -p "$clone" "$feed"
if git -C "$repo" rev-parse --git-dir >/dev/null 2>&1; then
  git -C "$repo" ls-files -co --exclude-standard -z | (cd "$repo" && tar cf - --null -T -) | tar xf - -C "$clone"
else
  (cd "$repo" && tar cf - --exclude=bin --exclude=obj --exclude=TestResults .) | tar xf - -C "$clone"
fi
version=$(dotnet msbuild "$repo/src/Runtime/Qmp.Runtime.csproj" -t:QmpVersion -getProperty:PackageVersion)
(cd "$clone" && eng/pack.sh "$feed" -p:Version="$version" -p:ContinuousIntegrationBuild=true)
