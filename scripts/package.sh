#!/usr/bin/env bash
# Builds R2V Studio's packages into target/packages/ (release build, with sound).
#
#   scripts/package.sh deb       Debian/Ubuntu .deb, with cargo-deb (on Linux)
#   scripts/package.sh macos     "R2V Studio.app" in a .dmg, with cargo-packager (on macOS)
#   scripts/package.sh windows   an NSIS installer (.exe), with cargo-packager (on Windows,
#                                in Git Bash)
#
# The configuration is in Cargo.toml: [package.metadata.deb] and
# [package.metadata.packager]; packaging/linux/ holds the launcher, the MIME type of
# project files, the changelog and the copyright file; assets/icon/ the icon in every
# format (assets/icon/render.sh makes them from the SVG). The packaging tool is
# installed with `cargo install --locked` when missing; on Linux the script installs
# with apt-get what building the .deb needs (libasound2-dev, dpkg-dev), as root or
# through sudo. A package is built on its own system: the release workflow
# (.github/workflows/release.yml) does all three on a tag. scripts/check-deb.sh
# installs the .deb on this machine and checks it.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_DEB_VERSION=3.8.0
CARGO_PACKAGER_VERSION=0.11.8
target_dir=${CARGO_TARGET_DIR:-target}
out_dir="$target_dir/packages"

die() {
  echo "package.sh: $*" >&2
  exit 1
}

usage() {
  sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# Installs a cargo subcommand (crate $1, version $2) unless `cargo $3` already runs.
ensure_cargo_tool() {
  if ! cargo "$3" --version >/dev/null 2>&1; then
    echo "== cargo install --locked $1@$2"
    cargo install --locked "$1" --version "$2"
  fi
}

# Installs Debian packages ($@) with apt-get, as root or through sudo.
apt_install() {
  local sudo=()
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || die "run as root (or install: $*)"
    sudo=(sudo)
  fi
  echo "== apt-get install $*"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

package_deb() {
  [ "$(uname -s)" = Linux ] || die "the .deb is built on Linux (Debian or Ubuntu)"
  command -v apt-get >/dev/null || die "the .deb is built on Debian or Ubuntu (apt-get is missing)"
  local missing=()
  pkg-config --exists alsa 2>/dev/null || missing+=(libasound2-dev pkg-config)
  command -v dpkg-shlibdeps >/dev/null || missing+=(dpkg-dev)
  if [ ${#missing[@]} -gt 0 ]; then
    apt_install "${missing[@]}"
  fi
  ensure_cargo_tool cargo-deb "$CARGO_DEB_VERSION" deb
  mkdir -p "$out_dir"
  echo "== cargo deb (release build with --features sound; minutes on a small machine)"
  cargo deb --locked --output "$out_dir/"
  ls -l "$out_dir"/*.deb
}

package_macos() {
  [ "$(uname -s)" = Darwin ] || die "the .dmg is built on macOS (see .github/workflows/release.yml)"
  ensure_cargo_tool cargo-packager "$CARGO_PACKAGER_VERSION" packager
  echo "== cargo packager --formats dmg"
  cargo packager --release --formats dmg --out-dir "$out_dir"
  ls -l "$out_dir"/*.dmg
}

package_windows() {
  case "$(uname -s)" in
    MINGW* | MSYS* | CYGWIN*) ;;
    *) die "the installer is built on Windows, in Git Bash (see .github/workflows/release.yml)" ;;
  esac
  ensure_cargo_tool cargo-packager "$CARGO_PACKAGER_VERSION" packager
  echo "== cargo packager --formats nsis"
  cargo packager --release --formats nsis --out-dir "$out_dir"
  ls -l "$out_dir"/*.exe
}

[ $# -eq 1 ] || usage
case "$1" in
  deb) package_deb ;;
  macos) package_macos ;;
  windows) package_windows ;;
  *) usage ;;
esac
