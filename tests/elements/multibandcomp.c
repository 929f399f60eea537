/* gst-mastering — GstCheck/GstHarness tests for the multibandcomp element
 *
 * Expectations and where they come from:
 * - properties: defaults as documented, bands as child objects (band0 ..
 *   band5) settable as `bandN::prop` (gst_child_proxy_set, and a
 *   gst-launch description through gst_parse_launch); NaN rejected, the
 *   old value kept; an infinite ratio accepted.
 * - caps: F32/F64, 1 or 2 channels; 3 channels refused at negotiation.
 * - latency: the query answers upstream + the lookahead rounded up to
 *   whole gain blocks (0 without lookahead), and that is exactly what the
 *   element holds back (pushed - pulled frames); output length == input
 *   length after EOS, timestamps of output frame n = those of input
 *   frame n; a flush drops what is held.
 * - ratio 1 on every band: sines keep their level (the bands sum to an
 *   all-pass: Linkwitz 1976) within 0.01 dB (least-squares sine fit).
 * - mid-side on L = R: the side of the output, (L - R) / 2, stays at or
 *   below -120 dBFS while the mid is compressed; the messages carry
 *   gain-reduction-mid / -side with the side at 0 dB.
 * - messages every interval and a final one at EOS, with level's time
 *   fields and one gain-reduction value per band; a loud sine in band 1
 *   reduces band 1 by what the static curve (Giannoulis et al., JAES
 *   2012, eq. 4) says and leaves band 3 at 0.
 * - a controlled band property (band1::threshold) takes effect at its
 *   time in the stream.
 * - NaN / Inf input: finite output, one warning.
 * - presets: the shipped ones load and set band child properties.
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
#include "signals.h"

#define RATE 48000
#define comp_new(caps, bus) \
  mst_check_harness_new ("multibandcomp", (caps), (bus))
#define comp_free mst_check_harness_free
#define push_frames(h, x, frames, ch, block) \
  mst_check_push_f32 ((h), (x), (frames), (ch), RATE, (block), 0)
#define pull_all(h, ch, out, count) \
  mst_check_pull_f32 ((h), (ch), RATE, (out), (count))
#define query_latency mst_check_query_latency
#define collect_messages(bus) \
  mst_check_collect_messages ((bus), "multibandcomp")
#define CAPS_F32(ch) "audio/x-raw, format=" GST_AUDIO_NE (F32) \
    ", layout=interleaved, rate=48000, channels=" #ch
#define CAPS_F64(ch) "audio/x-raw, format=" GST_AUDIO_NE (F64) \
    ", layout=interleaved, rate=48000, channels=" #ch

/* ---- helpers ------------------------------------------------------------ */

static void
band_set (GstElement * e, const gchar * prop, gdouble v)
{
  GValue val = G_VALUE_INIT;

  g_value_init (&val, G_TYPE_DOUBLE);
  g_value_set_double (&val, v);
  gst_child_proxy_set_property (GST_CHILD_PROXY (e), prop, &val);
  g_value_unset (&val);
}

static gdouble
band_get (GstElement * e, const gchar * prop)
{
  GValue val = G_VALUE_INIT;
  gdouble v;

  gst_child_proxy_get_property (GST_CHILD_PROXY (e), prop, &val);
  v = g_value_get_double (&val);
  g_value_unset (&val);
  return v;
}

/* Amplitude of the sine at f in x[k * stride], k < n (least-squares fit,
 * tests/common). */
static gdouble
amplitude (const gfloat * x, gsize n, guint stride, gdouble f)
{
  gdouble *d = g_new (gdouble, n), a;
  gsize k;

  for (k = 0; k < n; k++)
    d[k] = x[k * stride];
  a = mts_sine_amplitude (d, n, 1, f, RATE);
  g_free (d);
  return a;
}

