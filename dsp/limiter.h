/* gst-mastering — look-ahead true-peak limiter core
 *
 * Keeps the true peak of the output at or below a ceiling:
 *
 *   input gain -> delay line ---------------------------> x gain -> clamp
 *              \-> true-peak envelope -> gain computer ---^
 *
 * The detector's envelope is, per input sample, the largest of three
 * oversampled readings (dsp/truepeak.h): the project's meter's
 * interpolator (16 taps per phase, the oversampling factor: what the
 * loudness meter reads, with its ripple and images), libebur128's (its
 * 49-tap Hann-windowed sinc at its own factor, 4x below 96 kHz, 2x below
 * 192 kHz: what that meter reads, images included) and a longer one
 * (MST_LIMITER_DETECTOR_TAPS = 48 taps per phase) whose pass band reaches
 * further towards Nyquist.
 *
 * Band limit (mst_limiter_set_band_limit, on by default): content
 * between about 0.45 fs and Nyquist (what clipping puts there) is read
 * differently by every reconstruction and under-read by every short one,
 * so no detector bounds them all.  With the band limit on, a linear-phase
 * low-pass (81-tap Kaiser-windowed sinc, -6 dB at 0.465 fs; measured
 * -0.0007 dB at 0.40 fs, -0.03 dB at 0.44 fs, -68 dB at 0.495 fs) gives
 * L, the audio the limiter works on, and the 48-tap detector's local
 * maxima are refined by a parabola (the 4x grid under-reads a peak
 * between its points by up to 0.5 dB near 0.45 fs).  Where x, the input,
 * reads under the threshold on all three interpolators, with a
 * look-ahead like the gain's (a sliding minimum and a ramp over the same
 * blocks), the output is x, bit-exact; elsewhere it is L, faded in over
 * the ramp and wherever the gain is below 0.98.  x is not run through a
 * detector of its own: as the interpolators are linear, each reads x at
 * most its reading of L plus the sum of its |taps| (about 2) times
 * max |x - L| over its reach, and x - L (what lies above ~0.45 fs) is
 * small on programme material; only where that bound is not enough and L
 * reads under the threshold (where it reads over, the gain is below 1
 * and the output is not x anyway) are x's readings computed.
 *
 * Worst readings of the output, on clipped full-band noise, wide-band
 * bursts, square/saw waves, fs/4 and near-Nyquist patterns, the
 * demo mix and music-like material pushed 6 and 12 dB into a -1 dBTP
 * ceiling at 44.1/48/96 kHz, 4x and 8x (tests/dsp/limiter_meters.c):
 *
 *                          band limit off   band limit on (default)
 *   the project's meter       -1.004          -1.011
 *   libebur128                -1.004          -1.004
 *   ffmpeg ebur128 (printed)  -0.9            -1.0
 *   ideal reconstruction      +0.40           -1.02
 *
 * (with the band limit the long detector's reading carries an allowance
 * for ffmpeg's resampler, which reads up to 0.10 dB over the ideal
 * reconstruction on full-band noise: 0.0125 times the largest step
 * between samples in reach, about 0.2 dB on full-band noise, 0.05 dB on
 * mastered music, 0.014 dB on a 1 kHz tone).
 *
 * It costs 40 samples of latency and about twice the work without it
 * (the low-pass, the refinement, the x/L bookkeeping: 1.9x the core's
 * time on the benchmark music driven 6 dB in).
 *
 * What each `oversampling` factor guarantees:
 *   4 (default), 8: with the band limit (default) the project's meter
 *      (BS.1770-4 Annex 2, 4x) and libebur128 read the ceiling or less
 *      (up to -0.004 dB of float margin), ffmpeg prints the ceiling or
 *      less and the ideal reconstruction reads within 0.1 dB of it
 *      (measured -1.02 for -1); without the band limit only the first
 *      two hold, ffmpeg and the ideal reconstruction may read over it as
 *      in the table;
 *   2: the detector sees 2 points per sample, the meter 4: the meter may
 *      read over the ceiling where the peak falls between them; measured
 *      on the signals above with the band limit: the project's meter up
 *      to +0.19 dB, the ideal reconstruction up to +0.53 dB over the
 *      ceiling, libebur128 at or under it (its interpolator is part of
 *      the detector); without the band limit, on music-like material at
 *      48 kHz, the meter up to +0.06 dB;
 *   1: sample peak only: no true-peak guarantee.
 *
 * The gain computer works on blocks of B samples (B ~ lookahead / 11,
 * at most 32): the required gain of a block is min (1, ceiling / peak),
 * a sliding minimum over the look-ahead window holds it, a one-pole
 * release lets it rise again, and a moving average over the attack part
 * of the window turns steps into ramps that arrive before the peak.  The
 * gain applied to the audio is linear between block boundaries, so it is
 * continuous (no clicks), and never above what any sample it touches
 * needs.  A final clamp catches what the envelope could not foresee and
 * counts the samples it touched (it does not act on normal programme).
 *
 * The output is the input delayed by mst_limiter_latency() samples.
 * Interleaved F32 or F64.  Plain C99, no GLib.
 */
