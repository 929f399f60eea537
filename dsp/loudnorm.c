/* gst-mastering — live loudness normalizer core (see loudnorm.h)
 *
 * Time bases.  "Input frame" i counts frames passed to process () since
 * new/reset.  The input meter sees frame i when it is fed (the look-ahead
 * front); the gain stage sees frame i - D (D = delay-line length), the
 * limiter adds its own latency L, so the output is input delayed by D + L.
 * "Output index" o = i - D names the frame in the gain stage; the gain plan
 * is written in that time base.
 *
 * Controller (front side, every 100 ms hop of the input meter's grid, once
 * 400 ms have been measured since new/reset/restart):
 *   e        energy of the last 400 ms (the meter's momentary value)
 *   E_gate   one-pole energy mean of blocks >= -70 LUFS (GATE_TC_S)
 *   block is programme if L(e) >= -70 and L(e) >= L(E_gate) - 20 LU;
 *            otherwise it is a pause: the gain stays where it is
 *   pauses and their edges: a 400 ms block that overlaps the start or the
 *            end of a pause is mostly programme by its loudness but would
 *            lift the gain over the pause.  So the first STRADDLE quieter
 *            blocks after a pause are skipped, and a block quieter than the
 *            level waits (up to PENDING blocks) until a block at least as
 *            loud follows; a pause drops the waiting ones
 *   E_lev    leveler mean, time constant LEVEL_SPAN_DB / slew: louder
 *            blocks pull it in energy, quieter ones in dB
 *   kept     = clamp (L(E_lev) - I, +-range / 2), I the input's
 *            integrated loudness: the departure of the level from the
 *            programme's loudness that the output keeps (a dead band:
 *            levels within +-range / 2 of I are not leveled, levels
 *            beyond are brought to its edge), so that the output's
 *            loudness range (EBU Tech 3342: the spread of its 3 s
 *            loudness) is about `range` when the input's is larger and
 *            the input's when it is smaller
 *   shift    = 10 lg (mean over the blocks used of 10^(kept / 10)): the
 *            output's integrated loudness would lie this much over the
 *            target (kept levels add up in energy; raising the quiet
 *            parts to the dead band's lower edge adds loudness that
 *            lowering the loud ones does not take away); 0 at range 0
 *   est      = L(E_lev) - kept + shift: the level the gain brings to the
 *            target
 *   each used block queues (c, est), c = the input index the estimate
 *            describes: the middle of the block less LAG_FRACTION of the
 *            leveler's time constant, as far as the look-ahead allows
 *
 * Gain plan (output side, every HOP_PLAN frames of output index):
 *   goal     = clamp (target - est, min_gain, max_gain) of the latest
 *            queued entry whose c has been reached (live), or
 *            target - measured_integrated (linear in force, i.e. linear
 *            asked for and measured_integrated set)
 *   bound    = min over later entries k of gain_k + slew * (c_k - end) /
 *            rate: the gain must already be on its way down to reach a
 *            lower gain by the time that block's middle is output
 *   the gain ramps linearly in dB towards min (goal, bound) at no more
 *   than slew dB/s, then stays.  The first plan after new/reset sets the
 *   gain directly (there is no earlier output sample to step from).
 *
 * State (units):
 *   in_meter, out_meter   loudness meters (dsp/loudness) of input / output
 *   limiter               true-peak limiter (dsp/limiter), ceiling dBTP
 *   delay_f32/_f64, d_frames   delay lines (dsp/delayline), length
 *                        (frames)
 *   in_frames            input frames since new/reset
 *   hop_index, hop_left  front hop being filled (meter grid) and frames left
 *   e_gate, e_lev        energy means (weighted mean square)
 *   have_gate, have_lev  whether they hold a value yet
 *   kept_sum, n_kept     sum of 10^(kept / 10) over the blocks used, and
 *                        their count (shift)
 *   pending[], p_head, n_pending   quieter blocks waiting to be used
 *   after_pause          quieter blocks still to skip after a pause
 *   queue[]              planned entries (output index, est LUFS)
 *   goal_est, have_goal  est of the latest entry reached
 *   g_db, g_lin          gain in force (dB, linear)
 *   ramp_left, ramp_mul, ramp_end_db   frames left in the ramp, per-frame
 *                        factor, the dB value it ends on
 *   seg_left             frames left until the next plan
 *   started              a plan has been made for output index >= 0
 */
