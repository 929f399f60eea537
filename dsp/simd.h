/* gst-mastering — private compiler helpers for the DSP core */
#ifndef MST_SIMD_H
#define MST_SIMD_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* MST_CLONES: also build a function for x86-64-v3 (AVX2 + FMA) and pick the
 * variant at load time (GCC function multi-versioning, ELF ifunc).  Used on
 * the hot loops only; elsewhere it expands to nothing. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) \
    && defined(__ELF__)
#define MST_CLONES __attribute__((target_clones ("arch=x86-64-v3", "default")))
#else
#define MST_CLONES
#endif

/* MST_WIDE: a function built for x86-64-v4 (AVX-512), for hot loops
 * written with 16-float vectors beside their 8-float version; the caller
 * picks it when mst_simd_wide () says the CPU runs it.  MST_HAVE_WIDE is
 * defined where such functions exist. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) \
    && defined(__ELF__)
#define MST_HAVE_WIDE 1
#define MST_WIDE __attribute__((target ("arch=x86-64-v4")))
#endif

/* Whether the MST_WIDE variants may run: the CPU has AVX-512 (F, VL, BW,
 * DQ) and mst_simd_set_wide () has not turned them off.  Read when a
 * processor is created. */
int mst_simd_wide (void);
/* Testing hook: allow (1, the default) or forbid (0) the MST_WIDE
 * variants for processors created afterwards, so that tests cover both
 * paths on a machine that has AVX-512.  Not thread-safe; process-wide. */
void mst_simd_set_wide (int allow);

/* MST_FP_CONTRACT: let GCC fuse a * b + c into one multiply-add (FMA)
 * where the target has one (the x86-64-v3 and -v4 variants): ISO C mode
 * turns the contraction off.  One rounding instead of two, and a third
 * fewer arithmetic instructions in a FIR's inner loop.  Only on functions
 * that compute each value in one place whatever the call sizes (a value
 * computed with FMA in one path and without in another would differ in
 * its last bit). */
#if defined(__GNUC__) && !defined(__clang__)
#define MST_FP_CONTRACT __attribute__((optimize ("fp-contract=fast")))
#else
#define MST_FP_CONTRACT
#endif

/* MST_ALWAYS_INLINE: a helper of hot loops that must be inlined into
 * every clone of its callers (else the clones call one generic copy). */
#if defined(__GNUC__)
#define MST_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define MST_ALWAYS_INLINE inline
#endif

/* mst_peak_f32: the largest |x| of n floats (x finite), so also the
 * largest of n values >= 0 (an envelope).  On the bit patterns with the
 * sign cleared, which order like the magnitudes (as signed integers too):
 * an integer maximum.  Most of what it scans is short (blocks and groups
 * of 8 to 32 values), so from 8 values on it takes vectors of 8 and ends
 * with one more vector over the last 8 (overlapping the one before: a
 * maximum does not mind values seen twice) instead of a scalar tail. */
/* a = the lane-wise maximum of a and b (gt: scratch) */
#define MST_PEAK_MAX(a, b, gt) (gt = (b) > (a), a = ((b) & gt) | ((a) & ~gt))
#if defined(__clang__)
#define MST_PEAK_SHUFFLE(v, ...) __builtin_shufflevector ((v), (v), __VA_ARGS__)
#elif defined(__GNUC__)
#define MST_PEAK_SHUFFLE(v, ...) __builtin_shuffle ((v), (v8si) { __VA_ARGS__ })
#endif
static inline float
mst_peak_f32 (const float *x, size_t n)
{
  int32_t u = 0, v;
  float r;
  size_t i = 0;

#if defined(__GNUC__)
  if (n >= 8) {
    typedef int32_t v8si __attribute__((vector_size (32)));
    const v8si sign = {
      0x7fffffff, 0x7fffffff, 0x7fffffff, 0x7fffffff,
      0x7fffffff, 0x7fffffff, 0x7fffffff, 0x7fffffff
    };
    v8si a, b, gt;

    memcpy (&a, x, sizeof a);
    a &= sign;
    for (i = 8;; i += 8) {
      if (i + 8 > n)
        i = n - 8;          /* the last (overlapping) vector */
      memcpy (&b, x + i, sizeof b);
      b &= sign;
      MST_PEAK_MAX (a, b, gt);
      if (i + 8 >= n)
        break;
    }
    /* the largest of the 8: halves, quarters, pairs */
    b = MST_PEAK_SHUFFLE (a, 4, 5, 6, 7, 0, 1, 2, 3);
    MST_PEAK_MAX (a, b, gt);
    b = MST_PEAK_SHUFFLE (a, 2, 3, 0, 1, 6, 7, 4, 5);
    MST_PEAK_MAX (a, b, gt);
    b = MST_PEAK_SHUFFLE (a, 1, 0, 3, 2, 5, 4, 7, 6);
    MST_PEAK_MAX (a, b, gt);
    u = a[0];
    i = n;
  }
#endif
  for (; i < n; i++) {
    memcpy (&v, &x[i], sizeof v);
    v &= 0x7fffffff;
    u = v > u ? v : u;
  }
  memcpy (&r, &u, sizeof r);
  return r;
}

#endif /* MST_SIMD_H */
