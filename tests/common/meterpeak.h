/* gst-mastering — true peak as the project's own meter reads it
 *
 * For the limiter tests: the limiter promises that this project's meter
 * (dsp/loudness, BS.1770 Annex 2 4x interpolator) reads no true peak above
 * the ceiling, so these helpers share code with dsp/ on purpose.  The
 * independent judges are in refpeak.h.
 *
 * Input: interleaved float frames.  Results: linear, the largest over the
 * channels.
 */
#ifndef MST_METERPEAK_H
#define MST_METERPEAK_H

#include <stddef.h>

/* The meter core's true peak (MST_LOUDNESS_TRUE_PEAK, 4x at 48 kHz). */
double mtp_meter (const float *y, size_t n_frames, unsigned channels,
    unsigned rate);

/* dsp/truepeak's interpolator at 16x, every point (no skipping), the
 * interpolator flushed with silence so that the last samples count. */
double mtp_16x (const float *y, size_t n_frames, unsigned channels);

#endif /* MST_METERPEAK_H */
