#!/usr/bin/env bash
# Lints the code of the systems this machine cannot build for: macOS (the Dock
# badge, AppKit through objc2) and Windows (the named pipe, the taskbar).
#
#   scripts/check-targets.sh            # both
#   scripts/check-targets.sh macos      # or: windows
#
# `cargo clippy --target …` type-checks and lints every line compiled for that
# system, ours and our dependencies' Rust, with `--features sound` as packaged.
# It needs only the target's Rust standard library (fetched with rustup). The C
# inside some dependencies would need the system's SDK; nothing is linked, so a
# stand-in compiler (scripts/typecheck/cc) writes empty objects for it. What
# this cannot tell: whether it links and runs there (the release workflow
# builds on real macOS and Windows runners; Windows code also runs under Wine
# with scripts/wine-tests.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
stand_in="$PWD/scripts/typecheck/cc"

# check TARGET CARGO_TARGET_SELECTION...
check() {
  local target=$1
  shift
  local var=${target//-/_}
  echo "== cargo clippy --target $target $* --features sound -- -D warnings"
  rustup target add "$target" >/dev/null
  env "CC_$var=$stand_in" "CXX_$var=$stand_in" "AR_$var=ar" \
    cargo clippy --target "$target" "$@" --features sound -- -D warnings
}

macos() { check aarch64-apple-darwin --all-targets; }
# The benches read a thread's CPU time the POSIX way and are run on Linux.
windows() { check x86_64-pc-windows-gnu --lib --bins --tests; }

case "${1:-all}" in
  macos) macos ;;
  windows) windows ;;
  all)
    macos
    windows
    ;;
  *)
    echo "usage: $0 [macos|windows|all]" >&2
    exit 64
    ;;
esac
