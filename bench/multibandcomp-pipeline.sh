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

seconds=600
repeat=3
wav=
keep=0
install=1
build=build

while [ $# -gt 0 ]; do
  case $1 in
    --seconds) seconds=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    --wav) wav=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    --no-install) install=0; shift ;;
    -h|--help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "multibandcomp-pipeline.sh: unknown option $1" >&2; exit 2 ;;
    *) build=$1; shift ;;
  esac
done
case $repeat in ''|*[!0-9]*|0) echo "--repeat: need a positive integer" >&2; exit 2 ;; esac

# The peers, installed when missing (Debian/Ubuntu).
missing=
for p in lsp-plugins-ladspa gstreamer1.0-plugins-bad ffmpeg; do
  dpkg -s "$p" > /dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
  if [ $install = 1 ] && [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null; then
    echo "installing the peers:$missing" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing > /dev/null \
      || echo "apt-get install$missing failed: those peers are skipped" >&2
  else
    echo "missing peers (install:$missing): skipped" >&2
  fi
fi

build=$(cd "$build" && pwd) || { echo "no build directory $build" >&2; exit 2; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mst-bench.XXXXXX")
if [ $keep = 1 ]; then
  trap 'echo "kept $tmp"' EXIT
else
  trap 'rm -rf "$tmp"' EXIT
fi

# Our plugin from the build tree plus the system plugins (wavparse, LADSPA),
# with a private registry.
export GST_PLUGIN_PATH_1_0="$build/gst"
export GST_REGISTRY_1_0="$tmp/registry.bin"

if [ -z "$wav" ]; then
  wav=$tmp/signal.wav
  "$build/bench/mksignal" --seconds "$seconds" --signal music "$wav"
fi
[ -r "$wav" ] || { echo "cannot read $wav" >&2; exit 2; }
cat "$wav" > /dev/null            # all runs read from the page cache

# best_of CMD...: the best wall time and the best CPU time (user + system,
# of the process and its children) of `repeat` runs, ns, as "WALL CPU";
# "FAIL" when the command fails.  On a machine shared with other jobs the
# CPU times are the steadier figure.
best_of () {
  local bw= bc= r w c
  for ((r = 0; r < repeat; r++)); do
    if ! { TIMEFORMAT='%R %U %S'; time "$@" > /dev/null 2> "$tmp/err"; } 2> "$tmp/time"; then
      echo FAIL
      return
    fi
    read -r w c <<< "$(awk '{ printf "%.0f %.0f", $1 * 1e9, ($2 + $3) * 1e9 }' "$tmp/time")"
    if [ -z "$bw" ] || [ "$w" -lt "$bw" ]; then bw=$w; fi
    if [ -z "$bc" ] || [ "$c" -lt "$bc" ]; then bc=$c; fi
  done
  echo "$bw $bc"
}
secs () { awk -v n="$1" 'BEGIN { printf "%.3f", n / 1e9 }'; }
ratio () { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
show () {
  if [ "$2" = FAIL ]; then
    printf '  %-54s %9s %9s\n' "$1" FAILED ""
  else
    printf '  %-54s %9s %9s\n' "$1" "$(secs "${2% *}")" "$(secs "${2#* }")"
  fi
}
wall () { echo "${1% *}"; }
cpu () { echo "${1#* }"; }

L=ladspa-lsp-plugins-ladspa-1-2-5-so-http---lsp-plug-in-plugins-ladspa
lsp=$(gst-inspect-1.0 2>/dev/null | sed -n 's/^ladspa: *\([^:]*-mb-compressor-ms\):.*/\1/p' \
  | grep -v -- '-sc-' | head -n 1) || true
[ -n "$lsp" ] || lsp=$L-mb-compressor-ms
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

t_floor=$(best_of gst-launch-1.0 -q filesrc location="$wav" ! wavparse ! identity ! fakesink)
[ "$t_floor" = FAIL ] && { cat "$tmp/err" >&2; echo "floor pipeline failed" >&2; exit 1; }
show "floor: wavparse ! identity ! fakesink" "$t_floor"

"$build/bench/multibandcomp" --seconds "$seconds" --repeat "$repeat" \
  | sed -n 's/^core time (best of [0-9]*): \([0-9.]*\) s.*/\1/p; s/^core cpu time (best of [0-9]*): \([0-9.]*\) s.*/\1/p' \
  | tr '\n' ' ' > "$tmp/core"
printf '  %-54s %9s %9s\n' "core: bench/multibandcomp (DSP core, in memory)" $(cat "$tmp/core")

t_ours=FAIL; t_lsp=FAIL; t_ff=FAIL
if [ $have_ours = 1 ]; then
  t_ours=$(best_of gst-launch-1.0 -q filesrc location="$wav" ! wavparse ! $ours_args ! fakesink)
  [ "$t_ours" = FAIL ] && cat "$tmp/err" >&2
  show "ours: multibandcomp num-bands=4 mode=mid-side" "$t_ours"
fi
if [ $have_lsp = 1 ]; then
  t_lsp=$(best_of gst-launch-1.0 -q filesrc location="$wav" ! wavparse ! $lsp_args ! fakesink)
  [ "$t_lsp" = FAIL ] && cat "$tmp/err" >&2
  show "lsp: mb-compressor-ms, 4 bands" "$t_lsp"
fi
if [ $have_ffmpeg = 1 ]; then
  t_ff=$(best_of ffmpeg -nostdin -i "$wav" -af mcompand -f null -)
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
