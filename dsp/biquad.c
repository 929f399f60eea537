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
 * That section is then replaced by the minimax fit of both squared
 * magnitudes (design_fit, below) where the fit is closer.
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

#include <complex.h>
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

/* ------------------------------------------------- minimax fit by LP */

/* A small dense simplex: find v >= 0 with G v <= h (LP_SUB rows at
 * most, LP_VARS columns).  Two-phase tableau method with
 * Bland's rule (no cycling), after the textbook formulation (e.g.
 * Chvatal, "Linear Programming", 1983, ch. 2-3).  Returns 1 and v when
 * feasible. */
#define LP_VARS 16
#define LP_SUB 128
#define LP_EPS 1e-11

typedef struct
{
  int m, n;
  int nb[LP_VARS + 1], bs[LP_SUB];
  double d[LP_SUB + 2][LP_VARS + 2];
} Lp;

static void
lp_pivot (Lp * lp, int r, int s)
{
  const int m = lp->m, n = lp->n;
  double *a = lp->d[r], inv = 1.0 / a[s];
  int i, j, t;

  for (i = 0; i < m + 2; i++)
    if (i != r && fabs (lp->d[i][s]) > LP_EPS) {
      double *b = lp->d[i], f = b[s] * inv;
      for (j = 0; j < n + 2; j++)
        b[j] -= a[j] * f;
      b[s] = a[s] * f;
    }
  for (j = 0; j < n + 2; j++)
    if (j != s)
      a[j] *= inv;
  for (i = 0; i < m + 2; i++)
    if (i != r)
      lp->d[i][s] *= -inv;
  a[s] = inv;
  t = lp->bs[r];
  lp->bs[r] = lp->nb[s];
  lp->nb[s] = t;
}

/* 1: optimal, 0: unbounded or out of iterations */
static int
lp_simplex (Lp * lp, int phase)
{
  const int m = lp->m, n = lp->n, x = m + phase - 1;
  int it;

  for (it = 0; it < 500; it++) {
    int s = -1, r = -1, i, j;
    for (j = 0; j <= n; j++) {
      if (lp->nb[j] == -phase)
        continue;
      if (s < 0 || lp->d[x][j] < lp->d[x][s]
          || (lp->d[x][j] == lp->d[x][s] && lp->nb[j] < lp->nb[s]))
        s = j;
    }
    if (lp->d[x][s] >= -LP_EPS)
      return 1;
    for (i = 0; i < m; i++) {
      double q, qr;
      if (lp->d[i][s] <= LP_EPS)
        continue;
      if (r < 0) {
        r = i;
        continue;
      }
      q = lp->d[i][n + 1] / lp->d[i][s];
      qr = lp->d[r][n + 1] / lp->d[r][s];
      if (q < qr || (q == qr && lp->bs[i] < lp->bs[r]))
        r = i;
    }
    if (r < 0)
      return 0;
    lp_pivot (lp, r, s);
  }
  return 0;
}

/* g[m][n], h[m]: 1 and v[n] if G v <= h has a solution v >= 0 */
static int
lp_feasible (Lp * lp, const double (*g)[LP_VARS], const double *h, int m,
    int n, double *v)
{
  int i, j, r = 0;

  lp->m = m;
  lp->n = n;
  for (i = 0; i < m; i++) {
    for (j = 0; j < n; j++)
      lp->d[i][j] = g[i][j];
    lp->bs[i] = n + i;
    lp->d[i][n] = -1.0;
    lp->d[i][n + 1] = h[i];
  }
  for (j = 0; j < n + 2; j++)
    lp->d[m][j] = lp->d[m + 1][j] = 0.0;
  for (j = 0; j < n; j++)
    lp->nb[j] = j;
  lp->nb[n] = -1;
  lp->d[m + 1][n] = 1.0;
  for (i = 1; i < m; i++)
    if (lp->d[i][n + 1] < lp->d[r][n + 1])
      r = i;
  if (lp->d[r][n + 1] < -LP_EPS) {
    lp_pivot (lp, r, n);
    if (!lp_simplex (lp, 2) || lp->d[m + 1][n + 1] < -LP_EPS)
      return 0;
    for (i = 0; i < m; i++)
      if (lp->bs[i] == -1) {
        int s = 0;
        for (j = 1; j <= n; j++)
          if (lp->d[i][j] < lp->d[i][s]
              || (lp->d[i][j] == lp->d[i][s] && lp->nb[j] < lp->nb[s]))
            s = j;
        lp_pivot (lp, i, s);
      }
  }
  for (j = 0; j < n; j++)
    v[j] = 0.0;
  for (i = 0; i < m; i++)
    if (lp->bs[i] >= 0 && lp->bs[i] < n)
      v[lp->bs[i]] = lp->d[i][n + 1];
  return 1;
}

/* Minimax fit of |H|^2.  With x = sin^2 (w/2), s = sin^2 (w0/2) and
 * u = x / s (about (w/w0)^2 below Nyquist, where the prototype's |H|^2 is
 * a ratio of quadratics in (w/w0)^2), a section's squared magnitude is
 *
 *   |H|^2 = B(u) / A(u),  A = 1 + c1 u + c2 u^2,  B = b0 + d1 u + d2 u^2
 *
 * (Vicanek's basis re-written in powers of u, which keeps the unknowns
 * of order one at low frequencies).  A section exists for every such
 * pair that is non-negative for 0 <= x <= 1 (spectral factorisation:
 * factor_mag2), stable when A > 0 there.  For a bound e on the error at
 * every grid point, "L_i A(u_i) <= B(u_i) <= U_i A(u_i)" (the bounds of
 * |H|^2 that error e allows at point i) and the positivity constraints
 * are linear in the unknowns: whether e is reachable is a linear
 * feasibility problem, and the least reachable e (the minimax fit) is
 * found by bisection (rational Chebyshev approximation is quasi-convex:
 * S. Boyd, L. Vandenberghe, "Convex Optimization", 2004, sec. 6.5.5).
 * Positivity is imposed on a grid over 0..Nyquist and, where the solution
 * dips below zero between grid points, at the dip (cutting planes).
 *
 * The error measure is the tests' and the documentation's: dB where the
 * prototype's magnitude is above -22 dB, below it the linear difference
 * counted as the dB it would make on a unit magnitude,
 * 20 log10 (1 + |Hd - Ha|); grid points above 0.4 fs count with a looser
 * factor (the section must stay sane there, not follow the prototype).
 * Structure kept per type: the DC gain is exact (b0 fixed); the
 * high-pass keeps its double zero at DC (B = d2 u^2), the band-pass its
 * zero at DC (b0 = 0), the notch its zeros on the unit circle at f0
 * (B = b0 (1 - u)^2, nothing to fit but the poles). */
