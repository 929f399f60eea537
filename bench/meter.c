/* gst-mastering — loudness meter benchmark: our DSP core against libebur128
 *
 * Generates a deterministic signal in memory (bench/benchsignal.h; 10 min of
 * 48 kHz stereo "music" by default) and times, in one run, best of N:
 *
 *   ours TP      mst_loudness_process_f32 (), true peak on
 *   ebur128 TP   ebur128_add_frames_float (), EBUR128_MODE_M | S | I | LRA
 *                | TRUE_PEAK
 *   ours         true peak off
 *   ebur128      EBUR128_MODE_M | S | I | LRA
 *
 * each fed in 1024-frame chunks and read the way a meter is read: the
 * momentary and short-term loudness every 100 ms of audio, integrated
 * loudness, loudness range and peaks at the end.  The time covers creation,
 * all processing, the reads and destruction.  The repetitions are
 * interleaved so that clock changes hit all four jobs alike.  Throughput
 * and ratios use the thread's CPU time, which other processes on a busy
 * machine disturb far less than wall time (printed too; on an idle machine
 * the two agree).
 *
 * Prints the times, the throughput (x realtime), the speed-up of ours over
 * libebur128 (goals: >= 5x with true peak, >= 2x without) and the results of
 * all four side by side.  Exits 1 if the results disagree by more than the
 * sanity tolerances printed with them, 2 on bad arguments.
 *
 *   ./build/bench/meter [--seconds 600] [--repeat 3] [--channels 2]
 *       [--rate 48000] [--chunk 1024] [--signal music|noise|sine]
 *       [--read-ms 100] [--only ours-tp|ebur128-tp|ours|ebur128]
 *
 * --read-ms 0 leaves out the periodic reads (libebur128 sums the whole 3 s
 * window on every short-term read, so they are a visible part of its
 * cost); --only runs a single job, for profiling.
 */
#include "benchsignal.h"
#include "dsp/loudness.h"

#include <ebur128.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if !defined(CLOCK_THREAD_CPUTIME_ID)
#define CLOCK_THREAD_CPUTIME_ID CLOCK_MONOTONIC
#endif

typedef struct
{
  const char *id;               /* for --only */
  const char *name;
  int ours;                     /* 1: mst_loudness, 0: libebur128 */
  int true_peak;
  int skip;                     /* not selected by --only */
  double best;                  /* s of CPU time, best of the repetitions */
  double best_wall;             /* s of wall time, best of the repetitions */
  /* results of the last repetition */
  double integrated, range, true_peak_max, sample_peak_max;
  double m_max, s_max;          /* largest M / S of the periodic reads */
  unsigned long reads;
} Job;

typedef struct
{
  double seconds;
  unsigned repeat, channels, rate, chunk;
  unsigned read_ms;             /* M/S read period, 0: no reads */
  const char *only;             /* run only this job (for profiling) */
  BenchSignalKind signal;
} Options;

