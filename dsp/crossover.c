/* gst-mastering — Linkwitz-Riley band splitter (see crossover.h)
 *
 * Layout.  Every band of every channel is one "lane" with its own chain of
 * D = 2 (bands - 1) second-order sections (the shared low-frequency part
 * of the chains is computed once per lane rather than shared: that costs
 * nothing measurable, because a recursive section is bound by the latency
 * of its own feedback, not by the arithmetic, and it makes every section
 * level a plain loop over independent lanes that the compiler turns into
 * SIMD).  Chain of band k (edges e = 1 .. N-1, f_1 < .. < f_N-1):
 *
 *   HP_1 HP_1 .. HP_k HP_k  LP_k+1 LP_k+1  AP_k+2 .. AP_N-1  identity..
 *
 * (the last band has no LP; identity sections pad every chain to D).
 * Level l of all lanes is run over a chunk of frames in place before
 * level l + 1, two levels at a time with the second one sample behind the
 * first, so that two independent recursions overlap.
 *
 * State (all double, per level l and lane j):
 *   b0, b1, b2, a1, a2   transposed direct form II coefficients (a0 = 1)
 *   z1, z2               its two state variables (signal units)
 * Per edge: freq (Hz, current, gliding), target (Hz), primed (target set
 * since new: the first set jumps).
 */
#include "crossover.h"
#include "biquad.h"
#include "simd.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define MAX_LANES 16            /* 6 bands x 2 channels, padded to 8 */
#define MAX_LEVELS (2 * (MST_CROSSOVER_MAX_BANDS - 1))
/* frames between coefficient updates of a glide */
#define GLIDE_BLOCK 32
#define GLIDE_MS 20.0
/* frames per pass through the levels when nothing glides */
#define CHUNK 256

enum
{ SEC_ID, SEC_LP, SEC_HP, SEC_AP };

typedef struct
{
  double b0[MAX_LANES], b1[MAX_LANES], b2[MAX_LANES];
  double a1[MAX_LANES], a2[MAX_LANES];
  double z1[MAX_LANES], z2[MAX_LANES];
  /* what each lane's section is (per band: channels share it) */
  unsigned char kind[MST_CROSSOVER_MAX_BANDS];
  unsigned char edge[MST_CROSSOVER_MAX_BANDS];
} Level;

struct MstCrossover
{
  unsigned rate, channels, bands, stride, levels;
  double freq[MST_CROSSOVER_MAX_BANDS - 1];
  double target[MST_CROSSOVER_MAX_BANDS - 1];
  int primed[MST_CROSSOVER_MAX_BANDS - 1];
  double glide;                 /* one-pole coefficient per GLIDE_BLOCK */
  unsigned glide_pos;           /* frames since the last coefficient update */
  Level lv[MAX_LEVELS];
};

/* Second-order Butterworth (Q = 1/sqrt 2) low-, high- and all-pass with
 * the same poles: the biquad unit's bilinear designs, pre-warped at f
 * (its matched designs would not be exact complements). */
static void
design (int kind, double f, double rate, double c[5])
{
  static const MstBiquadType type[] = {
    [SEC_LP] = MST_BIQUAD_LOW_PASS,
    [SEC_HP] = MST_BIQUAD_HIGH_PASS,
    [SEC_AP] = MST_BIQUAD_ALL_PASS,
  };
  MstBiquadCoefs k;

  if (kind == SEC_ID)
    mst_biquad_identity (&k);
  else
    mst_biquad_design (&k, type[kind], MST_BIQUAD_BILINEAR, rate, f, 0.0,
        1.0 / sqrt (2.0));
  c[0] = k.b0;
  c[1] = k.b1;
  c[2] = k.b2;
  c[3] = k.a1;
  c[4] = k.a2;
}

/* Recomputes the coefficients of every section that uses `edge` (or all
 * sections for edge < 0). */
static void
update_coefs (MstCrossover * xo, int edge)
{
  unsigned l, b, c;

  for (l = 0; l < xo->levels; l++) {
    Level *lv = &xo->lv[l];

    for (b = 0; b < xo->bands; b++) {
      double k[5];

      if (edge >= 0 && (lv->kind[b] == SEC_ID || lv->edge[b] != edge))
        continue;
      design (lv->kind[b], xo->freq[lv->edge[b]], xo->rate, k);
      for (c = 0; c < xo->channels; c++) {
        unsigned j = b * xo->channels + c;

        lv->b0[j] = k[0];
        lv->b1[j] = k[1];
        lv->b2[j] = k[2];
        lv->a1[j] = k[3];
        lv->a2[j] = k[4];
      }
    }
  }
}

