/* gst-mastering — unit tests of the BS.1770 / EBU R 128 loudness core
 *
 * Every expectation comes from docs/conformance.md or a public standard (cited
 * at each check) or from an identity the API promises (format, chunking,
 * GAP and reset invariance: the same samples must give the same numbers).
 */
#include "dsp/loudness.h"
#include "mtest.h"
#include "signals.h"

#include <stdlib.h>
#include <string.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* ---- helpers ------------------------------------------------------------ */

typedef struct
{
  double I, M, S, lra, mmax, smax, rel;
  double sp[MST_LOUDNESS_MAX_CHANNELS], tp[MST_LOUDNESS_MAX_CHANNELS];
  unsigned channels;
} Res;

static void
get_res (const MstLoudness * st, Res * r)
{
  unsigned c;

  memset (r, 0, sizeof *r);
  r->channels = mst_loudness_channels (st);
  r->I = mst_loudness_integrated (st);
  r->M = mst_loudness_momentary (st);
  r->S = mst_loudness_shortterm (st);
  r->lra = mst_loudness_range (st);
  r->mmax = mst_loudness_momentary_max (st);
  r->smax = mst_loudness_shortterm_max (st);
  r->rel = mst_loudness_relative_threshold (st);
  for (c = 0; c < r->channels; c++) {
    r->sp[c] = mst_loudness_sample_peak (st, c);
    r->tp[c] = mst_loudness_true_peak (st, c);
  }
}

/* |a - b| where equal infinities count as 0 and NaN as +inf */
static double
vdiff (double a, double b)
{
  if (isnan (a) || isnan (b))
    return INFINITY;
  if (isinf (a) || isinf (b))
    return a == b ? 0.0 : INFINITY;
  return fabs (a - b);
}

static double
res_maxdiff (const Res * a, const Res * b, const char **what)
{
  double d = 0.0, x;
  unsigned c;

#define RD(f) do { x = vdiff (a->f, b->f); if (x > d || isnan (x)) { d = x;  \
      *what = #f; } } while (0)
  *what = "-";
  RD (I);
  RD (M);
  RD (S);
  RD (lra);
  RD (mmax);
  RD (smax);
  RD (rel);
  for (c = 0; c < a->channels; c++) {
    RD (sp[c]);
    RD (tp[c]);
  }
#undef RD
  return d;
}

static int
res_has_nan (const Res * r)
{
  unsigned c;

  if (isnan (r->I) || isnan (r->M) || isnan (r->S) || isnan (r->lra) ||
      isnan (r->mmax) || isnan (r->smax) || isnan (r->rel))
    return 1;
  for (c = 0; c < r->channels; c++)
    if (isnan (r->sp[c]) || isnan (r->tp[c]))
      return 1;
  return 0;
}

static MstLoudness *
meter_new (unsigned rate, unsigned channels, unsigned flags)
{
  MstLoudness *st = mst_loudness_new (rate, channels, flags);

  if (!st) {
    printf ("Bail out! mst_loudness_new (%u, %u) failed\n", rate, channels);
    exit (1);
  }
  return st;
}

/* Feeds a whole buffer as f64 in one call. */
static void
feed (MstLoudness * st, const MtsBuf * b)
{
  mst_loudness_process_f64 (st, b->data, b->frames);
}

/* Integrated loudness of b with the given channel weights (NULL = all 1). */
static double
integrated_of (const MtsBuf * b, const double *weights)
{
  MstLoudness *st = meter_new (b->rate, b->channels, 0);
  double I;
  unsigned c;

  if (weights)
    for (c = 0; c < b->channels; c++)
      mst_loudness_set_channel_weight (st, c, weights[c]);
  feed (st, b);
  I = mst_loudness_integrated (st);
  mst_loudness_free (st);
  return I;
}

/* ---- 1. K-weighting coefficients (docs/conformance.md §2) ---------------- */

