/* gst-mastering — GstCheck/GstHarness tests for the loudnorm element
 *
 * The normalizer's quality is tested on its core (tests/dsp/loudnorm.c);
 * these tests check the glue, with libebur128 as the independent judge
 * of loudness:
 * - presets come from the shared target table (dsp/targets.h): nicks,
 *   target and ceiling as the table has them; setting target or ceiling
 *   switches the preset to custom;
 * - latency query = the look-ahead; output frame n is input frame n
 *   (lengths equal after EOS, timestamps of the input frames);
 * - a `loudnorm` message every interval with all fields, a final one at
 *   EOS whose output-integrated equals libebur128's reading of the pulled
 *   output (0.05 LU: same BS.1770 algorithm) and lies within 1 LU of the
 *   target; input-integrated equals libebur128 on the input;
 * - linear mode without measured-integrated fails to start with an error;
 *   with it, the gain is target - measured;
 * - the reset action signal starts a new measurement;
 * - NaN / Inf input gives finite output; F64 works.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <math.h>
#include <string.h>

#include <ebur128.h>
#include <gst/gst.h>
#include <gst/audio/audio.h>
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>

#include "dsp/targets.h"

#define RATE 48000
#define CAPS_F32 "audio/x-raw, format=" GST_AUDIO_NE (F32) \
    ", layout=interleaved, rate=48000, channels=2"
#define CAPS_F64 "audio/x-raw, format=" GST_AUDIO_NE (F64) \
    ", layout=interleaved, rate=48000, channels=2"

static const gchar *msg_fields[] = {
  "timestamp", "stream-time", "running-time", "duration", "gain",
  "input-short-term", "output-short-term", "input-integrated",
  "output-integrated", "limiter-gain-reduction-max", "final", NULL
};

/* Stereo noise with a 3 Hz syllable-like envelope, RMS about `db` dBFS,
 * deterministic. */
static gfloat *
programme (gsize frames, gdouble db, guint32 seed)
{
  gfloat *x = g_new (gfloat, frames * 2);
  gdouble a = pow (10.0, db / 20.0) * 2.4;
  gsize i;

  for (i = 0; i < frames; i++) {
    gdouble e = 0.5 + 0.5 * sin (2.0 * G_PI * 3.0 * i / RATE);
    gint c;

    for (c = 0; c < 2; c++) {
      seed = seed * 1664525u + 1013904223u;
      x[2 * i + c] = (gfloat) (a * e * ((seed >> 8) / 8388608.0 - 1.0));
    }
  }
  return x;
}

static GstBuffer *
f32_buffer (const gfloat * x, gsize frames, guint64 first_frame)
{
  GstBuffer *b = gst_buffer_new_allocate (NULL, frames * 8, NULL);

  gst_buffer_fill (b, 0, x, frames * 8);
  GST_BUFFER_PTS (b) = gst_util_uint64_scale_int_round (first_frame, GST_SECOND,
      RATE);
  GST_BUFFER_DURATION (b) = gst_util_uint64_scale_int_round (frames,
      GST_SECOND, RATE);
  return b;
}

static void
push_all (GstHarness * h, const gfloat * x, gsize frames, guint64 first_frame)
{
  gsize pos = 0;

  while (pos < frames) {
    gsize m = MIN (4800, frames - pos);

    fail_unless_equals_int (gst_harness_push (h, f32_buffer (x + 2 * pos, m,
                first_frame + pos)), GST_FLOW_OK);
    pos += m;
  }
}

/* Pulls every buffer; checks contiguous timestamps from frame *count;
 * appends the samples to out (room for max frames). */
static gsize
pull_all (GstHarness * h, gfloat * out, gsize max, gsize * count)
{
  GstBuffer *b;
  gsize total = 0;

  while ((b = gst_harness_try_pull (h))) {
    gsize n = gst_buffer_get_size (b) / 8;

    fail_unless_equals_uint64 (GST_BUFFER_PTS (b),
        gst_util_uint64_scale_int_round (*count, GST_SECOND, RATE));
    if (out && *count + n <= max)
      gst_buffer_extract (b, 0, out + 2 * *count, n * 8);
    *count += n;
    total += n;
    gst_buffer_unref (b);
  }
  return total;
}

static gdouble
lib_integrated (const gfloat * x, gsize frames)
{
  ebur128_state *st = ebur128_init (2, RATE, EBUR128_MODE_I);
  gdouble l;

  ebur128_add_frames_float (st, x, frames);
  ebur128_loudness_global (st, &l);
  ebur128_destroy (&st);
  return l;
}

/* Collects the `loudnorm` element messages on bus; returns the last. */
static GstStructure *
collect (GstBus * bus, guint * count, gboolean * saw_final)
{
  GstStructure *last = NULL;
  GstMessage *m;

  while ((m = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT))) {
    const GstStructure *s = gst_message_get_structure (m);

    if (gst_structure_has_name (s, "loudnorm")) {
      const gchar **f;
      gboolean final = FALSE;

      for (f = msg_fields; *f; f++)
        fail_unless (gst_structure_has_field (s, *f), "no field %s", *f);
      gst_structure_get_boolean (s, "final", &final);
      if (final)
        *saw_final = TRUE;
      (*count)++;
      if (last)
        gst_structure_free (last);
      last = gst_structure_copy (s);
    }
    gst_message_unref (m);
  }
  return last;
}

