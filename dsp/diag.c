/* gst-mastering — pre-mastering diagnostics (see diag.h)
 */
#include "diag.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "biquad.h"
#include "loudness.h"
#include "util.h"

#define MAX_SECTIONS (2 * MST_BIQUAD_MAX_SLOPE_SECTIONS)
#define N_FILTERS (MST_DIAG_N_BANDS + 3)        /* bands, full, mid, side */
#define F_FULL MST_DIAG_N_BANDS
#define F_MID (MST_DIAG_N_BANDS + 1)
#define F_SIDE (MST_DIAG_N_BANDS + 2)
#define HIST_MIN_DB -160.0
#define HIST_BINS 1600          /* 0.1 dB bins, -160 .. 0 dBFS */
#define CORR_BLOCK_S 1.0
#define CORR_MIN_LEVEL 1e-5     /* mean square: -50 dBFS RMS */

static const double band_edges[MST_DIAG_N_BANDS][2] = {
  {20.0, 60.0}, {60.0, 250.0}, {250.0, 1000.0}, {2000.0, 5000.0},
  {10000.0, 20000.0}
};

/* Windows (dB vs pink noise, per octave) that a balanced mix falls in:
 * the project's heuristic, from the long-term spectra of commercial mixes
 * lying close to pink noise in the low and middle bands and below it in
 * the top octaves. */
static const double band_windows[MST_DIAG_N_BANDS][2] = {
  {-12.0, 2.0}, {-4.0, 5.0}, {-4.0, 3.0}, {-9.0, 1.0}, {-20.0, -4.0}
};

/* A cascade of biquad sections on one signal (transposed direct form II,
 * double). */
typedef struct
{
  unsigned n;                   /* sections in use (0: filter disabled) */
  MstBiquadCoefs c[MAX_SECTIONS];
  double z1[MAX_SECTIONS], z2[MAX_SECTIONS];    /* section states */
  double octaves;               /* width of the band, octaves */
  double energy;                /* sum of squared outputs */
} Cascade;

struct MstDiag
{
  unsigned rate;                /* Hz */
  unsigned channels;
  uint64_t frames;              /* frames processed */

  double sum[MST_DIAG_MAX_CHANNELS];    /* sum of samples (DC) */

  /* clip runs, per channel */
  double run_value[MST_DIAG_MAX_CHANNELS];      /* value of the open run */
  uint64_t run_len[MST_DIAG_MAX_CHANNELS];      /* samples in it */
  uint64_t run_start[MST_DIAG_MAX_CHANNELS];    /* frame it started at */
  uint64_t clip_runs[MST_DIAG_MAX_CHANNELS];
  uint64_t clip_samples[MST_DIAG_MAX_CHANNELS];
  uint64_t clip_longest, clip_longest_frame, clip_first_frame;
  unsigned clip_longest_channel;
  int clip_seen;

  /* stereo correlation: whole programme and 1 s blocks */
  double s_lr, s_ll, s_rr;
  double b_lr, b_ll, b_rr;      /* the open block */
  uint64_t b_len, b_start, block_frames;
  double corr_min;
  uint64_t corr_min_frame;

  /* BS.1770 loudness: stereo programme, mono fold (dual mono), L, R */
  MstLoudness *stereo, *fold, *left, *right;

  /* filters on the mix (mean of channels), on mid and side */
  Cascade filt[N_FILTERS];

  /* noise floor: 50 ms blocks of RMS over all channels */
  uint64_t nf_block_frames, nf_len;
  double nf_acc;                /* sum of squares of the open block */
  int nf_nonzero;               /* the open block has a non-zero sample */
  uint64_t hist[HIST_BINS];     /* RMS histogram of non-silent blocks */
  uint64_t nf_blocks, silent_blocks;
  double win[MST_DIAG_QUIET_BLOCKS];    /* mean squares of recent blocks */
  unsigned win_pos, win_fill;   /* ring position, non-silent blocks in a
                                 * row (capped at the window) */
  double quiet_ms;              /* lowest window mean square */
  uint64_t quiet_frame, nf_block_index;
};

