/* gst-mastering — helpers shared by the elements (see mstutils.h) */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <math.h>
#include "mstutils.h"

void
gst_mst_interval_init (GstMstInterval * iv, GstClockTime interval)
{
  iv->interval = interval;
  iv->post = TRUE;
  gst_mst_interval_reset (iv);
}

void
gst_mst_interval_reset (GstMstInterval * iv)
{
  iv->rate = 0;
  iv->frames_per_interval = 1;
  gst_mst_interval_restart (iv);
}

void
gst_mst_install_message_properties (GObjectClass * klass,
    guint prop_interval, guint prop_post_messages)
{
  g_object_class_install_property (klass, prop_interval,
      g_param_spec_uint64 ("interval", "Interval",
          "Interval between two messages, in nanoseconds (10 ms and up)",
          GST_MST_MIN_INTERVAL, G_MAXUINT64, GST_MST_DEFAULT_INTERVAL,
          G_PARAM_READWRITE | GST_PARAM_CONTROLLABLE |
          GST_PARAM_MUTABLE_PLAYING | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (klass, prop_post_messages,
      g_param_spec_boolean ("post-messages", "Post messages",
          "Post an element message (named after the element) every "
          "interval and at EOS", TRUE,
          G_PARAM_READWRITE | GST_PARAM_CONTROLLABLE |
          GST_PARAM_MUTABLE_PLAYING | G_PARAM_STATIC_STRINGS));
}

gboolean
gst_mst_message_property_set (GstMstInterval * iv, const GParamSpec * pspec,
    const GValue * value)
{
  if (g_str_equal (pspec->name, "interval"))
    gst_mst_interval_configure (iv, g_value_get_uint64 (value), iv->rate);
  else if (g_str_equal (pspec->name, "post-messages"))
    iv->post = g_value_get_boolean (value);
  else
    return FALSE;
  return TRUE;
}

gboolean
gst_mst_message_property_get (const GstMstInterval * iv,
    const GParamSpec * pspec, GValue * value)
{
  if (g_str_equal (pspec->name, "interval"))
    g_value_set_uint64 (value, iv->interval);
  else if (g_str_equal (pspec->name, "post-messages"))
    g_value_set_boolean (value, iv->post);
  else
    return FALSE;
  return TRUE;
}

void
gst_mst_interval_configure (GstMstInterval * iv, GstClockTime interval,
    gint rate)
{
  guint64 f;

  iv->interval = interval;
  if (rate != iv->rate)
    iv->anchor = GST_CLOCK_TIME_NONE;
  iv->rate = rate;
  if (rate <= 0)
    return;
  f = gst_util_uint64_scale_round (interval, rate, GST_SECOND);
  iv->frames_per_interval = MAX (f, 1);
}

void
gst_mst_interval_restart (GstMstInterval * iv)
{
  iv->frames = 0;
  iv->start = GST_CLOCK_TIME_NONE;
  iv->anchor = GST_CLOCK_TIME_NONE;
}

void
gst_mst_interval_restart_at (GstMstInterval * iv, GstClockTime at)
{
  gst_mst_interval_restart (iv);
  iv->start = at;
}

void
gst_mst_interval_buffer (GstMstInterval * iv, GstBuffer * buf)
{
  if (GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DISCONT)) {
    gst_mst_interval_restart_at (iv, GST_BUFFER_PTS (buf));
  } else {
    gst_mst_interval_sync (iv, GST_BUFFER_PTS (buf));
  }
}

void
gst_mst_interval_sync (GstMstInterval * iv, GstClockTime at)
{
  GstClockTime before;

  if (GST_CLOCK_TIME_IS_VALID (iv->start) || !GST_CLOCK_TIME_IS_VALID (at))
    return;
  before = gst_mst_interval_duration (iv);
  iv->start = at >= before ? at - before : 0;
}

guint64
gst_mst_interval_remaining (const GstMstInterval * iv)
{
  return iv->frames >= iv->frames_per_interval ?
      1 : iv->frames_per_interval - iv->frames;
}

gboolean
gst_mst_interval_add (GstMstInterval * iv, guint64 n)
{
  iv->frames += n;
  return iv->frames >= iv->frames_per_interval;
}

GstClockTime
gst_mst_interval_duration (const GstMstInterval * iv)
{
  if (iv->rate <= 0)
    return 0;
  return gst_util_uint64_scale_int_round (iv->frames, GST_SECOND, iv->rate);
}

void
gst_mst_interval_next (GstMstInterval * iv)
{
  if (GST_CLOCK_TIME_IS_VALID (iv->start) && iv->rate > 0) {
    if (!GST_CLOCK_TIME_IS_VALID (iv->anchor)) {
      iv->anchor = iv->start;
      iv->anchor_frames = 0;
    }
    iv->anchor_frames += iv->frames;
    iv->start = iv->anchor + gst_util_uint64_scale_int_round (iv->anchor_frames,
        GST_SECOND, iv->rate);
  }
  iv->frames = 0;
}

/* Stream time of ts, NONE outside a TIME segment or for NONE. */
static GstClockTime
segment_stream_time (GstBaseTransform * trans, GstClockTime ts)
{
  if (!GST_CLOCK_TIME_IS_VALID (ts) || trans->segment.format != GST_FORMAT_TIME)
    return GST_CLOCK_TIME_NONE;
  return gst_segment_to_stream_time (&trans->segment, GST_FORMAT_TIME, ts);
}

void
gst_mst_sync_values (GstBaseTransform * trans, GstClockTime pts)
{
  GstClockTime stream_time = segment_stream_time (trans, pts);

  if (GST_CLOCK_TIME_IS_VALID (stream_time))
    gst_object_sync_values (GST_OBJECT (trans), stream_time);
}

static gsize q_timestamp;
static GQuark q_stream_time, q_running_time, q_duration;

GstStructure *
gst_mst_message_structure_new (GstBaseTransform * trans, const gchar * name,
    GstClockTime timestamp, GstClockTime duration)
{
  GstClockTime running_time = GST_CLOCK_TIME_NONE;
  GstClockTime stream_time = segment_stream_time (trans, timestamp);

  if (GST_CLOCK_TIME_IS_VALID (stream_time))
    running_time = gst_segment_to_running_time (&trans->segment,
        GST_FORMAT_TIME, timestamp);

  /* by quark: the field names are looked up once, not per message (a
   * meter posts ten messages per second of audio) */
  if (g_once_init_enter (&q_timestamp)) {
    q_stream_time = g_quark_from_static_string ("stream-time");
    q_running_time = g_quark_from_static_string ("running-time");
    q_duration = g_quark_from_static_string ("duration");
    g_once_init_leave (&q_timestamp, g_quark_from_static_string ("timestamp"));
  }
  return gst_structure_new_id (g_quark_from_string (name),
      (GQuark) q_timestamp, G_TYPE_UINT64, (guint64) timestamp,
      q_stream_time, G_TYPE_UINT64, (guint64) stream_time,
      q_running_time, G_TYPE_UINT64, (guint64) running_time,
      q_duration, G_TYPE_UINT64, (guint64) duration, NULL);
}

void
gst_mst_structure_set_double_array (GstStructure * s, const gchar * field,
    const gdouble * values, guint n)
{
  GValue arr = G_VALUE_INIT;
  GValue v = G_VALUE_INIT;
  guint i;

  g_value_init (&arr, GST_TYPE_ARRAY);
  for (i = 0; i < n; i++) {
    g_value_init (&v, G_TYPE_DOUBLE);
    g_value_set_double (&v, values[i]);
    gst_value_array_append_and_take_value (&arr, &v);
  }
  gst_structure_take_value (s, field, &arr);
}

gdouble
gst_mst_to_db (gdouble linear)
{
  if (!(linear > 0.0))
    return -INFINITY;
  return 20.0 * log10 (linear);
}

gdouble
gst_mst_from_db (gdouble db)
{
  return pow (10.0, db / 20.0);
}

gboolean
gst_mst_frames_map (GstMstFrames * f, GstElement * element, GstBuffer * buf,
    const GstAudioInfo * info)
{
  gsize bpf = GST_AUDIO_INFO_BPF (info);

  f->data = NULL;
  f->mapped = NULL;
  if (GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_GAP)) {
    f->n_frames = gst_buffer_get_size (buf) / bpf;
    if (f->n_frames == 0 && GST_BUFFER_DURATION_IS_VALID (buf))
      f->n_frames = gst_util_uint64_scale_int_round (GST_BUFFER_DURATION (buf),
          GST_AUDIO_INFO_RATE (info), GST_SECOND);
    return TRUE;
  }
  if (!gst_buffer_map (buf, &f->map, GST_MAP_READ)) {
    f->n_frames = 0;
    GST_ELEMENT_ERROR (element, RESOURCE, READ, (NULL),
        ("failed to map buffer"));
    return FALSE;
  }
  f->mapped = buf;
  f->data = f->map.data;
  f->n_frames = f->map.size / bpf;
  if (G_UNLIKELY (f->map.size % bpf != 0))
    GST_WARNING_OBJECT (element, "buffer of %" G_GSIZE_FORMAT " bytes is not "
        "a whole number of %" G_GSIZE_FORMAT "-byte frames", f->map.size, bpf);
  return TRUE;
}

