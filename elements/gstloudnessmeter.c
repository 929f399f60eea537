/* gst-mastering — loudnessmeter: EBU R 128 / ITU-R BS.1770 loudness meter
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/**
 * SECTION:element-loudnessmeter
 * @title: loudnessmeter
 *
 * Measures programme loudness as defined by ITU-R BS.1770 and EBU R 128 /
 * Tech 3341 / Tech 3342 and posts the results as element messages.  The
 * audio passes through untouched (the buffers are not even mapped for
 * writing).
 *
 * Every #GstLoudnessMeter:interval of stream time an element message
 * named `loudnessmeter` is posted on the bus, and once more, with `final`
 * set to %TRUE, when EOS arrives (before the EOS event is forwarded).  All
 * fields are present in every message:
 *
 * * `timestamp` (#guint64, ns): buffer time of the first frame of the
 *   interval the message covers.
 * * `stream-time` (#guint64, ns): `timestamp` as stream time.
 * * `running-time` (#guint64, ns): `timestamp` as running time.
 * * `duration` (#guint64, ns): length of the interval (shorter in the
 *   final message, 0 if nothing came after the last full interval).
 * * `momentary-loudness` (#gdouble, LUFS): loudness of the last 400 ms.
 * * `shortterm-loudness` (#gdouble, LUFS): loudness of the last 3 s.
 * * `global-loudness` (#gdouble, LUFS): gated integrated loudness since the
 *   start of the measurement (BS.1770-4 Annex 1).
 * * `relative-threshold` (#gdouble, LUFS): the relative gate used for
 *   `global-loudness`.
 * * `loudness-range` (#gdouble, LU): loudness range (EBU Tech 3342); 0 when
 *   no short-term value passes its gates.
 * * `sample-peak` (#GstValueArray of #gdouble, linear, one per channel):
 *   largest absolute sample value since the start of the measurement.
 * * `true-peak` (#GstValueArray of #gdouble, linear, one per channel):
 *   largest 4x-oversampled peak (BS.1770 Annex 2) since the start of the
 *   measurement; stops updating while #GstLoudnessMeter:true-peak is off.
 * * `momentary-max` (#gdouble, LUFS): largest momentary loudness.
 * * `shortterm-max` (#gdouble, LUFS): largest short-term loudness.
 * * `true-peak-max` (#gdouble, dBTP): largest true peak over all channels.
 * * `sample-peak-max` (#gdouble, dBFS): largest sample peak over all
 *   channels.
 * * `plr` (#gdouble, LU): peak-to-loudness ratio, `true-peak-max` minus
 *   `global-loudness`.
 * * `final` (#gboolean): %TRUE for the message posted on EOS.
 *
 * Undefined values (nothing measured yet, everything below the gates) are
 * -inf, never NaN; `plr` is -inf when either of its terms is.
 *
 * The measurement (everything except the time fields) starts when the caps
 * are set and runs until the caps change or the #GstLoudnessMeter::reset
 * action signal is emitted.  On a caps change, a message for the unfinished
 * interval (shorter `duration`, `final` %FALSE) reports the old measurement
 * before the new one starts.  A flush does not end it (a FLUSH_STOP only
 * restarts the interval bookkeeping), so seeking in a file keeps adding to
 * the same measurement; emit #GstLoudnessMeter::reset to start afresh.  GAP
 * buffers and GAP events are measured as digital silence of their duration,
 * a DISCONT buffer restarts the current interval (like `level`).  A buffer
 * whose timestamp lies more than 40 ms (GStreamer's usual alignment
 * threshold) after the end of the audio before it, without DISCONT, is a
 * discontinuity: the missing time is measured as silence, as for a gap, so
 * that loudness falls and message timestamps follow the audio; one more than
 * 40 ms before it restarts the interval.  Non-finite samples (NaN, ±inf) are
 * measured as silence; one warning is posted per stream.
 *
 * Channel weights follow BS.1770 Annex 1/3 from the channel positions:
 * LFE channels are excluded; SIDE_*, WIDE_* and SURROUND_* channels, and
 * REAR_LEFT/REAR_RIGHT when the layout has no SIDE_* channels (the Ls/Rs
 * pair of 5.x), weigh 1.41; REAR_LEFT/REAR_RIGHT of a 7.x layout that also
 * has SIDE_* channels, and all other positions, weigh 1.0.  The channel of
 * a one-channel stream (MONO, FRONT_CENTER or unpositioned) weighs 2.0
 * with #GstLoudnessMeter:dual-mono.  Unpositioned channels
 * (channel-mask 0) all weigh 1.0: no layout is guessed, so no channel is
 * silently dropped as LFE.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 -m filesrc location=song.flac ! decodebin ! audioconvert ! \
 *     loudnessmeter interval=1000000000 ! fakesink
 * ]| Prints a loudness message every second and a final one at the end.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <math.h>
#include <string.h>

#include "gstloudnessmeter.h"
#include "gst/mstchannels.h"
#include "gst/mstutils.h"
#include "dsp/loudness.h"

GST_DEBUG_CATEGORY_STATIC (gst_loudness_meter_debug);
#define GST_CAT_DEFAULT gst_loudness_meter_debug

#define DEFAULT_PROP_TRUE_PEAK      TRUE
#define DEFAULT_PROP_DUAL_MONO      FALSE

enum
{
  PROP_0,
  PROP_INTERVAL,
  PROP_POST_MESSAGES,
  PROP_TRUE_PEAK,
  PROP_DUAL_MONO,
};

enum
{
  SIGNAL_RESET,
  LAST_SIGNAL
};

static guint gst_loudness_meter_signals[LAST_SIGNAL];

/* Message field names, interned once (class_init): a message goes out
 * every 100 ms of audio by default, and looking up names is a measurable
 * part of its cost when a file is analysed faster than real time. */
