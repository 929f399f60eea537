/* gst-mastering — true-peak (inter-sample peak) interpolator
 *
 * See truepeak.h.  Design notes:
 *
 * The interpolator is the polyphase form of a length F*T+1 linear-phase
 * FIR h[k] = sinc ((k - F*T/2) / F) * kaiser (k), run on the zero-stuffed
 * input.  Output point F*n + p (phase p) is
 *
 *     y[F*n + p] = sum_{t=0..T-1} h[p + F*t] * x[n - t]
 *
 * and sits at input time n - T/2 + p/F.  Phase 0 has a single non-zero tap
 * (1.0, at t = T/2) because the sinc is zero at every other multiple of F:
 * it reproduces the input, so readings include the sample peak for free.
 * Phases 1..F-1 are normalised to unit DC gain.
 *
 * Skipping work: for a stretch of input with max |x| = M and max
 * |x[n] - x[n-1]| = D, every phase output obeys
 *
 *     |y| <= g_level * M + g_diff * D      and      |y| <= g_l1 * M
 *
 * (write y = S*x[a] + sum_j c_j * (x[j] - x[j-1]) around the best anchor a;
 * S is the phase's DC gain, the c_j partial sums of taps; g_l1 is the
 * largest sum of |taps|).  For programme material D is far below M, so the
 * bound is usually within a fraction of a dB of M.  Where the bound cannot
 * beat the caller's floor (the running peak for a meter, the threshold for
 * a limiter) the stretch is not interpolated.
 *
 * State per channel: the last T-1 input samples (float, oldest first).
 */
#include "truepeak.h"
#include "simd.h"
#include "util.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define KAISER_BETA 7.0
#define MAX_TAPS MST_TRUE_PEAK_MAX_TAPS
#define MAX_HIST (MAX_TAPS - 1)
/* Input samples per stretch: the granularity of the skip test. */
#define BLOCK 128
/* With a guide (set_companions), the granularity of the second skip
 * test, from the guide's readings: a multiple of the kernels' step. */
#define SUB 32

struct MstTruePeak
{
  unsigned channels;
  unsigned factor;
  unsigned taps;                /* per phase (T) */
  unsigned hist_len;            /* T - 1 */
  /* phases 1..factor-1, T taps each, time-reversed so that
   * y[i] = sum_j coef[p][j] * w[i + j] with w the stretch incl. history */
  float *coef;
  /* the same as mirror pairs (see "Mirror pairs"), when the phases are
   * mirror images of each other (a symmetric prototype): per pair p
   * (1 <= p <= F / 2) T / 2 even taps then T / 2 odd ones; NULL if not */
  float *sym;
  int wide;                     /* run the MST_WIDE kernels */
  /* set_companions: interpolators read from this one's stretches, and
   * where their window starts in it (latency difference) */
  const MstTruePeak *comp[MST_TRUE_PEAK_MAX_COMPANIONS];
  unsigned comp_off[MST_TRUE_PEAK_MAX_COMPANIONS];
  unsigned n_comp;
  /* the guide: a companion of the same factor (-1: none), and the
   * bound of this one's phases given the guide's (set_companions) */
  int guide;
  double guide_dc, guide_k;
  float *hist;                  /* channels x (T - 1), oldest first */
  double g_level, g_diff, g_l1; /* bound gains (see top) */
  int refine;                   /* parabolic refinement (set_refine) */
  double refine_slack;          /* the grid's largest under-reading */
  double slope_k;               /* set_slope_allowance, 0 */
  uint64_t *pos;                /* channels: samples fed to process_env */
  float *smax;                  /* channels: the slope allowance's running
                                 * maximum in the current aligned block */
  float *last;                  /* channels: the last phase of the last
                                 * sample of the previous stretch */
  unsigned char *have_last;     /* channels: whether last is valid */
};

/* Mirror pairs: where the prototype is symmetric about its centre,
 * phase F - p is phase p reversed in time (stored taps c_{F-p}[j] =
 * c_p[T-1-j]; phase F/2 is its own mirror).  With, for j < T/2,
 *
 *     s_j = w[i+j] + w[i+T-1-j]      e_j = (c_p[j] + c_p[T-1-j]) / 2
 *     d_j = w[i+j] - w[i+T-1-j]      o_j = (c_p[j] - c_p[T-1-j]) / 2
 *
 * the pair's outputs are  y_p = sum e_j s_j + o_j d_j  and
 * y_{F-p} = sum e_j s_j - o_j d_j: both phases from one pass over the
 * input, with half the loads and multiply-adds of two direct FIRs.  Sets
 * tp->sym when every pair mirrors to float precision (else NULL: the
 * direct FIRs run). */
static void
set_mirror (MstTruePeak * tp)
{
  const unsigned F = tp->factor, T = tp->taps, H = T / 2;
  unsigned p, j;
  float top = 0.0f;

  free (tp->sym);
  tp->sym = NULL;
  /* factor 2: phase 1 alone, its own mirror (not worth a kernel) */
  if (F < 3)
    return;
  for (j = 0; j < (F - 1) * T; j++)
    top = fmaxf (top, fabsf (tp->coef[j]));
  for (p = 1; p <= F / 2; p++) {
    const float *cp = tp->coef + (p - 1) * T;
    const float *cq = tp->coef + (F - p - 1) * T;

    for (j = 0; j < T; j++)
      if (fabsf (cq[j] - cp[T - 1 - j]) > 1e-6f * top)
        return;
  }
  tp->sym = malloc (sizeof (float) * (F / 2) * T);
  if (!tp->sym)
    return;
  for (p = 1; p <= F / 2; p++) {
    const float *cp = tp->coef + (p - 1) * T;
    float *e = tp->sym + (size_t) (p - 1) * T, *o = e + H;

    for (j = 0; j < H; j++) {
      e[j] = (float) (((double) cp[j] + cp[T - 1 - j]) / 2.0);
      o[j] = (float) (((double) cp[j] - cp[T - 1 - j]) / 2.0);
    }
  }
}

/* Stores the prototype filter proto[0 .. len-1] (the interpolator for
 * the zero-stuffed input at factor F, centred on len / 2 with len - 1 a
 * multiple of F) as T taps per phase, centred on tap T / 2, and computes
 * the bound gains.  normalise: scale every phase to unit DC gain. */
