/* gst-mastering — limiter per-sample-type bodies (template)
 *
 * Included by limiter.c once per sample type, with
 *   SAMPLE      the sample type (float, double)
 *   SFX(name)   name with the type's suffix (name_f32, name_f64)
 *   SABS        the type's fabs
 * defined; they are undefined at the end.  Not a public header.
 *
 * Bodies: ingest (sanitise, input gain, planar copy for the detector),
 * output (gain from the knots, delay line, safety clamp) and the public
 * process function. */

/* n frames of in, times g, sanitised, to w (interleaved) and to the
 * planar scratch pl (stride CHUNK); C is a literal where it matters so
 * that the compiler can specialise the loop. */
static inline size_t
SFX (ingest_part) (const SAMPLE * in, SAMPLE * w, float *pl, size_t n,
    const unsigned C, const SAMPLE g)
{
  size_t bad = 0, i;
  unsigned c;

  if (g == (SAMPLE) 1) {
    for (i = 0; i < n; i++) {
      for (c = 0; c < C; c++) {
        SAMPLE v = in[i * C + c];
        int ok = SABS (v) <= (SAMPLE) FLT_MAX;

        bad += !ok;
        v = ok ? v : (SAMPLE) 0;
        w[i * C + c] = v;
        pl[(size_t) c * CHUNK + i] = (float) v;
      }
    }
  } else {
    for (i = 0; i < n; i++) {
      for (c = 0; c < C; c++) {
        SAMPLE v = in[i * C + c] * g;
        int ok = SABS (v) <= (SAMPLE) FLT_MAX;

        bad += !ok;
        v = ok ? v : (SAMPLE) 0;
        w[i * C + c] = v;
        pl[(size_t) c * CHUNK + i] = (float) v;
      }
    }
  }
  return bad;
}

/* The n frames of in (NULL: silence), sanitised and with the input gain,
 * to lim->clean (interleaved, native type) and to lim->planar (the
 * detector's input, float, one row of CHUNK per channel). */
MST_CLONES static size_t
SFX (ingest) (MstLimiter * lim, const SAMPLE * in, size_t n)
{
  const unsigned C = lim->channels;
  SAMPLE *clean = (SAMPLE *) lim->clean;
  size_t bad = 0, i;
  unsigned c;

  if (lim->gain_left > 0 || !in) {
    /* input-gain ramp (or silence): frame by frame */
    for (i = 0; i < n; i++) {
      double g = lim->gain_cur;

      if (lim->gain_left > 0) {
        lim->gain_cur += lim->gain_step;
        if (--lim->gain_left == 0)
          lim->gain_cur = lim->gain_target;
        g = lim->gain_cur;
      }
      for (c = 0; c < C; c++) {
        SAMPLE v = in ? (SAMPLE) (in[i * C + c] * g) : (SAMPLE) 0;

        /* NaN, Inf (or beyond float range after the gain): silence */
        if (!(SABS (v) <= (SAMPLE) FLT_MAX)) {
          v = 0;
          bad++;
        }
        clean[i * C + c] = v;
        lim->planar[(size_t) c * CHUNK + i] = (float) v;
      }
    }
    return bad;
  }

  {
    const SAMPLE g = (SAMPLE) lim->gain_cur;

    if (C == 2)
      bad = SFX (ingest_part) (in, clean, lim->planar, n, 2, g);
    else if (C == 1)
      bad = SFX (ingest_part) (in, clean, lim->planar, n, 1, g);
    else
      bad = SFX (ingest_part) (in, clean, lim->planar, n, C, g);
  }
  return bad;
}

/* The band limit: lim->lclean gets L, the band-limited n frames of
 * lim->clean (x, kept), the planar scratch L too (float, for the
 * detectors), lim->xw x delayed to line up with L and lim->dw |x - L|
 * (float, after their history). */
