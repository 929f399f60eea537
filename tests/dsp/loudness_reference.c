/* gst-mastering — the loudness core against an independent reference meter
 *
 * The reference below shares no code with dsp/: it is a plain
 * double-precision transcription of the published definitions, written
 * for clarity rather than speed:
 *
 *   K-weighting  the two analog prototypes (high shelf, RLB high-pass) of
 *                ITU-R BS.1770-4 Annex 1, with the parameters libebur128
 *                and ffmpeg fitted to the 48 kHz table of the
 *                Recommendation, bilinear-transformed with pre-warping;
 *                two Direct Form I biquads per channel.
 *   windows      EBU Tech 3341 §2.2: momentary 400 ms, short-term 3 s
 *                rectangular windows, evaluated every 10 ms on a grid
 *                aligned to the start of the measurement (sub-block k ends
 *                at frame floor ((k + 1) rate / 100)); before a window is
 *                full the time before the start counts as silence.  The
 *                maxima take full windows only.
 *   integrated   BS.1770-4 eqs (3)-(7): 400 ms blocks every 100 ms,
 *                absolute gate -70 LUFS, relative gate 10 LU below the
 *                absolute-gated mean energy, ">=" as libebur128.
 *   LRA          EBU Tech 3342 §3.1: short-term values every 100 ms,
 *                absolute gate -70 LUFS, relative gate 20 LU below their
 *                mean energy, sorted, 10th and 95th percentile at index
 *                round ((n - 1) p) (0-based).
 *   true peak    a long (129-tap) Kaiser-windowed (beta 10) sinc
 *                interpolator evaluated at the 4x points between the
 *                samples, the max taken with the sample peak (BS.1770-4
 *                Annex 2).
 *
 * Each test feeds the core and the reference the same samples and states
 * what it would catch.  Tolerances: 1e-6 LU where both compute the same
 * quantity in double precision (rounding only); 0.011 LU where the core's
 * histograms (0.01 LU bins) are involved; true peak: the passband error of
 * the core's short interpolator, measured below.
 */
#include "dsp/loudness.h"
#include "mtest.h"

#include <stdlib.h>
#include <string.h>

#define REF_PI 3.14159265358979323846
#define MAXCH 8

/* ---- reference meter ---------------------------------------------------- */

/* K-weighting coefficients {b0, b1, b2, a1, a2} of the two stages. */
static void
ref_k_coefs (double fs, double shelf[5], double hp[5])
{
  /* high shelf: H(s) = (Vh s^2 + Vb (w0/Q) s + w0^2) / (s^2 + (w0/Q) s
   * + w0^2), pre-warped bilinear transform at f0 */
  const double f0 = 1681.974450955533, gain_db = 3.999843853973347;
  const double q = 0.7071752369554196;
  const double vh = pow (10.0, gain_db / 20.0);
  const double vb = pow (vh, 0.4996667741545416);
  const double k = tan (REF_PI * f0 / fs);
  const double d = 1.0 + k / q + k * k;
  /* RLB high-pass: H(s) = s^2 / (s^2 + (w0/Q) s + w0^2), numerator kept
   * as 1, -2, 1 (as the Recommendation's table) */
  const double fh = 38.13547087602444, qh = 0.5003270373238773;
  const double kh = tan (REF_PI * fh / fs);
  const double dh = 1.0 + kh / qh + kh * kh;

  shelf[0] = (vh + vb * k / q + k * k) / d;
  shelf[1] = 2.0 * (k * k - vh) / d;
  shelf[2] = (vh - vb * k / q + k * k) / d;
  shelf[3] = 2.0 * (k * k - 1.0) / d;
  shelf[4] = (1.0 - k / q + k * k) / d;
  hp[0] = 1.0;
  hp[1] = -2.0;
  hp[2] = 1.0;
  hp[3] = 2.0 * (kh * kh - 1.0) / dh;
  hp[4] = (1.0 - kh / qh + kh * kh) / dh;
}

static void
biquad (const double c[5], const double *in, double *out, size_t n)
{
  double x1 = 0, x2 = 0, y1 = 0, y2 = 0;
  size_t i;

  for (i = 0; i < n; i++) {
    double y = c[0] * in[i] + c[1] * x1 + c[2] * x2 - c[3] * y1 - c[4] * y2;

    x2 = x1;
    x1 = in[i];
    y2 = y1;
    y1 = y;
    out[i] = y;
  }
}

typedef struct
{
  size_t subs;                  /* complete 10 ms sub-blocks */
  double *m, *s;                /* energies after sub-block k (1-based) */
  double *mmax, *smax;          /* running maxima of full windows, -1 none */
  double integrated, lra;       /* LUFS, LU */
  double tp[MAXCH];             /* linear */
} Ref;

static double
lufs (double e)
{
  return e > 0.0 ? -0.691 + 10.0 * log10 (e) : -INFINITY;
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : (x > y);
}

/* Mean energy of the values >= gate (LUFS); *count gets how many. */
static double
gated_mean (const double *e, size_t n, double gate, size_t *count)
{
  double sum = 0.0;
  size_t i, c = 0;

  for (i = 0; i < n; i++)
    if (lufs (e[i]) >= gate) {
      sum += e[i];
      c++;
    }
  *count = c;
  return c ? sum / (double) c : 0.0;
}