static GQuark q_momentary, q_shortterm, q_global, q_relative, q_range;
static GQuark q_momentary_max, q_shortterm_max, q_true_peak_max;
static GQuark q_sample_peak_max, q_plr, q_final;

/* Adds n_frames interleaved frames of the negotiated format to the core;
 * returns the number of non-finite samples measured as silence. */
typedef gsize (*GstLoudnessMeterProcessFunc) (MstLoudness * core,
    gconstpointer data, gsize n_frames);

struct _GstLoudnessMeter
{
  GstAudioFilter parent;

  /* properties, under the object lock */
  gboolean true_peak;
  gboolean dual_mono;

  /* measurement state, under the object lock (the streaming thread holds
   * it while processing, the reset signal and set_property take it) */
  MstLoudness *core;
  GstLoudnessMeterProcessFunc process;
  GstAudioInfo info;            /* caps the core was made for */
  GstMstInterval iv;            /* message interval bookkeeping, with the
                                 * `interval` and `post-messages`
                                 * properties */

  /* streaming thread only */
  gboolean warned_non_finite;   /* the once-per-stream NaN warning */
  guint64 non_finite;           /* non-finite samples seen in this stream */
  guint64 frames;               /* measured since caps (controller grid) */
  GstClockTime next_ts;         /* where the audio measured so far ends,
                                 * NONE when unknown */
};

/* A timestamp more than this away from where the previous audio ended is
 * a discontinuity (GstAudioBaseSink's default alignment threshold). */
#define JUMP_THRESHOLD (40 * GST_MSECOND)

#define ALLOWED_CAPS \
  GST_MST_AUDIO_CAPS (GST_AUDIO_NE (S16) ", " GST_AUDIO_NE (S32) ", " \
      GST_AUDIO_NE (F32) ", " GST_AUDIO_NE (F64))

#define gst_loudness_meter_parent_class parent_class
G_DEFINE_TYPE (GstLoudnessMeter, gst_loudness_meter, GST_TYPE_AUDIO_FILTER);
GST_ELEMENT_REGISTER_DEFINE (loudnessmeter, "loudnessmeter", GST_RANK_NONE,
    GST_TYPE_LOUDNESS_METER);

static void gst_loudness_meter_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec);
static void gst_loudness_meter_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec);
static void gst_loudness_meter_finalize (GObject * object);
static gboolean gst_loudness_meter_setup (GstAudioFilter * filter,
    const GstAudioInfo * info);
