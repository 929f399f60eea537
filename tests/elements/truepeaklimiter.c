/* gst-mastering — GstCheck/GstHarness tests for the truepeaklimiter element
 *
 * Expectations (docs/conformance.md §8):
 * - latency: the query answers upstream + the limiter's latency, and that
 *   is exactly the number of frames the element holds (pushed - pulled);
 * - output frame n is input frame n: data bit-exact under the ceiling,
 *   every output buffer stamped with the timestamp of its first frame
 *   (pts of the input buffer it came from + frames / rate), split at
 *   DISCONT; at EOS the held frames come out before EOS, so output length
 *   == input length; a flush drops them;
 * - over the ceiling: true peak (4x meter core) <= ceiling, 16x <= +0.3 dB,
 *   safety-clips 0; a steady sine A over the ceiling C reports a gain
 *   reduction of 20 log10 (A / C);
 * - messages every interval, final one at EOS; NaN -> silence + one
 *   warning; controlled / changed properties while playing.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <math.h>
#include <string.h>

#include <gst/gst.h>
#include <gst/audio/audio.h>
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/controller/gstdirectcontrolbinding.h>
#include <gst/controller/gsttriggercontrolsource.h>

#include "meterpeak.h"
#include "mstcheck.h"

#define RATE 48000
#define pull_all(h, ch, out, count) \
  mst_check_pull_f32 ((h), (ch), RATE, (out), (count))
#define query_latency mst_check_query_latency
#define push_frames(h, x, frames, ch, block, first_frame) \
  mst_check_push_f32 ((h), (x), (frames), (ch), RATE, (block), (first_frame))
#define tp4(y, n, ch) mtp_meter ((y), (n), (ch), RATE)
#define tp16 mtp_16x
#define collect_messages(bus) \
  mst_check_collect_messages ((bus), "truepeaklimiter")
#define CAPS_F32(ch) "audio/x-raw, format=" GST_AUDIO_NE (F32) \
    ", layout=interleaved, rate=48000, channels=" #ch
#define CAPS_F64(ch) "audio/x-raw, format=" GST_AUDIO_NE (F64) \
    ", layout=interleaved, rate=48000, channels=" #ch

static const gchar *msg_fields[] = {
  "timestamp", "stream-time", "running-time", "duration", "gain-reduction",
  "gain-reduction-max", "safety-clips", "final", NULL
};

/* ---- helpers ------------------------------------------------------------ */

#define limiter_new(caps, bus) \
  mst_check_harness_new ("truepeaklimiter", (caps), (bus))
#define limiter_free mst_check_harness_free

static GstBuffer *
f32_buffer (const gfloat * x, gsize frames, gint ch, GstClockTime pts)
{
  GstBuffer *b = gst_buffer_new_allocate (NULL, frames * ch * 4, NULL);

  gst_buffer_fill (b, 0, x, frames * ch * 4);
  GST_BUFFER_PTS (b) = pts;
  GST_BUFFER_DURATION (b) = gst_util_uint64_scale_int_round (frames,
      GST_SECOND, RATE);
  return b;
}

/* Deterministic noise in [-a, a). */
static void
noise (gfloat * x, gsize n, gdouble a, guint32 seed)
{
  gsize i;

  for (i = 0; i < n; i++) {
    seed = seed * 1664525u + 1013904223u;
    x[i] = (gfloat) (a * ((seed >> 8) / 8388608.0 - 1.0));
  }
}

static gdouble
db (gdouble v)
{
  return 20.0 * log10 (v);
}

/* The 4x meter's reading of a steady fs/4 tone at 45 degrees with its
 * samples at +-1 (faded in over 0.1 s, so that no onset overshoot
 * counts), dBTP. */
static gdouble
steady_fs4_tp (void)
{
  gsize n = RATE * 6 / 10, i;
  gfloat *t = g_new (gfloat, n);
  gdouble r;

  for (i = 0; i < n; i++)
    t[i] = (gfloat) (MIN (1.0, i / (0.1 * RATE)) * G_SQRT2 *
        sin (G_PI / 2 * i + G_PI / 4));
  r = db (tp4 (t, n, 1));
  g_free (t);
  return r;
}

static void
check_message (const GstStructure * s)
{
  gint i;

  for (i = 0; msg_fields[i]; i++)
    fail_unless (gst_structure_has_field (s, msg_fields[i]), "no %s",
        msg_fields[i]);
  fail_unless (gst_structure_has_field_typed (s, "timestamp", G_TYPE_UINT64));
  fail_unless (gst_structure_has_field_typed (s, "safety-clips",
          G_TYPE_UINT64));
  fail_unless (gst_structure_has_field_typed (s, "gain-reduction",
          G_TYPE_DOUBLE));
}

static gdouble
get_double (const GstStructure * s, const gchar * f)
{
  gdouble v = NAN;

  fail_unless (gst_structure_get_double (s, f, &v));
  return v;
}

static guint64
get_uint64 (const GstStructure * s, const gchar * f)
{
  guint64 v = 0;

  fail_unless (gst_structure_get_uint64 (s, f, &v));
  return v;
}

/* ---- latency, timing, drain, flush ------------------------------------- */

/* The latency query: upstream + ours, ours >= the lookahead, and ours is
 * exactly what the element holds back (pushed - pulled frames). */
