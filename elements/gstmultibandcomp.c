/* gst-mastering — multibandcomp: multiband compressor
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/**
 * SECTION:element-multibandcomp
 * @title: multibandcomp
 *
 * Splits the signal into 1 to 6 bands with 4th-order Linkwitz-Riley
 * crossovers (the bands sum back to the input's magnitude response, flat
 * within 0.01 dB, when nothing compresses) and compresses each band with
 * its own feed-forward compressor: hold back a boomy low end or tame harsh
 * upper mids without the whole mix pumping.
 *
 * The bands are child objects (#GstChildProxy) named `band0` (lowest) to
 * `band5`; #GstMultibandComp:num-bands of them are used.  Each has
 * `crossover` (its upper edge, Hz; ignored on the last band used),
 * `threshold` (dBFS of the detector level), `ratio` (1 to infinity),
 * `knee` (dB, quadratic soft knee), `attack` and `release` (ms: the time
 * for the gain to cover 63 % of a level step's change), `makeup` (dB),
 * `detection` (`peak` or `rms`, where a full-scale sine reads -3.01
 * dBFS), `bypass`, `solo` and `mute`.  All are controllable and change
 * without clicks (crossovers glide, switches fade over about 10 ms).  The
 * gain is computed every 32 samples at 44.1/48 kHz (64 at 88.2/96 kHz,
 * about 0.67 ms) and interpolated linearly in between.
 *
 * #GstMultibandComp:mode: `linked` (one gain per band for both channels),
 * `mid-side` (mid and side compressed independently) or `unlinked`.
 * Mono input behaves as linked in every mode.
 *
 * Latency: #GstMultibandComp:lookahead (default 0) delays the audio so the
 * gain can start to fall before a transient; it is the element's latency,
 * reported in the latency query.  The crossovers add no latency (their
 * phase shift is part of the sound).  The output has as many samples as
 * the input, with the same timestamps; a flush drops what is held.  NaN
 * and infinite input samples are replaced by silence (one warning per
 * stream).
 *
 * Every #GstMultibandComp:interval and at EOS an element message named
 * `multibandcomp` is posted:
 *
 * * `timestamp`, `stream-time`, `running-time`, `duration` (#guint64, ns)
 *   as in `level`.
 * * `gain-reduction` (#GST_TYPE_ARRAY of #gdouble, dB >= 0, one per band
 *   used): largest reduction in the interval, over the channels.
 * * `gain-reduction-mid`, `gain-reduction-side` (same, mid-side mode on
 *   stereo input only): of the mid and the side.
 * * `final` (#gboolean): %TRUE for the message posted at EOS.
 *
 * A few starting points ship as presets (gst_preset_load_preset(),
 * `gst-inspect-1.0 multibandcomp` lists them): `gentle-glue`,
 * `tame-low-end`, `de-harsh`, `broadcast-dense`, `mid-side-focus`.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 filesrc location=in.wav ! wavparse ! audioconvert ! \
 *     multibandcomp num-bands=3 mode=mid-side band0::crossover=150 \
 *     band0::ratio=3 band0::threshold=-24 band1::crossover=5000 \
 *     band1::ratio=1.0 band2::threshold=-30 ! audioconvert ! \
 *     wavenc ! filesink location=out.wav
 * ]| Three bands split at 150 Hz and 5 kHz: the low end compressed 3:1
 * from -24 dBFS, the mids left alone, the top compressed from -30 dBFS
 * (default ratio 2:1), mid and side separately.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <math.h>
#include <string.h>

#include "gstmultibandcomp.h"
#include "gst/mstutils.h"
#include "dsp/compressor.h"
#include "dsp/util.h"

GST_DEBUG_CATEGORY_STATIC (gst_multiband_comp_debug);
#define GST_CAT_DEFAULT gst_multiband_comp_debug

#define MAX_BANDS MST_COMPRESSOR_MAX_BANDS

#define DEFAULT_PROP_NUM_BANDS     4
#define DEFAULT_PROP_MODE          GST_MULTIBAND_COMP_MODE_LINKED
#define DEFAULT_PROP_LOOKAHEAD     0.0
#define DEFAULT_PROP_OUTPUT_GAIN   0.0

#define DEFAULT_BAND_THRESHOLD     -18.0
#define DEFAULT_BAND_RATIO         2.0
#define DEFAULT_BAND_KNEE          6.0
#define DEFAULT_BAND_ATTACK        30.0
#define DEFAULT_BAND_RELEASE       200.0
#define DEFAULT_BAND_MAKEUP        0.0
#define DEFAULT_BAND_DETECTION     GST_MULTIBAND_COMP_DETECTION_RMS

/* Default upper edges of band0..band4 (Hz): with 4 bands 120 Hz, 800 Hz
 * and 3 kHz, the common low / low-mid / presence / air split. */
