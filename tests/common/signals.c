/* gst-mastering — deterministic test-signal generators (see signals.h) */
#include "signals.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

static void *
mts_xmalloc (size_t size)
{
  void *p = malloc (size ? size : 1);

  if (!p) {
    fprintf (stderr, "signals: out of memory (%zu bytes)\n", size);
    abort ();
  }
  return p;
}

/* ---- buffer ---------------------------------------------------------- */

/* The largest sample block freed so far is kept for the next buffer that
 * grows: tests build many long signals one after the other, and reusing
 * already-touched memory saves the page faults of a fresh allocation
 * (which dominated the run time of the conformance tests).  Not
 * thread-safe; the tests are single-threaded. */
static double *mts_cache = NULL;
static size_t mts_cache_len = 0;     /* capacity in doubles */

static void
mts_cache_put (double *data, size_t n_doubles)
{
  if (!data)
    return;
  if (n_doubles > mts_cache_len) {
    free (mts_cache);
    mts_cache = data;
    mts_cache_len = n_doubles;
  } else {
    free (data);
  }
}

MtsBuf *
mts_buf_new (unsigned rate, unsigned channels)
{
  MtsBuf *b = mts_xmalloc (sizeof *b);

  b->rate = rate;
  b->channels = channels;
  b->frames = 0;
  b->alloc = 0;
  b->data = NULL;
  return b;
}

void
mts_buf_free (MtsBuf * b)
{
  if (!b)
    return;
  mts_cache_put (b->data, b->alloc * b->channels);
  free (b);
}

void
mts_buf_clear (MtsBuf * b)
{
  b->frames = 0;
}

size_t
mts_frames (double dur_s, unsigned rate)
{
  double n = floor (dur_s * rate + 0.5);

  return n > 0 ? (size_t) n : 0;
}

double *
mts_append (MtsBuf * b, size_t n)
{
  double *p;

  if (b->frames + n > b->alloc) {
    size_t want = b->alloc ? b->alloc : 4096;

    while (want < b->frames + n)
      want *= 2;
    if (mts_cache && mts_cache_len >= want * b->channels) {
      /* adopt the cached block (its whole capacity) */
      p = mts_cache;
      want = mts_cache_len / b->channels;
      mts_cache = NULL;
      mts_cache_len = 0;
      if (b->data)
        memcpy (p, b->data, b->frames * b->channels * sizeof (double));
      mts_cache_put (b->data, b->alloc * b->channels);
    } else {
      p = realloc (b->data, want * b->channels * sizeof (double));
    }
    if (!p) {
      fprintf (stderr, "signals: out of memory (%zu frames)\n", want);
      abort ();
    }
    b->data = p;
    b->alloc = want;
  }
  p = b->data + b->frames * b->channels;
  if (n)                        /* data may still be NULL when n is 0 */
    memset (p, 0, n * b->channels * sizeof (double));
  b->frames += n;
  return p;
}

void
mts_concat (MtsBuf * b, const MtsBuf * src)
{
  double *p;

  if (src->channels != b->channels || src->rate != b->rate) {
    fprintf (stderr, "signals: concat of incompatible buffers\n");
    abort ();
  }
  p = mts_append (b, src->frames);
  memcpy (p, src->data, src->frames * src->channels * sizeof (double));
}

double *
mts_frame (MtsBuf * b, size_t i)
{
  return b->data + i * b->channels;
}

/* ---- segments -------------------------------------------------------- */

void
mts_silence_frames (MtsBuf * b, size_t n)
{
  mts_append (b, n);
}

void
mts_silence (MtsBuf * b, double dur_s)
{
  mts_append (b, mts_frames (dur_s, b->rate));
}