static void
set_filter (MstTruePeak * tp, const double *proto, unsigned len,
    int normalise)
{
  const unsigned F = tp->factor, TAPS = tp->taps;
  /* prototype index k sits at tap t = (k + shift) / F */
  const int shift = (int) (F * TAPS / 2) - (int) (len / 2);
  double h[MAX_TAPS];
  unsigned p, t, j;
  int a;

  tp->g_level = 1.0;
  tp->g_diff = 0.0;
  tp->g_l1 = 1.0;

  for (p = 1; p < F; p++) {
    double dc = 0.0, l1 = 0.0, best = INFINITY;

    for (t = 0; t < TAPS; t++) {
      int k = (int) (p + F * t) - shift;

      h[t] = k >= 0 && k < (int) len ? proto[k] : 0.0;
      dc += h[t];
    }
    for (t = 0; t < TAPS; t++) {
      if (normalise)
        h[t] /= dc;
      l1 += fabs (h[t]);
      /* stored reversed: w[i + j] is x[n - (TAPS - 1 - j)] */
      tp->coef[(p - 1) * TAPS + (TAPS - 1 - t)] = (float) h[t];
    }
    if (normalise)
      dc = 1.0;

    /* y = S x[a] + sum_j c_j (x[j] - x[j-1]) around the best anchor a
     * (taps indexed by t, S = dc): the difference bound */
    for (a = 0; a < (int) TAPS; a++) {
      double sum = 0.0;

      for (j = 1; j < TAPS; j++) {
        double c = 0.0;
        unsigned u;

        if ((int) j > a)
          for (u = j; u < TAPS; u++)
            c += h[u];
        else
          for (u = 0; u < j; u++)
            c -= h[u];
        sum += fabs (c);
      }
      if (sum < best)
        best = sum;
    }
    /* coefficients are rounded to float: allow for it */
    tp->g_level = fmax (tp->g_level, fabs (dc) * (1.0 + 1e-6));
    tp->g_diff = fmax (tp->g_diff, best * (1.0 + 1e-6));
    tp->g_l1 = fmax (tp->g_l1, l1 * (1.0 + 1e-6));
  }
  set_mirror (tp);
}

/* The project's design: sinc with its cut-off at the input Nyquist
 * frequency, Kaiser window, F * T + 1 taps, phases normalised. */
static void
design (MstTruePeak * tp)
{
  const unsigned F = tp->factor, TAPS = tp->taps;
  const unsigned N = F * TAPS;  /* filter length N + 1, centre N / 2 */
  double i0b = mst_bessel_i0 (KAISER_BETA);
  double h[MAX_TAPS * MST_TRUE_PEAK_MAX_FACTOR + 1];
  unsigned k;

  for (k = 0; k <= N; k++) {
    double n = (double) k - (double) N / 2.0;
    double r = 2.0 * (double) k / (double) N - 1.0;
    double w = mst_bessel_i0 (KAISER_BETA * sqrt (fmax (0.0, 1.0 - r * r)))
        / i0b;
    double s = n == 0.0 ? 1.0 : sin (MST_PI * n / F) / (MST_PI * n / F);

    h[k] = s * w;
  }
  set_filter (tp, h, N + 1, 1);
}

MstTruePeak *
mst_true_peak_new (unsigned channels, unsigned factor)
{
  return mst_true_peak_new_taps (channels, factor, MST_TRUE_PEAK_TAPS);
}

MstTruePeak *
mst_true_peak_new_taps (unsigned channels, unsigned factor, unsigned taps)
{
  MstTruePeak *tp;

  if (channels == 0 || channels > 64 || factor == 0
      || factor > MST_TRUE_PEAK_MAX_FACTOR || taps < 8
      || taps > MAX_TAPS || taps % 8 != 0)
    return NULL;

  tp = calloc (1, sizeof *tp);
  if (!tp)
    return NULL;
  tp->channels = channels;
  tp->factor = factor;
  tp->taps = taps;
  tp->hist_len = taps - 1;
  tp->coef = calloc ((size_t) (factor > 1 ? factor - 1 : 1) * taps,
      sizeof (float));
  tp->hist = calloc ((size_t) channels * tp->hist_len, sizeof (float));
  tp->last = calloc (channels, sizeof (float));
  tp->have_last = calloc (channels, 1);
  tp->pos = calloc (channels, sizeof (uint64_t));
  tp->smax = calloc (channels, sizeof (float));
  tp->wide = mst_simd_wide ();
  tp->guide = -1;
  if (!tp->coef || !tp->hist || !tp->last || !tp->have_last || !tp->pos
      || !tp->smax) {
    mst_true_peak_free (tp);
    return NULL;
  }
  design (tp);
  return tp;
}

/* libebur128's interpolator (ebur128.c, interp_create (49, factor)):
 * a 49-tap sinc with its cut-off at the input Nyquist frequency, Hann
 * window, coefficients not normalised; factor 4 below 96 kHz, 2 below
 * 192 kHz, none (sample peak) above. */
MstTruePeak *
mst_true_peak_new_ebur128 (unsigned channels, unsigned rate)
{
  const unsigned F = rate < 96000 ? 4 : (rate < 192000 ? 2 : 1);
  /* F = 4: 13 taps per phase, F = 2: 24 (phase 0 is the identity) */
  MstTruePeak *tp = mst_true_peak_new_taps (channels, F, F == 2 ? 24 : 16);
  double h[49];
  unsigned j;

  if (!tp || F == 1)
    return tp;
  for (j = 0; j < 49; j++) {
    double m = (double) j - 24.0;
    double c = m == 0.0 ? 1.0 : sin (m * MST_PI / F) / (m * MST_PI / F);

    c *= 0.5 * (1.0 - cos (2.0 * MST_PI * j / 48.0));
    h[j] = fabs (c) > 1e-6 ? c : 0.0;   /* as it drops near-zero taps */
  }
  set_filter (tp, h, 49, 0);
  return tp;
}

void
mst_true_peak_free (MstTruePeak * tp)
{
  if (!tp)
    return;
  free (tp->coef);
  free (tp->sym);
  free (tp->hist);
  free (tp->last);
  free (tp->have_last);
  free (tp->pos);
  free (tp->smax);
  free (tp);
}

void
mst_true_peak_reset (MstTruePeak * tp)
{
  memset (tp->hist, 0, sizeof (float) * tp->channels * tp->hist_len);
  memset (tp->have_last, 0, tp->channels);
  memset (tp->pos, 0, sizeof (uint64_t) * tp->channels);
  memset (tp->smax, 0, sizeof (float) * tp->channels);
}

void
mst_true_peak_set_refine (MstTruePeak * tp, int on)
{
  tp->refine = on != 0 && tp->factor > 2;
  /* a sinusoid just under fs / 2 peaking halfway between two points */
  tp->refine_slack = 1.0 / cos (MST_PI / (2.0 * tp->factor));
}

void
mst_true_peak_set_slope_allowance (MstTruePeak * tp, double k)
{
  tp->slope_k = k > 0.0 ? k : 0.0;
}

/* The guide: the first companion with this one's factor.  Its reading
 * bounds this one's: phase p of each differs by the filter d = c_p -
 * c'_p (the guide's taps aligned), and with D = sum d_j and G_j = d_0 +
 * .. + d_j,
 *
 *     sum_j d_j w_j = D w_{T-1} - sum_{j < T-1} G_j (w_{j+1} - w_j),
 *
 * so |y_p| <= |y'_p| + |D| max |w| + (sum |G_j|) max |w_{j+1} - w_j|:
 * guide_dc and guide_k are the largest |D| and sum |G_j| over the
 * phases (phase 0 is the same sample in both).  With both normalised D
 * is float rounding; for the meter (16 taps) against the limiter's
 * detector (48), sum |G_j| is about 0.35, against a difference bound of
 * about 1.35 for the detector alone. */
