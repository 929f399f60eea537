#!/usr/bin/env bash
# gst-mastering — the loudnorm element in a pipeline, against ffmpeg loudnorm.
#
# Writes the benchmark signal (bench/mksignal: 10 min of 48 kHz stereo
# float "music" by default) to a temporary WAV and times whole processes,
# best of N, in one run, both normalizing to -16 LUFS, -1 dBTP, LRA 11:
#   floor  gst-launch-1.0 -q filesrc location=$f ! wavparse ! identity ! fakesink
#   ours   ... ! wavparse ! loudnorm target=-16 ceiling=-1 loudness-range=11 ! fakesink
#   ffmpeg ffmpeg -nostdin -i $f -af loudnorm=I=-16:TP=-1:LRA=11 -f null -
#          (single pass, dynamic mode: it resamples to 192 kHz internally)
# and the peak resident memory of each (GNU time, %M), then prints the
# throughput and memory ratios.  One extra, untimed run of each writes its
# output to a float WAV, measured with `ffmpeg -af ebur128=peak=true`
# (integrated loudness, LRA, true peak).  ffmpeg and GNU time are installed
# with apt-get when missing (as root; otherwise the script says so and
# stops).
#
# usage: bench/loudnorm-pipeline.sh [--seconds S] [--repeat N] [--wav FILE]
#            [--keep] [BUILDDIR]
#   BUILDDIR  meson build directory (default: build); needs bench/mksignal
#             and the plugin in BUILDDIR/gst
set -eu

. "$(dirname "$0")/common.sh"
bench_init "$@"

bench_need ffmpeg=ffmpeg /usr/bin/time=time   # the peer, the meter

bench_signal                           # all runs read from the page cache
gst-inspect-1.0 loudnorm > /dev/null   # registry built before timing

# best_of NAME CMD...: best wall time (ns) into $tmp/NAME.t, largest peak
# RSS (KiB) into $tmp/NAME.m
best_of () {
  local name=$1 best= rss=0 t0 t1 m r
  shift
  for ((r = 0; r < repeat; r++)); do
    t0=$(date +%s%N)
    if ! /usr/bin/time -f %M -o "$tmp/rss" "$@" > /dev/null 2> "$tmp/err"; then
      echo "$name failed:" >&2
      cat "$tmp/err" >&2
      exit 1
    fi
    t1=$(date +%s%N)
    m=$(tail -n 1 "$tmp/rss")
    [ "$m" -gt "$rss" ] && rss=$m
    if [ -z "$best" ] || [ $((t1 - t0)) -lt "$best" ]; then
      best=$((t1 - t0))
    fi
  done
  echo "$best" > "$tmp/$name.t"
  echo "$rss" > "$tmp/$name.m"
}

ours_args="loudnorm target=-16 ceiling=-1 loudness-range=11"
best_of floor gst-launch-1.0 -q filesrc location="$wav" ! wavparse ! \
    identity ! fakesink
best_of ours gst-launch-1.0 -q filesrc location="$wav" ! wavparse ! \
    $ours_args ! fakesink
best_of ffmpeg ffmpeg -nostdin -hide_banner -i "$wav" \
    -af loudnorm=I=-16:TP=-1:LRA=11 -f null -

t_floor=$(cat "$tmp/floor.t"); t_ours=$(cat "$tmp/ours.t")
t_ff=$(cat "$tmp/ffmpeg.t")
m_floor=$(cat "$tmp/floor.m"); m_ours=$(cat "$tmp/ours.m")
m_ff=$(cat "$tmp/ffmpeg.m")

echo "loudnorm pipeline benchmark: $(basename "$wav"), best of $repeat, $(date -u +%Y-%m-%d), $(nproc) CPUs"
printf "  %-8s %8s s  %7s MB peak RSS\n" floor "$(secs "$t_floor")" \
    "$(awk -v k="$m_floor" 'BEGIN { printf "%.1f", k / 1024 }')"
printf "  %-8s %8s s  %7s MB peak RSS   (gst-launch ... ! %s ! fakesink)\n" \
    ours "$(secs "$t_ours")" \
    "$(awk -v k="$m_ours" 'BEGIN { printf "%.1f", k / 1024 }')" "$ours_args"
printf "  %-8s %8s s  %7s MB peak RSS   (ffmpeg -af loudnorm=I=-16:TP=-1:LRA=11)\n" \
    ffmpeg "$(secs "$t_ff")" \
    "$(awk -v k="$m_ff" 'BEGIN { printf "%.1f", k / 1024 }')"
awk -v o="$t_ours" -v f="$t_ff" -v mo="$m_ours" -v mf="$m_ff" 'BEGIN {
  printf "  throughput: ours %.1fx ffmpeg loudnorm (goal >= 12x, aim 20x)\n", f / o
  printf "  peak RSS:   ours %.3f of ffmpeg loudnorm (goal <= 0.2)\n", mo / mf
}'

# output quality, one untimed run each
gst-launch-1.0 -q filesrc location="$wav" ! wavparse ! $ours_args ! \
    audioconvert ! audio/x-raw,format=F32LE ! wavenc ! \
    filesink location="$tmp/ours.wav"
ffmpeg -nostdin -hide_banner -loglevel error -i "$wav" \
    -af loudnorm=I=-16:TP=-1:LRA=11 -ar 48000 -c:a pcm_f32le "$tmp/ffmpeg.wav"
measure () {
  ffmpeg -nostdin -hide_banner -i "$1" -af ebur128=peak=true -f null - 2>&1 |
    awk '/Summary/ { s = 1 } s && /I:/ { i = $2 } s && /LRA:/ { l = $2 }
         s && /Peak:/ { p = $2 }
         END { printf "I %s LUFS, LRA %s LU, true peak %s dBTP", i, l, p }'
}
echo "  output (ffmpeg ebur128=peak=true): ours   $(measure "$tmp/ours.wav")"
echo "                                     ffmpeg $(measure "$tmp/ffmpeg.wav")"
echo "                                     input  $(measure "$wav")"
