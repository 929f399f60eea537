/* gst-mastering — delay line tests
 *
 * Expectation (the definition of a delay, brute force): out[i] = in[i - D]
 * with in[j < 0] = 0, for every channel, whatever the chunking of the
 * calls (random sizes from 0 to several times D), in place or not,
 * with NULL (silence) chunks, after reset, for 4- and 8-byte samples and
 * delays 0, 1, small and large.  Values compared bit for bit.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/delayline.h"
#include "mtest.h"
#include "signals.h"

static MtsRng rng;

static uint64_t
rnd (void)
{
  return mts_rng_u64 (&rng);
}

/* Runs n frames of C channels through a delay of D in random chunks and
 * compares with the brute-force delay; returns the number of wrong
 * samples. */
static size_t
check_f64 (unsigned C, size_t D, size_t n, int in_place, int with_null,
    size_t max_chunk)
{
  MstDelayLine *dl = mst_delay_line_new (C, D, sizeof (double));
  double *x = malloc (sizeof (double) * n * C);
  double *y = malloc (sizeof (double) * n * C);
  size_t i, pos = 0, bad = 0;

  for (i = 0; i < n * C; i++)
    x[i] = (double) (int64_t) (rnd () >> 40) - 8e6;
  while (pos < n) {
    size_t m = (size_t) (rnd () % (max_chunk + 1));

    if (m > n - pos)
      m = n - pos;
    if (with_null && rnd () % 5 == 0) {
      /* a silent chunk: the reference input is zero there too */
      memset (x + pos * C, 0, sizeof (double) * m * C);
      mst_delay_line_process_f64 (dl, NULL, y + pos * C, m);
    } else if (in_place) {
      memcpy (y + pos * C, x + pos * C, sizeof (double) * m * C);
      mst_delay_line_process_f64 (dl, y + pos * C, y + pos * C, m);
    } else {
      mst_delay_line_process_f64 (dl, x + pos * C, y + pos * C, m);
    }
    pos += m;
  }
  for (i = 0; i < n * C; i++) {
    size_t f = i / C;
    double want = f >= D ? x[i - D * C] : 0.0;

    if (memcmp (&want, &y[i], sizeof want) != 0)
      bad++;
  }
  mst_delay_line_free (dl);
  free (x);
  free (y);
  return bad;
}

static size_t
check_f32_reset (unsigned C, size_t D)
{
  MstDelayLine *dl = mst_delay_line_new (C, D, sizeof (float));
  size_t n = 3 * D + 50, i, bad = 0;
  float *x = malloc (sizeof (float) * n * C);
  float *y = malloc (sizeof (float) * n * C);

  for (i = 0; i < n * C; i++)
    x[i] = 1.0f + (float) i;
  /* fill with garbage, reset, then the line must start from silence */
  mst_delay_line_process_f32 (dl, x, y, n);
  mst_delay_line_reset (dl);
  mst_delay_line_process_f32 (dl, x, y, n / 2);
  mst_delay_line_process_f32 (dl, x + n / 2 * C, y + n / 2 * C, n - n / 2);
  for (i = 0; i < n * C; i++) {
    float want = i / C >= D ? x[i - D * C] : 0.0f;

    bad += want != y[i];
  }
  mst_delay_line_free (dl);
  free (x);
  free (y);
  return bad;
}

int
main (void)
{
  static const size_t delays[] = { 0, 1, 2, 5, 249, 256, 1000 };
  static const unsigned chans[] = { 1, 2, 6 };
  size_t di, ci;

  mts_rng_seed (&rng, 1);
  for (di = 0; di < sizeof delays / sizeof delays[0]; di++)
    for (ci = 0; ci < 3; ci++) {
      size_t D = delays[di];
      unsigned C = chans[ci];
      size_t n = 4 * D + 3000;

      mt_ok (check_f64 (C, D, n, 0, 0, D + 3) == 0,
          "delay %zu, %u ch, chunks 0..D+3: out[i] = in[i - D]", D, C);
      mt_ok (check_f64 (C, D, n, 0, 1, 3 * D + 700) == 0,
          "delay %zu, %u ch, chunks up to 3D+700 and silent chunks", D, C);
      mt_ok (check_f64 (C, D, n, 1, 0, 2 * D + 300) == 0,
          "delay %zu, %u ch, in place", D, C);
      mt_ok (check_f32_reset (C, D) == 0, "delay %zu, %u ch, F32 after "
          "reset starts from silence", D, C);
    }
  {
    MstDelayLine *dl = mst_delay_line_new (2, 77, 8);

    mt_ok (dl && mst_delay_line_delay (dl) == 77, "delay reported");
    mst_delay_line_free (dl);
    mt_ok (mst_delay_line_new (0, 10, 4) == NULL, "0 channels refused");
    mt_ok (mst_delay_line_new (1, 10, 0) == NULL, "sample size 0 refused");
  }
  return mt_done ();
}
