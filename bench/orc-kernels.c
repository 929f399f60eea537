/* gst-mastering — ORC kernels against their plain-C equivalents
 *
 * One line per kernel of orc/mastering.orc (the plugin's) and
 * orc/mastering-bench.orc (baselines kept for comparison) and working-set
 * size: ns per
 * element for the ORC kernel and for the loop a C programmer would write
 * instead (compiled with the project's flags), and the speed-up.  Sizes
 * are chosen by working set (all buffers a call touches): 16 KiB (fits L1),
 * 512 KiB (L2) and 32 MiB (memory bound).  Before timing, each kernel's
 * output is compared with its C equivalent.
 *
 * Adding a kernel: write its ORC call and its C loop as two small
 * functions below and add one line to `kernels[]`.  The program reads
 * both .orc files and reports every `.function` without an entry (exit
 * status 1), so a kernel cannot go unbenchmarked.
 *
 *   ./build/bench/orc-kernels [--repeat N] [--kernel NAME]
 *   ORC_CODE=backup ./build/bench/orc-kernels   (ORC's own C backups)
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "mastering-orc.h"
#include "mastering-bench-orc.h"

#ifndef DISABLE_ORC
#include <orc/orc.h>
#endif

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define N_SRC 5
/* Largest element count: the 32 MiB working set of the lightest kernel. */
#define MAX_ELEMS (4u << 20)

/* Buffers shared by all kernels; each uses what its signature needs.
 * Outputs: d / dd for ORC, ref / dref for the C loop. */
typedef struct
{
  float *d, *ref;               /* float outputs, 2 * MAX_ELEMS */
  double *dd, *dref;            /* double outputs, MAX_ELEMS */
  float *s[N_SRC];              /* float inputs, 2 * MAX_ELEMS */
  double *sd;                   /* double input, MAX_ELEMS */
  float p[4];                   /* float parameters */
} Bufs;

typedef struct
{
  const char *name;             /* as in orc/mastering.orc */
  unsigned bytes_per_elem;      /* bytes read + written per element */
  unsigned out_floats;          /* float outputs per element (0: double) */
  void (*orc) (Bufs * b, int n);
  void (*c) (Bufs * b, int n);
} Kernel;

/* ---- kernels: ORC call and plain-C equivalent --------------------------- */

static void
orc_fir4 (Bufs * b, int n)
{
  mastering_orc_fir4_f32 (b->d, b->s[0], b->s[1], b->s[2], b->s[3],
      b->s[4], b->p[0], b->p[1], b->p[2], b->p[3], n);
}

static void
c_fir4 (Bufs * b, int n)
{
  float *restrict d = b->ref;
  const float *restrict acc = b->s[0], *restrict s1 = b->s[1];
  const float *restrict s2 = b->s[2], *restrict s3 = b->s[3];
  const float *restrict s4 = b->s[4];
  const float c1 = b->p[0], c2 = b->p[1], c3 = b->p[2], c4 = b->p[3];
  int i;

  for (i = 0; i < n; i++)
    d[i] = acc[i] + c1 * s1[i] + c2 * s2[i] + c3 * s3[i] + c4 * s4[i];
}

static void
orc_abs_max (Bufs * b, int n)
{
  mastering_orc_abs_max_f32 (b->d, b->s[0], n);
}

static void
c_abs_max (Bufs * b, int n)
{
  float *restrict d = b->ref;
  const float *restrict s = b->s[0];
  int i;

  for (i = 0; i < n; i++) {
    float a = fabsf (s[i]);

    d[i] = a > d[i] ? a : d[i];
  }
}

static void
orc_gain_f32_1ch (Bufs * b, int n)
{
  truepeaklimiter_orc_apply_gain_f32_1ch (b->d, b->s[0], b->s[1], n);
}

static void
c_gain_f32_1ch (Bufs * b, int n)
{
  float *restrict d = b->ref;
  const float *restrict s = b->s[0], *restrict g = b->s[1];
  int i;

  for (i = 0; i < n; i++)
    d[i] = s[i] * g[i];
}

static void
orc_gain_f32_2ch (Bufs * b, int n)
{
  truepeaklimiter_orc_apply_gain_f32_2ch (b->d, b->s[0], b->s[1], n);
}

static void
c_gain_f32_2ch (Bufs * b, int n)
{
  float *restrict d = b->ref;
  const float *restrict s = b->s[0], *restrict g = b->s[1];
  int i;

  for (i = 0; i < n; i++) {
    d[2 * i] = s[2 * i] * g[i];
    d[2 * i + 1] = s[2 * i + 1] * g[i];
  }
}