static void
set_guide (MstTruePeak * tp)
{
  const unsigned F = tp->factor, T = tp->taps;
  unsigned k, p, j;

  tp->guide = -1;
  for (k = 0; k < tp->n_comp && tp->guide < 0; k++)
    if (F > 1 && tp->comp[k]->factor == F)
      tp->guide = (int) k;
  if (tp->guide < 0)
    return;
  {
    const MstTruePeak *c = tp->comp[tp->guide];
    const unsigned Tc = c->taps, off = tp->comp_off[tp->guide];

    tp->guide_dc = tp->guide_k = 0.0;
    for (p = 1; p < F; p++) {
      /* D: the running sum, G_j after tap j; D at the end */
      double D = 0.0, sum = 0.0;

      for (j = 0; j < T; j++) {
        const double cj = j >= off && j - off < Tc
            ? c->coef[(size_t) (p - 1) * Tc + j - off] : 0.0;

        D += tp->coef[(size_t) (p - 1) * T + j] - cj;
        if (j + 1 < T)
          sum += fabs (D);
      }
      tp->guide_dc = fmax (tp->guide_dc, fabs (D));
      tp->guide_k = fmax (tp->guide_k, sum);
    }
  }
}

int
mst_true_peak_guide_gains (const MstTruePeak * tp, double *dc, double *k)
{
  if (tp->guide < 0)
    return 0;
  *dc = tp->guide_dc;
  *k = tp->guide_k;
  return 1;
}

int
mst_true_peak_set_companions (MstTruePeak * tp, MstTruePeak * const *c,
    unsigned n)
{
  unsigned k;

  if (n > MST_TRUE_PEAK_MAX_COMPANIONS)
    return 0;
  for (k = 0; k < n; k++)
    if (!c[k] || c[k]->taps > tp->taps || (tp->taps - c[k]->taps) % 2 != 0)
      return 0;
  for (k = 0; k < n; k++) {
    tp->comp[k] = c[k];
    /* period i's phase 0 sits at w[i + T/2 - 1] in a window of T taps:
     * the companion's window starts (T - Tc) / 2 later */
    tp->comp_off[k] = (tp->taps - c[k]->taps) / 2;
  }
  tp->n_comp = n;
  set_guide (tp);
  return 1;
}

unsigned
mst_true_peak_factor (const MstTruePeak * tp)
{
  return tp->factor;
}

unsigned
mst_true_peak_channels (const MstTruePeak * tp)
{
  return tp->channels;
}

unsigned
mst_true_peak_latency (const MstTruePeak * tp)
{
  return tp->factor > 1 ? tp->taps / 2 : 0;
}

void
mst_true_peak_bound_gains (const MstTruePeak * tp, double *g_level,
    double *g_diff)
{
  if (g_level)
    *g_level = tp->g_level;
  if (g_diff)
    *g_diff = tp->g_diff;
}

/* ---- inner loops ------------------------------------------------------ */

/* Max |x| and max |x[i] - x[i-1]| over w[0..n): on the bit patterns
 * with the sign cleared, which order like the magnitudes (finite
 * input), so that the maxima are integer ones and vectorise. */
static MST_ALWAYS_INLINE void
level_and_slope (const float *w, size_t n, float *m, float *d)
{
  int32_t mx = 0, dx = 0, v;
  size_t i;

  if (n > 0) {
    memcpy (&v, &w[0], sizeof v);
    mx = v & 0x7fffffff;
  }
  /* one pass: both maxima from the same loads */
  for (i = 1; i < n; i++) {
    float a = w[i] - w[i - 1];
    int32_t u;

    memcpy (&u, &w[i], sizeof u);
    u &= 0x7fffffff;
    mx = u > mx ? u : mx;
    memcpy (&v, &a, sizeof v);
    v &= 0x7fffffff;
    dx = v > dx ? v : dx;
  }
  memcpy (m, &mx, sizeof *m);
  memcpy (d, &dx, sizeof *d);
}

/* The FIR: env[i] = max (env[i], |sum_j c[j] * w[i + j]|) for one phase.
 * Written with the GCC/Clang vector extension, 32 outputs per step in four
 * 8-float accumulators that stay in registers; the taps are broadcast.
 * Measured for the three phases of 4x over 10 min of 48 kHz stereo: 0.14 s
 * (two accumulators), against 0.33 s for the same FIR as passes of the ORC
 * kernel mastering_orc_fir4_f32 and 0.59 s for plain scalar C
 * (bench/orc-kernels has the per-element figures).  Also built for
 * x86-64-v3 (MST_CLONES), with fused multiply-adds (MST_FP_CONTRACT). */

#if defined(__GNUC__)
typedef float v8sf __attribute__((vector_size (32)));
typedef int32_t v8si __attribute__((vector_size (32)));

/* macros, not functions: 32-byte vectors cross no call boundary (ABI) */
#define V8_LOAD(v, p) memcpy (&(v), (p), sizeof (v))
/* *p = max (*p, |v|) for a vector of VT floats (VI: the int vector of
 * the same size), on the bit patterns with the sign cleared */
#define VEC_ABS_MAX_STORE(VT, VI, p, v) do {                                 \
    const VI mask_ = ((VI) { 0 }) + 0x7fffffff;                              \
    VT e_;                                                                   \
    VI ai_ = (VI) (v) & mask_, gt_;                                          \
    memcpy (&e_, (p), sizeof e_);                                            \
    gt_ = (VT) ai_ > e_;                                                     \
    e_ = (VT) ((ai_ & gt_) | ((VI) e_ & ~gt_));                              \
    memcpy ((p), &e_, sizeof e_);                                            \
  } while (0)
#define V8_ABS_MAX_STORE(p, a) VEC_ABS_MAX_STORE (v8sf, v8si, p, a)

/* A vector a of a phase's outputs to p: ABS 1 folds their magnitudes in
 * (p[i] = max (p[i], |a[i]|)), ABS 0 stores them. */
#define FIR_PUT(ABS, p, a) do {                                              \
    if (ABS)                                                                 \
      V8_ABS_MAX_STORE ((p), (a));                                           \
    else                                                                     \
      memcpy ((p), &(a), sizeof (a));                                        \
  } while (0)

/* One vector of a phase's outputs, periods at .. at + 8 of w_, to y_ */
#define FIR_STEP(ABS, taps_, w_, y_, at) do {                                \
    v8sf a_ = { 0 }, x_;                                                     \
    size_t j_;                                                               \
                                                                             \
    for (j_ = 0; j_ < (taps_); j_++) {                                       \
      V8_LOAD (x_, (w_) + (at) + j_);                                        \
      a_ += c[j_] * x_;                                                      \
    }                                                                        \
    FIR_PUT (ABS, (y_) + (at), a_);                                          \
  } while (0)