static double
ref_integrated (const double *blocks, size_t n)
{
  size_t c;
  double mean = gated_mean (blocks, n, -70.0, &c);
  double rel;

  if (!c)
    return -INFINITY;
  rel = lufs (mean) - 10.0;
  mean = gated_mean (blocks, n, rel > -70.0 ? rel : -70.0, &c);
  return c ? lufs (mean) : -INFINITY;
}

/* LRA with configurable percentiles (so a test can show that the signal
 * tells 10/95 from other choices). */
static double
ref_lra (const double *st, size_t n, double p_lo, double p_hi)
{
  double *v = malloc ((n ? n : 1) * sizeof *v);
  size_t i, c, k = 0;
  double mean = gated_mean (st, n, -70.0, &c), gate, r;

  if (!c) {
    free (v);
    return 0.0;
  }
  gate = lufs (mean) - 20.0;
  if (gate < -70.0)
    gate = -70.0;
  for (i = 0; i < n; i++)
    if (lufs (st[i]) >= gate)
      v[k++] = lufs (st[i]);
  if (!k) {
    free (v);
    return 0.0;
  }
  qsort (v, k, sizeof *v, cmp_double);
  r = v[(size_t) ((double) (k - 1) * p_hi + 0.5)]
      - v[(size_t) ((double) (k - 1) * p_lo + 0.5)];
  free (v);
  return r;
}

/* Kaiser window I0 */
static double
bessel_i0 (double x)
{
  double s = 1.0, t = 1.0;
  int k;

  for (k = 1; k < 60; k++) {
    t *= (x / (2.0 * k)) * (x / (2.0 * k));
    s += t;
  }
  return s;
}

#define TP_HALF 64              /* taps each side */
#define TP_BETA 10.0

/* max |x| over the samples and the 4x points between them of one channel
 * (stride = channel count), ideal band-limited interpolation approximated
 * by a 129-tap Kaiser-windowed sinc; outside the signal is silence. */
static double
ref_true_peak (const double *x, size_t n, unsigned stride)
{
  double h[3][2 * TP_HALF + 1];
  double peak = 0.0;
  size_t i;
  int p, m;

  for (p = 1; p < 4; p++)
    for (m = -TP_HALF; m <= TP_HALF; m++) {
      /* value at time i + p/4 takes x[i + m] with weight sinc(p/4 - m) */
      double t = (double) p / 4.0 - m;
      double r = t / (TP_HALF + 1.0);
      double w = bessel_i0 (TP_BETA * sqrt (1.0 - r * r)) / bessel_i0 (TP_BETA);

      h[p - 1][m + TP_HALF] = sin (REF_PI * t) / (REF_PI * t) * w;
    }
  for (i = 0; i < n; i++) {
    double a = fabs (x[i * stride]);

    if (a > peak)
      peak = a;
    for (p = 0; p < 3; p++) {
      double acc = 0.0;

      for (m = -TP_HALF; m <= TP_HALF; m++) {
        long j = (long) i + m;

        if (j >= 0 && (size_t) j < n)
          acc += h[p][m + TP_HALF] * x[(size_t) j * stride];
      }
      if (fabs (acc) > peak)
        peak = fabs (acc);
    }
  }
  return peak;
}

static void
ref_free (Ref * r)
{
  free (r->m);
  free (r->s);
  free (r->mmax);
  free (r->smax);
}

/* Analyses interleaved x (frames x ch) at rate with channel weights w. */
static void
ref_run (Ref * r, const double *x, size_t frames, unsigned ch, unsigned rate,
    const double *w, int true_peak)
{
  double shelf[5], hp[5];
  double *tmp = malloc (frames * sizeof *tmp);
  double *kz = malloc (frames * sizeof *kz);
  double *sub, *blocks, *stv;
  size_t nsub, k, nb = 0, ns = 0, i;
  unsigned c;

  memset (r, 0, sizeof *r);
  ref_k_coefs (rate, shelf, hp);
  nsub = 0;
  while ((nsub + 1) * (uint64_t) rate / 100 <= frames)
    nsub++;
  sub = calloc (nsub + 1, sizeof *sub);
  for (c = 0; c < ch; c++) {
    for (i = 0; i < frames; i++)
      tmp[i] = x[i * ch + c];
    biquad (shelf, tmp, kz, frames);
    biquad (hp, kz, tmp, frames);
    for (k = 0; k < nsub; k++) {
      size_t a = k * (uint64_t) rate / 100, b = (k + 1) * (uint64_t) rate / 100;
      double e = 0.0;

      for (i = a; i < b; i++)
        e += tmp[i] * tmp[i];
      sub[k] += w[c] * e;
    }
    r->tp[c] = true_peak ? ref_true_peak (x + c, frames, ch) : 0.0;
  }
  r->subs = nsub;
  r->m = calloc (nsub + 1, sizeof (double));
  r->s = calloc (nsub + 1, sizeof (double));
  r->mmax = calloc (nsub + 1, sizeof (double));
  r->smax = calloc (nsub + 1, sizeof (double));
  blocks = calloc (nsub + 1, sizeof (double));
  stv = calloc (nsub + 1, sizeof (double));
  r->mmax[0] = r->smax[0] = -1.0;
  for (k = 1; k <= nsub; k++) {
    double em = 0.0, es = 0.0;
    size_t j;

    /* windows of the last 40 / 300 sub-blocks, missing ones silent; the
     * length is the window's nominal duration in frames */
    for (j = 0; j < 300 && j < k; j++) {
      if (j < 40)
        em += sub[k - 1 - j];
      es += sub[k - 1 - j];
    }
    r->m[k] = em / (0.4 * rate);
    r->s[k] = es / (3.0 * rate);
    r->mmax[k] = r->mmax[k - 1];
    r->smax[k] = r->smax[k - 1];
    if (k >= 40 && r->m[k] > r->mmax[k])
      r->mmax[k] = r->m[k];
    if (k >= 300 && r->s[k] > r->smax[k])
      r->smax[k] = r->s[k];
    if (k >= 40 && k % 10 == 0)
      blocks[nb++] = r->m[k];
    if (k >= 300 && k % 10 == 0)
      stv[ns++] = r->s[k];
  }
  r->integrated = ref_integrated (blocks, nb);
  r->lra = ref_lra (stv, ns, 0.10, 0.95);
  free (blocks);
  free (stv);
  free (sub);
  free (tmp);
  free (kz);
}

