/* gst-mastering — second-order IIR sections (see biquad.h)
 *
 * Design.  Every type is an analog prototype
 *
 *   H(s) = (n2 s^2 + n1 s + n0) / (d2 s^2 + d1 s + d0),  s normalised to f0
 *
 * turned into a digital section either by the pre-warped bilinear
 * transform or by the matched design: poles by impulse invariance, and the
 * numerator from its squared magnitude, written in Vicanek's basis
 *
 *   |B(e^jw)|^2 = B0 phi0 + B1 phi1 + B2 phi2,
 *   phi1 = sin^2 (w/2), phi0 = 1 - phi1, phi2 = 4 phi0 phi1,
 *   B0 = (b0 + b1 + b2)^2, B1 = (b0 - b1 + b2)^2, B2 = -4 b0 b2,
 *
 * with B0, B1, B2 set so that |H(e^jw)| equals the analog magnitude at
 * w = 0, w0 and pi, then factored back into the minimum-phase b0, b1, b2.
 *
 * Processor state, per lane (lane = section * channels + channel):
 *   s1, s2      transposed-DF2 state (signal units), double
 *   cur[5]      coefficients in use (b0 b1 b2 a1 a2)
 *   tgt[5]      coefficients the ramp is heading for
 *   inc[5]      per-frame increment of cur while ramping
 * and per processor: ramp_left (frames to the end of the ramp), ramp_len
 * (frames of a new ramp), pending (a set() since the last process call),
 * order/nlive (per channel, the lanes that are not the identity or still
 * hold state; the others are exact no-ops and are skipped).
 */
#include "biquad.h"
#include "simd.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Frames per internal pass: work buffer size, and the longest stretch
 * between two denormal/non-finite checks of the state. */
#define CHUNK 256
#define DEFAULT_RAMP_MS 10.0


enum
{ B0, B1, B2, A1, A2, NCOEF };

/* ---------------------------------------------------------------- design */

typedef struct
{
  double n2, n1, n0, d2, d1, d0;
} Proto;

static void
prototype (Proto * p, MstBiquadType type, double gain_db, double q)
{
  double a = pow (10.0, gain_db / 40.0);
  double sa = sqrt (a);

  switch (type) {
    case MST_BIQUAD_BELL:
      *p = (Proto) { 1.0, a / q, 1.0, 1.0, 1.0 / (a * q), 1.0 };
      break;
    case MST_BIQUAD_LOW_SHELF:
      *p = (Proto) { a, a * sa / q, a * a, a, sa / q, 1.0 };
      break;
    case MST_BIQUAD_HIGH_SHELF:
      *p = (Proto) { a * a, a * sa / q, a, 1.0, sa / q, a };
      break;
    case MST_BIQUAD_HIGH_PASS:
      *p = (Proto) { 1.0, 0.0, 0.0, 1.0, 1.0 / q, 1.0 };
      break;
    case MST_BIQUAD_LOW_PASS:
      *p = (Proto) { 0.0, 0.0, 1.0, 1.0, 1.0 / q, 1.0 };
      break;
    case MST_BIQUAD_BAND_PASS:
      *p = (Proto) { 0.0, 1.0 / q, 0.0, 1.0, 1.0 / q, 1.0 };
      break;
    case MST_BIQUAD_NOTCH:
      *p = (Proto) { 1.0, 0.0, 1.0, 1.0, 1.0 / q, 1.0 };
      break;
    case MST_BIQUAD_ALL_PASS:
    default:
      *p = (Proto) { 1.0, -1.0 / q, 1.0, 1.0, 1.0 / q, 1.0 };
      break;
  }
}

/* |H(j W)|^2 of the prototype, W normalised frequency */
static double
proto_mag2 (const Proto * p, double w)
{
  double nr = p->n0 - p->n2 * w * w, ni = p->n1 * w;
  double dr = p->d0 - p->d2 * w * w, di = p->d1 * w;
  return (nr * nr + ni * ni) / (dr * dr + di * di);
}

/* Bilinear transform s = (1/K) (1 - 1/z) / (1 + 1/z), K = tan (w0 / 2). */
static void
design_bilinear (MstBiquadCoefs * c, const Proto * p, double w0)
{
  double k = tan (0.5 * w0), k2 = k * k;
  double a0 = p->d2 + p->d1 * k + p->d0 * k2;

  c->b0 = (p->n2 + p->n1 * k + p->n0 * k2) / a0;
  c->b1 = 2.0 * (p->n0 * k2 - p->n2) / a0;
  c->b2 = (p->n2 - p->n1 * k + p->n0 * k2) / a0;
  c->a1 = 2.0 * (p->d0 * k2 - p->d2) / a0;
  c->a2 = (p->d2 - p->d1 * k + p->d0 * k2) / a0;
}

/* Poles of x2 s^2 + x1 s + x0 (s normalised to w0 rad/sample) by impulse
 * invariance.  Writes a1, a2 and the exact 1 + a1 + a2 (no cancellation at
 * low frequencies). */
static void
matched_poles (double x2, double x1, double x0, double w0, double *a1,
    double *a2, double *sum)
{
  double wp = sqrt (x0 / x2) * w0;      /* pole frequency, rad/sample */
  double zeta = 0.5 * x1 / sqrt (x0 * x2);
  double r = exp (-zeta * wp), omr = -expm1 (-zeta * wp);

  *a2 = r * r;
  if (zeta <= 1.0) {
    double th = sqrt (1.0 - zeta * zeta) * wp, sh = sin (0.5 * th);
    *a1 = -2.0 * r * cos (th);
    *sum = omr * omr + 4.0 * r * sh * sh;
  } else {
    double th = sqrt (zeta * zeta - 1.0) * wp, sh = sinh (0.5 * th);
    *a1 = -2.0 * r * cosh (th);
    *sum = omr * omr - 4.0 * r * sh * sh;
  }
}

/* Matched design of p, whose pole frequency must be below Nyquist. */
static void
design_matched_direct (MstBiquadCoefs * c, const Proto * p, double w0)
{
  double a1, a2, s0, s1, p0, p1, p2, aw, h0, h1, hn, bb0, bb1, bb2;
  double sb0, sb1, w, d;

  matched_poles (p->d2, p->d1, p->d0, w0, &a1, &a2, &s0);
  s1 = 1.0 - a1 + a2;
  p1 = sin (0.5 * w0);
  p1 *= p1;
  p0 = 1.0 - p1;
  p2 = 4.0 * p0 * p1;
  /* |A(e^jw0)|^2 */
  aw = s0 * s0 * p0 + s1 * s1 * p1 - 4.0 * a2 * p2;
  h0 = proto_mag2 (p, 0.0);
  h1 = proto_mag2 (p, 1.0);
  hn = proto_mag2 (p, MST_PI / w0);
  bb0 = h0 * s0 * s0;
  bb1 = hn * s1 * s1;
  bb2 = (h1 * aw - bb0 * p0 - bb1 * p1) / p2;
  sb0 = sqrt (bb0);
  sb1 = sqrt (bb1);
  w = 0.5 * (sb0 + sb1);
  d = w * w + bb2;
  d = d > 0.0 ? sqrt (d) : 0.0;
  c->b0 = 0.5 * (w + d);
  c->b1 = 0.5 * (sb0 - sb1);
  c->b2 = 0.5 * (w - d);
  c->a1 = a1;
  c->a2 = a2;
}

/* Vicanek's matched high-pass (double zero at DC), low-pass (b2 = 0) and
 * band-pass (zero at DC), matched at DC and f0 (band-pass: peak at f0). */
