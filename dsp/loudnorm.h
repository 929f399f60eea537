/* gst-mastering — live loudness normalizer core
 *
 * Brings a feed of any loudness to a target integrated loudness (LUFS)
 * with a true-peak ceiling, at the feed's own rate:
 *
 *   in -> input meter (K-weighting, 400 ms blocks every 100 ms)
 *      |        \-> gate -> level estimate -> wanted gain -> gain plan
 *      \-> delay line (look-ahead) -> x gain (slew-limited, dB ramps)
 *          -> true-peak limiter (dsp/limiter, ceiling) -> out
 *                                            \-> output meter
 *
 * The limiter runs with its band limit on (limiter.h): the output's true
 * peak reads the ceiling or less on the project's meter, libebur128 and
 * ffmpeg's ebur128 filter, and at most 0.1 dB over it on the ideal
 * band-limited reconstruction (without it, up to 0.1 dB over on ffmpeg
 * and 0.4 dB on the reconstruction).
 *
 * Two modes, chosen by the caller; the core never switches between them
 * on its own judgement:
 *
 * - live: adaptive gain.  Every 100 ms the loudness of the last 400 ms of
 *   input (a BS.1770 gating block) is classified: blocks below -70 LUFS
 *   or more than 20 LU below the recent programme level (a one-pole
 *   energy mean of the blocks above -70 LUFS, 20 s time constant; the
 *   -20 LU relative gate is the one EBU Tech 3342 uses for programme
 *   versus pauses) are pauses and leave the gain where it is; blocks that
 *   overlap the edges of a pause are not used either.  Programme blocks
 *   update the leveler's level estimate (time constant 12 dB / gain-slew:
 *   the time the gain needs to move 12 dB).  The wanted gain is
 *     target - level + clamp (level - integrated, +-loudness_range / 2)
 *   (less a correction that keeps the output's integrated loudness on
 *   the target), bounded by [min_gain, max_gain]: loudness_range is the
 *   loudness range (EBU Tech 3342) the output is held to.  Departures of
 *   the level from the programme's integrated loudness are kept up to
 *   +-loudness_range / 2 and brought to that edge beyond it, so a
 *   programme whose LRA is larger comes out at about loudness_range, one
 *   whose LRA is smaller keeps it; 0 levels everything to the target
 *   (speakers, segments: what is left is the fluctuation faster than the
 *   leveler).
 *   The look-ahead delays the audio so that the gain can ramp down before
 *   a loud part reaches the output (it never rises early).  The applied
 *   gain moves linearly in dB with at most gain_slew dB/s: between two
 *   consecutive samples it changes by at most gain_slew / rate dB.
 * - linear: one constant gain target - measured_integrated (the caller
 *   measured the programme in a first pass).  The limiter only catches
 *   peaks; if the gain pushes peaks into it, the core stays linear and
 *   reports how much it limited.  Linear mode needs measured_integrated:
 *   without it the core levels as in live mode, and
 *   mst_loudnorm_mode () says so (the caller reports it).
 * A change of mode (or of the linear gain) while running moves the gain
 * to the new mode's value at the slew rate, like any other change.
 *
 * Latency: the lookahead, i.e. round (lookahead_ms * rate / 1000) frames,
 * or the limiter's own latency when that is larger.  Output length equals
 * input length (feed silence, in = NULL, to drain).
 *
 * Interleaved F32 or F64, 1..MST_LOUDNORM_MAX_CHANNELS channels,
 * MST_RATE_MIN..MST_RATE_MAX Hz.  Non-finite input samples are measured as
 * silence and output as 0.  Plain C99, no GLib.
 */
#ifndef MST_LOUDNORM_H
#define MST_LOUDNORM_H

#include <stddef.h>
#include <stdint.h>

#include "targets.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MST_LOUDNORM_MAX_CHANNELS 8

/* Parameter ranges (user units) */
#define MST_LOUDNORM_MIN_LOOKAHEAD_MS 0.5       /* the limiter's minimum */
#define MST_LOUDNORM_MAX_LOOKAHEAD_MS 3000.0
#define MST_LOUDNORM_MIN_TARGET -70.0
#define MST_LOUDNORM_MAX_TARGET -5.0
#define MST_LOUDNORM_MIN_CEILING -60.0
#define MST_LOUDNORM_MAX_CEILING 0.0
#define MST_LOUDNORM_MIN_RANGE 0.0
#define MST_LOUDNORM_MAX_RANGE 40.0
#define MST_LOUDNORM_MIN_MAX_GAIN 0.0
#define MST_LOUDNORM_MAX_MAX_GAIN 60.0
#define MST_LOUDNORM_MIN_MIN_GAIN -60.0
#define MST_LOUDNORM_MAX_MIN_GAIN 0.0
#define MST_LOUDNORM_MIN_SLEW 0.1
#define MST_LOUDNORM_MAX_SLEW 100.0
/* measured_integrated below the absolute gate (-70 LUFS) and
 * measured_true_peak at or below this value mean "not measured". */
#define MST_LOUDNORM_NOT_MEASURED -99.0
#define MST_LOUDNORM_MAX_MEASURED_TP 20.0

/* Defaults */
#define MST_LOUDNORM_DEFAULT_LOOKAHEAD_MS 400.0
#define MST_LOUDNORM_DEFAULT_TARGET -23.0
#define MST_LOUDNORM_DEFAULT_CEILING -1.0
#define MST_LOUDNORM_DEFAULT_RANGE 7.0     /* the broadcast kind's */
#define MST_LOUDNORM_DEFAULT_MAX_GAIN 12.0
#define MST_LOUDNORM_DEFAULT_MIN_GAIN -24.0
#define MST_LOUDNORM_DEFAULT_SLEW 6.0


