/* gst-mastering — EBU Tech 3342 loudness range, cases 1-4
 *
 * Signals per Tech 3342 Table 1 (stereo 1 kHz tone segments of 20 s,
 * ebucases.c) at 44.1, 48 and 96 kHz, one new meter per measurement (reset
 * before each), input in 100 ms chunks, LRA read once at the end.  Checks: the
 * Tech 3342 nominal value ±1 LU (Table 1, docs/conformance.md §5) and our [V]
 * value ±0.05 LU (docs/conformance.md §5 "Exact"; the core keeps short-term
 * values in 0.01 LU bins).  Tech 3342 also says the result must not change when
 * the signal is repeated: the signal fed twice without reset (at 48 kHz) must
 * give the same LRA.
 */
#include "dsp/loudness.h"
#include "ebucases.h"
#include "mtest.h"

#include <stdlib.h>

static const unsigned rates[3] = { 44100, 48000, 96000 };

static double
lra_of (const MtsBuf * b, int times)
{
  MstLoudness *st = mst_loudness_new (b->rate, b->channels, 0);
  size_t hop = b->rate / 10;
  double lra;
  int k;

  if (!st) {
    printf ("Bail out! mst_loudness_new (%u, %u) failed\n", b->rate,
        b->channels);
    exit (1);
  }
  for (k = 0; k < times; k++) {
    size_t pos = 0;

    while (pos < b->frames) {
      size_t n = b->frames - pos < hop ? b->frames - pos : hop;

      mst_loudness_process_f64 (st, b->data + pos * b->channels, n);
      pos += n;
    }
  }
  lra = mst_loudness_range (st);
  mst_loudness_free (st);
  return lra;
}

int
main (void)
{
  int r, c;

  for (r = 0; r < 3; r++)
    for (c = 1; c <= 4; c++) {
      MtsBuf *b = ebu3342_signal (c, rates[r]);
      double lra = lra_of (b, 1);

      MT_CLOSE (lra, ebu3342_nominal (c), 1.0, "Tech 3342 case %d @ %u Hz: "
          "LRA vs EBU nominal (Tech 3342 Table 1)", c, rates[r]);
      MT_CLOSE (lra, ebu3342_expected (c), 0.05, "Tech 3342 case %d @ %u Hz:"
          " LRA vs [V] (docs/conformance.md §5)", c, rates[r]);
      if (rates[r] == 48000)    /* once is enough: it costs 2x the time */
        MT_CLOSE (lra_of (b, 2), ebu3342_expected (c), 0.05, "Tech 3342 "
            "case %d @ %u Hz: LRA of the signal played twice (Tech 3342: must "
            "not change)", c, rates[r]);
      mts_buf_free (b);
    }
  return mt_done ();
}
