/* gst-mastering — true-peak limiter core tests (docs/conformance.md §8)
 *
 * Expectations and where they come from:
 * - zero overs (docs/conformance.md §8): the output's true peak, measured with
 *   the meter core (BS.1770 Annex 2, 4x) is <= the ceiling, and with a
 *   16x oversampled reference (MstTruePeak factor 16) <= ceiling + 0.3 dB
 *   (R 128 true-peak tolerance, docs/conformance.md §7); the safety clamp does
 *   not act.
 * - transparency: a signal whose true peak is under the ceiling comes out
 *   bit-exact, delayed by mst_limiter_latency ().
 * - a 1 kHz sine 6 dB over the ceiling settles to a sine whose true peak
 *   is the ceiling (within 0.1 dB) with THD+N < -40 dB (least-squares sine
 *   fit: residual / fundamental).
 * - timing: the cross-correlation of output and input peaks at exactly
 *   the reported latency.
 * - gain shape: never above what the signal needs, no steps (per-sample
 *   change bounded by the attack ramp: full reduction over the attack
 *   blocks), release towards 1 with the release time constant.
 * - control changes (ceiling, input gain, link) while running: no overs,
 *   no safety clips, no clicks.
 * - NaN / Inf in: finite out, counted.
 * - release time constant: after a loud stretch of DC the gain (output /
 *   input on a quiet DC carrier, exact in F64) recovers as
 *   1 - g(t) = (1 - g0) exp (-t / release) (a one-pole release, the
 *   definition of the time constant); measured from the 50 % to the 10 %
 *   point of the recovery at 5, 50 and 500 ms, within 10 %.
 * - hold around a peak: the gain is flat at its minimum from half the
 *   detector's interpolation filter (MST_LIMITER_DETECTOR_TAPS / 2 samples)
 *   before to as many after an isolated peak, wherever the peak falls in
 *   the gain computer's blocks (the sliding minimum's window covers the
 *   whole look-ahead plus these extensions; one block less lets the gain
 *   rise inside the filter's reach).
 * - safety clamp: with the detector made to under-read (testing hook), the
 *   clamp keeps every output sample within the ceiling and counts exactly
 *   the samples it changed (those now at +-ceiling).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/limiter.h"
#include "dsp/simd.h"
#include "dsp/truepeak.h"
#include "dsp/util.h"
#include "meterpeak.h"
#include "mtest.h"
#include "refpeak.h"
#include "signals.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

static double
db (double lin)
{
  return 20.0 * log10 (lin);
}

static double
undb (double d)
{
  return pow (10.0, d / 20.0);
}

/* Runs x (n frames, interleaved) through lim and returns the n output
 * frames that correspond to the input frames (the latency skipped by
 * feeding latency frames of silence after the input).  Processes in
 * chunks of `chunk` frames (0: one call). */
static float *
run_f32 (MstLimiter * lim, const float *x, size_t n, size_t chunk)
{
  unsigned C = mst_limiter_channels (lim);
  size_t L = mst_limiter_latency (lim);
  size_t total = n + L, pos = 0;
  float *in = calloc (total * C, sizeof (float));
  float *out = malloc (total * C * sizeof (float));
  float *y = malloc ((n ? n : 1) * C * sizeof (float));

  memcpy (in, x, n * C * sizeof (float));
  if (chunk == 0)
    chunk = total;
  while (pos < total) {
    size_t m = total - pos < chunk ? total - pos : chunk;

    mst_limiter_process_f32 (lim, in + pos * C, out + pos * C, m);
    pos += m;
  }
  memcpy (y, out + L * C, n * C * sizeof (float));
  free (in);
  free (out);
  return y;
}

static float *
to_f32 (const MtsBuf * b)
{
  return mts_to_f32 (b, 0, b->frames);
}

/* ---- zero overs -------------------------------------------------------- */

/* Limits x with the given settings and checks the three over criteria. */
static void
check_overs (const char *name, const float *x, size_t n, unsigned C,
    unsigned rate, unsigned os, double ceiling_db, double gain_db,
    int linked, double lookahead_ms)
{
  MstLimiter *lim = mst_limiter_new (rate, C, os, lookahead_ms);
  float *y;
  double t4, t16;

  mst_limiter_set_ceiling (lim, ceiling_db);
  mst_limiter_set_input_gain (lim, gain_db);
  mst_limiter_set_linked (lim, linked);
  y = run_f32 (lim, x, n, 1000);
  t4 = db (mtp_meter (y, n, C, rate));
  t16 = db (mtp_16x (y, n, C));
  mt_diag ("%s: %u Hz %ux %s %.1f ms, in %+.2f dBTP(16x) + %.1f dB, out "
      "%.3f dBTP (4x meter) %.3f dBTP (16x), safety clips %llu", name, rate,
      os, linked ? "linked" : "unlinked", lookahead_ms,
      db (mtp_16x (x, n, C)), gain_db, t4,
      t16, (unsigned long long) mst_limiter_safety_clips (lim));
  mt_ok (t4 <= ceiling_db + 1e-9, "%s (%u Hz, %ux, %.1f ms): 4x meter true "
      "peak %.4f <= ceiling %.2f dBTP", name, rate, os, lookahead_ms, t4,
      ceiling_db);
  mt_ok (t16 <= ceiling_db + 0.3, "%s (%u Hz, %ux): 16x true peak %.4f <= "
      "ceiling + 0.3 dB", name, rate, os, t16);
  mt_ok (mst_limiter_safety_clips (lim) == 0, "%s (%u Hz, %ux): safety "
      "stage idle (%llu)", name, rate, os,
      (unsigned long long) mst_limiter_safety_clips (lim));
  free (y);
  mst_limiter_free (lim);
}

/* The signal set of the limiter tests (docs/conformance.md §8), stereo, at
 * `rate`, appended to b: each item is a separate MtsBuf so that names can be
 * printed. */
typedef struct
{
  const char *name;
  MtsBuf *b;
  double gain_db;
} Sig;

static void
sig_free (Sig * s, int n)
{
  int i;

  for (i = 0; i < n; i++)
    mts_buf_free (s[i].b);
}

static void
hard_clip (MtsBuf * b, double lim)
{
  size_t i;

  for (i = 0; i < b->frames * b->channels; i++)
    b->data[i] = fmax (-lim, fmin (lim, b->data[i]));
}