static void
cascade_setup (Cascade * f, double rate, double lo, double hi)
{
  unsigned n = 0;

  memset (f, 0, sizeof (*f));
  if (lo >= MST_BIQUAD_MAX_FREQ_RATIO * rate)
    return;                     /* band above the rate's range */
  if (lo > 0.0)
    n += mst_biquad_design_slope (f->c + n, MST_BIQUAD_HIGH_PASS,
        MST_BIQUAD_MATCHED, rate, lo, 0.0, 0.7071, 24);
  if (hi > 0.0 && hi < 0.45 * rate)
    n += mst_biquad_design_slope (f->c + n, MST_BIQUAD_LOW_PASS,
        MST_BIQUAD_MATCHED, rate, hi, 0.0, 0.7071, 24);
  else if (hi > 0.0)
    hi = 0.5 * rate;            /* the band ends at Nyquist */
  f->n = n;
  f->octaves = lo > 0.0 && hi > 0.0 ? log2 (hi / lo) : 1.0;
}

static inline void
cascade_run (Cascade * f, double x)
{
  unsigned s;

  for (s = 0; s < f->n; s++) {
    const MstBiquadCoefs *c = &f->c[s];
    double y = c->b0 * x + f->z1[s];

    f->z1[s] = c->b1 * x - c->a1 * y + f->z2[s];
    f->z2[s] = c->b2 * x - c->a2 * y;
    x = y;
  }
  f->energy += x * x;
}

static void
cascade_flush (Cascade * f)
{
  unsigned s;

  for (s = 0; s < f->n; s++) {
    f->z1[s] = mst_flush_denormal (f->z1[s]);
    f->z2[s] = mst_flush_denormal (f->z2[s]);
  }
}

MstDiag *
mst_diag_new (unsigned rate, unsigned channels)
{
  MstDiag *st;

  if (rate < MST_RATE_MIN || rate > MST_RATE_MAX || channels < 1 ||
      channels > MST_DIAG_MAX_CHANNELS)
    return NULL;
  st = calloc (1, sizeof (*st));
  if (!st)
    return NULL;
  st->rate = rate;
  st->channels = channels;
  if (channels == 2) {
    st->stereo = mst_loudness_new (rate, 2, 0);
    st->fold = mst_loudness_new (rate, 1, 0);
    st->left = mst_loudness_new (rate, 1, 0);
    st->right = mst_loudness_new (rate, 1, 0);
    if (!st->stereo || !st->fold || !st->left || !st->right) {
      mst_diag_free (st);
      return NULL;
    }
    /* the fold played on both loudspeakers (BS.1770 dual mono) */
    mst_loudness_set_channel_weight (st->fold, 0, 2.0);
  }
  mst_diag_reset (st);
  return st;
}

void
mst_diag_free (MstDiag * st)
{
  if (!st)
    return;
  mst_loudness_free (st->stereo);
  mst_loudness_free (st->fold);
  mst_loudness_free (st->left);
  mst_loudness_free (st->right);
  free (st);
}

void
mst_diag_reset (MstDiag * st)
{
  unsigned b;
  MstLoudness *stereo = st->stereo, *fold = st->fold, *left = st->left,
      *right = st->right;
  unsigned rate = st->rate, channels = st->channels;

  memset (st, 0, sizeof (*st));
  st->rate = rate;
  st->channels = channels;
  st->stereo = stereo;
  st->fold = fold;
  st->left = left;
  st->right = right;
  if (stereo) {
    mst_loudness_reset (stereo);
    mst_loudness_reset (fold);
    mst_loudness_reset (left);
    mst_loudness_reset (right);
  }
  for (b = 0; b < MST_DIAG_N_BANDS; b++)
    cascade_setup (&st->filt[b], rate, band_edges[b][0], band_edges[b][1]);
  cascade_setup (&st->filt[F_FULL], rate, 20.0, 20000.0);
  cascade_setup (&st->filt[F_MID], rate, 0.0, MST_DIAG_SIDE_LOW_HZ);
  cascade_setup (&st->filt[F_SIDE], rate, 0.0, MST_DIAG_SIDE_LOW_HZ);
  st->block_frames = (uint64_t) (CORR_BLOCK_S * rate);
  st->nf_block_frames = (uint64_t) rate * MST_DIAG_BLOCK_MS / 1000;
  st->corr_min = 2.0;
  st->quiet_ms = HUGE_VAL;
}

