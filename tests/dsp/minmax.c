/* gst-mastering — sliding minimum / maximum tests
 *
 * Expectation (brute force, the definition): y[i] = min (max) of
 * x[max (0, i - W + 1)] .. x[i], compared exactly, for windows 1, 2, 3,
 * 7, 64, 1000 on random values with ties (50 W levels), on monotonic ramps (the
 * deque's worst cases: all kept / all dropped), on a saw that makes the
 * minimum leave the window every W values, and after reset.  A window one
 * value too short or too long differs from the brute force on these
 * signals (checked below by comparing with W - 1 and W + 1).  A copy
 * (mst_minmax_copy) taken at 40 points of a stream goes on exactly as
 * the original.
 */
#include <stdint.h>
#include <stdlib.h>

#include "dsp/minmax.h"
#include "mtest.h"
#include "signals.h"

static MtsRng rng;

static uint64_t
rnd (void)
{
  return mts_rng_u64 (&rng);
}

static double
brute (const double *x, size_t i, size_t W, int max)
{
  size_t j0 = i + 1 >= W ? i + 1 - W : 0, j;
  double m = x[j0];

  for (j = j0; j <= i; j++)
    m = max ? (x[j] > m ? x[j] : m) : (x[j] < m ? x[j] : m);
  return m;
}

/* Number of outputs of a window-W object that differ from the brute force
 * over a window of Wref. */
static size_t
mismatches (const double *x, size_t n, size_t W, size_t Wref, int max,
    int use_process)
{
  MstMinMax *mm = mst_minmax_new (W, max ? MST_MINMAX_MAX : MST_MINMAX_MIN);
  double *y = malloc (sizeof (double) * n);
  size_t i, bad = 0;

  if (use_process) {
    mst_minmax_process (mm, x, y, n / 3);
    mst_minmax_process (mm, x + n / 3, y + n / 3, n - n / 3);
  } else {
    for (i = 0; i < n; i++)
      y[i] = mst_minmax_push (mm, x[i]);
  }
  for (i = 0; i < n; i++)
    bad += y[i] != brute (x, i, Wref, max);
  mst_minmax_free (mm);
  free (y);
  return bad;
}

int
main (void)
{
  static const size_t windows[] = { 1, 2, 3, 7, 64, 1000 };
  const size_t n = 5000;
  double *x = malloc (sizeof (double) * n);
  const char *names[] = { "random with ties", "rising ramp",
    "falling ramp", "saw of period W+1" };
  size_t wi, i;
  int kind, max;

  mts_rng_seed (&rng, 2);
  for (wi = 0; wi < sizeof windows / sizeof windows[0]; wi++) {
    size_t W = windows[wi];

    for (kind = 0; kind < 4; kind++) {
      for (i = 0; i < n; i++) {
        switch (kind) {
          case 0:
            x[i] = (double) (rnd () % (50 * W)) - 25.0 * W;
            break;
          case 1:
            x[i] = (double) i;
            break;
          case 2:
            x[i] = -(double) i;
            break;
          default:
            x[i] = (double) (i % (W + 1));
            break;
        }
      }
      for (max = 0; max < 2; max++) {
        mt_ok (mismatches (x, n, W, W, max, kind & 1) == 0,
            "%s, window %zu, %s: equals brute force", names[kind], W,
            max ? "max" : "min");
        if (kind == 0 && W > 1) {
          mt_ok (mismatches (x, n, W, W - 1, max, 0) > 0
              && mismatches (x, n, W, W + 1, max, 0) > 0,
              "random, window %zu, %s: a window one shorter or longer is "
              "told apart", W, max ? "max" : "min");
        }
      }
    }
  }

  {
    MstMinMax *mm = mst_minmax_new (4, MST_MINMAX_MIN);

    mt_ok (mst_minmax_get (mm) == HUGE_VAL, "min of nothing is +inf");
    mst_minmax_push (mm, -5.0);
    mst_minmax_push (mm, 3.0);
    mst_minmax_reset (mm);
    mt_ok (mst_minmax_push (mm, 2.0) == 2.0 && mst_minmax_push (mm, 7.0)
        == 2.0 && mst_minmax_get (mm) == 2.0, "reset forgets earlier "
        "values; the first outputs are the minimum of what was pushed");
    mt_ok (mst_minmax_window (mm) == 4, "window reported");
    mst_minmax_free (mm);
    mt_ok (mst_minmax_new (0, MST_MINMAX_MIN) == NULL, "window 0 refused");
  }

  /* copy: a copy taken mid-stream (deque wrapped round its ring, some
   * values popped) goes on exactly as the original; mismatched window or
   * mode refused */
  {
    const size_t W = 7;
    MstMinMax *a = mst_minmax_new (W, MST_MINMAX_MAX);
    MstMinMax *b = mst_minmax_new (W, MST_MINMAX_MAX);
    MstMinMax *w8 = mst_minmax_new (W + 1, MST_MINMAX_MAX);
    MstMinMax *mn = mst_minmax_new (W, MST_MINMAX_MIN);
    size_t bad = 0;

    size_t r, j;
    int ok = 1;

    for (i = 0; i < 3000; i++)
      x[i] = (double) (rnd () % 50);
    for (i = 0; i < 5; i++)
      mst_minmax_push (b, 100.0);     /* b's own state, to be replaced */
    /* 40 copies, each after a few values pushed to a alone (b falls
     * behind), then 50 values to both */
    for (r = 0, i = 0; r < 40; r++) {
      for (j = rnd () % 20; j > 0; j--)
        mst_minmax_push (a, x[i++]);
      ok &= mst_minmax_copy (b, a) && mst_minmax_get (b) == mst_minmax_get (a);
      for (j = 0; j < 50; j++, i++)
        bad += mst_minmax_push (a, x[i]) != mst_minmax_push (b, x[i]);
    }
    mt_ok (ok, "copy between equal windows and modes; the copy returns the "
        "original's extreme");
    mt_ok (bad == 0, "the copy goes on as the original (40 copies, 50 "
        "values after each: %zu differ)", bad);
    mt_ok (!mst_minmax_copy (w8, a) && !mst_minmax_copy (mn, a),
        "copy refused across windows or modes");
    mst_minmax_free (a);
    mst_minmax_free (b);
    mst_minmax_free (w8);
    mst_minmax_free (mn);
  }
  {
  }
  free (x);
  return mt_done ();
}