static void
test_k_coefficients (void)
{
  /* docs/conformance.md §2, "Resulting coefficients [V]" table: shelf b0 b1 b2
   * a1 a2, RLB a1 a2 (RLB numerator is 1, -2, 1) */
  static const struct
  {
    double rate;
    double v[7];
  } tab[] = {
    {32000, {1.51117789956876, -2.46488941336014, 1.04163327352230,
            -1.53904509625064, 0.62696685598156, -1.98508966898869,
            0.98514532066955}},
    {44100, {1.53084123005035, -2.65097999515473, 1.16907907992159,
            -1.66365511325602, 0.71259542807323, -1.98916967362980,
            0.98919903578704}},
    {48000, {1.53512485958697, -2.69169618940638, 1.19839281085285,
            -1.69065929318241, 0.73248077421585, -1.99004745483398,
            0.99007225036621}},
    {88200, {1.55751537557965, -2.90562707992635, 1.36133397747221,
            -1.83091998796233, 0.84414226108785, -1.99457751545034,
            0.99458487587805}},
    {96000, {1.55971422897580, -2.92674157825108, 1.37826120231582,
            -1.84460946989011, 0.85584332293064, -1.99501754472472,
            0.99502375904092}},
    {176400, {1.57111531774185, -3.03654450240465, 1.46887161198976,
            -1.91532931683305, 0.91877174416001, -1.99728692242381,
            0.99728876502607}},
    {192000, {1.57222721509128, -3.04728305156155, 1.47797134097961,
            -1.92220223060749, 0.92511773511683, -1.99750722284070,
            0.99750877835551}},
  };
  /* BS.1770-4 Annex 1 Tables 1 and 2: the ITU 48 kHz coefficients */
  static const double itu[7] = { 1.53512485958697, -2.69169618940638,
    1.19839281085285, -1.69065929318241, 0.73248077421585,
    -1.99004745483398, 0.99007225036621
  };
  static const char *names[7] = { "shelf b0", "shelf b1", "shelf b2",
    "shelf a1", "shelf a2", "RLB a1", "RLB a2"
  };
  size_t r;
  int j;

  for (r = 0; r < sizeof tab / sizeof tab[0]; r++) {
    double sh[5], hp[5], got[7], worst = 0.0;
    /* printed with 14 decimals: rounding error <= 5e-15, plus the
     * double-precision evaluation of the formulas */
    double tol = 1e-13;
    int wj = 0;

    mst_loudness_k_coefficients (tab[r].rate, sh, hp);
    memcpy (got, sh, sizeof sh);
    got[5] = hp[3];
    got[6] = hp[4];
    for (j = 0; j < 7; j++) {
      double d = fabs (got[j] - tab[r].v[j]);

      if (!(d <= worst)) {
        worst = d;
        wj = j;
      }
    }
    mt_ok (worst <= tol, "K coefficients at %.0f Hz match docs/conformance.md "
        "§2 table "
        "(worst %s: got %.16f, want %.14f, |d| = %.2e <= %.0e)", tab[r].rate,
        names[wj], got[wj], tab[r].v[wj], worst, tol);
    mt_ok (hp[0] == 1.0 && hp[1] == -2.0 && hp[2] == 1.0,
        "RLB numerator at %.0f Hz is exactly 1, -2, 1 (docs/conformance.md "
        "§2, not "
        "normalised): %g %g %g", tab[r].rate, hp[0], hp[1], hp[2]);
    if (tab[r].rate == 48000) {
      worst = 0.0;
      for (j = 0; j < 7; j++)
        worst = fmax (worst, fabs (got[j] - itu[j]));
      mt_ok (worst <= 1e-12, "48 kHz coefficients match the ITU BS.1770 "
          "table to 1e-12 (docs/conformance.md §2): worst |d| = %.2e", worst);
    }
  }
}

/* |H(e^jw)| in dB of the two cascaded biquads */
static double
k_response_db (double rate, double f)
{
  double sh[5], hp[5], w = 2.0 * M_PI * f / rate, mag = 1.0;
  double *c[2] = { sh, hp };
  int s;

  mst_loudness_k_coefficients (rate, sh, hp);
  for (s = 0; s < 2; s++) {
    /* H = (b0 + b1 z^-1 + b2 z^-2) / (1 + a1 z^-1 + a2 z^-2) */
    double nr = c[s][0] + c[s][1] * cos (w) + c[s][2] * cos (2 * w);
    double ni = -c[s][1] * sin (w) - c[s][2] * sin (2 * w);
    double dr = 1.0 + c[s][3] * cos (w) + c[s][4] * cos (2 * w);
    double di = -c[s][3] * sin (w) - c[s][4] * sin (2 * w);

    mag *= sqrt ((nr * nr + ni * ni) / (dr * dr + di * di));
  }
  return 20.0 * log10 (mag);
}

static void
test_k_response (void)
{
  /* docs/conformance.md §2 "Combined K-weighting magnitude (dB)" table [V] */
  static const double freqs[8] = { 20, 50, 100, 997, 1000, 2000, 4000,
    10000
  };
  static const struct
  {
    double rate;
    double db[8];
  } tab[] = {
    {44100, {-13.272, -3.930, -1.130, 0.6938, 0.7005, 3.076, 3.973, 4.046}},
    {48000, {-13.275, -3.934, -1.134, 0.6910, 0.6977, 3.071, 3.968, 4.042}},
    {96000, {-13.297, -3.956, -1.155, 0.6737, 0.6804, 3.046, 3.942, 4.020}},
    {192000, {-13.308, -3.967, -1.166, 0.6639, 0.6707, 3.034, 3.930,
            4.009}},
  };
  size_t r;
  int j;

  for (r = 0; r < sizeof tab / sizeof tab[0]; r++)
    for (j = 0; j < 8; j++)
      MT_CLOSE (k_response_db (tab[r].rate, freqs[j]), tab[r].db[j], 0.001,
          "K-weighting |H| at %.0f Hz, fs %.0f (docs/conformance.md §2 "
          "table, dB)",
          freqs[j], tab[r].rate);
}

/* ---- 2. docs/conformance.md §9 synthetic checks -------------------------- */

