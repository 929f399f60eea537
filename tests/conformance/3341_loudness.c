/* gst-mastering — EBU Tech 3341 minimum requirements, loudness cases
 *
 * Cases 1-6 and 9-14 (every synthesizable one; 7 and 8 need the EBU
 * programme files) at 44.1, 48 and 96 kHz, signals from ebucases.c
 * (docs/conformance.md §4), driven as docs/conformance.md §6 says:
 *   - reset (a new meter) before each measurement;
 *   - input in 10 ms chunks, momentary read after each chunk (10 ms grid),
 *     short-term read after every 10th chunk (100 ms grid);
 *   - M only once its 400 ms window is full, S once its 3 s window is;
 *   - I once, at the end of the input.
 * Each value is checked against the EBU nominal value with the EBU
 * tolerance (±0.1 LU, Tech 3341 Table 1) and against the [V]
 * reference value of docs/conformance.md §5 with ±0.01 LU.
 */
#include "dsp/loudness.h"
#include "ebucases.h"
#include "mtest.h"

#include <stdlib.h>

#define EBU_TOL 0.1             /* Tech 3341 Table 1, cases 1-14 */
/* vs the 4-decimal [V] values of docs/conformance.md §5 */
#define REF_TOL 0.01

static const unsigned rates[3] = { 44100, 48000, 96000 };

/* Readings of one measurement. */
typedef struct
{
  double m_lo, m_hi;            /* M readings, 10 ms grid, t >= m_from */
  double s_lo, s_hi;            /* S readings, 100 ms grid, t >= s_from */
  double m_max10;               /* max M, 10 ms grid, window full */
  double s_max10;               /* max S, 10 ms grid, window full */
  double s_max100;              /* max S, 100 ms grid, window full */
  double I;
  double core_m_max, core_s_max;        /* the core's own maxima */
} Readings;

static MstLoudness *
meter_for (const MtsBuf * b)
{
  MstLoudness *st = mst_loudness_new (b->rate, b->channels, 0);

  if (!st) {
    printf ("Bail out! mst_loudness_new (%u, %u) failed\n", b->rate,
        b->channels);
    exit (1);
  }
  /* BS.1770 weights (docs/conformance.md §3): L R C Ls Rs, or L R C LFE Ls
   * Rs */
  if (b->channels == 5) {
    mst_loudness_set_channel_weight (st, 3, 1.41);
    mst_loudness_set_channel_weight (st, 4, 1.41);
  } else if (b->channels == 6) {
    mst_loudness_set_channel_weight (st, 3, 0.0);
    mst_loudness_set_channel_weight (st, 4, 1.41);
    mst_loudness_set_channel_weight (st, 5, 1.41);
  }
  return st;
}

static void
readings_init (Readings * r)
{
  r->m_lo = r->s_lo = INFINITY;
  r->m_hi = r->s_hi = -INFINITY;
  r->m_max10 = r->s_max10 = r->s_max100 = -INFINITY;
  r->I = NAN;
}

/* Feeds frames [from, to) of b in 10 ms chunks, reading as docs/conformance.md
 * §6 says. The grid is aligned to the start of the measurement (frame 0). */
