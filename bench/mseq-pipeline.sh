#!/usr/bin/env bash
# gst-mastering — the mseq element in a pipeline, against LSP.
#
# Writes the benchmark signal (bench/mksignal: 10 min of 48 kHz stereo
# float "music" by default) to a temporary WAV and times whole processes,
# best of N, in one run, every equalizer with the same 8 bands on: 4 mid
# and 4 side bells at 100, 400, 1600, 6400 Hz, +2.9 dB on the mid, -3.1 dB
# on the side:
#   floor  gst-launch-1.0 -q filesrc location=$f ! wavparse ! identity ! fakesink
#   core   bench/mseq (the DSP core on the same job, in memory, CPU time)
#   ours   ... ! wavparse ! mseq num-bands=8 band0::freq=100 ... ! fakesink
#   lsp    ... ! wavparse ! $L-para-equalizer-x16-ms filter-type-mid-$i=1
#          frequency-mid-$i=$fq gain-mid-$i=1.4 filter-type-side-$i=1
#          frequency-side-$i=$fq gain-side-$i=0.7 ! fakesink
#          (LADSPA through gst-plugins-bad; gains are linear factors)
# and prints the ratios, in wall and in CPU time (user + system).  LSP and the LADSPA wrapper (Debian:
# lsp-plugins-ladspa gstreamer1.0-plugins-bad) are installed with apt-get
# when missing and possible; otherwise that peer is skipped.
#
# usage: bench/mseq-pipeline.sh [--seconds S] [--repeat N] [--wav FILE]
#            [--keep] [BUILDDIR]
#   BUILDDIR  meson build directory (default: build); needs bench/mksignal,
#             bench/mseq and the plugin in BUILDDIR/gst
set -eu

. "$(dirname "$0")/common.sh"
bench_init "$@"

if ! lsp=$(bench_ladspa para-equalizer-x16-ms) &&
    bench_apt lsp-plugins-ladspa gstreamer1.0-plugins-bad; then
  rm -f "$GST_REGISTRY_1_0"
  lsp=$(bench_ladspa para-equalizer-x16-ms) || true
fi

bench_signal                      # all runs read from the page cache

show () {
  if [ "$2" = FAIL ]; then
    printf '  %-50s %9s %9s\n' "$1" FAILED -
  else
    printf '  %-50s %9s %9s\n' "$1" "$(secs "${2% *}")" "$(secs "${2#* }")"
  fi
}

have_ours=0; have_lsp=0
gst-inspect-1.0 mseq > /dev/null 2>&1 && have_ours=1 \
  || echo "mseq not found in $build/gst: build the plugin first" >&2
gst-inspect-1.0 "$lsp" > /dev/null 2>&1 && have_lsp=1 \
  || echo "LSP para-equalizer-x16-ms not found: skipped" >&2

# the same 8 bells: 20 log10 (1.4) = +2.92 dB mid, 20 log10 (0.7) = -3.10 dB side
ours_args="mseq num-bands=8"
lsp_args="$lsp"
for i in 0 1 2 3; do
  fq=$((100 * (1 << (2 * i))))
  ours_args="$ours_args band$i::freq=$fq band$i::gain=2.92 band$i::q=1 band$i::channel=mid"
  ours_args="$ours_args band$((i + 4))::freq=$fq band$((i + 4))::gain=-3.10 band$((i + 4))::q=1 band$((i + 4))::channel=side"
  lsp_args="$lsp_args filter-type-mid-$i=1 frequency-mid-$i=$fq gain-mid-$i=1.4"
  lsp_args="$lsp_args filter-type-side-$i=1 frequency-side-$i=$fq gain-side-$i=0.7"
done

size=$(du -m "$wav" | cut -f1)
echo "mseq benchmark: $wav ($size MB), 8 bells (4 mid, 4 side), best of $repeat"
printf '  %-50s %9s %9s\n' "job" "wall [s]" "CPU [s]"

t_floor=$(bench_best_wall_cpu gst-launch-1.0 -q filesrc location="$wav" ! wavparse ! identity ! fakesink)
[ "$t_floor" = FAIL ] && { cat "$tmp/err" >&2; echo "floor pipeline failed" >&2; exit 1; }
show "floor: wavparse ! identity ! fakesink" "$t_floor"

"$build/bench/mseq" --seconds "$seconds" --repeat "$repeat" \
  | sed -n 's/^core time (best of [0-9]*): \([0-9.]*\) s.*/\1/p' > "$tmp/core"
printf '  %-50s %9s %9s\n' "core: bench/mseq (DSP core alone, in memory)" - "$(cat "$tmp/core")"

t_ours=FAIL; t_lsp=FAIL
if [ $have_ours = 1 ]; then
  t_ours=$(bench_best_wall_cpu gst-launch-1.0 -q filesrc location="$wav" ! wavparse ! $ours_args ! fakesink)
  [ "$t_ours" = FAIL ] && cat "$tmp/err" >&2
  show "ours: mseq, 8 bells" "$t_ours"
fi
if [ $have_lsp = 1 ]; then
  t_lsp=$(bench_best_wall_cpu gst-launch-1.0 -q filesrc location="$wav" ! wavparse ! $lsp_args ! fakesink)
  [ "$t_lsp" = FAIL ] && cat "$tmp/err" >&2
  show "lsp: para-equalizer-x16-ms, 8 bells" "$t_lsp"
fi

echo
if [ "$t_ours" != FAIL ]; then
  wo=${t_ours% *}; co=${t_ours#* }; wf=${t_floor% *}; cf=${t_floor#* }
  echo "  mseq above the floor:               $(secs $((wo - wf))) s wall, $(secs $((co - cf))) s CPU"
  if [ "$t_lsp" != FAIL ]; then
    wl=${t_lsp% *}; cl=${t_lsp#* }
    echo "  LSP / ours, whole process, wall:    $(ratio "$wl" "$wo")x"
    echo "  LSP / ours, whole process, CPU:     $(ratio "$cl" "$co")x"
    [ $((co - cf)) -gt 0 ] && [ $((cl - cf)) -gt 0 ] && \
      echo "  LSP / ours, CPU above the floor:    $(ratio $((cl - cf)) $((co - cf)))x"
  fi
fi
