/* gst-mastering — GstCheck/GstHarness tests for the mseq element
 *
 * Expectations:
 * - a band's gain on the signal it is placed on equals the analog
 *   prototype's magnitude (R. Bristow-Johnson, "Audio EQ Cookbook":
 *   s-domain bell; Butterworth high-pass |H| = 1 / sqrt (1 + (fc/f)^2N)),
 *   measured with sines; the other signal (M or S) is unchanged
 *   (<= -120 dBFS difference): M = (L + R) / 2, S = (L - R) / 2;
 * - mono input is the mid; the pad templates say 1 or 2 channels, and
 *   caps with more pushed anyway are refused with a message that says so;
 * - latency 0: nothing before an impulse, output at its frame;
 * - all bands flat or off: output bit-identical to the input;
 * - a gain automated from -12 to +12 dB over 10 ms on a sine: no
 *   sample-to-sample step larger than 1.01 x the largest step of the
 *   static +12 dB output;
 * - NaN/Inf input: never in the output, the rest processed as if they
 *   were 0; presets found through GST_PRESET_PATH; launch-line syntax.
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
#include "mstcheck.h"

#define RATE 48000
#define CAPS_F32(ch) "audio/x-raw, format=" GST_AUDIO_NE (F32) \
    ", layout=interleaved, rate=48000, channels=" #ch
#define CAPS_F64(ch) "audio/x-raw, format=" GST_AUDIO_NE (F64) \
    ", layout=interleaved, rate=48000, channels=" #ch
#define BLOCK 1024

/* ---- helpers ------------------------------------------------------------ */

static GstHarness *
mseq_new (const gchar * caps)
{
  GstHarness *h = gst_harness_new ("mseq");

  gst_harness_set_src_caps_str (h, caps);
  return h;
}

/* Pushes n frames of ch channels (F64 if f64, else F32 from the doubles)
 * in BLOCK-frame timestamped buffers; out gets the output as doubles. */
static void
run (GstHarness * h, gboolean f64, guint ch, const gdouble * in,
    gdouble * out, gsize n, gsize * pos)
{
  gsize done = 0, bps = f64 ? 8 : 4;

  while (done < n) {
    gsize m = MIN (BLOCK, n - done), i;
    GstBuffer *b = gst_buffer_new_allocate (NULL, m * ch * bps, NULL);
    GstMapInfo map;

    gst_buffer_map (b, &map, GST_MAP_WRITE);
    for (i = 0; i < m * ch; i++) {
      if (f64)
        ((gdouble *) map.data)[i] = in[done * ch + i];
      else
        ((gfloat *) map.data)[i] = (gfloat) in[done * ch + i];
    }
    gst_buffer_unmap (b, &map);
    GST_BUFFER_PTS (b) = gst_util_uint64_scale_int (*pos + done, GST_SECOND,
        RATE);
    GST_BUFFER_DURATION (b) = gst_util_uint64_scale_int (m, GST_SECOND,
        RATE);
    fail_unless_equals_int (gst_harness_push (h, b), GST_FLOW_OK);
    b = gst_harness_pull (h);
    gst_buffer_map (b, &map, GST_MAP_READ);
    fail_unless_equals_int (map.size, m * ch * bps);
    for (i = 0; i < m * ch; i++)
      out[done * ch + i] = f64 ? ((gdouble *) map.data)[i]
          : ((gfloat *) map.data)[i];
    gst_buffer_unmap (b, &map);
    gst_buffer_unref (b);
    done += m;
  }
  *pos += n;
}

/* Amplitude of the component at f in x[from..n) (stride, offset), by
 * correlation with sine and cosine. */
static gdouble
amplitude (const gdouble * x, gsize stride, gsize from, gsize n, gdouble f)
{
  gdouble s = 0, c = 0;
  gsize i;

  for (i = from; i < n; i++) {
    s += x[i * stride] * sin (2 * G_PI * f * i / RATE);
    c += x[i * stride] * cos (2 * G_PI * f * i / RATE);
  }
  return 2 * sqrt (s * s + c * c) / (n - from);
}

/* Analog bell (RBJ cookbook s-domain form) at f. */
static gdouble
analog_bell (gdouble f, gdouble f0, gdouble gain_db, gdouble q)
{
  gdouble a = pow (10, gain_db / 40), w = f / f0;
  gdouble nr = 1 - w * w, ni = w * a / q, dr = 1 - w * w, di = w / (a * q);
  return sqrt ((nr * nr + ni * ni) / (dr * dr + di * di));
}

