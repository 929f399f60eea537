#!/bin/sh
# The main job: build gst-mastering, then master the built-in
# (deliberately unmastered) demo mix to Spotify's target (-14 LUFS,
# -1 dBTP) with `gst-mastering demo`: it analyses the mix, renders gain +
# true-peak limiter, verifies the result, writes build/demo-master.wav and
# its loudness plot build/demo-loudness.png and prints before / after.
# With arguments, they are passed on to `gst-mastering analyze` instead
# (e.g. a file path to measure).
# Idempotent: installs only what is missing, builds incrementally, and
# writes the same demo-master.wav every time.
. "$(dirname "$0")/common.sh"

mst_install $MST_PACKAGES
mst_build "$MST_TOP/build"
if [ $# -eq 0 ]; then
  exec "$MST_TOP/build/tools/gst-mastering" demo --output-dir "$MST_TOP/build"
fi
exec "$MST_TOP/build/tools/gst-mastering" analyze "$@"
