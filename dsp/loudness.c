/* gst-mastering — ITU-R BS.1770 / EBU R 128 loudness meter core
 *
 * See loudness.h for the interface.  Structure of the computation:
 *
 *   input frames --K-weighting (2 biquads, double, per channel)--> z[c]
 *   sum_c over the current 10 ms sub-block of z[c]^2       (sub_acc[c])
 *   sub-block end: weighted energy sum_c G_c * sub_acc[c]  -> ring[]
 *     every 10 ms : momentary (last 40 sub-blocks), short-term (last 300)
 *     every 100 ms: gating block = momentary window -> gate histogram
 *                   short-term value                 -> LRA histogram
 *
 * Sub-block k ends at frame floor ((k + 1) * rate / 100), so the 10 ms grid
 * is exact for every rate and aligned to the start of the measurement;
 * window energies are divided by the number of frames they really hold.
 *
 * Histograms: bin b holds blocks with loudness in [-70 + b/100,
 * -70 + (b+1)/100) LUFS (everything >= +30 in the last bin) and keeps the
 * count and the exact sum of their energies.  Integrated loudness is then
 * exact except for the blocks inside the one bin the relative gate falls
 * in, which are included pro rata; percentiles of the LRA use the mean
 * energy of the bin they fall in.
 *
 * State per channel (index c):
 *   kx1, kx2  previous two inputs                      (full scale = 1)
 *   ky1, ky2  previous two outputs of the shelf stage
 *   kz1, kz2  previous two outputs of the high-pass    (K-weighted signal)
 *   sub_acc   sum of kz^2 in the current sub-block
 *   clv, cdv  max |x| and max |x[i] - x[i-1]| of the current chunk
 *   speak     max |x| since reset,  tpeak  max true peak since reset
 *   tail      the last TAIL input samples as the true-peak stage saw them
 *   tp_stale  the interpolator's history is not `tail` (chunks skipped)
 *
 * True peak: most chunks of programme material cannot raise the running
 * true peak.  The interpolator's published bound (truepeak.h:
 * g_level * max|x| + g_diff * max|x[i] - x[i-1]| over its support) is
 * evaluated from clv/cdv, which the K-filter loop computes on the way, and
 * from the tail; when it is at or below the running peak the chunk is not
 * handed to the interpolator at all (no copy, no scan).  Its history is
 * then restored from `tail` before the next chunk it does see, so the
 * values it reads are those it would read without the skipping.
 */
#include "loudness.h"
#include "truepeak.h"
#include "util.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SUBS_PER_SECOND 100     /* 10 ms sub-blocks */
#define M_SUBS 40               /* momentary window: 400 ms */
#define S_SUBS 300              /* short-term window: 3 s */
#define HOP_SUBS 10             /* gating / LRA hop: 100 ms */
#define RING_SUBS S_SUBS
#define RING_GROUPS (RING_SUBS / HOP_SUBS)

#define HIST_MIN_LUFS (-70.0)
#define HIST_BINS_PER_LU 100
#define HIST_BINS (100 * HIST_BINS_PER_LU)     /* -70..+30 LUFS (+ above) */
/* Bins per group: each group also keeps the count and energy of its bins,
 * so that the scans a reading needs (every 100 ms in a meter) step over
 * whole loudness units instead of single bins. */
#define HIST_GROUP HIST_BINS_PER_LU
#define HIST_GROUPS (HIST_BINS / HIST_GROUP)

#define ABS_GATE_LUFS (-70.0)
#define REL_GATE_LU (-10.0)
#define LRA_REL_GATE_LU (-20.0)
#define LRA_LOW 0.10
#define LRA_HIGH 0.95

/* Largest number of frames one sub-block can hold (10 ms at 384 kHz). */
#define MAX_SUB_FRAMES (MST_LOUDNESS_MAX_RATE / SUBS_PER_SECOND + 1)

/* Samples beyond this magnitude are treated like NaN: the true-peak stage
 * works in float, where they would become infinite. */
#define SANE_LIMIT FLT_MAX

#define MAXC MST_LOUDNESS_MAX_CHANNELS

/* Samples of history the interpolator keeps (its taps minus one); the
 * tail holds as many. */
#define TAIL (MST_TRUE_PEAK_TAPS - 1)

/* Relative margin on the interpolator's bound: covers the rounding of the
 * float FIR and of the double -> float conversion (both < 1e-6). */
#define TP_BOUND_MARGIN 1e-5

typedef struct
{
  uint64_t count[HIST_BINS];
  double energy[HIST_BINS];
  uint64_t gcount[HIST_GROUPS]; /* sums over the bins of each group */
  double genergy[HIST_GROUPS];
  int lo, hi;                   /* occupied bin range, lo > hi when empty */
  uint64_t n_total;             /* all blocks that passed the -70 gate */
  double e_total;               /* and their energy sum */
} Histogram;

/* Per-channel filter and accumulator state, copied to locals per chunk. */
typedef struct
{
  double kx1[MAXC], kx2[MAXC];
  double ky1[MAXC], ky2[MAXC];
  double kz1[MAXC], kz2[MAXC];
  double sub_acc[MAXC];
  double clv[MAXC], cdv[MAXC];
  double speak[MAXC];
} ChannelState;