#include "loudnorm.h"
#include "delayline.h"
#include "limiter.h"
#include "loudness.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK 1024              /* frames per internal pass */
#define ABS_GATE_LUFS (-70.0)   /* BS.1770 absolute gate */
#define REL_GATE_LU (-20.0)     /* programme vs pause (EBU Tech 3342) */
#define GATE_TC_S 20.0          /* time constant of the gate reference */
#define LEVEL_SPAN_DB 12.0      /* leveler time constant = this / slew */
#define LEVEL_TC_MIN_S 0.3
#define LEVEL_TC_MAX_S 30.0
#define STRADDLE 3              /* blocks that overlap a pause's start */
#define PENDING 10              /* longest wait of a quieter block: 1 s */
#define LAG_FRACTION 0.7
#define BLOCK_S 0.4             /* BS.1770 gating block */
#define LIMITER_LOOKAHEAD_MS 5.0
#define LIMITER_RELEASE_MS 80.0
#define LIMITER_OVERSAMPLING 4

/* A programme block waiting to be used. */
typedef struct
{
  double e;                     /* energy (weighted mean square) */
  int64_t c;                    /* input index it describes */
} Pending;

typedef struct
{
  int64_t c;                    /* output index of the block's middle */
  double est;                   /* level to bring to the target, LUFS */
} Entry;

struct MstLoudnorm
{
  unsigned rate, channels;
  double lookahead_ms;

  /* parameters */
  MstLoudnormMode mode;
  double target, ceiling, range, max_gain, min_gain, slew;
  double measured_i, measured_tp;

  /* processors */
  MstLoudness *in_meter, *out_meter;
  MstLimiter *limiter;

  /* delay line (one per sample type) */
  MstDelayLine *delay_f32, *delay_f64;
  size_t d_frames;

  /* front side */
  uint64_t in_frames;
  uint64_t hop_index;
  size_t hop_left;
  double e_gate, e_lev;
  double kept_sum;
  uint64_t n_kept;
  int have_gate, have_lev;
  Pending pending[PENDING];     /* quieter blocks waiting (ring) */
  unsigned p_head, n_pending;
  unsigned after_pause;         /* programme blocks still to skip */

  /* plan */
  Entry *queue;
  size_t q_size, q_head, q_len;
  double goal_est;
  int have_goal;
  size_t plan_len;              /* frames between plans */
  size_t seg_left;
  int started;

  /* gain in force */
  double g_db, g_lin;
  size_t ramp_left;
  double ramp_mul, ramp_end_db;

  /* scratch, CHUNK frames (double-sized, used as float for F32) */
  double *scratch;
};

/* ---- helpers ----------------------------------------------------------- */

static double
lufs (double energy)
{
  return mst_loudness_from_energy (energy);
}

/* Length of front hop j on the meter's grid: hop j ends at frame
 * floor ((j + 1) * rate / 10), as the meter's 10 ms sub-blocks do. */
static size_t
hop_len (unsigned rate, uint64_t j)
{
  return (size_t) ((j + 1) * rate / 10 - j * rate / 10);
}

static double
level_tc_s (const MstLoudnorm * ln)
{
  return mst_clamp (LEVEL_SPAN_DB / ln->slew, LEVEL_TC_MIN_S, LEVEL_TC_MAX_S);
}

static double
wanted_gain (const MstLoudnorm * ln, double est)
{
  return mst_clamp (ln->target - est, ln->min_gain, ln->max_gain);
}

static int
linear_valid (const MstLoudnorm * ln)
{
  return ln->measured_i >= ABS_GATE_LUFS;
}

static void
estimates_clear (MstLoudnorm * ln)
{
  ln->hop_index = 0;
  ln->hop_left = hop_len (ln->rate, 0);
  ln->e_gate = ln->e_lev = 0.0;
  ln->kept_sum = 0.0;
  ln->n_kept = 0;
  ln->n_pending = ln->p_head = 0;
  ln->after_pause = 0;
  ln->have_gate = ln->have_lev = 0;
}