/* ---- signals ------------------------------------------------------------ */

/* One channel segment: a sine at freq, peak level db (dBFS) over
 * [t0, t1) s, phase counted from 0 s. */
static void
add_tone (double *x, unsigned ch, unsigned c, unsigned rate, double t0,
    double t1, double freq, double db)
{
  size_t a = (size_t) llround (t0 * rate), b = (size_t) llround (t1 * rate);
  double amp = pow (10.0, db / 20.0);
  size_t i;

  for (i = a; i < b; i++)
    x[i * ch + c] += amp * sin (2.0 * REF_PI * freq * (double) i / rate);
}

static double
to_lu (double e)
{
  return e > 0.0 ? lufs (e) : -INFINITY;
}

/* ---- 1. momentary / short-term and their maxima on a non-steady signal -- */

/* Stereo, different tones and envelopes in L and R: a quiet start, a level
 * step up, a -60 dBFS pause, tone bursts (170 ms on, 330 ms off), a step
 * down.  Read M, S, max M, max S every 100 ms (as an element posting at
 * 10 Hz does) and compare each with the reference at that instant.
 * Catches: S returning M, a window one sub-block short or long, maxima
 * taken over partial windows or not updated, the burst maxima sampled on a
 * coarser grid than 10 ms. */
static void
test_windows (unsigned rate)
{
  const unsigned ch = 2;
  const double dur = 16.0;
  const size_t frames = (size_t) (dur * rate);
  const double w[2] = { 1.0, 1.0 };
  double *x = calloc (frames * ch, sizeof *x);
  MstLoudness *st = mst_loudness_new (rate, ch, 0);
  double worst[4] = { 0, 0, 0, 0 };
  const char *names[4] = { "momentary", "short-term", "max momentary",
    "max short-term"
  };
  size_t hop = rate / 10, pos, k;
  Ref r;
  int q, mismatch_ms = 0;
  double t;

  add_tone (x, ch, 0, rate, 0.0, 3.3037, 997.0, -30.0);
  add_tone (x, ch, 1, rate, 0.0, 3.3037, 4000.0, -36.0);
  add_tone (x, ch, 0, rate, 3.3037, 5.0, 997.0, -12.0);
  add_tone (x, ch, 1, rate, 3.3037, 5.0, 4000.0, -40.0);
  add_tone (x, ch, 0, rate, 5.0, 6.0, 997.0, -60.0);
  add_tone (x, ch, 1, rate, 5.0, 6.0, 4000.0, -60.0);
  for (t = 6.0; t < 10.0; t += 0.5) {
    add_tone (x, ch, 0, rate, t, t + 0.17, 997.0, -15.0);
    add_tone (x, ch, 1, rate, t + 0.05, t + 0.22, 2500.0, -15.0);
    add_tone (x, ch, 0, rate, t + 0.17, t + 0.5, 997.0, -50.0);
    add_tone (x, ch, 1, rate, t + 0.22, t + 0.5, 2500.0, -50.0);
  }
  add_tone (x, ch, 0, rate, 10.0, dur, 997.0, -25.0);
  add_tone (x, ch, 1, rate, 10.0, dur, 150.0, -22.0);

  ref_run (&r, x, frames, ch, rate, w, 0);
  for (pos = 0; pos + hop <= frames; pos += hop) {
    double got[4], want[4];

    mst_loudness_process_f64 (st, x + pos * ch, hop);
    k = (pos + hop) * 100 / rate;       /* complete sub-blocks */
    got[0] = mst_loudness_momentary (st);
    got[1] = mst_loudness_shortterm (st);
    got[2] = mst_loudness_momentary_max (st);
    got[3] = mst_loudness_shortterm_max (st);
    want[0] = to_lu (r.m[k]);
    want[1] = to_lu (r.s[k]);
    want[2] = to_lu (r.mmax[k]);
    want[3] = to_lu (r.smax[k]);
    for (q = 0; q < 4; q++) {
      double d;

      if (isinf (want[q]) || isinf (got[q]))
        d = (isinf (want[q]) && isinf (got[q])) ? 0.0 : INFINITY;
      else
        d = fabs (got[q] - want[q]);
      if (d > worst[q]) {
        worst[q] = d;
        if (d > 1e-6 && !mismatch_ms) {
          mismatch_ms = 1;
          printf ("# first mismatch at %.1f s: %s got %.6f want %.6f\n",
              (double) (pos + hop) / rate, names[q], got[q], want[q]);
        }
      }
    }
  }
  for (q = 0; q < 4; q++)
    MT_CLOSE (worst[q], 0.0, 1e-6, "%u Hz, steps and bursts, read every "
        "100 ms: largest |%s - reference| (LU)", rate, names[q]);
  /* the signal must make the quantities differ, or the test proves
   * nothing: S and M differ by > 3 LU somewhere, max M > max S */
  {
    double sep = 0.0;

    for (k = 300; k <= r.subs; k++)
      if (fabs (to_lu (r.m[k]) - to_lu (r.s[k])) > sep)
        sep = fabs (to_lu (r.m[k]) - to_lu (r.s[k]));
    mt_ok (sep > 3.0 && to_lu (r.mmax[r.subs]) > to_lu (r.smax[r.subs]) + 1.0,
        "%u Hz: the signal separates M from S (max |M - S| %.2f LU)", rate,
        sep);
  }
  MT_CLOSE (mst_loudness_integrated (st), r.integrated, 0.011,
      "%u Hz, steps and bursts: integrated vs reference", rate);
  MT_CLOSE (mst_loudness_range (st), r.lra, 0.011,
      "%u Hz, steps and bursts: LRA vs reference", rate);
  ref_free (&r);
  mst_loudness_free (st);
  free (x);
}