void
mts_tone_ex (MtsBuf * b, double freq_hz, const double *peak_dbfs,
    double phase_rad, size_t n)
{
  double amp[64];
  unsigned c, nch = b->channels;
  double *p;
  size_t i;
  /* For an integer frequency, freq * i is exact in double up to 2^53, so
   * the phase can be reduced exactly and the samples are the same at any
   * segment length. */
  int exact = freq_hz == floor (freq_hz) && freq_hz < 1e6;

  if (nch > 64)
    abort ();
  for (c = 0; c < nch; c++)
    amp[c] = isinf (peak_dbfs[c]) && peak_dbfs[c] < 0 ? 0.0 :
        pow (10.0, peak_dbfs[c] / 20.0);
  p = mts_append (b, n);
  if (exact && freq_hz > 0) {
    /* integer frequency: the samples repeat every rate / gcd (f, rate)
     * frames (f * P is a multiple of the rate, so the reduced phase is
     * identical); compute one period and copy it */
    uint64_t g = (uint64_t) freq_hz, r = b->rate, t, period;
    double *tab;

    while (r) {
      t = g % r;
      g = r;
      r = t;
    }
    period = b->rate / g;
    if (period <= 1u << 20 && period < n) {
      tab = mts_xmalloc (period * sizeof (double));
      for (i = 0; i < period; i++)
        tab[i] = sin (2.0 * M_PI * (fmod (freq_hz * (double) i,
                    (double) b->rate) / b->rate) + phase_rad);
      for (i = 0; i < n; i++)
        for (c = 0; c < nch; c++)
          p[i * nch + c] = amp[c] * tab[i % period];
      free (tab);
      return;
    }
  }
  for (i = 0; i < n; i++) {
    double cyc, s;

    if (exact)
      cyc = fmod (freq_hz * (double) i, (double) b->rate) / b->rate;
    else
      cyc = freq_hz * (double) i / b->rate;
    s = sin (2.0 * M_PI * cyc + phase_rad);
    for (c = 0; c < nch; c++)
      p[i * nch + c] = amp[c] * s;
  }
}

void
mts_tone (MtsBuf * b, double freq_hz, double peak_dbfs, double dur_s)
{
  double lv[64];
  unsigned c;

  if (b->channels > 64)
    abort ();
  for (c = 0; c < b->channels; c++)
    lv[c] = peak_dbfs;
  mts_tone_ex (b, freq_hz, lv, 0.0, mts_frames (dur_s, b->rate));
}

/* Scales frames [start, start + n) of every channel to the given RMS
 * (computed over all channels that are not all-zero). */
static void
mts_normalise_rms (MtsBuf * b, size_t start, size_t n, double rms_dbfs)
{
  double sum = 0.0, g;
  size_t i, cnt = n * b->channels;
  double *p = b->data + start * b->channels;

  for (i = 0; i < cnt; i++)
    sum += p[i] * p[i];
  if (sum <= 0.0)
    return;
  g = pow (10.0, rms_dbfs / 20.0) / sqrt (sum / cnt);
  for (i = 0; i < cnt; i++)
    p[i] *= g;
}

void
mts_white_noise (MtsBuf * b, MtsRng * rng, double rms_dbfs, double dur_s,
    int correlated)
{
  size_t n = mts_frames (dur_s, b->rate), start = b->frames, i;
  unsigned c, nch = b->channels;
  double *p = mts_append (b, n);

  for (i = 0; i < n; i++) {
    if (correlated) {
      double v = mts_rng_uniform (rng);

      for (c = 0; c < nch; c++)
        p[i * nch + c] = v;
    } else {
      for (c = 0; c < nch; c++)
        p[i * nch + c] = mts_rng_uniform (rng);
    }
  }
  mts_normalise_rms (b, start, n, rms_dbfs);
}

typedef struct
{
  double b[7];
} MtsPink;

/* Paul Kellet's "refined" pink filter (accuracy +-0.05 dB above 9 Hz at
 * 44.1 kHz). */
static double
mts_pink_step (MtsPink * s, double w)
{
  double out;

  s->b[0] = 0.99886 * s->b[0] + w * 0.0555179;
  s->b[1] = 0.99332 * s->b[1] + w * 0.0750759;
  s->b[2] = 0.96900 * s->b[2] + w * 0.1538520;
  s->b[3] = 0.86650 * s->b[3] + w * 0.3104856;
  s->b[4] = 0.55000 * s->b[4] + w * 0.5329522;
  s->b[5] = -0.7616 * s->b[5] - w * 0.0168980;
  out = s->b[0] + s->b[1] + s->b[2] + s->b[3] + s->b[4] + s->b[5] + s->b[6]
      + w * 0.5362;
  s->b[6] = w * 0.115926;
  return out;
}

void
mts_pink_noise (MtsBuf * b, MtsRng * rng, double rms_dbfs, double dur_s,
    int correlated)
{
  size_t n = mts_frames (dur_s, b->rate), start = b->frames, i;
  unsigned c, nch = b->channels;
  MtsPink st[64];
  double *p;
  int k;

  if (nch > 64)
    abort ();
  memset (st, 0, sizeof st);
  /* warm the filters up so the segment starts in steady state */
  for (k = 0; k < 8192; k++)
    for (c = 0; c < (correlated ? 1u : nch); c++)
      mts_pink_step (&st[c], mts_rng_uniform (rng));
  p = mts_append (b, n);
  for (i = 0; i < n; i++) {
    if (correlated) {
      double v = mts_pink_step (&st[0], mts_rng_uniform (rng));

      for (c = 0; c < nch; c++)
        p[i * nch + c] = v;
    } else {
      for (c = 0; c < nch; c++)
        p[i * nch + c] = mts_pink_step (&st[c], mts_rng_uniform (rng));
    }
  }
  mts_normalise_rms (b, start, n, rms_dbfs);
}