GST_START_TEST (test_latency)
{
  const gdouble looks[] = { 1.0, 5.0, 20.0 };
  guint k;

  for (k = 0; k < G_N_ELEMENTS (looks); k++) {
    GstHarness *h = limiter_new (CAPS_F32 (2), NULL);
    gsize n = RATE / 2, count = 0, got;
    gfloat *x = g_new (gfloat, n * 2);
    GstClockTime lat, held_time, eff;

    g_object_set (h->element, "lookahead", looks[k], NULL);
    gst_harness_set_upstream_latency (h, 10 * GST_MSECOND);
    noise (x, n * 2, 0.3, 1 + k);
    push_frames (h, x, n, 2, 1024, 0);
    got = pull_all (h, 2, NULL, &count);
    lat = query_latency (h) - 10 * GST_MSECOND;
    held_time = gst_util_uint64_scale_int_ceil (n - got, GST_SECOND, RATE);
    GST_INFO ("lookahead %.1f ms: latency %" GST_TIME_FORMAT ", held %"
        G_GSIZE_FORMAT " frames", looks[k], GST_TIME_ARGS (lat), n - got);
    fail_unless_equals_uint64 (lat, held_time);
    /* the look-ahead used is at least 96 samples (documented) */
    eff = MAX (looks[k] * GST_MSECOND,
        gst_util_uint64_scale_int_ceil (96, GST_SECOND, RATE));
    fail_unless (lat >= eff);
    /* block rounding (< 2 blocks of <= 32) + the detector's 24
     * interpolator samples + the band limit's 40 (on by default) */
    fail_unless (lat <= eff +
        gst_util_uint64_scale_int_ceil (2 * 32 + 24 + 40, GST_SECOND, RATE));
    g_free (x);
    limiter_free (h, NULL);
  }
}

GST_END_TEST;

/* Under the ceiling the output is the input, bit-exact, each buffer
 * stamped with its first frame's time; EOS drains the rest. */
GST_START_TEST (test_timestamps_and_drain)
{
  const gsize blocks[] = { 1024, 137, 7, 4800 };
  guint k;

  for (k = 0; k < G_N_ELEMENTS (blocks); k++) {
    GstHarness *h = limiter_new (CAPS_F32 (2), NULL);
    gsize n = RATE / 3 + 11, count = 0;
    gfloat *x = g_new (gfloat, n * 2), *y = g_new0 (gfloat, n * 2);
    GstEvent *ev;

    /* white noise reads up to about twice its sample peak on a band-limited
     * reconstruction (0.5: +0.4 dBTP ideal, -0.8 on ffmpeg): 0.25 stays
     * under -1 dBTP on every meter */
    noise (x, n * 2, 0.25, 7 + k);
    push_frames (h, x, n, 2, blocks[k], 0);
    pull_all (h, 2, y, &count);
    fail_unless (count < n);
    fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
    pull_all (h, 2, y, &count);
    fail_unless_equals_uint64 (count, n);
    fail_unless (memcmp (x, y, n * 2 * 4) == 0, "output != input (block %"
        G_GSIZE_FORMAT ")", blocks[k]);
    /* EOS after the drained data */
    while ((ev = gst_harness_try_pull_event (h))) {
      gboolean eos = GST_EVENT_TYPE (ev) == GST_EVENT_EOS;

      gst_event_unref (ev);
      if (eos)
        break;
    }
    fail_unless (ev != NULL, "no EOS");
    g_free (x);
    g_free (y);
    limiter_free (h, NULL);
  }
}

GST_END_TEST;

/* A stream shorter than the latency comes out whole at EOS. */
GST_START_TEST (test_short_stream)
{
  GstHarness *h = limiter_new (CAPS_F32 (1), NULL);
  gfloat x[100], y[100];
  gsize count = 0;

  noise (x, 100, 0.5, 3);
  push_frames (h, x, 100, 1, 30, 0);
  fail_unless_equals_int (pull_all (h, 1, y, &count), 0);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  pull_all (h, 1, y, &count);
  fail_unless_equals_uint64 (count, 100);
  fail_unless (memcmp (x, y, sizeof x) == 0);
  limiter_free (h, NULL);
}

GST_END_TEST;

/* A flush drops what is held; afterwards the stream starts afresh. */
GST_START_TEST (test_flush)
{
  GstHarness *h = limiter_new (CAPS_F32 (2), NULL);
  gsize n = 9600, count = 0, got;
  gfloat *x = g_new (gfloat, n * 2), *y = g_new0 (gfloat, n * 2);
  GstSegment seg;
  GstBuffer *b;

  noise (x, n * 2, 0.5, 5);
  push_frames (h, x, n, 2, 1000, 0);
  got = pull_all (h, 2, NULL, &count);
  fail_unless (got < n);
  fail_unless (gst_harness_push_event (h, gst_event_new_flush_start ()));
  fail_unless (gst_harness_push_event (h, gst_event_new_flush_stop (TRUE)));
  gst_segment_init (&seg, GST_FORMAT_TIME);
  fail_unless (gst_harness_push_event (h, gst_event_new_segment (&seg)));
  /* nothing of the old data comes out, not even at EOS */
  while ((b = gst_harness_try_pull (h)))
    gst_buffer_unref (b);
  count = 0;
  push_frames (h, x + 1000 * 2, 5000, 2, 700, 0);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  pull_all (h, 2, y, &count);
  fail_unless_equals_uint64 (count, 5000);
  fail_unless (memcmp (x + 1000 * 2, y, 5000 * 2 * 4) == 0);
  g_free (x);
  g_free (y);
  limiter_free (h, NULL);
}