static void
drive (MstLoudness * st, const MtsBuf * b, size_t from, size_t to,
    double m_from, double s_from, Readings * r)
{
  const unsigned rate = b->rate;
  size_t pos = from;

  while (pos < to) {
    /* 10 ms sub-block k ends at frame floor ((k + 1) * rate / 100) */
    uint64_t k = (uint64_t) pos * 100 / rate;
    size_t end = (size_t) ((k + 1) * rate / 100);
    double t;
    double m, s;

    if (end > to)
      end = to;
    mst_loudness_process_f64 (st, b->data + pos * b->channels, end - pos);
    pos = end;
    if ((uint64_t) pos * 100 % rate != 0)
      continue;                 /* partial chunk at the very end */
    t = (double) pos / rate;
    m = mst_loudness_momentary (st);
    if (t >= 0.4 - 1e-9)
      r->m_max10 = fmax (r->m_max10, m);
    if (t >= m_from - 1e-9) {
      r->m_lo = fmin (r->m_lo, m);
      r->m_hi = fmax (r->m_hi, m);
    }
    s = mst_loudness_shortterm (st);
    if (t >= 3.0 - 1e-9) {
      r->s_max10 = fmax (r->s_max10, s);
      if ((uint64_t) pos * 10 % rate == 0) {
        r->s_max100 = fmax (r->s_max100, s);
        if (t >= s_from - 1e-9) {
          r->s_lo = fmin (r->s_lo, s);
          r->s_hi = fmax (r->s_hi, s);
        }
      }
    }
  }
  r->I = mst_loudness_integrated (st);
  r->core_m_max = mst_loudness_momentary_max (st);
  r->core_s_max = mst_loudness_shortterm_max (st);
}

static void
measure (const MtsBuf * b, double m_from, double s_from, Readings * r)
{
  MstLoudness *st = meter_for (b);

  readings_init (r);
  drive (st, b, 0, b->frames, m_from, s_from, r);
  mst_loudness_free (st);
}

/* value within nominal ± EBU_TOL and reference ± REF_TOL */
static void
check2 (double got, double nominal, double ref, const char *what,
    int c, unsigned rate)
{
  MT_CLOSE (got, nominal, EBU_TOL, "Tech 3341 case %d @ %u Hz: %s vs EBU "
      "nominal (Tech 3341 Table 1)", c, rate, what);
  MT_CLOSE (got, ref, REF_TOL, "Tech 3341 case %d @ %u Hz: %s vs [V] "
      "reference (docs/conformance.md §5)", c, rate, what);
}

/* a range of readings, all within both windows */
static void
check_range (double lo, double hi, double nominal, double ref,
    const char *what, int c, unsigned rate)
{
  mt_ok (lo <= hi && fabs (lo - nominal) <= EBU_TOL
      && fabs (hi - nominal) <= EBU_TOL, "Tech 3341 case %d @ %u Hz: every "
      "%s reading in [%.4f, %.4f] within %.1f +- %.1f (Tech 3341 Table 1)",
      c, rate, what, lo, hi, nominal, EBU_TOL);
  mt_ok (lo <= hi && fabs (lo - ref) <= REF_TOL && fabs (hi - ref) <= REF_TOL,
      "Tech 3341 case %d @ %u Hz: every %s reading in [%.4f, %.4f] within "
      "[V] %.4f +- %.2f (docs/conformance.md §5)", c, rate, what, lo, hi, ref,
      REF_TOL);
}

/* Cases 1 and 2: M, S and I; cases 3-6: I. */
static void
test_steady (unsigned rate)
{
  static const int cases[] = { 1, 2, 3, 4, 5, 6 };
  size_t i;

  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int c = cases[i], lfe;

    for (lfe = 0; lfe <= (c == 6); lfe++) {
      MtsBuf *b = ebu3341_signal (c, 0, rate, lfe);
      double nom = ebu3341_nominal (c, 0), ref = ebu3341_expected (c, rate);
      Readings r;

      measure (b, 0.4, 3.0, &r);
      if (c <= 2) {
        check_range (r.m_lo, r.m_hi, nom, ref, "M (10 ms grid, t >= 0.4 s)",
            c, rate);
        check_range (r.s_lo, r.s_hi, nom, ref, "S (100 ms grid, t >= 3 s)",
            c, rate);
      }
      check2 (r.I, nom, ref, lfe ? "I (6 ch with silent LFE)" : "I", c,
          rate);
      mts_buf_free (b);
    }
  }
}

