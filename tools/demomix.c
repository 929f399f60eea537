/* gst-mastering — the built-in demo mix (see demomix.h)
 *
 * Structure: a score (one sorted event list per instrument track, built
 * once by mst_demomix_new()), voices that render the events with
 * recursive envelopes and wavetable / noise oscillators (no libm call in
 * the sample loops), three buses (drums, music, lead) and a master stage:
 *
 *   drums  --(gain, hard clip at clip_level)--------------------+
 *   music (bass, pad) ------------------------------------------+--> master
 *   lead  --(pan)--+-------------------------------------------+   gain,
 *                  +--(ping-pong delay, 3/8 beat)--------------+   fade-out
 *
 * The drum-bus clipper is what a hot, unmastered mix often has: flat-top
 * peaks whose band-limited reconstruction overshoots between the samples,
 * so the true peak reads higher than the sample peak.
 *
 * All state advances one frame at a time, so the output does not depend
 * on how a caller splits the rendering.
 */
#include "demomix.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif
#ifndef M_SQRT2
#define M_SQRT2 1.41421356237309504880
#endif

#define TABLE_BITS 11
#define TABLE_SIZE (1u << TABLE_BITS)
#define BLOCK 256               /* internal processing block, frames */

/* ---- the arrangement ---------------------------------------------------- */

#define BEAT_S 0.5              /* 120 BPM */
#define BAR_S (4 * BEAT_S)
#define EIGHTH_S (BEAT_S / 2)
#define N_BARS 22

#define INTRO_BAR 0             /* bars 0-3: pad, soft hats and lead */
#define VERSE_BAR 4             /* bars 4-11 */
#define CHORUS_BAR 12           /* bars 12-19: louder, wider */
#define OUTRO_BAR 20            /* bars 20-21: final hit, pad fades */

#define FADE_OUT_S 1.5          /* linear master fade at the very end */

/* drum bus gain and clip level (linear, before the master gain) */
#define DRUM_BUS_GAIN 1.0f
#define DRUM_CLIP 1.9f
#define SNARE_CRACK 22.0f       /* rim-shot click, 2 ms */
#define KICK_CLICK 0.5f
#define MASTER_GAIN 0.39f

/* lead: constant pan and ping-pong delay */
#define LEAD_PAN 0.15f
#define DELAY_S (3 * EIGHTH_S / 2)      /* dotted eighth */
#define DELAY_FEEDBACK 0.42f
#define DELAY_WET 0.38f

static const MstDemoMixSection sections[] = {
  {"intro", INTRO_BAR * BAR_S, VERSE_BAR * BAR_S},
  {"verse", VERSE_BAR * BAR_S, CHORUS_BAR * BAR_S},
  {"chorus", CHORUS_BAR * BAR_S, OUTRO_BAR * BAR_S},
  {"outro", OUTRO_BAR * BAR_S, N_BARS * BAR_S},
};

/* i - VI - III - VII in A minor, close voicing (MIDI notes) */
static const int chords[4][3] = {
  {57, 60, 64},                 /* Am */
  {57, 60, 65},                 /* F  */
  {55, 60, 64},                 /* C  */
  {55, 59, 62},                 /* G  */
};

static const int bass_roots[4] = { 33, 29, 36, 31 };    /* A1 F1 C2 G1 */

/* the lead melody over the 4-bar cycle: start and length in eighths */
static const struct
{
  int start, length, note;
} melody[] = {
  {0, 2, 76}, {2, 1, 74}, {3, 1, 72}, {4, 2, 69}, {6, 2, 72},
  {8, 3, 69}, {11, 1, 67}, {12, 4, 69},
  {16, 2, 76}, {18, 1, 79}, {19, 1, 76}, {20, 2, 74}, {22, 2, 72},
  {24, 3, 74}, {27, 1, 71}, {28, 4, 74},
};

/* ---- voices -------------------------------------------------------------- */

enum
{
  TRACK_KICK,
  TRACK_SNARE,
  TRACK_HAT,
  TRACK_OPEN_HAT,
  TRACK_CRASH,
  TRACK_BASS,
  TRACK_PAD,
  TRACK_LEAD,
  N_TRACKS
};

