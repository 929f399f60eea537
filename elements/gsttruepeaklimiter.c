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
 * detector's interpolator delay, 24 samples, and the band limit's 40),
 * which the element reports in the latency query.  Timestamps are
 * preserved: output sample n is input sample n and carries its
 * timestamp; the element holds the last `latency` samples and, at EOS
 * (and before a new segment, a gap event or a format change), pushes
 * them before forwarding the event, so the output has exactly as many
 * samples as the input.  A flush drops them.  NaN and infinite input
 * samples are replaced by silence (one warning per stream).  Controlled
 * properties are synced every 10 ms of input, so automation takes effect
 * within 10 ms of its time whatever the buffer size.  A non-finite
 * property value (NaN, ±inf) is rejected with a warning in the debug log
 * and the previous value kept.
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
#define DEFAULT_PROP_BAND_LIMIT TRUE
#define DEFAULT_PROP_LINK          GST_TRUE_PEAK_LIMITER_LINK_LINKED

enum
{
  PROP_0,
  PROP_CEILING,
  PROP_INPUT_GAIN,
  PROP_RELEASE,
  PROP_LOOKAHEAD,
  PROP_OVERSAMPLING,
  PROP_BAND_LIMIT,
  PROP_LINK,
  PROP_INTERVAL,
  PROP_POST_MESSAGES,
};

/* Runs n frames through the core: in (NULL = silence) -> out; returns
 * the number of non-finite input samples replaced by silence. */
typedef gsize (*GstTruePeakLimiterProcessFunc) (MstLimiter * core,
    gconstpointer in, gpointer out, gsize n);

struct _GstTruePeakLimiter
{
  GstMstLookahead parent;

  /* properties, under the object lock */
  gdouble ceiling;              /* dBTP */
  gdouble input_gain;           /* dB */
  gdouble release;              /* ms */
  gdouble lookahead;            /* ms */
  gint oversampling;            /* factor */
  gboolean band_limit;
  gint link;                    /* GstTruePeakLimiterLink */

  /* processing state, under the object lock */
  MstLimiter *core;
  GstTruePeakLimiterProcessFunc process;
  gsize bpf;                    /* bytes per frame */
  GstMstInterval iv;            /* of output frames; `interval` and
                                 * `post-messages` */
  gdouble iv_min_gain;          /* smallest gain in the interval */
  gdouble last_gain;            /* gain of the last output frame (kept
                                 * across the core reset after a drain) */
  guint64 clips_base;           /* safety clips of cores reset/replaced */
};

#define ALLOWED_CAPS \
  GST_MST_AUDIO_CAPS (GST_AUDIO_NE (F32) ", " GST_AUDIO_NE (F64))

#define gst_true_peak_limiter_parent_class parent_class
G_DEFINE_TYPE (GstTruePeakLimiter, gst_true_peak_limiter,
    GST_TYPE_MST_LOOKAHEAD);
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
static gboolean gst_true_peak_limiter_start (GstBaseTransform * trans);
static gboolean gst_true_peak_limiter_stop (GstBaseTransform * trans);
static gboolean gst_true_peak_limiter_configure (GstMstLookahead * base,
    const GstAudioInfo * info);
static guint gst_true_peak_limiter_get_latency (GstMstLookahead * base);
static gsize gst_true_peak_limiter_process (GstMstLookahead * base,
    const GstMstLookaheadChunk * chunk);
static void gst_true_peak_limiter_reset (GstMstLookahead * base,
    gboolean flush);