/* Analog high shelf (RBJ cookbook s-domain form) at f. */
static gdouble
analog_high_shelf (gdouble f, gdouble f0, gdouble gain_db, gdouble q)
{
  gdouble a = pow (10, gain_db / 40), w = f / f0, sa = sqrt (a);
  gdouble nr = a * (1 - a * w * w), ni = a * w * sa / q;
  gdouble dr = a - w * w, di = w * sa / q;
  return sqrt ((nr * nr + ni * ni) / (dr * dr + di * di));
}

/* Analog Butterworth high-pass of order `order` at f. */
static gdouble
analog_butter_hp (gdouble f, gdouble fc, gint order)
{
  return 1.0 / sqrt (1.0 + pow (fc / f, 2.0 * order));
}

/* L/R interleaved from M and S signals. */
static void
from_ms (gdouble * lr, const gdouble * m, const gdouble * s, gsize n)
{
  gsize i;

  for (i = 0; i < n; i++) {
    lr[2 * i] = m[i] + s[i];
    lr[2 * i + 1] = m[i] - s[i];
  }
}

static void
to_ms (const gdouble * lr, gdouble * m, gdouble * s, gsize n)
{
  gsize i;

  for (i = 0; i < n; i++) {
    m[i] = 0.5 * (lr[2 * i] + lr[2 * i + 1]);
    s[i] = 0.5 * (lr[2 * i] - lr[2 * i + 1]);
  }
}

static gdouble
max_diff (const gdouble * a, const gdouble * b, gsize n)
{
  gdouble d = 0;
  gsize i;

  for (i = 0; i < n; i++)
    d = MAX (d, fabs (a[i] - b[i]));
  return d;
}

static void
set_band (GstHarness * h, guint band, const gchar * type, gdouble freq,
    gdouble gain, gdouble q, const gchar * channel)
{
  gchar *p = g_strdup_printf ("band%u", band);
  GObject *b = gst_child_proxy_get_child_by_name (GST_CHILD_PROXY
      (h->element), p);

  fail_unless (b != NULL);
  gst_util_set_object_arg (b, "type", type);
  gst_util_set_object_arg (b, "channel", channel);
  g_object_set (b, "freq", freq, "gain", gain, "q", q, NULL);
  g_object_unref (b);
  g_free (p);
}

/* ---- tests -------------------------------------------------------------- */

/* A mid bell (+6 dB at 1 kHz, Q 1) scales M as the analog bell at 1, 3
 * and 12 kHz; S (a 1 kHz sine: the bell's centre) is unchanged. */
GST_START_TEST (test_mid_bell)
{
  static const gdouble fm[] = { 1000, 3000, 12000 };
  const gsize n = RATE;
  gdouble *m = g_new (gdouble, n), *s = g_new (gdouble, n);
  gdouble *lr = g_new (gdouble, 2 * n), *out = g_new (gdouble, 2 * n);
  gdouble *m2 = g_new (gdouble, n), *s2 = g_new (gdouble, n);
  guint k;

  for (k = 0; k < G_N_ELEMENTS (fm); k++) {
    GstHarness *h = mseq_new (CAPS_F64 (2));
    gsize i, pos = 0;
    gdouble g, want;

    g_object_set (h->element, "num-bands", 1, NULL);
    set_band (h, 0, "bell", 1000, 6, 1, "mid");
    for (i = 0; i < n; i++) {
      m[i] = 0.3 * sin (2 * G_PI * fm[k] * i / RATE);
      s[i] = 0.2 * sin (2 * G_PI * 1000 * i / RATE + 0.3);
    }
    from_ms (lr, m, s, n);
    run (h, TRUE, 2, lr, out, n, &pos);
    to_ms (out, m2, s2, n);
    g = amplitude (m2, 1, n / 2, n, fm[k]) / 0.3;
    want = analog_bell (fm[k], 1000, 6, 1);
    GST_INFO ("mid %g Hz: %f dB, analog %f dB", fm[k], 20 * log10 (g),
        20 * log10 (want));
    fail_unless (fabs (20 * log10 (g / want)) < 0.1,
        "mid at %g Hz: %f dB, analog bell %f dB", fm[k], 20 * log10 (g),
        20 * log10 (want));
    fail_unless (max_diff (s, s2, n) < 1e-6, "side changed by %g",
        max_diff (s, s2, n));
    gst_harness_teardown (h);
  }
  g_free (m);
  g_free (s);
  g_free (lr);
  g_free (out);
  g_free (m2);
  g_free (s2);
}

GST_END_TEST;

/* A side high-pass (120 Hz, 24 dB/oct) takes the lows out of S as the
 * 4th-order analog Butterworth does (linear magnitude in the stopband),
 * keeps S at 2 kHz and leaves M alone. */