static void
test_synthetic (void)
{
  static const unsigned rates4[4] = { 48000, 44100, 96000, 192000 };
  /* docs/conformance.md §9 rows 1-2 (and §2 "Consequence"): mono 0 dBFS sine */
  static const double i997[4] = { -3.0103, -3.0075, -3.0276, -3.0374 };
  static const double i1000[4] = { -3.0036, -3.0008, -3.0209, -3.0306 };
  const double w51[6] = { 1.0, 1.0, 1.0, 0.0, 1.41, 1.41 };
  const double off = MTS_OFF;
  const double tol = 0.001;     /* 4 printed decimals (+- 5e-5) + margin */
  MtsBuf *b;
  int r;

  for (r = 0; r < 4; r++) {
    b = mts_buf_new (rates4[r], 1);
    mts_tone (b, 997.0, 0.0, 10.0);
    MT_CLOSE (integrated_of (b, NULL), i997[r], tol,
        "[V] mono 997 Hz 0 dBFS 10 s at %u Hz: I", rates4[r]);
    mts_buf_clear (b);
    mts_tone (b, 1000.0, 0.0, 10.0);
    MT_CLOSE (integrated_of (b, NULL), i1000[r], tol,
        "[V] mono 1000 Hz 0 dBFS 10 s at %u Hz: I", rates4[r]);
    mts_buf_free (b);
  }

  /* docs/conformance.md §9; Tech 3341 calibration, stereo 1 kHz -18 dBFS */
  b = mts_buf_new (48000, 2);
  mts_tone (b, 1000.0, -18.0, 10.0);
  MT_CLOSE (integrated_of (b, NULL), -17.9933, tol,
      "[V] stereo 1 kHz -18 dBFS at 48 kHz: I");
  mts_buf_free (b);
  b = mts_buf_new (44100, 2);
  mts_tone (b, 1000.0, -18.0, 10.0);
  MT_CLOSE (integrated_of (b, NULL), -17.9905, tol,
      "[V] stereo 1 kHz -18 dBFS at 44.1 kHz: I");
  mts_buf_clear (b);
  mts_tone (b, 1000.0, -23.0, 10.0);
  MT_CLOSE (integrated_of (b, NULL), -22.99054, tol,
      "[V] stereo 1 kHz -23 dBFS at 44.1 kHz: I");
  mts_buf_free (b);

  b = mts_buf_new (48000, 2);
  mts_tone (b, 1000.0, -23.0, 10.0);
  MT_CLOSE (integrated_of (b, NULL), -22.99330, tol,
      "[V] stereo 1 kHz -23 dBFS at 48 kHz: I");
  mts_buf_free (b);

  /* mono -23 dBFS as one channel / as dual mono (weight 2, docs/conformance.md
   * §3) */
  {
    const double dual[1] = { 2.0 };

    b = mts_buf_new (48000, 1);
    mts_tone (b, 1000.0, -23.0, 10.0);
    MT_CLOSE (integrated_of (b, NULL), -26.0036, tol,
        "[V] mono 1 kHz -23 dBFS, one channel: I");
    MT_CLOSE (integrated_of (b, dual), -22.9933, tol,
        "[V] mono 1 kHz -23 dBFS, dual mono (weight 2.0): I");
    mts_buf_free (b);
  }

  /* stereo, signal only in L */
  {
    const double lv[2] = { -23.0, off };

    b = mts_buf_new (48000, 2);
    mts_tone_ex (b, 1000.0, lv, 0.0, mts_frames (10.0, 48000));
    MT_CLOSE (integrated_of (b, NULL), -26.0036, tol,
        "[V] stereo, -23 dBFS only in L: I");
    /* anti-phase: R = -L (no downmix in BS.1770) */
    mts_buf_clear (b);
    mts_tone (b, 1000.0, -23.0, 10.0);
    mts_gain (b, 1, 0, b->frames, -1.0);
    MT_CLOSE (integrated_of (b, NULL), -22.9933, tol,
        "[V] stereo anti-phase (R = -L) -23 dBFS: I");
    mts_buf_free (b);
  }

  /* 5.1 L R C LFE Ls Rs with BS.1770 weights (docs/conformance.md §3) */
  {
    const double all[6] = { -23, -23, -23, -23, -23, -23 };
    const double lfe[6] = { off, off, off, 0.0, off, off };
    const double ls[6] = { off, off, off, off, -23.0, off };
    const double c[6] = { off, off, -23.0, off, off, off };
    size_t n = mts_frames (10.0, 48000);

    b = mts_buf_new (48000, 6);
    mts_tone_ex (b, 1000.0, all, 0.0, n);
    MT_CLOSE (integrated_of (b, w51), -18.3544, tol,
        "[V] 5.1, all six channels -23 dBFS (LFE excluded, Ls/Rs x1.41): I");
    mts_buf_clear (b);
    mts_tone_ex (b, 1000.0, lfe, 0.0, n);
    MT_CLOSE (integrated_of (b, w51), -INFINITY, 0,
        "[V] 5.1, only LFE at 0 dBFS: I = -inf");
    mts_buf_clear (b);
    mts_tone_ex (b, 1000.0, ls, 0.0, n);
    MT_CLOSE (integrated_of (b, w51), -24.5114, tol,
        "[V] 5.1, only Ls at -23 dBFS: I");
    mts_buf_clear (b);
    mts_tone_ex (b, 1000.0, c, 0.0, n);
    MT_CLOSE (integrated_of (b, w51), -26.0036, tol,
        "[V] 5.1, only C at -23 dBFS: I");
    mts_buf_free (b);
  }

  /* gates */
  b = mts_buf_new (48000, 2);
  mts_tone (b, 1000.0, -75.0, 10.0);
  MT_CLOSE (integrated_of (b, NULL), -INFINITY, 0,
      "[V] stereo 1 kHz -75 dBFS (below the -70 LUFS gate): I = -inf");
  mts_buf_clear (b);
  mts_tone (b, 1000.0, -69.5, 10.0);
  MT_CLOSE (integrated_of (b, NULL), -69.4933, tol,
      "[V] stereo 1 kHz -69.5 dBFS: I");
  /* 390 ms: no complete 400 ms block (BS.1770-4 Annex 1); 400 ms: exactly
   * one */
  mts_buf_clear (b);
  mts_tone (b, 1000.0, -20.0, 0.39);
  MT_CLOSE (integrated_of (b, NULL), -INFINITY, 0,
      "[V] 390 ms tone at -20 dBFS: I = -inf (no complete block)");
  mts_buf_clear (b);
  mts_tone (b, 1000.0, -20.0, 0.4);
  MT_CLOSE (integrated_of (b, NULL), -19.9936, tol,
      "[V] exactly 400 ms tone at -20 dBFS: I");
  mts_buf_free (b);

  /* 10 s @ -20 then 10 s @ -40 dBFS stereo */
  {
    MstLoudness *st = meter_new (48000, 2, 0);

    b = mts_buf_new (48000, 2);
    mts_tone (b, 1000.0, -20.0, 10.0);
    mts_tone (b, 1000.0, -40.0, 10.0);
    feed (st, b);
    MT_CLOSE (mst_loudness_integrated (st), -20.0583, tol,
        "[V] 10 s @ -20 + 10 s @ -40 dBFS: I");
    /* printed with 2 decimals */
    MT_CLOSE (mst_loudness_relative_threshold (st), -32.96, 0.005,
        "[V] 10 s @ -20 + 10 s @ -40 dBFS: relative threshold");
    /* printed with 1 decimal; histogram bins are 0.01 LU */
    MT_CLOSE (mst_loudness_range (st), 20.0, 0.05,
        "[V] 10 s @ -20 + 10 s @ -40 dBFS: LRA");
    mst_loudness_free (st);
    mts_buf_free (b);
  }

  /* loudness.h: before the 400 ms window is full the missing part counts
   * as silence, so a 200 ms burst reads 10 log10 (200/400) = -3.0103 dB
   * below its steady level (-19.9933, docs/conformance.md §9 -23 row + 3
   * dB). */
  {
    MstLoudness *st = meter_new (48000, 2, 0);

    b = mts_buf_new (48000, 2);
    mts_tone (b, 1000.0, -20.0, 0.2);
    feed (st, b);
    MT_CLOSE (mst_loudness_momentary (st), -19.9933 - 3.0103, 0.01,
        "momentary of a 200 ms -20 dBFS burst (half window, libebur128 "
        "convention, docs/conformance.md §6)");
    mst_loudness_free (st);
    mts_buf_free (b);
  }
}

