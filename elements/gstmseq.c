/* gst-mastering — mseq: mid/side parametric equalizer
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/**
 * SECTION:element-mseq
 * @title: mseq
 *
 * A parametric equalizer for mastering that works on the mid (L + R) / 2
 * and side (L - R) / 2 signals as well as on left, right or both
 * channels: mono the low end with a high-pass on the side only, cut mud
 * or harshness in the mid, add air or width to the side.
 *
 * Bands are child objects (#GstChildProxy, as `equalizer-nbands`):
 * #GstMsEq:num-bands of them, `band0` .. `band15`, each with `type`
 * (`bell`, `low-shelf`, `high-shelf`, `high-pass`, `low-pass`,
 * `band-pass`, `notch`), `freq` (Hz), `gain` (dB, bell and shelves), `q`,
 * `slope` (12, 24 or 48 dB/octave for high- and low-pass), `channel`
 * (`mid`, `side`, `stereo`, `left`, `right`) and `enabled`.  A band with
 * its defaults is a 0 dB bell: it does nothing.  Left/right bands run
 * before the mid/side matrix, mid/side/stereo bands after it; then
 * #GstMsEq:mid-gain and #GstMsEq:side-gain (a width control) and
 * #GstMsEq:output-gain.
 *
 * The filters are second-order sections (band-pass: two) matched to the
 * analog prototypes (no bilinear cramping near Nyquist: a 16 kHz bell at
 * 44.1 kHz is within 0.09 dB of the analog bell).  Every property is
 * controllable; changes are interpolated over 10 ms (coefficients and
 * gains per sample), so automation does not click.  Latency 0.  With all
 * bands off or flat and the gains at 0 dB the output is the input, bit
 * for bit.  Mono input is the mid: side, left and right bands and
 * #GstMsEq:side-gain do nothing.  More than 2 channels are refused.
 * NaN and infinite input samples are replaced by silence (one warning
 * per stream).
 *
 * Presets (#GstPreset; `gst-inspect-1.0 mseq` lists them, and
 * `gst_preset_load_preset()` loads one), starting points to adjust by
 * ear:
 *
 * * `mono-bass`: side high-pass 120 Hz, 24 dB/octave (bass in mono, as
 *   for vinyl cutting and club systems).
 * * `de-mud`: mid bell -2.5 dB at 300 Hz, Q 1.
 * * `de-harsh`: mid bell -2 dB at 3.5 kHz, Q 1.5; side bell -1.5 dB at
 *   5 kHz, Q 1.5.
 * * `air`: high shelf +2 dB at 12 kHz (stereo), side high shelf +1.5 dB
 *   at 8 kHz.
 * * `wider`: side gain +2 dB, side low-shelf -3 dB at 150 Hz (keeps the
 *   low end centred).
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 filesrc location=in.wav ! wavparse ! audioconvert ! \
 *     mseq num-bands=2 band0::type=high-pass band0::freq=120 \
 *     band0::channel=side band1::freq=3500 band1::gain=-2 \
 *     band1::channel=mid ! audioconvert ! wavenc ! filesink location=out.wav
 * ]| Side high-pass at 120 Hz (mono bass) and a 2 dB mid cut at 3.5 kHz.
 * |[
 * gst-launch-1.0 filesrc location=in.wav ! wavparse ! audioconvert ! \
 *     mseq side-gain=2 ! audioconvert ! autoaudiosink
 * ]| 2 dB more side signal: a wider stereo image.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gstmseq.h"
#include "gst/mstutils.h"
#include "dsp/mseq.h"

GST_DEBUG_CATEGORY_STATIC (gst_ms_eq_debug);
#define GST_CAT_DEFAULT gst_ms_eq_debug

#define MAX_BANDS MST_MSEQ_MAX_BANDS
#define DEFAULT_PROP_NUM_BANDS 4
#define DEFAULT_PROP_GAIN 0.0
#define MIN_PROP_GAIN MST_MSEQ_MIN_GAIN_DB
#define MAX_PROP_GAIN MST_MSEQ_MAX_GAIN_DB

#define DEFAULT_BAND_TYPE GST_MS_EQ_BAND_TYPE_BELL
#define DEFAULT_BAND_GAIN 0.0
#define MIN_BAND_GAIN -24.0
#define MAX_BAND_GAIN 24.0
#define DEFAULT_BAND_Q 0.707
#define MIN_BAND_Q 0.1
#define MAX_BAND_Q 20.0
#define MIN_BAND_FREQ 10.0
#define MAX_BAND_FREQ 190000.0
#define DEFAULT_BAND_SLOPE GST_MS_EQ_SLOPE_12
#define DEFAULT_BAND_CHANNEL GST_MS_EQ_CHANNEL_STEREO
#define DEFAULT_BAND_ENABLED TRUE

/* Default frequency of band i: 50 Hz to 16 kHz, log spaced. */
static gdouble
default_band_freq (guint i)
{
  return round (50.0 * pow (320.0, i / (gdouble) (MAX_BANDS - 1)));
}