GST_END_TEST;

/* A timestamp jump with DISCONT: output buffers are split there and carry
 * the input timestamps of their first frames. */
GST_START_TEST (test_discont)
{
  GstHarness *h = limiter_new (CAPS_F32 (1), NULL);
  gfloat x[3000];
  GstBuffer *b;
  GstClockTime t2 = 10 * GST_SECOND;
  gsize total = 0, seen_t2 = 0;

  noise (x, 3000, 0.5, 9);
  fail_unless_equals_int (gst_harness_push (h, f32_buffer (x, 1500, 1, 0)),
      GST_FLOW_OK);
  b = f32_buffer (x + 1500, 1500, 1, t2);
  GST_BUFFER_FLAG_SET (b, GST_BUFFER_FLAG_DISCONT);
  fail_unless_equals_int (gst_harness_push (h, b), GST_FLOW_OK);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  while ((b = gst_harness_try_pull (h))) {
    gsize n = gst_buffer_get_size (b) / 4;
    GstClockTime want = total < 1500 ?
        gst_util_uint64_scale_int_round (total, GST_SECOND, RATE) :
        t2 + gst_util_uint64_scale_int_round (total - 1500, GST_SECOND, RATE);

    /* never straddles the jump */
    fail_unless (total >= 1500 || total + n <= 1500);
    fail_unless_equals_uint64 (GST_BUFFER_PTS (b), want);
    if (total == 1500) {
      seen_t2 = 1;
      fail_unless (GST_BUFFER_IS_DISCONT (b));
    }
    total += n;
    gst_buffer_unref (b);
  }
  fail_unless_equals_uint64 (total, 3000);
  fail_unless (seen_t2);
  limiter_free (h, NULL);
}

GST_END_TEST;

/* A segment in a format other than TIME (here BYTES, as an audio parser
 * upstream might send): no stream time to sync the controller to, but the
 * audio goes through (output length == input length) without a critical
 * from gst_segment_to_stream_time (GstCheck fails on criticals). */
GST_START_TEST (test_non_time_segment)
{
  GstHarness *h = limiter_new (CAPS_F32 (1), NULL);
  GstSegment seg;
  gfloat x[4000], y[4000];
  GstBuffer *b;
  gsize count = 0, total = 0;

  gst_segment_init (&seg, GST_FORMAT_BYTES);
  fail_unless (gst_harness_push_event (h, gst_event_new_segment (&seg)));
  noise (x, 4000, 0.5, 5);
  b = f32_buffer (x, 2000, 1, GST_CLOCK_TIME_NONE);
  fail_unless_equals_int (gst_harness_push (h, b), GST_FLOW_OK);
  b = f32_buffer (x + 2000, 2000, 1, GST_CLOCK_TIME_NONE);
  fail_unless_equals_int (gst_harness_push (h, b), GST_FLOW_OK);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  while ((b = gst_harness_try_pull (h))) {
    gsize n = gst_buffer_get_size (b) / 4;

    gst_buffer_extract (b, 0, y + count, n * 4);
    count += n;
    total += n;
    gst_buffer_unref (b);
  }
  fail_unless_equals_uint64 (total, 4000);
  /* under the ceiling: bit-exact */
  fail_unless (memcmp (x, y, sizeof x) == 0);
  limiter_free (h, NULL);
}

GST_END_TEST;

/* A GAP event: the held frames are pushed before it goes downstream
 * (time stays in order there), the event itself is forwarded, and what
 * follows the gap comes out complete (output length == input length). */
GST_START_TEST (test_gap_event)
{
  GstHarness *h = limiter_new (CAPS_F32 (1), NULL);
  gfloat x[4000], y[4000];
  GstEvent *e;
  gsize count = 0;
  gboolean seen_gap = FALSE;

  noise (x, 4000, 0.5, 11);
  push_frames (h, x, 2000, 1, 500, 0);
  fail_unless (gst_harness_push_event (h, gst_event_new_gap (
              gst_util_uint64_scale_int_round (2000, GST_SECOND, RATE),
              gst_util_uint64_scale_int_round (1000, GST_SECOND, RATE))));
  /* all 2000 frames out before the gap event, none held back */
  fail_unless_equals_uint64 (pull_all (h, 1, y, &count), 2000);
  while ((e = gst_harness_try_pull_event (h))) {
    seen_gap |= GST_EVENT_TYPE (e) == GST_EVENT_GAP;
    gst_event_unref (e);
  }
  fail_unless (seen_gap, "the gap event is forwarded");
  fail_unless (memcmp (x, y, 2000 * 4) == 0);
  /* after the gap: frames 3000..4999 of the timeline */
  count = 3000;
  push_frames (h, x + 2000, 2000, 1, 500, 3000);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  {
    gfloat *z = g_new0 (gfloat, 5000);

    fail_unless_equals_uint64 (pull_all (h, 1, z, &count), 2000);
    fail_unless (memcmp (x + 2000, z + 3000, 2000 * 4) == 0);
    g_free (z);
  }
  limiter_free (h, NULL);
}

GST_END_TEST;