static int
make_signals (Sig * s, unsigned rate)
{
  const unsigned C = 2;
  MtsRng rng;
  int k = 0;
  size_t n = mts_frames (2.0, rate), i;
  unsigned c;
  double *f;

  mts_rng_seed (&rng, 4);

  /* fs/4 at 45 degrees: samples at +-A/sqrt2, true peak A (BS.1770-4 Annex 2
   * Attachment 1, Tech 3341 cases 16/17).  A = 1 and A = sqrt 2 (samples at 0
   * dBFS). */
  s[k].name = "fs/4 45deg A=1";
  s[k].b = mts_buf_new (rate, C);
  mts_tp_tone (s[k].b, 4, 1.0, 45.0, n, 0);
  s[k++].gain_db = 0.0;
  s[k].name = "fs/4 45deg A=sqrt2";
  s[k].b = mts_buf_new (rate, C);
  mts_tp_tone (s[k].b, 4, M_SQRT2, 45.0, n, 0);
  s[k++].gain_db = 0.0;

  /* hard-clipped sawtooth, 997 Hz, driven 12 dB into the clipper */
  s[k].name = "clipped saw";
  s[k].b = mts_buf_new (rate, C);
  f = mts_append (s[k].b, n);
  for (i = 0; i < n; i++) {
    double ph = fmod (997.0 * i / rate, 1.0);

    for (c = 0; c < C; c++)
      f[i * C + c] = 4.0 * (2.0 * ph - 1.0);
  }
  hard_clip (s[k].b, 1.0);
  s[k++].gain_db = 0.0;

  /* hard-clipped white noise (RMS 0 dBFS before clipping at 1.0) */
  s[k].name = "clipped noise";
  s[k].b = mts_buf_new (rate, C);
  mts_white_noise (s[k].b, &rng, 0.0, 2.0, 0);
  hard_clip (s[k].b, 1.0);
  s[k++].gain_db = 0.0;

  /* alternating-sign patterns: +1 -1 (fs/2), +1 +1 -1 -1 (fs/4 at 45
   * degrees, true peak sqrt 2), and +1 -1 +1 bursts in silence */
  s[k].name = "alternating +-";
  s[k].b = mts_buf_new (rate, C);
  f = mts_append (s[k].b, n);
  for (i = 0; i < n; i++)
    for (c = 0; c < C; c++)
      f[i * C + c] = (i & 1) ? -1.0 : 1.0;
  s[k++].gain_db = 0.0;
  s[k].name = "alternating ++--";
  s[k].b = mts_buf_new (rate, C);
  f = mts_append (s[k].b, n);
  for (i = 0; i < n; i++)
    for (c = 0; c < C; c++)
      f[i * C + c] = (i & 2) ? -1.0 : 1.0;
  s[k++].gain_db = 0.0;
  s[k].name = "alternating bursts";
  s[k].b = mts_buf_new (rate, C);
  f = mts_append (s[k].b, n);
  for (i = 0; i < n; i++) {
    size_t ph = i % 997;

    for (c = 0; c < C; c++)
      f[i * C + c] = ph < 7 ? ((ph & 1) ? -1.0 : 1.0) : 0.0;
  }
  s[k++].gain_db = 0.0;

  /* transients: single full-scale clicks, a click pair, and a loud
   * 3 kHz tone burst switched on abruptly out of silence */
  s[k].name = "transients";
  s[k].b = mts_buf_new (rate, C);
  f = mts_append (s[k].b, n);
  for (i = 0; i < n; i++) {
    size_t ph = i % (rate / 5);

    for (c = 0; c < C; c++) {
      double v = 0.0;

      if (ph == 100)
        v = 1.0;
      else if (ph == 2000 || ph == 2001)
        v = c ? -1.0 : 1.0;
      else if (ph >= 4000 && ph < 4000 + rate / 50)
        v = 1.9 * sin (2.0 * M_PI * 3000.0 * (ph - 4000) / rate + 1.0);
      f[i * C + c] = v;
    }
  }
  s[k++].gain_db = 0.0;

  /* music-like: pink noise with a beat-like envelope, normalised to a
   * 0 dBFS sample peak, then +12 dB of input gain */
  s[k].name = "music-like +12 dB";
  s[k].b = mts_buf_new (rate, C);
  mts_pink_noise (s[k].b, &rng, -14.0, 4.0, 0);
  f = s[k].b->data;
  for (i = 0; i < s[k].b->frames; i++) {
    double t = (double) i / rate;
    double e = 0.3 + 0.7 * exp (-8.0 * fmod (t, 0.5));

    for (c = 0; c < C; c++)
      f[i * C + c] *= e;
  }
  mts_gain (s[k].b, -1, 0, s[k].b->frames, 1.0 / mts_peak (s[k].b, -1));
  s[k++].gain_db = 12.0;
  return k;
}

static void
test_overs (void)
{
  static const unsigned rates[] = { 48000, 44100, 96000 };
  unsigned r;

  for (r = 0; r < sizeof rates / sizeof rates[0]; r++) {
    Sig s[16];
    int n = make_signals (s, rates[r]), i;

    for (i = 0; i < n; i++) {
      float *x = to_f32 (s[i].b);

      check_overs (s[i].name, x, s[i].b->frames, 2, rates[r], 4, -1.0,
          s[i].gain_db, 1, 5.0);
      if (rates[r] == 48000) {
        check_overs (s[i].name, x, s[i].b->frames, 2, rates[r], 8, -1.0,
            s[i].gain_db, 0, 5.0);
      }
      free (x);
    }
    sig_free (s, n);
  }
}

/* The shortest look-aheads at low rates: a look-ahead of a few samples
 * would leave the gain a step inside the detector's reach (a 0.5 ms request
 * at 8 kHz is 4 samples), so the core stretches it to a minimum number of
 * samples; the output must still meet the ceiling on the meter. */
static void
test_short_lookahead (void)
{
  static const unsigned rates[] = { 8000, 11025, 22050, 48000 };
  static const double la[] = { 0.5, 1.0, 2.0 };
  unsigned r, j;

  for (r = 0; r < sizeof rates / sizeof rates[0]; r++) {
    Sig s[16];
    int n = make_signals (s, rates[r]), i;

    for (i = 0; i < n; i++) {
      float *x;

      if (strcmp (s[i].name, "music-like +12 dB") != 0
          && strcmp (s[i].name, "clipped noise") != 0)
        continue;
      x = to_f32 (s[i].b);
      for (j = 0; j < sizeof la / sizeof la[0]; j++)
        check_overs (s[i].name, x, s[i].b->frames, 2, rates[r], 4, -1.0,
            s[i].gain_db + 20.0, 1, la[j]);
      free (x);
    }
    sig_free (s, n);
  }
}

/* ---- transparency, timing --------------------------------------------- */

static void
test_transparency (void)
{
  const unsigned rate = 48000, C = 2;
  MtsBuf *b = mts_buf_new (rate, C);
  MtsRng rng;
  MstLimiter *lim = mst_limiter_new (rate, C, 4, 5.0);
  float *x, *y;
  double *xd, *yd, *ind, *outd;
  size_t n, i, diff = 0, L;

  /* pink noise, true peak scaled to -1.5 dBTP: under the -1 dBTP ceiling */
  mts_rng_seed (&rng, 7);
  mts_pink_noise (b, &rng, -20.0, 3.0, 0);
  n = b->frames;
  x = to_f32 (b);
  mts_gain (b, -1, 0, n, undb (-1.5) / mtp_16x (x, n, C));
  free (x);
  x = to_f32 (b);
  y = run_f32 (lim, x, n, 333);
  for (i = 0; i < n * C; i++)
    diff += memcmp (&x[i], &y[i], sizeof (float)) != 0;
  mt_ok (diff == 0, "transparency f32: %zu of %zu samples differ "
      "(bit-exact after the delay)", diff, n * C);
  mt_ok (mst_limiter_take_min_gain (lim) == 1.0, "no gain reduction "
      "reported under the ceiling");

  /* same in F64 */
  L = mst_limiter_latency (lim);
  mst_limiter_reset (lim);
  xd = mts_to_f64 (b, 0, n);
  ind = calloc ((n + L) * C, sizeof (double));
  outd = malloc ((n + L) * C * sizeof (double));
  memcpy (ind, xd, n * C * sizeof (double));
  mst_limiter_process_f64 (lim, ind, outd, n + L);
  yd = outd + L * C;
  diff = 0;
  for (i = 0; i < n * C; i++)
    diff += memcmp (&xd[i], &yd[i], sizeof (double)) != 0;
  mt_ok (diff == 0, "transparency f64: %zu of %zu samples differ", diff,
      n * C);
  for (i = 0; i < L * C; i++)
    if (outd[i] != 0.0)
      break;
  mt_ok (i == L * C, "the first latency (%zu) frames after reset are "
      "silence", L);
  free (xd);
  free (ind);
  free (outd);
  free (x);
  free (y);
  mts_buf_free (b);
  mst_limiter_free (lim);
}