/* ------------------------------------------------------------ enums */

GType
gst_ms_eq_band_type_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_MS_EQ_BAND_TYPE_BELL, "Bell (peaking)", "bell"},
    {GST_MS_EQ_BAND_TYPE_LOW_SHELF, "Low shelf", "low-shelf"},
    {GST_MS_EQ_BAND_TYPE_HIGH_SHELF, "High shelf", "high-shelf"},
    {GST_MS_EQ_BAND_TYPE_HIGH_PASS, "High-pass", "high-pass"},
    {GST_MS_EQ_BAND_TYPE_LOW_PASS, "Low-pass", "low-pass"},
    {GST_MS_EQ_BAND_TYPE_BAND_PASS, "Band-pass", "band-pass"},
    {GST_MS_EQ_BAND_TYPE_NOTCH, "Notch", "notch"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstMsEqBandType", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

GType
gst_ms_eq_channel_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_MS_EQ_CHANNEL_MID, "Mid (L + R) / 2", "mid"},
    {GST_MS_EQ_CHANNEL_SIDE, "Side (L - R) / 2", "side"},
    {GST_MS_EQ_CHANNEL_STEREO, "Both channels", "stereo"},
    {GST_MS_EQ_CHANNEL_LEFT, "Left", "left"},
    {GST_MS_EQ_CHANNEL_RIGHT, "Right", "right"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstMsEqChannel", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

GType
gst_ms_eq_slope_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_MS_EQ_SLOPE_12, "12 dB/octave", "12"},
    {GST_MS_EQ_SLOPE_24, "24 dB/octave", "24"},
    {GST_MS_EQ_SLOPE_48, "48 dB/octave", "48"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstMsEqSlope", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

/* ------------------------------------------------------------ element */

struct _GstMsEqBand
{
  GstObject parent;

  GstMsEq *eq;                  /* owner (not a reference), NULL after dispose */
  guint index;
  /* properties, protected by the owner's object lock */
  GstMsEqBandType type;
  gdouble freq, gain, q;
  GstMsEqSlope slope;
  GstMsEqChannel channel;
  gboolean enabled;
};

struct _GstMsEq
{
  GstAudioFilter parent;

  GstMsEqBand *bands[MAX_BANDS];
  /* properties, object lock */
  guint num_bands;
  gdouble mid_gain, side_gain, output_gain;
  guint32 bands_dirty;          /* bit per band: to be passed to the core */
  gboolean gains_dirty;

  /* streaming thread */
  MstMsEq *core;
    gsize (*process) (MstMsEq * eq, const void *in, void *out, gsize n);
  guint64 pos;                  /* stream position, frames */
  gboolean warned_non_finite;
  guint64 non_finite;
};

enum
{
  PROP_0,
  PROP_NUM_BANDS,
  PROP_MID_GAIN,
  PROP_SIDE_GAIN,
  PROP_OUTPUT_GAIN,
};

enum
{
  BAND_PROP_0,
  BAND_PROP_TYPE,
  BAND_PROP_FREQ,
  BAND_PROP_GAIN,
  BAND_PROP_Q,
  BAND_PROP_SLOPE,
  BAND_PROP_CHANNEL,
  BAND_PROP_ENABLED,
};

#define ALLOWED_CAPS \
  GST_MST_AUDIO_CAPS (GST_AUDIO_NE (F32) ", " GST_AUDIO_NE (F64))

static void gst_ms_eq_child_proxy_init (gpointer g_iface, gpointer data);
static void gst_ms_eq_preset_init (gpointer g_iface, gpointer data);

G_DEFINE_TYPE (GstMsEqBand, gst_ms_eq_band, GST_TYPE_OBJECT);
G_DEFINE_TYPE_WITH_CODE (GstMsEq, gst_ms_eq, GST_TYPE_AUDIO_FILTER,
    G_IMPLEMENT_INTERFACE (GST_TYPE_CHILD_PROXY, gst_ms_eq_child_proxy_init)
    G_IMPLEMENT_INTERFACE (GST_TYPE_PRESET, gst_ms_eq_preset_init));
GST_ELEMENT_REGISTER_DEFINE (mseq, "mseq", GST_RANK_NONE, GST_TYPE_MS_EQ);

/* ------------------------------------------------------------ band */

static void
gst_ms_eq_band_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstMsEqBand *band = GST_MS_EQ_BAND (object);
  GstMsEq *eq = band->eq;
  gdouble d = 0.0;

  if (G_VALUE_TYPE (value) == G_TYPE_DOUBLE) {
    d = g_value_get_double (value);
    if (!gst_mst_value_is_finite (object, pspec, d))
      return;
  }
  if (eq)
    GST_OBJECT_LOCK (eq);
  switch (prop_id) {
    case BAND_PROP_TYPE:
      band->type = g_value_get_enum (value);
      break;
    case BAND_PROP_FREQ:
      band->freq = d;
      break;
    case BAND_PROP_GAIN:
      band->gain = d;
      break;
    case BAND_PROP_Q:
      band->q = d;
      break;
    case BAND_PROP_SLOPE:
      band->slope = g_value_get_enum (value);
      break;
    case BAND_PROP_CHANNEL:
      band->channel = g_value_get_enum (value);
      break;
    case BAND_PROP_ENABLED:
      band->enabled = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  if (eq) {
    eq->bands_dirty |= 1u << band->index;
    GST_OBJECT_UNLOCK (eq);
  }
}

static void
gst_ms_eq_band_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstMsEqBand *band = GST_MS_EQ_BAND (object);
  GstMsEq *eq = band->eq;

  if (eq)
    GST_OBJECT_LOCK (eq);
  switch (prop_id) {
    case BAND_PROP_TYPE:
      g_value_set_enum (value, band->type);
      break;
    case BAND_PROP_FREQ:
      g_value_set_double (value, band->freq);
      break;
    case BAND_PROP_GAIN:
      g_value_set_double (value, band->gain);
      break;
    case BAND_PROP_Q:
      g_value_set_double (value, band->q);
      break;
    case BAND_PROP_SLOPE:
      g_value_set_enum (value, band->slope);
      break;
    case BAND_PROP_CHANNEL:
      g_value_set_enum (value, band->channel);
      break;
    case BAND_PROP_ENABLED:
      g_value_set_boolean (value, band->enabled);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  if (eq)
    GST_OBJECT_UNLOCK (eq);
}

static void
gst_ms_eq_band_class_init (GstMsEqBandClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | GST_PARAM_CONTROLLABLE |
      GST_PARAM_MUTABLE_PLAYING | G_PARAM_STATIC_STRINGS;

  gobject_class->set_property = gst_ms_eq_band_set_property;
  gobject_class->get_property = gst_ms_eq_band_get_property;

  g_object_class_install_property (gobject_class, BAND_PROP_TYPE,
      g_param_spec_enum ("type", "Type",
          "Filter type (bell, low-shelf, high-shelf, high-pass, low-pass, "
          "band-pass, notch)", GST_TYPE_MS_EQ_BAND_TYPE, DEFAULT_BAND_TYPE,
          flags));
  g_object_class_install_property (gobject_class, BAND_PROP_FREQ,
      g_param_spec_double ("freq", "Frequency",
          "Centre (bell, band-pass, notch), mid-point (shelves) or corner "
          "(high/low-pass) frequency, in Hz (10 to 190000; at most 0.49 x "
          "the sample rate is used)", MIN_BAND_FREQ, MAX_BAND_FREQ, 1000.0,
          flags));
  g_object_class_install_property (gobject_class, BAND_PROP_GAIN,
      g_param_spec_double ("gain", "Gain",
          "Gain of bell and shelf bands, in dB (-24 to +24)", MIN_BAND_GAIN,
          MAX_BAND_GAIN, DEFAULT_BAND_GAIN, flags));
  g_object_class_install_property (gobject_class, BAND_PROP_Q,
      g_param_spec_double ("q", "Q",
          "Quality factor (0.1 to 20): width of bell, band-pass and notch; "
          "steepness of shelves (0.707: no overshoot); resonance of "
          "12 dB/octave high/low-pass (0.707: Butterworth; 24 and 48 "
          "dB/octave are always Butterworth)", MIN_BAND_Q, MAX_BAND_Q,
          DEFAULT_BAND_Q, flags));
  g_object_class_install_property (gobject_class, BAND_PROP_SLOPE,
      g_param_spec_enum ("slope", "Slope",
          "Steepness of high- and low-pass bands, dB/octave (12, 24, 48)",
          GST_TYPE_MS_EQ_SLOPE, DEFAULT_BAND_SLOPE, flags));
  g_object_class_install_property (gobject_class, BAND_PROP_CHANNEL,
      g_param_spec_enum ("channel", "Channel",
          "Signal the band filters (mid, side, stereo, left, right)",
          GST_TYPE_MS_EQ_CHANNEL, DEFAULT_BAND_CHANNEL, flags));
  g_object_class_install_property (gobject_class, BAND_PROP_ENABLED,
      g_param_spec_boolean ("enabled", "Enabled",
          "Whether the band filters (FALSE: bypassed)", DEFAULT_BAND_ENABLED,
          flags));
}

static void
gst_ms_eq_band_init (GstMsEqBand * band)
{
  band->type = DEFAULT_BAND_TYPE;
  band->freq = 1000.0;
  band->gain = DEFAULT_BAND_GAIN;
  band->q = DEFAULT_BAND_Q;
  band->slope = DEFAULT_BAND_SLOPE;
  band->channel = DEFAULT_BAND_CHANNEL;
  band->enabled = DEFAULT_BAND_ENABLED;
}

/* ------------------------------------------------------------ child proxy */

static GObject *
gst_ms_eq_child_proxy_get_child_by_index (GstChildProxy * proxy, guint index)
{
  GstMsEq *self = GST_MS_EQ (proxy);
  GObject *child = NULL;

  GST_OBJECT_LOCK (self);
  if (index < self->num_bands)
    child = g_object_ref (G_OBJECT (self->bands[index]));
  GST_OBJECT_UNLOCK (self);
  return child;
}

/* Every band (also those at or beyond num-bands) is found by name, so
 * that a preset or a launch line can set bands in any order. */
static GObject *
gst_ms_eq_child_proxy_get_child_by_name (GstChildProxy * proxy,
    const gchar * name)
{
  GstMsEq *self = GST_MS_EQ (proxy);
  gchar *end = NULL;
  guint64 i;

  if (!name || !g_str_has_prefix (name, "band"))
    return NULL;
  i = g_ascii_strtoull (name + 4, &end, 10);
  if (end == name + 4 || *end != '\0' || i >= MAX_BANDS)
    return NULL;
  return g_object_ref (G_OBJECT (self->bands[i]));
}

static guint
gst_ms_eq_child_proxy_get_children_count (GstChildProxy * proxy)
{
  GstMsEq *self = GST_MS_EQ (proxy);
  guint n;

  GST_OBJECT_LOCK (self);
  n = self->num_bands;
  GST_OBJECT_UNLOCK (self);
  return n;
}

static void
gst_ms_eq_child_proxy_init (gpointer g_iface, gpointer data)
{
  GstChildProxyInterface *iface = g_iface;

  iface->get_child_by_index = gst_ms_eq_child_proxy_get_child_by_index;
  iface->get_child_by_name = gst_ms_eq_child_proxy_get_child_by_name;
  iface->get_children_count = gst_ms_eq_child_proxy_get_children_count;
}

/* ------------------------------------------------------------ preset */

/* The element's properties first (num-bands before the bands), then
 * every band's. */
static gchar **
gst_ms_eq_preset_get_property_names (GstPreset * preset)
{
  static const gchar *own[] = { "num-bands", "mid-gain", "side-gain",
    "output-gain"
  };
  static const gchar *band[] = { "type", "freq", "gain", "q", "slope",
    "channel", "enabled"
  };
  GPtrArray *names = g_ptr_array_new ();
  guint i, k;

  for (i = 0; i < G_N_ELEMENTS (own); i++)
    g_ptr_array_add (names, g_strdup (own[i]));
  for (i = 0; i < MAX_BANDS; i++)
    for (k = 0; k < G_N_ELEMENTS (band); k++)
      g_ptr_array_add (names, g_strdup_printf ("band%u::%s", i, band[k]));
  g_ptr_array_add (names, NULL);
  return (gchar **) g_ptr_array_free (names, FALSE);
}

static void
gst_ms_eq_preset_init (gpointer g_iface, gpointer data)
{
  GstPresetInterface *iface = g_iface;

  iface->get_property_names = gst_ms_eq_preset_get_property_names;
}

/* ------------------------------------------------------------ element */

static void
gst_ms_eq_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstMsEq *self = GST_MS_EQ (object);
  guint old_n = 0, new_n = 0, i;

  switch (prop_id) {
    case PROP_NUM_BANDS:
      GST_OBJECT_LOCK (self);
      old_n = self->num_bands;
      new_n = self->num_bands = g_value_get_uint (value);
      self->bands_dirty = (1u << MAX_BANDS) - 1;
      GST_OBJECT_UNLOCK (self);
      for (i = new_n; i < old_n; i++)
        gst_child_proxy_child_removed (GST_CHILD_PROXY (self),
            G_OBJECT (self->bands[i]), GST_OBJECT_NAME (self->bands[i]));
      for (i = old_n; i < new_n; i++)
        gst_child_proxy_child_added (GST_CHILD_PROXY (self),
            G_OBJECT (self->bands[i]), GST_OBJECT_NAME (self->bands[i]));
      break;
    case PROP_MID_GAIN:
    case PROP_SIDE_GAIN:
    case PROP_OUTPUT_GAIN:{
      gdouble d = g_value_get_double (value);
      if (!gst_mst_value_is_finite (object, pspec, d))
        return;
      GST_OBJECT_LOCK (self);
      if (prop_id == PROP_MID_GAIN)
        self->mid_gain = d;
      else if (prop_id == PROP_SIDE_GAIN)
        self->side_gain = d;
      else
        self->output_gain = d;
      self->gains_dirty = TRUE;
      GST_OBJECT_UNLOCK (self);
      break;
    }
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
gst_ms_eq_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  GstMsEq *self = GST_MS_EQ (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_NUM_BANDS:
      g_value_set_uint (value, self->num_bands);
      break;
    case PROP_MID_GAIN:
      g_value_set_double (value, self->mid_gain);
      break;
    case PROP_SIDE_GAIN:
      g_value_set_double (value, self->side_gain);
      break;
    case PROP_OUTPUT_GAIN:
      g_value_set_double (value, self->output_gain);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

/* Passes changed settings to the core.  Object lock held. */
static void
apply_settings (GstMsEq * self)
{
  guint i;

  if (!self->core)
    return;
  for (i = 0; i < MAX_BANDS; i++) {
    GstMsEqBand *b = self->bands[i];
    MstMsEqBand mb;
    if (!(self->bands_dirty & (1u << i)))
      continue;
    mb.type = (MstBiquadType) b->type;
    mb.freq = b->freq;
    mb.gain_db = b->gain;
    mb.q = b->q;
    mb.slope_db = (unsigned) b->slope;
    mb.channel = (MstMsEqChannel) b->channel;
    mb.enabled = b->enabled && i < self->num_bands;
    mst_mseq_set_band (self->core, i, &mb);
  }
  self->bands_dirty = 0;
  if (self->gains_dirty) {
    mst_mseq_set_mid_gain (self->core, self->mid_gain);
    mst_mseq_set_side_gain (self->core, self->side_gain);
    mst_mseq_set_output_gain (self->core, self->output_gain);
    self->gains_dirty = FALSE;
  }
}

static gsize
process_f32 (MstMsEq * eq, const void *in, void *out, gsize n)
{
  return mst_mseq_process_f32 (eq, in, out, n);
}

static gsize
process_f64 (MstMsEq * eq, const void *in, void *out, gsize n)
{
  return mst_mseq_process_f64 (eq, in, out, n);
}

static gboolean
gst_ms_eq_setup (GstAudioFilter * filter, const GstAudioInfo * info)
{
  GstMsEq *self = GST_MS_EQ (filter);
  gint channels = GST_AUDIO_INFO_CHANNELS (info);
  MstMsEq *core;

  if (channels > 2) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
        ("mseq processes mono or stereo audio, not %d channels", channels),
        ("Downmix first, e.g. audioconvert ! audio/x-raw,channels=2 ! "
            "mseq"));
    return FALSE;
  }
  core = mst_mseq_new (GST_AUDIO_INFO_RATE (info), channels);
  if (!core) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, (NULL),
        ("cannot process %d channels at %d Hz", channels,
            GST_AUDIO_INFO_RATE (info)));
    return FALSE;
  }
  switch (GST_AUDIO_INFO_FORMAT (info)) {
    case GST_AUDIO_FORMAT_F32:
      self->process = process_f32;
      break;
    case GST_AUDIO_FORMAT_F64:
      self->process = process_f64;
      break;
    default:
      mst_mseq_free (core);
      GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, (NULL),
          ("unsupported format %s",
              gst_audio_format_to_string (GST_AUDIO_INFO_FORMAT (info))));
      return FALSE;
  }
  mst_mseq_set_ramp (core, GST_MST_CONTROL_CHUNK_MS);
  GST_OBJECT_LOCK (self);
  mst_mseq_free (self->core);
  self->core = core;
  self->bands_dirty = (1u << MAX_BANDS) - 1;
  self->gains_dirty = TRUE;
  apply_settings (self);
  GST_OBJECT_UNLOCK (self);
  /* start at the settings, not with a ramp towards them */
  mst_mseq_reset (core);
  return TRUE;
}

