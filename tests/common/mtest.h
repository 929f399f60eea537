/* gst-mastering — minimal TAP test helpers for the plain-C tests
 *
 * Each check prints one TAP line ("ok N - ..." / "not ok N - ...") with the
 * measured value, the expectation and the tolerance; mt_done() prints the
 * plan and returns the exit status.  meson runs these with protocol 'tap'.
 */
#ifndef MST_MTEST_H
#define MST_MTEST_H

#include <math.h>
#include <stdarg.h>
#include <stdio.h>

static int mt_count_ = 0;
static int mt_failed_ = 0;

static inline int mt_ok (int cond, const char *fmt, ...)
    __attribute__((format (printf, 2, 3)));

/* Generic check; returns cond. */
static inline int
mt_ok (int cond, const char *fmt, ...)
{
  va_list ap;

  mt_count_++;
  if (!cond)
    mt_failed_++;
  printf ("%sok %d - ", cond ? "" : "not ", mt_count_);
  va_start (ap, fmt);
  vprintf (fmt, ap);
  va_end (ap);
  printf ("\n");
  fflush (stdout);
  return cond;
}

/* |got - want| <= tol (and got not NaN).  Infinities compare equal when
 * both are the same infinity. */
#define MT_CLOSE(got, want, tol, ...)                                      \
  mt_close_ ((double) (got), (double) (want), (double) (tol), __VA_ARGS__)

static inline int mt_close_ (double got, double want, double tol,
    const char *fmt, ...) __attribute__((format (printf, 4, 5)));

static inline int
mt_close_ (double got, double want, double tol, const char *fmt, ...)
{
  char what[512];
  va_list ap;
  int cond;

  va_start (ap, fmt);
  vsnprintf (what, sizeof what, fmt, ap);
  va_end (ap);
  if (isinf (want) && isinf (got))
    cond = (want > 0) == (got > 0);
  else
    cond = !isnan (got) && fabs (got - want) <= tol;
  return mt_ok (cond, "%s: got %.6f, want %.6f +- %g", what, got, want, tol);
}

/* lo <= got <= hi */
#define MT_RANGE(got, lo, hi, ...)                                         \
  mt_range_ ((double) (got), (double) (lo), (double) (hi), __VA_ARGS__)

static inline int mt_range_ (double got, double lo, double hi,
    const char *fmt, ...) __attribute__((format (printf, 4, 5)));

static inline int
mt_range_ (double got, double lo, double hi, const char *fmt, ...)
{
  char what[512];
  va_list ap;

  va_start (ap, fmt);
  vsnprintf (what, sizeof what, fmt, ap);
  va_end (ap);
  return mt_ok (!isnan (got) && got >= lo && got <= hi,
      "%s: got %.6f, want [%.6f, %.6f]", what, got, lo, hi);
}

/* Comment line in the TAP stream (for figures worth keeping in the log). */
#define mt_diag(...) do { printf ("# "); printf (__VA_ARGS__);             \
    printf ("\n"); } while (0)

static inline int
mt_done (void)
{
  printf ("1..%d\n", mt_count_);
  if (mt_failed_)
    printf ("# %d of %d checks failed\n", mt_failed_, mt_count_);
  return mt_failed_ ? 1 : 0;
}

#endif /* MST_MTEST_H */
