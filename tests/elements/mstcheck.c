/* gst-mastering — helpers shared by the element tests (see mstcheck.h) */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>
#include <math.h>
#include <string.h>

#include "mstcheck.h"
#include "dsp/util.h"

GstHarness *
mst_check_harness_new (const gchar * factory, const gchar * caps,
    GstBus ** bus)
{
  GstHarness *h = gst_harness_new (factory);

  if (bus) {
    *bus = gst_bus_new ();
    gst_element_set_bus (h->element, *bus);
  }
  if (caps)
    gst_harness_set_src_caps_str (h, caps);
  return h;
}

void
mst_check_harness_free (GstHarness * h, GstBus * bus)
{
  if (bus) {
    gst_element_set_bus (h->element, NULL);
    gst_object_unref (bus);
  }
  gst_harness_teardown (h);
}

GstClockTime
mst_check_frame_time (guint64 frame, gint rate)
{
  return gst_util_uint64_scale_int_round (frame, GST_SECOND, rate);
}

/* a within 1 ns of b */
static gboolean
within_1ns (GstClockTime a, GstClockTime b)
{
  return a + 1 >= b && a <= b + 1;
}

gsize
mst_check_pull_f32 (GstHarness * h, gint ch, gint rate, gfloat * out,
    gsize * count)
{
  GstBuffer *b;
  gsize got = 0;

  while ((b = gst_harness_try_pull (h))) {
    gsize n = gst_buffer_get_size (b) / (ch * sizeof (gfloat));
    GstClockTime t0 = mst_check_frame_time (*count, rate);
    GstClockTime t1 = mst_check_frame_time (*count + n, rate);

    fail_unless (within_1ns (GST_BUFFER_PTS (b), t0), "pts %" G_GUINT64_FORMAT
        ", want %" G_GUINT64_FORMAT, GST_BUFFER_PTS (b), t0);
    fail_unless (within_1ns (GST_BUFFER_PTS (b) + GST_BUFFER_DURATION (b),
            t1), "end %" G_GUINT64_FORMAT ", want %" G_GUINT64_FORMAT,
        GST_BUFFER_PTS (b) + GST_BUFFER_DURATION (b), t1);
    if (GST_BUFFER_OFFSET_IS_VALID (b)) {
      fail_unless_equals_uint64 (GST_BUFFER_OFFSET (b), *count);
      fail_unless_equals_uint64 (GST_BUFFER_OFFSET_END (b), *count + n);
    }
    fail_if (GST_BUFFER_DTS_IS_VALID (b));
    fail_if (GST_BUFFER_FLAG_IS_SET (b, GST_BUFFER_FLAG_GAP));
    if (out)
      gst_buffer_extract (b, 0, out + *count * ch, n * ch * sizeof (gfloat));
    *count += n;
    got += n;
    gst_buffer_unref (b);
  }
  return got;
}

void
mst_check_push_f32 (GstHarness * h, const gfloat * x, gsize frames, gint ch,
    gint rate, gsize block, guint64 first_frame)
{
  gsize pos = 0;

  while (pos < frames) {
    gsize m = MIN (block, frames - pos);
    GstBuffer *b = gst_buffer_new_allocate (NULL, m * ch * sizeof (gfloat),
        NULL);

    gst_buffer_fill (b, 0, x + pos * ch, m * ch * sizeof (gfloat));
    GST_BUFFER_PTS (b) = mst_check_frame_time (first_frame + pos, rate);
    GST_BUFFER_DURATION (b) = mst_check_frame_time (first_frame + pos + m,
        rate) - GST_BUFFER_PTS (b);
    fail_unless_equals_int (gst_harness_push (h, b), GST_FLOW_OK);
    pos += m;
  }
}

GList *
mst_check_collect_messages (GstBus * bus, const gchar * name)
{
  GList *l = NULL;
  GstMessage *m;

  while ((m = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT))) {
    const GstStructure *s = gst_message_get_structure (m);

    if (s && gst_structure_has_name (s, name))
      l = g_list_append (l, gst_structure_copy (s));
    gst_message_unref (m);
  }
  return l;
}

GstClockTime
mst_check_query_latency (GstHarness * h)
{
  GstClockTime min = 0, max = 0;
  gboolean live = FALSE;
  GstQuery *q = gst_query_new_latency ();

  fail_unless (gst_pad_peer_query (h->sinkpad, q));
  gst_query_parse_latency (q, &live, &min, &max);
  gst_query_unref (q);
  return min;
}

static gboolean
accepts (GstHarness * h, const gchar * format, gint rate, gint channels)
{
  gchar *str = g_strdup_printf ("audio/x-raw,format=%s,layout=interleaved,"
      "rate=%d,channels=%d,channel-mask=(bitmask)0", format, rate, channels);
  GstCaps *caps = gst_caps_from_string (str);
  gboolean ok = gst_pad_query_accept_caps (h->srcpad->peer, caps);

  GST_DEBUG ("%s: %s", str, ok ? "accepted" : "refused");
  gst_caps_unref (caps);
  g_free (str);
  return ok;
}

