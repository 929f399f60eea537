/* gst-mastering — truepeaklimiter: look-ahead true-peak limiter
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/**
 * SECTION:element-truepeaklimiter
 * @title: truepeaklimiter
 *
 * A look-ahead limiter that keeps the true peak (the 4x-oversampled
 * signal of ITU-R BS.1770 Annex 2, the same interpolator as the
 * loudnessmeter's) of its output at or below #GstTruePeakLimiter:ceiling,
 * after raising the level by #GstTruePeakLimiter:input-gain.  The gain
 * reaches what a peak needs before the peak arrives (look-ahead), rises
 * again with #GstTruePeakLimiter:release, and never jumps: it is linear
 * between points a fraction of a millisecond apart.  A final clamp
 * catches what the look-ahead could not foresee; it counts the samples
 * it touches (`safety-clips`), which stays 0 on normal programme.
 *
 * Latency: the output is the input delayed by the look-ahead (plus the
 * interpolator's 8 samples), which the element reports in the latency
 * query.  Timestamps are preserved: output sample n is input sample n and
 * carries its timestamp; the element holds the last `latency` samples
 * and, at EOS (and before a new segment, a gap event or a format change),
 * pushes them before forwarding the event, so the output has exactly as
 * many samples as the input.  A flush drops them.  NaN and infinite input
 * samples are replaced by silence (one warning per stream).
 *
 * Every #GstTruePeakLimiter:interval of output and once more at EOS an
 * element message named `truepeaklimiter` is posted:
 *
 * * `timestamp` (#guint64, ns): time of the first output sample of the
 *   interval; `stream-time`, `running-time` (#guint64, ns): the same as
 *   stream and running time; `duration` (#guint64, ns).
 * * `gain-reduction` (#gdouble, dB >= 0): attenuation applied to the last
 *   sample of the interval (the largest over channels when unlinked).
 * * `gain-reduction-max` (#gdouble, dB >= 0): largest attenuation in the
 *   interval.
 * * `safety-clips` (#guint64): samples the safety clamp changed since the
 *   start of the stream.
 * * `final` (#gboolean): %TRUE for the message posted at EOS.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 filesrc location=in.wav ! wavparse ! audioconvert ! \
 *     truepeaklimiter ceiling=-1.0 input-gain=6.0 ! audioconvert ! \
 *     wavenc ! filesink location=out.wav
 * ]| Raises the level by 6 dB and keeps the true peak at or below -1 dBTP.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <math.h>
#include <string.h>

#include "gsttruepeaklimiter.h"
#include "gst/mstutils.h"
#include "dsp/limiter.h"

GST_DEBUG_CATEGORY_STATIC (gst_true_peak_limiter_debug);
#define GST_CAT_DEFAULT gst_true_peak_limiter_debug

#define DEFAULT_PROP_CEILING       -1.0
#define DEFAULT_PROP_INPUT_GAIN    0.0
#define DEFAULT_PROP_RELEASE       50.0
#define DEFAULT_PROP_LOOKAHEAD     5.0
#define DEFAULT_PROP_OVERSAMPLING  GST_TRUE_PEAK_LIMITER_OVERSAMPLING_4X
#define DEFAULT_PROP_LINK          GST_TRUE_PEAK_LIMITER_LINK_LINKED
#define DEFAULT_PROP_INTERVAL      (100 * GST_MSECOND)
#define MIN_PROP_INTERVAL          (1 * GST_MSECOND)
#define DEFAULT_PROP_POST_MESSAGES TRUE

enum
{
  PROP_0,
  PROP_CEILING,
  PROP_INPUT_GAIN,
  PROP_RELEASE,
  PROP_LOOKAHEAD,
  PROP_OVERSAMPLING,
  PROP_LINK,
  PROP_INTERVAL,
  PROP_POST_MESSAGES,
};

/* Runs n frames through the core: in (NULL = silence) -> out. */
typedef gsize (*GstTruePeakLimiterProcessFunc) (MstLimiter * core,
    gconstpointer in, gpointer out, gsize n);

/* A run of input frames not yet fully output, with its timing. */
typedef struct
{
  guint64 start;                /* first frame, counted since reset */
  guint64 n;                    /* frames */
  GstClockTime pts;             /* of the first frame */
  guint64 offset;               /* GST_BUFFER_OFFSET of the first frame */
  gboolean discont;
} Span;

struct _GstTruePeakLimiter
{
  GstAudioFilter parent;

  /* properties, under the object lock */
  gdouble ceiling;              /* dBTP */
  gdouble input_gain;           /* dB */
  gdouble release;              /* ms */
  gdouble lookahead;            /* ms */
  gint oversampling;            /* factor */
  gint link;                    /* GstTruePeakLimiterLink */
  GstClockTime interval;
  gboolean post_messages;

  /* processing state, under the object lock */
  MstLimiter *core;
  GstTruePeakLimiterProcessFunc process;
  GstAudioInfo info;
  gboolean reconfigure;         /* lookahead/oversampling changed */
  guint latency;                /* samples, of core */
  GstMstInterval iv;
  gdouble iv_min_gain;          /* smallest gain in the interval */
  gdouble last_gain;            /* gain of the last output frame (kept
                                 * across the core reset after a drain) */
  guint64 clips_base;           /* safety clips of cores reset/replaced */

