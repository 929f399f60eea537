/* gst-mastering — multiband feed-forward compressor core (see
 * compressor.h)
 *
 * Lanes: the crossover's output layout, lane j = band * channels + lane
 * of that band (left/right or mid/side), stride S doubles per frame.
 *
 * State per lane j (units):
 *   pk_acc, ms_acc     largest |x| and sum of x^2 of the block being filled
 *   pk_ring, ms_ring   those of the last RING blocks (linear, power sum)
 *   ms_sum             sum of ms_ring over the band's rms window
 *   gs                 smoothed gain computer output, dB (<= 0): the
 *                      band's envelope follower (dsp/envelope.h), one
 *                      channel per lane, updated once per block
 *   g_from, g_to       linear gain at the start and end of the block
 *                      being output, gain = their linear ramp
 *   red_max            largest reduction since take_reduction, dB
 * Per band: parameters (dB, ratio, coefficients per block), detector
 * windows in blocks (k_pk, k_ms), and the glides makeup_s (dB), amt
 * (1 = compressing, 0 = bypassed), weight (1 = in the sum, 0 = muted).
 * Shared: ring position, frames into the current block (fill), output
 * gain glide out_s (dB), lookahead delay line of band frames.
 */
#include "compressor.h"
#include "envelope.h"
#include "simd.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define MAX_LANES 16            /* the crossover's largest stride */
#define RING 128                /* blocks of detector history (power of 2) */
#define CHUNK 256               /* frames per pass through the crossover */
#define GLIDE_MS 10.0           /* makeup, output gain, bypass/mute/solo */
#define MAX_WINDOW_S 0.05       /* longest rms window */
#define LOWEST_EDGE_HZ 20.0     /* lower edge assumed for the lowest band */
#define MIN_RMS_BLOCKS 4        /* shortest rms window (2.7 ms at 48 kHz) */
#define SILENCE 1e-30           /* detector floor (linear) */
/* dB per neper: 10 / ln 10 for power, 20 / ln 10 for amplitude (exp and
 * log are cheaper than pow and log10 in the per-block gain computer) */
#define DB_PER_LN_POWER 4.3429448190325182
#define DB_PER_LN_AMPLITUDE 8.6858896380650365

typedef struct
{
  double threshold, ratio, knee, attack_ms, release_ms, makeup;
  double knee_power;            /* power where the knee starts (linear) */
  MstEnvelope *env;             /* gs per lane: attack/release in dB */
  int detection, bypass, solo, mute;
  unsigned k_pk, k_ms;          /* detector windows, blocks */
  double makeup_s, amt, weight; /* glides */
} Band;

struct MstCompressor
{
  unsigned rate, channels, bands, stride, block, latency;
  int mode;
  double out_gain, out_s;       /* dB: target, glide */
  double a_glide;               /* glide coefficient per block */
  MstCrossover *xo;

  /* per lane */
  double pk_acc[MAX_LANES], ms_acc[MAX_LANES], ms_sum[MAX_LANES];
  double g_from[MAX_LANES], g_to[MAX_LANES];
  double red_max[MAX_LANES];
  float (*pk_ring)[RING], (*ms_ring)[RING];
  unsigned rpos, fill, blocks_since_sum;

  Band band[MST_COMPRESSOR_MAX_BANDS];

  /* lookahead: ring of latency frames of S doubles */
  double *delay;
  size_t dpos;

  /* scratch: CHUNK frames of input (channels) and bands (stride) */
  double *x, *bands_buf;
  uint64_t nonfinite;
};

static unsigned
block_for_rate (unsigned rate)
{
  double l = log2 (rate / 1500.0);
  int k = (int) floor (l + 0.5);

  if (k < 3)
    k = 3;
  return 1u << k;
}

static void set_coefs (MstCompressor * c, Band * bd);