static void
end_run (MstDiag * st, unsigned ch)
{
  uint64_t len = st->run_len[ch];

  if (len >= MST_DIAG_CLIP_RUN) {
    st->clip_runs[ch]++;
    st->clip_samples[ch] += len;
    if (!st->clip_seen || st->run_start[ch] < st->clip_first_frame)
      st->clip_first_frame = st->run_start[ch];
    st->clip_seen = 1;
    if (len > st->clip_longest) {
      st->clip_longest = len;
      st->clip_longest_frame = st->run_start[ch];
      st->clip_longest_channel = ch;
    }
  }
  st->run_len[ch] = 0;
}

static void
end_corr_block (MstDiag * st)
{
  double d = st->b_ll * st->b_rr;

  /* only blocks with programme in both channels */
  if (st->b_ll > CORR_MIN_LEVEL * st->b_len &&
      st->b_rr > CORR_MIN_LEVEL * st->b_len && d > 0.0) {
    double c = st->b_lr / sqrt (d);

    if (c < st->corr_min) {
      st->corr_min = c;
      st->corr_min_frame = st->b_start;
    }
  }
  st->b_lr = st->b_ll = st->b_rr = 0.0;
  st->b_len = 0;
  st->b_start = st->frames;
}

static void
end_nf_block (MstDiag * st)
{
  double ms = st->nf_acc / ((double) st->nf_len * st->channels);

  if (!st->nf_nonzero) {
    st->silent_blocks++;
    st->win_fill = 0;
  } else {
    double db = 10.0 * log10 (ms);
    int bin = (int) floor ((db - HIST_MIN_DB) * 10.0);

    st->hist[bin < 0 ? 0 : bin >= HIST_BINS ? HIST_BINS - 1 : bin]++;
    st->nf_blocks++;
    st->win[st->win_pos] = ms;
    st->win_pos = (st->win_pos + 1) % MST_DIAG_QUIET_BLOCKS;
    if (st->win_fill < MST_DIAG_QUIET_BLOCKS)
      st->win_fill++;
    if (st->win_fill == MST_DIAG_QUIET_BLOCKS) {
      double m = 0.0;
      unsigned i;

      for (i = 0; i < MST_DIAG_QUIET_BLOCKS; i++)
        m += st->win[i];
      m /= MST_DIAG_QUIET_BLOCKS;
      if (m < st->quiet_ms) {
        st->quiet_ms = m;
        st->quiet_frame = (st->nf_block_index + 1 - MST_DIAG_QUIET_BLOCKS) *
            st->nf_block_frames;
      }
    }
  }
  st->nf_block_index++;
  st->nf_acc = 0.0;
  st->nf_len = 0;
  st->nf_nonzero = 0;
}