static gboolean
gst_ms_eq_start (GstBaseTransform * trans)
{
  GstMsEq *self = GST_MS_EQ (trans);

  self->pos = 0;
  self->warned_non_finite = FALSE;
  self->non_finite = 0;
  return TRUE;
}

static gboolean
gst_ms_eq_stop (GstBaseTransform * trans)
{
  GstMsEq *self = GST_MS_EQ (trans);

  GST_OBJECT_LOCK (self);
  mst_mseq_free (self->core);
  self->core = NULL;
  GST_OBJECT_UNLOCK (self);
  return TRUE;
}

static gboolean
gst_ms_eq_sink_event (GstBaseTransform * trans, GstEvent * event)
{
  GstMsEq *self = GST_MS_EQ (trans);

  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_FLUSH_STOP:
      if (self->core)
        mst_mseq_reset (self->core);
      break;
    case GST_EVENT_STREAM_START:
      self->warned_non_finite = FALSE;
      break;
    default:
      break;
  }
  return GST_BASE_TRANSFORM_CLASS (gst_ms_eq_parent_class)->sink_event (trans,
      event);
}

/* The pad templates say 1 or 2 channels, so converters upstream downmix
 * and links to more channels fail.  Fixed caps with more channels that
 * are pushed anyway (a caps event the pad refuses before the element
 * sees it) get a clear error from this probe on the sink pad, which runs
 * before the pad's own check. */
