#!/usr/bin/env bash
# gst-mastering — the truepeaklimiter element in a pipeline, against its peers.
#
# Writes the benchmark signal (bench/mksignal: 10 min of 48 kHz stereo
# float "music" by default) to a temporary WAV and times whole processes,
# best of N rounds (each round runs every job once, in turn: a VM whose
# speed drifts slows every job alike), every limiter driven 6 dB into a
# -1 dBTP ceiling
# (the peers and their settings):
#   floor  gst-launch-1.0 -q filesrc location=$f ! wavparse ! identity ! fakesink
#   core   bench/limiter (the DSP core on the same signal, in memory)
#   ours   ... ! wavparse ! truepeaklimiter ceiling=-1 input-gain=6 oversampling=4 ! fakesink
#          (defaults: band limit on; and the same with band-limit=false)
#   lsp    ... ! wavparse ! $L-limiter-stereo threshold=0.891 input-gain=2.0 oversampling=5 ! fakesink
#          (LSP "Half x4": detector oversampled 4x; LADSPA via gst-plugins-bad)
#   ffmpeg ffmpeg -i $f -af alimiter=limit=0.891:level_in=2 -f null -   (sample peak only)
# prints the ratios, then (one extra, untimed run each, written to a float
# WAV) the true peak of each output at 4x (BS.1770 meter core) and 16x and
# the overs each leaves (bench/limiter --analyze).  A peer that is not
# installed is skipped (Debian: lsp-plugins-ladspa gstreamer1.0-plugins-bad
# ffmpeg).
#
# usage: bench/limiter-pipeline.sh [--seconds S] [--repeat N] [--wav FILE]
#            [--keep] [BUILDDIR]
#   BUILDDIR  meson build directory (default: build); needs bench/mksignal,
#             bench/limiter and the plugin in BUILDDIR/gst
set -eu

. "$(dirname "$0")/common.sh"
bench_init "$@"

bench_signal                      # all runs read from the page cache

