/* gst-mastering CLI — the loudness plot (`--plot FILE.png`)
 *
 * MstPlot collects, while a measurement runs, the momentary and
 * short-term loudness of the meter's messages (every 100 ms) and the
 * largest true peak of every 100 ms of the meter's input, and draws them
 * with cairo as a PNG: loudness over time, the integrated loudness, the
 * target band and the true-peak overs, with axes, title and legend.
 *
 * Memory is bounded: each series keeps at most a fixed number of bins;
 * when it is full, neighbouring bins merge (keeping their minimum and
 * maximum), so a 10-hour file costs what a 7-minute one does and the
 * drawing still shows every extreme.
 *
 * Threads: mst_plot_meter_message() is called from the thread that reads
 * the bus, mst_plot_audio_*() from the streaming thread; each writes its
 * own series, and mst_plot_write_png() reads both after the pipeline has
 * stopped.
 */
#ifndef __MST_PLOT_H__
#define __MST_PLOT_H__

#include <gst/gst.h>
#include <gst/audio/audio.h>

#include "dsp/targets.h"
#include "mstjob.h"
#include "mstreport.h"

G_BEGIN_DECLS

#define MST_PLOT_DEFAULT_WIDTH 1200
#define MST_PLOT_DEFAULT_HEIGHT 600
#define MST_PLOT_MIN_WIDTH 600
#define MST_PLOT_MIN_HEIGHT 300
#define MST_PLOT_MAX_WIDTH 8000
#define MST_PLOT_MAX_HEIGHT 4000
/* Meter message interval while plotting: one loudness point per 100 ms. */
#define MST_PLOT_INTERVAL (100 * GST_MSECOND)

typedef struct _MstPlot MstPlot;

/* ceiling_dbtp: true peaks above it are marked as overs. */
MstPlot *mst_plot_new (gdouble ceiling_dbtp);
void mst_plot_free (MstPlot * plot);

/* A `loudnessmeter` message structure (any, also the final one). */
void mst_plot_meter_message (MstPlot * plot, const GstStructure * s);
/* The format of the meter's input (its CAPS event) and its buffers. */
void mst_plot_audio_caps (MstPlot * plot, const GstAudioInfo * info);
void mst_plot_audio_buffer (MstPlot * plot, GstBuffer * buf);
/* A GAP of duration ns (measured as silence by the meter). */
void mst_plot_audio_gap (MstPlot * plot, GstClockTime duration);

/* What the plot shows besides the series. */
typedef struct
{
  const gchar *title;           /* file name (UTF-8) */
  gdouble duration;             /* s; <= 0: from the series */
  gdouble integrated;           /* LUFS, -inf: none */
  gdouble range;                /* LU */
  gdouble true_peak_max;        /* dBTP, -inf: not measured */
  const MstTarget *target;      /* the band, or NULL */
} MstPlotInfo;

/* Draws width x height pixels to path (written to a temporary file and
 * renamed); FALSE with error set if it cannot be written. */
gboolean mst_plot_write_png (MstPlot * plot, const MstPlotInfo * info,
    const gchar * path, gint width, gint height, GError ** error);

/* Number of 100 ms intervals whose true peak was above the ceiling. */
guint64 mst_plot_overs (const MstPlot * plot);

/* "WxH" -> width, height within the limits above; FALSE if not. */
gboolean mst_plot_parse_size (const gchar * s, gint * width, gint * height);

/* The options `analyze` and `master` share: --plot FILE.png and
 * --plot-size WxH.  Put MST_PLOT_OPTION_ENTRIES (&opts) into a
 * GOptionEntry array. */
typedef struct
{
  gchar *path;                  /* --plot, NULL: no plot */
  gchar *size;                  /* --plot-size */
  gint width, height;           /* parsed by mst_plot_options_check() */
} MstPlotOptions;

#define MST_PLOT_OPTION_ENTRIES(o) \
  {"plot", 0, 0, G_OPTION_ARG_FILENAME, &(o)->path, \
    "Draw loudness over time (momentary, short-term, integrated, target " \
    "band, true-peak overs) to a PNG file", "FILE.png"}, \
  {"plot-size", 0, 0, G_OPTION_ARG_STRING, &(o)->size, \
    "Size of the plot in pixels (default 1200x600)", "WxH"}

/* Validates the options; on error returns a message for
 * mst_cli_usage_error() (g_free it), else NULL. */
gchar *mst_plot_options_check (MstPlotOptions * o);
void mst_plot_options_clear (MstPlotOptions * o);

/* Writes the plot of a measurement (r->plot, fed while measuring) to
 * o->path with the target band of t (NULL: none) and the title `title`
 * (NULL: the base name of r->source); sets r->plot_file.  On failure
 * prints one error line and returns MST_EXIT_OUTPUT. */
MstExit mst_plot_write_report (const MstPlotOptions * o, MstReport * r,
    const MstTarget * t, const gchar * title);

G_END_DECLS
#endif /* __MST_PLOT_H__ */
