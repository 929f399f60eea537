/* gst-mastering — multiband compressor core tests
 *
 * Expectations and where they come from:
 * - static curve: for steady sines inside each band, the output level is
 *   the quadratic-knee curve of Giannoulis, Massberg and Reiss (JAES 2012,
 *   eq. 4) plus makeup, within 0.2 dB at 10 input levels, peak and rms
 *   detection.  The band's own share of the sine and what leaks into its
 *   neighbours come from the analog Linkwitz-Riley prototypes at the
 *   bilinear-mapped frequency (complex, computed here): detector level =
 *   A |H_b|, output = A |AP_1..AP_N-1 + H_b (g - 1)|.  RMS of a sine:
 *   peak - 3.0103 dB.
 * - time constants: after a level step the gain covers 63 % (1 - 1/e) of
 *   its change in dB within 10 % of the attack (release) time.
 * - ratio 1 everywhere: every sine comes out at its input level (the band
 *   sum is an all-pass) within 0.01 dB.
 * - mid/side with L = R: the side of the output (L - R) / 2 is <= -120
 *   dBFS while the mid is compressed; mid and side get their own gains.
 * - band isolation: a loud sine in band 1 leaves the gain of band 3 at
 *   0 dB and a quiet sine in band 3 at its level.
 * - linked / unlinked: a loud left channel pulls the right one down only
 *   when linked.
 * - lookahead: output = input delayed by the reported latency; the gain
 *   starts to fall before a transient reaches the output.
 * - mute, solo, bypass act on the right bands and glide (no steps).
 * - switching left/right <-> mid/side while running gives the same output
 *   as not switching when nothing compresses (exact state transform).
 * - NaN / Inf in: finite out, counted, next input processed normally.
 */
#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/compressor.h"
#include "mtest.h"
#include "signals.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define RATE 48000

static const double fc4[3] = { 150.0, 1200.0, 6000.0 };
/* a frequency well inside each band */
static const double fin4[4] = { 55.3, 424.7, 2683.1, 11313.7 };

/* ---- independent reference: analog LR4 prototypes, complex ---------- */

static double complex
sec (int kind, double f, double fc, double rate)
{
  double complex s = I * tan (M_PI * f / rate) / tan (M_PI * fc / rate);
  double complex d = s * s + sqrt (2.0) * s + 1.0;

  if (kind == 0)
    return 1.0 / d;             /* Butterworth low-pass */
  if (kind == 1)
    return s * s / d;           /* high-pass */
  return (s * s - sqrt (2.0) * s + 1.0) / d;    /* all-pass */
}

static double complex
band_response (unsigned b, unsigned nb, const double *fc, double f,
    double rate)
{
  double complex h = 1.0;
  unsigned e;

  for (e = 0; e < b; e++)
    h *= sec (1, f, fc[e], rate) * sec (1, f, fc[e], rate);
  if (b + 1 < nb)
    h *= sec (0, f, fc[b], rate) * sec (0, f, fc[b], rate);
  for (e = b + 1; e + 1 < nb; e++)
    h *= sec (2, f, fc[e], rate);
  return h;
}

static double complex
allpass_total (unsigned nb, const double *fc, double f, double rate)
{
  double complex h = 1.0;
  unsigned e;

  for (e = 0; e + 1 < nb; e++)
    h *= sec (2, f, fc[e], rate);
  return h;
}

/* Giannoulis et al. 2012, eq. 4 */
static double
ref_curve (double x, double t, double r, double w)
{
  if (2.0 * (x - t) < -w)
    return x;
  if (2.0 * fabs (x - t) <= w)
    return x + (1.0 / r - 1.0) * (x - t + w / 2.0) * (x - t + w / 2.0)
        / (2.0 * w);
  return t + (x - t) / r;
}

/* ---- helpers -------------------------------------------------------- */

/* Amplitude of the sine at f in x[k * stride] (least-squares fit, in
 * tests/common). */
static double
amplitude (const double *x, size_t n, unsigned stride, double f,
    double rate)
{
  return mts_sine_amplitude (x, n, stride, f, rate);
}

static MstCompressor *
new4 (unsigned channels)
{
  MstCompressor *c = mst_compressor_new (RATE, channels, 4, 0.0);
  unsigned b;

  for (b = 0; b < 3; b++)
    mst_compressor_set_crossover (c, b, fc4[b]);
  for (b = 0; b < 4; b++)
    mst_compressor_set_ratio (c, b, 1.0);
  return c;
}

