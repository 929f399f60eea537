/* gst-mastering — mid/side parametric equalizer core (see mseq.h)
 *
 * State (units):
 *   lr, ms        dsp/biquad cascades: lr has the left/right lanes (stereo
 *                 input only), ms the mid/side lanes (just mid on mono);
 *                 band b owns sections 4b .. 4b+3 of every lane
 *   band[]        the settings last set, user units
 *   gm, gs        mid and side gain including the output gain (linear):
 *                 current value, target, per-frame increment; gain_left
 *                 frames of their ramp remain
 *   mid_db, side_db, out_db  the gains as set (dB)
 *   ramp_len      frames of a ramp
 *   work          CHUNK frames of interleaved doubles
 */
#include "mseq.h"
#include "simd.h"
#include "util.h"

#include <float.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK 256
#define SECTIONS_PER_BAND MST_BIQUAD_MAX_SLOPE_SECTIONS
#define DEFAULT_RAMP_MS 10.0

struct MstMsEq
{
  unsigned rate, channels;
  MstBiquad *lr, *ms;
  MstMsEqBand band[MST_MSEQ_MAX_BANDS];
  double mid_db, side_db, out_db;
  double gm, gs, gm_tgt, gs_tgt, gm_inc, gs_inc;
  unsigned gain_left, ramp_len;
  double work[CHUNK * 2];
};

MstMsEq *
mst_mseq_new (unsigned rate, unsigned channels)
{
  MstMsEq *eq;
  unsigned b;

  if (rate < MST_RATE_MIN || rate > MST_RATE_MAX || channels < 1
      || channels > 2)
    return NULL;
  eq = calloc (1, sizeof *eq);
  if (!eq)
    return NULL;
  eq->rate = rate;
  eq->channels = channels;
  eq->ms = mst_biquad_new (rate, channels,
      MST_MSEQ_MAX_BANDS * SECTIONS_PER_BAND);
  if (channels == 2)
    eq->lr = mst_biquad_new (rate, 2, MST_MSEQ_MAX_BANDS * SECTIONS_PER_BAND);
  if (!eq->ms || (channels == 2 && !eq->lr)) {
    mst_mseq_free (eq);
    return NULL;
  }
  for (b = 0; b < MST_MSEQ_MAX_BANDS; b++)
    eq->band[b] = (MstMsEqBand) {
    MST_BIQUAD_BELL, 1000.0, 0.0, 0.70710678118654752, 12, MST_MSEQ_STEREO,
          0};
  eq->gm = eq->gs = eq->gm_tgt = eq->gs_tgt = 1.0;
  mst_mseq_set_ramp (eq, DEFAULT_RAMP_MS);
  return eq;
}

void
mst_mseq_free (MstMsEq * eq)
{
  if (!eq)
    return;
  mst_biquad_free (eq->lr);
  mst_biquad_free (eq->ms);
  free (eq);
}

void
mst_mseq_reset (MstMsEq * eq)
{
  if (eq->lr)
    mst_biquad_reset (eq->lr);
  mst_biquad_reset (eq->ms);
  eq->gm = eq->gm_tgt;
  eq->gs = eq->gs_tgt;
  eq->gain_left = 0;
}

unsigned
mst_mseq_channels (const MstMsEq * eq)
{
  return eq->channels;
}

unsigned
mst_mseq_latency (const MstMsEq * eq)
{
  (void) eq;
  return 0;
}

void
mst_mseq_set_ramp (MstMsEq * eq, double ramp_ms)
{
  ramp_ms = mst_clamp_or (ramp_ms, 0.0, 1000.0, DEFAULT_RAMP_MS);
  eq->ramp_len = (unsigned) lrint (ramp_ms * 1e-3 * eq->rate);
  if (eq->lr)
    mst_biquad_set_ramp (eq->lr, ramp_ms);
  mst_biquad_set_ramp (eq->ms, ramp_ms);
}

static int
is_off (const MstMsEqBand * b)
{
  if (!b->enabled)
    return 1;
  if (b->type == MST_BIQUAD_BELL || b->type == MST_BIQUAD_LOW_SHELF
      || b->type == MST_BIQUAD_HIGH_SHELF)
    return b->gain_db == 0.0;
  return 0;
}