/* Cross-correlation of output against input: peak at the latency. */
static void
test_timing (void)
{
  const unsigned rates[] = { 44100, 48000, 96000 };
  const double looks[] = { 1.0, 5.0, 20.0 };
  unsigned r, l;

  for (r = 0; r < 3; r++) {
    for (l = 0; l < 3; l++) {
      const unsigned rate = rates[r];
      MstLimiter *lim = mst_limiter_new (rate, 1, 4, looks[l]);
      size_t L = mst_limiter_latency (lim), n = rate / 2, i, lag, best = 0;
      float *in = calloc (n, sizeof (float)), *out = malloc (n * 4);
      MtsRng rng;
      double bestv = -1.0;

      mts_rng_seed (&rng, 11 + r);
      for (i = 0; i < n / 2; i++)
        in[i] = (float) (0.3 * mts_rng_uniform (&rng));
      mst_limiter_process_f32 (lim, in, out, n);
      for (lag = 0; lag < 4 * L + 64 && lag < n / 2; lag++) {
        double acc = 0.0;

        for (i = 0; i + lag < n; i++)
          acc += (double) in[i] * out[i + lag];
        if (acc > bestv) {
          bestv = acc;
          best = lag;
        }
      }
      mt_ok (best == L, "%u Hz lookahead %.0f ms: cross-correlation peak "
          "at %zu samples = reported latency %zu", rate, looks[l], best, L);
      MT_RANGE (L, ceil (looks[l] * rate / 1000.0), ceil (looks[l] * rate /
              1000.0) + 2 * 32 + MST_TRUE_PEAK_TAPS
          + (MST_LIMITER_BAND_LIMIT_TAPS - 1) / 2, "%u Hz: latency covers "
          "the %.0f ms lookahead (+ < 2 blocks + interpolator + band "
          "limit)", rate, looks[l]);
      free (in);
      free (out);
      mst_limiter_free (lim);
    }
  }
}

/* ---- sine 6 dB over: level and THD+N ---------------------------------- */

/* Least-squares fit of a + b sin + c cos at f; returns residual RMS over
 * fundamental RMS (THD+N ratio) and the fitted amplitude. */
static double
thdn (const float *y, size_t n, unsigned C, unsigned ch, double f,
    unsigned rate, double *amp)
{
  double s11 = 0, s12 = 0, s22 = 0, s1y = 0, s2y = 0, sy = 0;
  double a, bs, bc, det, res = 0.0;
  size_t i;

  /* integer number of periods, so sin/cos/1 are orthogonal enough; solve
   * the 2x2 system for sin/cos after removing the mean */
  for (i = 0; i < n; i++)
    sy += y[i * C + ch];
  a = sy / n;
  for (i = 0; i < n; i++) {
    double w = 2.0 * M_PI * f * i / rate;
    double s = sin (w), c = cos (w), v = y[i * C + ch] - a;

    s11 += s * s;
    s12 += s * c;
    s22 += c * c;
    s1y += s * v;
    s2y += c * v;
  }
  det = s11 * s22 - s12 * s12;
  bs = (s1y * s22 - s2y * s12) / det;
  bc = (s2y * s11 - s1y * s12) / det;
  for (i = 0; i < n; i++) {
    double w = 2.0 * M_PI * f * i / rate;
    double e = y[i * C + ch] - a - bs * sin (w) - bc * cos (w);

    res += e * e;
  }
  *amp = sqrt (bs * bs + bc * bc);
  return sqrt (res / n) / (*amp / M_SQRT2);
}

static void
test_sine_over (void)
{
  const unsigned rate = 48000, C = 2;
  const double ceil_db = -1.0;
  MtsBuf *b = mts_buf_new (rate, C);
  MstLimiter *lim = mst_limiter_new (rate, C, 4, 5.0);
  size_t n, start, len;
  float *x, *y;
  double amp, r, t4;

  mst_limiter_set_release (lim, 50.0);
  mts_tone (b, 1000.0, ceil_db + 6.0, 3.0);
  n = b->frames;
  x = to_f32 (b);
  y = run_f32 (lim, x, n, 480);
  /* settled: the last 1 s, 1000 whole periods */
  start = n - rate;
  len = rate;
  r = thdn (y + start * C, len, C, 0, 1000.0, rate, &amp);
  t4 = db (mtp_meter (y + start * C, len, C, rate));
  mt_diag ("1 kHz +6 dB over: settled amplitude %.4f dBFS, true peak %.4f "
      "dBTP, THD+N %.1f dB, gain %.3f dB", db (amp), t4, db (r),
      db (mst_limiter_gain (lim)));
  MT_CLOSE (t4, ceil_db, 0.1, "1 kHz +6 dB: settles at the ceiling "
      "(true peak, dBTP)");
  mt_ok (t4 <= ceil_db + 1e-9, "1 kHz +6 dB: not over the ceiling");
  mt_ok (db (r) < -40.0, "1 kHz +6 dB: THD+N %.1f dB < -40 dB", db (r));
  free (x);
  free (y);
  mts_buf_free (b);
  mst_limiter_free (lim);
}

/* ---- gain shape ------------------------------------------------------- */

/* DC steps make the gain visible: y / x.  x = 0.5 (under the ceiling),
 * then 2.0 for 100 ms, then 0.5 again.  Required gain in the loud part:
 * ceiling / 2. */
static void
test_gain_shape (void)
{
  const unsigned rate = 48000;
  const double ceil_lin = undb (-1.0), rel_ms = 50.0;
  MstLimiter *lim = mst_limiter_new (rate, 1, 4, 5.0);
  size_t n = rate, i, s0 = rate / 4, s1 = s0 + rate / 10;
  float *x = malloc (n * sizeof (float)), *y;
  double maxstep = 0.0, maxg = 0.0, g_need = ceil_lin / 2.0, dstep;
  double g_at, g_want;
  size_t L, attack, t_rel;

  /* the gain is read as output / input: no band limit */
  mst_limiter_set_band_limit (lim, 0);
  mst_limiter_set_release (lim, rel_ms);
  for (i = 0; i < n; i++)
    x[i] = (i >= s0 && i < s1) ? 2.0f : 0.5f;
  y = run_f32 (lim, x, n, 64);
  L = mst_limiter_latency (lim);
  for (i = 1; i < n; i++) {
    double g0 = y[i - 1] / x[i - 1], g1 = y[i] / x[i];

    maxstep = fmax (maxstep, fabs (g1 - g0));
  }
  for (i = s0; i < s1; i++)
    maxg = fmax (maxg, y[i] / x[i]);
  /* the ramp: full reduction (1 - g_need) over at least the attack part
   * of the lookahead, i.e. more than half of it */
  attack = L / 2;
  dstep = (1.0 - g_need) / attack;
  mt_ok (maxg <= g_need, "loud part: gain %.6f <= needed %.6f", maxg,
      g_need);
  {
    double gmin = 1.0;

    /* the band-limited step overshoots (Gibbs), so the gain needed is
     * below ceiling / 2; what matters is that the lowest gain of the loud
     * part is already reached at its first sample */
    for (i = s0; i < s1; i++)
      gmin = fmin (gmin, y[i] / x[i]);
    MT_CLOSE (y[s0] / x[s0], gmin, 1e-6, "gain has reached its minimum "
        "(%.5f) when the step arrives", gmin);
  }
  mt_ok (maxstep <= dstep, "no gain steps: largest per-sample change "
      "%.5f <= %.5f (ramp over %zu samples)", maxstep, dstep, attack);
  mt_ok (y[s0 - L - 1] / x[s0 - L - 1] == 1.0, "gain still 1 a latency "
      "before the step");
  /* release: one-pole towards 1 with time constant rel_ms, starting after
   * the hold (at most the latency) and smoothed by the attack mean (also
   * at most the latency): after hold + tau the reduction has fallen to
   * 1/e, within the latency's worth of slack either side */
  t_rel = s1 + (size_t) (rel_ms * rate / 1000.0);
  g_at = y[t_rel] / x[t_rel];
  g_want = 1.0 - (1.0 - g_need) * exp (-1.0);
  {
    double g_lo = 1.0 - (1.0 - g_need) * exp (-(rel_ms * rate / 1000.0 -
            2.0 * L) / (rel_ms * rate / 1000.0));
    double g_hi = 1.0 - (1.0 - g_need) * exp (-(rel_ms * rate / 1000.0 +
            L) / (rel_ms * rate / 1000.0));

    MT_RANGE (g_at, g_lo, g_hi, "release: gain one time constant after "
        "the loud part (~%.4f)", g_want);
  }
  mt_ok (y[n - 1] / x[n - 1] > 0.9999, "release: back to unity after 10 "
      "time constants (%.6f)", y[n - 1] / x[n - 1]);
  free (x);
  free (y);
  mst_limiter_free (lim);
}