#define FIT_LOG 128
#define FIT_PEAK 24
#define FIT_HIGH 8
#define FIT_CUTS 16
#define FIT_CUTS_MAX 32
#define FIT_POINTS (1 + FIT_LOG + FIT_PEAK + FIT_HIGH)
#define FIT_TOP (0.8 * MST_PI)
#ifndef FIT_HIGH_FACTOR
#define FIT_HIGH_FACTOR 10.0
#endif
#define FIT_DB_ABOVE 0.08
#define FIT_BISECT 9
/* the two-section fit (degree 4) */
#define FIT_MAXDEG 4
#define FIT_CUTS4 32
#define FIT_SUB4 LP_SUB
#ifndef FIT_BISECT4
#define FIT_BISECT4 4
#endif

typedef struct
{
  int n, deg;                   /* points; degree of A and B in u */
  int nbd;                      /* B's free directions: */
  int bpow[FIT_MAXDEG], bsign[FIT_MAXDEG];      /* power of u; any sign */
  int maxcut, maxsub;           /* limits of cuts and working set */
  double scale[FIT_MAXDEG + 1]; /* the LP's unknown of u^j is the
                                 * coefficient times scale[j] */
  double s, b0;                 /* sin^2 (w0 / 2); B(0) */
  int notch;
  double u[FIT_POINTS], t[FIT_POINTS], ha[FIT_POINTS], k[FIT_POINTS];
  /* the LP's rows for the current bound, and the working set's */
  double g[2 * FIT_POINTS + FIT_CUTS_MAX][LP_VARS];
  double h[2 * FIT_POINTS + FIT_CUTS_MAX];
  double sg[LP_SUB][LP_VARS], sh[LP_SUB];
  char act[2 * FIT_POINTS + FIT_CUTS_MAX];      /* rows in the working set */
  /* positivity cuts: u, of B (1) or A (0) */
  int ncut, cut_b[FIT_CUTS_MAX];
  double cut_u[FIT_CUTS_MAX];
  Lp lp;
} Fit;

static void
fit_point (Fit * f, const Proto * p, double w0, double w, double k)
{
  double x = sin (0.5 * w);
  int i = f->n++;

  f->u[i] = x * x / f->s;
  f->t[i] = proto_mag2 (p, w / w0);
  f->ha[i] = sqrt (f->t[i]);
  f->k[i] = k;
}

static void
fit_setup (Fit * f, MstBiquadType type, const Proto * p, double w0, int deg)
{
  double wlo = w0 / 256.0, ratio = pow (FIT_TOP / wlo, 1.0 / (FIT_LOG - 1));
  double w = wlo, q, bw, sh = sin (0.5 * w0);
  int i;

  f->n = 0;
  f->s = sh * sh;
  f->b0 = proto_mag2 (p, 0.0);
  f->notch = type == MST_BIQUAD_NOTCH;
  f->deg = deg;
  /* powers above 2 (the extra poles and zeros, far above f0) in units
   * of Nyquist's u, so that the LP's columns are of one size */
  for (i = 0; i <= FIT_MAXDEG; i++)
    f->scale[i] = i > 2 ? pow (1.0 / f->s, i - 2) : 1.0;
  f->maxcut = deg == 2 ? FIT_CUTS : FIT_CUTS4;
  f->maxsub = deg == 2 ? 64 : FIT_SUB4;
  if (deg == 4) {
    /* the band-pass as two sections: B = d1 u + .. + d4 u^4 */
    f->nbd = 4;
    for (i = 0; i < 4; i++) {
      f->bpow[i] = i + 1;
      f->bsign[i] = 1;
    }
  } else if (type == MST_BIQUAD_NOTCH) {
    f->nbd = 0;
  } else if (type == MST_BIQUAD_HIGH_PASS) {
    f->nbd = 1;
    f->bpow[0] = 2;
    f->bsign[0] = 0;
  } else {
    f->nbd = 2;
    f->bpow[0] = 1;
    f->bpow[1] = 2;
    f->bsign[0] = f->bsign[1] = 1;
  }
  fit_point (f, p, w0, 0.0, 1.0);
  for (i = 0; i < FIT_LOG; i++, w *= ratio)
    fit_point (f, p, w0, w < FIT_TOP ? w : FIT_TOP, 1.0);
  /* the resonance: quality of the sharper of zero and pole pair */
  q = 0.0;
  if (p->d1 > 0.0)
    q = sqrt (p->d0 * p->d2) / p->d1;
  if (p->n1 > 0.0 && p->n0 > 0.0 && p->n2 > 0.0
      && sqrt (p->n0 * p->n2) / p->n1 > q)
    q = sqrt (p->n0 * p->n2) / p->n1;
  bw = q > 0.5 ? 1.0 / q : 2.0;
  for (i = 0; i < FIT_PEAK; i++) {
    double ww = w0 * exp (bw * (i - FIT_PEAK / 2) / (0.25 * FIT_PEAK));
    fit_point (f, p, w0, ww < FIT_TOP ? ww : FIT_TOP, 1.0);
  }
  for (i = 1; i <= FIT_HIGH; i++)
    fit_point (f, p, w0, FIT_TOP + (MST_PI - FIT_TOP) * i / FIT_HIGH,
        FIT_HIGH_FACTOR);
  /* the first working set: both rows of every 16th point and of f0's
   * neighbourhood; positivity at Nyquist */
  memset (f->act, 0, sizeof f->act);
  for (i = 0; i < f->n; i += 16)
    f->act[2 * i] = f->act[2 * i + 1] = 1;
  for (i = 1 + FIT_LOG; i < 1 + FIT_LOG + FIT_PEAK; i += 6)
    f->act[2 * i] = f->act[2 * i + 1] = 1;
  f->ncut = 0;
  f->cut_u[f->ncut] = 1.0 / f->s;
  f->cut_b[f->ncut++] = 0;
  f->act[2 * f->n] = 1;
  if (f->nbd > 0) {
    f->cut_u[f->ncut] = 1.0 / f->s;
    f->cut_b[f->ncut++] = 1;
    f->act[2 * f->n + 1] = 1;
  }
}

