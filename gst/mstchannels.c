/* gst-mastering — BS.1770 channel weights from GStreamer channel positions
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "mstchannels.h"

/* ITU-R BS.1770-4 Table 3 / Annex 3 */
#define WEIGHT_FRONT     1.0
#define WEIGHT_SURROUND  1.41
#define WEIGHT_DUAL_MONO 2.0
#define WEIGHT_LFE       0.0

gdouble
gst_mst_channel_weight (const GstAudioInfo * info, guint ch,
    gboolean dual_mono)
{
  gboolean has_side = FALSE;
  guint i;

  if (GST_AUDIO_INFO_CHANNELS (info) == 1) {
    GstAudioChannelPosition p = GST_AUDIO_INFO_POSITION (info, 0);

    if (p == GST_AUDIO_CHANNEL_POSITION_LFE1 ||
        p == GST_AUDIO_CHANNEL_POSITION_LFE2)
      return WEIGHT_LFE;
    return dual_mono ? WEIGHT_DUAL_MONO : WEIGHT_FRONT;
  }
  if (GST_AUDIO_INFO_IS_UNPOSITIONED (info))
    return WEIGHT_FRONT;

  for (i = 0; i < (guint) GST_AUDIO_INFO_CHANNELS (info); i++) {
    GstAudioChannelPosition p = GST_AUDIO_INFO_POSITION (info, i);

    if (p == GST_AUDIO_CHANNEL_POSITION_SIDE_LEFT ||
        p == GST_AUDIO_CHANNEL_POSITION_SIDE_RIGHT)
      has_side = TRUE;
  }

  switch (GST_AUDIO_INFO_POSITION (info, ch)) {
    case GST_AUDIO_CHANNEL_POSITION_MONO:
      return dual_mono ? WEIGHT_DUAL_MONO : WEIGHT_FRONT;
    case GST_AUDIO_CHANNEL_POSITION_LFE1:
    case GST_AUDIO_CHANNEL_POSITION_LFE2:
      return WEIGHT_LFE;
    case GST_AUDIO_CHANNEL_POSITION_SIDE_LEFT:
    case GST_AUDIO_CHANNEL_POSITION_SIDE_RIGHT:
    case GST_AUDIO_CHANNEL_POSITION_WIDE_LEFT:
    case GST_AUDIO_CHANNEL_POSITION_WIDE_RIGHT:
    case GST_AUDIO_CHANNEL_POSITION_SURROUND_LEFT:
    case GST_AUDIO_CHANNEL_POSITION_SURROUND_RIGHT:
      return WEIGHT_SURROUND;
    case GST_AUDIO_CHANNEL_POSITION_REAR_LEFT:
    case GST_AUDIO_CHANNEL_POSITION_REAR_RIGHT:
      /* Ls/Rs of 5.x at +-110 degrees, or the back pair of 7.x */
      return has_side ? WEIGHT_FRONT : WEIGHT_SURROUND;
    default:
      return WEIGHT_FRONT;
  }
}