/* Detector windows of band b from its lower edge. */
static void
update_windows (MstCompressor * c, unsigned b)
{
  double f = b == 0 ? LOWEST_EDGE_HZ :
      mst_crossover_get_frequency (c->xo, b - 1);
  double pk = c->rate / (2.0 * f), ms = c->rate / (2.0 * f);
  unsigned k;

  if (ms > MAX_WINDOW_S * c->rate)
    ms = MAX_WINDOW_S * c->rate;
  k = (unsigned) ceil (pk / c->block);
  c->band[b].k_pk = k < 1 ? 1 : (k > RING - 1 ? RING - 1 : k);
  k = (unsigned) ceil (ms / c->block);
  k = k < MIN_RMS_BLOCKS ? MIN_RMS_BLOCKS : (k > RING - 1 ? RING - 1 : k);
  if (k != c->band[b].k_ms) {
    unsigned j, i;

    c->band[b].k_ms = k;
    for (j = b * c->channels; j < (b + 1) * c->channels; j++) {
      c->ms_sum[j] = 0.0;
      for (i = 0; i < k; i++)
        c->ms_sum[j] += c->ms_ring[j][(c->rpos - 1 - i) & (RING - 1)];
    }
  }
  set_coefs (c, &c->band[b]);
}

void
mst_compressor_reset (MstCompressor * c)
{
  unsigned j, b;

  mst_crossover_reset (c->xo);
  for (j = 0; j < MAX_LANES; j++) {
    c->pk_acc[j] = c->ms_acc[j] = c->ms_sum[j] = 0.0;
    c->red_max[j] = 0.0;
  }
  memset (c->pk_ring, 0, sizeof (float) * RING * c->stride);
  memset (c->ms_ring, 0, sizeof (float) * RING * c->stride);
  c->rpos = c->fill = c->blocks_since_sum = 0;
  c->out_s = c->out_gain;
  for (b = 0; b < c->bands; b++) {
    Band *bd = &c->band[b];
    int audible = !bd->mute;
    unsigned k;

    mst_envelope_reset (bd->env, 0.0);
    for (k = 0; k < c->bands; k++)
      if (c->band[k].solo)
        audible = audible && bd->solo;
    bd->makeup_s = bd->makeup;
    bd->amt = bd->bypass ? 0.0 : 1.0;
    bd->weight = audible ? 1.0 : 0.0;
  }
  for (j = 0; j < c->stride; j++) {
    b = j / c->channels;
    if (b < c->bands) {
      Band *bd = &c->band[b];
      double g = bd->weight * (1.0 + bd->amt * (mst_db_to_lin (bd->makeup_s)
              - 1.0)) * mst_db_to_lin (c->out_s);

      c->g_from[j] = c->g_to[j] = g;
    } else {
      c->g_from[j] = c->g_to[j] = 0.0;
    }
  }
  if (c->delay)
    memset (c->delay, 0, sizeof (double) * c->latency * c->stride);
  c->dpos = 0;
  c->nonfinite = 0;
}

/* One-pole coefficients per block.  The detector window delays the level
 * the gain computer sees (peak: the hold, on the way down; rms: the
 * boxcar's group delay of half its window, both ways) and the gain knots
 * trail the detector by about a block; the one-poles run with time
 * constants shortened by those delays so that the gain still covers 63 %
 * of a level step's change in the set attack and release times (down to
 * a tenth of the set time: shorter times than the window allows are
 * not reachable). */
static void
set_coefs (MstCompressor * c, Band * bd)
{
  double blk = 1000.0 * c->block / c->rate;     /* ms */
  double d_att, d_rel, att, rel;

  if (bd->detection == MST_COMPRESSOR_PEAK) {
    d_att = blk;
    d_rel = bd->k_pk * blk;
  } else {
    d_att = blk + 0.25 * bd->k_ms * blk;
    d_rel = 0.8 * bd->k_ms * blk;
  }
  att = fmax (bd->attack_ms - d_att, 0.1 * bd->attack_ms);
  rel = fmax (bd->release_ms - d_rel, 0.1 * bd->release_ms);
  mst_envelope_set_attack (bd->env, att);
  mst_envelope_set_release (bd->env, rel);
}

/* The knee starts at threshold - knee / 2 (dB); as a power, so blocks
 * below it need no log.  Slightly under, so rounding never skips a block
 * the curve would reduce. */
