/* gst-mastering — deterministic test signals for the benchmarks
 * (see benchsignal.h for what each signal is and why). */
#include "benchsignal.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif
#ifndef M_LN10
#define M_LN10 2.30258509299404568402
#endif

/* ---- building blocks ---------------------------------------------------- */

/* xorshift64*: small, fast, identical everywhere. */
static inline uint64_t
rng_next (uint64_t * s)
{
  uint64_t x = *s;

  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  *s = x;
  return x * UINT64_C (2685821657736338717);
}

/* Uniform in [-1, 1). */
static inline double
rng_uniform (uint64_t * s)
{
  return (double) (rng_next (s) >> 11) * (1.0 / 4503599627370496.0) - 1.0;
}

/* Approximately Gaussian, unit variance (Irwin-Hall with 4 terms). */
static inline double
rng_gauss (uint64_t * s)
{
  double sum = rng_uniform (s) + rng_uniform (s) + rng_uniform (s)
      + rng_uniform (s);

  return sum * 0.8660254037844386;     /* sqrt (3 / 4) */
}

/* Stateless hash of an event index: decides occasional events the same way
 * wherever generation starts. */
static inline uint32_t
hash32 (uint64_t k)
{
  k ^= k >> 33;
  k *= UINT64_C (0xff51afd7ed558ccd);
  k ^= k >> 33;
  k *= UINT64_C (0xc4ceb9fe1a85ec53);
  k ^= k >> 33;
  return (uint32_t) k;
}

/* Sine wavetable oscillator: 32-bit phase, 4096-point table, linear
 * interpolation (harmonic distortion < -100 dB). */
#define TABLE_BITS 12
#define TABLE_SIZE (1u << TABLE_BITS)
static float sine_table[TABLE_SIZE + 1];

static void
sine_table_init (void)
{
  unsigned i;

  if (sine_table[TABLE_SIZE / 4] == 1.0f)
    return;
  for (i = 0; i <= TABLE_SIZE; i++)
    sine_table[i] = (float) sin (2.0 * M_PI * i / TABLE_SIZE);
}

static inline float
osc_sin (uint32_t phase)
{
  uint32_t i = phase >> (32 - TABLE_BITS);
  float frac = (float) (phase & ((1u << (32 - TABLE_BITS)) - 1))
      * (1.0f / (float) (1u << (32 - TABLE_BITS)));

  return sine_table[i] + frac * (sine_table[i + 1] - sine_table[i]);
}

static inline uint32_t
phase_inc (double freq, double rate)
{
  return (uint32_t) (freq / rate * 4294967296.0);
}

/* ---- music -------------------------------------------------------------- */

typedef enum
{
  SEC_INTRO, SEC_VERSE, SEC_CHORUS, SEC_BREAK, SEC_OUTRO
} Section;

typedef struct
{
  double level_db;              /* section level, dB relative to a chorus */
  int drums;                    /* kick and snare */
  int hats;
  int bass;
  double pad;                   /* pad level, linear */
  double bed;                   /* pink-noise bed level, linear */
} SectionStyle;

static const SectionStyle styles[] = {
  [SEC_INTRO] = {-2.0, 0, 1, 0, 1.0, 0.5},
  [SEC_VERSE] = {-4.0, 1, 1, 1, 0.6, 0.6},
  [SEC_CHORUS] = {0.0, 1, 1, 1, 1.0, 1.0},
  [SEC_BREAK] = {-5.0, 0, 0, 0, 1.2, 1.2},
  [SEC_OUTRO] = {-4.0, 1, 0, 1, 0.8, 0.5},
};

/* One "song" of 10 sections of 8 bars; songs follow each other in
 * different keys, the last section fades out. */
static const Section song_form[] = {
  SEC_INTRO, SEC_VERSE, SEC_VERSE, SEC_CHORUS, SEC_VERSE, SEC_CHORUS,
  SEC_BREAK, SEC_CHORUS, SEC_CHORUS, SEC_OUTRO
};

