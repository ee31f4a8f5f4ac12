#!/usr/bin/env bash
# Pack every package of the repository into one folder, in one command:
#
#   eng/pack.sh [FOLDER] [dotnet pack options...]     FOLDER defaults to artifacts/packages
#
# Qmp.Codegen (the generator, its build files and qmp-codegen for docs), Qmp.Runtime (+ .snupkg),
# Qmp.Emulator, the qmp-emulator tool and the Qmp.Codegen.Cli tool, all of one version: from git,
# 0.1.0-dev.<commits>.g<sha> (Directory.Build.targets), so a re-pack after a commit is never shadowed
# by an older package of the same version in the NuGet cache. -p:Version=... sets one by hand.
# Prints the version and the packages on stdout.
#
# One MSBuild node (-m:1): Qmp.Codegen publishes qmp-codegen into its package with properties of its
# own (no apphost, no docs step), and in parallel that build and the Cli's own would write the same
# obj/ files at once.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$repo/artifacts/packages}"
[ $# -gt 0 ] && shift
mkdir -p "$out"
out="$(cd "$out" && pwd)"
dotnet pack "$repo/eng/packages.slnf" -c Release -o "$out" -m:1 --nologo -v:q "$@" >&2
props=()
for arg in "$@"; do
  case "$arg" in -p:*|/p:*|--property:*) props+=("$arg") ;; esac
done
version=$(dotnet msbuild "$repo/src/Runtime/Qmp.Runtime.csproj" -t:QmpVersion -getProperty:PackageVersion ${props[@]+"${props[@]}"})
echo "version: $version"
(cd "$out" && ls -1 ./*".$version.nupkg" ./*".$version.snupkg" 2>/dev/null | sed 's|^\./||')
