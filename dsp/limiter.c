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
 * State per group (units): the sliding minimum of R over W blocks
 * (MstMinMax, linear gain), S (linear gain, one channel of the release
 * follower MstEnvelope: falling input at once, release towards 1) and the
 * ring of the last nb S values with their sum, G ring (linear gain per
 * knot).  Shared: the ceiling per block (linear,
 * used for both R and the safety clamp so that a ceiling change applies
 * to the samples it was set for), the linked knot ring (min over groups)
 * and per knot whether it is a linked one (linked and all groups equal: the
 * output then uses the linked ring alone, otherwise each channel's own
 * knots, so a link change ramps), the delay line (MstDelayLine of
 * `latency` frames, native sample type, interleaved, input gain applied).
 */
#include "limiter.h"
#include "delayline.h"
#include "envelope.h"
#include "minmax.h"
#include "truepeak.h"
#include "util.h"
#include "simd.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mastering-orc.h"

/* Frames per internal pass (scratch sizes).  The output does not depend
 * on it (nor on the callers' buffer sizes); 1024 rather than 256 spreads
 * the per-pass costs (history moves, the detectors' set-up) over more
 * frames: 5 % fewer instructions on the benchmark music, about 6 % less
 * CPU time (bench/limiter, interleaved runs), the stereo scratch still
 * well inside L2. */
#define CHUNK 1024
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
/* The correction stage's threshold, relative to the ceiling
 * (-0.0022 dB): above the main stage's, so that it acts only where the
 * main gain's modulation put the output over it, below the ceiling by
 * what its own (small, slow) gain changes can add. */
#define MARGIN2 (1.0 - 2.5e-4)
/* The correction stage's gain ramps: half length, ms. */
#define CORR_RAMP_MS 1.0
#define CORR_FACTOR 16
#define CORR_TAPS 64
/* |x - L| history (band limit on): at least the detector's reach back
 * (MST_LIMITER_DETECTOR_TAPS - 1), a multiple of DG; its maxima are
 * taken over groups of DG samples. */
#define DH 48
#define DG 16
/* Input-gain changes ramp over this time. */
#define GAIN_RAMP_MS 20.0
/* The meters whose interpolators the detector replicates. */
#define N_METERS 2
/* The band limit: Kaiser-windowed sinc low-pass, cut-off (-6 dB)
 * BL_CUTOFF * rate, BL_TAPS taps, window beta BL_BETA. */
#define BL_CUTOFF 0.465
#define BL_TAPS MST_LIMITER_BAND_LIMIT_TAPS
#define BL_BETA 7.0
/* Where the gain is below BL_G0 the output is the band-limited L alone;
 * between BL_G0 and 1 it fades to x (gain 1: x, bit-exact). */
#define BL_G0 0.98
/* With the band limit on, the long detector reads L about as the ideal
 * reconstruction does (its refined 4x grid up to 0.06 dB under it near
 * the cut-off); a practical resampler's reconstruction reads more:
 * ffmpeg's (libswresample to 192 kHz, Kaiser beta 9, 32 taps, cut-off
 * 0.97 of Nyquist) up to 0.10 dB over the ideal, so up to 0.16 dB (1.9 %)
 * over the long detector, on the limiter's output for full-band white
 * noise driven 12 dB in (44.1 kHz, 20 s).  Both departures vanish at
 * DC: a filter's departure from another with the same DC gain is a
 * filter of the differences x[i] - x[i-1], so the long detector's
 * readings carry BL_SLOPE_K times the largest |L[i] - L[i-1]| in reach
 * (truepeak.h, set_slope_allowance): full-band noise (slope up to twice
 * its peak) gets about 0.2 dB, the benchmark music about 0.05 dB, a
 * 1 kHz tone 0.01 dB.  ffmpeg rounds to 0.1 dB and must print the
 * ceiling or less. */
#define BL_SLOPE_K 0.0125

/* A detector: the long interpolator and the meters' ones, the long
 * one's companions (truepeak.h): for the envelope (det[0]) one pass over
 * each stretch gives the largest of the three readings, aligned to the
 * long one's latency.  (det[1] is read with the stateless
 * mst_true_peak_env_at, one interpolator at a time, which companions do
 * not change.) */
typedef struct
{
  MstTruePeak *tp;              /* long flat interpolator */
  /* the meters' interpolators: [0] the project's meter (16 taps), [1]
   * libebur128's (see truepeak.h) */
  MstTruePeak *tpm[N_METERS];
} Det;

typedef struct
{
  MstMinMax *rmin;              /* sliding minimum of R over W blocks */
  double *sbox;                 /* last nb S values (ring of nb) */
  double sum;                   /* their sum */
  unsigned sbox_pos;
  float *g;                     /* G per knot, ring of gsize */
  float pacc;                   /* envelope peak of the block being filled */
  float xacc;                   /* the same for x (band limit on) */
  /* the x/L track (band limit on): per block F = 1 if x itself reads
   * under the threshold (all channels if linked), sliding minimum over W
   * blocks, mean over nb: V per knot (1: the output may be x, 0: it must
   * be L), as for the gain */
  MstMinMax *fmin;
  double *fbox, fsum;
  unsigned fbox_pos;
  float *vk;                    /* V per knot, ring of gsize */
} Group;

struct MstLimiter
{
  unsigned rate, channels, factor;
  double lookahead_ms;          /* effective */

  /* geometry, samples/blocks */
  unsigned B, nb, E, W;         /* block, attack blocks, extension, window */
  double inv_B;                 /* 1 / B (see block_of) */
  double inv_nb;                /* 1 / nb (a division per block and
                                 * channel cost 5 % of the time) */
  unsigned d_tp, dq, latency;
  unsigned gsize, gmask;

