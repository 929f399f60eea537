/* gst-mastering CLI — the loudness plot (see mstplot.h)
 *
 * Data.  Two series of bins, each bin holding the first and last time it
 * covers and, per field, the minimum and maximum of its points:
 *   loudness: momentary (400 ms) and short-term (3 s) loudness, LUFS, one
 *             point per meter message (MST_PLOT_INTERVAL), at the end of
 *             the interval the message covers;
 *   peak:     the largest true peak (dBTP) of every 100 ms of the meter's
 *             input, from dsp/truepeak (4x, as the meter), asked only for
 *             values above the ceiling (its `floor`), so stretches that
 *             provably stay below cost a bound check, not an interpolation.
 * A series holds at most SERIES_BINS bins; when full, pairs merge and
 * every bin covers twice the points (min of mins, max of maxes).
 *
 * Drawing.  The bins are gathered per pixel column (min / max), and the
 * line visits each column's extremes in the order that continues the
 * previous column: at one point per column and more, what a full
 * resolution line would look like.  Silence (-inf) runs off the bottom.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "mstplot.h"

#include <math.h>
#include <string.h>

#include <cairo.h>

#include "dsp/truepeak.h"

#define SERIES_BINS 8192        /* per series; 2 x 8 KiB x 2 fields */
#define PEAK_STEP 0.1           /* s of audio per true-peak point */
#define CHUNK 1024              /* frames converted at a time */

typedef struct
{
  gdouble t0, t1;               /* s: first and last point (peak: span) */
  gfloat lo[2], hi[2];          /* per field */
} Bin;

typedef struct
{
  Bin *bins;
  guint n;                      /* bins in use */
  guint span;                   /* points per full bin (a power of 2) */
  guint fill;                   /* points in the last bin; 0: it is full */
} Series;

struct _MstPlot
{
  gdouble ceiling_db;

  /* bus thread */
  Series loud;
  gdouble loud_time;            /* s of audio the messages covered */

  /* streaming thread */
  Series peak;
  GstAudioInfo info;
  gboolean have_info;
  MstTruePeak *tp;
  gfloat *planar;               /* channels x CHUNK */
  gfloat floor_lin;
  guint64 bin_frames, in_bin;   /* frames per peak point, in this one */
  gfloat bin_max;               /* linear */
  gdouble peak_time;            /* s of audio before the current point */
  guint64 overs;
};

/* ---- series --------------------------------------------------------------- */

static void
series_init (Series * s)
{
  s->bins = g_new0 (Bin, SERIES_BINS);
  s->n = 0;
  s->span = 1;
  s->fill = 0;
}

static void
series_push (Series * s, gdouble t0, gdouble t1, const gfloat * v, guint nv)
{
  Bin *b;
  guint i, f;

  if (s->fill == 0) {
    if (s->n == SERIES_BINS) {
      for (i = 0; i < SERIES_BINS / 2; i++) {
        const Bin *a = &s->bins[2 * i], *c = &s->bins[2 * i + 1];
        Bin m = *a;

        m.t1 = c->t1;
        for (f = 0; f < 2; f++) {
          m.lo[f] = MIN (a->lo[f], c->lo[f]);
          m.hi[f] = MAX (a->hi[f], c->hi[f]);
        }
        s->bins[i] = m;
      }
      s->n = SERIES_BINS / 2;
      s->span *= 2;
    }
    b = &s->bins[s->n++];
    b->t0 = t0;
    for (f = 0; f < 2; f++)
      b->lo[f] = b->hi[f] = f < nv ? v[f] : -INFINITY;
  } else {
    b = &s->bins[s->n - 1];
    for (f = 0; f < nv; f++) {
      b->lo[f] = MIN (b->lo[f], v[f]);
      b->hi[f] = MAX (b->hi[f], v[f]);
    }
  }
  b->t1 = t1;
  if (++s->fill == s->span)
    s->fill = 0;
}

/* ---- collecting ----------------------------------------------------------- */

MstPlot *
mst_plot_new (gdouble ceiling_dbtp)
{
  MstPlot *p = g_new0 (MstPlot, 1);

  p->ceiling_db = ceiling_dbtp;
  p->floor_lin = (gfloat) pow (10.0, ceiling_dbtp / 20.0);
  series_init (&p->loud);
  series_init (&p->peak);
  return p;
}

void
mst_plot_free (MstPlot * p)
{
  if (!p)
    return;
  g_free (p->loud.bins);
  g_free (p->peak.bins);
  if (p->tp)
    mst_true_peak_free (p->tp);
  g_free (p->planar);
  g_free (p);
}

