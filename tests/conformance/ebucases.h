/* gst-mastering — EBU Tech 3341 / 3342 test signals and expected values
 *
 * Signals synthesized exactly as docs/conformance.md §4 describes (1 kHz tones,
 * level = per-channel peak dBFS, segment length round (duration * fs), phase
 * from the segment start, digital-zero silence); expectations from EBU
 * Tech 3341 Table 1 (EBU nominal values and tolerances), docs/conformance.md §5
 * ([V] reference values of our independent numpy re-implementation).
 *
 * Shared by the conformance tests and by tests/dsp/ebur128_xcheck.c, which
 * runs the same signals through libebur128 to prove the generators.
 */
#ifndef MST_EBU_CASES_H
#define MST_EBU_CASES_H

#include "signals.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Tech 3341 loudness cases 1-6, 9, 12 (whole signal), 10 and 13 (file
 * index i = 0..19), 11 and 14 (the single "live" file).  Case 6 has 5
 * channels L R C Ls Rs (six with lfe != 0: L R C LFE Ls Rs, LFE silent);
 * every other case is stereo.  Returns NULL for a case that is not
 * synthesizable (7, 8) or out of range. */
MtsBuf *ebu3341_signal (int ebu_case, int file_index, unsigned rate,
    int lfe);
/* Tech 3342 LRA cases 1-4 (stereo). */
MtsBuf *ebu3342_signal (int ebu_case, unsigned rate);
/* Tech 3341 true-peak cases 15-23, stereo, 3.2 s with 100 ms linear fades
 * like the EBU files (docs/conformance.md §4). */
MtsBuf *ebu3341_tp_signal (int ebu_case, unsigned rate);

/* Nominal expectation (Tech 3341 Table 1): -23 for cases
 * 1, 3-6, 9, 10, 12, 13; -33 for case 2; for 11/14 segment i: -38 + i. */
double ebu3341_nominal (int ebu_case, int segment);

/* [V] values of docs/conformance.md §5 at 44100, 48000 or 96000 Hz (NAN
 * otherwise): case 1, 2 (I = M = S), 3, 4, 5, 6 (I), 9 (S on the 100 ms grid
 * from t >= 3 s), 12 (M from t >= 1 s), 10 (max S, 10 ms grid), 13 (max M,
 * 10 ms grid). */
double ebu3341_expected (int ebu_case, unsigned rate);
/* docs/conformance.md §5, case 10: worst max S per file on a 100 ms grid. */
double ebu3341_case10_worst_100ms (unsigned rate);
/* docs/conformance.md §5, case 11: range of (max S - nominal) on a 100 ms
 * grid. */
void ebu3341_case11_range_100ms (unsigned rate, double *lo, double *hi);

/* Tech 3341 true-peak window (Tech 3341 Table 1): nominal -6 (15-18),
 * +3 (19), 0 (20-23) dBTP, tolerance +0.2 / -0.4 dB. */
double ebu3341_tp_nominal (int ebu_case);
/* docs/conformance.md §5 true-peak table, column "libebur128 method" (dBTP, 3
 * decimals), and the sample peak column. */
double ebu3341_tp_libebur128 (int ebu_case);
double ebu3341_tp_sample_peak (int ebu_case);

/* Tech 3342 nominal LRA (Table 1, docs/conformance.md §5) and our [V] value. */
double ebu3342_nominal (int ebu_case);
double ebu3342_expected (int ebu_case);

#ifdef __cplusplus
}
#endif
#endif /* MST_EBU_CASES_H */