/* ---- 2. LRA percentiles ------------------------------------------------- */

/* A slow level ramp, curved so the short-term values are spread unevenly
 * over 28 LU: their 90th and 95th percentiles are 3 LU apart, so an LRA
 * taken from the wrong upper percentile (90th, 99th) is off by far more
 * than the 0.01 LU bins of the core.  Stereo, 997 Hz in L and noise-free 3 kHz in R. */
static void
test_lra_percentiles (void)
{
  const unsigned rate = 48000, ch = 2;
  const double dur = 90.0;
  const size_t frames = (size_t) (dur * rate);
  const double w[2] = { 1.0, 1.0 };
  double *x = calloc (frames * ch, sizeof *x);
  double *stv;
  MstLoudness *st = mst_loudness_new (rate, ch, 0);
  size_t i, ns = 0, k;
  Ref r;

  for (i = 0; i < frames; i++) {
    double t = (double) i / rate / dur;
    double db = -48.0 + 28.0 * pow (t, 2.5);
    double a = pow (10.0, db / 20.0);

    x[2 * i] = a * sin (2.0 * REF_PI * 997.0 * i / rate);
    x[2 * i + 1] = 0.5 * a * sin (2.0 * REF_PI * 3000.0 * i / rate);
  }
  ref_run (&r, x, frames, ch, rate, w, 0);
  stv = malloc ((r.subs + 1) * sizeof *stv);
  for (k = 300; k <= r.subs; k++)
    if (k % 10 == 0)
      stv[ns++] = r.s[k];
  mt_ok (fabs (ref_lra (stv, ns, 0.10, 0.90) - r.lra) > 1.0
      && fabs (ref_lra (stv, ns, 0.10, 0.99) - r.lra) > 0.5,
      "the ramp separates the percentiles: LRA 10/95 %.3f, 10/90 %.3f, "
      "10/99 %.3f LU", r.lra, ref_lra (stv, ns, 0.10, 0.90),
      ref_lra (stv, ns, 0.10, 0.99));
  mst_loudness_process_f64 (st, x, frames);
  MT_CLOSE (mst_loudness_range (st), r.lra, 0.011,
      "curved 28 LU ramp: LRA (10th-95th percentile, Tech 3342) vs "
      "reference");
  MT_CLOSE (mst_loudness_integrated (st), r.integrated, 0.011,
      "curved 28 LU ramp: integrated vs reference");
  free (stv);
  ref_free (&r);
  mst_loudness_free (st);
  free (x);
}

/* ---- 3. absolute gates, probed at several levels ------------------------ */

/* Two halves of 8 s each, a 1 kHz stereo tone at level a, then at b (dB
 * around the -70 LUFS gate).  The relative gate sits about 10 LU below,
 * so only the absolute gate decides which blocks count: a gate at the
 * wrong level, ">" vs ">=" far from the edge excepted, or no absolute
 * gate at all changes the result by more than 0.1 LU for at least one of
 * the probes. */
