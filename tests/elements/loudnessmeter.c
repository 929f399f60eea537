/* gst-mastering — GstCheck/GstHarness tests for the loudnessmeter element
 *
 * Expected loudness values are computed from BS.1770-4 Annex 1 and
 * the synthetic reference values of docs/conformance.md §9, never taken from
 * the element's own output:
 *
 *   L = K(f) + 20·log10(A) + 10·log10(Σ G_i)
 *
 * for a steady sine of peak amplitude A on the channels i with weights G_i,
 * where K(f) is the loudness of a 0 dBFS sine in one unit-weight channel
 * at 48 kHz: −3.0103 LUFS at 997 Hz and −3.0036 LUFS at 1000 Hz
 * (docs/conformance.md §9, the latter from "mono 1000 Hz 0 dBFS"; 44.1 kHz,
 * 997 Hz: −3.0075).
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

#include "mstcheck.h"

/* docs/conformance.md §9: 0 dBFS sine in one unit-weight channel, 48 kHz */
#define K_997_48K   (-3.0103)
#define K_1000_48K  (-3.0036)
/* docs/conformance.md §9: mono 997 Hz 0 dBFS at 44.1 kHz */
#define K_997_44K1  (-3.0075)
/* docs/conformance.md §3: surround weight */
#define G_SURROUND  1.41

/* Integrated loudness of a steady tone: the [V] values have 4 decimals;
 * the first block also holds the K-filter's start-up transient. */
#define LOUDNESS_TOL 0.005

#define RATE 48000
#define CAPS_F32_MONO "audio/x-raw,format=" GST_AUDIO_NE (F32) \
    ",layout=interleaved,rate=48000,channels=1"

/* channel masks in GStreamer bit order */
#define MASK(p) (G_GUINT64_CONSTANT (1) << GST_AUDIO_CHANNEL_POSITION_ ## p)
#define MASK_5_1 (MASK (FRONT_LEFT) | MASK (FRONT_RIGHT) | MASK (FRONT_CENTER) \
    | MASK (LFE1) | MASK (REAR_LEFT) | MASK (REAR_RIGHT))
#define MASK_5_1_SIDE (MASK (FRONT_LEFT) | MASK (FRONT_RIGHT) \
    | MASK (FRONT_CENTER) | MASK (LFE1) | MASK (SIDE_LEFT) | MASK (SIDE_RIGHT))
#define MASK_7_1 (MASK_5_1 | MASK (SIDE_LEFT) | MASK (SIDE_RIGHT))

static const gchar *all_fields[] = {
  "timestamp", "stream-time", "running-time", "duration",
  "momentary-loudness", "shortterm-loudness", "global-loudness",
  "relative-threshold", "loudness-range", "sample-peak", "true-peak",
  "momentary-max", "shortterm-max", "true-peak-max", "sample-peak-max",
  "plr", "final", NULL
};

static gdouble
db_to_amp (gdouble db)
{
  return pow (10.0, db / 20.0);
}

/* ------------------------------------------------------------------ */
/* signal generation */

typedef struct
{
  GstAudioFormat format;
  gint rate;
  gint channels;
  gdouble freq;
  gdouble amp[8];               /* peak amplitude per channel, linear */
  guint64 pos;                  /* frames generated so far */
  GstClockTime pts_offset;
  gdouble phase;                /* radians at frame 0 */
} Tone;

static void
tone_init (Tone * t, GstAudioFormat format, gint rate, gint channels,
    gdouble freq, gdouble amp_all)
{
  gint c;

  memset (t, 0, sizeof (*t));
  t->format = format;
  t->rate = rate;
  t->channels = channels;
  t->freq = freq;
  for (c = 0; c < channels; c++)
    t->amp[c] = amp_all;
}

static gchar *
tone_caps (const Tone * t, guint64 mask)
{
  GstAudioInfo info;
  GstAudioChannelPosition pos[64];
  GstCaps *caps;
  gchar *s;

  gst_audio_info_init (&info);
  if (mask == 0 && t->channels > 2) {
    /* unpositioned: channel-mask 0 */
    return g_strdup_printf ("audio/x-raw,format=%s,layout=interleaved,"
        "rate=%d,channels=%d,channel-mask=(bitmask)0",
        gst_audio_format_to_string (t->format), t->rate, t->channels);
  } else if (mask != 0) {
    gst_audio_channel_positions_from_mask (t->channels, mask, pos);
    gst_audio_info_set_format (&info, t->format, t->rate, t->channels, pos);
  } else {
    gst_audio_info_set_format (&info, t->format, t->rate, t->channels, NULL);
  }
  caps = gst_audio_info_to_caps (&info);
  s = gst_caps_to_string (caps);
  gst_caps_unref (caps);
  return s;
}

static void
store_sample (GstAudioFormat format, guint8 * data, gsize idx, gdouble x)
{
  switch (format) {
    case GST_AUDIO_FORMAT_S16:
      ((gint16 *) data)[idx] = (gint16) CLAMP (lrint (x * 32768.0), -32768,
          32767);
      break;
    case GST_AUDIO_FORMAT_S32:
      ((gint32 *) data)[idx] = (gint32) CLAMP (llrint (x * 2147483648.0),
          G_MININT32, G_MAXINT32);
      break;
    case GST_AUDIO_FORMAT_F32:
      ((gfloat *) data)[idx] = (gfloat) x;
      break;
    case GST_AUDIO_FORMAT_F64:
      ((gdouble *) data)[idx] = x;
      break;
    default:
      g_assert_not_reached ();
  }
}

static GstBuffer *
tone_buffer (Tone * t, guint n_frames)
{
  const GstAudioFormatInfo *finfo = gst_audio_format_get_info (t->format);
  gsize bps = GST_AUDIO_FORMAT_INFO_WIDTH (finfo) / 8;
  GstBuffer *buf = gst_buffer_new_allocate (NULL, n_frames * bps *
      t->channels, NULL);
  GstMapInfo map;
  guint i;
  gint c;

  gst_buffer_map (buf, &map, GST_MAP_WRITE);
  for (i = 0; i < n_frames; i++) {
    gdouble ph = 2.0 * G_PI * t->freq * (gdouble) (t->pos + i) / t->rate
        + t->phase;
    gdouble x = sin (ph);

    for (c = 0; c < t->channels; c++)
      store_sample (t->format, map.data, (gsize) i * t->channels + c,
          t->amp[c] * x);
  }
  gst_buffer_unmap (buf, &map);

  GST_BUFFER_PTS (buf) = t->pts_offset +
      gst_util_uint64_scale_int (t->pos, GST_SECOND, t->rate);
  GST_BUFFER_DURATION (buf) = t->pts_offset +
      gst_util_uint64_scale_int (t->pos + n_frames, GST_SECOND, t->rate) -
      GST_BUFFER_PTS (buf);
  t->pos += n_frames;
  return buf;
}

/* Pushes `frames` frames in buffers of `block` frames; pulls and drops the
 * output. */
static void
push_tone (GstHarness * h, Tone * t, guint64 frames, guint block)
{
  while (frames > 0) {
    guint n = (guint) MIN (frames, block);

    fail_unless_equals_int (gst_harness_push (h, tone_buffer (t, n)),
        GST_FLOW_OK);
    gst_buffer_unref (gst_harness_pull (h));
    frames -= n;
  }
}

/* ------------------------------------------------------------------ */
/* harness and messages */

static GstHarness *
meter_new (const gchar * caps, GstBus ** bus)
{
  GstHarness *h = gst_harness_new ("loudnessmeter");

  *bus = gst_bus_new ();
  gst_element_set_bus (h->element, *bus);
  gst_harness_set_src_caps_str (h, caps);
  return h;
}

static void
meter_free (GstHarness * h, GstBus * bus)
{
  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
}

/* Checks that s holds every field with the right type and no NaN. */
static void
check_structure (const GstStructure * s, gint channels)
{
  gint i;

  fail_unless (gst_structure_has_name (s, "loudnessmeter"));
  for (i = 0; all_fields[i]; i++) {
    const gchar *f = all_fields[i];
    const GValue *v = gst_structure_get_value (s, f);

    fail_unless (v != NULL, "field %s missing", f);
    if (g_str_equal (f, "final")) {
      fail_unless (G_VALUE_HOLDS_BOOLEAN (v));
    } else if (g_str_has_suffix (f, "time") || g_str_equal (f, "timestamp")
        || g_str_equal (f, "duration")) {
      fail_unless (G_VALUE_HOLDS_UINT64 (v), "%s not guint64", f);
    } else if (g_str_equal (f, "sample-peak") || g_str_equal (f, "true-peak")) {
      guint k;

      fail_unless (GST_VALUE_HOLDS_ARRAY (v), "%s not an array", f);
      fail_unless_equals_int (gst_value_array_get_size (v), channels);
      for (k = 0; k < gst_value_array_get_size (v); k++) {
        const GValue *e = gst_value_array_get_value (v, k);

        fail_unless (G_VALUE_HOLDS_DOUBLE (e));
        fail_unless (isfinite (g_value_get_double (e)), "%s[%u] = %f", f, k,
            g_value_get_double (e));
        fail_unless (g_value_get_double (e) >= 0.0);
      }
    } else {
      fail_unless (G_VALUE_HOLDS_DOUBLE (v), "%s not gdouble", f);
      fail_if (isnan (g_value_get_double (v)), "%s is NaN", f);
      /* only -inf marks undefined */
      fail_if (isinf (g_value_get_double (v)) && g_value_get_double (v) > 0,
          "%s is +inf", f);
    }
  }
}

static gint msg_channels = 1;
static guint n_warnings;

/* Next loudnessmeter message on the bus (checked), or NULL.  Counts the
 * warning messages it passes in n_warnings. */
