/* gst-mastering — independent true-peak judges (see refpeak.h) */
#define _POSIX_C_SOURCE 200809L
#include "refpeak.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define UP 16
#define PAD 4096

/* In-place iterative radix-2 FFT of n (power of two) complex values
 * (re[], im[]); inverse when sign > 0 (unscaled). */
static void
fft (double *re, double *im, size_t n, int sign)
{
  size_t i, j, len;

  for (i = 1, j = 0; i < n; i++) {
    size_t bit = n >> 1;

    for (; j & bit; bit >>= 1)
      j ^= bit;
    j |= bit;
    if (i < j) {
      double t = re[i];

      re[i] = re[j];
      re[j] = t;
      t = im[i];
      im[i] = im[j];
      im[j] = t;
    }
  }
  for (len = 2; len <= n; len <<= 1) {
    const double ang = sign * 2.0 * 3.14159265358979323846 / (double) len;
    size_t half = len / 2, k;

    for (k = 0; k < half; k++) {
      /* twiddles computed directly (no recurrence drift) */
      const double wr = cos (ang * (double) k), wi = sin (ang * (double) k);

      for (i = k; i < n; i += len) {
        double xr = re[i + half] * wr - im[i + half] * wi;
        double xi = re[i + half] * wi + im[i + half] * wr;

        re[i + half] = re[i] - xr;
        im[i + half] = im[i] - xi;
        re[i] += xr;
        im[i] += xi;
      }
    }
  }
}

static double
channel_peak (const double *x, size_t n, unsigned C, unsigned ch)
{
  size_t M = 1, i, U;
  double *re, *im, *ur, *ui, peak = 0.0;

  while (M < n + 2 * PAD)
    M <<= 1;
  U = M * UP;
  re = calloc (M, sizeof (double));
  im = calloc (M, sizeof (double));
  ur = calloc (U, sizeof (double));
  ui = calloc (U, sizeof (double));
  if (!re || !im || !ur || !ui) {
    fprintf (stderr, "refpeak: out of memory\n");
    exit (99);
  }
  for (i = 0; i < n; i++)
    re[PAD + i] = x[i * C + ch];
  fft (re, im, M, -1);
  /* positive frequencies 0 .. M/2 - 1, negative ones at the top, the
   * Nyquist bin split between +M/2 and -M/2 */
  for (i = 0; i < M / 2; i++) {
    ur[i] = re[i];
    ui[i] = im[i];
  }
  for (i = M / 2 + 1; i < M; i++) {
    ur[U - M + i] = re[i];
    ui[U - M + i] = im[i];
  }
  ur[M / 2] = 0.5 * re[M / 2];
  ui[M / 2] = 0.5 * im[M / 2];
  ur[U - M / 2] = 0.5 * re[M / 2];
  ui[U - M / 2] = 0.5 * im[M / 2];
  fft (ur, ui, U, +1);
  for (i = 0; i < U; i++)
    ur[i] /= (double) M;        /* y[UP k] = x[k] */
  for (i = 1; i + 1 < U; i++) {
    double a = fabs (ur[i - 1]), b = fabs (ur[i]), c = fabs (ur[i + 1]);

    if (b >= a && b >= c && b > 0.0) {
      /* vertex of the parabola through the three points */
      double den = a - 2.0 * b + c, v = b;

      if (den < 0.0)
        v = b - (a - c) * (a - c) / (8.0 * den);
      if (v > peak)
        peak = v;
    }
  }
  free (re);
  free (im);
  free (ur);
  free (ui);
  return peak;
}

double
mtr_ideal_peak (const double *x, size_t n_frames, unsigned channels)
{
  double peak = 0.0;
  unsigned c;

  for (c = 0; c < channels; c++) {
    double p = channel_peak (x, n_frames, channels, c);

    if (p > peak)
      peak = p;
  }
  return peak;
}

static void
put_le (unsigned char *p, uint32_t v, int bytes)
{
  int i;

  for (i = 0; i < bytes; i++)
    p[i] = (unsigned char) (v >> (8 * i));
}

int
mtr_write_wav_f32 (const char *path, const double *x, size_t n_frames,
    unsigned channels, unsigned rate)
{
  unsigned char h[58];
  FILE *f = fopen (path, "wb");
  size_t i, n = n_frames * channels;
  uint32_t data = (uint32_t) (n * 4);

  if (!f)
    return 0;
  /* WAVE_FORMAT_IEEE_FLOAT (3), with the cbSize and fact chunk that the
   * format asks for */
  memcpy (h, "RIFF", 4);
  put_le (h + 4, 50 + data, 4);
  memcpy (h + 8, "WAVEfmt ", 8);
  put_le (h + 16, 18, 4);
  put_le (h + 20, 3, 2);
  put_le (h + 22, channels, 2);
  put_le (h + 24, rate, 4);
  put_le (h + 28, rate * channels * 4, 4);
  put_le (h + 32, channels * 4, 2);
  put_le (h + 34, 32, 2);
  put_le (h + 36, 0, 2);
  memcpy (h + 38, "fact", 4);
  put_le (h + 42, 4, 4);
  put_le (h + 46, (uint32_t) n_frames, 4);
  memcpy (h + 50, "data", 4);
  put_le (h + 54, data, 4);
  fwrite (h, 1, sizeof h, f);
  for (i = 0; i < n; i++) {
    float v = (float) x[i];
    unsigned char b[4];
    uint32_t u;

    memcpy (&u, &v, 4);
    put_le (b, u, 4);
    fwrite (b, 1, 4, f);
  }
  return fclose (f) == 0;
}

int
mtr_ffmpeg_peak (const double *x, size_t n_frames, unsigned channels,
    unsigned rate, double *dbfs)
{
  char path[] = "/tmp/mst-refpeak-XXXXXX";
  char cmd[512], line[512];
  int fd = mkstemp (path), found = 0, in_tp = 0;
  FILE *p;

  if (fd < 0)
    return 0;
  close (fd);
  if (!mtr_write_wav_f32 (path, x, n_frames, channels, rate)) {
    remove (path);
    return 0;
  }
  snprintf (cmd, sizeof cmd, "ffmpeg -nostdin -hide_banner -nostats -f wav -i '%s' "
      "-af ebur128=peak=true -f null - 2>&1", path);
  p = popen (cmd, "r");
  if (!p) {
    remove (path);
    return 0;
  }
  /* the summary ends with "True peak:" / "Peak: X dBFS" */
  while (fgets (line, sizeof line, p)) {
    const char *s;

    if (strstr (line, "True peak:"))
      in_tp = 1;
    if (in_tp && (s = strstr (line, "Peak:")) != NULL) {
      if (sscanf (s + 5, "%lf", dbfs) == 1)
        found = 1;
    }
  }
  if (pclose (p) != 0)
    found = 0;
  remove (path);
  return found;
}