/* ---- 3. sdroege/ebur128 440 Hz unit test (docs/conformance.md §10) ------- */

static float *
sdroege_sine_f32 (size_t frames)
{
  /* stereo 440 Hz, 48 kHz, sin (acc) with acc += 2 pi 440 / 48000, all in
   * f32 exactly like the crate's test */
  float *d = malloc (frames * 2 * sizeof (float));
  float acc = 0.0f;
  const float step = 2.0f * (float) M_PI * 440.0f / 48000.0f;
  size_t i;

  for (i = 0; i < frames; i++) {
    float v = sinf (acc);

    d[2 * i] = v;
    d[2 * i + 1] = v;
    acc += step;
  }
  return d;
}

static void
check_tp_vs (double got_lin, double want_lin, double sp, const char *what)
{
  MT_CLOSE (20.0 * log10 (got_lin), 20.0 * log10 (want_lin), 0.01,
      "%s: true peak (dBTP) within 0.01 dB of sdroege's %.7f", what,
      want_lin);
  mt_ok (got_lin >= sp, "%s: true peak %.9f >= sample peak %.9f", what,
      got_lin, sp);
}

static void
test_sdroege (void)
{
  const size_t frames = 48000 * 5;
  float *f = sdroege_sine_f32 (frames);
  int16_t *s = malloc (frames * 2 * sizeof (int16_t));
  MstLoudness *st = meter_new (48000, 2, MST_LOUDNESS_TRUE_PEAK);
  size_t i;
  unsigned c;

  mst_loudness_process_f32 (st, f, frames);
  /* docs/conformance.md §10, expected without histogram; our histogram keeps
   * exact energies (loudness.h) so I may only move by blocks in the gate bin */
  MT_CLOSE (mst_loudness_integrated (st), -0.6826039914165554, 0.01,
      "sdroege 440 Hz f32: I");
  MT_CLOSE (mst_loudness_momentary (st), -0.6813325598268921, 0.01,
      "sdroege 440 Hz f32: M");
  MT_CLOSE (mst_loudness_shortterm (st), -0.6827591715100236, 0.01,
      "sdroege 440 Hz f32: S");
  MT_CLOSE (mst_loudness_relative_threshold (st), -10.682603991416554,
      0.01, "sdroege 440 Hz f32: relative threshold");
  /* 6.92e-5 exactly; percentiles come from 0.01 LU bins */
  MT_CLOSE (mst_loudness_range (st), 6.921150169403312e-5, 0.01,
      "sdroege 440 Hz f32: LRA");
  for (c = 0; c < 2; c++) {
    double sp = mst_loudness_sample_peak (st, c);

    MT_CLOSE (sp, 1.0, 1e-9, "sdroege 440 Hz f32 ch%u: sample peak", c);
    check_tp_vs (mst_loudness_true_peak (st, c), 1.0008491277694702, sp,
        c ? "sdroege 440 Hz f32 ch1" : "sdroege 440 Hz f32 ch0");
  }

  /* i16 variant: value * 32766 (docs/conformance.md §10) */
  for (i = 0; i < frames * 2; i++)
    s[i] = (int16_t) (f[i] * 32766.0f);
  mst_loudness_reset (st);
  mst_loudness_process_s16 (st, s, frames);
  MT_CLOSE (mst_loudness_momentary (st), -0.6820309226891973, 0.01,
      "sdroege 440 Hz s16: M");
  MT_CLOSE (mst_loudness_shortterm (st), -0.6834583474398446, 0.01,
      "sdroege 440 Hz s16: S");
  for (c = 0; c < 2; c++) {
    double sp = mst_loudness_sample_peak (st, c);

    MT_CLOSE (sp, 0.99993896484375, 1e-12,
        "sdroege 440 Hz s16 ch%u: sample peak = 32766/32768", c);
    check_tp_vs (mst_loudness_true_peak (st, c), 1.0007814168930054, sp,
        c ? "sdroege 440 Hz s16 ch1" : "sdroege 440 Hz s16 ch0");
  }

  mst_loudness_free (st);
  free (f);
  free (s);
}