static void
set_knee_power (Band * bd)
{
  bd->knee_power = pow (10.0, (bd->threshold - 0.5 * bd->knee) / 10.0)
      * (1.0 - 1e-12);
}

MstCompressor *
mst_compressor_new (unsigned rate, unsigned channels, unsigned bands,
    double lookahead_ms)
{
  MstCompressor *c;
  unsigned b;

  if (rate < MST_RATE_MIN || rate > MST_RATE_MAX || channels < 1
      || channels > MST_COMPRESSOR_MAX_CHANNELS || bands < 1
      || bands > MST_COMPRESSOR_MAX_BANDS || !(lookahead_ms >= 0.0))
    return NULL;
  c = calloc (1, sizeof *c);
  if (!c)
    return NULL;
  c->rate = rate;
  c->channels = channels;
  c->bands = bands;
  c->block = block_for_rate (rate);
  c->xo = mst_crossover_new (rate, channels, bands);
  if (!c->xo)
    goto fail;
  c->stride = mst_crossover_stride (c->xo);
  if (lookahead_ms > MST_COMPRESSOR_MAX_LOOKAHEAD_MS)
    lookahead_ms = MST_COMPRESSOR_MAX_LOOKAHEAD_MS;
  c->latency = (unsigned) ceil (lookahead_ms * rate / 1000.0 / c->block
      - 1e-9) * c->block;
  c->a_glide = mst_one_pole_coef (GLIDE_MS, rate, c->block);
  c->pk_ring = calloc (c->stride, sizeof *c->pk_ring);
  c->ms_ring = calloc (c->stride, sizeof *c->ms_ring);
  c->x = malloc (sizeof (double) * CHUNK * channels);
  c->bands_buf = malloc (sizeof (double) * CHUNK * c->stride);
  if (c->latency)
    c->delay = malloc (sizeof (double) * c->latency * c->stride);
  if (!c->pk_ring || !c->ms_ring || !c->x || !c->bands_buf
      || (c->latency && !c->delay))
    goto fail;
  for (b = 0; b < bands; b++) {
    Band *bd = &c->band[b];

    bd->env = mst_envelope_new (rate, channels, c->block, MST_ENVELOPE_FALLING);
    if (!bd->env)
      goto fail;
    bd->threshold = -18.0;
    bd->ratio = 2.0;
    bd->knee = 6.0;
    bd->attack_ms = 30.0;
    bd->release_ms = 200.0;
    bd->makeup = 0.0;
    bd->detection = MST_COMPRESSOR_RMS;
    set_knee_power (bd);
    update_windows (c, b);
  }
  mst_compressor_reset (c);
  return c;

fail:
  mst_compressor_free (c);
  return NULL;
}

void
mst_compressor_free (MstCompressor * c)
{
  unsigned b;

  if (!c)
    return;
  for (b = 0; b < MST_COMPRESSOR_MAX_BANDS; b++)
    mst_envelope_free (c->band[b].env);
  mst_crossover_free (c->xo);
  free (c->pk_ring);
  free (c->ms_ring);
  free (c->x);
  free (c->bands_buf);
  free (c->delay);
  free (c);
}

unsigned
mst_compressor_bands (const MstCompressor * c)
{
  return c->bands;
}

unsigned
mst_compressor_channels (const MstCompressor * c)
{
  return c->channels;
}

unsigned
mst_compressor_block (const MstCompressor * c)
{
  return c->block;
}

unsigned
mst_compressor_latency (const MstCompressor * c)
{
  return c->latency;
}

#define BAND_OR_RETURN(c, b, v)                                           \
  if ((b) >= (c)->bands || isnan (v))                                     \
    return

void
mst_compressor_set_crossover (MstCompressor * c, unsigned b, double hz)
{
  BAND_OR_RETURN (c, b, hz);
  mst_crossover_set_frequency (c->xo, b, hz);
  if (b + 1 < c->bands)
    update_windows (c, b + 1);
}

void
mst_compressor_set_threshold (MstCompressor * c, unsigned b, double db)
{
  BAND_OR_RETURN (c, b, db);
  c->band[b].threshold = mst_clamp (db, MST_COMPRESSOR_MIN_THRESHOLD_DB,
      MST_COMPRESSOR_MAX_THRESHOLD_DB);
  set_knee_power (&c->band[b]);
}

