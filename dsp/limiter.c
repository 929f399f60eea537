/* gst-mastering — look-ahead true-peak limiter core (see limiter.h)
 *
 * Time bases.  "Feed index" i counts frames passed to process().  The
 * detector (MstTruePeak) writes env[i] for the input D_tp = tp latency
 * frames earlier, so the gain computer runs on the "aligned index"
 * a = i, and audio frame i - D_tp belongs to env index i.  The output at
 * feed index i is the audio of aligned index a = i - Dq, i.e. input frame
 * i - D with D = D_tp + Dq: the latency.
 *
 * Gain computer, per channel group, on blocks of B aligned samples:
 *
 *   P_j   peak of the envelope over block j (max over channels if linked)
 *   R_j   = min (1, ceil_j / P_j): the largest gain block j allows
 *   M_k   = min R_j over j in [k - 1 - E, k + nb + E]  (sliding minimum,
 *           monotonic deque, O(1) amortised)
 *   S_k   = min (M_k, S_{k-1} + (1 - S_{k-1}) * alpha)  (release)
 *   G_k   = mean of S_{k-nb+1} .. S_k                     (attack ramp)
 *
 * G_k is the gain at knot k (aligned time k * B); between knots the gain
 * is linear.  Every S in the mean of G_k is <= R_{k-1-E} .. R_{k+E}, so
 * the gain of every sample in blocks k-1-E .. k+E is <= their R: no
 * sample gets more gain than its own block allows, and the E extra blocks
 * (E * B >= half the interpolator length) keep the gain flat at the
 * minimum around a peak, where the output's true peak is formed.
 * G_{k} needs R up to block k + nb + E, known once aligned sample
 * (k + nb + E + 1) * B - 1 has been fed; the output of aligned sample a
 * in block b needs G_{b+1}, hence Dq = (nb + E + 2) * B - 1.
 *
 * State per group (units): R ring (linear gain), deque of block indices,
 * S (linear gain) and the ring of the last nb S values with their sum,
 * G ring (linear gain per knot).  Shared: the ceiling per block (linear,
 * used for both R and the safety clamp so that a ceiling change applies
 * to the samples it was set for), the linked knot ring (min over groups)
 * and per knot whether it is a linked one (linked and all groups equal: the
 * output then uses the linked ring alone, otherwise each channel's own
 * knots, so a link change ramps), the delay line (native sample type,
 * interleaved, input gain applied).
 */
#include "limiter.h"
#include "truepeak.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mastering-orc.h"

/* Frames per internal pass (scratch sizes). */
#define CHUNK 256
/* Largest block. */
#define MAX_BLOCK 32
/* Relative margin between the gain computer's threshold and the ceiling
 * (-0.0043 dB).  It covers float rounding of gain and product and, above
 * all, the gain not being constant across the interpolator's 16 taps
 * around a peak while it ramps: the output's interpolated peak is then
 * sum h[t] g[t] x[t], not g * sum h[t] x[t].  Measured on the benchmark
 * music driven 3 to 20 dB into the ceiling: 0.0001 to 0.0005 dB; this
 * is ten times that. */
#define MARGIN (1.0 - 5e-4)
/* Input-gain changes ramp over this time. */
#define GAIN_RAMP_MS 20.0

typedef struct
{
  float *r;                     /* R per block, ring of rsize */
  int64_t *dq;                  /* deque of block indices, ring of rsize */
  unsigned dq_head, dq_len;
  double s;                     /* release follower S */
  double *sbox;                 /* last nb S values (ring of nb) */
  double sum;                   /* their sum */
  unsigned sbox_pos;
  float *g;                     /* G per knot, ring of gsize */
  float pacc;                   /* envelope peak of the block being filled */
} Group;

struct MstLimiter
{
  unsigned rate, channels, factor;
  double lookahead_ms;          /* effective */

  /* geometry, samples/blocks */
  unsigned B, nb, E, W;         /* block, attack blocks, extension, window */
  unsigned d_tp, dq, latency;
  unsigned rsize, rmask, gsize, gmask;

