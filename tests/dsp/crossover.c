/* gst-mastering — Linkwitz-Riley crossover core tests
 *
 * Expectations and where they come from:
 * - flat sum: the bands of a 4th-order Linkwitz-Riley split with all-pass
 *   compensation add up to an all-pass (Linkwitz 1976; LP4 + HP4 = AP2),
 *   so the magnitude of the summed impulse response, evaluated by a
 *   direct Fourier transform here, is 0 dB within 0.01 dB from 20 Hz to
 *   20 kHz, for 2, 4 and 6 bands at 44.1, 48 and 96 kHz.
 * - band shapes: the analog Linkwitz-Riley magnitudes |LP4| =
 *   1 / (1 + (w/wc)^4), |HP4| = (w/wc)^4 / (1 + (w/wc)^4), times the
 *   magnitude 1 of every compensating all-pass, evaluated at the
 *   frequency the bilinear transform maps f to (w = tan (pi f / fs)),
 *   within 1e-4 in linear magnitude; -6.02 dB at each crossover.
 * - channels are independent; the second channel gets its own signal.
 * - a glide to a new crossover frequency arrives, and the sum of a sine
 *   stays bounded while it moves.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/crossover.h"
#include "mtest.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define IR_LEN 65536

/* Impulse response of every lane: returns IR_LEN frames of stride doubles.
 * The impulse goes to channel `ch` only. */
static double *
impulse_response (MstCrossover * xo, unsigned ch)
{
  unsigned C = mst_crossover_channels (xo), S = mst_crossover_stride (xo);
  double *in = calloc ((size_t) IR_LEN * C, sizeof (double));
  double *out = malloc ((size_t) IR_LEN * S * sizeof (double));
  size_t pos = 0, n = 0;

  in[ch] = 1.0;
  /* uneven chunk sizes */
  while (pos < IR_LEN) {
    n = (n * 7 + 13) % 700 + 1;
    if (n > IR_LEN - pos)
      n = IR_LEN - pos;
    mst_crossover_process (xo, in + pos * C, out + pos * S, n);
    pos += n;
  }
  free (in);
  return out;
}

/* |sum_n h[n] e^(-j w n)| for h = sum of lanes in `mask` (bit per lane). */
static double
magnitude (const double *ir, unsigned stride, unsigned long mask, double f,
    double rate)
{
  double w = 2.0 * M_PI * f / rate, re = 0.0, im = 0.0;
  double cr = 1.0, ci = 0.0, dr = cos (w), di = -sin (w);
  size_t n;

  for (n = 0; n < IR_LEN; n++) {
    double h = 0.0, t;
    unsigned j;

    for (j = 0; j < stride; j++)
      if (mask & (1ul << j))
        h += ir[n * stride + j];
    re += h * cr;
    im += h * ci;
    t = cr * dr - ci * di;
    ci = cr * di + ci * dr;
    cr = t;
    if ((n & 1023) == 1023) {   /* keep the rotation on the unit circle */
      double m = sqrt (cr * cr + ci * ci);
      cr /= m;
      ci /= m;
    }
  }
  return sqrt (re * re + im * im);
}

static void
test_flat_sum (unsigned rate, unsigned bands, const double *freqs)
{
  MstCrossover *xo = mst_crossover_new (rate, 2, bands);
  unsigned S, e, b, i;
  unsigned long mask = 0;
  double *ir, worst = 0.0;

  for (e = 0; e + 1 < bands; e++)
    mst_crossover_set_frequency (xo, e, freqs[e]);
  S = mst_crossover_stride (xo);
  ir = impulse_response (xo, 0);
  for (b = 0; b < bands; b++)
    mask |= 1ul << (b * 2);
  for (i = 0; i <= 200; i++) {
    double f = 20.0 * pow (1000.0, i / 200.0);
    double d = 20.0 * log10 (magnitude (ir, S, mask, f, rate));

    if (fabs (d) > fabs (worst))
      worst = d;
  }
  MT_CLOSE (worst, 0.0, 0.01,
      "sum of %u bands at %u Hz, 20 Hz - 20 kHz, worst deviation (dB)",
      bands, rate);
  /* the other channel got no impulse */
  {
    double m = 0.0;
    size_t n;

    for (n = 0; n < IR_LEN; n++)
      for (b = 0; b < bands; b++)
        m = fmax (m, fabs (ir[n * S + b * 2 + 1]));
    mt_ok (m == 0.0, "channel 1 silent when only channel 0 is fed "
        "(%u bands, %u Hz)", bands, rate);
  }
  free (ir);
  mst_crossover_free (xo);
}