void
mst_compressor_set_ratio (MstCompressor * c, unsigned b, double ratio)
{
  BAND_OR_RETURN (c, b, ratio);
  c->band[b].ratio = mst_clamp (ratio, MST_COMPRESSOR_MIN_RATIO,
      MST_COMPRESSOR_MAX_RATIO);
}

void
mst_compressor_set_knee (MstCompressor * c, unsigned b, double db)
{
  BAND_OR_RETURN (c, b, db);
  c->band[b].knee = mst_clamp (db, MST_COMPRESSOR_MIN_KNEE_DB,
      MST_COMPRESSOR_MAX_KNEE_DB);
  set_knee_power (&c->band[b]);
}

void
mst_compressor_set_attack (MstCompressor * c, unsigned b, double ms)
{
  BAND_OR_RETURN (c, b, ms);
  c->band[b].attack_ms = mst_clamp (ms, MST_COMPRESSOR_MIN_ATTACK_MS,
      MST_COMPRESSOR_MAX_ATTACK_MS);
  set_coefs (c, &c->band[b]);
}

void
mst_compressor_set_release (MstCompressor * c, unsigned b, double ms)
{
  BAND_OR_RETURN (c, b, ms);
  c->band[b].release_ms = mst_clamp (ms, MST_COMPRESSOR_MIN_RELEASE_MS,
      MST_COMPRESSOR_MAX_RELEASE_MS);
  set_coefs (c, &c->band[b]);
}

void
mst_compressor_set_makeup (MstCompressor * c, unsigned b, double db)
{
  BAND_OR_RETURN (c, b, db);
  c->band[b].makeup = mst_clamp (db, MST_COMPRESSOR_MIN_GAIN_DB,
      MST_COMPRESSOR_MAX_GAIN_DB);
}

void
mst_compressor_set_detection (MstCompressor * c, unsigned b,
    MstCompressorDetection det)
{
  if (b < c->bands) {
    c->band[b].detection = det == MST_COMPRESSOR_PEAK ?
        MST_COMPRESSOR_PEAK : MST_COMPRESSOR_RMS;
    set_coefs (c, &c->band[b]);
  }
}

void
mst_compressor_set_bypass (MstCompressor * c, unsigned b, int bypass)
{
  if (b < c->bands)
    c->band[b].bypass = !!bypass;
}

void
mst_compressor_set_solo (MstCompressor * c, unsigned b, int solo)
{
  if (b < c->bands)
    c->band[b].solo = !!solo;
}

void
mst_compressor_set_mute (MstCompressor * c, unsigned b, int mute)
{
  if (b < c->bands)
    c->band[b].mute = !!mute;
}

void
mst_compressor_set_output_gain (MstCompressor * c, double db)
{
  if (!isnan (db))
    c->out_gain = mst_clamp (db, MST_COMPRESSOR_MIN_GAIN_DB,
        MST_COMPRESSOR_MAX_GAIN_DB);
}

/* Turns the signal state (crossover, lookahead line) from left/right into
 * mid/side (to_ms) or back, so a mode change does not click. */
static void
matrix_state (MstCompressor * c, int to_ms)
{
  double a = to_ms ? 0.5 : 1.0;
  size_t i;
  unsigned b, j;

  mst_crossover_matrix (c->xo, a, a, a, -a);
  for (i = 0; i < c->latency; i++) {
    double *f = c->delay + i * c->stride;

    for (b = 0; b < c->bands; b++) {
      double x0 = f[2 * b], x1 = f[2 * b + 1];

      f[2 * b] = a * (x0 + x1);
      f[2 * b + 1] = a * (x0 - x1);
    }
  }
  /* the lanes now carry other signals: start both from the smaller gain */
  for (b = 0; b < c->bands; b++) {
    Band *bd = &c->band[b];
    double g0, g1;

    j = 2 * b;
    mst_envelope_reset (bd->env, fmin (mst_envelope_value (bd->env, 0),
            mst_envelope_value (bd->env, 1)));
    g0 = fmin (c->g_from[j], c->g_from[j + 1]);
    g1 = fmin (c->g_to[j], c->g_to[j + 1]);
    c->g_from[j] = c->g_from[j + 1] = g0;
    c->g_to[j] = c->g_to[j + 1] = g1;
  }
}

