/* gst-mastering — deterministic test-signal generators
 *
 * A MtsBuf is a growable interleaved double buffer (rate, channels,
 * frames).  Generators append a segment of round (duration * rate) frames
 * (docs/conformance.md §4: "segment length in samples = round(duration·fs)");
 * the phase of periodic signals is counted from the start of the segment.
 * Segments are concatenated simply by appending them in order.
 *
 * Levels are per-channel peak dBFS for tones (EBU Tech 3341 convention:
 * "level = per-channel peak level"), RMS dBFS for noise.  A channel level
 * of -INFINITY (MTS_OFF) leaves that channel silent (channel mask).
 *
 * Everything is deterministic: noise comes from a seeded xorshift
 * generator, so a test sees the same samples on every machine.
 *
 * Also provided: the true-peak tones (Tech 3341 cases 15-19) and the burst
 * signals (cases 20-23) exactly as docs/conformance.md §4 describes them, and
 * conversions to interleaved float / double / s16 / s32 buffers.
 *
 * Plain C99 (plus libm); used by the loudness, conformance and limiter
 * tests.  Not thread-safe: freed sample memory is kept for reuse by the
 * next buffer (saves page faults when a test builds many long signals).
 */
#ifndef MST_TEST_SIGNALS_H
#define MST_TEST_SIGNALS_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Channel level that means "silent in this channel". */
#define MTS_OFF (-INFINITY)

typedef struct
{
  unsigned rate;
  unsigned channels;
  size_t frames;                /* valid frames */
  size_t alloc;                 /* allocated frames */
  double *data;                 /* interleaved, frames * channels */
} MtsBuf;

/* Deterministic generator (xorshift64*). */
typedef struct
{
  uint64_t s;
} MtsRng;

/* ---- buffer ---------------------------------------------------------- */

/* Empty buffer; aborts on allocation failure (tests only). */
MtsBuf *mts_buf_new (unsigned rate, unsigned channels);
void mts_buf_free (MtsBuf * b);
/* Drops all frames, keeps rate/channels. */
void mts_buf_clear (MtsBuf * b);
/* round (dur_s * rate) */
size_t mts_frames (double dur_s, unsigned rate);
/* Appends n zeroed frames and returns a pointer to the first of them
 * (valid until the next append). */
double *mts_append (MtsBuf * b, size_t n);
/* Appends all frames of src (same channel count; rates must match). */
void mts_concat (MtsBuf * b, const MtsBuf * src);
/* Pointer to frame i. */
double *mts_frame (MtsBuf * b, size_t i);

/* ---- segments -------------------------------------------------------- */

/* Digital silence, round (dur_s * rate) frames. */
void mts_silence (MtsBuf * b, double dur_s);
void mts_silence_frames (MtsBuf * b, size_t n);

/* Sine freq_hz, same peak level in every channel:
 * x[n] = A sin (2 pi f n / fs + phase), A = 10^(peak_dbfs/20), n from the
 * segment start. */
void mts_tone (MtsBuf * b, double freq_hz, double peak_dbfs, double dur_s);
/* Same with a per-channel peak level (array of b->channels values,
 * MTS_OFF = silent channel), a start phase in radians and an explicit
 * frame count. */
void mts_tone_ex (MtsBuf * b, double freq_hz, const double *peak_dbfs,
    double phase_rad, size_t n);

/* White noise, uniform distribution scaled to the given RMS (dBFS re a
 * full-scale square wave, i.e. 20 log10 (rms)).  correlated != 0 puts the
 * same noise in every channel; otherwise each channel gets its own.
 * The RMS is exact over the segment (scaled after generation). */
void mts_white_noise (MtsBuf * b, MtsRng * rng, double rms_dbfs,
    double dur_s, int correlated);
/* Pink (1/f) noise, Paul Kellet's refined filter on white noise, RMS
 * normalised over the segment like mts_white_noise. */
void mts_pink_noise (MtsBuf * b, MtsRng * rng, double rms_dbfs,
    double dur_s, int correlated);

/* Exponential (log_sweep != 0) or linear sine sweep f0 -> f1 Hz with the
 * same peak level in every channel; phase continuous, starts at 0. */
