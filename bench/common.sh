# gst-mastering — what the bench/*-pipeline.sh scripts share; sourced by
# them after `set -eu`, not run.
#
# bench_init "$@"  parses the common command line
#                    [--seconds S] [--repeat N] [--wav FILE] [--keep]
#                    [--no-install] [-h|--help] [BUILDDIR]
#                  (--help prints the calling script's header comment),
#                  then sets
#                    seconds (600), repeat (the caller's $repeat, else 3),
#                    wav, keep, install (1; 0 with --no-install),
#                    build (absolute), tmp (a temporary directory, removed
#                    at exit unless --keep),
#                  and exports GST_PLUGIN_PATH_1_0 ($build/gst: our plugin
#                  from the build tree, the rest from the system) and a
#                  private GST_REGISTRY_1_0.
# bench_signal     without --wav, writes the benchmark signal (bench/mksignal
#                  --signal music, $seconds long) to $tmp/signal.wav and
#                  sets wav to it; checks that $wav is readable and reads it
#                  once, so that every timed run reads from the page cache.
# bench_apt PKG... installs the Debian packages with apt-get when allowed
#                  (root, apt-get present, not --no-install); fails
#                  otherwise.
# bench_need CMD=PKG...  the commands (a name on PATH or an absolute path)
#                  that the script cannot do without: installs the packages
#                  of the missing ones with bench_apt, or says what to
#                  install and exits 2.
# bench_ladspa NAME   the element name GStreamer registers for LSP's LADSPA
#                  plugin NAME (limiter-stereo, ...; side-chain variants
#                  left out); when it is not installed, the name LSP 1.2.5
#                  registers, and fails.
# bench_best_wall_cpu CMD...  runs CMD $repeat times; prints "WALL CPU" in
#                  ns, the best (smallest) wall time and the best CPU time
#                  (user + system of the process and its children: on a
#                  shared machine the steadier figure), each taken
#                  separately, or FAIL if a run fails (its stderr in
#                  $tmp/err).
# bench_rounds NAME...  runs the shell functions job_NAME (each runs one
#                  whole process) once per round, every job in turn,
#                  $repeat rounds: a machine whose speed drifts during the
#                  run (a VM's does, by up to 40 %) then slows every job
#                  alike instead of whichever ran at the slow moment.  Sets
#                  best[NAME] ("WALL CPU" in ns, the smallest of each over
#                  the rounds, or FAIL, its stderr in $tmp/err.NAME) and
#                  rounds[NAME] (each round's "WALL,CPU", space separated).
# round_ratio A B  the median over the rounds of A's time / B's time
#                  (wall, then CPU), each pair from the same round.
# bench_time_once ERRFILE CMD...  one timed run: "WALL CPU" in ns.
# secs NS, ratio A B   nanoseconds as seconds; A / B; both with awk.

bench_init () {
  local me
  me=$(basename "$0")
  seconds=600
  repeat=${repeat:-3}
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
      -*) echo "$me: unknown option $1" >&2; exit 2 ;;
      *) build=$1; shift ;;
    esac
  done
  case $repeat in
    ''|*[!0-9]*|0) echo "--repeat: need a positive integer" >&2; exit 2 ;;
  esac

  [ -d "$build" ] || { echo "$me: no build directory $build" >&2; exit 2; }
  build=$(cd "$build" && pwd)
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/mst-bench.XXXXXX")
  if [ $keep = 1 ]; then
    trap 'echo "kept $tmp"' EXIT
  else
    trap 'rm -rf "$tmp"' EXIT
  fi

  export GST_PLUGIN_PATH_1_0="$build/gst"
  export GST_REGISTRY_1_0="$tmp/registry.bin"
}

bench_signal () {
  if [ -z "$wav" ]; then
    wav=$tmp/signal.wav
    "$build/bench/mksignal" --seconds "$seconds" --signal music "$wav"
  fi
  [ -r "$wav" ] || { echo "cannot read $wav" >&2; exit 2; }
  cat "$wav" > /dev/null
}

bench_apt () {
  [ $install = 1 ] && [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null \
    || return 1
  echo "installing: $*" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" > "$tmp/apt.log" 2>&1 \
    || { cat "$tmp/apt.log" >&2; return 1; }
}

bench_need () {
  local item missing=
  for item in "$@"; do
    case ${item%%=*} in
      /*) [ -x "${item%%=*}" ] ;;
      *) command -v "${item%%=*}" > /dev/null 2>&1 ;;
    esac || missing="$missing ${item#*=}"
  done
  if [ -n "$missing" ] && ! bench_apt $missing; then
    echo "missing (install:$missing)" >&2
    exit 2
  fi
}

bench_ladspa () {
  local e
  e=$(gst-inspect-1.0 2>/dev/null | sed -n "s/^ladspa: *\([^:]*-$1\):.*/\1/p" \
    | grep -v -- '-sc-' | head -n 1) || true
  if [ -n "$e" ]; then
    echo "$e"
  else
    echo "ladspa-lsp-plugins-ladspa-1-2-5-so-http---lsp-plug-in-plugins-ladspa-$1"
    return 1
  fi
}

# bench_time_once ERRFILE CMD...: runs CMD once (output discarded, stderr
# to ERRFILE); prints "WALL CPU" in ns, or fails as CMD did.
bench_time_once () {
  local err=$1
  shift
  { TIMEFORMAT='%R %U %S'; time "$@" > /dev/null 2> "$err"; } 2> "$tmp/time" || return 1
  awk '{ printf "%.0f %.0f\n", $1 * 1e9, ($2 + $3) * 1e9 }' "$tmp/time"
}

bench_best_wall_cpu () {
  local bw= bc= r w c t
  for ((r = 0; r < repeat; r++)); do
    if ! t=$(bench_time_once "$tmp/err" "$@"); then
      echo FAIL
      return
    fi
    read -r w c <<< "$t"
    if [ -z "$bw" ] || [ "$w" -lt "$bw" ]; then bw=$w; fi
    if [ -z "$bc" ] || [ "$c" -lt "$bc" ]; then bc=$c; fi
  done
  echo "$bw $bc"
}

declare -gA best rounds
bench_rounds () {
  local r j w c t bw bc
  for j in "$@"; do best[$j]=; rounds[$j]=; done
  for ((r = 0; r < repeat; r++)); do
    for j in "$@"; do
      [ "${best[$j]}" = FAIL ] && continue
      if ! t=$(bench_time_once "$tmp/err.$j" "job_$j"); then
        best[$j]=FAIL
        continue
      fi
      read -r w c <<< "$t"
      rounds[$j]="${rounds[$j]} $w,$c"
      read -r bw bc <<< "${best[$j]:-$w $c}"
      [ "$w" -lt "$bw" ] && bw=$w
      [ "$c" -lt "$bc" ] && bc=$c
      best[$j]="$bw $bc"
    done
  done
}

round_ratio () {
  awk -v a="${rounds[$1]}" -v b="${rounds[$2]}" '
    function median (v, n,   i, j, t) {
      for (i = 2; i <= n; i++)
        for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
      return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
    }
    BEGIN {
      n = split (a, ra, " "); split (b, rb, " ")
      for (i = 1; i <= n; i++) {
        split (ra[i], x, ","); split (rb[i], y, ",")
        w[i] = x[1] / y[1]; c[i] = x[2] / y[2]
      }
      printf "%.2fx wall, %.2fx CPU", median(w, n), median(c, n)
    }'
}

secs () { awk -v n="$1" 'BEGIN { printf "%.3f", n / 1e9 }'; }
ratio () { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
