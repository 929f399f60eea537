/* gst-mastering — sliding minimum / maximum (see minmax.h)
 *
 * State (the deque is a ring of `size` = power of two > window entries):
 *   val[], idx[]   value and push count of each deque entry; from head to
 *                  tail the indices increase and the values strictly
 *                  increase (MIN) or decrease (MAX): the head is the
 *                  extreme of the window, every later entry the extreme
 *                  of what follows the one before it
 *   head, len      deque position and length (entries)
 *   count          values pushed since reset
 *   sign           +1 for MIN, -1 for MAX: the code keeps minima of
 *                  sign * x
 *
 * push (x): drop tail entries not smaller than x (they can never be the
 * minimum again while x is in the window), append x, drop the head if it
 * has left the window.
 */
#include "minmax.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

struct MstMinMax
{
  size_t window;
  size_t size, mask;
  double sign;
  double *val;
  uint64_t *idx;
  size_t head, len;
  uint64_t count;
};

MstMinMax *
mst_minmax_new (size_t window, MstMinMaxMode mode)
{
  MstMinMax *mm;
  size_t size = 1;

  if (window == 0 || window > ((size_t) -1) / 64
      || (mode != MST_MINMAX_MIN && mode != MST_MINMAX_MAX))
    return NULL;
  while (size <= window)
    size <<= 1;
  mm = calloc (1, sizeof *mm);
  if (!mm)
    return NULL;
  mm->window = window;
  mm->size = size;
  mm->mask = size - 1;
  mm->sign = mode == MST_MINMAX_MAX ? -1.0 : 1.0;
  mm->val = malloc (sizeof (double) * size);
  mm->idx = malloc (sizeof (uint64_t) * size);
  if (!mm->val || !mm->idx) {
    mst_minmax_free (mm);
    return NULL;
  }
  mst_minmax_reset (mm);
  return mm;
}

void
mst_minmax_free (MstMinMax * mm)
{
  if (!mm)
    return;
  free (mm->val);
  free (mm->idx);
  free (mm);
}

void
mst_minmax_reset (MstMinMax * mm)
{
  mm->head = mm->len = 0;
  mm->count = 0;
}

size_t
mst_minmax_window (const MstMinMax * mm)
{
  return mm->window;
}

int
mst_minmax_copy (MstMinMax * dst, const MstMinMax * src)
{
  size_t k;

  if (dst->window != src->window || dst->sign != src->sign)
    return 0;
  /* the same window: the same ring size; only the live entries matter */
  for (k = 0; k < src->len; k++) {
    const size_t j = (src->head + k) & src->mask;

    dst->val[j] = src->val[j];
    dst->idx[j] = src->idx[j];
  }
  dst->head = src->head;
  dst->len = src->len;
  dst->count = src->count;
  return 1;
}

double
mst_minmax_get (const MstMinMax * mm)
{
  if (mm->len == 0)
    return mm->sign * HUGE_VAL;
  return mm->sign * mm->val[mm->head];
}

double
mst_minmax_push (MstMinMax * mm, double x)
{
  const double v = mm->sign * x;
  const uint64_t i = mm->count++;

  while (mm->len > 0 && mm->val[(mm->head + mm->len - 1) & mm->mask] >= v)
    mm->len--;
  mm->val[(mm->head + mm->len) & mm->mask] = v;
  mm->idx[(mm->head + mm->len) & mm->mask] = i;
  mm->len++;
  if (mm->idx[mm->head] + mm->window <= i) {
    mm->head = (mm->head + 1) & mm->mask;
    mm->len--;
  }
  return mm->sign * mm->val[mm->head];
}

void
mst_minmax_process (MstMinMax * mm, const double *in, double *out, size_t n)
{
  size_t i;

  for (i = 0; i < n; i++)
    out[i] = mst_minmax_push (mm, in[i]);
}
