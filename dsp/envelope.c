/* gst-mastering — attack/release envelope follower (see envelope.h)
 *
 * State:
 *   rate      Hz;  step: samples per update
 *   dir       +1 (RISING) or -1 (FALLING): the code works on d * x so
 *             that "attack" is always "d * x > d * y"
 *   a_att     attack coefficient per update (1 = instant)
 *   a_rel     release coefficient per update (1 = instant)
 *   to_rest   release towards `rest` (1) or towards the input (0)
 *   rest      release target in the input's unit (linear or dB)
 *   y[c]      state per channel, in the input's unit
 */
#include "envelope.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>

#define MAX_ENV_CHANNELS 4096

struct MstEnvelope
{
  double rate, step;
  int dir;
  double attack_ms, release_ms;
  double a_att, a_rel;
  int to_rest;
  double rest;
  unsigned channels;
  double *y;
};

static double
coef (const MstEnvelope * env, double ms)
{
  return ms > 0.0 ? mst_one_pole_coef (ms, env->rate, env->step) : 1.0;
}

MstEnvelope *
mst_envelope_new (double rate, unsigned channels, double step,
    MstEnvelopeDirection direction)
{
  MstEnvelope *env;

  if (!(rate > 0.0) || !(step >= 1.0) || channels == 0
      || channels > MAX_ENV_CHANNELS
      || (direction != MST_ENVELOPE_RISING
          && direction != MST_ENVELOPE_FALLING))
    return NULL;
  env = calloc (1, sizeof *env);
  if (!env)
    return NULL;
  env->y = calloc (channels, sizeof (double));
  if (!env->y) {
    free (env);
    return NULL;
  }
  env->rate = rate;
  env->step = step;
  env->channels = channels;
  env->dir = direction == MST_ENVELOPE_FALLING ? -1 : 1;
  env->attack_ms = 0.0;
  env->release_ms = 50.0;
  env->a_att = 1.0;
  env->a_rel = coef (env, env->release_ms);
  return env;
}

void
mst_envelope_free (MstEnvelope * env)
{
  if (!env)
    return;
  free (env->y);
  free (env);
}

void
mst_envelope_reset (MstEnvelope * env, double value)
{
  unsigned c;

  for (c = 0; c < env->channels; c++)
    env->y[c] = value;
}

void
mst_envelope_set_attack (MstEnvelope * env, double attack_ms)
{
  if (!(attack_ms >= 0.0) || isinf (attack_ms))
    return;
  env->attack_ms = attack_ms;
  env->a_att = coef (env, attack_ms);
}

void
mst_envelope_set_release (MstEnvelope * env, double release_ms)
{
  if (!(release_ms >= 0.0) || isinf (release_ms))
    return;
  env->release_ms = release_ms;
  env->a_rel = coef (env, release_ms);
}

void
mst_envelope_set_release_mode (MstEnvelope * env, MstEnvelopeRelease mode,
    double rest)
{
  env->to_rest = mode == MST_ENVELOPE_RELEASE_TO_REST;
  env->rest = rest;
}

double
mst_envelope_attack_coef (const MstEnvelope * env)
{
  return env->a_att;
}

double
mst_envelope_release_coef (const MstEnvelope * env)
{
  return env->a_rel;
}

double
mst_envelope_value (const MstEnvelope * env, unsigned ch)
{
  return env->y[ch];
}

void
mst_envelope_copy_channel (MstEnvelope * env, unsigned dst, unsigned src)
{
  env->y[dst] = env->y[src];
}

/* One update; written branch-light so that a loop over channels of it
 * vectorises. */
static inline double
update (double y, double x, int dir, double a_att, double a_rel, int to_rest,
    double rest)
{
  const int attack = dir > 0 ? x > y : x < y;

  if (to_rest) {
    /* decay towards rest, held by the input */
    double r = y + (rest - y) * a_rel;

    if (dir > 0 ? x > r : x < r)
      r = a_att == 1.0 ? x : r + (x - r) * a_att;
    return r;
  }
  if (attack)
    return a_att == 1.0 ? x : y + (x - y) * a_att;
  return a_rel == 1.0 ? x : y + (x - y) * a_rel;
}

double
mst_envelope_step (MstEnvelope * env, unsigned ch, double x)
{
  double y = update (env->y[ch], x, env->dir, env->a_att, env->a_rel,
      env->to_rest, env->rest);

  env->y[ch] = y;
  return y;
}

void
mst_envelope_process (MstEnvelope * env, const double *in, double *out,
    size_t n_frames)
{
  const unsigned C = env->channels;
  const int dir = env->dir, to_rest = env->to_rest;
  const double a_att = env->a_att, a_rel = env->a_rel, rest = env->rest;
  double *y = env->y;
  size_t i;
  unsigned c;

  for (i = 0; i < n_frames; i++) {
    for (c = 0; c < C; c++) {
      double v = update (y[c], in[i * C + c], dir, a_att, a_rel, to_rest,
          rest);

      y[c] = v;
      out[i * C + c] = v;
    }
  }
  for (c = 0; c < C; c++)
    y[c] = mst_flush_denormal (y[c]);
}