guint64
mst_plot_overs (const MstPlot * p)
{
  return p->overs;
}

void
mst_plot_meter_message (MstPlot * p, const GstStructure * s)
{
  guint64 dur = 0;
  gdouble m = -INFINITY, st = -INFINITY;
  gfloat v[2];

  if (!gst_structure_get_uint64 (s, "duration", &dur) || dur == 0 ||
      dur == GST_CLOCK_TIME_NONE)
    return;
  gst_structure_get_double (s, "momentary-loudness", &m);
  gst_structure_get_double (s, "shortterm-loudness", &st);
  p->loud_time += dur / (gdouble) GST_SECOND;
  v[0] = isfinite (m) ? (gfloat) m : -INFINITY;
  v[1] = isfinite (st) ? (gfloat) st : -INFINITY;
  series_push (&p->loud, p->loud_time, p->loud_time, v, 2);
}

/* Ends the current peak point (if it has frames). */
static void
peak_flush (MstPlot * p)
{
  gfloat v;
  gdouble len;

  if (p->in_bin == 0 || !p->have_info)
    return;
  len = (gdouble) p->in_bin / GST_AUDIO_INFO_RATE (&p->info);
  v = p->bin_max > 0.0f ? 20.0f * log10f (p->bin_max) : -INFINITY;
  if (p->bin_max > p->floor_lin)
    p->overs++;
  series_push (&p->peak, p->peak_time, p->peak_time + len, &v, 1);
  p->peak_time += len;
  p->in_bin = 0;
  p->bin_max = 0.0f;
}

void
mst_plot_audio_caps (MstPlot * p, const GstAudioInfo * info)
{
  GstAudioFormat f = GST_AUDIO_INFO_FORMAT (info);
  gint ch = GST_AUDIO_INFO_CHANNELS (info);

  if (p->have_info && GST_AUDIO_INFO_RATE (info) ==
      GST_AUDIO_INFO_RATE (&p->info) && ch == GST_AUDIO_INFO_CHANNELS
      (&p->info) && f == GST_AUDIO_INFO_FORMAT (&p->info))
    return;
  peak_flush (p);
  if (p->tp)
    mst_true_peak_free (p->tp);
  g_free (p->planar);
  p->tp = NULL;
  p->planar = NULL;
  p->have_info = FALSE;
  if (ch <= 0 || GST_AUDIO_INFO_RATE (info) <= 0 ||
      (f != GST_AUDIO_FORMAT_F32 && f != GST_AUDIO_FORMAT_F64 &&
          f != GST_AUDIO_FORMAT_S16 && f != GST_AUDIO_FORMAT_S32) ||
      GST_AUDIO_INFO_LAYOUT (info) != GST_AUDIO_LAYOUT_INTERLEAVED)
    return;
  p->tp = mst_true_peak_new (ch, 4);
  if (!p->tp)
    return;
  p->planar = g_new (gfloat, (gsize) ch * CHUNK);
  p->info = *info;
  p->have_info = TRUE;
  p->bin_frames = MAX (1, (guint64) llround (GST_AUDIO_INFO_RATE (info) *
          PEAK_STEP));
}

void
mst_plot_audio_gap (MstPlot * p, GstClockTime duration)
{
  if (!p->have_info || !GST_CLOCK_TIME_IS_VALID (duration))
    return;
  /* silence: no overs; the time goes on */
  peak_flush (p);
  mst_true_peak_reset (p->tp);
  p->peak_time += duration / (gdouble) GST_SECOND;
}