/* Processes n frames of x (interleaved, double) in uneven chunks. */
static void
run (MstCompressor * c, const double *x, double *y, size_t n)
{
  unsigned C = mst_compressor_channels (c);
  size_t pos = 0, m = 0;

  while (pos < n) {
    m = (m * 5 + 77) % 1500 + 1;
    if (m > n - pos)
      m = n - pos;
    mst_compressor_process_f64 (c, x + pos * C, y + pos * C, m);
    pos += m;
  }
}

/* ---- tests ---------------------------------------------------------- */

static void
test_static_curve (int detection)
{
  const double t = -24.0, r = 4.0, w = 6.0, mk = 3.0;
  const size_t n = 3 * RATE, tail = RATE / 2;
  double *x = malloc (n * sizeof (double)), *y = malloc (n * sizeof (double));
  unsigned b, i;

  for (b = 0; b < 4; b++) {
    double worst = 0.0, worst_in = 0.0;

    for (i = 0; i < 10; i++) {
      /* detector levels from 9 dB under the threshold to 18 dB over it
       * in 3 dB steps: the knee's edges and centre among them */
      double det = t - 9.0 + 3.0 * i, f = fin4[b];
      double complex h = band_response (b, 4, fc4, f, RATE);
      double lvl = det - 20.0 * log10 (cabs (h))        /* peak dBFS */
          + (detection == MST_COMPRESSOR_RMS ? 10.0 * log10 (2.0) : 0.0);
      double a = pow (10.0, lvl / 20.0);
      double g = ref_curve (det, t, r, w) - det + mk;
      double want = 20.0 * log10 (a * cabs (allpass_total (4, fc4, f, RATE)
              + h * (pow (10.0, g / 20.0) - 1.0)));
      MstCompressor *c = new4 (1);
      double got;
      size_t k;

      mst_compressor_set_threshold (c, b, t);
      mst_compressor_set_ratio (c, b, r);
      mst_compressor_set_knee (c, b, w);
      mst_compressor_set_makeup (c, b, mk);
      mst_compressor_set_detection (c, b, detection);
      for (k = 0; k < n; k++)
        x[k] = a * sin (2.0 * M_PI * f * k / RATE + 0.3);
      run (c, x, y, n);
      got = 20.0 * log10 (amplitude (y + n - tail, tail, 1, f, RATE));
      if (fabs (got - want) > fabs (worst)) {
        worst = got - want;
        worst_in = lvl;
      }
      mst_compressor_free (c);
    }
    MT_CLOSE (worst, 0.0, 0.2, "static curve, %s detection, band %u "
        "(%.1f Hz), 10 levels (threshold -9..+18 dB): worst error (dB, at "
        "%.1f dBFS)",
        detection == MST_COMPRESSOR_RMS ? "rms" : "peak", b, fin4[b],
        worst_in);
  }
  free (x);
  free (y);
}

/* Gain (dB) of y against x over win frames from start (power ratio). */
static double
wgain (const double *x, const double *y, size_t win, size_t start)
{
  double ei = 0.0, eo = 0.0;
  size_t q;

  for (q = start; q < start + win; q++) {
    ei += x[q] * x[q];
    eo += y[q] * y[q];
  }
  return 10.0 * log10 (eo / ei);
}

/* Gain (dB) of the output against the input, per 1 ms window, for a
 * level step; returns the time (s) after the step at which the gain has
 * covered 63 % of its change between the values just before the step and
 * at the end. */
