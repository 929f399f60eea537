/* gst-mastering — multibandcomp: multiband compressor
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#ifndef __GST_MULTIBAND_COMP_H__
#define __GST_MULTIBAND_COMP_H__

#include <gst/gst.h>
#include <gst/audio/audio.h>
#include <gst/audio/gstaudiofilter.h>

#include "gst/mstlookahead.h"

G_BEGIN_DECLS

/**
 * GstMultibandCompMode:
 * @GST_MULTIBAND_COMP_MODE_LINKED: one gain per band for all channels,
 *   from the louder channel (the stereo image does not move)
 * @GST_MULTIBAND_COMP_MODE_MID_SIDE: mid (L + R) / 2 and side (L - R) / 2
 *   compressed independently (stereo input; mono behaves as linked)
 * @GST_MULTIBAND_COMP_MODE_UNLINKED: a gain per band and channel
 */
typedef enum
{
  GST_MULTIBAND_COMP_MODE_LINKED = 0,
  GST_MULTIBAND_COMP_MODE_MID_SIDE = 1,
  GST_MULTIBAND_COMP_MODE_UNLINKED = 2,
} GstMultibandCompMode;

/**
 * GstMultibandCompDetection:
 * @GST_MULTIBAND_COMP_DETECTION_PEAK: sample peak of the band
 * @GST_MULTIBAND_COMP_DETECTION_RMS: RMS of the band (a full-scale sine
 *   reads -3.01 dBFS)
 */
typedef enum
{
  GST_MULTIBAND_COMP_DETECTION_PEAK = 0,
  GST_MULTIBAND_COMP_DETECTION_RMS = 1,
} GstMultibandCompDetection;

#define GST_TYPE_MULTIBAND_COMP_MODE (gst_multiband_comp_mode_get_type ())
GType gst_multiband_comp_mode_get_type (void);
#define GST_TYPE_MULTIBAND_COMP_DETECTION \
    (gst_multiband_comp_detection_get_type ())
GType gst_multiband_comp_detection_get_type (void);

#define GST_TYPE_MULTIBAND_COMP_BAND (gst_multiband_comp_band_get_type ())
G_DECLARE_FINAL_TYPE (GstMultibandCompBand, gst_multiband_comp_band, GST,
    MULTIBAND_COMP_BAND, GstObject);

#define GST_TYPE_MULTIBAND_COMP (gst_multiband_comp_get_type ())
G_DECLARE_FINAL_TYPE (GstMultibandComp, gst_multiband_comp, GST,
    MULTIBAND_COMP, GstMstLookahead);

GST_ELEMENT_REGISTER_DECLARE (multibandcomp);

G_END_DECLS
#endif /* __GST_MULTIBAND_COMP_H__ */