  /* streaming thread only */
  guint64 in_frames;            /* fed to the core since reset */
  guint64 out_frames;           /* pushed since reset */
  guint64 skip;                 /* leading core output still to drop */
  GQueue spans;                 /* of Span *, input not yet output */
  GQueue outq;                  /* of GstBuffer *, ready to push */
  gboolean discont;             /* next output buffer is DISCONT */
  gpointer scratch;             /* latency frames, for dropped output */
  gboolean warned_non_finite;
};

#define ALLOWED_CAPS \
  "audio/x-raw, " \
  "format = (string) { " GST_AUDIO_NE (F32) ", " GST_AUDIO_NE (F64) " }, " \
  "layout = (string) interleaved, " \
  "rate = (int) [ 8000, 192000 ], " \
  "channels = (int) [ 1, 8 ]"

#define gst_true_peak_limiter_parent_class parent_class
G_DEFINE_TYPE (GstTruePeakLimiter, gst_true_peak_limiter,
    GST_TYPE_AUDIO_FILTER);
GST_ELEMENT_REGISTER_DEFINE (truepeaklimiter, "truepeaklimiter",
    GST_RANK_NONE, GST_TYPE_TRUE_PEAK_LIMITER);

GType
gst_true_peak_limiter_link_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_TRUE_PEAK_LIMITER_LINK_LINKED,
        "One gain for all channels", "linked"},
    {GST_TRUE_PEAK_LIMITER_LINK_UNLINKED,
        "A gain per channel", "unlinked"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstTruePeakLimiterLink", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

GType
gst_true_peak_limiter_oversampling_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_TRUE_PEAK_LIMITER_OVERSAMPLING_2X, "2x oversampled detector", "2x"},
    {GST_TRUE_PEAK_LIMITER_OVERSAMPLING_4X,
        "4x oversampled detector (BS.1770)", "4x"},
    {GST_TRUE_PEAK_LIMITER_OVERSAMPLING_8X, "8x oversampled detector", "8x"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstTruePeakLimiterOversampling",
        values);
    g_once_init_leave (&type, t);
  }
  return type;
}

static void gst_true_peak_limiter_set_property (GObject * object,
    guint prop_id, const GValue * value, GParamSpec * pspec);
static void gst_true_peak_limiter_get_property (GObject * object,
    guint prop_id, GValue * value, GParamSpec * pspec);
static void gst_true_peak_limiter_finalize (GObject * object);
static gboolean gst_true_peak_limiter_setup (GstAudioFilter * filter,
    const GstAudioInfo * info);
static gboolean gst_true_peak_limiter_start (GstBaseTransform * trans);
static gboolean gst_true_peak_limiter_stop (GstBaseTransform * trans);
static gboolean gst_true_peak_limiter_sink_event (GstBaseTransform * trans,
    GstEvent * event);
static gboolean gst_true_peak_limiter_query (GstBaseTransform * trans,
    GstPadDirection direction, GstQuery * query);
static GstFlowReturn gst_true_peak_limiter_submit_input_buffer
    (GstBaseTransform * trans, gboolean is_discont, GstBuffer * buf);
static GstFlowReturn gst_true_peak_limiter_generate_output
    (GstBaseTransform * trans, GstBuffer ** outbuf);

/* One wrapper per format, stamped by a macro: the format is dispatched
 * once per caps through a single function-pointer type. */
#define DEFINE_PROCESS_FUNC(fmt, ctype)                                   \
static gsize                                                              \
process_##fmt (MstLimiter * core, gconstpointer in, gpointer out,         \
    gsize n)                                                              \
{                                                                         \
  return mst_limiter_process_##fmt (core, (const ctype *) in,             \
      (ctype *) out, n);                                                  \
}

DEFINE_PROCESS_FUNC (f32, float)
DEFINE_PROCESS_FUNC (f64, double)

