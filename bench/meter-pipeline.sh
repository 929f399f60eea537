#!/usr/bin/env bash
# gst-mastering — the loudnessmeter element in a pipeline, against its peers.
#
# Times whole processes (wall and CPU time), median of N runs taken in
# turns, in one run, on two materials of the same length (10 min by
# default, 48 kHz stereo float WAV):
#   signal  the benchmark signal (bench/mksignal --signal music)
#   demo    the built-in demo mix of the CLI (gst-mastering demo-wav),
#           repeated to the same length: real instruments, drums, a mix
# For each:
#   floor   gst-launch-1.0 -q filesrc location=$f ! wavparse ! identity
#             ! fakesink
#   ours    gst-launch-1.0 -q filesrc location=$f ! wavparse
#             ! loudnessmeter ! fakesink                  (true peak on)
#   ebur128 bench/meter-ebur128 $f: a minimal C program that reads the WAV
#             and feeds libebur128 (EBUR128_MODE_M | S | I | LRA |
#             TRUE_PEAK, ebur128_add_frames_float, 1024-frame chunks)
#   ffmpeg  ffmpeg -i $f -af ebur128=peak=true -f null -
# and prints the ratios peer / ours for wall and CPU time (goal: libebur128
# / ours >= 6x in CPU time, whole process; wall time depends on what else
# the machine runs), then the values all three report (one extra, untimed
# run).  The element posts its messages at the default interval (100 ms of
# audio); both sides read the file with their defaults (wavparse's buffer
# size, the peer's 1024-frame fread).
# ffmpeg is skipped when absent (Debian: apt-get install ffmpeg).
#
# usage: bench/meter-pipeline.sh [--seconds S] [--repeat N]
#            [--wav FILE] [--keep] [BUILDDIR]
#   BUILDDIR  meson build directory (default: build); needs bench/mksignal,
#             bench/meter-ebur128, tools/gst-mastering and the plugin
#   --wav     time this file only, instead of the two materials
#   --keep    keep the temporary directory with the WAVs
set -eu

. "$(dirname "$0")/common.sh"
bench_init "$@"

ebur128_prog=$build/bench/meter-ebur128
[ -x "$ebur128_prog" ] || { echo "$ebur128_prog missing (needs libebur128-dev)" >&2; exit 2; }
if ! gst-inspect-1.0 loudnessmeter > /dev/null 2>&1; then
  echo "loudnessmeter not found in $build/gst: build the plugin first" >&2
  exit 2
fi
have_ffmpeg=0
if command -v ffmpeg > /dev/null 2>&1; then
  have_ffmpeg=1
else
  echo "ffmpeg not found (Debian: apt-get install ffmpeg): peer skipped" >&2
fi

# run_once KEY CMD...: runs CMD once and appends "WALL CPU" (ns; CPU =
# user + system, all threads) to $tmp/runs.KEY, or FAIL if it fails (its
# stderr is kept in $tmp/err.KEY).
run_once () {
  local key=$1
  shift
  if { TIMEFORMAT='%R %U %S'; time "$@" > /dev/null 2> "$tmp/err.$key"; } \
      2> "$tmp/time"; then
    awk '{ printf "%.0f %.0f\n", $1 * 1e9, ($2 + $3) * 1e9 }' "$tmp/time" \
      >> "$tmp/runs.$key"
  else
    echo FAIL >> "$tmp/runs.$key"
  fi
}

# median KEY: "WALL CPU", the median wall time and the median CPU time of
# the runs of KEY (each taken separately), or FAIL if one failed.  The
# median rather than the best: on a shared machine single runs are
# disturbed both ways.
median () {
  local f=$tmp/runs.$1
  if grep -q FAIL "$f"; then
    echo FAIL
    return
  fi
  echo $(for col in 1 2; do
    cut -d' ' -f$col "$f" | sort -n | awk '{ v[NR] = $1 } END {
        print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
  done)
}

row () {
  if [ "$2" = FAIL ]; then
    printf '  %-46s %9s\n' "$1" FAILED
  else
    set -- "$1" $2
    printf '  %-46s %9s %9s\n' "$1" "$(secs "$2")" "$(secs "$3")"
  fi
}

# ratio_line LABEL "PEER_WALL PEER_CPU" "OURS_WALL OURS_CPU"
ratio_line () {
  [ "$2" = FAIL ] || [ "$3" = FAIL ] && { echo "  $1: n/a"; return; }
  set -- "$1" $2 $3
  printf '  %-34s %6sx wall, %6sx CPU\n' "$1" "$(ratio "$2" "$4")" \
    "$(ratio "$3" "$5")"
}