enum
{
  WAVE_SINE,
  WAVE_BASS,                    /* saw, 24 harmonics, soft roll-off */
  WAVE_PAD,                     /* saw, 12 harmonics, softer */
  WAVE_LEAD,                    /* square-ish, 10 harmonics */
  N_WAVES
};

/* Envelope of a track: linear attack, exponential decay towards the
 * sustain level while the gate is open, exponential release after it. */
typedef struct
{
  double attack_s, decay_s, sustain, release_s;
} EnvSpec;

static const EnvSpec env_specs[N_TRACKS] = {
  [TRACK_KICK] = {0.001, 0.28, 0.0, 0.03},
  [TRACK_SNARE] = {0.0005, 0.07, 0.0, 0.03},
  [TRACK_HAT] = {0.0005, 0.025, 0.0, 0.01},
  [TRACK_OPEN_HAT] = {0.0005, 0.22, 0.0, 0.03},
  [TRACK_CRASH] = {0.001, 1.1, 0.0, 0.3},
  [TRACK_BASS] = {0.005, 0.2, 0.6, 0.04},
  [TRACK_PAD] = {0.3, 0.5, 0.8, 0.25},
  [TRACK_LEAD] = {0.008, 0.15, 0.7, 0.08},
};

typedef struct
{
  float attack_inc;             /* per frame, linear */
  float decay_k;                /* per-frame multiplier of (env - sustain) */
  float sustain;
  float release_k;              /* per-frame multiplier of env */
} EnvCoef;

enum
{
  EV_WAITING,
  EV_RUNNING,
  EV_DONE
};

enum
{
  STAGE_ATTACK,
  STAGE_DECAY,
  STAGE_RELEASE
};

typedef struct
{
  /* score */
  uint64_t start;               /* first frame */
  uint64_t gate;                /* frames until the release starts */
  double freq;                  /* Hz; 0 for unpitched voices */
  float vel;                    /* linear amplitude */
  float pan;                    /* -1 left .. +1 right */
  float detune;                 /* pad: left at f(1-d), right at f(1+d) */

  /* voice state */
  int state;                    /* EV_* */
  int stage;                    /* STAGE_* */
  uint64_t age;                 /* frames since start */
  float env;                    /* main envelope, 0..1 */
  float env2;                   /* second envelope (click, snare noise) */
  float sweep;                  /* kick pitch sweep, 1 -> 0 */
  float gl, gr;                 /* constant-power pan gains */
  double ph[4];                 /* oscillator phases, cycles in [0, 1) */
} Event;

typedef struct
{
  Event *ev;
  size_t n, alloc;
  size_t first;                 /* events before this one are done */
} Track;

typedef struct
{
  uint32_t s;
} Rng;

struct MstDemoMix
{
  unsigned rate;
  uint64_t length;              /* frames */
  uint64_t pos;                 /* next frame to render */
  uint64_t fade_start;          /* first frame of the fade-out */

  float tables[N_WAVES][TABLE_SIZE + 1];        /* + guard point */
  Track tracks[N_TRACKS];
  EnvCoef env[N_TRACKS];

  /* secondary per-frame multipliers */
  float kick_sweep_k, kick_click_k, snare_noise_k;

  /* noise sources: generators and one-pole filter states */
  Rng rng_snare, rng_hat, rng_crash_l, rng_crash_r;
  float hp_snare_a, lp_snare_b, hp_hat_a, lp_hat_b, hp_crash_a, lp_crash_b;
  float sn_hp_x, sn_hp_y, sn_lp;        /* snare band-pass */
  float hat_x1, hat_y1, hat_x2, hat_y2, hat_lp; /* hat band-pass */
  float cl_x, cl_y, cl_lp, cr_x, cr_y, cr_lp;   /* crash L and R */

  /* lead ping-pong delay */
  float *delay_l, *delay_r;
  size_t delay_len, delay_pos;
  float lead_gl, lead_gr;

  /* per-block buses */
  float snare_noise[BLOCK], hat_noise[BLOCK];
  float crash_l[BLOCK], crash_r[BLOCK];
  float drum_l[BLOCK], drum_r[BLOCK];
  float mus_l[BLOCK], mus_r[BLOCK];
  float lead[BLOCK];
};

/* ---- helpers ------------------------------------------------------------- */

static double
midi_freq (int note)
{
  return 440.0 * pow (2.0, (note - 69) / 12.0);
}

