/* gst-mastering — loudnorm: live loudness normalizer
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/**
 * SECTION:element-loudnorm
 * @title: loudnorm
 *
 * Brings a live feed of any loudness to a target integrated loudness
 * (ITU-R BS.1770-4 / EBU R 128, LUFS) under a true-peak ceiling, at the
 * feed's own sample rate, with a small fixed latency.
 *
 * #GstLoudNorm:mode chooses one of two behaviours; the element never
 * switches between them on its own judgement, and every change of the
 * mode in force is posted (see below):
 *
 * * `live` (default): an adaptive gain.  Every 100 ms the loudness of the
 *   last 400 ms of input (a BS.1770 gating block) is measured.  Blocks
 *   below -70 LUFS or more than 20 LU under the recent programme level
 *   are pauses: the gain stays where it is, so room noise is not pumped
 *   up (blocks that overlap the edges of a pause are left out too).
 *   Programme blocks feed a level estimate whose speed follows
 *   #GstLoudNorm:gain-slew; the wanted gain brings that level to
 *   #GstLoudNorm:target, bounded by #GstLoudNorm:max-gain and
 *   #GstLoudNorm:min-gain.  #GstLoudNorm:loudness-range is the loudness
 *   range (EBU Tech 3342) the output is held to: departures of the level
 *   from the programme's integrated loudness are kept up to ±half of it
 *   and brought to that edge beyond it (a correction keeps the output's
 *   integrated loudness on the target).  The gain moves linearly in dB at
 *   no more than #GstLoudNorm:gain-slew dB/s; #GstLoudNorm:lookahead
 *   delays the audio so the gain can come down before a loud part
 *   reaches the output.
 * * `linear`: one constant gain, #GstLoudNorm:target minus
 *   #GstLoudNorm:measured-integrated (the application measured the
 *   programme in a first pass, e.g. with `loudnessmeter`).  If the
 *   measured true peak plus that gain lies over the ceiling the element
 *   says so (a warning when linear comes into force) and still stays
 *   linear: the limiter catches the peaks and the messages report how
 *   much it limited.
 *   Starting in linear mode without #GstLoudNorm:measured-integrated is
 *   an error.  While running, mode=linear without it posts a warning
 *   that names the missing property and the gain keeps leveling live
 *   (a live feed is not stopped, nor frozen at whatever gain happened to
 *   be in force); linear starts as soon as the measurement is set.
 *
 * Switching mode while running moves the gain to the new mode's value at
 * #GstLoudNorm:gain-slew, without a step.  Each change of the mode in
 * force posts an element message `loudnorm-mode` with `mode` (the mode in
 * force, `live` or `linear`), `requested-mode` (the property),
 * `linear-gain` (#gdouble, dB, NaN when not measured) and `timestamp`
 * (#guint64, ns: the output sample from which the gain moves).
 *
 * A true-peak limiter (4x oversampled detector, 5 ms look-ahead, band
 * limit on: see `truepeaklimiter`'s band-limit) at #GstLoudNorm:ceiling
 * ends the chain in both modes: the output's true peak reads the ceiling
 * or less on the project's meter, libebur128 and ffmpeg's ebur128, and
 * within 0.1 dB of it on the ideal band-limited reconstruction.
 *
 * #GstLoudNorm:preset sets #GstLoudNorm:target and #GstLoudNorm:ceiling
 * from the delivery targets the `gst-mastering` tool uses as well
 * (`gst-mastering targets` lists them with their sources), and the
 * leveling speed #GstLoudNorm:gain-slew and #GstLoudNorm:loudness-range
 * from the kind of delivery (speech 20 dB/s and 0 LU: every voice to the
 * target; short-form 10 and 5; broadcast 6 and 7; music 2 and 10).  Setting target or
 * ceiling afterwards switches the preset to `custom`.
 *
 * Channel weights follow BS.1770 from the channel positions (1.41 for
 * surround pairs, LFE not measured), as in `loudnessmeter`.
 *
 * Latency: #GstLoudNorm:lookahead (at least the limiter's own latency),
 * reported in the latency query.  Output sample n is input sample n and
 * carries its timestamp; at EOS (and before a new segment, a gap event or
 * a format change) the held samples are pushed, so the output has exactly
 * as many samples as the input; a flush drops them.  NaN and infinite
 * input samples are replaced by silence (one warning per stream); a
 * non-finite property value is rejected with a warning in the debug log.
 *
 * Every #GstLoudNorm:interval of output and once more at EOS an element
 * message named `loudnorm` is posted (unless #GstLoudNorm:post-messages
 * is %FALSE):
 *
 * * `timestamp`, `stream-time`, `running-time`, `duration` (#guint64, ns):
 *   the interval, as `level` posts them.
 * * `gain` (#gdouble, dB): gain applied (before the limiter) to the last
 *   sample of the interval.
 * * `input-short-term`, `input-integrated` (#gdouble, LUFS): short-term
 *   (3 s) and integrated loudness of the input, measured where it enters
 *   (the look-ahead earlier than the output); -inf when undefined.  The
 *   silence fed to push the held samples out (EOS, new segment) is not
 *   input: during that drain, and in the final message, they are the
 *   values after the last input sample.
 * * `output-short-term`, `output-integrated` (#gdouble, LUFS): the same
 *   for the output.
 * * `limiter-gain-reduction-max` (#gdouble, dB >= 0): largest limiter
 *   attenuation in the interval.
 * * `mode` (#gchararray): the mode in force, `live` or `linear`.
 * * `final` (#gboolean): %TRUE for the message posted at EOS.
 *
 * The `reset` action signal starts a new measurement (programme change on
 * a 24/7 feed): the gain in force and the audio are kept.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 filesrc location=in.wav ! wavparse ! audioconvert ! \
 *     loudnorm preset=podcast ! audioconvert ! wavenc ! \
 *     filesink location=out.wav
 * ]| Levels a spoken-word recording to -16 LUFS with peaks under -1 dBTP.
 * |[
 * gst-launch-1.0 filesrc location=in.wav ! wavparse ! audioconvert ! \
 *     loudnorm mode=linear target=-14 measured-integrated=-19.3 ! \
 *     audioconvert ! wavenc ! filesink location=out.wav
 * ]| Second pass of a two-pass normalisation: +5.3 dB, constant.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <math.h>

#include "gstloudnorm.h"
#include "gst/mstchannels.h"
#include "gst/mstutils.h"
#include "dsp/loudnorm.h"
#include "dsp/targets.h"

GST_DEBUG_CATEGORY_STATIC (gst_loud_norm_debug);
#define GST_CAT_DEFAULT gst_loud_norm_debug

#define PRESET_CUSTOM ((gint) MST_TARGET_COUNT)
#define DEFAULT_PROP_PRESET            MST_TARGET_EBU_R128
#define DEFAULT_PROP_MODE              GST_LOUD_NORM_MODE_LIVE
#define DEFAULT_PROP_TARGET            MST_LOUDNORM_DEFAULT_TARGET
#define DEFAULT_PROP_CEILING           MST_LOUDNORM_DEFAULT_CEILING
#define DEFAULT_PROP_LOUDNESS_RANGE    MST_LOUDNORM_DEFAULT_RANGE
#define DEFAULT_PROP_MAX_GAIN          MST_LOUDNORM_DEFAULT_MAX_GAIN
#define DEFAULT_PROP_MIN_GAIN          MST_LOUDNORM_DEFAULT_MIN_GAIN
#define DEFAULT_PROP_GAIN_SLEW         MST_LOUDNORM_DEFAULT_SLEW
#define DEFAULT_PROP_LOOKAHEAD         MST_LOUDNORM_DEFAULT_LOOKAHEAD_MS
#define DEFAULT_PROP_MEASURED          MST_LOUDNORM_NOT_MEASURED

enum
{
  PROP_0,
  PROP_PRESET,
  PROP_MODE,
  PROP_TARGET,
  PROP_CEILING,
  PROP_LOUDNESS_RANGE,
  PROP_MAX_GAIN,
  PROP_MIN_GAIN,
  PROP_GAIN_SLEW,
  PROP_LOOKAHEAD,
  PROP_MEASURED_INTEGRATED,
  PROP_MEASURED_TRUE_PEAK,
  PROP_INTERVAL,
  PROP_POST_MESSAGES,
  N_PROPS
};

enum
{
  SIGNAL_RESET,
  LAST_SIGNAL
};

static GParamSpec *properties[N_PROPS];
static guint gst_loud_norm_signals[LAST_SIGNAL];

typedef gsize (*GstLoudNormProcessFunc) (MstLoudnorm * core,
    gconstpointer in, gpointer out, gsize n);

struct _GstLoudNorm
{
  GstMstLookahead parent;

  /* properties, under the object lock */
  gint preset;                  /* MstTargetId or PRESET_CUSTOM */
  gint mode;                    /* GstLoudNormMode */
  gdouble target, ceiling, loudness_range, max_gain, min_gain, gain_slew;
  gdouble lookahead;            /* ms */
  gdouble measured_i, measured_tp;

  /* processing state, under the object lock */
  MstLoudnorm *core;
  GstLoudNormProcessFunc process;
  gsize bpf;
  GstMstInterval iv;            /* of output frames; `interval` and
                                 * `post-messages` live in it */
  gdouble iv_reduction;         /* largest limiter reduction, dB */
  gint active_mode;             /* mode in force (GstLoudNormMode), -1
                                 * before the first chunk */
  gdouble in_st, in_i;          /* input short-term and integrated after
                                 * the last chunk of input (not of a
                                 * drain's silence), LUFS */
  gboolean warned_unmeasured;   /* linear asked for without measurement:
                                 * warned once (until mode is set again) */
};