void
mts_sweep (MtsBuf * b, double f0_hz, double f1_hz, double peak_dbfs,
    double dur_s, int log_sweep)
{
  size_t n = mts_frames (dur_s, b->rate), i;
  unsigned c, nch = b->channels;
  double amp = pow (10.0, peak_dbfs / 20.0);
  double T = (double) n / b->rate;
  double *p = mts_append (b, n);

  for (i = 0; i < n; i++) {
    double t = (double) i / b->rate, ph, s;

    if (log_sweep && f0_hz > 0 && f1_hz > 0 && f0_hz != f1_hz) {
      double L = log (f1_hz / f0_hz);

      ph = 2.0 * M_PI * f0_hz * T / L * (exp (t * L / T) - 1.0);
    } else {
      ph = 2.0 * M_PI * (f0_hz * t + (f1_hz - f0_hz) * t * t / (2.0 * T));
    }
    s = amp * sin (ph);
    for (c = 0; c < nch; c++)
      p[i * nch + c] = s;
  }
}

/* ---- modifiers ------------------------------------------------------- */

static size_t
mts_clamp_range (const MtsBuf * b, size_t start, size_t n)
{
  if (start >= b->frames)
    return 0;
  if (n > b->frames - start)
    n = b->frames - start;
  return n;
}

void
mts_gain (MtsBuf * b, int ch, size_t start, size_t n, double gain)
{
  unsigned c, nch = b->channels;
  size_t i;

  n = mts_clamp_range (b, start, n);
  for (i = start; i < start + n; i++)
    for (c = 0; c < nch; c++)
      if (ch < 0 || (unsigned) ch == c)
        b->data[i * nch + c] *= gain;
}

void
mts_fade (MtsBuf * b, size_t start, size_t n, size_t fade_in,
    size_t fade_out)
{
  unsigned c, nch = b->channels;
  size_t i;

  n = mts_clamp_range (b, start, n);
  if (fade_in > n)
    fade_in = n;
  if (fade_out > n)
    fade_out = n;
  for (i = 0; i < fade_in; i++)
    for (c = 0; c < nch; c++)
      b->data[(start + i) * nch + c] *= (double) i / fade_in;
  for (i = 0; i < fade_out; i++)
    for (c = 0; c < nch; c++)
      b->data[(start + n - 1 - i) * nch + c] *= (double) i / fade_out;
}

void
mts_envelope_db (MtsBuf * b, size_t start, size_t n, double depth_db,
    double period_s)
{
  unsigned c, nch = b->channels;
  size_t i;

  n = mts_clamp_range (b, start, n);
  for (i = 0; i < n; i++) {
    double t = (double) i / b->rate;
    double db = -0.5 * depth_db * (1.0 - cos (2.0 * M_PI * t / period_s));
    double g = pow (10.0, db / 20.0);

    for (c = 0; c < nch; c++)
      b->data[(start + i) * nch + c] *= g;
  }
}

/* ---- true-peak signals ----------------------------------------------- */

void
mts_tp_tone (MtsBuf * b, unsigned k, double amp, double phase_deg,
    size_t n_frames, size_t fade_frames)
{
  size_t start = b->frames, i;
  unsigned c, nch = b->channels;
  double ph = phase_deg * M_PI / 180.0;
  double *p = mts_append (b, n_frames);

  for (i = 0; i < n_frames; i++) {
    /* n mod k keeps the argument exact for long signals */
    double s = amp * sin (2.0 * M_PI * (double) (i % k) / k + ph);

    for (c = 0; c < nch; c++)
      p[i * nch + c] = s;
  }
  mts_fade (b, start, n_frames, fade_frames, fade_frames);
}

double
mts_bessel_i0 (double x)
{
  /* power series sum ((x/2)^k / k!)^2, converges for all x */
  double sum = 1.0, term = 1.0, q = x * x / 4.0;
  int k;

  for (k = 1; k < 500; k++) {
    term *= q / ((double) k * k);
    sum += term;
    if (term < sum * 1e-17)
      break;
  }
  return sum;
}

#define MTS_BURST_TAPS 1023
#define MTS_BURST_BETA 12.0