/* Element `i` of the GST_TYPE_ARRAY field f. */
static gdouble
array_get (const GstStructure * s, const gchar * f, guint i)
{
  const GValue *a = gst_structure_get_value (s, f);

  fail_unless (a != NULL && GST_VALUE_HOLDS_ARRAY (a), "no array %s", f);
  fail_unless (i < gst_value_array_get_size (a));
  return g_value_get_double (gst_value_array_get_value (a, i));
}

static guint
array_size (const GstStructure * s, const gchar * f)
{
  const GValue *a = gst_structure_get_value (s, f);

  fail_unless (a != NULL && GST_VALUE_HOLDS_ARRAY (a), "no array %s", f);
  return gst_value_array_get_size (a);
}

/* ---- tests -------------------------------------------------------------- */

GST_START_TEST (test_properties)
{
  GstElement *e = gst_element_factory_make ("multibandcomp", NULL);
  GstChildProxy *cp = GST_CHILD_PROXY (e);
  GObject *band;
  guint nb;
  gdouble d;
  gint mode;

  fail_unless (e != NULL);
  g_object_get (e, "num-bands", &nb, "mode", &mode, "lookahead", &d, NULL);
  fail_unless_equals_int (nb, 4);
  fail_unless_equals_int (mode, 0);
  fail_unless_equals_float (d, 0.0);
  fail_unless_equals_int (gst_child_proxy_get_children_count (cp), 6);
  band = gst_child_proxy_get_child_by_name (cp, "band3");
  fail_unless (band != NULL);
  g_object_unref (band);
  fail_unless (gst_child_proxy_get_child_by_name (cp, "band6") == NULL);
  /* gentle defaults */
  fail_unless_equals_float (band_get (e, "band0::ratio"), 2.0);
  fail_unless_equals_float (band_get (e, "band0::attack"), 30.0);
  fail_unless_equals_float (band_get (e, "band0::release"), 200.0);
  fail_unless (band_get (e, "band0::crossover") <
      band_get (e, "band1::crossover"));
  fail_unless (band_get (e, "band1::crossover") <
      band_get (e, "band2::crossover"));

  band_set (e, "band0::ratio", 1.0);
  fail_unless_equals_float (band_get (e, "band0::ratio"), 1.0);
  band_set (e, "band2::ratio", INFINITY);
  fail_unless (isinf (band_get (e, "band2::ratio")));
  ASSERT_WARNING (band_set (e, "band2::ratio", NAN));
  fail_unless (isinf (band_get (e, "band2::ratio")));
  band_set (e, "band1::threshold", -30.0);
  /* NaN is out of range for GObject: refused with a warning */
  ASSERT_WARNING (band_set (e, "band1::threshold", NAN));
  fail_unless_equals_float (band_get (e, "band1::threshold"), -30.0);
  g_object_set (e, "output-gain", 2.0, NULL);
  ASSERT_WARNING (g_object_set (e, "output-gain", NAN, NULL));
  g_object_get (e, "output-gain", &d, NULL);
  fail_unless_equals_float (d, 2.0);
  gst_object_unref (e);
}

GST_END_TEST;

