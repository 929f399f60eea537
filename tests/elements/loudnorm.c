/* gst-mastering — GstCheck/GstHarness tests for the loudnorm element
 *
 * The normalizer's quality is tested on its core (tests/dsp/loudnorm.c);
 * these tests check the glue, with libebur128 as the independent judge
 * of loudness:
 * - presets come from the shared target table (dsp/targets.h): nicks,
 *   target and ceiling as the table has them, leveling speed and loudness
 *   range by kind; setting target or ceiling switches the preset to
 *   custom;
 * - latency query = the look-ahead; output frame n is input frame n
 *   (lengths equal after EOS, timestamps of the input frames);
 * - a `loudnorm` message every interval with all fields, a final one at
 *   EOS whose output-integrated equals libebur128's reading of the pulled
 *   output (0.05 LU: same BS.1770 algorithm) and lies within 1 LU of the
 *   target; input-integrated equals libebur128 on the input;
 * - linear mode without measured-integrated fails to start with an error;
 *   with it, the gain is target - measured; a linear gain that drives the
 *   measured true peak over the ceiling warns at start, stays constant and
 *   the messages report the limiting;
 * - mode changes while playing are visible: linear without the
 *   measurement warns (naming the property) and keeps leveling live,
 *   setting the measurement switches to linear with a `loudnorm-mode`
 *   message, the gain glides there at gain-slew, and back to live the
 *   same way;
 * - the reset action signal starts a new measurement;
 * - NaN / Inf input gives finite output; F64 works;
 * - the look-ahead is the latency at 0.5, 400 and 3000 ms and after a
 *   change while playing: the query reports what the element holds back,
 *   and after EOS every frame comes out once, unchanged (linear 0 dB);
 * - the level properties are controllable and an automation of target is
 *   followed (libebur128 on the output);
 * - `interval` sets the message period; the intervals follow each other
 *   without a gap and the final message comes last;
 * - 5.1 is weighted as BS.1770 (surrounds 1.41, no LFE), and the drain's
 *   silence is not input: the final input-integrated equals libebur128's
 *   5.1 reading of the input.
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
#include <gst/controller/gstdirectcontrolbinding.h>
#include <gst/controller/gstinterpolationcontrolsource.h>

#include "dsp/targets.h"
#include "mstcheck.h"

#define RATE 48000
#define CAPS_F32 "audio/x-raw, format=" GST_AUDIO_NE (F32) \
    ", layout=interleaved, rate=48000, channels=2"
#define CAPS_F64 "audio/x-raw, format=" GST_AUDIO_NE (F64) \
    ", layout=interleaved, rate=48000, channels=2"

static const gchar *msg_fields[] = {
  "timestamp", "stream-time", "running-time", "duration", "gain",
  "input-short-term", "output-short-term", "input-integrated",
  "output-integrated", "limiter-gain-reduction-max", "mode", "final", NULL
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
  gdouble target, ceiling, slew, slew_ebu, range, range_ebu;
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
  g_object_get (e, "gain-slew", &slew_ebu, "loudness-range", &range_ebu,
      NULL);
  gst_util_set_object_arg (G_OBJECT (e), "preset", "podcast");
  g_object_get (e, "gain-slew", &slew, "preset", &preset, "loudness-range",
      &range, NULL);
  fail_unless (slew > slew_ebu);
  /* and so does the loudness range: speech levels every voice (0 LU) */
  fail_unless_equals_float (range, 0.0);
  fail_unless (range_ebu > 0.0);
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

/* Pops every message of the bus: the `loudnorm` messages' gains into
 * gains[] (up to max, count in *n_gain) and modes checked against
 * want_mode; `loudnorm-mode` messages counted (the last one's structure
 * copied to *mode_msg); warnings counted, their text checked for
 * `must_name`. */
