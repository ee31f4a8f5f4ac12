#!/usr/bin/env bash
# Applies the house style (.editorconfig) to every project: braces, usings, `var`, whitespace.
# The build enforces the same rules (EnforceCodeStyleInBuild), so run this before committing
# when the build reports IDExxxx. Names (IDE1006) have no automatic fix: the build lists them.
set -euo pipefail
cd "$(dirname "$0")/.."
# IDE0005 (unused usings) is left to the build: dotnet format does not run our generator, so a
# using of a generated namespace would look unused to it.
dotnet format Qmp.Codegen.sln --severity warn --exclude-diagnostics IDE0005 "$@"