#define ALLOWED_CAPS \
  GST_MST_AUDIO_CAPS (GST_AUDIO_NE (F32) ", " GST_AUDIO_NE (F64))

#define gst_loud_norm_parent_class parent_class
G_DEFINE_TYPE (GstLoudNorm, gst_loud_norm, GST_TYPE_MST_LOOKAHEAD);
GST_ELEMENT_REGISTER_DEFINE (loudnorm, "loudnorm", GST_RANK_NONE,
    GST_TYPE_LOUD_NORM);

GType
gst_loud_norm_mode_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_LOUD_NORM_MODE_LIVE, "Adaptive gain from gated measurements",
        "live"},
    {GST_LOUD_NORM_MODE_LINEAR,
        "One constant gain from measured-integrated", "linear"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstLoudNormMode", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

/* The enum is built from the shared target table (dsp/targets.h), so the
 * element and the CLI offer the same presets under the same nicks. */
GType
gst_loud_norm_preset_get_type (void)
{
  static GType type = 0;

  if (g_once_init_enter (&type)) {
    gsize n = mst_targets_count (), i;
    GEnumValue *values = g_new0 (GEnumValue, n + 2);
    GType t;

    for (i = 0; i < n; i++) {
      const MstTarget *tg = mst_targets_get (i);

      values[i].value = (gint) tg->id;
      values[i].value_name = g_strdup_printf ("%s (%.0f LUFS, %.0f dBTP)",
          tg->name, tg->integrated_lufs, tg->true_peak_dbtp);
      values[i].value_nick = tg->nick;
    }
    values[n].value = PRESET_CUSTOM;
    values[n].value_name = "Custom (target and ceiling as set)";
    values[n].value_nick = "custom";
    t = g_enum_register_static ("GstLoudNormPreset", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

static void gst_loud_norm_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec);
static void gst_loud_norm_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec);
static void gst_loud_norm_finalize (GObject * object);
static gboolean gst_loud_norm_start (GstBaseTransform * trans);
static gboolean gst_loud_norm_stop (GstBaseTransform * trans);
static gboolean gst_loud_norm_configure (GstMstLookahead * base,
    const GstAudioInfo * info);
static guint gst_loud_norm_get_latency (GstMstLookahead * base);
static gsize gst_loud_norm_process (GstMstLookahead * base,
    const GstMstLookaheadChunk * chunk);
static void gst_loud_norm_reset (GstMstLookahead * base, gboolean flush);
static void gst_loud_norm_eos (GstMstLookahead * base);
static void gst_loud_norm_reset_signal (GstLoudNorm * self);

/* One wrapper per format: the format is dispatched once per caps. */
#define DEFINE_PROCESS_FUNC(fmt, ctype)                                   \
static gsize                                                              \
process_##fmt (MstLoudnorm * core, gconstpointer in, gpointer out,        \
    gsize n)                                                              \
{                                                                         \
  return mst_loudnorm_process_##fmt (core, (const ctype *) in,            \
      (ctype *) out, n);                                                  \
}