static const gdouble default_crossover[MAX_BANDS] = {
  120.0, 800.0, 3000.0, 8000.0, 14000.0, 20000.0
};

enum
{
  PROP_0,
  PROP_NUM_BANDS,
  PROP_MODE,
  PROP_LOOKAHEAD,
  PROP_OUTPUT_GAIN,
  PROP_INTERVAL,
  PROP_POST_MESSAGES,
};

enum
{
  BAND_PROP_0,
  BAND_PROP_CROSSOVER,
  BAND_PROP_THRESHOLD,
  BAND_PROP_RATIO,
  BAND_PROP_KNEE,
  BAND_PROP_ATTACK,
  BAND_PROP_RELEASE,
  BAND_PROP_MAKEUP,
  BAND_PROP_DETECTION,
  BAND_PROP_BYPASS,
  BAND_PROP_SOLO,
  BAND_PROP_MUTE,
};

/* ---- enums ------------------------------------------------------------ */

GType
gst_multiband_comp_mode_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_MULTIBAND_COMP_MODE_LINKED,
        "One gain per band for all channels", "linked"},
    {GST_MULTIBAND_COMP_MODE_MID_SIDE,
        "Mid and side compressed independently", "mid-side"},
    {GST_MULTIBAND_COMP_MODE_UNLINKED,
        "A gain per band and channel", "unlinked"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstMultibandCompMode", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

GType
gst_multiband_comp_detection_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_MULTIBAND_COMP_DETECTION_PEAK, "Sample peak", "peak"},
    {GST_MULTIBAND_COMP_DETECTION_RMS,
        "RMS (a full-scale sine reads -3.01 dBFS)", "rms"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstMultibandCompDetection", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

/* ---- band objects ------------------------------------------------------- */

/* The values of one band, under the band's object lock (the element
 * copies them into the core while processing, holding its own lock and
 * then the band's: the band never takes the element's lock, so a
 * controller sync of a band from inside the element's processing cannot
 * deadlock). */
struct _GstMultibandCompBand
{
  GstObject parent;

  guint index;
  gdouble crossover, threshold, ratio, knee, attack, release, makeup;
  gint detection;
  gboolean bypass, solo, mute;
  gboolean dirty;               /* changed since the element last read it */
};

G_DEFINE_TYPE (GstMultibandCompBand, gst_multiband_comp_band,
    GST_TYPE_OBJECT);

/* The double field of a band property, NULL for the others. */
static gdouble *
band_double (GstMultibandCompBand * band, guint prop_id)
{
  switch (prop_id) {
    case BAND_PROP_CROSSOVER:
      return &band->crossover;
    case BAND_PROP_THRESHOLD:
      return &band->threshold;
    case BAND_PROP_RATIO:
      return &band->ratio;
    case BAND_PROP_KNEE:
      return &band->knee;
    case BAND_PROP_ATTACK:
      return &band->attack;
    case BAND_PROP_RELEASE:
      return &band->release;
    case BAND_PROP_MAKEUP:
      return &band->makeup;
    default:
      return NULL;
  }
}

static void
gst_multiband_comp_band_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstMultibandCompBand *band = GST_MULTIBAND_COMP_BAND (object);
  gdouble *field = band_double (band, prop_id);

  if (field) {
    gdouble v = g_value_get_double (value);

    /* ratio may be +infinity (a limiter); nothing else non-finite */
    if ((prop_id != BAND_PROP_RATIO || v != INFINITY)
        && !gst_mst_value_is_finite (object, pspec, v))
      return;
    GST_OBJECT_LOCK (band);
    *field = v;
    band->dirty = TRUE;
    GST_OBJECT_UNLOCK (band);
    return;
  }
  GST_OBJECT_LOCK (band);
  switch (prop_id) {
    case BAND_PROP_DETECTION:
      band->detection = g_value_get_enum (value);
      break;
    case BAND_PROP_BYPASS:
      band->bypass = g_value_get_boolean (value);
      break;
    case BAND_PROP_SOLO:
      band->solo = g_value_get_boolean (value);
      break;
    case BAND_PROP_MUTE:
      band->mute = g_value_get_boolean (value);
      break;
    default:
      GST_OBJECT_UNLOCK (band);
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
  }
  band->dirty = TRUE;
  GST_OBJECT_UNLOCK (band);
}