/* the fixed part of B and its free directions at u: B = bf + sum n_j v_j */
static double
fit_bfix (const Fit * f, double u)
{
  if (f->notch)
    return f->b0 * (1.0 - u) * (1.0 - u);
  return f->b0;
}

/* Row of the constraint  sa A(u) + sb B(u) <= rhs  in the LP's
 * variables v = (c1+, c1-, c2+, c2-, B's directions), given as
 * sa A + sb B <= 0 plus `extra` on the right. */
static int
fit_nvars (const Fit * f)
{
  int j, n = 2 * f->deg;

  for (j = 0; j < f->nbd; j++)
    n += f->bsign[j] ? 2 : 1;
  return n;
}

static void
fit_row (Fit * f, int r, double u, double sa, double sb, double extra)
{
  double *g = f->g[r], nrm = 0.0, x;
  int j, k, m = 0, n = fit_nvars (f);

  for (j = 1, x = sa; j <= f->deg; j++) {
    x *= u;
    g[m++] = x / f->scale[j];
    g[m++] = -x / f->scale[j];
  }
  for (j = 0; j < f->nbd; j++) {
    for (k = 0, x = sb; k < f->bpow[j]; k++)
      x *= u;
    g[m++] = x / f->scale[f->bpow[j]];
    if (f->bsign[j])
      g[m++] = -x / f->scale[f->bpow[j]];
  }
  f->h[r] = -sa - sb * fit_bfix (f, u) + extra;
  for (j = 0; j < n; j++)
    nrm = fabs (g[j]) > nrm ? fabs (g[j]) : nrm;
  nrm = fabs (f->h[r]) > nrm ? fabs (f->h[r]) : nrm;
  if (nrm > 0.0) {
    for (j = 0; j < n; j++)
      g[j] /= nrm;
    f->h[r] /= nrm;
  }
}

/* unknowns from the LP's variables: A = 1 + c[0] u + .. + c[deg-1] u^deg,
 * B = fixed part + d[0] u + .. + d[3] u^4 */
static void
fit_unknowns (const Fit * f, const double *v, double c[FIT_MAXDEG],
    double d[FIT_MAXDEG])
{
  int j, k = 0;

  for (j = 0; j < FIT_MAXDEG; j++)
    c[j] = d[j] = 0.0;
  for (j = 0; j < f->deg; j++, k += 2)
    c[j] = (v[k] - v[k + 1]) / f->scale[j + 1];
  for (j = 0; j < f->nbd; j++) {
    d[f->bpow[j] - 1] = (f->bsign[j] ? v[k] - v[k + 1] : v[k])
        / f->scale[f->bpow[j]];
    k += f->bsign[j] ? 2 : 1;
  }
}

/* smallest value of x0 + x1 u + x2 u^2 on [0, umax], and where */
static double
quad_min (double x0, double x1, double x2, double umax, double *at)
{
  double m = x0, um;

  *at = 0.0;
  um = x0 + x1 * umax + x2 * umax * umax;
  if (um < m) {
    m = um;
    *at = umax;
  }
  if (x2 > 0.0) {
    double uv = -0.5 * x1 / x2;
    if (uv > 0.0 && uv < umax) {
      double mv = x0 + x1 * uv + x2 * uv * uv;
      if (mv < m) {
        m = mv;
        *at = uv;
      }
    }
  }
  return m;
}

static double
poly_eval (const double *x, int deg, double u)
{
  double y = x[deg];
  int j;

  for (j = deg - 1; j >= 0; j--)
    y = y * u + x[j];
  return y;
}

/* smallest value of x[0] + x[1] u + .. + x[deg] u^deg on [0, umax], and
 * where: sampled (dense near 0, where the poles and zeros of a low
 * section lie), the smallest sample refined by golden-section search
 * between its neighbours */
#define PMIN_N 600
static double
poly_min (const double *x, int deg, double umax, double *at)
{
  double m = poly_eval (x, deg, 0.0), a, b, c1, c2, f1, f2, t;
  int k, kmin = 0, it;

  *at = 0.0;
  for (k = 1; k <= PMIN_N; k++) {
    double r = (double) k / PMIN_N, u = umax * r * r * r, y;
    y = poly_eval (x, deg, u);
    if (y < m) {
      m = y;
      kmin = k;
      *at = u;
    }
  }
  t = (double) (kmin > 0 ? kmin - 1 : 0) / PMIN_N;
  a = umax * t * t * t;
  t = (double) (kmin < PMIN_N ? kmin + 1 : PMIN_N) / PMIN_N;
  b = umax * t * t * t;
  c1 = b - 0.6180339887498949 * (b - a);
  c2 = a + 0.6180339887498949 * (b - a);
  f1 = poly_eval (x, deg, c1);
  f2 = poly_eval (x, deg, c2);
  for (it = 0; it < 40; it++) {
    if (f1 < f2) {
      b = c2;
      c2 = c1;
      f2 = f1;
      c1 = b - 0.6180339887498949 * (b - a);
      f1 = poly_eval (x, deg, c1);
    } else {
      a = c1;
      c1 = c2;
      f1 = f2;
      c2 = a + 0.6180339887498949 * (b - a);
      f2 = poly_eval (x, deg, c2);
    }
  }
  if (f1 < m) {
    m = f1;
    *at = c1;
  }
  return m;
}

