/* True-peak interpolator (dsp/truepeak.c):
 *
 * 1. Accuracy against libebur128's 49-tap Hann design (docs/conformance.md §7:
 *    4x below 96 kHz, 2x below 192 kHz).  Signal: 100 ms sine of frequency f at
 *    32 start phases, amplitude 1 between 20 ms raised-cosine fades, so the
 *    exact (continuous) peak is 1.0 = 0 dBTP.  Filter error = reading against
 *    what an ideal oversampler at the same ratio reads (the largest |tone| on
 *    its grid), so the inherent grid under-read of BS.1770-4 Annex 2
 *    Attachment 1 is not charged to the filter.  For every f up to 20 kHz our
 *    worst filter error must not exceed libebur128's (+0.005 dB for float
 *    rounding), our total error must stay within the 4x grid limit (+0.06 dB),
 *    and no reading may fall below the sample peak.  All figures are printed.
 * 2. The skip bound: for random and band-limited signals, every exact
 *    envelope value is <= g_level * max|x| + g_diff * max|dx| (truepeak.h).
 * 3. process_max with a floor returns the exact maximum whenever that is
 *    above the floor, for the same input in different chunkings.
 * 4. Envelope timing: an impulse at input sample k shows its phase-0 peak at
 *    env index k + latency (truepeak.h contract).
 * 5. The skip path never under-reads: the envelope and the maximum returned
 *    with a floor (stretches whose bound is under the floor are not
 *    interpolated) are compared with a brute-force interpolation written
 *    here in double precision from the design documented in truepeak.h
 *    (sinc with its cut-off at the input Nyquist frequency, Kaiser window
 *    beta 7, length factor * TAPS + 1, each phase normalised to unit DC
 *    gain), on random stretches at many levels and on adversarial ones
 *    (alternating signs with phase flips, full-scale steps, a single
 *    impulse, square waves at fs/4 and fs/6), with floors just under and
 *    just over their true peak.  Every envelope value must be >= the brute
 *    force (less 1e-5 for float arithmetic), and equal where it is above
 *    the floor; the maximum must be exact whenever it is above the floor.
 * 6. mst_true_peak_new_ebur128 reads what libebur128 reads (random noise,
 *    4x at 48 kHz, 2x at 96 kHz).
 * 7. Parabolic refinement (mst_true_peak_set_refine) recovers a peak the
 *    4x grid misses (see refine_grid).
 * 8. The stateless envelope and the L1 gain (see env_at_and_l1).
 * 9. The mirror-pair kernels (truepeak.c: phases p and F - p in one pass)
 *    in both widths, 16-float (AVX-512, where the CPU has it) and
 *    8-float: 5 and 8 against the brute force again, at the odd factor 3
 *    (no middle phase) and at 4, 8 and 16.
 * 10. The slope allowance (mst_true_peak_set_slope_allowance) against a
 *    brute-force maximum, and independent of call sizes.
 * 11. Companions (mst_true_peak_set_companions): one pass equals the
 *    separate interpolators merged by hand; the guide's gains against
 *    the design written here.
 */
#include <ebur128.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/simd.h"
#include "dsp/truepeak.h"
#include "mtest.h"

#define PI 3.14159265358979323846

static double
ours_peak (unsigned rate, unsigned factor, const float *x, size_t n)
{
  MstTruePeak *tp = mst_true_peak_new (1, factor);
  float zeros[64] = { 0 };
  double p = mst_true_peak_process_max (tp, 0, x, n, 0.0f);
  /* flush the interpolator so the tail is interpolated too */
  double q = mst_true_peak_process_max (tp, 0, zeros, 64, 0.0f);

  (void) rate;
  mst_true_peak_free (tp);
  return p > q ? p : q;
}

static double
ebur_peak (unsigned rate, const float *x, size_t n)
{
  ebur128_state *st = ebur128_init (1, rate, EBUR128_MODE_TRUE_PEAK);
  double p = 0.0;

  ebur128_add_frames_float (st, x, n);
  ebur128_true_peak (st, 0, &p);
  ebur128_destroy (&st);
  return p;
}

