#!/usr/bin/env bash
# gst-mastering — the loudnessmeter element in a pipeline, against its peer.
#
# Writes the benchmark signal (bench/mksignal: 10 min of 48 kHz stereo
# float "music" by default) to a temporary WAV and times whole processes
# (wall and CPU time), best of N, in one run:
#   floor  gst-launch-1.0 -q filesrc location=$f ! wavparse ! identity
#            ! fakesink
#   ours   gst-launch-1.0 -q filesrc location=$f ! wavparse ! loudnessmeter
#            ! fakesink
#   peer   ffmpeg -i $f -af ebur128=peak=true -f null -
#          (ffmpeg's EBU R 128 meter with true peak)
# and prints the ratios, then the measured values of both (one extra,
# untimed run each) as a sanity check.  ffmpeg is skipped when absent
# (Debian: apt-get install ffmpeg).
#
# usage: bench/meter-pipeline.sh [--seconds S] [--repeat N] [--signal KIND]
#            [--wav FILE] [--keep] [BUILDDIR]
#   BUILDDIR  meson build directory (default: build); needs bench/mksignal
#             and the plugin in BUILDDIR/gst
#   --wav     use this file instead of generating one
#   --keep    keep the temporary directory with the WAV
set -eu

seconds=600
repeat=3
signal=music
wav=
keep=0
build=build

while [ $# -gt 0 ]; do
  case $1 in
    --seconds) seconds=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    --signal) signal=$2; shift 2 ;;
    --wav) wav=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "meter-pipeline.sh: unknown option $1" >&2; exit 2 ;;
    *) build=$1; shift ;;
  esac
done
case $repeat in
  ''|*[!0-9]*|0) echo "--repeat: need a positive integer" >&2; exit 2 ;;
esac

