/* gst-mastering — loudnorm: live loudness normalizer
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#ifndef __GST_LOUD_NORM_H__
#define __GST_LOUD_NORM_H__

#include <gst/gst.h>
#include <gst/audio/audio.h>

#include "gst/mstlookahead.h"

G_BEGIN_DECLS

/**
 * GstLoudNormMode:
 * @GST_LOUD_NORM_MODE_LIVE: adaptive gain from gated loudness measurements
 *   of the input
 * @GST_LOUD_NORM_MODE_LINEAR: one constant gain, target -
 *   #GstLoudNorm:measured-integrated (two-pass use)
 */
typedef enum
{
  GST_LOUD_NORM_MODE_LIVE = 0,
  GST_LOUD_NORM_MODE_LINEAR = 1,
} GstLoudNormMode;

#define GST_TYPE_LOUD_NORM_MODE (gst_loud_norm_mode_get_type ())
GType gst_loud_norm_mode_get_type (void);

/* GstLoudNormPreset: the delivery targets of dsp/targets.h (values = their
 * MstTargetId) and GST_LOUD_NORM_PRESET_CUSTOM after them. */
#define GST_TYPE_LOUD_NORM_PRESET (gst_loud_norm_preset_get_type ())
GType gst_loud_norm_preset_get_type (void);

#define GST_TYPE_LOUD_NORM (gst_loud_norm_get_type ())
G_DECLARE_FINAL_TYPE (GstLoudNorm, gst_loud_norm, GST, LOUD_NORM,
    GstMstLookahead);

GST_ELEMENT_REGISTER_DECLARE (loudnorm);

G_END_DECLS
#endif /* __GST_LOUD_NORM_H__ */