static double
step_time (unsigned bands, unsigned band, double f, int detection,
    double lvl0, double lvl1, double attack, double release)
{
  const size_t pre = RATE, post = 2 * RATE, n = pre + post;
  const size_t win = RATE / 1000;
  double *x = malloc (n * sizeof (double)), *y = malloc (n * sizeof (double));
  MstCompressor *c = bands == 1 ? mst_compressor_new (RATE, 1, 1, 0.0)
      : new4 (1);
  double g0, g1, target, tcross = -1.0;
  size_t k, w;

  mst_compressor_set_threshold (c, band, -30.0);
  mst_compressor_set_ratio (c, band, 4.0);
  mst_compressor_set_knee (c, band, 0.0);
  mst_compressor_set_attack (c, band, attack);
  mst_compressor_set_release (c, band, release);
  mst_compressor_set_detection (c, band, detection);
  /* only this band in the output: its gain alone is measured */
  mst_compressor_set_solo (c, band, 1);
  for (k = 0; k < n; k++)
    x[k] = pow (10.0, (k < pre ? lvl0 : lvl1) / 20.0)
        * sin (2.0 * M_PI * f * k / RATE);
  run (c, x, y, n);
  g0 = wgain (x, y, win, pre - 4 * win);
  g1 = wgain (x, y, win, n - 4 * win);
  target = g0 + (1.0 - exp (-1.0)) * (g1 - g0);
  /* from a quarter of the time constant on: skips the band filter's own
   * transient, long before 63 % is reached */
  for (w = pre + (size_t) (0.25 * (lvl1 > lvl0 ? attack : release) * RATE
          / 1000.0); w + win <= n; w += win / 4) {
    double g = wgain (x, y, win, w);

    if ((g1 < g0 && g <= target) || (g1 > g0 && g >= target)) {
      /* window centre */
      tcross = (w + win / 2.0 - pre) / RATE;
      break;
    }
  }
  mst_compressor_free (c);
  free (x);
  free (y);
  return tcross;
}

/* 1 band (lower edge 20 Hz: detector window 25 ms) and band 2 of 4
 * (lower edge 1.2 kHz: 4 blocks for rms), 997 Hz / 2.7 kHz sine steps
 * between -50 and -6 dBFS.  An rms window averages over its length, so on
 * the lowest band attack times shorter than about a fifth of the window
 * (5 ms) are not reached: that case is measured on band 2. */
static void
test_time_constants (void)
{
  static const double att[3] = { 5.0, 30.0, 100.0 };
  static const double rel[3] = { 50.0, 200.0, 500.0 };
  unsigned i, d;

  for (d = 0; d < 2; d++) {
    const char *dn = d == MST_COMPRESSOR_RMS ? "rms" : "peak";

    for (i = 0; i < 3; i++) {
      /* rms on the lowest band: from 30 ms on */
      if (d == MST_COMPRESSOR_PEAK || att[i] >= 30.0) {
        double ta = step_time (1, 0, 997.0, d, -50.0, -6.0, att[i], rel[i]);
        double tr = step_time (1, 0, 997.0, d, -6.0, -50.0, att[i], rel[i]);

        MT_CLOSE (ta * 1000.0, att[i], 0.1 * att[i],
            "1 band, %s: attack time to 63 %% (ms)", dn);
        MT_CLOSE (tr * 1000.0, rel[i], 0.1 * rel[i],
            "1 band, %s: release time to 63 %% (ms)", dn);
      }
      if (i < 2) {
        double ta = step_time (4, 2, fin4[2], d, -50.0, -6.0, att[i],
            rel[i]);
        double tr = step_time (4, 2, fin4[2], d, -6.0, -50.0, att[i],
            rel[i]);

        MT_CLOSE (ta * 1000.0, att[i], 0.1 * att[i],
            "band 2 of 4, %s: attack (ms)", dn);
        MT_CLOSE (tr * 1000.0, rel[i], 0.1 * rel[i],
            "band 2 of 4, %s: release (ms)", dn);
      }
    }
  }
}

static void
test_flat (void)
{
  static const double fs[6] = { 31.0, 150.0, 700.0, 1200.0, 5000.0,
    17000.0
  };
  const size_t n = RATE, tail = RATE / 4;
  double *x = malloc (n * sizeof (double)), *y = malloc (n * sizeof (double));
  double worst = 0.0;
  unsigned i;
  size_t k;

  for (i = 0; i < 6; i++) {
    MstCompressor *c = new4 (1);
    double d;

    for (k = 0; k < n; k++)
      x[k] = 0.9 * sin (2.0 * M_PI * fs[i] * k / RATE);
    run (c, x, y, n);
    d = 20.0 * log10 (amplitude (y + n - tail, tail, 1, fs[i], RATE) / 0.9);
    if (fabs (d) > fabs (worst))
      worst = d;
    mst_compressor_free (c);
  }
  MT_CLOSE (worst, 0.0, 0.01, "ratio 1 on every band: sines 31 Hz..17 kHz "
      "keep their level (worst, dB)");
  free (x);
  free (y);
}