#endif

/* One phase of n periods: y[i] = sum_j c[j] * w[i + j], stored (ABS 0)
 * or its magnitude folded in (ABS 1: y[i] = max (y[i], |.|)).  Always
 * inlined: each clone of its callers gets its own code. */
static MST_ALWAYS_INLINE void
fir_body (const float *restrict c, const float *restrict w,
    float *restrict y, size_t n, const unsigned TAPS, const int ABS)
{
  size_t i = 0, j;

#if defined(__GNUC__)
  /* four independent accumulators hide the multiply-add latency */
  for (; i + 32 <= n; i += 32) {
    v8sf a0 = { 0 }, a1 = { 0 }, a2 = { 0 }, a3 = { 0 }, x0, x1, x2, x3;

    for (j = 0; j < TAPS; j++) {
      V8_LOAD (x0, w + i + j);
      V8_LOAD (x1, w + i + j + 8);
      V8_LOAD (x2, w + i + j + 16);
      V8_LOAD (x3, w + i + j + 24);
      a0 += c[j] * x0;
      a1 += c[j] * x1;
      a2 += c[j] * x2;
      a3 += c[j] * x3;
    }
    FIR_PUT (ABS, y + i, a0);
    FIR_PUT (ABS, y + i + 8, a1);
    FIR_PUT (ABS, y + i + 16, a2);
    FIR_PUT (ABS, y + i + 24, a3);
  }
  /* The rest: vectors of 8, the last one overlapping the one before
   * (recomputing a period gives the same value: stored again, or folded
   * again into the same maximum), or, for fewer than 8 periods in all,
   * one vector on a zero-padded copy.  No scalar tail: with
   * MST_FP_CONTRACT it would round differently from the vector steps,
   * and a period's reading would depend on the call sizes. */
  for (; i + 8 <= n; i += 8)
    FIR_STEP (ABS, TAPS, w, y, i);
  if (i < n && n >= 8) {
    FIR_STEP (ABS, TAPS, w, y, n - 8);
  } else if (i < n) {
    float pw[MAX_HIST + 8] = { 0 }, py[8] = { 0 };

    memcpy (pw, w, sizeof (float) * (TAPS - 1 + n));
    memcpy (py, y, sizeof (float) * n);
    FIR_STEP (ABS, TAPS, pw, py, 0);
    memcpy (y, py, sizeof (float) * n);
  }
  i = n;
#endif
  for (; i < n; i++) {
    float acc = 0.0f, a;

    for (j = 0; j < TAPS; j++)
      acc += c[j] * w[i + j];
    a = fabsf (acc);
    y[i] = !ABS ? acc : a > y[i] ? a : y[i];
  }
}

/* The meter's 16 taps as a constant (the compiler unrolls them), any
 * other length as a parameter. */
MST_CLONES MST_FP_CONTRACT static void
fir_phase_absmax_16 (const float *restrict c, const float *restrict w,
    float *restrict env, size_t n)
{
  fir_body (c, w, env, n, 16, 1);
}

MST_CLONES MST_FP_CONTRACT static void
fir_phase_absmax_n (const float *restrict c, const float *restrict w,
    float *restrict env, size_t n, unsigned taps)
{
  fir_body (c, w, env, n, taps, 1);
}

/* Mirror-pair kernels (see set_mirror): one pass over w gives phases p
 * and F - p (even taps e, odd taps o) and, with MID, phase F/2 too (its
 * own mirror: even taps em only).  ABS 0 stores the signed outputs in
 * yp, yq and ym; ABS 1 folds their magnitudes into env = yp (env[i] =
 * max (env[i], |y|)).  Two vectors of V floats per step; the 16-float
 * versions run where the CPU has AVX-512 (MST_WIDE).  Measured for the
 * limiter's 48-tap detector at 4x (phases 1, 2, 3 of 128 samples): 9.3
 * ns per sample as three direct FIRs, 6.1 as one mirror pass, 4.2 with
 * 16-float vectors; 16 taps: 2.8, 2.1, 1.4. */
#if defined(__GNUC__)

#define MIRROR_VECTOR_STEPS(VT, VI, V, MID, ABS)                             \
  for (; i + 2 * V <= n; i += 2 * V) {                                       \
    VT s0 = { 0 }, s1 = { 0 }, d0 = { 0 }, d1 = { 0 };                       \
    VT m0 = { 0 }, m1 = { 0 };                                               \
                                                                             \
    for (j = 0; j < H; j++) {                                                \
      const float *lo = w + i + j, *hi = w + i + T - 1 - j;                  \
      VT a, b, c, d, sa, sb;                                                 \
                                                                             \
      memcpy (&a, lo, sizeof a);                                             \
      memcpy (&b, lo + V, sizeof b);                                         \
      memcpy (&c, hi, sizeof c);                                             \
      memcpy (&d, hi + V, sizeof d);                                         \
      sa = a + c;                                                            \
      sb = b + d;                                                            \
      s0 += e[j] * sa;                                                       \
      s1 += e[j] * sb;                                                       \
      d0 += o[j] * (a - c);                                                  \
      d1 += o[j] * (b - d);                                                  \
      if (MID) {                                                             \
        m0 += em[j] * sa;                                                    \
        m1 += em[j] * sb;                                                    \
      }                                                                      \
    }                                                                        \
    if (ABS) {                                                               \
      VEC_ABS_MAX_STORE (VT, VI, yp + i, s0 + d0);                           \
      VEC_ABS_MAX_STORE (VT, VI, yp + i, s0 - d0);                           \
      VEC_ABS_MAX_STORE (VT, VI, yp + i + V, s1 + d1);                       \
      VEC_ABS_MAX_STORE (VT, VI, yp + i + V, s1 - d1);                       \
      if (MID) {                                                             \
        VEC_ABS_MAX_STORE (VT, VI, yp + i, m0);                              \
        VEC_ABS_MAX_STORE (VT, VI, yp + i + V, m1);                          \
      }                                                                      \
    } else {                                                                 \
      VT t;                                                                  \
                                                                             \
      t = s0 + d0;                                                           \
      memcpy (yp + i, &t, sizeof t);                                         \
      t = s1 + d1;                                                           \
      memcpy (yp + i + V, &t, sizeof t);                                     \
      t = s0 - d0;                                                           \
      memcpy (yq + i, &t, sizeof t);                                         \
      t = s1 - d1;                                                           \
      memcpy (yq + i + V, &t, sizeof t);                                     \
      if (MID) {                                                             \
        memcpy (ym + i, &m0, sizeof m0);                                     \
        memcpy (ym + i + V, &m1, sizeof m1);                                 \
      }                                                                      \
    }                                                                        \
  }                                                                          \
  /* the rest as fir_body does it */                                         \
  for (; i + V <= n; i += V)                                                 \
    MIRROR_STEP (VT, VI, V, MID, ABS, w, yp, yq, ym, i);                     \
  if (i < n && n >= V) {                                                     \
    MIRROR_STEP (VT, VI, V, MID, ABS, w, yp, yq, ym, n - V);                 \
  } else if (i < n) {                                                        \
    float pw_[MAX_HIST + V] = { 0 }, py_[V] = { 0 }, pq_[V] = { 0 };         \
    float pm_[V] = { 0 };                                                    \
                                                                             \
    memcpy (pw_, w, sizeof (float) * (T - 1 + n));                           \
    if (ABS)                                                                 \
      memcpy (py_, yp, sizeof (float) * n);                                  \
    MIRROR_STEP (VT, VI, V, MID, ABS, pw_, py_, pq_, pm_, 0);                \
    memcpy (yp, py_, sizeof (float) * n);                                    \
    if (!ABS)                                                                \
      memcpy (yq, pq_, sizeof (float) * n);                                  \
    if (!ABS && MID)                                                         \
      memcpy (ym, pm_, sizeof (float) * n);                                  \
  }                                                                          \
  i = n;