static void
gst_multiband_comp_band_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstMultibandCompBand *band = GST_MULTIBAND_COMP_BAND (object);
  gdouble *field = band_double (band, prop_id);

  GST_OBJECT_LOCK (band);
  if (field) {
    g_value_set_double (value, *field);
    GST_OBJECT_UNLOCK (band);
    return;
  }
  switch (prop_id) {
    case BAND_PROP_DETECTION:
      g_value_set_enum (value, band->detection);
      break;
    case BAND_PROP_BYPASS:
      g_value_set_boolean (value, band->bypass);
      break;
    case BAND_PROP_SOLO:
      g_value_set_boolean (value, band->solo);
      break;
    case BAND_PROP_MUTE:
      g_value_set_boolean (value, band->mute);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (band);
}

#define BAND_FLAGS (G_PARAM_READWRITE | GST_PARAM_CONTROLLABLE | \
    GST_PARAM_MUTABLE_PLAYING | G_PARAM_STATIC_STRINGS)

static void
gst_multiband_comp_band_class_init (GstMultibandCompBandClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);

  gobject_class->set_property = gst_multiband_comp_band_set_property;
  gobject_class->get_property = gst_multiband_comp_band_get_property;

  g_object_class_install_property (gobject_class, BAND_PROP_CROSSOVER,
      g_param_spec_double ("crossover", "Crossover",
          "Upper edge of the band, in Hz (10 to 0.45 x the sample rate; "
          "defaults 120, 800, 3000, 8000, 14000 for band0..band4; ignored "
          "on the last band used; changes glide over ~20 ms)",
          MST_CROSSOVER_MIN_FREQ, 0.45 * MST_RATE_MAX, 1000.0, BAND_FLAGS));
  g_object_class_install_property (gobject_class, BAND_PROP_THRESHOLD,
      g_param_spec_double ("threshold", "Threshold",
          "Detector level above which the band is compressed, in dBFS "
          "(-80 to 0)", MST_COMPRESSOR_MIN_THRESHOLD_DB,
          MST_COMPRESSOR_MAX_THRESHOLD_DB, DEFAULT_BAND_THRESHOLD,
          BAND_FLAGS));
  g_object_class_install_property (gobject_class, BAND_PROP_RATIO,
      g_param_spec_double ("ratio", "Ratio",
          "Compression ratio above the threshold, input dB : output dB "
          "(1 = off, to inf = limiting)", MST_COMPRESSOR_MIN_RATIO,
          MST_COMPRESSOR_MAX_RATIO, DEFAULT_BAND_RATIO, BAND_FLAGS));
  g_object_class_install_property (gobject_class, BAND_PROP_KNEE,
      g_param_spec_double ("knee", "Knee",
          "Width of the soft knee around the threshold, in dB (0 to 24)",
          MST_COMPRESSOR_MIN_KNEE_DB, MST_COMPRESSOR_MAX_KNEE_DB,
          DEFAULT_BAND_KNEE, BAND_FLAGS));
  g_object_class_install_property (gobject_class, BAND_PROP_ATTACK,
      g_param_spec_double ("attack", "Attack",
          "Time for the gain to cover 63 % of a rising level's change, in "
          "milliseconds (0.1 to 1000)", MST_COMPRESSOR_MIN_ATTACK_MS,
          MST_COMPRESSOR_MAX_ATTACK_MS, DEFAULT_BAND_ATTACK, BAND_FLAGS));
  g_object_class_install_property (gobject_class, BAND_PROP_RELEASE,
      g_param_spec_double ("release", "Release",
          "Time for the gain to cover 63 % of a falling level's change, in "
          "milliseconds (1 to 5000)", MST_COMPRESSOR_MIN_RELEASE_MS,
          MST_COMPRESSOR_MAX_RELEASE_MS, DEFAULT_BAND_RELEASE, BAND_FLAGS));
  g_object_class_install_property (gobject_class, BAND_PROP_MAKEUP,
      g_param_spec_double ("makeup", "Makeup",
          "Gain added to the band after compression, in dB (-40 to +40)",
          MST_COMPRESSOR_MIN_GAIN_DB, MST_COMPRESSOR_MAX_GAIN_DB,
          DEFAULT_BAND_MAKEUP, BAND_FLAGS));
  g_object_class_install_property (gobject_class, BAND_PROP_DETECTION,
      g_param_spec_enum ("detection", "Detection",
          "Level the threshold applies to: sample peak or RMS",
          GST_TYPE_MULTIBAND_COMP_DETECTION, DEFAULT_BAND_DETECTION,
          BAND_FLAGS));
  g_object_class_install_property (gobject_class, BAND_PROP_BYPASS,
      g_param_spec_boolean ("bypass", "Bypass",
          "Pass the band without compression (fades over ~10 ms)", FALSE,
          BAND_FLAGS));
  g_object_class_install_property (gobject_class, BAND_PROP_SOLO,
      g_param_spec_boolean ("solo", "Solo",
          "Output only the soloed bands (fades over ~10 ms)", FALSE,
          BAND_FLAGS));
  g_object_class_install_property (gobject_class, BAND_PROP_MUTE,
      g_param_spec_boolean ("mute", "Mute",
          "Leave the band out of the output (fades over ~10 ms)", FALSE,
          BAND_FLAGS));
}