/* ---- front side: one 100 ms hop of the input meter ------------------- */

static void
queue_push (MstLoudnorm * ln, int64_t c, double est)
{
  size_t pos;

  if (ln->q_len == ln->q_size) {
    /* cannot happen with the size chosen in new (); drop the oldest */
    ln->q_head = (ln->q_head + 1) % ln->q_size;
    ln->q_len--;
  }
  pos = (ln->q_head + ln->q_len) % ln->q_size;
  ln->queue[pos].c = c;
  ln->queue[pos].est = est;
  ln->q_len++;
}

/* Departure of the level from the programme's integrated loudness that
 * the output keeps, dB (see the top). */
static double
kept (const MstLoudnorm * ln)
{
  double integ = mst_loudness_integrated (ln->in_meter);
  double half = ln->range / 2.0;

  return integ > -HUGE_VAL ?
      mst_clamp (lufs (ln->e_lev) - integ, -half, half) : 0.0;
}

/* Level the gain has to bring to the target (LUFS) from the estimates. */
static double
estimate (const MstLoudnorm * ln)
{
  double shift = ln->n_kept > 0 ?
      10.0 * log10 (ln->kept_sum / (double) ln->n_kept) : 0.0;

  return lufs (ln->e_lev) - kept (ln) + shift;
}

/* Feeds the oldest pending block to the level estimates and, if `queue`,
 * queues its entry. */
static void
use_pending (MstLoudnorm * ln, int queue)
{
  double step = (double) ln->rate / 10.0;
  double e = ln->pending[ln->p_head].e, a;
  int64_t c = ln->pending[ln->p_head].c;

  ln->p_head = (ln->p_head + 1) % PENDING;
  ln->n_pending--;
  if (!ln->have_lev) {
    ln->e_lev = e;
    ln->have_lev = 1;
  } else {
    /* leveler: louder blocks pull in energy (fast, as loudness adds up),
     * quieter ones in dB (a drop is followed as fast as a rise of the same
     * size would be in dB, not at the pace of a decaying energy) */
    a = mst_one_pole_coef (level_tc_s (ln) * 1000.0, ln->rate, step);
    if (e >= ln->e_lev)
      ln->e_lev += a * (e - ln->e_lev);
    else
      ln->e_lev *= pow (e / ln->e_lev, a);
  }
  ln->kept_sum += mst_db_to_lin (kept (ln)) * mst_db_to_lin (kept (ln));
  ln->n_kept++;
  if (queue)
    queue_push (ln, c, estimate (ln));
}

static void
front_hop (MstLoudnorm * ln)
{
  double step = (double) ln->rate / 10.0;
  double l, e;
  int programme;

  ln->hop_index++;
  ln->hop_left = hop_len (ln->rate, ln->hop_index);
  /* a full 400 ms block only after 4 hops */
  if (ln->hop_index < 4)
    return;

  l = mst_loudness_momentary (ln->in_meter);
  programme = l >= ABS_GATE_LUFS;
  e = programme ? mst_loudness_to_energy (l) : 0.0;
  if (programme) {
    if (!ln->have_gate) {
      ln->e_gate = e;
      ln->have_gate = 1;
    } else {
      ln->e_gate += mst_one_pole_coef (GATE_TC_S * 1000.0, ln->rate, step)
          * (e - ln->e_gate);
    }
    programme = l >= lufs (ln->e_gate) + REL_GATE_LU;
  }
  if (!programme) {
    /* the blocks still pending overlapped the start of this pause: a
     * 400 ms block that ends 100..300 ms into a pause is mostly
     * programme by its loudness, but its lower energy would lift the
     * gain over the pause.  Drop them. */
    ln->n_pending = 0;
    ln->after_pause = STRADDLE;
    return;
  }
  /* the first blocks after a pause measure the pause as much as the
   * programme: quieter than the level, they would lift the gain for the
   * last part of the pause */
  if (ln->after_pause > 0) {
    ln->after_pause--;
    if (!ln->have_lev || e < ln->e_lev)
      return;
  }

  {
    /* the estimate describes the middle of the block, or rather, as it
     * is a one-pole mean, about LAG_FRACTION of its time constant before
     * that; the look-ahead decides how much of that can be used */
    double back = BLOCK_S / 2.0 + LAG_FRACTION * level_tc_s (ln);
    double room = (double) ln->d_frames / ln->rate;
    Pending *p = &ln->pending[(ln->p_head + ln->n_pending) % PENDING];

    if (back > room)
      back = room > BLOCK_S / 2.0 ? room : BLOCK_S / 2.0;
    p->e = e;
    p->c = (int64_t) ln->in_frames - (int64_t) llround (back * ln->rate);
    ln->n_pending++;
  }
  if (ln->have_lev && e >= ln->e_lev) {
    /* a louder block: no pause is starting, use everything now; only the
     * newest entry goes to the plan (the quieter ones before it would
     * only lift the gain for a moment) */
    while (ln->n_pending > 0)
      use_pending (ln, ln->n_pending == 1);
  } else {
    /* a quieter block is used once a block at least as loud followed it
     * (the programme went on; a fade into a pause only gets quieter) */
    while (ln->n_pending > 1 && e >= ln->pending[ln->p_head].e)
      use_pending (ln, 1);
    if (ln->n_pending == PENDING)
      use_pending (ln, 1);
  }
}