  /* parameters */
  double ceiling;               /* linear */
  double gain_target;           /* linear input gain */
  double gain_cur, gain_step;   /* ramp: current, per frame */
  unsigned gain_left;           /* frames left in the ramp */
  unsigned ramp_len;
  double alpha;                 /* release coefficient per block */
  int linked;

  /* state */
  MstTruePeak *tp;
  Group grp[MST_LIMITER_MAX_CHANNELS];
  float *ceil_ring;             /* ceiling per block (gsize ring) */
  float *gl;                    /* linked knots: min over groups */
  unsigned char *lk;            /* per knot: computed while linked */
  int out_linked;               /* output chunk uses gl alone */
  int64_t feed;                 /* frames fed since reset */
  int64_t block;                /* index of the block being filled */
  unsigned fill;                /* env samples in it */
  float block_ceil;             /* smallest ceiling seen during it */
  void *ring;                   /* delay line, interleaved native type */
  size_t ring_frames, ring_mask;
  size_t sample_size;

  /* scratch */
  float *planar;                /* channels x CHUNK */
  float *env;                   /* channels x CHUNK */
  float *gain;                  /* CHUNK x channels */

  /* statistics */
  double last_gain, min_gain;
  uint64_t clips, nonfinite;
};

static unsigned
pow2_at_least (size_t n)
{
  unsigned p = 1;

  while (p < n)
    p <<= 1;
  return p;
}

static double
clampd (double v, double lo, double hi)
{
  if (!(v >= lo))               /* also NaN */
    return lo;
  return v > hi ? hi : v;
}

static void
group_reset (MstLimiter * lim, Group * g)
{
  unsigned i;

  for (i = 0; i < lim->rsize; i++)
    g->r[i] = 1.0f;
  g->dq_head = g->dq_len = 0;
  g->s = 1.0;
  for (i = 0; i < lim->nb; i++)
    g->sbox[i] = 1.0;
  g->sum = lim->nb;
  g->sbox_pos = 0;
  for (i = 0; i < lim->gsize; i++)
    g->g[i] = 1.0f;
  g->pacc = 0.0f;
}

void
mst_limiter_reset (MstLimiter * lim)
{
  unsigned c, i;

  mst_true_peak_reset (lim->tp);
  for (c = 0; c < lim->channels; c++)
    group_reset (lim, &lim->grp[c]);
  for (i = 0; i < lim->gsize; i++) {
    lim->ceil_ring[i] = (float) lim->ceiling;
    lim->gl[i] = 1.0f;
    lim->lk[i] = (unsigned char) lim->linked;
  }
  lim->feed = 0;
  lim->block = 0;
  lim->fill = 0;
  lim->block_ceil = (float) lim->ceiling;
  memset (lim->ring, 0, lim->ring_frames * lim->channels * lim->sample_size);
  lim->gain_cur = lim->gain_target;
  lim->gain_left = 0;
  lim->last_gain = lim->min_gain = 1.0;
  lim->clips = lim->nonfinite = 0;
}