/* Deterministic broadband test signal: a few sines and noise. */
static double
music (size_t k, unsigned seed)
{
  static unsigned long s = 1;
  double v;

  if (k == 0)
    s = seed * 2654435761ul + 1;
  s = s * 6364136223846793005ul + 1442695040888963407ul;
  v = ((double) (s >> 11) / 9007199254740992.0 - 0.5) * 0.2;
  return v + 0.5 * sin (2.0 * M_PI * 80.0 * k / RATE)
      + 0.3 * sin (2.0 * M_PI * 900.0 * k / RATE)
      + 0.2 * sin (2.0 * M_PI * 4100.0 * k / RATE);
}

static void
test_mid_side (void)
{
  const size_t n = 2 * RATE;
  double *x = malloc (2 * n * sizeof (double));
  double *y = malloc (2 * n * sizeof (double));
  double red[4], lane[8], side = 0.0, mid = 0.0;
  MstCompressor *c = new4 (2);
  unsigned b;
  size_t k;

  mst_compressor_set_mode (c, MST_COMPRESSOR_MID_SIDE);
  for (b = 0; b < 4; b++) {
    mst_compressor_set_ratio (c, b, 6.0);
    mst_compressor_set_threshold (c, b, -40.0);
    mst_compressor_set_makeup (c, b, 4.0 * b);
    mst_compressor_set_attack (c, b, 1.0 + b);
  }
  for (k = 0; k < n; k++)
    x[2 * k] = x[2 * k + 1] = music (k, 1);
  run (c, x, y, n);
  for (k = 0; k < n; k++) {
    side = fmax (side, fabs (0.5 * (y[2 * k] - y[2 * k + 1])));
    mid = fmax (mid, fabs (0.5 * (y[2 * k] + y[2 * k + 1])));
  }
  mst_compressor_take_reduction (c, red, lane);
  MT_RANGE (side > 0 ? 20.0 * log10 (side) : -400.0, -400.0, -120.0,
      "mid/side, L = R: side output peak (dBFS)");
  MT_RANGE (lane[2], 3.0, 60.0, "mid of band 1 compressed (dB reduction)");
  MT_CLOSE (lane[3], 0.0, 0.0, "side of band 1 untouched (dB reduction)");
  mt_ok (mid > 0.1, "mid output present");

  /* anti-phase signal: only the side is loud */
  mst_compressor_reset (c);
  for (k = 0; k < n; k++) {
    x[2 * k] = music (k, 2);
    x[2 * k + 1] = -x[2 * k];
  }
  run (c, x, y, n);
  mst_compressor_take_reduction (c, red, lane);
  MT_RANGE (lane[3], 3.0, 60.0, "L = -R: side of band 1 compressed (dB)");
  MT_CLOSE (lane[2], 0.0, 0.0, "L = -R: mid of band 1 untouched (dB)");
  mst_compressor_free (c);
  free (x);
  free (y);
}

static void
test_isolation (void)
{
  const size_t n = 2 * RATE, tail = RATE / 2;
  double *x = malloc (n * sizeof (double)), *y = malloc (n * sizeof (double));
  double a3[2], red[4];
  unsigned pass, b;
  size_t k;

  for (pass = 0; pass < 2; pass++) {
    MstCompressor *c = new4 (1);

    for (b = 0; b < 4; b++) {
      mst_compressor_set_ratio (c, b, 8.0);
      mst_compressor_set_threshold (c, b, -30.0);
    }
    for (k = 0; k < n; k++)
      x[k] = 0.01 * sin (2.0 * M_PI * fin4[3] * k / RATE)
          + (pass ? 0.8 * sin (2.0 * M_PI * fin4[1] * k / RATE) : 0.0);
    run (c, x, y, n);
    a3[pass] = amplitude (y + n - tail, tail, 1, fin4[3], RATE);
    mst_compressor_take_reduction (c, red, NULL);
    if (pass) {
      MT_RANGE (red[1], 10.0, 60.0, "loud sine in band 1: band 1 reduces "
          "(dB)");
      MT_CLOSE (red[3], 0.0, 0.0, "loud sine in band 1: band 3 gain "
          "reduction (dB)");
    }
    mst_compressor_free (c);
  }
  MT_CLOSE (20.0 * log10 (a3[1] / a3[0]), 0.0, 0.01,
      "quiet sine in band 3 keeps its level next to a loud one in band 1 "
      "(dB)");
  free (x);
  free (y);
}