/* K-weighting coefficients (a0 = 1): shelf b0 b1 b2 a1 a2, high-pass a1 a2
 * (its numerator is 1, -2, 1). */
typedef struct
{
  double sb0, sb1, sb2, sa1, sa2;
  double ha1, ha2;
} KCoefs;

typedef void (*KFilterFunc) (const KCoefs * k, ChannelState * s,
    const double *x, size_t n, unsigned ch);

struct MstLoudness
{
  unsigned rate;
  unsigned channels;
  int tp_enabled;
  double weight[MAXC];
  KCoefs k;
  ChannelState cs;

  /* 10 ms grid */
  uint64_t sub_index;           /* index of the sub-block being filled */
  size_t sub_len;               /* its length in frames */
  size_t sub_pos;               /* frames already in it */
  double ring_e[RING_SUBS];     /* weighted energy sums of the last subs */
  size_t ring_n[RING_SUBS];     /* and their frame counts */
  double grp_e[RING_GROUPS];    /* the same summed over each completed */
  size_t grp_n[RING_GROUPS];    /* group of HOP_SUBS (sub_index / HOP_SUBS
                                 * - 1 is the latest) */
  uint64_t frames;

  double momentary, shortterm;  /* energies, latest */
  double momentary_max, shortterm_max;  /* energies, -1 when none yet */

  Histogram *gate;              /* 400 ms gating blocks */
  Histogram *st;                /* short-term values for LRA */

  KFilterFunc kfilter;           /* for the channel count */
  unsigned kf_stride;           /* doubles per frame it reads */
  double *kx;                   /* a sub-block of converted input, kf_stride
                                 * doubles per frame */

  double tpeak[MAXC];
  MstTruePeak *tp;
  double tp_g_level, tp_g_diff; /* the interpolator's bound gains */
  float *planar;                /* channels x MAX_SUB_FRAMES */
  float tail[MAXC][TAIL];
  int tp_stale[MAXC];
};

/* ---- small helpers ---------------------------------------------------- */

double
mst_loudness_from_energy (double energy)
{
  if (!(energy > 0.0))
    return -INFINITY;
  return -0.691 + 10.0 * log10 (energy);
}

double
mst_loudness_to_energy (double lufs)
{
  return pow (10.0, (lufs + 0.691) / 10.0);
}

static void
hist_clear (Histogram * h)
{
  memset (h->count, 0, sizeof h->count);
  memset (h->energy, 0, sizeof h->energy);
  memset (h->gcount, 0, sizeof h->gcount);
  memset (h->genergy, 0, sizeof h->genergy);
  h->lo = HIST_BINS;
  h->hi = -1;
  h->n_total = 0;
  h->e_total = 0.0;
}

static int
hist_bin (double lufs)
{
  double b = floor ((lufs - HIST_MIN_LUFS) * HIST_BINS_PER_LU);

  if (b < 0)
    return 0;
  if (b >= HIST_BINS)
    return HIST_BINS - 1;
  return (int) b;
}

static double
hist_bin_low (int b)
{
  return HIST_MIN_LUFS + (double) b / HIST_BINS_PER_LU;
}

/* Adds a block of the given energy if it passes the absolute gate. */
static void
hist_add (Histogram * h, double energy)
{
  double l = mst_loudness_from_energy (energy);
  int b;

  /* ">=" as libebur128 (BS.1770 writes ">"; equal only on the threshold) */
  if (!(l >= ABS_GATE_LUFS))
    return;
  b = hist_bin (l);
  h->count[b]++;
  h->energy[b] += energy;
  h->gcount[b / HIST_GROUP]++;
  h->genergy[b / HIST_GROUP] += energy;
  h->n_total++;
  h->e_total += energy;
  if (b < h->lo)
    h->lo = b;
  if (b > h->hi)
    h->hi = b;
}

/* Mean energy of the blocks at or above `gate` LUFS; blocks of the bin the
 * gate falls in count pro rata (their exact levels are not kept).  Returns
 * the (fractional) block count through *n. */
static double
hist_gated_mean (const Histogram * h, double gate, double *n)
{
  double e = 0.0, c = 0.0;
  int b, g, gb, top;

  if (gate <= ABS_GATE_LUFS) {
    /* every stored block passed the absolute gate: no scan needed */
    *n = (double) h->n_total;
    return h->n_total ? h->e_total / (double) h->n_total : 0.0;
  }
  gb = hist_bin (gate);
  if (gb > h->hi) {
    *n = 0.0;
    return 0.0;
  }
  /* whole groups above the gate's group, then its bins from the gate up */
  for (g = h->hi / HIST_GROUP; g > gb / HIST_GROUP; g--) {
    e += h->genergy[g];
    c += (double) h->gcount[g];
  }
  top = (gb / HIST_GROUP + 1) * HIST_GROUP - 1;
  for (b = top < h->hi ? top : h->hi; b >= gb && b >= h->lo; b--) {
    double f = 1.0;

    if (b == gb && h->count[b] && b == HIST_BINS - 1) {
      /* the top bin also holds every block above +30 LUFS (float input
       * far over full scale): its blocks count when their mean does */
      f = mst_loudness_from_energy (h->energy[b] / (double) h->count[b])
          >= gate ? 1.0 : 0.0;
    } else if (b == gb && h->count[b]) {
      double lo = hist_bin_low (b), hi = hist_bin_low (b + 1);

      f = (hi - gate) / (hi - lo);
      f = f < 0.0 ? 0.0 : (f > 1.0 ? 1.0 : f);
    }
    e += f * h->energy[b];
    c += f * (double) h->count[b];
  }
  *n = c;
  return c > 0.0 ? e / c : 0.0;
}

