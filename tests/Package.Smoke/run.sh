#!/usr/bin/env bash
# Proof that the packages work as a user gets them: copy the repository as a fresh clone has it
# (tracked and new files, no bin/ or obj/), run the README's pack command (eng/pack.sh) there into
# a local folder, then, in a temp directory away from this repository's Directory.*.props and with a
# NuGet cache of its own (NUGET_PACKAGES), build and run a console app that references Qmp.Codegen, Qmp.Runtime and Qmp.Emulator by version and names the
# repository's schema with <QmpSchema>; build an app that forgot Qmp.Runtime and expect the one
# QMP1001 error, and one with a Qmp.Runtime of another version and expect QMP1002; build a library
# with Access="Internal" (no public generated type) and Diagnostics="all" plus an .editorconfig
# severity; install the qmp-emulator tool and run it.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "== the README's pack command in a clean copy of the repository (ContinuousIntegrationBuild, as CI packs)"
# (QMP_PACKED_FEED, QMP_PACKED_CLONE and QMP_PACKED_VERSION: pack-clean-copy.sh's folders and version
# from an earlier step of the same test run, so one run packs once.)
if [ -n "${QMP_PACKED_FEED:-}" ]; then
  mkdir "$work/feed"
  cp "$QMP_PACKED_FEED"/* "$work/feed/"
  clone="$QMP_PACKED_CLONE"
  version="$QMP_PACKED_VERSION"
else
  clone="$work/clone"
  "$repo/tests/Package.Smoke/pack-clean-copy.sh" "$work/feed" "$clone" | tee "$work/pack.txt"
  version=$(sed -n 's/^version: //p' "$work/pack.txt")
fi
test -n "$version"
# A Qmp.Runtime of another version, for the QMP1002 check below.
(cd "$clone" && dotnet pack src/Runtime -o "$work/feed" --nologo -v:q -p:Version=0.2.0)
# Packing restores only third-party packages (the packages reference each other as projects); from
# here on every restore goes to a folder of its own, never the user's NuGet cache, so no package of
# the same version packed earlier can stand in for these.
export NUGET_PACKAGES="$work/nuget-packages"

# What the packages must (not) carry.
# (Listed into a file first: `grep -q` stops reading at its match, and with pipefail the unzip it
# cut off by SIGPIPE would fail the check now and then.)
listing() { unzip -Z1 "$work/feed/$1" > "$work/listing.txt" || exit 1; cat "$work/listing.txt" || true; }
listing Qmp.Codegen.$version.nupkg | grep -qx "analyzers/dotnet/cs/Qmp.Codegen.Generator.dll"
# The Roslyn-free core the generator runs, beside it (the compiler loads it from there).
listing Qmp.Codegen.$version.nupkg | grep -qx "analyzers/dotnet/cs/Qmp.Codegen.Core.dll"
listing Qmp.Codegen.$version.nupkg | grep -qx "tools/cli/qmp-codegen.dll"
! listing Qmp.Codegen.$version.nupkg | grep -qx "tools/cli/qmp-codegen" || { echo "apphost in Qmp.Codegen tools/cli"; exit 1; }
! listing Qmp.Codegen.$version.nupkg | grep -q "tools/cli/[a-z][a-z]\(-[A-Za-z]*\)\?/.*resources.dll" || { echo "satellite resources in Qmp.Codegen tools/cli"; exit 1; }
! listing qmp-emulator.$version.nupkg | grep -qx "tools/net10.0/any/Qmp.Emulator" || { echo "stray apphost in qmp-emulator"; exit 1; }
listing Qmp.Emulator.$version.nupkg | grep -qx "lib/net10.0/Qmp.Emulator.dll"
test -f "$work/feed/Qmp.Runtime.$version.snupkg"
for package in Qmp.Codegen Qmp.Runtime Qmp.Emulator qmp-emulator Qmp.Codegen.Cli; do
  nuspec="$(unzip -p "$work/feed/$package.$version.nupkg" "$package.nuspec")"
  grep -q '<license type="expression">MIT</license>' <<<"$nuspec" || { echo "$package: no MIT license expression"; exit 1; }
  grep -q '<readme>PACKAGE.md</readme>' <<<"$nuspec" || { echo "$package: no readme"; exit 1; }
  grep -q '<tags>' <<<"$nuspec" || { echo "$package: no tags"; exit 1; }
  ! grep -q '<description>Package Description</description>' <<<"$nuspec" || { echo "$package: no description"; exit 1; }
done
echo "package contents and metadata: OK"

# The local feed is added to the machine's configured sources (not replacing them), so the
# packages' own dependencies restore as they would for any user.
new_app() {
  mkdir -p "$work/$1/schema"
  cp "$repo"/schema/*.hx "$work/$1/schema/"
  cat > "$work/$1/nuget.config" <<CONFIG
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="qmp-local" value="$work/feed" />
  </packageSources>
</configuration>
CONFIG
}

echo "== a console app on the packages"
new_app app
consumer() { sed "s/@VERSION@/$version/g" "$repo/tests/Package.Smoke/Consumer.csproj.template"; }
consumer > "$work/app/Consumer.csproj"
cp "$repo/tests/Package.Smoke/Program.cs.template" "$work/app/Program.cs"
# QEMU 2.1's untouched schema, TreatWarningsAsErrors, no NoWarn: its quirks are Info, not warnings.
dotnet build "$work/app/Consumer.csproj" --nologo -v:q | tee "$work/build.txt"
grep -q " 0 Warning(s)" "$work/build.txt" && grep -q " 0 Error(s)" "$work/build.txt"
! grep -q "warning QMP" "$work/build.txt" || { echo "QMP warnings on the untouched schema"; exit 1; }
echo "untouched 2.1 schema with TreatWarningsAsErrors: 0 warnings, 0 errors"
dotnet run --project "$work/app/Consumer.csproj" --no-build | tee "$work/out.txt"
grep -q "QemuClient methods:" "$work/out.txt"
# The package's docs step ran with the qmp-codegen it carries.
test -s "$work/app/docs/qmp-reference.html" && grep -q "query-status" "$work/app/docs/qmp-reference.md"
echo "docs rendered: $(ls "$work/app/docs" | tr '\n' ' ')"

echo "== an app that forgot Qmp.Runtime"
new_app forgot
consumer | sed '/Include="Qmp.Runtime"/d; /Include="Qmp.Emulator"/d' > "$work/forgot/Forgot.csproj"
echo 'System.Console.WriteLine(typeof(Acme.Qemu.QemuClient));' > "$work/forgot/Program.cs"
if dotnet build "$work/forgot/Forgot.csproj" --nologo -v:q -p:QmpGenerateDocs=false > "$work/forgot.txt" 2>&1; then
  echo "an app without Qmp.Runtime built"; exit 1
fi
errors=$(grep -E -o "error [A-Z]+[0-9]+" "$work/forgot.txt" | sort -u)
grep -m1 "error QMP1001" "$work/forgot.txt" | sed -E "s/^.*(error QMP1001)/\1/; s/ \[[^]]*\]$//"
test "$errors" = "error QMP1001"

echo "== an app whose Qmp.Runtime is of another version"
new_app other
consumer | sed "/Include=\"Qmp.Emulator\"/d; s/Include=\"Qmp.Runtime\" Version=\"$version\"/Include=\"Qmp.Runtime\" Version=\"0.2.0\"/" > "$work/other/Other.csproj"
grep -q 'Include="Qmp.Runtime" Version="0.2.0"' "$work/other/Other.csproj"
echo 'System.Console.WriteLine(typeof(Acme.Qemu.QemuClient));' > "$work/other/Program.cs"
if dotnet build "$work/other/Other.csproj" --nologo -v:q -p:QmpGenerateDocs=false > "$work/other.txt" 2>&1; then
  echo "an app with Qmp.Runtime 0.2.0 built against Qmp.Codegen $version"; exit 1
fi
grep -m1 "error QMP1002" "$work/other.txt" | sed -E "s/^.*(error QMP1002)/\1/; s/ \[[^]]*\]$//"
test "$(grep -E -o "error [A-Z]+[0-9]+" "$work/other.txt" | sort -u)" = "error QMP1002"

echo "== a library that wraps QMP without exporting it (Access=Internal), its schema's quirks raised"
new_app internal
consumer | sed '/Include="Qmp.Emulator"/d; s#<OutputType>Exe</OutputType>#<OutputType>Library</OutputType>#; s#Generate="Client;Server" />#Generate="Client;Server" Access="Internal" Diagnostics="all" />#' \
  > "$work/internal/Wrapper.csproj"
grep -q 'Access="Internal" Diagnostics="all"' "$work/internal/Wrapper.csproj"
cat > "$work/internal/Vm.cs" <<'CS'
namespace Wrapper;

/// <summary>The library's own API: the generated QMP types stay inside it.</summary>
public static class Vm
{
    public static async Task<string> StatusAsync(string address)
    {
        await using var qemu = await Acme.Qemu.QemuClient.ConnectAsync(address);
        return (await qemu.QueryStatusAsync()).Status.ToString();
    }
}
CS
# An .editorconfig severity for one id, beside Diagnostics="all" for the rest.
printf 'root = true\n[*.hx]\ndotnet_diagnostic.QMP0010.severity = none\n' > "$work/internal/.editorconfig"
dotnet build "$work/internal/Wrapper.csproj" --nologo -v:q -p:QmpGenerateDocs=false -p:TreatWarningsAsErrors=false > "$work/internal.txt" 2>&1 || { cat "$work/internal.txt"; exit 1; }
# (MSBuild's console logger repeats every warning in its summary: count distinct lines.)
raised=$(grep "warning QMP00" "$work/internal.txt" | sort -u | wc -l)
echo "Diagnostics=all: $raised schema warnings, $(grep -c "QMP0010" "$work/internal.txt" || true) QMP0010 (.editorconfig: none)"
test "$raised" -eq 32
! grep -q "QMP0010" "$work/internal.txt"
# Only the library's own type is public: list the assembly's exported types with a throwaway reader.
mkdir "$work/exports"
cat > "$work/exports/Exports.csproj" <<'CSPROJ'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><ImplicitUsings>enable</ImplicitUsings></PropertyGroup>
</Project>
CSPROJ
cat > "$work/exports/Program.cs" <<'CS'
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using var pe = new PEReader(File.OpenRead(args[0]));
var md = pe.GetMetadataReader();
var all = md.TypeDefinitions.Select(md.GetTypeDefinition).ToList();
var exported = all.Where(t => (t.Attributes & System.Reflection.TypeAttributes.VisibilityMask) == System.Reflection.TypeAttributes.Public)
    .Select(t => md.GetString(t.Namespace) + "." + md.GetString(t.Name)).ToList();
Console.WriteLine($"Access=Internal: {all.Count(t => md.GetString(t.Namespace).StartsWith("Acme.Qemu", StringComparison.Ordinal))} generated types, public types: {string.Join(", ", exported)}");
CS
dotnet run --project "$work/exports/Exports.csproj" -- "$work/internal/bin/Debug/net10.0/Wrapper.dll" | tee "$work/exports.txt"
grep -q "public types: Wrapper.Vm$" "$work/exports.txt"

echo "== the qmp-emulator tool"
dotnet tool install qmp-emulator --version "$version" --tool-path "$work/tools" --add-source "$work/feed" >/dev/null
"$work/tools/qmp-emulator" --help | head -1

# Nothing was restored into the user's NuGet cache: the packages came from this run's folder.
test -d "$NUGET_PACKAGES/qmp.runtime/$version"
echo "restored into $NUGET_PACKAGES only: OK"
echo "package smoke test: OK"