  /* parameters */
  double ceiling;               /* linear */
  double gain_target;           /* linear input gain */
  double gain_cur, gain_step;   /* ramp: current, per frame */
  unsigned gain_left;           /* frames left in the ramp */
  unsigned ramp_len;
  int linked;
  /* linked since reset: every group's gain computer (rmin, the release,
   * sbox, fmin, fbox) would hold what group 0's holds, as all see the
   * same peaks, so only group 0's runs and the others get its knots;
   * unlinking copies group 0's state to them first */
  int shared;

  /* state */
  Det det[2];                   /* on the audio (L when band-limited);
                                 * [1]: its interpolators, stateless, on
                                 * x where the bound below is not enough */
  float *xw, *dw;               /* channels x (XH + CHUNK), x lined up
                                 * with L (float), and channels x (DH +
                                 * CHUNK), |x - L|: the last XH, DH of
                                 * the previous chunk first */
  float *eseg;                  /* channels x (CHUNK + 2): per segment,
                                 * the peak of env (from xcheck, for
                                 * blocks_from_env) */
  float *xseg;                  /* channels x (CHUNK + 2): per segment of
                                 * a gain block in this chunk, a bound on
                                 * every reading of x (see xcheck) */
  double x_l1;                  /* largest L1 gain of det[1]'s phases */
  /* band limit: linear-phase low-pass in front of everything */
  int bl_on, bl_req;            /* in use; requested (at reset) */
  unsigned bl_len, bl_d;        /* taps (odd), delay (bl_len - 1) / 2 */
  double *bl_coef;              /* bl_len */
  float *bl_coef_f32;           /* the same in float */
  double *bl_hist_f64;          /* channels x (bl_len - 1 + CHUNK): x */
  float *bl_hist_f32;           /* the same for F32 streams */
  void *lclean, *ldelayed;      /* as clean, delayed: the band-limited
                                 * audio L (clean keeps x) */
  MstDelayLine *delayx_f32, *delayx_f64;        /* x, latency frames */
  MstEnvelope *rel;             /* S per group: release to 1, per block */
  MstDelayLine *delay_f32;      /* the audio, latency frames, F32 */
  MstDelayLine *delay_f64;      /* the same for F64 */
  Group grp[MST_LIMITER_MAX_CHANNELS];
  float *ceil_ring;             /* ceiling per block (gsize ring) */
  float *gl;                    /* linked knots: min over groups */
  unsigned char *lk;            /* per knot: computed while linked */
  int out_linked;               /* output chunk uses gl alone */
  int64_t feed;                 /* frames fed since reset */
  int64_t block;                /* index of the block being filled */
  unsigned fill;                /* env samples in it */
  float block_ceil;             /* smallest ceiling seen during it */

  /* scratch */
  void *clean;                  /* CHUNK x channels, native type: input
                                 * after gain and sanitising */
  void *delayed;                /* the same, latency frames earlier */
  float *planar;                /* channels x CHUNK */
  float *env;                   /* channels x CHUNK */
  float *gain;                  /* CHUNK x channels */

  /* output correction stage: re-detects the main stage's output y with
   * the same pair of interpolators and applies a second gain, held at
   * its minimum over [p - H2, p + H2] around each sample p and ramped
   * over 2 A2 + 1 samples, where y still reads over the ceiling */
  MstTruePeak *tp2, *tpm2;      /* detectors on y */
  float *env2_m;                /* as env_m, for tpm2 */
  unsigned d_m2;                /* tp2 latency - tpm2 latency */
  unsigned A2, H2, N2;          /* ramp half length, hold, box length */
  unsigned d_tp2, L2;           /* tp2 latency; stage delay, samples */
  MstMinMax *cmin[MST_LIMITER_MAX_CHANNELS];    /* sliding min of r,
                                                 * window 2 A2 + 2 H2 + 1 */
  double *cbox;                 /* channels x N2: last N2 minima */
  double csum[MST_LIMITER_MAX_CHANNELS];        /* their sums */
  unsigned cbox_pos;
  float *cceil;                 /* ceiling (linear) per y frame, ring */
  unsigned cmask;
  MstDelayLine *delay2_f32, *delay2_f64;        /* y, L2 frames */
  void *ybuf;                   /* CHUNK x channels, native: y */
  float *cgain;                 /* CHUNK x channels: correction gain */
  float *rr;                    /* CHUNK: linked r per frame */
  uint64_t corr_frames;         /* frames the correction stage reduced */
  int corr_on, corr_req;        /* stage in use; requested (at reset) */

