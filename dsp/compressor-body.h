/* gst-mastering — per-sample-type entry point of the multiband compressor
 * (included by compressor.c once per type with SAMPLE and SUFFIX defined:
 * float/f32, double/f64).  Converts a chunk of interleaved input to double
 * (non-finite samples become 0, mid/side encoded when that mode is on),
 * runs it, and writes the chunk back (mid/side decoded).
 */
#define MST_CAT_(a, b) a ## b
#define MST_CAT(a, b) MST_CAT_ (a, b)

/* Input chunk to double: non-finite samples become 0 (counted). */
static MST_CLONES size_t
MST_CAT (load_, SUFFIX) (const SAMPLE * restrict in, double *restrict x,
    size_t n)
{
  size_t t, bad = 0;

  if (!in) {
    memset (x, 0, n * sizeof (double));
    return 0;
  }
  for (t = 0; t < n; t++) {
    double v = in[t];
    int ok = isfinite (v);

    bad += !ok;
    x[t] = ok ? v : 0.0;
  }
  return bad;
}

size_t
MST_CAT (mst_compressor_process_, SUFFIX) (MstCompressor * c,
    const SAMPLE * in, SAMPLE * out, size_t n_frames)
{
  const unsigned C = c->channels;
  const int ms = C == 2 && c->mode == MST_COMPRESSOR_MID_SIDE;
  double y[CHUNK * MST_COMPRESSOR_MAX_CHANNELS];
  double *x = c->x;
  size_t bad = 0;

  while (n_frames > 0) {
    size_t n = n_frames < CHUNK ? n_frames : CHUNK, t;

    bad += MST_CAT (load_, SUFFIX) (in, x, n * C);
    if (in)
      in += n * C;
    if (ms)
      for (t = 0; t < n; t++) {
        double l = x[2 * t], r = x[2 * t + 1];

        x[2 * t] = 0.5 * (l + r);
        x[2 * t + 1] = 0.5 * (l - r);
      }
    process_chunk (c, y, n);
    if (ms)
      for (t = 0; t < n; t++) {
        out[2 * t] = (SAMPLE) (y[2 * t] + y[2 * t + 1]);
        out[2 * t + 1] = (SAMPLE) (y[2 * t] - y[2 * t + 1]);
    } else
      for (t = 0; t < n * C; t++)
        out[t] = (SAMPLE) y[t];
    out += n * C;
    n_frames -= n;
  }
  c->nonfinite += bad;
  return bad;
}

#undef MST_CAT
#undef MST_CAT_