/* One frame of doubles (non-finite already replaced). */
static inline void
frame (MstDiag * st, const double *x)
{
  unsigned ch, b, nch = st->channels;
  double mix = 0.0, sq = 0.0;

  for (ch = 0; ch < nch; ch++) {
    double v = x[ch], a = fabs (v);

    st->sum[ch] += v;
    mix += v;
    sq += v * v;
    if (v != 0.0)
      st->nf_nonzero = 1;
    /* clip runs: equal values at or above the clip level */
    if (a >= MST_DIAG_CLIP_LEVEL && st->run_len[ch] > 0 &&
        v == st->run_value[ch]) {
      st->run_len[ch]++;
    } else {
      end_run (st, ch);
      if (a >= MST_DIAG_CLIP_LEVEL) {
        st->run_value[ch] = v;
        st->run_len[ch] = 1;
        st->run_start[ch] = st->frames;
      }
    }
  }
  mix /= nch;
  for (b = 0; b <= F_FULL; b++)
    if (st->filt[b].n)
      cascade_run (&st->filt[b], mix);

  if (nch == 2) {
    double l = x[0], r = x[1];

    st->s_lr += l * r;
    st->s_ll += l * l;
    st->s_rr += r * r;
    st->b_lr += l * r;
    st->b_ll += l * l;
    st->b_rr += r * r;
    if (++st->b_len == st->block_frames)
      end_corr_block (st);
    cascade_run (&st->filt[F_MID], 0.5 * (l + r));
    cascade_run (&st->filt[F_SIDE], 0.5 * (l - r));
  }

  st->nf_acc += sq;
  if (++st->nf_len == st->nf_block_frames)
    end_nf_block (st);
  st->frames++;
}

#define CHUNK 1024

/* Runs frames through the per-sample analysis and the loudness meters
 * (which take whole chunks). */
static void
process_f64_chunk (MstDiag * st, const double *in, size_t n)
{
  double fold[CHUNK], left[CHUNK], right[CHUNK];
  size_t i;
  unsigned b;

  for (i = 0; i < n; i++)
    frame (st, in + i * st->channels);
  if (st->channels == 2) {
    for (i = 0; i < n; i++) {
      left[i] = in[2 * i];
      right[i] = in[2 * i + 1];
      fold[i] = 0.5 * (left[i] + right[i]);
    }
    mst_loudness_process_f64 (st->stereo, in, n);
    mst_loudness_process_f64 (st->fold, fold, n);
    mst_loudness_process_f64 (st->left, left, n);
    mst_loudness_process_f64 (st->right, right, n);
  }
  for (b = 0; b < N_FILTERS; b++)
    cascade_flush (&st->filt[b]);
}

void
mst_diag_process_f64 (MstDiag * st, const double *in, size_t n_frames)
{
  double buf[CHUNK * MST_DIAG_MAX_CHANNELS];
  size_t done = 0, nch = st->channels;

  while (done < n_frames) {
    size_t n = n_frames - done < CHUNK ? n_frames - done : CHUNK, i;
    const double *src = in + done * nch;

    for (i = 0; i < n * nch; i++)
      buf[i] = isfinite (src[i]) ? src[i] : 0.0;
    process_f64_chunk (st, buf, n);
    done += n;
  }
}

void
mst_diag_process_f32 (MstDiag * st, const float *in, size_t n_frames)
{
  double buf[CHUNK * MST_DIAG_MAX_CHANNELS];
  size_t done = 0, nch = st->channels;

  while (done < n_frames) {
    size_t n = n_frames - done < CHUNK ? n_frames - done : CHUNK, i;
    const float *src = in + done * nch;

    for (i = 0; i < n * nch; i++)
      buf[i] = isfinite (src[i]) ? (double) src[i] : 0.0;
    process_f64_chunk (st, buf, n);
    done += n;
  }
}

static double
db_power (double p)
{
  return p > 0.0 ? 10.0 * log10 (p) : -HUGE_VAL;
}