/* ---- K-weighting -------------------------------------------------------- */

void
mst_loudness_k_coefficients (double rate, double shelf[5], double hp[5])
{
  /* docs/conformance.md §2: libebur128's analog prototypes, bilinear with
   * pre-warping */
  const double f0 = 1681.974450955533;
  const double G = 3.999843853973347;
  const double Q = 0.7071752369554196;
  const double f0h = 38.13547087602444;
  const double Qh = 0.5003270373238773;
  double K = tan (MST_PI * f0 / rate);
  double Vh = pow (10.0, G / 20.0);
  double Vb = pow (Vh, 0.4996667741545416);
  double a0 = 1.0 + K / Q + K * K;
  double Kh = tan (MST_PI * f0h / rate);
  double a0h = 1.0 + Kh / Qh + Kh * Kh;

  shelf[0] = (Vh + Vb * K / Q + K * K) / a0;
  shelf[1] = 2.0 * (K * K - Vh) / a0;
  shelf[2] = (Vh - Vb * K / Q + K * K) / a0;
  shelf[3] = 2.0 * (K * K - 1.0) / a0;
  shelf[4] = (1.0 - K / Q + K * K) / a0;

  /* numerator deliberately not divided by a0 (as the ITU table) */
  hp[0] = 1.0;
  hp[1] = -2.0;
  hp[2] = 1.0;
  hp[3] = 2.0 * (Kh * Kh - 1.0) / a0h;
  hp[4] = (1.0 - Kh / Qh + Kh * Kh) / a0h;
}

/* K-weighting: the input of a chunk is first converted to doubles, one
 * frame per kf_stride doubles (2, 4 or 8; the lanes beyond the channel
 * count stay zero), then filtered by one kernel per channel shape
 * (loudness-kfilter.h) that runs the channels in the lanes of a vector.
 * bench/meter-kfilter measures every format and channel count: one body
 * per format and per channel count (the earlier design) was no faster
 * than these few kernels and made the object file about six times
 * larger. */

#define CONV_S16(v) ((double) (v) * (1.0 / 32768.0))
#define CONV_S32(v) ((double) (v) * (1.0 / 2147483648.0))
#define CONV_F32(v) ((double) (v))
#define CONV_F64(v) (v)

typedef void (*ConvertFunc) (const void *in, double *out, size_t n,
    unsigned ch, unsigned stride);

#define DEFINE_CONVERT(NAME, TYPE, CONV)                                     \
  static void                                                                \
  convert_##NAME (const void *in, double *restrict out, size_t n,            \
      unsigned ch, unsigned stride)                                          \
  {                                                                          \
    const TYPE *restrict src = in;                                           \
    size_t i;                                                                \
    unsigned c;                                                              \
                                                                             \
    if (ch == stride) {                                                      \
      for (i = 0; i < n * ch; i++)                                           \
        out[i] = CONV (src[i]);                                              \
    } else {                                                                 \
      for (i = 0; i < n; i++)                                                \
        for (c = 0; c < ch; c++)                                             \
          out[i * stride + c] = CONV (src[i * ch + c]);                      \
    }                                                                        \
  }

DEFINE_CONVERT (s16, int16_t, CONV_S16)
DEFINE_CONVERT (s32, int32_t, CONV_S32)
DEFINE_CONVERT (f32, float, CONV_F32)
DEFINE_CONVERT (f64, double, CONV_F64)

static const ConvertFunc converters[4] = {
  convert_s16, convert_s32, convert_f32, convert_f64
};

/* the running maxima of the kernels in one instruction: maxpd is
 * "a > b ? a : b" lane by lane, exactly what the portable masks do */
#if defined(__SSE2__)
#include <immintrin.h>
#define KF_MAX_V2DF(a, b) ((v2df) _mm_max_pd ((__m128d) (a), (__m128d) (b)))
#endif

typedef double v2df __attribute__((vector_size (16)));
typedef int64_t v2di __attribute__((vector_size (16)));
typedef double v4df __attribute__((vector_size (32)));
typedef int64_t v4di __attribute__((vector_size (32)));

/* 1 channel: the same recursion in scalar code (a vector kernel with one
 * lane in use measured slower, an AVX2 build no faster) */