static void gst_true_peak_limiter_eos (GstMstLookahead * base);

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
  GstMstLookaheadClass *lookahead_class = GST_MST_LOOKAHEAD_CLASS (klass);
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
          "Look-ahead (and latency), in milliseconds (0.5 to 100; at least 96 "
          "samples are used, 2 ms at 48 kHz)",
          MST_LIMITER_MIN_LOOKAHEAD_MS, MST_LIMITER_MAX_LOOKAHEAD_MS,
          DEFAULT_PROP_LOOKAHEAD,
          G_PARAM_READWRITE | GST_PARAM_MUTABLE_PLAYING |
          G_PARAM_STATIC_STRINGS));

  /**
   * GstTruePeakLimiter:oversampling:
   *
   * Oversampling of the peak detector (2x, 4x or 8x; `oversampling=4`
   * works on the command line).  4x is what BS.1770 meters use.  What
   * each setting guarantees: 4x and 8x, with #GstTruePeakLimiter:band-limit
   * on (the default), keep the output at or under the ceiling on the
   * project's loudnessmeter (BS.1770-4 Annex 2, 4x) and on libebur128,
   * ffmpeg's ebur128 prints the ceiling or less, and the ideal
   * band-limited reconstruction reads within 0.1 dB of it (measured
   * -1.02 dBTP for -1 on clipped full-band noise, bursts, square/saw,
   * near-Nyquist patterns and music-like material pushed 6 and 12 dB in).
   * With band-limit=false only the loudnessmeter and libebur128 bounds
   * hold: on material with much energy near Nyquist the ideal
   * reconstruction can read up to 1.4 dB and ffmpeg 0.1 dB over.  2x
   * cannot see every inter-sample peak a 4x meter sees: the loudnessmeter
   * can read over the ceiling (measured up to +0.19 dB on clipped noise
   * and bursts, the ideal reconstruction +0.53 dB).  A change
   * while playing restarts the limiter like a
   * #GstTruePeakLimiter:lookahead change.
   */
  g_object_class_install_property (gobject_class, PROP_OVERSAMPLING,
      g_param_spec_enum ("oversampling", "Oversampling",
          "Oversampling of the true-peak detector (2x, 4x, 8x)",
          GST_TYPE_TRUE_PEAK_LIMITER_OVERSAMPLING, DEFAULT_PROP_OVERSAMPLING,
          G_PARAM_READWRITE | GST_PARAM_MUTABLE_PLAYING |
          G_PARAM_STATIC_STRINGS));

  /**
   * GstTruePeakLimiter:band-limit:
   *
   * Where the limiter acts, limit the audio with a linear-phase low-pass
   * at 0.465 of the sample rate (flat to 0.44: 19.4 kHz at 44.1 kHz,
   * 21.1 kHz at 48 kHz; see docs/design.md for the measured response),
   * so that what the detector reads is what every meter reads.  Where the
   * input reads under the ceiling on every detector the output is still
   * the input, bit-exact.  Measured on hard material (clipped full-band
   * noise, bursts, square/saw, near-Nyquist patterns, music-like) pushed
   * 6 and 12 dB into a -1 dBTP ceiling: the ideal band-limited
   * reconstruction reads at most -1.02 dBTP (+0.40 without), libebur128
   * -1.004, the loudnessmeter -1.011, ffmpeg's ebur128 prints -1.0 (-0.9
   * without).  On by default; adds 40 samples of latency and about half
   * again the work (docs/benchmarks.md).  Switch it off for the full band
   * where limiting, with the weaker guarantees of
   * #GstTruePeakLimiter:oversampling.  A change while playing restarts
   * the limiter like a #GstTruePeakLimiter:lookahead change.
   */
  g_object_class_install_property (gobject_class, PROP_BAND_LIMIT,
      g_param_spec_boolean ("band-limit", "Band limit",
          "Low-pass the top of the band where limiting, so that every "
          "true-peak meter reads the ceiling or less",
          DEFAULT_PROP_BAND_LIMIT,
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
   * Output time between two messages, ns; at least 10 ms (the refresh
   * period of the fastest displays; shorter intervals would only add bus
   * traffic).  Controllable, like #GstTruePeakLimiter:post-messages.
   */
  /**
   * GstTruePeakLimiter:post-messages:
   *
   * Post `truepeaklimiter` messages on the bus.
   */
  gst_mst_install_message_properties (gobject_class, PROP_INTERVAL,
      PROP_POST_MESSAGES);

  gst_element_class_set_static_metadata (element_class,
      "True-peak limiter", "Filter/Effect/Audio",
      "Look-ahead limiter that keeps the true peak under a ceiling",
      "gst-mastering developers");

  caps = gst_caps_from_string (ALLOWED_CAPS);
  gst_audio_filter_class_add_pad_templates (filter_class, caps);
  gst_caps_unref (caps);

  trans_class->start = GST_DEBUG_FUNCPTR (gst_true_peak_limiter_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_true_peak_limiter_stop);
  lookahead_class->configure =
      GST_DEBUG_FUNCPTR (gst_true_peak_limiter_configure);
  lookahead_class->get_latency =
      GST_DEBUG_FUNCPTR (gst_true_peak_limiter_get_latency);
  lookahead_class->process = GST_DEBUG_FUNCPTR (gst_true_peak_limiter_process);
  lookahead_class->reset = GST_DEBUG_FUNCPTR (gst_true_peak_limiter_reset);
  lookahead_class->eos = GST_DEBUG_FUNCPTR (gst_true_peak_limiter_eos);

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
  self->band_limit = DEFAULT_PROP_BAND_LIMIT;
  self->link = DEFAULT_PROP_LINK;
  gst_mst_interval_init (&self->iv, GST_MST_DEFAULT_INTERVAL);
  self->iv_min_gain = 1.0;
  self->last_gain = 1.0;
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

/* Sets the double property *field from value unless value is not finite
 * (then the old value stays); returns TRUE when set. */
static gboolean
set_double (GObject * object, const GValue * value, GParamSpec * pspec,
    gdouble * field)
{
  gdouble v = g_value_get_double (value);

  if (!gst_mst_value_is_finite (object, pspec, v))
    return FALSE;
  *field = v;
  return TRUE;
}

static void
gst_true_peak_limiter_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstTruePeakLimiter *self = GST_TRUE_PEAK_LIMITER (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_CEILING:
      if (set_double (object, value, pspec, &self->ceiling) && self->core)
        mst_limiter_set_ceiling (self->core, self->ceiling);
      break;
    case PROP_INPUT_GAIN:
      if (set_double (object, value, pspec, &self->input_gain) && self->core)
        mst_limiter_set_input_gain (self->core, self->input_gain);
      break;
    case PROP_RELEASE:
      if (set_double (object, value, pspec, &self->release) && self->core)
        mst_limiter_set_release (self->core, self->release);
      break;
    case PROP_LOOKAHEAD:{
      gdouble old = self->lookahead;

      if (set_double (object, value, pspec, &self->lookahead) &&
          self->lookahead != old && self->core)
        gst_mst_lookahead_reconfigure (GST_MST_LOOKAHEAD (self));
      break;
    }
    case PROP_OVERSAMPLING:{
      gint v = g_value_get_enum (value);

      if (v != self->oversampling && self->core)
        gst_mst_lookahead_reconfigure (GST_MST_LOOKAHEAD (self));
      self->oversampling = v;
      break;
    }
    case PROP_BAND_LIMIT:{
      gboolean v = g_value_get_boolean (value);

      if (v != self->band_limit && self->core)
        gst_mst_lookahead_reconfigure (GST_MST_LOOKAHEAD (self));
      self->band_limit = v;
      break;
    }
    case PROP_LINK:
      self->link = g_value_get_enum (value);
      if (self->core)
        mst_limiter_set_linked (self->core,
            self->link == GST_TRUE_PEAK_LIMITER_LINK_LINKED);
      break;
    default:
      if (!gst_mst_message_property_set (&self->iv, pspec, value))
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
    case PROP_BAND_LIMIT:
      g_value_set_boolean (value, self->band_limit);
      break;
    case PROP_LINK:
      g_value_set_enum (value, self->link);
      break;
    default:
      if (!gst_mst_message_property_get (&self->iv, pspec, value))
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

/* ---- processor ----------------------------------------------------------- */

/* Resets the core, keeping its safety-clip count: object lock held. */
static void
reset_core (GstTruePeakLimiter * self)
{
  if (!self->core)
    return;
  self->clips_base += mst_limiter_safety_clips (self->core);
  mst_limiter_reset (self->core);
}

static void
gst_true_peak_limiter_reset (GstMstLookahead * base, gboolean flush)
{
  GstTruePeakLimiter *self = GST_TRUE_PEAK_LIMITER (base);

  reset_core (self);
  if (flush) {
    gst_mst_interval_restart (&self->iv);
    self->iv_min_gain = 1.0;
    self->last_gain = 1.0;
  }
}

/* (Re)creates the core for info with the current properties: object lock
 * held. */
static gboolean
gst_true_peak_limiter_configure (GstMstLookahead * base,
    const GstAudioInfo * info)
{
  GstTruePeakLimiter *self = GST_TRUE_PEAK_LIMITER (base);
  MstLimiter *core;

  switch (GST_AUDIO_INFO_FORMAT (info)) {
    case GST_AUDIO_FORMAT_F32:
      self->process = process_f32;
      break;
    case GST_AUDIO_FORMAT_F64:
      self->process = process_f64;
      break;
    default:
      return FALSE;
  }
  core = mst_limiter_new (GST_AUDIO_INFO_RATE (info),
      GST_AUDIO_INFO_CHANNELS (info), self->oversampling, self->lookahead);
  if (!core)
    return FALSE;
  mst_limiter_set_band_limit (core, self->band_limit);
  if (self->core)
    self->clips_base += mst_limiter_safety_clips (self->core);
  mst_limiter_free (self->core);
  self->core = core;
  self->bpf = GST_AUDIO_INFO_BPF (info);
  apply_params (self);
  gst_mst_interval_configure (&self->iv, self->iv.interval,
      GST_AUDIO_INFO_RATE (info));
  gst_true_peak_limiter_reset (base, TRUE);
  GST_INFO_OBJECT (self, "limiter: %d Hz, %d channels, %dx, look-ahead "
      "%.3f ms, latency %u samples", GST_AUDIO_INFO_RATE (info),
      GST_AUDIO_INFO_CHANNELS (info), self->oversampling,
      mst_limiter_lookahead (core), mst_limiter_latency (core));
  return TRUE;
}

static guint
gst_true_peak_limiter_get_latency (GstMstLookahead * base)
{
  return mst_limiter_latency (GST_TRUE_PEAK_LIMITER (base)->core);
}

static gboolean
gst_true_peak_limiter_start (GstBaseTransform * trans)
{
  GstTruePeakLimiter *self = GST_TRUE_PEAK_LIMITER (trans);

  GST_OBJECT_LOCK (self);
  self->clips_base = 0;
  GST_OBJECT_UNLOCK (self);
  return GST_BASE_TRANSFORM_CLASS (parent_class)->start (trans);
}

static gboolean
gst_true_peak_limiter_stop (GstBaseTransform * trans)
{
  GstTruePeakLimiter *self = GST_TRUE_PEAK_LIMITER (trans);
  gboolean ret = GST_BASE_TRANSFORM_CLASS (parent_class)->stop (trans);

  GST_OBJECT_LOCK (self);
  mst_limiter_free (self->core);
  self->core = NULL;
  GST_OBJECT_UNLOCK (self);
  return ret;
}

static void
gst_true_peak_limiter_finalize (GObject * object)
{
  GstTruePeakLimiter *self = GST_TRUE_PEAK_LIMITER (object);

  mst_limiter_free (self->core);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

/* ---- statistics, messages ------------------------------------------------ */

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

/* Runs a chunk through the core, split at the interval boundaries of the
 * output so that each message covers exactly its interval.  Object lock
 * held. */
static gsize
gst_true_peak_limiter_process (GstMstLookahead * base,
    const GstMstLookaheadChunk * c)
{
  GstTruePeakLimiter *self = GST_TRUE_PEAK_LIMITER (base);
  gsize done = 0, nf = 0;

  if (c->priming) {
    /* the core's start-up delay: its gain is not the stream's */
    nf = self->process (self->core, c->in, c->out, c->n_frames);
    mst_limiter_take_min_gain (self->core);
    return nf;
  }
  while (done < c->n_frames) {
    gsize m = MIN (gst_mst_interval_remaining (&self->iv), c->n_frames - done);
    gdouble g;

    gst_mst_interval_sync (&self->iv,
        gst_mst_lookahead_output_time (base, c->out_pos + done));
    nf += self->process (self->core, c->in ? c->in + done * self->bpf : NULL,
        c->out + done * self->bpf, m);
    g = mst_limiter_take_min_gain (self->core);
    if (g < self->iv_min_gain)
      self->iv_min_gain = g;
    self->last_gain = mst_limiter_gain (self->core);
    done += m;
    if (gst_mst_interval_add (&self->iv, m)) {
      if (self->iv.post)
        gst_mst_lookahead_post_message (base, make_message (self, FALSE));
      gst_mst_interval_next (&self->iv);
      self->iv_min_gain = self->last_gain;
    }
  }
  return nf;
}

/* After the drain at EOS: the final message, then a fresh interval. */
static void
gst_true_peak_limiter_eos (GstMstLookahead * base)
{
  GstTruePeakLimiter *self = GST_TRUE_PEAK_LIMITER (base);
  GstMessage *msg = NULL;

  GST_OBJECT_LOCK (self);
  if (self->core && self->iv.post)
    msg = make_message (self, TRUE);
  gst_mst_interval_restart (&self->iv);
  self->iv_min_gain = 1.0;
  self->last_gain = 1.0;
  GST_OBJECT_UNLOCK (self);
  if (msg)
    gst_element_post_message (GST_ELEMENT (self), msg);
}