static void
gst_true_peak_limiter_class_init (GstTruePeakLimiterClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstAudioFilterClass *filter_class = GST_AUDIO_FILTER_CLASS (klass);
  GstCaps *caps;

  GST_DEBUG_CATEGORY_INIT (gst_true_peak_limiter_debug, "truepeaklimiter",
      0, "look-ahead true-peak limiter");

  gobject_class->set_property = gst_true_peak_limiter_set_property;
  gobject_class->get_property = gst_true_peak_limiter_get_property;
  gobject_class->finalize = gst_true_peak_limiter_finalize;

  /**
   * GstTruePeakLimiter:ceiling:
   *
   * Largest true peak of the output, dBTP.  A change applies to the
   * input samples of the buffer it is set for (and to those when they
   * leave the element).
   */
  g_object_class_install_property (gobject_class, PROP_CEILING,
      g_param_spec_double ("ceiling", "Ceiling",
          "Largest true peak of the output, in dBTP (-60 to 0)",
          MST_LIMITER_MIN_CEILING_DB, MST_LIMITER_MAX_CEILING_DB,
          DEFAULT_PROP_CEILING,
          G_PARAM_READWRITE | GST_PARAM_CONTROLLABLE |
          GST_PARAM_MUTABLE_PLAYING | G_PARAM_STATIC_STRINGS));

  /**
   * GstTruePeakLimiter:input-gain:
   *
   * Gain applied before limiting, dB; changes ramp over 20 ms.
   */
  g_object_class_install_property (gobject_class, PROP_INPUT_GAIN,
      g_param_spec_double ("input-gain", "Input gain",
          "Gain applied before limiting, in dB (-60 to +60; changes ramp "
          "over 20 ms)", MST_LIMITER_MIN_INPUT_GAIN_DB,
          MST_LIMITER_MAX_INPUT_GAIN_DB, DEFAULT_PROP_INPUT_GAIN,
          G_PARAM_READWRITE | GST_PARAM_CONTROLLABLE |
          GST_PARAM_MUTABLE_PLAYING | G_PARAM_STATIC_STRINGS));

  /**
   * GstTruePeakLimiter:release:
   *
   * Time constant of the gain's return towards unity after a peak, ms.
   */
  g_object_class_install_property (gobject_class, PROP_RELEASE,
      g_param_spec_double ("release", "Release",
          "Release time constant, in milliseconds (1 to 5000)",
          MST_LIMITER_MIN_RELEASE_MS, MST_LIMITER_MAX_RELEASE_MS,
          DEFAULT_PROP_RELEASE,
          G_PARAM_READWRITE | GST_PARAM_CONTROLLABLE |
          GST_PARAM_MUTABLE_PLAYING | G_PARAM_STATIC_STRINGS));

  /**
   * GstTruePeakLimiter:lookahead:
   *
   * Look-ahead, ms: the time the gain has to reach what a peak needs
   * (rounded up to whole blocks of at most 32 samples).  It sets the
   * latency.  A change while playing drains the held samples, restarts
   * the limiter with the new value and posts a latency message.
   */
  g_object_class_install_property (gobject_class, PROP_LOOKAHEAD,
      g_param_spec_double ("lookahead", "Look-ahead",
          "Look-ahead (and latency), in milliseconds (0.5 to 100)",
          MST_LIMITER_MIN_LOOKAHEAD_MS, MST_LIMITER_MAX_LOOKAHEAD_MS,
          DEFAULT_PROP_LOOKAHEAD,
          G_PARAM_READWRITE | GST_PARAM_MUTABLE_PLAYING |
          G_PARAM_STATIC_STRINGS));

  /**
   * GstTruePeakLimiter:oversampling:
   *
   * Oversampling of the peak detector (2x, 4x or 8x; `oversampling=4`
   * works on the command line).  4x is what BS.1770 meters use; 2x
   * cannot see every inter-sample peak a 4x meter sees.  A change while
   * playing restarts the limiter like a #GstTruePeakLimiter:lookahead
   * change.
   */
  g_object_class_install_property (gobject_class, PROP_OVERSAMPLING,
      g_param_spec_enum ("oversampling", "Oversampling",
          "Oversampling of the true-peak detector (2x, 4x, 8x)",
          GST_TYPE_TRUE_PEAK_LIMITER_OVERSAMPLING, DEFAULT_PROP_OVERSAMPLING,
          G_PARAM_READWRITE | GST_PARAM_MUTABLE_PLAYING |
          G_PARAM_STATIC_STRINGS));

  /**
   * GstTruePeakLimiter:link:
   *
   * One gain for all channels (from the loudest) or one per channel.
   */
  g_object_class_install_property (gobject_class, PROP_LINK,
      g_param_spec_enum ("link", "Link",
          "Channel linking: one gain for all channels or one per channel",
          GST_TYPE_TRUE_PEAK_LIMITER_LINK, DEFAULT_PROP_LINK,
          G_PARAM_READWRITE | GST_PARAM_MUTABLE_PLAYING |
          G_PARAM_STATIC_STRINGS));

  /**
   * GstTruePeakLimiter:interval:
   *
   * Output time between two messages, ns.
   */
  g_object_class_install_property (gobject_class, PROP_INTERVAL,
      g_param_spec_uint64 ("interval", "Interval",
          "Interval between two messages, in nanoseconds (1 ms and up)",
          MIN_PROP_INTERVAL, G_MAXUINT64, DEFAULT_PROP_INTERVAL,
          G_PARAM_READWRITE | GST_PARAM_MUTABLE_PLAYING |
          G_PARAM_STATIC_STRINGS));

  /**
   * GstTruePeakLimiter:post-messages:
   *
   * Post `truepeaklimiter` messages on the bus.
   */
  g_object_class_install_property (gobject_class, PROP_POST_MESSAGES,
      g_param_spec_boolean ("post-messages", "Post messages",
          "Post a truepeaklimiter message every interval and at EOS",
          DEFAULT_PROP_POST_MESSAGES,
          G_PARAM_READWRITE | GST_PARAM_MUTABLE_PLAYING |
          G_PARAM_STATIC_STRINGS));

  gst_element_class_set_static_metadata (element_class,
      "True-peak limiter", "Filter/Effect/Audio",
      "Look-ahead limiter that keeps the true peak under a ceiling",
      "gst-mastering");

  caps = gst_caps_from_string (ALLOWED_CAPS);
  gst_audio_filter_class_add_pad_templates (filter_class, caps);
  gst_caps_unref (caps);

  filter_class->setup = GST_DEBUG_FUNCPTR (gst_true_peak_limiter_setup);
  trans_class->start = GST_DEBUG_FUNCPTR (gst_true_peak_limiter_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_true_peak_limiter_stop);
  trans_class->sink_event =
      GST_DEBUG_FUNCPTR (gst_true_peak_limiter_sink_event);
  trans_class->query = GST_DEBUG_FUNCPTR (gst_true_peak_limiter_query);
  trans_class->submit_input_buffer =
      GST_DEBUG_FUNCPTR (gst_true_peak_limiter_submit_input_buffer);
  trans_class->generate_output =
      GST_DEBUG_FUNCPTR (gst_true_peak_limiter_generate_output);

  gst_type_mark_as_plugin_api (GST_TYPE_TRUE_PEAK_LIMITER_LINK, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_TRUE_PEAK_LIMITER_OVERSAMPLING, 0);
}