static void
drain_bus (GstBus * bus, const gchar * want_mode, gdouble * gains, guint max,
    guint * n_gain, guint * n_mode, GstStructure ** mode_msg,
    guint * n_warn, const gchar * must_name)
{
  GstMessage *m;

  while ((m = gst_bus_pop (bus))) {
    if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_WARNING) {
      GError *err = NULL;
      gchar *dbg = NULL;

      gst_message_parse_warning (m, &err, &dbg);
      fail_unless (must_name == NULL || strstr (err->message, must_name),
          "warning without %s: %s", must_name, err->message);
      (*n_warn)++;
      g_error_free (err);
      g_free (dbg);
    } else if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_ELEMENT) {
      const GstStructure *s = gst_message_get_structure (m);

      if (gst_structure_has_name (s, "loudnorm")) {
        if (want_mode)
          fail_unless_equals_string (gst_structure_get_string (s, "mode"),
              want_mode);
        if (*n_gain < max)
          gains[(*n_gain)++] = get_d (s, "gain");
      } else if (gst_structure_has_name (s, "loudnorm-mode")) {
        (*n_mode)++;
        if (*mode_msg)
          gst_structure_free (*mode_msg);
        *mode_msg = gst_structure_copy (s);
      }
    }
    gst_message_unref (m);
  }
}

/* Live on a quiet programme (the gain goes to +12 dB, max-gain), then
 * mode=linear without a measurement: a warning naming
 * measured-integrated, no mode change, the gain goes on leveling live
 * (it follows the programme 10 dB louder: down by about 10 dB, where a
 * frozen gain would not move).  Then measured-integrated: a
 * `loudnorm-mode` message (mode linear, linear-gain = target - measured),
 * the gain glides to the linear gain at no more than gain-slew (6 dB/s:
 * 0.6 dB per 100 ms message) and stays there; mode=live again: one more
 * `loudnorm-mode` message (live). */
GST_START_TEST (test_mode_switch)
{
  GstHarness *h = gst_harness_new ("loudnorm");
  GstBus *bus = gst_bus_new ();
  gsize frames = 10 * RATE, count = 0;
  gfloat *quiet = programme (frames, -40.0, 5);
  gfloat *loud = programme (frames, -30.0, 6);
  gdouble gains[400], lin, mi = lib_integrated (loud, frames);
  guint n_gain = 0, n_mode = 0, n_warn = 0, k;
  GstStructure *mm = NULL;
  guint64 pos = 0;

  gst_element_set_bus (h->element, bus);
  gst_harness_set_src_caps_str (h, CAPS_F32);
  push_all (h, quiet, frames, pos);
  pos += frames;
  drain_bus (bus, "live", gains, G_N_ELEMENTS (gains), &n_gain, &n_mode,
      &mm, &n_warn, NULL);
  fail_unless_equals_int (n_mode, 0);
  fail_unless_equals_int (n_warn, 0);
  fail_unless (gains[n_gain - 1] > 11.0, "live gain %.2f", gains[n_gain - 1]);

  /* linear without the measurement */
  gst_util_set_object_arg (G_OBJECT (h->element), "mode", "linear");
  push_all (h, loud, frames, pos);
  pos += frames;
  n_gain = 0;
  drain_bus (bus, "live", gains, G_N_ELEMENTS (gains), &n_gain, &n_mode,
      &mm, &n_warn, "measured-integrated");
  fail_unless_equals_int (n_warn, 1);
  fail_unless_equals_int (n_mode, 0);
  fail_unless (gains[n_gain - 1] < 5.0, "still leveling live: gain %.2f",
      gains[n_gain - 1]);

  /* the measurement arrives: linear, gliding */
  g_object_set (h->element, "measured-integrated", mi - 4.0, NULL);
  lin = -23.0 - (mi - 4.0);
  push_all (h, loud, frames, pos);
  pos += frames;
  {
    gdouble before = gains[n_gain - 1];

    n_gain = 0;
    drain_bus (bus, NULL, gains, G_N_ELEMENTS (gains), &n_gain, &n_mode,
        &mm, &n_warn, NULL);
    fail_unless_equals_int (n_mode, 1);
    fail_unless_equals_int (n_warn, 1);
    fail_unless_equals_string (gst_structure_get_string (mm, "mode"),
        "linear");
    fail_unless_equals_string (gst_structure_get_string (mm,
            "requested-mode"), "linear");
    fail_unless (fabs (get_d (mm, "linear-gain") - lin) < 1e-9);
    fail_unless (fabs (gains[0] - before) <= 0.6 + 1e-6,
        "step at the switch %.3f dB", gains[0] - before);
    for (k = 1; k < n_gain; k++)
      fail_unless (fabs (gains[k] - gains[k - 1]) <= 0.6 + 1e-6,
          "gain step %.3f dB in 100 ms", gains[k] - gains[k - 1]);
    fail_unless (fabs (before - lin) > 2.0, "the switch moves the gain");
    fail_unless (fabs (gains[n_gain - 1] - lin) < 1e-9, "linear gain %.3f, "
        "want %.3f", gains[n_gain - 1], lin);
  }

  /* back to live */
  gst_util_set_object_arg (G_OBJECT (h->element), "mode", "live");
  push_all (h, loud, RATE, pos);
  n_gain = 0;
  drain_bus (bus, NULL, gains, G_N_ELEMENTS (gains), &n_gain, &n_mode,
      &mm, &n_warn, NULL);
  fail_unless_equals_int (n_mode, 2);
  fail_unless_equals_string (gst_structure_get_string (mm, "mode"), "live");
  fail_unless_equals_int (n_warn, 1);
  gst_structure_free (mm);

  pull_all (h, NULL, 0, &count);
  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
  g_free (quiet);
  g_free (loud);
}

