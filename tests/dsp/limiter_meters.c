/* gst-mastering — the limiter's ceiling on every common true-peak meter
 *
 * A delivery check measures the true peak with its own meter, so the
 * limiter's output is judged here by four meters, none of which is the
 * limiter's detector:
 *   ideal    the band-limited reconstruction (Whittaker-Shannon, exact sinc
 *            interpolation by FFT zero-padding, 16x and refined;
 *            tests/common/refpeak.c);
 *   ebur128  libebur128's ebur128_true_peak (4x below 96 kHz, 2x below
 *            192 kHz; its 49-tap Hann-windowed sinc);
 *   ffmpeg   `ffmpeg -af ebur128=peak=true` (libswresample to 192 kHz),
 *            read at the 0.1 dB it prints;
 *   meter    the project's loudness meter (BS.1770-4 Annex 2, 4x).
 * Bounds (what a delivery check accepts): ideal <= ceiling + 0.1 dB,
 * ebur128 <= ceiling + 0.05 dB (its filter leaks images near Nyquist),
 * ffmpeg prints the ceiling or less, meter <= ceiling.
 *
 * Signals, each pushed 6 and 12 dB into the limiter: clipped full-band
 * noise, square and sawtooth waves, wide-band noise bursts alternating
 * between channels, fs/4 at 45 degrees (+3 dB between samples), a
 * near-Nyquist pattern whose phase flips every four samples, the demo mix
 * (tools/demomix.c) and a music-like mix (pink noise, bass and chords with
 * a level envelope); at 44.1, 48 and 96 kHz, mono, stereo and 5.1 (taken
 * in turn), oversampling 4 (the default) and 8.
 *
 * MST_LIMITER_METERS_REPORT=1 in the environment prints every reading;
 * MST_LIMITER_METERS_KINDS=037 runs only those signals (their indices)
 * and skips the other checks, MST_LIMITER_METERS_KINDS=w only the long
 * white noise (for experiments).
 *
 * Every case runs with the defaults (the band limit on), all four bounds
 * above as hard checks.  Measured worst: meter -1.009, libebur128 -1.004,
 * ideal -1.009 dBTP, ffmpeg -1.0; on the long white noise (below) ideal
 * about -1.07, ffmpeg -1.0 (with a flat 0.06 dB allowance instead of
 * limiter.c's slope allowance it printed -0.9 at 44.1 kHz).
 *
 * With the band limit switched off (mst_limiter_set_band_limit (lim, 0)),
 * clipped noise, bursts and the music-like mix only (ffmpeg at 48 kHz
 * only), with the known failures as TODO: worst ideal +0.40 dBTP (clipped
 * noise), ffmpeg -0.9, libebur128 -1.004 (the detector replicates its
 * interpolator; -0.84 before), meter -1.004.  So that these cannot get
 * worse unnoticed, hard checks hold them to ideal <= ceiling + 1.45 dB,
 * ffmpeg <= ceiling + 0.1 dB, libebur128 <= ceiling + 0.2 dB.  The
 * optional output correction stage (mst_limiter_set_correction) has a
 * check of its own below (band limit off).
 */
#include <ebur128.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/limiter.h"
#include "dsp/loudness.h"
#include "mtest.h"
#include "refpeak.h"
#include "signals.h"
#include "tools/demomix.h"

#define CEILING_DB -1.0
#define N_SIGNALS 8

static const char *signal_names[N_SIGNALS] = {
  "clipped noise", "square", "saw", "L/R bursts", "fs/4 at 45 deg",
  "near-Nyquist flips", "demo mix", "music-like"
};

static MtsRng rng;
static uint64_t last_corrections;       /* of the last limit () */

/* A known failure: "not ok ... # TODO" when cond is false (TAP: does not
 * fail the run), a plain "ok" when it holds. */
static void
todo_ok (int cond, const char *what, double got, double bound)
{
  mt_count_++;
  printf ("%sok %d - %s: %.3f dBTP <= %.3f%s\n", cond ? "" : "not ",
      mt_count_, what, got, bound, cond ? "" : " # TODO not met yet "
      "(see the top)");
}

/* Hard check of a regression bound (see the top). */
static void
bound_ok (int cond, const char *what, double got, double bound)
{
  mt_ok (cond, "%s: %.3f dBTP <= %.3f (regression bound)", what, got, bound);
}

