/* gst-mastering CLI — `mstquantize` (see mstquantize.h)
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "mstquantize.h"

#include <gst/audio/audio.h>

#include "dsp/dither.h"

enum
{
  PROP_0,
  PROP_DEPTH,
  PROP_SEED,
  PROP_CLIPPED,
};

#define DEFAULT_DEPTH 24
#define CHUNK 4096              /* samples quantized per scratch pass */

struct _GstMstQuantize
{
  GstBaseTransform parent;

  guint depth;                  /* 16 or 24 */
  guint64 seed;
  guint64 clipped;              /* samples clipped or not finite */

  GstAudioInfo in_info;
  MstDither *dither;
  gint32 scratch[CHUNK];
};

G_DEFINE_TYPE (GstMstQuantize, gst_mst_quantize, GST_TYPE_BASE_TRANSFORM);

#define CAPS_COMMON \
  "layout = (string) interleaved, rate = (int) [ 1, MAX ], " \
  "channels = (int) [ 1, MAX ]"

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("audio/x-raw, format = (string) { F32LE, F64LE }, "
        CAPS_COMMON));

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("audio/x-raw, format = (string) { S16LE, S24LE }, "
        CAPS_COMMON));

static const gchar *
out_format (GstMstQuantize * self)
{
  return self->depth == 16 ? "S16LE" : "S24LE";
}

static GstCaps *
gst_mst_quantize_transform_caps (GstBaseTransform * trans,
    GstPadDirection direction, GstCaps * caps, GstCaps * filter)
{
  GstMstQuantize *self = GST_MST_QUANTIZE (trans);
  GstCaps *res = gst_caps_copy (caps);
  guint i;

  for (i = 0; i < gst_caps_get_size (res); i++) {
    GstStructure *s = gst_caps_get_structure (res, i);

    if (direction == GST_PAD_SINK) {
      gst_structure_set (s, "format", G_TYPE_STRING, out_format (self), NULL);
    } else {
      GValue list = G_VALUE_INIT, v = G_VALUE_INIT;

      g_value_init (&list, GST_TYPE_LIST);
      g_value_init (&v, G_TYPE_STRING);
      g_value_set_string (&v, "F32LE");
      gst_value_list_append_value (&list, &v);
      g_value_set_string (&v, "F64LE");
      gst_value_list_append_value (&list, &v);
      gst_structure_take_value (s, "format", &list);
      g_value_unset (&v);
    }
  }
  if (filter) {
    GstCaps *tmp = gst_caps_intersect_full (filter, res,
        GST_CAPS_INTERSECT_FIRST);

    gst_caps_unref (res);
    res = tmp;
  }
  return res;
}

static gboolean
gst_mst_quantize_get_unit_size (GstBaseTransform * trans, GstCaps * caps,
    gsize * size)
{
  GstAudioInfo info;

  if (!gst_audio_info_from_caps (&info, caps))
    return FALSE;
  *size = GST_AUDIO_INFO_BPF (&info);
  return TRUE;
}

static gboolean
gst_mst_quantize_set_caps (GstBaseTransform * trans, GstCaps * incaps,
    GstCaps * outcaps)
{
  GstMstQuantize *self = GST_MST_QUANTIZE (trans);

  if (!gst_audio_info_from_caps (&self->in_info, incaps))
    return FALSE;
  if (!self->dither || mst_dither_bits (self->dither) != self->depth) {
    mst_dither_free (self->dither);
    self->dither = mst_dither_new (self->depth, self->seed);
  }
  return self->dither != NULL;
}

static gboolean
gst_mst_quantize_start (GstBaseTransform * trans)
{
  GstMstQuantize *self = GST_MST_QUANTIZE (trans);

  /* the same noise sequence on every run */
  mst_dither_free (self->dither);
  self->dither = NULL;
  self->clipped = 0;
  return TRUE;
}

static gboolean
gst_mst_quantize_stop (GstBaseTransform * trans)
{
  GstMstQuantize *self = GST_MST_QUANTIZE (trans);

  mst_dither_free (self->dither);
  self->dither = NULL;
  return TRUE;
}

static void
pack (const gint32 * q, guint8 * out, gsize n, guint depth)
{
  gsize i;

  if (depth == 16) {
    for (i = 0; i < n; i++)
      GST_WRITE_UINT16_LE (out + 2 * i, (guint16) (gint16) q[i]);
  } else {
    for (i = 0; i < n; i++)
      GST_WRITE_UINT24_LE (out + 3 * i, (guint32) q[i]);
  }
}

