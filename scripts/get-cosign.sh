#!/usr/bin/env bash
# Fetch Debian's cosign (not in bookworm) for the real-cosign interop test, without touching the system's apt
# configuration: a private sources list for one suite, `apt-get download`, `dpkg -x`. Nothing is installed.
# Usage: scripts/get-cosign.sh [DEST_DIR]   (default node_modules/.cache/cosign)
# Prints the path of the cosign binary.
# Env: COSIGN_SUITE (default sid, falls back to trixie), DEBIAN_MIRROR (default: the system's, else deb.debian.org).
set -euo pipefail
dest=$(realpath -m "${1:-node_modules/.cache/cosign}")
bin="$dest/root/usr/bin/cosign"
if [[ -x "$bin" ]]; then echo "$bin"; exit 0; fi

system_mirror() {
  grep -hoE 'https?://[^ ]*/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/*.sources \
    /etc/apt/sources.list.d/*.list 2>/dev/null | head -n1 | tr -d ' ' || true
}
mirror=${DEBIAN_MIRROR:-$(system_mirror)}
mirror=${mirror:-http://deb.debian.org/debian}
work="$dest/apt"
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$dest/root"

fetch() {
  local suite=$1
  local keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  printf 'deb [signed-by=%s] %s %s main\n' "$keyring" "$mirror" "$suite" >"$work/sources.list"
  local opts=(-o Dir::Etc::sourcelist="$work/sources.list" -o Dir::Etc::sourceparts=/dev/null
    -o Dir::State::Lists="$work/lists" -o Dir::Cache="$work/cache" -o Debug::NoLocking=1
    -o APT::Get::List-Cleanup=0)
  apt-get "${opts[@]}" update -qq >&2 || return 1
  (cd "$work" && rm -f cosign_*.deb && apt-get "${opts[@]}" download cosign >&2) || return 1
}

for suite in ${COSIGN_SUITE:-sid trixie}; do
  if fetch "$suite"; then break; fi
  echo "get-cosign: could not fetch cosign from $mirror $suite" >&2
done
deb=$(ls "$work"/cosign_*.deb 2>/dev/null | head -n1 || true)
[[ -n "$deb" ]] || { echo "get-cosign: no cosign .deb downloaded" >&2; exit 1; }
dpkg -x "$deb" "$dest/root"
[[ -x "$bin" ]] || { echo "get-cosign: $deb has no usr/bin/cosign" >&2; exit 1; }
echo "$bin"