static GstStructure *
pop_meter (GstBus * bus)
{
  GstMessage *m;

  while ((m = gst_bus_pop (bus))) {
    const GstStructure *s = gst_message_get_structure (m);

    if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_WARNING)
      n_warnings++;
    if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_ELEMENT && s &&
        gst_structure_has_name (s, "loudnessmeter")) {
      GstStructure *copy = gst_structure_copy (s);

      fail_unless (GST_MESSAGE_SRC (m) != NULL);
      gst_message_unref (m);
      check_structure (copy, msg_channels);
      return copy;
    }
    gst_message_unref (m);
  }
  return NULL;
}

/* Drops all pending messages; returns how many loudnessmeter messages. */
static guint
drain_meter (GstBus * bus, GstStructure ** last)
{
  GstStructure *s;
  guint n = 0;

  if (last)
    *last = NULL;
  while ((s = pop_meter (bus))) {
    n++;
    if (last) {
      if (*last)
        gst_structure_free (*last);
      *last = s;
    } else {
      gst_structure_free (s);
    }
  }
  return n;
}

static gdouble
get_d (const GstStructure * s, const gchar * f)
{
  gdouble d;

  fail_unless (gst_structure_get_double (s, f, &d), "no double %s", f);
  return d;
}

static guint64
get_u64 (const GstStructure * s, const gchar * f)
{
  guint64 v;

  fail_unless (gst_structure_get_uint64 (s, f, &v), "no guint64 %s", f);
  return v;
}

static gboolean
get_final (const GstStructure * s)
{
  gboolean b;

  fail_unless (gst_structure_get_boolean (s, "final", &b));
  return b;
}

static gdouble
get_array_d (const GstStructure * s, const gchar * f, guint i)
{
  const GValue *v = gst_structure_get_value (s, f);

  fail_unless (v != NULL && GST_VALUE_HOLDS_ARRAY (v));
  fail_unless (i < gst_value_array_get_size (v));
  return g_value_get_double (gst_value_array_get_value (v, i));
}

/* Sends EOS and returns the final message (exactly one). */
static GstStructure *
finish (GstHarness * h, GstBus * bus)
{
  GstStructure *s, *last;
  guint n;

  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  n = drain_meter (bus, &last);
  fail_unless (n >= 1, "no message on EOS");
  s = last;
  fail_unless (get_final (s), "last message is not final");
  return s;
}

/* The next message, which must be the one of interval i (0, 1, ...) of
 * `interval` ns from time 0, full length. */
static GstStructure *
pop_meter_nth (GstBus * bus, guint i, GstClockTime interval)
{
  GstStructure *s = pop_meter (bus);

  fail_unless (s != NULL, "message %u missing", i);
  fail_unless_equals_uint64 (get_u64 (s, "timestamp"), i * interval);
  fail_unless_equals_uint64 (get_u64 (s, "duration"), interval);
  return s;
}

/* Runs a steady tone of `seconds` through the meter, returns the final
 * message. */
static GstStructure *
measure_tone (Tone * t, guint64 mask, gdouble seconds, const gchar * prop,
    gboolean value)
{
  GstHarness *h;
  GstBus *bus;
  GstStructure *s;
  gchar *caps = tone_caps (t, mask);

  h = meter_new (caps, &bus);
  g_free (caps);
  if (prop)
    g_object_set (h->element, prop, value, NULL);
  msg_channels = t->channels;
  push_tone (h, t, (guint64) (seconds * t->rate), 1024);
  s = finish (h, bus);
  meter_free (h, bus);
  msg_channels = 1;
  return s;
}

/* Independent true peak of the first `frames` frames of channel 0 of a
 * tone as tone_buffer() makes it (same formula, same quantization to the
 * format): the samples and the 4x points between them, interpolated by a
 * 129-tap Kaiser-windowed (beta 10) sinc in double precision (BS.1770-4
 * Annex 2 with a long, near-ideal filter).  Silence before the start;
 * points whose window would reach past the end are left out (a meter at
 * EOS has not heard what follows).  Returns dBTP. */
static gdouble
ref_tone_true_peak_db (const Tone * t, guint64 frames)
{
  const gint half = 64;
  const gdouble beta = 10.0;
  gdouble *x = g_new (gdouble, frames);
  gdouble h[3][129], peak = 0.0, i0b = 1.0, term = 1.0;
  guint64 i;
  gint p, m, k;

  for (k = 1; k < 60; k++) {
    term *= (beta / (2.0 * k)) * (beta / (2.0 * k));
    i0b += term;
  }
  for (i = 0; i < frames; i++) {
    gdouble v = t->amp[0] * sin (2.0 * G_PI * t->freq * (gdouble) i / t->rate
        + t->phase);

    switch (t->format) {
      case GST_AUDIO_FORMAT_S16:
        v = CLAMP (lrint (v * 32768.0), -32768, 32767) / 32768.0;
        break;
      case GST_AUDIO_FORMAT_S32:
        v = CLAMP (llrint (v * 2147483648.0), G_MININT32, G_MAXINT32)
            / 2147483648.0;
        break;
      case GST_AUDIO_FORMAT_F32:
        v = (gfloat) v;
        break;
      default:
        break;
    }
    x[i] = v;
    peak = MAX (peak, fabs (v));
  }
  for (p = 1; p < 4; p++)
    for (m = -half; m <= half; m++) {
      gdouble tt = p / 4.0 - m, r = tt / (half + 1.0);
      gdouble arg = beta * sqrt (1.0 - r * r), i0 = 1.0;

      term = 1.0;
      for (k = 1; k < 60; k++) {
        term *= (arg / (2.0 * k)) * (arg / (2.0 * k));
        i0 += term;
      }
      h[p - 1][m + half] = sin (G_PI * tt) / (G_PI * tt) * i0 / i0b;
    }
  for (i = 0; i + half < frames; i++)
    for (p = 0; p < 3; p++) {
      gdouble acc = 0.0;

      for (m = -half; m <= half; m++)
        if ((gint64) i + m >= 0)
          acc += h[p][m + half] * x[i + m];
      peak = MAX (peak, fabs (acc));
    }
  g_free (x);
  return 20.0 * log10 (peak);
}