MstLimiter *
mst_limiter_new (unsigned rate, unsigned channels, unsigned oversampling,
    double lookahead_ms)
{
  MstLimiter *lim;
  unsigned la, c, half;
  size_t sz;

  if (rate < MST_LIMITER_MIN_RATE || rate > MST_LIMITER_MAX_RATE
      || channels == 0 || channels > MST_LIMITER_MAX_CHANNELS
      || oversampling == 0 || oversampling > MST_TRUE_PEAK_MAX_FACTOR)
    return NULL;

  lim = calloc (1, sizeof *lim);
  if (!lim)
    return NULL;
  lim->rate = rate;
  lim->channels = channels;
  lim->factor = oversampling;
  lim->tp = mst_true_peak_new (channels, oversampling);
  if (!lim->tp)
    goto fail;

  /* geometry: the look-ahead is split into about 11 blocks (8 of attack
   * ramp), blocks of at most MAX_BLOCK samples */
  lookahead_ms = clampd (lookahead_ms, MST_LIMITER_MIN_LOOKAHEAD_MS,
      MST_LIMITER_MAX_LOOKAHEAD_MS);
  la = (unsigned) ceil (lookahead_ms * rate / 1000.0 - 1e-9);
  if (la < 1)
    la = 1;
  lim->B = (la + 10) / 11;
  if (lim->B < 1)
    lim->B = 1;
  if (lim->B > MAX_BLOCK)
    lim->B = MAX_BLOCK;
  half = MST_TRUE_PEAK_TAPS / 2;
  lim->E = (half + lim->B - 1) / lim->B;
  {
    int nb = (int) ((la + 1 + lim->B - 1) / lim->B) - (int) lim->E - 2;

    lim->nb = nb < 1 ? 1 : (unsigned) nb;
  }
  lim->W = lim->nb + 2 * lim->E + 2;
  lim->d_tp = mst_true_peak_latency (lim->tp);
  lim->dq = (lim->nb + lim->E + 2) * lim->B - 1;
  lim->latency = lim->d_tp + lim->dq;
  lim->lookahead_ms = 1000.0 * (lim->dq + 1) / rate;

  lim->rsize = pow2_at_least (lim->W + 2);
  lim->rmask = lim->rsize - 1;
  /* knots and block ceilings are needed from the output position (Dq
   * behind) up to the newest knot; + a chunk of blocks ahead */
  lim->gsize = pow2_at_least ((lim->dq + CHUNK) / lim->B + lim->W + 8);
  lim->gmask = lim->gsize - 1;

  for (c = 0; c < channels; c++) {
    Group *g = &lim->grp[c];

    g->r = malloc (sizeof (float) * lim->rsize);
    g->dq = malloc (sizeof (int64_t) * lim->rsize);
    g->sbox = malloc (sizeof (double) * lim->nb);
    g->g = malloc (sizeof (float) * lim->gsize);
    if (!g->r || !g->dq || !g->sbox || !g->g)
      goto fail;
  }
  lim->ceil_ring = malloc (sizeof (float) * lim->gsize);
  lim->gl = malloc (sizeof (float) * lim->gsize);
  lim->lk = malloc (lim->gsize);

  /* the delay line holds up to latency + CHUNK frames; doubles so that
   * one allocation serves F32 and F64 */
  lim->ring_frames = pow2_at_least (lim->latency + CHUNK + 1);
  lim->ring_mask = lim->ring_frames - 1;
  lim->sample_size = sizeof (double);
  sz = lim->ring_frames * channels * sizeof (double);
  lim->ring = malloc (sz);
  lim->planar = malloc (sizeof (float) * CHUNK * channels);
  lim->env = malloc (sizeof (float) * CHUNK * channels);
  lim->gain = malloc (sizeof (float) * CHUNK * channels);
  if (!lim->ceil_ring || !lim->gl || !lim->lk || !lim->ring || !lim->planar
      || !lim->env || !lim->gain)
    goto fail;

  lim->ramp_len = (unsigned) ceil (GAIN_RAMP_MS * rate / 1000.0);
  lim->ceiling = pow (10.0, -1.0 / 20.0);
  lim->gain_target = 1.0;
  lim->linked = 1;
  mst_limiter_set_release (lim, 50.0);
  mst_limiter_reset (lim);
  return lim;

fail:
  mst_limiter_free (lim);
  return NULL;
}

void
mst_limiter_free (MstLimiter * lim)
{
  unsigned c;

  if (!lim)
    return;
  mst_true_peak_free (lim->tp);
  for (c = 0; c < MST_LIMITER_MAX_CHANNELS; c++) {
    free (lim->grp[c].r);
    free (lim->grp[c].dq);
    free (lim->grp[c].sbox);
    free (lim->grp[c].g);
  }
  free (lim->ceil_ring);
  free (lim->gl);
  free (lim->lk);
  free (lim->ring);
  free (lim->planar);
  free (lim->env);
  free (lim->gain);
  free (lim);
}

unsigned
mst_limiter_latency (const MstLimiter * lim)
{
  return lim->latency;
}

unsigned
mst_limiter_channels (const MstLimiter * lim)
{
  return lim->channels;
}

unsigned
mst_limiter_rate (const MstLimiter * lim)
{
  return lim->rate;
}

unsigned
mst_limiter_oversampling (const MstLimiter * lim)
{
  return lim->factor;
}

double
mst_limiter_lookahead (const MstLimiter * lim)
{
  return lim->lookahead_ms;
}

