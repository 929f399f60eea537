/* gst-mastering — sliding minimum / maximum over a window
 *
 * y[i] = min (or max) of x[i - window + 1] .. x[i], over the values pushed
 * since new/reset when fewer than `window` have been (so the first
 * outputs are the extreme of what has been seen, not of assumed zeros).
 *
 * The monotonic deque (ascending minima / descending maxima, each value
 * pushed and popped at most once): O(1) amortised per value, at most
 * `window` entries, exact (it returns one of the input values, never a
 * sum or difference of them).  The same idea as the Histmin of
 * Fons Adriaensen's Peaklim (x42 dpl.lv2), which keeps block minima.
 *
 * One stream per object, double values (linear gains, levels in dB,
 * anything ordered).  NaN must not be pushed.  Plain C99, no GLib.
 */
#ifndef MST_MINMAX_H
#define MST_MINMAX_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum
{
  MST_MINMAX_MIN = 0,
  MST_MINMAX_MAX = 1
} MstMinMaxMode;

typedef struct MstMinMax MstMinMax;

/* window >= 1 values.  Returns NULL on invalid arguments or allocation
 * failure. */
MstMinMax *mst_minmax_new (size_t window, MstMinMaxMode mode);
void mst_minmax_free (MstMinMax * mm);
/* Forgets every value pushed. */
void mst_minmax_reset (MstMinMax * mm);
size_t mst_minmax_window (const MstMinMax * mm);

/* Makes dst's state that of src (the same values pushed since reset):
 * both must have the same window and mode.  Returns 0 (and changes
 * nothing) if they differ. */
int mst_minmax_copy (MstMinMax * dst, const MstMinMax * src);

/* Pushes x and returns the minimum (maximum) of the window ending at x. */
double mst_minmax_push (MstMinMax * mm, double x);
/* The value the last push returned (+inf for MIN, -inf for MAX before
 * the first push). */
double mst_minmax_get (const MstMinMax * mm);
/* out[i] = mst_minmax_push (in[i]) for i < n; in and out may be the same
 * buffer. */
void mst_minmax_process (MstMinMax * mm, const double *in, double *out,
    size_t n);

#ifdef __cplusplus
}
#endif
#endif /* MST_MINMAX_H */