#define assert_close(a, b, tol) \
  fail_unless (fabs ((a) - (b)) <= (tol), "%s = %.6f, expected %.6f ± %g", \
      #a, (double) (a), (double) (b), (double) (tol))

/* ------------------------------------------------------------------ */

/* Passthrough: the very same buffer comes out, bit-identical. */
GST_START_TEST (test_passthrough)
{
  const GstAudioFormat formats[] = { GST_AUDIO_FORMAT_S16,
    GST_AUDIO_FORMAT_S32, GST_AUDIO_FORMAT_F32, GST_AUDIO_FORMAT_F64
  };
  guint f;

  for (f = 0; f < G_N_ELEMENTS (formats); f++) {
    GstHarness *h;
    GstBus *bus;
    GstBuffer *in, *out;
    GstMapInfo mi, mo;
    Tone t;
    gchar *caps;
    guint i;

    tone_init (&t, formats[f], RATE, 2, 997.0, 0.9);
    caps = tone_caps (&t, 0);
    h = meter_new (caps, &bus);
    g_free (caps);
    msg_channels = 2;

    for (i = 0; i < 20; i++) {
      guint8 *copy;

      in = tone_buffer (&t, 1000 + i);
      /* include out-of-range and non-finite values for the float formats */
      if (formats[f] == GST_AUDIO_FORMAT_F32) {
        gst_buffer_map (in, &mi, GST_MAP_WRITE);
        ((gfloat *) mi.data)[3] = NAN;
        ((gfloat *) mi.data)[5] = 4.0f;
        gst_buffer_unmap (in, &mi);
      }
      gst_buffer_map (in, &mi, GST_MAP_READ);
      copy = g_memdup2 (mi.data, mi.size);
      gst_buffer_unmap (in, &mi);

      fail_unless_equals_int (gst_harness_push (h, gst_buffer_ref (in)),
          GST_FLOW_OK);
      out = gst_harness_pull (h);
      fail_unless (out == in, "passthrough must not copy the buffer");
      gst_buffer_map (out, &mo, GST_MAP_READ);
      fail_unless_equals_int (mo.size, (1000 + i) * 2 *
          GST_AUDIO_FORMAT_INFO_WIDTH (gst_audio_format_get_info (formats[f]))
          / 8);
      fail_unless (memcmp (mo.data, copy, mo.size) == 0);
      gst_buffer_unmap (out, &mo);
      g_free (copy);
      gst_buffer_unref (out);
      gst_buffer_unref (in);
    }
    drain_meter (bus, NULL);
    meter_free (h, bus);
    msg_channels = 1;
  }
}

GST_END_TEST;

/* Property defaults and ranges as documented. */
GST_START_TEST (test_properties)
{
  GstElement *e = gst_element_factory_make ("loudnessmeter", NULL);
  GParamSpec *ps;
  guint64 interval;
  gboolean post, tp, dm;

  fail_unless (e != NULL);
  g_object_get (e, "interval", &interval, "post-messages", &post,
      "true-peak", &tp, "dual-mono", &dm, NULL);
  fail_unless_equals_uint64 (interval, 100 * GST_MSECOND);
  fail_unless (post);
  fail_unless (tp);
  fail_if (dm);
  ps = g_object_class_find_property (G_OBJECT_GET_CLASS (e), "interval");
  fail_unless_equals_uint64 (G_PARAM_SPEC_UINT64 (ps)->minimum,
      10 * GST_MSECOND);
  fail_unless (ps->flags & GST_PARAM_CONTROLLABLE);
  g_object_set (e, "interval", (guint64) GST_SECOND, NULL);
  g_object_get (e, "interval", &interval, NULL);
  fail_unless_equals_uint64 (interval, GST_SECOND);
  gst_object_unref (e);
}

GST_END_TEST;

/* Cadence: 1 s at 48 kHz in 1024-frame buffers (the last one 896), interval
 * 100 ms = 4800 frames → exactly 10 messages at 0, 100, ..., 900 ms, each
 * 100 ms long, posted as soon as their interval is full, then one final
 * message on EOS with duration 0 at 1 s. */
GST_START_TEST (test_cadence)
{
  GstHarness *h;
  GstBus *bus;
  GstStructure *s;
  Tone t;
  guint64 pushed = 0;
  guint n = 0;

  tone_init (&t, GST_AUDIO_FORMAT_F32, RATE, 1, 997.0, 0.1);
  h = meter_new (CAPS_F32_MONO, &bus);

  while (pushed < RATE) {
    guint block = (guint) MIN (1024, RATE - pushed);

    fail_unless_equals_int (gst_harness_push (h, tone_buffer (&t, block)),
        GST_FLOW_OK);
    gst_buffer_unref (gst_harness_pull (h));
    pushed += block;
    while ((s = pop_meter (bus))) {
      fail_if (get_final (s));
      fail_unless_equals_uint64 (get_u64 (s, "timestamp"),
          n * 100 * GST_MSECOND);
      fail_unless_equals_uint64 (get_u64 (s, "running-time"),
          n * 100 * GST_MSECOND);
      fail_unless_equals_uint64 (get_u64 (s, "stream-time"),
          n * 100 * GST_MSECOND);
      fail_unless_equals_uint64 (get_u64 (s, "duration"), 100 * GST_MSECOND);
      gst_structure_free (s);
      n++;
    }
    /* a message is out as soon as its interval is full, not later */
    fail_unless_equals_int (n, pushed / 4800);
  }
  fail_unless_equals_int (n, 10);

  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  s = pop_meter (bus);
  fail_unless (s != NULL);
  fail_unless (get_final (s));
  fail_unless_equals_uint64 (get_u64 (s, "timestamp"), GST_SECOND);
  fail_unless_equals_uint64 (get_u64 (s, "duration"), 0);
  gst_structure_free (s);
  fail_unless (pop_meter (bus) == NULL);
  meter_free (h, bus);
}

GST_END_TEST;

/* Message timestamps: start of each interval; stream/running time from the
 * segment; the final message covers the partial last interval.
 * 1.1 s, interval 250 ms → 4 messages (0, 250, 500, 750 ms) + final at
 * 1 s lasting 100 ms.  With a segment starting at 10 s, running time is
 * timestamp − 10 s. */
GST_START_TEST (test_timestamps)
{
  GstHarness *h;
  GstBus *bus;
  GstStructure *s;
  GstSegment seg;
  Tone t;
  guint i;

  tone_init (&t, GST_AUDIO_FORMAT_S16, RATE, 2, 997.0, 0.1);
  t.pts_offset = 10 * GST_SECOND;
  h = meter_new ("audio/x-raw,format=" GST_AUDIO_NE (S16)
      ",layout=interleaved,rate=48000,channels=2", &bus);
  g_object_set (h->element, "interval", (guint64) (250 * GST_MSECOND), NULL);
  msg_channels = 2;

  gst_segment_init (&seg, GST_FORMAT_TIME);
  seg.start = 10 * GST_SECOND;
  seg.time = 100 * GST_SECOND;
  fail_unless (gst_harness_push_event (h, gst_event_new_segment (&seg)));

  push_tone (h, &t, RATE * 11 / 10, 441);
  for (i = 0; i < 4; i++) {
    GstClockTime ts = 10 * GST_SECOND + i * 250 * GST_MSECOND;

    s = pop_meter (bus);
    fail_unless (s != NULL, "message %u missing", i);
    fail_if (get_final (s));
    fail_unless_equals_uint64 (get_u64 (s, "timestamp"), ts);
    fail_unless_equals_uint64 (get_u64 (s, "running-time"),
        ts - 10 * GST_SECOND);
    fail_unless_equals_uint64 (get_u64 (s, "stream-time"),
        ts - 10 * GST_SECOND + 100 * GST_SECOND);
    fail_unless_equals_uint64 (get_u64 (s, "duration"), 250 * GST_MSECOND);
    gst_structure_free (s);
  }
  fail_unless (pop_meter (bus) == NULL);

  s = finish (h, bus);
  fail_unless_equals_uint64 (get_u64 (s, "timestamp"), 11 * GST_SECOND);
  fail_unless_equals_uint64 (get_u64 (s, "duration"), 100 * GST_MSECOND);
  gst_structure_free (s);
  msg_channels = 1;
  meter_free (h, bus);
}

GST_END_TEST;

/* The final message is on the bus before EOS leaves the element. */
static gint final_posted;
static gint final_posted_at_eos = -1;

static GstBusSyncReply
count_final (GstBus * bus, GstMessage * m, gpointer user_data)
{
  const GstStructure *s = gst_message_get_structure (m);
  gboolean final;

  if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_ELEMENT && s &&
      gst_structure_has_name (s, "loudnessmeter") &&
      gst_structure_get_boolean (s, "final", &final) && final)
    g_atomic_int_inc (&final_posted);
  return GST_BUS_PASS;
}

static GstPadProbeReturn
eos_probe (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  if (GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info)) == GST_EVENT_EOS)
    final_posted_at_eos = g_atomic_int_get (&final_posted);
  return GST_PAD_PROBE_OK;
}

GST_START_TEST (test_final_before_eos)
{
  GstHarness *h;
  GstBus *bus;
  GstPad *srcpad;
  GstEvent *ev;
  Tone t;

  tone_init (&t, GST_AUDIO_FORMAT_F32, RATE, 1, 997.0, 0.1);
  h = meter_new (CAPS_F32_MONO, &bus);
  gst_bus_set_sync_handler (bus, count_final, NULL, NULL);
  srcpad = gst_element_get_static_pad (h->element, "src");
  gst_pad_add_probe (srcpad, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, eos_probe,
      NULL, NULL);
  gst_object_unref (srcpad);

  push_tone (h, &t, 12345, 1024);
  fail_unless_equals_int (final_posted, 0);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  fail_unless_equals_int (final_posted_at_eos, 1);
  fail_unless_equals_int (final_posted, 1);

  /* and EOS did get through */
  while ((ev = gst_harness_try_pull_event (h))) {
    gboolean is_eos = GST_EVENT_TYPE (ev) == GST_EVENT_EOS;

    gst_event_unref (ev);
    if (is_eos)
      break;
  }
  fail_unless (ev != NULL, "EOS not forwarded");
  gst_bus_set_sync_handler (bus, NULL, NULL, NULL);
  drain_meter (bus, NULL);
  meter_free (h, bus);
}

GST_END_TEST;

/* Every sample format gives the analytic loudness of the same signal:
 * mono 997 Hz sine at −20 dBFS → K(997) − 20 = −23.0103 LUFS
 * (docs/conformance.md §9 scaled); sample peak −20 dBFS; true peak within
 * 0.002 dB of an independent long-sinc interpolation of the same samples
 * and ≥ the sample peak; plr = true peak − integrated. */
GST_START_TEST (test_formats)
{
  const GstAudioFormat formats[] = { GST_AUDIO_FORMAT_S16,
    GST_AUDIO_FORMAT_S32, GST_AUDIO_FORMAT_F32, GST_AUDIO_FORMAT_F64
  };
  const gdouble expected = K_997_48K - 20.0;
  gdouble first = 0.0;
  guint f;

  for (f = 0; f < G_N_ELEMENTS (formats); f++) {
    GstStructure *s;
    Tone t;
    gdouble g, tp, sp;

    tone_init (&t, formats[f], RATE, 1, 997.0, db_to_amp (-20.0));
    s = measure_tone (&t, 0, 5.0, NULL, FALSE);
    g = get_d (s, "global-loudness");
    GST_INFO ("%s: %" GST_PTR_FORMAT, gst_audio_format_to_string (formats[f]),
        s);
    assert_close (g, expected, LOUDNESS_TOL);
    /* steady tone: momentary and short-term equal the integrated value */
    assert_close (get_d (s, "momentary-loudness"), expected, LOUDNESS_TOL);
    assert_close (get_d (s, "shortterm-loudness"), expected, LOUDNESS_TOL);
    assert_close (get_d (s, "momentary-max"), expected, 2 * LOUDNESS_TOL);
    assert_close (get_d (s, "shortterm-max"), expected, LOUDNESS_TOL);
    /* BS.1770-4 Annex 1: relative gate 10 LU below the gated loudness */
    assert_close (get_d (s, "relative-threshold"), g - 10.0, 1e-6);
    /* Tech 3342: a steady tone has no loudness range */
    assert_close (get_d (s, "loudness-range"), 0.0, 0.05);
    sp = get_d (s, "sample-peak-max");
    tp = get_d (s, "true-peak-max");
    /* 997 Hz at 48k: sampled peaks come within 0.001 dB of the crest */
    assert_close (sp, -20.0, 0.001);
    assert_close (get_array_d (s, "sample-peak", 0), db_to_amp (sp), 1e-9);
    fail_unless (tp >= sp - 1e-9);
    /* the element's 4x interpolator against the independent one: within
     * 0.002 dB on this tone (measured; a wrong filter or a lost stretch
     * of input moves it further) */
    {
      Tone ref;

      tone_init (&ref, formats[f], RATE, 1, 997.0, db_to_amp (-20.0));
      assert_close (tp, ref_tone_true_peak_db (&ref, (guint64) (5.0 * RATE)),
          0.002);
    }
    assert_close (get_array_d (s, "true-peak", 0), db_to_amp (tp), 1e-9);
    assert_close (get_d (s, "plr"), tp - g, 1e-9);
    if (f == 0)
      first = g;
    else
      assert_close (g, first, 0.001);
    gst_structure_free (s);
  }
}