static void
gst_true_peak_limiter_init (GstTruePeakLimiter * self)
{
  self->ceiling = DEFAULT_PROP_CEILING;
  self->input_gain = DEFAULT_PROP_INPUT_GAIN;
  self->release = DEFAULT_PROP_RELEASE;
  self->lookahead = DEFAULT_PROP_LOOKAHEAD;
  self->oversampling = DEFAULT_PROP_OVERSAMPLING;
  self->link = DEFAULT_PROP_LINK;
  self->interval = DEFAULT_PROP_INTERVAL;
  self->post_messages = DEFAULT_PROP_POST_MESSAGES;
  gst_mst_interval_init (&self->iv, self->interval);
  self->iv_min_gain = 1.0;
  self->last_gain = 1.0;
  g_queue_init (&self->spans);
  g_queue_init (&self->outq);
  gst_audio_info_init (&self->info);
}

/* Applies the continuous parameters to the core (object lock held). */
static void
apply_params (GstTruePeakLimiter * self)
{
  if (!self->core)
    return;
  mst_limiter_set_ceiling (self->core, self->ceiling);
  mst_limiter_set_input_gain (self->core, self->input_gain);
  mst_limiter_set_release (self->core, self->release);
  mst_limiter_set_linked (self->core,
      self->link == GST_TRUE_PEAK_LIMITER_LINK_LINKED);
}

static void
gst_true_peak_limiter_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstTruePeakLimiter *self = GST_TRUE_PEAK_LIMITER (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_CEILING:
      self->ceiling = g_value_get_double (value);
      if (self->core)
        mst_limiter_set_ceiling (self->core, self->ceiling);
      break;
    case PROP_INPUT_GAIN:
      self->input_gain = g_value_get_double (value);
      if (self->core)
        mst_limiter_set_input_gain (self->core, self->input_gain);
      break;
    case PROP_RELEASE:
      self->release = g_value_get_double (value);
      if (self->core)
        mst_limiter_set_release (self->core, self->release);
      break;
    case PROP_LOOKAHEAD:{
      gdouble v = g_value_get_double (value);

      if (v != self->lookahead && self->core)
        self->reconfigure = TRUE;
      self->lookahead = v;
      break;
    }
    case PROP_OVERSAMPLING:{
      gint v = g_value_get_enum (value);

      if (v != self->oversampling && self->core)
        self->reconfigure = TRUE;
      self->oversampling = v;
      break;
    }
    case PROP_LINK:
      self->link = g_value_get_enum (value);
      if (self->core)
        mst_limiter_set_linked (self->core,
            self->link == GST_TRUE_PEAK_LIMITER_LINK_LINKED);
      break;
    case PROP_INTERVAL:
      self->interval = g_value_get_uint64 (value);
      gst_mst_interval_configure (&self->iv, self->interval, self->iv.rate);
      break;
    case PROP_POST_MESSAGES:
      self->post_messages = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_true_peak_limiter_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstTruePeakLimiter *self = GST_TRUE_PEAK_LIMITER (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_CEILING:
      g_value_set_double (value, self->ceiling);
      break;
    case PROP_INPUT_GAIN:
      g_value_set_double (value, self->input_gain);
      break;
    case PROP_RELEASE:
      g_value_set_double (value, self->release);
      break;
    case PROP_LOOKAHEAD:
      g_value_set_double (value, self->lookahead);
      break;
    case PROP_OVERSAMPLING:
      g_value_set_enum (value, self->oversampling);
      break;
    case PROP_LINK:
      g_value_set_enum (value, self->link);
      break;
    case PROP_INTERVAL:
      g_value_set_uint64 (value, self->interval);
      break;
    case PROP_POST_MESSAGES:
      g_value_set_boolean (value, self->post_messages);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

/* ---- stream state -------------------------------------------------------- */

static void
clear_queues (GstTruePeakLimiter * self)
{
  g_queue_clear_full (&self->spans, g_free);
  g_queue_clear_full (&self->outq, (GDestroyNotify) gst_buffer_unref);
}

/* Resets the core, keeping its safety-clip count: object lock held. */
static void
reset_core (GstTruePeakLimiter * self)
{
  if (!self->core)
    return;
  self->clips_base += mst_limiter_safety_clips (self->core);
  mst_limiter_reset (self->core);
}

/* Forgets everything held (flush, new core): object lock held. */
static void
reset_stream (GstTruePeakLimiter * self)
{
  g_queue_clear_full (&self->spans, g_free);
  reset_core (self);
  self->in_frames = 0;
  self->out_frames = 0;
  self->skip = self->latency;
  self->discont = TRUE;
  gst_mst_interval_restart (&self->iv);
  self->iv_min_gain = 1.0;
  self->last_gain = 1.0;
}

/* (Re)creates the core for self->info with the current properties:
 * object lock held. */
static gboolean
make_core (GstTruePeakLimiter * self)
{
  const GstAudioInfo *info = &self->info;
  MstLimiter *core;

  core = mst_limiter_new (GST_AUDIO_INFO_RATE (info),
      GST_AUDIO_INFO_CHANNELS (info), self->oversampling, self->lookahead);
  if (!core)
    return FALSE;
  if (self->core)
    self->clips_base += mst_limiter_safety_clips (self->core);
  mst_limiter_free (self->core);
  self->core = core;
  apply_params (self);
  self->latency = mst_limiter_latency (core);
  g_free (self->scratch);
  self->scratch = g_malloc ((gsize) self->latency *
      GST_AUDIO_INFO_BPF (info));
  self->reconfigure = FALSE;
  reset_stream (self);
  GST_INFO_OBJECT (self, "limiter: %d Hz, %d channels, %dx, look-ahead "
      "%.3f ms, latency %u samples", GST_AUDIO_INFO_RATE (info),
      GST_AUDIO_INFO_CHANNELS (info), self->oversampling,
      mst_limiter_lookahead (core), self->latency);
  return TRUE;
}

static gboolean
gst_true_peak_limiter_setup (GstAudioFilter * filter,
    const GstAudioInfo * info)
{
  GstTruePeakLimiter *self = GST_TRUE_PEAK_LIMITER (filter);
  GstTruePeakLimiterProcessFunc func;
  gboolean ok;

  switch (GST_AUDIO_INFO_FORMAT (info)) {
    case GST_AUDIO_FORMAT_F32:
      func = process_f32;
      break;
    case GST_AUDIO_FORMAT_F64:
      func = process_f64;
      break;
    default:
      GST_ERROR_OBJECT (self, "unsupported format %s",
          GST_AUDIO_INFO_NAME (info));
      return FALSE;
  }

  GST_OBJECT_LOCK (self);
  self->info = *info;
  self->process = func;
  ok = make_core (self);
  gst_mst_interval_configure (&self->iv, self->interval,
      GST_AUDIO_INFO_RATE (info));
  gst_mst_interval_restart (&self->iv);
  GST_OBJECT_UNLOCK (self);

  if (!ok) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, (NULL),
        ("cannot create a limiter for %d Hz, %d channels",
            GST_AUDIO_INFO_RATE (info), GST_AUDIO_INFO_CHANNELS (info)));
    return FALSE;
  }
  /* the latency may have changed */
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_latency (GST_OBJECT (self)));
  return TRUE;
}

