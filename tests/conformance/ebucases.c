/* gst-mastering — EBU Tech 3341 / 3342 test signals (see ebucases.h) */
#include "ebucases.h"

#include <stdlib.h>

#define TONE_HZ 1000.0

/* One stereo (or n-channel, same level everywhere) 1 kHz tone segment. */
static void
seg (MtsBuf * b, double dbfs, double dur_s)
{
  mts_tone (b, TONE_HZ, dbfs, dur_s);
}

MtsBuf *
ebu3341_signal (int ebu_case, int file_index, unsigned rate, int lfe)
{
  MtsBuf *b;
  int i, k;

  if (ebu_case == 6) {
    /* EBU Tech 3341 Table 1 case 6: L, R -28 dBFS; C -24; Ls, Rs -30; 20 s.
     * Channel order L R C Ls Rs, or L R C LFE Ls Rs with a silent LFE
     * (docs/conformance.md §4). */
    double lv5[5] = { -28.0, -28.0, -24.0, -30.0, -30.0 };
    double lv6[6] = { -28.0, -28.0, -24.0, MTS_OFF, -30.0, -30.0 };

    b = mts_buf_new (rate, lfe ? 6 : 5);
    mts_tone_ex (b, TONE_HZ, lfe ? lv6 : lv5, 0.0, mts_frames (20.0, rate));
    return b;
  }

  b = mts_buf_new (rate, 2);
  switch (ebu_case) {
    case 1:                    /* tone -23 dBFS, 20 s */
      seg (b, -23.0, 20.0);
      break;
    case 2:                    /* tone -33 dBFS, 20 s */
      seg (b, -33.0, 20.0);
      break;
    case 3:                    /* 10 s @ -36, 60 s @ -23, 10 s @ -36 */
      seg (b, -36.0, 10.0);
      seg (b, -23.0, 60.0);
      seg (b, -36.0, 10.0);
      break;
    case 4:                    /* -72, -36, -23 (60 s), -36, -72 */
      seg (b, -72.0, 10.0);
      seg (b, -36.0, 10.0);
      seg (b, -23.0, 60.0);
      seg (b, -36.0, 10.0);
      seg (b, -72.0, 10.0);
      break;
    case 5:                    /* 20 s @ -26, 20.1 s @ -20, 20 s @ -26 */
      seg (b, -26.0, 20.0);
      seg (b, -20.0, 20.1);
      seg (b, -26.0, 20.0);
      break;
    case 9:                    /* (1.34 s @ -20, 1.66 s @ -30) x 5 */
      for (k = 0; k < 5; k++) {
        seg (b, -20.0, 1.34);
        seg (b, -30.0, 1.66);
      }
      break;
    case 10:                   /* file i: i*0.15 s silence, 3 s @ -23, 1 s */
      if (file_index < 0 || file_index > 19)
        goto bad;
      mts_silence (b, file_index * 0.15);
      seg (b, -23.0, 3.0);
      mts_silence (b, 1.0);
      break;
    case 11:                   /* i*0.15 s sil, 3 s @ -38+i, 3-i*0.15 s sil */
      for (i = 0; i < 20; i++) {
        mts_silence (b, i * 0.15);
        seg (b, -38.0 + i, 3.0);
        mts_silence (b, 3.0 - i * 0.15);
      }
      break;
    case 12:                   /* (0.18 s @ -20, 0.22 s @ -30) x 25 */
      for (k = 0; k < 25; k++) {
        seg (b, -20.0, 0.18);
        seg (b, -30.0, 0.22);
      }
      break;
    case 13:                   /* file i: i*20 ms sil, 400 ms @ -23, 1 s */
      if (file_index < 0 || file_index > 19)
        goto bad;
      mts_silence (b, file_index * 0.02);
      seg (b, -23.0, 0.4);
      mts_silence (b, 1.0);
      break;
    case 14:                   /* i*20 ms sil, 400 ms @ -38+i, 400-i*20 ms */
      for (i = 0; i < 20; i++) {
        mts_silence (b, i * 0.02);
        seg (b, -38.0 + i, 0.4);
        mts_silence (b, 0.4 - i * 0.02);
      }
      break;
    default:
      goto bad;
  }
  return b;

bad:
  mts_buf_free (b);
  return NULL;
}

MtsBuf *
ebu3342_signal (int ebu_case, unsigned rate)
{
  MtsBuf *b = mts_buf_new (rate, 2);

  /* docs/conformance.md §5 (Tech 3342 Table 1): 20 s segments, stereo 1 kHz */
  switch (ebu_case) {
    case 1:
      seg (b, -20.0, 20.0);
      seg (b, -30.0, 20.0);
      break;
    case 2:
      seg (b, -20.0, 20.0);
      seg (b, -15.0, 20.0);
      break;
    case 3:
      seg (b, -40.0, 20.0);
      seg (b, -20.0, 20.0);
      break;
    case 4:
      seg (b, -50.0, 20.0);
      seg (b, -35.0, 20.0);
      seg (b, -20.0, 20.0);
      seg (b, -35.0, 20.0);
      seg (b, -50.0, 20.0);
      break;
    default:
      mts_buf_free (b);
      return NULL;
  }
  return b;
}

