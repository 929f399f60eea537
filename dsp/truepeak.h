/* gst-mastering — true-peak (inter-sample peak) interpolator
 *
 * Polyphase windowed-sinc interpolator shared by the loudness meter's true
 * peak (BS.1770 Annex 2) and the limiter's detector.
 *
 * Filter: sinc with its cut-off at the input Nyquist frequency, Kaiser
 * window (beta 7), MST_TRUE_PEAK_TAPS taps per phase.  Phase 0 is the
 * identity (the input samples themselves), so every reading includes the
 * sample peak and can never be below it.  Measured at 4x/48 kHz:
 * -0.03 dB at 18 kHz, -0.46 dB at 20 kHz, images below -25 dB from 28 kHz
 * (libebur128's 49-tap Hann design: -0.10 / -0.84 dB, -20.7 dB).
 *
 * Plain C99, no GLib.  Channels are independent; input is planar float.
 */
#ifndef MST_TRUEPEAK_H
#define MST_TRUEPEAK_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Taps per polyphase branch.  The interpolated stream lags the input by
 * MST_TRUE_PEAK_TAPS / 2 input samples (see mst_true_peak_latency()). */
#define MST_TRUE_PEAK_TAPS 16
#define MST_TRUE_PEAK_MAX_TAPS 64
#define MST_TRUE_PEAK_MAX_FACTOR 16
#define MST_TRUE_PEAK_MAX_COMPANIONS 2

typedef struct MstTruePeak MstTruePeak;

/* factor: oversampling ratio, 1..MST_TRUE_PEAK_MAX_FACTOR (1 = sample peak).
 * Returns NULL on invalid arguments or allocation failure. */
MstTruePeak *mst_true_peak_new (unsigned channels, unsigned factor);
/* The same with `taps` per phase (a multiple of 8, 8 .. MAX_TAPS) instead
 * of MST_TRUE_PEAK_TAPS: a longer filter is flatter towards Nyquist (the
 * limiter's detector uses 48, see limiter.h); latency taps / 2. */
MstTruePeak *mst_true_peak_new_taps (unsigned channels, unsigned factor,
    unsigned taps);
/* An interpolator with libebur128's filter at `rate` (its factor: 4 below
 * 96 kHz, 2 below 192 kHz, 1 above), for detectors that must bound what
 * that meter reads; latency as any other. */
MstTruePeak *mst_true_peak_new_ebur128 (unsigned channels, unsigned rate);
void mst_true_peak_free (MstTruePeak * tp);
/* Clears the filter history (as if preceded by digital silence). */
void mst_true_peak_reset (MstTruePeak * tp);

/* on != 0 (factor > 2 only): mst_true_peak_process_env () refines every
 * local maximum of the oversampled points to the peak of the parabola
 * through it and its two neighbours, so that a peak between the points
 * is not under-read by the grid (at 4x up to 0.6 dB for content near
 * fs / 2; refined: 0.06 dB at 0.47 fs).  Its skip bound is widened by the
 * grid's largest under-reading, 1 / cos (pi / (2 factor)). */
void mst_true_peak_set_refine (MstTruePeak * tp, int on);
/* k > 0: every value mst_true_peak_process_env () writes carries k times
 * the largest |x[j] - x[j-1]| from the interpolator's reach before the
 * value's block of 128 samples of the channel's stream up to the value's
 * sample (a function of the sample alone, whatever the call sizes): an
 * allowance for meters whose reconstruction departs from the ideal one
 * towards Nyquist.  Such a departure vanishes at DC, so the
 * slope bounds it, and a low tone gets almost none.  0 (the default):
 * none. */
void mst_true_peak_set_slope_allowance (MstTruePeak * tp, double k);
/* Companions (at most MST_TRUE_PEAK_MAX_COMPANIONS, each with no more
 * taps than tp and an even difference): mst_true_peak_process_env ()
 * then writes, per period, the largest of tp's reading (with its
 * refinement and slope allowance) and each companion's reading of the
 * same period, as if the companions ran process_env on the same input
 * and their envelopes, delayed to tp's latency, were merged; but from
 * tp's copy of each stretch, which holds the companions' windows, with a
 * skip test per companion on its window.  As their stretches are tp's
 * rather than their own, where a value is <= floor it may be another
 * value <= floor than the separate runs give (above it, the same).  The
 * companions' filters are read, their state neither read nor changed;
 * they must outlive tp's use.  n = 0 removes them.  Returns 0 (and
 * changes nothing) if one does not fit. */
int mst_true_peak_set_companions (MstTruePeak * tp, MstTruePeak * const *c,
    unsigned n);
/* The guide: the first companion with tp's factor (> 1).  Where the
 * guide's readings bound tp's under the floor (each phase of tp differs
 * from the guide's by at most dc max |x| + k max |x[i] - x[i-1]| over
 * tp's window), process_env skips tp's own readings in sub-stretches of
 * 32 samples.  Returns 0 without a guide; else 1 with dc and k. */
int mst_true_peak_guide_gains (const MstTruePeak * tp, double *dc,
    double *k);
unsigned mst_true_peak_factor (const MstTruePeak * tp);
unsigned mst_true_peak_channels (const MstTruePeak * tp);
/* Delay, in input samples, of the interpolated stream (and of the envelope
 * written by mst_true_peak_process_env()) against the input. */
unsigned mst_true_peak_latency (const MstTruePeak * tp);

/* Upper bound on |interpolated sample| given max|x| (m) and
 * max|x[n] - x[n-1]| (d) over the filter's support: g_level * m + g_diff * d.
 * Both gains are computed from the actual coefficients at creation. */
void mst_true_peak_bound_gains (const MstTruePeak * tp, double *g_level,
    double *g_diff);

/* The largest sum of |taps| over the phases (>= 1): no phase's output
 * changes by more than this times max |change| of its input. */
double mst_true_peak_l1_gain (const MstTruePeak * tp);

/* Stateless exact envelope: env[k] is the largest |value| of the
 * oversampled signal in the period that starts at x[k] (k < n), the
 * same value mst_true_peak_process_env () computes for that period
 * without a floor.  Reads x[k - r + 1 .. k + r], r = the latency
 * (factor 1: x[k] only); the caller provides that history.  The
 * channel state is neither read nor changed. */
void mst_true_peak_env_at (const MstTruePeak * tp, const float *x,
    float *env, size_t n);

/* Feeds n samples of channel ch and returns the largest absolute value of
 * the oversampled signal (all phases, so >= every input sample) whose
 * interpolation windows end in these n samples.
 *
 * floor: a peak already known (e.g. the running maximum).  Stretches whose
 * proven upper bound is <= floor are not interpolated; the returned value
 * is then only guaranteed to be exact when it is > floor.  Pass 0 for an
 * exact result. */
float mst_true_peak_process_max (MstTruePeak * tp, unsigned ch,
    const float *in, size_t n, float floor);

/* Per-sample peak envelope for a limiter detector: env[i] is the largest
 * |value| of the oversampled signal in the input period that starts at
 * input sample (i - latency), i.e. max over the factor points at times
 * i - latency + p / factor, p = 0..factor-1.
 *
 * floor: where the proven bound of a stretch is <= floor, env is filled
 * with that bound instead of the exact envelope (the caller only cares
 * about values above floor, e.g. the limiter threshold).  Pass 0 for exact
 * values everywhere.  in and env may not overlap. */
void mst_true_peak_process_env (MstTruePeak * tp, unsigned ch,
    const float *in, float *env, size_t n, float floor);

#ifdef __cplusplus
}
#endif
#endif /* MST_TRUEPEAK_H */
