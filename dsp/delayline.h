/* gst-mastering — multi-channel delay line
 *
 * Delays interleaved frames by a fixed whole number of frames, chosen at
 * creation (any value, 0 included).  The samples are moved with memcpy, so
 * one object serves any sample type of the size given at creation (4 for
 * F32, 8 for F64); the typed entry points check nothing beyond that size.
 *
 *   out[i] = in[i - delay]      (frames; in[j < 0] = 0 after new/reset)
 *
 * Used by the look-ahead processors (limiter, multiband compressor,
 * loudness normaliser) to hold the audio back while their detector looks
 * ahead.  Plain C99, no GLib.
 */
#ifndef MST_DELAYLINE_H
#define MST_DELAYLINE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct MstDelayLine MstDelayLine;

/* channels >= 1, delay_frames >= 0, sample_size: bytes per sample (4 or
 * 8).  Returns NULL on invalid arguments or allocation failure. */
MstDelayLine *mst_delay_line_new (unsigned channels, size_t delay_frames,
    size_t sample_size);
void mst_delay_line_free (MstDelayLine * dl);
/* Fills the line with silence (all-zero bytes: 0.0 for float types). */
void mst_delay_line_reset (MstDelayLine * dl);
size_t mst_delay_line_delay (const MstDelayLine * dl);

/* Writes n_frames interleaved frames and reads the n_frames frames that
 * are `delay` frames older.  in == NULL feeds silence.  in and out may be
 * the same buffer (in place) but may not overlap otherwise. */
void mst_delay_line_process (MstDelayLine * dl, const void *in, void *out,
    size_t n_frames);
/* Typed forms of the above for objects created with sample_size 4 / 8. */
void mst_delay_line_process_f32 (MstDelayLine * dl, const float *in,
    float *out, size_t n_frames);
void mst_delay_line_process_f64 (MstDelayLine * dl, const double *in,
    double *out, size_t n_frames);

#ifdef __cplusplus
}
#endif
#endif /* MST_DELAYLINE_H */
