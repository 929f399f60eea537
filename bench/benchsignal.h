/* gst-mastering — deterministic test signals for the benchmarks
 *
 * "music": a synthetic, mastered-pop-like programme, built so that no
 * processor can win by a shortcut that real recordings would not allow:
 * 124 BPM drums (kick with a pitch drop, snare, hi-hats, crashes, random
 * claps), a bass line and detuned chord pads over a pumping pink-noise bed,
 * arranged in 8-bar sections of different density and level (intro,
 * verses, choruses, breakdown, a fading outro; a new key every 2.6 min),
 * low-passed at 16 kHz (0.35 fs at low rates) and driven into a soft-knee
 * saturator the way a mastering limiter is, so that sample peaks cluster
 * just below full scale and inter-sample peaks exceed it.  10 min at
 * 48 kHz stereo measure (libebur128): -11.1 LUFS integrated, LRA 9.2 LU,
 * sample peak -0.27 dBFS, true peak +2.3 dBTP, crest factor 12.3 dB.
 * Channels are panned copies with their own noise and a slight pad
 * detune, so no two are identical.
 *
 * "noise": independent Gaussian white noise per channel, -16 dBFS RMS
 * (worst case for any stage that can skip work on quiet or predictable
 * input).  "sine": 997 Hz at -3 dBFS on every channel (steady state).
 *
 * Same arguments give the same samples on every run (and, up to last-bit
 * differences between libm versions, on every machine).
 */
#ifndef MST_BENCHSIGNAL_H
#define MST_BENCHSIGNAL_H

#include <stddef.h>

typedef enum
{
  BENCH_SIGNAL_MUSIC,
  BENCH_SIGNAL_NOISE,
  BENCH_SIGNAL_SINE
} BenchSignalKind;

/* "music", "noise", "sine" -> kind; returns -1 for anything else. */
int bench_signal_from_name (const char *name);
const char *bench_signal_name (BenchSignalKind kind);

/* Fills out[n_frames * channels] (interleaved) with the signal, starting
 * at time 0.  rate: Hz (>= 8000), channels >= 1. */
void bench_signal_generate (BenchSignalKind kind, unsigned rate,
    unsigned channels, float *out, size_t n_frames);

/* Writes interleaved float frames as a 32-bit IEEE-float WAV file
 * (WAVE_FORMAT_IEEE_FLOAT, little-endian).  Returns 0 on success, -1 on
 * error (errno set; the file is removed). */
int bench_signal_write_wav (const char *path, const float *x,
    unsigned rate, unsigned channels, size_t n_frames);

#endif /* MST_BENCHSIGNAL_H */