static void
gst_multiband_comp_band_init (GstMultibandCompBand * band)
{
  band->threshold = DEFAULT_BAND_THRESHOLD;
  band->ratio = DEFAULT_BAND_RATIO;
  band->knee = DEFAULT_BAND_KNEE;
  band->attack = DEFAULT_BAND_ATTACK;
  band->release = DEFAULT_BAND_RELEASE;
  band->makeup = DEFAULT_BAND_MAKEUP;
  band->detection = DEFAULT_BAND_DETECTION;
  band->crossover = 1000.0;
  band->dirty = TRUE;
}

/* ---- element ------------------------------------------------------------ */

typedef gsize (*GstMultibandCompProcessFunc) (MstCompressor * core,
    gconstpointer in, gpointer out, gsize n);

struct _GstMultibandComp
{
  GstMstLookahead parent;

  /* properties, under the object lock */
  guint num_bands;
  gint mode;
  gdouble lookahead;            /* ms */
  gdouble output_gain;          /* dB */
  GstMultibandCompBand *bands[MAX_BANDS];      /* always all of them */

  /* processing state, under the object lock */
  MstCompressor *core;
  GstMultibandCompProcessFunc process;
  gsize bpf;
  gint rate, channels;
  GstMstInterval iv;            /* of output frames */
  gdouble red[MAX_BANDS];       /* largest reduction in the interval, dB */
  gdouble red_lane[MAX_BANDS * 2];      /* per lane (mid, side) */
};

#define ALLOWED_CAPS \
  "audio/x-raw, " \
  "format = (string) { " GST_AUDIO_NE (F32) ", " GST_AUDIO_NE (F64) " }, " \
  "layout = (string) interleaved, " \
  "rate = (int) [ " G_STRINGIFY (MST_RATE_MIN) ", " \
      G_STRINGIFY (MST_RATE_MAX) " ], " \
  "channels = (int) [ 1, 2 ]"

static void gst_multiband_comp_child_proxy_init (gpointer g_iface,
    gpointer iface_data);

#define gst_multiband_comp_parent_class parent_class
G_DEFINE_TYPE_WITH_CODE (GstMultibandComp, gst_multiband_comp,
    GST_TYPE_MST_LOOKAHEAD,
    G_IMPLEMENT_INTERFACE (GST_TYPE_CHILD_PROXY,
        gst_multiband_comp_child_proxy_init);
    G_IMPLEMENT_INTERFACE (GST_TYPE_PRESET, NULL));
GST_ELEMENT_REGISTER_DEFINE (multibandcomp, "multibandcomp",
    GST_RANK_NONE, GST_TYPE_MULTIBAND_COMP);

static void gst_multiband_comp_set_property (GObject * object,
    guint prop_id, const GValue * value, GParamSpec * pspec);
static void gst_multiband_comp_get_property (GObject * object,
    guint prop_id, GValue * value, GParamSpec * pspec);
static void gst_multiband_comp_dispose (GObject * object);
static void gst_multiband_comp_finalize (GObject * object);
static gboolean gst_multiband_comp_stop (GstBaseTransform * trans);
static gboolean gst_multiband_comp_configure (GstMstLookahead * base,
    const GstAudioInfo * info);
static guint gst_multiband_comp_get_latency (GstMstLookahead * base);
static gsize gst_multiband_comp_process (GstMstLookahead * base,
    const GstMstLookaheadChunk * chunk);
static void gst_multiband_comp_reset (GstMstLookahead * base,
    gboolean flush);
static void gst_multiband_comp_eos (GstMstLookahead * base);

#define DEFINE_PROCESS_FUNC(fmt, ctype)                                   \
static gsize                                                              \
process_##fmt (MstCompressor * core, gconstpointer in, gpointer out,      \
    gsize n)                                                              \
{                                                                         \
  return mst_compressor_process_##fmt (core, (const ctype *) in,          \
      (ctype *) out, n);                                                  \
}

DEFINE_PROCESS_FUNC (f32, float)
DEFINE_PROCESS_FUNC (f64, double)

/* GstChildProxy: all MAX_BANDS bands are children, whatever num-bands
 * (those above it keep their settings and are not used), so presets and
 * gst-launch can set them in any order. */