static inline float
rng_next (Rng * r)
{
  /* xorshift32, mapped to [-1, 1) */
  uint32_t x = r->s;

  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  r->s = x;
  return (float) ((double) x / 2147483648.0 - 1.0);
}

static inline float
table_lookup (const float *table, double phase)
{
  double x = phase * TABLE_SIZE;
  unsigned i = (unsigned) x;
  float f = (float) (x - i);

  return table[i] + f * (table[i + 1] - table[i]);
}

static inline double
phase_add (double ph, double inc)
{
  ph += inc;
  if (ph >= 1.0)
    ph -= floor (ph);
  return ph;
}

/* one-pole high-pass coefficient (y = a (y1 + x - x1)) and low-pass
 * coefficient (y += b (x - y)) for corner fc */
static float
hp_coef (double fc, unsigned rate)
{
  return (float) (1.0 / (1.0 + 2.0 * M_PI * fc / rate));
}

static float
lp_coef (double fc, unsigned rate)
{
  return (float) (1.0 - exp (-2.0 * M_PI * fc / rate));
}

static float
decay_coef (double tau_s, unsigned rate)
{
  return (float) exp (-1.0 / (tau_s * rate));
}

/* Additive table: harmonic h has amplitude amp(h); normalised to peak 1. */
static void
fill_table (float *table, int harmonics, int odd_only, double rolloff)
{
  double peak = 0.0;
  unsigned i;
  int h;

  for (i = 0; i < TABLE_SIZE; i++) {
    double x = (double) i / TABLE_SIZE, v = 0.0;

    for (h = 1; h <= harmonics; h++) {
      double a;

      if (odd_only && !(h & 1))
        continue;
      a = 1.0 / h;
      if (rolloff > 0.0)
        a /= 1.0 + (h / rolloff) * (h / rolloff);
      v += a * sin (2.0 * M_PI * h * x);
    }
    table[i] = (float) v;
    if (fabs (v) > peak)
      peak = fabs (v);
  }
  for (i = 0; i < TABLE_SIZE; i++)
    table[i] = (float) (table[i] / peak);
  table[TABLE_SIZE] = table[0];
}

static int
add_event (MstDemoMix * mix, int track, double start_s, double gate_s,
    double freq, double vel, double pan, double detune)
{
  Track *t = &mix->tracks[track];
  Event *e;

  if (t->n == t->alloc) {
    size_t alloc = t->alloc ? 2 * t->alloc : 64;
    Event *ev = realloc (t->ev, alloc * sizeof (Event));

    if (!ev)
      return -1;
    t->ev = ev;
    t->alloc = alloc;
  }
  e = &t->ev[t->n++];
  memset (e, 0, sizeof (*e));
  e->start = (uint64_t) llround (start_s * mix->rate);
  e->gate = (uint64_t) llround (gate_s * mix->rate);
  if (e->gate < 1)
    e->gate = 1;
  e->freq = freq;
  e->vel = (float) vel;
  e->pan = (float) pan;
  e->detune = (float) detune;
  return 0;
}

static int
compare_events (const void *a, const void *b)
{
  const Event *ea = a, *eb = b;

  return (ea->start > eb->start) - (ea->start < eb->start);
}

/* ---- the score ----------------------------------------------------------- */