/* GAP buffers are silence of their size. */
GST_START_TEST (test_gap)
{
  GstHarness *h = limiter_new (CAPS_F32 (1), NULL);
  gfloat x[2000], y[3000];
  GstBuffer *b;
  gsize count = 0, i;

  noise (x, 2000, 0.5, 2);
  push_frames (h, x, 1000, 1, 1000, 0);
  b = f32_buffer (x, 1000, 1, gst_util_uint64_scale_int_round (1000,
          GST_SECOND, RATE));
  GST_BUFFER_FLAG_SET (b, GST_BUFFER_FLAG_GAP);
  fail_unless_equals_int (gst_harness_push (h, b), GST_FLOW_OK);
  push_frames (h, x + 1000, 1000, 1, 1000, 2000);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  pull_all (h, 1, y, &count);
  fail_unless_equals_uint64 (count, 3000);
  fail_unless (memcmp (x, y, 1000 * 4) == 0);
  for (i = 1000; i < 2000; i++)
    fail_unless (y[i] == 0.0f);
  fail_unless (memcmp (x + 1000, y + 2000, 1000 * 4) == 0);
  limiter_free (h, NULL);
}

GST_END_TEST;

/* F64: bit-exact too. */
GST_START_TEST (test_f64)
{
  GstHarness *h = limiter_new (CAPS_F64 (2), NULL);
  gsize n = 5000, i, count = 0;
  gdouble *x = g_new (gdouble, n * 2), *y = g_new0 (gdouble, n * 2);
  GstBuffer *b;

  for (i = 0; i < n * 2; i++)
    x[i] = 0.6 * sin (0.01 * i + 0.3 * (i & 1));
  b = gst_buffer_new_allocate (NULL, n * 16, NULL);
  gst_buffer_fill (b, 0, x, n * 16);
  GST_BUFFER_PTS (b) = 0;
  fail_unless_equals_int (gst_harness_push (h, b), GST_FLOW_OK);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  while ((b = gst_harness_try_pull (h))) {
    gsize m = gst_buffer_get_size (b) / 16;

    gst_buffer_extract (b, 0, y + count * 2, m * 16);
    count += m;
    gst_buffer_unref (b);
  }
  fail_unless_equals_uint64 (count, n);
  fail_unless (memcmp (x, y, n * 16) == 0);
  g_free (x);
  g_free (y);
  limiter_free (h, NULL);
}

GST_END_TEST;

/* ---- limiting, messages ------------------------------------------------ */

/* Loud signals: no overs, safety idle, messages with a gain reduction of
 * 20 log10 (A / C) for a steady sine of amplitude A over the ceiling C. */
GST_START_TEST (test_limiting)
{
  GstBus *bus;
  GstHarness *h = limiter_new (CAPS_F32 (2), &bus);
  const gdouble ceil_db = -2.0, amp_db = 4.0;
  gsize n = RATE * 2, i, count = 0;
  gfloat *x = g_new (gfloat, n * 2), *y = g_new0 (gfloat, n * 2);
  GList *msgs, *l;
  const GstStructure *last = NULL;
  guint n_msgs = 0, n_final = 0;
  gdouble t4, t16;

  g_object_set (h->element, "ceiling", ceil_db, "interval",
      (guint64) (250 * GST_MSECOND), NULL);
  /* 1 s of 1 kHz at +4 dBFS (6 dB over), then 1 s of fs/4 at 45 deg
   * with samples at 0 dBFS (true peak +3 dB), both channels */
  for (i = 0; i < n; i++) {
    gdouble v = i < (gsize) RATE ?
        pow (10, amp_db / 20) * sin (2 * G_PI * 1000.0 * i / RATE) :
        G_SQRT2 * sin (G_PI / 2 * i + G_PI / 4);
    x[2 * i] = x[2 * i + 1] = (gfloat) v;
  }
  push_frames (h, x, n, 2, 960, 0);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  pull_all (h, 2, y, &count);
  fail_unless_equals_uint64 (count, n);
  t4 = db (tp4 (y, n, 2));
  t16 = db (tp16 (y, n, 2));
  GST_INFO ("true peak out %.4f dBTP (4x), %.4f dBTP (16x)", t4, t16);
  fail_unless (t4 <= ceil_db + 1e-9, "4x true peak %f", t4);
  fail_unless (t16 <= ceil_db + 0.3, "16x true peak %f", t16);

  msgs = collect_messages (bus);
  for (l = msgs; l; l = l->next) {
    const GstStructure *s = l->data;
    gboolean final = FALSE;

    check_message (s);
    gst_structure_get_boolean (s, "final", &final);
    GST_INFO ("%" GST_PTR_FORMAT, s);
    fail_unless_equals_uint64 (get_uint64 (s, "safety-clips"), 0);
    fail_unless (get_double (s, "gain-reduction-max") >=
        get_double (s, "gain-reduction") - 1e-9);
    if (!final) {
      /* timestamps on the interval grid, 250 ms each */
      fail_unless_equals_uint64 (get_uint64 (s, "timestamp"),
          n_msgs * 250 * GST_MSECOND);
      fail_unless_equals_uint64 (get_uint64 (s, "duration"),
          250 * GST_MSECOND);
      if (n_msgs == 2) {
        /* steady 1 kHz: 6 dB over the ceiling, and with the band limit
         * (default) the allowance the detector's reading carries for
         * ffmpeg's resampler, 0.0125 times the slope (dsp/limiter.c):
         * 0.014 dB at 1 kHz.  (The next message, at 1 s, already sees the
         * look-ahead's ramp for the fs/4 tone, whose slope is 10 times
         * larger.) */
        fail_unless (fabs (get_double (s, "gain-reduction") -
                (amp_db - ceil_db + 0.014)) < 0.02, "gain-reduction %f",
            get_double (s, "gain-reduction"));
      }
      if (n_msgs == 6) {
        /* (the last interval ends with the abrupt end of the tone, whose
         * overshoot needs more) */
        /* fs/4 at 45 deg, samples +-1: true peak sqrt 2 (+3.01 dB) for
         * an ideal interpolator; the 4x meter's reading of the input
         * (its filter's ripple at 12 kHz included) is what must go */
        gdouble tp_in = steady_fs4_tp ();

        /* with the band limit (default) the long detector reads the
         * ideal sqrt 2 plus its resampler allowance, 0.0125 times the
         * largest step between samples (2 here: +0.15 dB) */
        const gdouble want = MAX (tp_in, db (G_SQRT2 + 0.0125 * 2.0))
            - ceil_db;

        fail_unless (fabs (tp_in - db (G_SQRT2)) < 0.2, "meter %f", tp_in);
        fail_unless (fabs (get_double (s, "gain-reduction") - want) < 0.05,
            "gain-reduction %f, want %f", get_double (s, "gain-reduction"),
            want);
      }
      n_msgs++;
    } else {
      /* the final message reports the gain of the last output frame: the
       * tail of the fs/4 tone, which needs at least the steady reduction
       * (its abrupt end only adds overshoot), not the reset core's 0 */
      gdouble want = steady_fs4_tp () - ceil_db;

      fail_unless (get_double (s, "gain-reduction") >= want - 0.05,
          "final gain-reduction %f, want >= %f",
          get_double (s, "gain-reduction"), want);
      n_final++;
    }
    last = s;
  }
  fail_unless_equals_int (n_msgs, 8);
  fail_unless_equals_int (n_final, 1);
  {
    gboolean final = FALSE;

    gst_structure_get_boolean (last, "final", &final);
    fail_unless (final, "the final message is the last one");
  }
  g_list_free_full (msgs, (GDestroyNotify) gst_structure_free);
  g_free (x);
  g_free (y);
  limiter_free (h, bus);
}