static GstPadProbeReturn
gst_ms_eq_caps_probe (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  GstMsEq *self = GST_MS_EQ (data);
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);
  GstCaps *caps;
  GstStructure *st;
  gint channels;

  if (GST_EVENT_TYPE (event) != GST_EVENT_CAPS)
    return GST_PAD_PROBE_OK;
  gst_event_parse_caps (event, &caps);
  if (!caps || gst_caps_get_size (caps) < 1)
    return GST_PAD_PROBE_OK;
  st = gst_caps_get_structure (caps, 0);
  if (gst_structure_get_int (st, "channels", &channels) && channels > 2)
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
        ("mseq processes mono or stereo audio, not %d channels", channels),
        ("Downmix first, e.g. audioconvert ! audio/x-raw,channels=2 ! "
            "mseq"));
  return GST_PAD_PROBE_OK;
}

/* The control grid of the element and its bands: 0 when nothing is
 * controlled (call once per buffer, without the object lock). */
static guint64
control_grid (GstMsEq * self, gint rate)
{
  guint64 grid = gst_mst_control_grid (GST_OBJECT (self), rate);
  guint i;

  for (i = 0; i < MAX_BANDS; i++)
    grid = MAX (grid, gst_mst_control_grid (GST_OBJECT (self->bands[i]),
            rate));
  return grid;
}