void
mst_limiter_set_ceiling (MstLimiter * lim, double ceiling_db)
{
  ceiling_db = clampd (ceiling_db, MST_LIMITER_MIN_CEILING_DB,
      MST_LIMITER_MAX_CEILING_DB);
  lim->ceiling = pow (10.0, ceiling_db / 20.0);
  /* the block being filled gets the lower of the two */
  if ((float) lim->ceiling < lim->block_ceil)
    lim->block_ceil = (float) lim->ceiling;
}

void
mst_limiter_set_input_gain (MstLimiter * lim, double gain_db)
{
  double g;

  gain_db = clampd (gain_db, MST_LIMITER_MIN_INPUT_GAIN_DB,
      MST_LIMITER_MAX_INPUT_GAIN_DB);
  g = gain_db == 0.0 ? 1.0 : pow (10.0, gain_db / 20.0);
  if (g == lim->gain_target)
    return;
  lim->gain_target = g;
  if (lim->feed == 0) {
    /* nothing played yet: no ramp needed */
    lim->gain_cur = g;
    lim->gain_left = 0;
    return;
  }
  lim->gain_left = lim->ramp_len;
  lim->gain_step = (g - lim->gain_cur) / lim->ramp_len;
}

void
mst_limiter_set_release (MstLimiter * lim, double release_ms)
{
  release_ms = clampd (release_ms, MST_LIMITER_MIN_RELEASE_MS,
      MST_LIMITER_MAX_RELEASE_MS);
  /* one-pole towards 1, time constant release_ms, updated per block */
  lim->alpha = 1.0 - exp (-(double) lim->B * 1000.0 /
      (release_ms * lim->rate));
}

void
mst_limiter_set_linked (MstLimiter * lim, int linked)
{
  lim->linked = linked != 0;
}

double
mst_limiter_gain (const MstLimiter * lim)
{
  return lim->last_gain;
}

double
mst_limiter_take_min_gain (MstLimiter * lim)
{
  double m = lim->min_gain;

  lim->min_gain = lim->last_gain;
  return m;
}

uint64_t
mst_limiter_safety_clips (const MstLimiter * lim)
{
  return lim->clips;
}

uint64_t
mst_limiter_nonfinite (const MstLimiter * lim)
{
  return lim->nonfinite;
}

/* ---- gain computer (block rate) -------------------------------------- */

/* Block `lim->block` is complete with envelope peak p for group g:
 * push its R, compute knot k = block - nb - E. */
static void
group_block_done (MstLimiter * lim, Group * g, float p, double ceil_eff)
{
  const int64_t j = lim->block;
  const int64_t k = j - lim->nb - lim->E;
  float r = p > ceil_eff ? (float) (ceil_eff / p) : 1.0f;
  double m, s;
  unsigned back;

  /* sliding minimum over the last W blocks */
  g->r[j & lim->rmask] = r;
  while (g->dq_len > 0) {
    back = (g->dq_head + g->dq_len - 1) & lim->rmask;
    if (g->r[g->dq[back] & lim->rmask] >= r)
      g->dq_len--;
    else
      break;
  }
  g->dq[(g->dq_head + g->dq_len) & lim->rmask] = j;
  g->dq_len++;
  while (g->dq[g->dq_head] <= j - (int64_t) lim->W) {
    g->dq_head = (g->dq_head + 1) & lim->rmask;
    g->dq_len--;
  }
  m = g->r[g->dq[g->dq_head] & lim->rmask];
  /* blocks before the start count as R = 1: nothing to do, m <= 1 */

  /* release, then the attack mean */
  s = g->s + (1.0 - g->s) * lim->alpha;
  if (m < s)
    s = m;
  g->s = s;
  g->sum += s - g->sbox[g->sbox_pos];
  g->sbox[g->sbox_pos] = s;
  if (++g->sbox_pos == lim->nb) {
    unsigned i;
    double sum = 0.0;

    /* re-sum exactly once per lap: no drift */
    g->sbox_pos = 0;
    for (i = 0; i < lim->nb; i++)
      sum += g->sbox[i];
    g->sum = sum;
  }
  /* the mean may round above its largest term by an ulp: clamp to it is
   * unnecessary as MARGIN covers it */
  g->g[k & lim->gmask] = (float) (g->sum / lim->nb);
}