/* ---- 4. reset ------------------------------------------------------------ */

static void
test_reset (void)
{
  MstLoudness *st = meter_new (48000, 2, MST_LOUDNESS_TRUE_PEAK);
  MstLoudness *fresh = meter_new (48000, 2, MST_LOUDNESS_TRUE_PEAK);
  MtsBuf *b = mts_buf_new (48000, 2);
  MtsRng rng;
  Res a, r;
  const char *what;
  double d;

  mts_rng_seed (&rng, 1);
  mts_pink_noise (b, &rng, -20.0, 6.0, 0);
  mts_tone (b, 1000.0, -10.0, 2.0);
  feed (st, b);
  mst_loudness_reset (st);
  /* docs/conformance.md §10: after reset I/M/S = -inf, LRA 0, peaks 0 */
  MT_CLOSE (mst_loudness_integrated (st), -INFINITY, 0, "after reset: I");
  MT_CLOSE (mst_loudness_momentary (st), -INFINITY, 0, "after reset: M");
  MT_CLOSE (mst_loudness_shortterm (st), -INFINITY, 0, "after reset: S");
  MT_CLOSE (mst_loudness_momentary_max (st), -INFINITY, 0,
      "after reset: max M (Tech 3341 §2.1: max M/S reset with I)");
  MT_CLOSE (mst_loudness_shortterm_max (st), -INFINITY, 0,
      "after reset: max S");
  MT_CLOSE (mst_loudness_range (st), 0.0, 0, "after reset: LRA");
  mt_ok (mst_loudness_sample_peak (st, 0) == 0.0
      && mst_loudness_sample_peak (st, 1) == 0.0
      && mst_loudness_true_peak (st, 0) == 0.0
      && mst_loudness_true_peak (st, 1) == 0.0,
      "after reset: sample and true peaks are 0");
  mt_ok (mst_loudness_frames (st) == 0, "after reset: frame count 0");

  /* a reset meter measures like a new one ("reset before each
   * measurement", Tech 3341 §2.1) */
  feed (st, b);
  feed (fresh, b);
  get_res (st, &a);
  get_res (fresh, &r);
  d = res_maxdiff (&a, &r, &what);
  mt_ok (d <= 1e-12, "reset meter == fresh meter on the same 8 s signal "
      "(max |d| %.3g in %s)", d, what);

  mst_loudness_free (st);
  mst_loudness_free (fresh);
  mts_buf_free (b);
}

/* ---- 5. non-finite input ------------------------------------------------- */