/* Length of the next chunk from pos: odd sizes (100..999 frames, varying
 * with *k) that never run past end nor across one of the event positions,
 * so that a control change lands exactly on its frame. */
static size_t
next_chunk (size_t pos, size_t end, size_t * k, const size_t * events,
    size_t n_events)
{
  size_t m = 100 + ((*k)++ * 37) % 900, e;

  if (m > end - pos)
    m = end - pos;
  for (e = 0; e < n_events; e++)
    if (pos < events[e] && pos + m > events[e])
      m = events[e] - pos;
  return m;
}

/* ---- control changes while running ------------------------------------ */

static void
test_control_changes (void)
{
  const unsigned rate = 48000, C = 2;
  MtsBuf *b = mts_buf_new (rate, C);
  MtsRng rng;
  MstLimiter *lim = mst_limiter_new (rate, C, 4, 5.0);
  size_t n, L, pos = 0, k = 0, i, chg_c, chg_g;
  float *x, *in, *out;
  double t_before, t_after, maxjump = 0.0;

  /* the gain is read as output / input: no band limit */
  mst_limiter_set_band_limit (lim, 0);
  mts_rng_seed (&rng, 5);
  mts_pink_noise (b, &rng, -12.0, 3.0, 0);
  n = b->frames;
  x = to_f32 (b);
  L = mst_limiter_latency (lim);
  in = calloc ((n + L) * C, sizeof (float));
  out = malloc ((n + L) * C * sizeof (float));
  memcpy (in, x, n * C * sizeof (float));
  mst_limiter_set_input_gain (lim, 6.0);
  chg_c = rate;                 /* ceiling -1 -> -6 dB at 1 s */
  chg_g = 2 * rate;             /* input gain 6 -> 18 dB at 2 s */
  while (pos < n + L) {
    const size_t events[] = { chg_c, chg_g, chg_g + rate / 4 };
    size_t m = next_chunk (pos, n + L, &k, events, 3);

    if (pos == chg_c)
      mst_limiter_set_ceiling (lim, -6.0);
    if (pos == chg_g)
      mst_limiter_set_input_gain (lim, 18.0);
    if (pos == chg_g + rate / 4)
      mst_limiter_set_linked (lim, 0);
    mst_limiter_process_f32 (lim, in + pos * C, out + pos * C, m);
    pos += m;
  }
  /* output frame i + L is input frame i */
  t_before = db (mtp_16x (out + L * C, chg_c, C));
  t_after = db (mtp_16x (out + (L + chg_c) * C, n - chg_c, C));
  mt_diag ("control changes: 16x true peak %.3f dBTP before, %.3f after "
      "the ceiling change", t_before, t_after);
  mt_ok (db (mtp_meter (out + L * C, chg_c, C, rate)) <= -1.0 + 1e-9,
      "before the ceiling change: <= -1 dBTP (4x meter)");
  mt_ok (db (mtp_meter (out + (L + chg_c) * C, n - chg_c, C, rate)) <=
      -6.0 + 1e-9, "input after the change to -6 dBTP: <= -6 dBTP (4x "
      "meter), the samples already in the delay line included");
  mt_ok (mst_limiter_safety_clips (lim) == 0, "no safety clips on control "
      "changes (%llu)", (unsigned long long) mst_limiter_safety_clips (lim));
  /* no clicks: the output's sample-to-sample change stays within what the
   * input itself does times the largest gain (1 + 12 dB ramped) */
  for (i = L + 1; i < n + L; i++) {
    unsigned c;

    for (c = 0; c < C; c++) {
      double dy = fabs (out[i * C + c] - out[(i - 1) * C + c]);
      double dx = fabs (in[(i - L) * C + c] - in[(i - L - 1) * C + c]);
      double bound = undb (18.0) * dx + 0.02;

      maxjump = fmax (maxjump, dy - bound);
    }
  }
  mt_ok (maxjump <= 0.0, "no clicks at control changes (excess %.4f)",
      maxjump);
  free (x);
  free (in);
  free (out);
  mts_buf_free (b);
  mst_limiter_free (lim);
}

/* ---- linking ----------------------------------------------------------- */

static void
test_link (void)
{
  const unsigned rate = 48000, C = 2;
  size_t n = rate, i, same = 0, untouched = 0;
  float *x = malloc (n * C * sizeof (float)), *y;
  MstLimiter *lim = mst_limiter_new (rate, C, 4, 5.0);

  /* the gain is read as output / input: no band limit */
  mst_limiter_set_band_limit (lim, 0);
  /* L: 1 kHz at +6 dBFS (needs ~7 dB of reduction), R: 300 Hz at -10 */
  for (i = 0; i < n; i++) {
    x[i * 2] = (float) (2.0 * sin (2.0 * M_PI * 1000.0 * i / rate));
    x[i * 2 + 1] = (float) (0.3 * sin (2.0 * M_PI * 300.0 * i / rate));
  }
  y = run_f32 (lim, x, n, 0);
  for (i = rate / 2; i < n; i++)
    if (x[i * 2 + 1] != 0.0f && fabs (y[i * 2] / x[i * 2] -
            y[i * 2 + 1] / x[i * 2 + 1]) < 1e-6)
      same++;
  mt_ok (same > (n - rate / 2) * 99 / 100, "linked: both channels get the "
      "same gain (%zu of %zu frames)", same, n - rate / 2);
  free (y);
  mst_limiter_reset (lim);
  mst_limiter_set_linked (lim, 0);
  y = run_f32 (lim, x, n, 0);
  for (i = 0; i < n; i++)
    untouched += y[i * 2 + 1] == x[i * 2 + 1];
  mt_ok (untouched == n, "unlinked: the quiet channel passes bit-exact "
      "(%zu of %zu)", untouched, n);
  mt_ok (db (mtp_meter (y, n, C, rate)) <= -1.0 + 1e-9, "unlinked: loud "
      "channel limited to the ceiling");
  free (x);
  free (y);
  mst_limiter_free (lim);
}

/* Switching the link while running (property changes must be glitch-free
 * while playing).  L: 1 kHz at +6 dBFS (needs ~7 dB of reduction), R: 300
 * Hz at -10 dBFS (needs none).  Unlinked for 0.5 s, linked for 0.5 s,
 * unlinked again.  R's gain must go 1 -> L's gain -> 1 without a step: its
 * per-sample change is bounded like the limiter's own attack
 * (test_gain_shape: full reduction over at least half the look-ahead).
 * Once linked, both channels get the same gain; no overs, no safety clips
 * throughout. */