GST_END_TEST;

/* Linear with a gain that drives the measured true peak 6 dB over the
 * ceiling: a warning at start, every message's gain is the linear gain
 * (no switch to dynamic), mode linear, and the messages report the
 * limiter's work (> 3 dB: most of the 6 dB, the peak is rare). */
GST_START_TEST (test_linear_pushed)
{
  GstHarness *h = gst_harness_new ("loudnorm");
  GstBus *bus = gst_bus_new ();
  gsize frames = 5 * RATE, count = 0;
  gfloat *in = programme (frames, -30.0, 7);
  gdouble gains[100], mi = lib_integrated (in, frames), red = 0.0, lin;
  gdouble tp, peak = 0.0;
  guint n_gain = 0, n_mode = 0, n_warn = 0, k;
  GstMessage *m;

  /* clicks every 0.25 s, 20 dB over the programme's RMS: high peaks on
   * a moderate loudness */
  for (k = RATE / 8; k < frames; k += RATE / 4)
    in[2 * k] = in[2 * k + 1] = (gfloat) (10.0 * pow (10.0, -30.0 / 20.0));
  mi = lib_integrated (in, frames);
  /* the first pass's true peak: the sample peak is close enough here */
  for (k = 0; k < frames * 2; k++)
    peak = MAX (peak, fabs (in[k]));
  tp = 20.0 * log10 (peak);

  gst_element_set_bus (h->element, bus);
  gst_util_set_object_arg (G_OBJECT (h->element), "mode", "linear");
  /* gain so that the measured peak lands 6 dB over -1 dBTP */
  lin = -1.0 + 6.0 - tp;
  fail_unless (mi + lin < -5.0, "target %.2f out of range", mi + lin);
  g_object_set (h->element, "target", mi + lin, "measured-integrated", mi,
      "measured-true-peak", tp, NULL);
  gst_harness_set_src_caps_str (h, CAPS_F32);
  push_all (h, in, frames, 0);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  pull_all (h, NULL, 0, &count);
  /* collect: reductions from the loudnorm messages too */
  while ((m = gst_bus_pop (bus))) {
    const GstStructure *s = gst_message_get_structure (m);

    if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_WARNING)
      n_warn++;
    else if (s && gst_structure_has_name (s, "loudnorm")) {
      fail_unless_equals_string (gst_structure_get_string (s, "mode"),
          "linear");
      red = MAX (red, get_d (s, "limiter-gain-reduction-max"));
      if (n_gain < G_N_ELEMENTS (gains))
        gains[n_gain++] = get_d (s, "gain");
    } else if (s && gst_structure_has_name (s, "loudnorm-mode"))
      n_mode++;
    gst_message_unref (m);
  }
  fail_unless_equals_int (n_warn, 1);
  fail_unless_equals_int (n_mode, 0);
  fail_unless (red > 3.0, "limiter reduction reported %.2f dB", red);
  for (k = 0; k < n_gain; k++)
    fail_unless (fabs (gains[k] - lin) < 1e-9, "gain %.3f, want %.3f",
        gains[k], lin);
  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
  g_free (in);
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