GST_START_TEST (test_side_high_pass)
{
  const gsize n = 2 * RATE;
  gdouble *m = g_new (gdouble, n), *s = g_new (gdouble, n);
  gdouble *lr = g_new (gdouble, 2 * n), *out = g_new (gdouble, 2 * n);
  gdouble *m2 = g_new (gdouble, n), *s2 = g_new (gdouble, n);
  GstHarness *h = gst_harness_new_parse ("mseq num-bands=1 "
      "band0::type=high-pass band0::freq=120 band0::slope=24 "
      "band0::channel=side");
  gsize i, pos = 0;
  gdouble lo, hi, want;

  gst_harness_set_src_caps_str (h, CAPS_F64 (2));
  for (i = 0; i < n; i++) {
    m[i] = 0.3 * sin (2 * G_PI * 50 * i / RATE);
    s[i] = 0.2 * sin (2 * G_PI * 50 * i / RATE) + 0.1 * sin (2 * G_PI * 2000
        * i / RATE);
  }
  from_ms (lr, m, s, n);
  run (h, TRUE, 2, lr, out, n, &pos);
  to_ms (out, m2, s2, n);
  lo = amplitude (s2, 1, n / 2, n, 50) / 0.2;
  hi = amplitude (s2, 1, n / 2, n, 2000) / 0.1;
  want = analog_butter_hp (50, 120, 4);
  fail_unless (fabs (lo - want) < 0.002, "side 50 Hz: %f, analog %f", lo,
      want);
  fail_unless (fabs (20 * log10 (hi / analog_butter_hp (2000, 120, 4))) <
      0.05, "side 2 kHz: %f dB", 20 * log10 (hi));
  fail_unless (max_diff (m, m2, n) < 1e-6, "mid changed by %g",
      max_diff (m, m2, n));
  gst_harness_teardown (h);
  g_free (m);
  g_free (s);
  g_free (lr);
  g_free (out);
  g_free (m2);
  g_free (s2);
}

GST_END_TEST;

/* A side-only band leaves a mono (L = R) signal unchanged; a mid-only
 * band an anti-phase (L = -R) one (<= -120 dBFS difference). */
GST_START_TEST (test_mono_and_antiphase)
{
  const gsize n = RATE / 2;
  gdouble *lr = g_new (gdouble, 2 * n), *out = g_new (gdouble, 2 * n);
  /* seeded: the same noise on every run, so a failure can be replayed */
  GRand *rng = g_rand_new_with_seed (1);
  guint pass;

  for (pass = 0; pass < 2; pass++) {
    GstHarness *h = mseq_new (CAPS_F64 (2));
    gsize i, pos = 0;
    gdouble d;

    g_object_set (h->element, "num-bands", 2, NULL);
    set_band (h, 0, "bell", 1000, 12, 0.7, pass ? "mid" : "side");
    set_band (h, 1, "low-shelf", 200, -9, 0.7, pass ? "mid" : "side");
    for (i = 0; i < n; i++) {
      gdouble v = 0.4 * sin (2 * G_PI * 997 * i / RATE)
          + 0.2 * sin (2 * G_PI * 110 * i / RATE)
          + 0.1 * g_rand_double (rng);
      lr[2 * i] = v;
      lr[2 * i + 1] = pass ? -v : v;
    }
    run (h, TRUE, 2, lr, out, n, &pos);
    d = max_diff (lr, out, 2 * n);
    fail_unless (d <= 1e-6, "%s band changed a %s signal by %g",
        pass ? "mid" : "side", pass ? "anti-phase" : "mono", d);
    gst_harness_teardown (h);
  }
  g_rand_free (rng);
  g_free (lr);
  g_free (out);
}

GST_END_TEST;

/* Mono input is the mid: a mid bell applies (analog gain), a side band
 * and the side gain do nothing (bit-exact). */
GST_START_TEST (test_mono_input)
{
  const gsize n = RATE;
  gdouble *x = g_new (gdouble, n), *y = g_new (gdouble, n);
  GstHarness *h = mseq_new (CAPS_F32 (1));
  gsize i, pos = 0;
  gdouble g, want;

  g_object_set (h->element, "num-bands", 1, "side-gain", 6.0, NULL);
  set_band (h, 0, "bell", 2000, 6, 2, "side");
  for (i = 0; i < n; i++)
    x[i] = (gfloat) (0.5 * sin (2 * G_PI * 2000 * i / RATE));
  run (h, FALSE, 1, x, y, n, &pos);
  fail_unless (max_diff (x, y, n) == 0.0, "side band changed mono input");
  gst_harness_teardown (h);

  h = mseq_new (CAPS_F32 (1));
  pos = 0;
  g_object_set (h->element, "num-bands", 1, NULL);
  set_band (h, 0, "bell", 2000, 6, 2, "mid");
  run (h, FALSE, 1, x, y, n, &pos);
  g = amplitude (y, 1, n / 2, n, 2000) / 0.5;
  want = analog_bell (2000, 2000, 6, 2);
  fail_unless (fabs (20 * log10 (g / want)) < 0.01, "mono mid bell %f dB",
      20 * log10 (g));
  gst_harness_teardown (h);
  g_free (x);
  g_free (y);
}

