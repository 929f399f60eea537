/* gst-mastering — TPDF-dithered quantization to 16- or 24-bit integers
 *
 * Rounds float samples (full scale +-1.0) to `bits`-bit integers after
 * adding triangular (TPDF) dither of +-1 LSB: the sum of two independent
 * uniform values of +-0.5 LSB each.  With TPDF dither the first and second
 * moments of the total error (output - input) do not depend on the signal:
 * mean 0, variance 1/4 LSB^2 (1/12 from rounding, 1/6 from the dither),
 * so the quantization error is a steady noise floor instead of distortion
 * that follows the signal (Vanderkooy & Lipshitz, "Dither in digital
 * audio", JAES 35(12), 1987; Wannamaker, Lipshitz & Vanderkooy, "A theory
 * of non-subtractive dither", IEEE Trans. SP 48(2), 2000).  No noise
 * shaping: the noise is white.
 *
 * The noise comes from a xorshift64* generator (Vigna, "An experimental
 * exploration of Marsaglia's xorshift generators, scrambled", ACM TOMS
 * 42(4), 2016) started from a fixed seed, one draw per sample (two 32-bit
 * halves = the two uniform values), consumed in interleaved order: the
 * same input and seed always give the same output, bit for bit.
 *
 * Scale: 1.0 maps to 2^(bits-1); results are clipped to
 * [-2^(bits-1), 2^(bits-1) - 1] and clipped samples are counted.
 * Non-finite input samples become 0 (before dither) and are counted too.
 *
 * State:
 *   bits     output word length (16 or 24)
 *   scale    2^(bits-1): float full scale in LSB
 *   seed     start value of the generator (never 0: 0 is replaced)
 *   rng      generator state, advanced once per sample
 *
 * Plain C99, no GLib.
 */
#ifndef MST_DITHER_H
#define MST_DITHER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MST_DITHER_DEFAULT_SEED 0x6d617374657221ULL     /* "master!" */

typedef struct MstDither MstDither;

/* bits: 16 or 24 (otherwise NULL).  seed: any value. */
MstDither *mst_dither_new (unsigned bits, uint64_t seed);
void mst_dither_free (MstDither * st);
/* Restarts the noise sequence from the seed. */
void mst_dither_reset (MstDither * st);
unsigned mst_dither_bits (const MstDither * st);

/* Quantizes n samples (interleaved frames: n = frames x channels) to
 * integers of `bits` bits, right-aligned in int32_t (a 24-bit result lies
 * in [-8388608, 8388607]).  Returns the number of samples that were
 * clipped or not finite. */
size_t mst_dither_process_f32 (MstDither * st, const float *in,
    int32_t * out, size_t n);
size_t mst_dither_process_f64 (MstDither * st, const double *in,
    int32_t * out, size_t n);

#ifdef __cplusplus
}
#endif
#endif /* MST_DITHER_H */