static void
kfilter_1 (const KCoefs * k, ChannelState * s, const double *restrict x,
    size_t n, unsigned ch)
{
  const double sb0 = k->sb0, sb1 = k->sb1, sb2 = k->sb2;
  const double sa1 = k->sa1, sa2 = k->sa2, ha1 = k->ha1, ha2 = k->ha2;
  double x1 = s->kx1[0], x2 = s->kx2[0], y1 = s->ky1[0], y2 = s->ky2[0];
  double z1 = s->kz1[0], z2 = s->kz2[0], acc = s->sub_acc[0];
  double lv = s->clv[0], dv = s->cdv[0];
  size_t i;

  for (i = 0; i < n; i++) {
    double v = x[i];
    double y = (sb0 * v + sb1 * x1 + sb2 * x2 - sa2 * y2) - sa1 * y1;
    double z = ((y - 2.0 * y1 + y2) - ha2 * z2) - ha1 * z1;
    double a = fabs (v), d = fabs (v - x1);

    lv = a > lv ? a : lv;
    dv = d > dv ? d : dv;
    x2 = x1;
    x1 = v;
    y2 = y1;
    y1 = y;
    z2 = z1;
    z1 = z;
    acc += z * z;
  }
  s->kx1[0] = x1;
  s->kx2[0] = x2;
  s->ky1[0] = y1;
  s->ky2[0] = y2;
  s->kz1[0] = z1;
  s->kz2[0] = z2;
  s->sub_acc[0] = acc;
  s->clv[0] = lv;
  s->cdv[0] = dv;
  s->speak[0] = lv > s->speak[0] ? lv : s->speak[0];
  (void) ch;
}

/* 2 channels, and 3 to 8 in groups of two: SSE2 vectors, the baseline of
 * x86-64 (an AVX2 build of these measured no faster) */
#define KF_FUNC kfilter_2
#define KF_ATTR
#define KF_VEC v2df
#define KF_MASK v2di
#define KF_LANES 2
#define KF_GROUPS 1
#ifdef KF_MAX_V2DF
#define KF_MAX KF_MAX_V2DF
#endif
#include "loudness-kfilter.h"

#define KF_FUNC kfilter_4
#define KF_ATTR
#define KF_VEC v2df
#define KF_MASK v2di
#define KF_LANES 2
#define KF_GROUPS 2
#ifdef KF_MAX_V2DF
#define KF_MAX KF_MAX_V2DF
#endif
#include "loudness-kfilter.h"

#define KF_FUNC kfilter_8
#define KF_ATTR
#define KF_VEC v2df
#define KF_MASK v2di
#define KF_LANES 2
#define KF_GROUPS 4
#ifdef KF_MAX_V2DF
#define KF_MAX KF_MAX_V2DF
#endif
#include "loudness-kfilter.h"

/* 3 to 8 channels in 4-lane AVX vectors, picked at run time when the CPU
 * has AVX2, where they measure faster than the SSE2 groups.  (Without AVX,
 * GCC's lowering of 4-lane vectors is far slower than the SSE2 groups,
 * hence two kernels picked at run time rather than target clones.) */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define HAVE_KF_AVX2 1

#define KF_FUNC kfilter_4_avx2
#define KF_ATTR __attribute__((target ("arch=x86-64-v3")))
#define KF_VEC v4df
#define KF_MASK v4di
#define KF_LANES 4
#define KF_GROUPS 1
#define KF_MAX(a, b) ((v4df) _mm256_max_pd ((__m256d) (a), (__m256d) (b)))
#include "loudness-kfilter.h"

#define KF_FUNC kfilter_8_avx2
#define KF_ATTR __attribute__((target ("arch=x86-64-v3")))
#define KF_VEC v4df
#define KF_MASK v4di
#define KF_LANES 4
#define KF_GROUPS 2
#define KF_MAX(a, b) ((v4df) _mm256_max_pd ((__m256d) (a), (__m256d) (b)))
#include "loudness-kfilter.h"
#endif

/* The interpolator starts from silence: so does the tail. */
static void
true_peak_clear (MstLoudness * st)
{
  memset (st->tail, 0, sizeof st->tail);
  memset (st->tp_stale, 0, sizeof st->tp_stale);
  mst_true_peak_reset (st->tp);
}

/* Slow path for chunks with non-finite samples: same filter, one sample at
 * a time, such samples replaced by 0.  Returns how many were replaced. */
static size_t
kfilter_sanitize (MstLoudness * st, const void *in, int fmt, size_t n,
    float *planar)
{
  const KCoefs *k = &st->k;
  ChannelState *s = &st->cs;
  const unsigned ch = st->channels;
  size_t i, bad = 0;
  unsigned c;

  for (i = 0; i < n; i++) {
    for (c = 0; c < ch; c++) {
      size_t idx = i * ch + c;
      double x, y, z;

      switch (fmt) {
        case 0:
          x = CONV_S16 (((const int16_t *) in)[idx]);
          break;
        case 1:
          x = CONV_S32 (((const int32_t *) in)[idx]);
          break;
        case 2:
          x = ((const float *) in)[idx];
          break;
        default:
          x = ((const double *) in)[idx];
          break;
      }
      if (!isfinite (x) || fabs (x) > SANE_LIMIT) {
        x = 0.0;
        bad++;
      }
      y = (k->sb0 * x + k->sb1 * s->kx1[c] + k->sb2 * s->kx2[c]
          - k->sa2 * s->ky2[c]) - k->sa1 * s->ky1[c];
      z = ((y - 2.0 * s->ky1[c] + s->ky2[c]) - k->ha2 * s->kz2[c])
          - k->ha1 * s->kz1[c];
      s->kx2[c] = s->kx1[c];
      s->kx1[c] = x;
      s->ky2[c] = s->ky1[c];
      s->ky1[c] = y;
      s->kz2[c] = s->kz1[c];
      s->kz1[c] = z;
      s->sub_acc[c] += z * z;
      if (fabs (x) > s->speak[c])
        s->speak[c] = fabs (x);
      if (planar)
        planar[c * MAX_SUB_FRAMES + i] = (float) x;
    }
  }
  return bad;
}

