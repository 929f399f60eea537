/* gst-mastering — K-weighting kernel of the loudness core (template)
 *
 * Included by loudness.c once per channel shape, with
 *
 *   KF_FUNC    name of the function to define
 *   KF_ATTR    its attributes (a target instruction set, or nothing)
 *   KF_VEC     GCC vector of doubles, one lane per channel
 *   KF_MASK    integer vector of the same shape (comparison results)
 *   KF_LANES   lanes of KF_VEC
 *   KF_GROUPS  vectors per frame (channels <= KF_LANES * KF_GROUPS)
 *   KF_MAX     optional: (a, b) -> lane-wise "a > b ? a : b" in one
 *              instruction (x86 maxpd); without it, a compare and masks
 *
 * and defines
 *
 *   static void KF_FUNC (const KCoefs *k, ChannelState *s,
 *       const double *x, size_t n, unsigned ch)
 *
 * over n frames of x: doubles, KF_LANES * KF_GROUPS per frame (lanes >= ch
 * are zero).  Per channel: the two K-weighting biquads (Direct Form I, the
 * feedback term last), the sum of squares of the output (sub_acc), the
 * largest |x| and |x[i] - x[i-1]| of the call (clv, cdv) and the running
 * sample peak (speak).  Every lane performs exactly the operations of the
 * scalar recursion in the same order, so the result does not depend on
 * the shape or on the instruction set (no contraction to FMA: the core is
 * built as ISO C99).  The state stays in vector registers for the whole
 * call; the channels run in parallel lanes, which is what makes this
 * latency-bound recursion fast.  The loop is short of registers (seven
 * coefficients and nine state vectors per group): 2 * y1 is formed as
 * y1 + y1 (the same value, no constant register) and the running maxima
 * use KF_MAX where there is one; measured on stereo, 3.7 -> 3.1 ns per
 * frame (bench/meter-kfilter).
 */

KF_ATTR static void
KF_FUNC (const KCoefs * k, ChannelState * s, const double *restrict x,
    size_t n, unsigned ch)
{
  const KF_VEC zero = { 0 };
  const KF_VEC sb0 = zero + k->sb0, sb1 = zero + k->sb1, sb2 = zero + k->sb2;
  const KF_VEC sa1 = zero + k->sa1, sa2 = zero + k->sa2;
  const KF_VEC ha1 = zero + k->ha1, ha2 = zero + k->ha2;
  const KF_MASK magnitude = (KF_MASK) { 0 } + INT64_MAX;        /* ~sign bit */
  KF_VEC x1[KF_GROUPS], x2[KF_GROUPS], y1[KF_GROUPS], y2[KF_GROUPS];
  KF_VEC z1[KF_GROUPS], z2[KF_GROUPS], acc[KF_GROUPS];
  KF_VEC lv[KF_GROUPS], dv[KF_GROUPS];
  size_t i;
  unsigned g, l;

  for (g = 0; g < KF_GROUPS; g++) {
    x1[g] = x2[g] = y1[g] = y2[g] = z1[g] = z2[g] = acc[g] = zero;
    lv[g] = dv[g] = zero;
    for (l = 0; l < KF_LANES; l++) {
      unsigned c = g * KF_LANES + l;

      if (c < ch) {
        x1[g][l] = s->kx1[c];
        x2[g][l] = s->kx2[c];
        y1[g][l] = s->ky1[c];
        y2[g][l] = s->ky2[c];
        z1[g][l] = s->kz1[c];
        z2[g][l] = s->kz2[c];
        acc[g][l] = s->sub_acc[c];
        lv[g][l] = s->clv[c];
        dv[g][l] = s->cdv[c];
      }
    }
  }

  for (i = 0; i < n; i++) {
    for (g = 0; g < KF_GROUPS; g++) {
      KF_VEC v, y, z, a, d;
#ifndef KF_MAX
      KF_MASK gt;
#endif

      memcpy (&v, x + (i * KF_GROUPS + g) * KF_LANES, sizeof v);
      y = (sb0 * v + sb1 * x1[g] + sb2 * x2[g] - sa2 * y2[g]) - sa1 * y1[g];
      /* y1 + y1 == 2 * y1 exactly */
      z = ((y - (y1[g] + y1[g]) + y2[g]) - ha2 * z2[g]) - ha1 * z1[g];
      /* |v| and |v - x1| by clearing the sign bit; "a > lv ? a : lv" so
       * that a NaN never replaces the running value */
      a = (KF_VEC) ((KF_MASK) v & magnitude);
      d = (KF_VEC) ((KF_MASK) (v - x1[g]) & magnitude);
#ifdef KF_MAX
      lv[g] = KF_MAX (a, lv[g]);
      dv[g] = KF_MAX (d, dv[g]);
#else
      gt = a > lv[g];
      lv[g] = (KF_VEC) (((KF_MASK) a & gt) | ((KF_MASK) lv[g] & ~gt));
      gt = d > dv[g];
      dv[g] = (KF_VEC) (((KF_MASK) d & gt) | ((KF_MASK) dv[g] & ~gt));
#endif
      x2[g] = x1[g];
      x1[g] = v;
      y2[g] = y1[g];
      y1[g] = y;
      z2[g] = z1[g];
      z1[g] = z;
      acc[g] += z * z;
    }
  }

  for (g = 0; g < KF_GROUPS; g++)
    for (l = 0; l < KF_LANES; l++) {
      unsigned c = g * KF_LANES + l;

      if (c < ch) {
        s->kx1[c] = x1[g][l];
        s->kx2[c] = x2[g][l];
        s->ky1[c] = y1[g][l];
        s->ky2[c] = y2[g][l];
        s->kz1[c] = z1[g][l];
        s->kz2[c] = z2[g][l];
        s->sub_acc[c] = acc[g][l];
        s->clv[c] = lv[g][l];
        s->cdv[c] = dv[g][l];
        s->speak[c] = lv[g][l] > s->speak[c] ? lv[g][l] : s->speak[c];
      }
    }
}

#undef KF_FUNC
#undef KF_ATTR
#undef KF_VEC
#undef KF_MASK
#undef KF_LANES
#undef KF_GROUPS
#undef KF_MAX