void
mts_tp_burst (MtsBuf * b, unsigned offset, size_t n_frames)
{
  const size_t M = (MTS_BURST_TAPS - 1) / 2;
  size_t N4 = 4 * n_frames, n0, fade, i, m;
  unsigned c, nch = b->channels;
  double h[MTS_BURST_TAPS], hsum = 0.0, i0b = mts_bessel_i0 (MTS_BURST_BETA);
  double *x, *p;

  offset &= 3;
  /* step 1/2: the 4 fs signal; n0 a multiple of 24 near the middle */
  x = mts_xmalloc (N4 * sizeof (double));
  n0 = (N4 / 2) / 24 * 24;
  for (i = 0; i < N4; i++) {
    if (i < n0)
      x[i] = 0.5 * sin (2.0 * M_PI * (double) (i % 24) / 24.0);
    else if (i < n0 + 16)
      x[i] = 1.0 * sin (2.0 * M_PI * (double) (i - n0) / 16.0);
    else
      x[i] = 0.5 * sin (2.0 * M_PI * (double) ((i - n0 - 16) % 24) / 24.0);
  }
  /* step 3: 100 ms linear fades at 4 fs */
  fade = mts_frames (0.1, 4 * b->rate);
  if (2 * fade > N4)
    fade = N4 / 2;
  for (i = 0; i < fade; i++) {
    x[i] *= (double) i / fade;
    x[N4 - 1 - i] *= (double) i / fade;
  }
  /* step 4: Kaiser windowed sinc, cut-off fs/2 = 1/8 of the 4 fs rate */
  for (i = 0; i < MTS_BURST_TAPS; i++) {
    double t = (double) i - (double) M;
    double r = 2.0 * (double) i / (MTS_BURST_TAPS - 1) - 1.0;
    double w = mts_bessel_i0 (MTS_BURST_BETA * sqrt (fmax (0.0, 1.0 - r * r)))
        / i0b;
    double s = t == 0.0 ? 1.0 : sin (M_PI * t / 4.0) / (M_PI * t / 4.0);

    h[i] = 0.25 * s * w;
    hsum += h[i];
  }
  for (i = 0; i < MTS_BURST_TAPS; i++)
    h[i] /= hsum;
  /* step 5: "same"-mode filtering, evaluated only where decimation keeps
   * it: y[m] = sum_k h[k] x[4m + offset + M - k] */
  p = mts_append (b, n_frames);
  for (m = 0; m < n_frames; m++) {
    size_t nn = 4 * m + offset;
    double acc = 0.0;
    size_t k, klo, khi;

    /* x index j = nn + M - k must be in [0, N4) */
    klo = nn + M >= N4 ? nn + M - (N4 - 1) : 0;
    khi = nn + M < MTS_BURST_TAPS - 1 ? nn + M : MTS_BURST_TAPS - 1;
    for (k = klo; k <= khi; k++)
      acc += h[k] * x[nn + M - k];
    /* step 6: same signal in every channel */
    for (c = 0; c < nch; c++)
      p[m * nch + c] = acc;
  }
  free (x);
}

int
mts_tp_case (MtsBuf * b, int ebu_case, size_t n_frames, size_t fade_frames)
{
  /* docs/conformance.md §4: k = 4, 4, 6, 8, 4; phase 0, 45, 60, 67.5, 45
   * degrees; A = 0.5 (15-18) or 1.41 (19) */
  static const unsigned k[] = { 4, 4, 6, 8, 4 };
  static const double ph[] = { 0.0, 45.0, 60.0, 67.5, 45.0 };

  if (ebu_case >= 15 && ebu_case <= 19) {
    int j = ebu_case - 15;

    mts_tp_tone (b, k[j], ebu_case == 19 ? 1.41 : 0.5, ph[j], n_frames,
        fade_frames);
    return 0;
  }
  if (ebu_case >= 20 && ebu_case <= 23) {
    mts_tp_burst (b, (unsigned) (ebu_case - 20), n_frames);
    return 0;
  }
  return -1;
}

/* ---- measurement helpers --------------------------------------------- */

double
mts_peak (const MtsBuf * b, int ch)
{
  double pk = 0.0;
  unsigned c, nch = b->channels;
  size_t i;

  for (i = 0; i < b->frames; i++)
    for (c = 0; c < nch; c++)
      if (ch < 0 || (unsigned) ch == c)
        pk = fmax (pk, fabs (b->data[i * nch + c]));
  return pk;
}

static double
det3 (double m[3][3])
{
  return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
      - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
      + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
}