static void
test_link_switch (void)
{
  const unsigned rate = 48000, C = 2;
  const size_t n = 3 * rate / 2, sw1 = rate / 2, sw2 = rate;
  MstLimiter *lim = mst_limiter_new (rate, C, 4, 5.0);
  size_t L = mst_limiter_latency (lim), i, pos = 0, same = 0, k = 0, cnt = 0;
  float *in = calloc ((n + L) * C, sizeof (float));
  float *out = malloc ((n + L) * C * sizeof (float));
  double maxstep = 0.0, g_link = 1.0, dstep;

  /* the gain is read as output / input: no band limit (a shorter
   * latency: the buffers are long enough) */
  mst_limiter_set_band_limit (lim, 0);
  L = mst_limiter_latency (lim);
  for (i = 0; i < n; i++) {
    in[i * 2] = (float) (2.0 * sin (2.0 * M_PI * 1000.0 * i / rate));
    in[i * 2 + 1] = (float) (0.3 * sin (2.0 * M_PI * 300.0 * i / rate));
  }
  mst_limiter_set_linked (lim, 0);
  while (pos < n + L) {
    const size_t events[] = { sw1, sw2 };
    size_t m = next_chunk (pos, n + L, &k, events, 2);

    if (pos == sw1)
      mst_limiter_set_linked (lim, 1);
    if (pos == sw2)
      mst_limiter_set_linked (lim, 0);
    mst_limiter_process_f32 (lim, in + pos * C, out + pos * C, m);
    pos += m;
  }
  /* output frame i + L is input frame i; R's gain where its input is not
   * near a zero crossing (both frames of a pair) */
  for (i = 1; i < n; i++) {
    double x0 = in[(i - 1) * 2 + 1], x1 = in[i * 2 + 1];

    if (fabs (x0) > 0.05 && fabs (x1) > 0.05)
      maxstep = fmax (maxstep, fabs (out[(i + L) * 2 + 1] / x1 -
              out[(i + L - 1) * 2 + 1] / x0));
  }
  for (i = sw1 + rate / 4; i < sw2; i++) {
    double gl = out[(i + L) * 2] / in[i * 2];

    g_link = fmin (g_link, gl);
    if (fabs (in[i * 2]) > 0.05 && fabs (in[i * 2 + 1]) > 0.05) {
      cnt++;
      same += fabs (gl - out[(i + L) * 2 + 1] / in[i * 2 + 1]) < 1e-6;
    }
  }
  dstep = (1.0 - g_link) / (L / 2);
  mt_ok (g_link < undb (-6.0), "link switch: L limited (gain %.4f)", g_link);
  mt_ok (cnt > 0 && same >= cnt * 99 / 100, "link switch: linked (from "
      "0.25 s after the switch), R gets L's gain (%zu of %zu frames)", same,
      cnt);
  /* 0.5 s = 10 release time constants (50 ms) after the switch back,
   * less hold and attack (< 2 latencies): reduction < 0.56 e^-9.8 */
  mt_ok (out[(n - 1 + L) * 2 + 1] / in[(n - 1) * 2 + 1] > 0.9999,
      "link switch: unlinked again, R released back to unity (%.6f)",
      out[(n - 1 + L) * 2 + 1] / in[(n - 1) * 2 + 1]);
  mt_ok (maxstep <= dstep, "link switch: no gain step on R: largest "
      "per-sample change %.5f <= %.5f", maxstep, dstep);
  mt_ok (db (mtp_meter (out + L * C, n, C, rate)) <= -1.0 + 1e-9,
      "link switch: <= -1 dBTP (4x meter)");
  mt_ok (mst_limiter_safety_clips (lim) == 0, "link switch: no safety "
      "clips (%llu)", (unsigned long long) mst_limiter_safety_clips (lim));
  free (in);
  free (out);
  mst_limiter_free (lim);
}

/* Linked from reset, the limiter runs one gain computer for every
 * channel and copies its state to the others when unlinked (see
 * dsp/limiter.c, shared).  A limiter switched off and on again before
 * any audio runs one per channel throughout; both must give the same
 * output bit for bit while linked, after the switch to unlinked (the
 * state copy: each channel must go on from the shared state as it would
 * from its own) and when linked again.  Each part of the state matters
 * only in some moments, so the switch comes in three:
 *  0: 20 ms into a release (the release, the attack mean's box);
 *  1: in heavy limiting, just after a louder burst (the sliding minimum
 *     still holds it);
 *  2: where channel 0's x reads over the ceiling and its L does not
 *     (bursts at 0.48 fs: the gain is 1 and the output is L, the x/L
 *     track's minimum and box in motion; channel 1 has one such burst
 *     early on, which must not be remembered).
 * Three channels (the copy to more than one), band limit on.  Channel 2
 * is quiet: limited while linked, released when unlinked (case 0). */
static size_t
link_shared_case (int kind, size_t * reduced, size_t * released,
    size_t * seen)
{
  const unsigned rate = 48000, C = 3;
  /* switches off the block grid: the boxes' positions matter */
  const size_t n = 3 * rate / 2, sw1 = 3 * rate / 5 + 101;
  const size_t sw2 = 6 * rate / 5 + 101;
  MstLimiter *a = mst_limiter_new (rate, C, 4, 5.0);
  MstLimiter *b = mst_limiter_new (rate, C, 4, 5.0);
  float *in = malloc (n * C * sizeof (float));
  float *ya = malloc (n * C * sizeof (float));
  float *yb = malloc (n * C * sizeof (float));
  size_t i, pos = 0, k = 0, diff = 0, big = 0;
  MtsRng rng;

  mts_rng_seed (&rng, 11);
  for (i = 0; i < n; i++) {
    const double t = (double) i / rate;
    double a0 = 2.0, nyq = 0.0;

    if (kind == 0 && i + rate / 50 >= sw1 && i < sw1 + 3 * rate / 10)
      a0 = 0.3;                 /* quiet from 20 ms before the switch */
    if (kind == 1 && (i + 192 - 101) % 4800 < 96)
      a0 = 3.0;                 /* 2 ms bursts, one ending 2 ms before */
    if (kind == 2) {
      a0 = 0.55;
      nyq = (i + 192 - 101) % 960 < 192 ? 0.5 : 0.0;    /* 4 ms in 20 */
    }
    in[i * C] = (float) (a0 * sin (2.0 * M_PI * 1000.0 * t)
        + nyq * cos (M_PI * 0.96 * i)
        + (kind == 1 ? 0.3 * mts_rng_uniform (&rng) : 0.0));
    in[i * C + 1] = (float) fmax (-0.45, fmin (0.45, 0.4 * sin (2.0 * M_PI
                * 300.0 * t) + 0.15 * mts_rng_uniform (&rng)));
    if (kind == 2 && i >= rate / 10 && i < rate / 10 + 192)
      in[i * C + 1] += (float) (0.6 * cos (M_PI * 0.96 * i));
    in[i * C + 2] = (float) (0.25 * sin (2.0 * M_PI * 50.0 * t));
  }
  mst_limiter_set_linked (b, 0);
  mst_limiter_set_linked (b, 1);
  while (pos < n) {
    const size_t events[] = { sw1, sw2 };
    size_t m = next_chunk (pos, n, &k, events, 2);

    if (pos == sw1 || pos == sw2) {
      mst_limiter_set_linked (a, pos == sw2);
      mst_limiter_set_linked (b, pos == sw2);
    }
    mst_limiter_process_f32 (a, in + pos * C, ya + pos * C, m);
    mst_limiter_process_f32 (b, in + pos * C, yb + pos * C, m);
    pos += m;
  }
  for (i = 0; i < n * C; i++)
    diff += memcmp (&ya[i], &yb[i], sizeof (float)) != 0;
  /* output i is input i - L: channel 2 just before the switch to
   * unlinked, and 0.4 s (8 release time constants) after it */
  {
    const size_t L = mst_limiter_latency (a), j0 = sw1 + L - rate / 100;
    const size_t j1 = sw1 + L + 2 * rate / 5;

    *reduced = *released = *seen = 0;
    for (i = j0 - 200; i < j0; i++)
      if (fabs (in[(i - L) * C + 2]) > 0.1) {
        big++;
        *reduced += fabs (ya[i * C + 2]) < 0.9 * fabs (in[(i - L) * C + 2]);
      }
    *reduced = big > 50 && *reduced == big;
    for (i = j1; i < j1 + 200; i++)
      if (fabs (in[(i - L) * C + 2]) > 0.1) {
        (*seen)++;
        *released += fabs (ya[i * C + 2]) > 0.99 * fabs (in[(i - L) * C
                + 2]);
      }
  }
  free (in);
  free (ya);
  free (yb);
  mst_limiter_free (a);
  mst_limiter_free (b);
  return diff;
}

static void
test_link_shared (void)
{
  static const char *const when[] = { "in a release",
    "after a burst in heavy limiting", "where x reads over and L not"
  };
  size_t reduced, released, seen, diff;
  int kind;

  for (kind = 0; kind < 3; kind++) {
    diff = link_shared_case (kind, &reduced, &released, &seen);
    mt_ok (diff == 0, "link shared, unlinked %s: one gain computer for all "
        "channels while linked gives the output of one per channel, through "
        "unlinking and linking again (%zu samples differ)", when[kind],
        diff);
    if (kind == 0)
      mt_ok (reduced && seen > 50 && released == seen, "link shared: "
          "channel 2 limited while linked (by > 10 %%%s), released when "
          "unlinked (%zu of %zu within 1 %%)", reduced ? "" : ": not so",
          released, seen);
  }
}

