/* gst-mastering — GstCheck tests for the GstMstLookahead base class
 *
 * The subclass under test is a plain delay line written here (output =
 * input delayed by `delay` frames, times a controllable `gain`), so every
 * expectation is exact and computed from the input: output frame n is
 * input frame n (bit-exact for gain 1), stamped with the input's time of
 * that frame (pts + n / rate, GStreamer's audio timestamp convention);
 * output length == input length; the latency query adds
 * ceil (delay / rate) to upstream's; a flush drops the held frames; a
 * failed push of drained frames reaches the application; controlled
 * values change on the 10 ms grid inside a buffer.
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
#include <gst/controller/gstinterpolationcontrolsource.h>

#include "gst/mstlookahead.h"
#include "gst/mstutils.h"
#include "mstcheck.h"

#define RATE 48000
#define frame_time(f) mst_check_frame_time ((f), RATE)
#define pull_all(h, ch, out, count) \
  mst_check_pull_f32 ((h), (ch), RATE, (out), (count))
#define query_latency mst_check_query_latency
#define CAPS_F32(ch) "audio/x-raw, format=" GST_AUDIO_NE (F32) \
    ", layout=interleaved, rate=48000, channels=" #ch

/* ---- the test subclass: a delay line ------------------------------------- */

#define GST_TYPE_MST_DELAY_TEST (gst_mst_delay_test_get_type ())
G_DECLARE_FINAL_TYPE (GstMstDelayTest, gst_mst_delay_test, GST,
    MST_DELAY_TEST, GstMstLookahead);

struct _GstMstDelayTest
{
  GstMstLookahead parent;
  guint delay;                  /* frames (property) */
  gdouble gain;                 /* controllable */
  guint channels;
  guint cur_delay;              /* of the line */
  gfloat *line;                 /* cur_delay frames */
  guint pos;
  guint resets, flush_resets, eos_calls;
  guint64 priming_frames;
};

enum
{
  PROP_0,
  PROP_DELAY,
  PROP_GAIN,
};

G_DEFINE_TYPE (GstMstDelayTest, gst_mst_delay_test, GST_TYPE_MST_LOOKAHEAD);

static gboolean
delay_configure (GstMstLookahead * base, const GstAudioInfo * info)
{
  GstMstDelayTest *self = GST_MST_DELAY_TEST (base);

  if (GST_AUDIO_INFO_FORMAT (info) != GST_AUDIO_FORMAT_F32)
    return FALSE;
  self->channels = GST_AUDIO_INFO_CHANNELS (info);
  self->cur_delay = self->delay;
  g_free (self->line);
  self->line = g_new0 (gfloat, (gsize) MAX (self->cur_delay, 1) *
      self->channels);
  self->pos = 0;
  return TRUE;
}

static guint
delay_get_latency (GstMstLookahead * base)
{
  return GST_MST_DELAY_TEST (base)->cur_delay;
}

static gsize
delay_process (GstMstLookahead * base, const GstMstLookaheadChunk * c)
{
  GstMstDelayTest *self = GST_MST_DELAY_TEST (base);
  const gfloat *in = (const gfloat *) c->in;
  gfloat *out = (gfloat *) c->out;
  gsize i, nf = 0;
  guint ch;

  if (c->priming)
    self->priming_frames += c->n_frames;
  for (i = 0; i < c->n_frames; i++) {
    for (ch = 0; ch < self->channels; ch++) {
      gfloat x = in ? in[i * self->channels + ch] : 0.0f;

      if (!isfinite (x)) {
        x = 0.0f;
        nf++;
      }
      if (self->cur_delay == 0) {
        out[i * self->channels + ch] = x * (gfloat) self->gain;
      } else {
        gfloat *slot = &self->line[self->pos * self->channels + ch];

        out[i * self->channels + ch] = *slot;
        *slot = x * (gfloat) self->gain;
      }
    }
    if (self->cur_delay > 0)
      self->pos = (self->pos + 1) % self->cur_delay;
  }
  return nf;
}

