/* gst-mastering — true-peak limiter core benchmark and output analyser
 *
 *   ./build/bench/limiter [--seconds 600] [--repeat 3] [--oversampling 4]
 *       [--gain 6] [--ceiling -1] [--lookahead 5] [--band-limit 1|0]
 *       [--wide 1|0]
 *     Times the DSP core (dsp/limiter.h) directly, without a pipeline, on
 *     the benchmark "music" signal (bench/benchsignal.h, 48 kHz stereo)
 *     driven `gain` dB into the ceiling, best of `repeat`, and prints the
 *     output's true peak (4x meter, 16x reference) and its overs.
 *     --wide 0 keeps the core off its AVX-512 loops (dsp/simd.h), to
 *     measure what they gain.
 *
 *   ./build/bench/limiter --analyze [--ceiling -1] FILE.wav...
 *     Prints true peak (4x meter core, 16x reference) and overs of WAV
 *     files (float 32/64 or PCM 16/24/32): what bench/limiter-pipeline.sh
 *     uses on the outputs of our element and of the peers.
 *
 * "overs": samples (per channel) of the 4x-oversampled signal's per-input-
 * sample envelope above the ceiling, i.e. input periods in which a 4x
 * BS.1770 meter sees the ceiling exceeded; "16x overs" likewise at 16x.
 */