static void
design_matched_pass (MstBiquadCoefs * c, MstBiquadType type, const Proto * p,
    double w0)
{
  double a1, a2, s0, s1, p0, p1, p2, aa0, aa1, aa2, r1;
  double q = p->d2 / p->d1;

  matched_poles (p->d2, p->d1, p->d0, w0, &a1, &a2, &s0);
  s1 = 1.0 - a1 + a2;
  p1 = sin (0.5 * w0);
  p1 *= p1;
  p0 = 1.0 - p1;
  p2 = 4.0 * p0 * p1;
  aa0 = s0 * s0;
  aa1 = s1 * s1;
  aa2 = -4.0 * a2;
  r1 = aa0 * p0 + aa1 * p1 + aa2 * p2;
  if (type == MST_BIQUAD_HIGH_PASS) {
    double b0 = sqrt (r1) * q / (4.0 * p1);
    *c = (MstBiquadCoefs) { b0, -2.0 * b0, b0, a1, a2 };
  } else if (type == MST_BIQUAD_LOW_PASS) {
    double bb0 = aa0, bb1 = (r1 * q * q - bb0 * p0) / p1, b0;
    bb1 = bb1 > 0.0 ? bb1 : 0.0;
    b0 = 0.5 * (sqrt (bb0) + sqrt (bb1));
    *c = (MstBiquadCoefs) { b0, sqrt (bb0) - b0, 0.0, a1, a2 };
  } else {
    double r2 = -aa0 + aa1 + 4.0 * (p0 - p1) * aa2;
    double bb2 = (r1 - r2 * p1) / (4.0 * p1 * p1);
    double bb1 = r2 + 4.0 * (p1 - p0) * bb2, b1, b0;
    bb1 = bb1 > 0.0 ? bb1 : 0.0;
    b1 = -0.5 * sqrt (bb1);
    b0 = 0.5 * (sqrt (fmax (bb2 + b1 * b1, 0.0)) - b1);
    *c = (MstBiquadCoefs) { b0, b1, -b0 - b1, a1, a2 };
  }
}

/* Factors the squared-magnitude form (X0, X1, X2) of a second-order
 * polynomial into its minimum-phase coefficients x0 >= |x2|.  Returns 0
 * when the form is not a squared magnitude (negative somewhere). */
static int
factor_mag2 (double x0s, double x1s, double x2s, double *x0, double *x1,
    double *x2)
{
  double s0, s1, w, d;

  if (x0s < 0.0 || x1s < 0.0)
    return 0;
  s0 = sqrt (x0s);
  s1 = sqrt (x1s);
  w = 0.5 * (s0 + s1);
  d = w * w + x2s;
  if (d < -1e-12 * w * w)
    return 0;
  d = d > 0.0 ? sqrt (d) : 0.0;
  *x0 = 0.5 * (w + d);
  *x1 = 0.5 * (s0 - s1);
  *x2 = 0.5 * (w - d);
  return *x0 > 0.0;
}

/* Solves the n x n system m x = v in place (partial pivoting); 0 if
 * singular. */
static int
solve (double m[5][5], double v[5], int n)
{
  int i, j, k;

  for (k = 0; k < n; k++) {
    int p = k;
    for (i = k + 1; i < n; i++)
      if (fabs (m[i][k]) > fabs (m[p][k]))
        p = i;
    if (fabs (m[p][k]) < 1e-300)
      return 0;
    if (p != k) {
      double t;
      for (j = 0; j < n; j++) {
        t = m[k][j];
        m[k][j] = m[p][j];
        m[p][j] = t;
      }
      t = v[k];
      v[k] = v[p];
      v[p] = t;
    }
    for (i = k + 1; i < n; i++) {
      double f = m[i][k] / m[k][k];
      for (j = k; j < n; j++)
        m[i][j] -= f * m[k][j];
      v[i] -= f * v[k];
    }
  }
  for (k = n - 1; k >= 0; k--) {
    for (j = k + 1; j < n; j++)
      v[k] -= m[k][j] * v[j];
    v[k] /= m[k][k];
  }
  return 1;
}

/* Poles and zeros both fitted: the squared magnitudes of numerator and
 * denominator (Vicanek's basis, A0 = 1) chosen so that |H|^2 equals the
 * prototype's at DC, Nyquist, f0 and two more frequencies either side of
 * f0; then each factored into its minimum-phase polynomial.  Returns 0
 * if the fit is not realisable (the caller falls back). */
static int
design_matched_fit (MstBiquadCoefs * c, const Proto * p, double w0)
{
  double m[5][5] = { {0} }, v[5] = { 0 };
  double wk[3], b0, b1, b2, a0, a1, a2;
  int i;

  /* the band edges of a resonance of quality q (the geometric mean of
   * zero and pole Q), at most halfway to Nyquist */
  {
    double q = sqrt (sqrt (p->n0 * p->n2) / p->n1 * sqrt (p->d0 * p->d2)
        / p->d1), e = sqrt (1.0 + 0.25 / (q * q)) + 0.5 / q;
    wk[0] = w0 / e;
    wk[1] = w0;
    wk[2] = e * w0 < 0.5 * (w0 + MST_PI) ? e * w0 : 0.5 * (w0 + MST_PI);
  }
  /* unknowns x = (A1, A2, B0, B1, B2) */
  m[0][2] = 1.0;
  v[0] = proto_mag2 (p, 0.0);
  {
    double tn = proto_mag2 (p, MST_PI / w0);
    m[1][3] = 1.0;
    m[1][0] = -tn;
  }
  for (i = 0; i < 3; i++) {
    double t = proto_mag2 (p, wk[i] / w0);
    double f1 = sin (0.5 * wk[i]), f0, f2;
    f1 *= f1;
    f0 = 1.0 - f1;
    f2 = 4.0 * f0 * f1;
    m[2 + i][0] = -t * f1;
    m[2 + i][1] = -t * f2;
    m[2 + i][2] = f0;
    m[2 + i][3] = f1;
    m[2 + i][4] = f2;
    v[2 + i] = t * f0;
  }
  if (!solve (m, v, 5))
    return 0;
  if (!factor_mag2 (1.0, v[0], v[1], &a0, &a1, &a2)
      || !factor_mag2 (v[2], v[3], v[4], &b0, &b1, &b2))
    return 0;
  c->b0 = b0 / a0;
  c->b1 = b1 / a0;
  c->b2 = b2 / a0;
  c->a1 = a1 / a0;
  c->a2 = a2 / a0;
  return isfinite (c->b0) && fabs (c->a2) < 1.0
      && fabs (c->a1) < 1.0 + c->a2;
}

/* Refines c (a stable first guess) by weighted least squares on the
 * squared-magnitude forms: equation error B.phi - T A.phi over a log grid
 * from w0/32 to Nyquist, weighted by 1 / (max (T, 0.01) A'.phi) with A'
 * the previous iterate (Steiglitz-McBride style), so that the relative
 * magnitude error is what is minimised; frequencies above 0.45 fs
 * (phi1 > 0.976) weigh a tenth (a biquad cannot follow a falling analog
 * skirt up to Nyquist; trying spoils the band below), DC four times.
 * Keeps c when the result is not realisable. */
#define LS_POINTS 64
#define LS_ITER 4
#define LS_HIGH_WEIGHT 0.1
#define LS_HIGH_PHI1 0.976
/* The least-squares grid: squared target magnitude t and Vicanek's basis
 * phi0, phi1, phi2 at LS_POINTS log-spaced frequencies from w0/32 to
 * Nyquist, and DC last; computed once per design. */
typedef struct
{
  double t[LS_POINTS + 1], f0[LS_POINTS + 1], f1[LS_POINTS + 1],
      f2[LS_POINTS + 1];
} LsGrid;