/* ---- output side: gain plan ------------------------------------------ */

static void
plan (MstLoudnorm * ln)
{
  int64_t o = (int64_t) ln->in_frames - (int64_t) ln->d_frames;
  int64_t end = o + (int64_t) ln->plan_len;
  double tgt, per_frame;
  int first = 0;

  if (!ln->started && o >= 0) {
    ln->started = 1;
    first = 1;
  }

  /* entries whose time has come */
  while (ln->q_len > 0 && ln->queue[ln->q_head].c <= o) {
    ln->goal_est = ln->queue[ln->q_head].est;
    ln->have_goal = 1;
    ln->q_head = (ln->q_head + 1) % ln->q_size;
    ln->q_len--;
  }

  if (mst_loudnorm_mode (ln) == MST_LOUDNORM_LINEAR) {
    tgt = ln->target - ln->measured_i;
  } else {
    size_t k;

    if (ln->have_goal)
      tgt = wanted_gain (ln, ln->goal_est);
    else if (ln->q_len > 0)
      tgt = wanted_gain (ln, ln->queue[ln->q_head].est);
    else
      tgt = ln->g_db;
    /* look ahead: be on the way down to every later, lower gain */
    for (k = 0; k < ln->q_len; k++) {
      const Entry *en = &ln->queue[(ln->q_head + k) % ln->q_size];
      double dt = en->c > end ? (double) (en->c - end) / ln->rate : 0.0;
      double bound = wanted_gain (ln, en->est) + ln->slew * dt;

      if (bound < tgt)
        tgt = bound;
    }
  }

  ln->seg_left = ln->plan_len;
  ln->ramp_left = 0;
  if (first) {
    ln->g_db = tgt;
    ln->g_lin = mst_db_to_lin (tgt);
    return;
  }
  if (tgt == ln->g_db)
    return;

  /* linear ramp in dB at <= slew, over at most this segment */
  per_frame = ln->slew / ln->rate;
  {
    double need = ceil (fabs (tgt - ln->g_db) / per_frame);
    size_t n = need < (double) ln->plan_len ? (size_t) need : ln->plan_len;
    double step_db;

    if (n == 0)
      n = 1;
    if ((double) n < need)      /* slew-limited for the whole segment */
      step_db = tgt > ln->g_db ? per_frame : -per_frame;
    else
      step_db = (tgt - ln->g_db) / (double) n;
    ln->ramp_left = n;
    ln->ramp_end_db = ln->g_db + step_db * (double) n;
    ln->ramp_mul = mst_db_to_lin (step_db);
  }
}

/* ---- construction ---------------------------------------------------- */