DEFINE_PROCESS_FUNC (f32, float)
DEFINE_PROCESS_FUNC (f64, double)

#define CONTROLLABLE (G_PARAM_READWRITE | GST_PARAM_CONTROLLABLE | \
    GST_PARAM_MUTABLE_PLAYING | G_PARAM_STATIC_STRINGS)
#define PLAIN (G_PARAM_READWRITE | GST_PARAM_MUTABLE_PLAYING | \
    G_PARAM_STATIC_STRINGS)

static void
gst_loud_norm_class_init (GstLoudNormClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstAudioFilterClass *filter_class = GST_AUDIO_FILTER_CLASS (klass);
  GstMstLookaheadClass *lookahead_class = GST_MST_LOOKAHEAD_CLASS (klass);
  GstCaps *caps;

  GST_DEBUG_CATEGORY_INIT (gst_loud_norm_debug, "loudnorm", 0,
      "live loudness normalizer");

  gobject_class->set_property = gst_loud_norm_set_property;
  gobject_class->get_property = gst_loud_norm_get_property;
  gobject_class->finalize = gst_loud_norm_finalize;

  /**
   * GstLoudNorm:preset:
   *
   * Delivery target: sets #GstLoudNorm:target, #GstLoudNorm:ceiling,
   * #GstLoudNorm:gain-slew and #GstLoudNorm:loudness-range.  Reads
   * `custom` once target or ceiling were set on their own.
   */
  properties[PROP_PRESET] = g_param_spec_enum ("preset", "Preset",
      "Delivery target: sets target, ceiling, leveling speed and loudness "
      "range (custom after target or ceiling were set)",
      GST_TYPE_LOUD_NORM_PRESET,
      DEFAULT_PROP_PRESET, PLAIN);

  /**
   * GstLoudNorm:mode:
   *
   * `live` (adaptive gain) or `linear` (one constant gain from
   * #GstLoudNorm:measured-integrated).  Never changed by the element;
   * linear without the measurement levels live (with a warning) until it
   * is set.  Changes of the mode in force are posted (`loudnorm-mode`).
   */
  properties[PROP_MODE] = g_param_spec_enum ("mode", "Mode",
      "live: adaptive gain; linear: one constant gain from "
      "measured-integrated", GST_TYPE_LOUD_NORM_MODE, DEFAULT_PROP_MODE,
      PLAIN);

  /**
   * GstLoudNorm:target:
   *
   * Integrated loudness of the output, LUFS.
   */
  properties[PROP_TARGET] = g_param_spec_double ("target", "Target",
      "Integrated loudness of the output, in LUFS (-70 to -5)",
      MST_LOUDNORM_MIN_TARGET, MST_LOUDNORM_MAX_TARGET, DEFAULT_PROP_TARGET,
      CONTROLLABLE);

  /**
   * GstLoudNorm:ceiling:
   *
   * Largest true peak of the output, dBTP (built-in limiter).
   */
  properties[PROP_CEILING] = g_param_spec_double ("ceiling", "Ceiling",
      "Largest true peak of the output, in dBTP (-60 to 0)",
      MST_LOUDNORM_MIN_CEILING, MST_LOUDNORM_MAX_CEILING,
      DEFAULT_PROP_CEILING, CONTROLLABLE);

  /**
   * GstLoudNorm:loudness-range:
   *
   * Live mode: the loudness range (EBU Tech 3342 LRA) the output is held
   * to, LU.  Departures of the level from the programme's integrated
   * loudness are kept up to ±half of it and brought to that edge beyond
   * it: a programme with a larger LRA comes out at about this one, a
   * programme with a smaller LRA keeps its own.  0 levels everything to
   * the target.  Set by #GstLoudNorm:preset (speech 0, short-form 5,
   * broadcast 7, music 10).
   */
  properties[PROP_LOUDNESS_RANGE] = g_param_spec_double ("loudness-range",
      "Loudness range", "Loudness range (EBU Tech 3342) the output is held "
      "to: level departures from the programme loudness kept up to +-half "
      "of this, in LU (0 to 40)",
      MST_LOUDNORM_MIN_RANGE, MST_LOUDNORM_MAX_RANGE,
      DEFAULT_PROP_LOUDNESS_RANGE, CONTROLLABLE);

  /**
   * GstLoudNorm:max-gain:
   *
   * Live mode: largest gain, dB.
   */
  properties[PROP_MAX_GAIN] = g_param_spec_double ("max-gain", "Max gain",
      "Largest gain in live mode, in dB (0 to 60)",
      MST_LOUDNORM_MIN_MAX_GAIN, MST_LOUDNORM_MAX_MAX_GAIN,
      DEFAULT_PROP_MAX_GAIN, CONTROLLABLE);

  /**
   * GstLoudNorm:min-gain:
   *
   * Live mode: smallest gain (largest attenuation), dB.
   */
  properties[PROP_MIN_GAIN] = g_param_spec_double ("min-gain", "Min gain",
      "Smallest gain in live mode, in dB (-60 to 0)",
      MST_LOUDNORM_MIN_MIN_GAIN, MST_LOUDNORM_MAX_MIN_GAIN,
      DEFAULT_PROP_MIN_GAIN, CONTROLLABLE);

  /**
   * GstLoudNorm:gain-slew:
   *
   * Leveling speed: the fastest the gain moves, dB/s (between two samples
   * at most gain-slew / rate dB).  The level estimate integrates over
   * 12 dB / gain-slew seconds.
   */
  properties[PROP_GAIN_SLEW] = g_param_spec_double ("gain-slew",
      "Gain slew", "Leveling speed: fastest gain change, in dB per second "
      "(0.1 to 100)", MST_LOUDNORM_MIN_SLEW, MST_LOUDNORM_MAX_SLEW,
      DEFAULT_PROP_GAIN_SLEW, CONTROLLABLE);

  /**
   * GstLoudNorm:lookahead:
   *
   * Look-ahead and latency, ms.  A change while playing drains the held
   * samples, restarts the processor and posts a latency message.
   */
  properties[PROP_LOOKAHEAD] = g_param_spec_double ("lookahead",
      "Look-ahead", "Look-ahead (and latency), in milliseconds (0.5 to "
      "3000)", MST_LOUDNORM_MIN_LOOKAHEAD_MS, MST_LOUDNORM_MAX_LOOKAHEAD_MS,
      DEFAULT_PROP_LOOKAHEAD, PLAIN);

  /**
   * GstLoudNorm:measured-integrated:
   *
   * Linear mode: integrated loudness of the whole programme measured in
   * a first pass, LUFS; below -70 (default -99) means not measured.
   */
  properties[PROP_MEASURED_INTEGRATED] =
      g_param_spec_double ("measured-integrated", "Measured integrated",
      "Integrated loudness of the programme from a first pass, in LUFS "
      "(-99 = not measured)", MST_LOUDNORM_NOT_MEASURED, 0.0,
      DEFAULT_PROP_MEASURED, PLAIN);

  /**
   * GstLoudNorm:measured-true-peak:
   *
   * Linear mode: true peak of the programme from the first pass, dBTP
   * (-99 = not measured); used to warn when the linear gain drives peaks
   * into the limiter.
   */
  properties[PROP_MEASURED_TRUE_PEAK] =
      g_param_spec_double ("measured-true-peak", "Measured true peak",
      "True peak of the programme from a first pass, in dBTP (-99 = not "
      "measured)", MST_LOUDNORM_NOT_MEASURED, MST_LOUDNORM_MAX_MEASURED_TP,
      DEFAULT_PROP_MEASURED, PLAIN);

  {
    guint i;

    for (i = 1; i < N_PROPS; i++)
      if (properties[i])
        g_object_class_install_property (gobject_class, i, properties[i]);
  }
  gst_mst_install_message_properties (gobject_class, PROP_INTERVAL,
      PROP_POST_MESSAGES);

  /**
   * GstLoudNorm::reset:
   * @loudnorm: the element
   *
   * Action signal: starts a new measurement (level estimates, input and
   * output loudness); the gain in force and the audio are kept.
   */
  gst_loud_norm_signals[SIGNAL_RESET] =
      g_signal_new_class_handler ("reset", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (gst_loud_norm_reset_signal), NULL, NULL, NULL,
      G_TYPE_NONE, 0);

  gst_element_class_set_static_metadata (element_class,
      "Loudness normalizer", "Filter/Effect/Audio",
      "Brings a live feed to a target loudness (EBU R 128 / ITU-R BS.1770) "
      "under a true-peak ceiling", "gst-mastering developers");

  caps = gst_caps_from_string (ALLOWED_CAPS);
  gst_audio_filter_class_add_pad_templates (filter_class, caps);
  gst_caps_unref (caps);

  trans_class->start = GST_DEBUG_FUNCPTR (gst_loud_norm_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_loud_norm_stop);
  lookahead_class->configure = GST_DEBUG_FUNCPTR (gst_loud_norm_configure);
  lookahead_class->get_latency =
      GST_DEBUG_FUNCPTR (gst_loud_norm_get_latency);
  lookahead_class->process = GST_DEBUG_FUNCPTR (gst_loud_norm_process);
  lookahead_class->reset = GST_DEBUG_FUNCPTR (gst_loud_norm_reset);
  lookahead_class->eos = GST_DEBUG_FUNCPTR (gst_loud_norm_eos);

  gst_type_mark_as_plugin_api (GST_TYPE_LOUD_NORM_MODE, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_LOUD_NORM_PRESET, 0);
}