static void
blocks_from_env (MstLimiter * lim, size_t n)
{
  const unsigned C = lim->channels;
  size_t pos = 0;
  unsigned c;

  while (pos < n) {
    size_t m = lim->B - lim->fill;
    size_t i;

    if (m > n - pos)
      m = n - pos;
    for (c = 0; c < C; c++) {
      const float *e = lim->env + (size_t) c * CHUNK + pos;
      float p = lim->grp[c].pacc;
      uint32_t u = 0, v;

      /* the envelope is >= 0 (and not NaN): its bit patterns order like
       * the values, and an integer max vectorises */
      for (i = 0; i < m; i++) {
        memcpy (&v, &e[i], sizeof v);
        u = v > u ? v : u;
      }
      memcpy (&v, &p, sizeof v);
      u = v > u ? v : u;
      memcpy (&p, &u, sizeof p);
      lim->grp[c].pacc = p;
    }
    lim->fill += (unsigned) m;
    pos += m;

    if (lim->fill == lim->B) {
      const double ceil_eff = lim->block_ceil * MARGIN;
      const int64_t k = lim->block - lim->nb - lim->E;
      float lp = 0.0f, gmin, gmax;

      lim->ceil_ring[lim->block & lim->gmask] = lim->block_ceil;
      if (lim->linked)
        for (c = 0; c < C; c++)
          lp = lim->grp[c].pacc > lp ? lim->grp[c].pacc : lp;
      gmin = 1.0f;
      gmax = 0.0f;
      for (c = 0; c < C; c++) {
        Group *g = &lim->grp[c];

        group_block_done (lim, g, lim->linked ? lp : g->pacc, ceil_eff);
        g->pacc = 0.0f;
        if (g->g[k & lim->gmask] < gmin)
          gmin = g->g[k & lim->gmask];
        if (g->g[k & lim->gmask] > gmax)
          gmax = g->g[k & lim->gmask];
      }
      lim->gl[k & lim->gmask] = gmin;
      /* a linked knot: linked, and every group agrees (they do from reset
       * on, as they see the same peaks; after a switch from unlinked they
       * converge within the look-ahead window and release, and until then
       * each channel keeps its own knots, which ramp smoothly to the
       * linked gain instead of stepping to the minimum) */
      lim->lk[k & lim->gmask] = lim->linked && gmin == gmax;
      lim->block++;
      lim->fill = 0;
      lim->block_ceil = (float) lim->ceiling;
    }
  }
}

static inline int64_t
block_of (const MstLimiter * lim, int64_t a)
{
  return a >= 0 ? a / lim->B : -((-a + lim->B - 1) / lim->B);
}

/* Whether every knot read by the output of aligned samples a0 .. a0 + n - 1
 * is a linked one (see lk): then the linked knots alone give the gain, one
 * per frame.  Otherwise the gain comes from each channel's own knots. */
static int
chunk_linked (const MstLimiter * lim, int64_t a0, size_t n)
{
  int64_t b, b1 = block_of (lim, a0 + (int64_t) n - 1) + 1;

  for (b = block_of (lim, a0); b <= b1; b++)
    if (!lim->lk[b & lim->gmask])
      return 0;
  return 1;
}

/* Gain ramp for aligned samples a0 .. a0 + n - 1 from knot ring kr into
 * g[i * stride]; n does not cross a block boundary. */
static inline void
fill_ramp (const MstLimiter * lim, const float *kr, int64_t a0, size_t n,
    float *g, size_t stride)
{
  int64_t b = block_of (lim, a0);
  double g0 = kr[b & lim->gmask];
  double g1 = kr[(b + 1) & lim->gmask];
  double step = (g1 - g0) / lim->B;
  double off = (double) (a0 - b * (int64_t) lim->B);
  size_t i;

  if (g0 == g1) {
    float v = (float) g0;

    for (i = 0; i < n; i++)
      g[i * stride] = v;
  } else {
    for (i = 0; i < n; i++)
      g[i * stride] = (float) (g0 + step * (off + (double) i));
  }
}

