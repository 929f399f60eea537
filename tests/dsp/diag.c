/* gst-mastering — tests of dsp/diag (pre-mastering diagnostics)
 *
 * Generated signals with answers known in closed form:
 *  - DC: a constant added to a sine of whole periods: the mean is the
 *    constant.
 *  - Clipping: a 100 Hz sine of amplitude 1.5 clamped to +-1 has two flat
 *    tops per period, each over the phase where |1.5 sin| >= 1, i.e. a
 *    fraction (pi - 2 asin (2/3)) / (2 pi) of the period.
 *  - Correlation: L = R gives +1, L = -R gives -1; independent noises ~0.
 *  - Mono fold (BS.1770 is an energy sum): L = R: 0 LU; independent
 *    equal-level noises: 10 log10 (1/2) = -3.01 LU; L = -R: silence.
 *  - Balance: the same sine 6 dB lower on R: +6.00 LU (loudness of a
 *    steady sine scales with its level).
 *  - Side low end: L = s + d, R = s - d with d = 0.1 s: side/mid = -20 dB
 *    at every frequency, so also below 120 Hz.
 *  - Spectral bands: a sine's band value from the analog 4th-order
 *    Butterworth magnitudes |H_hp|^2 = 1 / (1 + (fc/f)^8),
 *    |H_lp|^2 = 1 / (1 + (f/fc)^8) of the band and of 20 Hz-20 kHz, per
 *    octave of each.
 *  - Noise floor: white noise of RMS -60 dBFS after a loud part reads
 *    -60 dBFS; digital silence is counted, not measured.
 */
#include <math.h>
#include <stdlib.h>

#include "dsp/diag.h"
#include "mtest.h"

#define RATE 48000
#define PI 3.14159265358979323846

static unsigned long long rng_state = 88172645463325252ULL;

static double
uniform (void)
{
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return (rng_state >> 11) * (1.0 / 9007199254740992.0);
}

static double
gauss (void)
{
  double u1 = uniform () + 1e-300, u2 = uniform ();

  return sqrt (-2.0 * log (u1)) * cos (2.0 * PI * u2);
}

static MstDiagResult
run (const double *x, unsigned channels, size_t frames)
{
  MstDiag *d = mst_diag_new (RATE, channels);
  MstDiagResult r;

  /* in uneven chunks: results must not depend on them */
  size_t done = 0, step = 777;

  while (done < frames) {
    size_t n = frames - done < step ? frames - done : step;

    mst_diag_process_f64 (d, x + done * channels, n);
    done += n;
    step = step == 777 ? 4096 : 777;
  }
  mst_diag_result (d, &r);
  mst_diag_free (d);
  return r;
}

static void
test_dc (void)
{
  size_t n = RATE * 2, i;
  double *x = malloc (2 * n * sizeof (double));
  MstDiagResult r;

  for (i = 0; i < n; i++) {
    double s = 0.3 * sin (2 * PI * 100.0 * i / RATE);

    x[2 * i] = s + 0.01;
    x[2 * i + 1] = s - 0.001;
  }
  r = run (x, 2, n);
  MT_CLOSE (r.dc_db[0], -40.0, 0.01, "DC +0.01 on L: -40 dBFS");
  MT_CLOSE (r.dc_db[1], -60.0, 0.01, "DC -0.001 on R: -60 dBFS");
  free (x);
}

static void
test_clipping (void)
{
  size_t n = RATE, i;
  double *x = malloc (n * sizeof (double));
  double frac = (PI - 2.0 * asin (2.0 / 3.0)) / (2.0 * PI);
  double per_run = frac * RATE / 100.0;
  MstDiagResult r;

  for (i = 0; i < n; i++) {
    double v = 1.5 * sin (2 * PI * 100.0 * i / RATE);

    x[i] = v > 1.0 ? 1.0 : v < -1.0 ? -1.0 : v;
  }
  r = run (x, 1, n);
  MT_CLOSE ((double) r.clip_runs[0], 200.0, 1.0, "2 flat tops per period, "
      "100 periods");
  MT_CLOSE ((double) r.clip_longest, per_run, 1.5, "longest run = the "
      "clipped phase (%.1f samples)", per_run);
  MT_CLOSE ((double) r.clip_samples[0], 200.0 * per_run, 200.0,
      "clipped samples");
  MT_RANGE ((double) r.clip_first_frame, 0, RATE / 100.0 / 4.0,
      "first run in the first quarter period");

  /* the same after -3 dB of gain: flat tops below full scale are found */
  for (i = 0; i < n; i++)
    x[i] *= 0.7079;
  r = run (x, 1, n);
  MT_CLOSE ((double) r.clip_runs[0], 200.0, 1.0, "clipped then lowered "
      "3 dB: still 200 runs");

  /* an unclipped sine: none */
  for (i = 0; i < n; i++)
    x[i] = 0.99 * sin (2 * PI * 100.0 * i / RATE);
  r = run (x, 1, n);
  mt_ok (r.clip_runs_total == 0, "unclipped sine: no runs (%llu)",
      (unsigned long long) r.clip_runs_total);
  free (x);
}

