/* gst-mastering CLI — `mstquantize`: float to 16/24-bit PCM with TPDF
 * dither (dsp/dither.h), reproducible from a fixed seed.
 *
 * A private element of the tool (registered by mst_quantize_register(),
 * not part of the plugin): F32LE/F64LE in, S16LE or packed S24LE out
 * (`depth`), same rate and channel layout.  The noise sequence restarts
 * from `seed` whenever the element starts, so every run writes the same
 * samples; `clipped` counts samples that had to be clipped.
 */
#ifndef __MST_QUANTIZE_H__
#define __MST_QUANTIZE_H__

#include <gst/gst.h>
#include <gst/base/gstbasetransform.h>

G_BEGIN_DECLS

#define GST_TYPE_MST_QUANTIZE (gst_mst_quantize_get_type ())
G_DECLARE_FINAL_TYPE (GstMstQuantize, gst_mst_quantize, GST, MST_QUANTIZE,
    GstBaseTransform)

/* Registers "mstquantize" (once; safe to call again). */
gboolean mst_quantize_register (void);

G_END_DECLS
#endif /* __MST_QUANTIZE_H__ */