static void
test_linking (void)
{
  const size_t n = RATE, tail = RATE / 4;
  double *x = malloc (2 * n * sizeof (double));
  double *y = malloc (2 * n * sizeof (double));
  double ar[2];
  unsigned m;
  size_t k;

  for (m = 0; m < 2; m++) {
    MstCompressor *c = mst_compressor_new (RATE, 2, 1, 0.0);

    mst_compressor_set_mode (c, m ? MST_COMPRESSOR_UNLINKED :
        MST_COMPRESSOR_LINKED);
    mst_compressor_set_threshold (c, 0, -30.0);
    mst_compressor_set_ratio (c, 0, 10.0);
    for (k = 0; k < n; k++) {
      x[2 * k] = 0.9 * sin (2.0 * M_PI * 440.0 * k / RATE);
      x[2 * k + 1] = 0.01 * sin (2.0 * M_PI * 660.0 * k / RATE);
    }
    run (c, x, y, n);
    ar[m] = 20.0 * log10 (amplitude (y + 2 * (n - tail) + 1, tail, 2,
            660.0, RATE) / 0.01);
    mst_compressor_free (c);
  }
  MT_RANGE (ar[0], -40.0, -10.0, "linked: quiet right channel follows the "
      "loud left one's reduction (dB)");
  MT_CLOSE (ar[1], 0.0, 0.01, "unlinked: quiet right channel untouched "
      "(dB)");
  free (x);
  free (y);
}

static void
test_lookahead (void)
{
  const size_t n = RATE;
  double *x = malloc (n * sizeof (double)), *y = malloc (n * sizeof (double));
  MstCompressor *c = mst_compressor_new (RATE, 1, 1, 5.0);
  unsigned L = mst_compressor_latency (c), B = mst_compressor_block (c);
  size_t k, step = RATE / 2, first = 0;
  int exact = 1;

  MT_CLOSE (L, ceil (5.0 * RATE / 1000.0 / B) * B, 0,
      "lookahead 5 ms = latency in whole blocks (frames)");
  mst_compressor_set_ratio (c, 0, 1.0);
  for (k = 0; k < n; k++)
    x[k] = music (k, 3);
  run (c, x, y, n);
  for (k = 0; k < n; k++)
    exact &= y[k] == (k < L ? 0.0 : x[k - L]);
  mt_ok (exact, "ratio 1, 1 band: output = input delayed by the latency");
  mst_compressor_free (c);

  /* a step from silence to full scale: the output is reduced already at
   * the first sample of the step (attack 1 ms, lookahead 5 ms) */
  c = mst_compressor_new (RATE, 1, 1, 5.0);
  mst_compressor_set_threshold (c, 0, -30.0);
  mst_compressor_set_ratio (c, 0, 10.0);
  mst_compressor_set_attack (c, 0, 1.0);
  mst_compressor_set_detection (c, 0, MST_COMPRESSOR_PEAK);
  for (k = 0; k < n; k++)
    x[k] = k < step ? 0.0 : 0.9 * (k % 2 ? 1.0 : -1.0) * 0.5;
  run (c, x, y, n);
  for (k = 0; k < n; k++)
    if (y[k] != 0.0) {
      first = k;
      break;
    }
  MT_CLOSE (first, step + L, 0, "transient reaches the output after the "
      "latency");
  MT_RANGE (20.0 * log10 (fabs (y[step + L]) / 0.45), -40.0, -3.0,
      "gain at the first sample of the transient already reduced (dB)");
  mst_compressor_free (c);
  free (x);
  free (y);
}