MtsBuf *
ebu3341_tp_signal (int ebu_case, unsigned rate)
{
  MtsBuf *b = mts_buf_new (rate, 2);

  if (mts_tp_case (b, ebu_case, mts_frames (3.2, rate),
          mts_frames (0.1, rate)) < 0) {
    mts_buf_free (b);
    return NULL;
  }
  return b;
}

double
ebu3341_nominal (int ebu_case, int segment)
{
  switch (ebu_case) {
    case 2:
      return -33.0;
    case 11:
    case 14:
      return -38.0 + segment;
    default:
      return -23.0;
  }
}

static int
rate_col (unsigned rate)
{
  switch (rate) {
    case 48000:
      return 0;
    case 44100:
      return 1;
    case 96000:
      return 2;
    default:
      return -1;
  }
}

double
ebu3341_expected (int ebu_case, unsigned rate)
{
  /* docs/conformance.md §5 "Loudness cases" table [V], columns 48 / 44.1 /
   * 96 kHz */
  static const struct
  {
    int c;
    double v[3];
  } tab[] = {
    {1, {-22.9933, -22.9905, -23.0106}},
    {2, {-32.9933, -32.9905, -33.0106}},
    {3, {-23.0139, -23.0111, -23.0312}},
    {4, {-23.0139, -23.0111, -23.0312}},
    {5, {-22.9787, -22.9759, -22.9960}},
    {6, {-23.0163, -23.0135, -23.0336}},
    {9, {-22.9863, -22.9835, -23.0036}},
    {10, {-22.9933, -22.9906, -23.0106}},
    {12, {-22.9604, -22.9577, -22.9778}},
    {13, {-22.9936, -22.9908, -23.0109}},
  };
  int col = rate_col (rate);
  size_t i;

  if (col < 0)
    return NAN;
  for (i = 0; i < sizeof tab / sizeof tab[0]; i++)
    if (tab[i].c == ebu_case)
      return tab[i].v[col];
  return NAN;
}

double
ebu3341_case10_worst_100ms (unsigned rate)
{
  /* docs/conformance.md §5 case 10, "worst ... (100 ms grid)" */
  static const double v[3] = { -23.0663, -23.0635, -23.0836 };
  int col = rate_col (rate);

  return col < 0 ? NAN : v[col];
}

void
ebu3341_case11_range_100ms (unsigned rate, double *lo, double *hi)
{
  /* docs/conformance.md §5 case 11: max S - expected on a 100 ms grid */
  static const double l[3] = { -0.066, -0.064, -0.084 };
  static const double h[3] = { 0.007, 0.009, -0.011 };
  int col = rate_col (rate);

  *lo = col < 0 ? NAN : l[col];
  *hi = col < 0 ? NAN : h[col];
}

double
ebu3341_tp_nominal (int ebu_case)
{
  /* EBU Tech 3341 Table 1 cases 15-23 */
  if (ebu_case >= 15 && ebu_case <= 18)
    return -6.0;
  if (ebu_case == 19)
    return 3.0;
  return 0.0;
}

double
ebu3341_tp_libebur128 (int ebu_case)
{
  /* docs/conformance.md §5 true-peak table, "libebur128 method" column */
  static const double v[9] = { -6.021, -6.052, -6.005, -6.019, 2.953,
    -0.130, -0.083, -0.181, -0.083
  };

  return ebu_case >= 15 && ebu_case <= 23 ? v[ebu_case - 15] : NAN;
}

double
ebu3341_tp_sample_peak (int ebu_case)
{
  /* docs/conformance.md §5 true-peak table, "sample peak" column */
  static const double v[9] = { -6.021, -9.031, -7.270, -6.708, -0.026,
    -0.130, -0.459, -2.499, -0.459
  };

  return ebu_case >= 15 && ebu_case <= 23 ? v[ebu_case - 15] : NAN;
}

double
ebu3342_nominal (int ebu_case)
{
  /* docs/conformance.md §5 (Tech 3342 Table 1) */
  static const double v[4] = { 10.0, 5.0, 20.0, 15.0 };

  return ebu_case >= 1 && ebu_case <= 4 ? v[ebu_case - 1] : NAN;
}

double
ebu3342_expected (int ebu_case)
{
  /* docs/conformance.md §5 column "Exact [V]": 10.0000, 5.0000, 20.0000,
   * 15.0000 */
  static const double v[4] = { 10.0, 5.0, 20.0, 15.0 };

  return ebu_case >= 1 && ebu_case <= 4 ? v[ebu_case - 1] : NAN;
}