static int
write_score (MstDemoMix * mix)
{
  int bar, i, err = 0;

  for (bar = 0; bar < N_BARS; bar++) {
    double t0 = bar * BAR_S;
    int cyc = bar % 4;
    int intro = bar < VERSE_BAR, verse = bar >= VERSE_BAR
        && bar < CHORUS_BAR, chorus = bar >= CHORUS_BAR && bar < OUTRO_BAR;
    int outro = bar >= OUTRO_BAR;
    int beat;

    /* pad: a chord per bar; the outro holds Am and lets it ring out */
    if (bar <= OUTRO_BAR) {
      double vel = intro ? 0.05 : verse ? 0.073 : chorus ? 0.09 : 0.073;
      double gate = outro ? 2.2 : BAR_S;
      double detune = chorus ? 0.006 : 0.0035;
      const int *ch = chords[outro ? 0 : cyc];

      for (i = 0; i < 3; i++)
        err |= add_event (mix, TRACK_PAD, t0, gate, midi_freq (ch[i]), vel,
            0.0, detune);
      if (chorus)               /* an octave above the top note */
        err |= add_event (mix, TRACK_PAD, t0, gate, midi_freq (ch[2] + 12),
            0.04, 0.0, detune);
    }

    /* kick */
    if (verse) {
      err |= add_event (mix, TRACK_KICK, t0, 0.45, 0, 0.38, 0, 0);
      err |= add_event (mix, TRACK_KICK, t0 + 2 * BEAT_S, 0.45, 0, 0.38, 0,
          0);
      if (bar & 1)
        err |= add_event (mix, TRACK_KICK, t0 + 2.5 * BEAT_S, 0.2, 0, 0.27,
            0, 0);
    } else if (chorus) {
      for (beat = 0; beat < 4; beat++)
        err |= add_event (mix, TRACK_KICK, t0 + beat * BEAT_S, 0.45, 0,
            0.42, 0, 0);
    } else if (bar == OUTRO_BAR) {
      err |= add_event (mix, TRACK_KICK, t0, 0.45, 0, 0.42, 0, 0);
    }

    /* snare on 2 and 4, a 16th fill into the next section */
    if (verse || chorus) {
      double vel = verse ? 0.27 : 0.34;
      int fill = (bar == CHORUS_BAR - 1 || bar == 15 || bar == 19);

      err |= add_event (mix, TRACK_SNARE, t0 + BEAT_S, 0.2, 0, vel, 0, 0);
      if (fill) {
        for (i = 0; i < 4; i++)
          err |= add_event (mix, TRACK_SNARE, t0 + 3 * BEAT_S + i *
              BEAT_S / 4, 0.1, 0, vel * (0.45 + 0.18 * i), 0, 0);
      } else {
        err |= add_event (mix, TRACK_SNARE, t0 + 3 * BEAT_S, 0.2, 0, vel,
            0, 0);
      }
    }

    /* hats: closed eighths (intro from bar 2), open on the off-beats of
     * the chorus */
    if ((intro && bar >= 2) || verse || chorus) {
      for (i = 0; i < 8; i++) {
        double t = t0 + i * EIGHTH_S;

        if (chorus && (i & 1))
          err |= add_event (mix, TRACK_OPEN_HAT, t, 0.2, 0, 0.25, 0.35, 0);
        else
          err |= add_event (mix, TRACK_HAT, t, 0.05, 0,
              intro ? 0.25 : (i & 1) ? 0.39 : 0.6, -0.4, 0);
      }
    }

    /* crash at the chorus, its second half and the final hit */
    if (bar == CHORUS_BAR || bar == 16 || bar == OUTRO_BAR)
      err |= add_event (mix, TRACK_CRASH, t0, 3.0, 0, 0.18, 0, 0);

    /* bass: eighths; octave jumps in the chorus */
    if (verse || chorus) {
      static const int verse_pat[8] = { 0, 0, 12, 0, 0, 0, 12, 0 };
      static const int chorus_pat[8] = { 0, 12, 0, 12, 0, 12, 0, 12 };
      const int *pat = verse ? verse_pat : chorus_pat;

      for (i = 0; i < 8; i++)
        err |= add_event (mix, TRACK_BASS, t0 + i * EIGHTH_S,
            0.8 * EIGHTH_S, midi_freq (bass_roots[cyc] + pat[i]),
            verse ? 0.155 : 0.185, 0, 0);
    } else if (bar == OUTRO_BAR) {
      err |= add_event (mix, TRACK_BASS, t0, 1.5, midi_freq (bass_roots[0]),
          0.185, 0, 0);
    }

    /* lead: the melody's second half softly in the intro, the whole
     * melody in the verse, an octave up (doubled below) in the chorus */
    if ((intro && bar >= 2) || verse || chorus) {
      for (i = 0; i < (int) (sizeof (melody) / sizeof (melody[0])); i++) {
        double t = t0 + (melody[i].start - cyc * 8) * EIGHTH_S;
        double gate = melody[i].length * EIGHTH_S * 0.9;

        if (melody[i].start / 8 != cyc)
          continue;
        if (intro) {
          err |= add_event (mix, TRACK_LEAD, t, gate,
              midi_freq (melody[i].note), 0.07, 0, 0);
        } else if (verse) {
          err |= add_event (mix, TRACK_LEAD, t, gate,
              midi_freq (melody[i].note), 0.12, 0, 0);
        } else {
          err |= add_event (mix, TRACK_LEAD, t, gate,
              midi_freq (melody[i].note + 12), 0.12, 0, 0);
          err |= add_event (mix, TRACK_LEAD, t, gate,
              midi_freq (melody[i].note), 0.07, 0, 0);
        }
      }
    } else if (bar == OUTRO_BAR) {
      err |= add_event (mix, TRACK_LEAD, t0, 1.8, midi_freq (69), 0.1, 0, 0);
    }
  }

  for (i = 0; i < N_TRACKS; i++)
    qsort (mix->tracks[i].ev, mix->tracks[i].n, sizeof (Event),
        compare_events);
  return err ? -1 : 0;
}