static GObject *
gst_multiband_comp_child_proxy_get_child_by_index (GstChildProxy * proxy,
    guint index)
{
  GstMultibandComp *self = GST_MULTIBAND_COMP (proxy);

  if (index >= MAX_BANDS)
    return NULL;
  return g_object_ref (G_OBJECT (self->bands[index]));
}

static guint
gst_multiband_comp_child_proxy_get_children_count (GstChildProxy * proxy)
{
  return MAX_BANDS;
}

static void
gst_multiband_comp_child_proxy_init (gpointer g_iface, gpointer iface_data)
{
  GstChildProxyInterface *iface = g_iface;

  iface->get_child_by_index =
      gst_multiband_comp_child_proxy_get_child_by_index;
  iface->get_children_count =
      gst_multiband_comp_child_proxy_get_children_count;
}

static void
gst_multiband_comp_class_init (GstMultibandCompClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstAudioFilterClass *filter_class = GST_AUDIO_FILTER_CLASS (klass);
  GstMstLookaheadClass *lookahead_class = GST_MST_LOOKAHEAD_CLASS (klass);
  GstCaps *caps;

  GST_DEBUG_CATEGORY_INIT (gst_multiband_comp_debug, "multibandcomp", 0,
      "multiband compressor");

  gobject_class->set_property = gst_multiband_comp_set_property;
  gobject_class->get_property = gst_multiband_comp_get_property;
  gobject_class->dispose = gst_multiband_comp_dispose;
  gobject_class->finalize = gst_multiband_comp_finalize;

  /**
   * GstMultibandComp:num-bands:
   *
   * Number of bands used (band0 .. band<num-bands - 1>).  A change while
   * playing drains the held samples and restarts the compressor.
   */
  g_object_class_install_property (gobject_class, PROP_NUM_BANDS,
      g_param_spec_uint ("num-bands", "Number of bands",
          "Number of frequency bands (1 to 6)", 1, MAX_BANDS,
          DEFAULT_PROP_NUM_BANDS,
          G_PARAM_READWRITE | GST_PARAM_MUTABLE_PLAYING |
          G_PARAM_STATIC_STRINGS));

  /**
   * GstMultibandComp:mode:
   *
   * Channel handling: linked, mid-side or unlinked.  Switching while
   * playing is click-free.
   */
  g_object_class_install_property (gobject_class, PROP_MODE,
      g_param_spec_enum ("mode", "Mode",
          "Stereo mode: one gain per band for both channels (linked), mid "
          "and side compressed independently (mid-side), or a gain per "
          "channel (unlinked)", GST_TYPE_MULTIBAND_COMP_MODE,
          DEFAULT_PROP_MODE,
          G_PARAM_READWRITE | GST_PARAM_CONTROLLABLE |
          GST_PARAM_MUTABLE_PLAYING | G_PARAM_STATIC_STRINGS));

  /**
   * GstMultibandComp:lookahead:
   *
   * Delay of the audio against the detectors, ms, rounded up to whole
   * gain blocks; it is the element's latency.  A change while playing
   * drains the held samples, restarts the compressor and posts a latency
   * message.
   */
  g_object_class_install_property (gobject_class, PROP_LOOKAHEAD,
      g_param_spec_double ("lookahead", "Look-ahead",
          "Look-ahead (and latency), in milliseconds (0 to 50)", 0.0,
          MST_COMPRESSOR_MAX_LOOKAHEAD_MS, DEFAULT_PROP_LOOKAHEAD,
          G_PARAM_READWRITE | GST_PARAM_MUTABLE_PLAYING |
          G_PARAM_STATIC_STRINGS));

  /**
   * GstMultibandComp:output-gain:
   *
   * Gain applied to the sum of the bands, dB (changes glide over ~10 ms).
   */
  g_object_class_install_property (gobject_class, PROP_OUTPUT_GAIN,
      g_param_spec_double ("output-gain", "Output gain",
          "Gain applied to the output, in dB (-40 to +40)",
          MST_COMPRESSOR_MIN_GAIN_DB, MST_COMPRESSOR_MAX_GAIN_DB,
          DEFAULT_PROP_OUTPUT_GAIN,
          G_PARAM_READWRITE | GST_PARAM_CONTROLLABLE |
          GST_PARAM_MUTABLE_PLAYING | G_PARAM_STATIC_STRINGS));

  gst_mst_install_message_properties (gobject_class, PROP_INTERVAL,
      PROP_POST_MESSAGES);

  gst_element_class_set_static_metadata (element_class,
      "Multiband compressor", "Filter/Effect/Audio",
      "Compressor with 1 to 6 Linkwitz-Riley bands, linked, mid/side or "
      "unlinked", "gst-mastering developers");

  caps = gst_caps_from_string (ALLOWED_CAPS);
  gst_audio_filter_class_add_pad_templates (filter_class, caps);
  gst_caps_unref (caps);

  trans_class->stop = GST_DEBUG_FUNCPTR (gst_multiband_comp_stop);
  lookahead_class->configure =
      GST_DEBUG_FUNCPTR (gst_multiband_comp_configure);
  lookahead_class->get_latency =
      GST_DEBUG_FUNCPTR (gst_multiband_comp_get_latency);
  lookahead_class->process = GST_DEBUG_FUNCPTR (gst_multiband_comp_process);
  lookahead_class->reset = GST_DEBUG_FUNCPTR (gst_multiband_comp_reset);
  lookahead_class->eos = GST_DEBUG_FUNCPTR (gst_multiband_comp_eos);

  gst_type_mark_as_plugin_api (GST_TYPE_MULTIBAND_COMP_MODE, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_MULTIBAND_COMP_DETECTION, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_MULTIBAND_COMP_BAND, 0);
}

