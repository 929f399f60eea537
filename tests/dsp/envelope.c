/* gst-mastering — attack/release envelope follower tests
 *
 * Expectations (analytic, the discrete one-pole step response):
 * - a step from 0 to 1 on a follower with time constant T ms reaches
 *   1 - exp (-t / T) after t ms of updates (t = T: 63.2 %), for attack
 *   and release, per sample and per block of B samples (step B), at
 *   44.1 and 48 kHz, T = 1, 5, 50, 500 ms; compared with the formula
 *   within 1e-9 when T * rate / step is whole, and the 63 % point found
 *   within one update.
 * - 0 ms is instant: y = x.
 * - direction: RISING attacks on x > y, FALLING on x < y.
 * - release to rest: y = min (x, y + a_rel (rest - y)) for FALLING, i.e.
 *   the exact recursion written out in the test, and the decay from 0.1
 *   towards 1 follows 1 - 0.9 exp (-t / T).
 * - process () on interleaved channels equals step () per channel; in dB
 *   (log domain) the same law holds (the follower is plain arithmetic).
 * - a NaN or negative time is refused (old coefficient kept).
 */
#include <math.h>
#include <stdlib.h>

#include "dsp/envelope.h"
#include "mtest.h"

/* Updates (of `step` samples each) until the follower first covers 63.2 %
 * of a 0 -> 1 step. */
static double
updates_to_63 (MstEnvelope * e, double from, double to)
{
  double target = from + (to - from) * (1.0 - exp (-1.0));
  int k;

  mst_envelope_reset (e, from);
  for (k = 1; k < 10000000; k++) {
    double y = mst_envelope_step (e, 0, to);

    if ((to > from && y >= target) || (to < from && y <= target))
      return k;
  }
  return -1;
}