#define N_FORM (sizeof song_form / sizeof song_form[0])
#define BPM 124.0
#define PAD_VOICES 9            /* 3 chord tones x 3 partials */

/* Chord progression I - V - vi - IV: root offset (semitones) and third. */
static const int prog_root[4] = { 0, 7, 9, 5 };
static const int prog_third[4] = { 4, 4, 3, 4 };
/* Song keys: root of the bass (Hz). */
static const double song_keys[4] = { 55.0, 65.406, 49.0, 58.270 };

/* Exponential decay, one multiply per sample; trigger() restarts it. */
typedef struct
{
  double v, k;
} Decay;

static void
decay_init (Decay * d, double tau_s, double fs)
{
  d->v = 0.0;
  d->k = exp (-1.0 / (tau_s * fs));
}

static inline double
decay_tick (Decay * d)
{
  double v = d->v;

  d->v = v > 1e-20 ? v * d->k : 0.0;    /* no denormals */
  return v;
}

typedef struct
{
  uint64_t rng;
  double pink[7];               /* Paul Kellet's pink filter state */
  double hat_prev;              /* last white sample (hi-hat high-pass) */
  double crash_prev;
  double lp[2][2];              /* master low-pass biquads, DF2T state */
  uint32_t pad_phase[PAD_VOICES];
  uint32_t pad_inc[PAD_VOICES];
  double detune;                /* pad frequency factor of this channel */
  double center, left, right;   /* pan gains: centre, half left / right */
} ChannelState;

static inline double
pink_next (double *b, double white)
{
  double p;

  b[0] = 0.99886 * b[0] + white * 0.0555179;
  b[1] = 0.99332 * b[1] + white * 0.0750759;
  b[2] = 0.96900 * b[2] + white * 0.1538520;
  b[3] = 0.86650 * b[3] + white * 0.3104856;
  b[4] = 0.55000 * b[4] + white * 0.5329522;
  b[5] = -0.7616 * b[5] - white * 0.0168980;
  p = b[0] + b[1] + b[2] + b[3] + b[4] + b[5] + b[6] + white * 0.5362;
  b[6] = white * 0.115926;
  return p * 0.11;
}

/* Constant-power gain of a source at position p for a channel at pos
 * (both -1 = left .. 1 = right). */
static double
pan_gain (double p, double pos)
{
  return sqrt (0.5 * (1.0 + p * pos));
}

/* Mastering-style soft-knee saturator: linear up to the knee, then a tanh
 * curve that approaches 1.0. */
static inline double
saturate (double x)
{
  const double knee = 0.7;
  double a = fabs (x);

  if (a <= knee)
    return x;
  a = knee + (1.0 - knee) * tanh ((a - knee) / (1.0 - knee));
  return x < 0 ? -a : a;
}

/* Master low-pass: Butterworth biquad (RBJ), b0 b1 b2 a1 a2. */
static void
lowpass_coefs (double fc, double fs, double c[5])
{
  double w = 2.0 * M_PI * fc / fs, cw = cos (w);
  double alpha = sin (w) / (2.0 * 0.7071067811865476), a0 = 1.0 + alpha;

  c[0] = c[2] = (1.0 - cw) / 2.0 / a0;
  c[1] = (1.0 - cw) / a0;
  c[3] = -2.0 * cw / a0;
  c[4] = (1.0 - alpha) / a0;
}

static inline double
biquad (const double *c, double *z, double x)
{
  double y = c[0] * x + z[0];

  z[0] = c[1] * x - c[3] * y + z[1];
  z[1] = c[2] * x - c[4] * y;
  return y;
}

