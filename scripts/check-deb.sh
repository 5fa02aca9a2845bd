#!/usr/bin/env bash
# Opt-in check of the .deb on this machine (Debian or Ubuntu, as root; not part of
# .ci/run: it makes a release build and installs system packages):
#
#   scripts/check-deb.sh            builds the .deb (scripts/package.sh deb), then checks it
#   scripts/check-deb.sh FILE.deb   checks a .deb built before
#
# It runs lintian (no error allowed), installs the package with apt-get (which pulls
# its dependencies), validates the installed launcher, checks that project files
# (*.r2v.json) have their MIME type and open with the launcher, starts
# /usr/bin/r2v-studio --demo under Xvfb (the window, its title and its icon; a
# screenshot is kept), then purges the package and checks that it is gone.
# Afterwards r2v-studio is not installed, whether or not it was before.
set -euo pipefail
cd "$(dirname "$0")/.."

die() {
  echo "check-deb.sh: FAILED: $*" >&2
  exit 1
}
step() { echo "== $*"; }

[ "$(id -u)" = 0 ] || die "run as root (it installs and purges the package)"

if [ $# -ge 1 ]; then
  deb=$1
else
  scripts/package.sh deb
  deb=$(ls -t "${CARGO_TARGET_DIR:-target}"/packages/r2v-studio_*.deb | head -1)
fi
[ -f "$deb" ] || die "no .deb at $deb"
deb=$(realpath "$deb")

tools=(lintian desktop-file-validate xdg-mime Xvfb xdotool xprop import)
packages=(lintian desktop-file-utils xdg-utils xvfb xauth xdotool x11-utils imagemagick)
for tool in "${tools[@]}"; do
  if ! command -v "$tool" >/dev/null; then
    step "apt-get install ${packages[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
    break
  fi
done

step "lintian $(basename "$deb")"
# Errors fail the check; warnings and the rest are printed (see packaging/linux/README.md).
lintian --display-info --fail-on error "$deb" || die "lintian reports errors"

installed=no
work=$(mktemp -d)
app_pid=""
xvfb_pid=""
cleanup() {
  if [ -n "$app_pid" ]; then kill "$app_pid" 2>/dev/null || true; fi
  if [ -n "$xvfb_pid" ]; then kill "$xvfb_pid" 2>/dev/null || true; fi
  rm -rf "$work"
  # A failed check does not leave the package installed.
  if [ "$installed" = yes ]; then
    DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq r2v-studio >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

step "every package it names is known to apt"
# apt-get enforces Depends, but skips a Recommends or Suggests it does not know.
for field in Depends Recommends Suggests; do
  for name in $(dpkg-deb -f "$deb" "$field" | tr ',|' '\n\n' | sed 's/(.*//; s/ //g' | grep .); do
    apt-cache show "$name" >/dev/null 2>&1 || die "$field names $name, which apt does not know"
  done
done

step "apt-get install $deb"
installed=yes
DEBIAN_FRONTEND=noninteractive apt-get install -y "$deb"
dpkg -s r2v-studio | sed -n 's/^\(Version\|Depends\|Recommends\): /  \1: /p'
[ -x /usr/bin/r2v-studio ] || die "/usr/bin/r2v-studio is missing"
/usr/bin/r2v-studio --version

step "desktop-file-validate /usr/share/applications/r2v-studio.desktop"
desktop-file-validate /usr/share/applications/r2v-studio.desktop || die "the launcher is not valid"
for size in 16 24 32 48 64 128 256 512; do
  [ -f "/usr/share/icons/hicolor/${size}x${size}/apps/r2v-studio.png" ] || die "no ${size}px icon"
done
[ -f /usr/share/icons/hicolor/scalable/apps/r2v-studio.svg ] || die "no scalable icon"

step "the MIME type of project files"
project="$work/x.r2v.json"
cat >"$project" <<'JSON'
{
  "format": "r2v-studio-project",
  "version": 1,
  "spec": {
    "model": "pixverse/pixverse-v5.6-r2v",
    "references": [{ "name": "cafe", "source": { "url": "https://example.com/cafe.png" } }],
    "prompt": "@cafe opened from the file manager",
    "tier": "540P",
    "ratio": "9:16",
    "duration": 8,
    "audio": false,
    "watermark": false,
    "seed": "random"
  }
}
JSON
grep -q '^[0-9]*:application/x-r2v-studio-project:\*\.r2v\.json$' /usr/share/mime/globs2 ||
  die "the shared MIME database does not know *.r2v.json"
# xdg-mime asks the desktop's own tool; outside a desktop session it falls back to
# file(1), which only sees JSON: say what it answered, and check the database instead.
echo "  xdg-mime query filetype x.r2v.json: $(xdg-mime query filetype "$project" 2>&1)"
grep -q '^application/x-r2v-studio-project=.*r2v-studio\.desktop' /usr/share/applications/mimeinfo.cache ||
  die "the launcher is not registered for application/x-r2v-studio-project"
echo "  xdg-mime query default application/x-r2v-studio-project: $(xdg-mime query default application/x-r2v-studio-project)"

step "/usr/bin/r2v-studio --demo under Xvfb"
display=99
while [ -e "/tmp/.X11-unix/X$display" ] || [ -e "/tmp/.X$display-lock" ]; do display=$((display + 1)); done
Xvfb ":$display" -screen 0 1280x800x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
xvfb_pid=$!
export DISPLAY=":$display"
for _ in $(seq 50); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done
# A home of its own: the demo writes its samples and journal there, not in root's.
mkdir -p "$work/home"
HOME="$work/home" XDG_RUNTIME_DIR="$work" /usr/bin/r2v-studio --demo >"$work/app.log" 2>&1 &
app_pid=$!
wid=""
for _ in $(seq 120); do
  wid=$(xdotool search --name 'R2V Studio' 2>/dev/null | head -1) && [ -n "$wid" ] && break
  kill -0 "$app_pid" 2>/dev/null || { cat "$work/app.log"; die "the app ended without a window"; }
  sleep 0.5
done
[ -n "$wid" ] || { cat "$work/app.log"; die "no window within a minute"; }
sleep 3 # let it draw its first frames
shot=${SCREENSHOT:-/tmp/r2v-studio-deb-demo.png}
import -window root "$shot"
echo "  window $wid: $(xprop -id "$wid" WM_NAME WM_CLASS | tr '\n' ' ')"
# xprop prints a large icon as nothing unless told its format.
xprop -id "$wid" -f _NET_WM_ICON 32c -len 16 _NET_WM_ICON | grep -q '= 256, 256$' ||
  die "the window has no 256×256 icon (_NET_WM_ICON)"
echo "  _NET_WM_ICON: 256×256; screenshot: $shot"
kill "$app_pid"
wait "$app_pid" 2>/dev/null || true
app_pid=""

if command -v gio >/dev/null; then
  step "gio open x.r2v.json (what a file manager does on a double click)"
  type=$(gio info -a standard::content-type "$project" | sed -n 's/.*content-type: //p')
  [ "$type" = application/x-r2v-studio-project ] || die "GIO sees x.r2v.json as $type"
  HOME="$work/home" XDG_RUNTIME_DIR="$work" gio open "$project" >"$work/app-project.log" 2>&1
  pid=""
  for _ in $(seq 120); do
    pid=$(pgrep -f -x "r2v-studio $project" | head -1) && [ -n "$pid" ] && break
    sleep 0.5
  done
  [ -n "$pid" ] || die "gio open did not start r2v-studio with the project"
  app_pid=$pid
  wid=""
  for _ in $(seq 120); do
    wid=$(xdotool search --pid "$app_pid" --name 'R2V Studio' 2>/dev/null | head -1) && [ -n "$wid" ] && break
    sleep 0.5
  done
  [ -n "$wid" ] || die "the project's window did not open"
  sleep 3
  import -window root "${shot%.png}-project.png"
  echo "  r2v-studio $project: window $wid; screenshot: ${shot%.png}-project.png"
  kill "$app_pid"
  wait "$app_pid" 2>/dev/null || true
  app_pid=""
else
  echo "  (gio is missing: the double-click path was not tried; apt-get install libglib2.0-bin)"
fi

step "apt-get purge -y r2v-studio"
DEBIAN_FRONTEND=noninteractive apt-get purge -y r2v-studio
installed=no
! dpkg -s r2v-studio >/dev/null 2>&1 || die "r2v-studio is still installed"
[ ! -e /usr/bin/r2v-studio ] || die "/usr/bin/r2v-studio is still there"
[ ! -e /usr/share/applications/r2v-studio.desktop ] || die "the launcher is still there"
! grep -q 'application/x-r2v-studio-project' /usr/share/mime/globs2 ||
  die "the MIME type is still registered"

echo "check-deb.sh: all checks passed ($(basename "$deb"))"