static void
put_section (MstCrossover * xo, unsigned level, unsigned band, int kind,
    unsigned edge)
{
  if (level < MAX_LEVELS && band < MST_CROSSOVER_MAX_BANDS) {
    xo->lv[level].kind[band] = (unsigned char) kind;
    xo->lv[level].edge[band] = (unsigned char) edge;
  }
}

static void
build_chains (MstCrossover * xo)
{
  unsigned b, l, e, n = xo->bands;

  for (l = 0; l < MAX_LEVELS; l++) {
    Level *lv = &xo->lv[l];

    for (b = 0; b < MST_CROSSOVER_MAX_BANDS; b++) {
      lv->kind[b] = SEC_ID;
      lv->edge[b] = 0;
    }
    for (b = 0; b < MAX_LANES; b++) {
      lv->b0[b] = 1.0;
      lv->b1[b] = lv->b2[b] = lv->a1[b] = lv->a2[b] = 0.0;
    }
  }
  for (b = 0; b < n; b++) {
    l = 0;
    for (e = 0; e < b; e++) {   /* high-passes of the splits below */
      put_section (xo, l++, b, SEC_HP, e);
      put_section (xo, l++, b, SEC_HP, e);
    }
    if (b + 1 < n) {            /* its own upper edge */
      put_section (xo, l++, b, SEC_LP, b);
      put_section (xo, l++, b, SEC_LP, b);
    }
    for (e = b + 1; e + 1 < n; e++)     /* compensation of the splits above */
      put_section (xo, l++, b, SEC_AP, e);
  }
}

void
mst_crossover_reset (MstCrossover * xo)
{
  unsigned l, e;

  for (l = 0; l < MAX_LEVELS; l++) {
    memset (xo->lv[l].z1, 0, sizeof xo->lv[l].z1);
    memset (xo->lv[l].z2, 0, sizeof xo->lv[l].z2);
  }
  for (e = 0; e + 1 < xo->bands; e++)
    xo->freq[e] = xo->target[e];
  xo->glide_pos = 0;
  update_coefs (xo, -1);
}

MstCrossover *
mst_crossover_new (unsigned rate, unsigned channels, unsigned bands)
{
  MstCrossover *xo;
  unsigned e;

  if (rate < MST_RATE_MIN || rate > MST_RATE_MAX || channels < 1
      || channels > MST_CROSSOVER_MAX_CHANNELS || bands < 1
      || bands > MST_CROSSOVER_MAX_BANDS)
    return NULL;
  xo = calloc (1, sizeof *xo);
  if (!xo)
    return NULL;
  xo->rate = rate;
  xo->channels = channels;
  xo->bands = bands;
  /* whole vectors of 4 or 8 doubles */
  xo->stride = bands * channels <= 4 ? 4 : (bands * channels + 7) / 8 * 8;
  xo->levels = 2 * (bands - 1);
  xo->glide = mst_one_pole_coef (GLIDE_MS, rate, GLIDE_BLOCK);
  for (e = 0; e + 1 < bands; e++) {
    double f = 120.0 * pow (8000.0 / 120.0, (e + 1.0) / bands);

    xo->target[e] = mst_clamp (f, MST_CROSSOVER_MIN_FREQ,
        MST_CROSSOVER_MAX_FREQ_RATIO * rate);
  }
  build_chains (xo);
  mst_crossover_reset (xo);
  return xo;
}

void
mst_crossover_free (MstCrossover * xo)
{
  free (xo);
}

unsigned
mst_crossover_bands (const MstCrossover * xo)
{
  return xo->bands;
}

unsigned
mst_crossover_channels (const MstCrossover * xo)
{
  return xo->channels;
}

unsigned
mst_crossover_stride (const MstCrossover * xo)
{
  return xo->stride;
}

void
mst_crossover_set_frequency (MstCrossover * xo, unsigned edge, double hz)
{
  if (edge + 1 >= xo->bands || isnan (hz))
    return;
  xo->target[edge] = mst_clamp (hz, MST_CROSSOVER_MIN_FREQ,
      MST_CROSSOVER_MAX_FREQ_RATIO * xo->rate);
  if (!xo->primed[edge]) {
    xo->primed[edge] = 1;
    xo->freq[edge] = xo->target[edge];
    update_coefs (xo, (int) edge);
  }
}

double
mst_crossover_get_frequency (const MstCrossover * xo, unsigned edge)
{
  return edge + 1 < xo->bands ? xo->target[edge] : 0.0;
}

static int
gliding (const MstCrossover * xo)
{
  unsigned e;

  for (e = 0; e + 1 < xo->bands; e++)
    if (xo->freq[e] != xo->target[e])
      return 1;
  return 0;
}