static void
test_absolute_gate (void)
{
  static const double probes[][2] = {
    {+0.3, -0.3}, {+0.05, -0.8}, {+1.5, -1.5}, {+0.8, -0.05}, {-0.2, -3.0},
    {+4.0, +0.2}
  };
  const unsigned rate = 48000, ch = 2;
  const double half = 8.0;
  const size_t frames = (size_t) (2 * half * rate);
  const double w[2] = { 1.0, 1.0 };
  double *x = malloc (frames * ch * sizeof *x);
  size_t p;

  for (p = 0; p < sizeof probes / sizeof probes[0]; p++) {
    MstLoudness *st = mst_loudness_new (rate, ch, 0);
    double want_i;
    Ref r;

    memset (x, 0, frames * ch * sizeof *x);
    /* stereo 1 kHz at X dBFS peak reads X + 0.0067 LUFS (BS.1770: two
     * channels of mean square A^2/2 and the K gain at 1 kHz) */
    add_tone (x, ch, 0, rate, 0.0, half, 1000.0, -70.0 + probes[p][0]);
    add_tone (x, ch, 1, rate, 0.0, half, 1000.0, -70.0 + probes[p][0]);
    add_tone (x, ch, 0, rate, half, 2 * half, 1000.0, -70.0 + probes[p][1]);
    add_tone (x, ch, 1, rate, half, 2 * half, 1000.0, -70.0 + probes[p][1]);
    ref_run (&r, x, frames, ch, rate, w, 0);
    want_i = r.integrated;
    mst_loudness_process_f64 (st, x, frames);
    MT_CLOSE (mst_loudness_integrated (st), want_i, 0.005,
        "absolute gate probe: 8 s at -70%+.2f then 8 s at -70%+.2f dBFS: "
        "integrated vs reference", probes[p][0], probes[p][1]);
    ref_free (&r);
    mst_loudness_free (st);
  }

  /* LRA's absolute gate (Tech 3342: short-term values >= -70 LUFS): a ramp
   * from -76 to -60 dBFS; its relative gate (-20 LU) falls below -70, so
   * the 10th percentile is set by the absolute gate alone. */
  {
    const double dur = 40.0;
    const size_t n = (size_t) (dur * rate);
    double *y = calloc (n * ch, sizeof *y);
    MstLoudness *st = mst_loudness_new (rate, ch, 0);
    size_t i;
    Ref r;

    for (i = 0; i < n; i++) {
      double db = -76.0 + 16.0 * (double) i / (double) n;
      double v = pow (10.0, db / 20.0) * sin (2.0 * REF_PI * 1000.0 * i / rate);

      y[2 * i] = y[2 * i + 1] = v;
    }
    ref_run (&r, y, n, ch, rate, w, 0);
    mst_loudness_process_f64 (st, y, n);
    MT_CLOSE (mst_loudness_range (st), r.lra, 0.011,
        "ramp -76 .. -60 dBFS: LRA with its -70 LUFS absolute gate vs "
        "reference");
    MT_CLOSE (mst_loudness_integrated (st), r.integrated, 0.011,
        "ramp -76 .. -60 dBFS: integrated vs reference");
    ref_free (&r);
    mst_loudness_free (st);
    free (y);
  }
  free (x);
}

/* ---- 4. true peak: every interpolation phase ----------------------------- */

/* Tones whose crest falls exactly on one of the 4x points between samples
 * (fs/4 with the crest at 1/4, 2/4, 3/4 of a sample period: any skipped
 * phase under-reads such a tone by 0.69 dB) and tones of other
 * frequencies and phases, 0.5 FS, 20 ms raised-cosine fades.  Expectation:
 * the reference's 4x points (long sinc).  Tolerance 0.005 dB: the core's
 * 16-tap interpolator was measured within 0.0025 dB of the reference on
 * all of these (up to 16 kHz); the comparison is per channel. */
static void
test_true_peak_phases (void)
{
  static const struct
  {
    double freq, phase, tol_db;
  } tones[] = {
    {12000.0, 0.25, 0.005},      /* crest at phase 1 */
    {12000.0, 0.50, 0.005},      /* phase 2 */
    {12000.0, 0.75, 0.005},      /* phase 3 */
    {9600.0, 0.37, 0.005},
    {4000.0, 0.61, 0.005},
    {997.0, 0.13, 0.005},
    {16000.0, 0.25, 0.005},
    {16000.0, 0.62, 0.005},
  };
  const unsigned rate = 48000, ch = 2;
  const size_t frames = rate / 2, fade = rate / 50;
  double *x = malloc (frames * ch * sizeof *x);
  size_t t, i;
  const double w[2] = { 1.0, 1.0 };

  for (t = 0; t < sizeof tones / sizeof tones[0]; t++) {
    MstLoudness *st = mst_loudness_new (rate, ch, MST_LOUDNESS_TRUE_PEAK);
    float *xf = malloc (frames * ch * sizeof *xf);
    unsigned c;
    Ref r;

    for (i = 0; i < frames; i++) {
      double g = 1.0, ph;

      if (i < fade)
        g = 0.5 - 0.5 * cos (REF_PI * i / fade);
      else if (i >= frames - fade)
        g = 0.5 - 0.5 * cos (REF_PI * (frames - 1 - i) / fade);
      /* crest (phase pi/2) at time `phase` samples after sample 0 of
       * every period; R gets the opposite crest position and -6 dB */
      ph = 2.0 * REF_PI * tones[t].freq * ((double) i - tones[t].phase)
          / rate + REF_PI / 2.0;
      x[2 * i] = (float) (0.5 * g * sin (ph));
      ph = 2.0 * REF_PI * tones[t].freq * ((double) i + tones[t].phase)
          / rate + REF_PI / 2.0;
      x[2 * i + 1] = (float) (0.25 * g * sin (ph));
      xf[2 * i] = (float) x[2 * i];
      xf[2 * i + 1] = (float) x[2 * i + 1];
    }
    ref_run (&r, x, frames, ch, rate, w, 1);
    mst_loudness_process_f32 (st, xf, frames);
    for (c = 0; c < ch; c++) {
      double got = 20.0 * log10 (mst_loudness_true_peak (st, c));
      double want = 20.0 * log10 (r.tp[c]);

      MT_CLOSE (got, want, tones[t].tol_db,
          "true peak, %.0f Hz crest %+.2f samples off the grid, ch %u "
          "(dBTP) vs 129-tap reference", tones[t].freq,
          c ? -tones[t].phase : tones[t].phase, c);
    }
    ref_free (&r);
    mst_loudness_free (st);
    free (xf);
  }
  free (x);
}