/* One vector of outputs, periods at .. at + V of the window w_, as one
 * lane of the two-vector step above computes them */
#define MIRROR_STEP(VT, VI, V, MID, ABS, w_, yp_, yq_, ym_, at) do {         \
    VT s_ = { 0 }, d_ = { 0 }, m_ = { 0 };                                   \
    unsigned j_;                                                             \
                                                                             \
    for (j_ = 0; j_ < H; j_++) {                                             \
      VT a_, c_, sa_;                                                        \
                                                                             \
      memcpy (&a_, (w_) + (at) + j_, sizeof a_);                             \
      memcpy (&c_, (w_) + (at) + T - 1 - j_, sizeof c_);                     \
      sa_ = a_ + c_;                                                         \
      s_ += e[j_] * sa_;                                                     \
      d_ += o[j_] * (a_ - c_);                                               \
      if (MID)                                                               \
        m_ += em[j_] * sa_;                                                  \
    }                                                                        \
    if (ABS) {                                                               \
      VEC_ABS_MAX_STORE (VT, VI, (yp_) + (at), s_ + d_);                     \
      VEC_ABS_MAX_STORE (VT, VI, (yp_) + (at), s_ - d_);                     \
      if (MID)                                                               \
        VEC_ABS_MAX_STORE (VT, VI, (yp_) + (at), m_);                        \
    } else {                                                                 \
      VT t_ = s_ + d_;                                                       \
                                                                             \
      memcpy ((yp_) + (at), &t_, sizeof t_);                                 \
      t_ = s_ - d_;                                                          \
      memcpy ((yq_) + (at), &t_, sizeof t_);                                 \
      if (MID)                                                               \
        memcpy ((ym_) + (at), &m_, sizeof m_);                               \
    }                                                                        \
  } while (0)
#else
#define MIRROR_VECTOR_STEPS(VT, VI, V, MID, ABS)
#endif

#define MIRROR_KERNEL(NAME, ATTR, VT, VI, V, MID, ABS)                       \
ATTR static void                                                             \
NAME (const float *restrict e, const float *restrict o,                      \
    const float *restrict em, const float *restrict w, size_t n,             \
    unsigned T, float *restrict yp, float *restrict yq,                      \
    float *restrict ym)                                                      \
{                                                                            \
  const unsigned H = T / 2;                                                  \
  size_t i = 0;                                                              \
  unsigned j;                                                                \
                                                                             \
  MIRROR_VECTOR_STEPS (VT, VI, V, MID, ABS)                                  \
  for (; i < n; i++) {                                                       \
    float sp = 0.0f, dp = 0.0f, mp = 0.0f;                                   \
                                                                             \
    for (j = 0; j < H; j++) {                                                \
      const float a = w[i + j], c = w[i + T - 1 - j];                        \
                                                                             \
      sp += e[j] * (a + c);                                                  \
      dp += o[j] * (a - c);                                                  \
      if (MID)                                                               \
        mp += em[j] * (a + c);                                               \
    }                                                                        \
    if (ABS) {                                                               \
      float m = fmaxf (fabsf (sp + dp), fabsf (sp - dp));                    \
                                                                             \
      m = MID ? fmaxf (m, fabsf (mp)) : m;                                   \
      yp[i] = m > yp[i] ? m : yp[i];                                         \
    } else {                                                                 \
      yp[i] = sp + dp;                                                       \
      yq[i] = sp - dp;                                                       \
      if (MID)                                                               \
        ym[i] = mp;                                                          \
    }                                                                        \
  }                                                                          \
}

typedef void (*MirrorKernel) (const float *, const float *, const float *,
    const float *, size_t, unsigned, float *, float *, float *);

/* the kernels' attributes: an AVX2 variant (16-float: AVX-512); FMA */
#define KERNEL_8 MST_CLONES MST_FP_CONTRACT
#define KERNEL_16 MST_WIDE MST_FP_CONTRACT

#if defined(__GNUC__)
MIRROR_KERNEL (mirror_pair_store, KERNEL_8, v8sf, v8si, 8, 0, 0)
MIRROR_KERNEL (mirror_mid_store, KERNEL_8, v8sf, v8si, 8, 1, 0)
MIRROR_KERNEL (mirror_pair_absmax, KERNEL_8, v8sf, v8si, 8, 0, 1)
MIRROR_KERNEL (mirror_mid_absmax, KERNEL_8, v8sf, v8si, 8, 1, 1)
#else
MIRROR_KERNEL (mirror_pair_store, , float, int, 1, 0, 0)
MIRROR_KERNEL (mirror_mid_store, , float, int, 1, 1, 0)
MIRROR_KERNEL (mirror_pair_absmax, , float, int, 1, 0, 1)
MIRROR_KERNEL (mirror_mid_absmax, , float, int, 1, 1, 1)
#endif

#ifdef MST_HAVE_WIDE
typedef float v16sf __attribute__((vector_size (64)));
typedef int32_t v16si __attribute__((vector_size (64)));

MIRROR_KERNEL (mirror_pair_store_16, KERNEL_16, v16sf, v16si, 16, 0, 0)
MIRROR_KERNEL (mirror_mid_store_16, KERNEL_16, v16sf, v16si, 16, 1, 0)
MIRROR_KERNEL (mirror_pair_absmax_16, KERNEL_16, v16sf, v16si, 16, 0, 1)
MIRROR_KERNEL (mirror_mid_absmax_16, KERNEL_16, v16sf, v16si, 16, 1, 1)
#endif

/* Every phase 1 .. F-1 of the stretch w (T - 1 history samples, then n)
 * by mirror pairs (tp->sym): with rows, phase p's signed outputs to
 * rows[p] + 1 (stretch_env_refined's layout); else their magnitudes
 * folded into env. */