/* The look-ahead is the latency at both ends of its range and after a
 * change while playing.  Linear mode at 0 dB (target = measured) on a
 * -30 dBFS programme: the limiter stays idle, so the output is the input.
 * Expected, for each look-ahead: the latency query reports what the
 * element holds back (input pushed minus output pulled before EOS, in
 * frames), 400 ms and 3000 ms exactly, the shortest (0.5 ms) at least
 * 0.5 ms and under 10 ms (the limiter's own latency); after EOS as many
 * frames as were pushed, equal to the input sample for sample.  Then a
 * change from 400 to 50 ms while playing: a latency message, the query
 * says 50 ms, and again every frame comes out once, unchanged. */
static void
check_lookahead (gdouble ms, gsize frames)
{
  GstHarness *h = gst_harness_new ("loudnorm");
  gfloat *in = programme (frames, -30.0, 11), *out = g_new0 (gfloat,
      frames * 2);
  gdouble mi = lib_integrated (in, frames);
  GstClockTime lat;
  gsize count = 0, held, i;

  gst_util_set_object_arg (G_OBJECT (h->element), "mode", "linear");
  g_object_set (h->element, "lookahead", ms, "target", mi,
      "measured-integrated", mi, NULL);
  gst_harness_set_src_caps_str (h, CAPS_F32);
  push_all (h, in, frames, 0);
  lat = gst_harness_query_latency (h);
  pull_all (h, out, frames, &count);
  held = frames - count;
  fail_unless_equals_uint64 (lat,
      gst_util_uint64_scale_int_round (held, GST_SECOND, RATE));
  if (ms >= 1.0) {
    fail_unless_equals_uint64 (held, (guint64) (ms * RATE / 1000.0 + 0.5));
  } else {
    fail_unless (held >= RATE / 2000 && held < RATE / 100, "shortest "
        "look-ahead holds %" G_GSIZE_FORMAT " frames", held);
  }
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  pull_all (h, out, frames, &count);
  fail_unless_equals_int (count, frames);
  for (i = 0; i < frames * 2; i++)
    fail_unless (out[i] == in[i], "lookahead %.1f ms: sample %"
        G_GSIZE_FORMAT " %g, input %g", ms, i, out[i], in[i]);
  gst_harness_teardown (h);
  g_free (in);
  g_free (out);
}

GST_START_TEST (test_lookahead_latency)
{
  GstHarness *h;
  GstBus *bus;
  GstMessage *m;
  gsize frames = 8 * RATE, count = 0, i;
  gfloat *in, *out;
  gdouble mi;

  check_lookahead (0.5, 2 * RATE);
  check_lookahead (400.0, 2 * RATE);
  check_lookahead (3000.0, 5 * RATE);

  /* a change while playing */
  h = gst_harness_new ("loudnorm");
  bus = gst_bus_new ();
  in = programme (frames, -30.0, 12);
  out = g_new0 (gfloat, frames * 2);
  mi = lib_integrated (in, frames);
  gst_element_set_bus (h->element, bus);
  gst_util_set_object_arg (G_OBJECT (h->element), "mode", "linear");
  g_object_set (h->element, "target", mi, "measured-integrated", mi, NULL);
  gst_harness_set_src_caps_str (h, CAPS_F32);
  push_all (h, in, frames / 2, 0);
  fail_unless_equals_uint64 (gst_harness_query_latency (h),
      400 * GST_MSECOND);
  g_object_set (h->element, "lookahead", 50.0, NULL);
  push_all (h, in + frames, frames / 2, frames / 2);
  fail_unless_equals_uint64 (gst_harness_query_latency (h),
      50 * GST_MSECOND);
  m = gst_bus_pop_filtered (bus, GST_MESSAGE_LATENCY);
  fail_unless (m != NULL, "no latency message after the change");
  gst_message_unref (m);
  pull_all (h, out, frames, &count);
  fail_unless_equals_int (count, frames - 50 * RATE / 1000);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  pull_all (h, out, frames, &count);
  fail_unless_equals_int (count, frames);
  for (i = 0; i < frames * 2; i++)
    fail_unless (out[i] == in[i], "after the change: sample %"
        G_GSIZE_FORMAT " %g, input %g", i, out[i], in[i]);
  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
  g_free (in);
  g_free (out);
}