static gboolean
gst_true_peak_limiter_start (GstBaseTransform * trans)
{
  GstTruePeakLimiter *self = GST_TRUE_PEAK_LIMITER (trans);

  GST_OBJECT_LOCK (self);
  reset_stream (self);
  self->clips_base = 0;
  self->warned_non_finite = FALSE;
  GST_OBJECT_UNLOCK (self);
  return TRUE;
}

static gboolean
gst_true_peak_limiter_stop (GstBaseTransform * trans)
{
  GstTruePeakLimiter *self = GST_TRUE_PEAK_LIMITER (trans);

  GST_OBJECT_LOCK (self);
  clear_queues (self);
  mst_limiter_free (self->core);
  self->core = NULL;
  self->latency = 0;
  g_free (self->scratch);
  self->scratch = NULL;
  gst_audio_info_init (&self->info);
  GST_OBJECT_UNLOCK (self);
  return TRUE;
}

static void
gst_true_peak_limiter_finalize (GObject * object)
{
  GstTruePeakLimiter *self = GST_TRUE_PEAK_LIMITER (object);

  clear_queues (self);
  mst_limiter_free (self->core);
  g_free (self->scratch);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

/* ---- timing ---------------------------------------------------------------- */

/* Timestamp of output frame pos (still covered by a span). */
static GstClockTime
time_of (GstTruePeakLimiter * self, guint64 pos)
{
  GList *l;

  for (l = self->spans.head; l; l = l->next) {
    Span *s = l->data;

    if (pos >= s->start && pos < s->start + s->n) {
      if (!GST_CLOCK_TIME_IS_VALID (s->pts))
        return GST_CLOCK_TIME_NONE;
      return s->pts + gst_util_uint64_scale_int_round (pos - s->start,
          GST_SECOND, GST_AUDIO_INFO_RATE (&self->info));
    }
  }
  return GST_CLOCK_TIME_NONE;
}

/* Builds the interval message (object lock held). */
static GstMessage *
make_message (GstTruePeakLimiter * self, gboolean final)
{
  GstStructure *s;

  s = gst_mst_message_structure_new (GST_BASE_TRANSFORM (self),
      "truepeaklimiter", self->iv.start, gst_mst_interval_duration (&self->iv));
  gst_structure_set (s,
      "gain-reduction", G_TYPE_DOUBLE,
      -gst_mst_to_db (self->last_gain) + 0.0,
      "gain-reduction-max", G_TYPE_DOUBLE,
      -gst_mst_to_db (self->iv_min_gain) + 0.0,
      "safety-clips", G_TYPE_UINT64,
      self->clips_base + mst_limiter_safety_clips (self->core),
      "final", G_TYPE_BOOLEAN, final, NULL);
  return gst_message_new_element (GST_OBJECT (self), s);
}

/* Runs n input frames (NULL: silence) through the core.  The output that
 * corresponds to input frames (after the leading `skip` frames of the
 * delay line) goes to out; returns how many frames that is.  Interval
 * messages are appended to msgs.  Object lock held. */
static gsize
run_core (GstTruePeakLimiter * self, const guint8 * in, gsize n, guint8 * out,
    GList ** msgs, gsize * non_finite)
{
  const gsize bpf = GST_AUDIO_INFO_BPF (&self->info);
  gsize done = 0, kept = 0;

  if (self->skip > 0 && n > 0) {
    gsize m = MIN (self->skip, n);

    *non_finite += self->process (self->core, in, self->scratch, m);
    mst_limiter_take_min_gain (self->core);
    self->skip -= m;
    done = m;
  }
  while (done < n) {
    gsize m = MIN (gst_mst_interval_remaining (&self->iv), n - done);
    gdouble g;

    gst_mst_interval_sync (&self->iv,
        time_of (self, self->out_frames + kept));
    *non_finite += self->process (self->core, in ? in + done * bpf : NULL,
        out + kept * bpf, m);
    g = mst_limiter_take_min_gain (self->core);
    if (g < self->iv_min_gain)
      self->iv_min_gain = g;
    self->last_gain = mst_limiter_gain (self->core);
    done += m;
    kept += m;
    if (gst_mst_interval_add (&self->iv, m)) {
      if (self->post_messages)
        *msgs = g_list_append (*msgs, make_message (self, FALSE));
      gst_mst_interval_next (&self->iv);
      self->iv_min_gain = self->last_gain;
    }
  }
  self->in_frames += n;
  return kept;
}

/* Turns n output frames in buf (starting at output frame out_frames) into
 * buffers with the timestamps of the input frames they contain, split
 * where the input was discontinuous, and queues them.  Takes buf. */
static void
queue_output (GstTruePeakLimiter * self, GstBuffer * buf, gsize n)
{
  const gint rate = GST_AUDIO_INFO_RATE (&self->info);
  const gsize bpf = GST_AUDIO_INFO_BPF (&self->info);
  gsize done = 0;

  while (done < n) {
    Span *s = g_queue_peek_head (&self->spans);
    guint64 pos = self->out_frames, in_s, run;
    GstBuffer *ob;
    GList *l;
    gboolean discont;

    g_assert (s != NULL && pos >= s->start && pos < s->start + s->n);
    in_s = pos - s->start;
    discont = self->discont || (s->discont && in_s == 0);
    run = MIN (s->start + s->n - pos, n - done);
    /* extend over following spans that continue this one in time */
    for (l = self->spans.head->next; l && done + run < n; l = l->next) {
      Span *t = l->data, *p = l->prev->data;
      gboolean cont;

      if (t->discont)
        break;
      if (GST_CLOCK_TIME_IS_VALID (p->pts) &&
          GST_CLOCK_TIME_IS_VALID (t->pts)) {
        GstClockTime expect = p->pts +
            gst_util_uint64_scale_int_round (p->n, GST_SECOND, rate);
        GstClockTime tol = GST_SECOND / rate;

        cont = t->pts + tol >= expect && t->pts <= expect + tol;
      } else {
        cont = GST_CLOCK_TIME_IS_VALID (p->pts) ==
            GST_CLOCK_TIME_IS_VALID (t->pts);
      }
      if (!cont)
        break;
      run += MIN (t->n, n - done - run);
    }

    if (done == 0 && run == n) {
      ob = buf;                 /* the usual case: all of it */
      buf = NULL;
    } else {
      ob = gst_buffer_copy_region (buf, GST_BUFFER_COPY_MEMORY, done * bpf,
          run * bpf);
    }
    if (GST_CLOCK_TIME_IS_VALID (s->pts)) {
      GstClockTime t0 = s->pts + gst_util_uint64_scale_int_round (in_s,
          GST_SECOND, rate);
      GstClockTime t1 = s->pts + gst_util_uint64_scale_int_round (in_s + run,
          GST_SECOND, rate);

      GST_BUFFER_PTS (ob) = t0;
      GST_BUFFER_DURATION (ob) = t1 - t0;
    } else {
      GST_BUFFER_PTS (ob) = GST_CLOCK_TIME_NONE;
      GST_BUFFER_DURATION (ob) = gst_util_uint64_scale_int_round (run,
          GST_SECOND, rate);
    }
    GST_BUFFER_DTS (ob) = GST_CLOCK_TIME_NONE;
    if (s->offset != GST_BUFFER_OFFSET_NONE) {
      GST_BUFFER_OFFSET (ob) = s->offset + in_s;
      GST_BUFFER_OFFSET_END (ob) = s->offset + in_s + run;
    } else {
      GST_BUFFER_OFFSET (ob) = GST_BUFFER_OFFSET_NONE;
      GST_BUFFER_OFFSET_END (ob) = GST_BUFFER_OFFSET_NONE;
    }
    GST_BUFFER_FLAG_UNSET (ob, GST_BUFFER_FLAG_GAP);
    if (discont)
      GST_BUFFER_FLAG_SET (ob, GST_BUFFER_FLAG_DISCONT);
    else
      GST_BUFFER_FLAG_UNSET (ob, GST_BUFFER_FLAG_DISCONT);
    self->discont = FALSE;
    g_queue_push_tail (&self->outq, ob);

    done += run;
    self->out_frames += run;
    /* drop the spans that are fully output */
    while ((s = g_queue_peek_head (&self->spans)) &&
        s->start + s->n <= self->out_frames)
      g_free (g_queue_pop_head (&self->spans));
  }
  if (buf)
    gst_buffer_unref (buf);
}

static void
post_messages (GstTruePeakLimiter * self, GList * msgs)
{
  GList *l;

  for (l = msgs; l; l = l->next)
    gst_element_post_message (GST_ELEMENT (self), l->data);
  g_list_free (msgs);
}

static void
warn_non_finite (GstTruePeakLimiter * self, gsize n)
{
  if (n == 0)
    return;
  GST_DEBUG_OBJECT (self, "%" G_GSIZE_FORMAT " non-finite samples", n);
  if (!self->warned_non_finite) {
    self->warned_non_finite = TRUE;
    GST_ELEMENT_WARNING (self, STREAM, FORMAT,
        ("Input contains invalid samples (NaN or infinity)"),
        ("%" G_GSIZE_FORMAT " non-finite samples replaced by silence "
            "(warning once per stream)", n));
  }
}

/* Pushes the held samples into outq (feeding the core silence), then
 * restarts the stream state.  Object lock held. */
static void
drain_locked (GstTruePeakLimiter * self, GList ** msgs)
{
  const gsize bpf = GST_AUDIO_INFO_BPF (&self->info);
  guint64 held;
  GstBuffer *buf;
  GstMapInfo map;
  gsize kept, nf = 0;

  if (!self->core || self->in_frames == 0)
    return;
  held = self->in_frames - self->out_frames;
  GST_DEBUG_OBJECT (self, "draining %" G_GUINT64_FORMAT " frames", held);
  if (held > 0) {
    buf = gst_buffer_new_allocate (NULL, held * bpf, NULL);
    gst_buffer_map (buf, &map, GST_MAP_WRITE);
    /* latency frames of silence push every held frame out */
    kept = run_core (self, NULL, self->latency, map.data, msgs, &nf);
    gst_buffer_unmap (buf, &map);
    g_assert (kept == held);
    queue_output (self, buf, kept);
  }
  /* what comes next starts afresh */
  reset_core (self);
  g_queue_clear_full (&self->spans, g_free);
  self->in_frames = 0;
  self->out_frames = 0;
  self->skip = self->latency;
}

/* Drains and pushes downstream (streaming thread, no lock held). */
static GstFlowReturn
drain_and_push (GstTruePeakLimiter * self)
{
  GstFlowReturn ret = GST_FLOW_OK;
  GList *msgs = NULL;
  GstBuffer *b;

  GST_OBJECT_LOCK (self);
  drain_locked (self, &msgs);
  GST_OBJECT_UNLOCK (self);
  post_messages (self, msgs);
  while ((b = g_queue_pop_head (&self->outq))) {
    if (ret == GST_FLOW_OK)
      ret = gst_pad_push (GST_BASE_TRANSFORM_SRC_PAD (self), b);
    else
      gst_buffer_unref (b);
  }
  return ret;
}

/* ---- events, queries ---------------------------------------------------- */

static gboolean
gst_true_peak_limiter_sink_event (GstBaseTransform * trans, GstEvent * event)
{
  GstTruePeakLimiter *self = GST_TRUE_PEAK_LIMITER (trans);

  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_EOS:{
      GstMessage *msg = NULL;

      /* held samples, then the final message, then EOS */
      drain_and_push (self);
      GST_OBJECT_LOCK (self);
      if (self->core && self->post_messages)
        msg = make_message (self, TRUE);
      gst_mst_interval_restart (&self->iv);
      self->iv_min_gain = 1.0;
      self->last_gain = 1.0;
      GST_OBJECT_UNLOCK (self);
      if (msg)
        gst_element_post_message (GST_ELEMENT (self), msg);
      break;
    }
    case GST_EVENT_SEGMENT:
      /* the held samples belong to the old segment */
      drain_and_push (self);
      break;
    case GST_EVENT_GAP:
      /* the held samples come before the gap: out with them first, so
       * that downstream sees time in order (the gap itself is silence,
       * which is what the drain feeds the core) */
      drain_and_push (self);
      break;
    case GST_EVENT_CAPS:{
      GstCaps *caps, *cur;

      gst_event_parse_caps (event, &caps);
      cur = gst_pad_get_current_caps (GST_BASE_TRANSFORM_SINK_PAD (trans));
      if (cur && !gst_caps_is_equal (cur, caps))
        drain_and_push (self);
      if (cur)
        gst_caps_unref (cur);
      break;
    }
    case GST_EVENT_FLUSH_STOP:
      GST_OBJECT_LOCK (self);
      g_queue_clear_full (&self->outq, (GDestroyNotify) gst_buffer_unref);
      reset_stream (self);
      GST_OBJECT_UNLOCK (self);
      break;
    case GST_EVENT_STREAM_START:
      self->warned_non_finite = FALSE;
      break;
    default:
      break;
  }

  return GST_BASE_TRANSFORM_CLASS (parent_class)->sink_event (trans, event);
}