void
mst_diag_result (const MstDiag * st, MstDiagResult * r)
{
  MstDiag tmp;
  unsigned ch, b;

  /* close open runs and blocks on a copy */
  memcpy (&tmp, st, sizeof tmp);
  for (ch = 0; ch < tmp.channels; ch++)
    end_run (&tmp, ch);
  if (tmp.b_len >= tmp.block_frames / 2)
    end_corr_block (&tmp);

  memset (r, 0, sizeof (*r));
  r->channels = tmp.channels;
  r->frames = tmp.frames;
  for (ch = 0; ch < tmp.channels; ch++) {
    double mean = tmp.frames ? tmp.sum[ch] / (double) tmp.frames : 0.0;

    r->dc_db[ch] = mst_lin_to_db (fabs (mean));
    r->clip_runs[ch] = tmp.clip_runs[ch];
    r->clip_samples[ch] = tmp.clip_samples[ch];
    r->clip_runs_total += tmp.clip_runs[ch];
  }
  r->clip_longest = tmp.clip_longest;
  r->clip_longest_frame = tmp.clip_longest_frame;
  r->clip_longest_channel = tmp.clip_longest_channel;
  r->clip_first_frame = tmp.clip_first_frame;

  r->correlation = r->correlation_min = r->mono_fold_lu = NAN;
  r->balance_lu = r->side_low_db = NAN;
  if (tmp.channels == 2) {
    double d = tmp.s_ll * tmp.s_rr, i_st = mst_loudness_integrated (st->stereo);

    r->correlation = d > 0.0 ? tmp.s_lr / sqrt (d) : NAN;
    if (tmp.corr_min <= 1.0) {
      r->correlation_min = tmp.corr_min;
      r->correlation_min_frame = tmp.corr_min_frame;
    }
    if (isfinite (i_st))
      r->mono_fold_lu = mst_loudness_integrated (st->fold) - i_st;
    if (isfinite (mst_loudness_integrated (st->left)) &&
        isfinite (mst_loudness_integrated (st->right)))
      r->balance_lu = mst_loudness_integrated (st->left) -
          mst_loudness_integrated (st->right);
    if (tmp.filt[F_MID].energy > 0.0)
      r->side_low_db = db_power (tmp.filt[F_SIDE].energy) -
          db_power (tmp.filt[F_MID].energy);
  }

  for (b = 0; b < MST_DIAG_N_BANDS; b++) {
    const Cascade *f = &tmp.filt[b], *full = &tmp.filt[F_FULL];

    if (!f->n || full->energy <= 0.0)
      r->band_db[b] = NAN;
    else
      r->band_db[b] = db_power (f->energy / f->octaves) -
          db_power (full->energy / full->octaves);
  }

  r->noise_floor_db = r->quietest_db = -HUGE_VAL;
  if (tmp.nf_blocks > 0) {
    uint64_t want = (uint64_t) ceil (tmp.nf_blocks *
        MST_DIAG_NOISE_PERCENTILE / 100.0), acc = 0;
    int i;

    for (i = 0; i < HIST_BINS; i++) {
      acc += tmp.hist[i];
      if (acc >= want) {
        r->noise_floor_db = HIST_MIN_DB + (i + 0.5) / 10.0;
        break;
      }
    }
  }
  if (tmp.quiet_ms < HUGE_VAL) {
    r->quietest_db = db_power (tmp.quiet_ms);
    r->quietest_frame = tmp.quiet_frame;
  }
  r->silence_s = (double) tmp.silent_blocks * tmp.nf_block_frames /
      tmp.rate;
}

const char *
mst_diag_band_name (MstDiagBand band)
{
  static const char *const names[MST_DIAG_N_BANDS] = {
    "sub", "low", "low-mid", "presence", "air"
  };

  return band < MST_DIAG_N_BANDS ? names[band] : "?";
}

void
mst_diag_band_edges (MstDiagBand band, double *lo_hz, double *hi_hz)
{
  *lo_hz = band < MST_DIAG_N_BANDS ? band_edges[band][0] : NAN;
  *hi_hz = band < MST_DIAG_N_BANDS ? band_edges[band][1] : NAN;
}

void
mst_diag_band_reference (MstDiagBand band, double *lo_db, double *hi_db)
{
  *lo_db = band < MST_DIAG_N_BANDS ? band_windows[band][0] : NAN;
  *hi_db = band < MST_DIAG_N_BANDS ? band_windows[band][1] : NAN;
}