double
mts_sine_amplitude (const double *x, size_t n, size_t stride, double freq_hz,
    double rate)
{
  double m[3][3] = { {0} }, v[3] = { 0 }, sol[2], d;
  size_t k;
  unsigned i, j, r;

  for (k = 0; k < n; k++) {
    double w = 2.0 * M_PI * freq_hz * k / rate;
    double bs[3] = { sin (w), cos (w), 1.0 };

    for (i = 0; i < 3; i++) {
      v[i] += bs[i] * x[k * stride];
      for (j = 0; j < 3; j++)
        m[i][j] += bs[i] * bs[j];
    }
  }
  d = det3 (m);
  for (r = 0; r < 2; r++) {     /* Cramer's rule for a and b */
    double t[3][3];

    memcpy (t, m, sizeof t);
    for (i = 0; i < 3; i++)
      t[i][r] = v[i];
    sol[r] = det3 (t) / d;
  }
  return sqrt (sol[0] * sol[0] + sol[1] * sol[1]);
}

/* ---- conversions ----------------------------------------------------- */

float *
mts_to_f32 (const MtsBuf * b, size_t start, size_t n)
{
  size_t cnt, i;
  float *out;

  n = mts_clamp_range (b, start, n);
  cnt = n * b->channels;
  out = mts_xmalloc (cnt * sizeof (float));
  for (i = 0; i < cnt; i++)
    out[i] = (float) b->data[start * b->channels + i];
  return out;
}

double *
mts_to_f64 (const MtsBuf * b, size_t start, size_t n)
{
  size_t cnt;
  double *out;

  n = mts_clamp_range (b, start, n);
  cnt = n * b->channels;
  out = mts_xmalloc (cnt * sizeof (double));
  memcpy (out, b->data + start * b->channels, cnt * sizeof (double));
  return out;
}

int16_t *
mts_to_s16 (const MtsBuf * b, size_t start, size_t n)
{
  size_t cnt, i;
  int16_t *out;

  n = mts_clamp_range (b, start, n);
  cnt = n * b->channels;
  out = mts_xmalloc (cnt * sizeof (int16_t));
  for (i = 0; i < cnt; i++) {
    double v = floor (b->data[start * b->channels + i] * 32768.0 + 0.5);

    out[i] = (int16_t) (v > 32767.0 ? 32767.0 : v < -32768.0 ? -32768.0 : v);
  }
  return out;
}

int32_t *
mts_to_s32 (const MtsBuf * b, size_t start, size_t n)
{
  size_t cnt, i;
  int32_t *out;

  n = mts_clamp_range (b, start, n);
  cnt = n * b->channels;
  out = mts_xmalloc (cnt * sizeof (int32_t));
  for (i = 0; i < cnt; i++) {
    double v = floor (b->data[start * b->channels + i] * 2147483648.0 + 0.5);

    out[i] = (int32_t) (v > 2147483647.0 ? 2147483647.0 :
        v < -2147483648.0 ? -2147483648.0 : v);
  }
  return out;
}

float *
mts_channel_f32 (const MtsBuf * b, unsigned ch, size_t start, size_t n)
{
  size_t i;
  float *out;

  n = mts_clamp_range (b, start, n);
  out = mts_xmalloc (n * sizeof (float));
  for (i = 0; i < n; i++)
    out[i] = (float) b->data[(start + i) * b->channels + ch];
  return out;
}

/* ---- random numbers -------------------------------------------------- */

void
mts_rng_seed (MtsRng * r, uint64_t seed)
{
  /* splitmix64 scramble so small seeds give unrelated streams; never 0 */
  uint64_t z = seed + 0x9e3779b97f4a7c15ULL;

  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  r->s = z ? z : 0x2545f4914f6cdd1dULL;
}

uint64_t
mts_rng_u64 (MtsRng * r)
{
  uint64_t x = r->s;

  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  r->s = x;
  return x * 0x2545f4914f6cdd1dULL;
}

double
mts_rng_uniform (MtsRng * r)
{
  /* 53 random bits -> [0, 1) -> [-1, 1) */
  return (double) (mts_rng_u64 (r) >> 11) * (2.0 / 9007199254740992.0) - 1.0;
}

double
mts_rng_gauss (MtsRng * r)
{
  double u1 = 0.5 * (mts_rng_uniform (r) + 1.0);
  double u2 = 0.5 * (mts_rng_uniform (r) + 1.0);

  if (u1 <= 0.0)
    u1 = 1e-300;
  return sqrt (-2.0 * log (u1)) * cos (2.0 * M_PI * u2);
}

/* ---- small maths helpers --------------------------------------------- */

double
mts_db_to_lin (double db)
{
  return pow (10.0, db / 20.0);
}

double
mts_lin_to_db (double lin)
{
  return 20.0 * log10 (lin);
}
