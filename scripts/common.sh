# Shared by scripts/demo.sh and scripts/test.sh: install what is missing
# (Debian bookworm, as root or with sudo), then configure and build.
set -eu

MST_TOP=$(cd "$(dirname "$0")/.." && pwd)

# Everything building and testing needs.  The benchmarks install their
# peers (ffmpeg, LSP plugins) themselves.
MST_PACKAGES="meson ninja-build pkg-config gcc libc6-dev
  libglib2.0-dev libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev
  liborc-0.4-dev liborc-0.4-dev-bin libebur128-dev ffmpeg
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  python3 python3-numpy python3-gi gir1.2-gstreamer-1.0
  gir1.2-gst-plugins-base-1.0 libcairo2-dev fonts-dejavu-core
  gstreamer1.0-libav"

mst_missing_packages () {
  missing=""
  for p in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
      missing="$missing $p"
    fi
  done
  echo "$missing"
}

# mst_install PKG...: apt-get installs the ones not installed yet.
mst_install () {
  missing=$(mst_missing_packages "$@")
  [ -z "$missing" ] && return 0
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo ">> installing:$missing" >&2
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  # shellcheck disable=SC2086
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends $missing >&2
}

# mst_build DIR [meson options...]: configure once, then build.
mst_build () {
  dir=$1
  shift
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" "$MST_TOP" "$@" >&2
  fi
  ninja -C "$dir" >&2
}