static void
orc_gain_f64_1ch (Bufs * b, int n)
{
  truepeaklimiter_orc_apply_gain_f64_1ch (b->dd, b->sd, b->s[1], n);
}

static void
c_gain_f64_1ch (Bufs * b, int n)
{
  double *restrict d = b->dref;
  const double *restrict s = b->sd;
  const float *restrict g = b->s[1];
  int i;

  for (i = 0; i < n; i++)
    d[i] = s[i] * g[i];
}

static const Kernel kernels[] = {
  {"mastering_orc_fir4_f32", 24, 1, orc_fir4, c_fir4},
  {"mastering_orc_abs_max_f32", 8, 1, orc_abs_max, c_abs_max},
  {"truepeaklimiter_orc_apply_gain_f32_1ch", 12, 1, orc_gain_f32_1ch,
      c_gain_f32_1ch},
  {"truepeaklimiter_orc_apply_gain_f32_2ch", 20, 2, orc_gain_f32_2ch,
      c_gain_f32_2ch},
  {"truepeaklimiter_orc_apply_gain_f64_1ch", 20, 0, orc_gain_f64_1ch,
      c_gain_f64_1ch},
};

#define N_KERNELS (sizeof kernels / sizeof kernels[0])

/* ---- harness ------------------------------------------------------------ */