GST_END_TEST;

/* Channel counts and weights (docs/conformance.md §3, values of
 * docs/conformance.md §9). 997 Hz −20 dBFS: mono −23.0103, stereo identical
 * −20.0000 (+3.01), stereo left only −23.0103.  1 kHz −23 dBFS in 5.1 (FL FR FC
 * LFE RL RR): only Ls → −24.5114, all six → −18.3544, only C → −26.0036; only
 * LFE at 0 dBFS → −inf.  5.1 with SIDE_* surrounds: only SL → −24.5114.  7.1:
 * only RL (back, ±135°) → −26.0036, only SL → −24.5114.  Unpositioned 6 ch: all
 * weigh 1.0, channel 3 alone → −26.0036. */
static gdouble
measure_active (GstAudioFormat fmt, gint channels, guint64 mask,
    gdouble freq, gdouble db, guint active_mask, gdouble seconds)
{
  GstStructure *s;
  Tone t;
  gint c;
  gdouble g;

  tone_init (&t, fmt, RATE, channels, freq, 0.0);
  for (c = 0; c < channels; c++)
    t.amp[c] = (active_mask & (1u << c)) ? db_to_amp (db) : 0.0;
  s = measure_tone (&t, mask, seconds, NULL, FALSE);
  g = get_d (s, "global-loudness");
  /* sample peaks per channel: the active ones only */
  for (c = 0; c < channels; c++) {
    gdouble p = get_array_d (s, "sample-peak", c);

    if (active_mask & (1u << c))
      assert_close (20.0 * log10 (p), db, 0.001);
    else
      fail_unless (p == 0.0);
  }
  gst_structure_free (s);
  return g;
}

GST_START_TEST (test_channels)
{
  const gdouble l23 = K_1000_48K - 23.0;
  gdouble g;

  /* 1 and 2 channels */
  g = measure_active (GST_AUDIO_FORMAT_F32, 1, 0, 997.0, -20.0, 0x1, 3.0);
  assert_close (g, K_997_48K - 20.0, LOUDNESS_TOL);
  g = measure_active (GST_AUDIO_FORMAT_F32, 2, 0, 997.0, -20.0, 0x3, 3.0);
  assert_close (g, K_997_48K - 20.0 + 10.0 * log10 (2.0), LOUDNESS_TOL);
  g = measure_active (GST_AUDIO_FORMAT_F32, 2, 0, 997.0, -20.0, 0x1, 3.0);
  assert_close (g, K_997_48K - 20.0, LOUDNESS_TOL);

  /* 5.1 */
  g = measure_active (GST_AUDIO_FORMAT_F32, 6, MASK_5_1, 1000.0, -23.0,
      1u << 4, 3.0);
  assert_close (g, l23 + 10.0 * log10 (G_SURROUND), LOUDNESS_TOL);
  assert_close (g, -24.5114, LOUDNESS_TOL);
  g = measure_active (GST_AUDIO_FORMAT_F32, 6, MASK_5_1, 1000.0, -23.0,
      0x3f, 3.0);
  assert_close (g, l23 + 10.0 * log10 (3.0 + 2.0 * G_SURROUND),
      LOUDNESS_TOL);
  assert_close (g, -18.3544, LOUDNESS_TOL);
  g = measure_active (GST_AUDIO_FORMAT_F32, 6, MASK_5_1, 1000.0, -23.0,
      1u << 2, 3.0);
  assert_close (g, -26.0036, LOUDNESS_TOL);
  g = measure_active (GST_AUDIO_FORMAT_F32, 6, MASK_5_1, 1000.0, 0.0,
      1u << 3, 3.0);
  fail_unless (isinf (g) && g < 0, "LFE only: %f", g);

  /* 5.1 with side surrounds: channel order FL FR FC LFE SL SR */
  g = measure_active (GST_AUDIO_FORMAT_S32, 6, MASK_5_1_SIDE, 1000.0, -23.0,
      1u << 4, 3.0);
  assert_close (g, l23 + 10.0 * log10 (G_SURROUND), LOUDNESS_TOL);

  /* 7.1: FL FR FC LFE RL RR SL SR */
  g = measure_active (GST_AUDIO_FORMAT_F64, 8, MASK_7_1, 1000.0, -23.0,
      1u << 4, 3.0);
  assert_close (g, l23, LOUDNESS_TOL);
  g = measure_active (GST_AUDIO_FORMAT_F64, 8, MASK_7_1, 1000.0, -23.0,
      1u << 7, 3.0);
  assert_close (g, l23 + 10.0 * log10 (G_SURROUND), LOUDNESS_TOL);

  /* unpositioned: all 1.0, including the LFE slot of L R C LFE Ls Rs */
  g = measure_active (GST_AUDIO_FORMAT_F32, 6, 0, 1000.0, -23.0, 1u << 3,
      3.0);
  assert_close (g, l23, LOUDNESS_TOL);
  g = measure_active (GST_AUDIO_FORMAT_F32, 6, 0, 1000.0, -23.0, 1u << 5,
      3.0);
  assert_close (g, l23, LOUDNESS_TOL);
}

GST_END_TEST;

/* dual-mono (docs/conformance.md §9): mono 1 kHz −23 dBFS reads −26.0036 as one
 * channel and −22.9933 as dual mono (weight 2.0 = +3.0103 dB). */
GST_START_TEST (test_dual_mono)
{
  GstStructure *s;
  Tone t;

  tone_init (&t, GST_AUDIO_FORMAT_F32, RATE, 1, 1000.0, db_to_amp (-23.0));
  s = measure_tone (&t, 0, 3.0, "dual-mono", FALSE);
  assert_close (get_d (s, "global-loudness"), -26.0036, LOUDNESS_TOL);
  gst_structure_free (s);

  tone_init (&t, GST_AUDIO_FORMAT_F32, RATE, 1, 1000.0, db_to_amp (-23.0));
  s = measure_tone (&t, 0, 3.0, "dual-mono", TRUE);
  assert_close (get_d (s, "global-loudness"), -22.9933, LOUDNESS_TOL);
  assert_close (get_d (s, "global-loudness"),
      K_1000_48K - 23.0 + 10.0 * log10 (2.0), LOUDNESS_TOL);
  /* peaks are not weighted */
  assert_close (get_d (s, "sample-peak-max"), -23.0, 0.001);
  gst_structure_free (s);

  /* a one-channel stream labelled FRONT_CENTER (channel-mask 0x4, as some
   * decoders write mono) is a mono programme too: same +3.0103 dB */
  tone_init (&t, GST_AUDIO_FORMAT_F32, RATE, 1, 1000.0, db_to_amp (-23.0));
  s = measure_tone (&t, 0x4, 3.0, "dual-mono", TRUE);
  assert_close (get_d (s, "global-loudness"), -22.9933, LOUDNESS_TOL);
  gst_structure_free (s);

  /* dual-mono only concerns a one-channel stream: stereo is unchanged */
  tone_init (&t, GST_AUDIO_FORMAT_F32, RATE, 2, 997.0, db_to_amp (-20.0));
  s = measure_tone (&t, 0, 3.0, "dual-mono", TRUE);
  assert_close (get_d (s, "global-loudness"), K_997_48K - 20.0 +
      10.0 * log10 (2.0), LOUDNESS_TOL);
  gst_structure_free (s);
}

GST_END_TEST;

/* reset: 2.05 s at −10 dBFS, reset, 3.5 s at −30 dBFS (997 Hz mono).  The
 * new measurement only sees the second part: integrated and maximum
 * momentary = K(997) − 30, sample peak −30 dBFS.  The partial interval
 * before the reset is dropped: the next message starts at 2.05 s and lasts
 * a full 100 ms. */
GST_START_TEST (test_reset)
{
  GstHarness *h;
  GstBus *bus;
  GstStructure *s;
  Tone t;
  guint n;

  tone_init (&t, GST_AUDIO_FORMAT_F32, RATE, 1, 997.0, db_to_amp (-10.0));
  h = meter_new (CAPS_F32_MONO, &bus);
  push_tone (h, &t, RATE * 205 / 100, 480);
  n = drain_meter (bus, &s);
  fail_unless_equals_int (n, 20);
  assert_close (get_d (s, "momentary-max"), K_997_48K - 10.0, 0.01);
  gst_structure_free (s);

  g_signal_emit_by_name (h->element, "reset");

  t.amp[0] = db_to_amp (-30.0);
  push_tone (h, &t, RATE * 35 / 10, 480);
  s = pop_meter (bus);
  fail_unless (s != NULL);
  fail_unless_equals_uint64 (get_u64 (s, "timestamp"),
      2050 * GST_MSECOND);
  fail_unless_equals_uint64 (get_u64 (s, "duration"), 100 * GST_MSECOND);
  gst_structure_free (s);
  fail_unless_equals_int (drain_meter (bus, NULL), 34);

  s = finish (h, bus);
  assert_close (get_d (s, "global-loudness"), K_997_48K - 30.0,
      LOUDNESS_TOL);
  assert_close (get_d (s, "momentary-max"), K_997_48K - 30.0, 0.01);
  assert_close (get_d (s, "shortterm-max"), K_997_48K - 30.0, 0.01);
  assert_close (get_d (s, "sample-peak-max"), -30.0, 0.001);
  fail_unless (get_d (s, "true-peak-max") < -29.0);
  gst_structure_free (s);
  meter_free (h, bus);
}

GST_END_TEST;