/* Target, ceiling and leveling speed of a preset (object lock held). */
static void
apply_preset (GstLoudNorm * self, gint preset)
{
  const MstTarget *tg = mst_targets_get ((gsize) preset);

  self->preset = preset;
  if (!tg)
    return;
  self->target = tg->integrated_lufs;
  self->ceiling = tg->true_peak_dbtp;
  self->gain_slew = mst_loudnorm_kind_slew (tg->kind);
  self->loudness_range = mst_loudnorm_kind_range (tg->kind);
}

static void
gst_loud_norm_init (GstLoudNorm * self)
{
  apply_preset (self, DEFAULT_PROP_PRESET);
  self->mode = DEFAULT_PROP_MODE;
  self->max_gain = DEFAULT_PROP_MAX_GAIN;
  self->min_gain = DEFAULT_PROP_MIN_GAIN;
  self->lookahead = DEFAULT_PROP_LOOKAHEAD;
  self->measured_i = DEFAULT_PROP_MEASURED;
  self->measured_tp = DEFAULT_PROP_MEASURED;
  gst_mst_interval_init (&self->iv, GST_MST_DEFAULT_INTERVAL);
  self->active_mode = -1;
}

/* Hands every parameter to the core (object lock held). */
static void
apply_params (GstLoudNorm * self)
{
  if (!self->core)
    return;
  mst_loudnorm_set_mode (self->core, self->mode == GST_LOUD_NORM_MODE_LINEAR
      ? MST_LOUDNORM_LINEAR : MST_LOUDNORM_LIVE);
  mst_loudnorm_set_target (self->core, self->target);
  mst_loudnorm_set_ceiling (self->core, self->ceiling);
  mst_loudnorm_set_range (self->core, self->loudness_range);
  mst_loudnorm_set_max_gain (self->core, self->max_gain);
  mst_loudnorm_set_min_gain (self->core, self->min_gain);
  mst_loudnorm_set_gain_slew (self->core, self->gain_slew);
  mst_loudnorm_set_measured_integrated (self->core, self->measured_i);
  mst_loudnorm_set_measured_true_peak (self->core, self->measured_tp);
}

