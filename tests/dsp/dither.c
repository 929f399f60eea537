/* gst-mastering — tests of dsp/dither (TPDF-dithered quantization)
 *
 * Expectations from the theory of non-subtractive dither (Wannamaker,
 * Lipshitz & Vanderkooy, IEEE Trans. SP 48(2), 2000): with TPDF dither of
 * +-1 LSB the total error e = output - input has mean 0 and variance
 * 1/4 LSB^2 for ANY input value (1/12 from rounding + 1/6 from the
 * dither), its magnitude never exceeds 1.5 LSB, and a constant input of
 * exactly 0 becomes -1 / 0 / +1 with probabilities 1/8, 3/4, 1/8 (the
 * triangular density integrated beyond +-0.5 LSB).  Without dither (plain
 * rounding) the error of a constant input is a constant, so the variance
 * checks fail; with rectangular dither its variance depends on the input.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/dither.h"
#include "mtest.h"

#define N 200000

static void
error_moments (unsigned bits, double lsb_offset, double *mean, double *var,
    double *max_abs)
{
  MstDither *d = mst_dither_new (bits, 12345);
  double scale = ldexp (1.0, (int) bits - 1);
  /* a value between two codes: 1000 LSB + the offset */
  double x = (1000.0 + lsb_offset) / scale;
  double *in = malloc (N * sizeof (double));
  int32_t *out = malloc (N * sizeof (int32_t));
  double s = 0.0, s2 = 0.0, m = 0.0;
  size_t i;

  for (i = 0; i < N; i++)
    in[i] = x;
  mst_dither_process_f64 (d, in, out, N);
  for (i = 0; i < N; i++) {
    double e = out[i] - x * scale;

    s += e;
    s2 += e * e;
    m = fmax (m, fabs (e));
  }
  *mean = s / N;
  *var = s2 / N - *mean * *mean;
  *max_abs = m;
  free (in);
  free (out);
  mst_dither_free (d);
}

static void
test_error_is_signal_independent (void)
{
  static const double offsets[] = { 0.0, 0.1, 0.25, 0.5, 0.75, 0.9 };
  unsigned b;
  size_t k;

  for (b = 16; b <= 24; b += 8) {
    for (k = 0; k < sizeof offsets / sizeof offsets[0]; k++) {
      double mean, var, max_abs;

      error_moments (b, offsets[k], &mean, &var, &max_abs);
      /* standard error of the mean: sqrt(0.25 / N) = 0.0011 */
      MT_CLOSE (mean, 0.0, 0.006, "%u-bit, input %.2f LSB off a code: "
          "mean error", b, offsets[k]);
      /* the variance estimate's standard error is ~0.0007 */
      MT_CLOSE (var, 0.25, 0.006, "%u-bit, input %.2f LSB off: error "
          "variance 1/4 LSB^2", b, offsets[k]);
      MT_RANGE (max_abs, 0.0, 1.5, "%u-bit, offset %.2f: |error| <= 1.5 LSB",
          b, offsets[k]);
    }
  }
}

static void
test_zero_input (void)
{
  MstDither *d = mst_dither_new (16, MST_DITHER_DEFAULT_SEED);
  float *in = calloc (N, sizeof (float));
  int32_t *out = malloc (N * sizeof (int32_t));
  size_t i, n_minus = 0, n_zero = 0, n_plus = 0, other = 0;

  mst_dither_process_f32 (d, in, out, N);
  for (i = 0; i < N; i++) {
    if (out[i] == -1)
      n_minus++;
    else if (out[i] == 0)
      n_zero++;
    else if (out[i] == 1)
      n_plus++;
    else
      other++;
  }
  mt_ok (other == 0, "silence dithers to -1, 0, +1 only (%zu others)",
      other);
  /* binomial standard errors ~0.0007 (1/8) and ~0.001 (3/4) */
  MT_CLOSE ((double) n_minus / N, 0.125, 0.005, "P(-1) = 1/8");
  MT_CLOSE ((double) n_zero / N, 0.75, 0.005, "P(0) = 3/4");
  MT_CLOSE ((double) n_plus / N, 0.125, 0.005, "P(+1) = 1/8");
  free (in);
  free (out);
  mst_dither_free (d);
}