static void
sync_controls (GstMsEq * self, GstClockTime ts)
{
  GstBaseTransform *trans = GST_BASE_TRANSFORM (self);
  GstClockTime st;
  guint i;

  if (!GST_CLOCK_TIME_IS_VALID (ts)
      || trans->segment.format != GST_FORMAT_TIME)
    return;
  gst_mst_sync_values (trans, ts);
  st = gst_segment_to_stream_time (&trans->segment, GST_FORMAT_TIME, ts);
  if (!GST_CLOCK_TIME_IS_VALID (st))
    return;
  for (i = 0; i < MAX_BANDS; i++)
    if (gst_object_has_active_control_bindings (GST_OBJECT (self->bands[i])))
      gst_object_sync_values (GST_OBJECT (self->bands[i]), st);
}

static GstFlowReturn
gst_ms_eq_transform_ip (GstBaseTransform * trans, GstBuffer * buf)
{
  GstMsEq *self = GST_MS_EQ (trans);
  GstAudioFilter *filter = GST_AUDIO_FILTER (trans);
  gint rate = GST_AUDIO_FILTER_RATE (filter);
  gint bpf = GST_AUDIO_FILTER_BPF (filter);
  GstClockTime pts = GST_BUFFER_PTS (buf);
  GstMapInfo map;
  gsize n, done = 0, bad = 0;
  guint64 grid;

  if (G_UNLIKELY (!self->core))
    return GST_FLOW_NOT_NEGOTIATED;
  if (GST_CLOCK_TIME_IS_VALID (pts))
    self->pos = gst_util_uint64_scale_int_round (pts, rate, GST_SECOND);
  if (GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DISCONT)) {
    /* nothing to do: the filters carry on (a DISCONT is not a reset) */
  }
  if (GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_GAP)) {
    gboolean identity;
    sync_controls (self, pts);
    GST_OBJECT_LOCK (self);
    apply_settings (self);
    GST_OBJECT_UNLOCK (self);
    identity = mst_mseq_is_identity (self->core);
    if (identity) {
      self->pos += gst_buffer_get_size (buf) / bpf;
      return GST_FLOW_OK;
    }
  }
  if (!gst_buffer_map (buf, &map, GST_MAP_READWRITE)) {
    GST_ELEMENT_ERROR (self, RESOURCE, FAILED, (NULL),
        ("cannot map the buffer"));
    return GST_FLOW_ERROR;
  }
  n = map.size / bpf;
  grid = control_grid (self, rate);
  while (done < n) {
    gsize m = gst_mst_control_chunk (grid, self->pos, n - done);
    GstClockTime ts = GST_CLOCK_TIME_IS_VALID (pts) ?
        pts + gst_util_uint64_scale_int (done, GST_SECOND, rate) :
        GST_CLOCK_TIME_NONE;
    guint8 *p = map.data + done * bpf;

    sync_controls (self, ts);
    GST_OBJECT_LOCK (self);
    apply_settings (self);
    GST_OBJECT_UNLOCK (self);
    bad += self->process (self->core, p, p, m);
    done += m;
    self->pos += m;
  }
  gst_buffer_unmap (buf, &map);
  GST_BUFFER_FLAG_UNSET (buf, GST_BUFFER_FLAG_GAP);
  gst_mst_warn_non_finite (GST_ELEMENT (self), &self->warned_non_finite,
      &self->non_finite, bad, pts);
  return GST_FLOW_OK;
}