static void
test_nonfinite (void)
{
  /* loudness.h: non-finite samples are measured as silence and counted.
   * So a stream with NaN/Inf must give exactly the results of the same
   * stream with zeros there, and the meter must stay usable. */
  const unsigned rate = 48000;
  MtsBuf *b = mts_buf_new (rate, 2);
  MtsRng rng;
  float *f, *fz;
  double *d, *dz;
  size_t n, i, bad_pos[6], cnt, cnt64;
  MstLoudness *a, *z, *a64, *z64;
  Res ra, rz;
  const char *what;
  double dd;
  const float fbad[6] = { NAN, INFINITY, -INFINITY, NAN, INFINITY,
    -INFINITY
  };

  mts_rng_seed (&rng, 7);
  mts_white_noise (b, &rng, -20.0, 8.0, 0);
  n = b->frames;
  f = mts_to_f32 (b, 0, n);
  fz = mts_to_f32 (b, 0, n);
  d = mts_to_f64 (b, 0, n);
  dz = mts_to_f64 (b, 0, n);
  for (i = 0; i < 6; i++) {
    bad_pos[i] = (i * 61231 + 1000) * 2 + (i & 1);
    f[bad_pos[i]] = fbad[i];
    d[bad_pos[i]] = (double) fbad[i];
    fz[bad_pos[i]] = 0.0f;
    dz[bad_pos[i]] = 0.0;
  }
  a = meter_new (rate, 2, MST_LOUDNESS_TRUE_PEAK);
  z = meter_new (rate, 2, MST_LOUDNESS_TRUE_PEAK);
  a64 = meter_new (rate, 2, MST_LOUDNESS_TRUE_PEAK);
  z64 = meter_new (rate, 2, MST_LOUDNESS_TRUE_PEAK);
  cnt = 0;
  cnt64 = 0;
  /* in 1000-frame chunks so the bad samples hit different chunks */
  for (i = 0; i < n; i += 1000) {
    size_t m = n - i < 1000 ? n - i : 1000;

    cnt += mst_loudness_process_f32 (a, f + 2 * i, m);
    mst_loudness_process_f32 (z, fz + 2 * i, m);
    cnt64 += mst_loudness_process_f64 (a64, d + 2 * i, m);
    mst_loudness_process_f64 (z64, dz + 2 * i, m);
  }
  mt_ok (cnt == 6, "f32: 6 non-finite samples counted (got %zu)", cnt);
  mt_ok (cnt64 == 6, "f64: 6 non-finite samples counted (got %zu)", cnt64);
  get_res (a, &ra);
  get_res (z, &rz);
  mt_ok (!res_has_nan (&ra), "f32 with NaN/Inf: no NaN in any result "
      "(I %.4f M %.4f S %.4f LRA %.4f TP %.4f)", ra.I, ra.M, ra.S, ra.lra,
      ra.tp[0]);
  dd = res_maxdiff (&ra, &rz, &what);
  mt_ok (dd <= 1e-12, "f32 with NaN/Inf == same stream with zeros "
      "(max |d| %.3g in %s)", dd, what);
  get_res (a64, &ra);
  get_res (z64, &rz);
  mt_ok (!res_has_nan (&ra), "f64 with NaN/Inf: no NaN in any result");
  dd = res_maxdiff (&ra, &rz, &what);
  mt_ok (dd <= 1e-12, "f64 with NaN/Inf == same stream with zeros "
      "(max |d| %.3g in %s)", dd, what);
  mt_ok (isfinite (ra.I) && isfinite (ra.M) && isfinite (ra.S),
      "f64 with NaN/Inf: I, M, S finite (%.4f %.4f %.4f)", ra.I, ra.M,
      ra.S);

  /* F64 beyond the float range (loudness.h: treated like non-finite, the
   * true-peak stage runs in float): counted, every result finite */
  mst_loudness_reset (a64);
  d[2 * 5000] = 1e39;
  d[2 * 9000 + 1] = -3e300;
  cnt64 = mst_loudness_process_f64 (a64, d, n);
  get_res (a64, &ra);
  mt_ok (cnt64 >= 8 && isfinite (ra.tp[0]) && isfinite (ra.tp[1])
      && isfinite (ra.sp[0]) && isfinite (ra.I) && !res_has_nan (&ra),
      "f64 samples 1e39 / -3e300 measured as silence: %zu counted, "
      "TP %.4f %.4f finite", cnt64, ra.tp[0], ra.tp[1]);

  /* a whole chunk of NaN only */
  for (i = 0; i < 2 * 480; i++)
    f[i] = NAN;
  mst_loudness_reset (a);
  cnt = mst_loudness_process_f32 (a, f, 480);
  cnt += mst_loudness_process_f32 (a, f + 2 * 480, n - 480);
  get_res (a, &ra);
  mt_ok (cnt >= 960 && !res_has_nan (&ra) && isfinite (ra.I),
      "10 ms of pure NaN then noise: %zu counted, I %.4f finite", cnt, ra.I);

  mst_loudness_free (a);
  mst_loudness_free (z);
  mst_loudness_free (a64);
  mst_loudness_free (z64);
  free (f);
  free (fz);
  free (d);
  free (dz);
  mts_buf_free (b);
}

/* ---- 6. input formats ---------------------------------------------------- */

static void
test_formats (void)
{
  /* The same sample values delivered as s16, s32, f32 and f64 must give the
   * same results: s16 v -> v / 32768, s32 (v << 16) -> v / 32768 too, and
   * those values are exact in float and double. */
  const unsigned rate = 44100;
  MtsBuf *b = mts_buf_new (rate, 2);
  MtsRng rng;
  int16_t *s16;
  int32_t *s32;
  float *f32;
  double *f64;
  size_t n, i;
  MstLoudness *m[4];
  Res r[4];
  static const char *fmt[4] = { "s16", "s32", "f32", "f64" };
  int k;

  mts_rng_seed (&rng, 3);
  mts_pink_noise (b, &rng, -18.0, 12.0, 0);
  mts_envelope_db (b, 0, b->frames, 20.0, 4.0);
  mts_tone (b, 3000.0, -3.0, 3.0);
  n = b->frames;
  s16 = mts_to_s16 (b, 0, n);
  s32 = malloc (n * 2 * sizeof (int32_t));
  f32 = malloc (n * 2 * sizeof (float));
  f64 = malloc (n * 2 * sizeof (double));
  for (i = 0; i < 2 * n; i++) {
    s32[i] = (int32_t) ((uint32_t) (int32_t) s16[i] << 16);
    f32[i] = (float) s16[i] / 32768.0f;
    f64[i] = (double) s16[i] / 32768.0;
  }
  for (k = 0; k < 4; k++)
    m[k] = meter_new (rate, 2, MST_LOUDNESS_TRUE_PEAK);
  mst_loudness_process_s16 (m[0], s16, n);
  mst_loudness_process_s32 (m[1], s32, n);
  mst_loudness_process_f32 (m[2], f32, n);
  mst_loudness_process_f64 (m[3], f64, n);
  for (k = 0; k < 4; k++)
    get_res (m[k], &r[k]);
  mt_diag ("formats: I %.4f M %.4f S %.4f LRA %.3f TP %.5f", r[3].I, r[3].M,
      r[3].S, r[3].lra, r[3].tp[0]);
  for (k = 0; k < 3; k++) {
    const char *what;
    double d = res_maxdiff (&r[k], &r[3], &what);

    mt_ok (d <= 1e-9, "%s input == f64 input on identical sample values "
        "(max |d| %.3g in %s)", fmt[k], d, what);
  }

  /* unquantised double vs its f32 rounding: differences only at the 24-bit
   * level (<< 0.001 LU) */
  for (k = 0; k < 4; k++)
    mst_loudness_reset (m[k]);
  {
    float *ff = mts_to_f32 (b, 0, n);
    const char *what;
    double d;

    mst_loudness_process_f32 (m[2], ff, n);
    mst_loudness_process_f64 (m[3], b->data, n);
    get_res (m[2], &r[2]);
    get_res (m[3], &r[3]);
    d = res_maxdiff (&r[2], &r[3], &what);
    mt_ok (d <= 1e-4, "f32 rounding of a double signal changes no result "
        "by more than 1e-4 (max |d| %.3g in %s)", d, what);
    free (ff);
  }

  for (k = 0; k < 4; k++)
    mst_loudness_free (m[k]);
  free (s16);
  free (s32);
  free (f32);
  free (f64);
  mts_buf_free (b);
}

