/* gst-mastering — pre-mastering diagnostics of a whole programme
 *
 * One pass over interleaved float frames collects what a mastering
 * engineer checks before starting:
 *
 *  - DC offset per channel: the mean of the samples (dBFS of |mean|).
 *  - Clipped-sample runs per channel: MST_DIAG_CLIP_RUN or more
 *    consecutive samples of the same value at a magnitude of at least
 *    MST_DIAG_CLIP_LEVEL (-6 dBFS): flat tops that clipping leaves, also
 *    after the gain was lowered again.  Count, clipped samples, the
 *    longest run and where it starts, where the first one starts.
 *  - Stereo (2 channels): correlation of L and R over the programme
 *    (sum L R / sqrt (sum L^2 sum R^2): +1 mono, 0 unrelated, -1 in
 *    anti-phase) and the lowest correlation of a 1 s block that is not
 *    near silence (and where); mono compatibility: integrated loudness
 *    (ITU-R BS.1770) of the mono fold (L + R) / 2 played on both
 *    loudspeakers minus that of the stereo programme, in LU (0 for a mono
 *    signal, about -3 for unrelated channels, -inf in anti-phase);
 *    left/right balance: integrated loudness of L alone minus R alone.
 *  - Side-channel low end (2 channels): energy of the side (L - R) / 2
 *    below 120 Hz (4th-order Butterworth low-pass) relative to the mid
 *    (L + R) / 2 below 120 Hz, in dB.
 *  - Spectral balance of the mix (mean of the channels): energy per
 *    octave in five bands (sub 20-60 Hz, low 60-250 Hz, low-mid
 *    250-1000 Hz, presence 2-5 kHz, air 10-20 kHz; 4th-order Butterworth
 *    band edges) relative to the energy per octave of 20 Hz-20 kHz.
 *    Reference tilt: pink noise (equal energy per octave) reads 0 dB in
 *    every band; see mst_diag_band_reference() for the window a typical
 *    balanced mix falls in.
 *  - Noise floor / quietest passage: RMS (all channels) of 50 ms blocks;
 *    the noise floor is the 10th percentile of the blocks that are not
 *    digital silence, the quietest passage the 1 s stretch (20 blocks,
 *    none digitally silent) of lowest RMS, and digital silence is counted.
 *
 * Non-finite samples count as 0.  Plain C99, no GLib; uses dsp/loudness
 * for the BS.1770 measurements and dsp/biquad designs for the filters.
 *
 * State (units): see struct MstDiag in diag.c.
 */
#ifndef MST_DIAG_H
#define MST_DIAG_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MST_DIAG_MAX_CHANNELS 8
#define MST_DIAG_CLIP_RUN 3             /* samples */
#define MST_DIAG_CLIP_LEVEL 0.5         /* linear, -6.02 dBFS */
#define MST_DIAG_SIDE_LOW_HZ 120.0
#define MST_DIAG_BLOCK_MS 50
#define MST_DIAG_QUIET_BLOCKS 20        /* 1 s */
#define MST_DIAG_NOISE_PERCENTILE 10.0

typedef enum
{
  MST_DIAG_BAND_SUB = 0,
  MST_DIAG_BAND_LOW,
  MST_DIAG_BAND_LOW_MID,
  MST_DIAG_BAND_PRESENCE,
  MST_DIAG_BAND_AIR,
  MST_DIAG_N_BANDS
} MstDiagBand;

typedef struct
{
  unsigned channels;
  uint64_t frames;

  double dc_db[MST_DIAG_MAX_CHANNELS];  /* dBFS of |mean|; -inf if 0 */

  uint64_t clip_runs[MST_DIAG_MAX_CHANNELS];
  uint64_t clip_samples[MST_DIAG_MAX_CHANNELS];
  uint64_t clip_runs_total;
  uint64_t clip_longest;                /* samples, any channel */
  uint64_t clip_longest_frame;          /* where it starts */
  unsigned clip_longest_channel;
  uint64_t clip_first_frame;            /* start of the first run */

  /* stereo only (channels == 2), otherwise NaN */
  double correlation;                   /* -1 .. +1 */
  double correlation_min;               /* lowest 1 s block */
  uint64_t correlation_min_frame;
  double mono_fold_lu;                  /* fold loudness - stereo, LU */
  double balance_lu;                    /* I(L) - I(R), LU */
  double side_low_db;                   /* side vs mid below 120 Hz, dB */

  /* spectral balance: dB per octave vs the full band; NaN if the band
   * lies above the rate's range */
  double band_db[MST_DIAG_N_BANDS];

  double noise_floor_db;                /* dBFS RMS; -inf if all silent */
  double quietest_db;                   /* dBFS RMS of the quietest 1 s */
  uint64_t quietest_frame;              /* its start */
  double silence_s;                     /* digital silence, seconds */
} MstDiagResult;

typedef struct MstDiag MstDiag;

/* rate 8000..384000 Hz, channels 1..MST_DIAG_MAX_CHANNELS; NULL otherwise. */
MstDiag *mst_diag_new (unsigned rate, unsigned channels);
void mst_diag_free (MstDiag * st);
void mst_diag_reset (MstDiag * st);

void mst_diag_process_f32 (MstDiag * st, const float *in, size_t n_frames);
void mst_diag_process_f64 (MstDiag * st, const double *in, size_t n_frames);

/* The results so far (runs still open count as ended). */
void mst_diag_result (const MstDiag * st, MstDiagResult * r);

/* Name of a band ("sub", "low", "low-mid", "presence", "air"), its edges
 * (Hz) and the window (dB vs pink noise) that a balanced mix falls in:
 * values outside it get a note in the report. */
const char *mst_diag_band_name (MstDiagBand band);
void mst_diag_band_edges (MstDiagBand band, double *lo_hz, double *hi_hz);
void mst_diag_band_reference (MstDiagBand band, double *lo_db,
    double *hi_db);

#ifdef __cplusplus
}
#endif
#endif /* MST_DIAG_H */