static gboolean
gst_true_peak_limiter_query (GstBaseTransform * trans,
    GstPadDirection direction, GstQuery * query)
{
  GstTruePeakLimiter *self = GST_TRUE_PEAK_LIMITER (trans);
  gboolean res;

  res = GST_BASE_TRANSFORM_CLASS (parent_class)->query (trans, direction,
      query);

  if (res && direction == GST_PAD_SRC &&
      GST_QUERY_TYPE (query) == GST_QUERY_LATENCY) {
    gboolean live;
    GstClockTime min, max, ours = 0;

    gst_query_parse_latency (query, &live, &min, &max);
    GST_OBJECT_LOCK (self);
    if (self->core)
      ours = gst_util_uint64_scale_int_ceil (self->latency, GST_SECOND,
          GST_AUDIO_INFO_RATE (&self->info));
    GST_OBJECT_UNLOCK (self);
    GST_DEBUG_OBJECT (self, "our latency %" GST_TIME_FORMAT ", upstream min %"
        GST_TIME_FORMAT " max %" GST_TIME_FORMAT, GST_TIME_ARGS (ours),
        GST_TIME_ARGS (min), GST_TIME_ARGS (max));
    min += ours;
    if (GST_CLOCK_TIME_IS_VALID (max))
      max += ours;
    gst_query_set_latency (query, live, min, max);
  }
  return res;
}

