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

/* MST_ALWAYS_INLINE: a helper of hot loops that must be inlined into
 * every clone of its callers (else the clones call one generic copy). */
#if defined(__GNUC__)
#define MST_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define MST_ALWAYS_INLINE inline
#endif

#endif /* MST_SIMD_H */
