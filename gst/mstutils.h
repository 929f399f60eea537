/* gst-mastering — helpers shared by the elements
 *
 * GstMstInterval: the periodic-message bookkeeping of gst-plugins-good
 * `level` (interval in ns turned into frames at caps time, a message when
 * an interval is full, timestamp = start of the interval, restart on
 * DISCONT), so every element posts on the same grid the same way.
 *
 * gst_mst_message_structure_new(): an element-message structure with
 * level's time fields (timestamp, stream-time, running-time, duration).
 *
 * Also the pieces every element repeats: the caps of the pad templates
 * (GST_MST_AUDIO_CAPS), mapping a buffer or a GAP buffer as frames
 * (GstMstFrames), the per-chunk controller sync, the once-per-stream
 * warning about non-finite samples and the non-finite property check.
 */
#ifndef __GST_MST_UTILS_H__
#define __GST_MST_UTILS_H__

#include <gst/gst.h>
#include <gst/base/gstbasetransform.h>
#include <gst/audio/audio.h>

#include "dsp/util.h"

G_BEGIN_DECLS

typedef struct
{
  GstClockTime interval;        /* ns, the `interval` property */
  gboolean post;                /* the `post-messages` property */
  gint rate;                    /* Hz, 0 until configured */
  guint64 frames_per_interval;  /* interval in frames, >= 1 */
  guint64 frames;               /* frames counted in the current interval */
  GstClockTime start;           /* timestamp of its first frame */
  /* start is computed as anchor + anchor_frames at `rate`, so rounding does
   * not accumulate over a long stream; the anchor is re-taken from start
   * after a restart, DISCONT or rate change */
  GstClockTime anchor;
  guint64 anchor_frames;
} GstMstInterval;

/* `interval` (ns; GST_MST_DEFAULT_INTERVAL for the property default),
 * post TRUE, no rate yet. */
void gst_mst_interval_init (GstMstInterval * iv, GstClockTime interval);
/* Forgets the rate and the current interval, keeps the properties
 * (stop). */
void gst_mst_interval_reset (GstMstInterval * iv);
/* (Re)computes frames_per_interval; call from setup and when the property
 * changes.  Keeps the frames already counted. */
void gst_mst_interval_configure (GstMstInterval * iv, GstClockTime interval,
    gint rate);
/* Forgets the current interval (flush, caps change, reset). */
void gst_mst_interval_restart (GstMstInterval * iv);
/* Forgets the current interval; the next one starts at `at` (DISCONT). */
void gst_mst_interval_restart_at (GstMstInterval * iv, GstClockTime at);
/* Call at the start of each buffer: picks up its timestamp when none is
 * known yet, and restarts the interval on DISCONT. */
void gst_mst_interval_buffer (GstMstInterval * iv, GstBuffer * buf);
/* When the current interval has no start time yet (after a restart, or
 * input without timestamps so far), sets it so that the frames already
 * counted end at time `at`.  No-op when `at` is NONE or a start is known. */
void gst_mst_interval_sync (GstMstInterval * iv, GstClockTime at);
/* Frames that can be processed before the current interval is full. */
guint64 gst_mst_interval_remaining (const GstMstInterval * iv);
/* Counts n frames; returns TRUE when that completes the interval. */
gboolean gst_mst_interval_add (GstMstInterval * iv, guint64 n);
/* Duration of the frames counted so far. */
GstClockTime gst_mst_interval_duration (const GstMstInterval * iv);
/* Starts the next interval after a message was built for this one. */
void gst_mst_interval_next (GstMstInterval * iv);

/* New structure named `name` with guint64 fields timestamp, stream-time,
 * running-time and duration (ns), computed from the element's segment. */
GstStructure *gst_mst_message_structure_new (GstBaseTransform * trans,
    const gchar * name, GstClockTime timestamp, GstClockTime duration);

/* Syncs the element's controlled properties to the stream time of `pts`
 * (only in a TIME segment: others have no stream time). */
void gst_mst_sync_values (GstBaseTransform * trans, GstClockTime pts);

/* Sets `field` to a GST_TYPE_ARRAY of n gdouble values. */
void gst_mst_structure_set_double_array (GstStructure * s,
    const gchar * field, const gdouble * values, guint n);