static void
test_stereo (void)
{
  size_t n = RATE * 10, i;
  double *x = malloc (2 * n * sizeof (double));
  MstDiagResult r;

  /* L = R: mono */
  for (i = 0; i < n; i++)
    x[2 * i] = x[2 * i + 1] = 0.1 * gauss ();
  r = run (x, 2, n);
  MT_CLOSE (r.correlation, 1.0, 1e-9, "L = R: correlation +1");
  MT_CLOSE (r.mono_fold_lu, 0.0, 0.01, "L = R: mono fold 0 LU");
  MT_CLOSE (r.balance_lu, 0.0, 0.01, "L = R: balance 0");
  mt_ok (isinf (r.side_low_db) && r.side_low_db < 0, "L = R: no side");

  /* L = -R: anti-phase */
  for (i = 0; i < n; i++)
    x[2 * i + 1] = -x[2 * i];
  r = run (x, 2, n);
  MT_CLOSE (r.correlation, -1.0, 1e-9, "L = -R: correlation -1");
  MT_CLOSE (r.correlation_min, -1.0, 1e-9, "L = -R: every block -1");
  mt_ok (isinf (r.mono_fold_lu) && r.mono_fold_lu < 0,
      "L = -R: the mono fold is silent (%f)", r.mono_fold_lu);

  /* independent noises of equal level */
  for (i = 0; i < n; i++) {
    x[2 * i] = 0.1 * gauss ();
    x[2 * i + 1] = 0.1 * gauss ();
  }
  r = run (x, 2, n);
  MT_CLOSE (r.correlation, 0.0, 0.01, "independent: correlation 0");
  MT_CLOSE (r.mono_fold_lu, -3.0103, 0.05, "independent: fold -3.01 LU");
  MT_CLOSE (r.side_low_db, 0.0, 0.5, "independent: side low = mid low");

  /* L = s + d, R = s - d, d = 0.1 s: side / mid = -20 dB */
  for (i = 0; i < n; i++) {
    double s = 0.3 * gauss ();

    x[2 * i] = 1.1 * s;
    x[2 * i + 1] = 0.9 * s;
  }
  r = run (x, 2, n);
  MT_CLOSE (r.side_low_db, -20.0, 0.01, "side = 0.1 mid: -20 dB");

  /* balance: the same sine 6 dB lower on R */
  for (i = 0; i < n; i++) {
    double s = 0.1 * sin (2 * PI * 997.0 * i / RATE);

    x[2 * i] = s;
    x[2 * i + 1] = s * pow (10.0, -6.0 / 20.0);
  }
  r = run (x, 2, n);
  MT_CLOSE (r.balance_lu, 6.0, 0.01, "R 6 dB lower: balance +6 LU");
  free (x);
}

static double
butter4 (double f, double lo, double hi)
{
  double h = 1.0;

  if (lo > 0.0)
    h /= 1.0 + pow (lo / f, 8.0);
  if (hi > 0.0)
    h /= 1.0 + pow (f / hi, 8.0);
  return h;
}

static void
test_bands (void)
{
  static const double freqs[] = { 40.0, 120.0, 500.0, 3000.0, 14000.0 };
  size_t n = RATE * 4, i, k;
  double *x = malloc (n * sizeof (double));

  for (k = 0; k < 5; k++) {
    double f = freqs[k], lo, hi, full, want;
    MstDiagResult r;

    for (i = 0; i < n; i++)
      x[i] = 0.5 * sin (2 * PI * f * i / RATE);
    r = run (x, 1, n);
    mst_diag_band_edges ((MstDiagBand) k, &lo, &hi);
    full = butter4 (f, 20.0, 20000.0) / log2 (20000.0 / 20.0);
    want = 10.0 * log10 (butter4 (f, lo, hi) / log2 (hi / lo) / full);
    /* the sine lies in band k: its value from the analog magnitudes */
    MT_CLOSE (r.band_db[k], want, 0.15, "%.0f Hz sine: %s band", f,
        mst_diag_band_name ((MstDiagBand) k));
  }
  free (x);
}

static void
test_noise_floor (void)
{
  size_t n = RATE * 12, i;
  double *x = malloc (n * sizeof (double));
  double sigma = pow (10.0, -60.0 / 20.0);
  MstDiagResult r;

  for (i = 0; i < n; i++) {
    if (i < 5 * RATE)
      x[i] = 0.3 * sin (2 * PI * 440.0 * i / RATE);
    else if (i < 10 * RATE)
      x[i] = sigma * gauss ();
    else
      x[i] = 0.0;
  }
  r = run (x, 1, n);
  MT_CLOSE (r.noise_floor_db, -60.0, 0.3, "noise floor: the -60 dBFS noise");
  MT_CLOSE (r.quietest_db, -60.0, 0.1, "quietest 1 s: the noise");
  MT_RANGE ((double) r.quietest_frame / RATE, 5.0, 9.0,
      "quietest passage inside the noise");
  MT_CLOSE (r.silence_s, 2.0, 0.05, "2 s of digital silence counted");
  free (x);
}

int
main (void)
{
  test_dc ();
  test_clipping ();
  test_stereo ();
  test_bands ();
  test_noise_floor ();
  return mt_done ();
}
