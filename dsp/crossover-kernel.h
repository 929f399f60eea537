/* gst-mastering — the crossover's section kernel, included by crossover.c
 * once per vector width with VEC (a GCC vector of W doubles), W and
 * RUN_SKEW (the function name) defined.
 *
 * K consecutive levels over n frames of buf (W V doubles per frame), in
 * place; level k runs k frames behind level 0 ("skewed"), so that the K
 * recursions are in flight together instead of one after the other: at
 * step t level k processes frame t - k, taking its input from what level
 * k - 1 produced at step t - 1.  K (2 or 3) and V (1 or 2) are
 * compile-time constants at every call; coefficients and state live in
 * vector registers for the whole chunk.
 */
#define LOADV(dst, src) memcpy (&(dst), (src), sizeof (VEC))
#define STOREV(dst, src) memcpy ((dst), &(src), sizeof (VEC))

/* One step t: levels K-1 .. 0 (descending, so that prev[k - 1] still holds
 * the previous step's output when level k reads it).  check: skip the
 * levels whose frame t - k is outside 0 .. n-1 (first and last steps). */
#define SKEW_STEP(t, check)                                                 \
  for (kk = K; kk-- > 0;) {                                                 \
    if ((check) && ((t) < kk || (t) - kk >= n))                             \
      continue;                                                             \
    for (v = 0; v < V; v++) {                                               \
      VEC x, y;                                                             \
      if (kk == 0)                                                          \
        LOADV (x, buf + (t) * W * V + W * v);                               \
      else                                                                  \
        x = prev[kk - 1][v];                                                \
      y = b0[kk][v] * x + z1[kk][v];                                        \
      z1[kk][v] = (b1[kk][v] * x + z2[kk][v]) - a1[kk][v] * y;              \
      z2[kk][v] = b2[kk][v] * x - a2[kk][v] * y;                            \
      if (kk == K - 1)                                                      \
        STOREV (buf + ((t) - kk) * W * V + W * v, y);                       \
      else                                                                  \
        prev[kk][v] = y;                                                    \
    }                                                                       \
  }

static inline __attribute__((always_inline)) void
RUN_SKEW (double *restrict buf, size_t n, Level * restrict lv,
    const unsigned K, const unsigned V)
{
  VEC b0[3][2], b1[3][2], b2[3][2], a1[3][2], a2[3][2], z1[3][2], z2[3][2];
  VEC prev[3][2];
  size_t t, lead = K - 1 < n ? K - 1 : n;
  unsigned kk, v;

  for (kk = 0; kk < K; kk++)
    for (v = 0; v < V; v++) {
      LOADV (b0[kk][v], lv[kk].b0 + W * v);
      LOADV (b1[kk][v], lv[kk].b1 + W * v);
      LOADV (b2[kk][v], lv[kk].b2 + W * v);
      LOADV (a1[kk][v], lv[kk].a1 + W * v);
      LOADV (a2[kk][v], lv[kk].a2 + W * v);
      LOADV (z1[kk][v], lv[kk].z1 + W * v);
      LOADV (z2[kk][v], lv[kk].z2 + W * v);
      prev[kk][v] = b0[kk][v] * 0.0;
    }
  for (t = 0; t < lead; t++) {
    SKEW_STEP (t, 1);
  }
  for (; t < n; t++) {
    SKEW_STEP (t, 0);
  }
  for (; t < n + K - 1; t++) {
    SKEW_STEP (t, 1);
  }
  for (kk = 0; kk < K; kk++)
    for (v = 0; v < V; v++) {
      STOREV (lv[kk].z1 + W * v, z1[kk][v]);
      STOREV (lv[kk].z2 + W * v, z2[kk][v]);
    }
}

#undef SKEW_STEP
#undef LOADV
#undef STOREV