static void
gst_multiband_comp_init (GstMultibandComp * self)
{
  guint b;

  self->num_bands = DEFAULT_PROP_NUM_BANDS;
  self->mode = DEFAULT_PROP_MODE;
  self->lookahead = DEFAULT_PROP_LOOKAHEAD;
  self->output_gain = DEFAULT_PROP_OUTPUT_GAIN;
  gst_mst_interval_init (&self->iv, GST_MST_DEFAULT_INTERVAL);
  for (b = 0; b < MAX_BANDS; b++) {
    gchar name[16];
    GstMultibandCompBand *band;

    g_snprintf (name, sizeof name, "band%u", b);
    band = g_object_new (GST_TYPE_MULTIBAND_COMP_BAND, "name", name,
        "crossover", default_crossover[b], NULL);
    band->index = b;
    /* owned, but not parented: a property change of a parented object
     * takes its parent's lock to emit deep-notify, and the bands' values
     * are synced to their controllers inside the processing, where the
     * element's lock is held */
    self->bands[b] = gst_object_ref_sink (band);
  }
}

static void
gst_multiband_comp_dispose (GObject * object)
{
  GstMultibandComp *self = GST_MULTIBAND_COMP (object);
  guint b;

  for (b = 0; b < MAX_BANDS; b++)
    if (self->bands[b]) {
      gst_object_unref (self->bands[b]);
      self->bands[b] = NULL;
    }
  G_OBJECT_CLASS (parent_class)->dispose (object);
}

