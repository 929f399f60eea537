/* gst-mastering — per-sample-type entry points of dsp/mseq.c
 *
 * Included once per sample type with SAMPLE (float, double), SUFFIX (f32,
 * f64) and SAMPLE_MAX (largest finite value of the type) defined.
 */
#define MST_CAT_(a, b) a##_##b
#define MST_CAT(a, b) MST_CAT_ (a, b)

size_t
MST_CAT (mst_mseq_process, SUFFIX) (MstMsEq * eq, const SAMPLE * in,
    SAMPLE * out, size_t n_frames)
{
  const unsigned nc = eq->channels;
  size_t bad = 0;

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
  while (n_frames > 0) {
    size_t n = n_frames < CHUNK ? n_frames : CHUNK, i, ns = n * nc;
    double *w = eq->work;

    for (i = 0; i < ns; i++) {
      double v = in[i];
      int ok = isfinite (v);
      bad += !ok;
      w[i] = ok ? v : 0.0;
    }
    run_chunk (eq, w, n);
    for (i = 0; i < ns; i++) {
      double v = w[i];
      /* no overflow to infinity in the output type */
      v = v > SAMPLE_MAX ? SAMPLE_MAX : (v < -SAMPLE_MAX ? -SAMPLE_MAX : v);
      v = v == v ? v : 0.0;
      out[i] = (SAMPLE) v;
    }
    in += ns;
    out += ns;
    n_frames -= n;
  }
  return bad;
}

#undef MST_CAT
#undef MST_CAT_