static double
now (void)
{
  struct timespec ts;

  /* thread CPU time: robust against other processes on a busy machine */
  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void *
alloc_aligned (size_t bytes)
{
  void *p = NULL;

  if (posix_memalign (&p, 64, bytes) != 0)
    return NULL;
  return p;
}

/* Uniform in [-1, 1), deterministic. */
static float
next_value (uint32_t * s)
{
  *s = *s * 1664525u + 1013904223u;
  return (float) ((*s >> 8) * (1.0 / 8388608.0) - 1.0);
}

/* Same starting content in both outputs (abs_max reads its output). */
static void
reset_outputs (Bufs * b, size_t n)
{
  uint32_t seed = 12345;
  size_t i;

  for (i = 0; i < 2 * n; i++)
    b->d[i] = b->ref[i] = 0.5f * next_value (&seed);
  for (i = 0; i < n; i++)
    b->dd[i] = b->dref[i] = 0.0;
}

/* Largest difference between the ORC and the C output, relative to the
 * output magnitude (1 for these inputs). */
static double
compare (const Kernel * k, Bufs * b, int n)
{
  double worst = 0.0;
  int i;

  reset_outputs (b, n);
  k->orc (b, n);
  k->c (b, n);
  if (k->out_floats == 0) {
    for (i = 0; i < n; i++) {
      double e = fabs (b->dd[i] - b->dref[i]);

      if (!(e <= worst))
        worst = e;
    }
  } else {
    for (i = 0; i < n * (int) k->out_floats; i++) {
      double e = fabs ((double) b->d[i] - b->ref[i]);

      if (!(e <= worst))
        worst = e;
    }
  }
  return worst;
}

/* Best time per element (ns) of `fn` over `repeat` measurements, each
 * processing about 2^25 elements in calls of n. */
static double
time_kernel (void (*fn) (Bufs *, int), Bufs * b, int n, unsigned repeat)
{
  size_t calls = ((size_t) 1 << 25) / n, c;
  double best = INFINITY;
  unsigned r;

  if (calls < 4)
    calls = 4;
  fn (b, n);                    /* warm-up: ORC compiles on the first call */
  for (r = 0; r < repeat; r++) {
    double t0 = now (), t;

    for (c = 0; c < calls; c++)
      fn (b, n);
    t = (now () - t0) / ((double) calls * n) * 1e9;
    if (t < best)
      best = t;
  }
  return best;
}

#ifdef MST_ORC_SOURCE
/* Reports .function names of the .orc file that have no table entry. */
static int
check_coverage (const char *orc_path)
{
  char line[512], name[256];
  int missing = 0;
  FILE *f = fopen (orc_path, "r");
  size_t k;

  if (!f) {
    printf ("(cannot read %s: kernel coverage not checked)\n", orc_path);
    return 0;
  }
  while (fgets (line, sizeof line, f)) {
    int found = 0;

    if (sscanf (line, " .function %255s", name) != 1)
      continue;
    for (k = 0; k < N_KERNELS; k++)
      found |= strcmp (kernels[k].name, name) == 0;
    if (!found) {
      printf ("NO BENCHMARK for kernel %s: add it to kernels[] in "
          "bench/orc-kernels.c\n", name);
      missing++;
    }
  }
  fclose (f);
  return missing;
}
#endif

int
main (int argc, char **argv)
{
  static const struct
  {
    const char *label;
    size_t bytes;
  } sets[] = {
    {"16 KiB", 16u << 10}, {"512 KiB", 512u << 10}, {"32 MiB", 32u << 20},
  };
  const char *only = NULL;
  unsigned repeat = 5;
  Bufs b;
  int i, status = 0, matched = 0;
  size_t k, s;
  uint32_t seed = 1;

  for (i = 1; i < argc; i++) {
    if (strcmp (argv[i], "--repeat") == 0 && i + 1 < argc
        && atoi (argv[i + 1]) > 0) {
      repeat = (unsigned) atoi (argv[++i]);
    } else if (strcmp (argv[i], "--kernel") == 0 && i + 1 < argc) {
      only = argv[++i];
    } else {
      fprintf (stderr, "usage: orc-kernels [--repeat N] [--kernel NAME]\n");
      return 2;
    }
  }

  memset (&b, 0, sizeof b);
  b.d = alloc_aligned (2 * MAX_ELEMS * sizeof (float));
  b.ref = alloc_aligned (2 * MAX_ELEMS * sizeof (float));
  b.dd = alloc_aligned (MAX_ELEMS * sizeof (double));
  b.dref = alloc_aligned (MAX_ELEMS * sizeof (double));
  b.sd = alloc_aligned (MAX_ELEMS * sizeof (double));
  for (i = 0; i < N_SRC; i++) {
    b.s[i] = alloc_aligned (2 * MAX_ELEMS * sizeof (float));
    if (!b.s[i])
      status = 2;
  }
  if (status || !b.d || !b.ref || !b.dd || !b.dref || !b.sd) {
    fprintf (stderr, "orc-kernels: out of memory\n");
    return 2;
  }
  for (i = 0; i < N_SRC; i++)
    for (k = 0; k < 2 * MAX_ELEMS; k++)
      b.s[i][k] = next_value (&seed);
  for (k = 0; k < MAX_ELEMS; k++)
    b.sd[k] = next_value (&seed);
  for (i = 0; i < 4; i++)
    b.p[i] = next_value (&seed);

#ifdef DISABLE_ORC
  printf ("ORC disabled at build time: the kernels are ORC's C backups\n");
#else
  orc_init ();
  printf ("ORC target: %s%s\n", orc_target_get_name (orc_target_get_default
          ()), getenv ("ORC_CODE") ? " (ORC_CODE is set)" : "");
#endif
  printf ("best of %u; ns per element; speed-up = C time / ORC time\n\n",
      repeat);
  printf ("%-40s %8s %8s %8s %8s %8s\n", "kernel", "set", "elements",
      "orc ns", "C ns", "speed-up");

  for (k = 0; k < N_KERNELS; k++) {
    const Kernel *kn = &kernels[k];
    double err;

    if (only && strcmp (only, kn->name) != 0)
      continue;
    matched++;
    err = compare (kn, &b, 4099);       /* odd size: exercises the tail */
    if (!(err <= 1e-6)) {
      printf ("%-40s MISMATCH: ORC and C differ by %g\n", kn->name, err);
      status = 1;
      continue;
    }
    for (s = 0; s < sizeof sets / sizeof sets[0]; s++) {
      int n = (int) (sets[s].bytes / kn->bytes_per_elem);
      double t_orc = time_kernel (kn->orc, &b, n, repeat);
      double t_c = time_kernel (kn->c, &b, n, repeat);

      printf ("%-40s %8s %8d %8.3f %8.3f %7.2fx\n", kn->name, sets[s].label,
          n, t_orc, t_c, t_c / t_orc);
    }
  }

  if (only && !matched) {
    fprintf (stderr, "orc-kernels: no kernel named %s\n", only);
    status = 2;
  }
#ifdef MST_ORC_SOURCE
  if (!only && check_coverage (MST_ORC_SOURCE) > 0)
    status = 1;
#endif
#ifdef MST_ORC_BENCH_SOURCE
  if (!only && check_coverage (MST_ORC_BENCH_SOURCE) > 0)
    status = 1;
#endif

  free (b.d);
  free (b.ref);
  free (b.dd);
  free (b.dref);
  free (b.sd);
  for (i = 0; i < N_SRC; i++)
    free (b.s[i]);
  return status;
}