static GstFlowReturn
gst_mst_quantize_transform (GstBaseTransform * trans, GstBuffer * inbuf,
    GstBuffer * outbuf)
{
  GstMstQuantize *self = GST_MST_QUANTIZE (trans);
  gboolean f64 = GST_AUDIO_INFO_FORMAT (&self->in_info) ==
      GST_AUDIO_FORMAT_F64LE;
  guint out_bps = self->depth / 8;
  GstMapInfo in, out;
  gsize n, done = 0;

  if (!self->dither)
    return GST_FLOW_NOT_NEGOTIATED;
  if (!gst_buffer_map (inbuf, &in, GST_MAP_READ))
    return GST_FLOW_ERROR;
  if (!gst_buffer_map (outbuf, &out, GST_MAP_WRITE)) {
    gst_buffer_unmap (inbuf, &in);
    return GST_FLOW_ERROR;
  }
  n = in.size / (f64 ? sizeof (gdouble) : sizeof (gfloat));
  n = MIN (n, out.size / out_bps);
  while (done < n) {
    gsize len = MIN (n - done, (gsize) CHUNK);

    if (f64)
      self->clipped += mst_dither_process_f64 (self->dither,
          (const gdouble *) in.data + done, self->scratch, len);
    else
      self->clipped += mst_dither_process_f32 (self->dither,
          (const gfloat *) in.data + done, self->scratch, len);
    pack (self->scratch, out.data + done * out_bps, len, self->depth);
    done += len;
  }
  gst_buffer_unmap (outbuf, &out);
  gst_buffer_unmap (inbuf, &in);
  return GST_FLOW_OK;
}

static void
gst_mst_quantize_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstMstQuantize *self = GST_MST_QUANTIZE (object);

  switch (prop_id) {
    case PROP_DEPTH:
      self->depth = g_value_get_uint (value) <= 16 ? 16 : 24;
      gst_base_transform_reconfigure_src (GST_BASE_TRANSFORM (self));
      break;
    case PROP_SEED:
      self->seed = g_value_get_uint64 (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
gst_mst_quantize_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstMstQuantize *self = GST_MST_QUANTIZE (object);

  switch (prop_id) {
    case PROP_DEPTH:
      g_value_set_uint (value, self->depth);
      break;
    case PROP_SEED:
      g_value_set_uint64 (value, self->seed);
      break;
    case PROP_CLIPPED:
      g_value_set_uint64 (value, self->clipped);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
gst_mst_quantize_finalize (GObject * object)
{
  mst_dither_free (GST_MST_QUANTIZE (object)->dither);
  G_OBJECT_CLASS (gst_mst_quantize_parent_class)->finalize (object);
}

static void
gst_mst_quantize_class_init (GstMstQuantizeClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);

  gobject_class->set_property = gst_mst_quantize_set_property;
  gobject_class->get_property = gst_mst_quantize_get_property;
  gobject_class->finalize = gst_mst_quantize_finalize;

  g_object_class_install_property (gobject_class, PROP_DEPTH,
      g_param_spec_uint ("depth", "Depth", "Output word length in bits (16 "
          "or 24)", 16, 24, DEFAULT_DEPTH,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_SEED,
      g_param_spec_uint64 ("seed", "Seed", "Start value of the dither "
          "noise generator", 0, G_MAXUINT64, MST_DITHER_DEFAULT_SEED,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_CLIPPED,
      g_param_spec_uint64 ("clipped", "Clipped", "Samples clipped (or not "
          "finite) so far", 0, G_MAXUINT64, 0,
          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class, "TPDF quantizer",
      "Filter/Converter/Audio", "Float to 16/24-bit PCM with reproducible "
      "TPDF dither", "gst-mastering");

  trans_class->transform_caps =
      GST_DEBUG_FUNCPTR (gst_mst_quantize_transform_caps);
  trans_class->get_unit_size =
      GST_DEBUG_FUNCPTR (gst_mst_quantize_get_unit_size);
  trans_class->set_caps = GST_DEBUG_FUNCPTR (gst_mst_quantize_set_caps);
  trans_class->start = GST_DEBUG_FUNCPTR (gst_mst_quantize_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_mst_quantize_stop);
  trans_class->transform = GST_DEBUG_FUNCPTR (gst_mst_quantize_transform);
}

static void
gst_mst_quantize_init (GstMstQuantize * self)
{
  self->depth = DEFAULT_DEPTH;
  self->seed = MST_DITHER_DEFAULT_SEED;
}

gboolean
mst_quantize_register (void)
{
  return gst_element_register (NULL, "mstquantize", GST_RANK_NONE,
      GST_TYPE_MST_QUANTIZE);
}
