#!/bin/sh
# Builds gst-mastering three times and runs the whole test suite on each:
#   build        ORC kernels
#   build-noorc  -Dorc=disabled (the plain-C fallbacks of the ORC kernels)
#   build-asan   -Dorc=disabled -Db_sanitize=address,undefined: any
#                AddressSanitizer, LeakSanitizer (outside tests/lsan.supp)
#                or UndefinedBehaviorSanitizer report fails the test
# Idempotent.  Exit status is non-zero when any test fails; the last line
# says "N passed, N failed" over the three builds.
. "$(dirname "$0")/common.sh"

mst_install $MST_PACKAGES

status=0
for variant in build:-Dorc=auto build-noorc:-Dorc=disabled \
    "build-asan:-Dorc=disabled -Db_sanitize=address,undefined -Db_lundef=false -Dbench=disabled"; do
  dir="$MST_TOP/${variant%%:*}"
  opts=${variant#*:}
  echo ">> $dir ($opts)"
  # shellcheck disable=SC2086
  mst_build "$dir" $opts
  # the sanitizers make the slowest tests (many short pipelines) several
  # times slower, more so on a busy machine
  case $dir in *-asan) mult=6 ;; *) mult=1 ;; esac
  meson test -C "$dir" --num-processes 2 --print-errorlogs \
    --timeout-multiplier $mult || status=1
done

python3 "$MST_TOP/scripts/test-summary.py" "$MST_TOP/build" \
  "$MST_TOP/build-noorc" "$MST_TOP/build-asan"
exit $status