MST_CLONES static void
SFX (band_limit) (MstLimiter * lim, size_t n)
{
  const unsigned C = lim->channels, H = lim->bl_len - 1;
  const unsigned XH = MST_LIMITER_DETECTOR_TAPS - 1;
  const SAMPLE *clean = (const SAMPLE *) lim->clean;
  SAMPLE *lclean = (SAMPLE *) lim->lclean;
  SAMPLE *out = (SAMPLE *) lim->delayed;        /* scratch: C rows of
                                                 * CHUNK */
  const unsigned D = lim->bl_d;
  size_t i;
  unsigned c;

  for (c = 0; c < C; c++) {
    SAMPLE *w = SFX (lim->bl_hist) + (size_t) c * (H + CHUNK);
    SAMPLE *oc = out + (size_t) c * CHUNK;      /* L of this channel */
    float *pl = lim->planar + (size_t) c * CHUNK;
    float *xp = lim->xw + (size_t) c * (XH + CHUNK) + XH;
    float *dp = lim->dw + (size_t) c * (DH + CHUNK) + DH;

    /* float streams: the planar scratch holds x exactly */
    if (sizeof (SAMPLE) == sizeof (float))
      memcpy (w + H, pl, sizeof (float) * n);
    else
      for (i = 0; i < n; i++)
        w[H + i] = clean[i * C + c];
#ifdef MST_HAVE_WIDE
    if (lim->wide)
      SFX (band_limit_run_wide) (lim->BL_COEF, lim->bl_len, w, oc, n);
    else
#endif
      SFX (band_limit_run) (lim->BL_COEF, lim->bl_len, w, oc, n);
    for (i = 0; i < n; i++) {
      pl[i] = (float) oc[i];
      xp[i] = (float) w[i + D];
    }
    for (i = 0; i < n; i++)
      dp[i] = fabsf (xp[i] - pl[i]);
    memmove (w, w + n, sizeof (SAMPLE) * H);
  }
  /* interleave L (stereo spelt out: the compiler vectorises it) */
  if (C == 1) {
    memcpy (lclean, out, sizeof (SAMPLE) * n);
  } else if (C == 2) {
    for (i = 0; i < n; i++) {
      lclean[2 * i] = out[i];
      lclean[2 * i + 1] = out[CHUNK + i];
    }
  } else {
    for (c = 0; c < C; c++)
      for (i = 0; i < n; i++)
        lclean[i * C + c] = out[(size_t) c * CHUNK + i];
  }
}

/* out = g (L + v (x - L)) for aligned frames a0 ..: v is the x/L track
 * (linear between knots) and 0 where g <= BL_G0, rising to it at g = 1;
 * v = 1 and g = 1: out = x exactly.  Gains per frame (linked) or per
 * sample. */