static gboolean gst_loudness_meter_start (GstBaseTransform * trans);
static gboolean gst_loudness_meter_stop (GstBaseTransform * trans);
static gboolean gst_loudness_meter_sink_event (GstBaseTransform * trans,
    GstEvent * event);
static GstFlowReturn gst_loudness_meter_transform_ip (GstBaseTransform *
    trans, GstBuffer * buf);
static void gst_loudness_meter_reset (GstLoudnessMeter * self);
static void gst_loudness_meter_gap (GstLoudnessMeter * self, GstEvent * event);
static GstMessage *gst_loudness_meter_message_new (GstLoudnessMeter * self,
    GstClockTime timestamp, GstClockTime duration, gboolean final);

/* One wrapper per format, stamped by a macro, so that the format is
 * dispatched once per caps through a single function-pointer type. */
#define DEFINE_PROCESS_FUNC(fmt, ctype)                                   \
static gsize                                                              \
process_##fmt (MstLoudness * core, gconstpointer data, gsize n_frames)    \
{                                                                         \
  return mst_loudness_process_##fmt (core, (const ctype *) data,          \
      n_frames);                                                          \
}

DEFINE_PROCESS_FUNC (s16, int16_t)
DEFINE_PROCESS_FUNC (s32, int32_t)
DEFINE_PROCESS_FUNC (f32, float)
DEFINE_PROCESS_FUNC (f64, double)

static GstLoudnessMeterProcessFunc
gst_loudness_meter_choose_func (GstAudioFormat format)
{
  switch (format) {
    case GST_AUDIO_FORMAT_S16:
      return process_s16;
    case GST_AUDIO_FORMAT_S32:
      return process_s32;
    case GST_AUDIO_FORMAT_F32:
      return process_f32;
    case GST_AUDIO_FORMAT_F64:
      return process_f64;
    default:
      return NULL;
  }
}