#ifndef MST_LIMITER_H
#define MST_LIMITER_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MST_LIMITER_MAX_CHANNELS MST_MAX_CHANNELS
#define MST_LIMITER_MIN_RATE MST_RATE_MIN
#define MST_LIMITER_MAX_RATE MST_RATE_MAX
#define MST_LIMITER_MIN_LOOKAHEAD_MS 0.5
/* The look-ahead is never shorter than this many samples (2 ms at 48 kHz,
 * 12 ms at 8 kHz), whatever is asked: shorter attack ramps change the
 * gain inside the detector's interpolation window and the output reads
 * over the ceiling; mst_limiter_lookahead () tells what is used. */
#define MST_LIMITER_MIN_LOOKAHEAD_SAMPLES (2 * MST_LIMITER_DETECTOR_TAPS)
#define MST_LIMITER_MAX_LOOKAHEAD_MS 100.0
#define MST_LIMITER_MIN_RELEASE_MS 1.0
#define MST_LIMITER_MAX_RELEASE_MS 5000.0
#define MST_LIMITER_MIN_CEILING_DB -60.0
#define MST_LIMITER_MAX_CEILING_DB 0.0
#define MST_LIMITER_MIN_INPUT_GAIN_DB -60.0
#define MST_LIMITER_MAX_INPUT_GAIN_DB 60.0
/* Taps per phase of the detector's interpolator (dsp/truepeak.h): longer
 * than the meter's 16 so that its pass band reaches further towards
 * Nyquist (48 taps: 0.3 ms more latency at 48 kHz). */
#define MST_LIMITER_DETECTOR_TAPS 48
/* Taps of the band limit's linear-phase low-pass (see top); its delay,
 * (taps - 1) / 2 samples, is part of the latency while it is on. */
#define MST_LIMITER_BAND_LIMIT_TAPS 81

typedef struct MstLimiter MstLimiter;

/* rate: Hz; channels 1..MST_LIMITER_MAX_CHANNELS; oversampling: detector
 * factor 1..16 (1 = sample peak only; the element offers 2, 4, 8);
 * lookahead_ms: clamped to the MIN/MAX above.  Defaults: ceiling -1 dBTP,
 * input gain 0 dB, release 50 ms, channels linked.  Returns NULL on
 * invalid arguments or allocation failure. */
MstLimiter *mst_limiter_new (unsigned rate, unsigned channels,
    unsigned oversampling, double lookahead_ms);
void mst_limiter_free (MstLimiter * lim);
/* Clears delay line, detector and gain state (output starts with
 * latency samples of silence again) and the statistics.  Parameters are
 * kept; a pending input-gain ramp jumps to its target. */
void mst_limiter_reset (MstLimiter * lim);

/* Delay of the output against the input, in samples (constant for the
 * life of the object: look-ahead rounded up to whole blocks plus the
 * detector's interpolation delay). */