static inline float
ceil_of (const MstLimiter * lim, int64_t a)
{
  int64_t b = a >= 0 ? a / lim->B : -((-a + lim->B - 1) / lim->B);

  return lim->ceil_ring[b & lim->gmask];
}

/* Aligned index of the first frame of the next output segment that stays
 * in one block, and its length (<= left). */
static inline size_t
seg_len (const MstLimiter * lim, int64_t a, size_t left)
{
  int64_t r = a % (int64_t) lim->B;
  size_t m;

  if (r < 0)
    r += lim->B;
  m = lim->B - (size_t) r;
  return m < left ? m : left;
}

/* Per-format bodies: ingest (sanitize, input gain, delay line, planar
 * copy for the detector) and output (gain from the knots, safety clamp).
 * ingest_part: n frames to contiguous delay-line memory w and to the
 * planar scratch pl (stride CHUNK); C is a literal where it matters so
 * that the compiler can specialise the loop. */
#define DEFINE_PROCESS(fmt, T, ABS)                                           \
static inline size_t                                                          \
ingest_part_##fmt (const T * in, T * w, float *pl, size_t n,                  \
    const unsigned C, const T g)                                              \
{                                                                             \
  size_t bad = 0, i;                                                          \
  unsigned c;                                                                 \
                                                                              \
  if (g == (T) 1) {                                                           \
    for (i = 0; i < n; i++) {                                                 \
      for (c = 0; c < C; c++) {                                               \
        T v = in[i * C + c];                                                  \
        int ok = ABS (v) <= (T) FLT_MAX;                                      \
                                                                              \
        bad += !ok;                                                           \
        v = ok ? v : (T) 0;                                                   \
        w[i * C + c] = v;                                                     \
        pl[(size_t) c * CHUNK + i] = (float) v;                               \
      }                                                                       \
    }                                                                         \
  } else {                                                                    \
    for (i = 0; i < n; i++) {                                                 \
      for (c = 0; c < C; c++) {                                               \
        T v = in[i * C + c] * g;                                              \
        int ok = ABS (v) <= (T) FLT_MAX;                                      \
                                                                              \
        bad += !ok;                                                           \
        v = ok ? v : (T) 0;                                                   \
        w[i * C + c] = v;                                                     \
        pl[(size_t) c * CHUNK + i] = (float) v;                               \
      }                                                                       \
    }                                                                         \
  }                                                                           \
  return bad;                                                                 \
}                                                                             \
                                                                              \
static size_t                                                                 \
ingest_##fmt (MstLimiter * lim, const T * in, size_t n)                       \
{                                                                             \
  const unsigned C = lim->channels;                                           \
  T *ring = (T *) lim->ring;                                                  \
  size_t bad = 0, i, done = 0;                                                \
  unsigned c;                                                                 \
                                                                              \
  if (lim->gain_left > 0 || !in) {                                            \
    /* input-gain ramp (or silence): frame by frame */                        \
    for (i = 0; i < n; i++) {                                                 \
      T *w = ring + ((size_t) (lim->feed + i) & lim->ring_mask) * C;          \
      double g = lim->gain_cur;                                               \
                                                                              \
      if (lim->gain_left > 0) {                                               \
        lim->gain_cur += lim->gain_step;                                      \
        if (--lim->gain_left == 0)                                            \
          lim->gain_cur = lim->gain_target;                                   \
        g = lim->gain_cur;                                                    \
      }                                                                       \
      for (c = 0; c < C; c++) {                                               \
        T v = in ? (T) (in[i * C + c] * g) : (T) 0;                           \
                                                                              \
        /* NaN, Inf (or beyond float range after the gain): silence */        \
        if (!(ABS (v) <= (T) FLT_MAX)) {                                      \
          v = 0;                                                              \
          bad++;                                                              \
        }                                                                     \
        w[c] = v;                                                             \
        lim->planar[(size_t) c * CHUNK + i] = (float) v;                      \
      }                                                                       \
    }                                                                         \
    return bad;                                                               \
  }                                                                           \
                                                                              \
  while (done < n) {                                                          \
    size_t wpos = (size_t) (lim->feed + done) & lim->ring_mask;               \
    size_t m = lim->ring_frames - wpos;                                       \
    const T g = (T) lim->gain_cur;                                            \
    const T *src = in + done * C;                                             \
    T *w = ring + wpos * C;                                                   \
    float *pl = lim->planar + done;                                           \
                                                                              \
    if (m > n - done)                                                         \
      m = n - done;                                                           \
    if (C == 2)                                                               \
      bad += ingest_part_##fmt (src, w, pl, m, 2, g);                         \
    else if (C == 1)                                                          \
      bad += ingest_part_##fmt (src, w, pl, m, 1, g);                         \
    else                                                                      \
      bad += ingest_part_##fmt (src, w, pl, m, C, g);                         \
    done += m;                                                                \
  }                                                                           \
  return bad;                                                                 \
}                                                                             \
                                                                              \