static void
gst_loudness_meter_class_init (GstLoudnessMeterClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstAudioFilterClass *filter_class = GST_AUDIO_FILTER_CLASS (klass);
  GstCaps *caps;

  GST_DEBUG_CATEGORY_INIT (gst_loudness_meter_debug, "loudnessmeter", 0,
      "EBU R 128 loudness meter");

  q_momentary = g_quark_from_static_string ("momentary-loudness");
  q_shortterm = g_quark_from_static_string ("shortterm-loudness");
  q_global = g_quark_from_static_string ("global-loudness");
  q_relative = g_quark_from_static_string ("relative-threshold");
  q_range = g_quark_from_static_string ("loudness-range");
  q_momentary_max = g_quark_from_static_string ("momentary-max");
  q_shortterm_max = g_quark_from_static_string ("shortterm-max");
  q_true_peak_max = g_quark_from_static_string ("true-peak-max");
  q_sample_peak_max = g_quark_from_static_string ("sample-peak-max");
  q_plr = g_quark_from_static_string ("plr");
  q_final = g_quark_from_static_string ("final");

  gobject_class->set_property = gst_loudness_meter_set_property;
  gobject_class->get_property = gst_loudness_meter_get_property;
  gobject_class->finalize = gst_loudness_meter_finalize;

  /**
   * GstLoudnessMeter:interval:
   *
   * Stream time between two messages, in nanoseconds; at least 10 ms (the
   * refresh period of the fastest displays: the loudness values move on
   * their 100 ms block grid, so shorter intervals would only add bus
   * traffic).  Controllable, like #GstLoudnessMeter:post-messages: the
   * controller is synced every 10 ms of audio.
   */
  /**
   * GstLoudnessMeter:post-messages:
   *
   * Whether to post the periodic and final `loudnessmeter` messages.  The
   * measurement goes on while it is off.
   */
  gst_mst_install_message_properties (gobject_class, PROP_INTERVAL,
      PROP_POST_MESSAGES);

  /**
   * GstLoudnessMeter:true-peak:
   *
   * Whether to run the 4x true-peak oversampler.  While off, the
   * `true-peak` values keep what was measured while it was on.
   */
  g_object_class_install_property (gobject_class, PROP_TRUE_PEAK,
      g_param_spec_boolean ("true-peak", "True peak",
          "Measure the true peak (BS.1770 Annex 2, 4x oversampling); off "
          "saves CPU and freezes the true-peak values",
          DEFAULT_PROP_TRUE_PEAK,
          G_PARAM_READWRITE | GST_PARAM_MUTABLE_PLAYING |
          G_PARAM_STATIC_STRINGS));

  /**
   * GstLoudnessMeter:dual-mono:
   *
   * Weight the channel of a one-channel stream 2.0 (+3.01 dB): a mono
   * programme meant to be played on two loudspeakers.  No effect on
   * streams with more channels.  A change applies to the audio that
   * follows; emit #GstLoudnessMeter::reset for a clean measurement.
   */
  g_object_class_install_property (gobject_class, PROP_DUAL_MONO,
      g_param_spec_boolean ("dual-mono", "Dual mono",
          "Measure a one-channel stream as dual mono (weight 2.0, "
          "+3.01 dB)",
          DEFAULT_PROP_DUAL_MONO,
          G_PARAM_READWRITE | GST_PARAM_MUTABLE_PLAYING |
          G_PARAM_STATIC_STRINGS));

  /**
   * GstLoudnessMeter::reset:
   * @loudnessmeter: the element
   *
   * Action signal: starts a new measurement (loudness, maxima, peaks and
   * the current interval).
   */
  gst_loudness_meter_signals[SIGNAL_RESET] =
      g_signal_new_class_handler ("reset", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (gst_loudness_meter_reset), NULL, NULL, NULL,
      G_TYPE_NONE, 0);

  gst_element_class_set_static_metadata (element_class,
      "Loudness meter", "Filter/Analyzer/Audio",
      "Measures EBU R 128 / ITU-R BS.1770 loudness, loudness range and "
      "true peak and posts them as messages",
      "gst-mastering developers");

  caps = gst_caps_from_string (ALLOWED_CAPS);
  gst_audio_filter_class_add_pad_templates (filter_class, caps);
  gst_caps_unref (caps);

  trans_class->start = GST_DEBUG_FUNCPTR (gst_loudness_meter_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_loudness_meter_stop);
  trans_class->sink_event = GST_DEBUG_FUNCPTR (gst_loudness_meter_sink_event);
  trans_class->transform_ip =
      GST_DEBUG_FUNCPTR (gst_loudness_meter_transform_ip);
  trans_class->passthrough_on_same_caps = TRUE;
  trans_class->transform_ip_on_passthrough = TRUE;

  filter_class->setup = GST_DEBUG_FUNCPTR (gst_loudness_meter_setup);
}

static void
gst_loudness_meter_init (GstLoudnessMeter * self)
{
  self->true_peak = DEFAULT_PROP_TRUE_PEAK;
  self->dual_mono = DEFAULT_PROP_DUAL_MONO;
  gst_audio_info_init (&self->info);
  gst_mst_interval_init (&self->iv, GST_MST_DEFAULT_INTERVAL);

  gst_base_transform_set_passthrough (GST_BASE_TRANSFORM (self), TRUE);
  gst_base_transform_set_gap_aware (GST_BASE_TRANSFORM (self), TRUE);
}

static void
gst_loudness_meter_finalize (GObject * object)
{
  GstLoudnessMeter *self = GST_LOUDNESS_METER (object);

  g_clear_pointer (&self->core, mst_loudness_free);

  G_OBJECT_CLASS (parent_class)->finalize (object);
}


/* Call with the object lock held. */
static void
gst_loudness_meter_apply_weights (GstLoudnessMeter * self)
{
  guint ch;

  if (self->core == NULL)
    return;

  for (ch = 0; ch < (guint) GST_AUDIO_INFO_CHANNELS (&self->info); ch++) {
    gdouble w = gst_mst_channel_weight (&self->info, ch,
        self->dual_mono);

    GST_DEBUG_OBJECT (self, "channel %u (position %d): weight %.2f", ch,
        GST_AUDIO_INFO_POSITION (&self->info, ch), w);
    mst_loudness_set_channel_weight (self->core, ch, w);
  }
}