static void
generate_music (unsigned rate, unsigned channels, float *out, size_t n)
{
  static const double partial_gain[3] = { 1.0, 0.4, 0.2 };
  const double fs = rate;
  const double beat_s = 60.0 / BPM;
  const double drive = 1.25, out_gain = 0.97;
  const double glide = 1.0 - exp (-1.0 / (0.4 * fs));   /* 400 ms */
  ChannelState *cs = calloc (channels, sizeof *cs);
  uint64_t common_rng = UINT64_C (0x9e3779b97f4a7c15);
  uint32_t kick_phase = 0, snare_phase = 0, bass_phase[5] = { 0 };
  uint32_t bass_inc[5] = { 0 }, snare_inc = phase_inc (185.0, fs);
  double level = 0.0, pad_level = 0.0, bed_level = 0.0, target = 0.0;
  double lp[5];
  const SectionStyle *st = &styles[SEC_INTRO];
  Section sec = SEC_INTRO;
  long last_beat = -1, last_eighth = -1, last_16th = -1, last_bar = -1;
  long last_section = -1;
  Decay kick_amp, kick_pitch, snare_noise, snare_tone, pump, hat_short,
      hat_open, bass_amp, bass_attack, click, crash, pad_attack, fade;
  Decay *hat = &hat_short;
  size_t i;
  unsigned c;

  if (!cs) {
    memset (out, 0, n * channels * sizeof *out);
    return;
  }
  decay_init (&kick_amp, 0.18, fs);
  decay_init (&kick_pitch, 0.025, fs);
  decay_init (&snare_noise, 0.07, fs);
  decay_init (&snare_tone, 0.04, fs);
  decay_init (&pump, 0.12, fs);
  decay_init (&hat_short, 0.025, fs);
  decay_init (&hat_open, 0.12, fs);
  decay_init (&bass_amp, 0.25, fs);
  decay_init (&bass_attack, 0.004, fs);
  decay_init (&click, 0.004, fs);
  decay_init (&crash, 1.2, fs);
  decay_init (&pad_attack, 0.3, fs);
  decay_init (&fade, 5.0, fs);  /* outro: -1.7 dB/s */
  lowpass_coefs (fs * 0.5 * 0.7 < 16000.0 ? fs * 0.5 * 0.7 : 16000.0, fs,
      lp);
  for (c = 0; c < channels; c++) {
    double pos = channels == 1 ? 0.0 : -1.0 + 2.0 * c / (channels - 1);

    cs[c].rng = UINT64_C (0x2545f4914f6cdd1d) + 7919u * (c + 1);
    cs[c].detune = 1.0 + 0.0015 * pos + 0.0004 * c;
    cs[c].center = channels == 1 ? 1.0 : pan_gain (0.0, pos);
    cs[c].left = channels == 1 ? 1.0 : pan_gain (-0.5, pos);
    cs[c].right = channels == 1 ? 1.0 : pan_gain (0.5, pos);
  }

  for (i = 0; i < n; i++) {
    double beats = i / fs / beat_s;
    long beat = (long) beats, eighth = (long) (beats * 2.0);
    long sixteenth = (long) (beats * 4.0), bar = beat / 4;
    long section = bar / 8;
    double kick = 0, tone = 0, snare = 0, hat_env = 0, crash_env = 0;
    double click_env = 0, bass = 0, pump_env, pad_env, gain;
    double common_white = rng_gauss (&common_rng);

    if (section != last_section) {      /* arrangement */
      sec = song_form[section % N_FORM];
      st = &styles[sec];
      target = pow (10.0, st->level_db / 20.0);
      if (sec == SEC_CHORUS)
        crash.v = 1.0;
      fade.v = 1.0;
      last_section = section;
    }
    if (bar != last_bar) {      /* chord and key */
      double key = song_keys[(section / (long) N_FORM) % 4];
      int chord = (int) (bar % 4);
      double root = key * pow (2.0, prog_root[chord] / 12.0);
      double tones[3];
      int k, v;

      for (k = 0; k < 5; k++)
        bass_inc[k] = phase_inc (root * (k + 1), fs);
      tones[0] = 4.0 * root;
      tones[1] = tones[0] * pow (2.0, prog_third[chord] / 12.0);
      tones[2] = tones[0] * 1.4983070768766815; /* fifth */
      for (c = 0; c < channels; c++)
        for (v = 0; v < PAD_VOICES; v++)
          cs[c].pad_inc[v] = phase_inc (tones[v / 3] * (v % 3 + 1)
              * cs[c].detune, fs);
      pad_attack.v = 1.0;
      last_bar = bar;
    }
    if (beat != last_beat) {    /* drums restart on the beat */
      kick_phase = snare_phase = 0;
      kick_amp.v = kick_pitch.v = pump.v = 1.0;
      if (beat % 2 == 1)
        snare_noise.v = snare_tone.v = 1.0;
      last_beat = beat;
    }
    if (eighth != last_eighth) {
      hat = (sec == SEC_CHORUS && eighth % 2 == 1) ? &hat_open : &hat_short;
      hat_short.v = hat_open.v = 0.0;
      hat->v = 1.0;
      bass_amp.v = bass_attack.v = 1.0;
      last_eighth = eighth;
    }
    if (sixteenth != last_16th) {       /* occasional claps / rim shots */
      if (hash32 ((uint64_t) sixteenth) % 13 == 0)
        click.v = 1.0;
      last_16th = sixteenth;
    }

    level += glide * ((sec == SEC_OUTRO ? target * decay_tick (&fade)
            : target) - level);
    pad_level += glide * (st->pad - pad_level);
    bed_level += glide * (st->bed - bed_level);

    pump_env = decay_tick (&pump);
    if (st->drums) {
      double sn = decay_tick (&snare_tone);

      kick = 0.9 * decay_tick (&kick_amp) * osc_sin (kick_phase);
      kick_phase += phase_inc (45.0 + 110.0 * decay_tick (&kick_pitch), fs);
      snare = 0.30 * decay_tick (&snare_noise);
      tone = 0.25 * sn * osc_sin (snare_phase);
      snare_phase += snare_inc;
      click_env = 0.45 * decay_tick (&click);
      pump_env = 1.0 - 0.7 * pump_env;
    } else {
      pump_env = 1.0;
    }
    if (st->hats)
      hat_env = 0.16 * decay_tick (hat);
    crash_env = 0.22 * decay_tick (&crash);
    if (st->bass) {
      double env = (1.0 - decay_tick (&bass_attack))
          * decay_tick (&bass_amp);
      int k;

      for (k = 0; k < 5; k++) {
        bass += osc_sin (bass_phase[k]) / (k + 1);
        bass_phase[k] += bass_inc[k];
      }
      bass *= 0.32 * env;
    }
    pad_env = 0.07 * pad_level * (1.0 - decay_tick (&pad_attack)) * pump_env;
    gain = drive * level;

    for (c = 0; c < channels; c++) {
      ChannelState *ch = &cs[c];
      double own = rng_gauss (&ch->rng);
      double white = 0.6 * common_white + 0.8 * own;
      double hp = white - ch->hat_prev;
      double crash_hp = own - ch->crash_prev;
      double pad = 0, x;
      int v;

      ch->hat_prev = white;
      ch->crash_prev = own;
      for (v = 0; v < PAD_VOICES; v++) {
        pad += partial_gain[v % 3] * osc_sin (ch->pad_phase[v]);
        ch->pad_phase[v] += ch->pad_inc[v];
      }
      x = ch->center * (kick + tone + bass) + snare * white
          + (eighth % 2 ? ch->right : ch->left) * hat_env * hp * 0.7
          + crash_env * crash_hp * 0.7 + click_env * white + pad_env * pad
          + bed_level * 0.35 * pump_env * pink_next (ch->pink, white);
      x = biquad (lp, ch->lp[1], biquad (lp, ch->lp[0], x));
      out[i * channels + c] = (float) (out_gain * saturate (gain * x));
    }
  }
  free (cs);
}

