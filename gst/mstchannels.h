/* gst-mastering — BS.1770 channel weights from GStreamer channel positions
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#ifndef __GST_MST_CHANNELS_H__
#define __GST_MST_CHANNELS_H__

#include <gst/gst.h>
#include <gst/audio/audio.h>

G_BEGIN_DECLS

/* Weight G_i of channel ch for the loudness sum of ITU-R BS.1770-4
 * (Annex 1 Table 3, Annex 3 for more than 5 channels): 1.0 for front,
 * centre, rear-centre and elevated channels, 1.41 for the surround /
 * side / wide pairs (and REAR_LEFT/RIGHT when the layout has no SIDE
 * pair: they are then the Ls/Rs of a 5.x layout at +-110 degrees), 0 for
 * LFE.  A one-channel stream is a mono programme whatever its label:
 * 2.0 when dual_mono (counted for two loudspeakers), else 1.0.
 * Unpositioned layouts weigh every channel 1.0. */
gdouble gst_mst_channel_weight (const GstAudioInfo * info, guint ch,
    gboolean dual_mono);

G_END_DECLS
#endif /* __GST_MST_CHANNELS_H__ */
