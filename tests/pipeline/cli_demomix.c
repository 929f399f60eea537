/* gst-mastering — the built-in demo mix (tools/demomix.h), without GStreamer
 *
 * What the demo mix promises (its header and the CLI brief), checked with
 * the BS.1770 meter core:
 * - length: 22 bars of 4/4 at 120 BPM = 44 s, at every rate;
 * - determinism: the same samples however the rendering is split, after
 *   mst_demomix_reset(), and from a second instance;
 * - every sample finite and inside (-1, 1) (no clipping in any format);
 * - "deliberately unmastered": integrated loudness -20 .. -18 LUFS, a true
 *   peak above -1 dBTP (over the usual ceiling) that reads higher than the
 *   sample peak (inter-sample overs);
 * - a quiet intro and a louder chorus: the intro's gated loudness at least
 *   6 LU below the chorus's, and a loudness range above 5 LU;
 * - some stereo width: L/R correlation below 0.97 but above 0.3 (mono
 *   compatible);
 * - other rates (44.1, 96 kHz) give the same arrangement: loudness within
 *   1 LU of the 48 kHz mix.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mtest.h"
#include "demomix.h"
#include "dsp/loudness.h"

#define DEMO_SECONDS (22 * 4 * 60.0 / 120.0)

static float *
render_all (unsigned rate, size_t * n_frames)
{
  MstDemoMix *mix = mst_demomix_new (rate);
  size_t len, n;
  float *buf;

  if (!mix)
    return NULL;
  len = (size_t) mst_demomix_length (mix);
  buf = malloc ((len + 16) * 2 * sizeof (float));
  n = mst_demomix_render_f32 (mix, buf, len + 16);
  mst_demomix_free (mix);
  *n_frames = n;
  return buf;
}

static double
db (double lin)
{
  return 20.0 * log10 (lin);
}

static double
section_loudness (const float *buf, unsigned rate, const char *name)
{
  const MstDemoMixSection *s;
  unsigned i, n;

  s = mst_demomix_sections (&n);
  for (i = 0; i < n; i++) {
    if (strcmp (s[i].name, name) == 0) {
      size_t a = (size_t) (s[i].start_s * rate);
      size_t b = (size_t) (s[i].end_s * rate);
      MstLoudness *l = mst_loudness_new (rate, 2, 0);
      double v;

      mst_loudness_process_f32 (l, buf + 2 * a, b - a);
      v = mst_loudness_integrated (l);
      mst_loudness_free (l);
      return v;
    }
  }
  return NAN;
}

int
main (void)
{
  const unsigned rate = MST_DEMOMIX_DEFAULT_RATE;
  MstDemoMix *mix, *mix2;
  MstLoudness *meter;
  float *ref, *chunked, *again;
  size_t n, pos, i, bad = 0, mismatch;
  double sp_max = 0.0, tp_max = 0.0, max_over = -INFINITY, peak = 0.0;
  double sl = 0.0, sr = 0.0, slr = 0.0, integrated, intro, chorus;
  unsigned ch, k, ns;
  clock_t t0;

  /* --- length and rendering ------------------------------------------- */
  MT_CLOSE (mst_demomix_duration (), DEMO_SECONDS, 1e-9,
      "duration = 22 bars at 120 BPM");
  mt_ok (mst_demomix_new (8000) == NULL, "rate below 32 kHz refused");
  mt_ok (mst_demomix_new (384000) == NULL, "rate above 192 kHz refused");

  t0 = clock ();
  ref = render_all (rate, &n);
  mt_diag ("rendering 44 s took %.3f s CPU",
      (double) (clock () - t0) / CLOCKS_PER_SEC);
  if (!mt_ok (ref != NULL, "48 kHz mix rendered"))
    return mt_done ();
  mt_ok (n == (size_t) llround (DEMO_SECONDS * rate),
      "%zu frames = 44 s at 48 kHz (asked for 16 more)", n);

  for (i = 0; i < 2 * n; i++) {
    if (!isfinite (ref[i]) || fabsf (ref[i]) >= 1.0f)
      bad++;
    if (fabsf (ref[i]) > peak)
      peak = fabsf (ref[i]);
  }
  mt_ok (bad == 0, "every sample finite and inside (-1, 1) (%zu bad, "
      "peak %.4f)", bad, peak);

  /* --- determinism ----------------------------------------------------- */
  mix = mst_demomix_new (rate);
  chunked = malloc (n * 2 * sizeof (float));
  again = malloc (n * 2 * sizeof (float));
  /* odd chunk sizes that straddle the internal block and event starts */
  for (pos = 0, k = 0; pos < n; k++) {
    static const size_t sizes[] = { 1, 7, 255, 256, 257, 1000, 4096, 3 };
    size_t want = sizes[k % (sizeof (sizes) / sizeof (sizes[0]))];
    size_t got = mst_demomix_render_f32 (mix, chunked + 2 * pos, want);

    if (got == 0)
      break;
    pos += got;
  }
  mt_ok (pos == n && mst_demomix_position (mix) == n,
      "chunked rendering gives the same length (%zu)", pos);
  mt_ok (mst_demomix_render_f32 (mix, again, 10) == 0,
      "nothing after the end");
  mt_ok (memcmp (ref, chunked, n * 2 * sizeof (float)) == 0,
      "chunked rendering is bit-identical");

  mst_demomix_reset (mix);
  mt_ok (mst_demomix_position (mix) == 0, "reset rewinds");
  mst_demomix_render_f32 (mix, again, n);
  mt_ok (memcmp (ref, again, n * 2 * sizeof (float)) == 0,
      "after reset: bit-identical");

  mix2 = mst_demomix_new (rate);
  mst_demomix_render_f32 (mix2, again, n);
  for (i = 0, mismatch = 0; i < 2 * n; i++)
    mismatch += ref[i] != again[i];
  mt_ok (mismatch == 0, "a second instance: bit-identical (%zu differ)",
      mismatch);
  mst_demomix_free (mix2);
  mst_demomix_free (mix);
  free (chunked);
  free (again);

  /* --- loudness and peaks (BS.1770 meter core) ----------------------- */
  meter = mst_loudness_new (rate, 2, MST_LOUDNESS_TRUE_PEAK);
  mst_loudness_process_f32 (meter, ref, n);
  integrated = mst_loudness_integrated (meter);
  MT_RANGE (integrated, -20.0, -18.0, "integrated loudness (LUFS)");
  MT_RANGE (mst_loudness_range (meter), 5.0, 25.0, "loudness range (LU)");
  for (ch = 0; ch < 2; ch++) {
    double sp = db (mst_loudness_sample_peak (meter, ch));
    double tp = db (mst_loudness_true_peak (meter, ch));

    mt_diag ("channel %u: sample peak %.2f dBFS, true peak %.2f dBTP",
        ch, sp, tp);
    sp_max = fmax (sp_max == 0.0 ? -INFINITY : sp_max, sp);
    tp_max = fmax (tp_max == 0.0 ? -INFINITY : tp_max, tp);
    max_over = fmax (max_over, tp - sp);
  }
  mt_ok (tp_max > -1.0, "true peak %.2f dBTP above the -1 dBTP ceiling",
      tp_max);
  mt_ok (sp_max < 0.0, "sample peak %.2f dBFS below full scale", sp_max);
  mt_ok (max_over > 0.3, "inter-sample overs: true peak exceeds the "
      "sample peak by %.2f dB (> 0.3) in a channel", max_over);
  mst_loudness_free (meter);

  intro = section_loudness (ref, rate, "intro");
  chorus = section_loudness (ref, rate, "chorus");
  mt_diag ("intro %.2f LUFS, chorus %.2f LUFS", intro, chorus);
  mt_ok (isfinite (intro) && isfinite (chorus) && chorus - intro >= 6.0,
      "quiet intro: chorus %.1f LU louder (>= 6)", chorus - intro);
  mst_demomix_sections (&ns);
  mt_ok (ns >= 3, "%u sections", ns);

  for (i = 0; i < n; i++) {
    sl += (double) ref[2 * i] * ref[2 * i];
    sr += (double) ref[2 * i + 1] * ref[2 * i + 1];
    slr += (double) ref[2 * i] * ref[2 * i + 1];
  }
  MT_RANGE (slr / sqrt (sl * sr), 0.3, 0.97, "L/R correlation (stereo "
      "width, mono compatible)");
  free (ref);

  /* --- other rates: the same arrangement ------------------------------- */
  {
    static const unsigned rates[] = { 44100, 96000 };

    for (k = 0; k < 2; k++) {
      float *buf = render_all (rates[k], &n);

      if (!mt_ok (buf != NULL, "%u Hz mix rendered", rates[k]))
        continue;
      mt_ok (n == (size_t) llround (DEMO_SECONDS * rates[k]),
          "%u Hz: %zu frames = 44 s", rates[k], n);
      meter = mst_loudness_new (rates[k], 2, 0);
      mst_loudness_process_f32 (meter, buf, n);
      MT_CLOSE (mst_loudness_integrated (meter), integrated, 1.0,
          "%u Hz: integrated loudness near the 48 kHz value", rates[k]);
      mst_loudness_free (meter);
      free (buf);
    }
  }

  return mt_done ();
}