/* The test tone at continuous time t (seconds). */
static double
tone (double f, double phase, double t)
{
  /* 20 ms raised-cosine fades: no onset step to ring on */
  double fade = 1.0;

  if (t < 0.02)
    fade = 0.5 - 0.5 * cos (PI * t / 0.02);
  else if (t > 0.08)
    fade = 0.5 - 0.5 * cos (PI * (0.1 - t) / 0.02);
  return fade * sin (2.0 * PI * f * t + phase);
}

/* What an ideal F-times oversampler reads: the largest |tone| on the grid
 * of points 1/F sample apart.  The gap to 1.0 is the inherent under-read
 * of F-times oversampling (BS.1770-4 Annex 2 Attachment 1), not an error of the
 * filter. */
static double
ideal_grid_peak (unsigned rate, unsigned factor, double f, double phase,
    size_t n)
{
  double p = 0.0;
  size_t m;

  for (m = 0; m < n * factor; m++)
    p = fmax (p, fabs (tone (f, phase, (double) m / factor / rate)));
  return p;
}

static void
accuracy (unsigned rate)
{
  static const double freqs[] = { 997, 5000, 10000, 12000, 15000, 16000,
    18000, 19000, 20000
  };
  const size_t n = rate / 10;
  /* libebur128 oversamples 4x below 96 kHz, 2x below 192 kHz */
  const unsigned ebu_factor = rate < 96000 ? 4 : 2;
  float *x = malloc (sizeof (float) * n);
  size_t fi, i;
  int ph;

  for (fi = 0; fi < sizeof freqs / sizeof freqs[0]; fi++) {
    double f = freqs[fi];
    double filt_ours = 0.0, filt_ebu = 0.0, tot_ours = 0.0, tot_ebu = 0.0;
    double min_margin = INFINITY, grid_limit;

    if (f >= 0.46 * rate)
      continue;
    for (ph = 0; ph < 32; ph++) {
      double phase = 2.0 * PI * ph / 32.0, sp = 0.0, o, e;

      for (i = 0; i < n; i++) {
        x[i] = (float) tone (f, phase, (double) i / rate);
        sp = fmax (sp, fabs (x[i]));
      }
      o = ours_peak (rate, 4, x, n);
      e = ebur_peak (rate, x, n);
      filt_ours = fmax (filt_ours, fabs (20.0 * log10 (o
                  / ideal_grid_peak (rate, 4, f, phase, n))));
      filt_ebu = fmax (filt_ebu, fabs (20.0 * log10 (e
                  / ideal_grid_peak (rate, ebu_factor, f, phase, n))));
      tot_ours = fmax (tot_ours, fabs (20.0 * log10 (o)));
      tot_ebu = fmax (tot_ebu, fabs (20.0 * log10 (e)));
      min_margin = fmin (min_margin, o - sp);
    }
    /* BS.1770-4 Annex 2 Attachment 1: worst under-read of 4x sampling,
     * -20 log10 cos (pi f/4fs) */
    grid_limit = -20.0 * log10 (cos (PI * f / rate / 4.0));
    mt_diag ("%u Hz, %5.0f Hz: filter error ours %.3f dB, libebur128 %.3f dB;"
        " total ours %.3f dB, libebur128 %.3f dB (4x grid limit %.3f dB)",
        rate, f, filt_ours, filt_ebu, tot_ours, tot_ebu, grid_limit);
    mt_ok (filt_ours <= filt_ebu + 0.005, "%u Hz, %.0f Hz: our filter error "
        "%.3f dB <= libebur128's %.3f dB", rate, f, filt_ours, filt_ebu);
    mt_ok (tot_ours <= grid_limit + 0.06, "%u Hz, %.0f Hz: total error %.3f "
        "dB within the 4x grid limit %.3f dB + 0.06 dB", rate, f, tot_ours,
        grid_limit);
    mt_ok (min_margin >= 0.0, "%u Hz, %.0f Hz: reading >= sample peak "
        "(min margin %g)", rate, f, min_margin);
  }
  free (x);
}

static uint32_t rng = 777u;

static float
frand (void)
{
  rng = rng * 1664525u + 1013904223u;
  return (float) ((double) (rng >> 8) / 8388608.0 - 1.0);
}

