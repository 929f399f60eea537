/* Every ORC kernel of orc/mastering.orc and orc/mastering-bench.orc
 * against a plain-C reference on random data, at awkward lengths and
 * misaligned pointers.  Runs against ORC-compiled code, or the C backups
 * of the -dist files when built with -Dorc=disabled (both builds run it in
 * CI).
 *
 * Expectations: float kernels do the same IEEE operations in the same
 * order as the reference, so results must agree to 1 ulp-level relative
 * error (tolerance 1e-6 relative); gain kernels are exact products. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mastering-orc.h"
#include "mastering-bench-orc.h"
#include "mtest.h"

#define N_MAX 4099

static uint32_t rng = 12345u;

static float
frand (void)
{
  rng = rng * 1664525u + 1013904223u;
  return (float) ((double) (rng >> 8) / 8388608.0 - 1.0);
}

static void
fill (float *v, size_t n)
{
  size_t i;

  for (i = 0; i < n; i++)
    v[i] = frand ();
}

static int
close_f (double got, double want)
{
  return fabs (got - want) <= 1e-6 * fmax (1.0, fabs (want));
}

static void
test_fir4 (size_t n, size_t off)
{
  static float x[N_MAX + 8], acc[N_MAX], d[N_MAX];
  float c[4];
  size_t i, bad = 0;

  fill (x, n + 8);
  fill (acc, n);
  fill (c, 4);
  mastering_orc_fir4_f32 (d, acc, x + off, x + off + 1, x + off + 2,
      x + off + 3, c[0], c[1], c[2], c[3], (int) n);
  for (i = 0; i < n; i++) {
    float r = acc[i];
    r += c[0] * x[off + i];
    r += c[1] * x[off + i + 1];
    r += c[2] * x[off + i + 2];
    r += c[3] * x[off + i + 3];
    bad += !close_f (d[i], r);
  }
  mt_ok (bad == 0, "mastering_orc_fir4_f32 n=%zu offset=%zu: %zu mismatches",
      n, off, bad);
}

static void
test_abs_max (size_t n)
{
  static float s[N_MAX], d[N_MAX], ref[N_MAX];
  size_t i, bad = 0;

  fill (s, n);
  fill (d, n);
  for (i = 0; i < n; i++) {
    d[i] = fabsf (d[i]);
    ref[i] = fabsf (s[i]) > d[i] ? fabsf (s[i]) : d[i];
  }
  mastering_orc_abs_max_f32 (d, s, (int) n);
  for (i = 0; i < n; i++)
    bad += d[i] != ref[i];
  mt_ok (bad == 0, "mastering_orc_abs_max_f32 n=%zu: %zu mismatches", n, bad);
}

static void
test_gain (size_t n)
{
  static float s1[N_MAX], s2[2 * N_MAX], g[N_MAX], d1[N_MAX], d2[2 * N_MAX];
  static double s64[N_MAX], d64[N_MAX];
  size_t i, bad1 = 0, bad2 = 0, bad64 = 0;

  fill (s1, n);
  fill (s2, 2 * n);
  fill (g, n);
  for (i = 0; i < n; i++)
    s64[i] = (double) frand () * 0.999;
  truepeaklimiter_orc_apply_gain_f32_1ch (d1, s1, g, (int) n);
  truepeaklimiter_orc_apply_gain_f32_2ch (d2, s2, g, (int) n);
  truepeaklimiter_orc_apply_gain_f64_1ch (d64, s64, g, (int) n);
  for (i = 0; i < n; i++) {
    bad1 += d1[i] != s1[i] * g[i];
    bad2 += d2[2 * i] != s2[2 * i] * g[i];
    bad2 += d2[2 * i + 1] != s2[2 * i + 1] * g[i];
    bad64 += d64[i] != s64[i] * (double) g[i];
  }
  mt_ok (bad1 == 0, "truepeaklimiter_orc_apply_gain_f32_1ch n=%zu: %zu "
      "mismatches", n, bad1);
  mt_ok (bad2 == 0, "truepeaklimiter_orc_apply_gain_f32_2ch n=%zu: %zu "
      "mismatches", n, bad2);
  mt_ok (bad64 == 0, "truepeaklimiter_orc_apply_gain_f64_1ch n=%zu: %zu "
      "mismatches", n, bad64);
}

int
main (void)
{
  static const size_t lengths[] = { 1, 3, 7, 16, 17, 255, 1024, 4099 };
  size_t i;

  for (i = 0; i < sizeof lengths / sizeof lengths[0]; i++) {
    test_fir4 (lengths[i], i % 4);
    test_abs_max (lengths[i]);
    test_gain (lengths[i]);
  }
  return mt_done ();
}