static void
gst_multiband_comp_finalize (GObject * object)
{
  GstMultibandComp *self = GST_MULTIBAND_COMP (object);

  mst_compressor_free (self->core);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

/* Copies the changed band values into the core (element lock held; takes
 * each band's lock). */
static void
apply_bands (GstMultibandComp * self, gboolean all)
{
  guint b;

  for (b = 0; b < self->num_bands && self->core; b++) {
    GstMultibandCompBand *band = self->bands[b];
    MstCompressor *c = self->core;

    GST_OBJECT_LOCK (band);
    if (band->dirty || all) {
      mst_compressor_set_crossover (c, b, band->crossover);
      mst_compressor_set_threshold (c, b, band->threshold);
      mst_compressor_set_ratio (c, b, band->ratio);
      mst_compressor_set_knee (c, b, band->knee);
      mst_compressor_set_attack (c, b, band->attack);
      mst_compressor_set_release (c, b, band->release);
      mst_compressor_set_makeup (c, b, band->makeup);
      mst_compressor_set_detection (c, b,
          band->detection == GST_MULTIBAND_COMP_DETECTION_PEAK ?
          MST_COMPRESSOR_PEAK : MST_COMPRESSOR_RMS);
      mst_compressor_set_bypass (c, b, band->bypass);
      mst_compressor_set_solo (c, b, band->solo);
      mst_compressor_set_mute (c, b, band->mute);
      band->dirty = FALSE;
    }
    GST_OBJECT_UNLOCK (band);
  }
}

static MstCompressorMode
core_mode (gint mode)
{
  switch (mode) {
    case GST_MULTIBAND_COMP_MODE_MID_SIDE:
      return MST_COMPRESSOR_MID_SIDE;
    case GST_MULTIBAND_COMP_MODE_UNLINKED:
      return MST_COMPRESSOR_UNLINKED;
    default:
      return MST_COMPRESSOR_LINKED;
  }
}

static void
gst_multiband_comp_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstMultibandComp *self = GST_MULTIBAND_COMP (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_NUM_BANDS:{
      guint v = g_value_get_uint (value);

      if (v != self->num_bands && self->core)
        gst_mst_lookahead_reconfigure (GST_MST_LOOKAHEAD (self));
      self->num_bands = v;
      break;
    }
    case PROP_MODE:
      self->mode = g_value_get_enum (value);
      if (self->core)
        mst_compressor_set_mode (self->core, core_mode (self->mode));
      break;
    case PROP_LOOKAHEAD:{
      gdouble v = g_value_get_double (value);

      if (gst_mst_value_is_finite (object, pspec, v)) {
        if (v != self->lookahead && self->core)
          gst_mst_lookahead_reconfigure (GST_MST_LOOKAHEAD (self));
        self->lookahead = v;
      }
      break;
    }
    case PROP_OUTPUT_GAIN:{
      gdouble v = g_value_get_double (value);

      if (gst_mst_value_is_finite (object, pspec, v)) {
        self->output_gain = v;
        if (self->core)
          mst_compressor_set_output_gain (self->core, v);
      }
      break;
    }
    default:
      if (!gst_mst_message_property_set (&self->iv, pspec, value))
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_multiband_comp_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstMultibandComp *self = GST_MULTIBAND_COMP (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_NUM_BANDS:
      g_value_set_uint (value, self->num_bands);
      break;
    case PROP_MODE:
      g_value_set_enum (value, self->mode);
      break;
    case PROP_LOOKAHEAD:
      g_value_set_double (value, self->lookahead);
      break;
    case PROP_OUTPUT_GAIN:
      g_value_set_double (value, self->output_gain);
      break;
    default:
      if (!gst_mst_message_property_get (&self->iv, pspec, value))
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

/* ---- processor ---------------------------------------------------------- */

static void
clear_interval_stats (GstMultibandComp * self)
{
  guint i;

  for (i = 0; i < MAX_BANDS; i++)
    self->red[i] = 0.0;
  for (i = 0; i < 2 * MAX_BANDS; i++)
    self->red_lane[i] = 0.0;
}

static void
gst_multiband_comp_reset (GstMstLookahead * base, gboolean flush)
{
  GstMultibandComp *self = GST_MULTIBAND_COMP (base);

  if (self->core) {
    mst_compressor_reset (self->core);
    mst_compressor_take_reduction (self->core, NULL, NULL);
  }
  if (flush) {
    gst_mst_interval_restart (&self->iv);
    clear_interval_stats (self);
  }
}

static gboolean
gst_multiband_comp_configure (GstMstLookahead * base,
    const GstAudioInfo * info)
{
  GstMultibandComp *self = GST_MULTIBAND_COMP (base);
  gint rate = GST_AUDIO_INFO_RATE (info);
  gint channels = GST_AUDIO_INFO_CHANNELS (info);
  MstCompressor *core;

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
  core = mst_compressor_new (rate, channels, self->num_bands,
      self->lookahead);
  if (!core)
    return FALSE;
  mst_compressor_free (self->core);
  self->core = core;
  self->bpf = GST_AUDIO_INFO_BPF (info);
  self->rate = rate;
  self->channels = channels;
  mst_compressor_set_mode (core, core_mode (self->mode));
  mst_compressor_set_output_gain (core, self->output_gain);
  apply_bands (self, TRUE);
  mst_compressor_reset (core);  /* crossover glides start at their targets */
  gst_mst_interval_configure (&self->iv, self->iv.interval, rate);
  gst_multiband_comp_reset (base, TRUE);
  GST_INFO_OBJECT (self, "compressor: %d Hz, %d channels, %u bands, "
      "latency %u samples, gain block %u samples", rate, channels,
      self->num_bands, mst_compressor_latency (core),
      mst_compressor_block (core));
  return TRUE;
}

static guint
gst_multiband_comp_get_latency (GstMstLookahead * base)
{
  return mst_compressor_latency (GST_MULTIBAND_COMP (base)->core);
}

static gboolean
gst_multiband_comp_stop (GstBaseTransform * trans)
{
  GstMultibandComp *self = GST_MULTIBAND_COMP (trans);
  gboolean ret = GST_BASE_TRANSFORM_CLASS (parent_class)->stop (trans);

  GST_OBJECT_LOCK (self);
  mst_compressor_free (self->core);
  self->core = NULL;
  GST_OBJECT_UNLOCK (self);
  return ret;
}

/* ---- messages ----------------------------------------------------------- */

static GstMessage *
make_message (GstMultibandComp * self, gboolean final)
{
  GstStructure *s;
  guint n = self->num_bands;

  s = gst_mst_message_structure_new (GST_BASE_TRANSFORM (self),
      "multibandcomp", self->iv.start, gst_mst_interval_duration (&self->iv));
  gst_mst_structure_set_double_array (s, "gain-reduction", self->red, n);
  if (self->mode == GST_MULTIBAND_COMP_MODE_MID_SIDE && self->channels == 2) {
    gdouble mid[MAX_BANDS], side[MAX_BANDS];
    guint b;

    for (b = 0; b < n; b++) {
      mid[b] = self->red_lane[2 * b];
      side[b] = self->red_lane[2 * b + 1];
    }
    gst_mst_structure_set_double_array (s, "gain-reduction-mid", mid, n);
    gst_mst_structure_set_double_array (s, "gain-reduction-side", side, n);
  }
  gst_structure_set (s, "final", G_TYPE_BOOLEAN, final, NULL);
  return gst_message_new_element (GST_OBJECT (self), s);
}

static void
take_reduction (GstMultibandComp * self)
{
  gdouble red[MAX_BANDS], lane[2 * MAX_BANDS];
  guint b;

  mst_compressor_take_reduction (self->core, red, lane);
  for (b = 0; b < self->num_bands; b++) {
    self->red[b] = MAX (self->red[b], red[b]);
    self->red_lane[2 * b] = MAX (self->red_lane[2 * b], lane[2 * b]);
    self->red_lane[2 * b + 1] = MAX (self->red_lane[2 * b + 1],
        lane[2 * b + 1]);
  }
}

/* Stream time of the input frames that come out at output frame pos. */
static GstClockTime
input_stream_time (GstMultibandComp * self, guint64 pos)
{
  GstBaseTransform *trans = GST_BASE_TRANSFORM (self);
  GstClockTime t = gst_mst_lookahead_output_time (GST_MST_LOOKAHEAD (self),
      pos);

  if (!GST_CLOCK_TIME_IS_VALID (t) || trans->segment.format != GST_FORMAT_TIME)
    return GST_CLOCK_TIME_NONE;
  t += gst_util_uint64_scale_int_round (mst_compressor_latency (self->core),
      GST_SECOND, self->rate);
  return gst_segment_to_stream_time (&trans->segment, GST_FORMAT_TIME, t);
}

/* Frames until the next 10 ms controller grid line of the bands that
 * have control bindings (the element's own are synced by the base). */
static gsize
band_control_chunk (GstMultibandComp * self, guint64 pos, gsize n)
{
  guint b;

  for (b = 0; b < self->num_bands; b++)
    n = gst_mst_control_chunk (gst_mst_control_grid (GST_OBJECT
            (self->bands[b]), self->rate), pos, n);
  return n;
}

/* Runs a chunk through the core, split at the interval boundaries of the
 * output (each message covers exactly its interval) and at the 10 ms grid
 * of the bands' controllers.  Object lock held. */
static gsize
gst_multiband_comp_process (GstMstLookahead * base,
    const GstMstLookaheadChunk * c)
{
  GstMultibandComp *self = GST_MULTIBAND_COMP (base);
  gsize done = 0, nf = 0;

  if (c->priming) {
    apply_bands (self, FALSE);
    nf = self->process (self->core, c->in, c->out, c->n_frames);
    mst_compressor_take_reduction (self->core, NULL, NULL);
    return nf;
  }
  while (done < c->n_frames) {
    gsize m = MIN (gst_mst_interval_remaining (&self->iv), c->n_frames - done);
    GstClockTime st;
    guint b;

    m = band_control_chunk (self, c->out_pos + done, m);
    st = input_stream_time (self, c->out_pos + done);
    if (GST_CLOCK_TIME_IS_VALID (st))
      for (b = 0; b < self->num_bands; b++)
        gst_object_sync_values (GST_OBJECT (self->bands[b]), st);
    apply_bands (self, FALSE);
    gst_mst_interval_sync (&self->iv,
        gst_mst_lookahead_output_time (base, c->out_pos + done));
    nf += self->process (self->core, c->in ? c->in + done * self->bpf : NULL,
        c->out + done * self->bpf, m);
    take_reduction (self);
    done += m;
    if (gst_mst_interval_add (&self->iv, m)) {
      if (self->iv.post)
        gst_mst_lookahead_post_message (base, make_message (self, FALSE));
      gst_mst_interval_next (&self->iv);
      clear_interval_stats (self);
    }
  }
  return nf;
}

static void
gst_multiband_comp_eos (GstMstLookahead * base)
{
  GstMultibandComp *self = GST_MULTIBAND_COMP (base);
  GstMessage *msg = NULL;

  GST_OBJECT_LOCK (self);
  if (self->core && self->iv.post)
    msg = make_message (self, TRUE);
  gst_mst_interval_restart (&self->iv);
  clear_interval_stats (self);
  GST_OBJECT_UNLOCK (self);
  if (msg)
    gst_element_post_message (GST_ELEMENT (self), msg);
}