static void
ls_grid (LsGrid * g, const Proto * p, double w0)
{
  double wlo = w0 / 32.0, ratio = pow (MST_PI / wlo, 1.0 / (LS_POINTS - 1));
  double w = wlo;
  int i;

  for (i = 0; i <= LS_POINTS; i++) {
    double ww = i == LS_POINTS ? 0.0 : w, f1 = sin (0.5 * ww);
    f1 *= f1;
    g->t[i] = proto_mag2 (p, ww / w0);
    g->f1[i] = f1;
    g->f0[i] = 1.0 - f1;
    g->f2[i] = 4.0 * (1.0 - f1) * f1;
    w *= ratio;
  }
}

static void
refine_ls (MstBiquadCoefs * c, const Proto * p, const LsGrid * grid)
{
  /* a zero at DC stays there (B0 = 0 is not a free unknown) */
  const int dc_zero = proto_mag2 (p, 0.0) == 0.0;
  double aa[3];
  int it, i, j, k;

  aa[0] = (1.0 + c->a1 + c->a2) * (1.0 + c->a1 + c->a2);
  aa[1] = (1.0 - c->a1 + c->a2) * (1.0 - c->a1 + c->a2);
  aa[2] = -4.0 * c->a2;
  for (it = 0; it < LS_ITER; it++) {
    double m[5][5] = { {0} }, v[5] = { 0 };
    double b0, b1, b2, a0, a1, a2;
    for (i = 0; i <= LS_POINTS; i++) {
      /* i == LS_POINTS: DC */
      const double t = grid->t[i], f0 = grid->f0[i], f1 = grid->f1[i];
      const double f2 = grid->f2[i];
      double g[5], h, wt, ap;
      ap = aa[0] * f0 + aa[1] * f1 + aa[2] * f2;
      wt = 1.0 / ((t > 0.01 ? t : 0.01) * ap);
      if (i == LS_POINTS)
        wt *= 4.0;
      else if (grid->f1[i] > LS_HIGH_PHI1)
        wt *= LS_HIGH_WEIGHT;
      g[0] = -t * f1 * wt;
      g[1] = -t * f2 * wt;
      g[2] = f0 * wt;
      g[3] = f1 * wt;
      g[4] = f2 * wt;
      h = t * f0 * wt;
      for (j = 0; j < 5; j++) {
        for (k = 0; k < 5; k++)
          m[j][k] += g[j] * g[k];
        v[j] += g[j] * h;
      }
    }
    if (dc_zero) {
      for (j = 0; j < 5; j++)
        m[2][j] = m[j][2] = 0.0;
      m[2][2] = 1.0;
      v[2] = 0.0;
    }
    if (!solve (m, v, 5))
      return;
    if (!factor_mag2 (1.0, v[0], v[1], &a0, &a1, &a2)
        || !factor_mag2 (v[2], v[3], v[4], &b0, &b1, &b2))
      return;
    if (!(fabs (a2 / a0) < 1.0 && fabs (a1 / a0) < 1.0 + a2 / a0))
      return;
    c->b0 = b0 / a0;
    c->b1 = b1 / a0;
    c->b2 = b2 / a0;
    c->a1 = a1 / a0;
    c->a2 = a2 / a0;
    aa[0] = (1.0 + c->a1 + c->a2) * (1.0 + c->a1 + c->a2);
    aa[1] = (1.0 - c->a1 + c->a2) * (1.0 - c->a1 + c->a2);
    aa[2] = -4.0 * c->a2;
  }
  /* exact DC gain */
  {
    double dc = (c->b0 + c->b1 + c->b2) / (1.0 + c->a1 + c->a2);
    double want = sqrt (proto_mag2 (p, 0.0));
    if (dc > 0.0 && want > 0.0) {
      c->b0 *= want / dc;
      c->b1 *= want / dc;
      c->b2 *= want / dc;
    }
  }
}

static void
invert (MstBiquadCoefs * c)
{
  double b0 = c->b0, b1 = c->b1, b2 = c->b2;

  c->b0 = 1.0 / b0;
  c->b1 = c->a1 / b0;
  c->b2 = c->a2 / b0;
  c->a1 = b1 / b0;
  c->a2 = b2 / b0;
}

static void
design_matched (MstBiquadCoefs * c, MstBiquadType type, const Proto * p,
    double w0)
{
  double a1, a2, s0;

  if (type == MST_BIQUAD_ALL_PASS) {
    matched_poles (p->d2, p->d1, p->d0, w0, &a1, &a2, &s0);
    *c = (MstBiquadCoefs) { a2, a1, 1.0, a1, a2 };
  } else if (type == MST_BIQUAD_NOTCH) {
    /* zeros exactly at w0 on the unit circle; unity gain at DC */
    double sh = sin (0.5 * w0), g;
    matched_poles (p->d2, p->d1, p->d0, w0, &a1, &a2, &s0);
    g = s0 / (4.0 * sh * sh);
    *c = (MstBiquadCoefs) { g, -2.0 * g * cos (w0), g, a1, a2 };
  } else if (type == MST_BIQUAD_HIGH_PASS || type == MST_BIQUAD_LOW_PASS
      || type == MST_BIQUAD_BAND_PASS) {
    design_matched_pass (c, type, p, w0);
  } else if (type == MST_BIQUAD_BELL && p->n1 < p->d1) {
    /* a cut: the inverse of the boost, whose poles are the sharper
     * (underdamped) pair */
    Proto inv = { p->d2, p->d1, p->d0, p->n2, p->n1, p->n0 };
    design_matched_direct (c, &inv, w0);
    invert (c);
  } else if (p->n2 > 0.0 && p->n0 > 0.0 && p->n0 / p->n2 < p->d0 / p->d2) {
    /* zeros below the poles (shelf cut, high-shelf boost): design the
     * inverse, whose poles are the lower pair, and invert it */
    Proto inv = { p->d2, p->d1, p->d0, p->n2, p->n1, p->n0 };
    design_matched_direct (c, &inv, w0);
    invert (c);
  } else {
    design_matched_direct (c, p, w0);
  }
}

#ifndef LS_ABOVE
#define LS_ABOVE 0.02
#endif

/* The grid of the minimax fit and of the candidates' comparison: DC,
 * MM_LOG log-spaced frequencies from w0/16 to 0.4 fs (0.8 pi), MM_PEAK
 * around the centre/corner frequency over +-2 bandwidths of the
 * resonance, MM_HIGH from 0.4 fs to Nyquist.  Per point: Vicanek's basis
 * phi0..2, the prototype's |H|^2 (t) and |H| (ha), and the factor its
 * error counts with (1; 0.1 above 0.4 fs, where the response has to stay
 * sane, not follow the prototype). */
#define MM_LOG 48
#define MM_PEAK 17
#define MM_HIGH 6
#define MM_POINTS (1 + MM_LOG + MM_PEAK + MM_HIGH)
#define MM_TOP (0.8 * MST_PI)
#ifndef MM_HIGH_FACTOR
#define MM_HIGH_FACTOR 0.1
#endif
typedef struct
{
  int n;
  double f0[MM_POINTS], f1[MM_POINTS], f2[MM_POINTS], t[MM_POINTS],
      ha[MM_POINTS], k[MM_POINTS];
} FitGrid;

static void
fit_grid_point (FitGrid * g, const Proto * p, double w0, double w,
    double k)
{
  double f1 = sin (0.5 * w);
  int i = g->n++;

  f1 *= f1;
  g->f1[i] = f1;
  g->f0[i] = 1.0 - f1;
  g->f2[i] = 4.0 * (1.0 - f1) * f1;
  g->t[i] = proto_mag2 (p, w / w0);
  g->ha[i] = sqrt (g->t[i]);
  g->k[i] = k;
}

