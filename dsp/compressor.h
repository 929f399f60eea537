/* gst-mastering — multiband feed-forward compressor core
 *
 *   in -> [M/S encode] -> crossover (dsp/crossover.h, 1..6 bands)
 *      band b -> detector -> gain computer -> attack/release -> x gain_b
 *      -> [lookahead delay of the band signals] -> sum -> [M/S decode] -> out
 *
 * Detector (per band and lane, lane = channel, or mid/side):
 *   peak: the largest |x| over a window of half a period of the band's
 *         lower edge (20 Hz for the lowest band), so a steady sine reads
 *         its sample peak and the gain does not ripple with its cycle;
 *   rms:  sqrt of the mean of x^2 over the same window (at least 4
 *         blocks): a full-scale sine reads -3.01 dBFS.
 * The window delays the level the gain computer sees; attack and release
 * are shortened by that delay (see set_coefs in compressor.c), so that
 * the 63 % times below hold.  With rms detection on the lowest band
 * (25 ms window) times under ~5 ms come out longer than set.
 * In linked mode the lanes of a band share the largest level.
 *
 * Gain computer (dB, per band): the static curve with a quadratic soft
 * knee of Giannoulis, Massberg and Reiss, "Digital dynamic range
 * compressor design -- a tutorial and analysis", JAES 60(6), 2012, eq. 4:
 *   2 (L - T) < -W:    out = L
 *   2 |L - T| <= W:    out = L + (1/R - 1) (L - T + W/2)^2 / (2 W)
 *   2 (L - T) > W:     out = T + (L - T) / R
 * gain = out - L (<= 0 dB), smoothed in dB by a one-pole that uses the
 * attack coefficient while the reduction grows and the release one while
 * it shrinks (their "smooth branching" detector, in the gain domain;
 * dsp/envelope.h updated once per block): a
 * step of the level makes the gain cover 1 - 1/e (63 %) of its change in
 * the attack (release) time.  Then makeup (dB), bypass (gain 1), mute and
 * solo (the band leaves the sum) and the output gain.
 *
 * The gain is computed once per block of mst_compressor_block () frames
 * (a power of two near 0.67 ms: 32 frames at 44.1 and 48 kHz, 64 at
 * 88.2/96 kHz) and ramped linearly between blocks, sample by sample: the
 * gain trails the detector by one to two blocks.  Makeup, output gain,
 * bypass, mute and solo changes glide with a 10 ms time constant.
 *
 * Lookahead delays the band signals by a whole number of blocks (the
 * reported latency); the crossover itself adds no delay.
 *
 * Interleaved F32 or F64, 1 or 2 channels (mid/side needs 2; with 1 all
 * modes are the same).  Non-finite input samples are replaced by 0 and
 * counted.  Plain C99, no GLib.
 */
#ifndef MST_COMPRESSOR_H
#define MST_COMPRESSOR_H

#include <stddef.h>
#include <stdint.h>

#include "crossover.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MST_COMPRESSOR_MAX_BANDS MST_CROSSOVER_MAX_BANDS
#define MST_COMPRESSOR_MAX_CHANNELS 2

#define MST_COMPRESSOR_MIN_THRESHOLD_DB -80.0
#define MST_COMPRESSOR_MAX_THRESHOLD_DB 0.0
#define MST_COMPRESSOR_MIN_RATIO 1.0
#define MST_COMPRESSOR_MAX_RATIO HUGE_VAL     /* infinity: a limiter */
#define MST_COMPRESSOR_MIN_KNEE_DB 0.0
#define MST_COMPRESSOR_MAX_KNEE_DB 24.0
#define MST_COMPRESSOR_MIN_ATTACK_MS 0.1
#define MST_COMPRESSOR_MAX_ATTACK_MS 1000.0
#define MST_COMPRESSOR_MIN_RELEASE_MS 1.0
#define MST_COMPRESSOR_MAX_RELEASE_MS 5000.0
#define MST_COMPRESSOR_MIN_GAIN_DB -40.0  /* makeup and output gain */
#define MST_COMPRESSOR_MAX_GAIN_DB 40.0
#define MST_COMPRESSOR_MAX_LOOKAHEAD_MS 50.0