static void
delay_reset (GstMstLookahead * base, gboolean flush)
{
  GstMstDelayTest *self = GST_MST_DELAY_TEST (base);

  if (self->line)
    memset (self->line, 0, sizeof (gfloat) * MAX (self->cur_delay, 1) *
        self->channels);
  self->pos = 0;
  self->resets++;
  if (flush)
    self->flush_resets++;
}

static void
delay_eos (GstMstLookahead * base)
{
  GST_MST_DELAY_TEST (base)->eos_calls++;
}

static void
delay_set_property (GObject * object, guint prop_id, const GValue * value,
    GParamSpec * pspec)
{
  GstMstDelayTest *self = GST_MST_DELAY_TEST (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_DELAY:
      self->delay = g_value_get_uint (value);
      gst_mst_lookahead_reconfigure (GST_MST_LOOKAHEAD (self));
      break;
    case PROP_GAIN:
      self->gain = g_value_get_double (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
delay_finalize (GObject * object)
{
  g_free (GST_MST_DELAY_TEST (object)->line);
  G_OBJECT_CLASS (gst_mst_delay_test_parent_class)->finalize (object);
}

static void
gst_mst_delay_test_class_init (GstMstDelayTestClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstMstLookaheadClass *lc = GST_MST_LOOKAHEAD_CLASS (klass);
  GstCaps *caps;

  gobject_class->set_property = delay_set_property;
  gobject_class->finalize = delay_finalize;
  g_object_class_install_property (gobject_class, PROP_DELAY,
      g_param_spec_uint ("delay", "Delay", "Delay in frames", 0, 100000, 256,
          G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_GAIN,
      g_param_spec_double ("gain", "Gain", "Linear gain", 0.0, 10.0, 1.0,
          G_PARAM_WRITABLE | GST_PARAM_CONTROLLABLE | G_PARAM_STATIC_STRINGS));
  gst_element_class_set_static_metadata (GST_ELEMENT_CLASS (klass),
      "Delay (test)", "Filter/Effect/Audio", "Test subclass", "gst-mastering");
  caps = gst_caps_from_string (GST_MST_AUDIO_CAPS (GST_AUDIO_NE (F32)));
  gst_audio_filter_class_add_pad_templates (GST_AUDIO_FILTER_CLASS (klass),
      caps);
  gst_caps_unref (caps);
  lc->configure = delay_configure;
  lc->get_latency = delay_get_latency;
  lc->process = delay_process;
  lc->reset = delay_reset;
  lc->eos = delay_eos;
}

static void
gst_mst_delay_test_init (GstMstDelayTest * self)
{
  self->delay = 256;
  self->gain = 1.0;
}

/* ---- helpers ------------------------------------------------------------- */

static GstHarness *
delay_new (guint delay, const gchar * caps, GstBus ** bus)
{
  GstHarness *h = mst_check_harness_new ("mstdelaytest", NULL, bus);

  g_object_set (h->element, "delay", delay, NULL);
  gst_harness_set_src_caps_str (h, caps);
  return h;
}

#define delay_free mst_check_harness_free

static void
ramp (gfloat * x, gsize n, gfloat start)
{
  gsize i;

  for (i = 0; i < n; i++)
    x[i] = start + (gfloat) i / 65536.0f;
}

/* Buffer of `frames` frames of x, pts of frame `first`, offset = frame
 * number. */
static GstBuffer *
make_buffer (const gfloat * x, gsize frames, gint ch, guint64 first_frame)
{
  GstBuffer *b = gst_buffer_new_allocate (NULL, frames * ch * 4, NULL);

  gst_buffer_fill (b, 0, x, frames * ch * 4);
  GST_BUFFER_PTS (b) = frame_time (first_frame);
  GST_BUFFER_DURATION (b) = frame_time (first_frame + frames) -
      frame_time (first_frame);
  GST_BUFFER_OFFSET (b) = first_frame;
  GST_BUFFER_OFFSET_END (b) = first_frame + frames;
  return b;
}

static void
push_frames (GstHarness * h, const gfloat * x, gsize frames, gint ch,
    gsize block, guint64 first_frame)
{
  gsize pos = 0;

  while (pos < frames) {
    gsize m = MIN (block, frames - pos);

    fail_unless_equals_int (gst_harness_push (h, make_buffer (x + pos * ch, m,
                ch, first_frame + pos)), GST_FLOW_OK);
    pos += m;
  }
}

static gboolean
has_event (GstHarness * h, GstEventType type)
{
  GstEvent *e;
  gboolean seen = FALSE;

  while ((e = gst_harness_try_pull_event (h))) {
    seen |= GST_EVENT_TYPE (e) == type;
    gst_event_unref (e);
  }
  return seen;
}

static guint
count_messages (GstBus * bus, GstMessageType type)
{
  GstMessage *m;
  guint k = 0;

  while ((m = gst_bus_pop (bus))) {
    k += GST_MESSAGE_TYPE (m) == type;
    gst_message_unref (m);
  }
  return k;
}

/* ---- tests --------------------------------------------------------------- */

/* Output == input bit-exact, same length, exact timestamps and offsets,
 * for delays from 0 to longer than the stream, and buffer sizes from 7
 * frames to more than the delay; held frames come out before EOS. */
GST_START_TEST (test_length_and_timestamps)
{
  const guint delays[] = { 0, 1, 100, 4799, 20000 };
  const gsize blocks[] = { 1024, 137, 7, 4800 };
  guint d, k;

  for (d = 0; d < G_N_ELEMENTS (delays); d++) {
    for (k = 0; k < G_N_ELEMENTS (blocks); k++) {
      GstHarness *h = delay_new (delays[d], CAPS_F32 (2), NULL);
      gsize n = RATE / 3 + 11, count = 0, got;
      gfloat *x = g_new (gfloat, n * 2), *y = g_new0 (gfloat, n * 2);

      ramp (x, n * 2, 0.25f);
      push_frames (h, x, n, 2, blocks[k], 0);
      got = pull_all (h, 2, y, &count);
      /* exactly the delay is held back */
      fail_unless_equals_uint64 (n - got, MIN (delays[d], n));
      fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
      pull_all (h, 2, y, &count);
      fail_unless_equals_uint64 (count, n);
      fail_unless (memcmp (x, y, n * 2 * 4) == 0, "delay %u block %"
          G_GSIZE_FORMAT, delays[d], blocks[k]);
      fail_unless (has_event (h, GST_EVENT_EOS));
      fail_unless_equals_int (GST_MST_DELAY_TEST (h->element)->eos_calls, 1);
      g_free (x);
      g_free (y);
      delay_free (h, NULL);
    }
  }
}

GST_END_TEST;

/* The processor's start-up output (delay frames) is discarded and flagged
 * as priming: exactly `delay` frames per stream. */
GST_START_TEST (test_priming)
{
  GstHarness *h = delay_new (300, CAPS_F32 (1), NULL);
  gfloat x[1000];

  ramp (x, 1000, 0.1f);
  push_frames (h, x, 1000, 1, 128, 0);
  fail_unless_equals_uint64 (GST_MST_DELAY_TEST (h->element)->priming_frames,
      300);
  delay_free (h, NULL);
}

GST_END_TEST;

/* Latency query: upstream + ceil (delay / rate), for several delays, and
 * equal to what is held. */
GST_START_TEST (test_latency_query)
{
  const guint delays[] = { 0, 1, 240, 4801 };
  guint d;

  for (d = 0; d < G_N_ELEMENTS (delays); d++) {
    GstHarness *h = delay_new (delays[d], CAPS_F32 (1), NULL);
    gfloat *x = g_new (gfloat, RATE);
    gsize count = 0, got;

    gst_harness_set_upstream_latency (h, 7 * GST_MSECOND);
    ramp (x, RATE, 0.0f);
    push_frames (h, x, RATE / 2, 1, 1000, 0);
    got = pull_all (h, 1, NULL, &count);
    fail_unless_equals_uint64 (query_latency (h), 7 * GST_MSECOND +
        gst_util_uint64_scale_int_ceil (delays[d], GST_SECOND, RATE));
    fail_unless_equals_uint64 (RATE / 2 - got, delays[d]);
    g_free (x);
    delay_free (h, NULL);
  }
}

GST_END_TEST;

/* A flush drops what is held (it never comes out) and resets the
 * processor; the stream after it is complete and exact. */
GST_START_TEST (test_flush)
{
  GstHarness *h = delay_new (500, CAPS_F32 (1), NULL);
  gfloat x[6000], y[6000];
  gsize count = 0;
  GstSegment seg;
  GstBuffer *b;

  ramp (x, 6000, 0.5f);
  push_frames (h, x, 3000, 1, 1000, 0);
  fail_unless_equals_uint64 (pull_all (h, 1, NULL, &count), 2500);
  fail_unless (gst_harness_push_event (h, gst_event_new_flush_start ()));
  fail_unless (gst_harness_push_event (h, gst_event_new_flush_stop (TRUE)));
  fail_unless (GST_MST_DELAY_TEST (h->element)->flush_resets >= 1);
  gst_segment_init (&seg, GST_FORMAT_TIME);
  fail_unless (gst_harness_push_event (h, gst_event_new_segment (&seg)));
  fail_unless ((b = gst_harness_try_pull (h)) == NULL);
  count = 0;
  push_frames (h, x + 3000, 3000, 1, 700, 0);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  pull_all (h, 1, y, &count);
  fail_unless_equals_uint64 (count, 3000);
  fail_unless (memcmp (x + 3000, y, 3000 * 4) == 0);
  delay_free (h, NULL);
}

GST_END_TEST;

/* Contiguous input in many buffers: one output buffer per input buffer
 * (the held frames of the previous one and the new ones, not split at the
 * input boundary), DISCONT on the first only. */
GST_START_TEST (test_contiguous_output)
{
  GstHarness *h = delay_new (100, CAPS_F32 (1), NULL);
  gfloat x[10000];
  GstBuffer *b;
  guint n_bufs = 0, n_discont = 0;

  ramp (x, 10000, 0.5f);
  /* the first buffer DISCONT, as sources and parsers send it */
  b = make_buffer (x, 1000, 1, 0);
  GST_BUFFER_FLAG_SET (b, GST_BUFFER_FLAG_DISCONT);
  fail_unless_equals_int (gst_harness_push (h, b), GST_FLOW_OK);
  push_frames (h, x + 1000, 9000, 1, 1000, 1000);
  while ((b = gst_harness_try_pull (h))) {
    n_bufs++;
    n_discont += GST_BUFFER_IS_DISCONT (b);
    gst_buffer_unref (b);
  }
  fail_unless_equals_int (n_bufs, 10);
  fail_unless_equals_int (n_discont, 1);
  delay_free (h, NULL);
}

GST_END_TEST;

/* DISCONT with a timestamp jump: output split there, DISCONT set on the
 * first buffer after it, timestamps of the input frames on both sides. */
GST_START_TEST (test_discont)
{
  GstHarness *h = delay_new (700, CAPS_F32 (1), NULL);
  gfloat x[3000];
  GstBuffer *b;
  GstClockTime t2 = 10 * GST_SECOND;
  gsize total = 0;
  gboolean seen = FALSE;

  ramp (x, 3000, 0.0f);
  fail_unless_equals_int (gst_harness_push (h, make_buffer (x, 1500, 1, 0)),
      GST_FLOW_OK);
  b = make_buffer (x + 1500, 1500, 1, 1500);
  GST_BUFFER_PTS (b) = t2;
  GST_BUFFER_FLAG_SET (b, GST_BUFFER_FLAG_DISCONT);
  fail_unless_equals_int (gst_harness_push (h, b), GST_FLOW_OK);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  while ((b = gst_harness_try_pull (h))) {
    gsize n = gst_buffer_get_size (b) / 4;

    fail_unless (total >= 1500 || total + n <= 1500, "straddles the jump");
    fail_unless_equals_uint64 (GST_BUFFER_PTS (b), total < 1500 ?
        frame_time (total) : t2 + frame_time (total - 1500));
    if (total == 1500) {
      seen = TRUE;
      fail_unless (GST_BUFFER_IS_DISCONT (b));
    } else if (total > 0) {
      fail_if (GST_BUFFER_IS_DISCONT (b), "DISCONT at frame %" G_GSIZE_FORMAT
          " (%" G_GSIZE_FORMAT " frames)", total, n);
    }
    total += n;
    gst_buffer_unref (b);
  }
  fail_unless_equals_uint64 (total, 3000);
  fail_unless (seen);
  delay_free (h, NULL);
}

GST_END_TEST;

/* GAP buffers are silence of their size, or of their duration when
 * empty; the output is never flagged GAP.  A GAP event drains first and
 * is forwarded after the held frames. */
GST_START_TEST (test_gap)
{
  GstHarness *h = delay_new (333, CAPS_F32 (1), NULL);
  gfloat x[4000], y[5000];
  GstBuffer *b;
  gsize count = 0, i;

  ramp (x, 4000, 0.5f);
  push_frames (h, x, 1000, 1, 1000, 0);
  b = make_buffer (x, 1000, 1, 1000);
  GST_BUFFER_FLAG_SET (b, GST_BUFFER_FLAG_GAP);
  fail_unless_equals_int (gst_harness_push (h, b), GST_FLOW_OK);
  b = gst_buffer_new ();
  GST_BUFFER_PTS (b) = frame_time (2000);
  GST_BUFFER_DURATION (b) = frame_time (3000) - frame_time (2000);
  GST_BUFFER_OFFSET (b) = 2000;
  GST_BUFFER_FLAG_SET (b, GST_BUFFER_FLAG_GAP);
  fail_unless_equals_int (gst_harness_push (h, b), GST_FLOW_OK);
  push_frames (h, x + 1000, 1000, 1, 250, 3000);
  fail_unless (gst_harness_push_event (h, gst_event_new_gap (frame_time
              (4000), frame_time (5000) - frame_time (4000))));
  /* everything before the gap event is out before it */
  pull_all (h, 1, y, &count);
  fail_unless_equals_uint64 (count, 4000);
  fail_unless (has_event (h, GST_EVENT_GAP));
  fail_unless (memcmp (x, y, 1000 * 4) == 0);
  for (i = 1000; i < 3000; i++)
    fail_unless (y[i] == 0.0f);
  fail_unless (memcmp (x + 1000, y + 3000, 1000 * 4) == 0);
  delay_free (h, NULL);
}

GST_END_TEST;

/* A BYTES segment: no stream time (no controller sync, no critical), the
 * audio goes through complete; untimestamped output. */
GST_START_TEST (test_non_time_segment)
{
  GstHarness *h = delay_new (100, CAPS_F32 (1), NULL);
  gfloat x[4000], y[4000];
  GstSegment seg;
  GstBuffer *b;
  gsize total = 0;

  gst_segment_init (&seg, GST_FORMAT_BYTES);
  fail_unless (gst_harness_push_event (h, gst_event_new_segment (&seg)));
  ramp (x, 4000, 0.5f);
  b = make_buffer (x, 2000, 1, 0);
  GST_BUFFER_PTS (b) = GST_CLOCK_TIME_NONE;
  fail_unless_equals_int (gst_harness_push (h, b), GST_FLOW_OK);
  b = make_buffer (x + 2000, 2000, 1, 2000);
  GST_BUFFER_PTS (b) = GST_CLOCK_TIME_NONE;
  fail_unless_equals_int (gst_harness_push (h, b), GST_FLOW_OK);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  while ((b = gst_harness_try_pull (h))) {
    gsize n = gst_buffer_get_size (b) / 4;

    fail_if (GST_BUFFER_PTS_IS_VALID (b));
    gst_buffer_extract (b, 0, y + total, n * 4);
    total += n;
    gst_buffer_unref (b);
  }
  fail_unless_equals_uint64 (total, 4000);
  fail_unless (memcmp (x, y, sizeof x) == 0);
  delay_free (h, NULL);
}

GST_END_TEST;

static GstFlowReturn
chain_error (GstPad * pad, GstObject * parent, GstBuffer * buf)
{
  gst_buffer_unref (buf);
  return GST_FLOW_ERROR;
}

/* The push of drained frames fails downstream: before a SEGMENT the error
 * is returned for the next buffer (even one that produces no output); at
 * EOS it is posted as an error message. */
GST_START_TEST (test_drain_flow_return)
{
  GstBus *bus;
  GstHarness *h = delay_new (1000, CAPS_F32 (1), &bus);
  gfloat x[600];
  GstSegment seg;
  GstBuffer *b;

  ramp (x, 600, 0.5f);
  push_frames (h, x, 500, 1, 500, 0);
  gst_pad_set_chain_function (h->sinkpad, chain_error);
  gst_segment_init (&seg, GST_FORMAT_TIME);
  gst_harness_push_event (h, gst_event_new_segment (&seg));
  /* 100 frames < delay: no output of its own, but the drain failed */
  b = make_buffer (x + 500, 100, 1, 500);
  fail_unless_equals_int (gst_harness_push (h, b), GST_FLOW_ERROR);
  delay_free (h, bus);

  h = delay_new (1000, CAPS_F32 (1), &bus);
  push_frames (h, x, 500, 1, 500, 0);
  count_messages (bus, GST_MESSAGE_ERROR);
  gst_pad_set_chain_function (h->sinkpad, chain_error);
  gst_harness_push_event (h, gst_event_new_eos ());
  fail_unless_equals_int (count_messages (bus, GST_MESSAGE_ERROR), 1);
  delay_free (h, bus);
}

GST_END_TEST;

/* A controlled gain ramping linearly from 0 to 1 over one second, applied
 * to one buffer of one second of ones: the gain changes inside the buffer,
 * on the 10 ms grid (480 frames), each chunk carrying the control value at
 * its first frame's time. */
GST_START_TEST (test_controller_per_chunk)
{
  GstHarness *h = delay_new (0, CAPS_F32 (1), NULL);
  GstControlSource *cs = gst_interpolation_control_source_new ();
  GstTimedValueControlSource *tvcs = (GstTimedValueControlSource *) cs;
  gsize n = RATE, count = 0, i, grid = RATE / 100;
  gfloat *x = g_new (gfloat, n), *y = g_new0 (gfloat, n);

  g_object_set (cs, "mode", GST_INTERPOLATION_MODE_LINEAR, NULL);
  gst_object_add_control_binding (GST_OBJECT (h->element),
      gst_direct_control_binding_new_absolute (GST_OBJECT (h->element),
          "gain", cs));
  gst_timed_value_control_source_set (tvcs, 0, 0.0);
  gst_timed_value_control_source_set (tvcs, GST_SECOND, 1.0);
  for (i = 0; i < n; i++)
    x[i] = 1.0f;
  push_frames (h, x, n, 1, n, 0);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  pull_all (h, 1, y, &count);
  fail_unless_equals_uint64 (count, n);
  for (i = 0; i < n; i++) {
    /* the value at the chunk's start: (i - i % grid) / rate seconds */
    gdouble want = (gdouble) (i - i % grid) / RATE;

    fail_unless (fabs (y[i] - want) < 1e-6, "frame %" G_GSIZE_FORMAT
        ": gain %f, want %f", i, y[i], want);
  }
  gst_object_unref (cs);
  g_free (x);
  g_free (y);
  delay_free (h, NULL);
}

GST_END_TEST;

/* A latency change while playing: the old processor's frames are drained
 * into the stream (continuous, no DISCONT), a latency message is posted,
 * the query answers the new latency, output == input. */
GST_START_TEST (test_reconfigure)
{
  GstBus *bus;
  GstHarness *h = delay_new (200, CAPS_F32 (1), &bus);
  gsize n = 8000, count = 0;
  gfloat *x = g_new (gfloat, n), *y = g_new0 (gfloat, n);
  GstBuffer *b;

  ramp (x, n, 0.5f);
  push_frames (h, x, n / 2, 1, 1000, 0);
  pull_all (h, 1, y, &count);
  count_messages (bus, GST_MESSAGE_LATENCY);
  g_object_set (h->element, "delay", 1500, NULL);
  fail_unless_equals_int (gst_harness_push (h, make_buffer (x + n / 2, 1000,
              1, n / 2)), GST_FLOW_OK);
  while ((b = gst_harness_try_pull (h))) {
    gsize m = gst_buffer_get_size (b) / 4;

    fail_if (GST_BUFFER_IS_DISCONT (b));
    fail_unless (GST_BUFFER_PTS (b) + 1 >= frame_time (count) &&
        GST_BUFFER_PTS (b) <= frame_time (count) + 1);
    gst_buffer_extract (b, 0, y + count, m * 4);
    count += m;
    gst_buffer_unref (b);
  }
  fail_unless_equals_int (count_messages (bus, GST_MESSAGE_LATENCY), 1);
  fail_unless_equals_uint64 (query_latency (h),
      gst_util_uint64_scale_int_ceil (1500, GST_SECOND, RATE));
  push_frames (h, x + n / 2 + 1000, n / 2 - 1000, 1, 1000, n / 2 + 1000);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  pull_all (h, 1, y, &count);
  fail_unless_equals_uint64 (count, n);
  fail_unless (memcmp (x, y, n * 4) == 0);
  g_free (x);
  g_free (y);
  delay_free (h, bus);
}

GST_END_TEST;

/* Non-finite samples the processor reports: one warning per stream. */
GST_START_TEST (test_non_finite_warning)
{
  GstBus *bus;
  GstHarness *h = delay_new (10, CAPS_F32 (1), &bus);
  gfloat x[3000];

  ramp (x, 3000, 0.5f);
  x[5] = NAN;
  x[1500] = INFINITY;
  x[2500] = -INFINITY;
  push_frames (h, x, 3000, 1, 1000, 0);
  fail_unless_equals_int (count_messages (bus, GST_MESSAGE_WARNING), 1);
  delay_free (h, bus);
}

GST_END_TEST;

/* A format configure refuses fails the caps with an error on the bus. */
GST_START_TEST (test_configure_fails)
{
  GstBus *bus;
  GstHarness *h = gst_harness_new ("mstdelaytest");
  GstAudioInfo info;
  GstCaps *caps;

  bus = gst_bus_new ();
  gst_element_set_bus (h->element, bus);
  /* F64 passes the template of a subclass built for F32 + F64, but this
   * configure only takes F32: call setup directly */
  gst_audio_info_set_format (&info, GST_AUDIO_FORMAT_F64, RATE, 1, NULL);
  caps = gst_audio_info_to_caps (&info);
  fail_if (GST_AUDIO_FILTER_GET_CLASS (h->element)->setup (GST_AUDIO_FILTER
          (h->element), &info));
  fail_unless_equals_int (count_messages (bus, GST_MESSAGE_ERROR), 1);
  gst_caps_unref (caps);
  delay_free (h, bus);
}

GST_END_TEST;

static Suite *
mstlookahead_suite (void)
{
  Suite *s = suite_create ("mstlookahead");
  TCase *tc = tcase_create ("general");

  gst_element_register (NULL, "mstdelaytest", GST_RANK_NONE,
      GST_TYPE_MST_DELAY_TEST);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_length_and_timestamps);
  tcase_add_test (tc, test_priming);
  tcase_add_test (tc, test_latency_query);
  tcase_add_test (tc, test_flush);
  tcase_add_test (tc, test_discont);
  tcase_add_test (tc, test_contiguous_output);
  tcase_add_test (tc, test_gap);
  tcase_add_test (tc, test_non_time_segment);
  tcase_add_test (tc, test_drain_flow_return);
  tcase_add_test (tc, test_controller_per_chunk);
  tcase_add_test (tc, test_reconfigure);
  tcase_add_test (tc, test_non_finite_warning);
  tcase_add_test (tc, test_configure_fails);
  return s;
}

GST_CHECK_MAIN (mstlookahead);
