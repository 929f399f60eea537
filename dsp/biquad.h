/* gst-mastering — second-order IIR sections: designs and a smoothed,
 * multi-channel cascade processor
 *
 * Designs (mst_biquad_design*): bell (peaking), low shelf, high shelf,
 * high-pass, low-pass, band-pass (0 dB peak), notch and all-pass, from
 * frequency (Hz), gain (dB) and Q, in two flavours:
 *
 *   MST_BIQUAD_MATCHED   the section whose magnitude is closest to the
 *                        analog prototype's in the minimax sense, from DC
 *                        to 0.4 fs: |H(e^jw)|^2 is a ratio of quadratics
 *                        in sin^2 (w/2) (M. Vicanek, "Matched Second
 *                        Order Digital Filters", 2016); for a bound on
 *                        the error, "the section's |H|^2 lies within the
 *                        bound at every grid point and both quadratics
 *                        are non-negative up to Nyquist" is a linear
 *                        feasibility problem, so the least reachable
 *                        bound is found by bisection over small linear
 *                        programs, then the quadratics are factored into
 *                        the minimum-phase section.  Error measure: dB
 *                        where the prototype is above about -20 dB,
 *                        below it the linear difference counted on a unit
 *                        passband (stopbands); above 0.4 fs the section
 *                        may deviate ten times as much.  Kept exactly:
 *                        the DC gain, the high-pass's double zero and
 *                        the band-pass's zero at DC, the notch's zeros on
 *                        the unit circle at f0.  Below 0.002 rad/sample
 *                        (15 Hz at 48 kHz), and wherever it is closer,
 *                        Vicanek's impulse-invariant design (exact
 *                        analog poles, magnitude matched at DC, f0 and
 *                        Nyquist) is used as it is.  Largest deviation
 *                        from the analog response up to 0.4 fs over
 *                        44.1/48/96 kHz, measured by tests/dsp/biquad.c
 *                        (f0 <= fs/8, Q 0.5..2, |gain| <= 12 dB / f0 <=
 *                        fs/8, Q 0.1..10, gain -24..+24 dB / f0 above
 *                        fs/8, bilinear beside it):
 *                          bell        0.065 / 0.111 / 0.215 (10.0)
 *                          shelves     0.078 / 0.53 (Q 10) / 1.01 (23.1)
 *                          high-pass   0.062 / 0.110 / 0.60 (13.1)
 *                          low-pass    0.044 / 0.050 / 0.158 (15.1)
 *                          band-pass   0.005 / 0.027 / 0.007 (10.0)
 *                          notch       0.072 / 0.140 / 0.285 (10.9)
 *                        (band-pass: the two sections of
 *                        mst_biquad_design_slope; one section, as
 *                        mst_biquad_design gives it, 0.130 / 0.130 /
 *                        0.243).  For a 16 kHz bell (+6 dB, Q 1) at
 *                        44.1 kHz: 0.087 dB up to 20 kHz (bilinear:
 *                        4.2 dB).  The others are the limits of one
 *                        section: resonant shelves, very wide bells do
 *                        not fit closer near fs/8.
 *                        Shelves and cuts are designed as the boost and
 *                        inverted, so boost and cut are exact mirror
 *                        images in dB.
 *   MST_BIQUAD_BILINEAR  the bilinear transform, pre-warped at the
 *                        centre/corner frequency (R. Bristow-Johnson's
 *                        "Audio EQ Cookbook" filters).  Low- and high-pass
 *                        sections of the same frequency are exact
 *                        complements (Linkwitz-Riley crossovers sum to an
 *                        all-pass), which the matched design does not
 *                        give.
 *
 * Analog prototypes, s normalised to the frequency f0 (A = 10^(gain/40)):
 *   bell        (s^2 + s A/Q + 1) / (s^2 + s/(A Q) + 1)
 *   low shelf   A (s^2 + s sqrt(A)/Q + A) / (A s^2 + s sqrt(A)/Q + 1)
 *   high shelf  A (A s^2 + s sqrt(A)/Q + 1) / (s^2 + s sqrt(A)/Q + A)
 *   high-pass   s^2 / (s^2 + s/Q + 1)
 *   low-pass    1 / (s^2 + s/Q + 1)
 *   band-pass   (s/Q) / (s^2 + s/Q + 1)
 *   notch       (s^2 + 1) / (s^2 + s/Q + 1)
 *   all-pass    (s^2 - s/Q + 1) / (s^2 + s/Q + 1)
 * Shelves have half their gain (in dB) at f0.
 *
 * High- and low-pass filters of 12, 24 or 48 dB/octave
 * (mst_biquad_design_slope) are Butterworth filters of order 2, 4, 8: a
 * cascade of 1, 2 or 4 sections with the Butterworth Q of each pole pair
 * (12 dB/octave uses the given Q, 0.7071 being Butterworth).
 *
 * The band-pass of mst_biquad_design_slope is two sections: its
 * prototype's skirt falls as 1/f above f0 and is still above -20 dB at
 * 0.4 fs near fs/8, which one section with a zero at DC cannot follow
 * closer than 0.13 dB.  The matched design is then the same minimax fit
 * with |H|^2 a ratio of quartics in sin^2 (w/2) (a fourth-order digital
 * filter fitted to the second-order prototype; zero at DC kept),
 * factored through the quartics' roots into two minimum-phase sections.
 * Where one section is as close (below 0.002 rad/sample, the bilinear
 * design) the second section is the identity, which the processor
 * skips.  A two-section design costs about 3 ms, one section 0.3 ms.
 *
 * Processor (MstBiquad): `channels` independent cascades of up to
 * `sections` sections each, transposed direct form II in double precision
 * (a 20 Hz high-pass at 192 kHz keeps a noise floor below -250 dBFS).
 * New coefficients are reached by linear interpolation of all five
 * coefficients per sample over a ramp (default 10 ms): the interpolated
 * filter stays stable (the stability triangle of (a1, a2) is convex) and
 * parameter changes do not click.  Denormals: state magnitudes below
 * 1e-30 are flushed to 0 at least every 1024 frames, so a filter decaying
 * into silence reaches exact zeros instead of crawling through denormal
 * numbers.  Non-finite state (after non-finite input) is cleared at the
 * same points, so the cascade recovers; callers that must never output
 * NaN replace non-finite input first.
 *
 * Plain C99.
 */