static void
bound_holds (unsigned factor)
{
  enum { N = 4096, W = 64 };
  static float x[N], env[N];
  MstTruePeak *tp = mst_true_peak_new (1, factor);
  double gl, gd;
  size_t i, j, viol = 0;
  int kind;

  mst_true_peak_bound_gains (tp, &gl, &gd);
  for (kind = 0; kind < 3; kind++) {
    float lp = 0.0f;

    for (i = 0; i < N; i++) {
      float r = frand ();
      /* white, one-pole low-passed, alternating-sign worst case */
      lp = 0.9f * lp + 0.1f * r;
      x[i] = kind == 0 ? r : kind == 1 ? 5.0f * lp : (i & 1 ? 1.0f : -1.0f);
    }
    mst_true_peak_reset (tp);
    mst_true_peak_process_env (tp, 0, x, env, N, 0.0f);
    /* env[i] depends on x[i - TAPS + 1 .. i] */
    for (i = MST_TRUE_PEAK_TAPS; i < N; i++) {
      float m = 0.0f, d = 0.0f;

      for (j = i + 1 - MST_TRUE_PEAK_TAPS; j <= i; j++) {
        m = fmaxf (m, fabsf (x[j]));
        d = fmaxf (d, fabsf (x[j] - x[j - 1]));
      }
      if (env[i] > (gl * m + gd * d) * (1.0 + 1e-5))
        viol++;
    }
  }
  mt_ok (viol == 0, "factor %u: envelope <= g_level*M + g_diff*D "
      "(g_level %.4f, g_diff %.4f): %zu violations", factor, gl, gd, viol);
  mst_true_peak_free (tp);
  (void) W;
}

static void
floor_exact (void)
{
  enum { N = 48000 };
  static float x[N];
  double exact, got;
  float lp = 0.0f;
  size_t i, pos;
  MstTruePeak *tp;

  for (i = 0; i < N; i++) {
    lp = 0.95f * lp + 0.05f * frand ();
    x[i] = 4.0f * lp * (float) (0.2 + 0.8 * fabs (sin (i * 0.0003)));
  }
  tp = mst_true_peak_new (1, 4);
  exact = mst_true_peak_process_max (tp, 0, x, N, 0.0f);
  mst_true_peak_reset (tp);
  got = 0.0;
  for (pos = 0; pos < N;) {
    size_t m = 1 + (pos * 7919) % 1023;
    double v;

    if (m > N - pos)
      m = N - pos;
    v = mst_true_peak_process_max (tp, 0, x + pos, m, (float) got);
    got = fmax (got, v);
    pos += m;
  }
  MT_CLOSE (got, exact, 0.0, "running max with floors and odd chunks equals "
      "the exact max (%.6f)", exact);
  mst_true_peak_free (tp);
}

static void
impulse_timing (unsigned factor)
{
  enum { N = 256, K = 100 };
  float x[N] = { 0 }, env[N];
  MstTruePeak *tp = mst_true_peak_new (1, factor);
  unsigned lat = mst_true_peak_latency (tp);
  size_t i, arg = 0;

  x[K] = 1.0f;
  mst_true_peak_process_env (tp, 0, x, env, N, 0.0f);
  for (i = 0; i < N; i++)
    if (env[i] > env[arg])
      arg = i;
  mt_ok (arg == K + lat && env[arg] == 1.0f, "factor %u: impulse at %d "
      "peaks in the envelope at %zu = %d + latency %u", factor, K, arg, K, lat);
  mst_true_peak_free (tp);
}

/* Brute-force envelope: env[i] = max over phases p of |y| at input time
 * i - T/2 + p/F, from the documented design, in double precision. */
static double
bessel0 (double x)
{
  double sum = 1.0, term = 1.0, q = x * x / 4.0;
  int k;

  for (k = 1; k < 100; k++) {
    term *= q / ((double) k * k);
    sum += term;
  }
  return sum;
}

/* The documented design, phases 1 .. F - 1 of T taps each (t: the tap
 * of x[i - t]), each normalised to unit DC gain. */
static void
design_phases (unsigned F, unsigned T, double h[][64])
{
  const unsigned N = F * T;
  unsigned p, t;

  for (p = 1; p < F; p++) {
    double dc = 0.0;

    for (t = 0; t < T; t++) {
      double k = p + (double) F * t, m = k - N / 2.0;
      double r = 2.0 * k / N - 1.0;
      double w = bessel0 (7.0 * sqrt (fmax (0.0, 1.0 - r * r))) / bessel0 (7.0);

      h[p][t] = (m == 0.0 ? 1.0 : sin (PI * m / F) / (PI * m / F)) * w;
      dc += h[p][t];
    }
    for (t = 0; t < T; t++)
      h[p][t] /= dc;
  }
}