/* Is error bound e reachable?  v: the LP's solution.  The LP runs on a
 * working set of rows (constraint generation): solved on the set, the
 * solution is checked against every row and against positivity between
 * the grid points, the most violated row joins the set, until none is
 * violated.  A solution has at most LP_VARS active rows, so the set stays
 * small; it is kept from one bound to the next. */
static int
fit_feasible (Fit * f, double e, double *v)
{
  const double umax = 1.0 / f->s;
  const int nv = fit_nvars (f);
  double mdb[2], dlin[2];
  int r = 0, i, j, round;

  /* the bounds of |H|^2 that error e allows: in dB (mdb) or linear (dlin),
   * in the band (k = 1) and above it */
  for (i = 0; i < 2; i++) {
    double ei = i ? e * FIT_HIGH_FACTOR : e;
    mdb[i] = pow (10.0, ei / 10.0);
    dlin[i] = pow (10.0, ei / 20.0) - 1.0;
  }
  for (i = 0; i < f->n; i++) {
    const int top = f->k[i] != 1.0;
    double lo, hi;
    if (f->ha[i] > FIT_DB_ABOVE) {
      lo = f->t[i] / mdb[top];
      hi = f->t[i] * mdb[top];
    } else {
      double d = dlin[top];
      lo = f->ha[i] > d ? (f->ha[i] - d) * (f->ha[i] - d) : 0.0;
      hi = (f->ha[i] + d) * (f->ha[i] + d);
    }
    fit_row (f, r++, f->u[i], -hi, 1.0, 0.0);   /* B - hi A <= 0 */
    fit_row (f, r++, f->u[i], lo, -1.0, 0.0);   /* lo A - B <= 0 */
  }
  for (i = 0; i < f->ncut; i++) {
    double u = f->cut_u[i];
    if (f->cut_b[i])
      fit_row (f, r++, u, 0.0, -1.0, 0.0);      /* B >= 0 */
    else
      fit_row (f, r++, u, -1.0, 0.0, -1e-12 * (1.0 + u * u));   /* A > 0 */
  }
  for (round = 0; round < 4 * f->maxsub; round++) {
    double c[FIT_MAXDEG], d[FIT_MAXDEG], at, worst = 0.0;
    int nsub = 0, add = -1;
    for (i = 0; i < r; i++)
      if (f->act[i]) {
        memcpy (f->sg[nsub], f->g[i], sizeof f->sg[0]);
        f->sh[nsub++] = f->h[i];
      }
    if (!lp_feasible (&f->lp, (const double (*)[LP_VARS]) f->sg, f->sh,
            nsub, nv, v))
      return 0;
    /* the most violated row */
    for (i = 0; i < r; i++) {
      double x = -f->h[i];
      if (f->act[i])
        continue;
      for (j = 0; j < nv; j++)
        x += f->g[i][j] * v[j];
      if (x > worst) {
        worst = x;
        add = i;
      }
    }
    if (add < 0 || worst < 1e-10) {
      /* positivity between the grid points */
      int kind = -1;
      fit_unknowns (f, v, c, d);
      if (f->deg == 2) {
        if (quad_min (1.0, c[0], c[1], umax, &at) <= 0.0)
          kind = 0;
        else if (f->nbd > 0 && quad_min (f->b0, d[0], d[1], umax, &at) < 0.0)
          kind = 1;
      } else {
        double x[FIT_MAXDEG + 1];
        x[0] = 1.0;
        memcpy (x + 1, c, sizeof c);
        if (poly_min (x, f->deg, umax, &at) <= 0.0) {
          kind = 0;
        } else {
          x[0] = f->b0;
          memcpy (x + 1, d, sizeof d);
          if (poly_min (x, f->deg, umax, &at) < 0.0)
            kind = 1;
        }
      }
      if (kind < 0)
        return 1;
      if (f->ncut >= f->maxcut)
        return 0;
      f->cut_u[f->ncut] = at;
      f->cut_b[f->ncut++] = kind;
      if (kind)
        fit_row (f, r, at, 0.0, -1.0, 0.0);
      else
        fit_row (f, r, at, -1.0, 0.0, -1e-12 * (1.0 + at * at));
      add = r++;
    }
    if (nsub >= f->maxsub)
      return 0;
    f->act[add] = 1;
  }
  return 0;
}

/* |H|^2 of c at u */
static double
fit_mag2 (const Fit * f, const MstBiquadCoefs * c, double u)
{
  double x = u * f->s, p0 = 1.0 - x, p2 = 4.0 * x * p0;
  double sb = c->b0 + c->b1 + c->b2, db = c->b0 - c->b1 + c->b2;
  double sa = 1.0 + c->a1 + c->a2, da = 1.0 - c->a1 + c->a2;

  return (sb * sb * p0 + db * db * x - 4.0 * c->b0 * c->b2 * p2)
      / (sa * sa * p0 + da * da * x - 4.0 * c->a2 * p2);
}

/* the largest error of the n sections c on the grid (points above 0.4 fs
 * divided by their factor), the measure the fit bounds */