static void
gst_loudness_meter_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstLoudnessMeter *self = GST_LOUDNESS_METER (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_TRUE_PEAK:
      self->true_peak = g_value_get_boolean (value);
      if (self->core)
        mst_loudness_set_true_peak (self->core, self->true_peak);
      break;
    case PROP_DUAL_MONO:
      self->dual_mono = g_value_get_boolean (value);
      gst_loudness_meter_apply_weights (self);
      break;
    default:
      if (!gst_mst_message_property_set (&self->iv, pspec, value))
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_loudness_meter_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstLoudnessMeter *self = GST_LOUDNESS_METER (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_TRUE_PEAK:
      g_value_set_boolean (value, self->true_peak);
      break;
    case PROP_DUAL_MONO:
      g_value_set_boolean (value, self->dual_mono);
      break;
    default:
      if (!gst_mst_message_property_get (&self->iv, pspec, value))
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_loudness_meter_reset (GstLoudnessMeter * self)
{
  GST_INFO_OBJECT (self, "starting a new measurement");

  GST_OBJECT_LOCK (self);
  if (self->core)
    mst_loudness_reset (self->core);
  gst_mst_interval_restart (&self->iv);
  GST_OBJECT_UNLOCK (self);
}

static gboolean
gst_loudness_meter_setup (GstAudioFilter * filter, const GstAudioInfo * info)
{
  GstLoudnessMeter *self = GST_LOUDNESS_METER (filter);
  GstLoudnessMeterProcessFunc process;
  MstLoudness *core, *old = NULL;
  GstMessage *last = NULL;
  gint rate = GST_AUDIO_INFO_RATE (info);
  gint channels = GST_AUDIO_INFO_CHANNELS (info);
  gboolean true_peak;

  process = gst_loudness_meter_choose_func (GST_AUDIO_INFO_FORMAT (info));
  if (process == NULL) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, (NULL),
        ("unsupported format %s",
            gst_audio_format_to_string (GST_AUDIO_INFO_FORMAT (info))));
    return FALSE;
  }

  GST_OBJECT_LOCK (self);
  if (self->core && gst_audio_info_is_equal (info, &self->info)) {
    /* same caps again: not a caps change, keep measuring */
    GST_OBJECT_UNLOCK (self);
    GST_DEBUG_OBJECT (self, "caps unchanged, measurement goes on");
    return TRUE;
  }
  true_peak = self->true_peak;
  GST_OBJECT_UNLOCK (self);

  core = mst_loudness_new (rate, channels,
      true_peak ? MST_LOUDNESS_TRUE_PEAK : 0);
  if (core == NULL) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, (NULL),
        ("cannot measure %d channels at %d Hz", channels, rate));
    return FALSE;
  }

  GST_OBJECT_LOCK (self);
  old = self->core;
  /* report what the old measurement had in its unfinished interval */
  if (old && self->iv.post && self->iv.frames > 0)
    last = gst_loudness_meter_message_new (self, self->iv.start,
        gst_mst_interval_duration (&self->iv), FALSE);
  self->core = core;
  self->process = process;
  self->info = *info;
  /* true-peak may have changed while unlocked */
  mst_loudness_set_true_peak (core, self->true_peak);
  gst_loudness_meter_apply_weights (self);
  gst_mst_interval_configure (&self->iv, self->iv.interval, rate);
  gst_mst_interval_restart (&self->iv);
  GST_OBJECT_UNLOCK (self);
  self->frames = 0;
  self->next_ts = GST_CLOCK_TIME_NONE;

  if (last)
    gst_element_post_message (GST_ELEMENT (self), last);
  if (old) {
    GST_INFO_OBJECT (self, "caps changed: new measurement");
    mst_loudness_free (old);
  }
  GST_DEBUG_OBJECT (self, "measuring %s, %d channels at %d Hz",
      gst_audio_format_to_string (GST_AUDIO_INFO_FORMAT (info)), channels,
      rate);

  return TRUE;
}

static gboolean
gst_loudness_meter_start (GstBaseTransform * trans)
{
  GstLoudnessMeter *self = GST_LOUDNESS_METER (trans);

  self->warned_non_finite = FALSE;
  self->non_finite = 0;
  self->next_ts = GST_CLOCK_TIME_NONE;

  return TRUE;
}