  float det_scale;              /* testing hook: envelope factor, 1 */
  int wide;                     /* run the MST_WIDE band limit */

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

/* The band limit's filter: Kaiser-windowed sinc, cut-off (-6 dB) at
 * cutoff * rate, unit DC gain. */
static void
band_limit_design (double *h, unsigned taps, double cutoff,
    double beta)
{
  const double mid = (taps - 1) / 2.0, i0b = mst_bessel_i0 (beta);
  double sum = 0.0;
  unsigned k;

  for (k = 0; k < taps; k++) {
    double n = k - mid, r = n / mid;
    double w = mst_bessel_i0 (beta * sqrt (fmax (0.0, 1.0 - r * r))) / i0b;
    double s = n == 0.0 ? 2.0 * cutoff
        : sin (2.0 * MST_PI * cutoff * n) / (MST_PI * n);

    h[k] = s * w;
    sum += h[k];
  }
  for (k = 0; k < taps; k++)
    h[k] /= sum;
}

static int
det_init (Det * d, unsigned rate, unsigned channels, unsigned factor)
{
  unsigned k;

  d->tp = mst_true_peak_new_taps (channels, factor,
      MST_LIMITER_DETECTOR_TAPS);
  d->tpm[0] = mst_true_peak_new (channels, factor);
  d->tpm[1] = mst_true_peak_new_ebur128 (channels, rate);
  for (k = 0; k < N_METERS; k++)
    if (!d->tpm[k])
      return 0;
  return d->tp && mst_true_peak_set_companions (d->tp, d->tpm, N_METERS);
}

static void
det_free (Det * d)
{
  unsigned k;

  mst_true_peak_free (d->tp);
  for (k = 0; k < N_METERS; k++)
    mst_true_peak_free (d->tpm[k]);
}

/* env (channels x CHUNK) gets the envelope of the n planar frames pl:
 * the largest of the detector's readings (the long one's and its
 * companions'); where the proven bound of a stretch is <= floor_, that
 * bound. */
static void
det_run (MstLimiter * lim, Det * d, const float *pl, float *env, size_t n,
    float floor_)
{
  unsigned c;

  for (c = 0; c < lim->channels; c++)
    mst_true_peak_process_env (d->tp, c, pl + (size_t) c * CHUNK,
        env + (size_t) c * CHUNK, n, floor_);
}

/* The block of aligned sample a: floor (a / B), for any sign of a
 * (mst_floor_div: several are needed per block of ~20 frames, and a
 * 64-bit division is slow on many CPUs). */
static inline int64_t
block_of (const MstLimiter * lim, int64_t a)
{
  return mst_floor_div (a, lim->B, lim->inv_B);
}

/* Aligned index of the first frame of the next output segment that stays
 * in one block, and its length (<= left). */
static inline size_t
seg_len (const MstLimiter * lim, int64_t a, size_t left)
{
  const size_t m = (size_t) ((block_of (lim, a) + 1) * (int64_t) lim->B
      - a);

  return m < left ? m : left;
}

/* The x/L decision's input (band limit on): xseg gets, per segment of
 * a gain block in this chunk (in the order blocks_from_env walks them),
 * an upper bound on every reading of x there (the three interpolators
 * of det[1], as the detector reads L), from which blocks_from_env
 * decides where the output may be x.  lim->env holds L's envelope (>=
 * each interpolator's reading of L), lim->xw + XH x and lim->dw + DH
 * |x - L| for the chunk.
 *
 *  - where L's envelope is over floor_ (the threshold, >= the block's
 *    own), the block's gain is below 1, so the output is not x there
 *    anyway: L's envelope stands in (it is over the threshold);
 *  - else, as the interpolators are linear, each reads x at most its
 *    reading of L plus its L1 gain times max |x - L| over its reach
 *    (XH samples back): where that bound is under floor_, it stands in;
 *  - else (x and L differ much near the threshold), the exact readings
 *    of x.
 * For programme material x - L (what lies above ~0.45 fs) is small, so
 * the exact readings are rarely needed. */
MST_CLONES static void
xcheck (MstLimiter * lim, int64_t feed0, size_t n, float floor_)
{
  const Det *d = &lim->det[1];
  const unsigned XH = MST_LIMITER_DETECTOR_TAPS - 1;
  const unsigned LT = lim->d_tp;
  float gmax[(DH + CHUNK) / DG];
  unsigned c, k;
  size_t j;

  for (c = 0; c < lim->channels; c++) {
    const float *e = lim->env + (size_t) c * CHUNK;
    float *xs = lim->xseg + (size_t) c * (CHUNK + 2);
    float *es = lim->eseg + (size_t) c * (CHUNK + 2);
    float *xw = lim->xw + (size_t) c * (XH + CHUNK);
    float *dw = lim->dw + (size_t) c * (DH + CHUNK);
    const size_t ng = (DH + n + DG - 1) / DG;
    size_t pos = 0;

    /* maxima of |x - L| per group of DG (the last one partial) */
    for (j = 0; j < ng; j++) {
      const size_t j1 = (j + 1) * DG < DH + n ? (j + 1) * DG : DH + n;

      gmax[j] = mst_peak_f32 (dw + j * DG, j1 - j * DG);
    }
    while (pos < n) {
      const size_t m = seg_len (lim, feed0 + (int64_t) pos, n - pos);
      float lm, xb;

      lm = mst_peak_f32 (e + pos, m);
      *es++ = lm;
      xb = lm;
      if (lm <= floor_) {
        /* |x - L| over dw + DH + pos - XH .. dw + DH + pos + m - 1 */
        const size_t g0 = (DH + pos - XH) / DG, g1 = (DH + pos + m - 1) / DG;
        const float dm = mst_peak_f32 (gmax + g0, g1 - g0 + 1);
        const double b = ((double) lm + lim->x_l1 * dm) * (1.0 + 1e-5);

        if (b <= floor_) {
          xb = (float) b;
        } else {
          /* the exact readings: the period of env index i starts at x
           * index i - LT */
          float tmp[MAX_BLOCK];

          mst_true_peak_env_at (d->tp, xw + XH + pos - LT, tmp, m);
          xb = mst_peak_f32 (tmp, m);
          for (k = 0; k < N_METERS; k++) {
            float t;

            mst_true_peak_env_at (d->tpm[k], xw + XH + pos - LT, tmp, m);
            t = mst_peak_f32 (tmp, m);
            xb = t > xb ? t : xb;
          }
        }
      }
      *xs++ = xb;
      pos += m;
    }
    memmove (xw, xw + n, sizeof (float) * XH);
    memmove (dw, dw + n, sizeof (float) * DH);
  }
}

static void
group_reset (MstLimiter * lim, Group * g)
{
  unsigned i;

  mst_minmax_reset (g->rmin);
  for (i = 0; i < lim->nb; i++)
    g->sbox[i] = 1.0;
  g->sum = lim->nb;
  g->sbox_pos = 0;
  for (i = 0; i < lim->gsize; i++)
    g->g[i] = 1.0f;
  g->pacc = 0.0f;
  g->xacc = 0.0f;
  mst_minmax_reset (g->fmin);
  for (i = 0; i < lim->nb; i++)
    g->fbox[i] = 1.0;
  g->fsum = lim->nb;
  g->fbox_pos = 0;
  for (i = 0; i < lim->gsize; i++)
    g->vk[i] = 1.0f;
}

void
mst_limiter_reset (MstLimiter * lim)
{
  unsigned c, i;

  mst_true_peak_reset (lim->det[0].tp);
  memset (lim->xw, 0, sizeof (float) * (MST_LIMITER_DETECTOR_TAPS - 1
          + CHUNK) * lim->channels);
  memset (lim->dw, 0, sizeof (float) * (DH + CHUNK) * lim->channels);
  mst_delay_line_reset (lim->delayx_f32);
  mst_delay_line_reset (lim->delayx_f64);
  memset (lim->bl_hist_f64, 0, sizeof (double) * (lim->bl_len - 1
          + CHUNK) * lim->channels);
  memset (lim->bl_hist_f32, 0, sizeof (float) * (lim->bl_len - 1
          + CHUNK) * lim->channels);
  lim->bl_on = lim->bl_req;
  /* with the band limit on, the detector reads L as the ideal
   * reconstruction would, up to the grid's under-reading: refine it */
  mst_true_peak_set_refine (lim->det[0].tp, lim->bl_on);
  mst_true_peak_set_slope_allowance (lim->det[0].tp, lim->bl_on
      ? BL_SLOPE_K : 0.0);
  mst_envelope_reset (lim->rel, 1.0);
  mst_delay_line_reset (lim->delay_f32);
  mst_delay_line_reset (lim->delay_f64);
  for (c = 0; c < lim->channels; c++)
    group_reset (lim, &lim->grp[c]);
  lim->shared = lim->linked;
  mst_true_peak_reset (lim->tp2);
  mst_true_peak_reset (lim->tpm2);
  memset (lim->env2_m, 0, sizeof (float) * (lim->d_m2 + CHUNK)
      * lim->channels);
  mst_delay_line_reset (lim->delay2_f32);
  mst_delay_line_reset (lim->delay2_f64);
  for (c = 0; c < lim->channels; c++) {
    mst_minmax_reset (lim->cmin[c]);
    lim->csum[c] = lim->N2;
    for (i = 0; i < lim->N2; i++)
      lim->cbox[(size_t) c * lim->N2 + i] = 1.0;
  }
  lim->cbox_pos = 0;
  for (i = 0; i <= lim->cmask; i++)
    lim->cceil[i] = (float) lim->ceiling;
  lim->corr_frames = 0;
  lim->corr_on = lim->corr_req;
  lim->latency = lim->d_tp + lim->dq + (lim->corr_on ? lim->L2 : 0)
      + (lim->bl_on ? lim->bl_d : 0);
  for (i = 0; i < lim->gsize; i++) {
    lim->ceil_ring[i] = (float) lim->ceiling;
    lim->gl[i] = 1.0f;
    lim->lk[i] = (unsigned char) lim->linked;
  }
  lim->feed = 0;
  lim->block = 0;
  lim->fill = 0;
  lim->block_ceil = (float) lim->ceiling;
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
  for (c = 0; c < 2; c++)
    if (!det_init (&lim->det[c], rate, channels, oversampling))
      goto fail;
  /* the band limit */
  lim->bl_len = BL_TAPS;
  lim->bl_d = (BL_TAPS - 1) / 2;
  lim->bl_coef = malloc (sizeof (double) * BL_TAPS);
  lim->bl_coef_f32 = malloc (sizeof (float) * BL_TAPS);
  lim->bl_hist_f64 = malloc (sizeof (double) * (BL_TAPS - 1 + CHUNK)
      * channels);
  lim->bl_hist_f32 = malloc (sizeof (float) * (BL_TAPS - 1 + CHUNK)
      * channels);
  if (!lim->bl_coef || !lim->bl_coef_f32 || !lim->bl_hist_f64
      || !lim->bl_hist_f32)
    goto fail;
  band_limit_design (lim->bl_coef, BL_TAPS, BL_CUTOFF, BL_BETA);
  for (c = 0; c < BL_TAPS; c++)
    lim->bl_coef_f32[c] = (float) lim->bl_coef[c];
  lim->bl_req = 1;

  /* geometry: the look-ahead is split into about 11 blocks (8 of attack
   * ramp), blocks of at most MAX_BLOCK samples */
  lookahead_ms = mst_clamp (lookahead_ms, MST_LIMITER_MIN_LOOKAHEAD_MS,
      MST_LIMITER_MAX_LOOKAHEAD_MS);
  la = (unsigned) ceil (lookahead_ms * rate / 1000.0 - 1e-9);
  /* a look-ahead of a few samples leaves the attack ramp shorter than the
   * detector's interpolators reach: the gain then changes inside their
   * window and the output reads over the ceiling (measured: 0.5 ms at
   * 8 kHz, 4 samples, -0.95 dBTP for a -1 ceiling); at least
   * MST_LIMITER_MIN_LOOKAHEAD_SAMPLES */
  if (la < MST_LIMITER_MIN_LOOKAHEAD_SAMPLES)
    la = MST_LIMITER_MIN_LOOKAHEAD_SAMPLES;
  lim->B = (la + 10) / 11;
  if (lim->B < 1)
    lim->B = 1;
  if (lim->B > MAX_BLOCK)
    lim->B = MAX_BLOCK;
  lim->inv_B = 1.0 / lim->B;
  half = MST_LIMITER_DETECTOR_TAPS / 2;
  lim->E = (half + lim->B - 1) / lim->B;
  {
    int nb = (int) ((la + 1 + lim->B - 1) / lim->B) - (int) lim->E - 2;

    lim->nb = nb < 1 ? 1 : (unsigned) nb;
  }
  lim->W = lim->nb + 2 * lim->E + 2;
  lim->inv_nb = 1.0 / lim->nb;
  lim->d_tp = mst_true_peak_latency (lim->det[0].tp);
  lim->dq = (lim->nb + lim->E + 2) * lim->B - 1;

  /* the correction stage */
  lim->tp2 = mst_true_peak_new_taps (channels, CORR_FACTOR, CORR_TAPS);
  lim->tpm2 = mst_true_peak_new (channels, oversampling);
  if (!lim->tp2 || !lim->tpm2)
    goto fail;
  lim->d_m2 = mst_true_peak_latency (lim->tp2)
      - mst_true_peak_latency (lim->tpm2);
  lim->env2_m = malloc (sizeof (float) * (lim->d_m2 + CHUNK) * channels);
  if (!lim->env2_m)
    goto fail;
  lim->d_tp2 = mst_true_peak_latency (lim->tp2);
  lim->A2 = (unsigned) ceil (CORR_RAMP_MS * rate / 1000.0);
  lim->H2 = CORR_TAPS / 2;
  lim->N2 = 2 * lim->A2 + 1;
  lim->L2 = 2 * lim->A2 + lim->H2 + lim->d_tp2;
  lim->cbox = malloc (sizeof (double) * lim->N2 * channels);
  lim->cmask = pow2_at_least (lim->d_tp2 + CHUNK + 1) - 1;
  lim->cceil = malloc (sizeof (float) * (lim->cmask + 1));
  lim->ybuf = malloc (sizeof (double) * CHUNK * channels);
  lim->cgain = malloc (sizeof (float) * CHUNK * channels);
  lim->rr = malloc (sizeof (float) * CHUNK);
  lim->delay2_f32 = mst_delay_line_new (channels, lim->L2, sizeof (float));
  lim->delay2_f64 = mst_delay_line_new (channels, lim->L2, sizeof (double));
  if (!lim->cbox || !lim->cceil || !lim->ybuf || !lim->cgain || !lim->rr
      || !lim->delay2_f32 || !lim->delay2_f64)
    goto fail;
  for (c = 0; c < channels; c++) {
    lim->cmin[c] = mst_minmax_new (2 * lim->A2 + 2 * lim->H2 + 1,
        MST_MINMAX_MIN);
    if (!lim->cmin[c])
      goto fail;
  }
  lim->latency = lim->d_tp + lim->dq;
  lim->lookahead_ms = 1000.0 * (lim->dq + 1) / rate;

  /* knots and block ceilings are needed from the output position (Dq
   * behind) up to the newest knot; + a chunk of blocks ahead */
  lim->gsize = pow2_at_least ((lim->dq + CHUNK) / lim->B + lim->W + 8);
  lim->gmask = lim->gsize - 1;

  for (c = 0; c < channels; c++) {
    Group *g = &lim->grp[c];

    g->rmin = mst_minmax_new (lim->W, MST_MINMAX_MIN);
    g->sbox = malloc (sizeof (double) * lim->nb);
    g->g = malloc (sizeof (float) * lim->gsize);
    g->fmin = mst_minmax_new (lim->W, MST_MINMAX_MIN);
    g->fbox = malloc (sizeof (double) * lim->nb);
    g->vk = malloc (sizeof (float) * lim->gsize);
    if (!g->rmin || !g->sbox || !g->g || !g->fmin || !g->fbox || !g->vk)
      goto fail;
  }
  lim->ceil_ring = malloc (sizeof (float) * lim->gsize);
  lim->gl = malloc (sizeof (float) * lim->gsize);
  lim->lk = malloc (lim->gsize);

  /* the release follower: one state per group, updated once per block,
   * falling input attacks at once, rises towards 1 (see S_k above) */
  lim->rel = mst_envelope_new (rate, channels, lim->B, MST_ENVELOPE_FALLING);
  if (!lim->rel)
    goto fail;
  mst_envelope_set_release_mode (lim->rel, MST_ENVELOPE_RELEASE_TO_REST,
      1.0);

  /* one delay line per sample type (a stream uses one of them); the
   * scratch takes doubles, so that it serves both */
  lim->delay_f32 = mst_delay_line_new (channels, lim->d_tp + lim->dq,
      sizeof (float));
  lim->delay_f64 = mst_delay_line_new (channels, lim->d_tp + lim->dq,
      sizeof (double));
  lim->clean = malloc (sizeof (double) * CHUNK * channels);
  lim->lclean = malloc (sizeof (double) * CHUNK * channels);
  lim->ldelayed = malloc (sizeof (double) * CHUNK * channels);
  lim->delayx_f32 = mst_delay_line_new (channels, lim->d_tp + lim->dq
      + lim->bl_d, sizeof (float));
  lim->delayx_f64 = mst_delay_line_new (channels, lim->d_tp + lim->dq
      + lim->bl_d, sizeof (double));
  lim->xw = malloc (sizeof (float) * (MST_LIMITER_DETECTOR_TAPS - 1
          + CHUNK) * channels);
  lim->dw = malloc (sizeof (float) * (DH + CHUNK) * channels);
  lim->xseg = malloc (sizeof (float) * (CHUNK + 2) * channels);
  lim->eseg = malloc (sizeof (float) * (CHUNK + 2) * channels);
  if (!lim->lclean || !lim->ldelayed || !lim->delayx_f32
      || !lim->delayx_f64 || !lim->xw || !lim->dw || !lim->xseg
      || !lim->eseg)
    goto fail;
  lim->x_l1 = 1.0;
  lim->x_l1 = fmax (lim->x_l1, mst_true_peak_l1_gain (lim->det[1].tp));
  for (c = 0; c < N_METERS; c++)
    lim->x_l1 = fmax (lim->x_l1,
        mst_true_peak_l1_gain (lim->det[1].tpm[c]));
  lim->delayed = malloc (sizeof (double) * CHUNK * channels);
  lim->planar = malloc (sizeof (float) * CHUNK * channels);
  lim->env = malloc (sizeof (float) * CHUNK * channels);
  lim->gain = malloc (sizeof (float) * CHUNK * channels);
  if (!lim->ceil_ring || !lim->gl || !lim->lk || !lim->delay_f32
      || !lim->delay_f64 || !lim->clean || !lim->delayed || !lim->planar
      || !lim->env || !lim->gain)
    goto fail;

  lim->ramp_len = (unsigned) ceil (GAIN_RAMP_MS * rate / 1000.0);
  lim->ceiling = mst_db_to_lin (-1.0);
  lim->gain_target = 1.0;
  lim->linked = 1;
  lim->det_scale = 1.0f;
  lim->wide = mst_simd_wide ();
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
  for (c = 0; c < 2; c++)
    det_free (&lim->det[c]);
  free (lim->bl_coef);
  free (lim->bl_coef_f32);
  free (lim->bl_hist_f64);
  free (lim->bl_hist_f32);
  mst_envelope_free (lim->rel);
  mst_delay_line_free (lim->delay_f32);
  mst_delay_line_free (lim->delay_f64);
  for (c = 0; c < MST_LIMITER_MAX_CHANNELS; c++) {
    mst_minmax_free (lim->grp[c].rmin);
    free (lim->grp[c].sbox);
    free (lim->grp[c].g);
    mst_minmax_free (lim->grp[c].fmin);
    free (lim->grp[c].fbox);
    free (lim->grp[c].vk);
  }
  free (lim->ceil_ring);
  free (lim->gl);
  free (lim->lk);
  free (lim->clean);
  free (lim->lclean);
  free (lim->ldelayed);
  mst_delay_line_free (lim->delayx_f32);
  mst_delay_line_free (lim->delayx_f64);
  free (lim->xw);
  free (lim->dw);
  free (lim->xseg);
  free (lim->eseg);

  free (lim->delayed);
  free (lim->planar);
  free (lim->env);
  free (lim->gain);
  mst_true_peak_free (lim->tp2);
  mst_true_peak_free (lim->tpm2);
  free (lim->env2_m);
  for (c = 0; c < MST_LIMITER_MAX_CHANNELS; c++)
    mst_minmax_free (lim->cmin[c]);
  free (lim->cbox);
  free (lim->cceil);
  free (lim->ybuf);
  free (lim->cgain);
  free (lim->rr);
  mst_delay_line_free (lim->delay2_f32);
  mst_delay_line_free (lim->delay2_f64);
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
  ceiling_db = mst_clamp (ceiling_db, MST_LIMITER_MIN_CEILING_DB,
      MST_LIMITER_MAX_CEILING_DB);
  lim->ceiling = mst_db_to_lin (ceiling_db);
  /* the block being filled gets the lower of the two */
  if ((float) lim->ceiling < lim->block_ceil)
    lim->block_ceil = (float) lim->ceiling;
}

void
mst_limiter_set_input_gain (MstLimiter * lim, double gain_db)
{
  double g;

  gain_db = mst_clamp (gain_db, MST_LIMITER_MIN_INPUT_GAIN_DB,
      MST_LIMITER_MAX_INPUT_GAIN_DB);
  g = gain_db == 0.0 ? 1.0 : mst_db_to_lin (gain_db);
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
  release_ms = mst_clamp (release_ms, MST_LIMITER_MIN_RELEASE_MS,
      MST_LIMITER_MAX_RELEASE_MS);
  /* one-pole towards 1, time constant release_ms, updated per block */
  mst_envelope_set_release (lim->rel, release_ms);
}

/* Group 0's gain computer state to group c (see shared). */
static void
group_copy_state (MstLimiter * lim, unsigned c)
{
  const Group *g0 = &lim->grp[0];
  Group *g = &lim->grp[c];

  mst_minmax_copy (g->rmin, g0->rmin);
  mst_envelope_copy_channel (lim->rel, c, 0);
  memcpy (g->sbox, g0->sbox, sizeof (double) * lim->nb);
  g->sum = g0->sum;
  g->sbox_pos = g0->sbox_pos;
  mst_minmax_copy (g->fmin, g0->fmin);
  memcpy (g->fbox, g0->fbox, sizeof (double) * lim->nb);
  g->fsum = g0->fsum;
  g->fbox_pos = g0->fbox_pos;
}

void
mst_limiter_set_linked (MstLimiter * lim, int linked)
{
  unsigned c;

  lim->linked = linked != 0;
  if (!lim->linked && lim->shared) {
    for (c = 1; c < lim->channels; c++)
      group_copy_state (lim, c);
    lim->shared = 0;
  }
}

void
mst_limiter_set_detector_scale (MstLimiter * lim, double scale)
{
  lim->det_scale = (float) mst_clamp_or (scale, 0.0, 1.0, 1.0);
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

void
mst_limiter_set_correction (MstLimiter * lim, int on)
{
  lim->corr_req = on != 0;
  if (lim->feed == 0 && lim->corr_on != lim->corr_req)
    mst_limiter_reset (lim);
}

void
mst_limiter_set_band_limit (MstLimiter * lim, int on)
{
  lim->bl_req = on != 0;
  if (lim->feed == 0 && lim->bl_on != lim->bl_req)
    mst_limiter_reset (lim);
}

int
mst_limiter_band_limit (const MstLimiter * lim)
{
  return lim->bl_req;
}

uint64_t
mst_limiter_corrections (const MstLimiter * lim)
{
  return lim->corr_frames;
}

uint64_t
mst_limiter_nonfinite (const MstLimiter * lim)
{
  return lim->nonfinite;
}

/* ---- gain computer (block rate) -------------------------------------- */

/* Block `lim->block` is complete with envelope peak p for group ch:
 * push its R, compute knot k = block - nb - E. */
static void
group_block_done (MstLimiter * lim, unsigned ch, float p, double ceil_eff)
{
  Group *g = &lim->grp[ch];
  const int64_t k = lim->block - lim->nb - lim->E;
  const float r = p > ceil_eff ? (float) (ceil_eff / p) : 1.0f;
  /* sliding minimum over the last W blocks (blocks before the start
   * count as R = 1: the minimum of those pushed is the same, as R <= 1) */
  const double m = mst_minmax_push (g->rmin, r);
  /* release towards 1, held down by m */
  const double s = mst_envelope_step (lim->rel, ch, m);

  /* the attack mean */
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
  g->g[k & lim->gmask] = (float) (g->sum * lim->inv_nb);
}

MST_CLONES static void
blocks_from_env (MstLimiter * lim, size_t n)
{
  const unsigned C = lim->channels;
  size_t pos = 0, seg;
  unsigned c;

  for (seg = 0; pos < n; seg++) {
    size_t m = lim->B - lim->fill;

    if (m > n - pos)
      m = n - pos;
    for (c = 0; c < C; c++) {
      Group *g = &lim->grp[c];
      /* the envelope's peak in the segment: xcheck has it (band limit
       * on), else mst_peak_f32 (the envelope is >= 0) */
      const float p = lim->bl_on ? lim->eseg[(size_t) c * (CHUNK + 2) + seg]
          : mst_peak_f32 (lim->env + (size_t) c * CHUNK + pos, m);

      g->pacc = p > g->pacc ? p : g->pacc;
      if (lim->bl_on) {
        const float q = lim->xseg[(size_t) c * (CHUNK + 2) + seg];

        g->xacc = q > g->xacc ? q : g->xacc;
      }
    }
    lim->fill += (unsigned) m;
    pos += m;

    if (lim->fill == lim->B) {
      const double ceil_eff = lim->block_ceil * MARGIN;
      const int64_t k = lim->block - lim->nb - lim->E;
      float lp = 0.0f, gmin, gmax;

      lim->ceil_ring[lim->block & lim->gmask] = lim->block_ceil;
      if (lim->bl_on) {
        /* the output may be x (rather than L) only where every reading
         * of x is under the threshold (in every channel if linked) */
        int all = 1;

        for (c = 0; c < C; c++)
          all &= lim->grp[c].xacc <= ceil_eff;
        for (c = 0; c < (lim->shared ? 1u : C); c++) {
          Group *g = &lim->grp[c];
          const double f = (lim->linked ? all : g->xacc <= ceil_eff)
              ? 1.0 : 0.0;
          const double fm = mst_minmax_push (g->fmin, f);

          g->xacc = 0.0f;
          g->fsum += fm - g->fbox[g->fbox_pos];
          g->fbox[g->fbox_pos] = fm;
          if (++g->fbox_pos == lim->nb) {
            unsigned u;

            g->fbox_pos = 0;
            g->fsum = 0.0;
            for (u = 0; u < lim->nb; u++)
              g->fsum += g->fbox[u];
          }
          g->vk[k & lim->gmask] = (float) (g->fsum * lim->inv_nb);
        }
        if (lim->shared)
          for (c = 1; c < C; c++) {
            lim->grp[c].xacc = 0.0f;
            lim->grp[c].vk[k & lim->gmask] = lim->grp[0].vk[k & lim->gmask];
          }
      }
      if (lim->linked)
        for (c = 0; c < C; c++)
          lp = lim->grp[c].pacc > lp ? lim->grp[c].pacc : lp;
      gmin = 1.0f;
      gmax = 0.0f;
      for (c = 0; c < C; c++) {
        Group *g = &lim->grp[c];

        if (!lim->shared)
          group_block_done (lim, c, lim->linked ? lp : g->pacc, ceil_eff);
        else if (c == 0)
          group_block_done (lim, 0, lp, ceil_eff);
        else
          g->g[k & lim->gmask] = lim->grp[0].g[k & lim->gmask];
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
  } else if (stride == 1) {
    /* linked: contiguous; an int index converts to double in vectors */
    const int m = (int) n;
    int j;

    for (j = 0; j < m; j++)
      g[j] = (float) (g0 + step * (off + (double) j));
  } else {
    for (i = 0; i < n; i++)
      g[i * stride] = (float) (g0 + step * (off + (double) i));
  }
}

static inline float
ceil_of (const MstLimiter * lim, int64_t a)
{
  return lim->ceil_ring[block_of (lim, a) & lim->gmask];
}

/* largest |x| of the output, per format (the safety stage's SFX (peak)) */
static inline float
peak_f32 (const float *x, size_t n)
{
  return mst_peak_f32 (x, n);
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

/* out[i] = in[i] * g[i], i < n (one gain per sample) */
static inline void
apply_each_f32 (float *o, const float *s, const float *g, size_t n)
{
  truepeaklimiter_orc_apply_gain_f32_1ch (o, s, g, (int) n);
}

static inline void
apply_each_f64 (double *o, const double *s, const float *g, size_t n)
{
  truepeaklimiter_orc_apply_gain_f64_1ch (o, s, g, (int) n);
}

/* The band limit on one channel: w holds bl_len - 1 samples of history
 * followed by n new ones; out[i] gets the filtered sample i.  The filter
 * is symmetric (linear phase): pairs of samples share a tap.  One body
 * for double (F64 streams, four outputs per vector) and float (F32
 * streams, eight per vector: measured on the benchmark music, 48 kHz
 * stereo, the double version took about twice the time), four vectors
 * per step (independent accumulators hide the multiply-add latency);
 * vectors are the GCC/Clang extension.  Built with MST_FP_CONTRACT (one
 * multiply-add per tap pair), so every output is made by the same vector
 * step, whatever n: the last one recomputes the outputs it overlaps
 * (the same values), and a call of fewer than V samples runs it on a
 * zero-padded copy (a scalar tail would round differently). */
#if defined(__GNUC__)
typedef double v4df __attribute__((vector_size (32)));
typedef float v8sf __attribute__((vector_size (32)));
/* out[0 .. V) from w[0 .. V + L - 1) */
#define BL_STEP(T, VT, V, w_, out_)                                     \
  do {                                                                  \
    VT acc, a, b;                                                       \
                                                                        \
    memcpy (&a, (w_) + half, sizeof a);                                 \
    acc = h[half] * a;                                                  \
    for (k = 0; k < half; k++) {                                        \
      memcpy (&a, (w_) + k, sizeof a);                                  \
      memcpy (&b, (w_) + L - 1 - k, sizeof b);                          \
      acc += h[k] * (a + b);                                            \
    }                                                                   \
    memcpy ((out_), &acc, sizeof acc);                                  \
  } while (0)
#define BL_VECTOR_STEPS(T, VT, V)                                       \
  for (; i + 4 * V <= n; i += 4 * V) {                                  \
    VT c0, c1, c2, c3, a0, a1, a2, a3, b0, b1, b2, b3;                  \
                                                                        \
    memcpy (&a0, w + i + half, sizeof a0);                              \
    memcpy (&a1, w + i + half + V, sizeof a1);                          \
    memcpy (&a2, w + i + half + 2 * V, sizeof a2);                      \
    memcpy (&a3, w + i + half + 3 * V, sizeof a3);                      \
    c0 = h[half] * a0;                                                  \
    c1 = h[half] * a1;                                                  \
    c2 = h[half] * a2;                                                  \
    c3 = h[half] * a3;                                                  \
    for (k = 0; k < half; k++) {                                        \
      const T *p = w + i + k, *q = w + i + L - 1 - k;                   \
                                                                        \
      memcpy (&a0, p, sizeof a0);                                       \
      memcpy (&a1, p + V, sizeof a1);                                   \
      memcpy (&a2, p + 2 * V, sizeof a2);                               \
      memcpy (&a3, p + 3 * V, sizeof a3);                               \
      memcpy (&b0, q, sizeof b0);                                       \
      memcpy (&b1, q + V, sizeof b1);                                   \
      memcpy (&b2, q + 2 * V, sizeof b2);                               \
      memcpy (&b3, q + 3 * V, sizeof b3);                               \
      c0 += h[k] * (a0 + b0);                                           \
      c1 += h[k] * (a1 + b1);                                           \
      c2 += h[k] * (a2 + b2);                                           \
      c3 += h[k] * (a3 + b3);                                           \
    }                                                                   \
    memcpy (out + i, &c0, sizeof c0);                                   \
    memcpy (out + i + V, &c1, sizeof c1);                               \
    memcpy (out + i + 2 * V, &c2, sizeof c2);                           \
    memcpy (out + i + 3 * V, &c3, sizeof c3);                           \
  }                                                                     \
  for (; i + V <= n; i += V)                                            \
    BL_STEP (T, VT, V, w + i, out + i);                                 \
  if (i < n && n >= V) {                                                \
    BL_STEP (T, VT, V, w + n - V, out + n - V);                         \
  } else if (i < n) {                                                   \
    T pw[BL_TAPS - 1 + V] = { 0 }, po[V];                               \
                                                                        \
    memcpy (pw, w, sizeof (T) * (L - 1 + n));                           \
    BL_STEP (T, VT, V, pw, po);                                         \
    memcpy (out, po, sizeof (T) * n);                                   \
  }                                                                     \
  i = n;
#else
#define BL_VECTOR_STEPS(T, VT, V)
#endif

#define BL_RUN(NAME, ATTR, T, VT, V)                                    \
ATTR static void                                                        \
NAME (const T *restrict h, unsigned L, const T *restrict w,             \
    T *restrict out, size_t n)                                          \
{                                                                       \
  const unsigned half = L / 2;  /* L odd: taps 0 .. half - 1 mirrored */ \
  size_t i = 0;                                                         \
  unsigned k;                                                           \
                                                                        \
  BL_VECTOR_STEPS (T, VT, V)                                            \
  for (; i < n; i++) {                                                  \
    T acc = h[half] * w[i + half];                                      \
                                                                        \
    for (k = 0; k < half; k++)                                          \
      acc += h[k] * (w[i + k] + w[i + L - 1 - k]);                      \
    out[i] = acc;                                                       \
  }                                                                     \
}

BL_RUN (band_limit_run_f64, MST_CLONES MST_FP_CONTRACT, double, v4df, 4)
BL_RUN (band_limit_run_f32, MST_CLONES MST_FP_CONTRACT, float, v8sf, 8)
#ifdef MST_HAVE_WIDE
typedef double v8df __attribute__((vector_size (64)));
typedef float v16sf __attribute__((vector_size (64)));

BL_RUN (band_limit_run_wide_f64, MST_WIDE MST_FP_CONTRACT, double, v8df, 8)
BL_RUN (band_limit_run_wide_f32, MST_WIDE MST_FP_CONTRACT, float, v16sf, 16)
#endif

/* Per-format bodies (ingest, output, process), stamped from one template
 * for float and for double. */
#define SAMPLE float
#define SFX(name) name##_f32
#define SABS fabsf
#define BL_COEF bl_coef_f32
#include "limiter-body.h"

#define SAMPLE double
#define SFX(name) name##_f64
#define SABS fabs
#define BL_COEF bl_coef
#include "limiter-body.h"