void
mst_plot_audio_buffer (MstPlot * p, GstBuffer * buf)
{
  GstMapInfo map;
  gsize frames, done = 0;
  gint ch, nch, bpf;

  if (!p->have_info || !gst_buffer_map (buf, &map, GST_MAP_READ))
    return;
  nch = GST_AUDIO_INFO_CHANNELS (&p->info);
  bpf = GST_AUDIO_INFO_BPF (&p->info);
  frames = map.size / bpf;
  while (done < frames) {
    gsize n = MIN (CHUNK, frames - done), i;

    n = MIN (n, p->bin_frames - p->in_bin);
    for (ch = 0; ch < nch; ch++) {
      gfloat *dst = p->planar + (gsize) ch * CHUNK;
      gsize k = done * nch + ch;

      switch (GST_AUDIO_INFO_FORMAT (&p->info)) {
        case GST_AUDIO_FORMAT_F32:
          for (i = 0; i < n; i++, k += nch)
            dst[i] = ((const gfloat *) map.data)[k];
          break;
        case GST_AUDIO_FORMAT_F64:
          for (i = 0; i < n; i++, k += nch)
            dst[i] = (gfloat) ((const gdouble *) map.data)[k];
          break;
        case GST_AUDIO_FORMAT_S16:
          for (i = 0; i < n; i++, k += nch)
            dst[i] = ((const gint16 *) map.data)[k] * (1.0f / 32768.0f);
          break;
        default:               /* S32 */
          for (i = 0; i < n; i++, k += nch)
            dst[i] = (gfloat) (((const gint32 *) map.data)[k] *
                (1.0 / 2147483648.0));
          break;
      }
      /* non-finite samples are silence to the meter too */
      for (i = 0; i < n; i++)
        if (!isfinite (dst[i]))
          dst[i] = 0.0f;
      p->bin_max = MAX (p->bin_max, mst_true_peak_process_max (p->tp, ch,
              dst, n, MAX (p->bin_max, p->floor_lin)));
    }
    p->in_bin += n;
    done += n;
    if (p->in_bin >= p->bin_frames)
      peak_flush (p);
  }
  gst_buffer_unmap (buf, &map);
}

/* ---- options -------------------------------------------------------------- */

gboolean
mst_plot_parse_size (const gchar * s, gint * width, gint * height)
{
  gchar *end;
  gint64 w, h;

  if (!s || !g_ascii_isdigit (*s))
    return FALSE;
  w = g_ascii_strtoll (s, &end, 10);
  if (*end != 'x' && *end != 'X')
    return FALSE;
  s = end + 1;
  if (!g_ascii_isdigit (*s))
    return FALSE;
  h = g_ascii_strtoll (s, &end, 10);
  if (*end)
    return FALSE;
  if (w < MST_PLOT_MIN_WIDTH || w > MST_PLOT_MAX_WIDTH ||
      h < MST_PLOT_MIN_HEIGHT || h > MST_PLOT_MAX_HEIGHT)
    return FALSE;
  *width = (gint) w;
  *height = (gint) h;
  return TRUE;
}

gchar *
mst_plot_options_check (MstPlotOptions * o)
{
  o->width = MST_PLOT_DEFAULT_WIDTH;
  o->height = MST_PLOT_DEFAULT_HEIGHT;
  if (o->size && !mst_plot_parse_size (o->size, &o->width, &o->height))
    return g_strdup_printf ("--plot-size must be WIDTHxHEIGHT, %d-%d x "
        "%d-%d pixels", MST_PLOT_MIN_WIDTH, MST_PLOT_MAX_WIDTH,
        MST_PLOT_MIN_HEIGHT, MST_PLOT_MAX_HEIGHT);
  if (o->size && !o->path)
    return g_strdup ("--plot-size needs --plot FILE.png");
  if (o->path && !*o->path)
    return g_strdup ("--plot needs a file name");
  return NULL;
}

void
mst_plot_options_clear (MstPlotOptions * o)
{
  g_free (o->path);
  g_free (o->size);
  memset (o, 0, sizeof *o);
}

/* ---- drawing -------------------------------------------------------------- */

typedef struct
{
  gdouble r, g, b;
} Rgb;

/* The colours (documented in docs/cli.md; the tests look for them). */
static const Rgb C_MOMENTARY = { 0x6b / 255., 0xae / 255., 0xd6 / 255. };
static const Rgb C_SHORTTERM = { 0x08 / 255., 0x30 / 255., 0x6b / 255. };
static const Rgb C_INTEGRATED = { 0xe6 / 255., 0x55 / 255., 0x0d / 255. };
static const Rgb C_TARGET = { 0x1b / 255., 0x9e / 255., 0x77 / 255. };
static const Rgb C_OVER = { 0xd6 / 255., 0x27 / 255., 0x28 / 255. };
static const Rgb C_TEXT = { 0.13, 0.13, 0.13 };
static const Rgb C_MUTED = { 0.40, 0.40, 0.40 };
static const Rgb C_GRID = { 0.89, 0.89, 0.89 };
static const Rgb C_FRAME = { 0.55, 0.55, 0.55 };

typedef struct
{
  cairo_t *cr;
  gdouble sc;                   /* scale of fonts and margins */
  gdouble x0, x1, y0, y1;       /* plot area: left, right, top, bottom */
  gdouble t_max;                /* s at x1 */
  gdouble l_lo, l_hi;           /* LUFS at y1, y0 */
} Frame;

static void
set_rgb (cairo_t * cr, const Rgb * c)
{
  cairo_set_source_rgb (cr, c->r, c->g, c->b);
}