int
main (void)
{
  static const double times[] = { 1.0, 5.0, 50.0, 500.0 };
  static const double rates[] = { 44100.0, 48000.0 };
  static const double steps[] = { 1.0, 16.0 };
  size_t ti, ri, si;

  for (ri = 0; ri < 2; ri++)
    for (si = 0; si < 2; si++)
      for (ti = 0; ti < 4; ti++) {
        double rate = rates[ri], step = steps[si], T = times[ti];
        double per = T * rate / 1000.0 / step;    /* updates per T */
        MstEnvelope *e = mst_envelope_new (rate, 1, step,
            MST_ENVELOPE_RISING);
        double k;

        /* attack: rising input, RISING follower */
        mst_envelope_set_attack (e, T);
        mst_envelope_set_release (e, 1e6);
        k = updates_to_63 (e, 0.0, 1.0);
        MT_RANGE (k, floor (per), ceil (per) + 1, "attack %g ms, %g Hz, "
            "step %g: 63 %% after %.0f updates (T = %.2f)", T, rate, step, k,
            per);
        /* release: falling input */
        mst_envelope_set_attack (e, 0.0);
        mst_envelope_set_release (e, T);
        k = updates_to_63 (e, 1.0, 0.0);
        MT_RANGE (k, floor (per), ceil (per) + 1, "release %g ms, %g Hz, "
            "step %g: 63 %% after %.0f updates", T, rate, step, k);
        /* the whole curve against 1 - exp (-t / T) */
        {
          int j, n = (int) (3 * per) + 1;
          double worst = 0.0, y = 0.0;

          mst_envelope_reset (e, 1.0);
          for (j = 1; j <= n; j++) {
            double want = exp (-(double) j / per);

            y = mst_envelope_step (e, 0, 0.0);
            worst = fmax (worst, fabs (y - want));
          }
          MT_CLOSE (worst, 0.0, 1e-9, "release %g ms, %g Hz, step %g: "
              "curve = exp (-t / T) over 3 T", T, rate, step);
        }
        mst_envelope_free (e);
      }

  {
    MstEnvelope *e = mst_envelope_new (48000.0, 1, 1.0, MST_ENVELOPE_RISING);
    double a;

    mst_envelope_reset (e, 0.0);
    mt_ok (mst_envelope_step (e, 0, 0.7) == 0.7, "attack 0 ms: instant");
    mst_envelope_set_release (e, 0.0);
    mt_ok (mst_envelope_step (e, 0, 0.2) == 0.2, "release 0 ms: instant");
    mst_envelope_set_release (e, 10.0);
    a = mst_envelope_release_coef (e);
    mst_envelope_set_release (e, NAN);
    mst_envelope_set_release (e, -3.0);
    mt_ok (mst_envelope_release_coef (e) == a, "NaN / negative release "
        "refused, old value kept");
    mst_envelope_free (e);
  }

  {
    /* FALLING (gain) follower: a lower input attacks */
    MstEnvelope *e = mst_envelope_new (48000.0, 1, 1.0,
        MST_ENVELOPE_FALLING);
    double y;

    mst_envelope_set_attack (e, 1.0);
    mst_envelope_set_release (e, 100.0);
    mst_envelope_reset (e, 1.0);
    y = mst_envelope_step (e, 0, 0.0);
    MT_CLOSE (y, 1.0 - mst_envelope_attack_coef (e), 1e-15, "FALLING: a "
        "lower input moves with the attack coefficient");
    mst_envelope_reset (e, 0.0);
    y = mst_envelope_step (e, 0, 1.0);
    MT_CLOSE (y, mst_envelope_release_coef (e), 1e-15, "FALLING: a higher "
        "input moves with the release coefficient");
    mst_envelope_free (e);
  }

  {
    /* release to rest (limiter gain): y = min (x, y + a (1 - y)) */
    MstEnvelope *e = mst_envelope_new (48000.0, 1, 8.0,
        MST_ENVELOPE_FALLING);
    double y, ref = 1.0, a, worst = 0.0;
    int j, bad = 0;
    const double per = 50.0 * 48000.0 / 1000.0 / 8.0;

    mst_envelope_set_release (e, 50.0);
    mst_envelope_set_release_mode (e, MST_ENVELOPE_RELEASE_TO_REST, 1.0);
    a = mst_envelope_release_coef (e);
    mst_envelope_reset (e, 1.0);
    for (j = 0; j < 2000; j++) {
      double x = j < 100 ? 0.5 + 0.4 * sin (j * 0.3) : 0.97;

      ref = ref + (1.0 - ref) * a;
      ref = x < ref ? x : ref;
      y = mst_envelope_step (e, 0, x);
      bad += y != ref;
    }
    mt_ok (bad == 0, "release to rest: y = min (x, y + a (1 - y)) exactly");
    mst_envelope_reset (e, 0.1);
    for (j = 1; j <= (int) (3 * per); j++) {
      y = mst_envelope_step (e, 0, 1.0);
      worst = fmax (worst, fabs (y - (1.0 - 0.9 * exp (-j / per))));
    }
    MT_CLOSE (worst, 0.0, 1e-9, "release to rest: 1 - 0.9 exp (-t / T)");
    mst_envelope_free (e);
  }

  {
    /* process () over 3 interleaved channels (levels in dB) == step () */
    MstEnvelope *e = mst_envelope_new (44100.0, 3, 1.0, MST_ENVELOPE_RISING);
    MstEnvelope *f = mst_envelope_new (44100.0, 3, 1.0, MST_ENVELOPE_RISING);
    double in[3 * 500], out[3 * 500];
    int i, bad = 0;

    for (i = 0; i < 3 * 500; i++)
      in[i] = -60.0 + 50.0 * fabs (sin (i * 0.01 * (1 + i % 3)));
    mst_envelope_set_attack (e, 2.0);
    mst_envelope_set_release (e, 30.0);
    mst_envelope_set_attack (f, 2.0);
    mst_envelope_set_release (f, 30.0);
    mst_envelope_reset (e, -60.0);
    mst_envelope_reset (f, -60.0);
    mst_envelope_process (e, in, out, 500);
    for (i = 0; i < 3 * 500; i++)
      bad += out[i] != mst_envelope_step (f, (unsigned) (i % 3), in[i]);
    mt_ok (bad == 0, "process (3 ch interleaved, dB levels) equals step () "
        "per channel");
    mt_ok (mst_envelope_value (e, 2) == out[3 * 500 - 1], "value () is the "
        "state");
    mst_envelope_copy_channel (e, 0, 2);
    mt_ok (mst_envelope_value (e, 0) == out[3 * 500 - 1]
        && mst_envelope_value (e, 2) == out[3 * 500 - 1]
        && mst_envelope_value (e, 1) == out[3 * 500 - 2],
        "copy_channel: channel 0 gets channel 2's state, the others keep "
        "theirs");
    mt_ok (mst_envelope_step (e, 0, -20.0) == mst_envelope_step (e, 2,
            -20.0), "the copied channel goes on as its source");
    mst_envelope_free (e);
    mst_envelope_free (f);
  }
  mt_ok (mst_envelope_new (0.0, 1, 1.0, MST_ENVELOPE_RISING) == NULL
      && mst_envelope_new (48000.0, 0, 1.0, MST_ENVELOPE_RISING) == NULL
      && mst_envelope_new (48000.0, 1, 0.5, MST_ENVELOPE_RISING) == NULL,
      "invalid arguments refused");
  return mt_done ();
}
