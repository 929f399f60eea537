#!/bin/sh
# The main job: build gst-mastering and analyse the built-in (deliberately
# unmastered) demo mix with the loudnessmeter element.  Any arguments are
# passed on to `gst-mastering analyze` (e.g. a file path instead of the
# demo).  Idempotent: installs only what is missing, builds incrementally.
. "$(dirname "$0")/common.sh"

mst_install $MST_PACKAGES
mst_build "$MST_TOP/build"
if [ $# -eq 0 ]; then
  set -- --demo
fi
exec "$MST_TOP/build/tools/gst-mastering" analyze "$@"
