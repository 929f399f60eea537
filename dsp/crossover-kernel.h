/* gst-mastering — the crossover's two-level section kernel, included by
 * crossover.c once per vector width with VEC (a GCC vector of W doubles),
 * W and RUN_PAIR (the function name) defined.
 *
 * Two levels over n frames of buf (W V doubles per frame), in place; the
 * second level runs one frame behind the first so that both recursions
 * are in flight together.  V (1 or 2) is a compile-time constant at every
 * call; coefficients and state live in vector registers for the whole
 * chunk.
 */
#define LOADV(dst, src) memcpy (&(dst), (src), sizeof (VEC))
#define STOREV(dst, src) memcpy ((dst), &(src), sizeof (VEC))

static inline __attribute__((always_inline)) void
RUN_PAIR (double *restrict buf, size_t n, Level * restrict p,
    Level * restrict q, const unsigned V)
{
  VEC pb0[2], pb1[2], pb2[2], pa1[2], pa2[2], pz1[2], pz2[2];
  VEC qb0[2], qb1[2], qb2[2], qa1[2], qa2[2], qz1[2], qz2[2];
  VEC prev[2];
  size_t t;
  unsigned k;

  for (k = 0; k < V; k++) {
    LOADV (pb0[k], p->b0 + W * k);
    LOADV (pb1[k], p->b1 + W * k);
    LOADV (pb2[k], p->b2 + W * k);
    LOADV (pa1[k], p->a1 + W * k);
    LOADV (pa2[k], p->a2 + W * k);
    LOADV (pz1[k], p->z1 + W * k);
    LOADV (pz2[k], p->z2 + W * k);
    LOADV (qb0[k], q->b0 + W * k);
    LOADV (qb1[k], q->b1 + W * k);
    LOADV (qb2[k], q->b2 + W * k);
    LOADV (qa1[k], q->a1 + W * k);
    LOADV (qa2[k], q->a2 + W * k);
    LOADV (qz1[k], q->z1 + W * k);
    LOADV (qz2[k], q->z2 + W * k);
  }
  /* frame 0 through p */
  for (k = 0; k < V; k++) {
    VEC x, y;

    LOADV (x, buf + W * k);
    y = pb0[k] * x + pz1[k];
    pz1[k] = (pb1[k] * x + pz2[k]) - pa1[k] * y;
    pz2[k] = pb2[k] * x - pa2[k] * y;
    prev[k] = y;
  }
  for (t = 1; t < n; t++) {
    double *cur = buf + t * W * V, *last = cur - W * V;

    for (k = 0; k < V; k++) {
      VEC x, y, u = prev[k], v;

      LOADV (x, cur + W * k);
      y = pb0[k] * x + pz1[k];
      v = qb0[k] * u + qz1[k];
      pz1[k] = (pb1[k] * x + pz2[k]) - pa1[k] * y;
      pz2[k] = pb2[k] * x - pa2[k] * y;
      qz1[k] = (qb1[k] * u + qz2[k]) - qa1[k] * v;
      qz2[k] = qb2[k] * u - qa2[k] * v;
      prev[k] = y;
      STOREV (last + W * k, v);
    }
  }
  /* frame n - 1 through q */
  for (k = 0; k < V; k++) {
    VEC u = prev[k], v;

    v = qb0[k] * u + qz1[k];
    qz1[k] = (qb1[k] * u + qz2[k]) - qa1[k] * v;
    qz2[k] = qb2[k] * u - qa2[k] * v;
    STOREV (buf + (n - 1) * W * V + W * k, v);
  }
  for (k = 0; k < V; k++) {
    STOREV (p->z1 + W * k, pz1[k]);
    STOREV (p->z2 + W * k, pz2[k]);
    STOREV (q->z1 + W * k, qz1[k]);
    STOREV (q->z2 + W * k, qz2[k]);
  }
}

#undef LOADV
#undef STOREV