static void
mirror_run (const MstTruePeak * tp, const float *w, size_t n, float *env,
    float (*rows)[BLOCK + 2])
{
  const unsigned F = tp->factor, T = tp->taps, P = (F - 1) / 2;
  MirrorKernel pair = rows ? mirror_pair_store : mirror_pair_absmax;
  MirrorKernel mid = rows ? mirror_mid_store : mirror_mid_absmax;
  unsigned p;

#ifdef MST_HAVE_WIDE
  if (tp->wide) {
    pair = rows ? mirror_pair_store_16 : mirror_pair_absmax_16;
    mid = rows ? mirror_mid_store_16 : mirror_mid_absmax_16;
  }
#endif
  for (p = 1; p <= P; p++) {
    const float *e = tp->sym + (size_t) (p - 1) * T, *o = e + T / 2;
    /* an even factor: the last pair also computes phase F / 2 */
    const int with_mid = F % 2 == 0 && p == P;

    if (with_mid)
      mid (e, o, tp->sym + (size_t) (F / 2 - 1) * T, w, n, T,
          rows ? rows[p] + 1 : env, rows ? rows[F - p] + 1 : NULL,
          rows ? rows[F / 2] + 1 : NULL);
    else
      pair (e, o, NULL, w, n, T, rows ? rows[p] + 1 : env,
          rows ? rows[F - p] + 1 : NULL, NULL);
  }
}

/* Folds phases 1 .. F-1 of the stretch w (T - 1 history samples, then
 * n) into env: env[i] = max (env[i], |phase p of period i|). */
static void
fold_phases (const MstTruePeak * tp, const float *w, float *env, size_t n)
{
  const unsigned T = tp->taps;
  unsigned p;

  if (tp->sym) {
    mirror_run (tp, w, n, env, NULL);
    return;
  }
  for (p = 1; p < tp->factor; p++) {
    if (T == 16)
      fir_phase_absmax_16 (tp->coef + (p - 1) * T, w, env, n);
    else
      fir_phase_absmax_n (tp->coef + (p - 1) * T, w, env, n, T);
  }
}

/* Exact per-sample envelope of one stretch: w holds T - 1 history samples
 * followed by n new ones. */
static void
stretch_env (const MstTruePeak * tp, const float *w, float *env, size_t n)
{
  const float *x0 = w + tp->hist_len - tp->taps / 2;
  size_t i;

  /* phase 0: the input itself, T/2 samples back */
  for (i = 0; i < n; i++)
    env[i] = fabsf (x0[i]);
  fold_phases (tp, w, env, n);
}

/* One phase's signed outputs: y[i] = sum_j c[j] * w[i + j]. */
MST_CLONES MST_FP_CONTRACT static void
fir_phase_store (const float *restrict c, const float *restrict w,
    float *restrict y, size_t n, unsigned taps)
{
  fir_body (c, w, y, n, taps, 0);
}

double
mst_true_peak_l1_gain (const MstTruePeak * tp)
{
  return tp->g_l1;
}

void
mst_true_peak_env_at (const MstTruePeak * tp, const float *x, float *env,
    size_t n)
{
  size_t i;

  if (tp->factor == 1) {
    for (i = 0; i < n; i++)
      env[i] = fabsf (x[i]);
    return;
  }
  /* stretch_env's window w[k .. k + T - 1] has its phase 0 at
   * w[k + T / 2 - 1] */
  stretch_env (tp, x - (tp->taps / 2 - 1), env, n);
}

/* Peak of the parabola through (-1, ym), (0, y0), (1, yp) where y0 is a
 * local maximum of |y| (same sign), else |y0|. */
static inline float
parabola_peak (float ym, float y0, float yp)
{
  const float s = y0 < 0.0f ? -1.0f : 1.0f;
  const float a0 = s * y0, am = s * ym, ap = s * yp;
  const float d = 2.0f * a0 - am - ap;

  if (a0 >= am && a0 >= ap && d > 0.0f)
    return a0 + (ap - am) * (ap - am) / (8.0f * d);
  return a0;
}

/* env[i] gets the refined peak of sample period i: of its F points
 * (phase 0 .. F - 1), the one of largest magnitude (the first of equal
 * ones), refined by the parabola through it and its two neighbours on
 * the oversampled grid.  A band-limited signal has at most one local
 * maximum of |y| in a period (below 0.47 fs its maxima are more than a
 * sample apart), so refining that point alone reads what refining every
 * local maximum would; a maximum at the edge of the period is refined in
 * the neighbouring one.  Eight periods at a time without branches: the
 * best point's triple is kept by masks, then one parabola (measured: a
 * third of the time of one parabola per phase). */
MST_CLONES static void
refine_top (float y[][BLOCK + 2], unsigned F, float *env, size_t n)
{
  size_t i = 0;
  unsigned p;

#if defined(__GNUC__)
  const v8si sign = { INT32_MIN, INT32_MIN, INT32_MIN, INT32_MIN,
    INT32_MIN, INT32_MIN, INT32_MIN, INT32_MIN
  };
  const v8si mag = ~sign;
  const v8sf one = { 1, 1, 1, 1, 1, 1, 1, 1 }, zero = { 0 };

  for (; i + 8 <= n; i += 8) {
    v8sf bm, b0, bp, a0, am, ap, d, dd, q, v;
    v8si ba, s, ok;

    /* phase 0: row F (phase F - 1 of the period before), row 0, row 1 */
    V8_LOAD (bm, y[F] + i);
    V8_LOAD (b0, y[0] + i + 1);
    V8_LOAD (bp, y[1] + i + 1);
    ba = (v8si) b0 & mag;
    for (p = 1; p < F; p++) {
      v8sf cm, c0, cp;
      v8si ca, gt;

      V8_LOAD (cm, y[p - 1] + i + 1);
      V8_LOAD (c0, y[p] + i + 1);
      if (p + 1 < F)
        V8_LOAD (cp, y[p + 1] + i + 1);
      else
        V8_LOAD (cp, y[0] + i + 2);
      /* magnitudes compare as the bit patterns without the sign */
      ca = (v8si) c0 & mag;
      gt = ca > ba;
      bm = (v8sf) ((gt & (v8si) cm) | (~gt & (v8si) bm));
      b0 = (v8sf) ((gt & (v8si) c0) | (~gt & (v8si) b0));
      bp = (v8sf) ((gt & (v8si) cp) | (~gt & (v8si) bp));
      ba = (gt & ca) | (~gt & ba);
    }
    /* parabola_peak (bm, b0, bp), eight at a time */
    s = (v8si) b0 & sign & (v8si) (b0 < zero);
    a0 = (v8sf) ((v8si) b0 ^ s);
    am = (v8sf) ((v8si) bm ^ s);
    ap = (v8sf) ((v8si) bp ^ s);
    d = 2.0f * a0 - am - ap;
    ok = (a0 >= am) & (a0 >= ap) & (d > zero);
    dd = (v8sf) ((ok & (v8si) d) | (~ok & (v8si) one));
    q = (ap - am) * (ap - am) / (8.0f * dd);
    v = a0 + (v8sf) ((v8si) q & ok);
    memcpy (env + i, &v, sizeof v);
  }
#endif
  for (; i < n; i++) {
    float bm = y[F][i], b0 = y[0][i + 1], bp = y[1][i + 1];

    for (p = 1; p < F; p++) {
      const float c0 = y[p][i + 1];

      if (fabsf (c0) > fabsf (b0)) {
        bm = y[p - 1][i + 1];
        b0 = c0;
        bp = p + 1 < F ? y[p + 1][i + 1] : y[0][i + 2];
      }
    }
    env[i] = parabola_peak (bm, b0, bp);
  }
}