MST_CLONES static void
SFX (apply_bl) (MstLimiter * lim, int64_t a0, SAMPLE * out,
    const SAMPLE * x, const SAMPLE * l, size_t n)
{
  const unsigned C = lim->channels;
  const size_t gs = lim->out_linked ? 1 : C;    /* gain stride */
  const float fade = (float) (1.0 / (1.0 - BL_G0));
  /* linked: consecutive whole segments from one source (all L or all
   * x) are gathered into one run and done in one call (a call per
   * segment of a block's ~20 frames cost more than the multiplies) */
  const SAMPLE *run = NULL;
  size_t run0 = 0, done = 0, i;
  unsigned c;

#define FLUSH_RUN()                                                     \
  do {                                                                  \
    if (run)                                                            \
      SFX (apply) (lim, out + run0 * C, run + run0 * C,                 \
          lim->gain + run0, done - run0);                               \
    run = NULL;                                                         \
  } while (0)

  /* per segment in one block (the x/L track is linear there) */
  while (done < n) {
    const int64_t a = a0 + (int64_t) done;
    const size_t m = seg_len (lim, a, n - done);
    const int64_t b = block_of (lim, a);
    const float t0 = (float) (a - b * (int64_t) lim->B) / lim->B;
    const float dt = 1.0f / lim->B;

    if (lim->out_linked) {
      /* one gain per frame: where every channel has the same x/L track
       * (always, while linked) and the segment is all L or all x, the
       * frames are done whole */
      const float *g = lim->gain + done;
      const float v0 = lim->grp[0].vk[b & lim->gmask];
      const float v1 = lim->grp[0].vk[(b + 1) & lim->gmask];
      const float ghi = g[0] > g[m - 1] ? g[0] : g[m - 1];
      const float glo = g[0] < g[m - 1] ? g[0] : g[m - 1];
      int same = 1;
      const SAMPLE *src = NULL;

      for (c = 1; c < C; c++)
        same &= lim->grp[c].vk[b & lim->gmask] == v0
            && lim->grp[c].vk[(b + 1) & lim->gmask] == v1;

      if (same && ((v0 == 0.0f && v1 == 0.0f) || ghi <= (float) BL_G0))
        src = l;
      else if (same && v0 >= 1.0f && v1 >= 1.0f && glo >= 1.0f)
        src = x;
      if (src) {
        if (src != run) {
          FLUSH_RUN ();
          run = src;
          run0 = done;
        }
        done += m;
        continue;
      }
    }
    FLUSH_RUN ();
    for (c = 0; c < C; c++) {
      const float *vk = lim->grp[c].vk;
      const float v0 = vk[b & lim->gmask], v1 = vk[(b + 1) & lim->gmask];
      const float *g = lim->gain + done * gs + (lim->out_linked ? 0 : c);
      const SAMPLE *xs = x + done * C + c, *ls = l + done * C + c;
      SAMPLE *o = out + done * C + c;

      /* the gain is linear in the segment: its extremes are at its ends */
      const float ga = g[0], gb = g[(m - 1) * gs];
      const float ghi = ga > gb ? ga : gb, glo = ga < gb ? ga : gb;

      if ((v0 == 0.0f && v1 == 0.0f) || ghi <= (float) BL_G0) {
        /* L alone */
        for (i = 0; i < m; i++)
          o[i * C] = (SAMPLE) g[i * gs] * ls[i * C];
        continue;
      }
      if (v0 >= 1.0f && v1 >= 1.0f && glo >= 1.0f) {
        /* x alone */
        for (i = 0; i < m; i++)
          o[i * C] = xs[i * C] * (SAMPLE) g[i * gs];
        continue;
      }
      for (i = 0; i < m; i++) {
        const float gk = g[i * gs];
        const float vt = v0 == v1 ? v0 : v0 + (v1 - v0) * (t0 + dt * i);
        float v = gk >= 1.0f ? 1.0f : (gk - (float) BL_G0) * fade;

        v = v > 0.0f ? v : 0.0f;
        v = v < vt ? v : vt;
        if (v >= 1.0f)
          o[i * C] = xs[i * C] * (SAMPLE) gk;
        else
          o[i * C] = (SAMPLE) gk * (ls[i * C] + (SAMPLE) v * (xs[i * C]
                  - ls[i * C]));
      }
    }
    done += m;
  }
  FLUSH_RUN ();
#undef FLUSH_RUN
}