/* ---- chunking, NaN, API ------------------------------------------------- */

static void
test_chunking (void)
{
  const unsigned rate = 44100, C = 2;
  MtsBuf *b = mts_buf_new (rate, C);
  MtsRng rng;
  MstLimiter *lim = mst_limiter_new (rate, C, 4, 5.0);
  float *x, *y1, *y2;
  size_t n, diff = 0, i;

  mts_rng_seed (&rng, 9);
  mts_pink_noise (b, &rng, -6.0, 1.0, 0);
  n = b->frames;
  x = to_f32 (b);
  y1 = run_f32 (lim, x, n, 0);
  mst_limiter_reset (lim);
  y2 = run_f32 (lim, x, n, 7);
  for (i = 0; i < n * C; i++)
    diff += y1[i] != y2[i];
  mt_ok (diff == 0, "output independent of the call sizes (%zu differ)",
      diff);
  free (x);
  free (y1);
  free (y2);
  mts_buf_free (b);
  mst_limiter_free (lim);
}

static void
test_nonfinite (void)
{
  const unsigned rate = 48000, C = 2;
  MstLimiter *lim = mst_limiter_new (rate, C, 4, 5.0);
  size_t n = 4800, i, bad = 0, ret, L = mst_limiter_latency (lim);
  float *x = malloc ((n + L) * C * sizeof (float));
  float *y = malloc ((n + L) * C * sizeof (float));

  for (i = 0; i < (n + L) * C; i++)
    x[i] = i < n * C ? (float) (0.5 * sin (i * 0.01)) : 0.0f;
  x[100] = NAN;
  x[1001] = INFINITY;
  x[2002] = -INFINITY;
  ret = mst_limiter_process_f32 (lim, x, y, n + L);
  for (i = 0; i < (n + L) * C; i++)
    bad += !isfinite (y[i]);
  mt_ok (bad == 0, "NaN/Inf input: output finite (%zu bad)", bad);
  mt_ok (ret == 3 && mst_limiter_nonfinite (lim) == 3, "NaN/Inf counted "
      "(%zu)", ret);
  mt_ok (y[100 + L * C] == 0.0f && y[1001 + L * C] == 0.0f, "replaced by "
      "silence");
  mt_ok (mst_limiter_safety_clips (lim) == 0, "no safety clips");
  free (x);
  free (y);
  mst_limiter_free (lim);
}

static void
test_api (void)
{
  MstLimiter *lim;

  mt_ok (mst_limiter_new (7999, 2, 4, 5.0) == NULL, "rate < 8 kHz refused");
  mt_ok (mst_limiter_new (48000, 0, 4, 5.0) == NULL, "0 channels refused");
  mt_ok (mst_limiter_new (48000, 9, 4, 5.0) == NULL, "9 channels refused");
  mt_ok (mst_limiter_new (48000, 2, 0, 5.0) == NULL, "oversampling 0 "
      "refused");
  lim = mst_limiter_new (192000, 8, 8, 100.0);
  mt_ok (lim != NULL, "192 kHz, 8 channels, 8x, 100 ms");
  mt_ok (mst_limiter_lookahead (lim) >= 100.0, "effective lookahead %.3f "
      ">= requested", mst_limiter_lookahead (lim));
  mst_limiter_free (lim);
  lim = mst_limiter_new (8000, 1, 2, 0.5);
  mt_ok (lim != NULL && mst_limiter_latency (lim) >= 4, "8 kHz, 0.5 ms: "
      "latency %u", lim ? mst_limiter_latency (lim) : 0);
  mst_limiter_free (lim);
}

/* mst_floor_div (dsp/util.h), which places every sample in its gain
 * block, against C's truncating division made a floor: every divisor
 * from 1 to 40 and a few others, dividends around 0 (both signs), at
 * and either side of multiples of the divisor (powers of two among
 * them), and up to 2^49. */
/* mst_peak_f32 (dsp/simd.h), the largest |x| behind the x/L bookkeeping,
 * the safety stage and the detector's envelopes: every length 0..70 (the
 * vector body, its overlapping last vector and the scalar path), every
 * position of the largest, either sign, against fabsf and a plain loop */
static void
test_peak_f32 (void)
{
  float x[70];
  size_t n, at, i, bad = 0, cases = 0;
  MtsRng rng;

  mts_rng_seed (&rng, 9);
  for (n = 0; n <= 70; n++) {
    for (at = 0; at < (n ? n : 1); at++) {
      int s;

      for (s = -1; s <= 1; s += 2) {
        float want = 0.0f;

        for (i = 0; i < n; i++)
          x[i] = (float) (0.5 * mts_rng_uniform (&rng));
        if (n) {
          x[at] = (float) s * 0.75f;    /* over every other |x| */
          if (at + 1 < n)
            x[at + 1] = -0.0f;          /* a sign bit and nothing else */
        }
        for (i = 0; i < n; i++)
          want = fabsf (x[i]) > want ? fabsf (x[i]) : want;
        bad += mst_peak_f32 (x, n) != want;
        cases++;
      }
    }
  }
  mt_ok (bad == 0, "largest |x| of 0 to 70 floats: %zu of %zu wrong", bad,
      cases);
}

static void
test_floor_div (void)
{
  /* 49, 103: 1.0 / d is low enough that the product falls under an
   * exact quotient */
  static const int64_t extra[] = { 48, 49, 103, 441, 480, 1000, 48000,
    96001
  };
  size_t bad = 0, n = 0, j;
  int64_t d;
  MtsRng rng;

  mts_rng_seed (&rng, 5);
  for (d = 1; d <= 40 + (int64_t) (sizeof extra / sizeof extra[0]); d++) {
    const int64_t dv = d <= 40 ? d : extra[d - 41];
    const double inv = 1.0 / (double) dv;
    int64_t a;

    for (j = 0; j < 4000; j++) {
      /* small, then multiples of dv +-1 up to 2^49 */
      const int64_t q = (int64_t) (mts_rng_u64 (&rng) >> (j < 2000 ? 54
              : 15 + (unsigned) (mts_rng_u64 (&rng) % 2))) / dv;
      int k;

      for (k = -1; k <= 1; k++) {
        int s;

        for (s = -1; s <= 1; s += 2) {
          int64_t want;

          a = s * (q * dv + k);
          want = a / dv - (a % dv != 0 && a < 0);
          bad += mst_floor_div (a, dv, inv) != want;
          n++;
        }
      }
    }
    /* quotients at powers of two: where the product in double rounds
     * to just under them */
    for (j = 0; j < 48; j++) {
      const int64_t q = (int64_t) 1 << j;

      if (q * dv >= (int64_t) 1 << 49)
        break;
      for (a = q * dv - 1; a <= q * dv + 1; a++) {
        bad += mst_floor_div (a, dv, inv) != a / dv
            || mst_floor_div (-a, dv, inv) != -a / dv - (a % dv != 0);
        n += 2;
      }
    }
  }
  mt_ok (bad == 0, "floor division by the block size: %zu of %zu wrong",
      bad, n);
}

/* Output / input gain per frame for a DC carrier x (F64: the output is
 * the delayed input times a float gain, so the ratio is the gain). */
static double *
dc_gains (MstLimiter * lim, const double *x, size_t n)
{
  size_t L = mst_limiter_latency (lim), i;
  double *in = calloc (n + L, sizeof (double));
  double *out = malloc (sizeof (double) * (n + L));
  double *g = malloc (sizeof (double) * n);

  memcpy (in, x, sizeof (double) * n);
  mst_limiter_process_f64 (lim, in, out, n + L);
  for (i = 0; i < n; i++)
    g[i] = out[L + i] / x[i];
  free (in);
  free (out);
  return g;
}