/* As stretch_env, and every local maximum of the oversampled points is
 * refined to the peak of the parabola through it and its neighbours (the
 * grid alone under-reads a peak between its points).  ch: the channel
 * (its last phase of the previous stretch). */
static void
stretch_env_refined (MstTruePeak * tp, unsigned ch, const float *w,
    float *env, size_t n)
{
  const unsigned T = tp->taps, F = tp->factor;
  /* rows 0 .. F - 1: phase p of sample i at index i + 1; row F: phase
   * F - 1 of sample i - 1 at index i */
  float y[MST_TRUE_PEAK_MAX_FACTOR + 1][BLOCK + 2];
  unsigned p;
  size_t i;

  for (i = 0; i <= n; i++)
    y[0][i + 1] = w[i + tp->hist_len - T / 2];
  if (tp->sym)
    mirror_run (tp, w, n, NULL, y);
  else
    for (p = 1; p < F; p++)
      fir_phase_store (tp->coef + (p - 1) * T, w, y[p] + 1, n, T);
  y[F][0] = tp->have_last[ch] ? tp->last[ch] : y[0][1];
  for (i = 1; i < n; i++)
    y[F][i] = y[F - 1][i];
  /* (a 16-float version of this measured slower) */
  refine_top (y, F, env, n);
  tp->last[ch] = y[F - 1][n];
  tp->have_last[ch] = 1;
}

/* The slope allowance of a stretch: env[i] += k * s_i with s_i the
 * running maximum of |x[j] - x[j-1]| over j <= i, from s0 (x[-1] is
 * history); returns s_{n-1}.  The running maximum is a prefix scan,
 * eight at a time: within each half of four by two shifted maxima, the
 * second half also with the first's last, then the carry; the carry
 * itself takes one maximum per eight, so the loop is not bound by a
 * chain of dependent maxima.  max is exact and k * s + env rounds as in
 * the scalar loop (built for the baseline: no fused multiply-add), so
 * the result does not depend on the path. */
#if defined(__GNUC__) && !defined(__clang__)
typedef float v4sf __attribute__((vector_size (16)));
typedef int32_t v4si __attribute__((vector_size (16)));
#define SHIFT_IN_ZEROS(z, v, a, b, c, d) \
  __builtin_shuffle ((z), (v), (v4si) { a, b, c, d })
#elif defined(__clang__)
typedef float v4sf __attribute__((ext_vector_type (4)));
typedef int32_t v4si __attribute__((ext_vector_type (4)));
#define SHIFT_IN_ZEROS(z, v, a, b, c, d) \
  __builtin_shufflevector ((z), (v), a, b, c, d)
#endif
#ifdef SHIFT_IN_ZEROS
static inline v4sf
v4_max (v4sf a, v4sf b)
{
  const v4si gt = a > b;

  return (v4sf) ((gt & (v4si) a) | (~gt & (v4si) b));
}

/* |x[i] - x[i-1]| for four i, and their prefix maxima (zeros shifted in:
 * the values are >= 0) */
static inline v4sf
v4_slope_scan (const float *x)
{
  const v4si abs_mask = { INT32_MAX, INT32_MAX, INT32_MAX, INT32_MAX };
  const v4sf zero = { 0 };
  v4sf a, b;

  memcpy (&a, x, sizeof a);
  memcpy (&b, x - 1, sizeof b);
  a = (v4sf) ((v4si) (a - b) & abs_mask);
  a = v4_max (a, SHIFT_IN_ZEROS (zero, a, 0, 4, 5, 6));
  return v4_max (a, SHIFT_IN_ZEROS (zero, a, 0, 1, 4, 5));
}
#endif

MST_CLONES static float
slope_add (const float *restrict x, float *restrict env, size_t n, float k,
    float s0)
{
  size_t i = 0;

#ifdef SHIFT_IN_ZEROS
  const v4sf kv = { k, k, k, k };

  for (; i + 8 <= n; i += 8) {
    v4sf a = v4_slope_scan (x + i), b = v4_slope_scan (x + i + 4);
    v4sf c = { s0, s0, s0, s0 }, e, f;
    float top;

    b = v4_max (b, (v4sf) { a[3], a[3], a[3], a[3] });
    top = b[3];
    a = v4_max (a, c);
    b = v4_max (b, c);
    memcpy (&e, env + i, sizeof e);
    memcpy (&f, env + i + 4, sizeof f);
    e = e + kv * a;
    f = f + kv * b;
    memcpy (env + i, &e, sizeof e);
    memcpy (env + i + 4, &f, sizeof f);
    s0 = top > s0 ? top : s0;
  }
#endif
  for (; i < n; i++) {
    const float d = fabsf (x[i] - x[i - 1]);

    s0 = d > s0 ? d : s0;
    env[i] += k * s0;
  }
  return s0;
}

/* Proven bound on every phase output of a stretch with max |x| = m and
 * max |x[i] - x[i-1]| = d; the margin covers float rounding in the FIR. */
static double
stretch_bound (const MstTruePeak * tp, float m, float d)
{
  double b = fmin (tp->g_level * m + tp->g_diff * d, tp->g_l1 * m);

  return b * (1.0 + 1e-5);
}

/* Both entry points walk the input in stretches of at most BLOCK samples:
 * w gets the channel's history followed by the stretch, *level its max |x|,
 * and the return value is the proven bound of the stretch. */
MST_CLONES static double
load_stretch (const MstTruePeak * tp, const float *hist, const float *in,
    size_t m, float *w, float *level, float *slope)
{
  memcpy (w, hist, sizeof (float) * tp->hist_len);
  memcpy (w + tp->hist_len, in, sizeof (float) * m);
  level_and_slope (w, tp->hist_len + m, level, slope);
  return stretch_bound (tp, *level, *slope);
}

/* The proven bound of the window w[0 .. n - 1] (history and stretch). */
MST_CLONES static double
window_bound (const MstTruePeak * tp, const float *w, size_t n)
{
  float level, slope;

  level_and_slope (w, n, &level, &slope);
  return stretch_bound (tp, level, slope);
}

float
mst_true_peak_process_max (MstTruePeak * tp, unsigned ch, const float *in,
    size_t n, float floor)
{
  float w[MAX_HIST + BLOCK];
  float env[BLOCK];
  float *hist = tp->hist + (size_t) ch * tp->hist_len;
  float result = 0.0f;

  while (n > 0) {
    size_t m = n < BLOCK ? n : BLOCK;
    float lm, ld;
    double bound = load_stretch (tp, hist, in, m, w, &lm, &ld);

    if (lm > result)
      result = lm;

    if (tp->factor > 1 && bound > floor && bound > result) {
      float e;

      stretch_env (tp, w, env, m);
      e = mst_peak_f32 (env, m);
      if (e > result)
        result = e;
    }
    memcpy (hist, w + m, sizeof (float) * tp->hist_len);
    in += m;
    n -= m;
  }
  return result;
}