#ifndef MST_BIQUAD_H
#define MST_BIQUAD_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum
{
  MST_BIQUAD_BELL = 0,
  MST_BIQUAD_LOW_SHELF,
  MST_BIQUAD_HIGH_SHELF,
  MST_BIQUAD_HIGH_PASS,
  MST_BIQUAD_LOW_PASS,
  MST_BIQUAD_BAND_PASS,
  MST_BIQUAD_NOTCH,
  MST_BIQUAD_ALL_PASS
} MstBiquadType;

typedef enum
{
  MST_BIQUAD_MATCHED = 0,
  MST_BIQUAD_BILINEAR
} MstBiquadDesign;

/* y[n] = b0 x[n] + b1 x[n-1] + b2 x[n-2] - a1 y[n-1] - a2 y[n-2] */
typedef struct
{
  double b0, b1, b2, a1, a2;
} MstBiquadCoefs;

/* Ranges the designs clamp to (NaN gives the default in brackets). */
#define MST_BIQUAD_MIN_FREQ 1.0 /* Hz [1000] */
#define MST_BIQUAD_MAX_FREQ_RATIO 0.49  /* of the rate */
#define MST_BIQUAD_MIN_Q 0.025  /* [0.7071] */
#define MST_BIQUAD_MAX_Q 100.0
#define MST_BIQUAD_MIN_GAIN_DB -60.0    /* [0] */
#define MST_BIQUAD_MAX_GAIN_DB 60.0
/* Most sections one design produces (48 dB/octave). */
#define MST_BIQUAD_MAX_SLOPE_SECTIONS 4
#define MST_BIQUAD_MAX_SECTIONS 64