/* Reset in the middle of a buffer (from the bus sync handler, i.e. while
 * the element posts): the interval restarts there and the next message
 * still gets a valid timestamp.  1 s mono buffers, interval 100 ms: the
 * reset comes with the first message (posted after frame 4800); the next
 * interval starts at 100 ms. */
static GstBusSyncReply
reset_on_first (GstBus * bus, GstMessage * m, gpointer user_data)
{
  gint *count = user_data;

  if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_ELEMENT && (*count)++ == 0)
    g_signal_emit_by_name (GST_MESSAGE_SRC (m), "reset");
  return GST_BUS_PASS;
}

GST_START_TEST (test_reset_mid_buffer)
{
  GstHarness *h;
  GstBus *bus;
  GstStructure *s;
  Tone t;
  gint count = 0;
  guint i;

  tone_init (&t, GST_AUDIO_FORMAT_F32, RATE, 1, 997.0, db_to_amp (-20.0));
  h = meter_new (CAPS_F32_MONO, &bus);
  gst_bus_set_sync_handler (bus, reset_on_first, &count, NULL);
  push_tone (h, &t, RATE, RATE);
  gst_bus_set_sync_handler (bus, NULL, NULL, NULL);
  for (i = 0; i < 10; i++) {
    s = pop_meter (bus);
    fail_unless (s != NULL);
    fail_unless_equals_uint64 (get_u64 (s, "timestamp"),
        i * 100 * GST_MSECOND);
    gst_structure_free (s);
  }
  /* the measurement restarted at 100 ms: 900 ms of tone, integrated still
   * the tone's value */
  s = finish (h, bus);
  assert_close (get_d (s, "global-loudness"), K_997_48K - 20.0,
      LOUDNESS_TOL);
  gst_structure_free (s);
  meter_free (h, bus);
}

GST_END_TEST;

/* Caps change: new measurement for the new format.  2 s stereo 48 kHz at
 * −10 dBFS, then mono 44.1 kHz S16 at −30 dBFS for 2 s: integrated
 * K(997, 44.1k) − 30 = −33.0075 (docs/conformance.md §9), one peak per channel,
 * 100 ms intervals of 4410 frames starting at the first new buffer.  The same
 * caps sent again do not restart the measurement.  Before the switch, the
 * unfinished interval of the old measurement (2.5 s + 1000 frames → 1000 frames
 * at 2.5 s) is reported with its stereo peaks. */
GST_START_TEST (test_caps_change)
{
  GstHarness *h;
  GstBus *bus;
  GstStructure *s;
  Tone t;

  tone_init (&t, GST_AUDIO_FORMAT_F32, RATE, 2, 997.0, db_to_amp (-10.0));
  h = meter_new ("audio/x-raw,format=" GST_AUDIO_NE (F32)
      ",layout=interleaved,rate=48000,channels=2", &bus);
  msg_channels = 2;
  push_tone (h, &t, RATE * 2 + 1000, 1024);
  fail_unless_equals_int (drain_meter (bus, NULL), 20);

  /* same caps again: measurement continues */
  gst_harness_set_src_caps_str (h, "audio/x-raw,format=" GST_AUDIO_NE (F32) ","
      "layout=interleaved,rate=48000,channels=2,channel-mask=(bitmask)0x3");
  t.amp[0] = t.amp[1] = db_to_amp (-40.0);
  push_tone (h, &t, RATE / 2, 1024);
  drain_meter (bus, &s);
  fail_unless (s != NULL);
  assert_close (get_d (s, "sample-peak-max"), -10.0, 0.001);
  gst_structure_free (s);

  gst_harness_set_src_caps_str (h, "audio/x-raw,format=" GST_AUDIO_NE (S16) ","
      "layout=interleaved,rate=44100,channels=1");
  s = pop_meter (bus);
  fail_unless (s != NULL, "no message for the unfinished interval");
  fail_if (get_final (s));
  fail_unless_equals_uint64 (get_u64 (s, "timestamp"), 2500 * GST_MSECOND);
  fail_unless_equals_uint64 (get_u64 (s, "duration"),
      gst_util_uint64_scale_int_round (1000, GST_SECOND, RATE));
  assert_close (get_d (s, "sample-peak-max"), -10.0, 0.001);
  gst_structure_free (s);
  fail_unless (pop_meter (bus) == NULL);
  msg_channels = 1;
  tone_init (&t, GST_AUDIO_FORMAT_S16, 44100, 1, 997.0, db_to_amp (-30.0));
  t.pts_offset = 3 * GST_SECOND;
  push_tone (h, &t, 44100 * 2, 1000);
  s = pop_meter (bus);
  fail_unless (s != NULL);
  fail_unless_equals_uint64 (get_u64 (s, "timestamp"), 3 * GST_SECOND);
  fail_unless_equals_uint64 (get_u64 (s, "duration"), 100 * GST_MSECOND);
  gst_structure_free (s);
  fail_unless_equals_int (drain_meter (bus, NULL), 19);

  s = finish (h, bus);
  assert_close (get_d (s, "global-loudness"), K_997_44K1 - 30.0,
      LOUDNESS_TOL);
  assert_close (get_d (s, "momentary-max"), K_997_44K1 - 30.0, 0.01);
  /* S16: the crest 1036.2 LSB is rounded, 0.5 LSB = 0.0042 dB */
  assert_close (get_d (s, "sample-peak-max"), -30.0, 0.005);
  gst_structure_free (s);
  meter_free (h, bus);
}

GST_END_TEST;

/* NaN/Inf input: measured as silence, one warning per stream, no NaN or
 * inf in any message.  F32 stereo 997 Hz −20 dBFS, 3 s, with a few
 * non-finite samples in several buffers: loudness stays the tone's
 * −20.0000 (a handful of zeroed samples change it by < 0.001 dB); the
 * peaks stay −20 dBFS.  A new stream (STREAM_START) warns again. */
static guint
count_warnings (GstBus * bus)
{
  guint n;

  drain_meter (bus, NULL);
  n = n_warnings;
  n_warnings = 0;
  return n;
}

static GstBuffer *
poisoned (Tone * t, guint n, guint k)
{
  GstBuffer *buf = tone_buffer (t, n);
  GstMapInfo map;
  gfloat *d;

  gst_buffer_map (buf, &map, GST_MAP_WRITE);
  d = (gfloat *) map.data;
  d[(17 * k) % (n * 2)] = NAN;
  d[(31 * k + 1) % (n * 2)] = INFINITY;
  d[(5 * k + 7) % (n * 2)] = -INFINITY;
  gst_buffer_unmap (buf, &map);
  return buf;
}

GST_START_TEST (test_nan)
{
  GstHarness *h;
  GstBus *bus;
  GstStructure *s;
  Tone t;
  guint k, n_msgs = 0;

  tone_init (&t, GST_AUDIO_FORMAT_F32, RATE, 2, 997.0, db_to_amp (-20.0));
  h = meter_new ("audio/x-raw,format=" GST_AUDIO_NE (F32)
      ",layout=interleaved,rate=48000,channels=2", &bus);
  msg_channels = 2;
  n_warnings = 0;
  for (k = 0; k < 3 * RATE / 1000; k++) {
    GstBuffer *buf = (k % 10 == 3) ? poisoned (&t, 1000, k) :
        tone_buffer (&t, 1000);

    fail_unless_equals_int (gst_harness_push (h, buf), GST_FLOW_OK);
    gst_buffer_unref (gst_harness_pull (h));
    /* check_structure() rejects NaN / +inf in every message */
    n_msgs += drain_meter (bus, NULL);
  }
  fail_unless_equals_int (n_msgs, 30);
  fail_unless_equals_int (count_warnings (bus), 1);

  s = finish (h, bus);
  assert_close (get_d (s, "global-loudness"), K_997_48K - 20.0 +
      10.0 * log10 (2.0), 0.01);
  assert_close (get_d (s, "sample-peak-max"), -20.0, 0.001);
  /* a sample zeroed in a sine is a dropout: the 4x interpolation of that
   * signal overshoots (measured about −18.5 dBTP), but the dropout is at
   * most the 0.1 crest, so the true peak stays finite and below
   * 20·log10 (0.2) = −14 dBTP */
  fail_unless (isfinite (get_d (s, "true-peak-max")));
  fail_unless (get_d (s, "true-peak-max") >= get_d (s, "sample-peak-max"));
  fail_unless (get_d (s, "true-peak-max") < -14.0);
  fail_unless (isfinite (get_d (s, "plr")));
  gst_structure_free (s);

  /* all-NaN buffers: still no NaN; a new stream warns once more */
  fail_unless (gst_harness_push_event (h, gst_event_new_flush_start ()));
  fail_unless (gst_harness_push_event (h, gst_event_new_flush_stop (TRUE)));
  fail_unless (gst_harness_push_event (h,
          gst_event_new_stream_start ("second")));
  {
    GstSegment seg;

    gst_segment_init (&seg, GST_FORMAT_TIME);
    fail_unless (gst_harness_push_event (h, gst_event_new_segment (&seg)));
  }
  g_signal_emit_by_name (h->element, "reset");
  for (k = 0; k < 10; k++) {
    GstBuffer *buf = gst_buffer_new_allocate (NULL, 4800 * 2 * 4, NULL);
    GstMapInfo map;
    guint i;

    gst_buffer_map (buf, &map, GST_MAP_WRITE);
    for (i = 0; i < 4800 * 2; i++)
      ((gfloat *) map.data)[i] = NAN;
    gst_buffer_unmap (buf, &map);
    GST_BUFFER_PTS (buf) = k * 100 * GST_MSECOND;
    fail_unless_equals_int (gst_harness_push (h, buf), GST_FLOW_OK);
    gst_buffer_unref (gst_harness_pull (h));
  }
  fail_unless_equals_int (count_warnings (bus), 1);
  s = finish (h, bus);
  fail_unless (isinf (get_d (s, "global-loudness")));
  fail_unless (isinf (get_d (s, "momentary-loudness")));
  fail_unless (isinf (get_d (s, "plr")));
  fail_unless (get_d (s, "plr") < 0);
  fail_unless (get_array_d (s, "sample-peak", 0) == 0.0);
  gst_structure_free (s);
  msg_channels = 1;
  meter_free (h, bus);
}