static void
brute_env (unsigned F, const float *x, size_t n, double *env)
{
  enum { T = MST_TRUE_PEAK_TAPS };
  double h[MST_TRUE_PEAK_MAX_FACTOR][64];
  unsigned p, t;
  size_t i;

  design_phases (F, T, h);
  for (i = 0; i < n; i++) {
    /* phase 0: the input T/2 samples back; phase p: sum_t h[t] x[i - t] */
    double e = i >= T / 2 ? fabs ((double) x[i - T / 2]) : 0.0;

    for (p = 1; p < F; p++) {
      double y = 0.0;

      for (t = 0; t < T && t <= i; t++)
        y += h[p][t] * x[i - t];
      e = fmax (e, fabs (y));
    }
    env[i] = e;
  }
}

/* 8. The stateless envelope (mst_true_peak_env_at) against the brute
 * force, period by period, and the L1 gain (mst_true_peak_l1_gain: the
 * limiter bounds a reading of x by the reading of L plus it times
 * max |x - L|) against the largest sum of |taps| of the design written
 * here.  The L1 gain is the tight bound: a perturbation of size d with
 * the signs of a phase's taps moves that phase by exactly d * sum |taps|,
 * so it may not be smaller, and is checked to be no larger than 1e-5
 * over. */
static void
env_at_and_l1 (unsigned F)
{
  enum { N = 1024, T = MST_TRUE_PEAK_TAPS };
  static float x[N], env[N];
  static double ref[N];
  MstTruePeak *tp = mst_true_peak_new (1, F);
  const unsigned M = F * T;
  const size_t s = T, n = N - 2 * T;
  double worst = 0.0, l1 = 1.0;
  unsigned p, t;
  size_t i;

  for (i = 0; i < N; i++)
    x[i] = (float) (frand () * (i < N / 2 ? 1.0 : 0.01));
  brute_env (F, x, N, ref);
  mst_true_peak_env_at (tp, x + s, env, n);
  for (i = 0; i < n; i++)
    worst = fmax (worst, fabs (env[i] - ref[s + i + T / 2]));
  mt_ok (worst <= 2e-6, "%ux: env_at equals the brute-force envelope "
      "(worst difference %.2g)", F, worst);
  for (p = 1; p < F; p++) {
    double h[T], dc = 0.0, a = 0.0;

    for (t = 0; t < T; t++) {
      double k = p + (double) F * t, m = k - M / 2.0;
      double r = 2.0 * k / M - 1.0;
      double w = bessel0 (7.0 * sqrt (fmax (0.0, 1.0 - r * r))) / bessel0 (7.0);

      h[t] = (m == 0.0 ? 1.0 : sin (PI * m / F) / (PI * m / F)) * w;
      dc += h[t];
    }
    for (t = 0; t < T; t++)
      a += fabs (h[t] / dc);
    l1 = fmax (l1, a);
  }
  mt_ok (mst_true_peak_l1_gain (tp) >= l1 * (1.0 - 1e-7)
      && mst_true_peak_l1_gain (tp) <= l1 * (1.0 + 1e-5),
      "%ux: L1 gain %.6f = the design's largest sum of |taps| %.6f", F,
      mst_true_peak_l1_gain (tp), l1);
  mst_true_peak_free (tp);
}

