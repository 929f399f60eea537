/* gst-mastering — mid/side parametric equalizer core
 *
 * Up to MST_MSEQ_MAX_BANDS bands, each a filter of dsp/biquad.h (matched
 * design) placed on the mid (M = (L + R) / 2), the side (S = (L - R) / 2),
 * both (stereo), the left or the right channel.  Signal flow per frame:
 *
 *   L, R -> left / right bands -> M, S -> mid / side / stereo bands
 *        -> x mid gain, x side gain -> L = M + S, R = M - S -> x output gain
 *
 * (a stereo band on M and S is the same filter on L and R: the matrix is
 * linear).  Mono input (1 channel) is the mid: mid and stereo bands and
 * the mid gain apply, side/left/right bands and the side gain do nothing.
 *
 * Every change (band parameters, enabling, type, placement, gains) is
 * reached over a ramp (default 10 ms): filter coefficients and gains are
 * interpolated per sample, so there are no clicks or zipper noise.  With
 * every band off and all gains 0 dB the output is the input, bit for bit.
 * Latency 0 (minimum-phase IIR).  Non-finite input samples are replaced
 * by 0 (and counted); the filter state recovers at once.
 *
 * State: two dsp/biquad cascades (L/R and M/S lanes, 4 sections per band
 * per lane: the steepest high/low-pass), the per-band settings, the mid
 * and side gains (linear, current value, per-frame increment, frames left
 * of their ramp), a double work buffer of 256 frames.
 *
 * Plain C99.
 */
#ifndef MST_MSEQ_H
#define MST_MSEQ_H

#include <stddef.h>

#include "biquad.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MST_MSEQ_MAX_BANDS 16
#define MST_MSEQ_MIN_GAIN_DB -60.0
#define MST_MSEQ_MAX_GAIN_DB 24.0

typedef enum
{
  MST_MSEQ_MID = 0,
  MST_MSEQ_SIDE,
  MST_MSEQ_STEREO,
  MST_MSEQ_LEFT,
  MST_MSEQ_RIGHT
} MstMsEqChannel;

typedef struct
{
  MstBiquadType type;           /* bell .. notch (all-pass is refused) */
  double freq;                  /* Hz */
  double gain_db;               /* bell, shelves */
  double q;                     /* > 0; shelves: the shelf's Q */
  unsigned slope_db;            /* 12, 24, 48: high- and low-pass */
  MstMsEqChannel channel;
  int enabled;
} MstMsEqBand;

typedef struct MstMsEq MstMsEq;

/* rate MST_RATE_MIN..MST_RATE_MAX, channels 1 or 2.  All bands start off,
 * gains at 0 dB.  NULL on invalid arguments or allocation failure. */
MstMsEq *mst_mseq_new (unsigned rate, unsigned channels);
void mst_mseq_free (MstMsEq * eq);
/* Clears the filter state; pending ramps jump to their end. */
void mst_mseq_reset (MstMsEq * eq);
unsigned mst_mseq_channels (const MstMsEq * eq);
/* Always 0. */
unsigned mst_mseq_latency (const MstMsEq * eq);

/* Ramp time for later changes, ms (0..1000, default 10). */
void mst_mseq_set_ramp (MstMsEq * eq, double ramp_ms);
/* Band `index` (< MST_MSEQ_MAX_BANDS).  A band that is not enabled, or a
 * bell/shelf at 0 dB, is an exact identity.  Values are clamped to the
 * ranges of dsp/biquad.h. */
void mst_mseq_set_band (MstMsEq * eq, unsigned index,
    const MstMsEqBand * band);
/* dB, clamped to MST_MSEQ_MIN_GAIN_DB..MST_MSEQ_MAX_GAIN_DB (the minimum
 * means silence: -60 dB on the side is mono). */
void mst_mseq_set_mid_gain (MstMsEq * eq, double gain_db);
void mst_mseq_set_side_gain (MstMsEq * eq, double gain_db);
void mst_mseq_set_output_gain (MstMsEq * eq, double gain_db);

/* 1 when processing would return the input unchanged. */
int mst_mseq_is_identity (MstMsEq * eq);

/* n_frames interleaved frames; in == out allowed.  Returns the number of
 * non-finite input samples (processed as 0). */
size_t mst_mseq_process_f32 (MstMsEq * eq, const float *in, float *out,
    size_t n_frames);
size_t mst_mseq_process_f64 (MstMsEq * eq, const double *in, double *out,
    size_t n_frames);

#ifdef __cplusplus
}
#endif
#endif /* MST_MSEQ_H */