static gdouble
x_of (const Frame * f, gdouble t)
{
  return f->x0 + (f->x1 - f->x0) * t / f->t_max;
}

static gdouble
y_of (const Frame * f, gdouble lufs)
{
  if (!isfinite (lufs))
    lufs = f->l_lo - 100.0;
  return f->y1 - (f->y1 - f->y0) * (lufs - f->l_lo) / (f->l_hi - f->l_lo);
}

/* y of a horizontal line round (sc) pixels wide on whole pixels. */
static gdouble
crisp (gdouble y, gdouble sc)
{
  return ((gint) round (sc) & 1) ? floor (y) + 0.5 : round (y);
}

/* A number as fmt ("%.1f": one conversion only) with a typographic
 * minus (U+2212). */
static gchar *
num (const gchar * fmt, gdouble v)
{
  gchar buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_formatd (buf, sizeof buf, fmt, v);
  if (buf[0] == '-')
    return g_strconcat ("\xe2\x88\x92", buf + 1, NULL);
  return g_strdup (buf);
}

static gchar *
time_label (gdouble t, gdouble step, gboolean hours)
{
  gint64 ds = (gint64) llround (t * 10.0);      /* tenths of a second */
  gint64 s = ds / 10;

  if (hours)
    return g_strdup_printf ("%d:%02d:%02d", (gint) (s / 3600),
        (gint) (s / 60 % 60), (gint) (s % 60));
  if (step < 1.0)
    return g_strdup_printf ("%d:%02d.%d", (gint) (s / 60), (gint) (s % 60),
        (gint) (ds % 10));
  return g_strdup_printf ("%d:%02d", (gint) (s / 60), (gint) (s % 60));
}

static void
font (cairo_t * cr, gdouble size, gboolean bold)
{
  cairo_select_font_face (cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
      bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, size);
}

static gdouble
text_width (cairo_t * cr, const gchar * s)
{
  cairo_text_extents_t e;

  cairo_text_extents (cr, s, &e);
  return e.x_advance;
}

/* Text at x (align 0 left, 0.5 centre, 1 right), baseline y. */
static void
text (cairo_t * cr, gdouble x, gdouble y, gdouble align, const gchar * s)
{
  cairo_move_to (cr, x - align * text_width (cr, s), y);
  cairo_show_text (cr, s);
}

/* Gathers field `field` of the bins per pixel column and draws it. */
static void
draw_series (const Frame * f, const Series * s, guint field)
{
  cairo_t *cr = f->cr;
  gint cols = MAX (1, (gint) ceil (f->x1 - f->x0)), c;
  gfloat *lo = g_new (gfloat, cols), *hi = g_new (gfloat, cols);
  gboolean *has = g_new0 (gboolean, cols), first = TRUE;
  gdouble prev = 0.0;
  guint i;

  for (i = 0; i < s->n; i++) {
    const Bin *b = &s->bins[i];

    c = (gint) floor (x_of (f, 0.5 * (b->t0 + b->t1)) - f->x0);
    c = CLAMP (c, 0, cols - 1);
    if (!has[c]) {
      lo[c] = b->lo[field];
      hi[c] = b->hi[field];
      has[c] = TRUE;
    } else {
      lo[c] = MIN (lo[c], b->lo[field]);
      hi[c] = MAX (hi[c], b->hi[field]);
    }
  }
  for (c = 0; c < cols; c++) {
    gdouble x = f->x0 + c + 0.5, ya, yb;

    if (!has[c])
      continue;
    ya = y_of (f, hi[c]);
    yb = y_of (f, lo[c]);
    if (first) {
      cairo_move_to (cr, x, ya);
      first = FALSE;
    } else if (fabs (prev - yb) < fabs (prev - ya)) {
      gdouble t = ya;

      ya = yb;
      yb = t;
    }
    cairo_line_to (cr, x, ya);
    cairo_line_to (cr, x, yb);
    prev = yb;
  }
  cairo_stroke (cr);
  g_free (lo);
  g_free (hi);
  g_free (has);
}

/* A nice step (1, 2, 5 x 10^k or one of `list`) for at most n ticks. */
static gdouble
pick_step (gdouble span, gdouble max_ticks, const gdouble * list, guint n)
{
  guint i;

  for (i = 0; i < n; i++)
    if (span / list[i] <= max_ticks)
      return list[i];
  return list[n - 1] * ceil (span / max_ticks / list[n - 1]);
}