show () {
  if [ "$2" = FAIL ]; then
    printf '  %-58s %9s %9s\n' "$1" FAILED -
  else
    printf '  %-58s %9s %9s\n' "$1" "$(secs "${2% *}")" "$(secs "${2#* }")"
  fi
}

lsp=$(bench_ladspa limiter-stereo) || true
have_ours=0; have_lsp=0; have_ffmpeg=0
gst-inspect-1.0 truepeaklimiter > /dev/null 2>&1 && have_ours=1 \
  || echo "truepeaklimiter not found in $build/gst: build the plugin first" >&2
gst-inspect-1.0 "$lsp" > /dev/null 2>&1 && have_lsp=1 \
  || echo "LSP limiter not found (Debian: lsp-plugins-ladspa gstreamer1.0-plugins-bad): skipped" >&2
command -v ffmpeg > /dev/null 2>&1 && have_ffmpeg=1 \
  || echo "ffmpeg not found (Debian: ffmpeg): skipped" >&2

ours_args="truepeaklimiter ceiling=-1 input-gain=6 oversampling=4"
lsp_args="$lsp threshold=0.891 input-gain=2.0 oversampling=5"
ff_args="alimiter=limit=0.891:level_in=2"

size=$(du -m "$wav" | cut -f1)
echo "truepeaklimiter benchmark: $wav ($size MB), +6 dB into -1 dBTP, best of $repeat rounds"
echo "(each round runs every job once, in turn)"
printf '  %-58s %9s %9s\n' "job" "wall [s]" "CPU [s]"

job_floor () { gst-launch-1.0 -q filesrc location="$wav" ! wavparse ! identity ! fakesink; }
job_ours () { gst-launch-1.0 -q filesrc location="$wav" ! wavparse ! $ours_args ! fakesink; }
job_bl () { gst-launch-1.0 -q filesrc location="$wav" ! wavparse ! $ours_args band-limit=false ! fakesink; }
job_lsp () { gst-launch-1.0 -q filesrc location="$wav" ! wavparse ! $lsp_args ! fakesink; }
job_ff () { ffmpeg -nostdin -i "$wav" -af "$ff_args" -f null -; }
jobs=(floor)
[ $have_ours = 1 ] && jobs+=(ours bl)
[ $have_lsp = 1 ] && jobs+=(lsp)
[ $have_ffmpeg = 1 ] && jobs+=(ff)
bench_rounds "${jobs[@]}"
for j in "${jobs[@]}"; do
  [ "${best[$j]}" = FAIL ] && cat "$tmp/err.$j" >&2
done
[ "${best[floor]}" = FAIL ] && { echo "floor pipeline failed" >&2; exit 1; }
t_floor=${best[floor]}
show "floor: wavparse ! identity ! fakesink" "$t_floor"

# the DSP core alone, in memory (bench/limiter times only the processing)
"$build/bench/limiter" --seconds "$seconds" --repeat "$repeat" > "$tmp/core.txt"
printf '  %-58s %9s %9s\n' "core: bench/limiter (DSP core alone, in memory)" \
  "$(sed -n 's/^core time (best of [0-9]*): \([0-9.]*\) s.*/\1/p' "$tmp/core.txt")" \
  "$(sed -n 's/^core CPU time (best of [0-9]*): \([0-9.]*\) s.*/\1/p' "$tmp/core.txt")"

t_ours=${best[ours]:-FAIL}; t_bl=${best[bl]:-FAIL}
t_lsp=${best[lsp]:-FAIL}; t_ff=${best[ff]:-FAIL}
[ $have_ours = 1 ] && show "ours: truepeaklimiter oversampling=4 (4x, band limit on)" "$t_ours"
[ $have_ours = 1 ] && show "ours: the same with band-limit=false" "$t_bl"
[ $have_lsp = 1 ] && show "lsp: limiter-stereo oversampling=5 (Half x4)" "$t_lsp"
[ $have_ffmpeg = 1 ] && show "ffmpeg: alimiter (sample peak)" "$t_ff"

# "A / B": ratio of whole-process times, wall and CPU (user + system: on a
# shared machine the steadier one), of the best runs; "above the floor":
# less the floor's; "rounds": the median of the ratios of runs in the
# same round (the steadiest figure where the machine's speed drifts)
ratios () {
  local a=$1 b=$2 wa=${1% *} ca=${1#* } wb=${2% *} cb=${2#* }
  local wf=${t_floor% *} cf=${t_floor#* }
  printf '%sx wall, %sx CPU' "$(ratio "$wa" "$wb")" "$(ratio "$ca" "$cb")"
  if [ $((wa - wf)) -gt 0 ] && [ $((wb - wf)) -gt 0 ] \
      && [ $((ca - cf)) -gt 0 ] && [ $((cb - cf)) -gt 0 ]; then
    printf '; above the floor %sx wall, %sx CPU' \
      "$(ratio $((wa - wf)) $((wb - wf)))" "$(ratio $((ca - cf)) $((cb - cf)))"
  fi
  printf '; rounds %s' "$(round_ratio "$3" "$4")"
  echo
}

echo
if [ "$t_ours" != FAIL ]; then
  if [ "$t_lsp" != FAIL ]; then
    echo "  LSP / ours (goal >= 2):        $(ratios "$t_lsp" "$t_ours" lsp ours)"
    [ "$t_bl" != FAIL ] && \
      echo "  LSP / ours band-limit=false:   $(ratios "$t_lsp" "$t_bl" lsp bl)"
  fi
  [ "$t_ff" != FAIL ] && \
    echo "  ffmpeg alimiter / ours:        $(ratios "$t_ff" "$t_ours" ff ours)"
fi

# What each leaves over the ceiling (float WAV outputs, untimed).
echo
echo "  outputs (ceiling -1 dBTP; overs = input periods whose 4x/16x peak exceeds it):"
files=("$wav")
if [ $have_ours = 1 ] && gst-launch-1.0 -q filesrc location="$wav" ! wavparse ! $ours_args \
    ! wavenc ! filesink location="$tmp/ours.wav" > /dev/null 2> "$tmp/err"; then
  files+=("$tmp/ours.wav")
fi
if [ $have_lsp = 1 ] && gst-launch-1.0 -q filesrc location="$wav" ! wavparse ! $lsp_args \
    ! wavenc ! filesink location="$tmp/lsp.wav" > /dev/null 2> "$tmp/err"; then
  files+=("$tmp/lsp.wav")
fi
if [ $have_ffmpeg = 1 ] && ffmpeg -nostdin -v error -i "$wav" -af "$ff_args" -c:a pcm_f32le \
    "$tmp/ffmpeg.wav" 2> "$tmp/err"; then
  files+=("$tmp/ffmpeg.wav")
fi
echo "  (the first line is the input, before the +6 dB of input gain)"
"$build/bench/limiter" --analyze --ceiling -1 "${files[@]}" \
  | sed "s|^$wav *|input |; s|$tmp/||; s|^|  |"