GST_END_TEST;

/* Input gain +12 dB on noise peaking at 0 dBFS: ceiling held. */
GST_START_TEST (test_input_gain)
{
  GstHarness *h = limiter_new (CAPS_F32 (2), NULL);
  gsize n = RATE, count = 0;
  gfloat *x = g_new (gfloat, n * 2), *y = g_new0 (gfloat, n * 2);
  gdouble t4, t16;

  g_object_set (h->element, "input-gain", 12.0, NULL);
  noise (x, n * 2, 1.0, 12);
  push_frames (h, x, n, 2, 1024, 0);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  pull_all (h, 2, y, &count);
  fail_unless_equals_uint64 (count, n);
  t4 = db (tp4 (y, n, 2));
  t16 = db (tp16 (y, n, 2));
  fail_unless (t4 <= -1.0 + 1e-9, "4x %f", t4);
  fail_unless (t16 <= -1.0 + 0.3, "16x %f", t16);
  /* +12 dB on noise peaking at 0 dBFS: the limiter works hard */
  fail_unless (t4 > -1.1, "output reaches the ceiling: %f", t4);
  g_free (x);
  g_free (y);
  limiter_free (h, NULL);
}

GST_END_TEST;

/* The ceiling under control: -1 dBTP, then -6 dBTP from 0.5 s on.  Input
 * from 0.5 s (and its output, held back by the latency) stays under -6;
 * no safety clips, nothing lost. */
GST_START_TEST (test_controller)
{
  GstBus *bus;
  GstHarness *h = limiter_new (CAPS_F32 (2), &bus);
  GstControlSource *cs = gst_trigger_control_source_new ();
  GstTimedValueControlSource *tvcs = (GstTimedValueControlSource *) cs;
  gsize n = RATE, half = RATE / 2, count = 0;
  gfloat *x = g_new (gfloat, n * 2), *y = g_new0 (gfloat, n * 2);
  GList *msgs;
  gdouble t_before, t_after;

  gst_object_add_control_binding (GST_OBJECT (h->element),
      gst_direct_control_binding_new_absolute (GST_OBJECT (h->element),
          "ceiling", cs));
  gst_timed_value_control_source_set (tvcs, 0, -1.0);
  gst_timed_value_control_source_set (tvcs, 500 * GST_MSECOND, -6.0);
  noise (x, n * 2, 1.0, 21);
  push_frames (h, x, n, 2, 480, 0);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  pull_all (h, 2, y, &count);
  fail_unless_equals_uint64 (count, n);
  t_before = db (tp4 (y, half, 2));
  t_after = db (tp4 (y + half * 2, n - half, 2));
  GST_INFO ("before %f, after %f", t_before, t_after);
  fail_unless (t_before <= -1.0 + 1e-9 && t_before > -1.2, "before: %f",
      t_before);
  /* full-band noise: with the band limit the detector's reading carries
   * about 0.2 dB for ffmpeg's resampler (dsp/limiter.c) */
  fail_unless (t_after <= -6.0 + 1e-9 && t_after > -6.3, "after: %f",
      t_after);
  msgs = collect_messages (bus);
  fail_unless (msgs != NULL);
  fail_unless_equals_uint64 (get_uint64 (g_list_last (msgs)->data,
          "safety-clips"), 0);
  g_list_free_full (msgs, (GDestroyNotify) gst_structure_free);
  gst_object_unref (cs);
  g_free (x);
  g_free (y);
  limiter_free (h, bus);
}