static void
fit_grid (FitGrid * g, const Proto * p, double w0)
{
  double wlo = w0 / 16.0, ratio = pow (MM_TOP / wlo, 1.0 / (MM_LOG - 1));
  double w = wlo, q, bw;
  int i;

  g->n = 0;
  fit_grid_point (g, p, w0, 0.0, 1.0);
  for (i = 0; i < MM_LOG; i++, w *= ratio)
    fit_grid_point (g, p, w0, w < MM_TOP ? w : MM_TOP, 1.0);
  /* the resonance: quality of the sharper of zero and pole pair */
  q = 0.0;
  if (p->d1 > 0.0)
    q = sqrt (p->d0 * p->d2) / p->d1;
  if (p->n1 > 0.0 && p->n0 > 0.0 && p->n2 > 0.0
      && sqrt (p->n0 * p->n2) / p->n1 > q)
    q = sqrt (p->n0 * p->n2) / p->n1;
  bw = q > 0.5 ? 1.0 / q : 2.0;
  for (i = 0; i < MM_PEAK; i++) {
    double ww = w0 * exp (bw * (i - MM_PEAK / 2) / (0.25 * (MM_PEAK - 1)));
    fit_grid_point (g, p, w0, ww < MM_TOP ? ww : MM_TOP, 1.0);
  }
  for (i = 1; i <= MM_HIGH; i++)
    fit_grid_point (g, p, w0, MM_TOP + (MST_PI - MM_TOP) * i / MM_HIGH,
        MM_HIGH_FACTOR);
}

/* Error of a section at grid point i given its |H|^2 (hd2): dB where the
 * prototype is above -20 dB (to first order, which is what the fit
 * needs), otherwise the linear difference counted as the dB it would make
 * on a unit magnitude (20 log10 (1 + d), to first order); times the
 * point's factor.  The fit measures dB a little further down than the
 * -20 dB at which a comparison switches to linear (MM_DB_ABOVE), so that
 * a point just above the switch, between two grid points, is not
 * judged by the looser linear measure. */
#ifndef MM_DB_ABOVE
#define MM_DB_ABOVE 0.08
#endif
static double
point_error (const FitGrid * g, int i, double hd2)
{
  double t = g->t[i], e;

  if (t > MM_DB_ABOVE * MM_DB_ABOVE) {
    /* 10 log10 (hd2 / t), to first order */
    e = 4.3429448 * fabs (hd2 / t - 1.0);
  } else {
    double hd = sqrt (hd2 > 0.0 ? hd2 : 0.0);
    e = 8.6858896 * fabs (hd - g->ha[i]);
  }
  return e * g->k[i];
}

/* |H|^2 of c at grid point i */
static double
point_mag2 (const MstBiquadCoefs * c, const FitGrid * g, int i)
{
  double sb = c->b0 + c->b1 + c->b2, db = c->b0 - c->b1 + c->b2;
  double sa = 1.0 + c->a1 + c->a2, da = 1.0 - c->a1 + c->a2;
  double num = sb * sb * g->f0[i] + db * db * g->f1[i]
      - 4.0 * c->b0 * c->b2 * g->f2[i];
  double den = sa * sa * g->f0[i] + da * da * g->f1[i]
      - 4.0 * c->a2 * g->f2[i];
  return num / den;
}

/* Largest error of c against the prototype on the grid. */
static double
fit_error (const MstBiquadCoefs * c, const FitGrid * g)
{
  double e = 0;
  int i;

  for (i = 0; i < g->n; i++) {
    double ee = point_error (g, i, point_mag2 (c, g, i));
    e = ee > e || !(ee == ee) ? ee : e;
  }
  return e;
}

/* Minimax refinement: Lawson's iteration on the squared-magnitude forms.
 *
 * |H(e^jw)|^2 = B.phi / A.phi, A = (1, A1, A2), B = bf + sum_j beta_j
 * n_j: B0 (bf, the DC gain) fixed to the prototype's, and the free
 * directions n_j per type: B1, B2 for bells, shelves, low- and band-pass
 * (band-pass: B0 = 0, its zero at DC); for high-pass (the double zero at
 * DC) only the gain; for the notch (the zero pair on the unit circle at
 * w0, gain set by DC) none.  The equation error B.phi - T A.phi (T the
 * prototype's |H|^2) is linear in (A1, A2, beta); it is weighted by
 * k_i / (max (T, 0.01) A'.phi), k_i the point's factor and A' the
 * previous iterate (Steiglitz-
 * McBride: the relative error of |H|^2), and by Lawson weights u_i that
 * are multiplied after each pass by the true error at the point (the
 * measure of fit_error), which drives the weighted least-squares
 * solution towards the minimax one.  Every pass is factored into
 * minimum-phase polynomials and kept if its poles lie inside the unit
 * circle with a margin; c becomes the pass with the smallest largest
 * error if that beats *err (c's error on entry), and *err is updated. */
#ifndef MM_ITER
#define MM_ITER 8
#endif
#define MM_POLE_MARGIN 1e-9

static void
refine_minimax (MstBiquadCoefs * c, double *err, MstBiquadType type,
    double w0, const FitGrid * g)
{
  /* free directions nv[0..nb) and the fixed part bf of B: B0 (the DC
   * gain) is fixed to the prototype's */
  double nv[3][3] = { {0, 1, 0}, {0, 0, 1}, {0, 0, 0} };
  double bf[3] = { g->t[0], 0.0, 0.0 };
  double u[MM_POINTS], aa[3];
  int nb = 2, n, it, i, j, k;
  MstBiquadCoefs cur = *c;

  if (type == MST_BIQUAD_HIGH_PASS) {
    /* gain (1 - z^-1)^2: B = gain^2 (0, 16, -4) */
    nb = 1;
    nv[0][0] = 0.0, nv[0][1] = 16.0, nv[0][2] = -4.0;
  } else if (type == MST_BIQUAD_NOTCH) {
    /* gain (1 - 2 cos w0 z^-1 + z^-2), the gain set by B0 */
    double cw = cos (w0), s0 = (2.0 - 2.0 * cw) * (2.0 - 2.0 * cw);
    nb = 0;
    bf[0] = g->t[0];
    bf[1] = g->t[0] * (2.0 + 2.0 * cw) * (2.0 + 2.0 * cw) / s0;
    bf[2] = -4.0 * g->t[0] / s0;
  }
  n = 2 + nb;
  for (i = 0; i < g->n; i++)
    u[i] = 1.0;
  for (it = 0; it < MM_ITER; it++) {
    double m[5][5] = { {0} }, v[5] = { 0 }, usum = 0.0, e;
    double bb[3], a0, a1, a2, b0, b1, b2;
    MstBiquadCoefs nc;
    aa[0] = (1.0 + cur.a1 + cur.a2) * (1.0 + cur.a1 + cur.a2);
    aa[1] = (1.0 - cur.a1 + cur.a2) * (1.0 - cur.a1 + cur.a2);
    aa[2] = -4.0 * cur.a2;
    for (i = 0; i < g->n; i++) {
      const double t = g->t[i], f0 = g->f0[i], f1 = g->f1[i], f2 = g->f2[i];
      double r[5], h, ap = aa[0] * f0 + aa[1] * f1 + aa[2] * f2;
      double wt = sqrt (u[i]) * g->k[i] / ((t > 0.01 ? t : 0.01) * ap);
      r[0] = -t * f1 * wt;
      r[1] = -t * f2 * wt;
      for (j = 0; j < nb; j++)
        r[2 + j] = (nv[j][0] * f0 + nv[j][1] * f1 + nv[j][2] * f2) * wt;
      h = (t * f0 - bf[0] * f0 - bf[1] * f1 - bf[2] * f2) * wt;
      for (j = 0; j < n; j++) {
        for (k = 0; k < n; k++)
          m[j][k] += r[j] * r[k];
        v[j] += r[j] * h;
      }
    }
    if (!solve (m, v, n))
      break;
    for (k = 0; k < 3; k++) {
      bb[k] = bf[k];
      for (j = 0; j < nb; j++)
        bb[k] += v[2 + j] * nv[j][k];
    }
    if (!factor_mag2 (1.0, v[0], v[1], &a0, &a1, &a2))
      break;
    if (type == MST_BIQUAD_HIGH_PASS || type == MST_BIQUAD_NOTCH) {
      double gg = type == MST_BIQUAD_HIGH_PASS ? 0.5 * sqrt (bb[1]) * 0.5
          : sqrt (-0.25 * bb[2]);
      if (!(gg > 0.0))
        break;
      b0 = b2 = gg;
      b1 = type == MST_BIQUAD_HIGH_PASS ? -2.0 * gg : -2.0 * gg * cos (w0);
    } else if (!factor_mag2 (bb[0], bb[1], bb[2], &b0, &b1, &b2)) {
      break;
    }
    if (type == MST_BIQUAD_BAND_PASS)
      b2 = -b0 - b1;            /* the zero exactly at DC */
    nc.b0 = b0 / a0;
    nc.b1 = b1 / a0;
    nc.b2 = b2 / a0;
    nc.a1 = a1 / a0;
    nc.a2 = a2 / a0;
    if (!(fabs (nc.a2) < 1.0 - MM_POLE_MARGIN
            && fabs (nc.a1) < 1.0 + nc.a2 - MM_POLE_MARGIN)
        || !isfinite (nc.b0 + nc.b1 + nc.b2))
      break;
    cur = nc;
    /* Lawson: weights times the error at each point */
    e = 0.0;
    for (i = 0; i < g->n; i++) {
      double ee = point_error (g, i, point_mag2 (&cur, g, i));
      e = ee > e ? ee : e;
      u[i] *= ee + 1e-12;
      usum += u[i];
    }
    if (e < *err) {
      *err = e;
      *c = cur;
    }
    if (!(usum > 0.0))
      break;
    for (i = 0; i < g->n; i++)
      u[i] = u[i] / usum * g->n + 1e-12;
  }
}