static int
state_finite (const MstLoudness * st)
{
  unsigned c;

  /* a NaN or Inf sample poisons the accumulator and the filter state; the
   * peak also catches F64 samples too large for the float true-peak stage
   * (and is never NaN: NaN fails the comparison that updates it) */
  for (c = 0; c < st->channels; c++)
    if (!isfinite (st->cs.sub_acc[c]) || !isfinite (st->cs.kz1[c])
        || !(st->cs.speak[c] <= SANE_LIMIT))
      return 0;
  return 1;
}

/* ---- the 10 ms grid ----------------------------------------------------- */

static size_t
sub_length (unsigned rate, uint64_t k)
{
  return (size_t) (((k + 1) * rate) / SUBS_PER_SECOND
      - (k * rate) / SUBS_PER_SECOND);
}

/* Energy of the window of the last `subs` sub-blocks (a multiple of
 * HOP_SUBS).  Before the window is full the missing part counts as silence
 * of its nominal length.  A full window is summed as the sub-blocks of the
 * unfinished group at each end and the group sums between them. */
static double
window_energy (const MstLoudness * st, unsigned subs)
{
  uint64_t have = st->sub_index < subs ? st->sub_index : subs;
  double e = 0.0;
  size_t frames = 0;
  uint64_t j;

  if (have < subs) {
    for (j = 0; j < have; j++) {
      size_t r = (size_t) ((st->sub_index - 1 - j) % RING_SUBS);

      e += st->ring_e[r];
      frames += st->ring_n[r];
    }
    frames = (size_t) (((uint64_t) st->rate * subs + SUBS_PER_SECOND / 2)
        / SUBS_PER_SECOND);
  } else {
    const uint64_t part = st->sub_index % HOP_SUBS;
    const uint64_t end_group = (st->sub_index - part) / HOP_SUBS;
    const uint64_t groups = (subs - (part ? HOP_SUBS : 0)) / HOP_SUBS;

    /* newest: the sub-blocks of the group being filled */
    for (j = st->sub_index - part; j < st->sub_index; j++) {
      e += st->ring_e[j % RING_SUBS];
      frames += st->ring_n[j % RING_SUBS];
    }
    for (j = end_group - groups; j < end_group; j++) {
      e += st->grp_e[j % RING_GROUPS];
      frames += st->grp_n[j % RING_GROUPS];
    }
    /* oldest: the end of the group the window starts in */
    for (j = st->sub_index - subs; j < (end_group - groups) * HOP_SUBS; j++) {
      e += st->ring_e[j % RING_SUBS];
      frames += st->ring_n[j % RING_SUBS];
    }
  }
  return frames ? e / (double) frames : 0.0;
}

static void
finish_sub_block (MstLoudness * st)
{
  size_t r = (size_t) (st->sub_index % RING_SUBS);
  double e = 0.0;
  unsigned c;

  for (c = 0; c < st->channels; c++) {
    e += st->weight[c] * st->cs.sub_acc[c];
    st->cs.sub_acc[c] = 0.0;
  }
  st->ring_e[r] = e;
  st->ring_n[r] = st->sub_len;
  st->sub_index++;
  if (st->sub_index % HOP_SUBS == 0) {
    size_t g = (size_t) ((st->sub_index / HOP_SUBS - 1) % RING_GROUPS);
    uint64_t j;

    e = 0.0;
    st->grp_n[g] = 0;
    for (j = st->sub_index - HOP_SUBS; j < st->sub_index; j++) {
      e += st->ring_e[j % RING_SUBS];
      st->grp_n[g] += st->ring_n[j % RING_SUBS];
    }
    st->grp_e[g] = e;
  }

  st->momentary = window_energy (st, M_SUBS);
  if (st->sub_index >= M_SUBS) {
    if (st->momentary > st->momentary_max)
      st->momentary_max = st->momentary;
    if (st->sub_index % HOP_SUBS == 0)
      hist_add (st->gate, st->momentary);
  }
  /* short-term only matters every 100 ms for LRA, but the max is on the
   * 10 ms grid too (EBU case 10 and 11 pass on 100 ms; finer is better) */
  st->shortterm = window_energy (st, S_SUBS);
  if (st->sub_index >= S_SUBS) {
    if (st->shortterm > st->shortterm_max)
      st->shortterm_max = st->shortterm;
    if (st->sub_index % HOP_SUBS == 0)
      hist_add (st->st, st->shortterm);
  }

  st->sub_len = sub_length (st->rate, st->sub_index);
  st->sub_pos = 0;
}

/* ---- public API --------------------------------------------------------- */

/* The K-filter kernel and its lane stride for the channel count: SSE2
 * groups, or AVX2 for 3 to 8 channels where allowed and the CPU has it
 * (both kernels keep the same state, so the choice can change at any
 * time). */
