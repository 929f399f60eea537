/* gst-mastering — small numeric helpers shared by every dsp/ processor
 *
 * Defined once here so that the cores agree on constants, unit
 * conversions and on what happens to non-finite values:
 *
 *   MST_PI                     pi in double precision
 *   MST_RATE_MIN, MST_RATE_MAX sample-rate range every core and element
 *                              accepts (Hz)
 *   MST_MAX_CHANNELS           largest channel count of any core
 *   mst_db_to_lin ()           dB -> linear amplitude (20 log10)
 *   mst_lin_to_db ()           linear amplitude -> dB; 0 (or less) gives
 *                              -HUGE_VAL, never NaN
 *   mst_clamp ()               clamp to [lo, hi]; NaN gives `lo` (the
 *                              documented fallback of a setter that has no
 *                              better one), +-inf give the bound
 *   mst_clamp_or ()            clamp to [lo, hi]; NaN gives `fallback`
 *                              (e.g. the old value of a parameter)
 *   mst_one_pole_coef ()       coefficient a of y += a (x - y) so that a
 *                              step is covered to 1 - 1/e (63 %) after
 *                              time_ms, when updated every `step` samples
 *   mst_flush_denormal ()      0 for magnitudes below 1e-30 (state of a
 *                              recursive filter decaying into silence
 *                              would otherwise become denormal and slow
 *                              every following sample on x86)
 *
 * Plain C99, header only.
 */
#ifndef MST_UTIL_H
#define MST_UTIL_H

#include <math.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MST_PI 3.14159265358979323846

#define MST_RATE_MIN 8000
#define MST_RATE_MAX 384000
#define MST_MAX_CHANNELS 8

static inline double
mst_db_to_lin (double db)
{
  return pow (10.0, db / 20.0);
}

static inline double
mst_lin_to_db (double lin)
{
  return lin > 0.0 ? 20.0 * log10 (lin) : -HUGE_VAL;
}

static inline double
mst_clamp_or (double x, double lo, double hi, double fallback)
{
  if (isnan (x))
    return fallback;
  return x < lo ? lo : (x > hi ? hi : x);
}

static inline double
mst_clamp (double x, double lo, double hi)
{
  return mst_clamp_or (x, lo, hi, lo);
}

/* time_ms > 0, rate > 0, step >= 1 samples between updates */
static inline double
mst_one_pole_coef (double time_ms, double rate, double step)
{
  return 1.0 - exp (-step * 1000.0 / (time_ms * rate));
}

/* Zeroth-order modified Bessel function of the first kind (series), for
 * Kaiser windows. */
static inline double
mst_bessel_i0 (double x)
{
  double sum = 1.0, term = 1.0, q = x * x / 4.0;
  int k;

  for (k = 1; k < 64; k++) {
    term *= q / ((double) k * (double) k);
    sum += term;
    if (term < sum * 1e-17)
      break;
  }
  return sum;
}

/* floor (a / d) for d >= 1, any sign of a and |a| < 2^50, given
 * inv_d = 1.0 / d: the product in double is within one of the quotient,
 * and is corrected.  A 64-bit division takes 40 to 90 cycles on Intel
 * CPUs before Ice Lake; this, a few. */
static inline int64_t
mst_floor_div (int64_t a, int64_t d, double inv_d)
{
  int64_t q = (int64_t) ((double) a * inv_d);

  if (q * d > a)
    q--;
  else if ((q + 1) * d <= a)
    q++;
  return q;
}

static inline double
mst_flush_denormal (double x)
{
  return fabs (x) < 1e-30 ? 0.0 : x;
}

#ifdef __cplusplus
}
#endif
#endif /* MST_UTIL_H */