/* n frames of signal `kind` at about 0 dBFS peak, C channels. */
static void
make_signal (int kind, double *x, size_t n, unsigned C, unsigned rate)
{
  size_t i;
  unsigned c;
  const double pi = 3.14159265358979323846;

  if (kind == 6) {
    /* the demo mix from its loud chorus (26 s in), stereo; further
     * channels get the mean of the two */
    MstDemoMix *mix = mst_demomix_new (rate);
    float *buf = malloc (sizeof (float) * 2 * 4096);
    size_t skip = (size_t) (26.0 * rate), done = 0;

    while (skip > 0) {
      size_t m = skip < 4096 ? skip : 4096;

      mst_demomix_render_f32 (mix, buf, m);
      skip -= m;
    }
    while (done < n) {
      size_t m = n - done < 4096 ? n - done : 4096, j;

      m = mst_demomix_render_f32 (mix, buf, m);
      for (j = 0; j < m; j++)
        for (c = 0; c < C; c++)
          x[(done + j) * C + c] = c < 2 ? buf[2 * j + c]
              : 0.5 * (buf[2 * j] + buf[2 * j + 1]);
      done += m;
    }
    mst_demomix_free (mix);
    free (buf);
    return;
  }

  for (c = 0; c < C; c++) {
    double p1 = 0, p2 = 0, p3 = 0, b0 = 0, b1 = 0, b2 = 0;

    for (i = 0; i < n; i++) {
      double t = (double) i / rate, v = 0.0;

      switch (kind) {
        case 0:                /* Gaussian noise 6 dB over full scale,
                                 * clipped */
          v = 2.0 * mts_rng_gauss (&rng);
          v = v > 1.0 ? 1.0 : (v < -1.0 ? -1.0 : v);
          break;
        case 1:                /* naive square, 997 Hz (+ channel offset) */
          v = sin (2 * pi * (997.0 + 31.0 * c) * t) >= 0 ? 0.95 : -0.95;
          break;
        case 2:                /* naive sawtooth, 441 Hz */
          v = 0.95 * (2.0 * fmod (t * (441.0 + 17.0 * c), 1.0) - 1.0);
          break;
        case 3:                /* 40 ms wide-band bursts, one channel at a
                                 * time (mono: bursts and gaps) */
          v = (((size_t) (t / 0.04)) % (C > 1 ? C : 2) == c)
              ? 0.9 * mts_rng_uniform (&rng) : 0.0;
          break;
        case 4:                /* fs/4 at 45 degrees: samples at 0.707 of
                                 * the peak */
          v = 0.9 * sin (pi / 2 * (double) i + pi / 4 + c * 0.1);
          break;
        case 5:                /* alternating signs, the phase flipping every
                                 * 4 samples: components at fs/8, 3 fs/8 */
          v = 0.7 * ((i & 1) ? -1.0 : 1.0) * (((i >> 2) & 1) ? -1.0 : 1.0);
          break;
        default:               /* music-like: pink noise, bass, chords, a
                                 * 2 Hz level envelope, soft clipping */
          {
            double w = mts_rng_uniform (&rng);

            b0 = 0.99765 * b0 + w * 0.0990460;
            b1 = 0.96300 * b1 + w * 0.2965164;
            b2 = 0.57000 * b2 + w * 1.0526913;
            p1 += 2 * pi * 55.0 / rate;
            p2 += 2 * pi * 440.0 / rate;
            p3 += 2 * pi * (554.37 + 2.0 * c) / rate;
            v = 0.5 * (b0 + b1 + b2 + w * 0.1848) + 0.5 * sin (p1)
                + 0.2 * sin (p2) + 0.2 * sin (p3);
            v *= 0.6 + 0.4 * sin (2 * pi * 2.0 * t);
            v = tanh (1.5 * v);
          }
          break;
      }
      x[i * C + c] = v;
    }
  }
}

/* 5 ms raised-cosine fade in and out: a file starts and ends in silence
 * (an abrupt start would make every judge read its own edge ringing, the
 * ffmpeg resampler's start-up most of all, 0.6 dB over the ideal on an
 * fs/4 tone). */
