/* gst-mastering — mid/side equalizer core benchmark
 *
 *   ./build/bench/mseq [--seconds 600] [--repeat 3] [--bands 8]
 *
 * Times the DSP core (dsp/mseq.h) directly, without a pipeline, on the
 * benchmark "music" signal (bench/benchsignal.h, 48 kHz stereo float):
 * the job of the pipeline benchmark (4 mid and 4 side bells at 100, 400,
 * 1600 and 6400 Hz, +2.9 dB on the mid, -3.1 dB on the side), best of
 * `repeat`, in CPU time of the process (robust on a shared machine).
 * Also times the parts: the mid/side matrix alone (encode and
 * decode over the same frames, plain C, what an ORC kernel could replace)
 * and one biquad cascade of the same sections (dsp/biquad.h), so the
 * output says where the time goes and whether the matrix is worth a
 * kernel.  Prints section-samples per second.
 *
 * Denormal guard: the same 8 bells plus a 20 Hz 48 dB/octave side
 * high-pass, 1 s of full-scale music, then 10 s of digital silence, in
 * 1024-frame buffers: CPU time per buffer in the music, in the first and
 * in the last second of silence (a filter state crawling through denormal
 * numbers would make the silence many times slower), and the largest
 * output sample of the last second.
 */
#include "benchsignal.h"
#include "dsp/biquad.h"
#include "dsp/mseq.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RATE 48000