/* Analog LR4 prototype at the bilinear-mapped frequency. */
static double
lr4 (int high, double f, double fc, double rate)
{
  double r = tan (M_PI * f / rate) / tan (M_PI * fc / rate);
  double r4 = r * r * r * r;

  return high ? r4 / (1.0 + r4) : 1.0 / (1.0 + r4);
}

/* Band b of the 4-band split at fc[]: the high-passes of every split
 * below it and the low-pass of its own upper edge (all-passes: |1|). */
static double
band_want (unsigned b, double f, const double *fc, double rate)
{
  double want = 1.0;
  unsigned e;

  for (e = 0; e < b; e++)
    want *= lr4 (1, f, fc[e], rate);
  if (b < 3)
    want *= lr4 (0, f, fc[b], rate);
  return want;
}

static void
test_band_shapes (unsigned rate)
{
  static const double fc[3] = { 150.0, 1200.0, 6000.0 };
  MstCrossover *xo = mst_crossover_new (rate, 1, 4);
  unsigned S, b, i, e;
  double *ir;

  for (e = 0; e < 3; e++)
    mst_crossover_set_frequency (xo, e, fc[e]);
  S = mst_crossover_stride (xo);
  ir = impulse_response (xo, 0);
  for (b = 0; b < 4; b++) {
    double worst = 0.0;

    for (i = 0; i <= 60; i++) {
      double f = 20.0 * pow (1000.0, i / 60.0);
      double want = 1.0, got;

      want = band_want (b, f, fc, rate);
      got = magnitude (ir, S, 1ul << b, f, rate);
      if (fabs (got - want) > fabs (worst))
        worst = got - want;
    }
    MT_CLOSE (worst, 0.0, 1e-4, "band %u of 4 at %u Hz vs analog LR4 "
        "(linear magnitude, worst difference)", b, rate);
  }
  for (e = 0; e < 3; e++) {
    double lo = 20.0 * log10 (magnitude (ir, S, 1ul << e, fc[e], rate)
        / band_want (e, fc[e], fc, rate));
    double hi = 20.0 * log10 (magnitude (ir, S, 1ul << (e + 1), fc[e],
            rate) / band_want (e + 1, fc[e], fc, rate));

    /* measured / (analog magnitude without this crossover's own -6 dB) */
    lo += 20.0 * log10 (lr4 (0, fc[e], fc[e], rate));
    hi += 20.0 * log10 (lr4 (1, fc[e], fc[e], rate));
    MT_CLOSE (lo, -6.0206, 0.001, "band %u at its upper crossover %.0f Hz "
        "(dB)", e, fc[e]);
    MT_CLOSE (hi, -6.0206, 0.001, "band %u at its lower crossover %.0f Hz "
        "(dB)", e + 1, fc[e]);
  }
  free (ir);
  mst_crossover_free (xo);
}

/* A glide from 200 Hz to 2 kHz arrives; meanwhile the band sum of a
 * 500 Hz sine stays within 1 dB of the input (all-pass while static;
 * the coefficients move slowly enough not to ring). */