static void
test_release_time (void)
{
  static const double rel[] = { 5.0, 50.0, 500.0 };
  const unsigned rate = 48000;
  size_t k;

  for (k = 0; k < 3; k++) {
    const size_t loud = rate / 10, n = loud + (size_t) (rel[k] * 6e-3 * rate)
        + rate / 10;
    MstLimiter *lim = mst_limiter_new (rate, 1, 4, 5.0);
    double *x = malloc (sizeof (double) * n), *g, g0 = 1.0, tau;
    size_t i, i50 = 0, i10 = 0;

    /* the gain is read as output / input: no band limit */
    mst_limiter_set_band_limit (lim, 0);
    mst_limiter_set_release (lim, rel[k]);
    for (i = 0; i < n; i++)
      x[i] = i < loud ? 2.0 : 0.05;
    g = dc_gains (lim, x, n);
    for (i = 0; i < n; i++)
      g0 = fmin (g0, g[i]);
    for (i = loud; i < n; i++) {
      if (!i50 && 1.0 - g[i] <= 0.5 * (1.0 - g0))
        i50 = i;
      if (!i10 && 1.0 - g[i] <= 0.1 * (1.0 - g0))
        i10 = i;
    }
    tau = i50 && i10 ? (double) (i10 - i50) / rate * 1000.0
        / log ((1.0 - g[i50]) / (1.0 - g[i10])) : 0.0;
    MT_CLOSE (tau, rel[k], 0.1 * rel[k], "release %g ms: recovery time "
        "constant %.2f ms (min gain %.3f)", rel[k], tau, g0);
    free (x);
    free (g);
    mst_limiter_free (lim);
  }
}

static void
test_hold_around_peak (void)
{
  static const double las[] = { 1.0, 5.0, 20.0 };
  const unsigned rate = 48000;
  const size_t n = rate / 10, half = MST_LIMITER_DETECTOR_TAPS / 2;
  size_t k, p, bad = 0, runs = 0;

  for (k = 0; k < 3; k++) {
    for (p = n / 2; p < n / 2 + 64; p++, runs++) {
      MstLimiter *lim = mst_limiter_new (rate, 1, 4, las[k]);
      double *x = malloc (sizeof (double) * n), *g, gmin = 1.0;
      size_t i;

      /* the gain is read as output / input: no band limit */
      mst_limiter_set_band_limit (lim, 0);
      mst_limiter_set_release (lim, 1.0);
      for (i = 0; i < n; i++)
        x[i] = i == p ? 4.0 : 0.1;
      g = dc_gains (lim, x, n);
      for (i = 0; i < n; i++)
        gmin = fmin (gmin, g[i]);
      for (i = p - half; i <= p + half; i++)
        if (g[i] > gmin * (1.0 + 1e-6)) {
          bad++;
          break;
        }
      free (x);
      free (g);
      mst_limiter_free (lim);
    }
  }
  mt_ok (bad == 0, "gain flat at its minimum within +-%zu samples of an "
      "isolated peak, %zu peak positions x look-aheads 1, 5, 20 ms: %zu "
      "not", half, runs, bad);
}

static void
test_safety_clamp (void)
{
  const unsigned rate = 48000, C = 2;
  const size_t n = rate / 2;
  MstLimiter *lim = mst_limiter_new (rate, C, 4, 5.0);
  float *x = malloc (sizeof (float) * n * C), *y;
  const float ceil_lin = (float) undb (-1.0);
  size_t i, at_ceiling = 0, over = 0;

  for (i = 0; i < n * C; i++)
    x[i] = (float) (1.2 * sin (2.0 * M_PI * 997.0 * (double) (i / C) / rate
            + (double) (i % C)));
  /* the detector sees half of what is there: the gain computer aims 6 dB
   * too high and only the clamp can keep the ceiling */
  mst_limiter_set_detector_scale (lim, 0.5);
  y = run_f32 (lim, x, n, 1024);
  for (i = 0; i < n * C; i++) {
    if (fabsf (y[i]) > ceil_lin)
      over++;
    if (fabsf (y[i]) == ceil_lin)
      at_ceiling++;
  }
  mt_ok (over == 0, "safety clamp: no output sample over the ceiling "
      "(%zu over)", over);
  mt_ok (mst_limiter_safety_clips (lim) > 0
      && mst_limiter_safety_clips (lim) == at_ceiling, "safety clamp: "
      "counts %llu, the samples at +-ceiling: %zu",
      (unsigned long long) mst_limiter_safety_clips (lim), at_ceiling);
  free (x);
  free (y);
  mst_limiter_free (lim);
}

/* The band limit (mst_limiter_set_band_limit): a 1 kHz sine 6 dB over
 * the ceiling keeps the gain constant while a -40 dBFS probe tone at f
 * rides on it; the probe's amplitude in the output, over the gain times
 * its input amplitude (least-squares fit of both tones, F64), is the
 * band limit's response at f.  Off: 0 dB everywhere; on: flat (within
 * 0.01 dB) to 0.40 fs, within 0.1 dB at 0.44 fs, -6 dB at the cut-off
 * 0.465 fs, below -50 dB at 0.495 fs.  The latency grows by
 * the filter's delay. */
static double
probe_response (int on, double f_rel, unsigned rate)
{
  const size_t n = rate / 2, s0 = rate / 5;
  MstLimiter *lim = mst_limiter_new (rate, 1, 4, 5.0);
  size_t L, i;
  double *in, *out, a[4][4] = { {0} }, b[4] = { 0 }, amp1, ampf, g;
  const double w1 = 2.0 * M_PI * 1000.0 / rate, wf = 2.0 * M_PI * f_rel;
  const double p = undb (-40.0);
  int r, c, k;

  mst_limiter_set_band_limit (lim, on);
  L = mst_limiter_latency (lim);
  in = calloc (n + L, sizeof (double));
  out = malloc ((n + L) * sizeof (double));
  for (i = 0; i < n; i++)
    in[i] = 2.0 * undb (-1.0) * sin (w1 * i) + p * sin (wf * i);
  mst_limiter_process_f64 (lim, in, out, n + L);
  /* least squares on the settled part: y = sum c_k basis_k */
  for (i = s0; i < n; i++) {
    const double v[4] = { sin (w1 * i), cos (w1 * i), sin (wf * i),
      cos (wf * i)
    };
    for (r = 0; r < 4; r++) {
      b[r] += v[r] * out[i + L];
      for (c = 0; c < 4; c++)
        a[r][c] += v[r] * v[c];
    }
  }
  /* Gaussian elimination (the matrix is well conditioned) */
  for (k = 0; k < 4; k++)
    for (r = k + 1; r < 4; r++) {
      const double m = a[r][k] / a[k][k];

      for (c = k; c < 4; c++)
        a[r][c] -= m * a[k][c];
      b[r] -= m * b[k];
    }
  for (k = 3; k >= 0; k--) {
    for (c = k + 1; c < 4; c++)
      b[k] -= a[k][c] * b[c];
    b[k] /= a[k][k];
  }
  amp1 = hypot (b[0], b[1]);
  ampf = hypot (b[2], b[3]);
  g = amp1 / (2.0 * undb (-1.0));
  free (in);
  free (out);
  mst_limiter_free (lim);
  return 20.0 * log10 (ampf / (g * p));
}

/* With the band limit on, what every detector reads under the ceiling
 * passes bit-exact: white noise (much of it between 0.45 fs and Nyquist)
 * at -12 dBFS peak throughout, then a 50 ms burst 12 dB louder after
 * 0.5 s: before the burst's look-ahead the output is the input, bit for
 * bit; inside the burst it is band-limited (differs). */