/* The best of the impulse-invariant design, the five-point fit, both
 * refined by least squares, and the best of these refined towards the
 * minimax fit. */
static void
design_matched_refined (MstBiquadCoefs * c, MstBiquadType type,
    const Proto * p, double w0)
{
  MstBiquadCoefs cand[4];
  LsGrid lg;
  FitGrid fg;
  double best;
  int n = 1, i;

  design_matched (&cand[0], type, p, w0);
  *c = cand[0];
  if (w0 <= LS_ABOVE || type == MST_BIQUAD_ALL_PASS)
    return;
  fit_grid (&fg, p, w0);
  if (type == MST_BIQUAD_BELL || type == MST_BIQUAD_LOW_SHELF
      || type == MST_BIQUAD_HIGH_SHELF || type == MST_BIQUAD_LOW_PASS
      || type == MST_BIQUAD_BAND_PASS) {
    ls_grid (&lg, p, w0);
    cand[1] = cand[0];
    refine_ls (&cand[1], p, &lg);
    n = 2;
    if (design_matched_fit (&cand[2], p, w0)) {
      cand[3] = cand[2];
      refine_ls (&cand[3], p, &lg);
      n = 4;
    }
  }
  best = fit_error (&cand[0], &fg);
  for (i = 1; i < n; i++) {
    double e = fit_error (&cand[i], &fg);
    if (e < best) {
      best = e;
      *c = cand[i];
    }
  }
#ifndef MM_SKIP
  refine_minimax (c, &best, type, w0, &fg);
#endif
}

void
mst_biquad_identity (MstBiquadCoefs * c)
{
  *c = (MstBiquadCoefs) { 1.0, 0.0, 0.0, 0.0, 0.0 };
}

void
mst_biquad_design (MstBiquadCoefs * c, MstBiquadType type,
    MstBiquadDesign design, double rate, double freq, double gain_db,
    double q)
{
  Proto p;
  double w0;

  rate = mst_clamp_or (rate, MST_RATE_MIN, MST_RATE_MAX, 48000.0);
  freq = mst_clamp_or (freq, MST_BIQUAD_MIN_FREQ,
      MST_BIQUAD_MAX_FREQ_RATIO * rate, 1000.0);
  gain_db = mst_clamp_or (gain_db, MST_BIQUAD_MIN_GAIN_DB,
      MST_BIQUAD_MAX_GAIN_DB, 0.0);
  q = mst_clamp_or (q, MST_BIQUAD_MIN_Q, MST_BIQUAD_MAX_Q, 0.70710678118654752);
  if ((unsigned) type > MST_BIQUAD_ALL_PASS)
    type = MST_BIQUAD_BELL;
  w0 = 2.0 * MST_PI * freq / rate;
  prototype (&p, type, gain_db, q);
  if (design == MST_BIQUAD_BILINEAR) {
    design_bilinear (c, &p, w0);
  } else if (gain_db < 0.0 && (type == MST_BIQUAD_BELL
          || type == MST_BIQUAD_LOW_SHELF || type == MST_BIQUAD_HIGH_SHELF)) {
    /* a cut is the inverse of the boost (prototype and, so, design):
     * boost and cut are exact mirror images in dB */
    Proto boost;
    prototype (&boost, type, -gain_db, q);
    design_matched_refined (c, type, &boost, w0);
    invert (c);
    if (!(fabs (c->a2) < 1.0 && fabs (c->a1) < 1.0 + c->a2))
      design_matched (c, type, &p, w0);
  } else {
    design_matched_refined (c, type, &p, w0);
  }
}

unsigned
mst_biquad_slope_sections (MstBiquadType type, unsigned slope_db)
{
  if (type != MST_BIQUAD_HIGH_PASS && type != MST_BIQUAD_LOW_PASS)
    return 1;
  if (slope_db < 18)
    return 1;
  if (slope_db < 36)
    return 2;
  return 4;
}

unsigned
mst_biquad_design_slope (MstBiquadCoefs * c, MstBiquadType type,
    MstBiquadDesign design, double rate, double freq, double gain_db,
    double q, unsigned slope_db)
{
  unsigned n = mst_biquad_slope_sections (type, slope_db), k;

  if (n == 1) {
    mst_biquad_design (c, type, design, rate, freq, gain_db, q);
    return 1;
  }
  /* Butterworth of order N = 2n: pole pairs at angles (2k + 1) pi / (2N)
   * from the imaginary axis, Q = 1 / (2 sin ((2k + 1) pi / (2N))) */
  for (k = 0; k < n; k++) {
    double qk = 1.0 / (2.0 * sin ((2 * k + 1) * MST_PI / (4.0 * n)));
    mst_biquad_design (&c[k], type, design, rate, freq, gain_db, qk);
  }
  return n;
}

void
mst_biquad_response (const MstBiquadCoefs * c, double rate, double f,
    double *mag, double *phase)
{
  double w = 2.0 * MST_PI * f / rate;
  double c1 = cos (w), s1 = sin (w), c2 = cos (2.0 * w), s2 = sin (2.0 * w);
  double nr = c->b0 + c->b1 * c1 + c->b2 * c2;
  double ni = -c->b1 * s1 - c->b2 * s2;
  double dr = 1.0 + c->a1 * c1 + c->a2 * c2;
  double di = -c->a1 * s1 - c->a2 * s2;

  if (mag)
    *mag = sqrt ((nr * nr + ni * ni) / (dr * dr + di * di));
  if (phase)
    *phase = atan2 (ni, nr) - atan2 (di, dr);
}

/* ------------------------------------------------------------ processor */

struct MstBiquad
{
  unsigned rate, channels, sections, lanes;
  unsigned live;                /* any live section at all */
  int relist;                   /* live lists to be recomputed */
  unsigned *order;              /* [channels][sections] live lanes */
  unsigned *nlive;              /* [channels] */
  double *s1, *s2;              /* [lanes] state */
  double *cur[NCOEF], *tgt[NCOEF], *inc[NCOEF];
  unsigned ramp_len, ramp_left;
  int pending;
  double *work;                 /* CHUNK * channels interleaved doubles */
  double *zeros;                /* CHUNK doubles: dummy pipeline stream */
};