GST_END_TEST;

/* The level properties are controllable (GstController): target, ceiling,
 * loudness-range, max-gain, min-gain and gain-slew carry the flag, and an
 * automation of `target` (absolute direct binding, -30 LUFS for the
 * first 15 s, -18 LUFS from then on, step interpolation) is followed:
 * the output's integrated loudness (libebur128) over 8-15 s is within
 * 1 LU of -30 and over 23-30 s within 1 LU of -18 (the speech preset's
 * leveling speed, so that 8 s are enough to settle). */
GST_START_TEST (test_controllable)
{
  static const gchar *names[] = { "target", "ceiling", "loudness-range",
    "max-gain", "min-gain", "gain-slew", NULL
  };
  GstHarness *h = gst_harness_new ("loudnorm");
  gsize frames = 30 * RATE, count = 0;
  gfloat *in = programme (frames, -30.0, 13), *out = g_new0 (gfloat,
      frames * 2);
  GstControlSource *cs = gst_interpolation_control_source_new ();
  const gchar **n;
  gdouble a, b;

  for (n = names; *n; n++) {
    GParamSpec *ps = g_object_class_find_property (G_OBJECT_GET_CLASS
        (h->element), *n);

    fail_unless (ps && (ps->flags & GST_PARAM_CONTROLLABLE), "%s is not "
        "controllable", *n);
  }
  gst_util_set_object_arg (G_OBJECT (h->element), "preset", "podcast");
  g_object_set (cs, "mode", GST_INTERPOLATION_MODE_NONE, NULL);
  gst_timed_value_control_source_set (GST_TIMED_VALUE_CONTROL_SOURCE (cs),
      0, -30.0);
  gst_timed_value_control_source_set (GST_TIMED_VALUE_CONTROL_SOURCE (cs),
      15 * GST_SECOND, -18.0);
  fail_unless (gst_object_add_control_binding (GST_OBJECT (h->element),
          gst_direct_control_binding_new_absolute (GST_OBJECT (h->element),
              "target", cs)));
  gst_harness_set_src_caps_str (h, CAPS_F32);
  push_all (h, in, frames, 0);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  pull_all (h, out, frames, &count);
  fail_unless_equals_int (count, frames);
  a = lib_integrated (out + 2 * 8 * RATE, 7 * RATE);
  b = lib_integrated (out + 2 * 23 * RATE, 7 * RATE);
  fail_unless (fabs (a + 30.0) < 1.0, "target -30: output %.2f LUFS", a);
  fail_unless (fabs (b + 18.0) < 1.0, "target -18: output %.2f LUFS", b);
  gst_object_unref (cs);
  gst_harness_teardown (h);
  g_free (in);
  g_free (out);
}

GST_END_TEST;

/* `interval` sets the message period: 500 ms over 10 s gives 20 messages
 * and the final one; their timestamps follow each other without a gap
 * (timestamp + duration = next timestamp), the durations are 500 ms, and
 * the final message carries final=TRUE and comes last. */
GST_START_TEST (test_interval)
{
  GstHarness *h = gst_harness_new ("loudnorm");
  GstBus *bus = gst_bus_new ();
  gsize frames = 10 * RATE, count = 0;
  gfloat *in = programme (frames, -30.0, 14);
  GstMessage *m;
  guint n = 0, n_final = 0;
  guint64 next = 0;

  gst_element_set_bus (h->element, bus);
  g_object_set (h->element, "interval", (guint64) 500 * GST_MSECOND, NULL);
  gst_harness_set_src_caps_str (h, CAPS_F32);
  push_all (h, in, frames, 0);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  pull_all (h, NULL, 0, &count);
  while ((m = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT))) {
    const GstStructure *s = gst_message_get_structure (m);
    guint64 ts = 0, dur = 0;
    gboolean final = FALSE;

    if (gst_structure_has_name (s, "loudnorm")) {
      fail_unless_equals_int (n_final, 0);      /* the final one is last */
      fail_unless (gst_structure_get_uint64 (s, "timestamp", &ts));
      fail_unless (gst_structure_get_uint64 (s, "duration", &dur));
      fail_unless (gst_structure_get_boolean (s, "final", &final));
      if (final) {
        n_final++;
      } else {
        fail_unless_equals_uint64 (ts, next);
        fail_unless_equals_uint64 (dur, 500 * GST_MSECOND);
        next = ts + dur;
        n++;
      }
    }
    gst_message_unref (m);
  }
  fail_unless_equals_int (n, 20);
  fail_unless_equals_int (n_final, 1);
  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
  g_free (in);
}