static void
pick_kfilter (MstLoudness * st, int allow_avx2)
{
  const unsigned channels = st->channels;

  if (channels == 1) {
    st->kfilter = kfilter_1;
    st->kf_stride = 1;
  } else if (channels == 2) {
    st->kfilter = kfilter_2;
    st->kf_stride = 2;
  } else if (channels <= 4) {
    st->kfilter = kfilter_4;
    st->kf_stride = 4;
  } else {
    st->kfilter = kfilter_8;
    st->kf_stride = 8;
  }
#ifdef HAVE_KF_AVX2
  if (allow_avx2 && channels > 2 && __builtin_cpu_supports ("avx2"))
    st->kfilter = channels <= 4 ? kfilter_4_avx2 : kfilter_8_avx2;
#else
  (void) allow_avx2;
#endif
}

int
mst_loudness_set_avx2 (MstLoudness * st, int allow)
{
  pick_kfilter (st, allow != 0);
#ifdef HAVE_KF_AVX2
  return st->kfilter == kfilter_4_avx2 || st->kfilter == kfilter_8_avx2;
#else
  return 0;
#endif
}

MstLoudness *
mst_loudness_new (unsigned rate, unsigned channels, unsigned flags)
{
  MstLoudness *st;
  double shelf[5], hp[5];
  unsigned c;

  if (rate < MST_LOUDNESS_MIN_RATE || rate > MST_LOUDNESS_MAX_RATE
      || channels < 1 || channels > MAXC)
    return NULL;

  st = calloc (1, sizeof *st);
  if (!st)
    return NULL;
  st->rate = rate;
  st->channels = channels;
  st->gate = malloc (sizeof *st->gate);
  st->st = malloc (sizeof *st->st);
  /* true peak at 4x at every rate (docs/conformance.md §5: 2x fails
   * cases 21/23) */
  st->tp = mst_true_peak_new (channels, 4);
  st->planar = malloc (sizeof (float) * MAX_SUB_FRAMES * channels);
  pick_kfilter (st, 1);
  /* a whole sub-block (at most rate / 100 + 1 frames); zeroed: the lanes
   * beyond the channel count are never written */
  st->kx = calloc ((size_t) (rate / SUBS_PER_SECOND + 1) * st->kf_stride,
      sizeof (double));
  if (!st->gate || !st->st || !st->tp || !st->planar || !st->kx) {
    mst_loudness_free (st);
    return NULL;
  }
  for (c = 0; c < MAXC; c++)
    st->weight[c] = 1.0;

  mst_loudness_k_coefficients (rate, shelf, hp);
  st->k.sb0 = shelf[0];
  st->k.sb1 = shelf[1];
  st->k.sb2 = shelf[2];
  st->k.sa1 = shelf[3];
  st->k.sa2 = shelf[4];
  st->k.ha1 = hp[3];
  st->k.ha2 = hp[4];

  mst_true_peak_bound_gains (st->tp, &st->tp_g_level, &st->tp_g_diff);
  st->tp_enabled = (flags & MST_LOUDNESS_TRUE_PEAK) != 0;
  mst_loudness_reset (st);
  return st;
}

void
mst_loudness_free (MstLoudness * st)
{
  if (!st)
    return;
  free (st->gate);
  free (st->st);
  mst_true_peak_free (st->tp);
  free (st->planar);
  free (st->kx);
  free (st);
}

void
mst_loudness_reset (MstLoudness * st)
{
  memset (&st->cs, 0, sizeof st->cs);
  st->sub_index = 0;
  st->sub_len = sub_length (st->rate, 0);
  st->sub_pos = 0;
  memset (st->ring_e, 0, sizeof st->ring_e);
  memset (st->ring_n, 0, sizeof st->ring_n);
  memset (st->grp_e, 0, sizeof st->grp_e);
  memset (st->grp_n, 0, sizeof st->grp_n);
  st->frames = 0;
  st->momentary = st->shortterm = 0.0;
  st->momentary_max = st->shortterm_max = -1.0;
  hist_clear (st->gate);
  hist_clear (st->st);
  memset (st->tpeak, 0, sizeof st->tpeak);
  true_peak_clear (st);
}

unsigned
mst_loudness_rate (const MstLoudness * st)
{
  return st->rate;
}

unsigned
mst_loudness_channels (const MstLoudness * st)
{
  return st->channels;
}

int
mst_loudness_set_channel_weight (MstLoudness * st, unsigned ch, double w)
{
  if (ch >= st->channels || !isfinite (w) || w < 0.0)
    return -1;
  st->weight[ch] = w;
  return 0;
}

double
mst_loudness_get_channel_weight (const MstLoudness * st, unsigned ch)
{
  return ch < st->channels ? st->weight[ch] : 0.0;
}

void
mst_loudness_set_true_peak (MstLoudness * st, int enabled)
{
  enabled = enabled != 0;
  if (enabled && !st->tp_enabled)
    true_peak_clear (st);
  st->tp_enabled = enabled;
}

int
mst_loudness_get_true_peak (const MstLoudness * st)
{
  return st->tp_enabled;
}

static const size_t sample_sizes[4] = { 2, 4, 4, 8 };