static void
draw (MstPlot * p, const MstPlotInfo * info, cairo_t * cr, gint width,
    gint height)
{
  static const gdouble t_steps[] = { 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60,
    120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400
  };
  static const gdouble l_steps[] = { 1, 2, 3, 5, 10, 20 };
  const MstTarget *tg = info->target;
  Frame f = { cr };
  gdouble sc, hi = -INFINITY, lo, top, bottom, step, t, l, lx, ly;
  gboolean hours;
  gchar *s, *a, *b, *c;
  guint i;

  /* 0.75 at the smallest sizes: the text stays legible */
  sc = CLAMP (MIN (width / 1200.0, height / 600.0), 0.75, 4.0);
  f.sc = sc;
  f.x0 = round (72 * sc);
  f.x1 = width - round (84 * sc);
  f.y0 = round (118 * sc);
  f.y1 = height - round (56 * sc);

  /* time axis */
  f.t_max = info->duration > 0 ? info->duration : 0.0;
  for (i = 0; i < p->loud.n; i++)
    f.t_max = MAX (f.t_max, p->loud.bins[i].t1);
  f.t_max = MAX (f.t_max, 0.1);
  hours = f.t_max >= 3600.0;

  /* loudness axis: the loudest momentary value and the integrated
   * loudness / target band with room around them */
  for (i = 0; i < p->loud.n; i++)
    hi = MAX (hi, MAX (p->loud.bins[i].hi[0], p->loud.bins[i].hi[1]));
  lo = INFINITY;
  if (isfinite (info->integrated)) {
    hi = MAX (hi, info->integrated);
    lo = MIN (lo, info->integrated);
  }
  if (tg) {
    hi = MAX (hi, tg->integrated_lufs + tg->tolerance_lu);
    if (isfinite (tg->max_shortterm_lufs))
      hi = MAX (hi, tg->max_shortterm_lufs);
    lo = MIN (lo, tg->integrated_lufs - tg->tolerance_lu);
  }
  if (!isfinite (hi))
    hi = -20.0;
  if (!isfinite (lo))
    lo = hi - 10.0;
  top = hi + 3.0;
  bottom = MIN (lo - 20.0, top - 36.0);
  bottom = MAX (bottom, -100.0);
  step = pick_step (top - bottom, 10.0, l_steps, G_N_ELEMENTS (l_steps));
  f.l_hi = ceil (top / step) * step;
  f.l_lo = floor (bottom / step) * step;

  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_BUTT);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);

  /* title and summary */
  set_rgb (cr, &C_TEXT);
  font (cr, 20 * sc, TRUE);
  s = g_strdup_printf ("Loudness: %s", info->title ? info->title : "");
  text (cr, f.x0, round (30 * sc), 0, s);
  g_free (s);
  font (cr, 13 * sc, FALSE);
  set_rgb (cr, &C_MUTED);
  s = isfinite (info->integrated) ? num ("%.1f", info->integrated) : NULL;
  a = s ? g_strconcat (s, " LUFS", NULL) : g_strdup ("below the gates");
  g_free (s);
  s = isfinite (info->true_peak_max) ? num ("%+.1f", info->true_peak_max) :
      NULL;
  b = s ? g_strconcat (s, " dBTP", NULL) : g_strdup ("not measured");
  g_free (s);
  c = time_label (f.t_max, 1.0, hours);
  s = g_strdup_printf ("Integrated %s   \xc2\xb7   Loudness range %.1f LU   "
      "\xc2\xb7   Max. true peak %s   \xc2\xb7   Duration %s", a,
      isfinite (info->range) ? info->range : 0.0, b, c);
  /* smaller if it would not fit */
  font (cr, 13 * sc * MIN (1.0, (width - f.x0 - 8 * sc) / text_width (cr,
              s)), FALSE);
  text (cr, f.x0, round (52 * sc), 0, s);
  g_free (s);
  g_free (a);
  g_free (b);
  g_free (c);

  /* grid and axes */
  cairo_set_line_width (cr, 1.0);
  font (cr, 12 * sc, FALSE);
  for (l = f.l_lo; l <= f.l_hi + 1e-9; l += step) {
    gdouble y = round (y_of (&f, l)) + 0.5;

    set_rgb (cr, &C_GRID);
    cairo_move_to (cr, f.x0, y);
    cairo_line_to (cr, f.x1, y);
    cairo_stroke (cr);
    set_rgb (cr, &C_TEXT);
    s = num ("%.0f", l);
    text (cr, f.x0 - 7 * sc, y + 4 * sc, 1.0, s);
    g_free (s);
  }
  step = pick_step (f.t_max, MAX (2.0, (f.x1 - f.x0) / (85 * sc)), t_steps,
      G_N_ELEMENTS (t_steps));
  for (i = 0, t = 0; t <= f.t_max + 1e-9; t = ++i * step) {
    gdouble x = round (x_of (&f, t)) + 0.5;

    set_rgb (cr, &C_GRID);
    cairo_move_to (cr, x, f.y0);
    cairo_line_to (cr, x, f.y1);
    cairo_stroke (cr);
    set_rgb (cr, &C_FRAME);
    cairo_move_to (cr, x, f.y1);
    cairo_line_to (cr, x, f.y1 + 5 * sc);
    cairo_stroke (cr);
    set_rgb (cr, &C_TEXT);
    s = time_label (t, step, hours);
    text (cr, x, f.y1 + 20 * sc, 0.5, s);
    g_free (s);
  }
  text (cr, 0.5 * (f.x0 + f.x1), height - 12 * sc, 0.5, hours ?
      "Time (h:mm:ss)" : step < 1.0 ? "Time (m:ss.s)" : "Time (m:ss)");
  cairo_save (cr);
  cairo_translate (cr, 18 * sc, 0.5 * (f.y0 + f.y1));
  cairo_rotate (cr, -G_PI / 2);
  text (cr, 0, 0, 0.5, "Loudness (LUFS)");
  cairo_restore (cr);

  /* everything inside the plot area */
  cairo_save (cr);
  cairo_rectangle (cr, f.x0, f.y0, f.x1 - f.x0, f.y1 - f.y0);
  cairo_clip (cr);
  if (tg) {
    gdouble ya = y_of (&f, tg->integrated_lufs + tg->tolerance_lu);
    gdouble yb = y_of (&f, tg->integrated_lufs - tg->tolerance_lu);

    cairo_set_source_rgba (cr, C_TARGET.r, C_TARGET.g, C_TARGET.b, 0.16);
    cairo_rectangle (cr, f.x0, ya, f.x1 - f.x0, yb - ya);
    cairo_fill (cr);
    /* lines on pixel centres: crisp at any scale */
    set_rgb (cr, &C_TARGET);
    cairo_set_line_width (cr, round (sc));
    cairo_move_to (cr, f.x0, crisp (y_of (&f, tg->integrated_lufs), sc));
    cairo_line_to (cr, f.x1, crisp (y_of (&f, tg->integrated_lufs), sc));
    cairo_stroke (cr);
    /* the maximum short-term loudness of targets that have one (EBU
     * R 128 s1), dotted */
    if (isfinite (tg->max_shortterm_lufs)) {
      gdouble dash[2] = { 2 * round (sc), 4 * round (sc) };

      cairo_set_line_width (cr, round (sc));
      cairo_set_dash (cr, dash, 2, 0);
      cairo_move_to (cr, f.x0, crisp (y_of (&f, tg->max_shortterm_lufs),
              sc));
      cairo_line_to (cr, f.x1, crisp (y_of (&f, tg->max_shortterm_lufs),
              sc));
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
    }
  }
  set_rgb (cr, &C_MOMENTARY);
  cairo_set_line_width (cr, 1.0 * sc);
  draw_series (&f, &p->loud, 0);
  set_rgb (cr, &C_SHORTTERM);
  cairo_set_line_width (cr, 2.2 * sc);
  draw_series (&f, &p->loud, 1);
  if (isfinite (info->integrated)) {
    gdouble dash[2] = { 9 * sc, 5 * sc };

    set_rgb (cr, &C_INTEGRATED);
    cairo_set_line_width (cr, 2.0 * sc);
    cairo_set_dash (cr, dash, 2, 0);
    cairo_move_to (cr, f.x0, y_of (&f, info->integrated));
    cairo_line_to (cr, f.x1, y_of (&f, info->integrated));
    cairo_stroke (cr);
    cairo_set_dash (cr, NULL, 0, 0);
  }
  cairo_restore (cr);

  set_rgb (cr, &C_FRAME);
  cairo_set_line_width (cr, 1.0);
  cairo_rectangle (cr, round (f.x0) + 0.5, round (f.y0) + 0.5,
      round (f.x1 - f.x0) - 1, round (f.y1 - f.y0) - 1);
  cairo_stroke (cr);

  /* the integrated loudness and the target in the right margin */
  {
    gdouble yi = isfinite (info->integrated) ? y_of (&f, info->integrated) :
        NAN, yt = tg ? y_of (&f, tg->integrated_lufs) : NAN;

    if (isfinite (yi) && isfinite (yt) && fabs (yi - yt) < 15 * sc) {
      gdouble mid = 0.5 * (yi + yt), d = yi >= yt ? 7.5 * sc : -7.5 * sc;

      yi = mid + d;
      yt = mid - d;
    }
    font (cr, 11 * sc, TRUE);
    if (tg) {
      set_rgb (cr, &C_TARGET);
      a = num ("%.1f", tg->integrated_lufs);
      s = g_strconcat ("T ", a, NULL);
      text (cr, f.x1 + 6 * sc, yt + 4 * sc, 0, s);
      g_free (s);
      g_free (a);
    }
    if (tg && isfinite (tg->max_shortterm_lufs)) {
      gdouble ys = y_of (&f, tg->max_shortterm_lufs);

      if (fabs (ys - yt) >= 12 * sc && (!isfinite (yi) ||
              fabs (ys - yi) >= 12 * sc)) {
        set_rgb (cr, &C_TARGET);
        a = num ("%.1f", tg->max_shortterm_lufs);
        s = g_strconcat ("S \xe2\x89\xa4 ", a, NULL);
        text (cr, f.x1 + 6 * sc, ys + 4 * sc, 0, s);
        g_free (s);
        g_free (a);
      }
    }
    if (isfinite (yi)) {
      set_rgb (cr, &C_INTEGRATED);
      a = num ("%.1f", info->integrated);
      s = g_strconcat ("I ", a, NULL);
      text (cr, f.x1 + 6 * sc, yi + 4 * sc, 0, s);
      g_free (s);
      g_free (a);
    }
  }

  /* the true-peak strip above the plot */
  {
    gdouble sy0 = round (f.y0 - 24 * sc), sy1 = round (f.y0 - 6 * sc);

    cairo_set_source_rgb (cr, 0.965, 0.965, 0.965);
    cairo_rectangle (cr, f.x0, sy0, f.x1 - f.x0, sy1 - sy0);
    cairo_fill (cr);
    set_rgb (cr, &C_OVER);
    cairo_set_line_width (cr, MAX (1.0, 1.5 * sc));
    for (i = 0; i < p->peak.n; i++) {
      const Bin *bn = &p->peak.bins[i];
      gdouble x;

      if (!(bn->hi[0] > p->ceiling_db))
        continue;
      x = round (x_of (&f, 0.5 * (bn->t0 + bn->t1))) + 0.5;
      cairo_move_to (cr, x, sy0);
      cairo_line_to (cr, x, sy1);
    }
    cairo_stroke (cr);
    font (cr, 10 * sc, TRUE);
    text (cr, f.x0 - 7 * sc, sy1 - 4 * sc, 1.0, "TP");
    if (p->overs == 0) {
      font (cr, 10 * sc, FALSE);
      set_rgb (cr, &C_MUTED);
      s = num ("%.1f", p->ceiling_db);
      a = g_strdup_printf ("no true peak above %s dBTP", s);
      text (cr, 0.5 * (f.x0 + f.x1), sy1 - 4 * sc, 0.5, a);
      g_free (a);
      g_free (s);
    }
  }

  /* legend: one row under the summary, smaller if it would not fit */
  {
    gchar *names[5] = { NULL };
    gdouble total = 0.0, ls;

    names[0] = g_strdup ("Momentary (400 ms)");
    names[1] = g_strdup ("Short-term (3 s)");
    if (isfinite (info->integrated)) {
      a = num ("%.1f", info->integrated);
      names[2] = g_strdup_printf ("Integrated %s LUFS", a);
      g_free (a);
    }
    if (tg) {
      a = num ("%.1f", tg->integrated_lufs);
      if (isfinite (tg->max_shortterm_lufs)) {
        gchar *m = num ("%.1f", tg->max_shortterm_lufs);

        names[3] = g_strdup_printf ("Target %s %s \xc2\xb1 %.1f LU, "
            "short-term \xe2\x89\xa4 %s", tg->name, a, tg->tolerance_lu, m);
        g_free (m);
      } else {
        names[3] = g_strdup_printf ("Target %s %s \xc2\xb1 %.1f LU",
            tg->name, a, tg->tolerance_lu);
      }
      g_free (a);
    }
    a = num ("%.1f", p->ceiling_db);
    if (p->overs > 0)
      names[4] = g_strdup_printf ("True peak above %s dBTP (%"
          G_GUINT64_FORMAT " \xc3\x97 100 ms)", a, p->overs);
    else
      names[4] = g_strdup_printf ("True peak above %s dBTP (none)", a);
    g_free (a);

    font (cr, 12 * sc, FALSE);
    for (i = 0; i < 5; i++)
      if (names[i])
        total += (26 + 7 + 22) * sc + text_width (cr, names[i]);
    ls = sc * MIN (1.0, (width - f.x0 - 8 * sc) / total);
    font (cr, 12 * ls, FALSE);
    lx = f.x0;
    ly = round (78 * sc);
    for (i = 0; i < 5; i++) {
      gdouble sw = 26 * ls, y = ly - 4 * sc;

      if (!names[i])
        continue;
      switch (i) {
        case 0:
        case 1:
          set_rgb (cr, i == 0 ? &C_MOMENTARY : &C_SHORTTERM);
          cairo_set_line_width (cr, (i == 0 ? 1.5 : 2.2) * sc);
          cairo_move_to (cr, lx, y);
          cairo_line_to (cr, lx + sw, y);
          cairo_stroke (cr);
          break;
        case 2:{
          gdouble dash[2] = { 9 * ls, 5 * ls };

          set_rgb (cr, &C_INTEGRATED);
          cairo_set_line_width (cr, 2.0 * sc);
          cairo_set_dash (cr, dash, 2, 0);
          cairo_move_to (cr, lx, y);
          cairo_line_to (cr, lx + sw, y);
          cairo_stroke (cr);
          cairo_set_dash (cr, NULL, 0, 0);
          break;
        }
        case 3:
          cairo_set_source_rgba (cr, C_TARGET.r, C_TARGET.g, C_TARGET.b,
              0.3);
          cairo_rectangle (cr, lx, y - 6 * sc, sw, 12 * sc);
          cairo_fill (cr);
          break;
        default:
          set_rgb (cr, &C_OVER);
          cairo_set_line_width (cr, MAX (1.0, 1.5 * sc));
          for (t = 0; t < 4; t++) {
            cairo_move_to (cr, round (lx + (4 + t * 6) * ls) + 0.5,
                y - 7 * sc);
            cairo_line_to (cr, round (lx + (4 + t * 6) * ls) + 0.5,
                y + 6 * sc);
          }
          cairo_stroke (cr);
          break;
      }
      set_rgb (cr, &C_TEXT);
      text (cr, lx + sw + 7 * ls, ly, 0, names[i]);
      lx += sw + 7 * ls + text_width (cr, names[i]) + 22 * ls;
    }
    for (i = 0; i < 5; i++)
      g_free (names[i]);
  }
}