GST_END_TEST;

/* Non-finite property values (NaN, +-infinity) are refused with a warning
 * and the previous value kept. */
GST_START_TEST (test_non_finite_properties)
{
  GstElement *e = gst_element_factory_make ("loudnorm", NULL);

  fail_unless (e != NULL);
  fail_unless (mst_check_non_finite_properties (e) >= 6);
  gst_object_unref (e);
}

GST_END_TEST;

/* 5.1 (channel-mask 0x3f: L R C LFE Ls Rs): the loudness is weighted as
 * BS.1770-4 says (surrounds 1.41, LFE not measured), as libebur128's
 * default 5.1 map does.  Noise at -30 dBFS RMS in L, R, C, -24 in Ls,
 * Rs and a loud LFE (-10): the final message's input-integrated within
 * 0.01 LU of libebur128's reading of the input (the LFE alone would add
 * over 5 LU, equal weights 1 dB; the drain's silence counted as input
 * 0.07 LU), the output the same number of frames. */
GST_START_TEST (test_surround_weights)
{
  static const gdouble level[6] = { -30, -30, -30, -10, -24, -24 };
  GstHarness *h = gst_harness_new ("loudnorm");
  GstBus *bus = gst_bus_new ();
  gsize frames = 10 * RATE, i, n = 0;
  gfloat *x = g_new (gfloat, frames * 6);
  guint32 seed = 21;
  ebur128_state *st = ebur128_init (6, RATE, EBUR128_MODE_I);
  gdouble lib;
  GstBuffer *b;
  GstStructure *last;
  guint n_msg = 0;
  gboolean fin = FALSE;
  gint c;

  for (i = 0; i < frames; i++)
    for (c = 0; c < 6; c++) {
      seed = seed * 1664525u + 1013904223u;
      x[6 * i + c] = (gfloat) (pow (10.0, level[c] / 20.0) * 1.7 *
          ((seed >> 8) / 8388608.0 - 1.0));
    }
  ebur128_add_frames_float (st, x, frames);
  ebur128_loudness_global (st, &lib);
  ebur128_destroy (&st);

  gst_element_set_bus (h->element, bus);
  gst_harness_set_src_caps_str (h, "audio/x-raw, format=" GST_AUDIO_NE (F32)
      ", layout=interleaved, rate=48000, channels=6, "
      "channel-mask=(bitmask)0x3f");
  b = gst_buffer_new_wrapped (x, frames * 6 * sizeof (gfloat));
  GST_BUFFER_PTS (b) = 0;
  fail_unless_equals_int (gst_harness_push (h, b), GST_FLOW_OK);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  while ((b = gst_harness_try_pull (h))) {
    n += gst_buffer_get_size (b) / (6 * sizeof (gfloat));
    gst_buffer_unref (b);
  }
  fail_unless_equals_int (n, frames);
  last = collect (bus, &n_msg, &fin);
  fail_unless (fin);
  fail_unless (fabs (get_d (last, "input-integrated") - lib) < 0.01,
      "5.1 input-integrated %.3f, libebur128 %.3f",
      get_d (last, "input-integrated"), lib);
  gst_structure_free (last);
  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
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
  tcase_add_test (tc, test_non_finite_properties);
  tcase_add_test (tc, test_stream);
  tcase_add_test (tc, test_linear);
  tcase_add_test (tc, test_linear_pushed);
  tcase_add_test (tc, test_mode_switch);
  tcase_add_test (tc, test_reset_signal);
  tcase_add_test (tc, test_nonfinite_f64);
  tcase_add_test (tc, test_lookahead_latency);
  tcase_add_test (tc, test_controllable);
  tcase_add_test (tc, test_interval);
  tcase_add_test (tc, test_surround_weights);
  return s;
}

GST_CHECK_MAIN (loudnorm);