/* K-filters m frames (at most a sub-block) of format fmt: leaves them
 * converted in kx and sets clv/cdv to the chunk's level and slope. */
static void
kfilter_chunk (MstLoudness * st, const uint8_t * p, int fmt, size_t m)
{
  unsigned c;

  for (c = 0; c < st->channels; c++)
    st->cs.clv[c] = st->cs.cdv[c] = 0.0;
  converters[fmt] (p, st->kx, m, st->channels, st->kf_stride);
  st->kfilter (&st->k, &st->cs, st->kx, m, st->channels);
}

/* True peak of a chunk of m frames (see the comment at the top: chunks
 * whose bound cannot beat the running peak are skipped).  The samples are
 * in kx, or, if planar_ready, already in planar as float (channel c at
 * planar + c * MAX_SUB_FRAMES); only the channels that are interpolated
 * are copied there. */
static void
true_peak_chunk (MstLoudness * st, size_t m, int planar_ready)
{
  const unsigned stride = st->kf_stride;
  unsigned c;

  for (c = 0; c < st->channels; c++) {
    float *x = st->planar + (size_t) c * MAX_SUB_FRAMES;
    float *tail = st->tail[c];
    double lv = st->cs.clv[c], dv = st->cs.cdv[c], bound;
    int have = planar_ready;
    size_t j;

    for (j = 0; j < TAIL; j++) {
      double a = fabs ((double) tail[j]);

      lv = a > lv ? a : lv;
      if (j > 0) {
        double d = fabs ((double) tail[j] - (double) tail[j - 1]);

        dv = d > dv ? d : dv;
      }
    }
    bound = (st->tp_g_level * lv + st->tp_g_diff * dv)
        * (1.0 + TP_BOUND_MARGIN);
    if (bound <= st->tpeak[c]) {
      /* nothing in this chunk can exceed the running peak */
      st->tp_stale[c] = 1;
    } else {
      float v;

      if (!have) {
        for (j = 0; j < m; j++)
          x[j] = (float) st->kx[j * stride + c];
        have = 1;
      }
      if (st->tp_stale[c]) {
        /* give the interpolator the history it missed; its reading of
         * these samples is already accounted for */
        (void) mst_true_peak_process_max (st->tp, c, tail, TAIL, FLT_MAX);
        st->tp_stale[c] = 0;
      }
      v = mst_true_peak_process_max (st->tp, c, x, m, (float) st->tpeak[c]);
      if (v > st->tpeak[c])
        st->tpeak[c] = v;
    }
    /* the interpolator sees float-rounded samples: S32/F64 peaks can
     * be a float step above what it read */
    if (st->cs.speak[c] > st->tpeak[c])
      st->tpeak[c] = st->cs.speak[c];

    /* the last TAIL samples of tail + chunk */
    if (m < TAIL)
      memmove (tail, tail + m, sizeof (float) * (TAIL - m));
    for (j = m < TAIL ? 0 : m - TAIL; j < m; j++)
      tail[TAIL - (m - j)] = have ? x[j] : (float) st->kx[j * stride + c];
  }
}

/* Feeds frames, splitting at sub-block ends.  fmt: 0 s16, 1 s32, 2 f32,
 * 3 f64 (sizes 2, 4, 4, 8). */
static size_t
process (MstLoudness * st, const void *in, int fmt, size_t n_frames)
{
  const size_t frame_bytes = sample_sizes[fmt] * st->channels;
  const uint8_t *p = in;
  size_t bad = 0;

  while (n_frames > 0) {
    size_t m = st->sub_len - st->sub_pos;
    ChannelState saved;
    int planar_ready = 0;

    if (m > n_frames)
      m = n_frames;

    saved = st->cs;
    kfilter_chunk (st, p, fmt, m);
    if (!state_finite (st)) {
      unsigned c;

      st->cs = saved;
      bad += kfilter_sanitize (st, p, fmt, m,
          st->tp_enabled ? st->planar : NULL);
      planar_ready = 1;
      /* no bound for this chunk: interpolate it */
      for (c = 0; c < st->channels; c++)
        st->cs.clv[c] = st->cs.cdv[c] = INFINITY;
    }

    if (st->tp_enabled)
      true_peak_chunk (st, m, planar_ready);

    st->frames += m;
    st->sub_pos += m;
    if (st->sub_pos == st->sub_len)
      finish_sub_block (st);
    p += m * frame_bytes;
    n_frames -= m;
  }
  return bad;
}

size_t
mst_loudness_process_s16 (MstLoudness * st, const int16_t * in, size_t n)
{
  return process (st, in, 0, n);
}

size_t
mst_loudness_process_s32 (MstLoudness * st, const int32_t * in, size_t n)
{
  return process (st, in, 1, n);
}

size_t
mst_loudness_process_f32 (MstLoudness * st, const float *in, size_t n)
{
  return process (st, in, 2, n);
}

size_t
mst_loudness_process_f64 (MstLoudness * st, const double *in, size_t n)
{
  return process (st, in, 3, n);
}

void
mst_loudness_process_silence (MstLoudness * st, size_t n_frames)
{
  static const float zeros[1024 * MAXC];

  while (n_frames > 0) {
    size_t m = n_frames < 1024 ? n_frames : 1024;

    process (st, zeros, 2, m);
    n_frames -= m;
  }
}

