/* gst-mastering — per-sample-type entry points of dsp/biquad.c
 *
 * Included once per sample type with SAMPLE (float or double) and SUFFIX
 * (f32, f64) defined.  The cascade runs on double chunks in the work
 * buffer; these functions only load and store the samples.
 */
#define MST_CAT_(a, b) a##_##b
#define MST_CAT(a, b) MST_CAT_ (a, b)

void
MST_CAT (mst_biquad_process, SUFFIX) (MstBiquad * bq, const SAMPLE * in,
    SAMPLE * out, size_t n_frames)
{
  const unsigned nc = bq->channels;

#if SAMPLE_IS_DOUBLE
  if ((const double *) in == (double *) out) {
    run_inplace (bq, out, n_frames);
    return;
  }
#endif
  while (n_frames > 0) {
    size_t n = n_frames < CHUNK ? n_frames : CHUNK, i;
    size_t ns = n * nc;
    double *w = bq->work;

    for (i = 0; i < ns; i++)
      w[i] = in[i];
    run_inplace (bq, w, n);
    for (i = 0; i < ns; i++)
      out[i] = (SAMPLE) w[i];
    in += ns;
    out += ns;
    n_frames -= n;
  }
}

void
MST_CAT (mst_biquad_process_planar, SUFFIX) (MstBiquad * bq,
    const SAMPLE * const *in, SAMPLE * const *out, size_t n_frames)
{
  const unsigned nc = bq->channels;
  size_t done = 0;

  while (done < n_frames) {
    size_t n = n_frames - done < CHUNK ? n_frames - done : CHUNK, i;
    double *w = bq->work;
    unsigned c;

    for (c = 0; c < nc; c++)
      for (i = 0; i < n; i++)
        w[i * nc + c] = in[c][done + i];
    run_inplace (bq, w, n);
    for (c = 0; c < nc; c++)
      for (i = 0; i < n; i++)
        out[c][done + i] = (SAMPLE) w[i * nc + c];
    done += n;
  }
}

#undef MST_CAT
#undef MST_CAT_