void
mst_check_caps_limits (const gchar * factory, const gchar * format)
{
  GstHarness *h = gst_harness_new (factory);

  fail_unless (accepts (h, format, MST_RATE_MIN, MST_MAX_CHANNELS));
  fail_unless (accepts (h, format, MST_RATE_MAX, MST_MAX_CHANNELS));
  fail_unless (accepts (h, format, MST_RATE_MAX, 1));
  fail_if (accepts (h, format, MST_RATE_MIN - 1, 1));
  fail_if (accepts (h, format, MST_RATE_MAX + 1, 1));
  fail_if (accepts (h, format, MST_RATE_MAX, MST_MAX_CHANNELS + 1));
  gst_harness_teardown (h);
}

/* ---- non-finite property values ---------------------------------------- */

static guint rejections;

static void
count_rejections (GstDebugCategory * category, GstDebugLevel level,
    const gchar * file, const gchar * function, gint line, GObject * object,
    GstDebugMessage * message, gpointer user_data)
{
  const gchar *text = gst_debug_message_get (message);

  if (level == GST_LEVEL_WARNING && text
      && strstr (text, "rejected, keeping the previous value"))
    rejections++;
}

static guint
check_object_non_finite (GObject * obj, const gchar * owner)
{
  static const gdouble bad[] = { NAN, INFINITY, -INFINITY };
  GObjectClass *klass = G_OBJECT_GET_CLASS (obj);
  GParamSpec **ps;
  guint n_ps, i, j, checked = 0;

  ps = g_object_class_list_properties (klass, &n_ps);
  for (i = 0; i < n_ps; i++) {
    GParamSpecDouble *d;

    if (ps[i]->value_type != G_TYPE_DOUBLE || !(ps[i]->flags &
            G_PARAM_WRITABLE) || (ps[i]->flags & G_PARAM_CONSTRUCT_ONLY)
        || ps[i]->owner_type != G_OBJECT_TYPE (obj))
      continue;
    d = G_PARAM_SPEC_DOUBLE (ps[i]);
    for (j = 0; j < G_N_ELEMENTS (bad); j++) {
      GValue v = G_VALUE_INIT, before = G_VALUE_INIT, after = G_VALUE_INIT;
      guint r0 = rejections;

      /* a range that includes the infinity (a compressor's ratio) */
      if ((bad[j] > 0 && d->maximum == INFINITY) ||
          (bad[j] < 0 && d->minimum == -INFINITY))
        continue;
      g_value_init (&v, G_TYPE_DOUBLE);
      g_value_init (&before, G_TYPE_DOUBLE);
      g_value_init (&after, G_TYPE_DOUBLE);
      g_object_get_property (obj, ps[i]->name, &before);
      g_value_set_double (&v, bad[j]);
      klass->set_property (obj, ps[i]->param_id, &v, ps[i]);
      g_object_get_property (obj, ps[i]->name, &after);
      fail_unless (g_value_get_double (&after) == g_value_get_double
          (&before), "%s::%s: %f after setting %f (was %f)", owner,
          ps[i]->name, g_value_get_double (&after), bad[j],
          g_value_get_double (&before));
      fail_unless_equals_int (rejections, r0 + 1);
      g_value_unset (&v);
      g_value_unset (&before);
      g_value_unset (&after);
    }
    checked++;
  }
  g_free (ps);
  return checked;
}

guint
mst_check_non_finite_properties (GstElement * element)
{
  GstDebugLevel level = gst_debug_get_default_threshold ();
  gboolean active = gst_debug_is_active ();
  guint checked, n, i;

  gst_debug_set_active (TRUE);
  gst_debug_set_default_threshold (GST_LEVEL_WARNING);
  gst_debug_remove_log_function (gst_debug_log_default);
  gst_debug_add_log_function (count_rejections, NULL, NULL);
  checked = check_object_non_finite (G_OBJECT (element),
      GST_OBJECT_NAME (element));
  n = GST_IS_CHILD_PROXY (element) ?
      gst_child_proxy_get_children_count (GST_CHILD_PROXY (element)) : 0;
  for (i = 0; i < n; i++) {
    GObject *child = gst_child_proxy_get_child_by_index (GST_CHILD_PROXY
        (element), i);

    checked += check_object_non_finite (child, GST_OBJECT_NAME (element));
    g_object_unref (child);
  }
  gst_debug_remove_log_function (count_rejections);
  gst_debug_add_log_function (gst_debug_log_default, NULL, NULL);
  gst_debug_set_default_threshold (level);
  gst_debug_set_active (active);
  return checked;
}