void
mst_compressor_set_mode (MstCompressor * c, MstCompressorMode mode)
{
  int was_ms, is_ms;

  if (mode != MST_COMPRESSOR_LINKED && mode != MST_COMPRESSOR_MID_SIDE
      && mode != MST_COMPRESSOR_UNLINKED)
    return;
  was_ms = c->mode == MST_COMPRESSOR_MID_SIDE && c->channels == 2;
  is_ms = mode == MST_COMPRESSOR_MID_SIDE && c->channels == 2;
  if (was_ms != is_ms)
    matrix_state (c, is_ms);
  c->mode = mode;
}

/* Static curve: output level (dB) for detector level l (dB). */
static double
curve (const Band * bd, double l)
{
  double d = l - bd->threshold, w = bd->knee;
  double slope = 1.0 / bd->ratio - 1.0;

  if (2.0 * d < -w || bd->ratio == 1.0)
    return l;
  if (2.0 * fabs (d) <= w && w > 0.0) {
    double e = d + 0.5 * w;

    return l + slope * e * e / (2.0 * w);
  }
  return bd->threshold + d / bd->ratio;
}

/* End of a block: detector windows, gain computer, smoothing, new knots. */
static void
end_block (MstCompressor * c)
{
  const unsigned C = c->channels, N = c->bands;
  const unsigned r = c->rpos;
  double level[MAX_LANES];
  int any_solo = 0;
  unsigned b, j, i;
  double out_lin;

  c->out_s += c->a_glide * (c->out_gain - c->out_s);
  if (fabs (c->out_s - c->out_gain) < 1e-6)
    c->out_s = c->out_gain;
  out_lin = exp (c->out_s / DB_PER_LN_AMPLITUDE);
  for (b = 0; b < N; b++)
    any_solo |= c->band[b].solo;

  /* push the block into the rings; running rms sums */
  c->blocks_since_sum++;
  for (j = 0; j < N * C; j++) {
    const Band *bd = &c->band[j / C];

    c->pk_ring[j][r] = (float) c->pk_acc[j];
    c->ms_ring[j][r] = (float) c->ms_acc[j];
    c->ms_sum[j] += c->ms_ring[j][r]
        - c->ms_ring[j][(r - bd->k_ms) & (RING - 1)];
    c->pk_acc[j] = c->ms_acc[j] = 0.0;
  }
  c->rpos = (r + 1) & (RING - 1);
  if (c->blocks_since_sum >= RING) {    /* no drift of the running sums */
    c->blocks_since_sum = 0;
    for (j = 0; j < N * C; j++) {
      const Band *bd = &c->band[j / C];

      c->ms_sum[j] = 0.0;
      for (i = 1; i <= bd->k_ms; i++)
        c->ms_sum[j] += c->ms_ring[j][(c->rpos - i) & (RING - 1)];
    }
  }

  for (j = 0; j < N * C; j++) {
    const Band *bd = &c->band[j / C];

    if (bd->detection == MST_COMPRESSOR_PEAK) {
      double m = 0.0;

      for (i = 1; i <= bd->k_pk; i++) {
        double v = c->pk_ring[j][(c->rpos - i) & (RING - 1)];

        m = v > m ? v : m;
      }
      level[j] = m * m;         /* power, as the rms level */
    } else {
      level[j] = c->ms_sum[j] / ((double) bd->k_ms * c->block);
    }
  }
  if (C == 2 && c->mode == MST_COMPRESSOR_LINKED)
    for (b = 0; b < N; b++)
      level[2 * b] = level[2 * b + 1] = fmax (level[2 * b], level[2 * b + 1]);

  for (b = 0; b < N; b++) {
    Band *bd = &c->band[b];
    int audible = !bd->mute && (!any_solo || bd->solo);
    double gain_out;

    bd->makeup_s += c->a_glide * (bd->makeup - bd->makeup_s);
    bd->amt += c->a_glide * ((bd->bypass ? 0.0 : 1.0) - bd->amt);
    bd->weight += c->a_glide * ((audible ? 1.0 : 0.0) - bd->weight);
    if (fabs (bd->makeup_s - bd->makeup) < 1e-6)
      bd->makeup_s = bd->makeup;
    if (fabs (bd->amt - (bd->bypass ? 0.0 : 1.0)) < 1e-6)
      bd->amt = bd->bypass ? 0.0 : 1.0;
    if (fabs (bd->weight - (audible ? 1.0 : 0.0)) < 1e-6)
      bd->weight = audible ? 1.0 : 0.0;
    gain_out = bd->weight * out_lin;

    for (j = b * C; j < (b + 1) * C; j++) {
      double gc = 0.0, gs, red;

      /* below the knee (compared as power, no log) or ratio 1: gain 0 dB */
      if (level[j] >= bd->knee_power && bd->ratio != 1.0) {
        double p = level[j] > SILENCE ? level[j] : SILENCE;
        double l = DB_PER_LN_POWER * log (p);   /* 10 log10 (p) */

        gc = fmin (curve (bd, l) - l, 0.0);
      }
      gs = mst_envelope_step (bd->env, j - b * C, gc);

      red = -gs * bd->amt + 0.0;        /* + 0.0: no -0 */
      if (red > c->red_max[j])
        c->red_max[j] = red;
      c->g_from[j] = c->g_to[j];
      c->g_to[j] = gain_out * (1.0 + bd->amt
          * ((gs + bd->makeup_s == 0.0 ? 1.0 :
                  exp ((gs + bd->makeup_s) / DB_PER_LN_AMPLITUDE)) - 1.0));
    }
  }
}