static double
fit_error_n (const Fit * f, const MstBiquadCoefs * c, int n)
{
  double e = 0.0;
  int i, k;

  for (i = 0; i < f->n; i++) {
    double hd2 = 1.0, ee;
    for (k = 0; k < n; k++)
      hd2 *= fit_mag2 (f, &c[k], f->u[i]);
    if (hd2 != hd2)
      return HUGE_VAL;
    /* below 0 only by rounding: a zero on the unit circle */
    hd2 = hd2 > 0.0 ? hd2 : 0.0;
    if (f->ha[i] > FIT_DB_ABOVE)
      ee = fabs (10.0 * log10 (hd2 / f->t[i]));
    else
      ee = 20.0 * log10 (1.0 + fabs (sqrt (hd2) - f->ha[i]));
    ee /= f->k[i];
    e = ee > e || !(ee == ee) ? ee : e;
  }
  return e;
}

static double
fit_error (const Fit * f, const MstBiquadCoefs * c)
{
  return fit_error_n (f, c, 1);
}

/* The section of the LP's solution v; 0 if it is not realisable. */
static int
fit_section (const Fit * f, MstBiquadType type, double w0, const double *v,
    MstBiquadCoefs * c)
{
  const double s = f->s;
  double cc[FIT_MAXDEG], d[FIT_MAXDEG], a0, a1, a2, b0, b1, b2, want, dc;

  fit_unknowns (f, v, cc, d);
  if (!factor_mag2 (1.0, cc[0] / s + 1.0 + cc[1] / (s * s),
          -cc[1] / (4.0 * s * s), &a0, &a1, &a2))
    return 0;
  if (type == MST_BIQUAD_NOTCH) {
    b0 = b2 = sqrt (f->b0) / (4.0 * s);
    b1 = -2.0 * b0 * cos (w0);
  } else if (type == MST_BIQUAD_HIGH_PASS) {
    b0 = b2 = sqrt (fmax (d[1], 0.0)) / (4.0 * s);
    b1 = -2.0 * b0;
  } else if (!factor_mag2 (f->b0, d[0] / s + f->b0 + d[1] / (s * s),
          -d[1] / (4.0 * s * s), &b0, &b1, &b2)) {
    return 0;
  }
  if (type == MST_BIQUAD_BAND_PASS)
    b2 = -b0 - b1;              /* the zero exactly at DC */
  c->b0 = b0 / a0;
  c->b1 = b1 / a0;
  c->b2 = b2 / a0;
  c->a1 = a1 / a0;
  c->a2 = a2 / a0;
  /* exact DC gain */
  dc = (c->b0 + c->b1 + c->b2) / (1.0 + c->a1 + c->a2);
  want = sqrt (f->b0);
  if (dc > 0.0 && want > 0.0) {
    c->b0 *= want / dc;
    c->b1 *= want / dc;
    c->b2 *= want / dc;
  }
  return isfinite (c->b0 + c->b1 + c->b2) && fabs (c->a2) < 1.0
      && fabs (c->a1) < 1.0 + c->a2;
}

/* c: the minimax fit to p if it beats c's own error on the grid (c is
 * the impulse-invariant design on entry).  Bisection on the error bound
 * (log scale) between c's error and a thirtieth of it; every bound the
 * LP calls feasible is checked on the section it gives (the LP works to
 * a tolerance), and a section better than the bound lowers it at once. */
static void
design_fit (MstBiquadCoefs * c, MstBiquadType type, const Proto * p,
    double w0)
{
  Fit *f = malloc (sizeof *f);
  double v[LP_VARS], lo, hi, best;
  int it;
  MstBiquadCoefs nc;

  if (!f)
    return;
  fit_setup (f, type, p, w0, 2);
  best = fit_error (f, c);
  hi = isfinite (best) && best > 1e-5 ? best : 1.0;
  lo = hi / 30.0;
  for (it = 0; it < FIT_BISECT; it++) {
    double mid = sqrt (lo * hi), e;
    if (fit_feasible (f, mid, v) && fit_section (f, type, w0, v, &nc)
        && (e = fit_error (f, &nc)) <= 1.02 * mid) {
      if (e < best) {
        best = e;
        *c = nc;
      }
      hi = e < mid ? e : mid;
    } else {
      lo = mid;
    }
  }
  free (f);
}

/* ------------------------------------------- band-pass as two sections
 *
 * The analog band-pass's skirt falls as 1/f above f0 and is still above
 * -20 dB at 0.4 fs for Q up to 2 near fs/8; one section with its zero at
 * DC cannot follow it closer than about 0.13 dB.  Two sections can: the
 * same minimax fit with A and B of degree 4 in u (so |H|^2 of a
 * fourth-order digital filter fitted to the second-order prototype),
 * B = u (d1 + d2 u + d3 u^2 + d4 u^3) keeping the zero at DC.  Each
 * quartic is factored through its roots: a root u_k gives
 * x_k = s u_k = sin^2 (w/2), and z + 1/z = 2 - 4 x_k gives a pair z, 1/z
 * of which the one inside the unit circle is the minimum-phase pole or
 * zero; conjugate (or real) pairs make the two sections. */

/* roots of x[0] + x[1] u + .. + x[n] u^n (x[n] != 0, n <= 4):
 * Durand-Kerner (Weierstrass) iteration, then Newton steps */
static void
poly_roots (const double *x, int n, double complex *r)
{
  double a[FIT_MAXDEG + 1], rad = 0.0;
  int i, j, it;

  for (i = 0; i <= n; i++)
    a[i] = x[i] / x[n];
  for (i = 0; i < n; i++)
    rad = fmax (rad, pow (fabs (a[i]), 1.0 / (n - i)));
  rad = rad > 0.0 ? 2.0 * rad : 1.0;
  for (i = 0; i < n; i++)
    r[i] = rad * cexp (I * (2.0 * MST_PI * i / n + 0.4));
  for (it = 0; it < 500; it++) {
    double moved = 0.0, size = 0.0;
    for (i = 0; i < n; i++) {
      double complex p = 1.0, q = 1.0, d;
      for (j = n - 1; j >= 0; j--)
        p = p * r[i] + a[j];
      for (j = 0; j < n; j++)
        if (j != i)
          q *= r[i] - r[j];
      if (q == 0.0)
        q = 1e-300;
      d = p / q;
      r[i] -= d;
      moved = fmax (moved, cabs (d));
      size = fmax (size, cabs (r[i]));
    }
    if (moved <= 1e-15 * size)
      break;
  }
  for (i = 0; i < n; i++)
    for (it = 0; it < 3; it++) {
      double complex p = a[n], dp = 0.0;
      for (j = n - 1; j >= 0; j--) {
        dp = dp * r[i] + p;
        p = p * r[i] + a[j];
      }
      if (dp != 0.0)
        r[i] -= p / dp;
    }
}

