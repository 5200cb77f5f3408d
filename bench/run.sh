#!/usr/bin/env bash
# make bench: runs every benchmark program (build/bench/*) and script (bench/*.sh but this one).
set -eu
build=${1:-build}
echo "# machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(uname -sr)"
echo "# date: $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
for b in "$build"/bench/*; do
  [ -x "$b" ] && [ -f "$b" ] || continue
  case "$b" in *.d) continue ;; esac
  echo "## $(basename "$b")"
  "$b"
done
for s in bench/*.sh; do
  [ "$(basename "$s")" = run.sh ] && continue
  [ -f "$s" ] || continue
  echo "## $(basename "$s" .sh)"
  bash "$s" "$build"
done
