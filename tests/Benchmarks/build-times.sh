#!/usr/bin/env bash
# A consumer project's build times, with and without a generated client:
#
#   bash tests/Benchmarks/build-times.sh [RUNS] [CONFIGURATION]    (defaults: 3, Debug)
#
# Makes a throw-away console project in a temporary folder that uses the generator and the runtime
# the way samples/ModernQemu does (the props imported, the generator as an analyzer, the runtime as
# a project reference; both built Release, as their NuGet packages are) in four variants: no QmpSchema, QEMU 2.1's schema/*.hx, QEMU 7.2's full
# QAPI schema (through eng/Qemu72Schema.targets, which fetches it with eng/get-qemu-schema.sh
# bookworm; without it that row says so), and a program beside a library that holds 7.2's client
# (the edit is in the program). For each it times `dotnet build`:
#   clean        obj/ and bin/ removed (restore included; the generator and runtime already built)
#   no change    the same build again
#   one-line C#  after a one-line edit of Program.cs
# and prints the median of RUNS (and the min-max). Not part of `dotnet test`: it takes minutes.
# Builds use the machine's usual build servers (the shared compiler server); MSBuild nodes are not
# kept (-nodeReuse:false), so nothing this starts outlives it except that shared server.
set -euo pipefail

runs="${1:-3}"
configuration="${2:-Debug}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/qmp-build-times.XXXXXX")"
trap 'rm -rf "$work"' EXIT

build() { dotnet build "$1" -c "$configuration" -nodeReuse:false -clp:ErrorsOnly -nologo >"$1/../build.log" 2>&1; }

# Seconds a build takes, to the millisecond; a failed build stops the script with its log.
timed() {
  local project="$1" start end
  start=$(date +%s%N)
  if ! build "$project"; then
    echo "build failed in $project:" >&2
    cat "$project/../build.log" >&2
    exit 1
  fi
  end=$(date +%s%N)
  echo "scale=3; ($end - $start) / 1000000000" | bc
}

# Median and range of the numbers given, as "median (min-max)".
summary() {
  printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.2f s (%.2f-%.2f)", m, v[1], v[NR] }'
}

make_project() {
  local name="$1" schema="$2" kind="${3:-Exe}" dir="$work/$1/$1"
  mkdir -p "$dir"
  cat >"$dir/$name.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <Import Project="$root/src/Generator/build/Qmp.Codegen.props" />
  <PropertyGroup>
    <OutputType>$kind</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
  </PropertyGroup>
  <ItemGroup>
    <ProjectReference Include="$root/src/Generator/Qmp.Codegen.Generator.csproj" OutputItemType="Analyzer" ReferenceOutputAssembly="false" SetConfiguration="Configuration=Release" SetTargetFramework="TargetFramework=netstandard2.0" />
    <ProjectReference Include="$root/src/Runtime/Qmp.Runtime.csproj" SetConfiguration="Configuration=Release" />
  </ItemGroup>
$schema
</Project>
EOF
  cat >"$dir/Program.cs" <<'EOF'
Console.WriteLine("edit 0");
EOF
  echo "$dir"
}

none=$(make_project NoSchema "")
qemu21=$(make_project Qemu21 "  <ItemGroup>
    <QmpSchema Include=\"$root/schema/*.hx\" Namespace=\"Consumer.Qemu21\" Generate=\"Client\" />
  </ItemGroup>")
qemu72=$(make_project Qemu72 "  <PropertyGroup>
    <Qemu72Namespace>Consumer.Qemu72</Qemu72Namespace>
  </PropertyGroup>
  <Import Project=\"$root/eng/Qemu72Schema.targets\" />")

# The layout a project with a large client is meant to have: the client in a library of its own
# (the QmpSchema item and nothing else), the program beside it. A C# edit in the program compiles
# the program only; the library is up to date, so neither the generator nor the compiler reruns it.
library=$(make_project Qemu72Library "  <PropertyGroup>
    <Qemu72Namespace>Consumer.Qemu72</Qemu72Namespace>
  </PropertyGroup>
  <Import Project=\"$root/eng/Qemu72Schema.targets\" />" Library)
rm -f "$library/Program.cs"
app=$(make_project Qemu72App "  <ItemGroup>
    <ProjectReference Include=\"$library/Qemu72Library.csproj\" />
  </ItemGroup>")

# The generator and the runtime built once beforehand, so no row pays for them; the schema fetched.
echo "warming up (generator, runtime, QEMU 7.2's schema) ..." >&2
build "$none"
bash "$root/eng/get-qemu-schema.sh" bookworm >/dev/null 2>"$work/schema-error.txt" || true

printf '\n%s\n' "== consumer build times: dotnet build -c $configuration, median of $runs (min-max), $(nproc) cores, $(date -u +%F)"
printf '| %-30s | %-22s | %-22s | %-22s | %s\n' "project" "clean" "no change" "one-line C# edit" "output"
for dir in "$none" "$qemu21" "$qemu72" "$app"; do
  name=$(basename "$dir")
  clean=(); again=(); edit=()
  for ((i = 1; i <= runs; i++)); do
    rm -rf "$dir/obj" "$dir/bin"
    if [[ "$dir" == "$app" ]]; then rm -rf "$library/obj" "$library/bin"; fi
    echo 'Console.WriteLine("edit 0");' >"$dir/Program.cs"
    clean+=("$(timed "$dir")")
    again+=("$(timed "$dir")")
    echo "Console.WriteLine(\"edit $i\");" >"$dir/Program.cs"
    edit+=("$(timed "$dir")")
  done
  dll=$(find "$dir/bin" -name "$name.dll" | head -1)
  generated="$(( $(stat -c %s "$dll") / 1024 )) KB assembly"
  if [[ "$dir" == "$app" ]]; then
    dll=$(find "$library/bin" -name "Qemu72Library.dll" | head -1)
    generated="$generated; the client library $(( $(stat -c %s "$dll") / 1024 )) KB"
  fi
  if [[ "$name" == Qemu72 ]] && ! [[ -s "$dir/obj/qemu72-dir.txt" ]]; then
    generated="no client: QEMU 7.2's schema could not be had ($(head -c 200 "$dir/obj/qemu72-error.txt" 2>/dev/null))"
  fi
  printf '| %-30s | %-22s | %-22s | %-22s | %s\n' "$name" "$(summary "${clean[@]}")" "$(summary "${again[@]}")" "$(summary "${edit[@]}")" "$generated"
done