GST_END_TEST;

/* GAP buffers are silence of their duration, whatever they contain.
 * Mono 997 Hz −20 dBFS: tone [0, 1) s, GAP [1, 2) s filled with −1 dBFS
 * garbage, tone [2, 3) s, then an empty GAP buffer of 500 ms.  Time
 * advances through the gaps: 35 messages at 0..3.4 s.  The sample peak
 * stays −20 dBFS; momentary loudness 500 ms into a gap is below the
 * absolute gate.  Integrated (BS.1770-4 Annex 1): 400 ms blocks every 100 ms
 * over [0, 3.5) s; block j holds a fraction f_j of tone, energy ∝ f_j; blocks
 * with f_j = 0 fail the absolute gate, all others pass the relative one (f ≥
 * 0.25 > 0.1·mean), so I = K(997) − 20 + 10·log10(mean f_j > 0). */
static GstBuffer *
gap_buffer (guint n_frames, GstClockTime pts, GstClockTime duration)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, n_frames * 4, NULL);
  GstMapInfo map;
  guint i;

  gst_buffer_map (buf, &map, GST_MAP_WRITE);
  for (i = 0; i < n_frames; i++)
    ((gfloat *) map.data)[i] = (i & 1) ? 0.89f : -0.89f;
  gst_buffer_unmap (buf, &map);
  GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_GAP);
  GST_BUFFER_PTS (buf) = pts;
  GST_BUFFER_DURATION (buf) = duration;
  return buf;
}

GST_START_TEST (test_gap)
{
  GstHarness *h;
  GstBus *bus;
  GstStructure *s;
  Tone t;
  GstBuffer *out;
  guint i, j, n_blocks = 0;
  gdouble sum_f = 0.0;

  tone_init (&t, GST_AUDIO_FORMAT_F32, RATE, 1, 997.0, db_to_amp (-20.0));
  h = meter_new (CAPS_F32_MONO, &bus);

  push_tone (h, &t, RATE, 1200);
  for (i = 0; i < 10; i++) {
    fail_unless_equals_int (gst_harness_push (h, gap_buffer (4800,
                GST_SECOND + i * 100 * GST_MSECOND, 100 * GST_MSECOND)),
        GST_FLOW_OK);
    out = gst_harness_pull (h);
    fail_unless (GST_BUFFER_FLAG_IS_SET (out, GST_BUFFER_FLAG_GAP));
    gst_buffer_unref (out);
  }
  t.pos += RATE;
  push_tone (h, &t, RATE, 1200);
  fail_unless_equals_int (gst_harness_push (h, gap_buffer (0, 3 * GST_SECOND,
              500 * GST_MSECOND)), GST_FLOW_OK);
  gst_buffer_unref (gst_harness_pull (h));

  for (i = 0; i < 35; i++) {
    s = pop_meter_nth (bus, i, 100 * GST_MSECOND);
    /* message i is posted at (i + 1) * 100 ms; 100 ms after the tone
     * stops, the K-filter has rung out and the last 400 ms are silence */
    if (i == 14 || i == 34)
      fail_unless (get_d (s, "momentary-loudness") < -70.0,
          "momentary %f at %u", get_d (s, "momentary-loudness"), i);
    if (i == 9 || i == 29)
      assert_close (get_d (s, "momentary-loudness"), K_997_48K - 20.0, 0.01);
    gst_structure_free (s);
  }
  fail_unless (pop_meter (bus) == NULL);

  for (j = 0; j + 4 <= 35; j++) {
    gdouble a = j * 0.1, b = a + 0.4, f = 0.0;

    f += MAX (0.0, MIN (b, 1.0) - MAX (a, 0.0));
    f += MAX (0.0, MIN (b, 3.0) - MAX (a, 2.0));
    f /= 0.4;
    if (f > 1e-9) {
      sum_f += f;
      n_blocks++;
    }
  }
  s = finish (h, bus);
  assert_close (get_d (s, "sample-peak-max"), -20.0, 0.001);
  assert_close (get_d (s, "global-loudness"), K_997_48K - 20.0 +
      10.0 * log10 (sum_f / n_blocks), 0.01);
  gst_structure_free (s);
  meter_free (h, bus);
}

GST_END_TEST;

/* DISCONT restarts the interval (as `level` does): 150 ms, then a
 * DISCONT buffer at 1 s → one message at 0, the partial 50 ms are dropped,
 * then messages at 1.0, 1.1, ... s.  The measurement itself goes on. */
GST_START_TEST (test_discont)
{
  GstHarness *h;
  GstBus *bus;
  GstStructure *s;
  GstBuffer *buf;
  Tone t;
  guint i;

  tone_init (&t, GST_AUDIO_FORMAT_F32, RATE, 1, 997.0, db_to_amp (-20.0));
  h = meter_new (CAPS_F32_MONO, &bus);
  push_tone (h, &t, RATE * 15 / 100, 2400);
  s = pop_meter (bus);
  fail_unless (s != NULL);
  fail_unless_equals_uint64 (get_u64 (s, "timestamp"), 0);
  gst_structure_free (s);
  fail_unless (pop_meter (bus) == NULL);

  t.pts_offset = GST_SECOND - gst_util_uint64_scale_int (t.pos, GST_SECOND,
      RATE);
  buf = tone_buffer (&t, 3000);
  GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_DISCONT);
  fail_unless_equals_int (gst_harness_push (h, buf), GST_FLOW_OK);
  gst_buffer_unref (gst_harness_pull (h));
  push_tone (h, &t, RATE / 2 - 3000, 2400);
  for (i = 0; i < 5; i++) {
    s = pop_meter (bus);
    fail_unless (s != NULL);
    fail_unless_equals_uint64 (get_u64 (s, "timestamp"),
        GST_SECOND + i * 100 * GST_MSECOND);
    fail_unless_equals_uint64 (get_u64 (s, "duration"), 100 * GST_MSECOND);
    gst_structure_free (s);
  }
  fail_unless (pop_meter (bus) == NULL);
  /* 650 ms of tone measured in all */
  s = finish (h, bus);
  assert_close (get_d (s, "global-loudness"), K_997_48K - 20.0,
      LOUDNESS_TOL);
  gst_structure_free (s);
  meter_free (h, bus);
}

GST_END_TEST;

/* Zero-length buffers pass and change nothing: the cadence of
 * test_cadence stays exact. */
GST_START_TEST (test_zero_length)
{
  GstHarness *h;
  GstBus *bus;
  Tone t;
  guint i;

  tone_init (&t, GST_AUDIO_FORMAT_S16, RATE, 1, 997.0, 0.1);
  h = meter_new ("audio/x-raw,format=" GST_AUDIO_NE (S16)
      ",layout=interleaved,rate=48000,channels=1", &bus);
  for (i = 0; i < 100; i++) {
    GstBuffer *empty = gst_buffer_new ();

    GST_BUFFER_PTS (empty) = gst_util_uint64_scale_int (t.pos, GST_SECOND,
        RATE);
    fail_unless_equals_int (gst_harness_push (h, empty), GST_FLOW_OK);
    gst_buffer_unref (gst_harness_pull (h));
    push_tone (h, &t, 480, 480);
  }
  fail_unless_equals_int (drain_meter (bus, NULL), 10);
  meter_free (h, bus);
}

GST_END_TEST;

/* Flush: the measurement continues (peaks and maxima of before the flush
 * are kept), the interval restarts at the first buffer after it.  1 s at
 * −10 dBFS, flush, segment, 1 s at −30 dBFS from 5 s on. */
GST_START_TEST (test_flush)
{
  GstHarness *h;
  GstBus *bus;
  GstStructure *s;
  GstSegment seg;
  Tone t;

  tone_init (&t, GST_AUDIO_FORMAT_F32, RATE, 1, 997.0, db_to_amp (-10.0));
  h = meter_new (CAPS_F32_MONO, &bus);
  push_tone (h, &t, RATE + 2000, 1000);
  fail_unless_equals_int (drain_meter (bus, NULL), 10);

  fail_unless (gst_harness_push_event (h, gst_event_new_flush_start ()));
  fail_unless (gst_harness_push_event (h, gst_event_new_flush_stop (FALSE)));
  gst_segment_init (&seg, GST_FORMAT_TIME);
  seg.start = seg.time = 5 * GST_SECOND;
  fail_unless (gst_harness_push_event (h, gst_event_new_segment (&seg)));

  t.amp[0] = db_to_amp (-30.0);
  t.pts_offset = 5 * GST_SECOND - gst_util_uint64_scale_int (t.pos,
      GST_SECOND, RATE);
  push_tone (h, &t, RATE, 1000);
  s = pop_meter (bus);
  fail_unless (s != NULL);
  fail_unless_equals_uint64 (get_u64 (s, "timestamp"), 5 * GST_SECOND);
  fail_unless_equals_uint64 (get_u64 (s, "duration"), 100 * GST_MSECOND);
  gst_structure_free (s);
  fail_unless_equals_int (drain_meter (bus, NULL), 9);

  s = finish (h, bus);
  assert_close (get_d (s, "sample-peak-max"), -10.0, 0.001);
  assert_close (get_d (s, "momentary-max"), K_997_48K - 10.0, 0.01);
  /* BS.1770 gating: the −30 dBFS blocks are 20 LU below the first part's
   * and fail the relative gate; blocks straddling the flush point pass, so
   * the value lies just below the loud part's −13.01. */
  fail_unless (get_d (s, "global-loudness") < K_997_48K - 10.0 + 0.01);
  fail_unless (get_d (s, "global-loudness") > K_997_48K - 10.0 - 1.5);
  gst_structure_free (s);
  meter_free (h, bus);
}