/* The identity section (b0 = 1, everything else 0). */
void mst_biquad_identity (MstBiquadCoefs * c);

/* One section.  rate in Hz (MST_RATE_MIN..MST_RATE_MAX), freq in Hz,
 * gain_db for bell and shelves (ignored otherwise), q > 0. */
void mst_biquad_design (MstBiquadCoefs * c, MstBiquadType type,
    MstBiquadDesign design, double rate, double freq, double gain_db,
    double q);

/* Number of sections for a type and slope: 2 for band-pass, 1 for every
 * other type but high- and low-pass, which take slope_db / 12 sections
 * (slope 12, 24 or 48; other values are rounded to the nearest of
 * those). */
unsigned mst_biquad_slope_sections (MstBiquadType type, unsigned slope_db);

/* A whole filter: writes mst_biquad_slope_sections (type, slope_db)
 * sections to c[] (room for MST_BIQUAD_MAX_SLOPE_SECTIONS) and returns
 * their number. */
unsigned mst_biquad_design_slope (MstBiquadCoefs * c, MstBiquadType type,
    MstBiquadDesign design, double rate, double freq, double gain_db,
    double q, unsigned slope_db);

/* Complex response of a section at frequency f (Hz): magnitude (linear)
 * and phase (rad).  For tests and plots. */
void mst_biquad_response (const MstBiquadCoefs * c, double rate, double f,
    double *mag, double *phase);

typedef struct MstBiquad MstBiquad;

/* channels 1..MST_MAX_CHANNELS, sections 1..MST_BIQUAD_MAX_SECTIONS per
 * channel, rate in Hz (for the ramp time).  Every section starts as the
 * identity.  NULL on invalid arguments or allocation failure. */
MstBiquad *mst_biquad_new (unsigned rate, unsigned channels,
    unsigned sections);
void mst_biquad_free (MstBiquad * bq);
/* Clears the filter state; a pending coefficient ramp jumps to its end. */
void mst_biquad_reset (MstBiquad * bq);
unsigned mst_biquad_channels (const MstBiquad * bq);
unsigned mst_biquad_sections (const MstBiquad * bq);

/* Length of the coefficient ramp for later changes, ms (0 = immediate;
 * clamped to 0..1000). */
void mst_biquad_set_ramp (MstBiquad * bq, double ramp_ms);
/* New coefficients for one section of one channel.  They are reached
 * over the ramp that starts with the next processed frame; a change
 * while a ramp runs starts a new ramp from the current (interpolated)
 * coefficients.  Several set calls between two process calls form one
 * ramp.  Coefficients with a non-finite value or unstable poles are
 * ignored (returns 0; 1 when accepted). */
int mst_biquad_set (MstBiquad * bq, unsigned channel, unsigned section,
    const MstBiquadCoefs * c);
/* As mst_biquad_set, applied at once without a ramp (the state is kept). */
int mst_biquad_set_now (MstBiquad * bq, unsigned channel, unsigned section,
    const MstBiquadCoefs * c);

/* 1 when processing would return the input unchanged: every section the
 * identity, no state, no ramp pending. */
int mst_biquad_is_identity (MstBiquad * bq);

/* Interleaved frames of `channels` samples; in == out allowed (in place),
 * otherwise no overlap. */
void mst_biquad_process_f32 (MstBiquad * bq, const float *in, float *out,
    size_t n_frames);
void mst_biquad_process_f64 (MstBiquad * bq, const double *in, double *out,
    size_t n_frames);
/* Planar: in[c], out[c] for each channel c; in[c] == out[c] allowed. */
void mst_biquad_process_planar_f32 (MstBiquad * bq, const float *const *in,
    float *const *out, size_t n_frames);
void mst_biquad_process_planar_f64 (MstBiquad * bq, const double *const *in,
    double *const *out, size_t n_frames);

#ifdef __cplusplus
}
#endif
#endif /* MST_BIQUAD_H */