MstLoudnorm *
mst_loudnorm_new (unsigned rate, unsigned channels, double lookahead_ms)
{
  MstLoudnorm *ln;
  size_t total, lim_lat;
  double lim_ms;

  if (rate < MST_RATE_MIN || rate > MST_RATE_MAX || channels < 1
      || channels > MST_LOUDNORM_MAX_CHANNELS)
    return NULL;
  ln = calloc (1, sizeof *ln);
  if (!ln)
    return NULL;
  ln->rate = rate;
  ln->channels = channels;
  ln->lookahead_ms = mst_clamp_or (lookahead_ms,
      MST_LOUDNORM_MIN_LOOKAHEAD_MS, MST_LOUDNORM_MAX_LOOKAHEAD_MS,
      MST_LOUDNORM_DEFAULT_LOOKAHEAD_MS);

  ln->mode = MST_LOUDNORM_LIVE;
  ln->target = MST_LOUDNORM_DEFAULT_TARGET;
  ln->ceiling = MST_LOUDNORM_DEFAULT_CEILING;
  ln->range = MST_LOUDNORM_DEFAULT_RANGE;
  ln->max_gain = MST_LOUDNORM_DEFAULT_MAX_GAIN;
  ln->min_gain = MST_LOUDNORM_DEFAULT_MIN_GAIN;
  ln->slew = MST_LOUDNORM_DEFAULT_SLEW;
  ln->measured_i = MST_LOUDNORM_NOT_MEASURED;
  ln->measured_tp = MST_LOUDNORM_NOT_MEASURED;

  lim_ms = ln->lookahead_ms < LIMITER_LOOKAHEAD_MS ?
      ln->lookahead_ms : LIMITER_LOOKAHEAD_MS;
  ln->in_meter = mst_loudness_new (rate, channels, 0);
  ln->out_meter = mst_loudness_new (rate, channels, 0);
  ln->limiter = mst_limiter_new (rate, channels, LIMITER_OVERSAMPLING,
      lim_ms);
  if (!ln->in_meter || !ln->out_meter || !ln->limiter)
    goto fail;
  mst_limiter_set_ceiling (ln->limiter, ln->ceiling);
  mst_limiter_set_release (ln->limiter, LIMITER_RELEASE_MS);
  /* the band limit (limiter.h): without it content near Nyquist reads
   * over the ceiling on ffmpeg's meter and the ideal reconstruction; it
   * is set before the latency is read (it adds the low-pass's delay) */
  mst_limiter_set_band_limit (ln->limiter, 1);

  total = (size_t) llround (ln->lookahead_ms * rate / 1000.0);
  lim_lat = mst_limiter_latency (ln->limiter);
  ln->d_frames = total > lim_lat ? total - lim_lat : 0;
  ln->delay_f32 = mst_delay_line_new (channels, ln->d_frames, sizeof (float));
  ln->delay_f64 = mst_delay_line_new (channels, ln->d_frames,
      sizeof (double));
  if (!ln->delay_f32 || !ln->delay_f64)
    goto fail;

  ln->plan_len = (rate + 5) / 10;
  /* entries live from their block's end (front) until their middle is
   * output: at most (D + L) / hop + a few */
  ln->q_size = (ln->d_frames + lim_lat) / (rate / 10) + 8;
  ln->queue = calloc (ln->q_size, sizeof (Entry));
  ln->scratch = malloc (CHUNK * channels * sizeof (double));
  if (!ln->queue || !ln->scratch)
    goto fail;

  mst_loudnorm_reset (ln);
  return ln;

fail:
  mst_loudnorm_free (ln);
  return NULL;
}

void
mst_loudnorm_free (MstLoudnorm * ln)
{
  if (!ln)
    return;
  mst_loudness_free (ln->in_meter);
  mst_loudness_free (ln->out_meter);
  mst_limiter_free (ln->limiter);
  mst_delay_line_free (ln->delay_f32);
  mst_delay_line_free (ln->delay_f64);
  free (ln->queue);
  free (ln->scratch);
  free (ln);
}

void
mst_loudnorm_restart (MstLoudnorm * ln)
{
  mst_loudness_reset (ln->in_meter);
  mst_loudness_reset (ln->out_meter);
  estimates_clear (ln);
}

