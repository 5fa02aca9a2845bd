#!/usr/bin/env bash
# Runs the Windows build of the tests that cross processes (one engine per data
# folder over a named pipe) under Wine, on Linux. Opt-in, not part of .ci/run:
# the Windows build takes about five minutes.
#
#   scripts/wine-tests.sh            # tests/shared_engine.rs and tests/ui_shell.rs
#   scripts/wine-tests.sh cli        # any other test files by name
#   scripts/wine-tests.sh lib        # the unit tests (e.g. the taskbar progress)
#
# Installs what it needs with apt (run as root, or have them already):
# wine64, mingw-w64, and the Rust target x86_64-pc-windows-gnu.
set -euo pipefail
cd "$(dirname "$0")/.."

tests=("$@")
[ ${#tests[@]} -eq 0 ] && tests=(shared_engine ui_shell)

if ! command -v wine >/dev/null || ! command -v x86_64-w64-mingw32-gcc >/dev/null; then
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q wine64 mingw-w64
fi
rustup target add x86_64-pc-windows-gnu >/dev/null

export WINEPREFIX="${WINEPREFIX:-$PWD/target/wine-prefix}"
export WINEDEBUG=-all
if [ ! -d "$WINEPREFIX/drive_c/windows/system32" ]; then
    wineboot --init >/dev/null 2>&1 || true
fi
shim="$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll"
if [ ! -f "$shim" ]; then
    x86_64-w64-mingw32-gcc -shared -O2 -o "$shim" scripts/wine/bcryptprimitives.c -ladvapi32
fi

args=()
for t in "${tests[@]}"; do
    if [ "$t" = lib ]; then args+=(--lib); else args+=(--test "$t"); fi
done
# The test binaries, and the app's .exe they start as other processes.
cargo build --target x86_64-pc-windows-gnu --bin r2v-studio
cargo test --target x86_64-pc-windows-gnu "${args[@]}" --no-run --message-format=json \
    | python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["profile"]["test"]:
        print(m["executable"])' > target/wine-tests.list

status=0
while read -r exe; do
    echo "== $(basename "$exe")"
    wine "$exe" --test-threads 1 || status=1
done < target/wine-tests.list
exit $status