static double
now (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* The M/S matrix as dsp/mseq.c runs it, on chunks of 256 frames. */
static void
matrix (float *x, size_t n, double *w)
{
  size_t done = 0;

  while (done < n) {
    size_t m = n - done < 256 ? n - done : 256, i;
    float *p = x + 2 * done;
    for (i = 0; i < 2 * m; i++)
      w[i] = p[i];
    for (i = 0; i < m; i++) {
      double l = w[2 * i], r = w[2 * i + 1];
      w[2 * i] = 0.5 * (l + r);
      w[2 * i + 1] = 0.5 * (l - r);
    }
    for (i = 0; i < m; i++) {
      double mm = 0.9 * w[2 * i], s = 1.1 * w[2 * i + 1];
      w[2 * i] = mm + s;
      w[2 * i + 1] = mm - s;
    }
    for (i = 0; i < 2 * m; i++)
      p[i] = (float) w[i];
    done += m;
  }
}

int
main (int argc, char **argv)
{
  double seconds = 600;
  int repeat = 3, bands = 8, i, r;
  size_t n;
  float *src, *buf;
  double best = 1e30, best_bq = 1e30, best_mx = 1e30, sink = 0;
  static double w[512];

  for (i = 1; i < argc; i++) {
    if (!strcmp (argv[i], "--seconds") && i + 1 < argc)
      seconds = atof (argv[++i]);
    else if (!strcmp (argv[i], "--repeat") && i + 1 < argc)
      repeat = atoi (argv[++i]);
    else if (!strcmp (argv[i], "--bands") && i + 1 < argc)
      bands = atoi (argv[++i]);
    else {
      fprintf (stderr, "usage: %s [--seconds S] [--repeat N] [--bands 1..16]"
          "\n", argv[0]);
      return 2;
    }
  }
  if (bands < 1 || bands > MST_MSEQ_MAX_BANDS || repeat < 1 || seconds <= 0)
    return 2;
  n = (size_t) (seconds * RATE);
  src = malloc (n * 2 * sizeof (float));
  buf = malloc (n * 2 * sizeof (float));
  if (!src || !buf)
    return 1;
  bench_signal_generate (BENCH_SIGNAL_MUSIC, RATE, 2, src, n);

  for (r = 0; r < repeat; r++) {
    MstMsEq *eq = mst_mseq_new (RATE, 2);
    MstBiquad *bq = mst_biquad_new (RATE, 2, (bands + 1) / 2);
    double t0, t1;
    int b;

    for (b = 0; b < bands; b++) {
      MstMsEqBand band = { MST_BIQUAD_BELL, 100.0 * pow (4.0, b % 4),
        b < 4 ? 2.92 : -3.10, 1.0, 12, b < 4 ? MST_MSEQ_MID : MST_MSEQ_SIDE,
        1
      };
      MstBiquadCoefs c;
      mst_mseq_set_band (eq, (unsigned) b, &band);
      mst_biquad_design (&c, MST_BIQUAD_BELL, MST_BIQUAD_MATCHED, RATE,
          band.freq, band.gain_db, 1.0);
      mst_biquad_set_now (bq, b < 4 ? 0 : 1, (unsigned) (b % 4), &c);
    }
    mst_mseq_reset (eq);

    memcpy (buf, src, n * 2 * sizeof (float));
    t0 = now ();
    mst_mseq_process_f32 (eq, buf, buf, n);
    t1 = now ();
    best = t1 - t0 < best ? t1 - t0 : best;
    sink += buf[n];

    memcpy (buf, src, n * 2 * sizeof (float));
    t0 = now ();
    mst_biquad_process_f32 (bq, buf, buf, n);
    t1 = now ();
    best_bq = t1 - t0 < best_bq ? t1 - t0 : best_bq;
    sink += buf[n];

    memcpy (buf, src, n * 2 * sizeof (float));
    t0 = now ();
    matrix (buf, n, w);
    t1 = now ();
    best_mx = t1 - t0 < best_mx ? t1 - t0 : best_mx;
    sink += buf[n];

    mst_mseq_free (eq);
    mst_biquad_free (bq);
  }
  printf ("mseq core, %d bells (half mid, half side), %.0f s of 48 kHz "
      "stereo, best of %d\n", bands, seconds, repeat);
  printf ("core time (best of %d): %.3f s  (%.0f M section-samples/s, "
      "%.0fx real time)\n", repeat, best, bands * (double) n / best / 1e6,
      seconds / best);
  printf ("biquad cascade alone (same sections, no matrix): %.3f s\n",
      best_bq);
  printf ("M/S matrix alone (encode + gains + decode, C): %.3f s = %.0f %% "
      "of the core time\n", best_mx, 100.0 * best_mx / best);
  {
    /* denormal guard */
    const size_t blk = 1024, nb_music = RATE / blk, nb_sil = 10 * RATE / blk;
    MstMsEq *eq = mst_mseq_new (RATE, 2);
    MstMsEqBand hp = { MST_BIQUAD_HIGH_PASS, 20.0, 0.0, 0.7071, 48,
      MST_MSEQ_SIDE, 1
    };
    double t_music = 0, t_first = 0, t_last = 0, peak = 0, m = 0;
    size_t b, j;
    int k;

    for (k = 0; k < 8; k++) {
      MstMsEqBand band = { MST_BIQUAD_BELL, 100.0 * pow (4.0, k % 4),
        k < 4 ? 2.92 : -3.10, 1.0, 12, k < 4 ? MST_MSEQ_MID : MST_MSEQ_SIDE,
        1
      };
      mst_mseq_set_band (eq, (unsigned) k, &band);
    }
    mst_mseq_set_band (eq, 8, &hp);
    mst_mseq_reset (eq);
    for (j = 0; j < nb_music * blk * 2; j++)
      m = fabs (src[j]) > m ? fabs (src[j]) : m;
    for (b = 0; b < nb_music + nb_sil; b++) {
      double t0, t1;
      if (b < nb_music)
        for (j = 0; j < 2 * blk; j++)
          buf[j] = (float) (src[b * blk * 2 + j] / m);
      else
        memset (buf, 0, 2 * blk * sizeof (float));
      t0 = now ();
      mst_mseq_process_f32 (eq, buf, buf, blk);
      t1 = now ();
      if (b < nb_music)
        t_music += t1 - t0;
      else if (b < 2 * nb_music)
        t_first += t1 - t0;
      else if (b >= nb_music + nb_sil - nb_music) {
        t_last += t1 - t0;
        for (j = 0; j < 2 * blk; j++)
          peak = fabs (buf[j]) > peak ? fabs (buf[j]) : peak;
      }
    }
    printf ("denormal guard (8 bells + 20 Hz 48 dB/oct side HP, 1 s "
        "full-scale music, 10 s silence): %.2f us per 1024-frame buffer in "
        "music, %.2f in the first, %.2f in the last second of silence "
        "(ratio %.2f); largest output in the last second: %s%g\n",
        1e6 * t_music / nb_music, 1e6 * t_first / nb_music,
        1e6 * t_last / nb_music, t_last / t_music,
        peak == 0.0 ? "exactly " : "", peak);
    mst_mseq_free (eq);
  }
  if (sink == 12345.678)
    printf ("%g\n", sink);
  free (src);
  free (buf);
  return 0;
}