/* `band0::ratio=1.0` and friends from a gst-launch description */
GST_START_TEST (test_parse_launch)
{
  GError *err = NULL;
  GstElement *p = gst_parse_launch ("audiotestsrc num-buffers=4 ! "
      "audio/x-raw,format=" GST_AUDIO_NE (F32) ",channels=2 ! "
      "multibandcomp name=m num-bands=3 mode=mid-side band0::ratio=1.0 "
      "band2::threshold=-30 band1::detection=peak band1::crossover=5000 ! "
      "fakesink", &err);
  GstElement *m;
  GstMessage *msg;
  guint nb;
  gint mode;

  fail_unless (p != NULL && err == NULL, "%s", err ? err->message : "");
  m = gst_bin_get_by_name (GST_BIN (p), "m");
  g_object_get (m, "num-bands", &nb, "mode", &mode, NULL);
  fail_unless_equals_int (nb, 3);
  fail_unless_equals_int (mode, 1);
  fail_unless_equals_float (band_get (m, "band0::ratio"), 1.0);
  fail_unless_equals_float (band_get (m, "band2::threshold"), -30.0);
  fail_unless_equals_float (band_get (m, "band1::crossover"), 5000.0);
  fail_unless_equals_int (gst_element_set_state (p, GST_STATE_PLAYING),
      GST_STATE_CHANGE_ASYNC);
  msg = gst_bus_timed_pop_filtered (GST_ELEMENT_BUS (p), 10 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  fail_unless (msg != NULL && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS);
  gst_message_unref (msg);
  gst_element_set_state (p, GST_STATE_NULL);
  gst_object_unref (m);
  gst_object_unref (p);
}

GST_END_TEST;

GST_START_TEST (test_three_channels_refused)
{
  GstHarness *h = gst_harness_new ("multibandcomp");
  GstBuffer *b;

  gst_harness_set_src_caps_str (h, "audio/x-raw, format=" GST_AUDIO_NE (F32)
      ", layout=interleaved, rate=48000, channels=3, "
      "channel-mask=(bitmask)0x7");
  b = gst_buffer_new_allocate (NULL, 3 * 4 * 64, NULL);
  gst_buffer_memset (b, 0, 0, 3 * 4 * 64);
  fail_unless_equals_int (gst_harness_push (h, b), GST_FLOW_NOT_NEGOTIATED);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* Latency = lookahead in whole blocks = what is held; EOS drains to the
 * exact input length; timestamps follow the input's. */
GST_START_TEST (test_latency_and_drain)
{
  const gdouble looks[] = { 0.0, 1.0, 5.0, 20.0 };
  guint k;

  for (k = 0; k < G_N_ELEMENTS (looks); k++) {
    GstHarness *h = comp_new (CAPS_F32 (2), NULL);
    gsize n = RATE / 2 + 77, count = 0, got;
    gfloat *x = g_new (gfloat, n * 2), *y = g_new0 (gfloat, n * 2);
    GstClockTime lat, held;
    gsize i;

    g_object_set (h->element, "lookahead", looks[k], NULL);
    gst_harness_set_upstream_latency (h, 10 * GST_MSECOND);
    for (i = 0; i < 2 * n; i++)
      x[i] = (gfloat) (0.5 * sin (0.01 * i) * sin (0.00037 * i));
    push_frames (h, x, n, 2, 1000);
    got = pull_all (h, 2, y, &count);
    lat = query_latency (h) - 10 * GST_MSECOND;
    held = gst_util_uint64_scale_int_ceil (n - got, GST_SECOND, RATE);
    fail_unless_equals_uint64 (lat, held);
    /* 32-frame blocks at 48 kHz */
    fail_unless_equals_uint64 (n - got,
        (gsize) ceil (looks[k] * RATE / 1000.0 / 32.0 - 1e-9) * 32);
    fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
    pull_all (h, 2, y, &count);
    fail_unless_equals_uint64 (count, n);
    g_free (x);
    g_free (y);
    gst_harness_teardown (h);
  }
}

GST_END_TEST;

GST_START_TEST (test_flush)
{
  GstHarness *h = comp_new (CAPS_F32 (1), NULL);
  gsize n = 4800, count = 0;
  gfloat *x = g_new0 (gfloat, n);

  g_object_set (h->element, "lookahead", 10.0, NULL);
  push_frames (h, x, n, 1, 480);
  pull_all (h, 1, NULL, &count);
  fail_unless (count < n);
  fail_unless (gst_harness_push_event (h, gst_event_new_flush_start ()));
  fail_unless (gst_harness_push_event (h, gst_event_new_flush_stop (TRUE)));
  gst_harness_push_event (h, gst_event_new_segment (&(GstSegment) {
          .format = GST_FORMAT_TIME,.rate = 1.0,.applied_rate = 1.0,
          .start = 0,.stop = GST_CLOCK_TIME_NONE,.time = 0,.position = 0,
          .duration = GST_CLOCK_TIME_NONE}));
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  count = 0;
  /* nothing held across the flush */
  while (TRUE) {
    GstBuffer *b = gst_harness_try_pull (h);

    if (!b)
      break;
    count += gst_buffer_get_size (b) / 4;
    gst_buffer_unref (b);
  }
  fail_unless_equals_uint64 (count, 0);
  g_free (x);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* ratio 1 everywhere: sines keep their level (all-pass sum), F32 and F64 */
GST_START_TEST (test_flat)
{
  const gdouble fs[] = { 40.0, 700.0, 2500.0, 9000.0, 16000.0 };
  guint fmt;

  for (fmt = 0; fmt < 2; fmt++) {
    GstHarness *h = comp_new (fmt ? CAPS_F64 (1) : CAPS_F32 (1), NULL);
    gsize n = RATE, tail = RATE / 4, i, count = 0;
    gfloat *y = g_new0 (gfloat, n);
    gdouble *xd = g_new (gdouble, n), worst = 0.0;
    guint b, k;

    g_object_set (h->element, "num-bands", 6, NULL);
    for (b = 0; b < 6; b++) {
      gchar name[32];

      g_snprintf (name, sizeof name, "band%u::ratio", b);
      band_set (h->element, name, 1.0);
    }
    for (i = 0; i < n; i++) {
      xd[i] = 0.0;
      for (k = 0; k < G_N_ELEMENTS (fs); k++)
        xd[i] += 0.15 * sin (2.0 * G_PI * fs[k] * i / RATE + k);
    }
    if (fmt) {
      GstBuffer *buf = gst_buffer_new_allocate (NULL, n * 8, NULL);
      GstBuffer *o;
      gdouble *yd = g_new (gdouble, n);

      gst_buffer_fill (buf, 0, xd, n * 8);
      GST_BUFFER_PTS (buf) = 0;
      o = gst_harness_push_and_pull (h, buf);
      gst_buffer_extract (o, 0, yd, n * 8);
      for (i = 0; i < n; i++)
        y[i] = (gfloat) yd[i];
      gst_buffer_unref (o);
      g_free (yd);
    } else {
      gfloat *x = g_new (gfloat, n);

      for (i = 0; i < n; i++)
        x[i] = (gfloat) xd[i];
      push_frames (h, x, n, 1, 1024);
      pull_all (h, 1, y, &count);
      g_free (x);
    }
    for (k = 0; k < G_N_ELEMENTS (fs); k++) {
      gdouble d = 20.0 * log10 (amplitude (y + n - tail, tail, 1, fs[k])
          / 0.15);

      if (fabs (d) > fabs (worst))
        worst = d;
    }
    GST_INFO ("format %u: worst deviation %g dB", fmt, worst);
    fail_unless (fabs (worst) <= 0.01, "worst %f dB", worst);
    g_free (xd);
    g_free (y);
    gst_harness_teardown (h);
  }
}

GST_END_TEST;

/* L = R in mid-side mode: side silent, mid compressed, messages per lane */
GST_START_TEST (test_mid_side)
{
  GstBus *bus;
  GstHarness *h = comp_new (CAPS_F32 (2), &bus);
  gsize n = RATE, i, count = 0;
  gfloat *x = g_new (gfloat, n * 2), *y = g_new0 (gfloat, n * 2);
  gdouble side = 0.0;
  GList *msgs, *last;

  g_object_set (h->element, "mode", 1, NULL);
  band_set (h->element, "band1::threshold", -40.0);
  band_set (h->element, "band1::ratio", 4.0);
  for (i = 0; i < n; i++)
    x[2 * i] = x[2 * i + 1] = (gfloat) (0.5 * sin (2.0 * G_PI * 300.0 * i
            / RATE) + 0.1 * sin (2.0 * G_PI * 5000.0 * i / RATE));
  push_frames (h, x, n, 2, 960);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  pull_all (h, 2, y, &count);
  fail_unless_equals_uint64 (count, n);
  for (i = 0; i < n; i++)
    side = MAX (side, fabs (0.5 * ((gdouble) y[2 * i] - y[2 * i + 1])));
  fail_unless (side == 0.0 || 20.0 * log10 (side) <= -120.0, "side %g",
      side);
  msgs = collect_messages (bus);
  /* the last full interval (the final message covers what is left after
   * it: nothing here) */
  last = g_list_nth (msgs, 8);
  fail_unless (last != NULL);
  fail_unless_equals_int (array_size (last->data, "gain-reduction"), 4);
  fail_unless_equals_int (array_size (last->data, "gain-reduction-mid"), 4);
  fail_unless (array_get (last->data, "gain-reduction-mid", 1) > 5.0);
  fail_unless_equals_float (array_get (last->data, "gain-reduction-side",
          1), 0.0);
  g_list_free_full (msgs, (GDestroyNotify) gst_structure_free);
  g_free (x);
  g_free (y);
  comp_free (h, bus);
}

GST_END_TEST;

/* Messages: one per 100 ms and a final one; fields; band 1 reduced as the
 * static curve says for a steady sine (peak detection, knee 0), band 3
 * untouched. */
GST_START_TEST (test_messages)
{
  GstBus *bus;
  GstHarness *h = comp_new (CAPS_F32 (1), &bus);
  gsize n = RATE * 2, i, count = 0;
  gfloat *x = g_new (gfloat, n);
  const gdouble a = 0.5, t = -30.0, r = 4.0;
  gdouble lvl, want;
  GList *msgs, *l;
  guint nmsg = 0;
  const GstStructure *s;
  guint64 ts, dur;

  band_set (h->element, "band1::threshold", t);
  band_set (h->element, "band1::ratio", r);
  band_set (h->element, "band1::knee", 0.0);
  {
    GObject *b1 = gst_child_proxy_get_child_by_name (GST_CHILD_PROXY
        (h->element), "band1");

    gst_util_set_object_arg (b1, "detection", "peak");
    g_object_unref (b1);
  }
  /* 400 Hz: inside band 1 (120 - 800 Hz); its share of the sine is the
   * analog LR4 high-pass at 120 Hz times the low-pass at 800 Hz at the
   * bilinear-mapped frequency */
  for (i = 0; i < n; i++)
    x[i] = (gfloat) (a * sin (2.0 * G_PI * 400.0 * i / RATE));
  push_frames (h, x, n, 1, 1000);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  pull_all (h, 1, NULL, &count);
  msgs = collect_messages (bus);
  for (l = msgs; l; l = l->next) {
    gboolean final = FALSE;

    s = l->data;
    nmsg++;
    fail_unless (gst_structure_get_uint64 (s, "timestamp", &ts));
    fail_unless (gst_structure_get_uint64 (s, "duration", &dur));
    fail_unless (gst_structure_has_field (s, "stream-time"));
    fail_unless (gst_structure_has_field (s, "running-time"));
    fail_unless (gst_structure_get_boolean (s, "final", &final));
    fail_unless_equals_int (final, l->next == NULL);
    fail_if (gst_structure_has_field (s, "gain-reduction-mid"));
  }
  /* 20 full intervals, then the final (empty) one at EOS */
  fail_unless_equals_int (nmsg, 21);
  s = g_list_nth_data (msgs, 19);
  {
    gdouble w = tan (G_PI * 400.0 / RATE);
    gdouble rh = pow (w / tan (G_PI * 120.0 / RATE), 4.0);
    gdouble rl = pow (w / tan (G_PI * 800.0 / RATE), 4.0);

    lvl = 20.0 * log10 (a * rh / (1.0 + rh) / (1.0 + rl));
  }
  want = (lvl - t) * (1.0 - 1.0 / r);
  GST_INFO ("band 1 reduction %f, want %f", array_get (s, "gain-reduction",
          1), want);
  fail_unless (fabs (array_get (s, "gain-reduction", 1) - want) < 0.2,
      "reduction %f, want %f", array_get (s, "gain-reduction", 1), want);
  fail_unless_equals_float (array_get (s, "gain-reduction", 3), 0.0);
  g_list_free_full (msgs, (GDestroyNotify) gst_structure_free);
  g_free (x);
  comp_free (h, bus);
}

GST_END_TEST;

/* band1::threshold controlled: 0 dBFS (no reduction) until 450 ms, then
 * -40 dBFS, all the audio in ONE buffer of 1 s: the bands' controllers
 * are synced every 10 ms inside the buffer, so reduction appears from the
 * interval 400..500 ms on (once per buffer would keep 0 dBFS throughout)
 * and not before. */
GST_START_TEST (test_controller)
{
  GstBus *bus;
  GstHarness *h = comp_new (CAPS_F32 (1), &bus);
  GstControlSource *cs = gst_trigger_control_source_new ();
  GstTimedValueControlSource *tvcs = (GstTimedValueControlSource *) cs;
  GObject *band = gst_child_proxy_get_child_by_name (GST_CHILD_PROXY
      (h->element), "band1");
  gsize n = RATE, i, count = 0;
  gfloat *x = g_new (gfloat, n);
  GList *msgs;
  gdouble before, after;

  gst_object_add_control_binding (GST_OBJECT (band),
      gst_direct_control_binding_new_absolute (GST_OBJECT (band),
          "threshold", cs));
  gst_timed_value_control_source_set (tvcs, 0, 0.0);
  gst_timed_value_control_source_set (tvcs, 450 * GST_MSECOND, -40.0);
  band_set (h->element, "band1::ratio", 4.0);
  band_set (h->element, "band1::attack", 1.0);
  for (i = 0; i < n; i++)
    x[i] = (gfloat) (0.3 * sin (2.0 * G_PI * 400.0 * i / RATE));
  push_frames (h, x, n, 1, n);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  pull_all (h, 1, NULL, &count);
  msgs = collect_messages (bus);
  /* interval 3 = 300..400 ms; 4 = 400..500 ms; 8 = 800..900 ms */
  before = array_get (g_list_nth_data (msgs, 3), "gain-reduction", 1);
  after = array_get (g_list_nth_data (msgs, 8), "gain-reduction", 1);
  GST_INFO ("before %f, at %f, after %f", before,
      array_get (g_list_nth_data (msgs, 4), "gain-reduction", 1), after);
  fail_unless_equals_float (before, 0.0);
  fail_unless (array_get (g_list_nth_data (msgs, 4), "gain-reduction", 1)
      > 1.0, "400..500 ms: %f", array_get (g_list_nth_data (msgs, 4),
          "gain-reduction", 1));
  fail_unless (after > 10.0, "after %f", after);
  g_list_free_full (msgs, (GDestroyNotify) gst_structure_free);
  gst_object_unref (cs);
  g_object_unref (band);
  g_free (x);
  comp_free (h, bus);
}

GST_END_TEST;

GST_START_TEST (test_nan)
{
  GstBus *bus;
  GstHarness *h = comp_new (CAPS_F32 (2), &bus);
  gsize n = 4800, i, count = 0;
  gfloat *x = g_new (gfloat, n * 2), *y = g_new0 (gfloat, n * 2);
  GstMessage *m;
  gboolean warned = FALSE;

  for (i = 0; i < 2 * n; i++)
    x[i] = (gfloat) (0.5 * sin (0.02 * i));
  x[100] = NAN;
  x[2001] = INFINITY;
  x[3002] = -INFINITY;
  push_frames (h, x, n, 2, 480);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  pull_all (h, 2, y, &count);
  fail_unless_equals_uint64 (count, n);
  for (i = 0; i < 2 * n; i++)
    fail_unless (isfinite (y[i]), "sample %" G_GSIZE_FORMAT, i);
  while ((m = gst_bus_pop_filtered (bus, GST_MESSAGE_WARNING))) {
    warned = TRUE;
    gst_message_unref (m);
  }
  fail_unless (warned);
  g_free (x);
  g_free (y);
  comp_free (h, bus);
}

GST_END_TEST;

GST_START_TEST (test_mono_mid_side)
{
  GstHarness *h = comp_new (CAPS_F32 (1), NULL);
  gsize n = RATE / 2, i, count = 0;
  gfloat *x = g_new (gfloat, n), *y = g_new0 (gfloat, n);

  g_object_set (h->element, "mode", 1, NULL);
  for (i = 0; i < n; i++)
    x[i] = (gfloat) (0.5 * sin (2.0 * G_PI * 1000.0 * i / RATE));
  push_frames (h, x, n, 1, 1000);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  pull_all (h, 1, y, &count);
  fail_unless_equals_uint64 (count, n);
  /* -6 dBFS sine, rms -9 dBFS, default -18 dBFS 2:1 with a 6 dB knee:
   * compressed, not silenced */
  fail_unless (amplitude (y + n / 2, n / 2, 1, 1000.0) < 0.45);
  fail_unless (amplitude (y + n / 2, n / 2, 1, 1000.0) > 0.2);
  g_free (x);
  g_free (y);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_presets)
{
  GstElement *e = gst_element_factory_make ("multibandcomp", NULL);
  gchar **names = gst_preset_get_preset_names (GST_PRESET (e));
  const gchar *want[] = { "gentle-glue", "tame-low-end", "de-harsh",
    "broadcast-dense", "mid-side-focus"
  };
  guint k, nb;
  gint mode;

  fail_unless (names != NULL);
  for (k = 0; k < G_N_ELEMENTS (want); k++)
    fail_unless (g_strv_contains ((const gchar * const *) names, want[k]),
        "no preset %s", want[k]);
  g_strfreev (names);
  fail_unless (gst_preset_load_preset (GST_PRESET (e), "tame-low-end"));
  g_object_get (e, "num-bands", &nb, NULL);
  fail_unless_equals_int (nb, 3);
  fail_unless_equals_float (band_get (e, "band0::ratio"), 3.0);
  fail_unless_equals_float (band_get (e, "band0::crossover"), 120.0);
  fail_unless (gst_preset_load_preset (GST_PRESET (e), "mid-side-focus"));
  g_object_get (e, "num-bands", &nb, "mode", &mode, NULL);
  fail_unless_equals_int (nb, 4);
  fail_unless_equals_int (mode, 1);
  fail_unless_equals_float (band_get (e, "band0::ratio"), 4.0);
  /* complete presets: nothing left over from the previous one */
  fail_unless_equals_float (band_get (e, "band1::ratio"), 2.0);
  gst_object_unref (e);
}

GST_END_TEST;

/* Non-finite property values (NaN, +-infinity) are refused with a warning
 * and the previous value kept, on the element and its bands. */
GST_START_TEST (test_non_finite_properties)
{
  GstElement *e = gst_element_factory_make ("multibandcomp", NULL);

  fail_unless (e != NULL);
  fail_unless (mst_check_non_finite_properties (e) >= 8);
  gst_object_unref (e);
}

GST_END_TEST;

static Suite *
multibandcomp_suite (void)
{
  Suite *s = suite_create ("multibandcomp");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_properties);
  tcase_add_test (tc, test_non_finite_properties);
  tcase_add_test (tc, test_parse_launch);
  tcase_add_test (tc, test_three_channels_refused);
  tcase_add_test (tc, test_latency_and_drain);
  tcase_add_test (tc, test_flush);
  tcase_add_test (tc, test_flat);
  tcase_add_test (tc, test_mid_side);
  tcase_add_test (tc, test_messages);
  tcase_add_test (tc, test_controller);
  tcase_add_test (tc, test_nan);
  tcase_add_test (tc, test_mono_mid_side);
  tcase_add_test (tc, test_presets);
  return s;
}

int
main (int argc, char **argv)
{
  /* the presets of the source tree, not an installed copy */
  g_setenv ("GST_PRESET_PATH", MST_PRESET_DIR, TRUE);
  gst_check_init (&argc, &argv);
  return gst_check_run_suite (multibandcomp_suite (), "multibandcomp",
      __FILE__);
}