/* ---- rendering ----------------------------------------------------------- */

/* Advances the main envelope by one frame; returns its new value. */
static inline float
env_step (Event * e, const EnvCoef * c)
{
  if (e->stage != STAGE_RELEASE && e->age >= e->gate)
    e->stage = STAGE_RELEASE;

  switch (e->stage) {
    case STAGE_ATTACK:
      e->env += c->attack_inc;
      if (e->env >= 1.0f) {
        e->env = 1.0f;
        e->stage = STAGE_DECAY;
      }
      break;
    case STAGE_DECAY:
      e->env = c->sustain + (e->env - c->sustain) * c->decay_k;
      break;
    default:
      e->env *= c->release_k;
      if (e->env < 1e-5f)
        e->state = EV_DONE;
      break;
  }
  e->age++;
  return e->env;
}

static void
event_start (MstDemoMix * mix, Event * e)
{
  double theta = (e->pan + 1.0) * M_PI / 4.0;

  e->state = EV_RUNNING;
  e->stage = STAGE_ATTACK;
  e->age = 0;
  e->env = 0.0f;
  e->env2 = 1.0f;
  e->sweep = 1.0f;
  e->gl = (float) (cos (theta) * M_SQRT2);
  e->gr = (float) (sin (theta) * M_SQRT2);
  memset (e->ph, 0, sizeof (e->ph));
  (void) mix;
}