static gboolean
gst_loudness_meter_stop (GstBaseTransform * trans)
{
  GstLoudnessMeter *self = GST_LOUDNESS_METER (trans);

  GST_OBJECT_LOCK (self);
  g_clear_pointer (&self->core, mst_loudness_free);
  self->process = NULL;
  gst_audio_info_init (&self->info);
  gst_mst_interval_reset (&self->iv);
  GST_OBJECT_UNLOCK (self);

  return TRUE;
}

/* -inf for anything undefined, never NaN */
static inline gdouble
defined_or_ninf (gdouble v)
{
  return isnan (v) ? -INFINITY : v;
}

/* Builds the message for [timestamp, timestamp + duration).  Call with the
 * object lock held and a core. */
static GstMessage *
gst_loudness_meter_message_new (GstLoudnessMeter * self,
    GstClockTime timestamp, GstClockTime duration, gboolean final)
{
  MstLoudness *core = self->core;
  guint channels = mst_loudness_channels (core);
  gdouble sample_peak[MST_LOUDNESS_MAX_CHANNELS];
  gdouble true_peak[MST_LOUDNESS_MAX_CHANNELS];
  gdouble sp_max = 0.0, tp_max = 0.0, global, tp_max_db, plr;
  GstStructure *s;
  guint ch;

  for (ch = 0; ch < channels; ch++) {
    sample_peak[ch] = mst_loudness_sample_peak (core, ch);
    true_peak[ch] = mst_loudness_true_peak (core, ch);
    if (isnan (sample_peak[ch]))
      sample_peak[ch] = 0.0;
    if (isnan (true_peak[ch]))
      true_peak[ch] = 0.0;
    sp_max = MAX (sp_max, sample_peak[ch]);
    tp_max = MAX (tp_max, true_peak[ch]);
  }

  global = defined_or_ninf (mst_loudness_integrated (core));
  tp_max_db = gst_mst_to_db (tp_max);
  if (isfinite (global) && isfinite (tp_max_db))
    plr = tp_max_db - global;
  else
    plr = -INFINITY;

  s = gst_mst_message_structure_new (GST_BASE_TRANSFORM (self),
      "loudnessmeter", timestamp, duration);
  gst_structure_id_set (s,
      q_momentary, G_TYPE_DOUBLE,
      defined_or_ninf (mst_loudness_momentary (core)),
      q_shortterm, G_TYPE_DOUBLE,
      defined_or_ninf (mst_loudness_shortterm (core)),
      q_global, G_TYPE_DOUBLE, global,
      q_relative, G_TYPE_DOUBLE,
      defined_or_ninf (mst_loudness_relative_threshold (core)),
      q_range, G_TYPE_DOUBLE,
      defined_or_ninf (mst_loudness_range (core)), NULL);
  gst_mst_structure_set_double_array (s, "sample-peak", sample_peak,
      channels);
  gst_mst_structure_set_double_array (s, "true-peak", true_peak, channels);
  gst_structure_id_set (s,
      q_momentary_max, G_TYPE_DOUBLE,
      defined_or_ninf (mst_loudness_momentary_max (core)),
      q_shortterm_max, G_TYPE_DOUBLE,
      defined_or_ninf (mst_loudness_shortterm_max (core)),
      q_true_peak_max, G_TYPE_DOUBLE, tp_max_db,
      q_sample_peak_max, G_TYPE_DOUBLE, gst_mst_to_db (sp_max),
      q_plr, G_TYPE_DOUBLE, plr, q_final, G_TYPE_BOOLEAN, final, NULL);

  GST_LOG_OBJECT (self, "%" GST_PTR_FORMAT, s);

  return gst_message_new_element (GST_OBJECT (self), s);
}

