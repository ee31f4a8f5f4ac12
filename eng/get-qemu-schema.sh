#!/usr/bin/env bash
# Fetch QEMU's QAPI schema (and the rest of QEMU's sources we read as a specification) without
# committing any of it: the repository holds only what we write.
#
#   eng/get-qemu-schema.sh SUITE     Debian suite: bookworm (QEMU 7.2), trixie (QEMU 10.0), sid, ...
#   eng/get-qemu-schema.sh PATH      a QEMU checkout or extracted source tree (must hold qapi/)
#
# Prints one line on stdout: the folder that holds QEMU's source tree, with `qapi/`, `scripts/qapi/`,
# `docs/devel/`, `python/` and `VERSION` inside (e.g. ~/.cache/qmp-codegen/qemu-7.2.0). Progress
# and errors go to stderr. Exit 0 on success, 1 when the sources cannot be had (the reason on stderr).
#
# The download goes through a private apt state (its own sources list, lists and cache folders under
# the cache folder): the `deb-src` entries are derived from the machine's own apt sources, so no
# mirror is written anywhere, and the machine's apt state is left untouched. A second run with the
# same suite finds the extracted tree and returns at once.
set -euo pipefail

cache_root="${QMP_CODEGEN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/qmp-codegen}"
what="${1:-}"
if [ -z "$what" ]; then
  echo "usage: $0 SUITE|PATH   (bookworm = QEMU 7.2, trixie = QEMU 10.0)" >&2
  exit 2
fi

fail() { echo "get-qemu-schema: $*" >&2; exit 1; }

# A path: use the tree as it is.
if [ -d "$what" ]; then
  [ -f "$what/qapi/qapi-schema.json" ] || fail "$what has no qapi/qapi-schema.json"
  (cd "$what" && pwd)
  exit 0
fi

case "$what" in
  *[!a-z0-9-]*) fail "'$what' is neither a folder nor a Debian suite name" ;;
esac
suite="$what"
marker="$cache_root/suites/$suite"
if [ -f "$marker" ]; then
  tree=$(cat "$marker")
  if [ -f "$tree/qapi/qapi-schema.json" ]; then
    echo "$tree"
    exit 0
  fi
fi

command -v apt-get >/dev/null 2>&1 || fail "apt-get is not available: pass a path to a QEMU source tree instead"
command -v dpkg-source >/dev/null 2>&1 || command -v tar >/dev/null 2>&1 || fail "neither dpkg-source nor tar is available"

# The machine's Debian URIs (deb822 .sources files and one-line .list files), main archive only.
uris=()
for f in /etc/apt/sources.list.d/*.sources; do
  [ -f "$f" ] || continue
  while read -r uri; do uris+=("$uri"); done < <(awk '/^URIs:/ {for (i = 2; i <= NF; i++) print $i}' "$f")
done
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
  [ -f "$f" ] || continue
  while read -r uri; do uris+=("$uri"); done < <(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; break } }' "$f")
done
main_uri=""
for u in "${uris[@]}"; do
  case "$u" in
    *security*|*updates*) ;;
    *debian*) main_uri="$u"; break ;;
  esac
done
[ -n "$main_uri" ] || fail "no Debian archive found in the machine's apt sources"

state="$cache_root/apt/$suite"
mkdir -p "$state/sources.list.d" "$state/lists/partial" "$state/cache/archives/partial" "$state/download"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
{
  echo "Types: deb-src"
  echo "URIs: $main_uri"
  echo "Suites: $suite"
  echo "Components: main"
  [ -f "$keyring" ] && echo "Signed-By: $keyring"
} >"$state/sources.list.d/qemu-src.sources"

apt_opts=(
  -o "Dir::Etc::SourceList=/dev/null"
  -o "Dir::Etc::SourceParts=$state/sources.list.d"
  -o "Dir::State::Lists=$state/lists"
  -o "Dir::Cache=$state/cache"
  -o "APT::Sandbox::User=root"
  -o "Debug::NoLocking=1"
)
echo "get-qemu-schema: reading the source index of '$suite'" >&2
apt-get "${apt_opts[@]}" -qq update >&2 || fail "apt-get update for suite '$suite' failed (is '$suite' a Debian suite this machine's archive serves?)"

dl="$state/download"
rm -f "$dl"/qemu_*
echo "get-qemu-schema: downloading QEMU's source package for '$suite'" >&2
if ! (cd "$dl" && apt-get "${apt_opts[@]}" -qq source --download-only qemu >&2); then
  fail "the source package of qemu in '$suite' could not be downloaded (some suites, sid among them, do not serve every file of their newest version)"
fi
orig=$(ls "$dl"/qemu_*.orig.tar.* 2>/dev/null | head -1)
[ -n "$orig" ] || fail "no qemu_*.orig.tar.* among the downloaded files of '$suite'"
tmp=$(mktemp -d "$cache_root/extract.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
echo "get-qemu-schema: extracting $(basename "$orig")" >&2
# The whole tree: besides qapi/ we read QEMU's generator (scripts/qapi), its docs and its monitor's
# C sources as the specification, and run its python/ tools against our code.
tar -xf "$orig" -C "$tmp" || fail "could not extract $orig"
top=$(find "$tmp" -mindepth 1 -maxdepth 1 -type d | head -1)
[ -f "$top/qapi/qapi-schema.json" ] || fail "the source package holds no qapi/qapi-schema.json"
version=$(tr -d '[:space:]' <"$top/VERSION")
tree="$cache_root/qemu-$version"
if [ ! -f "$tree/qapi/qapi-schema.json" ]; then
  rm -rf "$tree"
  mv "$top" "$tree"
fi
mkdir -p "$(dirname "$marker")"
echo "$tree" >"$marker"
echo "$tree"