void
gst_mst_frames_unmap (GstMstFrames * f)
{
  if (f->mapped)
    gst_buffer_unmap (f->mapped, &f->map);
  f->mapped = NULL;
  f->data = NULL;
}

guint64
gst_mst_control_grid (GstObject * object, gint rate)
{
  if (rate <= 0 || !gst_object_has_active_control_bindings (object))
    return 0;
  return MAX ((guint64) rate * GST_MST_CONTROL_CHUNK_MS / 1000, 1);
}

gsize
gst_mst_control_chunk (guint64 grid, guint64 pos, gsize n)
{
  guint64 left;

  if (grid == 0)
    return n;
  left = grid - pos % grid;
  return (gsize) MIN (left, (guint64) n);
}

void
gst_mst_warn_non_finite (GstElement * element, gboolean * warned,
    guint64 * total, gsize n, GstClockTime pts)
{
  if (G_LIKELY (n == 0))
    return;
  *total += n;
  GST_DEBUG_OBJECT (element, "%" G_GSIZE_FORMAT " non-finite samples (%"
      G_GUINT64_FORMAT " in this stream)", n, *total);
  if (*warned)
    return;
  *warned = TRUE;
  GST_ELEMENT_WARNING (element, STREAM, FORMAT,
      ("Input contains non-finite samples (NaN or infinity)"),
      ("%" G_GSIZE_FORMAT " non-finite samples in the buffer at %"
          GST_TIME_FORMAT " were taken as silence; further ones in this "
          "stream are not reported", n, GST_TIME_ARGS (pts)));
}

gboolean
gst_mst_value_is_finite (GObject * object, const GParamSpec * pspec,
    gdouble v)
{
  if (G_LIKELY (isfinite (v)))
    return TRUE;
  GST_WARNING_OBJECT (object, "non-finite value %f for property '%s' "
      "rejected, keeping the previous value", v, pspec->name);
  return FALSE;
}
