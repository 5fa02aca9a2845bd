#!/usr/bin/env bash
# Renders the app icon (r2v-studio.svg) to the files the packages and the window use:
#   r2v-studio-<size>.png  for the hicolor theme (Linux) and the window (256),
#   r2v-studio.ico         for the Windows installer and executable,
#   r2v-studio.icns        for the macOS app bundle.
# Needs: apt-get install librsvg2-bin icoutils icnsutils
# Run from anywhere: assets/icon/render.sh
set -euo pipefail
cd "$(dirname "$0")"

for tool in rsvg-convert icotool png2icns; do
  command -v "$tool" >/dev/null || {
    echo "render.sh: $tool is missing; apt-get install librsvg2-bin icoutils icnsutils" >&2
    exit 1
  }
done

sizes=(16 24 32 48 64 128 256 512)
for size in "${sizes[@]}"; do
  rsvg-convert --width "$size" --height "$size" r2v-studio.svg --output "r2v-studio-$size.png"
done

# Windows keeps the sizes its shell asks for (256 is stored as PNG inside the .ico).
icotool --create --output r2v-studio.ico \
  r2v-studio-16.png r2v-studio-24.png r2v-studio-32.png r2v-studio-48.png \
  r2v-studio-64.png r2v-studio-128.png --raw=r2v-studio-256.png

# png2icns takes the sizes the ICNS format has slots for (16, 32, 48, 128, 256, 512).
png2icns r2v-studio.icns \
  r2v-studio-16.png r2v-studio-32.png r2v-studio-48.png \
  r2v-studio-128.png r2v-studio-256.png r2v-studio-512.png >/dev/null

echo "rendered: ${sizes[*]} px, r2v-studio.ico, r2v-studio.icns"