static void
test_peak_precision (void)
{
  /* loudness.h: "true peak >= sample peak" for every input format.  An
   * isolated impulse whose value is not representable in float makes the
   * interpolator's phase 0 (the sample itself) the maximum, so a true peak
   * computed on float-rounded samples can fall 1 ulp below the exact
   * sample peak.  f64: 0.75 + 1e-12 (float rounds down to 0.75); s32:
   * 0x6000003f / 2^31 = 0.75000002934 (24-bit mantissa keeps bits 30..7, the
   * dropped 0x3f < 0x40 rounds down). */
  const size_t n = 4800;
  double *d = calloc (n, sizeof (double));
  int32_t *s = calloc (n, sizeof (int32_t));
  MstLoudness *st = meter_new (48000, 1, MST_LOUDNESS_TRUE_PEAK);
  double sp, tp;

  d[1000] = 0.75 + 1e-12;
  s[1000] = 0x6000003f;
  mst_loudness_process_f64 (st, d, n);
  sp = mst_loudness_sample_peak (st, 0);
  tp = mst_loudness_true_peak (st, 0);
  MT_CLOSE (sp, 0.75 + 1e-12, 0, "f64 impulse: sample peak is the exact "
      "input value");
  mt_ok (tp >= sp, "f64 impulse 0.75 + 1e-12: true peak %.17g >= sample "
      "peak %.17g", tp, sp);
  mst_loudness_reset (st);
  mst_loudness_process_s32 (st, s, n);
  sp = mst_loudness_sample_peak (st, 0);
  tp = mst_loudness_true_peak (st, 0);
  MT_CLOSE (sp, 0x6000003f / 2147483648.0, 0, "s32 impulse: sample peak is "
      "the exact input value");
  mt_ok (tp >= sp, "s32 impulse 0x6000003f: true peak %.17g >= sample peak "
      "%.17g", tp, sp);
  mst_loudness_free (st);
  free (d);
  free (s);
}

/* ---- 7. chunking and GAP ------------------------------------------------- */

static void
run_chunked (MstLoudness * st, const float *f, size_t n, unsigned ch,
    const size_t *sizes, size_t n_sizes)
{
  size_t i = 0, k = 0;

  while (i < n) {
    size_t m = sizes[k++ % n_sizes];

    if (m > n - i)
      m = n - i;
    mst_loudness_process_f32 (st, f + i * ch, m);
    i += m;
  }
}

static void
test_chunking (void)
{
  /* Results may not depend on how the stream is cut into calls. */
  static const unsigned rates[2] = { 44100, 48000 };
  static const size_t one[] = { 1 }, seven[] = { 7 }, big[] = { 4095 };
  static const size_t mixed[] = { 1, 7, 4095, 441, 479, 13, 10000, 2 };
  static const struct
  {
    const char *name;
    const size_t *s;
    size_t n;
  } plans[] = {
    {"1", one, 1}, {"7", seven, 1}, {"4095", big, 1},
    {"mixed 1/7/4095/441/479/13/10000/2", mixed, 8},
  };
  int r;
  size_t p;

  for (r = 0; r < 2; r++) {
    unsigned rate = rates[r];
    MtsBuf *b = mts_buf_new (rate, 2);
    MtsRng rng;
    MstLoudness *ref, *st;
    float *f;
    Res rr, rc;

    mts_rng_seed (&rng, 11 + r);
    mts_pink_noise (b, &rng, -23.0, 5.0, 0);
    mts_tone (b, 1000.0, -30.0, 3.0);
    mts_silence (b, 1.0);
    mts_white_noise (b, &rng, -15.0, 4.0, 0);
    f = mts_to_f32 (b, 0, b->frames);
    ref = meter_new (rate, 2, MST_LOUDNESS_TRUE_PEAK);
    st = meter_new (rate, 2, MST_LOUDNESS_TRUE_PEAK);
    mst_loudness_process_f32 (ref, f, b->frames);
    get_res (ref, &rr);
    for (p = 0; p < sizeof plans / sizeof plans[0]; p++) {
      const char *what;
      double d;

      mst_loudness_reset (st);
      run_chunked (st, f, b->frames, 2, plans[p].s, plans[p].n);
      get_res (st, &rc);
      d = res_maxdiff (&rc, &rr, &what);
      mt_ok (d <= 1e-9 && mst_loudness_frames (st) == b->frames,
          "%u Hz, chunks of %s frames == one call (max |d| %.3g in %s)",
          rate, plans[p].name, d, what);
    }
    mst_loudness_free (ref);
    mst_loudness_free (st);
    free (f);
    mts_buf_free (b);
  }
}