MST_CLONES static void
SFX (output) (MstLimiter * lim, int64_t feed0, SAMPLE * out, size_t n)
{
  const unsigned C = lim->channels;
  const SAMPLE *clean = (const SAMPLE *) lim->clean;
  SAMPLE *delayed = (SAMPLE *) lim->delayed;
  size_t done, i;
  float minceil = INFINITY;
  SAMPLE peak = 0;
  unsigned c;

  /* 1: the gain of every output frame, linear between knots */
  lim->out_linked = chunk_linked (lim, feed0 - (int64_t) lim->dq, n);
  for (done = 0; done < n;) {
    int64_t a = feed0 + (int64_t) done - (int64_t) lim->dq;
    size_t m = seg_len (lim, a, n - done);
    float cb = ceil_of (lim, a);

    minceil = cb < minceil ? cb : minceil;
    if (lim->out_linked) {
      float *g = lim->gain + done;

      fill_ramp (lim, lim->gl, a, m, g, 1);
      lim->last_gain = g[m - 1];
      if (g[0] < lim->min_gain)
        lim->min_gain = g[0];
      if (g[m - 1] < lim->min_gain)
        lim->min_gain = g[m - 1];
    } else {
      float lg = 1.0f;
      float *g = lim->gain + done * C;

      for (c = 0; c < C; c++) {
        fill_ramp (lim, lim->grp[c].g, a, m, g + c, C);
        if (g[c] < lim->min_gain)
          lim->min_gain = g[c];
        if (g[(m - 1) * C + c] < lg)
          lg = g[(m - 1) * C + c];
      }
      lim->last_gain = lg;
      if (lg < lim->min_gain)
        lim->min_gain = lg;
    }
    done += m;
  }

  /* 2: the audio, delayed by the latency, times the gain */
  if (lim->bl_on) {
    SAMPLE *ld = (SAMPLE *) lim->ldelayed;

    SFX (mst_delay_line_process) (SFX (lim->delayx), clean, delayed, n);
    SFX (mst_delay_line_process) (SFX (lim->delay),
        (const SAMPLE *) lim->lclean, ld, n);
    SFX (apply_bl) (lim, feed0 - (int64_t) lim->dq, out, delayed, ld, n);
  } else {
    SFX (mst_delay_line_process) (SFX (lim->delay), clean, delayed, n);
    SFX (apply) (lim, out, delayed, lim->gain, n);
  }

  /* 3: safety stage, per block (each has its own ceiling) */
  peak = SFX (peak) (out, n * C);
  if (peak <= (SAMPLE) minceil)
    return;
  for (done = 0; done < n;) {
    int64_t a = feed0 + (int64_t) done - (int64_t) lim->dq;
    size_t m = seg_len (lim, a, n - done);
    const SAMPLE lc = (SAMPLE) ceil_of (lim, a);
    SAMPLE *o = out + done * C;

    for (i = 0; i < m * C; i++) {
      if (o[i] > lc) {
        o[i] = lc;
        lim->clips++;
      } else if (o[i] < -lc) {
        o[i] = -lc;
        lim->clips++;
      }
    }
    done += m;
  }
}

/* The correction stage: y (n frames of the main stage's output, feed
 * indices feed0 ..) -> out.  The detectors read y; r = thr / reading
 * where the reading is over thr (the ceiling of y's frame times
 * MARGIN2), 1 elsewhere (linked: the smallest over channels); the gain is
 * the mean over N2 = 2 A2 + 1 samples of the minimum of r over
 * 2 A2 + 2 H2 + 1 samples, so that it is <= r over H2 samples either side
 * of every sample it applies to; y is delayed by L2 to meet it. */