/* Detector accumulation over n frames of band data (S doubles a frame):
 * largest |x| and sum of x^2 per lane. */
static inline __attribute__((always_inline)) void
detect_s (double *restrict pk_acc, double *restrict ms_acc,
    const double *restrict bb, size_t n, const unsigned S)
{
  double pk[MAX_LANES], ms[MAX_LANES];
  size_t t;
  unsigned j;

  for (j = 0; j < S; j++) {
    pk[j] = pk_acc[j];
    ms[j] = ms_acc[j];
  }
  for (t = 0; t < n; t++)
    for (j = 0; j < S; j++) {
      double v = bb[t * S + j];
      double a = fabs (v);

      pk[j] = a > pk[j] ? a : pk[j];
      ms[j] += v * v;
    }
  for (j = 0; j < S; j++) {
    pk_acc[j] = pk[j];
    ms_acc[j] = ms[j];
  }
}

/* Gain ramp and band sum over n frames: y (C doubles a frame) = sum over
 * the bands of gain x band, the gain of lane j rising by dg[j] a frame
 * from g[j].  Lane j belongs to channel j % C (C = 1 or 2, and 4 | S). */
static inline __attribute__((always_inline)) void
apply_s (double *restrict g, const double *restrict dg,
    const double *restrict bb, double *restrict y, size_t n,
    const unsigned C, const unsigned S)
{
  size_t t;
  unsigned j;

  for (t = 0; t < n; t++) {
    double acc[4] = { 0.0, 0.0, 0.0, 0.0 };

    for (j = 0; j < S; j++) {
      acc[j & 3] += g[j] * bb[t * S + j];
      g[j] += dg[j];
    }
    if (C == 2) {
      y[2 * t] = acc[0] + acc[2];
      y[2 * t + 1] = acc[1] + acc[3];
    } else {
      y[t] = (acc[0] + acc[2]) + (acc[1] + acc[3]);
    }
  }
}