void
mst_mseq_set_band (MstMsEq * eq, unsigned index, const MstMsEqBand * band)
{
  MstBiquadCoefs c[SECTIONS_PER_BAND], id;
  unsigned n = 0, k, lane;
  /* lanes: 0 = mid, 1 = side, 2 = left, 3 = right */
  int on[4] = { 0, 0, 0, 0 };
  MstMsEqBand b;

  if (index >= MST_MSEQ_MAX_BANDS)
    return;
  b = *band;
  if ((unsigned) b.type > MST_BIQUAD_NOTCH)
    b.type = MST_BIQUAD_BELL;
  eq->band[index] = b;
  mst_biquad_identity (&id);
  if (!is_off (&b)) {
    n = mst_biquad_design_slope (c, b.type, MST_BIQUAD_MATCHED, eq->rate,
        b.freq, b.gain_db, b.q, b.slope_db);
    switch (b.channel) {
      case MST_MSEQ_MID:
        on[0] = 1;
        break;
      case MST_MSEQ_SIDE:
        on[1] = eq->channels == 2;
        break;
      case MST_MSEQ_LEFT:
        on[2] = eq->channels == 2;
        break;
      case MST_MSEQ_RIGHT:
        on[3] = eq->channels == 2;
        break;
      case MST_MSEQ_STEREO:
      default:
        on[0] = 1;
        on[1] = eq->channels == 2;
        break;
    }
  }
  for (lane = 0; lane < 2 * eq->channels; lane++) {
    MstBiquad *bq = lane < 2 ? eq->ms : eq->lr;
    for (k = 0; k < SECTIONS_PER_BAND; k++)
      mst_biquad_set (bq, lane & 1, index * SECTIONS_PER_BAND + k,
          on[lane] && k < n ? &c[k] : &id);
  }
}

static double
gain_lin (double db)
{
  return db <= MST_MSEQ_MIN_GAIN_DB ? 0.0 : mst_db_to_lin (db);
}

static void
update_gains (MstMsEq * eq)
{
  double out = gain_lin (eq->out_db);

  eq->gm_tgt = gain_lin (eq->mid_db) * out;
  eq->gs_tgt = gain_lin (eq->side_db) * out;
  if (eq->ramp_len == 0) {
    eq->gm = eq->gm_tgt;
    eq->gs = eq->gs_tgt;
    eq->gain_left = 0;
    return;
  }
  eq->gm_inc = (eq->gm_tgt - eq->gm) / eq->ramp_len;
  eq->gs_inc = (eq->gs_tgt - eq->gs) / eq->ramp_len;
  eq->gain_left = eq->ramp_len;
}

static double
clamp_db (double db, double old)
{
  return mst_clamp_or (db, MST_MSEQ_MIN_GAIN_DB, MST_MSEQ_MAX_GAIN_DB, old);
}

void
mst_mseq_set_mid_gain (MstMsEq * eq, double gain_db)
{
  eq->mid_db = clamp_db (gain_db, eq->mid_db);
  update_gains (eq);
}

void
mst_mseq_set_side_gain (MstMsEq * eq, double gain_db)
{
  eq->side_db = clamp_db (gain_db, eq->side_db);
  update_gains (eq);
}

void
mst_mseq_set_output_gain (MstMsEq * eq, double gain_db)
{
  eq->out_db = clamp_db (gain_db, eq->out_db);
  update_gains (eq);
}

int
mst_mseq_is_identity (MstMsEq * eq)
{
  return eq->gain_left == 0 && eq->gm == 1.0
      && (eq->gs == 1.0 || eq->channels == 1)
      && mst_biquad_is_identity (eq->ms)
      && (!eq->lr || mst_biquad_is_identity (eq->lr));
}

/* GCC: the loops of the process functions clamp and select with
 * comparisons; without trapping-math semantics (the results are the same,
 * only floating-point exception flags could differ) they become vector
 * selects instead of branches. */
#if defined(__GNUC__) && !defined(__clang__)
#define MST_NO_TRAP __attribute__((optimize ("no-trapping-math")))
#else
#define MST_NO_TRAP
#endif

/* Advances the gain ramp by one frame. */
MST_NO_TRAP static inline void
gain_step (MstMsEq * eq, double *gm, double *gs, unsigned *left)
{
  if (*left > 0) {
    if (--*left) {
      *gm += eq->gm_inc;
      *gs += eq->gs_inc;
    } else {
      *gm = eq->gm_tgt;
      *gs = eq->gs_tgt;
    }
  }
}

#define SAMPLE float
#define SUFFIX f32
#define SAMPLE_MAX FLT_MAX
#include "mseq-body.h"
#undef SAMPLE
#undef SUFFIX
#undef SAMPLE_MAX

#define SAMPLE double
#define SUFFIX f64
#define SAMPLE_MAX DBL_MAX
#include "mseq-body.h"
#undef SAMPLE
#undef SUFFIX
#undef SAMPLE_MAX