static void
test_mute_solo_bypass (void)
{
  const size_t n = RATE, tail = RATE / 4;
  double *x = malloc (n * sizeof (double)), *y = malloc (n * sizeof (double));
  double a[4];
  unsigned b, s;
  size_t k;

  for (k = 0; k < n; k++) {
    x[k] = 0.0;
    for (b = 0; b < 4; b++)
      x[k] += 0.2 * sin (2.0 * M_PI * fin4[b] * k / RATE);
  }
  for (s = 0; s < 3; s++) {
    MstCompressor *c = new4 (1);
    const char *what[3] = { "mute band 1", "solo band 2", "solo 2 + 3, "
          "mute 3"
    };

    if (s == 0)
      mst_compressor_set_mute (c, 1, 1);
    if (s == 1)
      mst_compressor_set_solo (c, 2, 1);
    if (s == 2) {
      mst_compressor_set_solo (c, 2, 1);
      mst_compressor_set_solo (c, 3, 1);
      mst_compressor_set_mute (c, 3, 1);
    }
    run (c, x, y, n);
    for (b = 0; b < 4; b++)
      a[b] = 20.0 * log10 (amplitude (y + n - tail, tail, 1, fin4[b], RATE)
          / 0.2);
    for (b = 0; b < 4; b++) {
      int on = s == 0 ? b != 1 : b == 2;

      /* a sine in the middle of its band: the rest of the sum carries
       * 2 % to 8 % of it (LR4 skirts), so "off" is < -20 dB */
      if (on)
        MT_RANGE (a[b], -1.0, 0.3, "%s: band %u sine present (dB)", what[s],
            b);
      else
        MT_RANGE (a[b], -400.0, -20.0, "%s: band %u sine gone (dB)",
            what[s], b);
    }
    mst_compressor_free (c);
  }
  {
    /* bypass: a loud sine far over the threshold is not reduced; a
     * bypass switched on while running glides (no step above the
     * signal's own largest step) */
    MstCompressor *c = new4 (1);
    double red[4], maxstep = 0.0, sigstep = 0.0;

    mst_compressor_set_ratio (c, 1, 20.0);
    mst_compressor_set_threshold (c, 1, -40.0);
    for (k = 0; k < n; k++)
      x[k] = 0.8 * sin (2.0 * M_PI * fin4[1] * k / RATE);
    run (c, x, y, n / 2);
    mst_compressor_set_bypass (c, 1, 1);
    run (c, x + n / 2, y + n / 2, n / 2);
    for (k = 1; k < n; k++)
      sigstep = fmax (sigstep, fabs (x[k] - x[k - 1]));
    for (k = n / 2 - 100; k < n / 2 + 2000; k++)
      maxstep = fmax (maxstep, fabs (y[k] - y[k - 1]));
    mst_compressor_take_reduction (c, red, NULL);
    mst_compressor_take_reduction (c, red, NULL);
    MT_CLOSE (red[1], 0.0, 1e-9, "bypassed band reports no reduction (dB)");
    MT_CLOSE (20.0 * log10 (amplitude (y + n - tail, tail, 1, fin4[1],
                RATE) / 0.8), 20.0 * log10 (cabs (band_response (1, 4, fc4,
                    fin4[1], RATE) + band_response (0, 4, fc4, fin4[1],
                    RATE) + band_response (2, 4, fc4, fin4[1], RATE)
                + band_response (3, 4, fc4, fin4[1], RATE))), 0.01,
        "bypassed band passes the sine at its level (dB)");
    MT_RANGE (maxstep, 0.0, 1.01 * sigstep, "bypass switched on: largest "
        "output step vs the input's");
    mst_compressor_free (c);
  }
  free (x);
  free (y);
}

static void
test_mode_switch (void)
{
  const size_t n = RATE;
  double *x = malloc (2 * n * sizeof (double));
  double *y0 = malloc (2 * n * sizeof (double));
  double *y1 = malloc (2 * n * sizeof (double));
  MstCompressor *a = new4 (2), *b = new4 (2);
  double worst = 0.0;
  size_t k;

  for (k = 0; k < n; k++) {
    x[2 * k] = music (k, 4);
    x[2 * k + 1] = 0.3 * sin (2.0 * M_PI * 333.0 * k / RATE);
  }
  run (a, x, y0, n);
  run (b, x, y1, n / 3);
  mst_compressor_set_mode (b, MST_COMPRESSOR_MID_SIDE);
  run (b, x + 2 * (n / 3), y1 + 2 * (n / 3), n / 3);
  mst_compressor_set_mode (b, MST_COMPRESSOR_UNLINKED);
  run (b, x + 4 * (n / 3), y1 + 4 * (n / 3), n - 2 * (n / 3));
  for (k = 0; k < 2 * n; k++)
    worst = fmax (worst, fabs (y0[k] - y1[k]));
  MT_RANGE (worst, 0.0, 1e-12, "L/R -> M/S -> L/R while running, nothing "
      "compressing: output equals the unswitched one");
  mst_compressor_free (a);
  mst_compressor_free (b);
  free (x);
  free (y0);
  free (y1);
}