/* ---- 5. peaks on many channels, after long quiet stretches ------------- */

/* 1, 2, 3, 5 and 8 channels.  Each channel: a tone at its own frequency,
 * -14 dBFS for 1 s, then -30 dBFS, and at 3.2 s plus a few samples a
 * negative-going band-limited pulse (sinc up to 0.2 fs, Kaiser-windowed)
 * whose crest lies between two samples just after the start of a 10 ms
 * chunk, 0.4 dB above the tone's peak (its samples, up to 0.6 dB below
 * the crest, stay under the running peak); in odd channels a burst of
 * fs/4 at 45 degrees instead, whose samples are 3 dB below its crest.  The core may skip stretches that
 * cannot beat the running true peak (the quiet part), so this catches a
 * peak read as max x instead of max |x|, a skip bound that is too low,
 * and an interpolator history not restored after skipped stretches (the
 * pulse's windows reach back into the previous chunk).  Expectation:
 * max |x| exactly; the reference's true peak within 0.005 dB. */
static void
test_peaks_channels (void)
{
  static const unsigned counts[] = { 1, 2, 3, 5, 8 };
  const unsigned rate = 48000;
  const size_t frames = (size_t) (4.0 * rate);
  size_t q;

  for (q = 0; q < sizeof counts / sizeof counts[0]; q++) {
    const unsigned ch = counts[q];
    double *x = calloc (frames * ch, sizeof *x);
    float *xf = malloc (frames * ch * sizeof *xf);
    double w[MAXCH];
    MstLoudness *st = mst_loudness_new (rate, ch, MST_LOUDNESS_TRUE_PEAK);
    Ref r;
    size_t i, pos;
    unsigned c;
    double worst_sp = 0.0, worst_tp = 0.0;

    for (c = 0; c < ch; c++) {
      const double f = 700.0 + 911.0 * c;
      /* crest 3.25, 3.5 or 3.75 samples into the chunk starting at 3.2 s */
      const double t0 = 3.2 * rate + 3.25 + 0.25 * (c % 3);
      const double a = pow (10.0, (-14.0 + 0.4) / 20.0);

      w[c] = 1.0;
      /* -14 dBFS, then -30 dBFS from 1 s, 20 ms raised-cosine fade-in and
       * level change (abrupt steps would ring above the pulse) */
      for (i = 0; i < frames; i++) {
        double t = (double) i / rate, g;

        if (t < 0.02)
          g = 0.5 - 0.5 * cos (REF_PI * t / 0.02);
        else
          g = 1.0;
        if (t >= 1.0)
          g = t >= 1.02 ? pow (10.0, -16.0 / 20.0) : 1.0 + (pow (10.0,
                  -16.0 / 20.0) - 1.0) * (0.5 - 0.5 * cos (REF_PI * (t -
                      1.0) / 0.02));
        x[i * ch + c] = g * pow (10.0, -14.0 / 20.0)
            * sin (2.0 * REF_PI * f * t);
      }
      if (c % 2 == 1) {
        /* odd channels: a 30 ms burst of fs/4 at 45 degrees instead (its
         * samples are 3 dB below its crest), raised-cosine envelope */
        for (i = 0; i < (size_t) (0.03 * rate); i++) {
          double e = 0.5 - 0.5 * cos (2.0 * REF_PI * i / (0.03 * rate));

          x[((size_t) t0 + i) * ch + c] += a * e * sin (REF_PI * i / 2.0
              + REF_PI / 4.0);
        }
        continue;
      }
      for (i = (size_t) t0 - 40; i <= (size_t) t0 + 40; i++) {
        double t = (double) i - t0, u = t / 41.0;
        double win = bessel_i0 (8.0 * sqrt (1.0 - u * u)) / bessel_i0 (8.0);
        double sinc = t == 0.0 ? 1.0 : sin (REF_PI * 0.4 * t) / (REF_PI * 0.4
            * t);

        x[i * ch + c] -= a * sinc * win;
      }
    }
    for (i = 0; i < frames * ch; i++) {
      xf[i] = (float) x[i];
      x[i] = xf[i];
    }
    ref_run (&r, x, frames, ch, rate, w, 1);
    for (pos = 0; pos < frames; pos += 1024) {
      size_t m = frames - pos < 1024 ? frames - pos : 1024;

      mst_loudness_process_f32 (st, xf + pos * ch, m);
    }
    for (c = 0; c < ch; c++) {
      double sp = 0.0, d;

      for (i = 0; i < frames; i++)
        sp = fabs (x[i * ch + c]) > sp ? fabs (x[i * ch + c]) : sp;
      d = fabs (mst_loudness_sample_peak (st, c) - sp);
      worst_sp = d > worst_sp ? d : worst_sp;
      d = fabs (20.0 * log10 (mst_loudness_true_peak (st, c) / r.tp[c]));
      worst_tp = d > worst_tp ? d : worst_tp;
    }
    MT_CLOSE (worst_sp, 0.0, 0.0, "%u channels: largest |sample peak - "
        "max |x||", ch);
    MT_CLOSE (worst_tp, 0.0, 0.005, "%u channels, late pulse after quiet "
        "stretches: largest |true peak - reference| (dB)", ch);
    ref_free (&r);
    mst_loudness_free (st);
    free (x);
    free (xf);
  }
}