static void                                                                   \
output_##fmt (MstLimiter * lim, int64_t feed0, T * out, size_t n)             \
{                                                                             \
  const unsigned C = lim->channels;                                           \
  const T *ring = (const T *) lim->ring;                                      \
  size_t done, rpos, m1, i;                                                   \
  float minceil = INFINITY;                                                   \
  T peak = 0;                                                                 \
  unsigned c;                                                                 \
                                                                              \
  /* 1: the gain of every output frame, linear between knots */              \
  lim->out_linked = chunk_linked (lim, feed0 - (int64_t) lim->dq, n);         \
  for (done = 0; done < n;) {                                                 \
    int64_t a = feed0 + (int64_t) done - (int64_t) lim->dq;                   \
    size_t m = seg_len (lim, a, n - done);                                    \
    float cb = ceil_of (lim, a);                                              \
                                                                              \
    minceil = cb < minceil ? cb : minceil;                                    \
    if (lim->out_linked) {                                                    \
      float *g = lim->gain + done;                                            \
                                                                              \
      fill_ramp (lim, lim->gl, a, m, g, 1);                                   \
      lim->last_gain = g[m - 1];                                              \
      if (g[0] < lim->min_gain)                                               \
        lim->min_gain = g[0];                                                 \
      if (g[m - 1] < lim->min_gain)                                           \
        lim->min_gain = g[m - 1];                                             \
    } else {                                                                  \
      float lg = 1.0f;                                                        \
      float *g = lim->gain + done * C;                                        \
                                                                              \
      for (c = 0; c < C; c++) {                                               \
        fill_ramp (lim, lim->grp[c].g, a, m, g + c, C);                       \
        if (g[c] < lim->min_gain)                                             \
          lim->min_gain = g[c];                                               \
        if (g[(m - 1) * C + c] < lg)                                          \
          lg = g[(m - 1) * C + c];                                            \
      }                                                                       \
      lim->last_gain = lg;                                                    \
      if (lg < lim->min_gain)                                                 \
        lim->min_gain = lg;                                                   \
    }                                                                         \
    done += m;                                                                \
  }                                                                           \
                                                                              \
  /* 2: delayed audio times gain; the delay-line read may wrap once */        \
  rpos = (size_t) (feed0 - (int64_t) lim->latency) & lim->ring_mask;          \
  m1 = lim->ring_frames - rpos;                                               \
  if (m1 > n)                                                                 \
    m1 = n;                                                                   \
  apply_##fmt (lim, out, ring + rpos * C, lim->gain, m1);                     \
  if (m1 < n)                                                                 \
    apply_##fmt (lim, out + m1 * C, ring, lim->gain + (lim->out_linked ? m1 : \
            m1 * C), n - m1);                                                 \
                                                                              \
  /* 3: safety stage, per block (each has its own ceiling) */                 \
  peak = peak_##fmt (out, n * C);                                             \
  if (peak <= (T) minceil)                                                    \
    return;                                                                   \
  for (done = 0; done < n;) {                                                 \
    int64_t a = feed0 + (int64_t) done - (int64_t) lim->dq;                   \
    size_t m = seg_len (lim, a, n - done);                                    \
    const T lc = (T) ceil_of (lim, a);                                        \
    T *o = out + done * C;                                                    \
                                                                              \
    for (i = 0; i < m * C; i++) {                                             \
      if (o[i] > lc) {                                                        \
        o[i] = lc;                                                            \
        lim->clips++;                                                         \
      } else if (o[i] < -lc) {                                                \
        o[i] = -lc;                                                           \
        lim->clips++;                                                         \
      }                                                                       \
    }                                                                         \
    done += m;                                                                \
  }                                                                           \
}                                                                             \
                                                                              \