static void
skip_never_underreads (unsigned F)
{
  enum { N = 2048 };
  static float x[N], env[N];
  static double ref[N];
  size_t i, under = 0, inexact = 0, max_wrong = 0, cases = 0;
  int kind;

  for (kind = 0; kind < 40; kind++) {
    double lvl = pow (10.0, -(kind % 8) * 3.0 / 20.0), peak = 0.0;
    int fl;

    for (i = 0; i < N; i++) {
      switch (kind / 8) {
        case 0:                /* white noise */
          x[i] = (float) (lvl * frand ());
          break;
        case 1:                /* alternating signs, flip every 3 + kind */
          x[i] = (float) (lvl * ((i & 1) ? -1 : 1)
              * (((i / (3 + kind % 8)) & 1) ? -1 : 1));
          break;
        case 2:                /* full-scale steps every 37 samples */
          x[i] = (float) (lvl * (((i / 37) & 1) ? 1.0 : -1.0));
          break;
        case 3:                /* an impulse in silence, and noise after */
          x[i] = (float) (i == 700 ? lvl : (i > 1500 ? 0.3 * lvl * frand ()
                  : 0.0));
          break;
        default:               /* squares at fs/4 and fs/6 */
          x[i] = (float) (lvl * (((i / (kind % 2 ? 2 : 3)) & 1) ? 1 : -1)
              * (i > 1000 ? 0.5 : 1.0));
          break;
      }
    }
    brute_env (F, x, N, ref);
    for (i = 0; i < N; i++)
      peak = fmax (peak, ref[i]);
    for (fl = 0; fl < 3; fl++) {
      /* floors: 0 (exact), just under and just over the true peak */
      const float floor_ = (float) (fl == 0 ? 0.0 : peak * (fl == 1 ? 0.98
              : 1.02));
      MstTruePeak *tp = mst_true_peak_new (1, F);
      MstTruePeak *tq = mst_true_peak_new (1, F);
      float mx = 0.0f;
      size_t pos = 0;

      /* odd chunk sizes, so stretches straddle calls */
      while (pos < N) {
        size_t m = N - pos < 300 ? N - pos : 300;
        float r;

        mst_true_peak_process_env (tp, 0, x + pos, env + pos, m, floor_);
        r = mst_true_peak_process_max (tq, 0, x + pos, m, floor_);
        mx = r > mx ? r : mx;
        pos += m;
      }
      for (i = 0; i < N; i++) {
        if (env[i] < ref[i] * (1.0 - 1e-5) - 1e-9)
          under++;
        if (env[i] > floor_ && fabs (env[i] - ref[i]) > 1e-5 * ref[i] + 1e-9)
          inexact++;
      }
      if (peak > floor_ * 1.0001 && fabs (mx - peak) > 1e-5 * peak)
        max_wrong++;
      cases++;
      mst_true_peak_free (tp);
      mst_true_peak_free (tq);
    }
  }
  mt_ok (under == 0, "factor %u, %zu stretches x floors: envelope with the "
      "skip never under the brute-force interpolation (%zu values under)",
      F, cases, under);
  mt_ok (inexact == 0, "factor %u: envelope exact where above the floor "
      "(%zu values off)", F, inexact);
  mt_ok (max_wrong == 0, "factor %u: process_max exact when the peak is "
      "above the floor (%zu wrong)", F, max_wrong);
}

/* mst_true_peak_new_ebur128 reads what libebur128 reads: random
 * full-band noise (then silence, so that both flush), at 48 kHz (4x) and
 * 96 kHz (2x); the same float input, within float rounding. */
static void
ebur128_replica (unsigned rate)
{
  enum { N = 9600, Z = 64 };
  static float x[N + Z];
  MstTruePeak *tp = mst_true_peak_new_ebur128 (1, rate);
  ebur128_state *st = ebur128_init (1, rate, EBUR128_MODE_TRUE_PEAK);
  double ours, theirs;
  int k;

  for (k = 0; k < 4; k++) {
    size_t i;

    for (i = 0; i < N; i++)
      x[i] = 0.8f * frand ();
    memset (x + N, 0, sizeof (float) * Z);
    mst_true_peak_reset (tp);
    ours = mst_true_peak_process_max (tp, 0, x, N + Z, 0.0f);
    ebur128_add_frames_float (st, x, N + Z);
    ebur128_true_peak (st, 0, &theirs);
    MT_CLOSE (ours, theirs, 2e-6 * theirs, "libebur128 replica at %u Hz "
        "(draw %d): %.7f", rate, k, theirs);
    ebur128_destroy (&st);
    st = ebur128_init (1, rate, EBUR128_MODE_TRUE_PEAK);
  }
  ebur128_destroy (&st);
  mst_true_peak_free (tp);
}

/* mst_true_peak_set_refine: a sine at 0.4 fs of peak 1 (its period is 10
 * points of the 4x grid, so its peaks and troughs keep their place between
 * the points), shifted by 0 .. 7/32 samples, reads within 0.07 dB of 1
 * refined (the grid alone: up to 0.44 dB under, peaks halfway between two
 * points), never below the plain reading, and the skip path (a floor)
 * does not lose the refined peak. */
