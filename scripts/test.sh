#!/bin/sh
# Builds gst-mastering twice (ORC kernels, and -Dorc=disabled plain-C
# fallbacks) and runs the whole test suite on both.  Idempotent.  Exit
# status is non-zero when any test fails; the last line says
# "N passed, N failed" over both builds.
. "$(dirname "$0")/common.sh"

mst_install $MST_PACKAGES

status=0
for variant in build:-Dorc=auto build-noorc:-Dorc=disabled; do
  dir="$MST_TOP/${variant%%:*}"
  opt=${variant#*:}
  echo ">> $dir ($opt)"
  mst_build "$dir" "$opt"
  meson test -C "$dir" --num-processes 2 --print-errorlogs || status=1
done

python3 "$MST_TOP/scripts/test-summary.py" "$MST_TOP/build" "$MST_TOP/build-noorc"
exit $status
