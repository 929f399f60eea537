/* gst-mastering — the peer of the meter pipeline benchmark
 *
 * A minimal whole-process libebur128 meter, as a user would write one:
 * reads a WAV file (PCM 16/24/32-bit or IEEE float 32-bit, plain or
 * WAVE_FORMAT_EXTENSIBLE) 1024 frames at a time with stdio, converts to
 * float and feeds ebur128_add_frames_float () with EBUR128_MODE_M | S | I |
 * LRA | TRUE_PEAK; prints integrated loudness, loudness range and the
 * largest true peak at the end.  bench/meter-pipeline.sh times it as a
 * whole process beside `gst-launch-1.0 filesrc ! wavparse ! loudnessmeter
 * ! fakesink`.
 *
 *   meter-ebur128 FILE.wav
 */
#include <ebur128.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK 1024

static uint32_t
le32 (const unsigned char *p)
{
  return p[0] | (p[1] << 8) | ((uint32_t) p[2] << 16) | ((uint32_t) p[3] << 24);
}

static uint16_t
le16 (const unsigned char *p)
{
  return (uint16_t) (p[0] | (p[1] << 8));
}

int
main (int argc, char **argv)
{
  FILE *f;
  unsigned char hdr[12], ck[8], fmt[40];
  unsigned channels = 0, rate = 0, bits = 0, tag = 0, bpf;
  uint32_t data_len = 0;
  int have_fmt = 0;
  unsigned char *raw;
  float *buf;
  ebur128_state *st;
  double integrated, lra, tp_max = 0.0;
  unsigned c;

  if (argc != 2) {
    fprintf (stderr, "usage: meter-ebur128 FILE.wav\n");
    return 2;
  }
  f = fopen (argv[1], "rb");
  if (!f || fread (hdr, 1, 12, f) != 12 || memcmp (hdr, "RIFF", 4)
      || memcmp (hdr + 8, "WAVE", 4)) {
    fprintf (stderr, "%s: not a WAV file\n", argv[1]);
    return 1;
  }
  for (;;) {
    uint32_t len;

    if (fread (ck, 1, 8, f) != 8) {
      fprintf (stderr, "%s: no data chunk\n", argv[1]);
      return 1;
    }
    len = le32 (ck + 4);
    if (!memcmp (ck, "fmt ", 4) && len >= 16 && len <= sizeof fmt) {
      if (fread (fmt, 1, len, f) != len)
        return 1;
      tag = le16 (fmt);
      channels = le16 (fmt + 2);
      rate = le32 (fmt + 4);
      bits = le16 (fmt + 14);
      if (tag == 0xFFFE && len >= 26)
        tag = le16 (fmt + 24);  /* sub-format GUID starts with the tag */
      have_fmt = 1;
      if (len & 1)
        fseek (f, 1, SEEK_CUR);
    } else if (!memcmp (ck, "data", 4)) {
      data_len = len;
      break;
    } else {
      fseek (f, (long) len + (len & 1), SEEK_CUR);
    }
  }
  if (!have_fmt || channels == 0 || rate == 0
      || !((tag == 1 && (bits == 16 || bits == 24 || bits == 32))
          || (tag == 3 && bits == 32))) {
    fprintf (stderr, "%s: unsupported format (tag %u, %u bits)\n", argv[1],
        tag, bits);
    return 1;
  }
  bpf = channels * (bits / 8);

  st = ebur128_init (channels, rate, EBUR128_MODE_M | EBUR128_MODE_S |
      EBUR128_MODE_I | EBUR128_MODE_LRA | EBUR128_MODE_TRUE_PEAK);
  raw = malloc ((size_t) CHUNK * bpf);
  buf = malloc ((size_t) CHUNK * channels * sizeof (float));
  if (!st || !raw || !buf)
    return 1;

  while (data_len >= bpf) {
    size_t want = data_len / bpf < CHUNK ? data_len / bpf : CHUNK;
    size_t n = fread (raw, bpf, want, f), i, k = n * channels;

    if (n == 0)
      break;
    data_len -= (uint32_t) (n * bpf);
    if (tag == 3) {
      memcpy (buf, raw, k * sizeof (float));
    } else if (bits == 16) {
      for (i = 0; i < k; i++)
        buf[i] = (int16_t) le16 (raw + 2 * i) / 32768.0f;
    } else if (bits == 24) {
      for (i = 0; i < k; i++) {
        const unsigned char *p = raw + 3 * i;
        int32_t v = (int32_t) ((uint32_t) p[0] << 8 | (uint32_t) p[1] << 16
            | (uint32_t) p[2] << 24);

        buf[i] = (float) (v / 2147483648.0);
      }
    } else {
      for (i = 0; i < k; i++)
        buf[i] = (float) ((int32_t) le32 (raw + 4 * i) / 2147483648.0);
    }
    ebur128_add_frames_float (st, buf, n);
  }

  ebur128_loudness_global (st, &integrated);
  ebur128_loudness_range (st, &lra);
  for (c = 0; c < channels; c++) {
    double tp;

    if (ebur128_true_peak (st, c, &tp) == EBUR128_SUCCESS && tp > tp_max)
      tp_max = tp;
  }
  printf ("I %.2f LUFS, LRA %.2f LU, true peak %.2f dBTP\n", integrated, lra,
      tp_max > 0.0 ? 20.0 * log10 (tp_max) : -INFINITY);
  ebur128_destroy (&st);
  free (raw);
  free (buf);
  fclose (f);
  return 0;
}
