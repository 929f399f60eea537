/* gst-mastering — independent true-peak judges for the tests
 *
 * Nothing here shares code with dsp/: the judges a user or a delivery
 * check would measure with, written from their public definitions.
 *
 * mtr_ideal_peak ()   the ideal band-limited reconstruction (Whittaker-
 *                     Shannon): each channel, padded with at least 4096
 *                     samples of silence before and after, is transformed
 *                     (radix-2 FFT, double precision), zero-padded to 16x
 *                     and transformed back: the exact sinc interpolation of
 *                     the finite signal at 16 points per sample.  Around
 *                     each local maximum of |y| the peak of the parabola
 *                     through the three points refines the reading (the
 *                     16x grid alone under-reads a Nyquist-near sinusoid
 *                     by up to 0.042 dB, BS.1770-4 Annex 2 Att. 1 formula;
 *                     the refined reading by far less).  A Nyquist bin is
 *                     split evenly between +fs/2 and -fs/2 (the real-valued
 *                     reconstruction); such a component has no unique
 *                     band-limited reading.
 * mtr_ffmpeg_peak ()  ffmpeg's `ebur128=peak=true` filter on a float WAV of
 *                     the signal (ffmpeg resamples to 192 kHz with
 *                     libswresample and prints "Peak: X dBFS" with 0.1 dB
 *                     steps).  Returns 0 when ffmpeg cannot be run.
 *
 * Input: interleaved double frames.
 */
#ifndef MST_REFPEAK_H
#define MST_REFPEAK_H

#include <stddef.h>

/* Largest |x(t)| over all channels and times, linear. */
double mtr_ideal_peak (const double *x, size_t n_frames, unsigned channels);

/* The reading ffmpeg prints, dBFS, into *dbfs; returns 1 on success, 0 if
 * ffmpeg is missing or fails (the caller skips). */
int mtr_ffmpeg_peak (const double *x, size_t n_frames, unsigned channels,
    unsigned rate, double *dbfs);

/* Writes interleaved frames as a 32-bit float WAV; returns 0 on error. */
int mtr_write_wav_f32 (const char *path, const double *x, size_t n_frames,
    unsigned channels, unsigned rate);

#endif /* MST_REFPEAK_H */