/* Sets *field from value unless it is not finite (old value kept). */
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
gst_loud_norm_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstLoudNorm *self = GST_LOUD_NORM (object);
  gboolean notify_preset = FALSE, notify_targets = FALSE;

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_PRESET:
      apply_preset (self, g_value_get_enum (value));
      notify_targets = self->preset != PRESET_CUSTOM;
      break;
    case PROP_MODE:
      self->mode = g_value_get_enum (value);
      self->warned_unmeasured = FALSE;
      break;
    case PROP_TARGET:
    case PROP_CEILING:
      if (set_double (object, value, pspec, prop_id == PROP_TARGET ?
              &self->target : &self->ceiling)
          && self->preset != PRESET_CUSTOM) {
        self->preset = PRESET_CUSTOM;
        notify_preset = TRUE;
      }
      break;
    case PROP_LOUDNESS_RANGE:
      set_double (object, value, pspec, &self->loudness_range);
      break;
    case PROP_MAX_GAIN:
      set_double (object, value, pspec, &self->max_gain);
      break;
    case PROP_MIN_GAIN:
      set_double (object, value, pspec, &self->min_gain);
      break;
    case PROP_GAIN_SLEW:
      set_double (object, value, pspec, &self->gain_slew);
      break;
    case PROP_LOOKAHEAD:{
      gdouble old = self->lookahead;

      if (set_double (object, value, pspec, &self->lookahead) &&
          self->lookahead != old && self->core)
        gst_mst_lookahead_reconfigure (GST_MST_LOOKAHEAD (self));
      break;
    }
    case PROP_MEASURED_INTEGRATED:
      set_double (object, value, pspec, &self->measured_i);
      break;
    case PROP_MEASURED_TRUE_PEAK:
      set_double (object, value, pspec, &self->measured_tp);
      break;
    default:
      if (!gst_mst_message_property_set (&self->iv, pspec, value))
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  apply_params (self);
  GST_OBJECT_UNLOCK (self);

  if (notify_preset)
    g_object_notify_by_pspec (object, properties[PROP_PRESET]);
  if (notify_targets) {
    g_object_notify_by_pspec (object, properties[PROP_TARGET]);
    g_object_notify_by_pspec (object, properties[PROP_CEILING]);
    g_object_notify_by_pspec (object, properties[PROP_GAIN_SLEW]);
    g_object_notify_by_pspec (object, properties[PROP_LOUDNESS_RANGE]);
  }
}