/* ---- 6. the slope term of the skip bound, every kernel ----------------- */

/* 1 to 8 channels (every K-filter kernel: the core tracks max |x| and max
 * |x[i] - x[i-1]| of each chunk there, per channel).  Each channel: 0.5 s
 * of 100 Hz at 0.5 (the running true peak), 0.3 s of silence, then 64
 * samples of fs/4 at 45 degrees under a Hann window, peak 0.6 (channel c
 * starts c samples later), in the middle of a 10 ms chunk.  Its samples
 * stay below 0.6 / sqrt 2 = 0.42, under the running peak, so only the
 * chunk's largest step tells the core that its true peak (about 0.6) can
 * be higher: a kernel that loses the step on any lane reads 0.5 there.
 * Expectation: the reference's true peak within 0.005 dB. */
static void
test_slope_bound (void)
{
  const unsigned rate = 48000;
  const size_t frames = (size_t) (1.0 * rate);
  /* 0.8 s = sub-block 80 starts at 38400; the burst starts 200 in */
  const size_t start = (size_t) (0.8 * rate) + 200;
  unsigned ch;

  for (ch = 1; ch <= MAXCH; ch++) {
    double *x = calloc (frames * ch, sizeof *x);
    float *xf = malloc (frames * ch * sizeof *xf);
    double w[MAXCH], worst = 0.0;
    MstLoudness *st = mst_loudness_new (rate, ch, MST_LOUDNESS_TRUE_PEAK);
    Ref r;
    size_t i;
    unsigned c;

    for (c = 0; c < ch; c++) {
      w[c] = 1.0;
      for (i = 0; i < (size_t) (0.5 * rate); i++)
        x[i * ch + c] = 0.5 * sin (2.0 * REF_PI * 100.0 * i / rate);
      for (i = 0; i < 64; i++)
        x[(start + c + i) * ch + c] = 0.6 * (0.5 - 0.5 * cos (2.0 * REF_PI
                * (i + 0.5) / 64.0)) * sin (REF_PI * i / 2.0 + REF_PI / 4.0);
    }
    for (i = 0; i < frames * ch; i++) {
      xf[i] = (float) x[i];
      x[i] = xf[i];
    }
    ref_run (&r, x, frames, ch, rate, w, 1);
    mst_loudness_process_f32 (st, xf, frames);
    for (c = 0; c < ch; c++) {
      double d = fabs (20.0 * log10 (mst_loudness_true_peak (st, c)
              / r.tp[c]));

      worst = d > worst ? d : worst;
    }
    MT_CLOSE (worst, 0.0, 0.005, "%u channels, burst whose samples stay "
        "under the running peak: largest |true peak - reference| (dB)", ch);
    ref_free (&r);
    mst_loudness_free (st);
    free (x);
    free (xf);
  }
}

/* ---- 7. the skip bound where it is tight ------------------------------- */

/* The core skips a chunk whose bound (level + slope terms) cannot beat the
 * running true peak.  The bound is closest to the true peak for a low
 * tone whose crest falls midway between samples: fs/64 and fs/128 with
 * the crest half a sample off, whose samples read cos (pi / P) of it
 * (0.0105 and 0.0026 dB under) while the bound is only 1.10 and 1.05 times
 * it.  Mono: 0.3 s of the same tone at 0.99 with its crests on samples
 * (the running peak), 0.1 s of silence, then the half-sample tone at 1.0
 * with a 20 ms raised-cosine fade-in.  A bound scaled down by 5 % skips
 * the fs/128 chunks, by 9 % the fs/64 ones, and the core then reads their
 * sample peak.  Expectation: the reference's true peak within 0.001 dB
 * (the core's interpolator at these frequencies: measured below). */
static void
test_skip_bound_tight (void)
{
  static const unsigned periods[] = { 64, 128 };
  const unsigned rate = 48000;
  const size_t a = (size_t) (0.3 * rate), gap = rate / 10,
      fade = rate / 50, frames = a + gap + (size_t) (0.3 * rate);
  const double w[1] = { 1.0 };
  size_t q;

  for (q = 0; q < sizeof periods / sizeof periods[0]; q++) {
    const double f = (double) rate / periods[q];
    double *x = calloc (frames, sizeof *x);
    float *xf = malloc (frames * sizeof *xf);
    MstLoudness *st = mst_loudness_new (rate, 1, MST_LOUDNESS_TRUE_PEAK);
    double got, want, sp = 0.0;
    Ref r;
    size_t i, pos;

    for (i = 0; i < a; i++)
      x[i] = 0.99 * sin (2.0 * REF_PI * f * (double) i / rate);
    for (i = a + gap; i < frames; i++) {
      double k = (double) (i - a - gap);
      double g = k < fade ? 0.5 - 0.5 * cos (REF_PI * k / fade) : 1.0;

      x[i] = g * sin (2.0 * REF_PI * f * (k + 0.5) / rate);
    }
    for (i = 0; i < frames; i++) {
      xf[i] = (float) x[i];
      x[i] = xf[i];
      sp = fabs (x[i]) > sp ? fabs (x[i]) : sp;
    }
    ref_run (&r, x, frames, 1, rate, w, 1);
    for (pos = 0; pos < frames; pos += 1024)
      mst_loudness_process_f32 (st, xf + pos, frames - pos < 1024 ?
          frames - pos : 1024);
    got = 20.0 * log10 (mst_loudness_true_peak (st, 0));
    want = 20.0 * log10 (r.tp[0]);
    /* the case must separate: the sample peak is well under the truth */
    mt_ok (want - 20.0 * log10 (sp) > 0.002, "fs/%u: the samples read "
        "%.4f dB under the reference's true peak", periods[q],
        want - 20.0 * log10 (sp));
    MT_CLOSE (got, want, 0.001, "fs/%u, crest half a sample off after a "
        "0.99 tone: true peak (dBTP) vs reference", periods[q]);
    ref_free (&r);
    mst_loudness_free (st);
    free (x);
    free (xf);
  }
}

