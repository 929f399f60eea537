#!/usr/bin/env bash
# gst-mastering — the multibandcomp element in a pipeline, against its peers.
#
# Writes the benchmark signal (bench/mksignal: 10 min of 48 kHz stereo
# float "music" by default) to a temporary WAV and times whole processes,
# best of N, in one run:
#   floor  gst-launch-1.0 -q filesrc location=$f ! wavparse ! identity ! fakesink
#   core   bench/multibandcomp (the DSP core on the same signal, in memory)
#   ours   ... ! wavparse ! multibandcomp num-bands=4 mode=mid-side ! fakesink
#   lsp    ... ! wavparse ! $L-mb-compressor-ms
#              compression-band-enable-{1,2,3}-{mid,side}=true ! fakesink
#          (LSP's mid/side multiband compressor with 4 bands, LADSPA through
#          gst-plugins-bad)
#   ffmpeg ffmpeg -i $f -af mcompand -f null -   (its default 5 bands)
# and prints the ratios.  The peers are Debian packages: when one is
# missing the script installs it with apt-get (as root; otherwise it says
# what to install and skips that peer): lsp-plugins-ladspa,
# gstreamer1.0-plugins-bad, ffmpeg.
#
# usage: bench/multibandcomp-pipeline.sh [--seconds S] [--repeat N]
#            [--wav FILE] [--keep] [--no-install] [BUILDDIR]
#   BUILDDIR  meson build directory (default: build); needs bench/mksignal,
#             bench/multibandcomp and the plugin in BUILDDIR/gst
set -eu

. "$(dirname "$0")/common.sh"
bench_init "$@"

# The peers, installed when missing (Debian/Ubuntu).
missing=
for p in lsp-plugins-ladspa gstreamer1.0-plugins-bad ffmpeg; do
  dpkg -s "$p" > /dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ] && ! bench_apt $missing; then
  echo "missing peers (install:$missing): skipped" >&2
fi

bench_signal                      # all runs read from the page cache

show () {
  if [ "$2" = FAIL ]; then
    printf '  %-54s %9s %9s\n' "$1" FAILED ""
  else
    printf '  %-54s %9s %9s\n' "$1" "$(secs "${2% *}")" "$(secs "${2#* }")"
  fi
}
wall () { echo "${1% *}"; }
cpu () { echo "${1#* }"; }

lsp=$(bench_ladspa mb-compressor-ms) || true
have_ours=0; have_lsp=0; have_ffmpeg=0
gst-inspect-1.0 multibandcomp > /dev/null 2>&1 && have_ours=1 \
  || echo "multibandcomp not found in $build/gst: build the plugin first" >&2
gst-inspect-1.0 "$lsp" > /dev/null 2>&1 && have_lsp=1 \
  || echo "LSP mb-compressor-ms not found: skipped" >&2
command -v ffmpeg > /dev/null 2>&1 && have_ffmpeg=1 \
  || echo "ffmpeg not found: skipped" >&2

ours_args="multibandcomp num-bands=4 mode=mid-side"
lsp_args="$lsp"
for b in 1 2 3; do
  lsp_args="$lsp_args compression-band-enable-$b-mid=true compression-band-enable-$b-side=true"
done

size=$(du -m "$wav" | cut -f1)
echo "multibandcomp benchmark: $wav ($size MB), 4 bands mid/side, best of $repeat"
printf '  %-54s %9s %9s\n' "job" "wall [s]" "cpu [s]"

t_floor=$(bench_best_wall_cpu gst-launch-1.0 -q filesrc location="$wav" ! wavparse ! identity ! fakesink)
[ "$t_floor" = FAIL ] && { cat "$tmp/err" >&2; echo "floor pipeline failed" >&2; exit 1; }
show "floor: wavparse ! identity ! fakesink" "$t_floor"

"$build/bench/multibandcomp" --seconds "$seconds" --repeat "$repeat" \
  | sed -n 's/^core time (best of [0-9]*): \([0-9.]*\) s.*/\1/p; s/^core cpu time (best of [0-9]*): \([0-9.]*\) s.*/\1/p' \
  | tr '\n' ' ' > "$tmp/core"
printf '  %-54s %9s %9s\n' "core: bench/multibandcomp (DSP core, in memory)" $(cat "$tmp/core")

t_ours=FAIL; t_lsp=FAIL; t_ff=FAIL
if [ $have_ours = 1 ]; then
  t_ours=$(bench_best_wall_cpu gst-launch-1.0 -q filesrc location="$wav" ! wavparse ! $ours_args ! fakesink)
  [ "$t_ours" = FAIL ] && cat "$tmp/err" >&2
  show "ours: multibandcomp num-bands=4 mode=mid-side" "$t_ours"
fi
if [ $have_lsp = 1 ]; then
  t_lsp=$(bench_best_wall_cpu gst-launch-1.0 -q filesrc location="$wav" ! wavparse ! $lsp_args ! fakesink)
  [ "$t_lsp" = FAIL ] && cat "$tmp/err" >&2
  show "lsp: mb-compressor-ms, 4 bands" "$t_lsp"
fi
if [ $have_ffmpeg = 1 ]; then
  t_ff=$(bench_best_wall_cpu ffmpeg -nostdin -i "$wav" -af mcompand -f null -)
  [ "$t_ff" = FAIL ] && cat "$tmp/err" >&2
  show "ffmpeg: mcompand (its default 5 bands)" "$t_ff"
fi

echo
if [ "$t_ours" != FAIL ]; then
  echo "  multibandcomp above the floor:   $(secs $(($(wall "$t_ours") - $(wall "$t_floor")))) s (wall)"
  if [ "$t_lsp" != FAIL ]; then
    echo "  LSP / ours (whole process):      $(ratio "$(wall "$t_lsp")" "$(wall "$t_ours")")x wall, $(ratio "$(cpu "$t_lsp")" "$(cpu "$t_ours")")x cpu  (goal: 10x)"
  fi
  if [ "$t_ff" != FAIL ]; then
    echo "  ffmpeg / ours (whole process):   $(ratio "$(wall "$t_ff")" "$(wall "$t_ours")")x wall, $(ratio "$(cpu "$t_ff")" "$(cpu "$t_ours")")x cpu"
  fi
fi