#define DEFINE_LANES(S)                                                   \
static MST_CLONES void                                                    \
detect_##S (double *pk, double *ms, const double *bb, size_t n)           \
{                                                                         \
  detect_s (pk, ms, bb, n, S);                                            \
}                                                                         \
static MST_CLONES void                                                    \
apply_##S (double *g, const double *dg, const double *bb, double *y,      \
    size_t n, unsigned C)                                                 \
{                                                                         \
  if (C == 2)                                                             \
    apply_s (g, dg, bb, y, n, 2, S);                                      \
  else                                                                    \
    apply_s (g, dg, bb, y, n, 1, S);                                      \
}
DEFINE_LANES (4)
DEFINE_LANES (8)
DEFINE_LANES (16)
#undef DEFINE_LANES

static void
detect (MstCompressor * c, const double *bb, size_t n)
{
  if (c->stride == 4)
    detect_4 (c->pk_acc, c->ms_acc, bb, n);
  else if (c->stride == 8)
    detect_8 (c->pk_acc, c->ms_acc, bb, n);
  else
    detect_16 (c->pk_acc, c->ms_acc, bb, n);
}

/* n frames starting `pos` frames into the block */
static void
apply (MstCompressor * c, const double *bb, double *y, size_t n,
    unsigned pos)
{
  const double inv = 1.0 / c->block;
  double g[MAX_LANES], dg[MAX_LANES];
  unsigned j;

  for (j = 0; j < c->stride; j++) {
    dg[j] = (c->g_to[j] - c->g_from[j]) * inv;
    g[j] = c->g_from[j] + dg[j] * (pos + 1);
  }
  if (c->stride == 4)
    apply_4 (g, dg, bb, y, n, c->channels);
  else if (c->stride == 8)
    apply_8 (g, dg, bb, y, n, c->channels);
  else
    apply_16 (g, dg, bb, y, n, c->channels);
}

/* Exchanges n band frames with the lookahead line (n <= latency or any
 * n: the line is a ring of latency frames). */
static void
delay_bands (MstCompressor * c, double *bb, size_t n)
{
  const unsigned S = c->stride;
  size_t t;
  unsigned j;

  for (t = 0; t < n; t++) {
    double *d = c->delay + c->dpos * S, *f = bb + t * S;

    for (j = 0; j < S; j++) {
      double v = d[j];

      d[j] = f[j];
      f[j] = v;
    }
    if (++c->dpos == c->latency)
      c->dpos = 0;
  }
}

/* The sample-type independent part: c->x holds n frames (channels, M/S
 * encoded when needed); y receives the n output frames before M/S
 * decoding. */
static void
process_chunk (MstCompressor * c, double *y, size_t n)
{
  const unsigned S = c->stride, C = c->channels;
  double *bb = c->bands_buf;
  size_t done = 0;

  mst_crossover_process (c->xo, c->x, bb, n);
  while (done < n) {
    size_t m = c->block - c->fill;

    if (m > n - done)
      m = n - done;
    detect (c, bb + done * S, m);
    if (c->latency)
      delay_bands (c, bb + done * S, m);
    apply (c, bb + done * S, y + done * C, m, c->fill);
    c->fill += m;
    done += m;
    if (c->fill == c->block) {
      c->fill = 0;
      end_block (c);
    }
  }
}

#define SAMPLE float
#define SUFFIX f32
#include "compressor-body.h"
#undef SAMPLE
#undef SUFFIX

#define SAMPLE double
#define SUFFIX f64
#include "compressor-body.h"
#undef SAMPLE
#undef SUFFIX

void
mst_compressor_take_reduction (MstCompressor * c, double *per_band,
    double *per_lane)
{
  unsigned b, k;

  for (b = 0; b < c->bands; b++) {
    double m = 0.0;

    for (k = 0; k < c->channels; k++) {
      unsigned j = b * c->channels + k;

      m = fmax (m, c->red_max[j]);
      if (per_lane)
        per_lane[b * 2 + k] = c->red_max[j];
      c->red_max[j] = -mst_envelope_value (c->band[b].env, k)
          * c->band[b].amt + 0.0;
    }
    if (per_lane && c->channels == 1)
      per_lane[b * 2 + 1] = per_lane[b * 2];
    if (per_band)
      per_band[b] = m;
  }
}

uint64_t
mst_compressor_nonfinite (const MstCompressor * c)
{
  return c->nonfinite;
}