void
mst_loudnorm_reset (MstLoudnorm * ln)
{
  mst_limiter_reset (ln->limiter);
  mst_delay_line_reset (ln->delay_f32);
  mst_delay_line_reset (ln->delay_f64);
  ln->in_frames = 0;
  ln->q_head = ln->q_len = 0;
  ln->have_goal = 0;
  ln->goal_est = 0.0;
  ln->started = 0;
  ln->g_db = mst_loudnorm_mode (ln) == MST_LOUDNORM_LINEAR ?
      ln->target - ln->measured_i : 0.0;
  ln->g_lin = mst_db_to_lin (ln->g_db);
  ln->ramp_left = 0;
  ln->ramp_mul = 1.0;
  ln->ramp_end_db = ln->g_db;
  mst_loudnorm_restart (ln);
  /* the first plan comes when frame 0 reaches the gain stage */
  ln->seg_left = ln->d_frames;
  if (ln->seg_left == 0)
    plan (ln);
}

/* ---- parameters ------------------------------------------------------ */

unsigned
mst_loudnorm_latency (const MstLoudnorm * ln)
{
  return (unsigned) ln->d_frames + mst_limiter_latency (ln->limiter);
}

unsigned
mst_loudnorm_rate (const MstLoudnorm * ln)
{
  return ln->rate;
}

unsigned
mst_loudnorm_channels (const MstLoudnorm * ln)
{
  return ln->channels;
}

void
mst_loudnorm_set_mode (MstLoudnorm * ln, MstLoudnormMode mode)
{
  ln->mode = mode == MST_LOUDNORM_LINEAR ? MST_LOUDNORM_LINEAR
      : MST_LOUDNORM_LIVE;
}

MstLoudnormMode
mst_loudnorm_mode (const MstLoudnorm * ln)
{
  return ln->mode == MST_LOUDNORM_LINEAR && linear_valid (ln) ?
      MST_LOUDNORM_LINEAR : MST_LOUDNORM_LIVE;
}

void
mst_loudnorm_set_target (MstLoudnorm * ln, double lufs_)
{
  ln->target = mst_clamp_or (lufs_, MST_LOUDNORM_MIN_TARGET,
      MST_LOUDNORM_MAX_TARGET, ln->target);
}

void
mst_loudnorm_set_ceiling (MstLoudnorm * ln, double dbtp)
{
  ln->ceiling = mst_clamp_or (dbtp, MST_LOUDNORM_MIN_CEILING,
      MST_LOUDNORM_MAX_CEILING, ln->ceiling);
  mst_limiter_set_ceiling (ln->limiter, ln->ceiling);
}

void
mst_loudnorm_set_range (MstLoudnorm * ln, double lu)
{
  ln->range = mst_clamp_or (lu, MST_LOUDNORM_MIN_RANGE,
      MST_LOUDNORM_MAX_RANGE, ln->range);
}

void
mst_loudnorm_set_max_gain (MstLoudnorm * ln, double db)
{
  ln->max_gain = mst_clamp_or (db, MST_LOUDNORM_MIN_MAX_GAIN,
      MST_LOUDNORM_MAX_MAX_GAIN, ln->max_gain);
}

void
mst_loudnorm_set_min_gain (MstLoudnorm * ln, double db)
{
  ln->min_gain = mst_clamp_or (db, MST_LOUDNORM_MIN_MIN_GAIN,
      MST_LOUDNORM_MAX_MIN_GAIN, ln->min_gain);
}

void
mst_loudnorm_set_gain_slew (MstLoudnorm * ln, double db_per_s)
{
  ln->slew = mst_clamp_or (db_per_s, MST_LOUDNORM_MIN_SLEW,
      MST_LOUDNORM_MAX_SLEW, ln->slew);
}

void
mst_loudnorm_set_measured_integrated (MstLoudnorm * ln, double lufs_)
{
  ln->measured_i = mst_clamp_or (lufs_, MST_LOUDNORM_NOT_MEASURED, 0.0,
      ln->measured_i);
}