static cairo_status_t
append_png (void *closure, const unsigned char *data, unsigned int length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

gboolean
mst_plot_write_png (MstPlot * p, const MstPlotInfo * info,
    const gchar * path, gint width, gint height, GError ** error)
{
  cairo_surface_t *surf;
  cairo_status_t st;
  GByteArray *png;
  cairo_t *cr;
  gboolean ok;

  /* the partial last point (the pipeline has stopped) */
  peak_flush (p);
  surf = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  cr = cairo_create (surf);
  draw (p, info, cr, width, height);
  st = cairo_status (cr);
  cairo_destroy (cr);
  png = g_byte_array_new ();
  if (st == CAIRO_STATUS_SUCCESS)
    st = cairo_surface_write_to_png_stream (surf, append_png, png);
  cairo_surface_destroy (surf);
  if (st != CAIRO_STATUS_SUCCESS) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
        "cannot draw the plot: %s", cairo_status_to_string (st));
    g_byte_array_unref (png);
    return FALSE;
  }
  ok = g_file_set_contents (path, (const gchar *) png->data, png->len,
      error);
  g_byte_array_unref (png);
  return ok;
}

MstExit
mst_plot_write_report (const MstPlotOptions * o, MstReport * r,
    const MstTarget * t, const gchar * title)
{
  MstPlotInfo info = { 0 };
  GError *err = NULL;
  gchar *base = NULL;

  if (!title && r->source && !r->is_demo) {
    gchar *b = g_path_get_basename (r->source);

    base = g_filename_display_name (b);
    g_free (b);
  }
  info.title = title ? title : base ? base : r->source;
  info.duration = r->rate > 0 ? (gdouble) r->frames / r->rate : 0.0;
  info.integrated = r->integrated;
  info.range = r->range;
  info.true_peak_max = r->true_peak_measured ? r->true_peak_max : -INFINITY;
  info.target = t;
  if (!mst_plot_write_png (r->plot, &info, o->path, o->width, o->height,
          &err)) {
    g_printerr ("%s: error: cannot write the plot: %s\n", "gst-mastering",
        err->message);
    g_clear_error (&err);
    g_free (base);
    return MST_EXIT_OUTPUT;
  }
  r->plot_file = o->path;
  g_free (base);
  return MST_EXIT_OK;
}