GST_END_TEST;

/* true-peak off: the oversampler does not run, the true peaks stay 0
 * (−inf dBTP, plr −inf); switched on mid-stream it measures from then on:
 * a −20 dBFS fs/4 tone whose samples are 3 dB under its crests reads as
 * the independent long-sinc interpolation of the same samples, within
 * 0.05 dB (measured 0.026: the abrupt onset at the switch, which both
 * see, rings differently through a 16-tap and a 129-tap filter; a skipped
 * interpolation phase reads 0.7 dB low). */
GST_START_TEST (test_true_peak_property)
{
  GstHarness *h;
  GstBus *bus;
  GstStructure *s;
  Tone t;

  tone_init (&t, GST_AUDIO_FORMAT_F32, RATE, 1, 997.0, db_to_amp (-20.0));
  h = meter_new (CAPS_F32_MONO, &bus);
  g_object_set (h->element, "true-peak", FALSE, NULL);
  push_tone (h, &t, RATE, 1024);
  drain_meter (bus, &s);
  fail_unless (get_array_d (s, "true-peak", 0) == 0.0);
  fail_unless (isinf (get_d (s, "true-peak-max")));
  fail_unless (isinf (get_d (s, "plr")) && get_d (s, "plr") < 0);
  assert_close (get_d (s, "sample-peak-max"), -20.0, 0.001);
  assert_close (get_d (s, "global-loudness"), K_997_48K - 20.0,
      LOUDNESS_TOL);
  gst_structure_free (s);

  /* on: fs/4 at 45 degrees, crests midway between samples (3 dB over
   * them), read by the interpolator's middle phase; it starts afresh
   * (silence before), as the reference does */
  g_object_set (h->element, "true-peak", TRUE, NULL);
  {
    Tone q;

    tone_init (&q, GST_AUDIO_FORMAT_F32, RATE, 1, RATE / 4.0,
        db_to_amp (-20.0));
    q.phase = G_PI / 4.0;
    q.pos = t.pos;
    push_tone (h, &q, RATE, 1024);
    s = finish (h, bus);
    q.pos = 0;
    GST_INFO ("true peak %f, reference %f", get_d (s, "true-peak-max"),
        ref_tone_true_peak_db (&q, RATE));
    assert_close (get_d (s, "true-peak-max"), ref_tone_true_peak_db (&q,
            RATE), 0.05);
  }
  assert_close (get_d (s, "plr"), get_d (s, "true-peak-max") -
      get_d (s, "global-loudness"), 1e-9);
  gst_structure_free (s);
  meter_free (h, bus);
}

GST_END_TEST;

/* post-messages off: no messages (not even on EOS), the measurement and
 * the interval grid go on; on again, the messages come back on the grid. */
GST_START_TEST (test_post_messages)
{
  GstHarness *h;
  GstBus *bus;
  GstStructure *s;
  Tone t;

  tone_init (&t, GST_AUDIO_FORMAT_F32, RATE, 1, 997.0, db_to_amp (-20.0));
  h = meter_new (CAPS_F32_MONO, &bus);
  g_object_set (h->element, "post-messages", FALSE, NULL);
  push_tone (h, &t, RATE / 2 + 100, 1000);
  fail_unless_equals_int (drain_meter (bus, NULL), 0);
  g_object_set (h->element, "post-messages", TRUE, NULL);
  push_tone (h, &t, RATE / 2 - 100, 1000);
  s = pop_meter (bus);
  fail_unless (s != NULL);
  fail_unless_equals_uint64 (get_u64 (s, "timestamp"), 500 * GST_MSECOND);
  gst_structure_free (s);
  fail_unless_equals_int (drain_meter (bus, NULL), 4);
  s = finish (h, bus);
  /* the measurement covered the whole second */
  assert_close (get_d (s, "global-loudness"), K_997_48K - 20.0,
      LOUDNESS_TOL);
  gst_structure_free (s);

  meter_free (h, bus);

  /* off from the start: nothing at all, not even on EOS */
  h = meter_new (CAPS_F32_MONO, &bus);
  g_object_set (h->element, "post-messages", FALSE, NULL);
  push_tone (h, &t, RATE / 2, 1000);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  fail_unless (pop_meter (bus) == NULL);
  meter_free (h, bus);
}

GST_END_TEST;

/* Interval changes while running apply from the current interval on:
 * 300 ms at 100 ms, then 1 s → 3 messages, then 3 more of 300 ms (at
 * 0.3, 0.6, 0.9 s) within the next 900 ms. */
GST_START_TEST (test_interval_change)
{
  GstHarness *h;
  GstBus *bus;
  GstStructure *s;
  Tone t;
  guint i;

  tone_init (&t, GST_AUDIO_FORMAT_F32, RATE, 1, 997.0, db_to_amp (-20.0));
  h = meter_new (CAPS_F32_MONO, &bus);
  push_tone (h, &t, RATE * 3 / 10, 480);
  fail_unless_equals_int (drain_meter (bus, NULL), 3);
  g_object_set (h->element, "interval", (guint64) (300 * GST_MSECOND), NULL);
  push_tone (h, &t, RATE * 9 / 10, 480);
  for (i = 0; i < 3; i++) {
    s = pop_meter (bus);
    fail_unless (s != NULL);
    fail_unless_equals_uint64 (get_u64 (s, "timestamp"),
        (300 + i * 300) * GST_MSECOND);
    fail_unless_equals_uint64 (get_u64 (s, "duration"), 300 * GST_MSECOND);
    gst_structure_free (s);
  }
  fail_unless (pop_meter (bus) == NULL);
  meter_free (h, bus);
}

GST_END_TEST;

/* One second of tone in buffers of `block` frames, post-messages under a
 * trigger control source: `before` until 500 ms, the opposite from then
 * on (interval 100 ms).  Exactly the five messages of the half where it
 * is on must arrive, with their timestamps. */
static void
check_controlled_messages (gboolean before, guint block)
{
  GstHarness *h;
  GstBus *bus;
  GstStructure *s;
  GstControlSource *cs = gst_trigger_control_source_new ();
  GstTimedValueControlSource *tvcs = GST_TIMED_VALUE_CONTROL_SOURCE (cs);
  GstClockTime t0 = before ? 0 : 500 * GST_MSECOND;
  Tone t;
  guint n = 0;

  tone_init (&t, GST_AUDIO_FORMAT_F32, RATE, 1, 997.0, db_to_amp (-20.0));
  h = meter_new (CAPS_F32_MONO, &bus);
  gst_timed_value_control_source_set (tvcs, 0, before ? 1.0 : 0.0);
  gst_timed_value_control_source_set (tvcs, 500 * GST_MSECOND,
      before ? 0.0 : 1.0);
  fail_unless (gst_object_add_control_binding (GST_OBJECT (h->element),
          gst_direct_control_binding_new (GST_OBJECT (h->element),
              "post-messages", cs)));
  push_tone (h, &t, RATE, block);
  while ((s = pop_meter (bus))) {
    fail_unless_equals_uint64 (get_u64 (s, "timestamp"),
        t0 + n * 100 * GST_MSECOND);
    gst_structure_free (s);
    n++;
  }
  fail_unless_equals_int (n, 5);
  gst_object_unref (cs);
  meter_free (h, bus);
}

/* post-messages is controllable: a trigger control source turning it on
 * at 500 ms (synced at each 100 ms buffer) → messages for the intervals
 * that end after it: 500, 600, ..., 900 ms. */
GST_START_TEST (test_controller)
{
  check_controlled_messages (FALSE, RATE / 10);
}

GST_END_TEST;