/* the root inside the unit circle of z + 1/z = 2 - 4 x */
static double complex
z_of_x (double complex x)
{
  double complex t = 1.0 - 2.0 * x, w = 2.0 * csqrt (x * (x - 1.0));
  double complex z1 = t - w, z2 = t + w;

  if (cabs (z1) < cabs (z2) || (cabs (z1) == cabs (z2) && cimag (z1) >= 0))
    return z1;
  return z2;
}

/* four roots z[] as two real second-order factors 1 + p[k][0] z^-1 +
 * p[k][1] z^-2: conjugate pairs together, real roots paired in order.
 * 0 if the roots do not pair. */
static int
pair_roots (const double complex *z, double p[2][2])
{
  int used[4] = { 0, 0, 0, 0 }, k = 0, i, j, nr = 0;
  double re[4];

  for (i = 0; i < 4; i++) {
    double best = HUGE_VAL;
    int bj = -1;
    if (used[i] || fabs (cimag (z[i])) <= 1e-9 * (1.0 + cabs (z[i])))
      continue;
    for (j = 0; j < 4; j++)
      if (j != i && !used[j] && cabs (z[j] - conj (z[i])) < best) {
        best = cabs (z[j] - conj (z[i]));
        bj = j;
      }
    if (bj < 0 || k >= 2 || best > 1e-6 * (1.0 + cabs (z[i])))
      return 0;
    used[i] = used[bj] = 1;
    p[k][0] = -(creal (z[i]) + creal (z[bj]));
    p[k][1] = creal (z[i] * z[bj]);
    k++;
  }
  for (i = 0; i < 4; i++)
    if (!used[i])
      re[nr++] = creal (z[i]);
  /* descending */
  for (i = 1; i < nr; i++)
    for (j = i; j > 0 && re[j] > re[j - 1]; j--) {
      double t = re[j];
      re[j] = re[j - 1];
      re[j - 1] = t;
    }
  for (i = 0; i + 1 < nr; i += 2, k++) {
    p[k][0] = -(re[i] + re[i + 1]);
    p[k][1] = re[i] * re[i + 1];
  }
  return k == 2;
}

/* the z roots (inside the unit circle) of a polynomial in u of degree up
 * to n, n - deg of them (a vanishing leading coefficient) at 0 */
static void
z_roots (const double *x, int n, double s, double complex *z)
{
  double complex r[FIT_MAXDEG];
  double big = 0.0;
  int i, deg = n;

  for (i = 0; i <= n; i++)
    big = fmax (big, fabs (x[i]));
  while (deg > 0 && fabs (x[deg]) <= 1e-13 * big)
    deg--;
  if (deg > 0)
    poly_roots (x, deg, r);
  for (i = 0; i < n; i++)
    z[i] = i < deg ? z_of_x (r[i] * s) : 0.0;
}

static double
section_mag (const MstBiquadCoefs * c, double w)
{
  double complex e = cexp (-I * w);
  return cabs ((c->b0 + c->b1 * e + c->b2 * e * e)
      / (1.0 + c->a1 * e + c->a2 * e * e));
}

/* The two sections of the degree-4 LP solution v; 0 if not realisable. */
static int
fit_sections4 (const Fit * f, double w0, const double *v, MstBiquadCoefs * c)
{
  double cc[FIT_MAXDEG], d[FIT_MAXDEG], x[FIT_MAXDEG + 1], pa[2][2], pb[2][2];
  double complex za[4], zb[4];
  double want, m0, m1, g0, g1;
  int k;

  fit_unknowns (f, v, cc, d);
  x[0] = 1.0;
  memcpy (x + 1, cc, sizeof cc);
  z_roots (x, 4, f->s, za);
  /* B / u = d1 + d2 u + d3 u^2 + d4 u^3, and the zero at DC */
  memcpy (x, d, sizeof d);
  z_roots (x, 3, f->s, zb);
  zb[3] = 1.0;
  if (!pair_roots (za, pa) || !pair_roots (zb, pb))
    return 0;
  /* the sharper pole pair first, with the DC zero's pair */
  if (pa[1][1] > pa[0][1]) {
    double t0 = pa[0][0], t1 = pa[0][1];
    pa[0][0] = pa[1][0];
    pa[0][1] = pa[1][1];
    pa[1][0] = t0;
    pa[1][1] = t1;
  }
  if (fabs (1.0 + pb[1][0] + pb[1][1]) < fabs (1.0 + pb[0][0] + pb[0][1])) {
    double t0 = pb[0][0], t1 = pb[0][1];
    pb[0][0] = pb[1][0];
    pb[0][1] = pb[1][1];
    pb[1][0] = t0;
    pb[1][1] = t1;
  }
  for (k = 0; k < 2; k++)
    c[k] = (MstBiquadCoefs) {
    1.0, pb[k][0], pb[k][1], pa[k][0], pa[k][1]};
  /* the DC zero exactly */
  c[0].b2 = -1.0 - c[0].b1;
  /* gains: the fit's |H| at f0, section 1 with unit gain there */
  want = (d[0] + d[1] + d[2] + d[3]) / (1.0 + cc[0] + cc[1] + cc[2] + cc[3]);
  m0 = section_mag (&c[0], w0);
  m1 = section_mag (&c[1], w0);
  if (!(want > 0.0) || !(m0 > 0.0) || !(m1 > 0.0))
    return 0;
  g0 = sqrt (want) / m0;
  g1 = 1.0 / m1;
  c[0].b0 *= g0;
  c[0].b1 *= g0;
  c[0].b2 *= g0;
  c[1].b0 *= g1;
  c[1].b1 *= g1;
  c[1].b2 *= g1;
  for (k = 0; k < 2; k++)
    if (!(isfinite (c[k].b0 + c[k].b1 + c[k].b2) && fabs (c[k].a2) < 1.0
            && fabs (c[k].a1) < 1.0 + c[k].a2))
      return 0;
  return 1;
}

