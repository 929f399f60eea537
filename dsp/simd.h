/* gst-mastering — private compiler helpers for the DSP core */
#ifndef MST_SIMD_H
#define MST_SIMD_H

/* MST_CLONES: also build a function for x86-64-v3 (AVX2 + FMA) and pick the
 * variant at load time (GCC function multi-versioning, ELF ifunc).  Used on
 * the hot loops only; elsewhere it expands to nothing. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) \
    && defined(__ELF__)
#define MST_CLONES __attribute__((target_clones ("arch=x86-64-v3", "default")))
#else
#define MST_CLONES
#endif

/* MST_ALWAYS_INLINE: a helper of hot loops that must be inlined into
 * every clone of its callers (else the clones call one generic copy). */
#if defined(__GNUC__)
#define MST_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define MST_ALWAYS_INLINE inline
#endif

#endif /* MST_SIMD_H */