static void
fade (double *x, size_t n, unsigned C, unsigned rate)
{
  size_t F = (size_t) (0.005 * rate), i;
  unsigned c;

  for (i = 0; i < F && i < n / 2; i++) {
    double w = 0.5 - 0.5 * cos (3.14159265358979323846 * (double) i / F);

    for (c = 0; c < C; c++) {
      x[i * C + c] *= w;
      x[(n - 1 - i) * C + c] *= w;
    }
  }
}

typedef struct
{
  double ideal, ebur, ffmpeg, meter;    /* dB */
  int have_ffmpeg;
} Readings;

static int skip_ffmpeg;         /* judge () leaves ffmpeg out */

static void
judge (const double *y, size_t n, unsigned C, unsigned rate, Readings * r)
{
  ebur128_state *eb = ebur128_init (C, rate, EBUR128_MODE_TRUE_PEAK);
  MstLoudness *me = mst_loudness_new (rate, C, MST_LOUDNESS_TRUE_PEAK);
  double pe = 0.0, pm = 0.0, v;
  unsigned c;

  ebur128_add_frames_double (eb, y, n);
  mst_loudness_process_f64 (me, y, n);
  for (c = 0; c < C; c++) {
    ebur128_true_peak (eb, c, &v);
    pe = v > pe ? v : pe;
    v = mst_loudness_true_peak (me, c);
    pm = v > pm ? v : pm;
  }
  r->ebur = 20.0 * log10 (pe);
  r->meter = 20.0 * log10 (pm);
  r->ideal = 20.0 * log10 (mtr_ideal_peak (y, n, C));
  r->have_ffmpeg = !skip_ffmpeg && mtr_ffmpeg_peak (y, n, C, rate,
      &r->ffmpeg);
  ebur128_destroy (&eb);
  mst_loudness_free (me);
}

/* Limits x (n frames) with input gain gain_db; returns the n output frames
 * that belong to the input (the latency flushed with silence). */
static int use_correction;      /* mst_limiter_set_correction for limit () */
static int use_band_limit = -1; /* mst_limiter_set_band_limit for limit ()
                                 * (-1: the default, not set) */

static double *
limit (const double *x, size_t n, unsigned C, unsigned rate,
    unsigned factor, double gain_db, int use_f32, uint64_t * clips)
{
  MstLimiter *lim = mst_limiter_new (rate, C, factor, 5.0);
  size_t L, total, i;
  double *y = malloc (sizeof (double) * n * C);

  mst_limiter_set_correction (lim, use_correction);
  if (use_band_limit >= 0)
    mst_limiter_set_band_limit (lim, use_band_limit);
  L = mst_limiter_latency (lim);
  total = n + L;
  mst_limiter_set_ceiling (lim, CEILING_DB);
  mst_limiter_set_input_gain (lim, gain_db);
  if (use_f32) {
    float *in = calloc (total * C, sizeof (float));
    float *out = malloc (sizeof (float) * total * C);

    for (i = 0; i < n * C; i++)
      in[i] = (float) x[i];
    mst_limiter_process_f32 (lim, in, out, total);
    for (i = 0; i < n * C; i++)
      y[i] = out[L * C + i];
    free (in);
    free (out);
  } else {
    double *in = calloc (total * C, sizeof (double));
    double *out = malloc (sizeof (double) * total * C);

    memcpy (in, x, sizeof (double) * n * C);
    mst_limiter_process_f64 (lim, in, out, total);
    memcpy (y, out + L * C, sizeof (double) * n * C);
    free (in);
    free (out);
  }
  *clips = mst_limiter_safety_clips (lim);
  last_corrections = mst_limiter_corrections (lim);
  mst_limiter_free (lim);
  return y;
}

/* The judges themselves, on signals whose true peak is known analytically:
 * a faded sine of peak 0.5 (-6.021 dB) at 997 Hz and at fs/4 with its
 * samples at 45 degrees (sample peak 0.354, true peak 0.5), and at 21 kHz
 * (48 kHz: 0.4375 fs). */
