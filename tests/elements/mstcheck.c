/* gst-mastering — helpers shared by the element tests (see mstcheck.h) */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>

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