static void
test_glide (void)
{
  const unsigned rate = 48000, n = rate;
  MstCrossover *xo = mst_crossover_new (rate, 1, 2);
  double *in = malloc (n * sizeof (double));
  double *out = malloc ((size_t) n * 4 * sizeof (double));
  double peak = 0.0, low = 1e9;
  unsigned t;

  mst_crossover_set_frequency (xo, 0, 200.0);
  for (t = 0; t < n; t++)
    in[t] = sin (2.0 * M_PI * 500.0 * t / rate);
  mst_crossover_process (xo, in, out, rate / 10);
  mst_crossover_set_frequency (xo, 0, 2000.0);
  mst_crossover_process (xo, in + rate / 10, out + rate / 10 * 4,
      n - rate / 10);
  MT_CLOSE (mst_crossover_get_frequency (xo, 0), 2000.0, 0.0,
      "target frequency reads back");
  for (t = rate / 20; t < n; t++) {
    double s = out[t * 4] + out[t * 4 + 1];

    peak = fmax (peak, fabs (s));
  }
  for (t = n - 480; t < n; t++)
    low = fmin (low, fabs (out[t * 4]));
  MT_RANGE (20.0 * log10 (peak), -1.0, 1.0,
      "peak of the band sum while the crossover glides (dB)");
  {
    /* after a second: the 500 Hz sine is in the low band of a 2 kHz
     * split: LR4 low-pass at 500 Hz, amplitude ~ 1 / (1 + 0.25^4) */
    double a = 0.0;

    for (t = n - 960; t < n; t++)
      a = fmax (a, fabs (out[t * 4]));
    MT_CLOSE (a, lr4 (0, 500.0, 2000.0, rate), 0.002,
        "glide arrived: low band amplitude of 500 Hz at fc 2 kHz");
  }
  (void) low;
  free (in);
  free (out);
  mst_crossover_free (xo);
}

static void
test_api (void)
{
  MstCrossover *xo;

  mt_ok (mst_crossover_new (1000, 2, 4) == NULL, "rate below range refused");
  mt_ok (mst_crossover_new (48000, 3, 4) == NULL, "3 channels refused");
  mt_ok (mst_crossover_new (48000, 2, 7) == NULL, "7 bands refused");
  mt_ok (mst_crossover_new (48000, 2, 0) == NULL, "0 bands refused");
  xo = mst_crossover_new (48000, 2, 1);
  mt_ok (xo != NULL, "1 band accepted");
  {
    double in[8] = { 0.5, -0.25, 0.125, 1.0, -1.0, 0.0, 0.75, 0.3 };
    double out[16];
    unsigned t;
    int same = 1;

    mst_crossover_process (xo, in, out, 4);
    for (t = 0; t < 4; t++)
      same &= out[t * 4] == in[t * 2] && out[t * 4 + 1] == in[t * 2 + 1];
    mt_ok (same, "one band passes the input unchanged");
  }
  mst_crossover_free (xo);
  xo = mst_crossover_new (48000, 2, 6);
  mst_crossover_set_frequency (xo, 0, 1e9);
  MT_CLOSE (mst_crossover_get_frequency (xo, 0), 0.45 * 48000, 0.0,
      "frequency clamped below Nyquist");
  mst_crossover_set_frequency (xo, 1, NAN);
  mt_ok (isfinite (mst_crossover_get_frequency (xo, 1)), "NaN ignored");
  MT_CLOSE (mst_crossover_stride (xo), 16, 0, "stride of 6 bands x 2 "
      "(whole vectors of 8)");
  mst_crossover_free (xo);
}

int
main (void)
{
  static const double f2[1] = { 1000.0 };
  static const double f4[3] = { 120.0, 800.0, 5000.0 };
  static const double f6[5] = { 60.0, 250.0, 1000.0, 4000.0, 12000.0 };
  static const unsigned rates[3] = { 44100, 48000, 96000 };
  unsigned r;

  test_api ();
  for (r = 0; r < 3; r++) {
    test_flat_sum (rates[r], 2, f2);
    test_flat_sum (rates[r], 4, f4);
    test_flat_sum (rates[r], 6, f6);
    test_band_shapes (rates[r]);
  }
  test_glide ();
  return mt_done ();
}
