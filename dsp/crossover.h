/* gst-mastering — Linkwitz-Riley band splitter whose bands sum flat
 *
 * Splits each channel into 1..MST_CROSSOVER_MAX_BANDS bands with
 * 4th-order Linkwitz-Riley crossovers (each a cascade of two 2nd-order
 * Butterworth sections, bilinear transform with the cut-off pre-warped).
 * The low- and high-pass of one crossover at f are exact complements:
 * LP4 (z) + HP4 (z) = AP2 (z), the 2nd-order all-pass with the same poles
 * (the identity (s^2 + w^2 + sqrt2 w s)(s^2 + w^2 - sqrt2 w s) = s^4 + w^4
 * survives the bilinear substitution unchanged).  Bands are split one
 * after the other from the bottom (band k = HP_1 .. HP_k LP_k+1) and every
 * band below the last split also passes the all-passes of the splits it
 * did not go through, so the sum of all bands is the all-pass
 * AP_1 AP_2 .. AP_N-1: flat magnitude for any number of bands and any
 * crossover frequencies (Linkwitz 1976; D'Appolito 1984; the all-pass
 * compensation as in Fink, "Time offset and crossover design", JAES 1980).
 *
 * Crossover frequency changes glide (about 20 ms, exponentially in Hz)
 * and the coefficients follow every 32 frames, so automation does not
 * click.
 *
 * Output layout, made for lane-parallel processing: one frame of output
 * holds mst_crossover_stride () doubles (4, 8 or 16), band b of channel c at index
 * b * channels + c (the rest is padding: unspecified finite values).
 *
 * Plain C99, no GLib.
 */
#ifndef MST_CROSSOVER_H
#define MST_CROSSOVER_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MST_CROSSOVER_MAX_BANDS 6
#define MST_CROSSOVER_MAX_CHANNELS 2
/* Crossover frequencies are clamped to [MIN_FREQ, MAX_FREQ_RATIO * rate] */
#define MST_CROSSOVER_MIN_FREQ 10.0
#define MST_CROSSOVER_MAX_FREQ_RATIO 0.45

typedef struct MstCrossover MstCrossover;

/* rate: MST_RATE_MIN..MST_RATE_MAX Hz; channels 1..2; bands 1..6.  The
 * default crossover frequencies are spread logarithmically between 120 Hz
 * and 8 kHz.  NULL on invalid arguments or allocation failure. */
MstCrossover *mst_crossover_new (unsigned rate, unsigned channels,
    unsigned bands);
void mst_crossover_free (MstCrossover * xo);
/* Clears the filter state; frequency glides jump to their targets. */
void mst_crossover_reset (MstCrossover * xo);

unsigned mst_crossover_bands (const MstCrossover * xo);
unsigned mst_crossover_channels (const MstCrossover * xo);
/* doubles per output frame (>= bands * channels: 4, 8 or 16) */
unsigned mst_crossover_stride (const MstCrossover * xo);

/* Upper edge of band `edge` (0 .. bands - 2), Hz; clamped to the range
 * above, NaN ignored.  The first set after new takes effect at once,
 * later ones glide (a reset ends a glide at its target).  Frequencies
 * need not be ordered for the sum to stay flat, but bands only make sense
 * when they are. */
void mst_crossover_set_frequency (MstCrossover * xo, unsigned edge,
    double hz);
double mst_crossover_get_frequency (const MstCrossover * xo, unsigned edge);

/* Replaces the filter state of the two channels (x0, x1) by
 * (m00 x0 + m01 x1, m10 x0 + m11 x1).  The filters are linear and the
 * same for both channels, so this is exactly the state they would have if
 * they had been fed the matrixed signal all along (used to switch between
 * left/right and mid/side without a click).  No-op with one channel. */
void mst_crossover_matrix (MstCrossover * xo, double m00, double m01,
    double m10, double m11);

/* Splits n_frames interleaved frames of `in` (channels doubles per frame)
 * into out (stride doubles per frame).  No latency. */
void mst_crossover_process (MstCrossover * xo, const double *in,
    double *out, size_t n_frames);

#ifdef __cplusplus
}
#endif
#endif /* MST_CROSSOVER_H */