MstBiquad *
mst_biquad_new (unsigned rate, unsigned channels, unsigned sections)
{
  MstBiquad *bq;
  unsigned k, l;
  double *mem;

  if (rate < MST_RATE_MIN || rate > MST_RATE_MAX || channels < 1
      || channels > MST_MAX_CHANNELS || sections < 1
      || sections > MST_BIQUAD_MAX_SECTIONS)
    return NULL;
  bq = calloc (1, sizeof *bq);
  if (!bq)
    return NULL;
  bq->rate = rate;
  bq->channels = channels;
  bq->sections = sections;
  bq->lanes = channels * sections;
  mem = calloc ((size_t) bq->lanes * (2 + 3 * NCOEF)
      + (size_t) CHUNK * (channels + 1), sizeof (double));
  if (!mem) {
    free (bq);
    return NULL;
  }
  bq->s1 = mem;
  bq->s2 = mem + bq->lanes;
  for (k = 0; k < NCOEF; k++) {
    bq->cur[k] = mem + (2 + k) * bq->lanes;
    bq->tgt[k] = mem + (2 + NCOEF + k) * bq->lanes;
    bq->inc[k] = mem + (2 + 2 * NCOEF + k) * bq->lanes;
  }
  bq->work = mem + (2 + 3 * NCOEF) * bq->lanes;
  bq->zeros = bq->work + (size_t) CHUNK * channels;
  bq->order = calloc ((size_t) bq->lanes + channels, sizeof (unsigned));
  if (!bq->order) {
    free (mem);
    free (bq);
    return NULL;
  }
  bq->nlive = bq->order + bq->lanes;
  for (l = 0; l < bq->lanes; l++)
    bq->cur[B0][l] = bq->tgt[B0][l] = 1.0;
  mst_biquad_set_ramp (bq, DEFAULT_RAMP_MS);
  return bq;
}

void
mst_biquad_free (MstBiquad * bq)
{
  if (!bq)
    return;
  free (bq->s1);
  free (bq->order);
  free (bq);
}

static void
end_ramp (MstBiquad * bq)
{
  unsigned k;

  for (k = 0; k < NCOEF; k++)
    memcpy (bq->cur[k], bq->tgt[k], bq->lanes * sizeof (double));
  bq->ramp_left = 0;
  bq->pending = 0;
  bq->relist = 1;
}

void
mst_biquad_reset (MstBiquad * bq)
{
  memset (bq->s1, 0, bq->lanes * sizeof (double));
  memset (bq->s2, 0, bq->lanes * sizeof (double));
  end_ramp (bq);
}

unsigned
mst_biquad_channels (const MstBiquad * bq)
{
  return bq->channels;
}

unsigned
mst_biquad_sections (const MstBiquad * bq)
{
  return bq->sections;
}

void
mst_biquad_set_ramp (MstBiquad * bq, double ramp_ms)
{
  ramp_ms = mst_clamp_or (ramp_ms, 0.0, 1000.0, DEFAULT_RAMP_MS);
  bq->ramp_len = (unsigned) lrint (ramp_ms * 1e-3 * bq->rate);
}

static int
acceptable (const MstBiquadCoefs * c)
{
  return isfinite (c->b0) && isfinite (c->b1) && isfinite (c->b2)
      && isfinite (c->a1) && isfinite (c->a2) && fabs (c->a2) < 1.0
      && fabs (c->a1) < 1.0 + c->a2;
}

int
mst_biquad_set (MstBiquad * bq, unsigned channel, unsigned section,
    const MstBiquadCoefs * c)
{
  unsigned l;

  if (channel >= bq->channels || section >= bq->sections || !acceptable (c))
    return 0;
  l = section * bq->channels + channel;
  bq->tgt[B0][l] = c->b0;
  bq->tgt[B1][l] = c->b1;
  bq->tgt[B2][l] = c->b2;
  bq->tgt[A1][l] = c->a1;
  bq->tgt[A2][l] = c->a2;
  bq->pending = 1;
  bq->relist = 1;
  return 1;
}

int
mst_biquad_set_now (MstBiquad * bq, unsigned channel, unsigned section,
    const MstBiquadCoefs * c)
{
  unsigned l = section * bq->channels + channel, k;

  if (!mst_biquad_set (bq, channel, section, c))
    return 0;
  for (k = 0; k < NCOEF; k++) {
    bq->cur[k][l] = bq->tgt[k][l];
    bq->inc[k][l] = 0.0;
  }
  return 1;
}

/* Lists, per channel, the live sections: those that are not the
 * identity (now or at the ramp's end) or still hold state.  The others
 * are exact no-ops and are skipped.  Needed again after a change, at the
 * end of a ramp, and while identity sections still drain their state. */
static void
list_live (MstBiquad * bq)
{
  unsigned l, k, c, any = 0, draining = 0;

  for (c = 0; c < bq->channels; c++) {
    unsigned n = 0, sec;
    for (sec = 0; sec < bq->sections; sec++) {
      int ident = 1, quiet;
      l = sec * bq->channels + c;
      quiet = bq->s1[l] == 0.0 && bq->s2[l] == 0.0;
      for (k = 0; k < NCOEF && ident; k++)
        ident = bq->cur[k][l] == (k == B0) && bq->tgt[k][l] == (k == B0);
      if (!ident || !quiet)
        bq->order[c * bq->sections + n++] = l;
      draining |= ident && !quiet;
    }
    bq->nlive[c] = n;
    any |= n;
  }
  bq->live = any != 0;
  bq->relist = draining;
}

/* Starts the ramp of pending set() calls, updates the live lists. */
static void
prepare (MstBiquad * bq)
{
  unsigned l, k;

  if (bq->pending) {
    bq->pending = 0;
    if (bq->ramp_len == 0) {
      end_ramp (bq);
    } else {
      double r = 1.0 / bq->ramp_len;
      for (k = 0; k < NCOEF; k++)
        for (l = 0; l < bq->lanes; l++)
          bq->inc[k][l] = (bq->tgt[k][l] - bq->cur[k][l]) * r;
      bq->ramp_left = bq->ramp_len;
    }
    bq->relist = 1;
  }
  if (bq->relist)
    list_live (bq);
}

/* Denormal flush and recovery from non-finite state (live lanes only:
 * the others are zero). */
static void
tidy_state (MstBiquad * bq)
{
  unsigned c, j;

  for (c = 0; c < bq->channels; c++)
    for (j = 0; j < bq->nlive[c]; j++) {
      unsigned l = bq->order[c * bq->sections + j];
      double a = bq->s1[l], b = bq->s2[l];
      if (!isfinite (a) || !isfinite (b))
        a = b = 0.0;
      bq->s1[l] = mst_flush_denormal (a);
      bq->s2[l] = mst_flush_denormal (b);
    }
}

/* One transposed-DF2 step of a section: output o from input v; na1, na2
 * are -a1, -a2.  Every constant-coefficient path uses this one shape (and
 * the vector step below the same), so that where a buffer is split does
 * not change a bit of the output, with or without FMA contraction.  The
 * terms without o come first: the loop-carried chain is s1 -> o -> s1,
 * two multiply-adds. */
#define SECTION_STEP(o, v, b0, b1, b2, na1, na2, s1, s2) do {             \
    double t_ = (b1) * (v) + (s2), u_ = (b2) * (v);                     \
    (o) = (b0) * (v) + (s1);                                            \
    (s1) = (na1) * (o) + t_;                                            \
    (s2) = (na2) * (o) + u_;                                            \
  } while (0)

/* GCC: allow FMA contraction in the functions that use SECTION_STEP (ISO
 * C mode turns it off); the reference tests bound the difference. */
