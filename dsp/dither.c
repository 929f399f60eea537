/* gst-mastering — TPDF-dithered quantization (see dither.h)
 */
#include "dither.h"

#include <math.h>
#include <stdlib.h>

struct MstDither
{
  unsigned bits;                /* output word length, 16 or 24 */
  double scale;                 /* 2^(bits-1), LSB per full scale */
  uint64_t seed;                /* generator start value, != 0 */
  uint64_t rng;                 /* xorshift64* state */
};

MstDither *
mst_dither_new (unsigned bits, uint64_t seed)
{
  MstDither *st;

  if (bits != 16 && bits != 24)
    return NULL;
  st = calloc (1, sizeof (*st));
  if (!st)
    return NULL;
  st->bits = bits;
  st->scale = ldexp (1.0, (int) bits - 1);
  /* xorshift state must not be 0 */
  st->seed = seed ? seed : MST_DITHER_DEFAULT_SEED;
  mst_dither_reset (st);
  return st;
}

void
mst_dither_free (MstDither * st)
{
  free (st);
}

void
mst_dither_reset (MstDither * st)
{
  st->rng = st->seed;
}

unsigned
mst_dither_bits (const MstDither * st)
{
  return st->bits;
}

/* One quantized sample; `rng` is advanced.  x is in LSB.  The two 32-bit
 * halves of one xorshift64* output are the two uniform values; their
 * difference scaled by 2^-32 is triangular on (-1, 1) LSB. */
static inline int32_t
quantize (double x, uint64_t * rng, double lo, double hi, size_t * bad)
{
  uint64_t r = *rng, z;
  double d, q;

  r ^= r >> 12;
  r ^= r << 25;
  r ^= r >> 27;
  *rng = r;
  z = r * 0x2545F4914F6CDD1DULL;
  d = ((double) (uint32_t) z - (double) (uint32_t) (z >> 32)) *
      (1.0 / 4294967296.0);

  if (!isfinite (x)) {
    (*bad)++;
    x = 0.0;
  }
  q = floor (x + d + 0.5);
  if (q < lo) {
    (*bad)++;
    q = lo;
  } else if (q > hi) {
    (*bad)++;
    q = hi;
  }
  return (int32_t) q;
}

size_t
mst_dither_process_f32 (MstDither * st, const float *in, int32_t * out,
    size_t n)
{
  uint64_t rng = st->rng;
  double scale = st->scale, lo = -scale, hi = scale - 1.0;
  size_t i, bad = 0;

  for (i = 0; i < n; i++)
    out[i] = quantize ((double) in[i] * scale, &rng, lo, hi, &bad);
  st->rng = rng;
  return bad;
}

size_t
mst_dither_process_f64 (MstDither * st, const double *in, int32_t * out,
    size_t n)
{
  uint64_t rng = st->rng;
  double scale = st->scale, lo = -scale, hi = scale - 1.0;
  size_t i, bad = 0;

  for (i = 0; i < n; i++)
    out[i] = quantize (in[i] * scale, &rng, lo, hi, &bad);
  st->rng = rng;
  return bad;
}