/* ---- data ------------------------------------------------------------------ */

static GstFlowReturn
gst_true_peak_limiter_submit_input_buffer (GstBaseTransform * trans,
    gboolean is_discont, GstBuffer * buf)
{
  GstTruePeakLimiter *self = GST_TRUE_PEAK_LIMITER (trans);
  GstClockTime pts = GST_BUFFER_PTS (buf);
  gboolean gap = GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_GAP);
  GstMapInfo in_map, out_map;
  const guint8 *in = NULL;
  GList *msgs = NULL;
  gsize bpf, n, kept, nf = 0;
  GstBuffer *out;
  Span *span;
  gboolean latency_changed = FALSE;

  gst_mst_sync_values (trans, pts);

  GST_OBJECT_LOCK (self);
  if (G_UNLIKELY (self->core == NULL)) {
    GST_OBJECT_UNLOCK (self);
    gst_buffer_unref (buf);
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, (NULL),
        ("no format negotiated before the first buffer"));
    return GST_FLOW_NOT_NEGOTIATED;
  }
  if (G_UNLIKELY (self->reconfigure)) {
    guint old = self->latency;

    /* new look-ahead or oversampling: out with what the old core holds,
     * then a new one */
    drain_locked (self, &msgs);
    if (!make_core (self)) {
      GST_OBJECT_UNLOCK (self);
      gst_buffer_unref (buf);
      post_messages (self, msgs);
      GST_ELEMENT_ERROR (self, CORE, FAILED, (NULL),
          ("cannot create the limiter"));
      return GST_FLOW_ERROR;
    }
    /* the queued drain output is continuous with what follows */
    self->discont = FALSE;
    latency_changed = old != self->latency;
  }
  bpf = GST_AUDIO_INFO_BPF (&self->info);
  GST_OBJECT_UNLOCK (self);

  if (gap) {
    n = gst_buffer_get_size (buf) / bpf;
    if (n == 0 && GST_BUFFER_DURATION_IS_VALID (buf))
      n = gst_util_uint64_scale_int_round (GST_BUFFER_DURATION (buf),
          GST_AUDIO_INFO_RATE (&self->info), GST_SECOND);
  } else {
    if (!gst_buffer_map (buf, &in_map, GST_MAP_READ)) {
      gst_buffer_unref (buf);
      GST_ELEMENT_ERROR (self, RESOURCE, READ, (NULL),
          ("failed to map buffer"));
      return GST_FLOW_ERROR;
    }
    in = in_map.data;
    n = in_map.size / bpf;
    if (G_UNLIKELY (in_map.size % bpf != 0))
      GST_WARNING_OBJECT (self, "buffer of %" G_GSIZE_FORMAT " bytes is not "
          "a whole number of %" G_GSIZE_FORMAT "-byte frames", in_map.size,
          bpf);
  }

  GST_OBJECT_LOCK (self);
  span = g_new0 (Span, 1);
  span->start = self->in_frames;
  span->n = n;
  span->pts = pts;
  span->offset = GST_BUFFER_OFFSET (buf);
  span->discont = is_discont || GST_BUFFER_IS_DISCONT (buf);
  if (n > 0)
    g_queue_push_tail (&self->spans, span);
  else
    g_free (span);

  out = gst_buffer_new_allocate (NULL, n * bpf, NULL);
  gst_buffer_map (out, &out_map, GST_MAP_WRITE);
  kept = run_core (self, in, n, out_map.data, &msgs, &nf);
  gst_buffer_unmap (out, &out_map);
  if (kept > 0) {
    gst_buffer_resize (out, 0, kept * bpf);
    queue_output (self, out, kept);
  } else {
    gst_buffer_unref (out);
  }
  GST_OBJECT_UNLOCK (self);

  if (in)
    gst_buffer_unmap (buf, &in_map);
  gst_buffer_unref (buf);

  warn_non_finite (self, nf);
  post_messages (self, msgs);
  if (latency_changed)
    gst_element_post_message (GST_ELEMENT (self),
        gst_message_new_latency (GST_OBJECT (self)));
  return GST_FLOW_OK;
}

static GstFlowReturn
gst_true_peak_limiter_generate_output (GstBaseTransform * trans,
    GstBuffer ** outbuf)
{
  GstTruePeakLimiter *self = GST_TRUE_PEAK_LIMITER (trans);

  *outbuf = g_queue_pop_head (&self->outq);
  return GST_FLOW_OK;
}