static void
band_limit_transparency (void)
{
  const unsigned rate = 48000, C = 2;
  const size_t n = rate, b0 = rate / 2, b1 = b0 + rate / 20;
  MstLimiter *lim = mst_limiter_new (rate, C, 4, 5.0);
  size_t L, i, diff = 0, inside = 0;
  float *x = malloc (n * C * sizeof (float)), *y;
  uint32_t r = 12345;

  mst_limiter_set_band_limit (lim, 1);
  L = mst_limiter_latency (lim);
  for (i = 0; i < n * C; i++) {
    r = r * 1664525u + 1013904223u;
    x[i] = (float) (0.25 * ((double) (r >> 8) / 8388608.0 - 1.0));
    if (i / C >= b0 && i / C < b1)
      x[i] *= 4.0f;
  }
  y = run_f32 (lim, x, n, 0);
  for (i = 0; i < (b0 - 2 * L) * C; i++)
    diff += memcmp (&x[i], &y[i], sizeof (float)) != 0;
  for (i = b0 * C; i < b1 * C; i++)
    inside += x[i] != y[i];
  mt_ok (diff == 0, "band limit on: under the ceiling the output is the "
      "input, bit-exact (%zu of %zu samples differ)", diff,
      (b0 - 2 * L) * C);
  mt_ok (inside > (b1 - b0) * C / 2, "band limit on: the burst is limited "
      "and band-limited (%zu of %zu samples differ)", inside,
      (b1 - b0) * C);
  free (x);
  free (y);
  mst_limiter_free (lim);
}

/* With the band limit on, the output may be the input x only where x
 * itself reads under the ceiling, not merely where L (what the gain is
 * computed from) does: a 1 kHz tone at -10.5 dBFS plus a 0.485 fs tone
 * at -0.9 dBFS (the band limit takes it down by over 30 dB) reads over a
 * -1 dBTP ceiling as x, under it as L.  The gain stays 1 (L is quiet), so
 * the output must be L: under the ceiling on the ideal reconstruction
 * (tests/common/refpeak) and on the project's meter, and not x. */
static void
band_limit_not_x_where_x_is_over (void)
{
  const unsigned rate = 48000, C = 1;
  const size_t n = rate / 2;
  MstLimiter *lim = mst_limiter_new (rate, C, 4, 5.0);
  float *x = malloc (n * sizeof (float)), *y;
  double *yd = malloc (n * sizeof (double)), ideal, meter;
  size_t i, same = 0;

  mst_limiter_set_band_limit (lim, 1);
  mst_limiter_set_ceiling (lim, -1.0);
  for (i = 0; i < n; i++) {
    const double t = (double) i / rate;
    const double w = i < rate / 100 ? (double) i / (rate / 100)
        : (n - i < rate / 100 ? (double) (n - i) / (rate / 100) : 1.0);

    x[i] = (float) (w * (0.3 * sin (2.0 * M_PI * 1000.0 * t)
            + 0.9 * sin (2.0 * M_PI * 0.485 * rate * t + 0.3)));
  }
  y = run_f32 (lim, x, n, 0);
  for (i = 0; i < n; i++) {
    yd[i] = y[i];
    same += memcmp (&x[i], &y[i], sizeof (float)) == 0;
  }
  ideal = 20.0 * log10 (mtr_ideal_peak (yd, n, C));
  meter = 20.0 * log10 (mtp_meter (y, n, C, rate));
  mt_ok (ideal <= -1.0 && meter <= -1.0, "band limit on: x reading over "
      "the ceiling where L reads under it is not passed (ideal %.2f, meter "
      "%.2f dBTP)", ideal, meter);
  mt_ok (same < n / 10, "band limit on: ... the output is L there "
      "(%zu of %zu samples equal x)", same, n);
  free (x);
  free (y);
  free (yd);
  mst_limiter_free (lim);
}

static void
test_band_limit (void)
{
  const unsigned rate = 48000;
  static const double f[] = { 0.1, 0.3, 0.4, 0.44, 0.465, 0.495 };
  MstLimiter *lim = mst_limiter_new (rate, 2, 4, 5.0);
  unsigned l0 = mst_limiter_latency (lim);
  size_t k;

  mt_ok (mst_limiter_band_limit (lim), "band limit on by default");
  mst_limiter_set_band_limit (lim, 0);
  mt_ok (l0 == mst_limiter_latency (lim) + (MST_LIMITER_BAND_LIMIT_TAPS
          - 1) / 2, "band limit adds its delay to the latency (%u off, %u "
      "on)", mst_limiter_latency (lim), l0);
  mst_limiter_free (lim);
  band_limit_transparency ();
  band_limit_not_x_where_x_is_over ();
  for (k = 0; k < 6; k++) {
    const double off = probe_response (0, f[k], rate);
    const double on = probe_response (1, f[k], rate);

    printf ("# band limit response at %.3f fs: %+.4f dB (off %+.4f)\n",
        f[k], on, off);
    MT_CLOSE (off, 0.0, 0.01, "band limit off: probe at %.3f fs passes",
        f[k]);
    if (f[k] <= 0.4)
      MT_CLOSE (on, 0.0, 0.01, "band limit on: flat at %.3f fs", f[k]);
    else if (f[k] < 0.45)
      MT_CLOSE (on, 0.0, 0.1, "band limit on: pass band edge %.3f fs",
          f[k]);
    else if (f[k] < 0.47)
      MT_CLOSE (on, -6.0, 1.0, "band limit on: -6 dB at %.3f fs", f[k]);
    else
      mt_ok (on < -50.0, "band limit on: %.3f fs attenuated (%.1f dB < "
          "-50)", f[k], on);
  }
}

/* The wide (AVX-512) loops and the 8-float ones sum every output in the
 * same order (the vector width only changes how many outputs are done at
 * once): on 2 s of stereo white noise 12 dB over the ceiling the two
 * outputs are identical, for both sample types. */
static void
test_wide_narrow (void)
{
  const unsigned rate = 48000, C = 2;
  const size_t n = 2 * rate;
  float *x = malloc (sizeof (float) * n * C), *y[2];
  double *xd = malloc (sizeof (double) * n * C), *yd[2];
  double worst = 0.0, worst_d = 0.0;
  uint32_t seed = 12345;
  size_t i;
  int w;

  for (i = 0; i < n * C; i++) {
    seed = seed * 1664525u + 1013904223u;
    xd[i] = 1.5 * ((double) (seed >> 8) / 8388608.0 - 1.0);
    x[i] = (float) xd[i];
  }
  for (w = 0; w < 2; w++) {
    MstLimiter *lim;

    mst_simd_set_wide (w);
    lim = mst_limiter_new (rate, C, 4, 5.0);
    y[w] = malloc (sizeof (float) * n * C);
    yd[w] = malloc (sizeof (double) * n * C);
    mst_limiter_process_f32 (lim, x, y[w], n);
    mst_limiter_reset (lim);
    mst_limiter_process_f64 (lim, xd, yd[w], n);
    mst_limiter_free (lim);
  }
  mst_simd_set_wide (1);
  for (i = 0; i < n * C; i++) {
    worst = fmax (worst, fabs ((double) y[1][i] - y[0][i]));
    worst_d = fmax (worst_d, fabs (yd[1][i] - yd[0][i]));
  }
  mt_ok (worst == 0.0 && worst_d == 0.0, "wide and 8-float loops give "
      "the same output (largest difference F32 %.2g, F64 %.2g; wide loops "
      "%s on this CPU)",
      worst, worst_d, mst_simd_wide () ? "available" : "not available");
  free (x);
  free (xd);
  for (w = 0; w < 2; w++) {
    free (y[w]);
    free (yd[w]);
  }
}

int
main (void)
{
  test_api ();
  test_floor_div ();
  test_peak_f32 ();
  test_transparency ();
  test_timing ();
  test_sine_over ();
  test_gain_shape ();
  test_link ();
  test_link_switch ();
  test_link_shared ();
  test_chunking ();
  test_nonfinite ();
  test_control_changes ();
  test_overs ();
  test_short_lookahead ();
  test_release_time ();
  test_hold_around_peak ();
  test_safety_clamp ();
  test_band_limit ();
  test_wide_narrow ();
  /* the band limit's and the detector's 8-float loops, judged as above */
  mst_simd_set_wide (0);
  test_band_limit ();
  test_overs ();
  mst_simd_set_wide (1);
  return mt_done ();
}