build=$(cd "$build" && pwd) || { echo "no build directory $build" >&2; exit 2; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mst-bench.XXXXXX")
if [ $keep = 1 ]; then
  trap 'echo "kept $tmp"' EXIT
else
  trap 'rm -rf "$tmp"' EXIT
fi

# Our plugin only from the build tree, with a private registry; the rest
# (filesrc, wavparse, identity, fakesink) from the system.
export GST_PLUGIN_PATH_1_0="$build/gst"
export GST_REGISTRY_1_0="$tmp/registry.bin"

if [ -z "$wav" ]; then
  wav=$tmp/signal.wav
  "$build/bench/mksignal" --seconds "$seconds" --signal "$signal" "$wav"
fi
[ -r "$wav" ] || { echo "cannot read $wav" >&2; exit 2; }
cat "$wav" > /dev/null            # all runs read from the page cache

# best_of CMD...: "WALL CPU", the best wall time and the best CPU time
# (user + system, all threads) in ns over $repeat runs, or "FAIL" if a run
# fails (its stderr is kept in $tmp/err).  CPU time is what other processes
# on a busy machine disturb least (threads that overlap can make CPU
# exceed wall).
best_of () {
  local best_w= best_c= r w c
  for ((r = 0; r < repeat; r++)); do
    if ! { TIMEFORMAT='%R %U %S'; time "$@" > /dev/null 2> "$tmp/err"; } \
        2> "$tmp/time"; then
      echo FAIL
      return
    fi
    read -r w c < <(awk '{ printf "%.0f %.0f", $1 * 1e9, ($2 + $3) * 1e9 }' \
      "$tmp/time")
    if [ -z "$best_w" ] || [ "$w" -lt "$best_w" ]; then best_w=$w; fi
    if [ -z "$best_c" ] || [ "$c" -lt "$best_c" ]; then best_c=$c; fi
  done
  echo "$best_w $best_c"
}

secs () { awk -v n="$1" 'BEGIN { printf "%.3f", n / 1e9 }'; }
ratio () { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

have_meter=0
if gst-inspect-1.0 loudnessmeter > /dev/null 2>&1; then
  have_meter=1
else
  echo "loudnessmeter not found in $build/gst: build the plugin first" >&2
fi
have_ffmpeg=0
if command -v ffmpeg > /dev/null 2>&1; then
  have_ffmpeg=1
else
  echo "ffmpeg not found (Debian: apt-get install ffmpeg): peer skipped" >&2
fi

size=$(du -m "$wav" | cut -f1)
echo "loudnessmeter pipeline benchmark: $wav ($size MB), best of $repeat"
printf '  %-44s %9s %9s\n' "job" "wall [s]" "CPU [s]"

# row LABEL "WALL CPU"|FAIL
row () {
  if [ "$2" = FAIL ]; then
    printf '  %-44s %9s\n' "$1" FAILED
  else
    set -- "$1" $2
    printf '  %-44s %9s %9s\n' "$1" "$(secs "$2")" "$(secs "$3")"
  fi
}

t_floor=$(best_of gst-launch-1.0 -q filesrc location="$wav" ! wavparse \
  ! identity ! fakesink)
if [ "$t_floor" = FAIL ]; then
  cat "$tmp/err" >&2
  echo "floor pipeline failed" >&2
  exit 1
fi
row "floor: wavparse ! identity ! fakesink" "$t_floor"

t_ours=FAIL
if [ $have_meter = 1 ]; then
  t_ours=$(best_of gst-launch-1.0 -q filesrc location="$wav" ! wavparse \
    ! loudnessmeter ! fakesink)
  [ "$t_ours" = FAIL ] && cat "$tmp/err" >&2
  row "ours: wavparse ! loudnessmeter ! fakesink" "$t_ours"
fi

t_peer=FAIL
if [ $have_ffmpeg = 1 ]; then
  t_peer=$(best_of ffmpeg -nostdin -i "$wav" -af ebur128=peak=true -f null -)
  [ "$t_peer" = FAIL ] && cat "$tmp/err" >&2
  row "peer: ffmpeg -af ebur128=peak=true" "$t_peer"
fi

echo
if [ "$t_ours" != FAIL ]; then
  set -- $t_floor $t_ours
  fw=$1 fc=$2 ow=$3 oc=$4
  echo "  loudnessmeter above the floor: $(secs $((ow - fw))) s wall," \
    "$(secs $((oc - fc))) s CPU"
fi
if [ "$t_ours" != FAIL ] && [ "$t_peer" != FAIL ]; then
  set -- $t_peer
  pw=$1 pc=$2
  echo "  ffmpeg / ours, whole process:     $(ratio "$pw" "$ow")x wall," \
    "$(ratio "$pc" "$oc")x CPU"
  if [ $((ow - fw)) -gt 0 ] && [ $((oc - fc)) -gt 0 ]; then
    echo "  ffmpeg / ours, meter above floor:" \
      "$(ratio "$pw" $((ow - fw)))x wall, $(ratio "$pc" $((oc - fc)))x CPU"
  fi
fi

# Sanity: the values both report for the whole file.
echo
if [ $have_meter = 1 ]; then
  # interval of 10^6 s: only the final (EOS) message is posted
  out=$(gst-launch-1.0 -m filesrc location="$wav" ! wavparse \
    ! loudnessmeter interval=1000000000000000 ! fakesink 2>&1 \
    | grep 'final=(boolean)true' | tail -n 1) || true
  field () {
    echo "$out" | sed -n "s/.*[ ,]$1=(double)\([^,;]*\).*/\1/p" \
      | awk '{ printf "%.2f", $1 }'
  }
  echo "  ours:   I $(field global-loudness) LUFS," \
    "LRA $(field loudness-range) LU, true peak $(field true-peak-max) dBTP"
fi
if [ $have_ffmpeg = 1 ]; then
  summary=$(ffmpeg -nostdin -hide_banner -i "$wav" -af ebur128=peak=true \
    -f null - 2>&1 | sed -n '/Summary:/,$p')
  i=$(echo "$summary" | sed -n 's/^ *I: *\([^ ]*\) LUFS.*/\1/p')
  lra=$(echo "$summary" | sed -n 's/^ *LRA: *\([^ ]*\) LU$/\1/p')
  peak=$(echo "$summary" | sed -n 's/^ *Peak: *\([^ ]*\) dBFS.*/\1/p')
  echo "  ffmpeg: I $i LUFS, LRA $lra LU, true peak $peak dBTP"
fi