static gboolean
gst_loudness_meter_sink_event (GstBaseTransform * trans, GstEvent * event)
{
  GstLoudnessMeter *self = GST_LOUDNESS_METER (trans);

  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_EOS:{
      GstMessage *msg = NULL;

      /* the final message goes out before EOS is forwarded */
      GST_OBJECT_LOCK (self);
      if (self->core && self->iv.post)
        msg = gst_loudness_meter_message_new (self, self->iv.start,
            gst_mst_interval_duration (&self->iv), TRUE);
      gst_mst_interval_restart (&self->iv);
      GST_OBJECT_UNLOCK (self);

      if (msg)
        gst_element_post_message (GST_ELEMENT (self), msg);
      break;
    }
    case GST_EVENT_FLUSH_STOP:
      /* the measurement goes on (emit "reset" to end it); only the
       * interval restarts, at the first buffer after the flush */
      GST_OBJECT_LOCK (self);
      gst_mst_interval_restart (&self->iv);
      GST_OBJECT_UNLOCK (self);
      self->next_ts = GST_CLOCK_TIME_NONE;
      break;
    case GST_EVENT_SEGMENT:
      /* timestamps of a new segment need not follow the old ones */
      self->next_ts = GST_CLOCK_TIME_NONE;
      break;
    case GST_EVENT_GAP:
      gst_loudness_meter_gap (self, event);
      break;
    case GST_EVENT_STREAM_START:
      self->warned_non_finite = FALSE;
      self->non_finite = 0;
      break;
    default:
      break;
  }

  return GST_BASE_TRANSFORM_CLASS (parent_class)->sink_event (trans, event);
}

/* Measures n frames (data NULL: digital silence) that start at time ts
 * (NONE if unknown): up to each interval boundary, so that a message
 * covers exactly one interval and is posted as soon as it is full, and,
 * with active control bindings, in chunks of the controller grid synced
 * at their own time.  Returns the number of non-finite samples (measured
 * as silence).  Streaming thread, object lock not held. */
static gsize
gst_loudness_meter_measure (GstLoudnessMeter * self, const guint8 * data,
    gsize n, GstClockTime ts)
{
  GstBaseTransform *trans = GST_BASE_TRANSFORM (self);
  gsize offset = 0, non_finite = 0;
  guint64 grid;
  gint rate;

  GST_OBJECT_LOCK (self);
  rate = GST_AUDIO_INFO_RATE (&self->info);
  GST_OBJECT_UNLOCK (self);
  grid = gst_mst_control_grid (GST_OBJECT (self), rate);

  while (offset < n) {
    GstClockTime t = GST_CLOCK_TIME_IS_VALID (ts) ?
        ts + gst_util_uint64_scale_int_round (offset, GST_SECOND, rate) :
        GST_CLOCK_TIME_NONE;
    GstMessage *msg = NULL;
    gsize chunk;

    if (offset == 0 || grid > 0)
      gst_mst_sync_values (trans, t);

    GST_OBJECT_LOCK (self);
    /* interval restarted inside this buffer (reset signal) */
    gst_mst_interval_sync (&self->iv, t);
    chunk = MIN (gst_mst_interval_remaining (&self->iv), n - offset);
    chunk = gst_mst_control_chunk (grid, self->frames, chunk);
    if (data)
      non_finite += self->process (self->core,
          data + offset * GST_AUDIO_INFO_BPF (&self->info), chunk);
    else
      mst_loudness_process_silence (self->core, chunk);
    offset += chunk;
    self->frames += chunk;

    if (gst_mst_interval_add (&self->iv, chunk)) {
      if (self->iv.post)
        msg = gst_loudness_meter_message_new (self, self->iv.start,
            gst_mst_interval_duration (&self->iv), FALSE);
      gst_mst_interval_next (&self->iv);
    }
    GST_OBJECT_UNLOCK (self);

    /* never post with the object lock held */
    if (msg)
      gst_element_post_message (GST_ELEMENT (self), msg);
  }
  return non_finite;
}

/* Before measuring what starts at ts: a timestamp more than
 * JUMP_THRESHOLD after the end of the audio measured so far (and no
 * DISCONT) means time that was not sent, measured as silence like a GAP;
 * one more than JUMP_THRESHOLD before it restarts the interval at ts, as
 * a DISCONT would. */