/* c[0..1]: the one-section design and the identity on entry, replaced by
 * the degree-4 minimax fit where that is closer. */
static void
design_fit_bp2 (MstBiquadCoefs * c, const Proto * p, double w0)
{
  Fit *f = malloc (sizeof *f);
  double v[LP_VARS], lo, hi, best;
  int it;
  MstBiquadCoefs nc[2];

  if (!f)
    return;
  fit_setup (f, MST_BIQUAD_BAND_PASS, p, w0, 4);
  best = fit_error_n (f, c, 2);
  hi = isfinite (best) && best > 1e-5 ? best : 1.0;
  lo = hi / 100.0;
  for (it = 0; it < FIT_BISECT4; it++) {
    double mid = sqrt (lo * hi), e;
    if (fit_feasible (f, mid, v) && fit_sections4 (f, w0, v, nc)
        && (e = fit_error_n (f, nc, 2)) <= 1.02 * mid) {
      if (e < best) {
        best = e;
        c[0] = nc[0];
        c[1] = nc[1];
      }
      hi = e < mid ? e : mid;
    } else {
      lo = mid;
    }
  }
  free (f);
}

/* The impulse-invariant design, replaced by the minimax fit where that is
 * closer to the prototype (above FIT_ABOVE rad/sample; below, the
 * impulse-invariant design is already within a few hundredths of a dB). */
#ifndef FIT_ABOVE
#define FIT_ABOVE 0.002
#endif
static void
design_matched_refined (MstBiquadCoefs * c, MstBiquadType type,
    const Proto * p, double w0)
{
  design_matched (c, type, p, w0);
  if (w0 <= FIT_ABOVE || type == MST_BIQUAD_ALL_PASS)
    return;
#ifndef FIT_SKIP
  design_fit (c, type, p, w0);
#endif
}

void
mst_biquad_identity (MstBiquadCoefs * c)
{
  *c = (MstBiquadCoefs) { 1.0, 0.0, 0.0, 0.0, 0.0 };
}

/* the parameters clamped to the designs' ranges; w0 in rad/sample */
static MstBiquadType
clamp_params (MstBiquadType type, double *rate, double *freq,
    double *gain_db, double *q, double *w0)
{
  *rate = mst_clamp_or (*rate, MST_RATE_MIN, MST_RATE_MAX, 48000.0);
  *freq = mst_clamp_or (*freq, MST_BIQUAD_MIN_FREQ,
      MST_BIQUAD_MAX_FREQ_RATIO * *rate, 1000.0);
  *gain_db = mst_clamp_or (*gain_db, MST_BIQUAD_MIN_GAIN_DB,
      MST_BIQUAD_MAX_GAIN_DB, 0.0);
  *q = mst_clamp_or (*q, MST_BIQUAD_MIN_Q, MST_BIQUAD_MAX_Q,
      0.70710678118654752);
  *w0 = 2.0 * MST_PI * *freq / *rate;
  if ((unsigned) type > MST_BIQUAD_ALL_PASS)
    type = MST_BIQUAD_BELL;
  return type;
}

void
mst_biquad_design (MstBiquadCoefs * c, MstBiquadType type,
    MstBiquadDesign design, double rate, double freq, double gain_db,
    double q)
{
  Proto p;
  double w0;

  type = clamp_params (type, &rate, &freq, &gain_db, &q, &w0);
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
  if (type == MST_BIQUAD_BAND_PASS)
    return 2;
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

  if (type == MST_BIQUAD_BAND_PASS) {
    /* the one-section design and the identity, or the two-section fit
     * where that is closer */
    double w0;
    Proto p;
    mst_biquad_design (c, type, design, rate, freq, gain_db, q);
    mst_biquad_identity (&c[1]);
    clamp_params (type, &rate, &freq, &gain_db, &q, &w0);
    prototype (&p, type, gain_db, q);
#ifndef FIT_SKIP
    if (design == MST_BIQUAD_MATCHED && w0 > FIT_ABOVE)
      design_fit_bp2 (c, &p, w0);
#endif
    return n;
  }
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
  double *zeros;                /* CHUNK * channels doubles: dummy pipeline
                                 * stream, read with the channels' stride */
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
      + (size_t) CHUNK * channels * 2, sizeof (double));
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
 * are -a1, -a2, c1 = b1 - a1 b0, c2 = b2 - a2 b0 (section_c ()).  With o
 * substituted into the state updates,
 *   o = b0 v + s1,  s1' = -a1 s1 + (c1 v + s2),  s2' = -a2 s1 + c2 v,
 * the loop-carried chain s1 -> s1' is one multiply-add, not two (s1 -> o
 * -> s1'), which halves the latency a cascade step waits for; the states
 * are the transposed-DF2 ones (the ramp path's plain form continues them
 * exactly).  Every constant-coefficient path uses this one shape (and the
 * vector steps below the same), so that where a buffer is split does not
 * change a bit of the output, with or without FMA contraction. */
#define SECTION_STEP(o, v, b0, c1, c2, na1, na2, s1, s2) do {             \
    double t_ = (c1) * (v) + (s2), u_ = (c2) * (v), p_ = (s1);          \
    (o) = (b0) * (v) + p_;                                              \
    (s1) = (na1) * p_ + t_;                                             \
    (s2) = (na2) * p_ + u_;                                             \
  } while (0)