static double
now (clockid_t clock)
{
  struct timespec ts;

  clock_gettime (clock, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double
to_db (double lin)
{
  return lin > 0.0 ? 20.0 * log10 (lin) : -INFINITY;
}

/* The momentary / short-term pair read periodically. */
static void
note_read (Job * job, double m, double s)
{
  if (m > job->m_max)
    job->m_max = m;
  if (s > job->s_max)
    job->s_max = s;
  job->reads++;
}

/* Frames between reads; SIZE_MAX when reading is off. */
static size_t
read_step (const Options * o)
{
  size_t step = (size_t) o->rate * o->read_ms / 1000;

  return o->read_ms == 0 ? SIZE_MAX : (step > 0 ? step : 1);
}

static int
run_ours (Job * job, const Options * o, const float *x, size_t frames)
{
  const size_t step = read_step (o);
  size_t pos = 0, next_read = step;
  MstLoudness *st;
  unsigned c;

  st = mst_loudness_new (o->rate, o->channels,
      job->true_peak ? MST_LOUDNESS_TRUE_PEAK : 0);
  if (!st)
    return -1;
  while (pos < frames) {
    size_t n = frames - pos < o->chunk ? frames - pos : o->chunk;

    mst_loudness_process_f32 (st, x + pos * o->channels, n);
    pos += n;
    if (pos >= next_read) {
      note_read (job, mst_loudness_momentary (st),
          mst_loudness_shortterm (st));
      while (next_read <= pos)
        next_read += step;
    }
  }
  job->integrated = mst_loudness_integrated (st);
  job->range = mst_loudness_range (st);
  job->true_peak_max = job->sample_peak_max = 0.0;
  for (c = 0; c < o->channels; c++) {
    double sp = mst_loudness_sample_peak (st, c);

    if (sp > job->sample_peak_max)
      job->sample_peak_max = sp;
    if (job->true_peak) {
      double tp = mst_loudness_true_peak (st, c);

      if (tp > job->true_peak_max)
        job->true_peak_max = tp;
    }
  }
  mst_loudness_free (st);
  return 0;
}

static int
run_ebur128 (Job * job, const Options * o, const float *x, size_t frames)
{
  const size_t step = read_step (o);
  size_t pos = 0, next_read = step;
  int mode = EBUR128_MODE_M | EBUR128_MODE_S | EBUR128_MODE_I
      | EBUR128_MODE_LRA;
  ebur128_state *st;
  unsigned c;

  if (job->true_peak)
    mode |= EBUR128_MODE_TRUE_PEAK;     /* includes SAMPLE_PEAK */
  st = ebur128_init (o->channels, o->rate, mode);
  if (!st)
    return -1;
  /* weight 1 on every channel, as ours by default (libebur128's default
   * map would treat channels 4-5 as surround and channel 3 as LFE) */
  for (c = 0; c < o->channels; c++)
    if (ebur128_set_channel (st, c, EBUR128_CENTER) != EBUR128_SUCCESS)
      goto fail;
  while (pos < frames) {
    size_t n = frames - pos < o->chunk ? frames - pos : o->chunk;
    double m = -INFINITY, s = -INFINITY;

    if (ebur128_add_frames_float (st, x + pos * o->channels, n)
        != EBUR128_SUCCESS)
      goto fail;
    pos += n;
    if (pos >= next_read) {
      ebur128_loudness_momentary (st, &m);
      ebur128_loudness_shortterm (st, &s);
      note_read (job, m, s);
      while (next_read <= pos)
        next_read += step;
    }
  }
  if (ebur128_loudness_global (st, &job->integrated) != EBUR128_SUCCESS
      || ebur128_loudness_range (st, &job->range) != EBUR128_SUCCESS)
    goto fail;
  job->true_peak_max = job->sample_peak_max = 0.0;
  for (c = 0; job->true_peak && c < o->channels; c++) {
    double tp, sp;

    ebur128_true_peak (st, c, &tp);
    ebur128_sample_peak (st, c, &sp);
    if (tp > job->true_peak_max)
      job->true_peak_max = tp;
    if (sp > job->sample_peak_max)
      job->sample_peak_max = sp;
  }
  ebur128_destroy (&st);
  return 0;

fail:
  ebur128_destroy (&st);
  return -1;
}

static int
parse_uint (const char *s, unsigned lo, unsigned hi, unsigned *out)
{
  char *end;
  unsigned long v = strtoul (s, &end, 10);

  if (*s == '\0' || *end != '\0' || s[0] == '-' || v < lo || v > hi)
    return -1;
  *out = (unsigned) v;
  return 0;
}

static void
usage (FILE * f)
{
  fprintf (f, "usage: meter [--seconds S] [--repeat N] [--channels C] "
      "[--rate HZ] [--chunk FRAMES]\n"
      "             [--signal music|noise|sine] [--read-ms MS]\n"
      "             [--only ours-tp|ebur128-tp|ours|ebur128]\n"
      "defaults: 600 s, best of 3, 2 channels, 48000 Hz, 1024 frames, "
      "music,\nM and S read every 100 ms (0: never); --only runs one job "
      "(for profiling)\n");
}

static int
parse_options (int argc, char **argv, Options * o)
{
  int i;

  o->seconds = 600.0;
  o->repeat = 3;
  o->channels = 2;
  o->rate = 48000;
  o->chunk = 1024;
  o->read_ms = 100;
  o->only = NULL;
  o->signal = BENCH_SIGNAL_MUSIC;

  for (i = 1; i < argc; i++) {
    const char *opt = argv[i], *val;
    int ok = 0;
    char *end;

    if (strcmp (opt, "--help") == 0 || strcmp (opt, "-h") == 0) {
      usage (stdout);
      exit (0);
    }
    if (i + 1 >= argc) {
      fprintf (stderr, "meter: %s: missing value or unknown option\n", opt);
      return -1;
    }
    val = argv[++i];
    if (strcmp (opt, "--seconds") == 0) {
      o->seconds = strtod (val, &end);
      ok = *val && *end == '\0' && o->seconds >= 1.0
          && o->seconds <= 24 * 3600.0;
    } else if (strcmp (opt, "--repeat") == 0) {
      ok = parse_uint (val, 1, 1000, &o->repeat) == 0;
    } else if (strcmp (opt, "--channels") == 0) {
      ok = parse_uint (val, 1, MST_LOUDNESS_MAX_CHANNELS, &o->channels) == 0;
    } else if (strcmp (opt, "--rate") == 0) {
      ok = parse_uint (val, MST_LOUDNESS_MIN_RATE, MST_LOUDNESS_MAX_RATE,
          &o->rate) == 0;
    } else if (strcmp (opt, "--chunk") == 0) {
      ok = parse_uint (val, 1, 1 << 20, &o->chunk) == 0;
    } else if (strcmp (opt, "--read-ms") == 0) {
      ok = parse_uint (val, 0, 3600 * 1000, &o->read_ms) == 0;
    } else if (strcmp (opt, "--only") == 0) {
      o->only = val;
      ok = strcmp (val, "ours-tp") == 0 || strcmp (val, "ebur128-tp") == 0
          || strcmp (val, "ours") == 0 || strcmp (val, "ebur128") == 0;
    } else if (strcmp (opt, "--signal") == 0) {
      int k = bench_signal_from_name (val);

      ok = k >= 0;
      if (ok)
        o->signal = (BenchSignalKind) k;
    } else {
      fprintf (stderr, "meter: unknown option %s\n", opt);
      return -1;
    }
    if (!ok) {
      fprintf (stderr, "meter: bad value for %s: %s\n", opt, val);
      return -1;
    }
  }
  return 0;
}

/* Prints one result row of the jobs that ran; tp_only: the value only
 * exists with true peak. */
static void
print_row (const char *what, const Job * jobs, int which, int tp_only)
{
  int j;

  printf ("  %-24s", what);
  for (j = 0; j < 4; j++) {
    const Job *job = &jobs[j];
    double v = 0;

    if (job->skip)
      continue;
    if (tp_only && !job->true_peak) {
      printf (" %13s", "-");
      continue;
    }
    switch (which) {
      case 0:
        v = job->integrated;
        break;
      case 1:
        v = job->range;
        break;
      case 2:
        v = to_db (job->true_peak_max);
        break;
      case 3:
        v = to_db (job->sample_peak_max);
        break;
      case 4:
        v = job->m_max;
        break;
      case 5:
        v = job->s_max;
        break;
    }
    printf (" %13.3f", v);
  }
  printf ("\n");
}

/* |a - b| <= tol, -inf == -inf; prints a line when not. */
static int
check (const char *what, double a, double b, double tol)
{
  if ((isinf (a) && isinf (b) && (a > 0) == (b > 0))
      || fabs (a - b) <= tol)
    return 0;
  printf ("  MISMATCH %s: ours %.3f, libebur128 %.3f (tolerance %.2f)\n",
      what, a, b, tol);
  return 1;
}

int
main (int argc, char **argv)
{
  Job jobs[4] = {
    {"ours-tp", "ours TP", 1, 1},
    {"ebur128-tp", "libebur128 TP", 0, 1},
    {"ours", "ours", 1, 0},
    {"ebur128", "libebur128", 0, 0},
  };
  Options o;
  size_t frames;
  float *x;
  double t0, t1, w0, w1, audio_s, peak = 0, energy = 0;
  char reads[64];
  unsigned r;
  int j, bad = 0;
  size_t i;

  if (parse_options (argc, argv, &o) < 0) {
    usage (stderr);
    return 2;
  }
  for (j = 0; j < 4; j++) {
    jobs[j].best = jobs[j].best_wall = INFINITY;
    jobs[j].skip = o.only && strcmp (o.only, jobs[j].id) != 0;
  }
  frames = (size_t) (o.seconds * o.rate + 0.5);
  audio_s = (double) frames / o.rate;
  x = malloc (frames * o.channels * sizeof *x);
  if (!x) {
    fprintf (stderr, "meter: cannot allocate %.0f MB for the signal\n",
        frames * o.channels * 4.0 / 1e6);
    return 2;
  }
  t0 = now (CLOCK_MONOTONIC);
  bench_signal_generate (o.signal, o.rate, o.channels, x, frames);
  t1 = now (CLOCK_MONOTONIC);
  for (i = 0; i < frames * o.channels; i++) {
    double a = fabs (x[i]);

    if (a > peak)
      peak = a;
    energy += (double) x[i] * x[i];
  }

  if (o.read_ms)
    snprintf (reads, sizeof reads, "M and S read every %u ms", o.read_ms);
  else
    snprintf (reads, sizeof reads, "M and S never read");
  printf ("loudness meter benchmark: signal %s, %.1f s, %u Hz, %u ch, "
      "%u-frame chunks,\n%s, best of %u (signal generated in %.2f s, "
      "crest factor %.1f dB)\n\n", bench_signal_name (o.signal), audio_s,
      o.rate, o.channels, o.chunk, reads, o.repeat, t1 - t0,
      to_db (peak) - 10.0 * log10 (energy / (frames * o.channels)));

  for (r = 0; r < o.repeat; r++) {
    for (j = 0; j < 4; j++) {
      Job *job = &jobs[j];
      int ret;

      if (job->skip)
        continue;
      job->m_max = job->s_max = -INFINITY;
      job->reads = 0;
      w0 = now (CLOCK_MONOTONIC);
      t0 = now (CLOCK_THREAD_CPUTIME_ID);
      ret = job->ours ? run_ours (job, &o, x, frames)
          : run_ebur128 (job, &o, x, frames);
      t1 = now (CLOCK_THREAD_CPUTIME_ID);
      w1 = now (CLOCK_MONOTONIC);
      if (ret < 0) {
        fprintf (stderr, "meter: %s failed (rate %u, %u channels)\n",
            job->name, o.rate, o.channels);
        free (x);
        return 2;
      }
      if (t1 - t0 < job->best)
        job->best = t1 - t0;
      if (w1 - w0 < job->best_wall)
        job->best_wall = w1 - w0;
    }
  }

  printf ("  %-24s %10s %10s %12s\n", "job", "CPU [s]", "wall [s]",
      "x realtime");
  for (j = 0; j < 4; j++)
    if (!jobs[j].skip)
      printf ("  %-24s %10.3f %10.3f %12.0f\n", jobs[j].name, jobs[j].best,
          jobs[j].best_wall, audio_s / jobs[j].best);
  if (!o.only) {
    printf ("\n  speed-up ours vs libebur128 (CPU time)\n"
        "  with true peak: %5.2fx (goal >= 5x: "
        "%s)\n", jobs[1].best / jobs[0].best,
        jobs[1].best >= 5.0 * jobs[0].best ? "met" : "NOT met");
    printf ("  without:        %5.2fx (goal >= 2x: "
        "%s)\n", jobs[3].best / jobs[2].best,
        jobs[3].best >= 2.0 * jobs[2].best ? "met" : "NOT met");
    printf ("  true-peak cost: ours %.3f s, libebur128 %.3f s\n",
        jobs[0].best - jobs[2].best, jobs[1].best - jobs[3].best);
  }

  printf ("\n  %-24s", "results");
  for (j = 0; j < 4; j++)
    if (!jobs[j].skip)
      printf (" %13s", jobs[j].name);
  printf ("\n");
  print_row ("integrated [LUFS]", jobs, 0, 0);
  print_row ("range [LU]", jobs, 1, 0);
  print_row ("true peak [dBTP]", jobs, 2, 1);
  print_row ("sample peak [dBFS]", jobs, 3, 1);
  print_row ("max M of reads [LUFS]", jobs, 4, 0);
  print_row ("max S of reads [LUFS]", jobs, 5, 0);
  printf ("  (true peak: max over channels; libebur128 has no sample peak "
      "without\n   TRUE_PEAK mode)\n");
  if (o.only) {
    free (x);
    return 0;
  }

  /* Both implement BS.1770 / Tech 3341 / 3342: gating and windows must
   * agree closely (ours ends the M / S windows on the 10 ms grid,
   * libebur128 at the last sample read, so single reads differ by
   * hundredths of an LU).  LRA: libebur128 takes a short-term value every 1 s,
   * ours every 100 ms (Tech 3342 asks for >= 10 Hz), which moves the
   * percentiles by a few tenths of an LU on short signals; 0.5 LU (half the
   * Tech 3342 tolerance) flags gross errors only.  The true peaks come from
   * different interpolators (ours 16 taps/phase Kaiser, libebur128 12
   * taps/phase Hann); R 128 allows +-0.3 dB. */
  for (j = 0; j < 4; j += 2) {
    bad |= check ("integrated", jobs[j].integrated,
        jobs[j + 1].integrated, 0.1);
    bad |= check ("range", jobs[j].range, jobs[j + 1].range, 0.5);
    bad |= check ("max momentary", jobs[j].m_max, jobs[j + 1].m_max, 0.1);
    bad |= check ("max short-term", jobs[j].s_max, jobs[j + 1].s_max, 0.1);
  }
  bad |= check ("true peak", to_db (jobs[0].true_peak_max),
      to_db (jobs[1].true_peak_max), 0.3);
  bad |= check ("sample peak", to_db (jobs[0].sample_peak_max),
      to_db (jobs[1].sample_peak_max), 1e-6);
  printf ("  sanity: %s\n", bad ? "results DISAGREE (see above)"
      : "results agree (I, M, S within 0.1 LU, LRA 0.5 LU, TP 0.3 dB)");

  free (x);
  return bad ? 1 : 0;
}