typedef enum
{
  MST_LOUDNORM_LIVE = 0,
  MST_LOUDNORM_LINEAR = 1
} MstLoudnormMode;

typedef struct MstLoudnorm MstLoudnorm;

/* rate: Hz; channels 1..8; lookahead_ms clamped to the range above (fixed
 * for the life of the object: it is the latency).  Starts in live mode
 * with the defaults above.  NULL on invalid arguments or no memory. */
MstLoudnorm *mst_loudnorm_new (unsigned rate, unsigned channels,
    double lookahead_ms);
void mst_loudnorm_free (MstLoudnorm * ln);
/* Everything back to the state after new (): delay line, limiter, gain,
 * measurements.  Parameters and channel weights are kept. */
void mst_loudnorm_reset (MstLoudnorm * ln);
/* Starts a new measurement (programme change on a 24/7 feed): meters,
 * gate and level estimates start again; the audio in the delay line and
 * the gain in force are kept, so the output does not jump. */
void mst_loudnorm_restart (MstLoudnorm * ln);

/* Output delay against the input, frames. */
unsigned mst_loudnorm_latency (const MstLoudnorm * ln);
unsigned mst_loudnorm_rate (const MstLoudnorm * ln);
unsigned mst_loudnorm_channels (const MstLoudnorm * ln);

/* Parameters in user units, clamped to the ranges above; NaN keeps the old
 * value.  They take effect at the next 100 ms gain step (the gain moves to
 * the new wanted value at the slew rate).  A ceiling change is applied by
 * the limiter (see limiter.h). */
void mst_loudnorm_set_mode (MstLoudnorm * ln, MstLoudnormMode mode);
/* The mode in force: linear only when linear was set and
 * measured_integrated is set (>= -70 LUFS), live otherwise. */
MstLoudnormMode mst_loudnorm_mode (const MstLoudnorm * ln);
void mst_loudnorm_set_target (MstLoudnorm * ln, double lufs);
void mst_loudnorm_set_ceiling (MstLoudnorm * ln, double dbtp);
void mst_loudnorm_set_range (MstLoudnorm * ln, double lu);
void mst_loudnorm_set_max_gain (MstLoudnorm * ln, double db);
void mst_loudnorm_set_min_gain (MstLoudnorm * ln, double db);
void mst_loudnorm_set_gain_slew (MstLoudnorm * ln, double db_per_s);
void mst_loudnorm_set_measured_integrated (MstLoudnorm * ln, double lufs);
void mst_loudnorm_set_measured_true_peak (MstLoudnorm * ln, double dbtp);
/* BS.1770 channel weight (as mst_loudness_set_channel_weight), for both
 * meters.  0 on success, -1 if out of range. */
int mst_loudnorm_set_channel_weight (MstLoudnorm * ln, unsigned ch,
    double weight);

/* Processes n_frames interleaved frames; out gets n_frames frames, the
 * input delayed by mst_loudnorm_latency () (silence before the first).
 * in may be NULL (digital silence, e.g. to drain); in may equal out.
 * Returns the number of non-finite input samples in this call. */
size_t mst_loudnorm_process_f32 (MstLoudnorm * ln, const float *in,
    float *out, size_t n_frames);
size_t mst_loudnorm_process_f64 (MstLoudnorm * ln, const double *in,
    double *out, size_t n_frames);

/* Leveling speed (gain-slew, dB/s) of the presets, by the kind of
 * delivery of their target (dsp/targets.h): speech 20 (podcasts: follows
 * a change of speaker within a second), short-form 10, broadcast 6 (the
 * default), music 2 (moves slowly, keeps phrasing). */
double mst_loudnorm_kind_slew (MstTargetKind kind);
/* Loudness range (LU) of the presets, by kind of delivery: speech 0
 * (every voice to the target: the conversation's speakers level to each
 * other), short-form 5, broadcast 7 (the default), music 10 (sections and
 * phrasing kept as a master has them). */
double mst_loudnorm_kind_range (MstTargetKind kind);

/* Gain applied (before the limiter) to the last output frame, dB. */
double mst_loudnorm_gain (const MstLoudnorm * ln);
/* Gain linear mode applies (target - measured_integrated, dB); NaN when
 * measured_integrated is not set. */
double mst_loudnorm_linear_gain (const MstLoudnorm * ln);
/* Linear mode: how far the measured true peak plus the linear gain lies
 * above the ceiling, dB (> 0: the limiter will act); NaN when either
 * measurement is missing. */
double mst_loudnorm_linear_overshoot (const MstLoudnorm * ln);
/* Short-term (3 s) and integrated loudness of the input (at the
 * look-ahead front) and of the output, LUFS, -inf when undefined. */
double mst_loudnorm_input_shortterm (const MstLoudnorm * ln);
double mst_loudnorm_input_integrated (const MstLoudnorm * ln);
double mst_loudnorm_output_shortterm (const MstLoudnorm * ln);
double mst_loudnorm_output_integrated (const MstLoudnorm * ln);
/* Largest limiter gain reduction (dB, >= 0) since the previous call (or
 * new/reset); starts the next period. */
double mst_loudnorm_take_limiter_reduction (MstLoudnorm * ln);
/* Output samples the limiter's safety clamp changed since new/reset. */
uint64_t mst_loudnorm_safety_clips (const MstLoudnorm * ln);

#ifdef __cplusplus
}
#endif
#endif /* MST_LOUDNORM_H */