static gdouble
get_d (const GstStructure * s, const gchar * f)
{
  gdouble v = NAN;

  fail_unless (gst_structure_get_double (s, f, &v));
  return v;
}

/* ---- tests -------------------------------------------------------------- */

GST_START_TEST (test_presets)
{
  GstElement *e = gst_element_factory_make ("loudnorm", NULL);
  GParamSpec *ps = g_object_class_find_property (G_OBJECT_GET_CLASS (e),
      "preset");
  GEnumClass *ec = g_type_class_ref (ps->value_type);
  gdouble target, ceiling, slew, slew_ebu;
  gint preset;
  gsize i;

  /* every target of the shared table, under its nick, then custom */
  fail_unless_equals_int (ec->n_values, mst_targets_count () + 1);
  for (i = 0; i < mst_targets_count (); i++) {
    const MstTarget *tg = mst_targets_get (i);

    fail_unless_equals_string (g_enum_get_value (ec, tg->id)->value_nick,
        tg->nick);
    gst_util_set_object_arg (G_OBJECT (e), "preset", tg->nick);
    g_object_get (e, "target", &target, "ceiling", &ceiling, NULL);
    fail_unless_equals_float (target, tg->integrated_lufs);
    fail_unless_equals_float (ceiling, tg->true_peak_dbtp);
  }
  fail_unless (g_enum_get_value_by_nick (ec, "custom") != NULL);

  /* the leveling speed follows the kind: speech faster than broadcast */
  gst_util_set_object_arg (G_OBJECT (e), "preset", "ebu-r128");
  g_object_get (e, "gain-slew", &slew_ebu, NULL);
  gst_util_set_object_arg (G_OBJECT (e), "preset", "podcast");
  g_object_get (e, "gain-slew", &slew, "preset", &preset, NULL);
  fail_unless (slew > slew_ebu);
  fail_unless_equals_int (preset, MST_TARGET_PODCAST);

  /* target or ceiling afterwards: custom, values kept */
  g_object_set (e, "target", -18.0, NULL);
  g_object_get (e, "preset", &preset, "target", &target, "ceiling",
      &ceiling, NULL);
  fail_unless_equals_int (preset, g_enum_get_value_by_nick (ec,
          "custom")->value);
  fail_unless_equals_float (target, -18.0);
  fail_unless_equals_float (ceiling, -1.0);
  gst_util_set_object_arg (G_OBJECT (e), "preset", "atsc-a85");
  g_object_set (e, "ceiling", -3.0, NULL);
  g_object_get (e, "preset", &preset, "target", &target, NULL);
  fail_unless_equals_int (preset, g_enum_get_value_by_nick (ec,
          "custom")->value);
  fail_unless_equals_float (target, -24.0);

  g_type_class_unref (ec);
  gst_object_unref (e);
}

GST_END_TEST;

GST_START_TEST (test_stream)
{
  GstHarness *h = gst_harness_new ("loudnorm");
  GstBus *bus = gst_bus_new ();
  gsize frames = 30 * RATE, count = 0;
  gfloat *in = programme (frames, -38.0, 1), *out = g_new0 (gfloat,
      frames * 2);
  gboolean saw_final = FALSE;
  GstStructure *last;
  guint n_msg = 0;
  gdouble lo;

  gst_element_set_bus (h->element, bus);
  gst_harness_set_src_caps_str (h, CAPS_F32);
  push_all (h, in, frames, 0);

  /* latency: the 400 ms look-ahead; held = latency */
  fail_unless_equals_uint64 (gst_harness_query_latency (h),
      400 * GST_MSECOND);
  pull_all (h, out, frames, &count);
  fail_unless_equals_int (count, frames - 400 * RATE / 1000);

  /* EOS: the held frames, then the final message */
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  pull_all (h, out, frames, &count);
  fail_unless_equals_int (count, frames);

  last = collect (bus, &n_msg, &saw_final);
  fail_unless (saw_final);
  /* 30 s at 100 ms: 300 interval messages + the final one */
  fail_unless_equals_int (n_msg, 301);
  lo = lib_integrated (out, frames);
  fail_unless (fabs (get_d (last, "output-integrated") - lo) < 0.05,
      "output-integrated %.3f vs libebur128 %.3f",
      get_d (last, "output-integrated"), lo);
  fail_unless (fabs (lo + 23.0) < 1.0, "output %.2f LUFS", lo);
  fail_unless (fabs (get_d (last, "input-integrated") -
          lib_integrated (in, frames)) < 0.05);
  fail_unless (get_d (last, "gain") > 5.0);
  fail_unless (get_d (last, "limiter-gain-reduction-max") >= 0.0);
  gst_structure_free (last);

  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
  g_free (in);
  g_free (out);
}