/* Case 9: S every 100 ms from t = 3 s; case 12: M every 10 ms from 1 s. */
static void
test_constant (unsigned rate)
{
  MtsBuf *b;
  Readings r;

  b = ebu3341_signal (9, 0, rate, 0);
  measure (b, 0.4, 3.0, &r);
  check_range (r.s_lo, r.s_hi, ebu3341_nominal (9, 0),
      ebu3341_expected (9, rate), "S (100 ms grid, t >= 3 s)", 9, rate);
  mts_buf_free (b);

  b = ebu3341_signal (12, 0, rate, 0);
  measure (b, 1.0, 3.0, &r);
  check_range (r.m_lo, r.m_hi, ebu3341_nominal (12, 0),
      ebu3341_expected (12, rate), "M (10 ms grid, t >= 1 s)", 12, rate);
  mts_buf_free (b);
}

/* Cases 10 and 13 (file-based): 20 files, max S / max M per file. */
static void
test_files (unsigned rate)
{
  double s10_lo = INFINITY, s10_hi = -INFINITY, s100_lo = INFINITY;
  double m10_lo = INFINITY, m10_hi = -INFINITY, core_d = 0.0;
  int i;

  for (i = 0; i < 20; i++) {
    MtsBuf *b = ebu3341_signal (10, i, rate, 0);
    Readings r;

    measure (b, 0.4, 3.0, &r);
    s10_lo = fmin (s10_lo, r.s_max10);
    s10_hi = fmax (s10_hi, r.s_max10);
    s100_lo = fmin (s100_lo, r.s_max100);
    core_d = fmax (core_d, fabs (r.core_s_max - r.s_max10));
    mts_buf_free (b);

    b = ebu3341_signal (13, i, rate, 0);
    measure (b, 0.4, 3.0, &r);
    m10_lo = fmin (m10_lo, r.m_max10);
    m10_hi = fmax (m10_hi, r.m_max10);
    core_d = fmax (core_d, fabs (r.core_m_max - r.m_max10));
    mts_buf_free (b);
  }
  check_range (s10_lo, s10_hi, -23.0, ebu3341_expected (10, rate),
      "max S per file (10 ms grid; 20 files)", 10, rate);
  /* docs/conformance.md §5: "both grids pass"; worst file on the 100 ms grid */
  MT_CLOSE (s100_lo, -23.0, EBU_TOL, "Tech 3341 case 10 @ %u Hz: worst max "
      "S per file on the 100 ms grid vs EBU nominal (Tech 3341 Table 1)", rate);
  MT_CLOSE (s100_lo, ebu3341_case10_worst_100ms (rate), REF_TOL,
      "Tech 3341 case 10 @ %u Hz: worst max S per file on the 100 ms grid "
      "vs [V] (docs/conformance.md §5)", rate);
  check_range (m10_lo, m10_hi, -23.0, ebu3341_expected (13, rate),
      "max M per file (10 ms grid; 20 files)", 13, rate);
  mt_ok (core_d <= 1e-9, "Tech 3341 cases 10/13 @ %u Hz: the core's max M / "
      "max S equal the maxima of the 10 ms readings (max |d| %.3g)", rate,
      core_d);
}

/* Cases 11 and 14 (live): one stream, max since reset after each
 * segment equals -38 + i. */