/* ---- 8. both K-filter kernels of 3 to 8 channels ----------------------- */

/* 3 to 8 channels run in SSE2 groups of two or, where the CPU has AVX2, in
 * 4-lane AVX2 kernels; mst_loudness_set_avx2 (st, 0) forces the SSE2 ones,
 * so both are checked here whatever the machine.  Each channel its own
 * signal (so a lane mixed up, lost or filtered with another's state
 * shows): 0.5 s of a tone at 100 + 97 c Hz, 0.5 FS, then 0.3 s at
 * 1000 + 300 c Hz, -26 dBFS, then the fs/4 burst of test 6 (c samples
 * later per channel), then silence to 1.2 s.  Momentary and short-term
 * loudness every 100 ms and the integrated loudness against the reference
 * (1e-6 LU: same quantities in double precision); every channel's true
 * peak within 0.005 dB. */
static void
test_kernels (void)
{
  const unsigned rate = 48000;
  const size_t frames = (size_t) (1.2 * rate), hop = rate / 10;
  const size_t start = (size_t) (0.8 * rate) + 200;
  unsigned ch;

  for (ch = 3; ch <= MAXCH; ch++) {
    double *x = calloc (frames * ch, sizeof *x);
    double w[MAXCH];
    Ref r;
    size_t i;
    unsigned c;
    int avx2;

    for (c = 0; c < ch; c++) {
      w[c] = 1.0 + 0.1 * c;
      for (i = 0; i < (size_t) (0.5 * rate); i++)
        x[i * ch + c] = 0.5 * sin (2.0 * REF_PI * (100.0 + 97.0 * c) * i
            / rate);
      for (; i < (size_t) (0.8 * rate); i++)
        x[i * ch + c] = 0.05 * sin (2.0 * REF_PI * (1000.0 + 300.0 * c) * i
            / rate);
      for (i = 0; i < 64; i++)
        x[(start + c + i) * ch + c] = 0.6 * (0.5 - 0.5 * cos (2.0 * REF_PI
                * (i + 0.5) / 64.0)) * sin (REF_PI * i / 2.0 + REF_PI / 4.0);
    }
    for (i = 0; i < frames * ch; i++)
      x[i] = (float) x[i];
    ref_run (&r, x, frames, ch, rate, w, 1);
    for (avx2 = 1; avx2 >= 0; avx2--) {
      MstLoudness *st = mst_loudness_new (rate, ch, MST_LOUDNESS_TRUE_PEAK);
      double worst_l = 0.0, worst_tp = 0.0;
      size_t pos;
      int used;

      for (c = 0; c < ch; c++)
        mst_loudness_set_channel_weight (st, c, w[c]);
      used = mst_loudness_set_avx2 (st, avx2);
      mt_ok (avx2 || !used, "%u channels: the SSE2 kernel can be forced", ch);
      for (pos = 0; pos + hop <= frames; pos += hop) {
        size_t k = (pos + hop) * 100 / rate;
        double d;

        mst_loudness_process_f64 (st, x + pos * ch, hop);
        d = fabs (mst_loudness_momentary (st) - to_lu (r.m[k]));
        worst_l = d > worst_l ? d : worst_l;
        d = fabs (mst_loudness_shortterm (st) - to_lu (r.s[k]));
        worst_l = d > worst_l ? d : worst_l;
      }
      for (c = 0; c < ch; c++) {
        double d = fabs (20.0 * log10 (mst_loudness_true_peak (st, c)
                / r.tp[c]));

        worst_tp = d > worst_tp ? d : worst_tp;
      }
      MT_CLOSE (worst_l, 0.0, 1e-6, "%u channels, %s kernel: largest "
          "|momentary or short-term - reference| every 100 ms (LU)", ch,
          used ? "AVX2" : "SSE2");
      MT_CLOSE (mst_loudness_integrated (st), r.integrated, 0.011,
          "%u channels, %s kernel: integrated vs reference", ch,
          used ? "AVX2" : "SSE2");
      MT_CLOSE (worst_tp, 0.0, 0.005, "%u channels, %s kernel: largest "
          "|true peak - reference| (dB)", ch, used ? "AVX2" : "SSE2");
      mst_loudness_free (st);
    }
    ref_free (&r);
    free (x);
  }
}

int
main (void)
{
  test_windows (48000);
  test_windows (44100);
  test_lra_percentiles ();
  test_absolute_gate ();
  test_true_peak_phases ();
  test_peaks_channels ();
  test_slope_bound ();
  test_skip_bound_tight ();
  test_kernels ();
  return mt_done ();
}
