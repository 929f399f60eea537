/* gst-mastering — per-sample-type entry points of dsp/mseq.c
 *
 * Included once per sample type with SAMPLE (float, double), SUFFIX (f32,
 * f64) and SAMPLE_MAX (largest finite value of the type) defined.  Loading
 * (with the non-finite check) is fused with the M/S encoding and the
 * decoding with the gains and the store, so the chunk is read and written
 * once; the cascades run in place on the double work buffer.
 */
#define MST_CAT_(a, b) a##_##b
#define MST_CAT(a, b) MST_CAT_ (a, b)

/* finite double -> SAMPLE, no overflow to infinity, NaN -> 0 */
MST_NO_TRAP static inline SAMPLE
MST_CAT (store, SUFFIX) (double v)
{
  v = v > SAMPLE_MAX ? SAMPLE_MAX : (v < -SAMPLE_MAX ? -SAMPLE_MAX : v);
  return (SAMPLE) (v == v ? v : 0.0);
}

MST_CLONES MST_NO_TRAP size_t
MST_CAT (mst_mseq_process, SUFFIX) (MstMsEq * eq, const SAMPLE * in,
    SAMPLE * out, size_t n_frames)
{
  const unsigned nc = eq->channels;
  size_t bad = 0;
  int lr_identity;

  if (mst_mseq_is_identity (eq)) {
    size_t i, ns = n_frames * nc;
    for (i = 0; i < ns; i++) {
      SAMPLE v = in[i];
      int ok = isfinite (v);
      bad += !ok;
      out[i] = ok ? v : (SAMPLE) 0;
    }
    return bad;
  }
  lr_identity = !eq->lr || mst_biquad_is_identity (eq->lr);
  while (n_frames > 0) {
    size_t n = n_frames < CHUNK ? n_frames : CHUNK, i, ns = n * nc;
    double *w = eq->work, gm = eq->gm, gs = eq->gs;
    unsigned left = eq->gain_left;

    if (nc == 2 && lr_identity) {
      /* finite <=> v - v == 0 (NaN for NaN and infinities); unlike
       * isfinite () this vectorizes, as does a count as wide as a double */
      int64_t nb = 0;
      for (i = 0; i < n; i++) {
        double l = in[2 * i], r = in[2 * i + 1];
        int64_t badl = !(l - l == 0.0), badr = !(r - r == 0.0);
        nb += badl + badr;
        l = badl ? 0.0 : l;
        r = badr ? 0.0 : r;
        w[2 * i] = 0.5 * (l + r);
        w[2 * i + 1] = 0.5 * (l - r);
      }
      bad += (size_t) nb;
    } else {
      int64_t nb = 0;
      for (i = 0; i < ns; i++) {
        double v = in[i];
        int64_t b = !(v - v == 0.0);
        nb += b;
        w[i] = b ? 0.0 : v;
      }
      bad += (size_t) nb;
      if (nc == 2) {
        mst_biquad_process_f64 (eq->lr, w, w, n);
        for (i = 0; i < n; i++) {
          double l = w[2 * i], r = w[2 * i + 1];
          w[2 * i] = 0.5 * (l + r);
          w[2 * i + 1] = 0.5 * (l - r);
        }
      }
    }
    mst_biquad_process_f64 (eq->ms, w, w, n);
    if (nc == 1) {
      for (i = 0; i < n; i++) {
        gain_step (eq, &gm, &gs, &left);
        out[i] = MST_CAT (store, SUFFIX) (gm * w[i]);
      }
    } else if (left == 0) {
      for (i = 0; i < n; i++) {
        double m = gm * w[2 * i], s = gs * w[2 * i + 1];
        out[2 * i] = MST_CAT (store, SUFFIX) (m + s);
        out[2 * i + 1] = MST_CAT (store, SUFFIX) (m - s);
      }
    } else {
      for (i = 0; i < n; i++) {
        double m, s;
        gain_step (eq, &gm, &gs, &left);
        m = gm * w[2 * i];
        s = gs * w[2 * i + 1];
        out[2 * i] = MST_CAT (store, SUFFIX) (m + s);
        out[2 * i + 1] = MST_CAT (store, SUFFIX) (m - s);
      }
    }
    eq->gm = gm;
    eq->gs = gs;
    eq->gain_left = left;
    in += ns;
    out += ns;
    n_frames -= n;
  }
  return bad;
}

#undef MST_CAT
#undef MST_CAT_