#define F0 0.4
static void
refine_grid (void)
{
  enum { N = 4800 };
  static float x[N];
  float e0[N], e1[N], e2[N];
  double worst = 1.0, plain = 1.0;
  int ph;

  for (ph = 0; ph < 8; ph++) {
    MstTruePeak *a = mst_true_peak_new_taps (1, 4, 48);
    MstTruePeak *b = mst_true_peak_new_taps (1, 4, 48);
    MstTruePeak *c = mst_true_peak_new_taps (1, 4, 48);
    float m0 = 0.0f, m1 = 0.0f, m2 = 0.0f;
    size_t i, below = 0;

    for (i = 0; i < N; i++)
      x[i] = (float) (sin (2.0 * PI * F0 * (i - ph / 32.0) + PI / 2)
          * (i < 480 ? 0.5 - 0.5 * cos (PI * i / 480.0) : 1.0));
    mst_true_peak_set_refine (b, 1);
    mst_true_peak_set_refine (c, 1);
    mst_true_peak_process_env (a, 0, x, e0, N, 0.0f);
    mst_true_peak_process_env (b, 0, x, e1, N, 0.0f);
    mst_true_peak_process_env (c, 0, x, e2, N, 0.999f);
    for (i = 1000; i < N; i++) {
      m0 = e0[i] > m0 ? e0[i] : m0;
      m1 = e1[i] > m1 ? e1[i] : m1;
      m2 = e2[i] > m2 ? e2[i] : m2;
      below += e1[i] < e0[i];
    }
    mt_ok (below == 0, "refined envelope never below the plain one "
        "(phase %d: %zu below)", ph, below);
    mt_ok (m2 >= m1, "refined with a floor: %.6f >= %.6f", m2, m1);
    worst = fmin (worst, m1);
    plain = fmin (plain, m0);
    mst_true_peak_free (a);
    mst_true_peak_free (b);
    mst_true_peak_free (c);
  }
  printf ("# 0.4 fs sine, 4x, 48 taps: worst plain %.3f dB, refined "
      "%.3f dB\n", 20.0 * log10 (plain), 20.0 * log10 (worst));
  mt_ok (20.0 * log10 (plain) < -0.3, "plain reading of it under-reads "
      "(%.3f dB)", 20.0 * log10 (plain));
  mt_ok (20.0 * log10 (worst) > -0.07, "refined reading of a 0.4 fs sine "
      "within 0.07 dB (%.3f dB)", 20.0 * log10 (worst));
}

/* mst_true_peak_set_slope_allowance: every envelope value carries k
 * times the largest |x[j] - x[j-1]| from T - 1 samples before its
 * aligned block of 128 up to its own sample (computed here by brute
 * force), whatever the call sizes (whole, 1 sample, 37 samples). */
static void
slope_allowance (void)
{
  enum { N = 1024, T = MST_TRUE_PEAK_TAPS };
  static float x[N], e0[N], e1[N], e2[N];
  const double k = 0.01;
  const size_t sizes[3] = { N, 1, 37 };
  double worst = 0.0, worst_chunk = 0.0;
  size_t i, r;

  for (i = 0; i < N; i++)
    x[i] = (float) (frand () * (i % 300 < 150 ? 1.0 : 0.05));
  {
    MstTruePeak *tp = mst_true_peak_new (1, 4);

    mst_true_peak_process_env (tp, 0, x, e0, N, 0.0f);
    mst_true_peak_free (tp);
  }
  for (r = 0; r < 3; r++) {
    MstTruePeak *tp = mst_true_peak_new (1, 4);

    mst_true_peak_set_slope_allowance (tp, k);
    for (i = 0; i < N; i += sizes[r]) {
      const size_t m = N - i < sizes[r] ? N - i : sizes[r];

      mst_true_peak_process_env (tp, 0, x + i, (r ? e2 : e1) + i, m, 0.0f);
    }
    mst_true_peak_free (tp);
    if (r)
      for (i = 0; i < N; i++)
        worst_chunk = fmax (worst_chunk, fabs (e2[i] - e1[i]));
  }
  for (i = 0; i < N; i++) {
    const long b0 = (long) (i / 128) * 128;
    double sl = 0.0;
    long jj;

    for (jj = b0 - (T - 2); jj <= (long) i; jj++) {
      const double a = jj >= 0 ? x[jj] : 0.0, p = jj >= 1 ? x[jj - 1] : 0.0;

      sl = fmax (sl, fabs (a - p));
    }
    worst = fmax (worst, fabs ((e1[i] - e0[i]) - k * sl));
  }
  mt_ok (worst <= 1e-6, "slope allowance: each value carries k x the "
      "largest step in its block's reach (worst difference %.2g)", worst);
  mt_ok (worst_chunk == 0.0, "slope allowance: the same for calls of 1 and "
      "37 samples (worst difference %.2g)", worst_chunk);
}

