/* gst-mastering CLI — the analysis report and the loudness targets
 *
 * MstReport collects what one measurement found (input, format, the
 * fields of the final `loudnessmeter` message); it is printed as an
 * aligned text report or as JSON, with a verdict against every delivery
 * target of dsp/targets.h (the table `master` and `loudnorm` use too).
 */
#ifndef __MST_REPORT_H__
#define __MST_REPORT_H__

#include <stdio.h>
#include <gst/gst.h>
#include <gst/audio/audio.h>

#include "dsp/diag.h"
#include "dsp/targets.h"

G_BEGIN_DECLS

#define MST_REPORT_MAX_CHANNELS 8       /* what loudnessmeter measures */

typedef struct
{
  /* input */
  gchar *source;                /* what was analyzed, for display */
  gboolean is_demo;
  gchar *source_format;         /* decoded stream: format name or NULL */
  gint source_rate;
  gint source_channels;
  gint decoded_channels;        /* > source_channels: the decoder upmixed */
  guint chains;                 /* chained streams measured (0/1: one) */
  guint format_changes;         /* format changes inside the input */
  gchar *format_change;         /* the first one, "A -> B", or NULL */

  /* the stream the meter measured */
  gchar *format;
  gint rate;
  gint channels;
  gchar channel_names[MST_REPORT_MAX_CHANNELS][8];
  guint64 frames;               /* frames measured */
  gdouble container_duration;   /* s the container announced, 0: unknown */
  gboolean truncated;           /* decoded clearly less than announced */

  /* the final loudnessmeter message (undefined values are -inf) */
  gboolean complete;            /* a final message was seen */
  gboolean true_peak_measured;
  gdouble integrated;           /* LUFS */
  gdouble range;                /* LU */
  gdouble momentary_max;        /* LUFS */
  gdouble shortterm_max;        /* LUFS */
  gdouble relative_threshold;   /* LUFS */
  gdouble true_peak[MST_REPORT_MAX_CHANNELS];   /* dBTP */
  gdouble sample_peak[MST_REPORT_MAX_CHANNELS]; /* dBFS */
  gdouble true_peak_max;        /* dBTP */
  gdouble sample_peak_max;      /* dBFS */
  gdouble plr;                  /* LU */

  gdouble elapsed;              /* wall-clock seconds of the analysis */

  /* the pre-mastering checklist (dsp/diag.h), if measured */
  gboolean has_diag;
  MstDiagResult diag;

  /* --plot (tools/mstplot.h): set by the caller before measuring, which
   * then feeds it; plot_file: the PNG written, for the report.  Both
   * owned by the caller. */
  struct _MstPlot *plot;
  const gchar *plot_file;
  /* --codec-preview (tools/mstcodec.h), owned by the caller, or NULL */
  struct _MstCodecPreview *codec_preview;
} MstReport;

/* What a report means for one target. */
typedef struct
{
  gboolean defined;             /* FALSE if nothing passed the gates */
  gdouble deviation;            /* integrated - target, LU */
  gboolean loudness_ok;         /* |deviation| <= tolerance */
  gboolean peak_is_true_peak;   /* FALSE: sample peak (true peak off) */
  gdouble peak;                 /* dBTP (or dBFS) */
  gdouble peak_over;            /* peak - ceiling, dB; > 0 is too high */
  gboolean peak_ok;
  gdouble gain;                 /* gain that reaches the target, dB */
  gdouble limit;                /* peak reduction still needed after that
                                 * gain to meet the ceiling, dB, >= 0 */
  gboolean shortterm_ok;        /* max. short-term (or momentary) within
                                 * the target's maximum, if it has one */
  gboolean ok;                  /* defined and all of the above */
} MstVerdict;

void mst_report_init (MstReport * r);
void mst_report_clear (MstReport * r);

/* Takes the stream format from caps (the meter's sink caps). */
void mst_report_set_format (MstReport * r, const GstCaps * caps);
/* Takes the decoded source format from caps. */
void mst_report_set_source_format (MstReport * r, const GstCaps * caps);
/* Reads a `loudnessmeter` message structure; returns TRUE if it was the
 * final one (the report is then complete). */
gboolean mst_report_update (MstReport * r, const GstStructure * s);

void mst_target_evaluate (const MstTarget * t, const MstReport * r,
    MstVerdict * v);

void mst_report_print_text (const MstReport * r, FILE * out);
/* The checklist's plain-language notes (NULL-terminated; g_strfreev). */
gchar **mst_report_checklist_notes (const MstReport * r);
void mst_report_print_json (const MstReport * r, FILE * out);
/* A JSON number with 4 decimals whatever the locale; null when not finite
 * (shared by every JSON writer of the tool). */
void mst_json_number (FILE * out, gdouble v);

G_END_DECLS
#endif /* __MST_REPORT_H__ */
