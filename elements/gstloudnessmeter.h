/* gst-mastering — loudnessmeter: EBU R 128 / ITU-R BS.1770 loudness meter
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#ifndef __GST_LOUDNESS_METER_H__
#define __GST_LOUDNESS_METER_H__

#include <gst/gst.h>
#include <gst/audio/audio.h>
#include <gst/audio/gstaudiofilter.h>

G_BEGIN_DECLS

#define GST_TYPE_LOUDNESS_METER (gst_loudness_meter_get_type ())
G_DECLARE_FINAL_TYPE (GstLoudnessMeter, gst_loudness_meter, GST,
    LOUDNESS_METER, GstAudioFilter);

GST_ELEMENT_REGISTER_DECLARE (loudnessmeter);

G_END_DECLS
#endif /* __GST_LOUDNESS_METER_H__ */
