#!/usr/bin/env bash
# Install the Debian packages the build and the tests need, only those missing.
# Usage: scripts/deps.sh [extra-package...]
set -eu

pkgs=(
  build-essential pkg-config make python3
  libjansson-dev libpcre2-dev libsodium-dev libcurl4-openssl-dev libcmocka-dev
  clang libclang-rt-14-dev
  "$@"
)

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "deps: missing packages (${missing[*]}) and neither root nor sudo available" >&2
  exit 1
fi
"${sudo[@]}" apt-get update -q
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