/* Unsupported caps are refused. */
GST_START_TEST (test_caps_refused)
{
  GstHarness *h = gst_harness_new ("loudnessmeter");
  GstCaps *caps;

  caps = gst_caps_from_string ("audio/x-raw,format=U8,layout=interleaved,"
      "rate=48000,channels=1");
  fail_unless (!gst_pad_query_accept_caps (h->srcpad->peer, caps));
  gst_caps_unref (caps);
  caps = gst_caps_from_string ("audio/x-raw,format=" GST_AUDIO_NE (F32) ","
      "layout=interleaved,rate=48000,channels=9,channel-mask=(bitmask)0");
  fail_unless (!gst_pad_query_accept_caps (h->srcpad->peer, caps));
  gst_caps_unref (caps);
  caps = gst_caps_from_string ("audio/x-raw,format=" GST_AUDIO_NE (F32) ","
      "layout=interleaved,rate=4000,channels=1");
  fail_unless (!gst_pad_query_accept_caps (h->srcpad->peer, caps));
  gst_caps_unref (caps);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* 1 s of tone, a GAP event for 1..2 s, tone again from 2 s (interval
 * 500 ms).  The gap is measured as silence of its duration (as a GAP
 * buffer would be): messages at 1.0 and 1.5 s cover it and their
 * momentary loudness (the last 400 ms: silence; EBU Tech 3341 §2.1
 * momentary window, a BS.1770-4 Annex 1 gating block) is below the -70 LUFS absolute gate, and the messages of
 * the audio from 2 s carry 2.0 and 2.5 s.  Checks messages from..to-1
 * and that no other one is pending.  The tone's momentary loudness
 * is K(997 Hz) - 20 dB (BS.1770-4 Annex 1, docs/conformance.md §9). */
static void
check_gap_messages (GstBus * bus, guint from, guint to)
{
  GstStructure *s;
  guint i;

  for (i = from; i < to; i++) {
    s = pop_meter_nth (bus, i, 500 * GST_MSECOND);
    if (i == 2 || i == 3)
      fail_unless (get_d (s, "momentary-loudness") < -70.0,
          "momentary %f in the gap (message %u)",
          get_d (s, "momentary-loudness"), i);
    else
      assert_close (get_d (s, "momentary-loudness"), K_997_48K - 20.0, 0.01);
    gst_structure_free (s);
  }
  fail_unless (pop_meter (bus) == NULL);
}

GST_START_TEST (test_gap_event)
{
  GstHarness *h;
  GstBus *bus;
  Tone t;

  tone_init (&t, GST_AUDIO_FORMAT_F32, RATE, 1, 997.0, db_to_amp (-20.0));
  h = meter_new (CAPS_F32_MONO, &bus);
  g_object_set (h->element, "interval", (guint64) (500 * GST_MSECOND), NULL);
  push_tone (h, &t, RATE, 1000);
  fail_unless (gst_harness_push_event (h, gst_event_new_gap (GST_SECOND,
              GST_SECOND)));
  /* the gap is measured when its event arrives, not when audio follows */
  check_gap_messages (bus, 0, 4);
  t.pos += RATE;
  push_tone (h, &t, RATE, 1000);
  check_gap_messages (bus, 4, 6);
  meter_free (h, bus);
}

GST_END_TEST;

/* The same without a GAP event: the audio from 2 s arrives right after the
 * audio that ended at 1 s, without DISCONT.  A jump of more than 40 ms
 * (GStreamer's usual alignment threshold) is a discontinuity whose
 * missing time is measured as silence: the same messages as with the GAP
 * event.  A jump of 20 ms (jitter) is not: no silence is added, the
 * interval grid goes on (messages at 0, 0.5, 1.0, 1.5 s for 2 s of tone). */
GST_START_TEST (test_timestamp_jump)
{
  GstHarness *h;
  GstBus *bus;
  GstStructure *s;
  Tone t;
  guint i;

  tone_init (&t, GST_AUDIO_FORMAT_F32, RATE, 1, 997.0, db_to_amp (-20.0));
  h = meter_new (CAPS_F32_MONO, &bus);
  g_object_set (h->element, "interval", (guint64) (500 * GST_MSECOND), NULL);
  push_tone (h, &t, RATE, 1000);
  t.pos += RATE;
  push_tone (h, &t, RATE, 1000);
  check_gap_messages (bus, 0, 6);
  meter_free (h, bus);

  tone_init (&t, GST_AUDIO_FORMAT_F32, RATE, 1, 997.0, db_to_amp (-20.0));
  h = meter_new (CAPS_F32_MONO, &bus);
  g_object_set (h->element, "interval", (guint64) (500 * GST_MSECOND), NULL);
  push_tone (h, &t, RATE, 1000);
  t.pos += RATE / 50;
  push_tone (h, &t, RATE, 1000);
  for (i = 0; i < 4; i++) {
    s = pop_meter (bus);
    fail_unless (s != NULL, "message %u missing", i);
    fail_unless_equals_uint64 (get_u64 (s, "timestamp"),
        i * 500 * GST_MSECOND);
    assert_close (get_d (s, "momentary-loudness"), K_997_48K - 20.0, 0.05);
    gst_structure_free (s);
  }
  fail_unless (pop_meter (bus) == NULL);
  meter_free (h, bus);
}

GST_END_TEST;

/* 1 s of tone, then 1 s more whose timestamps jump `jump_ms` ahead (no
 * DISCONT), or, with `zeros`, `jump_ms` of digital silence in between with
 * contiguous timestamps; the same samples of tone either way (the phase
 * goes on from the first second).  Returns the final message's integrated
 * loudness. */
static gdouble
integrated_after_jump (guint jump_ms, gboolean zeros)
{
  GstHarness *h;
  GstBus *bus;
  GstStructure *s;
  Tone t;
  gdouble g;

  tone_init (&t, GST_AUDIO_FORMAT_F32, RATE, 1, 997.0, db_to_amp (-20.0));
  h = meter_new (CAPS_F32_MONO, &bus);
  push_tone (h, &t, RATE, 1000);
  if (zeros && jump_ms > 0) {
    guint64 pos = t.pos;

    t.amp[0] = 0.0;
    push_tone (h, &t, (guint64) RATE * jump_ms / 1000, 480);
    t.amp[0] = db_to_amp (-20.0);
    t.pos = pos;
  }
  t.pts_offset += jump_ms * GST_MSECOND;
  push_tone (h, &t, RATE, 1000);
  s = finish (h, bus);
  g = get_d (s, "global-loudness");
  gst_structure_free (s);
  meter_free (h, bus);
  return g;
}

/* The jump threshold is 40 ms: a jump of 30 ms is jitter (the same
 * measurement as contiguous audio: no silence added), one of 50 ms is
 * measured as 50 ms of silence (the same measurement as 50 ms of zeros in
 * between).  The 50 ms of silence lowers the integrated loudness by
 * about 0.1 LU (five 400 ms blocks lose 1/8 of their energy), so both
 * comparisons (1e-9 LU) tell the cases apart. */
GST_START_TEST (test_timestamp_jump_threshold)
{
  gdouble contiguous = integrated_after_jump (0, FALSE);
  gdouble silence50 = integrated_after_jump (50, TRUE);

  fail_unless (contiguous - silence50 > 0.05, "50 ms of silence: %f vs %f",
      silence50, contiguous);
  assert_close (integrated_after_jump (30, FALSE), contiguous, 1e-9);
  assert_close (integrated_after_jump (50, FALSE), silence50, 1e-9);
}

GST_END_TEST;

/* Timestamps that jump back by more than 40 ms without DISCONT restart
 * the interval at the new time, as a DISCONT would: 1 s of tone (interval
 * 500 ms: messages at 0 and 0.5 s), then audio stamped from 0.5 s again:
 * its messages carry 0.5 and 1.0 s (not 1.0 and 1.5 s, the old grid). */
GST_START_TEST (test_timestamp_jump_back)
{
  GstHarness *h;
  GstBus *bus;
  GstStructure *s;
  Tone t;
  guint i;

  tone_init (&t, GST_AUDIO_FORMAT_F32, RATE, 1, 997.0, db_to_amp (-20.0));
  h = meter_new (CAPS_F32_MONO, &bus);
  g_object_set (h->element, "interval", (guint64) (500 * GST_MSECOND), NULL);
  push_tone (h, &t, RATE, 1000);
  t.pos -= RATE / 2;
  push_tone (h, &t, RATE, 1000);
  for (i = 0; i < 4; i++) {
    static const guint64 want_ms[] = { 0, 500, 500, 1000 };

    s = pop_meter (bus);
    fail_unless (s != NULL, "message %u missing", i);
    fail_unless_equals_uint64 (get_u64 (s, "timestamp"),
        want_ms[i] * GST_MSECOND);
    fail_unless_equals_uint64 (get_u64 (s, "duration"), 500 * GST_MSECOND);
    gst_structure_free (s);
  }
  fail_unless (pop_meter (bus) == NULL);
  meter_free (h, bus);
}

GST_END_TEST;

/* post-messages under control, switched off at 0.5 s, with all the audio
 * in ONE buffer of 1 s: the controller is synced every 10 ms inside the
 * buffer, so the messages of the intervals that end by 0.5 s (0, 100,
 * ..., 400 ms) are posted and none after; once per buffer would post all
 * ten or none. */
GST_START_TEST (test_controller_mid_buffer)
{
  check_controlled_messages (TRUE, RATE);
}

GST_END_TEST;

/* The caps limits are the cores' (dsp/util.h): MST_RATE_MIN..MST_RATE_MAX
 * Hz, 1..MST_MAX_CHANNELS channels, native-endian formats. */
GST_START_TEST (test_caps_limits)
{
  mst_check_caps_limits ("loudnessmeter", GST_AUDIO_NE (S16));
  mst_check_caps_limits ("loudnessmeter", GST_AUDIO_NE (F64));
}

GST_END_TEST;

static Suite *
loudnessmeter_suite (void)
{
  Suite *s = suite_create ("loudnessmeter");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_passthrough);
  tcase_add_test (tc, test_properties);
  tcase_add_test (tc, test_cadence);
  tcase_add_test (tc, test_timestamps);
  tcase_add_test (tc, test_final_before_eos);
  tcase_add_test (tc, test_formats);
  tcase_add_test (tc, test_channels);
  tcase_add_test (tc, test_dual_mono);
  tcase_add_test (tc, test_reset);
  tcase_add_test (tc, test_reset_mid_buffer);
  tcase_add_test (tc, test_caps_change);
  tcase_add_test (tc, test_nan);
  tcase_add_test (tc, test_gap);
  tcase_add_test (tc, test_discont);
  tcase_add_test (tc, test_zero_length);
  tcase_add_test (tc, test_flush);
  tcase_add_test (tc, test_true_peak_property);
  tcase_add_test (tc, test_post_messages);
  tcase_add_test (tc, test_interval_change);
  tcase_add_test (tc, test_controller);
  tcase_add_test (tc, test_caps_refused);
  tcase_add_test (tc, test_gap_event);
  tcase_add_test (tc, test_timestamp_jump);
  tcase_add_test (tc, test_timestamp_jump_threshold);
  tcase_add_test (tc, test_timestamp_jump_back);
  tcase_add_test (tc, test_controller_mid_buffer);
  tcase_add_test (tc, test_caps_limits);

  return s;
}

GST_CHECK_MAIN (loudnessmeter);