static void
test_live (unsigned rate)
{
  MtsBuf *b;
  MstLoudness *st;
  Readings r;
  double lo, hi, s_lo = INFINITY, s_hi = -INFINITY, d10 = 0.0, dcore = 0.0;
  double m_lo = INFINITY, m_hi = -INFINITY, ebu_worst = 0.0;
  /* 10 ms-grid expectation: the segments start on the 10 ms grid like the
   * files of cases 10/13, so max - nominal equals the case 10 / 13 [V]
   * offset (docs/conformance.md §5: case 14 "+0.0064 on 10 ms grid" = case 13 +
   * 23) */
  double off10 = ebu3341_expected (10, rate) + 23.0;
  double off13 = ebu3341_expected (13, rate) + 23.0;
  size_t seg;
  int i;

  ebu3341_case11_range_100ms (rate, &lo, &hi);

  /* case 11: 20 segments of 6 s */
  b = ebu3341_signal (11, 0, rate, 0);
  st = meter_for (b);
  readings_init (&r);
  seg = mts_frames (6.0, rate);
  for (i = 0; i < 20; i++) {
    double nom = ebu3341_nominal (11, i);

    drive (st, b, i * seg, (i + 1) * seg, 0.4, 3.0, &r);
    s_lo = fmin (s_lo, r.s_max100 - nom);
    s_hi = fmax (s_hi, r.s_max100 - nom);
    ebu_worst = fmax (ebu_worst, fabs (r.s_max100 - nom));
    ebu_worst = fmax (ebu_worst, fabs (r.s_max10 - nom));
    d10 = fmax (d10, fabs (r.s_max10 - nom - off10));
    dcore = fmax (dcore, fabs (r.core_s_max - r.s_max10));
  }
  mt_ok (ebu_worst <= EBU_TOL, "Tech 3341 case 11 @ %u Hz: max S after each "
      "segment = -38 + i within +-0.1 on both grids (worst |d| %.4f, "
      "Tech 3341 Table 1)",
      rate, ebu_worst);
  mt_ok (s_lo >= lo - REF_TOL && s_hi <= hi + REF_TOL,
      "Tech 3341 case 11 @ %u Hz: max S - expected on the 100 ms grid in "
      "[%+.4f, %+.4f], [V] range [%+.3f, %+.3f] +- %.2f (docs/conformance.md "
      "§5)", rate, s_lo, s_hi, lo, hi, REF_TOL);
  mt_ok (d10 <= REF_TOL, "Tech 3341 case 11 @ %u Hz: max S - expected on "
      "the 10 ms grid = case 10 offset %+.4f (worst |d| %.4f <= %.2f)", rate,
      off10, d10, REF_TOL);
  mt_ok (dcore <= 1e-9, "Tech 3341 case 11 @ %u Hz: the core's max S equals "
      "the max of the 10 ms readings (max |d| %.3g)", rate, dcore);
  mst_loudness_free (st);
  mts_buf_free (b);

  /* case 14: 20 segments of 0.8 s, M on the 10 ms grid (docs/conformance.md
   * §6) */
  b = ebu3341_signal (14, 0, rate, 0);
  st = meter_for (b);
  readings_init (&r);
  seg = mts_frames (0.8, rate);
  dcore = 0.0;
  for (i = 0; i < 20; i++) {
    double nom = ebu3341_nominal (14, i);

    drive (st, b, i * seg, (i + 1) * seg, 0.4, 3.0, &r);
    m_lo = fmin (m_lo, r.m_max10 - nom);
    m_hi = fmax (m_hi, r.m_max10 - nom);
    dcore = fmax (dcore, fabs (r.core_m_max - r.m_max10));
  }
  mt_ok (fabs (m_lo) <= EBU_TOL && fabs (m_hi) <= EBU_TOL,
      "Tech 3341 case 14 @ %u Hz: max M after each segment - (-38 + i) in "
      "[%+.4f, %+.4f] within +-0.1 (Tech 3341 Table 1)", rate, m_lo, m_hi);
  mt_ok (fabs (m_lo - off13) <= REF_TOL && fabs (m_hi - off13) <= REF_TOL,
      "Tech 3341 case 14 @ %u Hz: max M - expected in [%+.4f, %+.4f], [V] "
      "%+.4f +- %.2f (docs/conformance.md §5)", rate, m_lo, m_hi, off13,
      REF_TOL);
  mt_ok (dcore <= 1e-9, "Tech 3341 case 14 @ %u Hz: the core's max M equals "
      "the max of the 10 ms readings (max |d| %.3g)", rate, dcore);
  mst_loudness_free (st);
  mts_buf_free (b);
}

int
main (void)
{
  int k;

  for (k = 0; k < 3; k++) {
    test_steady (rates[k]);
    test_constant (rates[k]);
    test_files (rates[k]);
    test_live (rates[k]);
  }
  return mt_done ();
}