static void
gst_loudness_meter_follow (GstLoudnessMeter * self, GstClockTime ts,
    gboolean discont)
{
  GstClockTime next = self->next_ts;

  if (discont || !GST_CLOCK_TIME_IS_VALID (ts) ||
      !GST_CLOCK_TIME_IS_VALID (next))
    return;
  if (ts > next + JUMP_THRESHOLD) {
    gsize n;

    GST_OBJECT_LOCK (self);
    n = gst_util_uint64_scale_int_round (ts - next,
        GST_AUDIO_INFO_RATE (&self->info), GST_SECOND);
    GST_OBJECT_UNLOCK (self);
    GST_DEBUG_OBJECT (self, "timestamp jump %" GST_TIME_FORMAT " -> %"
        GST_TIME_FORMAT " without DISCONT: %" G_GSIZE_FORMAT " frames of "
        "silence", GST_TIME_ARGS (next), GST_TIME_ARGS (ts), n);
    gst_loudness_meter_measure (self, NULL, n, next);
  } else if (ts + JUMP_THRESHOLD < next) {
    GST_DEBUG_OBJECT (self, "timestamp jump back %" GST_TIME_FORMAT " -> %"
        GST_TIME_FORMAT " without DISCONT: new interval", GST_TIME_ARGS (next),
        GST_TIME_ARGS (ts));
    GST_OBJECT_LOCK (self);
    gst_mst_interval_restart_at (&self->iv, ts);
    GST_OBJECT_UNLOCK (self);
  }
}

/* A GAP event: silence of its duration. */
static void
gst_loudness_meter_gap (GstLoudnessMeter * self, GstEvent * event)
{
  GstClockTime ts, duration;
  gsize n = 0;

  gst_event_parse_gap (event, &ts, &duration);
  if (!GST_CLOCK_TIME_IS_VALID (duration))
    return;
  GST_OBJECT_LOCK (self);
  if (self->core)
    n = gst_util_uint64_scale_int_round (duration,
        GST_AUDIO_INFO_RATE (&self->info), GST_SECOND);
  GST_OBJECT_UNLOCK (self);
  if (n == 0)
    return;
  GST_LOG_OBJECT (self, "gap of %" G_GSIZE_FORMAT " frames at %"
      GST_TIME_FORMAT, n, GST_TIME_ARGS (ts));
  gst_loudness_meter_follow (self, ts, FALSE);
  gst_loudness_meter_measure (self, NULL, n, ts);
  self->next_ts = GST_CLOCK_TIME_IS_VALID (ts) ? ts + duration :
      GST_CLOCK_TIME_NONE;
}

static GstFlowReturn
gst_loudness_meter_transform_ip (GstBaseTransform * trans, GstBuffer * buf)
{
  GstLoudnessMeter *self = GST_LOUDNESS_METER (trans);
  GstClockTime pts = GST_BUFFER_PTS (buf);
  GstAudioInfo info;
  GstMstFrames f;
  gsize non_finite;

  GST_OBJECT_LOCK (self);
  if (G_UNLIKELY (self->core == NULL)) {
    GST_OBJECT_UNLOCK (self);
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, (NULL),
        ("no format negotiated before the first buffer"));
    return GST_FLOW_NOT_NEGOTIATED;
  }
  info = self->info;
  GST_OBJECT_UNLOCK (self);

  if (!gst_mst_frames_map (&f, GST_ELEMENT (self), buf, &info))
    return GST_FLOW_ERROR;

  GST_LOG_OBJECT (self, "%s buffer of %" G_GSIZE_FORMAT " frames at %"
      GST_TIME_FORMAT, f.data ? "audio" : "gap", f.n_frames,
      GST_TIME_ARGS (pts));

  gst_loudness_meter_follow (self, pts, GST_BUFFER_IS_DISCONT (buf));
  GST_OBJECT_LOCK (self);
  gst_mst_interval_buffer (&self->iv, buf);
  GST_OBJECT_UNLOCK (self);
  non_finite = gst_loudness_meter_measure (self, f.data, f.n_frames, pts);
  gst_mst_frames_unmap (&f);

  self->next_ts = GST_CLOCK_TIME_IS_VALID (pts) ?
      pts + gst_util_uint64_scale_int_round (f.n_frames, GST_SECOND,
      GST_AUDIO_INFO_RATE (&info)) : GST_CLOCK_TIME_NONE;
  gst_mst_warn_non_finite (GST_ELEMENT (self), &self->warned_non_finite,
      &self->non_finite, non_finite, pts);

  return GST_FLOW_OK;
}
