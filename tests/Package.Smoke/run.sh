#!/usr/bin/env bash
# Proof that the packed NuGet packages work outside the solution: pack Qmp.Codegen and
# Qmp.Runtime into a local folder, then build and run a throwaway project (in a temp directory,
# away from this repository's Directory.*.props) that references them by version and names the
# repository's schema with <QmpSchema>. Prints the generated client's method count.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
dotnet pack "$repo/src/Generator" -o "$work/feed" --nologo -v:q
dotnet pack "$repo/src/Runtime" -o "$work/feed" --nologo -v:q
mkdir -p "$work/app/schema"
cp "$repo"/schema/*.hx "$work/app/schema/"
cp "$repo/tests/Package.Smoke/Consumer.csproj.template" "$work/app/Consumer.csproj"
cp "$repo/tests/Package.Smoke/Program.cs.template" "$work/app/Program.cs"
# The local feed is added to the machine's configured sources (not replacing them), so the
# packages' own dependencies restore as they would for any user.
cat > "$work/app/nuget.config" <<CONFIG
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="qmp-local" value="$work/feed" />
  </packageSources>
</configuration>
CONFIG
# The schema's known quirks are warnings in the build output (QMP00xx); they are expected here.
dotnet run --project "$work/app/Consumer.csproj" --nologo -v:q -p:NoWarn=QMP0007%3BQMP0008%3BQMP0009%3BQMP0010%3BQMP0013%3BQMP0015%3BQMP0016%3BQMP0018%3BQMP0019%3BQMP0023 | tee "$work/out.txt"
grep -q "QemuClient methods:" "$work/out.txt"
# The package's docs step ran with the qmp-codegen it carries.
test -s "$work/app/docs/qmp-reference.html" && grep -q "query-status" "$work/app/docs/qmp-reference.md"
echo "docs rendered: $(ls "$work/app/docs" | tr '\n' ' ')"
echo "package smoke test: OK"