#if defined(__GNUC__) && !defined(__clang__)
#define MST_FP_CONTRACT __attribute__((optimize ("fp-contract=fast")))
#else
#define MST_FP_CONTRACT
#endif

/* The live sections of channel c on n interleaved frames of x (in place),
 * coefficients constant, one section after the other (short stretches;
 * longer ones go through run_pipe). */
MST_CLONES MST_FP_CONTRACT static void
run_static (MstBiquad * bq, unsigned c, double *x, size_t n)
{
  const unsigned nc = bq->channels, nl = bq->nlive[c];
  const unsigned *ord = bq->order + c * bq->sections;
  const double *b0 = bq->cur[B0], *b1 = bq->cur[B1], *b2 = bq->cur[B2];
  const double *a1 = bq->cur[A1], *a2 = bq->cur[A2];
  double *s1 = bq->s1, *s2 = bq->s2;
  size_t i;
  unsigned j;

  for (i = 0; i < n; i++) {
    double v = x[i * nc + c];
    for (j = 0; j < nl; j++) {
      const unsigned l = ord[j];
      double y;
      SECTION_STEP (y, v, b0[l], b1[l], b2[l], -a1[l], -a2[l], s1[l], s2[l]);
      v = y;
    }
    x[i * nc + c] = v;
  }
}

/* Two independent cascades of 4 sections each (streams a and b, stride
 * `stride`, in place), pipelined across sections: at step t, section k of
 * a cascade works on sample t - k, so the 8 sections are independent
 * within a step and run as SIMD lanes (the compiler keeps the 8 lanes in
 * vector registers), and a step's latency is one section's, not four.
 * Steps 0..2 (pipeline filling) and n..n+2 (draining) run only the lanes
 * that have a sample.  c[coef][lane], s1/s2[lane]; lanes 0..3: a, 4..7: b.
 * n >= 4. */
#define PIPE 4
#define PLANES (2 * PIPE)
/* GCC/Clang vector extensions for the pipelined step (plain C99 arrays
 * otherwise). */
#if defined(__GNUC__) && !defined(__clang__)
typedef double MstV4d __attribute__((vector_size (32)));
typedef double MstV2d __attribute__((vector_size (16)));
typedef long long MstV4i __attribute__((vector_size (32)));
#define MST_VEC4 1
#define MST_V4_ROTATE(v) __builtin_shuffle ((v), (MstV4i) { 3, 0, 1, 2 })
#elif defined(__clang__)
typedef double MstV4d __attribute__((ext_vector_type (4)));
typedef double MstV2d __attribute__((ext_vector_type (2)));
#define MST_VEC4 1
#define MST_V4_ROTATE(v) __builtin_shufflevector ((v), (v), 3, 0, 1, 2)
#endif
MST_CLONES MST_FP_CONTRACT static void
run_pipe (const double c[NCOEF][PLANES], double *s1p, double *s2p,
    double *xa, double *xb, size_t stride, size_t n)
{
  double b0[PLANES], b1[PLANES], b2[PLANES], a1[PLANES], a2[PLANES];
  double s1[PLANES], s2[PLANES], y[PLANES] = { 0 };
  size_t t;
  int k;

  for (k = 0; k < PLANES; k++) {
    b0[k] = c[B0][k];
    b1[k] = c[B1][k];
    b2[k] = c[B2][k];
    a1[k] = -c[A1][k];
    a2[k] = -c[A2][k];
    s1[k] = s1p[k];
    s2[k] = s2p[k];
  }
  /* filling: at step t, lanes k <= t (descending, so that y[k - 1] is
   * still the previous step's) */
  for (t = 0; t < PIPE - 1; t++)
    for (k = (int) t; k >= 0; k--) {
      int l;
      for (l = k; l < PLANES; l += PIPE) {
        double v = k == 0 ? (l == 0 ? xa[t * stride] : xb[t * stride])
            : y[l - 1], o;
        SECTION_STEP (o, v, b0[l], b1[l], b2[l], a1[l], a2[l], s1[l], s2[l]);
        y[l] = o;
      }
    }
#ifdef MST_VEC4
  if (xb == xa + 1 && stride == 2) {
    /* adjacent interleaved pair (the stereo case): one 2-lane vector per
     * section, the two cascades' samples side by side; a section's input
     * is the previous section's register of the step before, so there is
     * no lane shuffle on the loop-carried path, and the frame is loaded
     * and stored whole */
    MstV2d vb0[PIPE], vb1[PIPE], vb2[PIPE], va1[PIPE], va2[PIPE];
    MstV2d vs1[PIPE], vs2[PIPE], vy[PIPE];
    for (k = 0; k < PIPE; k++) {
      vb0[k] = (MstV2d) { b0[k], b0[k + PIPE] };
      vb1[k] = (MstV2d) { b1[k], b1[k + PIPE] };
      vb2[k] = (MstV2d) { b2[k], b2[k + PIPE] };
      va1[k] = (MstV2d) { a1[k], a1[k + PIPE] };
      va2[k] = (MstV2d) { a2[k], a2[k + PIPE] };
      vs1[k] = (MstV2d) { s1[k], s1[k + PIPE] };
      vs2[k] = (MstV2d) { s2[k], s2[k + PIPE] };
      vy[k] = (MstV2d) { y[k], y[k + PIPE] };
    }
    for (t = PIPE - 1; t < n; t++) {
      MstV2d in, o[PIPE];
      memcpy (&in, xa + 2 * t, sizeof in);
      for (k = 0; k < PIPE; k++) {
        MstV2d v = k == 0 ? in : vy[k - 1], tt, uu;
        /* SECTION_STEP on 2 lanes (va1, va2 hold -a1, -a2) */
        tt = vb1[k] * v + vs2[k];
        uu = vb2[k] * v;
        o[k] = vb0[k] * v + vs1[k];
        vs1[k] = va1[k] * o[k] + tt;
        vs2[k] = va2[k] * o[k] + uu;
      }
      for (k = 0; k < PIPE; k++)
        vy[k] = o[k];
      memcpy (xa + 2 * (t - (PIPE - 1)), &o[PIPE - 1], sizeof (MstV2d));
    }
    for (k = 0; k < PIPE; k++) {
      s1[k] = vs1[k][0];
      s1[k + PIPE] = vs1[k][1];
      s2[k] = vs2[k][0];
      s2[k + PIPE] = vs2[k][1];
      y[k] = vy[k][0];
      y[k + PIPE] = vy[k][1];
    }
  } else {
    /* the 4 sections of each cascade in one 4-lane vector (one cascade
     * per register; mono, or channels that are not adjacent) */
    MstV4d vb0[2], vb1[2], vb2[2], va1[2], va2[2], vs1[2], vs2[2], vy[2];
    int p;
    for (p = 0; p < 2; p++) {
      memcpy (&vb0[p], b0 + PIPE * p, sizeof (MstV4d));
      memcpy (&vb1[p], b1 + PIPE * p, sizeof (MstV4d));
      memcpy (&vb2[p], b2 + PIPE * p, sizeof (MstV4d));
      memcpy (&va1[p], a1 + PIPE * p, sizeof (MstV4d));
      memcpy (&va2[p], a2 + PIPE * p, sizeof (MstV4d));
      memcpy (&vs1[p], s1 + PIPE * p, sizeof (MstV4d));
      memcpy (&vs2[p], s2 + PIPE * p, sizeof (MstV4d));
      memcpy (&vy[p], y + PIPE * p, sizeof (MstV4d));
    }
    for (t = PIPE - 1; t < n; t++) {
      MstV4d xv0 = MST_V4_ROTATE (vy[0]), xv1 = MST_V4_ROTATE (vy[1]);
      MstV4d o0, o1, t0, t1, u0, u1;
      xv0[0] = xa[t * stride];
      xv1[0] = xb[t * stride];
      /* SECTION_STEP on 4 lanes (va1, va2 hold -a1, -a2) */
      t0 = vb1[0] * xv0 + vs2[0];
      t1 = vb1[1] * xv1 + vs2[1];
      u0 = vb2[0] * xv0;
      u1 = vb2[1] * xv1;
      o0 = vb0[0] * xv0 + vs1[0];
      o1 = vb0[1] * xv1 + vs1[1];
      vs1[0] = va1[0] * o0 + t0;
      vs1[1] = va1[1] * o1 + t1;
      vs2[0] = va2[0] * o0 + u0;
      vs2[1] = va2[1] * o1 + u1;
      vy[0] = o0;
      vy[1] = o1;
      xa[(t - (PIPE - 1)) * stride] = o0[PIPE - 1];
      xb[(t - (PIPE - 1)) * stride] = o1[PIPE - 1];
    }
    for (p = 0; p < 2; p++) {
      memcpy (s1 + PIPE * p, &vs1[p], sizeof (MstV4d));
      memcpy (s2 + PIPE * p, &vs2[p], sizeof (MstV4d));
      memcpy (y + PIPE * p, &vy[p], sizeof (MstV4d));
    }
  }
#else
  for (t = PIPE - 1; t < n; t++) {
    double x[PLANES];
    x[0] = xa[t * stride];
    x[1] = y[0];
    x[2] = y[1];
    x[3] = y[2];
    x[4] = xb[t * stride];
    x[5] = y[4];
    x[6] = y[5];
    x[7] = y[6];
    for (k = 0; k < PLANES; k++) {
      double o;
      SECTION_STEP (o, x[k], b0[k], b1[k], b2[k], a1[k], a2[k], s1[k],
          s2[k]);
      y[k] = o;
    }
    xa[(t - (PIPE - 1)) * stride] = y[PIPE - 1];
    xb[(t - (PIPE - 1)) * stride] = y[PLANES - 1];
  }
#endif
  /* draining: at step t, lanes k > t - n (descending) */
  for (t = n; t < n + PIPE - 1; t++) {
    for (k = PIPE - 1; k > (int) (t - n); k--) {
      int l;
      for (l = k; l < PLANES; l += PIPE) {
        double v = y[l - 1], o;
        SECTION_STEP (o, v, b0[l], b1[l], b2[l], a1[l], a2[l], s1[l], s2[l]);
        y[l] = o;
      }
    }
    xa[(t - (PIPE - 1)) * stride] = y[PIPE - 1];
    xb[(t - (PIPE - 1)) * stride] = y[PLANES - 1];
  }
  for (k = 0; k < PLANES; k++) {
    s1p[k] = s1[k];
    s2p[k] = s2[k];
  }
}