GST_END_TEST;

/* Look-ahead changed while playing: held frames drained into the stream,
 * a latency message, the new latency in the query, output == input. */
GST_START_TEST (test_lookahead_change)
{
  GstBus *bus;
  GstHarness *h = limiter_new (CAPS_F32 (2), &bus);
  gsize n = RATE, count = 0, held;
  gfloat *x = g_new (gfloat, n * 2), *y = g_new0 (gfloat, n * 2);
  GstClockTime lat1, lat2;
  GstMessage *m;
  gboolean latency_msg = FALSE;

  noise (x, n * 2, 0.25, 4);    /* under -1 dBTP on every meter */
  push_frames (h, x, n / 2, 2, 1000, 0);
  pull_all (h, 2, y, &count);
  lat1 = query_latency (h);
  while ((m = gst_bus_pop (bus)))
    gst_message_unref (m);
  g_object_set (h->element, "lookahead", 20.0, NULL);
  push_frames (h, x + n, n / 2, 2, 1000, n / 2);
  pull_all (h, 2, y, &count);
  held = n - count;
  lat2 = query_latency (h);
  while ((m = gst_bus_pop (bus))) {
    latency_msg |= GST_MESSAGE_TYPE (m) == GST_MESSAGE_LATENCY;
    gst_message_unref (m);
  }
  fail_unless (latency_msg, "no latency message");
  fail_unless (lat2 > lat1 + 14 * GST_MSECOND);
  fail_unless_equals_uint64 (gst_util_uint64_scale_int_ceil (held, GST_SECOND,
          RATE), lat2);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  pull_all (h, 2, y, &count);
  fail_unless_equals_uint64 (count, n);
  fail_unless (memcmp (x, y, n * 2 * 4) == 0);
  g_free (x);
  g_free (y);
  limiter_free (h, bus);
}

GST_END_TEST;

/* NaN / Inf: silence in their place, finite output, one warning. */
GST_START_TEST (test_nan)
{
  GstBus *bus;
  GstHarness *h = limiter_new (CAPS_F32 (2), &bus);
  gsize n = 4800, count = 0, i;
  gfloat *x = g_new (gfloat, n * 2), *y = g_new0 (gfloat, n * 2);
  GstMessage *m;
  gint warnings = 0;

  noise (x, n * 2, 0.5, 6);
  x[10] = NAN;
  x[3001] = INFINITY;
  x[7000] = -INFINITY;
  push_frames (h, x, n, 2, 1000, 0);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  pull_all (h, 2, y, &count);
  fail_unless_equals_uint64 (count, n);
  for (i = 0; i < n * 2; i++) {
    fail_unless (isfinite (y[i]));
    if (i == 10 || i == 3001 || i == 7000)
      fail_unless (y[i] == 0.0f);
    else
      fail_unless (y[i] == x[i]);
  }
  while ((m = gst_bus_pop (bus))) {
    warnings += GST_MESSAGE_TYPE (m) == GST_MESSAGE_WARNING;
    gst_message_unref (m);
  }
  fail_unless_equals_int (warnings, 1);
  g_free (x);
  g_free (y);
  limiter_free (h, bus);
}

GST_END_TEST;

/* Unlinked: the quiet channel is untouched while the loud one is held. */
GST_START_TEST (test_unlinked)
{
  GstHarness *h = limiter_new (CAPS_F32 (2), NULL);
  gsize n = RATE / 2, count = 0, i;
  gfloat *x = g_new (gfloat, n * 2), *y = g_new0 (gfloat, n * 2);

  gst_util_set_object_arg (G_OBJECT (h->element), "link", "unlinked");
  for (i = 0; i < n; i++) {
    x[2 * i] = (gfloat) (2.0 * sin (2 * G_PI * 440.0 * i / RATE));
    x[2 * i + 1] = (gfloat) (0.25 * sin (2 * G_PI * 300.0 * i / RATE));
  }
  push_frames (h, x, n, 2, 1024, 0);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  pull_all (h, 2, y, &count);
  fail_unless_equals_uint64 (count, n);
  for (i = 0; i < n; i++)
    fail_unless (y[2 * i + 1] == x[2 * i + 1]);
  fail_unless (db (tp4 (y, n, 2)) <= -1.0 + 1e-9);
  g_free (x);
  g_free (y);
  limiter_free (h, NULL);
}

GST_END_TEST;

GST_START_TEST (test_properties)
{
  GstElement *e = gst_element_factory_make ("truepeaklimiter", NULL);
  gdouble d;
  gint os;
  guint64 iv;

  fail_unless (e != NULL);
  g_object_get (e, "ceiling", &d, NULL);
  fail_unless_equals_float (d, -1.0);
  g_object_get (e, "input-gain", &d, NULL);
  fail_unless_equals_float (d, 0.0);
  g_object_get (e, "release", &d, NULL);
  fail_unless_equals_float (d, 50.0);
  g_object_get (e, "lookahead", &d, NULL);
  fail_unless_equals_float (d, 5.0);
  g_object_get (e, "oversampling", &os, NULL);
  fail_unless_equals_int (os, 4);
  g_object_get (e, "interval", &iv, NULL);
  fail_unless_equals_uint64 (iv, 100 * GST_MSECOND);
  /* "oversampling=8" as on the command line */
  gst_util_set_object_arg (G_OBJECT (e), "oversampling", "8");
  g_object_get (e, "oversampling", &os, NULL);
  fail_unless_equals_int (os, 8);
  fail_unless (g_object_class_find_property (G_OBJECT_GET_CLASS (e),
          "ceiling")->flags & GST_PARAM_CONTROLLABLE);
  gst_object_unref (e);
}

