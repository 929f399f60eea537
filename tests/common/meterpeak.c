/* gst-mastering — true peak as the project's own meter reads it (see
 * meterpeak.h) */
#include "meterpeak.h"

#include <math.h>
#include <stdlib.h>

#include "dsp/loudness.h"
#include "dsp/truepeak.h"

double
mtp_meter (const float *y, size_t n, unsigned C, unsigned rate)
{
  MstLoudness *st = mst_loudness_new (rate, C, MST_LOUDNESS_TRUE_PEAK);
  double m = 0.0;
  unsigned c;

  mst_loudness_process_f32 (st, y, n);
  for (c = 0; c < C; c++)
    m = fmax (m, mst_loudness_true_peak (st, c));
  mst_loudness_free (st);
  return m;
}

double
mtp_16x (const float *y, size_t n, unsigned C)
{
  MstTruePeak *tp = mst_true_peak_new (C, 16);
  float *pl = calloc (n + MST_TRUE_PEAK_TAPS, sizeof (float));
  double m = 0.0;
  unsigned c;
  size_t i;

  for (c = 0; c < C; c++) {
    for (i = 0; i < n; i++)
      pl[i] = y[i * C + c];
    m = fmax (m, mst_true_peak_process_max (tp, c, pl,
            n + MST_TRUE_PEAK_TAPS, 0.0f));
  }
  free (pl);
  mst_true_peak_free (tp);
  return m;
}