/* The live sections of channels ca and cb (cb may be ca's dummy partner:
 * then xb is a zero scratch stream) on n frames, coefficients constant,
 * PIPE sections of each per pass. */
static void
run_static_pair (MstBiquad * bq, unsigned ca, unsigned cb, double *xa,
    double *xb, size_t stride, size_t n)
{
  const unsigned na = bq->nlive[ca], nb = cb < bq->channels ?
      bq->nlive[cb] : 0;
  const unsigned *oa = bq->order + ca * bq->sections;
  const unsigned *ob = cb < bq->channels ? bq->order + cb * bq->sections :
      NULL;
  unsigned pass, npass = ((na > nb ? na : nb) + PIPE - 1) / PIPE;

  for (pass = 0; pass < npass; pass++) {
    double c[NCOEF][PLANES], s1[PLANES], s2[PLANES];
    int lane[PLANES];
    unsigned k, j;
    for (k = 0; k < PLANES; k++) {
      unsigned idx = pass * PIPE + k % PIPE;
      int l = -1;
      if (k < PIPE && idx < na)
        l = (int) oa[idx];
      else if (k >= PIPE && idx < nb)
        l = (int) ob[idx];
      lane[k] = l;
      for (j = 0; j < NCOEF; j++)
        c[j][k] = l >= 0 ? bq->cur[j][l] : (j == B0);
      s1[k] = l >= 0 ? bq->s1[l] : 0.0;
      s2[k] = l >= 0 ? bq->s2[l] : 0.0;
    }
    run_pipe ((const double (*)[PLANES]) c, s1, s2, xa, xb, stride, n);
    for (k = 0; k < PLANES; k++)
      if (lane[k] >= 0) {
        bq->s1[lane[k]] = s1[k];
        bq->s2[lane[k]] = s2[k];
      }
  }
}

/* Same with the coefficients stepping by inc every frame. */
static void
run_ramp (MstBiquad * bq, unsigned c, double *x, size_t n)
{
  const unsigned nc = bq->channels, nl = bq->nlive[c];
  const unsigned *ord = bq->order + c * bq->sections;
  double *b0 = bq->cur[B0], *b1 = bq->cur[B1], *b2 = bq->cur[B2];
  double *a1 = bq->cur[A1], *a2 = bq->cur[A2];
  const double *i0 = bq->inc[B0], *i1 = bq->inc[B1], *i2 = bq->inc[B2];
  const double *i3 = bq->inc[A1], *i4 = bq->inc[A2];
  double *s1 = bq->s1, *s2 = bq->s2;
  size_t i;
  unsigned j;

  for (i = 0; i < n; i++) {
    double v = x[i * nc + c];
    for (j = 0; j < nl; j++) {
      const unsigned l = ord[j];
      double y;
      b0[l] += i0[l];
      b1[l] += i1[l];
      b2[l] += i2[l];
      a1[l] += i3[l];
      a2[l] += i4[l];
      y = b0[l] * v + s1[l];
      s1[l] = b1[l] * v - a1[l] * y + s2[l];
      s2[l] = b2[l] * v - a2[l] * y;
      v = y;
    }
    x[i * nc + c] = v;
  }
}

/* Interleaved doubles in place, any length. */
static void
run_inplace (MstBiquad * bq, double *x, size_t n)
{
  unsigned c;

  while (n > 0) {
    size_t m = n < CHUNK ? n : CHUNK;
    prepare (bq);
    if (!bq->live)
      return;
    if (bq->ramp_left > 0 && m > bq->ramp_left)
      m = bq->ramp_left;
    if (bq->ramp_left > 0) {
      for (c = 0; c < bq->channels; c++)
        run_ramp (bq, c, x, m);
    } else if (m < PIPE) {
      for (c = 0; c < bq->channels; c++)
        run_static (bq, c, x, m);
    } else {
      const unsigned nc = bq->channels;
      for (c = 0; c < nc; c += 2) {
        if (c + 1 < nc)
          run_static_pair (bq, c, c + 1, x + c, x + c + 1, nc, m);
        else {
          memset (bq->zeros, 0, m * sizeof (double));
          run_static_pair (bq, c, nc, x + c, bq->zeros, nc, m);
        }
      }
    }
    if (bq->ramp_left > 0) {
      bq->ramp_left -= (unsigned) m;
      if (bq->ramp_left == 0)
        end_ramp (bq);
    }
    tidy_state (bq);
    x += m * bq->channels;
    n -= m;
  }
}

int
mst_biquad_is_identity (MstBiquad * bq)
{
  if (bq->pending || bq->ramp_left > 0)
    return 0;
  if (bq->relist)
    list_live (bq);
  return !bq->live;
}

#define SAMPLE float
#define SAMPLE_IS_DOUBLE 0
#define SUFFIX f32
#include "biquad-io.h"
#undef SAMPLE
#undef SAMPLE_IS_DOUBLE
#undef SUFFIX

#define SAMPLE double
#define SAMPLE_IS_DOUBLE 1
#define SUFFIX f64
#include "biquad-io.h"
#undef SAMPLE
#undef SAMPLE_IS_DOUBLE
#undef SUFFIX