/* Folds companion c's readings of the m periods of the stretch w (the
 * companion's window wc = w + its offset) into env, which holds values
 * >= |x| of each period: the exact ones where c's bound on its window is
 * over floor, else that bound. */
static void
read_companion (const MstTruePeak * c, const float *wc, float *env,
    size_t m, float floor)
{
  const double cb = window_bound (c, wc, c->hist_len + m);
  size_t i;

  if (cb > floor) {
    fold_phases (c, wc, env, m);
  } else {
    const float b = (float) cb;

    for (i = 0; i < m; i++)
      env[i] = b > env[i] ? b : env[i];
  }
}

MST_CLONES void
mst_true_peak_process_env (MstTruePeak * tp, unsigned ch, const float *in,
    float *env, size_t n, float floor)
{
  float w[MAX_HIST + BLOCK];
  float *hist = tp->hist + (size_t) ch * tp->hist_len;
  unsigned k;
  int guided;

  while (n > 0) {
    /* stretches end at multiples of BLOCK samples of the channel's
     * stream, whatever the call sizes: the slope allowance counts from
     * these block starts */
    const size_t to_edge = BLOCK - (size_t) (tp->pos[ch] % BLOCK);
    size_t m = n < to_edge ? n : to_edge;
    float lm, ld, s0 = 0.0f;
    double bound = load_stretch (tp, hist, in, m, w, &lm, &ld);

    if (tp->refine)
      bound *= tp->refine_slack;
    if (tp->slope_k > 0.0) {
      /* the slope allowance of sample i: slope_k times the largest
       * |x[j] - x[j-1]| from T - 1 samples before its aligned block of
       * BLOCK to i (a function of i alone, so of no call size); s0: that
       * maximum before this stretch */
      if (tp->pos[ch] % BLOCK == 0) {
        float dummy;

        level_and_slope (w, tp->hist_len, &dummy, &s0);
      } else {
        s0 = tp->smax[ch];
      }
      bound += tp->slope_k * (ld > s0 ? ld : s0);
    }
    tp->pos[ch] += m;
    guided = -1;
    if (tp->factor > 1 && bound > floor && tp->guide >= 0) {
      /* the guide first: where its readings bound this one's under the
       * floor, this one's exact readings are not needed */
      const float *x0 = w + tp->hist_len - tp->taps / 2;
      /* the bound of this one's readings in a sub-stretch of SUB samples
       * from the guide's largest there g: (g + add) * mul + sl */
      const double add = tp->guide_dc * lm + tp->guide_k * ld;
      const double mul = (1.0 + 1e-5) * (tp->refine ? tp->refine_slack
          : 1.0);
      const double sl = tp->slope_k > 0.0
          ? tp->slope_k * (ld > s0 ? ld : s0) : 0.0;
      const size_t nsub = (m + SUB - 1) / SUB;
      float sb[BLOCK / SUB];
      size_t i, a, b;
      int any = 0;

      guided = tp->guide;
      for (i = 0; i < m; i++)
        env[i] = fabsf (x0[i]);
      read_companion (tp->comp[tp->guide], w + tp->comp_off[tp->guide],
          env, m, floor);
      for (a = 0; a < nsub; a++) {
        const size_t i0 = a * SUB, i1 = i0 + SUB < m ? i0 + SUB : m;
        const double v = (mst_peak_f32 (env + i0, i1 - i0) + add) * mul + sl;

        /* never above the stretch's own bound */
        sb[a] = (float) (v < bound ? v : bound);
        any |= sb[a] > floor;
      }
      if (any) {
        /* this one's exact readings in each run of sub-stretches over
         * the floor (a run after a skipped one without the previous
         * period's last phase, as after a skipped stretch) */
        float own[BLOCK];

        for (a = 0; a < nsub; a = b) {
          const size_t i0 = a * SUB;
          size_t i1;

          for (b = a; b < nsub && (sb[b] > floor) == (sb[a] > floor); b++);
          i1 = b * SUB < m ? b * SUB : m;
          if (sb[a] <= floor) {
            for (i = i0; i < i1; i++)
              own[i] = 0.0f;
            tp->have_last[ch] = 0;
          } else if (tp->refine) {
            stretch_env_refined (tp, ch, w + i0, own + i0, i1 - i0);
          } else {
            stretch_env (tp, w + i0, own + i0, i1 - i0);
          }
        }
        if (tp->slope_k > 0.0)
          tp->smax[ch] = slope_add (w + tp->hist_len, own, m,
              (float) tp->slope_k, s0);
        for (a = 0; a < nsub; a++) {
          const size_t i0 = a * SUB, i1 = i0 + SUB < m ? i0 + SUB : m;

          if (sb[a] > floor)
            for (i = i0; i < i1; i++)
              env[i] = own[i] > env[i] ? own[i] : env[i];
        }
      } else {
        if (tp->slope_k > 0.0)
          tp->smax[ch] = ld > s0 ? ld : s0;
        tp->have_last[ch] = 0;
      }
      /* skipped sub-stretches: their bound (>= the guide's readings) */
      for (a = 0; a < nsub; a++) {
        const size_t i0 = a * SUB, i1 = i0 + SUB < m ? i0 + SUB : m;

        if (sb[a] <= floor)
          for (i = i0; i < i1; i++)
            env[i] = sb[a];
      }
    } else if (tp->factor > 1 && bound > floor) {
      if (tp->refine)
        stretch_env_refined (tp, ch, w, env, m);
      else
        stretch_env (tp, w, env, m);
      if (tp->slope_k > 0.0)
        tp->smax[ch] = slope_add (w + tp->hist_len, env, m,
            (float) tp->slope_k, s0);
    } else if (tp->factor > 1) {
      size_t i;
      float b = (float) bound;

      if (tp->slope_k > 0.0)
        tp->smax[ch] = ld > s0 ? ld : s0;
      tp->have_last[ch] = 0;
      for (i = 0; i < m; i++)
        env[i] = b;
    } else {
      size_t i;

      for (i = 0; i < m; i++)
        env[i] = fabsf (w[i + tp->hist_len]);
    }
    /* the companions' readings of the same periods, each with its own
     * skip test on its own window (inside this one's); their phase 0 is
     * in env already (every value written above is >= |x| there) */
    for (k = 0; k < tp->n_comp; k++)
      if (tp->comp[k]->factor > 1 && (int) k != guided)
        read_companion (tp->comp[k], w + tp->comp_off[k], env, m, floor);
    memcpy (hist, w + m, sizeof (float) * tp->hist_len);
    in += m;
    env += m;
    n -= m;
  }
}