static void
check_judges (void)
{
  static const double freqs[] = { 997.0, 12000.0, 21000.0 };
  const unsigned rate = 48000;
  const size_t n = 12000;
  double *x = malloc (sizeof (double) * n), f;
  size_t i, k;

  for (k = 0; k < 3; k++) {
    for (i = 0; i < n; i++)
      x[i] = 0.5 * sin (2.0 * 3.14159265358979323846 * freqs[k] * i / rate
          + 3.14159265358979323846 / 4);
    fade (x, n, 1, rate);
    MT_CLOSE (20.0 * log10 (mtr_ideal_peak (x, n, 1)), -6.0206, 0.002,
        "judge: ideal reading of a %.0f Hz sine of peak 0.5", freqs[k]);
    if (mtr_ffmpeg_peak (x, n, 1, rate, &f))
      MT_CLOSE (f, -6.0, 0.1 + 1e-9, "judge: ffmpeg reading of a %.0f Hz "
          "sine of peak 0.5", freqs[k]);
    else
      mt_ok (1, "# SKIP ffmpeg not available");
  }
  free (x);
}

/* The output correction stage (mst_limiter_set_correction) on the signals
 * whose ideal reading is the worst without it (clipped noise, bursts),
 * judged by the ideal reconstruction alone: each case with and without
 * the stage on the same input (a seed of its own).  Measured worst:
 * +0.56 dBTP without, +0.31 with (on the main set below: +0.40 -> +0.17);
 * the stage must keep its worst at or below ceiling + 1.35 dB
 * and at least 0.15 dB below the worst without it, and report that it
 * acted; its latency is the plain one plus its own. */
static void
check_correction (void)
{
  static const unsigned rates[] = { 44100, 48000, 96000 };
  static const unsigned layouts[] = { 1, 2, 6 };
  static const int kinds[] = { 0, 3 };
  double worst[2] = { -HUGE_VAL, -HUGE_VAL };
  uint64_t acted = 0;
  int run = 0;
  size_t ki, ri, fi, gi;

  mts_rng_seed (&rng, 11);
  use_band_limit = 0;
  for (ki = 0; ki < 2; ki++)
    for (ri = 0; ri < 3; ri++)
      for (fi = 0; fi < 2; fi++)
        for (gi = 0; gi < 2; gi++, run++) {
          const unsigned rate = rates[ri], C = layouts[run % 3];
          const size_t n = (size_t) (0.2 * rate);
          double *x = malloc (sizeof (double) * n * C), *y;
          uint64_t clips;
          int on;

          make_signal (kinds[ki], x, n, C, rate);
          fade (x, n, C, rate);
          for (on = 0; on < 2; on++) {
            use_correction = on;
            y = limit (x, n, C, rate, fi ? 8 : 4, gi ? 12.0 : 6.0, run % 2,
                &clips);
            worst[on] = fmax (worst[on], 20.0 * log10 (mtr_ideal_peak (y,
                        n, C)));
            acted += on ? last_corrections : 0;
            free (y);
          }
          free (x);
        }
  use_correction = 0;
  use_band_limit = -1;
  printf ("# correction stage: worst ideal reading %+.3f dBTP without, "
      "%+.3f with\n", worst[0], worst[1]);
  mt_ok (acted > 0, "correction stage acted (%llu frames)",
      (unsigned long long) acted);
  mt_ok (worst[1] <= CEILING_DB + 1.35, "correction stage: worst ideal "
      "%.3f dBTP <= %.3f", worst[1], CEILING_DB + 1.35);
  mt_ok (worst[1] <= worst[0] - 0.15, "correction stage lowers the worst "
      "ideal reading by >= 0.15 dB (%.3f -> %.3f)", worst[0], worst[1]);
  {
    MstLimiter *lim = mst_limiter_new (48000, 2, 4, 5.0);
    unsigned l0 = mst_limiter_latency (lim), l1;

    mst_limiter_set_correction (lim, 1);
    l1 = mst_limiter_latency (lim);
    /* 2 A + H + the 64-tap interpolator's delay, A = 1 ms, H = 32 */
    mt_ok (l1 == l0 + 96 + 32 + 32, "correction latency %u = %u + 160",
        l1, l0);
    mst_limiter_free (lim);
  }
}

