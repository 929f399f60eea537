/* gst-mastering — attack/release envelope follower
 *
 * A one-pole smoother with separate attack and release coefficients, per
 * channel:
 *
 *   attack  (x moves y in the attack direction):   y += a_att * (x - y)
 *   release (otherwise):                           y += a_rel * (t - y)
 *
 * where t, the release target, is x itself (MST_ENVELOPE_RELEASE_TO_INPUT,
 * the usual smoothing follower) or a fixed rest value r
 * (MST_ENVELOPE_RELEASE_TO_REST: the follower decays towards r and is held
 * by x, y = max/min (x, y + a_rel * (r - y)), the ballistics of a peak
 * programme meter or of a limiter's gain returning to unity).
 *
 * The attack direction is set at creation: MST_ENVELOPE_RISING for levels
 * (peak or dB: a louder input attacks), MST_ENVELOPE_FALLING for gains (a
 * lower gain attacks).  Times are the time to cover 63 % (1 - 1/e) of a
 * step (mst_one_pole_coef in dsp/util.h); 0 ms means instant (y = x).
 * `step` is the number of samples between updates: 1 when the follower
 * runs per sample, B when it runs once per block of B samples, so the
 * times stay in milliseconds either way.  The arithmetic is plain: the
 * follower works on linear or logarithmic values alike (multiband
 * compression on levels in dB, loudness normalisation on gains in dB).
 *
 * Plain C99, no GLib.  Interleaved multi-channel process written so that
 * the compiler can vectorise across channels.
 */
#ifndef MST_ENVELOPE_H
#define MST_ENVELOPE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum
{
  MST_ENVELOPE_RISING = 0,      /* x > y attacks (levels) */
  MST_ENVELOPE_FALLING = 1      /* x < y attacks (gains) */
} MstEnvelopeDirection;

typedef enum
{
  MST_ENVELOPE_RELEASE_TO_INPUT = 0,
  MST_ENVELOPE_RELEASE_TO_REST = 1
} MstEnvelopeRelease;

typedef struct MstEnvelope MstEnvelope;

/* rate: Hz (> 0); channels >= 1; step: samples per update (>= 1).
 * Defaults: attack 0 ms (instant), release 50 ms, release to input, state
 * and rest value 0.  Returns NULL on invalid arguments or allocation
 * failure. */
MstEnvelope *mst_envelope_new (double rate, unsigned channels,
    double step, MstEnvelopeDirection direction);
void mst_envelope_free (MstEnvelope * env);
/* Sets every channel's state to `value` (e.g. 1.0 for a gain, a floor
 * level in dB for a level). */
void mst_envelope_reset (MstEnvelope * env, double value);

/* Times in ms, >= 0 (0: instant); NaN or negative keeps the old value. */
void mst_envelope_set_attack (MstEnvelope * env, double attack_ms);
void mst_envelope_set_release (MstEnvelope * env, double release_ms);
void mst_envelope_set_release_mode (MstEnvelope * env,
    MstEnvelopeRelease mode, double rest);
/* The coefficients in use (0 < a <= 1; 1 = instant). */
double mst_envelope_attack_coef (const MstEnvelope * env);
double mst_envelope_release_coef (const MstEnvelope * env);

/* One update of channel ch with input x; returns the new state. */
double mst_envelope_step (MstEnvelope * env, unsigned ch, double x);
/* The state of channel ch. */
double mst_envelope_value (const MstEnvelope * env, unsigned ch);
/* Sets channel dst's state to channel src's. */
void mst_envelope_copy_channel (MstEnvelope * env, unsigned dst,
    unsigned src);
/* n_frames updates of every channel, interleaved: out[i * C + c] is the
 * state after in[i * C + c].  in and out may be the same buffer. */
void mst_envelope_process (MstEnvelope * env, const double *in, double *out,
    size_t n_frames);

#ifdef __cplusplus
}
#endif
#endif /* MST_ENVELOPE_H */