void
mst_loudnorm_set_measured_true_peak (MstLoudnorm * ln, double dbtp)
{
  ln->measured_tp = mst_clamp_or (dbtp, MST_LOUDNORM_NOT_MEASURED,
      MST_LOUDNORM_MAX_MEASURED_TP, ln->measured_tp);
}

int
mst_loudnorm_set_channel_weight (MstLoudnorm * ln, unsigned ch,
    double weight)
{
  if (mst_loudness_set_channel_weight (ln->in_meter, ch, weight) != 0)
    return -1;
  return mst_loudness_set_channel_weight (ln->out_meter, ch, weight);
}

double
mst_loudnorm_kind_slew (MstTargetKind kind)
{
  switch (kind) {
    case MST_TARGET_KIND_SPEECH:
      return 20.0;
    case MST_TARGET_KIND_SHORT_FORM:
      return 10.0;
    case MST_TARGET_KIND_MUSIC:
      return 2.0;
    case MST_TARGET_KIND_BROADCAST:
    default:
      return MST_LOUDNORM_DEFAULT_SLEW;
  }
}

double
mst_loudnorm_kind_range (MstTargetKind kind)
{
  switch (kind) {
    case MST_TARGET_KIND_SPEECH:
      return 0.0;
    case MST_TARGET_KIND_SHORT_FORM:
      return 5.0;
    case MST_TARGET_KIND_MUSIC:
      return 10.0;
    case MST_TARGET_KIND_BROADCAST:
    default:
      return MST_LOUDNORM_DEFAULT_RANGE;
  }
}

/* ---- read-outs ------------------------------------------------------- */

double
mst_loudnorm_gain (const MstLoudnorm * ln)
{
  return ln->g_db;
}

double
mst_loudnorm_linear_gain (const MstLoudnorm * ln)
{
  return linear_valid (ln) ? ln->target - ln->measured_i : NAN;
}

double
mst_loudnorm_linear_overshoot (const MstLoudnorm * ln)
{
  if (!linear_valid (ln) || !(ln->measured_tp > MST_LOUDNORM_NOT_MEASURED))
    return NAN;
  return ln->measured_tp + (ln->target - ln->measured_i) - ln->ceiling;
}

double
mst_loudnorm_input_shortterm (const MstLoudnorm * ln)
{
  return mst_loudness_shortterm (ln->in_meter);
}

double
mst_loudnorm_input_integrated (const MstLoudnorm * ln)
{
  return mst_loudness_integrated (ln->in_meter);
}

double
mst_loudnorm_output_shortterm (const MstLoudnorm * ln)
{
  return mst_loudness_shortterm (ln->out_meter);
}

double
mst_loudnorm_output_integrated (const MstLoudnorm * ln)
{
  return mst_loudness_integrated (ln->out_meter);
}

double
mst_loudnorm_take_limiter_reduction (MstLoudnorm * ln)
{
  double g = mst_limiter_take_min_gain (ln->limiter);

  return g < 1.0 && g > 0.0 ? -mst_lin_to_db (g) : 0.0;
}

uint64_t
mst_loudnorm_safety_clips (const MstLoudnorm * ln)
{
  return mst_limiter_safety_clips (ln->limiter);
}

/* ---- processing: one body per sample type ---------------------------- */

/* Frames that can be processed before the next hop or plan boundary. */
static size_t
run_length (const MstLoudnorm * ln, size_t left)
{
  size_t n = left < CHUNK ? left : CHUNK;

  if (ln->hop_left < n)
    n = ln->hop_left;
  if (ln->seg_left < n)
    n = ln->seg_left;
  return n;
}

/* Advances the counters by n frames and runs the boundaries reached. */
static void
advance (MstLoudnorm * ln, size_t n)
{
  ln->in_frames += n;
  ln->hop_left -= n;
  ln->seg_left -= n;
  if (ln->hop_left == 0)
    front_hop (ln);
  if (ln->seg_left == 0)
    plan (ln);
}

#define SAMPLE float
#define SFX(name) name##_f32
#include "loudnorm-body.h"
#undef SAMPLE
#undef SFX

#define SAMPLE double
#define SFX(name) name##_f64
#include "loudnorm-body.h"
#undef SAMPLE
#undef SFX
