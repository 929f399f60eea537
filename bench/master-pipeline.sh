#!/usr/bin/env bash
# gst-mastering — `gst-mastering master` against the ffmpeg two-pass
# loudnorm recipe, whole processes, in one run.
#
# Writes the benchmark signal (bench/mksignal: 10 min of 48 kHz stereo
# float "music" by default) to a temporary WAV and masters it to -14 LUFS,
# -1 dBTP both ways, each timed end to end (wall and CPU = user + sys,
# best of N by wall time):
#   ours    gst-mastering master in.wav out.wav --target spotify -q
#           (default chain: analysis, gain + truepeaklimiter render passes,
#           verification of the written file)
#   ffmpeg  pass 1: ffmpeg -i in.wav -af loudnorm=I=-14:TP=-1:print_format=json
#                   -f null -   (the measured values parsed from its JSON)
#           pass 2: ffmpeg -i in.wav -af loudnorm=I=-14:TP=-1:measured_I=..:
#                   measured_TP=..:measured_LRA=..:measured_thresh=..:
#                   offset=..:linear=true -ar 48000 -c:a pcm_f32le out.wav
#           (-ar 48000: loudnorm outputs 192 kHz otherwise)
# Prints both times, the speed ratio (goal >= 10x) and both outputs'
# integrated loudness and true peak, judged by the same third meter
# (ffmpeg -af ebur128=peak=true).  ffmpeg and GNU time are installed with
# apt-get when missing (as root; otherwise the script says so and stops).
#
# usage: bench/master-pipeline.sh [--seconds S] [--repeat N] [--wav FILE]
#            [--keep] [BUILDDIR]
#   BUILDDIR  meson build directory (default: build); needs bench/mksignal,
#             tools/gst-mastering and the plugin in BUILDDIR/gst
set -eu

. "$(dirname "$0")/common.sh"
repeat=1
bench_init "$@"

tool=$build/tools/gst-mastering
[ -x "$tool" ] || { echo "no $tool (build first)" >&2; exit 2; }

bench_need ffmpeg=ffmpeg /usr/bin/time=time   # the peer, the meter

bench_signal                           # all runs read from the page cache
gst-inspect-1.0 truepeaklimiter > /dev/null   # registry built before timing

# The ffmpeg recipe as one process tree (a script timed as a whole).
cat > "$tmp/ffmpeg2pass.sh" <<'EOS'
#!/usr/bin/env bash
set -eu
in=$1 out=$2
j=$(ffmpeg -nostdin -hide_banner -i "$in" \
      -af loudnorm=I=-14:TP=-1:print_format=json -f null - 2>&1 |
    sed -n '/^{/,/^}/p')
val () { printf '%s\n' "$j" | sed -n "s/.*\"$1\" *: *\"\([^\"]*\)\".*/\1/p"; }
mi=$(val input_i); mtp=$(val input_tp); mlra=$(val input_lra)
mth=$(val input_thresh); off=$(val target_offset)
[ -n "$mi" ] && [ -n "$off" ] || { echo "pass 1: no JSON" >&2; exit 1; }
ffmpeg -nostdin -hide_banner -loglevel error -y -i "$in" -af \
  "loudnorm=I=-14:TP=-1:measured_I=$mi:measured_TP=$mtp:measured_LRA=$mlra:measured_thresh=$mth:offset=$off:linear=true" \
  -ar 48000 -c:a pcm_f32le "$out"
EOS
chmod +x "$tmp/ffmpeg2pass.sh"

# best_of NAME CMD...: best wall time (s) into $tmp/NAME.t, its CPU time
# (user + sys, s) into $tmp/NAME.c
best_of () {
  local name=$1 best= cpu= r w c
  shift
  for ((r = 0; r < repeat; r++)); do
    if ! /usr/bin/time -f '%e %U %S' -o "$tmp/time" "$@" > /dev/null \
        2> "$tmp/err"; then
      echo "$name failed:" >&2
      cat "$tmp/err" >&2
      exit 1
    fi
    w=$(tail -n 1 "$tmp/time" | awk '{ print $1 }')
    c=$(tail -n 1 "$tmp/time" | awk '{ print $2 + $3 }')
    if [ -z "$best" ] || awk -v a="$w" -v b="$best" 'BEGIN { exit !(a < b) }'; then
      best=$w; cpu=$c
    fi
  done
  echo "$best" > "$tmp/$name.t"
  echo "$cpu" > "$tmp/$name.c"
}

best_of ours "$tool" master "$wav" "$tmp/ours.wav" --target spotify -q
best_of ffmpeg "$tmp/ffmpeg2pass.sh" "$wav" "$tmp/ffmpeg.wav"

measure () {
  ffmpeg -nostdin -hide_banner -i "$1" -af ebur128=peak=true -f null - 2>&1 |
    awk '/Summary/ { s = 1 } s && /I:/ { i = $2 } s && /Peak:/ { p = $2 }
         END { printf "I %s LUFS, true peak %s dBTP", i, p }'
}

t_ours=$(cat "$tmp/ours.t"); c_ours=$(cat "$tmp/ours.c")
t_ff=$(cat "$tmp/ffmpeg.t"); c_ff=$(cat "$tmp/ffmpeg.c")
echo "master benchmark: $(basename "$wav") ($(awk -v s="$seconds" 'BEGIN { printf "%g", s }') s), best of $repeat, $(date -u +%Y-%m-%d), $(nproc) CPUs"
printf "  %-7s %8.2f s wall %8.2f s CPU   (gst-mastering master --target spotify)\n" \
    ours "$t_ours" "$c_ours"
printf "  %-7s %8.2f s wall %8.2f s CPU   (ffmpeg loudnorm, 2 passes, linear=true, -ar 48000)\n" \
    ffmpeg "$t_ff" "$c_ff"
awk -v o="$t_ours" -v f="$t_ff" -v co="$c_ours" -v cf="$c_ff" 'BEGIN {
  printf "  end to end: ours %.1fx faster than ffmpeg (wall; goal >= 10x), %.1fx less CPU\n", f / o, cf / co
}'
echo "  output (ffmpeg ebur128=peak=true): ours   $(measure "$tmp/ours.wav")"
echo "                                     ffmpeg $(measure "$tmp/ffmpeg.wav")"
echo "                                     input  $(measure "$wav")"
