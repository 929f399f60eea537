/* gst-mastering — mseq: mid/side parametric equalizer
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#ifndef __GST_MS_EQ_H__
#define __GST_MS_EQ_H__

#include <gst/gst.h>
#include <gst/audio/audio.h>
#include <gst/audio/gstaudiofilter.h>

G_BEGIN_DECLS

/**
 * GstMsEqBandType:
 * @GST_MS_EQ_BAND_TYPE_BELL: peaking filter: gain at freq, width from q
 * @GST_MS_EQ_BAND_TYPE_LOW_SHELF: gain below freq (half of it at freq)
 * @GST_MS_EQ_BAND_TYPE_HIGH_SHELF: gain above freq (half of it at freq)
 * @GST_MS_EQ_BAND_TYPE_HIGH_PASS: Butterworth high-pass, corner freq
 * @GST_MS_EQ_BAND_TYPE_LOW_PASS: Butterworth low-pass, corner freq
 * @GST_MS_EQ_BAND_TYPE_BAND_PASS: band-pass, 0 dB at freq, width from q
 * @GST_MS_EQ_BAND_TYPE_NOTCH: notch (null) at freq, width from q
 */
typedef enum
{
  GST_MS_EQ_BAND_TYPE_BELL = 0,
  GST_MS_EQ_BAND_TYPE_LOW_SHELF,
  GST_MS_EQ_BAND_TYPE_HIGH_SHELF,
  GST_MS_EQ_BAND_TYPE_HIGH_PASS,
  GST_MS_EQ_BAND_TYPE_LOW_PASS,
  GST_MS_EQ_BAND_TYPE_BAND_PASS,
  GST_MS_EQ_BAND_TYPE_NOTCH,
} GstMsEqBandType;

/**
 * GstMsEqChannel:
 * @GST_MS_EQ_CHANNEL_MID: the mid signal (L + R) / 2
 * @GST_MS_EQ_CHANNEL_SIDE: the side signal (L - R) / 2
 * @GST_MS_EQ_CHANNEL_STEREO: both channels
 * @GST_MS_EQ_CHANNEL_LEFT: the left channel
 * @GST_MS_EQ_CHANNEL_RIGHT: the right channel
 */
typedef enum
{
  GST_MS_EQ_CHANNEL_MID = 0,
  GST_MS_EQ_CHANNEL_SIDE,
  GST_MS_EQ_CHANNEL_STEREO,
  GST_MS_EQ_CHANNEL_LEFT,
  GST_MS_EQ_CHANNEL_RIGHT,
} GstMsEqChannel;

/**
 * GstMsEqSlope:
 * @GST_MS_EQ_SLOPE_12: 12 dB/octave (2nd order)
 * @GST_MS_EQ_SLOPE_24: 24 dB/octave (4th order Butterworth)
 * @GST_MS_EQ_SLOPE_48: 48 dB/octave (8th order Butterworth)
 *
 * Steepness of high- and low-pass bands; the values are dB/octave.
 */
typedef enum
{
  GST_MS_EQ_SLOPE_12 = 12,
  GST_MS_EQ_SLOPE_24 = 24,
  GST_MS_EQ_SLOPE_48 = 48,
} GstMsEqSlope;

#define GST_TYPE_MS_EQ_BAND_TYPE (gst_ms_eq_band_type_get_type ())
GType gst_ms_eq_band_type_get_type (void);
#define GST_TYPE_MS_EQ_CHANNEL (gst_ms_eq_channel_get_type ())
GType gst_ms_eq_channel_get_type (void);
#define GST_TYPE_MS_EQ_SLOPE (gst_ms_eq_slope_get_type ())
GType gst_ms_eq_slope_get_type (void);

#define GST_TYPE_MS_EQ_BAND (gst_ms_eq_band_get_type ())
G_DECLARE_FINAL_TYPE (GstMsEqBand, gst_ms_eq_band, GST, MS_EQ_BAND,
    GstObject);

#define GST_TYPE_MS_EQ (gst_ms_eq_get_type ())
G_DECLARE_FINAL_TYPE (GstMsEq, gst_ms_eq, GST, MS_EQ, GstAudioFilter);

GST_ELEMENT_REGISTER_DECLARE (mseq);

G_END_DECLS
#endif /* __GST_MS_EQ_H__ */