static void
test_nonfinite_and_formats (void)
{
  const size_t n = 4096;
  float *xf = malloc (2 * n * sizeof (float));
  float *yf = malloc (2 * n * sizeof (float));
  double *xd = malloc (2 * n * sizeof (double));
  double *yd = malloc (2 * n * sizeof (double));
  MstCompressor *cf = new4 (2), *cd = new4 (2);
  size_t k, bad;
  int finite = 1;
  double diff = 0.0;

  for (k = 0; k < 2 * n; k++) {
    xd[k] = music (k / 2, 5) * (k % 2 ? -0.5 : 1.0);
    xf[k] = (float) xd[k];
    xd[k] = xf[k];
  }
  for (k = 0; k < 4; k++) {
    mst_compressor_set_ratio (cf, k, 3.0);
    mst_compressor_set_ratio (cd, k, 3.0);
    mst_compressor_set_threshold (cf, k, -30.0);
    mst_compressor_set_threshold (cd, k, -30.0);
  }
  mst_compressor_process_f32 (cf, xf, yf, n);
  mst_compressor_process_f64 (cd, xd, yd, n);
  for (k = 0; k < 2 * n; k++)
    diff = fmax (diff, fabs (yf[k] - yd[k]));
  MT_RANGE (diff, 0.0, 1e-6, "F32 and F64 paths agree");

  xf[100] = NAN;
  xf[201] = INFINITY;
  xf[302] = -INFINITY;
  bad = mst_compressor_process_f32 (cf, xf, yf, n);
  for (k = 0; k < 2 * n; k++)
    finite &= isfinite (yf[k]);
  MT_CLOSE (bad, 3, 0, "non-finite input samples counted");
  mt_ok (finite, "output finite after NaN / Inf input");
  MT_CLOSE (mst_compressor_nonfinite (cf), 3, 0, "running count");
  xf[100] = xf[201] = xf[302] = 0.1f;
  mst_compressor_process_f32 (cf, xf, yf, n);
  finite = 1;
  for (k = 0; k < 2 * n; k++)
    finite &= isfinite (yf[k]) && fabs (yf[k]) < 4.0;
  mt_ok (finite, "next finite input processed normally");
  mst_compressor_set_threshold (cf, 0, NAN);
  mst_compressor_set_ratio (cf, 0, INFINITY);
  mst_compressor_process_f32 (cf, xf, yf, n);
  finite = 1;
  for (k = 0; k < 2 * n; k++)
    finite &= isfinite (yf[k]);
  mt_ok (finite, "NaN threshold ignored, ratio infinity accepted");
  mst_compressor_free (cf);
  mst_compressor_free (cd);
  free (xf);
  free (yf);
  free (xd);
  free (yd);
}

static void
test_api (void)
{
  mt_ok (mst_compressor_new (RATE, 3, 4, 0.0) == NULL, "3 channels refused");
  mt_ok (mst_compressor_new (RATE, 2, 7, 0.0) == NULL, "7 bands refused");
  mt_ok (mst_compressor_new (4000, 2, 4, 0.0) == NULL, "4 kHz refused");
  mt_ok (mst_compressor_new (RATE, 2, 4, NAN) == NULL, "NaN lookahead "
      "refused");
  {
    MstCompressor *c = mst_compressor_new (44100, 2, 4, 0.0);

    MT_CLOSE (mst_compressor_block (c), 32, 0, "block at 44.1 kHz");
    MT_CLOSE (mst_compressor_latency (c), 0, 0, "no lookahead, no latency");
    mst_compressor_free (c);
    c = mst_compressor_new (96000, 1, 6, 0.0);
    MT_CLOSE (mst_compressor_block (c), 64, 0, "block at 96 kHz");
    mst_compressor_free (c);
  }
}

int
main (void)
{
  test_api ();
  test_flat ();
  test_static_curve (MST_COMPRESSOR_PEAK);
  test_static_curve (MST_COMPRESSOR_RMS);
  test_time_constants ();
  test_mid_side ();
  test_isolation ();
  test_linking ();
  test_lookahead ();
  test_mute_solo_bypass ();
  test_mode_switch ();
  test_nonfinite_and_formats ();
  return mt_done ();
}