# bench_file LABEL FILE
bench_file () {
  local label=$1 f=$2 t_floor t_ours t_ebur t_ff=FAIL out r
  cat "$f" > /dev/null            # all runs read from the page cache
  echo
  echo "$label: $f ($(du -m "$f" | cut -f1) MB), median of $repeat runs"
  printf '  %-46s %9s %9s\n' "job (whole process)" "wall [s]" "CPU [s]"
  rm -f "$tmp"/runs.*
  # the jobs take turns, so that a change of load on the machine hits
  # them alike
  for ((r = 0; r < repeat; r++)); do
    run_once floor gst-launch-1.0 -q filesrc location="$f" ! wavparse \
      ! identity ! fakesink
    run_once ours gst-launch-1.0 -q filesrc location="$f" ! wavparse \
      ! loudnessmeter ! fakesink
    run_once ebur "$ebur128_prog" "$f"
    if [ $have_ffmpeg = 1 ]; then
      run_once ff ffmpeg -nostdin -i "$f" -af ebur128=peak=true -f null -
    fi
  done
  t_floor=$(median floor)
  row "floor: wavparse ! identity ! fakesink" "$t_floor"
  t_ours=$(median ours)
  [ "$t_ours" = FAIL ] && cat "$tmp/err.ours" >&2
  row "ours: wavparse ! loudnessmeter ! fakesink" "$t_ours"
  t_ebur=$(median ebur)
  [ "$t_ebur" = FAIL ] && cat "$tmp/err.ebur" >&2
  row "peer: libebur128 (bench/meter-ebur128)" "$t_ebur"
  if [ $have_ffmpeg = 1 ]; then
    t_ff=$(median ff)
    [ "$t_ff" = FAIL ] && cat "$tmp/err.ff" >&2
    row "peer: ffmpeg -af ebur128=peak=true" "$t_ff"
  fi
  echo
  ratio_line "libebur128 / ours (goal >= 6x CPU):" "$t_ebur" "$t_ours"
  [ $have_ffmpeg = 1 ] && ratio_line "ffmpeg / ours:" "$t_ff" "$t_ours"

  # sanity: the values each reports for the whole file
  out=$(gst-launch-1.0 -m filesrc location="$f" ! wavparse \
    ! loudnessmeter interval=1000000000000000 ! fakesink 2>&1 \
    | grep 'final=(boolean)true' | tail -n 1) || true
  field () {
    echo "$out" | sed -n "s/.*[ ,]$1=(double)\([^,;]*\).*/\1/p" \
      | awk '{ printf "%.2f", $1 }'
  }
  echo "  ours:       I $(field global-loudness) LUFS," \
    "LRA $(field loudness-range) LU, true peak $(field true-peak-max) dBTP"
  echo "  libebur128: $("$ebur128_prog" "$f")"
  if [ $have_ffmpeg = 1 ]; then
    local summary i lra peak
    summary=$(ffmpeg -nostdin -hide_banner -i "$f" -af ebur128=peak=true \
      -f null - 2>&1 | sed -n '/Summary:/,$p')
    i=$(echo "$summary" | sed -n 's/^ *I: *\([^ ]*\) LUFS.*/\1/p')
    lra=$(echo "$summary" | sed -n 's/^ *LRA: *\([^ ]*\) LU$/\1/p')
    peak=$(echo "$summary" | sed -n 's/^ *Peak: *\([^ ]*\) dBFS.*/\1/p')
    echo "  ffmpeg:     I $i LUFS, LRA $lra LU, true peak $peak dBTP"
  fi
}

if [ -n "$wav" ]; then
  [ -r "$wav" ] || { echo "cannot read $wav" >&2; exit 2; }
  bench_file "file" "$wav"
  exit 0
fi

"$build/bench/mksignal" --seconds "$seconds" --signal music "$tmp/signal.wav"
bench_file "benchmark signal" "$tmp/signal.wav"

# the demo mix, repeated to the same length (its data chunk copied N
# times; float WAV, so Python's wave module cannot be used)
"$build/tools/gst-mastering" demo-wav "$tmp/demo1.wav" --format f32 \
  > /dev/null
python3 - "$tmp/demo1.wav" "$tmp/demo.wav" "$seconds" <<'EOF'
import struct
import sys

src, dst, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
raw = open(src, 'rb').read()
pos, fmt, data = 12, None, None
while pos + 8 <= len(raw):
    cid, size = raw[pos:pos + 4], struct.unpack('<I', raw[pos + 4:pos + 8])[0]
    if cid == b'fmt ':
        fmt = raw[pos + 8:pos + 8 + size]
    elif cid == b'data':
        data = raw[pos + 8:pos + 8 + size]
    pos += 8 + size + (size & 1)
rate, block = struct.unpack('<I', fmt[4:8])[0], struct.unpack('<H', fmt[12:14])[0]
want = int(seconds * rate) * block
body = (data * (want // len(data) + 1))[:want]
with open(dst, 'wb') as f:
    f.write(b'RIFF' + struct.pack('<I', 4 + 8 + len(fmt) + 8 + len(body)))
    f.write(b'WAVE' + b'fmt ' + struct.pack('<I', len(fmt)) + fmt)
    f.write(b'data' + struct.pack('<I', len(body)) + body)
EOF
rm -f "$tmp/demo1.wav"
bench_file "demo mix (repeated)" "$tmp/demo.wav"