static void
gst_loud_norm_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstLoudNorm *self = GST_LOUD_NORM (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_PRESET:
      g_value_set_enum (value, self->preset);
      break;
    case PROP_MODE:
      g_value_set_enum (value, self->mode);
      break;
    case PROP_TARGET:
      g_value_set_double (value, self->target);
      break;
    case PROP_CEILING:
      g_value_set_double (value, self->ceiling);
      break;
    case PROP_LOUDNESS_RANGE:
      g_value_set_double (value, self->loudness_range);
      break;
    case PROP_MAX_GAIN:
      g_value_set_double (value, self->max_gain);
      break;
    case PROP_MIN_GAIN:
      g_value_set_double (value, self->min_gain);
      break;
    case PROP_GAIN_SLEW:
      g_value_set_double (value, self->gain_slew);
      break;
    case PROP_LOOKAHEAD:
      g_value_set_double (value, self->lookahead);
      break;
    case PROP_MEASURED_INTEGRATED:
      g_value_set_double (value, self->measured_i);
      break;
    case PROP_MEASURED_TRUE_PEAK:
      g_value_set_double (value, self->measured_tp);
      break;
    default:
      if (!gst_mst_message_property_get (&self->iv, pspec, value))
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

/* ---- processor ----------------------------------------------------------- */

/* Keeps the input's loudness as it stands after input (object lock held):
 * the silence a drain feeds is not part of the stream, and the partial
 * blocks it would close at the end would pull input-integrated down (by
 * 0.07 LU on 10 s of noise with the 400 ms look-ahead). */
static void
take_input (GstLoudNorm * self)
{
  self->in_st = mst_loudnorm_input_shortterm (self->core);
  self->in_i = mst_loudnorm_input_integrated (self->core);
}

static void
gst_loud_norm_reset_signal (GstLoudNorm * self)
{
  GST_OBJECT_LOCK (self);
  if (self->core) {
    mst_loudnorm_restart (self->core);
    take_input (self);
  }
  GST_OBJECT_UNLOCK (self);
}

/* flush: everything starts again.  After a drain (flush FALSE) the core
 * holds exactly the silence it was fed to push the held samples out,
 * which is the state of a fresh start, so it is left alone: a gap or a
 * new segment does not make the gain jump or forget the measurement. */
static void
gst_loud_norm_reset (GstMstLookahead * base, gboolean flush)
{
  GstLoudNorm *self = GST_LOUD_NORM (base);

  if (!flush || !self->core)
    return;
  mst_loudnorm_reset (self->core);
  take_input (self);
  gst_mst_interval_restart (&self->iv);
  self->iv_reduction = 0.0;
}

static gboolean
gst_loud_norm_configure (GstMstLookahead * base, const GstAudioInfo * info)
{
  GstLoudNorm *self = GST_LOUD_NORM (base);
  MstLoudnorm *core;
  guint ch;

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
  core = mst_loudnorm_new (GST_AUDIO_INFO_RATE (info),
      GST_AUDIO_INFO_CHANNELS (info), self->lookahead);
  if (!core)
    return FALSE;
  for (ch = 0; ch < (guint) GST_AUDIO_INFO_CHANNELS (info); ch++)
    mst_loudnorm_set_channel_weight (core, ch,
        gst_mst_channel_weight (info, ch, FALSE));
  mst_loudnorm_free (self->core);
  self->core = core;
  self->bpf = GST_AUDIO_INFO_BPF (info);
  apply_params (self);
  gst_mst_interval_configure (&self->iv, self->iv.interval,
      GST_AUDIO_INFO_RATE (info));
  gst_loud_norm_reset (base, TRUE);
  GST_INFO_OBJECT (self, "loudnorm: %d Hz, %d channels, latency %u samples",
      GST_AUDIO_INFO_RATE (info), GST_AUDIO_INFO_CHANNELS (info),
      mst_loudnorm_latency (core));
  return TRUE;
}

static guint
gst_loud_norm_get_latency (GstMstLookahead * base)
{
  return mst_loudnorm_latency (GST_LOUD_NORM (base)->core);
}

/* Starting in linear mode needs the first pass's measurement: an error
 * otherwise (a configuration mistake, found before audio flows; while
 * running the same case is a warning, see check_mode). */
static gboolean
gst_loud_norm_start (GstBaseTransform * trans)
{
  GstLoudNorm *self = GST_LOUD_NORM (trans);
  gboolean linear, measured;

  GST_OBJECT_LOCK (self);
  linear = self->mode == GST_LOUD_NORM_MODE_LINEAR;
  measured = self->measured_i >= -70.0;
  self->active_mode = -1;
  self->warned_unmeasured = FALSE;
  GST_OBJECT_UNLOCK (self);

  if (linear && !measured) {
    GST_ELEMENT_ERROR (self, LIBRARY, SETTINGS,
        ("mode=linear needs measured-integrated"),
        ("Set measured-integrated (and measured-true-peak) from a first "
            "pass, or use mode=live"));
    return FALSE;
  }
  return GST_BASE_TRANSFORM_CLASS (parent_class)->start (trans);
}

static gboolean
gst_loud_norm_stop (GstBaseTransform * trans)
{
  GstLoudNorm *self = GST_LOUD_NORM (trans);
  gboolean ret = GST_BASE_TRANSFORM_CLASS (parent_class)->stop (trans);

  GST_OBJECT_LOCK (self);
  g_clear_pointer (&self->core, mst_loudnorm_free);
  GST_OBJECT_UNLOCK (self);
  return ret;
}

static void
gst_loud_norm_finalize (GObject * object)
{
  GstLoudNorm *self = GST_LOUD_NORM (object);

  g_clear_pointer (&self->core, mst_loudnorm_free);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

/* ---- messages ------------------------------------------------------------ */

static const gchar *
mode_nick (gint mode)
{
  return mode == GST_LOUD_NORM_MODE_LINEAR ? "linear" : "live";
}

/* A warning queued for the bus (GST_ELEMENT_WARNING would take the object
 * lock, which is held in process). */
static void
queue_warning (GstLoudNorm * self, gchar * text, gchar * debug)
{
  GError *err = g_error_new_literal (GST_LIBRARY_ERROR,
      GST_LIBRARY_ERROR_SETTINGS, text);

  gst_mst_lookahead_post_message (GST_MST_LOOKAHEAD (self),
      gst_message_new_warning (GST_OBJECT (self), err, debug));
  g_error_free (err);
  g_free (text);
  g_free (debug);
}

/* Makes every mode change visible (object lock held, before a chunk):
 * - mode=linear without measured-integrated keeps leveling live and
 *   posts a warning naming the missing property (once per setting of
 *   mode); linear starts as soon as the measurement is set;
 * - every change of the mode in force posts a `loudnorm-mode` element
 *   message (not the first chunk's mode: that is no change);
 * - linear with a gain that drives the measured true peak over the
 *   ceiling posts a warning when it comes into force (first chunk or a
 *   switch).
 * at: timestamp of the next output frame (from which the gain moves). */
static void
check_mode (GstLoudNorm * self, GstClockTime at)
{
  gint now = mst_loudnorm_mode (self->core) == MST_LOUDNORM_LINEAR ?
      GST_LOUD_NORM_MODE_LINEAR : GST_LOUD_NORM_MODE_LIVE;
  gboolean first;

  if (self->mode == GST_LOUD_NORM_MODE_LINEAR &&
      now != GST_LOUD_NORM_MODE_LINEAR && !self->warned_unmeasured) {
    self->warned_unmeasured = TRUE;
    queue_warning (self, g_strdup ("mode=linear needs measured-integrated: "
            "staying in live mode"), g_strdup ("The gain keeps leveling "
            "live until measured-integrated (LUFS, from a first pass) is "
            "set; then it moves to target - measured-integrated at "
            "gain-slew"));
  }
  if (now == self->active_mode)
    return;
  first = self->active_mode < 0;
  self->active_mode = now;
  {
    gdouble lin = mst_loudnorm_linear_gain (self->core);
    gdouble over = mst_loudnorm_linear_overshoot (self->core);
    GstStructure *s = gst_structure_new ("loudnorm-mode",
        "mode", G_TYPE_STRING, mode_nick (now),
        "requested-mode", G_TYPE_STRING, mode_nick (self->mode),
        "linear-gain", G_TYPE_DOUBLE, lin,
        "timestamp", G_TYPE_UINT64, at, NULL);

    GST_INFO_OBJECT (self, "mode in force: %s (linear gain %.2f dB)",
        mode_nick (now), lin);
    if (first)
      gst_structure_free (s);
    else
      gst_mst_lookahead_post_message (GST_MST_LOOKAHEAD (self),
          gst_message_new_element (GST_OBJECT (self), s));
    if (now == GST_LOUD_NORM_MODE_LINEAR && over > 0.0)
      queue_warning (self, g_strdup_printf ("The linear gain drives peaks "
              "%.1f dB over the ceiling", over), g_strdup_printf
          ("measured-true-peak + target - measured-integrated - ceiling = "
              "%.2f dB: the limiter will reduce them (see "
              "limiter-gain-reduction-max); the gain stays linear", over));
  }
}

static GstMessage *
make_message (GstLoudNorm * self, gboolean final)
{
  GstStructure *s;

  s = gst_mst_message_structure_new (GST_BASE_TRANSFORM (self), "loudnorm",
      self->iv.start, gst_mst_interval_duration (&self->iv));
  gst_structure_set (s,
      "gain", G_TYPE_DOUBLE, mst_loudnorm_gain (self->core),
      "input-short-term", G_TYPE_DOUBLE, self->in_st,
      "output-short-term", G_TYPE_DOUBLE,
      mst_loudnorm_output_shortterm (self->core),
      "input-integrated", G_TYPE_DOUBLE, self->in_i,
      "output-integrated", G_TYPE_DOUBLE,
      mst_loudnorm_output_integrated (self->core),
      "limiter-gain-reduction-max", G_TYPE_DOUBLE, self->iv_reduction,
      "mode", G_TYPE_STRING, mode_nick (self->active_mode),
      "final", G_TYPE_BOOLEAN, final, NULL);
  return gst_message_new_element (GST_OBJECT (self), s);
}

/* Runs a chunk through the core, split at the interval boundaries of the
 * output.  Object lock held. */
static gsize
gst_loud_norm_process (GstMstLookahead * base, const GstMstLookaheadChunk * c)
{
  GstLoudNorm *self = GST_LOUD_NORM (base);
  gsize done = 0, nf = 0;

  check_mode (self, c->priming ? GST_CLOCK_TIME_NONE :
      gst_mst_lookahead_output_time (base, c->out_pos));
  if (c->priming) {
    /* the core's start-up delay is not part of the stream */
    nf = self->process (self->core, c->in, c->out, c->n_frames);
    mst_loudnorm_take_limiter_reduction (self->core);
    if (!c->draining)
      take_input (self);
    return nf;
  }
  while (done < c->n_frames) {
    gsize m = MIN (gst_mst_interval_remaining (&self->iv), c->n_frames - done);
    gdouble red;

    gst_mst_interval_sync (&self->iv,
        gst_mst_lookahead_output_time (base, c->out_pos + done));
    nf += self->process (self->core, c->in ? c->in + done * self->bpf : NULL,
        c->out + done * self->bpf, m);
    red = mst_loudnorm_take_limiter_reduction (self->core);
    if (red > self->iv_reduction)
      self->iv_reduction = red;
    if (!c->draining)
      take_input (self);
    done += m;
    if (gst_mst_interval_add (&self->iv, m)) {
      if (self->iv.post)
        gst_mst_lookahead_post_message (base, make_message (self, FALSE));
      gst_mst_interval_next (&self->iv);
      self->iv_reduction = 0.0;
    }
  }
  return nf;
}

static void
gst_loud_norm_eos (GstMstLookahead * base)
{
  GstLoudNorm *self = GST_LOUD_NORM (base);
  GstMessage *msg = NULL;

  GST_OBJECT_LOCK (self);
  if (self->core && self->iv.post)
    msg = make_message (self, TRUE);
  gst_mst_interval_restart (&self->iv);
  self->iv_reduction = 0.0;
  GST_OBJECT_UNLOCK (self);
  if (msg)
    gst_element_post_message (GST_ELEMENT (self), msg);
}