/* Renders frames [off, off + n) of the block for event e. */
static void
render_event (MstDemoMix * mix, int track, Event * e, size_t off, size_t n)
{
  const EnvCoef *c = &mix->env[track];
  const double inv_rate = 1.0 / mix->rate;
  const float *sine = mix->tables[WAVE_SINE];
  size_t i, end = off + n;

  switch (track) {
    case TRACK_KICK:
      /* sine swept 170 -> 48 Hz plus a short noise click */
      for (i = off; i < end && e->state != EV_DONE; i++) {
        float env = env_step (e, c) * e->vel;
        double f = 48.0 + 122.0 * e->sweep;
        float v = table_lookup (sine, e->ph[0]) +
            KICK_CLICK * e->env2 * mix->hat_noise[i];

        e->ph[0] = phase_add (e->ph[0], f * inv_rate);
        e->sweep *= mix->kick_sweep_k;
        e->env2 *= mix->kick_click_k;
        mix->drum_l[i] += env * v;
        mix->drum_r[i] += env * v;
      }
      break;
    case TRACK_SNARE:
      /* two body modes and band-passed noise that decays more slowly */
      for (i = off; i < end && e->state != EV_DONE; i++) {
        float env = env_step (e, c) * e->vel;
        float body = table_lookup (sine, e->ph[0]) +
            0.5f * table_lookup (sine, e->ph[1]);
        float v = 0.55f * env * body +
            1.3f * e->vel * e->env2 * mix->snare_noise[i] +
            SNARE_CRACK * e->vel * e->sweep * mix->hat_noise[i];

        e->ph[0] = phase_add (e->ph[0], 190.0 * inv_rate);
        e->ph[1] = phase_add (e->ph[1], 330.0 * inv_rate);
        e->env2 *= mix->snare_noise_k;
        e->sweep *= mix->kick_click_k;
        if (e->stage == STAGE_RELEASE)
          e->env2 *= c->release_k;
        mix->drum_l[i] += v;
        mix->drum_r[i] += v;
      }
      break;
    case TRACK_HAT:
    case TRACK_OPEN_HAT:
      for (i = off; i < end && e->state != EV_DONE; i++) {
        float v = env_step (e, c) * e->vel * mix->hat_noise[i];

        mix->drum_l[i] += e->gl * v;
        mix->drum_r[i] += e->gr * v;
      }
      break;
    case TRACK_CRASH:
      for (i = off; i < end && e->state != EV_DONE; i++) {
        float env = env_step (e, c) * e->vel;

        mix->drum_l[i] += env * mix->crash_l[i];
        mix->drum_r[i] += env * mix->crash_r[i];
      }
      break;
    case TRACK_BASS:{
      const float *tab = mix->tables[WAVE_BASS];
      double inc = e->freq * inv_rate;

      for (i = off; i < end && e->state != EV_DONE; i++) {
        float env = env_step (e, c) * e->vel;
        float v = table_lookup (tab, e->ph[0]) +
            0.6f * table_lookup (sine, e->ph[0]);

        e->ph[0] = phase_add (e->ph[0], inc);
        mix->mus_l[i] += env * v;
        mix->mus_r[i] += env * v;
      }
      break;
    }
    case TRACK_PAD:{
      /* two detuned voices, one per side; start phases differ per side */
      const float *tab = mix->tables[WAVE_PAD];
      double inc_l = e->freq * (1.0 - e->detune) * inv_rate;
      double inc_r = e->freq * (1.0 + e->detune) * inv_rate;

      if (e->age == 0)
        e->ph[1] = 0.37;
      for (i = off; i < end && e->state != EV_DONE; i++) {
        float env = env_step (e, c) * e->vel;

        mix->mus_l[i] += env * table_lookup (tab, e->ph[0]);
        mix->mus_r[i] += env * table_lookup (tab, e->ph[1]);
        e->ph[0] = phase_add (e->ph[0], inc_l);
        e->ph[1] = phase_add (e->ph[1], inc_r);
      }
      break;
    }
    case TRACK_LEAD:{
      /* 5.5 Hz vibrato of +-0.4 %, mono into the lead bus */
      const float *tab = mix->tables[WAVE_LEAD];
      double inc = e->freq * inv_rate;

      for (i = off; i < end && e->state != EV_DONE; i++) {
        float env = env_step (e, c) * e->vel;
        double vib = 1.0 + 0.004 * table_lookup (sine, e->ph[1]);

        mix->lead[i] += env * table_lookup (tab, e->ph[0]);
        e->ph[0] = phase_add (e->ph[0], inc * vib);
        e->ph[1] = phase_add (e->ph[1], 5.5 * inv_rate);
      }
      break;
    }
    default:
      break;
  }
}

/* The noise sources, always advanced for every frame. */
static void
render_noise (MstDemoMix * mix, size_t n)
{
  size_t i;

  for (i = 0; i < n; i++) {
    float x, y;

    /* snare: 1.2 kHz high-pass, 7 kHz low-pass */
    x = rng_next (&mix->rng_snare);
    y = mix->hp_snare_a * (mix->sn_hp_y + x - mix->sn_hp_x);
    mix->sn_hp_x = x;
    mix->sn_hp_y = y;
    mix->sn_lp += mix->lp_snare_b * (y - mix->sn_lp);
    mix->snare_noise[i] = mix->sn_lp;

    /* hats: two 7 kHz high-passes, a 10 kHz low-pass */
    x = rng_next (&mix->rng_hat);
    y = mix->hp_hat_a * (mix->hat_y1 + x - mix->hat_x1);
    mix->hat_x1 = x;
    mix->hat_y1 = y;
    x = y;
    y = mix->hp_hat_a * (mix->hat_y2 + x - mix->hat_x2);
    mix->hat_x2 = x;
    mix->hat_y2 = y;
    mix->hat_lp += mix->lp_hat_b * (y - mix->hat_lp);
    mix->hat_noise[i] = mix->hat_lp;

    /* crash: decorrelated left and right, 3.5 kHz high-pass, 12 kHz
     * low-pass */
    x = rng_next (&mix->rng_crash_l);
    y = mix->hp_crash_a * (mix->cl_y + x - mix->cl_x);
    mix->cl_x = x;
    mix->cl_y = y;
    mix->cl_lp += mix->lp_crash_b * (y - mix->cl_lp);
    mix->crash_l[i] = mix->cl_lp;
    x = rng_next (&mix->rng_crash_r);
    y = mix->hp_crash_a * (mix->cr_y + x - mix->cr_x);
    mix->cr_x = x;
    mix->cr_y = y;
    mix->cr_lp += mix->lp_crash_b * (y - mix->cr_lp);
    mix->crash_r[i] = mix->cr_lp;
  }
}

