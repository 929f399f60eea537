/* gst-mastering — multi-channel delay line (see delayline.h)
 *
 * State:
 *   buf     the last `delay` frames written, a ring of delay * frame bytes
 *           (frame = channels * sample_size); buf + pos is the oldest
 *   pos     byte offset of the oldest frame in buf, < delay * frame
 *   tmp     scratch of the ring's size, for in-place calls
 *
 * A call of n frames with n <= delay swaps the n oldest frames of the ring
 * with the n new ones (out gets the old, the ring the new); with n > delay
 * out gets the whole ring followed by the first n - delay new frames, and
 * the ring the last delay new frames.  Everything moves with memcpy.
 */
#include "delayline.h"

#include <stdlib.h>
#include <string.h>

struct MstDelayLine
{
  size_t frame;                 /* bytes per frame */
  size_t delay;                 /* frames */
  size_t size;                  /* ring bytes: delay * frame */
  size_t pos;                   /* bytes: offset of the oldest frame */
  unsigned char *buf;
  unsigned char *tmp;           /* size bytes: bounce buffer (in place) */
};

MstDelayLine *
mst_delay_line_new (unsigned channels, size_t delay_frames,
    size_t sample_size)
{
  MstDelayLine *dl;

  if (channels == 0 || sample_size == 0
      || delay_frames > ((size_t) -1) / 2 / channels / sample_size)
    return NULL;
  dl = calloc (1, sizeof *dl);
  if (!dl)
    return NULL;
  dl->frame = (size_t) channels * sample_size;
  dl->delay = delay_frames;
  dl->size = delay_frames * dl->frame;
  dl->buf = calloc (dl->size ? dl->size : 1, 1);
  dl->tmp = malloc (dl->size ? dl->size : 1);
  if (!dl->buf || !dl->tmp) {
    mst_delay_line_free (dl);
    return NULL;
  }
  return dl;
}

void
mst_delay_line_free (MstDelayLine * dl)
{
  if (!dl)
    return;
  free (dl->buf);
  free (dl->tmp);
  free (dl);
}

void
mst_delay_line_reset (MstDelayLine * dl)
{
  memset (dl->buf, 0, dl->size);
  dl->pos = 0;
}

size_t
mst_delay_line_delay (const MstDelayLine * dl)
{
  return dl->delay;
}

/* Copies `bytes` from the ring at dl->pos (wrapping) to dst. */
static void
ring_read (const MstDelayLine * dl, unsigned char *dst, size_t bytes)
{
  size_t first = dl->size - dl->pos;

  if (first > bytes)
    first = bytes;
  memcpy (dst, dl->buf + dl->pos, first);
  memcpy (dst + first, dl->buf, bytes - first);
}

/* Copies `bytes` from src into the ring at dl->pos (wrapping) and advances
 * pos past them. */
static void
ring_write (MstDelayLine * dl, const unsigned char *src, size_t bytes)
{
  size_t first = dl->size - dl->pos;

  if (first > bytes)
    first = bytes;
  if (src) {
    memcpy (dl->buf + dl->pos, src, first);
    memcpy (dl->buf, src + first, bytes - first);
  } else {
    memset (dl->buf + dl->pos, 0, first);
    memset (dl->buf, 0, bytes - first);
  }
  dl->pos += bytes;
  if (dl->pos >= dl->size)
    dl->pos -= dl->size;          /* bytes <= size: one lap at most */
}

void
mst_delay_line_process (MstDelayLine * dl, const void *in, void *out,
    size_t n_frames)
{
  const unsigned char *src = in;
  unsigned char *dst = out;
  const size_t bytes = n_frames * dl->frame;
  size_t rest;

  if (bytes <= dl->size) {
    if (src == dst) {
      /* in place: the new frames go to tmp before out overwrites them */
      memcpy (dl->tmp, src, bytes);
      src = dl->tmp;
    }
    ring_read (dl, dst, bytes);
    ring_write (dl, src, bytes);
    return;
  }

  /* more new frames than the delay: out = the whole ring followed by
   * in[0 .. n - delay); the ring becomes in[n - delay .. n) */
  rest = bytes - dl->size;
  if (src) {
    memcpy (dl->tmp, src + rest, dl->size);
    memmove (dst + dl->size, src, rest);
  } else {
    memset (dl->tmp, 0, dl->size);
    memset (dst + dl->size, 0, rest);
  }
  ring_read (dl, dst, dl->size);
  memcpy (dl->buf, dl->tmp, dl->size);
  dl->pos = 0;
}

void
mst_delay_line_process_f32 (MstDelayLine * dl, const float *in, float *out,
    size_t n_frames)
{
  mst_delay_line_process (dl, in, out, n_frames);
}

void
mst_delay_line_process_f64 (MstDelayLine * dl, const double *in,
    double *out, size_t n_frames)
{
  mst_delay_line_process (dl, in, out, n_frames);
}