/* Long full-band white noise: uniform, unclipped, peak 0.95, 20 s, 12 dB
 * into the limiter, at 44.1 and 48 kHz, mono and stereo, 4x.  The
 * 0.2 s signals above hold few of the rare, densest peaks of noise whose
 * spectrum reaches the band limit's cut-off; over 20 s they are many,
 * and that is where a practical resampler (ffmpeg's) reads furthest over
 * the ideal reconstruction (measured: up to 0.1 dB), so the limiter must
 * keep its margin for it (limiter.c, BL_RESAMPLER).  All four judges,
 * strict. */
static void
check_long_noise (int report)
{
  static const unsigned rates[] = { 44100, 48000 };
  static const double gains[] = { 12.0 };
  size_t ri, gi, i;
  unsigned C;

  for (ri = 0; ri < 2; ri++)
    for (C = 1; C <= 2; C++)
      for (gi = 0; gi < 1; gi++) {
        const unsigned rate = rates[ri];
        const size_t n = (size_t) (20.0 * rate);
        double *x = malloc (sizeof (double) * n * C), *y;
        uint64_t clips;
        Readings r;
        char what[120];

        for (i = 0; i < n * C; i++)
          x[i] = 0.95 * mts_rng_uniform (&rng);   /* [-1, 1) */
        fade (x, n, C, rate);
        y = limit (x, n, C, rate, 4, gains[gi], (int) (gi + C) % 2, &clips);
        judge (y, n, C, rate, &r);
        snprintf (what, sizeof what, "white noise 20 s, %u Hz, %u ch, 4x, "
            "+%.0f dB", rate, C, gains[gi]);
        if (report)
          printf ("# %-62s ideal %+.3f ebur128 %+.3f ffmpeg %+.1f meter "
              "%+.4f\n", what, r.ideal, r.ebur,
              r.have_ffmpeg ? r.ffmpeg : NAN, r.meter);
        mt_ok (r.meter <= CEILING_DB + 1e-4, "%s: meter %.4f dBTP <= "
            "ceiling", what, r.meter);
        mt_ok (r.ebur <= CEILING_DB + 0.05, "%s: libebur128 %.3f dBTP <= "
            "%.3f", what, r.ebur, CEILING_DB + 0.05);
        if (r.have_ffmpeg)
          mt_ok (r.ffmpeg <= CEILING_DB + 1e-9, "%s: ffmpeg (printed) %.1f "
              "dBTP <= %.1f", what, r.ffmpeg, CEILING_DB);
        else
          mt_ok (1, "# SKIP %s: ffmpeg not available", what);
        mt_ok (r.ideal <= CEILING_DB + 0.1, "%s: ideal reconstruction %.3f "
            "dBTP <= %.3f", what, r.ideal, CEILING_DB + 0.1);
        free (x);
        free (y);
      }
}