GST_END_TEST;

/* Six channels: an error that says so. */
/* Latency 0: a band-pass (two sections) and a bell on an impulse at
 * frame 300 leave frames 0..299 exactly 0 and answer frame 300 at once;
 * the latency query adds nothing. */
GST_START_TEST (test_latency_zero)
{
  const gsize n = 2048, at = 300;
  gdouble *x = g_new0 (gdouble, 2 * n), *y = g_new (gdouble, 2 * n);
  GstHarness *h = mseq_new (CAPS_F64 (2));
  gsize i, pos = 0;
  GstClockTime min_lat = 1, max_lat = 0;
  gboolean live = TRUE;
  GstQuery *q;

  g_object_set (h->element, "num-bands", 2, NULL);
  set_band (h, 0, "band-pass", 6000, 0, 2, "mid");
  set_band (h, 1, "bell", 200, 6, 1, "side");
  x[2 * at] = 1.0;
  x[2 * at + 1] = 0.5;
  run (h, TRUE, 2, x, y, n, &pos);
  for (i = 0; i < 2 * at; i++)
    fail_unless (y[i] == 0.0, "output before the impulse at %zu", i / 2);
  fail_unless (y[2 * at] != 0.0 && y[2 * at + 1] != 0.0,
      "no output at the impulse's frame");
  q = gst_query_new_latency ();
  fail_unless (gst_pad_peer_query (h->sinkpad, q));
  gst_query_parse_latency (q, &live, &min_lat, &max_lat);
  fail_unless_equals_uint64 (min_lat, 0);
  gst_query_unref (q);
  gst_harness_teardown (h);
  g_free (x);
  g_free (y);
}

GST_END_TEST;