static void
SFX (correct) (MstLimiter * lim, int64_t feed0, const SAMPLE * y,
    SAMPLE * out, size_t n)
{
  const unsigned C = lim->channels;
  SAMPLE *delayed = (SAMPLE *) lim->delayed;
  const double N2 = lim->N2;
  size_t i, done;
  unsigned c;

  /* the ceiling of every frame of y (its block's, see output) */
  for (done = 0; done < n;) {
    int64_t a = feed0 + (int64_t) done - (int64_t) lim->dq;
    size_t m = seg_len (lim, a, n - done);
    const float cb = ceil_of (lim, a);

    for (i = 0; i < m; i++)
      lim->cceil[(size_t) (feed0 + (int64_t) (done + i)) & lim->cmask] = cb;
    done += m;
  }

  /* detection: env[c][i] belongs to y frame feed0 + i - d_tp2 */
  {
    float lowest = INFINITY;

    for (i = 0; i <= lim->cmask; i++)
      lowest = lim->cceil[i] < lowest ? lim->cceil[i] : lowest;
    lowest = (float) (lowest * MARGIN2);
    for (c = 0; c < C; c++) {
      float *pl = lim->planar + (size_t) c * CHUNK;
      float *e = lim->env + (size_t) c * CHUNK;
      float *em = lim->env2_m + (size_t) c * (lim->d_m2 + CHUNK);

      for (i = 0; i < n; i++)
        pl[i] = (float) y[i * C + c];
      mst_true_peak_process_env (lim->tp2, c, pl, e, n, lowest);
      mst_true_peak_process_env (lim->tpm2, c, pl, em + lim->d_m2, n,
          lowest);
      for (i = 0; i < n; i++) {
        e[i] = em[i] > e[i] ? em[i] : e[i];
        e[i] *= lim->det_scale;
      }
      memmove (em, em + n, sizeof (float) * lim->d_m2);
    }
  }

  /* r per frame (linked) or per sample, into cgain (interleaved) */
  for (i = 0; i < n; i++) {
    const double thr = lim->cceil[(size_t) (feed0 + (int64_t) i
            - (int64_t) lim->d_tp2) & lim->cmask] * MARGIN2;
    float rmin = 1.0f;

    for (c = 0; c < C; c++) {
      const float e = lim->env[(size_t) c * CHUNK + i];
      const float r = e > thr ? (float) (thr / e) : 1.0f;

      lim->cgain[i * C + c] = r;
      rmin = r < rmin ? r : rmin;
    }
    if (lim->linked)
      for (c = 0; c < C; c++)
        lim->cgain[i * C + c] = rmin;
  }

  /* hold and ramp */
  for (i = 0; i < n; i++) {
    int red = 0;

    for (c = 0; c < C; c++) {
      double *box = lim->cbox + (size_t) c * lim->N2;
      const double m = mst_minmax_push (lim->cmin[c], lim->cgain[i * C + c]);
      double g;

      lim->csum[c] += m - box[lim->cbox_pos];
      box[lim->cbox_pos] = m;
      g = lim->csum[c] / N2;
      g = g < 1.0 ? g : 1.0;
      red |= g < 1.0;
      lim->cgain[i * C + c] = (float) g;
    }
    lim->corr_frames += (uint64_t) red;
    if (++lim->cbox_pos == lim->N2) {
      /* re-sum exactly once per lap: no drift */
      lim->cbox_pos = 0;
      for (c = 0; c < C; c++) {
        const double *box = lim->cbox + (size_t) c * lim->N2;
        double sum = 0.0;
        unsigned k;

        for (k = 0; k < lim->N2; k++)
          sum += box[k];
        lim->csum[c] = sum;
      }
    }
  }

  SFX (mst_delay_line_process) (SFX (lim->delay2), y, delayed, n);
  SFX (apply_each) (out, delayed, lim->cgain, n * C);
}

size_t
SFX (mst_limiter_process) (MstLimiter * lim, const SAMPLE * in, SAMPLE * out,
    size_t n_frames)
{
  const unsigned C = lim->channels;
  size_t bad = 0;

  while (n_frames > 0) {
    size_t n = n_frames < CHUNK ? n_frames : CHUNK;
    float floor_ = (float) (lim->ceiling * MARGIN);
    int64_t feed0 = lim->feed;

    bad += SFX (ingest) (lim, in, n);
    if (lim->bl_on)
      SFX (band_limit) (lim, n);
    det_run (lim, &lim->det[0], lim->planar, lim->env, n, floor_);
    if (lim->bl_on)
      xcheck (lim, feed0, n, floor_);
    if (lim->det_scale != 1.0f) {
      size_t i;

      for (i = 0; i < (size_t) C * CHUNK; i++)
        lim->env[i] *= lim->det_scale;
      for (i = 0; i < (size_t) C * (CHUNK + 2); i++)
        lim->eseg[i] *= lim->det_scale;
    }
    lim->feed += n;
    blocks_from_env (lim, n);
    if (lim->corr_on) {
      SFX (output) (lim, feed0, (SAMPLE *) lim->ybuf, n);
      SFX (correct) (lim, feed0, (const SAMPLE *) lim->ybuf, out, n);
    } else {
      SFX (output) (lim, feed0, out, n);
    }
    if (in)
      in += n * C;
    out += n * C;
    n_frames -= n;
  }
  lim->nonfinite += bad;
  return bad;
}


#undef SAMPLE
#undef SFX
#undef SABS
#undef BL_COEF