GST_END_TEST;

/* Caps change mid-stream: the old format's frames are drained first. */
GST_START_TEST (test_caps_change)
{
  GstHarness *h = limiter_new (CAPS_F32 (1), NULL);
  gfloat x[3000];
  GstBuffer *b;
  gsize total = 0;

  noise (x, 3000, 0.5, 8);
  push_frames (h, x, 1500, 1, 500, 0);
  gst_harness_set_src_caps_str (h, CAPS_F32 (2));
  push_frames (h, x, 750, 2, 250, 1500);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  while ((b = gst_harness_try_pull (h))) {
    total += gst_buffer_get_size (b) / 4;
    gst_buffer_unref (b);
  }
  fail_unless_equals_uint64 (total, 1500 + 750 * 2);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* The ceiling under control, -1 dBTP then -6 dBTP from 0.5 s, with the
 * whole second in ONE input buffer: the controller is synced every 10 ms
 * inside the buffer (0.5 s is on that grid), so the output from 0.5 s is
 * under -6 dBTP on the 4x meter while the first half reaches -1; synced
 * once per buffer, all of it would be limited to -1. */
GST_START_TEST (test_controller_mid_buffer)
{
  GstHarness *h = limiter_new (CAPS_F32 (2), NULL);
  GstControlSource *cs = gst_trigger_control_source_new ();
  GstTimedValueControlSource *tvcs = (GstTimedValueControlSource *) cs;
  gsize n = RATE, half = RATE / 2, count = 0;
  gfloat *x = g_new (gfloat, n * 2), *y = g_new0 (gfloat, n * 2);
  gdouble t_before, t_after;

  gst_object_add_control_binding (GST_OBJECT (h->element),
      gst_direct_control_binding_new_absolute (GST_OBJECT (h->element),
          "ceiling", cs));
  gst_timed_value_control_source_set (tvcs, 0, -1.0);
  gst_timed_value_control_source_set (tvcs, 500 * GST_MSECOND, -6.0);
  noise (x, n * 2, 1.0, 23);
  push_frames (h, x, n, 2, n, 0);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  pull_all (h, 2, y, &count);
  fail_unless_equals_uint64 (count, n);
  t_before = db (tp4 (y, half, 2));
  t_after = db (tp4 (y + half * 2, n - half, 2));
  GST_INFO ("before %f, after %f", t_before, t_after);
  fail_unless (t_before <= -1.0 + 1e-9 && t_before > -1.2, "before: %f",
      t_before);
  /* full-band noise: with the band limit the detector's reading carries
   * about 0.2 dB for ffmpeg's resampler (dsp/limiter.c) */
  fail_unless (t_after <= -6.0 + 1e-9 && t_after > -6.3, "after: %f",
      t_after);
  gst_object_unref (cs);
  g_free (x);
  g_free (y);
  limiter_free (h, NULL);
}

GST_END_TEST;

/* NaN and +-inf reaching set_property (GLib's own validation stops them
 * in g_object_set, a controller or a binding may not) are rejected: the
 * old value stays, and the limiter keeps limiting to it. */
GST_START_TEST (test_non_finite_property)
{
  const gchar *props[] = { "ceiling", "input-gain", "release", "lookahead" };
  const gdouble bad[] = { NAN, INFINITY, -INFINITY };
  GstHarness *h = limiter_new (CAPS_F32 (1), NULL);
  GObjectClass *klass = G_OBJECT_GET_CLASS (h->element);
  gsize n = RATE / 2, count = 0;
  gfloat *x = g_new (gfloat, n), *y = g_new0 (gfloat, n);
  guint i, j;

  g_object_set (h->element, "ceiling", -3.0, "input-gain", 6.0, NULL);
  for (i = 0; i < G_N_ELEMENTS (props); i++) {
    GParamSpec *ps = g_object_class_find_property (klass, props[i]);
    gdouble before, after;

    g_object_get (h->element, props[i], &before, NULL);
    for (j = 0; j < G_N_ELEMENTS (bad); j++) {
      GValue v = G_VALUE_INIT;

      g_value_init (&v, G_TYPE_DOUBLE);
      g_value_set_double (&v, bad[j]);
      klass->set_property (G_OBJECT (h->element), ps->param_id, &v, ps);
      g_value_unset (&v);
      g_object_get (h->element, props[i], &after, NULL);
      fail_unless (after == before, "%s: %f after setting %f", props[i],
          after, bad[j]);
    }
  }
  noise (x, n, 1.0, 31);
  push_frames (h, x, n, 1, 1024, 0);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  pull_all (h, 1, y, &count);
  fail_unless_equals_uint64 (count, n);
  /* +6 dB on noise at 0 dBFS into -3 dBTP: the ceiling is -3, not a NaN
   * turned into the lowest ceiling (-60) */
  fail_unless (db (tp4 (y, n, 1)) <= -3.0 + 1e-9);
  fail_unless (db (tp4 (y, n, 1)) > -3.2, "%f", db (tp4 (y, n, 1)));
  g_free (x);
  g_free (y);
  limiter_free (h, NULL);
}

GST_END_TEST;

/* The caps limits are the cores' (dsp/util.h): MST_RATE_MIN..MST_RATE_MAX
 * Hz, 1..MST_MAX_CHANNELS channels. */
GST_START_TEST (test_caps_limits)
{
  mst_check_caps_limits ("truepeaklimiter", GST_AUDIO_NE (F32));
  mst_check_caps_limits ("truepeaklimiter", GST_AUDIO_NE (F64));
}

GST_END_TEST;

/* Non-finite property values (NaN, +-infinity) are refused with a warning
 * and the previous value kept. */
GST_START_TEST (test_non_finite_properties)
{
  GstElement *e = gst_element_factory_make ("truepeaklimiter", NULL);

  fail_unless (e != NULL);
  fail_unless (mst_check_non_finite_properties (e) >= 3);
  gst_object_unref (e);
}

GST_END_TEST;

/* The release property reaches the core, set before the stream starts
 * (5 ms, before the caps), while it runs (500 ms, set after the loud
 * part has been pushed) or before a new look-ahead re-creates the core
 * (200 ms): 0.1 s of DC at 2.0 (6 dB over full scale, 7 dB over the
 * ceiling), then DC at 0.05; the gain (output / input, output aligned
 * with the input) recovers as 1 - g(t) = (1 - g0) exp (-t / release): the
 * time constant, from the 50 % and 10 % points of the recovery, within
 * 10 % of the setting. */
GST_START_TEST (test_release)
{
  static const gdouble rel[] = { 5.0, 500.0, 200.0 };
  guint k;

  for (k = 0; k < G_N_ELEMENTS (rel); k++) {
    const gsize loud = RATE / 10, n = loud + (gsize) (rel[k] * 6e-3 * RATE)
        + RATE / 10;
    GstHarness *h = mst_check_harness_new ("truepeaklimiter", NULL, NULL);
    gfloat *x = g_new (gfloat, n), *y = g_new0 (gfloat, n);
    gsize i, count = 0, i50 = 0, i10 = 0;
    gdouble g0 = 1.0, tau = 0.0;

    for (i = 0; i < n; i++)
      x[i] = i < loud ? 2.0f : 0.05f;
    /* the gain is read as output / input: no band limit (the band-limited
     * step overshoots) */
    g_object_set (h->element, "band-limit", FALSE, NULL);
    /* before the caps: the core is made with it */
    if (k == 0)
      g_object_set (h->element, "release", rel[k], NULL);
    gst_harness_set_src_caps_str (h, CAPS_F32 (1));
    /* set, then a new look-ahead: the core made for it gets the release */
    if (k == 2)
      g_object_set (h->element, "release", rel[k], "lookahead", 4.0, NULL);
    push_frames (h, x, loud, 1, 1024, 0);
    if (k == 1)
      g_object_set (h->element, "release", rel[k], NULL);
    push_frames (h, x + loud, n - loud, 1, 1024, loud);
    fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
    pull_all (h, 1, y, &count);
    fail_unless_equals_uint64 (count, n);
    for (i = 0; i < n; i++)
      g0 = MIN (g0, y[i] / x[i]);
    for (i = loud; i < n; i++) {
      gdouble g = y[i] / x[i];

      if (!i50 && 1.0 - g <= 0.5 * (1.0 - g0))
        i50 = i;
      if (!i10 && 1.0 - g <= 0.1 * (1.0 - g0))
        i10 = i;
    }
    if (i50 && i10 > i50)
      tau = (gdouble) (i10 - i50) / RATE * 1000.0 / log ((1.0 - y[i50] /
              x[i50]) / (1.0 - y[i10] / x[i10]));
    fail_unless (fabs (tau - rel[k]) <= 0.1 * rel[k], "release %g ms: time "
        "constant %f ms (min gain %f)", rel[k], tau, g0);
    g_free (x);
    g_free (y);
    limiter_free (h, NULL);
  }
}

GST_END_TEST;

static Suite *
truepeaklimiter_suite (void)
{
  Suite *s = suite_create ("truepeaklimiter");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_properties);
  tcase_add_test (tc, test_non_finite_properties);
  tcase_add_test (tc, test_release);
  tcase_add_test (tc, test_latency);
  tcase_add_test (tc, test_timestamps_and_drain);
  tcase_add_test (tc, test_short_stream);
  tcase_add_test (tc, test_flush);
  tcase_add_test (tc, test_discont);
  tcase_add_test (tc, test_gap);
  tcase_add_test (tc, test_non_time_segment);
  tcase_add_test (tc, test_gap_event);
  tcase_add_test (tc, test_f64);
  tcase_add_test (tc, test_limiting);
  tcase_add_test (tc, test_input_gain);
  tcase_add_test (tc, test_controller);
  tcase_add_test (tc, test_lookahead_change);
  tcase_add_test (tc, test_nan);
  tcase_add_test (tc, test_unlinked);
  tcase_add_test (tc, test_caps_change);
  tcase_add_test (tc, test_controller_mid_buffer);
  tcase_add_test (tc, test_non_finite_property);
  tcase_add_test (tc, test_caps_limits);
  return s;
}

GST_CHECK_MAIN (truepeaklimiter);