static void
render_block (MstDemoMix * mix, float *out, size_t n)
{
  uint64_t pos = mix->pos, block_end = pos + n;
  size_t i;
  int t;

  memset (mix->drum_l, 0, n * sizeof (float));
  memset (mix->drum_r, 0, n * sizeof (float));
  memset (mix->mus_l, 0, n * sizeof (float));
  memset (mix->mus_r, 0, n * sizeof (float));
  memset (mix->lead, 0, n * sizeof (float));
  render_noise (mix, n);

  for (t = 0; t < N_TRACKS; t++) {
    Track *tr = &mix->tracks[t];
    size_t k;

    for (k = tr->first; k < tr->n && tr->ev[k].start < block_end; k++) {
      Event *e = &tr->ev[k];
      size_t off = 0;

      if (e->state == EV_DONE)
        continue;
      if (e->state == EV_WAITING) {
        off = (size_t) (e->start - pos);
        event_start (mix, e);
      }
      render_event (mix, t, e, off, n - off);
    }
    while (tr->first < tr->n && tr->ev[tr->first].state == EV_DONE)
      tr->first++;
  }

  for (i = 0; i < n; i++) {
    float dl = DRUM_BUS_GAIN * mix->drum_l[i];
    float dr = DRUM_BUS_GAIN * mix->drum_r[i];
    float lead = mix->lead[i];
    float yl = mix->delay_l[mix->delay_pos];
    float yr = mix->delay_r[mix->delay_pos];
    float l, r, g = MASTER_GAIN;
    uint64_t frame = pos + i;

    /* the hot drum bus, clipped flat */
    dl = dl > DRUM_CLIP ? DRUM_CLIP : dl < -DRUM_CLIP ? -DRUM_CLIP : dl;
    dr = dr > DRUM_CLIP ? DRUM_CLIP : dr < -DRUM_CLIP ? -DRUM_CLIP : dr;

    /* ping-pong: the first echo on the left, the next on the right... */
    mix->delay_l[mix->delay_pos] = lead + DELAY_FEEDBACK * yr;
    mix->delay_r[mix->delay_pos] = yl;
    if (++mix->delay_pos == mix->delay_len)
      mix->delay_pos = 0;

    l = dl + mix->mus_l[i] + mix->lead_gl * lead + DELAY_WET * yl;
    r = dr + mix->mus_r[i] + mix->lead_gr * lead + DELAY_WET * yr;

    if (frame >= mix->fade_start)
      g *= (float) (mix->length - frame) / (mix->length - mix->fade_start);
    out[2 * i] = g * l;
    out[2 * i + 1] = g * r;
  }
  mix->pos = block_end;
}

/* ---- public API ---------------------------------------------------------- */