/* One step of every glide that has not arrived. */
static void
glide_step (MstCrossover * xo)
{
  unsigned e;

  for (e = 0; e + 1 < xo->bands; e++) {
    double r;

    if (xo->freq[e] == xo->target[e])
      continue;
    r = xo->target[e] / xo->freq[e];
    if (fabs (r - 1.0) < 1e-6)
      xo->freq[e] = xo->target[e];
    else
      xo->freq[e] *= pow (r, xo->glide);
    update_coefs (xo, (int) e);
  }
}

/* The section recursions are latency-bound: let the compiler fuse
 * multiply-adds (ISO C mode would forbid it), which shortens the feedback
 * path y -> z1 -> y to two fused operations. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC push_options
#pragma GCC optimize ("fp-contract=fast")
#endif

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) \
    && defined(__ELF__)
#define XO_CLONES __attribute__((target_clones ("arch=x86-64-v4", \
        "arch=x86-64-v3", "default")))
#else
#define XO_CLONES
#endif

typedef double v4d __attribute__((vector_size (32)));
typedef double v8d __attribute__((vector_size (64)));

#define VEC v4d
#define W 4
#define RUN_SKEW run_skew_4
#include "crossover-kernel.h"
#undef VEC
#undef W
#undef RUN_SKEW

#define VEC v8d
#define W 8
#define RUN_SKEW run_skew_8
#include "crossover-kernel.h"
#undef VEC
#undef W
#undef RUN_SKEW

/* Copies each input frame into every lane of its channel (padding lanes
 * too: they run through identity sections and nobody reads them), then
 * runs the levels two at a time. */
#define DEFINE_RUN(L, RUNP, WP)                                           \
static XO_CLONES void                                                     \
run_levels_##L (const double *in, double *buf, size_t n, unsigned C,      \
    Level * lv, unsigned levels)                                          \
{                                                                         \
  size_t t;                                                               \
  unsigned l, j;                                                          \
  if (C == 2)                                                             \
    for (t = 0; t < n; t++)                                               \
      for (j = 0; j < L; j++)                                             \
        buf[t * L + j] = in[2 * t + (j & 1)];                             \
  else                                                                    \
    for (t = 0; t < n; t++)                                               \
      for (j = 0; j < L; j++)                                             \
        buf[t * L + j] = in[t];                                           \
  for (l = 0; l < levels;)                                                \
    if (levels - l >= 3 && levels - l != 4) {                             \
      RUNP (buf, n, &lv[l], 3, L / WP);                                   \
      l += 3;                                                             \
    } else {                                                              \
      RUNP (buf, n, &lv[l], 2, L / WP);                                   \
      l += 2;                                                             \
    }                                                                     \
}
DEFINE_RUN (4, run_skew_4, 4)
DEFINE_RUN (8, run_skew_8, 8)
DEFINE_RUN (16, run_skew_8, 8)
#undef DEFINE_RUN

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC pop_options
#endif

void
mst_crossover_matrix (MstCrossover * xo, double m00, double m01, double m10,
    double m11)
{
  unsigned l, b;

  if (xo->channels != 2)
    return;
  for (l = 0; l < xo->levels; l++)
    for (b = 0; b < xo->bands; b++) {
      double *z[2] = { xo->lv[l].z1, xo->lv[l].z2 };
      unsigned i;

      for (i = 0; i < 2; i++) {
        double x0 = z[i][2 * b], x1 = z[i][2 * b + 1];

        z[i][2 * b] = m00 * x0 + m01 * x1;
        z[i][2 * b + 1] = m10 * x0 + m11 * x1;
      }
    }
}

/* a section ringing out into silence would otherwise go denormal */
static void
flush_state (MstCrossover * xo)
{
  unsigned l, j;

  for (l = 0; l < xo->levels; l++)
    for (j = 0; j < xo->stride; j++) {
      xo->lv[l].z1[j] = mst_flush_denormal (xo->lv[l].z1[j]);
      xo->lv[l].z2[j] = mst_flush_denormal (xo->lv[l].z2[j]);
    }
}

void
mst_crossover_process (MstCrossover * xo, const double *in, double *out,
    size_t n_frames)
{
  const unsigned C = xo->channels, S = xo->stride;

  while (n_frames > 0) {
    size_t n = gliding (xo) ? GLIDE_BLOCK - xo->glide_pos : CHUNK;

    if (n > n_frames)
      n = n_frames;
    if (S == 4)
      run_levels_4 (in, out, n, C, xo->lv, xo->levels);
    else if (S == 8)
      run_levels_8 (in, out, n, C, xo->lv, xo->levels);
    else
      run_levels_16 (in, out, n, C, xo->lv, xo->levels);
    flush_state (xo);
    if (gliding (xo)) {
      xo->glide_pos += n;
      if (xo->glide_pos >= GLIDE_BLOCK) {
        xo->glide_pos = 0;
        glide_step (xo);
      }
    }
    in += n * C;
    out += n * S;
    n_frames -= n;
  }
}