/* Companions: one process_env of the long interpolator with the meter's
 * and libebur128's as companions writes what the three write separately,
 * the companions' envelopes delayed to the long one's latency and merged
 * by max: bit for bit wherever either is over the floor, and no more
 * than the floor elsewhere (the companions' stretches are the long one's,
 * not their own, so they skip elsewhere); with refinement and slope
 * allowance on, floors 0 and mid-level, calls of odd sizes; at 48 kHz
 * (all factor 4) and 96 kHz (libebur128's factor 2, not mirrored). */
static void
companions (unsigned rate)
{
  enum { N = 6000 };
  static float x[N], merged[N], sep[N], part[3][N + 64];
  const float floors[2] = { 0.0f, 0.6f };
  MstTruePeak *tp = mst_true_peak_new_taps (1, 4, 48);
  MstTruePeak *solo = mst_true_peak_new_taps (1, 4, 48);
  MstTruePeak *m[2];
  unsigned k, f;
  size_t i, wrong = 0, exact_over = 0;

  m[0] = mst_true_peak_new (1, 4);
  m[1] = mst_true_peak_new_ebur128 (1, rate);
  mt_ok (mst_true_peak_set_companions (tp, m, 2), "%u Hz: companions "
      "accepted", rate);
  mt_ok (!mst_true_peak_set_companions (m[0], &tp, 1), "a companion "
      "longer than the interpolator is refused");
  for (f = 0; f < 2; f++) {
    float lp = 0.0f;

    for (i = 0; i < N; i++) {
      /* loud and quiet white noise, low-passed noise, a Nyquist run and
       * sines at 0.45 and 0.47 fs just over the floor of 0.6, which the
       * meter's interpolator reads well under it and the long one over
       * it (the guide's bound must not skip them) */
      const float r = frand ();

      lp = 0.8f * lp + 0.2f * r;
      switch ((i / 500) % 6) {
        case 0: x[i] = r; break;
        case 1: x[i] = 0.2f * r; break;
        case 2: x[i] = 3.0f * lp; break;
        case 3: x[i] = i & 1 ? 0.9f : -0.9f; break;
        case 4: x[i] = 0.62f * (float) sin (2.0 * M_PI * 0.45 * i + 0.3);
          break;
        default: x[i] = 0.61f * (float) sin (2.0 * M_PI * 0.47 * i + 0.7);
      }
    }
    mst_true_peak_reset (tp);
    mst_true_peak_reset (solo);
    mst_true_peak_set_refine (tp, 1);
    mst_true_peak_set_refine (solo, 1);
    mst_true_peak_set_slope_allowance (tp, 0.0125);
    mst_true_peak_set_slope_allowance (solo, 0.0125);
    for (k = 0; k < 2; k++)
      mst_true_peak_reset (m[k]);
    for (i = 0; i < N;) {
      const size_t n = (i * 7 + 13) % 301 + 1 < N - i
          ? (i * 7 + 13) % 301 + 1 : N - i;

      mst_true_peak_process_env (tp, 0, x + i, merged + i, n, floors[f]);
      mst_true_peak_process_env (solo, 0, x + i, part[0] + i, n, floors[f]);
      for (k = 0; k < 2; k++)
        mst_true_peak_process_env (m[k], 0, x + i, part[1 + k] + i, n,
            floors[f]);
      i += n;
    }
    for (i = 0; i < N; i++) {
      float v = part[0][i];

      for (k = 0; k < 2; k++) {
        const size_t d = mst_true_peak_latency (solo)
            - mst_true_peak_latency (m[k]);
        const float e = i >= d ? part[1 + k][i - d] : 0.0f;

        v = e > v ? e : v;
      }
      sep[i] = v;
      if (merged[i] > floors[f] || sep[i] > floors[f])
        wrong += merged[i] != sep[i];
      else
        wrong += merged[i] > floors[f];
      exact_over += merged[i] > floors[f];
    }
    mt_ok (wrong == 0 && exact_over > N / 4, "%u Hz, floor %.1f: the "
        "merged envelope equals the three merged by hand over the floor, "
        "is at most the floor elsewhere (%zu of %d wrong; %zu over the "
        "floor)", rate, floors[f], wrong, N, exact_over);
    wrong = exact_over = 0;
  }
  mst_true_peak_free (tp);
  mst_true_peak_free (solo);
  for (k = 0; k < 2; k++)
    mst_true_peak_free (m[k]);
}