static void
gst_ms_eq_dispose (GObject * object)
{
  GstMsEq *self = GST_MS_EQ (object);
  guint i;

  for (i = 0; i < MAX_BANDS; i++) {
    if (self->bands[i]) {
      self->bands[i]->eq = NULL;
      gst_object_unparent (GST_OBJECT (self->bands[i]));
      self->bands[i] = NULL;
    }
  }
  G_OBJECT_CLASS (gst_ms_eq_parent_class)->dispose (object);
}

static void
gst_ms_eq_finalize (GObject * object)
{
  GstMsEq *self = GST_MS_EQ (object);

  mst_mseq_free (self->core);
  G_OBJECT_CLASS (gst_ms_eq_parent_class)->finalize (object);
}

static void
gst_ms_eq_class_init (GstMsEqClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstAudioFilterClass *filter_class = GST_AUDIO_FILTER_CLASS (klass);
  GstCaps *caps;
  const GParamFlags gflags = G_PARAM_READWRITE | GST_PARAM_CONTROLLABLE |
      GST_PARAM_MUTABLE_PLAYING | G_PARAM_STATIC_STRINGS;

  GST_DEBUG_CATEGORY_INIT (gst_ms_eq_debug, "mseq", 0,
      "mid/side parametric equalizer");

  gobject_class->set_property = gst_ms_eq_set_property;
  gobject_class->get_property = gst_ms_eq_get_property;
  gobject_class->dispose = gst_ms_eq_dispose;
  gobject_class->finalize = gst_ms_eq_finalize;

  /**
   * GstMsEq:num-bands:
   *
   * Number of bands (children `band0` .. `bandN-1`).  Bands beyond it
   * are off but keep their settings.
   */
  g_object_class_install_property (gobject_class, PROP_NUM_BANDS,
      g_param_spec_uint ("num-bands", "Number of bands",
          "Number of bands (1 to 16)", 1, MAX_BANDS, DEFAULT_PROP_NUM_BANDS,
          G_PARAM_READWRITE | GST_PARAM_MUTABLE_PLAYING |
          G_PARAM_STATIC_STRINGS));

  /**
   * GstMsEq:mid-gain:
   *
   * Gain of the mid signal, dB; -60 is silence.
   */
  g_object_class_install_property (gobject_class, PROP_MID_GAIN,
      g_param_spec_double ("mid-gain", "Mid gain",
          "Gain of the mid signal, in dB (-60 = silence, to +24)",
          MIN_PROP_GAIN, MAX_PROP_GAIN, DEFAULT_PROP_GAIN, gflags));

  /**
   * GstMsEq:side-gain:
   *
   * Gain of the side signal, dB: a width control (-60: mono, positive:
   * wider).  No effect on mono input.
   */
  g_object_class_install_property (gobject_class, PROP_SIDE_GAIN,
      g_param_spec_double ("side-gain", "Side gain",
          "Gain of the side signal (stereo width), in dB (-60 = mono, to "
          "+24)", MIN_PROP_GAIN, MAX_PROP_GAIN, DEFAULT_PROP_GAIN, gflags));

  /**
   * GstMsEq:output-gain:
   *
   * Gain applied to the output, dB.
   */
  g_object_class_install_property (gobject_class, PROP_OUTPUT_GAIN,
      g_param_spec_double ("output-gain", "Output gain",
          "Output gain, in dB (-60 = silence, to +24)", MIN_PROP_GAIN,
          MAX_PROP_GAIN, DEFAULT_PROP_GAIN, gflags));

  gst_element_class_set_static_metadata (element_class,
      "Mid/side equalizer", "Filter/Effect/Audio",
      "Parametric equalizer with bands on mid, side, left, right or both "
      "channels", "gst-mastering developers");

  caps = gst_caps_from_string (ALLOWED_CAPS);
  /* mono or stereo; the cores' other limits (formats, rates) as every
   * element of the plugin has them */
  gst_caps_set_simple (caps, "channels", GST_TYPE_INT_RANGE, 1, 2, NULL);
  gst_audio_filter_class_add_pad_templates (filter_class, caps);
  gst_caps_unref (caps);

  trans_class->start = GST_DEBUG_FUNCPTR (gst_ms_eq_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_ms_eq_stop);
  trans_class->sink_event = GST_DEBUG_FUNCPTR (gst_ms_eq_sink_event);
  trans_class->transform_ip = GST_DEBUG_FUNCPTR (gst_ms_eq_transform_ip);
  trans_class->transform_ip_on_passthrough = FALSE;
  filter_class->setup = GST_DEBUG_FUNCPTR (gst_ms_eq_setup);

  gst_type_mark_as_plugin_api (GST_TYPE_MS_EQ_BAND, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_MS_EQ_BAND_TYPE, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_MS_EQ_CHANNEL, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_MS_EQ_SLOPE, 0);
}

static void
gst_ms_eq_init (GstMsEq * self)
{
  guint i;

  self->num_bands = DEFAULT_PROP_NUM_BANDS;
  self->mid_gain = self->side_gain = self->output_gain = DEFAULT_PROP_GAIN;
  gst_pad_add_probe (GST_BASE_TRANSFORM_SINK_PAD (self),
      GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, gst_ms_eq_caps_probe, self, NULL);
  for (i = 0; i < MAX_BANDS; i++) {
    gchar *name = g_strdup_printf ("band%u", i);
    GstMsEqBand *band = g_object_new (GST_TYPE_MS_EQ_BAND, "name", name,
        NULL);
    g_free (name);
    band->freq = default_band_freq (i);
    band->index = i;
    band->eq = self;
    gst_object_set_parent (GST_OBJECT (band), GST_OBJECT (self));
    self->bands[i] = band;
  }
  gst_base_transform_set_in_place (GST_BASE_TRANSFORM (self), TRUE);
}