GST_START_TEST (test_channels_refused)
{
  GstHarness *h = gst_harness_new ("mseq");
  GstBus *bus = gst_bus_new ();
  GstMessage *msg;
  GError *err = NULL;
  GstBuffer *b;

  /* the pad templates say what the element takes: 1 or 2 channels */
  {
    const gchar *pads[2] = { "sink", "src" };
    guint i;
    for (i = 0; i < 2; i++) {
      GstCaps *t = gst_pad_template_get_caps (gst_element_class_get_pad_template
          (GST_ELEMENT_GET_CLASS (h->element), pads[i]));
      GstCaps *one = gst_caps_from_string (CAPS_F32 (1));
      GstCaps *two = gst_caps_from_string (CAPS_F64 (2));
      GstCaps *three = gst_caps_from_string (CAPS_F32 (3));
      fail_unless (gst_caps_can_intersect (t, one)
          && gst_caps_can_intersect (t, two), "%s template refuses 1 or 2 "
          "channels", pads[i]);
      fail_if (gst_caps_can_intersect (t, three), "%s template offers 3 "
          "channels", pads[i]);
      gst_caps_unref (t);
      gst_caps_unref (one);
      gst_caps_unref (two);
      gst_caps_unref (three);
    }
  }
  gst_element_set_bus (h->element, bus);
  gst_harness_set_src_caps_str (h, CAPS_F32 (6) ", channel-mask=(bitmask)0x3f");
  b = gst_buffer_new_allocate (NULL, 6 * 4 * 64, NULL);
  gst_buffer_memset (b, 0, 0, 6 * 4 * 64);
  fail_unless (gst_harness_push (h, b) == GST_FLOW_NOT_NEGOTIATED);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (msg != NULL);
  gst_message_parse_error (msg, &err, NULL);
  fail_unless (strstr (err->message, "6 channels") != NULL, "message: %s",
      err->message);
  g_error_free (err);
  gst_message_unref (msg);
  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* Defaults (4 flat bells) and disabled bands with gain: bit-identical,
 * F32 and F64; and again once a band was switched off while playing. */
GST_START_TEST (test_identity)
{
  const gsize n = RATE / 2;
  gdouble *x = g_new (gdouble, 2 * n), *y = g_new (gdouble, 2 * n);
  /* seeded: the same values on every run, so a failure can be replayed */
  GRand *rng = g_rand_new_with_seed (2);
  gsize i;
  guint f64;

  for (f64 = 0; f64 < 2; f64++) {
    GstHarness *h = mseq_new (f64 ? CAPS_F64 (2) : CAPS_F32 (2));
    GObject *b0;
    gsize pos = 0;

    /* F64: full-precision values, for which (L + R) / 2 + (L - R) / 2 is
     * not always L: only a true bypass is bit-exact */
    for (i = 0; i < 2 * n; i++)
      x[i] = f64 ? g_rand_double_range (rng, -1, 1) :
          (gfloat) g_rand_double_range (rng, -1, 1);

    run (h, f64, 2, x, y, n, &pos);
    fail_unless (memcmp (x, y, 2 * n * sizeof (gdouble)) == 0,
        "defaults not bit-exact");
    set_band (h, 0, "high-shelf", 5000, 6, 0.7, "side");
    set_band (h, 1, "high-pass", 100, 0, 0.7, "left");
    run (h, f64, 2, x, y, n, &pos);
    fail_unless (max_diff (x, y, 2 * n) > 0.01, "bands had no effect");
    b0 = gst_child_proxy_get_child_by_name (GST_CHILD_PROXY (h->element),
        "band0");
    g_object_set (b0, "enabled", FALSE, NULL);
    g_object_unref (b0);
    b0 = gst_child_proxy_get_child_by_name (GST_CHILD_PROXY (h->element),
        "band1");
    g_object_set (b0, "enabled", FALSE, NULL);
    g_object_unref (b0);
    /* the 10 ms ramp and the filter tails */
    run (h, f64, 2, x, y, n, &pos);
    run (h, f64, 2, x, y, n, &pos);
    fail_unless (memcmp (x, y, 2 * n * sizeof (gdouble)) == 0,
        "disabled bands not bit-exact (%g)", max_diff (x, y, 2 * n));
    gst_harness_teardown (h);
  }
  g_rand_free (rng);
  g_free (x);
  g_free (y);
}

GST_END_TEST;

static gdouble
max_step (const gdouble * y, gsize stride, gsize from, gsize n)
{
  gdouble m = 0;
  gsize i;

  for (i = from + 1; i < n; i++)
    m = MAX (m, fabs (y[i * stride] - y[(i - 1) * stride]));
  return m;
}

/* Band gain automated from -12 to +12 dB over 10 ms (linear control
 * source): a 2 kHz high shelf on a 6 kHz sine (where an abrupt
 * coefficient change clicks: the output jumps by more than the sine's
 * largest step).  No output step larger than 1.01 x the largest step of
 * the static +12 dB output; the level ends at the analog shelf's gain. */
GST_START_TEST (test_automation)
{
  const gsize n = RATE * 3 / 5;
  gdouble *x = g_new (gdouble, 2 * n), *y = g_new (gdouble, 2 * n);
  GstHarness *h;
  gsize i, pos = 0;
  gdouble steady, worst = 0, level, want;
  guint ph;

  for (i = 0; i < n; i++)
    x[2 * i] = x[2 * i + 1] = 0.2 * sin (2 * G_PI * 6000 * i / RATE);
  h = mseq_new (CAPS_F64 (2));
  g_object_set (h->element, "num-bands", 1, NULL);
  set_band (h, 0, "high-shelf", 2000, 12, 0.707, "stereo");
  run (h, TRUE, 2, x, y, n, &pos);
  steady = max_step (y, 2, n / 2, n);
  gst_harness_teardown (h);

  /* the sine's phase at the change matters: try eight */
  for (ph = 0; ph < 8; ph++) {
    GstControlSource *cs = gst_interpolation_control_source_new ();
    GstTimedValueControlSource *tv = GST_TIMED_VALUE_CONTROL_SOURCE (cs);
    GObject *band;
    gdouble moving;

    for (i = 0; i < n; i++)
      x[2 * i] = x[2 * i + 1] = 0.2 * sin (2 * G_PI * 6000 * i / RATE
          + ph * G_PI / 8);
    h = mseq_new (CAPS_F64 (2));
    pos = 0;
    g_object_set (h->element, "num-bands", 1, NULL);
    set_band (h, 0, "high-shelf", 2000, -12, 0.707, "stereo");
    band = gst_child_proxy_get_child_by_name (GST_CHILD_PROXY (h->element),
        "band0");
    g_object_set (cs, "mode", GST_INTERPOLATION_MODE_LINEAR, NULL);
    gst_timed_value_control_source_set (tv, 0, -12.0);
    gst_timed_value_control_source_set (tv, 300 * GST_MSECOND, -12.0);
    gst_timed_value_control_source_set (tv, 310 * GST_MSECOND, 12.0);
    gst_object_add_control_binding (GST_OBJECT (band),
        gst_direct_control_binding_new_absolute (GST_OBJECT (band), "gain",
            cs));
    run (h, TRUE, 2, x, y, n, &pos);
    moving = max_step (y, 2, RATE / 10, n);
    worst = MAX (worst, moving);
    level = amplitude (y, 2, n - RATE / 10, n, 6000) / 0.2;
    want = analog_high_shelf (6000, 2000, 12, 0.707);
    fail_unless (fabs (20 * log10 (level / want)) < 0.05, "end level %f dB,"
        " analog %f dB", 20 * log10 (level), 20 * log10 (want));
    gst_object_unref (cs);
    g_object_unref (band);
    gst_harness_teardown (h);
  }
  GST_INFO ("automated step %f, static %f", worst, steady);
  fail_unless (worst <= 1.01 * steady, "automation step %f > 1.01 x %f",
      worst, steady);
  g_free (x);
  g_free (y);
}

GST_END_TEST;

/* output-gain under a step control source (0 dB, -20 dB from 105 ms),
 * 0.3 s of a 1 kHz sine in ONE buffer: the controller is synced every
 * 10 ms inside the buffer, so the change starts with the chunk at 110 ms
 * (10 ms ramp) and the output is at -20 dB from 120 ms on; before 110 ms
 * it is the input.  Synced once per buffer, the whole buffer would keep
 * 0 dB. */
GST_START_TEST (test_automation_per_chunk)
{
  const gsize n = RATE * 3 / 10, a = RATE * 110 / 1000, b = RATE * 120 / 1000;
  GstControlSource *cs = gst_interpolation_control_source_new ();
  GstTimedValueControlSource *tv = GST_TIMED_VALUE_CONTROL_SOURCE (cs);
  GstHarness *h = mseq_new (CAPS_F64 (2));
  GstBuffer *buf = gst_buffer_new_allocate (NULL, n * 2 * sizeof (gdouble),
      NULL);
  GstMapInfo map;
  gdouble *y, early = 0.0, late = 0.0, diff = 0.0;
  gsize i;

  g_object_set (cs, "mode", GST_INTERPOLATION_MODE_NONE, NULL);
  gst_timed_value_control_source_set (tv, 0, 0.0);
  gst_timed_value_control_source_set (tv, 105 * GST_MSECOND, -20.0);
  gst_object_add_control_binding (GST_OBJECT (h->element),
      gst_direct_control_binding_new_absolute (GST_OBJECT (h->element),
          "output-gain", cs));
  gst_buffer_map (buf, &map, GST_MAP_WRITE);
  y = (gdouble *) map.data;
  for (i = 0; i < 2 * n; i++)
    y[i] = 0.5 * sin (2 * G_PI * 1000.0 * (i / 2) / RATE);
  gst_buffer_unmap (buf, &map);
  GST_BUFFER_PTS (buf) = 0;
  GST_BUFFER_DURATION (buf) = gst_util_uint64_scale_int (n, GST_SECOND, RATE);
  fail_unless_equals_int (gst_harness_push (h, buf), GST_FLOW_OK);
  buf = gst_harness_pull (h);
  gst_buffer_map (buf, &map, GST_MAP_READ);
  fail_unless_equals_int (map.size, n * 2 * sizeof (gdouble));
  y = (gdouble *) map.data;
  for (i = 0; i < 2 * a; i++) {
    diff = MAX (diff, fabs (y[i] - 0.5 * sin (2 * G_PI * 1000.0 * (i / 2)
                / RATE)));
    early = MAX (early, fabs (y[i]));
  }
  for (i = 2 * b; i < 2 * n; i++)
    late = MAX (late, fabs (y[i]));
  gst_buffer_unmap (buf, &map);
  gst_buffer_unref (buf);
  fail_unless (diff < 1e-9 && fabs (early - 0.5) < 1e-3, "before 110 ms: "
      "peak %f, largest difference from the input %g", early, diff);
  fail_unless (fabs (20 * log10 (late / 0.5) + 20.0) < 0.01, "from 120 ms: "
      "%f dB, want -20", 20 * log10 (late / 0.5));
  gst_object_unref (cs);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* NaN and infinities: finite output, identical to the output for zeros
 * in their place; one warning. */
GST_START_TEST (test_non_finite)
{
  const gsize n = RATE / 4;
  gdouble *x = g_new (gdouble, 2 * n), *z = g_new (gdouble, 2 * n);
  gdouble *y = g_new (gdouble, 2 * n), *yz = g_new (gdouble, 2 * n);
  GstBus *bus = gst_bus_new ();
  GstMessage *msg;
  guint f64;

  for (f64 = 0; f64 < 2; f64++) {
    GstHarness *h = mseq_new (f64 ? CAPS_F64 (2) : CAPS_F32 (2));
    GstHarness *hz = mseq_new (f64 ? CAPS_F64 (2) : CAPS_F32 (2));
    gsize i, pos = 0, posz = 0;

    gst_element_set_bus (h->element, bus);
    for (i = 0; i < 2 * n; i++)
      x[i] = z[i] = (gfloat) (0.5 * sin (i * 0.01));
    x[1000] = NAN;
    x[1001] = INFINITY;
    x[5001] = -INFINITY;
    z[1000] = z[1001] = z[5001] = 0.0;
    g_object_set (h->element, "num-bands", 1, "side-gain", 3.0, NULL);
    g_object_set (hz->element, "num-bands", 1, "side-gain", 3.0, NULL);
    set_band (h, 0, "bell", 300, 9, 2, "mid");
    set_band (hz, 0, "bell", 300, 9, 2, "mid");
    run (h, f64, 2, x, y, n, &pos);
    run (hz, f64, 2, z, yz, n, &posz);
    for (i = 0; i < 2 * n; i++)
      fail_unless (isfinite (y[i]), "non-finite output at %zu", i);
    fail_unless (memcmp (y, yz, 2 * n * sizeof (gdouble)) == 0,
        "output differs from the zeros' output");
    msg = gst_bus_pop_filtered (bus, GST_MESSAGE_WARNING);
    fail_unless (msg != NULL);
    gst_message_unref (msg);
    gst_element_set_bus (h->element, NULL);
    gst_harness_teardown (h);
    gst_harness_teardown (hz);
  }
  gst_object_unref (bus);
  g_free (x);
  g_free (z);
  g_free (y);
  g_free (yz);
}

GST_END_TEST;

/* Mid, side and output gains: side-gain -60 dB makes the output mono,
 * mid-gain +6 dB doubles M, output-gain scales both. */
GST_START_TEST (test_gains)
{
  const gsize n = RATE / 4;
  gdouble *lr = g_new (gdouble, 2 * n), *out = g_new (gdouble, 2 * n);
  gdouble *m = g_new (gdouble, n), *s = g_new (gdouble, n);
  gdouble *m2 = g_new (gdouble, n), *s2 = g_new (gdouble, n);
  GstHarness *h = mseq_new (CAPS_F64 (2));
  gsize i, pos = 0, tail = n - RATE / 50;

  for (i = 0; i < n; i++) {
    m[i] = 0.3 * sin (i * 0.05);
    s[i] = 0.2 * sin (i * 0.13);
  }
  from_ms (lr, m, s, n);
  g_object_set (h->element, "side-gain", -60.0, "mid-gain", 6.0,
      "output-gain", -3.0, NULL);
  run (h, TRUE, 2, lr, out, n, &pos);
  to_ms (out, m2, s2, n);
  for (i = tail; i < n; i++) {
    fail_unless (s2[i] == 0.0, "side not silent: %g", s2[i]);
    fail_unless (fabs (m2[i] - m[i] * pow (10, 3.0 / 20)) < 1e-9);
  }
  gst_harness_teardown (h);
  g_free (lr);
  g_free (out);
  g_free (m);
  g_free (s);
  g_free (m2);
  g_free (s2);
}

GST_END_TEST;

/* The shipped presets are found (GST_PRESET_PATH points at them) and
 * load: mono-bass puts a 24 dB/oct high-pass at 120 Hz on the side. */
GST_START_TEST (test_presets)
{
  static const gchar *names[] = { "mono-bass", "de-mud", "de-harsh", "air",
    "wider"
  };
  GstElement *e = gst_element_factory_make ("mseq", NULL);
  gchar **list = gst_preset_get_preset_names (GST_PRESET (e));
  gchar *type = NULL, *channel = NULL;
  gdouble freq = 0, side = 0;
  guint i, nb = 0;
  gint slope = 0;

  fail_unless (list != NULL);
  for (i = 0; i < G_N_ELEMENTS (names); i++)
    fail_unless (g_strv_contains ((const gchar * const *) list, names[i]),
        "preset %s missing", names[i]);
  g_strfreev (list);
  for (i = 0; i < G_N_ELEMENTS (names); i++)
    fail_unless (gst_preset_load_preset (GST_PRESET (e), names[i]));
  fail_unless (gst_preset_load_preset (GST_PRESET (e), "wider"));
  g_object_get (e, "side-gain", &side, NULL);
  fail_unless_equals_float (side, 2.0);
  fail_unless (gst_preset_load_preset (GST_PRESET (e), "mono-bass"));
  g_object_get (e, "num-bands", &nb, "side-gain", &side, NULL);
  fail_unless_equals_int (nb, 1);
  fail_unless_equals_float (side, 0.0);
  {
    GObject *b = gst_child_proxy_get_child_by_name (GST_CHILD_PROXY (e),
        "band0");
    g_object_get (b, "freq", &freq, "slope", &slope, NULL);
    {
      GValue t = G_VALUE_INIT, c = G_VALUE_INIT;
      GParamSpec *pt = g_object_class_find_property (G_OBJECT_GET_CLASS (b),
          "type");
      GParamSpec *pc = g_object_class_find_property (G_OBJECT_GET_CLASS (b),
          "channel");
      g_value_init (&t, pt->value_type);
      g_value_init (&c, pc->value_type);
      g_object_get_property (b, "type", &t);
      g_object_get_property (b, "channel", &c);
      type = gst_value_serialize (&t);
      channel = gst_value_serialize (&c);
      g_value_unset (&t);
      g_value_unset (&c);
    }
    g_object_unref (b);
  }
  fail_unless_equals_string (type, "high-pass");
  fail_unless_equals_string (channel, "side");
  fail_unless_equals_float (freq, 120.0);
  fail_unless_equals_int (slope, 24);
  g_free (type);
  g_free (channel);
  gst_object_unref (e);
}

GST_END_TEST;

/* The launch-line syntax of the documentation sets child properties. */
GST_START_TEST (test_launch_line)
{
  GError *err = NULL;
  GstElement *p = gst_parse_launch ("fakesrc ! mseq name=eq num-bands=2 "
      "band0::type=high-pass band0::freq=120 band0::channel=side "
      "band1::freq=3500 band1::gain=-2 band1::channel=mid ! fakesink", &err);
  GstElement *eq;
  gdouble f0 = 0, f1 = 0, g1 = 0;
  guint nb = 0;

  fail_unless (p != NULL && err == NULL);
  eq = gst_bin_get_by_name (GST_BIN (p), "eq");
  gst_child_proxy_get (GST_CHILD_PROXY (eq), "num-bands", &nb, "band0::freq",
      &f0, "band1::freq", &f1, "band1::gain", &g1, NULL);
  fail_unless_equals_int (nb, 2);
  fail_unless_equals_float (f0, 120.0);
  fail_unless_equals_float (f1, 3500.0);
  fail_unless_equals_float (g1, -2.0);
  fail_unless_equals_int (gst_child_proxy_get_children_count (GST_CHILD_PROXY
          (eq)), 2);
  gst_object_unref (eq);
  gst_object_unref (p);
}

GST_END_TEST;

/* Non-finite property values are refused (GObject's range check, or
 * ours), the old value stays. */
GST_START_TEST (test_non_finite_property)
{
  GstElement *e = gst_element_factory_make ("mseq", NULL);
  gdouble g = 0;

  gst_child_proxy_set (GST_CHILD_PROXY (e), "band0::gain", 3.0, NULL);
  ASSERT_WARNING (gst_child_proxy_set (GST_CHILD_PROXY (e), "band0::gain",
          NAN, NULL));
  gst_child_proxy_get (GST_CHILD_PROXY (e), "band0::gain", &g, NULL);
  fail_unless_equals_float (g, 3.0);
  g_object_set (e, "side-gain", 2.0, NULL);
  ASSERT_WARNING (g_object_set (e, "side-gain", INFINITY, NULL));
  g_object_get (e, "side-gain", &g, NULL);
  fail_unless_equals_float (g, 2.0);
  gst_object_unref (e);
}

GST_END_TEST;

/* Non-finite property values (NaN, +-infinity) are refused with a warning
 * and the previous value kept, on the element and its bands. */
GST_START_TEST (test_non_finite_properties)
{
  GstElement *e = gst_element_factory_make ("mseq", NULL);

  fail_unless (e != NULL);
  fail_unless (mst_check_non_finite_properties (e) >= 6);
  gst_object_unref (e);
}

GST_END_TEST;

static Suite *
mseq_suite (void)
{
  Suite *s = suite_create ("mseq");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_mid_bell);
  tcase_add_test (tc, test_side_high_pass);
  tcase_add_test (tc, test_mono_and_antiphase);
  tcase_add_test (tc, test_mono_input);
  tcase_add_test (tc, test_channels_refused);
  tcase_add_test (tc, test_latency_zero);
  tcase_add_test (tc, test_identity);
  tcase_add_test (tc, test_automation);
  tcase_add_test (tc, test_automation_per_chunk);
  tcase_add_test (tc, test_non_finite_properties);
  tcase_add_test (tc, test_non_finite);
  tcase_add_test (tc, test_gains);
  tcase_add_test (tc, test_presets);
  tcase_add_test (tc, test_launch_line);
  tcase_add_test (tc, test_non_finite_property);
  return s;
}

GST_CHECK_MAIN (mseq);