uint64_t
mst_loudness_frames (const MstLoudness * st)
{
  return st->frames;
}

double
mst_loudness_momentary (const MstLoudness * st)
{
  return mst_loudness_from_energy (st->momentary);
}

double
mst_loudness_shortterm (const MstLoudness * st)
{
  return mst_loudness_from_energy (st->shortterm);
}

double
mst_loudness_momentary_max (const MstLoudness * st)
{
  return mst_loudness_from_energy (st->momentary_max);
}

double
mst_loudness_shortterm_max (const MstLoudness * st)
{
  return mst_loudness_from_energy (st->shortterm_max);
}

double
mst_loudness_relative_threshold (const MstLoudness * st)
{
  double n, mean = hist_gated_mean (st->gate, ABS_GATE_LUFS, &n);

  if (!(n > 0.0))
    return -INFINITY;
  return mst_loudness_from_energy (mean) + REL_GATE_LU;
}

double
mst_loudness_integrated (const MstLoudness * st)
{
  double n, rel = mst_loudness_relative_threshold (st);
  double mean;

  if (isinf (rel))
    return -INFINITY;
  /* both gates apply: the relative one can sit below -70 */
  mean = hist_gated_mean (st->gate, rel > ABS_GATE_LUFS ? rel : ABS_GATE_LUFS,
      &n);
  if (!(n > 0.0))
    return -INFINITY;
  return mst_loudness_from_energy (mean);
}

/* Bin of the value of rank r (0-based, ascending) among the values at or
 * above bin `from` of h, given `seen` values below the group of bin *b;
 * walks from bin *b: over whole groups, then into the bins of the group
 * where rank r lies.  Returns -1 if there are no more than r values. */
static int
hist_rank_bin (const Histogram * h, int b, uint64_t * seen, uint64_t r)
{
  /* the bins up to the end of the group of b */
  for (; b <= h->hi && b % HIST_GROUP != 0; b++) {
    *seen += h->count[b];
    if (*seen > r)
      return b;
  }
  /* whole groups, then the bins of the one that holds rank r */
  for (; b <= h->hi; b += HIST_GROUP) {
    uint64_t in = h->gcount[b / HIST_GROUP];

    if (*seen + in > r) {
      for (;; b++) {
        *seen += h->count[b];
        if (*seen > r)
          return b;
      }
    }
    *seen += in;
  }
  return -1;
}

/* Loudness of the values of ranks r1 <= r2 (0-based, ascending) among
 * the values at or above bin `from` of h. */
static void
hist_rank_values (const Histogram * h, int from, uint64_t r1, uint64_t r2,
    double *v1, double *v2)
{
  uint64_t seen = 0;
  int b1, b2;

  *v1 = *v2 = -INFINITY;
  b1 = hist_rank_bin (h, from, &seen, r1);
  if (b1 < 0)
    return;
  *v1 = mst_loudness_from_energy (h->energy[b1] / (double) h->count[b1]);
  /* go on from the bin after b1, counting b1 itself */
  b2 = seen > r2 ? b1 : hist_rank_bin (h, b1 + 1, &seen, r2);
  if (b2 >= 0)
    *v2 = mst_loudness_from_energy (h->energy[b2] / (double) h->count[b2]);
}

double
mst_loudness_range (const MstLoudness * st)
{
  const Histogram *h = st->st;
  double n, mean = hist_gated_mean (h, ABS_GATE_LUFS, &n);
  double gate, lo, hi;
  uint64_t count;
  int b, from;

  if (!(n > 0.0))
    return 0.0;
  gate = mst_loudness_from_energy (mean) + LRA_REL_GATE_LU;
  if (gate < ABS_GATE_LUFS)
    gate = ABS_GATE_LUFS;
  /* values are kept per bin: a bin passes the relative gate when its
   * centre does */
  from = hist_bin (gate);
  if (hist_bin_low (from) + 0.5 / HIST_BINS_PER_LU < gate)
    from++;
  if (from < h->lo)
    from = h->lo;
  /* values at or above `from`: all but those below it (fewer bins) */
  count = h->n_total;
  for (b = h->lo; b < from && b % HIST_GROUP != 0; b++)
    count -= h->count[b];
  for (; b + HIST_GROUP <= from; b += HIST_GROUP)
    count -= h->gcount[b / HIST_GROUP];
  for (; b < from; b++)
    count -= h->count[b];
  if (count == 0)
    return 0.0;
  /* Tech 3342 percentiles with libebur128's rounding */
  hist_rank_values (h, from,
      (uint64_t) ((double) (count - 1) * LRA_LOW + 0.5),
      (uint64_t) ((double) (count - 1) * LRA_HIGH + 0.5), &lo, &hi);
  return hi - lo;
}

double
mst_loudness_sample_peak (const MstLoudness * st, unsigned ch)
{
  return ch < st->channels ? st->cs.speak[ch] : 0.0;
}

double
mst_loudness_true_peak (const MstLoudness * st, unsigned ch)
{
  /* tpeak >= the sample peak of everything fed while it was enabled */
  return ch < st->channels ? st->tpeak[ch] : 0.0;
}