GST_END_TEST;

GST_START_TEST (test_linear)
{
  GstElement *e = gst_element_factory_make ("loudnorm", NULL);
  GstBus *bus = gst_bus_new ();
  GstHarness *h;
  gsize frames = 10 * RATE, count = 0, i;
  gfloat *in = programme (frames, -30.0, 2), *out = g_new0 (gfloat,
      frames * 2);
  gdouble mi = lib_integrated (in, frames), g;
  GstMessage *m;

  /* without a measurement: an error, no silent fallback to live */
  gst_element_set_bus (e, bus);
  gst_util_set_object_arg (G_OBJECT (e), "mode", "linear");
  fail_unless (gst_element_set_state (e, GST_STATE_PAUSED) ==
      GST_STATE_CHANGE_FAILURE);
  m = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (m != NULL);
  gst_message_unref (m);
  gst_element_set_state (e, GST_STATE_NULL);
  gst_element_set_bus (e, NULL);
  gst_object_unref (bus);
  gst_object_unref (e);

  h = gst_harness_new ("loudnorm");
  gst_util_set_object_arg (G_OBJECT (h->element), "mode", "linear");
  g_object_set (h->element, "target", -20.0, "measured-integrated", mi,
      NULL);
  gst_harness_set_src_caps_str (h, CAPS_F32);
  push_all (h, in, frames, 0);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  pull_all (h, out, frames, &count);
  fail_unless_equals_int (count, frames);
  g = pow (10.0, (-20.0 - mi) / 20.0);
  for (i = 0; i < frames * 2; i++)
    if (fabs (in[i]) > 1e-3)
      fail_unless (fabs (out[i] / in[i] / g - 1.0) < 1e-5, "sample %"
          G_GSIZE_FORMAT ": gain %.6f, want %.6f", i, out[i] / in[i], g);
  fail_unless (fabs (lib_integrated (out, frames) + 20.0) < 0.1);
  gst_harness_teardown (h);
  g_free (in);
  g_free (out);
}

GST_END_TEST;

GST_START_TEST (test_reset_signal)
{
  GstHarness *h = gst_harness_new ("loudnorm");
  GstBus *bus = gst_bus_new ();
  gsize frames = 10 * RATE, count = 0;
  gfloat *a = programme (frames, -20.0, 3), *b = programme (frames, -40.0, 4);
  GstStructure *last;
  guint n = 0;
  gboolean fin = FALSE;

  gst_element_set_bus (h->element, bus);
  gst_harness_set_src_caps_str (h, CAPS_F32);
  push_all (h, a, frames, 0);
  g_signal_emit_by_name (h->element, "reset");
  push_all (h, b, frames, frames);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  pull_all (h, NULL, 0, &count);
  fail_unless_equals_int (count, 2 * frames);
  last = collect (bus, &n, &fin);
  fail_unless (fin);
  /* the input measurement covers the second programme only */
  fail_unless (fabs (get_d (last, "input-integrated") -
          lib_integrated (b, frames)) < 0.1, "input-integrated %.2f vs %.2f",
      get_d (last, "input-integrated"), lib_integrated (b, frames));
  gst_structure_free (last);
  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
  g_free (a);
  g_free (b);
}

GST_END_TEST;

GST_START_TEST (test_nonfinite_f64)
{
  GstHarness *h = gst_harness_new ("loudnorm");
  gsize frames = 2 * RATE, i, n = 0;
  gdouble *x = g_new (gdouble, frames * 2);
  GstBuffer *b;

  for (i = 0; i < frames * 2; i++)
    x[i] = 0.1 * sin (2.0 * G_PI * 997.0 * (i / 2) / RATE);
  x[1000] = NAN;
  x[2001] = INFINITY;
  gst_harness_set_src_caps_str (h, CAPS_F64);
  b = gst_buffer_new_wrapped (x, frames * 16);
  GST_BUFFER_PTS (b) = 0;
  fail_unless_equals_int (gst_harness_push (h, b), GST_FLOW_OK);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  while ((b = gst_harness_try_pull (h))) {
    GstMapInfo map;
    const gdouble *y;

    gst_buffer_map (b, &map, GST_MAP_READ);
    y = (const gdouble *) map.data;
    for (i = 0; i < map.size / 8; i++)
      fail_unless (isfinite (y[i]));
    n += map.size / 16;
    gst_buffer_unmap (b, &map);
    gst_buffer_unref (b);
  }
  fail_unless_equals_int (n, frames);
  gst_harness_teardown (h);
}

GST_END_TEST;

static Suite *
loudnorm_suite (void)
{
  Suite *s = suite_create ("loudnorm");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_presets);
  tcase_add_test (tc, test_stream);
  tcase_add_test (tc, test_linear);
  tcase_add_test (tc, test_reset_signal);
  tcase_add_test (tc, test_nonfinite_f64);
  return s;
}

GST_CHECK_MAIN (loudnorm);