static inline double
section_c (double b, double na, double b0)
{
  return b + na * b0;
}

/* The live sections of channel c on n interleaved frames of x (in place),
 * coefficients constant, one section after the other (short stretches;
 * longer ones go through run_pipe).  Like every function that uses
 * SECTION_STEP, built with MST_FP_CONTRACT (simd.h): the reference tests
 * bound the difference the fused multiply-adds make. */
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
      SECTION_STEP (y, v, b0[l], section_c (b1[l], -a1[l], b0[l]),
          section_c (b2[l], -a2[l], b0[l]), -a1[l], -a2[l], s1[l], s2[l]);
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
/* (a0 a1 b0 b1) and (a2 a3 b0 b1) of two vectors a, b */
#define MST_V4_CAT_LO(a, b) __builtin_shuffle ((a), (b), (MstV4i) { 0, 1, 4, 5 })
#define MST_V4_CAT_HL(a, b) __builtin_shuffle ((a), (b), (MstV4i) { 2, 3, 4, 5 })
#elif defined(__clang__)
typedef double MstV4d __attribute__((ext_vector_type (4)));
typedef double MstV2d __attribute__((ext_vector_type (2)));
#define MST_VEC4 1
#define MST_V4_ROTATE(v) __builtin_shufflevector ((v), (v), 3, 0, 1, 2)
#define MST_V4_CAT_LO(a, b) __builtin_shufflevector ((a), (b), 0, 1, 4, 5)
#define MST_V4_CAT_HL(a, b) __builtin_shufflevector ((a), (b), 2, 3, 4, 5)
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
    /* b1, b2 hold c1, c2 from here on (SECTION_STEP) */
    b1[k] = section_c (b1[k], a1[k], b0[k]);
    b2[k] = section_c (b2[k], a2[k], b0[k]);
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
    /* adjacent interleaved pair (the stereo case): sections 0, 1 of both
     * cascades in one 4-lane vector (a0 b0 a1 b1), sections 2, 3 in
     * another (a2 b2 a3 b3); a section's input is the previous section's
     * output of the step before, taken from the two output vectors by
     * one shuffle each (not on the loop-carried path), and the frame is
     * loaded and stored whole */
    MstV4d vb0[2], vb1[2], vb2[2], va1[2], va2[2], vs1[2], vs2[2], vy[2];
    int p;
    for (p = 0; p < 2; p++) {
      int k0 = 2 * p, k1 = 2 * p + 1;
      vb0[p] = (MstV4d) { b0[k0], b0[k0 + PIPE], b0[k1], b0[k1 + PIPE] };
      vb1[p] = (MstV4d) { b1[k0], b1[k0 + PIPE], b1[k1], b1[k1 + PIPE] };
      vb2[p] = (MstV4d) { b2[k0], b2[k0 + PIPE], b2[k1], b2[k1 + PIPE] };
      va1[p] = (MstV4d) { a1[k0], a1[k0 + PIPE], a1[k1], a1[k1 + PIPE] };
      va2[p] = (MstV4d) { a2[k0], a2[k0 + PIPE], a2[k1], a2[k1 + PIPE] };
      vs1[p] = (MstV4d) { s1[k0], s1[k0 + PIPE], s1[k1], s1[k1 + PIPE] };
      vs2[p] = (MstV4d) { s2[k0], s2[k0 + PIPE], s2[k1], s2[k1 + PIPE] };
      vy[p] = (MstV4d) { y[k0], y[k0 + PIPE], y[k1], y[k1 + PIPE] };
    }
    for (t = PIPE - 1; t < n; t++) {
      MstV4d in = { xa[2 * t], xa[2 * t + 1], 0.0, 0.0 }, v0, v1, o0, o1;
      MstV4d t0, t1, u0, u1;
      v0 = MST_V4_CAT_LO (in, vy[0]);
      v1 = MST_V4_CAT_HL (vy[0], vy[1]);
      /* SECTION_STEP on 4 lanes (va1, va2 hold -a1, -a2) */
      t0 = vb1[0] * v0 + vs2[0];
      t1 = vb1[1] * v1 + vs2[1];
      u0 = vb2[0] * v0;
      u1 = vb2[1] * v1;
      o0 = vb0[0] * v0 + vs1[0];
      o1 = vb0[1] * v1 + vs1[1];
      vs2[0] = va2[0] * vs1[0] + u0;
      vs2[1] = va2[1] * vs1[1] + u1;
      vs1[0] = va1[0] * vs1[0] + t0;
      vs1[1] = va1[1] * vs1[1] + t1;
      vy[0] = o0;
      vy[1] = o1;
      xa[2 * (t - (PIPE - 1))] = o1[2];
      xa[2 * (t - (PIPE - 1)) + 1] = o1[3];
    }
    for (p = 0; p < 2; p++) {
      int k0 = 2 * p, k1 = 2 * p + 1;
      s1[k0] = vs1[p][0];
      s1[k0 + PIPE] = vs1[p][1];
      s1[k1] = vs1[p][2];
      s1[k1 + PIPE] = vs1[p][3];
      s2[k0] = vs2[p][0];
      s2[k0 + PIPE] = vs2[p][1];
      s2[k1] = vs2[p][2];
      s2[k1 + PIPE] = vs2[p][3];
      y[k0] = vy[p][0];
      y[k0 + PIPE] = vy[p][1];
      y[k1] = vy[p][2];
      y[k1 + PIPE] = vy[p][3];
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
      vs2[0] = va2[0] * vs1[0] + u0;
      vs2[1] = va2[1] * vs1[1] + u1;
      vs1[0] = va1[0] * vs1[0] + t0;
      vs1[1] = va1[1] * vs1[1] + t1;
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
          memset (bq->zeros, 0, (size_t) m * nc * sizeof (double));
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