MstDemoMix *
mst_demomix_new (unsigned rate)
{
  MstDemoMix *mix;
  int t;

  if (rate < MST_DEMOMIX_MIN_RATE || rate > MST_DEMOMIX_MAX_RATE)
    return NULL;
  mix = calloc (1, sizeof (*mix));
  if (!mix)
    return NULL;
  mix->rate = rate;
  mix->length = (uint64_t) llround (N_BARS * BAR_S * rate);
  mix->fade_start = mix->length - (uint64_t) llround (FADE_OUT_S * rate);

  /* harmonics stay below 16 kHz for every note of the score, so nothing
   * aliases at 32 kHz and up */
  fill_table (mix->tables[WAVE_SINE], 1, 0, 0.0);
  fill_table (mix->tables[WAVE_BASS], 24, 0, 5.0);
  fill_table (mix->tables[WAVE_PAD], 12, 0, 4.0);
  fill_table (mix->tables[WAVE_LEAD], 10, 1, 6.0);

  for (t = 0; t < N_TRACKS; t++) {
    const EnvSpec *s = &env_specs[t];
    EnvCoef *c = &mix->env[t];

    c->attack_inc = (float) (1.0 / fmax (1.0, s->attack_s * rate));
    c->decay_k = decay_coef (s->decay_s, rate);
    c->sustain = (float) s->sustain;
    c->release_k = decay_coef (s->release_s, rate);
  }
  mix->kick_sweep_k = decay_coef (0.035, rate);
  mix->kick_click_k = decay_coef (0.002, rate);
  mix->snare_noise_k = decay_coef (0.16, rate);

  mix->hp_snare_a = hp_coef (1200.0, rate);
  mix->lp_snare_b = lp_coef (7000.0, rate);
  mix->hp_hat_a = hp_coef (7000.0, rate);
  mix->lp_hat_b = lp_coef (10000.0, rate);
  mix->hp_crash_a = hp_coef (3500.0, rate);
  mix->lp_crash_b = lp_coef (12000.0, rate);

  mix->delay_len = (size_t) llround (DELAY_S * rate);
  mix->delay_l = calloc (mix->delay_len, sizeof (float));
  mix->delay_r = calloc (mix->delay_len, sizeof (float));
  {
    double theta = (LEAD_PAN + 1.0) * M_PI / 4.0;

    mix->lead_gl = (float) (cos (theta) * M_SQRT2);
    mix->lead_gr = (float) (sin (theta) * M_SQRT2);
  }

  if (!mix->delay_l || !mix->delay_r || write_score (mix) < 0) {
    mst_demomix_free (mix);
    return NULL;
  }
  mst_demomix_reset (mix);
  return mix;
}

void
mst_demomix_free (MstDemoMix * mix)
{
  int t;

  if (!mix)
    return;
  for (t = 0; t < N_TRACKS; t++)
    free (mix->tracks[t].ev);
  free (mix->delay_l);
  free (mix->delay_r);
  free (mix);
}

void
mst_demomix_reset (MstDemoMix * mix)
{
  int t;
  size_t k;

  mix->pos = 0;
  for (t = 0; t < N_TRACKS; t++) {
    mix->tracks[t].first = 0;
    for (k = 0; k < mix->tracks[t].n; k++)
      mix->tracks[t].ev[k].state = EV_WAITING;
  }
  mix->rng_snare.s = 0x9e3779b9u;
  mix->rng_hat.s = 0x85ebca6bu;
  mix->rng_crash_l.s = 0xc2b2ae35u;
  mix->rng_crash_r.s = 0x27d4eb2fu;
  mix->sn_hp_x = mix->sn_hp_y = mix->sn_lp = 0.0f;
  mix->hat_x1 = mix->hat_y1 = mix->hat_x2 = mix->hat_y2 = 0.0f;
  mix->hat_lp = 0.0f;
  mix->cl_x = mix->cl_y = mix->cl_lp = 0.0f;
  mix->cr_x = mix->cr_y = mix->cr_lp = 0.0f;
  memset (mix->delay_l, 0, mix->delay_len * sizeof (float));
  memset (mix->delay_r, 0, mix->delay_len * sizeof (float));
  mix->delay_pos = 0;
}

unsigned
mst_demomix_rate (const MstDemoMix * mix)
{
  return mix->rate;
}

double
mst_demomix_duration (void)
{
  return N_BARS * BAR_S;
}

uint64_t
mst_demomix_length (const MstDemoMix * mix)
{
  return mix->length;
}

uint64_t
mst_demomix_position (const MstDemoMix * mix)
{
  return mix->pos;
}

size_t
mst_demomix_render_f32 (MstDemoMix * mix, float *out, size_t n_frames)
{
  size_t done = 0;

  if (mix->pos >= mix->length)
    return 0;
  if ((uint64_t) n_frames > mix->length - mix->pos)
    n_frames = (size_t) (mix->length - mix->pos);

  while (done < n_frames) {
    size_t n = n_frames - done;

    if (n > BLOCK)
      n = BLOCK;
    render_block (mix, out + MST_DEMOMIX_CHANNELS * done, n);
    done += n;
  }
  return done;
}

const MstDemoMixSection *
mst_demomix_sections (unsigned *n_sections)
{
  if (n_sections)
    *n_sections = sizeof (sections) / sizeof (sections[0]);
  return sections;
}