/* Pad-template caps of every element: interleaved `formats` (a
 * comma-separated list of format names), the rates and channel counts the
 * dsp/ cores accept (dsp/util.h). */
#define GST_MST_AUDIO_CAPS(formats) \
  "audio/x-raw, " \
  "format = (string) { " formats " }, " \
  "layout = (string) interleaved, " \
  "rate = (int) [ " G_STRINGIFY (MST_RATE_MIN) ", " \
      G_STRINGIFY (MST_RATE_MAX) " ], " \
  "channels = (int) [ 1, " G_STRINGIFY (MST_MAX_CHANNELS) " ]"

/* The frames of one input buffer: data NULL for a GAP buffer (digital
 * silence of the buffer's size, or of its duration when it is empty). */
typedef struct
{
  const guint8 *data;
  gsize n_frames;
  GstMapInfo map;
  GstBuffer *mapped;
} GstMstFrames;

/* Maps buf for reading (a GAP buffer is not mapped).  On failure posts a
 * GST_ELEMENT_ERROR on `element` and returns FALSE. */
gboolean gst_mst_frames_map (GstMstFrames * f, GstElement * element,
    GstBuffer * buf, const GstAudioInfo * info);
void gst_mst_frames_unmap (GstMstFrames * f);

/* Controlled properties are synced at the start of every chunk of a
 * GST_MST_CONTROL_CHUNK_MS grid (counted in frames from the start of the
 * stream), so automation is sample-accurate to 10 ms whatever the buffer
 * size.  gst_mst_control_grid() gives the grid in frames when `object`
 * has active control bindings, 0 when it has none (then a buffer is one
 * chunk); it takes the object lock: call it without, once per buffer.
 * gst_mst_control_chunk() gives the frames from stream frame `pos` to the
 * next grid line, at most n (n for grid 0). */
#define GST_MST_CONTROL_CHUNK_MS 10
guint64 gst_mst_control_grid (GstObject * object, gint rate);
gsize gst_mst_control_chunk (guint64 grid, guint64 pos, gsize n);

/* The `interval` and `post-messages` properties of every element that
 * posts periodic messages: same names, range, default, flags and blurbs
 * everywhere.  gst_mst_install_message_properties() in class_init;
 * gst_mst_message_property_set/get() from the `default:` branch of
 * set_property/get_property (object lock held): they handle the two
 * (stored in iv) and return FALSE for any other property. */
void gst_mst_install_message_properties (GObjectClass * klass,
    guint prop_interval, guint prop_post_messages);
gboolean gst_mst_message_property_set (GstMstInterval * iv,
    const GParamSpec * pspec, const GValue * value);
gboolean gst_mst_message_property_get (const GstMstInterval * iv,
    const GParamSpec * pspec, GValue * value);

/* Message interval limits of every element: 100 ms by default, 10 ms at
 * the least.  10 ms is the refresh period of the fastest displays (100
 * Hz); shorter intervals add bus traffic (a structure and a main-loop
 * wake-up per message) and no information: the loudness values move on
 * their 100 ms block grid, and a gain-reduction display cannot show more. */
#define GST_MST_DEFAULT_INTERVAL (100 * GST_MSECOND)
#define GST_MST_MIN_INTERVAL (10 * GST_MSECOND)

/* Counts n non-finite input samples (replaced by silence) and posts the
 * once-per-stream GST_ELEMENT_WARNING about them (*warned is the flag,
 * cleared at STREAM_START).  pts: of the buffer, for the details. */
void gst_mst_warn_non_finite (GstElement * element, gboolean * warned,
    guint64 * total, gsize n, GstClockTime pts);

/* For set_property of a double property: TRUE when v is finite; for NaN
 * or +-inf posts a GST_WARNING naming the property and returns FALSE (the
 * caller keeps the old value). */
gboolean gst_mst_value_is_finite (GObject * object, const GParamSpec * pspec,
    gdouble v);

/* Linear amplitude to dB (and back); 0 -> -inf, never NaN. */
gdouble gst_mst_to_db (gdouble linear);
gdouble gst_mst_from_db (gdouble db);

G_END_DECLS
#endif /* __GST_MST_UTILS_H__ */
