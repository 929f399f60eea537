/* gst-mastering — writes a benchmark signal (bench/benchsignal.h) as a
 * 32-bit float WAV file, for the pipeline benchmarks and their peers.
 *
 *   ./build/bench/mksignal [--seconds 600] [--channels 2] [--rate 48000]
 *       [--signal music|noise|sine] OUT.wav
 */
#include "benchsignal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
parse_num (const char *s, double lo, double hi, double *out)
{
  char *end;
  double v = strtod (s, &end);

  if (*s == '\0' || *end != '\0' || !(v >= lo && v <= hi))
    return -1;
  *out = v;
  return 0;
}

int
main (int argc, char **argv)
{
  double seconds = 600, channels = 2, rate = 48000;
  BenchSignalKind kind = BENCH_SIGNAL_MUSIC;
  const char *path = NULL;
  size_t frames;
  float *x;
  int i;

  for (i = 1; i < argc; i++) {
    const char *opt = argv[i];
    int ok = 1;

    if (opt[0] != '-' && !path) {
      path = opt;
      continue;
    }
    if (i + 1 >= argc)
      ok = 0;
    else if (strcmp (opt, "--seconds") == 0)
      ok = parse_num (argv[++i], 0.1, 12 * 3600, &seconds) == 0;
    else if (strcmp (opt, "--channels") == 0)
      ok = parse_num (argv[++i], 1, 64, &channels) == 0
          && channels == (unsigned) channels;
    else if (strcmp (opt, "--rate") == 0)
      ok = parse_num (argv[++i], 8000, 768000, &rate) == 0
          && rate == (unsigned) rate;
    else if (strcmp (opt, "--signal") == 0) {
      int k = bench_signal_from_name (argv[++i]);

      ok = k >= 0;
      kind = (BenchSignalKind) k;
    } else
      ok = 0;
    if (!ok) {
      fprintf (stderr, "mksignal: bad option or value: %s\n", opt);
      path = NULL;
      break;
    }
  }
  if (!path) {
    fprintf (stderr, "usage: mksignal [--seconds S] [--channels C] "
        "[--rate HZ] [--signal music|noise|sine] OUT.wav\n");
    return 2;
  }

  frames = (size_t) (seconds * rate + 0.5);
  x = malloc (frames * (size_t) channels * sizeof *x);
  if (!x) {
    fprintf (stderr, "mksignal: out of memory\n");
    return 1;
  }
  bench_signal_generate (kind, (unsigned) rate, (unsigned) channels, x,
      frames);
  if (bench_signal_write_wav (path, x, (unsigned) rate, (unsigned) channels,
          frames) < 0) {
    fprintf (stderr, "mksignal: %s: %s\n", path, strerror (errno));
    free (x);
    return 1;
  }
  free (x);
  return 0;
}