unsigned mst_limiter_latency (const MstLimiter * lim);
unsigned mst_limiter_channels (const MstLimiter * lim);
unsigned mst_limiter_rate (const MstLimiter * lim);
unsigned mst_limiter_oversampling (const MstLimiter * lim);
/* The look-ahead actually used, ms (>= the requested one). */
double mst_limiter_lookahead (const MstLimiter * lim);

/* Parameters, in user units, clamped to the ranges above.  They take
 * effect for the samples passed to the next process call: a ceiling
 * change applies to those samples when they reach the output (so a lower
 * ceiling never lets samples already in the delay line through too loud),
 * an input-gain change ramps linearly over 20 ms. */
void mst_limiter_set_ceiling (MstLimiter * lim, double ceiling_db);
void mst_limiter_set_input_gain (MstLimiter * lim, double gain_db);
void mst_limiter_set_release (MstLimiter * lim, double release_ms);
/* linked != 0: one gain for all channels (from the largest envelope);
 * 0: a gain per channel.  Takes effect for the samples of the next process
 * call; the gains of the samples already held ramp to the new mode (no
 * step). */
void mst_limiter_set_linked (MstLimiter * lim, int linked);

/* Processes n_frames interleaved frames: out gets n_frames frames, the
 * input delayed by mst_limiter_latency () (the first latency frames after
 * new/reset are silence).  in may be NULL for digital silence.  in and
 * out may not overlap.  Non-finite input samples are replaced by 0 and
 * counted.  Returns the number of non-finite samples in this call. */
size_t mst_limiter_process_f32 (MstLimiter * lim, const float *in,
    float *out, size_t n_frames);
size_t mst_limiter_process_f64 (MstLimiter * lim, const double *in,
    double *out, size_t n_frames);

/* Testing hook: the detector's envelope is multiplied by scale (0..1,
 * default 1), so that it under-reads and the final safety clamp has to
 * act.  Only tests use it. */
void mst_limiter_set_detector_scale (MstLimiter * lim, double scale);

/* Linear gain applied to the last output frame (the smallest over
 * channels when unlinked; 1.0 = no reduction). */
double mst_limiter_gain (const MstLimiter * lim);
/* Smallest gain applied to any output frame since the previous call (or
 * since new/reset); resets the running minimum to the current gain. */
double mst_limiter_take_min_gain (MstLimiter * lim);
/* Output samples the safety clamp changed since new/reset. */
uint64_t mst_limiter_safety_clips (const MstLimiter * lim);
/* on != 0: an output correction stage follows the gain: it re-detects
 * the output with a finer interpolator (16x, 64 taps per phase: closer to
 * the ideal band-limited reconstruction than the detector), and where the
 * output still reads over the ceiling (the main gain's modulation mixes
 * samples with different gains inside every interpolation window, which
 * a detector on the input cannot foresee) applies a second gain, held at
 * its minimum over the interpolator's reach and ramped over 2 ms.
 * Measured on the signals of tests/dsp/limiter_meters.c, worst ideal
 * reading +0.40 -> +0.17 dBTP for a -1 ceiling (+0.56 -> +0.31 on another
 * draw of clipped noise and bursts); the other meters' worst readings do
 * not change; it costs about four times the detector's work where the
 * output is near the ceiling (the element runs about 3x slower on limited
 * music), so it is not the default.  Default off.  Adds
 * 2 ms + 64 samples to the latency (mst_limiter_latency () tells): takes
 * effect at once if nothing was processed since new/reset, else at the
 * next reset. */
void mst_limiter_set_correction (MstLimiter * lim, int on);
/* on != 0 (default): a band limit in front of the limiter (see top).
 * Changes the latency: takes effect at once if nothing was processed
 * since new/reset, else at the next reset. */
void mst_limiter_set_band_limit (MstLimiter * lim, int on);
int mst_limiter_band_limit (const MstLimiter * lim);
/* Output frames the correction stage reduced since new/reset. */
uint64_t mst_limiter_corrections (const MstLimiter * lim);
/* Non-finite input samples replaced by 0 since new/reset. */
uint64_t mst_limiter_nonfinite (const MstLimiter * lim);

#ifdef __cplusplus
}
#endif
#endif /* MST_LIMITER_H */