/* The guide's gains (mst_true_peak_guide_gains): the long interpolator
 * (48 taps) against the meter's (16) at 4x, from the design written here
 * (design_phases): phase p's difference filter d (the
 * meter's taps centred in the long one's), its sum D and the sum of
 * |partial sums| K; the library's must match (a K too small would let
 * the guide skip readings over the floor).  Also: a companion of another
 * factor is no guide. */

static void
guide_gains (void)
{
  double hl[4][64], hm[4][64], dc = 0.0, k = 0.0, got_dc, got_k;
  MstTruePeak *tp = mst_true_peak_new_taps (1, 4, 48);
  MstTruePeak *m = mst_true_peak_new (1, 4);
  MstTruePeak *m2 = mst_true_peak_new (1, 2);
  unsigned p, t;
  int has;

  design_phases (4, 48, hl);
  design_phases (4, 16, hm);
  for (p = 1; p < 4; p++) {
    double D = 0.0, sum = 0.0;

    for (t = 0; t < 48; t++) {
      D += hl[p][t] - (t >= 16 && t < 32 ? hm[p][t - 16] : 0.0);
      if (t + 1 < 48)
        sum += fabs (D);
    }
    dc = fmax (dc, fabs (D));
    k = fmax (k, sum);
  }
  mt_ok (!mst_true_peak_guide_gains (tp, &got_dc, &got_k), "no guide "
      "without companions");
  mst_true_peak_set_companions (tp, &m2, 1);
  mt_ok (!mst_true_peak_guide_gains (tp, &got_dc, &got_k), "a companion "
      "of another factor is no guide");
  mst_true_peak_set_companions (tp, &m, 1);
  got_dc = got_k = -1.0;
  has = mst_true_peak_guide_gains (tp, &got_dc, &got_k);
  mt_ok (has && fabs (got_k - k) <= 1e-5 && got_dc <= dc + 1e-5, "guide gains: "
      "k %.6f (design: %.6f), dc %.2g (design: %.2g)", got_k, k, got_dc,
      dc);
  mst_true_peak_free (tp);
  mst_true_peak_free (m);
  mst_true_peak_free (m2);
}

int
main (void)
{
  int wide;

  accuracy (44100);
  accuracy (48000);
  accuracy (96000);
  bound_holds (2);
  bound_holds (4);
  bound_holds (8);
  floor_exact ();
  skip_never_underreads (2);
  skip_never_underreads (4);
  skip_never_underreads (8);
  impulse_timing (1);
  impulse_timing (2);
  impulse_timing (4);
  impulse_timing (8);
  ebur128_replica (48000);
  ebur128_replica (96000);
  refine_grid ();
  env_at_and_l1 (2);
  env_at_and_l1 (4);
  env_at_and_l1 (8);
  /* the mirror-pair kernels (phases p and F - p in one pass, an odd
   * factor has no middle phase) in both widths: the 16-float ones run
   * where the CPU has AVX-512, the 8-float ones everywhere else */
  for (wide = 1; wide >= 0; wide--) {
    mst_simd_set_wide (wide);
    mt_diag ("%s kernels (%s on this CPU)\n", wide ? "wide" : "8-float",
        mst_simd_wide () ? "wide" : "8-float");
    skip_never_underreads (3);
    env_at_and_l1 (3);
    env_at_and_l1 (16);
    if (!wide) {
      accuracy (48000);
      skip_never_underreads (4);
      skip_never_underreads (8);
      ebur128_replica (48000);
      refine_grid ();
      env_at_and_l1 (4);
      env_at_and_l1 (8);
    }
  }
  mst_simd_set_wide (1);
  slope_allowance ();
  companions (48000);
  companions (96000);
  guide_gains ();
  return mt_done ();
}
