/* gst-mastering — loudness core per input format and channel count
 *
 * Times mst_loudness_process_{s16,s32,f32,f64} () on 20 s of 48 kHz noise
 * plus a sine, for 1, 2, 3, 4, 6 and 8 channels, fed in 1024-frame chunks,
 * best of 3 (process CPU time), and prints ns per frame: the K-weighting
 * and window path alone (true peak off) and with the true peak on.  This
 * is the measurement behind the choice of K-filter kernels in
 * dsp/loudness.c (one per channel shape, not per format).
 *
 *   ./build/bench/meter-kfilter [--seconds S]
 */
#include "dsp/loudness.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double
cpu_now (void)
{
  struct timespec t;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

int
main (int argc, char **argv)
{
  static const unsigned chs[] = { 1, 2, 3, 4, 6, 8 };
  static const char *names[] = { "s16", "s32", "f32", "f64" };
  const unsigned rate = 48000;
  double seconds = 20.0;
  size_t frames, i;
  uint64_t s = 88172645463325252ull;
  double *d;
  void *buf;
  int tp, f;

  if (argc == 3 && !strcmp (argv[1], "--seconds"))
    seconds = atof (argv[2]);
  else if (argc != 1) {
    fprintf (stderr, "usage: meter-kfilter [--seconds S]\n");
    return 2;
  }
  frames = (size_t) (seconds * rate);
  if (frames < 1024)
    frames = 1024;
  d = malloc (frames * 8 * sizeof *d);
  buf = malloc (frames * 8 * sizeof (double));
  if (!d || !buf)
    return 1;
  for (i = 0; i < frames * 8; i++) {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    d[i] = 0.3 * sin (i * 0.01) + 0.1 * ((double) (s >> 11)
        / 9007199254740992.0 - 0.5);
  }
  printf ("loudness core, ns per frame (48 kHz, best of 3, CPU time)\n");
  for (tp = 0; tp < 2; tp++) {
    printf ("%s\n  fmt ", tp ? "true peak on" : "true peak off");
    for (i = 0; i < sizeof chs / sizeof chs[0]; i++)
      printf (" %5uch", chs[i]);
    printf ("\n");
    for (f = 0; f < 4; f++) {
      printf ("  %s ", names[f]);
      for (i = 0; i < sizeof chs / sizeof chs[0]; i++) {
        const unsigned ch = chs[i];
        size_t k, p;
        double best = 1e30;
        int r;

        for (k = 0; k < frames * ch; k++) {
          if (f == 0)
            ((int16_t *) buf)[k] = (int16_t) lrint (d[k] * 32767.0);
          else if (f == 1)
            ((int32_t *) buf)[k] = (int32_t) lrint (d[k] * 2147483647.0);
          else if (f == 2)
            ((float *) buf)[k] = (float) d[k];
          else
            ((double *) buf)[k] = d[k];
        }
        for (r = 0; r < 3; r++) {
          MstLoudness *st = mst_loudness_new (rate, ch,
              tp ? MST_LOUDNESS_TRUE_PEAK : 0);
          double t0 = cpu_now (), t;

          for (p = 0; p < frames; p += 1024) {
            size_t m = frames - p < 1024 ? frames - p : 1024;

            if (f == 0)
              mst_loudness_process_s16 (st, (int16_t *) buf + p * ch, m);
            else if (f == 1)
              mst_loudness_process_s32 (st, (int32_t *) buf + p * ch, m);
            else if (f == 2)
              mst_loudness_process_f32 (st, (float *) buf + p * ch, m);
            else
              mst_loudness_process_f64 (st, (double *) buf + p * ch, m);
          }
          t = cpu_now () - t0;
          best = t < best ? t : best;
          mst_loudness_free (st);
        }
        printf (" %7.2f", best / frames * 1e9);
      }
      printf ("\n");
    }
  }
  free (d);
  free (buf);
  return 0;
}