size_t                                                                        \
mst_limiter_process_##fmt (MstLimiter * lim, const T * in, T * out,           \
    size_t n_frames)                                                          \
{                                                                             \
  const unsigned C = lim->channels;                                           \
  size_t bad = 0;                                                             \
                                                                              \
  while (n_frames > 0) {                                                      \
    size_t n = n_frames < CHUNK ? n_frames : CHUNK;                           \
    float floor_ = (float) (lim->ceiling * MARGIN);                           \
    int64_t feed0 = lim->feed;                                                \
    unsigned c;                                                               \
                                                                              \
    bad += ingest_##fmt (lim, in, n);                                         \
    for (c = 0; c < C; c++)                                                   \
      mst_true_peak_process_env (lim->tp, c, lim->planar + (size_t) c * CHUNK,\
          lim->env + (size_t) c * CHUNK, n, floor_);                          \
    lim->feed += n;                                                           \
    blocks_from_env (lim, n);                                                 \
    output_##fmt (lim, feed0, out, n);                                        \
    if (in)                                                                   \
      in += n * C;                                                            \
    out += n * C;                                                             \
    n_frames -= n;                                                            \
  }                                                                           \
  lim->nonfinite += bad;                                                      \
  return bad;                                                                 \
}

/* Largest |x| (x finite): on the bit patterns with the sign cleared,
 * which order like the magnitudes and make an integer max that the
 * compiler vectorises. */
static inline float
peak_f32 (const float *x, size_t n)
{
  uint32_t u = 0, v;
  float r;
  size_t i;

  for (i = 0; i < n; i++) {
    memcpy (&v, &x[i], sizeof v);
    v &= 0x7fffffffu;
    u = v > u ? v : u;
  }
  memcpy (&r, &u, sizeof r);
  return r;
}

static inline double
peak_f64 (const double *x, size_t n)
{
  uint64_t u = 0, v;
  double r;
  size_t i;

  for (i = 0; i < n; i++) {
    memcpy (&v, &x[i], sizeof v);
    v &= UINT64_C (0x7fffffffffffffff);
    u = v > u ? v : u;
  }
  memcpy (&r, &u, sizeof r);
  return r;
}

/* out = in * gain per frame (linked: one gain per frame; unlinked: one
 * per sample, interleaved) */
static inline void
apply_f32 (const MstLimiter * lim, float *o, const float *s, float *g,
    size_t m)
{
  const unsigned C = lim->channels;
  size_t i;
  unsigned c;

  if (!lim->out_linked) {
    truepeaklimiter_orc_apply_gain_f32_1ch (o, s, g, (int) (m * C));
  } else if (C == 1) {
    truepeaklimiter_orc_apply_gain_f32_1ch (o, s, g, (int) m);
  } else if (C == 2) {
    truepeaklimiter_orc_apply_gain_f32_2ch (o, s, g, (int) m);
  } else {
    for (i = 0; i < m; i++)
      for (c = 0; c < C; c++)
        o[i * C + c] = s[i * C + c] * g[i];
  }
}

static inline void
apply_f64 (const MstLimiter * lim, double *o, const double *s, float *g,
    size_t m)
{
  const unsigned C = lim->channels;
  size_t i;
  unsigned c;

  if (!lim->out_linked) {
    truepeaklimiter_orc_apply_gain_f64_1ch (o, s, g, (int) (m * C));
  } else if (C == 1) {
    truepeaklimiter_orc_apply_gain_f64_1ch (o, s, g, (int) m);
  } else {
    for (i = 0; i < m; i++)
      for (c = 0; c < C; c++)
        o[i * C + c] = s[i * C + c] * (double) g[i];
  }
}

DEFINE_PROCESS (f32, float, fabsf)
DEFINE_PROCESS (f64, double, fabs)