#include "benchsignal.h"
#include "dsp/limiter.h"
#include "dsp/simd.h"
#include "dsp/loudness.h"
#include "dsp/truepeak.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double
clock_s (clockid_t id)
{
  struct timespec ts;

  clock_gettime (id, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double
db (double v)
{
  return 20.0 * log10 (v);
}

typedef struct
{
  double tp4, tp16, sp;
  uint64_t overs4, overs16, sample_overs;
} Analysis;

static void
analyze (const float *y, size_t n, unsigned C, unsigned rate,
    double ceiling_db, Analysis * a)
{
  MstLoudness *st = mst_loudness_new (rate, C, MST_LOUDNESS_TRUE_PEAK);
  MstTruePeak *t4 = mst_true_peak_new (C, 4), *t16 = mst_true_peak_new (C,
      16);
  const float ceil_lin = (float) pow (10.0, ceiling_db / 20.0);
  float pl[4096], env[4096];
  size_t pos, i;
  unsigned c;

  memset (a, 0, sizeof *a);
  mst_loudness_process_f32 (st, y, n);
  for (c = 0; c < C; c++)
    a->tp4 = fmax (a->tp4, mst_loudness_true_peak (st, c));
  for (c = 0; c < C; c++) {
    for (pos = 0; pos < n + 4096; pos += 4096) {
      size_t m = pos < n ? (n - pos < 4096 ? n - pos : 4096) : 4096;

      if (pos >= n + MST_TRUE_PEAK_TAPS)
        break;
      for (i = 0; i < m; i++) {
        pl[i] = pos + i < n ? y[(pos + i) * C + c] : 0.0f;
        if (fabsf (pl[i]) > ceil_lin)
          a->sample_overs++;
        a->sp = fmax (a->sp, fabsf (pl[i]));
      }
      mst_true_peak_process_env (t4, c, pl, env, m, ceil_lin);
      for (i = 0; i < m; i++)
        a->overs4 += env[i] > ceil_lin;
      mst_true_peak_process_env (t16, c, pl, env, m, 0.0f);
      for (i = 0; i < m; i++) {
        a->overs16 += env[i] > ceil_lin;
        a->tp16 = fmax (a->tp16, env[i]);
      }
      if (pos >= n)
        break;
    }
  }
  mst_loudness_free (st);
  mst_true_peak_free (t4);
  mst_true_peak_free (t16);
}

static void
print_analysis (const char *what, const Analysis * a)
{
  printf ("%-12s sample peak %7.3f dBFS, true peak %8.4f dBTP (4x) %8.4f "
      "dBTP (16x), overs %llu (4x) %llu (16x) %llu (samples)\n", what,
      db (a->sp), db (a->tp4), db (a->tp16),
      (unsigned long long) a->overs4, (unsigned long long) a->overs16,
      (unsigned long long) a->sample_overs);
}

/* ---- minimal WAV reader ------------------------------------------------ */

static uint32_t
le32 (const unsigned char *p)
{
  return p[0] | (p[1] << 8) | (p[2] << 16) | ((uint32_t) p[3] << 24);
}

static unsigned
le16 (const unsigned char *p)
{
  return p[0] | (p[1] << 8);
}

static float *
read_wav (const char *path, unsigned *rate, unsigned *channels, size_t *n)
{
  FILE *f = fopen (path, "rb");
  unsigned char h[12], ch[8], fmt[40];
  unsigned format = 0, bits = 0, bpf = 0;
  float *x = NULL;

  if (!f)
    return NULL;
  if (fread (h, 1, 12, f) != 12 || memcmp (h, "RIFF", 4)
      || memcmp (h + 8, "WAVE", 4))
    goto fail;
  while (fread (ch, 1, 8, f) == 8) {
    uint32_t len = le32 (ch + 4);

    if (!memcmp (ch, "fmt ", 4)) {
      size_t m = len < sizeof fmt ? len : sizeof fmt;

      if (len < 16 || fread (fmt, 1, m, f) != m)
        goto fail;
      if (len > m)
        fseek (f, (long) (len - m), SEEK_CUR);
      format = le16 (fmt);
      *channels = le16 (fmt + 2);
      *rate = le32 (fmt + 4);
      bits = le16 (fmt + 14);
      if (format == 0xfffe && len >= 26)
        format = le16 (fmt + 24);     /* sub-format GUID's first 2 bytes */
      bpf = *channels * bits / 8;
    } else if (!memcmp (ch, "data", 4)) {
      size_t frames, i, ns;
      unsigned char *raw;

      if (!bpf || *channels == 0)
        goto fail;
      frames = len / bpf;
      if (len == 0 || len == 0xffffffffu) {
        /* streaming writers: size unknown, read to the end */
        long here = ftell (f);

        fseek (f, 0, SEEK_END);
        frames = (size_t) (ftell (f) - here) / bpf;
        fseek (f, here, SEEK_SET);
      }
      ns = frames * *channels;
      raw = malloc (frames * bpf);
      x = malloc (ns * sizeof (float));
      if (!raw || !x || fread (raw, bpf, frames, f) != frames) {
        free (raw);
        goto fail;
      }
      for (i = 0; i < ns; i++) {
        const unsigned char *p = raw + i * (bits / 8);

        if (format == 3 && bits == 32) {
          uint32_t u = le32 (p);
          float v;

          memcpy (&v, &u, 4);
          x[i] = v;
        } else if (format == 3 && bits == 64) {
          uint64_t u = le32 (p) | ((uint64_t) le32 (p + 4) << 32);
          double v;

          memcpy (&v, &u, 8);
          x[i] = (float) v;
        } else if (format == 1 && bits == 16) {
          x[i] = (int16_t) le16 (p) / 32768.0f;
        } else if (format == 1 && bits == 24) {
          int32_t v = (int32_t) ((p[0] << 8) | (p[1] << 16) |
              ((uint32_t) p[2] << 24));
          x[i] = (float) (v / 2147483648.0);
        } else if (format == 1 && bits == 32) {
          x[i] = (float) ((int32_t) le32 (p) / 2147483648.0);
        } else {
          free (raw);
          goto fail;
        }
      }
      free (raw);
      *n = frames;
      fclose (f);
      return x;
    } else {
      fseek (f, (long) (len + (len & 1)), SEEK_CUR);
    }
  }
fail:
  free (x);
  fclose (f);
  return NULL;
}

/* ---- main ------------------------------------------------------------- */

int
main (int argc, char **argv)
{
  double seconds = 600, gain = 6.0, ceiling = -1.0, lookahead = 5.0;
  int band_limit = 1;
  unsigned repeat = 3, os = 4, rate = 48000, C = 2, r;
  int analyze_mode = 0, i, first_file = 0;
  size_t n;
  float *x, *y;
  double best = INFINITY, best_cpu = INFINITY;
  Analysis a;
  MstLimiter *lim;

  for (i = 1; i < argc; i++) {
    if (!strcmp (argv[i], "--analyze"))
      analyze_mode = 1;
    else if (!strcmp (argv[i], "--seconds") && i + 1 < argc)
      seconds = atof (argv[++i]);
    else if (!strcmp (argv[i], "--repeat") && i + 1 < argc)
      repeat = (unsigned) atoi (argv[++i]);
    else if (!strcmp (argv[i], "--oversampling") && i + 1 < argc)
      os = (unsigned) atoi (argv[++i]);
    else if (!strcmp (argv[i], "--gain") && i + 1 < argc)
      gain = atof (argv[++i]);
    else if (!strcmp (argv[i], "--ceiling") && i + 1 < argc)
      ceiling = atof (argv[++i]);
    else if (!strcmp (argv[i], "--lookahead") && i + 1 < argc)
      lookahead = atof (argv[++i]);
    else if (!strcmp (argv[i], "--band-limit") && i + 1 < argc)
      band_limit = atoi (argv[++i]);
    else if (!strcmp (argv[i], "--wide") && i + 1 < argc)
      mst_simd_set_wide (atoi (argv[++i]));
    else if (argv[i][0] != '-' && analyze_mode) {
      first_file = i;
      break;
    } else {
      fprintf (stderr, "usage: limiter [--seconds S] [--repeat N] "
          "[--oversampling F] [--gain DB] [--ceiling DB] [--lookahead MS] "
          "[--band-limit 0|1] [--wide 1|0]"
          "\n       limiter --analyze [--ceiling DB] FILE.wav...\n");
      return 2;
    }
  }

  if (analyze_mode) {
    int ret = 0;

    if (!first_file) {
      fprintf (stderr, "limiter --analyze: no files\n");
      return 2;
    }
    for (i = first_file; i < argc; i++) {
      unsigned fr = 0, fc = 0;

      x = read_wav (argv[i], &fr, &fc, &n);
      if (!x || fr < 8000 || fc == 0 || fc > 8) {
        fprintf (stderr, "%s: cannot read (float/PCM WAV, 1-8 ch)\n",
            argv[i]);
        ret = 1;
        continue;
      }
      analyze (x, n, fc, fr, ceiling, &a);
      print_analysis (argv[i], &a);
      free (x);
    }
    return ret;
  }

  if (!(seconds > 0) || repeat == 0) {
    fprintf (stderr, "limiter: bad --seconds or --repeat\n");
    return 2;
  }
  n = (size_t) (seconds * rate + 0.5);
  x = malloc (n * C * sizeof (float));
  y = malloc (n * C * sizeof (float));
  if (!x || !y) {
    fprintf (stderr, "limiter: out of memory\n");
    return 1;
  }
  bench_signal_generate (BENCH_SIGNAL_MUSIC, rate, C, x, n);
  lim = mst_limiter_new (rate, C, os, lookahead);
  if (!lim) {
    fprintf (stderr, "limiter: cannot create the limiter\n");
    return 1;
  }
  mst_limiter_set_band_limit (lim, band_limit);
  mst_limiter_set_ceiling (lim, ceiling);
  mst_limiter_set_input_gain (lim, gain);

  printf ("limiter core: %.0f s of %u Hz stereo music, %+.1f dB into a "
      "%.1f dBTP ceiling, %ux, lookahead %.2f ms, latency %u samples\n",
      seconds, rate, gain, ceiling, os, mst_limiter_lookahead (lim),
      mst_limiter_latency (lim));
  for (r = 0; r < repeat; r++) {
    double t0, c0, t;
    size_t pos;

    mst_limiter_reset (lim);
    t0 = clock_s (CLOCK_MONOTONIC);
    c0 = clock_s (CLOCK_THREAD_CPUTIME_ID);
    /* 1024-frame buffers, like a GStreamer pipeline's */
    for (pos = 0; pos < n; pos += 1024)
      mst_limiter_process_f32 (lim, x + pos * C, y + pos * C,
          n - pos < 1024 ? n - pos : 1024);
    t = clock_s (CLOCK_MONOTONIC) - t0;
    best = t < best ? t : best;
    t = clock_s (CLOCK_THREAD_CPUTIME_ID) - c0;
    best_cpu = t < best_cpu ? t : best_cpu;
  }
  printf ("core time (best of %u): %.3f s = %.0fx real time, %.2f ns per "
      "frame\n", repeat, best, seconds / best, best * 1e9 / n);
  /* on a shared machine the thread's CPU time is the steadier figure */
  printf ("core CPU time (best of %u): %.3f s, %.2f ns per frame\n",
      repeat, best_cpu, best_cpu * 1e9 / n);
  printf ("safety clips: %llu\n",
      (unsigned long long) mst_limiter_safety_clips (lim));
  analyze (y, n, C, rate, ceiling, &a);
  print_analysis ("core output:", &a);
  mst_limiter_free (lim);
  free (x);
  free (y);
  return 0;
}