int
main (void)
{
  static const unsigned rates[] = { 44100, 48000, 96000 };
  static const unsigned layouts[] = { 1, 2, 6 };
  static const unsigned factors[] = { 4, 8 };
  static const double gains[] = { 6.0, 12.0 };
  const int report = getenv ("MST_LIMITER_METERS_REPORT") != NULL;
  int kind, pass;
  size_t ri, fi, gi;

  const char *only = getenv ("MST_LIMITER_METERS_KINDS");

  if (only && strchr (only, 'w')) {
    /* the long white noise alone */
    mts_rng_seed (&rng, 11);
    check_long_noise (report);
    return mt_done ();
  }
  if (!only) {
    check_judges ();
    check_correction ();
    mts_rng_seed (&rng, 11);
    check_long_noise (report);
  }
  {
    MstLimiter *lim = mst_limiter_new (48000, 2, 4, 5.0);

    mt_ok (mst_limiter_band_limit (lim) == 1, "the band limit is on by "
        "default");
    mst_limiter_free (lim);
  }
  /* first the defaults (band limit on), strict; then the band limit off */
  for (pass = 0; pass < 2; pass++) {
    double worst[4] = { -HUGE_VAL, -HUGE_VAL, -HUGE_VAL, -HUGE_VAL };
    const int strict = pass == 0;
    int run = 0;

    use_band_limit = strict ? -1 : 0;

    mts_rng_seed (&rng, 7);
    for (kind = 0; kind < N_SIGNALS; kind++)
      for (ri = 0; ri < 3; ri++)
        for (fi = 0; fi < 2; fi++)
          for (gi = 0; gi < 2; gi++, run++) {
            const unsigned rate = rates[ri], C = layouts[run % 3];
            const size_t n = (size_t) (0.2 * rate);
            double *x = malloc (sizeof (double) * n * C), *y;
            uint64_t clips;
            Readings r;
            char what[160], w2[200];

            make_signal (kind, x, n, C, rate);
            /* without the band limit: the regression bounds on the
             * hardest signals only */
            if ((only && !strchr (only, '0' + kind)) || (!strict
                    && kind != 0 && kind != 3 && kind != 7)) {
              free (x);
              continue;
            }
            fade (x, n, C, rate);
            y = limit (x, n, C, rate, factors[fi], gains[gi], run % 2,
                &clips);
            /* an ffmpeg process per case is most of the time: without the
             * band limit, at 48 kHz only */
            skip_ffmpeg = !strict && rate != 48000;
            judge (y, n, C, rate, &r);
            snprintf (what, sizeof what, "%s, %u Hz, %u ch, %ux, +%.0f dB%s",
                signal_names[kind], rate, C, factors[fi], gains[gi],
                strict ? "" : ", band limit off");
            if (report)
              printf ("# %-62s ideal %+.3f ebur128 %+.3f ffmpeg %+.1f meter "
                  "%+.4f clips %llu\n", what, r.ideal, r.ebur,
                  r.have_ffmpeg ? r.ffmpeg : NAN, r.meter,
                  (unsigned long long) clips);
            worst[0] = fmax (worst[0], r.meter);
            worst[1] = fmax (worst[1], r.ebur);
            worst[2] = fmax (worst[2], r.have_ffmpeg ? r.ffmpeg : -HUGE_VAL);
            worst[3] = fmax (worst[3], r.ideal);
            mt_ok (r.meter <= CEILING_DB + 1e-4, "%s: meter %.4f dBTP <= "
                "ceiling", what, r.meter);
            snprintf (w2, sizeof w2, "%s: libebur128", what);
            if (strict) {
              mt_ok (r.ebur <= CEILING_DB + 0.05, "%s: %.3f dBTP <= %.3f",
                  w2, r.ebur, CEILING_DB + 0.05);
            } else {
              bound_ok (r.ebur <= CEILING_DB + 0.2, w2, r.ebur,
                  CEILING_DB + 0.2);
              todo_ok (r.ebur <= CEILING_DB + 0.05, w2, r.ebur,
                  CEILING_DB + 0.05);
            }
            snprintf (w2, sizeof w2, "%s: ffmpeg (printed)", what);
            if (r.have_ffmpeg && strict) {
              mt_ok (r.ffmpeg <= CEILING_DB + 1e-9, "%s: %.1f dBTP <= %.1f",
                  w2, r.ffmpeg, CEILING_DB);
            } else if (r.have_ffmpeg) {
              bound_ok (r.ffmpeg <= CEILING_DB + 0.1 + 1e-9, w2, r.ffmpeg,
                  CEILING_DB + 0.1);
              todo_ok (r.ffmpeg <= CEILING_DB + 1e-9, w2, r.ffmpeg,
                  CEILING_DB);
            } else {
              mt_ok (1, "# SKIP %s: ffmpeg %s", what, skip_ffmpeg
                  ? "at 48 kHz only" : "not available");
            }
            snprintf (w2, sizeof w2, "%s: ideal reconstruction", what);
            if (strict) {
              mt_ok (r.ideal <= CEILING_DB + 0.1, "%s: %.3f dBTP <= %.3f",
                  w2, r.ideal, CEILING_DB + 0.1);
            } else {
              bound_ok (r.ideal <= CEILING_DB + 1.45, w2, r.ideal,
                  CEILING_DB + 1.45);
              todo_ok (r.ideal <= CEILING_DB + 0.1, w2, r.ideal,
                  CEILING_DB + 0.1);
            }
            free (x);
            free (y);
          }
    printf ("# worst%s: meter %+.4f, libebur128 %+.3f, ffmpeg %+.1f, ideal "
        "%+.3f dBTP (ceiling %.1f)\n", strict ? " (defaults)"
        : " (band limit off)", worst[0], worst[1], worst[2], worst[3],
        CEILING_DB);
  }
  return mt_done ();
}