/* ---- public ------------------------------------------------------------- */

int
bench_signal_from_name (const char *name)
{
  if (strcmp (name, "music") == 0)
    return BENCH_SIGNAL_MUSIC;
  if (strcmp (name, "noise") == 0)
    return BENCH_SIGNAL_NOISE;
  if (strcmp (name, "sine") == 0)
    return BENCH_SIGNAL_SINE;
  return -1;
}

const char *
bench_signal_name (BenchSignalKind kind)
{
  switch (kind) {
    case BENCH_SIGNAL_MUSIC:
      return "music";
    case BENCH_SIGNAL_NOISE:
      return "noise";
    case BENCH_SIGNAL_SINE:
      return "sine";
  }
  return "?";
}

void
bench_signal_generate (BenchSignalKind kind, unsigned rate,
    unsigned channels, float *out, size_t n_frames)
{
  size_t i;
  unsigned c;

  sine_table_init ();
  switch (kind) {
    case BENCH_SIGNAL_MUSIC:
      generate_music (rate, channels, out, n_frames);
      break;
    case BENCH_SIGNAL_NOISE:{
      const double sigma = pow (10.0, -16.0 / 20.0);

      for (c = 0; c < channels; c++) {
        uint64_t s = UINT64_C (0x853c49e6748fea9b) + 7919u * c;

        for (i = 0; i < n_frames; i++)
          out[i * channels + c] = (float) (sigma * rng_gauss (&s));
      }
      break;
    }
    case BENCH_SIGNAL_SINE:{
      const double amp = pow (10.0, -3.0 / 20.0);

      for (i = 0; i < n_frames; i++) {
        float v = (float) (amp * sin (2.0 * M_PI * 997.0 * (double) i
                / rate));

        for (c = 0; c < channels; c++)
          out[i * channels + c] = v;
      }
      break;
    }
  }
}

