#!/usr/bin/env bash
# Install the Debian packages the build and the tests need, only those missing.
# Optional ones (chromium, for the HTML matrix test) may fail to install: the
# test that needs them then says it is skipped.
# Usage: scripts/deps.sh [extra-package...]
set -eu

optional=(chromium)

pkgs=(
  build-essential pkg-config make python3
  libjansson-dev libpcre2-dev libsodium-dev libcurl4-openssl-dev libcmocka-dev
  clang libclang-rt-14-dev
  "$@"
)

installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

missing=() opt_missing=()
for p in "${pkgs[@]}"; do installed "$p" || missing+=("$p"); done
for p in "${optional[@]}"; do installed "$p" || opt_missing+=("$p"); done

[ ${#missing[@]} -eq 0 ] && [ ${#opt_missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  if [ ${#missing[@]} -eq 0 ]; then
    echo "deps: optional packages missing (${opt_missing[*]}) and neither root nor sudo available" >&2
    exit 0
  fi
  echo "deps: missing packages (${missing[*]}) and neither root nor sudo available" >&2
  exit 1
fi
install=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends)
"${sudo[@]}" apt-get update -q || [ ${#missing[@]} -eq 0 ]
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}" >&2
  "${install[@]}" "${missing[@]}"
fi
if [ ${#opt_missing[@]} -gt 0 ]; then
  echo "deps: installing optional ${opt_missing[*]}" >&2
  "${install[@]}" "${opt_missing[@]}" || echo "deps: could not install ${opt_missing[*]}; the tests that need them will be skipped" >&2
fi