void mts_sweep (MtsBuf * b, double f0_hz, double f1_hz, double peak_dbfs,
    double dur_s, int log_sweep);

/* ---- modifiers (frames [start, start + n), all channels unless ch >= 0) */

/* Multiplies by a linear gain. */
void mts_gain (MtsBuf * b, int ch, size_t start, size_t n, double gain);
/* Linear fade-in over fade_in frames at start and fade-out over fade_out
 * frames at the end of the range. */
void mts_fade (MtsBuf * b, size_t start, size_t n, size_t fade_in,
    size_t fade_out);
/* Slow amplitude envelope in dB: gain_db (t) = depth_db / 2 *
 * (1 - cos (2 pi t / period_s)) subtracted, i.e. 0 dB .. -depth_db. */
void mts_envelope_db (MtsBuf * b, size_t start, size_t n, double depth_db,
    double period_s);

/* ---- true-peak signals (docs/conformance.md §4, Tech 3341 cases 15-23) */

/* Cases 15-19: x[n] = amp sin (2 pi n / k + phase_deg), every channel,
 * n_frames long, linear fade-in/out of fade_frames each. */
void mts_tp_tone (MtsBuf * b, unsigned k, double amp, double phase_deg,
    size_t n_frames, size_t fade_frames);
/* Fills 15..23 per Tech 3341 Table 1 / docs/conformance.md §4 (A = 0.5 or
 * 1.41), n_frames long with fade_frames fades.  Returns 0, or -1 for a
 * case number outside 15..23. */
int mts_tp_case (MtsBuf * b, int ebu_case, size_t n_frames,
    size_t fade_frames);
/* Cases 20-23 (docs/conformance.md §4 steps 1-6): built at 4 fs, fs/6 base at
 * 0.5 with one cycle of fs/4 at 1.0 starting at a rising zero crossing near the
 * middle, 100 ms linear fades (at 4 fs), Kaiser (beta 12) 1023-tap
 * windowed-sinc low-pass at fs/2 with unity DC gain in zero-phase ("same")
 * alignment, decimated by 4 with the given offset (0..3).  Appends n_frames at
 * b->rate. */
void mts_tp_burst (MtsBuf * b, unsigned offset, size_t n_frames);

/* ---- measurement helpers --------------------------------------------- */

/* Largest |sample| of channel ch (ch < 0: all channels). */
double mts_peak (const MtsBuf * b, int ch);

/* Amplitude of the sine at freq_hz in x[k * stride], k < n, sampled at
 * rate: least-squares fit of a sin + b cos + c (3x3 normal equations),
 * sqrt (a^2 + b^2).  Needs no whole number of periods. */
double mts_sine_amplitude (const double *x, size_t n, size_t stride,
    double freq_hz, double rate);

/* ---- conversions (malloc'd, caller frees; frames [start, start + n)) -- */

float *mts_to_f32 (const MtsBuf * b, size_t start, size_t n);
double *mts_to_f64 (const MtsBuf * b, size_t start, size_t n);
/* Rounded to nearest and clipped: s16 = round (x * 32768), s32 = round
 * (x * 2^31). */
int16_t *mts_to_s16 (const MtsBuf * b, size_t start, size_t n);
int32_t *mts_to_s32 (const MtsBuf * b, size_t start, size_t n);
/* One channel as a planar float array. */
float *mts_channel_f32 (const MtsBuf * b, unsigned ch, size_t start,
    size_t n);

/* ---- random numbers -------------------------------------------------- */

void mts_rng_seed (MtsRng * r, uint64_t seed);
uint64_t mts_rng_u64 (MtsRng * r);
/* Uniform in [-1, 1). */
double mts_rng_uniform (MtsRng * r);
/* Standard normal (Box-Muller). */
double mts_rng_gauss (MtsRng * r);

/* ---- small maths helpers --------------------------------------------- */

double mts_db_to_lin (double db);
double mts_lin_to_db (double lin);
/* Zeroth-order modified Bessel function of the first kind (Kaiser). */
double mts_bessel_i0 (double x);

#ifdef __cplusplus
}
#endif
#endif /* MST_TEST_SIGNALS_H */