typedef enum
{
  MST_COMPRESSOR_LINKED = 0,    /* one gain per band for all channels */
  MST_COMPRESSOR_MID_SIDE = 1,  /* mid and side compressed independently */
  MST_COMPRESSOR_UNLINKED = 2   /* one gain per band and channel */
} MstCompressorMode;

typedef enum
{
  MST_COMPRESSOR_PEAK = 0,
  MST_COMPRESSOR_RMS = 1
} MstCompressorDetection;

typedef struct MstCompressor MstCompressor;

/* rate: MST_RATE_MIN..MST_RATE_MAX; channels 1..2; bands 1..6;
 * lookahead_ms 0..MAX_LOOKAHEAD_MS (rounded up to whole blocks).
 * Defaults per band: threshold -18 dBFS, ratio 2, knee 6 dB, attack
 * 30 ms, release 200 ms, makeup 0 dB, rms detection; mode linked, output
 * gain 0 dB.  NULL on invalid arguments or allocation failure. */
MstCompressor *mst_compressor_new (unsigned rate, unsigned channels,
    unsigned bands, double lookahead_ms);
void mst_compressor_free (MstCompressor * comp);
/* Clears all signal state (filters, detectors, gains, delay line);
 * parameters are kept and gliding values jump to their targets. */
void mst_compressor_reset (MstCompressor * comp);

unsigned mst_compressor_bands (const MstCompressor * comp);
unsigned mst_compressor_channels (const MstCompressor * comp);
unsigned mst_compressor_block (const MstCompressor * comp);
/* Delay of the output against the input, frames (the lookahead). */
unsigned mst_compressor_latency (const MstCompressor * comp);

/* Setters in user units, clamped to the ranges above; NaN is ignored
 * (the old value kept).  `band` out of range is ignored. */
void mst_compressor_set_crossover (MstCompressor * comp, unsigned band,
    double hz);
void mst_compressor_set_threshold (MstCompressor * comp, unsigned band,
    double db);
void mst_compressor_set_ratio (MstCompressor * comp, unsigned band,
    double ratio);
void mst_compressor_set_knee (MstCompressor * comp, unsigned band,
    double db);
void mst_compressor_set_attack (MstCompressor * comp, unsigned band,
    double ms);
void mst_compressor_set_release (MstCompressor * comp, unsigned band,
    double ms);
void mst_compressor_set_makeup (MstCompressor * comp, unsigned band,
    double db);
void mst_compressor_set_detection (MstCompressor * comp, unsigned band,
    MstCompressorDetection det);
void mst_compressor_set_bypass (MstCompressor * comp, unsigned band,
    int bypass);
void mst_compressor_set_solo (MstCompressor * comp, unsigned band, int solo);
void mst_compressor_set_mute (MstCompressor * comp, unsigned band, int mute);
void mst_compressor_set_mode (MstCompressor * comp, MstCompressorMode mode);
void mst_compressor_set_output_gain (MstCompressor * comp, double db);

/* Processes n_frames interleaved frames; out gets n_frames frames (the
 * first latency frames after new/reset are silence).  in and out may be
 * the same buffer; in may be NULL for digital silence.  Returns the
 * number of non-finite input samples. */
size_t mst_compressor_process_f32 (MstCompressor * comp, const float *in,
    float *out, size_t n_frames);
size_t mst_compressor_process_f64 (MstCompressor * comp, const double *in,
    double *out, size_t n_frames);

/* Largest gain reduction (dB, >= 0) of each band since the previous call
 * (or new/reset), over its lanes into per_band[band], and per lane into
 * per_lane[band * 2 + lane] (lane 0/1 = left/right or mid/side; may be
 * NULL).  Starts the next interval. */
void mst_compressor_take_reduction (MstCompressor * comp, double *per_band,
    double *per_lane);
/* Non-finite input samples replaced by 0 since new/reset. */
uint64_t mst_compressor_nonfinite (const MstCompressor * comp);

#ifdef __cplusplus
}
#endif
#endif /* MST_COMPRESSOR_H */
