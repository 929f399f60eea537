/* gst-mastering — ITU-R BS.1770 / EBU R 128 loudness meter core
 *
 * K-weighting (docs/conformance.md §2 analog-prototype recipe, any rate), 10 ms
 * energy sub-blocks aligned to the start of the measurement, momentary (400 ms)
 * and short-term (3 s) sliding windows on that 10 ms grid, gated integrated
 * loudness (BS.1770-4 Annex 1: 400 ms blocks every 100 ms, -70 LUFS absolute
 * and -10 LU relative gate), loudness range (EBU Tech 3342: short-term values
 * every 100 ms, -70 LUFS absolute and -20 LU relative gate, 10th-95th
 * percentile), maximum momentary / short-term, per-channel sample and true
 * peak.
 *
 * Memory is fixed at creation: integrated loudness and LRA are kept in
 * histograms of 0.01 LU bins (-70 .. +30 LUFS) that also accumulate the
 * exact block energies, so the integrated value only depends on the bin
 * grid through which blocks pass the relative gate.
 *
 * Input: interleaved S16, S32, F32 or F64 frames.  Non-finite samples
 * (NaN, +-Inf) are measured as silence and counted.
 *
 * Undefined quantities (nothing measured yet, everything gated out) are
 * -INFINITY; LRA is 0 when no short-term value survives its gates (Tech
 * 3342).  Plain C99, no GLib.
 */
#ifndef MST_LOUDNESS_H
#define MST_LOUDNESS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MST_LOUDNESS_MAX_CHANNELS 8
#define MST_LOUDNESS_MIN_RATE 8000
#define MST_LOUDNESS_MAX_RATE 384000

typedef struct MstLoudness MstLoudness;

typedef enum
{
  MST_LOUDNESS_TRUE_PEAK = 1 << 0       /* run the true-peak oversampler */
} MstLoudnessFlags;

/* Returns NULL if rate or channels are out of range or memory is short.
 * All channel weights start at 1.0 (use mst_loudness_set_channel_weight()
 * for surround / LFE / dual mono). */
MstLoudness *mst_loudness_new (unsigned rate, unsigned channels,
    unsigned flags);
void mst_loudness_free (MstLoudness * st);
/* Starts a new measurement: clears filters, windows, histograms, maxima
 * and peaks.  Weights and flags are kept. */
void mst_loudness_reset (MstLoudness * st);

unsigned mst_loudness_rate (const MstLoudness * st);
unsigned mst_loudness_channels (const MstLoudness * st);

/* Weight G_i of channel ch (BS.1770: 1.0 for L/R/C, 1.41 surround, 0 for
 * LFE, 2.0 for dual mono).  Returns 0 on success, -1 if out of range
 * (ch >= channels, weight < 0 or not finite). */
int mst_loudness_set_channel_weight (MstLoudness * st, unsigned ch,
    double weight);
double mst_loudness_get_channel_weight (const MstLoudness * st, unsigned ch);

/* Enables or disables the true-peak oversampler (initially from flags).
 * While disabled the true peaks stop updating: they keep what was measured
 * while enabled (0, i.e. -inf dBTP, if it never was); the filter history
 * is cleared when it is switched back on. */
void mst_loudness_set_true_peak (MstLoudness * st, int enabled);
int mst_loudness_get_true_peak (const MstLoudness * st);

/* Testing hook: allow = 0 makes a meter of 3 to 8 channels use the SSE2
 * K-filter kernels (the x86-64 baseline) even where the CPU has AVX2, so
 * that a test can check both kernels on one machine; 1 (the default) uses
 * the AVX2 kernels where the CPU has them.  The kernels share their state:
 * callable at any time.  Returns 1 if an AVX2 kernel is in use. */
int mst_loudness_set_avx2 (MstLoudness * st, int allow);

/* Adds n_frames interleaved frames.  Returns the number of non-finite
 * samples that were measured as silence (0 normally). */
size_t mst_loudness_process_s16 (MstLoudness * st, const int16_t * in,
    size_t n_frames);
size_t mst_loudness_process_s32 (MstLoudness * st, const int32_t * in,
    size_t n_frames);
size_t mst_loudness_process_f32 (MstLoudness * st, const float *in,
    size_t n_frames);
size_t mst_loudness_process_f64 (MstLoudness * st, const double *in,
    size_t n_frames);
/* Adds n_frames of digital silence (GAP buffers): time advances, filters
 * ring out. */
void mst_loudness_process_silence (MstLoudness * st, size_t n_frames);

/* Frames added since creation / the last reset. */
uint64_t mst_loudness_frames (const MstLoudness * st);

/* Loudness of the last 400 ms / 3 s ending at the last complete 10 ms
 * sub-block, LUFS.  Before a window is full, the part before the start of
 * the measurement counts as silence (so a 200 ms burst reads 3 dB low
 * until 400 ms have passed, as with libebur128). */
double mst_loudness_momentary (const MstLoudness * st);
double mst_loudness_shortterm (const MstLoudness * st);
/* Largest momentary / short-term value seen on the 10 ms grid since reset;
 * only full windows count (-inf until 400 ms / 3 s have been measured). */
double mst_loudness_momentary_max (const MstLoudness * st);
double mst_loudness_shortterm_max (const MstLoudness * st);
/* Gated integrated loudness (LUFS) and the relative gate used (LUFS). */
double mst_loudness_integrated (const MstLoudness * st);
double mst_loudness_relative_threshold (const MstLoudness * st);
/* Loudness range, LU (Tech 3342). */
double mst_loudness_range (const MstLoudness * st);
/* Linear peaks of channel ch since reset (true peak >= sample peak). */
double mst_loudness_sample_peak (const MstLoudness * st, unsigned ch);
double mst_loudness_true_peak (const MstLoudness * st, unsigned ch);

/* Helpers: loudness <-> mean-square energy (BS.1770-4 Annex 1 eq. (2)). */
double mst_loudness_from_energy (double energy);
double mst_loudness_to_energy (double lufs);

/* K-weighting coefficients for rate (docs/conformance.md §2): shelf
 * {b0,b1,b2,a1,a2} then high-pass {b0,b1,b2,a1,a2}.  Exposed for the
 * coefficient tests. */
void mst_loudness_k_coefficients (double rate, double shelf[5],
    double highpass[5]);

#ifdef __cplusplus
}
#endif
#endif /* MST_LOUDNESS_H */
