/* gst-mastering — truepeaklimiter: look-ahead true-peak limiter
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#ifndef __GST_TRUE_PEAK_LIMITER_H__
#define __GST_TRUE_PEAK_LIMITER_H__

#include <gst/gst.h>
#include <gst/audio/audio.h>
#include <gst/audio/gstaudiofilter.h>

#include "gst/mstlookahead.h"

G_BEGIN_DECLS

/**
 * GstTruePeakLimiterLink:
 * @GST_TRUE_PEAK_LIMITER_LINK_LINKED: one gain for all channels, from the
 *   largest peak of any channel (the stereo image does not move)
 * @GST_TRUE_PEAK_LIMITER_LINK_UNLINKED: a gain per channel
 */
typedef enum
{
  GST_TRUE_PEAK_LIMITER_LINK_LINKED = 0,
  GST_TRUE_PEAK_LIMITER_LINK_UNLINKED = 1,
} GstTruePeakLimiterLink;

/**
 * GstTruePeakLimiterOversampling:
 * @GST_TRUE_PEAK_LIMITER_OVERSAMPLING_2X: detector at 2x the sample rate
 * @GST_TRUE_PEAK_LIMITER_OVERSAMPLING_4X: 4x (BS.1770 Annex 2, as the
 *   loudnessmeter's true peak)
 * @GST_TRUE_PEAK_LIMITER_OVERSAMPLING_8X: 8x
 *
 * Oversampling of the peak detector; the values are the factors.
 */
typedef enum
{
  GST_TRUE_PEAK_LIMITER_OVERSAMPLING_2X = 2,
  GST_TRUE_PEAK_LIMITER_OVERSAMPLING_4X = 4,
  GST_TRUE_PEAK_LIMITER_OVERSAMPLING_8X = 8,
} GstTruePeakLimiterOversampling;

#define GST_TYPE_TRUE_PEAK_LIMITER_LINK \
    (gst_true_peak_limiter_link_get_type ())
GType gst_true_peak_limiter_link_get_type (void);
#define GST_TYPE_TRUE_PEAK_LIMITER_OVERSAMPLING \
    (gst_true_peak_limiter_oversampling_get_type ())
GType gst_true_peak_limiter_oversampling_get_type (void);

#define GST_TYPE_TRUE_PEAK_LIMITER (gst_true_peak_limiter_get_type ())
G_DECLARE_FINAL_TYPE (GstTruePeakLimiter, gst_true_peak_limiter, GST,
    TRUE_PEAK_LIMITER, GstMstLookahead);

GST_ELEMENT_REGISTER_DECLARE (truepeaklimiter);

G_END_DECLS
#endif /* __GST_TRUE_PEAK_LIMITER_H__ */