/* White: neighbouring error samples uncorrelated (TPDF from independent
 * draws per sample). */
static void
test_white (void)
{
  MstDither *d = mst_dither_new (16, 99);
  float *in = calloc (N, sizeof (float));
  int32_t *out = malloc (N * sizeof (int32_t));
  double c0 = 0.0, c1 = 0.0;
  size_t i;

  mst_dither_process_f32 (d, in, out, N);
  for (i = 1; i < N; i++) {
    c0 += (double) out[i] * out[i];
    c1 += (double) out[i] * out[i - 1];
  }
  MT_CLOSE (c1 / c0, 0.0, 0.01, "lag-1 autocorrelation of the noise");
  free (in);
  free (out);
  mst_dither_free (d);
}

static void
test_reproducible (void)
{
  MstDither *a = mst_dither_new (24, MST_DITHER_DEFAULT_SEED);
  MstDither *b = mst_dither_new (24, MST_DITHER_DEFAULT_SEED);
  MstDither *c = mst_dither_new (24, MST_DITHER_DEFAULT_SEED + 1);
  float in[4096];
  int32_t oa[4096], ob[4096], oc[4096], oa2[4096];
  size_t i;

  for (i = 0; i < 4096; i++)
    in[i] = (float) (0.3 * sin (0.01 * i));
  mst_dither_process_f32 (a, in, oa, 4096);
  /* b in two chunks: the same sequence */
  mst_dither_process_f32 (b, in, ob, 1000);
  mst_dither_process_f32 (b, in + 1000, ob + 1000, 3096);
  mst_dither_process_f32 (c, in, oc, 4096);
  mt_ok (memcmp (oa, ob, sizeof oa) == 0, "same seed: identical output, "
      "whatever the chunking");
  mt_ok (memcmp (oa, oc, sizeof oa) != 0, "another seed: other noise");
  mst_dither_reset (a);
  mst_dither_process_f32 (a, in, oa2, 4096);
  mt_ok (memcmp (oa, oa2, sizeof oa) == 0, "reset restarts the sequence");
  mst_dither_free (a);
  mst_dither_free (b);
  mst_dither_free (c);
}

static void
test_range_and_clipping (void)
{
  MstDither *d16 = mst_dither_new (16, 1);
  MstDither *d24 = mst_dither_new (24, 1);
  double in[6] = { 1.0, -1.0, 2.0, -2.0, NAN, INFINITY };
  int32_t out[6];
  size_t bad;

  bad = mst_dither_process_f64 (d16, in, out, 6);
  mt_ok (out[0] >= 32766 && out[0] <= 32767, "+1.0 -> %d (16-bit top)",
      out[0]);
  mt_ok (out[1] >= -32768 && out[1] <= -32767, "-1.0 -> %d", out[1]);
  mt_ok (out[2] == 32767 && out[3] == -32768, "+-2.0 clipped to the range");
  mt_ok (out[4] >= -1 && out[4] <= 1 && out[5] >= -1 && out[5] <= 1,
      "NaN, Inf -> dithered 0 (%d, %d)", out[4], out[5]);
  mt_ok (bad >= 4, "clipped / non-finite samples counted (%zu)", bad);
  mst_dither_process_f64 (d24, in, out, 4);
  mt_ok (out[2] == 8388607 && out[3] == -8388608, "24-bit range");
  mt_ok (mst_dither_new (20, 1) == NULL && mst_dither_new (8, 1) == NULL,
      "only 16 and 24 bits");
  mt_ok (mst_dither_bits (d24) == 24, "bits reported");
  mst_dither_free (d16);
  mst_dither_free (d24);
}

int
main (void)
{
  test_error_is_signal_independent ();
  test_zero_input ();
  test_white ();
  test_reproducible ();
  test_range_and_clipping ();
  return mt_done ();
}