static void
put_le (unsigned char *p, uint32_t v, int bytes)
{
  int k;

  for (k = 0; k < bytes; k++)
    p[k] = (unsigned char) (v >> (8 * k));
}

int
bench_signal_write_wav (const char *path, const float *x, unsigned rate,
    unsigned channels, size_t n_frames)
{
  unsigned char hdr[58], buf[4096 * 4];
  uint64_t data_bytes = (uint64_t) n_frames * channels * 4;
  size_t total = n_frames * channels, done = 0;
  FILE *f;
  int err;

  /* RIFF sizes are 32-bit; 58 header bytes must fit too. */
  if (channels == 0 || channels > 65535 || data_bytes > UINT32_MAX - 58) {
    errno = EFBIG;
    return -1;
  }
  memcpy (hdr, "RIFF", 4);
  put_le (hdr + 4, (uint32_t) (50 + data_bytes), 4);
  memcpy (hdr + 8, "WAVEfmt ", 8);
  put_le (hdr + 16, 18, 4);     /* fmt chunk size (with cbSize) */
  put_le (hdr + 20, 3, 2);      /* WAVE_FORMAT_IEEE_FLOAT */
  put_le (hdr + 22, channels, 2);
  put_le (hdr + 24, rate, 4);
  put_le (hdr + 28, rate * channels * 4, 4);
  put_le (hdr + 32, channels * 4, 2);
  put_le (hdr + 34, 32, 2);
  put_le (hdr + 36, 0, 2);      /* cbSize */
  memcpy (hdr + 38, "fact", 4);
  put_le (hdr + 42, 4, 4);
  put_le (hdr + 46, (uint32_t) n_frames, 4);
  memcpy (hdr + 50, "data", 4);
  put_le (hdr + 54, (uint32_t) data_bytes, 4);

  f = fopen (path, "wb");
  if (!f)
    return -1;
  if (fwrite (hdr, 1, sizeof hdr, f) != sizeof hdr)
    goto fail;
  while (done < total) {
    size_t k, m = total - done < 4096 ? total - done : 4096;

    for (k = 0; k < m; k++) {
      uint32_t u;

      memcpy (&u, &x[done + k], 4);
      put_le (buf + 4 * k, u, 4);
    }
    if (fwrite (buf, 4, m, f) != m)
      goto fail;
    done += m;
  }
  if (fclose (f) != 0) {
    f = NULL;
    goto fail;
  }
  return 0;

fail:
  err = errno;
  if (f)
    fclose (f);
  remove (path);
  errno = err;
  return -1;
}