static void
test_gap (void)
{
  /* GAP buffers: process_silence (n) must equal feeding n zero frames. */
  const unsigned rate = 48000;
  MtsBuf *b = mts_buf_new (rate, 2);
  MtsRng rng;
  MstLoudness *a, *z;
  size_t n1, n2, gap = mts_frames (2.345, rate);
  float *f, *zeros;
  Res ra, rz;
  const char *what;
  double d;

  mts_rng_seed (&rng, 5);
  mts_pink_noise (b, &rng, -20.0, 3.0, 0);
  n1 = b->frames;
  mts_tone (b, 440.0, -12.0, 4.0);
  n2 = b->frames - n1;
  f = mts_to_f32 (b, 0, b->frames);
  zeros = calloc (gap * 2, sizeof (float));
  a = meter_new (rate, 2, MST_LOUDNESS_TRUE_PEAK);
  z = meter_new (rate, 2, MST_LOUDNESS_TRUE_PEAK);
  mst_loudness_process_f32 (a, f, n1);
  mst_loudness_process_silence (a, gap);
  mst_loudness_process_f32 (a, f + 2 * n1, n2);
  mst_loudness_process_f32 (z, f, n1);
  mst_loudness_process_f32 (z, zeros, gap);
  mst_loudness_process_f32 (z, f + 2 * n1, n2);
  get_res (a, &ra);
  get_res (z, &rz);
  d = res_maxdiff (&ra, &rz, &what);
  mt_ok (d <= 1e-12 && mst_loudness_frames (a) == mst_loudness_frames (z),
      "process_silence (%zu) == %zu zero frames (max |d| %.3g in %s)", gap,
      gap, d, what);
  mst_loudness_free (a);
  mst_loudness_free (z);
  free (f);
  free (zeros);
  mts_buf_free (b);
}

/* ---- 8. API contract ---------------------------------------------------- */

static void
test_api (void)
{
  MstLoudness *st;

  mt_ok (mst_loudness_new (0, 2, 0) == NULL, "new: rate 0 rejected");
  mt_ok (mst_loudness_new (48000, 0, 0) == NULL, "new: 0 channels rejected");
  mt_ok (mst_loudness_new (48000, MST_LOUDNESS_MAX_CHANNELS + 1, 0) == NULL,
      "new: %d channels rejected", MST_LOUDNESS_MAX_CHANNELS + 1);
  st = meter_new (48000, 2, 0);
  mt_ok (mst_loudness_set_channel_weight (st, 2, 1.0) == -1,
      "set_channel_weight: channel out of range rejected");
  mt_ok (mst_loudness_set_channel_weight (st, 0, -1.0) == -1
      && mst_loudness_set_channel_weight (st, 0, NAN) == -1,
      "set_channel_weight: negative / NaN weight rejected");
  mt_ok (mst_loudness_set_channel_weight (st, 1, 1.41) == 0
      && mst_loudness_get_channel_weight (st, 1) == 1.41,
      "set/get_channel_weight round trip");
  mt_ok (mst_loudness_get_true_peak (st) == 0,
      "true peak off when not requested by flags");
  mst_loudness_free (st);
}

/* Float input far over full scale (a +50 dB gain before the meter): the
 * gating histogram covers -70..+30 LUFS, louder blocks share its top bin.
 * Expectation: loudness scales with the gain, so a 1 kHz sine at +50 dBFS
 * reads the 0 dBFS value of test_synthetic (docs/conformance.md §9) plus
 * 50 LU, also after a quieter passage that the relative gate drops. */
static void
test_over_range (void)
{
  const double tol = 0.001;
  MtsBuf *b;

  b = mts_buf_new (48000, 1);
  mts_tone (b, 1000.0, 50.0, 10.0);
  MT_CLOSE (integrated_of (b, NULL), -3.0036 + 50.0, tol,
      "mono 1 kHz +50 dBFS 10 s (blocks above the histogram): I");
  mts_buf_clear (b);
  mts_tone (b, 1000.0, 28.0, 10.0);
  MT_CLOSE (integrated_of (b, NULL), -3.0036 + 28.0, tol,
      "mono 1 kHz +28 dBFS 10 s (blocks in the top LU): I");
  mts_buf_free (b);
  {
    MstLoudness *st = meter_new (48000, 1, 0);

    b = mts_buf_new (48000, 1);
    mts_tone (b, 1000.0, 10.0, 10.0);
    feed (st, b);
    mts_buf_clear (b);
    mts_tone (b, 1000.0, 50.0, 10.0);
    feed (st, b);
    /* the +10 dBFS blocks are 40 LU under the relative gate; the four
     * gating blocks across the step are the only others it lets in, so
     * the reading is within 0.2 LU of the loud part's */
    MT_CLOSE (mst_loudness_integrated (st), -3.0036 + 50.0, 0.2,
        "10 s at +10 dBFS then 10 s at +50 dBFS: I of the loud part");
    mst_loudness_free (st);
    mts_buf_free (b);
  }
}

int
main (void)
{
  test_k_coefficients ();
  test_k_response ();
  test_synthetic ();
  test_sdroege ();
  test_reset ();
  test_nonfinite ();
  test_formats ();
  test_peak_precision ();
  test_chunking ();
  test_gap ();
  test_api ();
  test_over_range ();
  return mt_done ();
}
