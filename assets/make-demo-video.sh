#!/usr/bin/env bash
# Makes assets/demo.mp4, the video the built-in simulator serves for every task:
# 3 s of ffmpeg's test pattern, 640x360, H.264 (yuv420p, like the service's MP4s),
# with the index at the front so that players can start before the end arrives.
# Needs ffmpeg (Debian: apt-get install ffmpeg). The output is committed; run this
# only to change it.
set -euo pipefail
cd "$(dirname "$0")"
ffmpeg -hide_banner -loglevel error -y \
  -f lavfi -i "testsrc2=size=640x360:rate=24:duration=3" \
  -f lavfi -i "sine=frequency=440:duration=3" \
  -c:v libx264 -preset slow -crf 32 -pix_fmt yuv420p -profile:v main \
  -c:a aac -b:a 48k -shortest \
  -movflags +faststart \
  -metadata title="R2V Studio simulator sample" \
  demo.mp4
ls -l demo.mp4
