/* gst-mastering — loudnorm processing for one sample type
 *
 * Included by loudnorm.c once per type with SAMPLE (float or double) and
 * SFX(name) (appends the type suffix) defined.  Not a public header.
 */

/* Applies the gain in force (and its ramp) to n frames in place; n never
 * crosses a plan boundary. */
static void
SFX (gain_run) (MstLoudnorm * ln, SAMPLE * buf, size_t n)
{
  size_t ch = ln->channels, i, c;

  while (n > 0) {
    if (ln->ramp_left > 0) {
      size_t m = n < ln->ramp_left ? n : ln->ramp_left;
      double g = ln->g_lin, mul = ln->ramp_mul;

      for (i = 0; i < m; i++) {
        g *= mul;
        for (c = 0; c < ch; c++)
          buf[c] = (SAMPLE) (buf[c] * g);
        buf += ch;
      }
      ln->ramp_left -= m;
      n -= m;
      if (ln->ramp_left == 0) {
        /* land exactly on the planned value */
        ln->g_db = ln->ramp_end_db;
        ln->g_lin = mst_db_to_lin (ln->g_db);
      } else {
        ln->g_lin = g;
        ln->g_db = mst_lin_to_db (g);
      }
    } else {
      SAMPLE g = (SAMPLE) ln->g_lin;

      if (ln->g_lin != 1.0)
        for (i = 0; i < n * ch; i++)
          buf[i] *= g;
      n = 0;
    }
  }
}

size_t
SFX (mst_loudnorm_process) (MstLoudnorm * ln, const SAMPLE * in,
    SAMPLE * out, size_t n_frames)
{
  size_t ch = ln->channels, done = 0, bad = 0;
  SAMPLE *scratch = (SAMPLE *) ln->scratch;

  while (done < n_frames) {
    size_t n = run_length (ln, n_frames - done);
    const SAMPLE *src = in ? in + done * ch : NULL;
    SAMPLE *dst = out + done * ch;

    /* read all of in before out is written: in may equal out */
    if (src)
      bad += SFX (mst_loudness_process) (ln->in_meter, src, n);
    else
      mst_loudness_process_silence (ln->in_meter, n);
    SFX (mst_delay_line_process) (ln->SFX (delay), src, scratch, n);
    SFX (gain_run) (ln, scratch, n);
    SFX (mst_limiter_process) (ln->limiter, scratch, dst, n);
    SFX (mst_loudness_process) (ln->out_meter, dst, n);
    advance (ln, n);
    done += n;
  }
  return bad;
}
