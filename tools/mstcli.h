/* gst-mastering CLI — helpers shared by the subcommands
 *
 * Option parsing and error lines in one style, finding the plugin, and
 * one measurement run (decode -> loudnessmeter) that `analyze` reports
 * and `master` uses for its analysis and verification passes.
 */
#ifndef __MST_CLI_H__
#define __MST_CLI_H__

#include <stdio.h>

#include <gst/gst.h>

#include "mstjob.h"
#include "mstreport.h"

G_BEGIN_DECLS

#define MST_PROGRAM "gst-mastering"

/* Parses argv (argv[0] is the subcommand); on failure prints the error
 * and returns FALSE. */
gboolean mst_cli_parse_options (gint * argc, gchar *** argv,
    const gchar * params, const gchar * summary,
    const GOptionEntry * entries);
/* Prints "gst-mastering: MESSAGE / Try ..." and returns MST_EXIT_USAGE. */
gint mst_cli_usage_error (const gchar * command, const gchar * message);
/* Makes a plugin element available (registry, build tree, install dir). */
gboolean mst_cli_ensure_element (const gchar * name);
gboolean mst_cli_have_element (const gchar * name);
gboolean mst_cli_stderr_is_terminal (void);

/* Prints "gst-mastering: error: MESSAGE" and keeps MESSAGE as the calling
 * thread's last error (batch summaries and JSON error objects). */
void mst_cli_error (const gchar * format, ...) G_GNUC_PRINTF (1, 2);
const gchar *mst_cli_last_error (void);
void mst_cli_clear_error (void);
/* Sets the last error without printing it (printed elsewhere). */
void mst_cli_set_last_error (const gchar * msg);
/* {"source": ..., "error": ..., "exit_code": ...} */
void mst_cli_print_json_error (FILE * out, const gchar * input,
    const gchar * msg, gint code);

/* Measures input (a file or URI; NULL: the demo mix) with loudnessmeter
 * and fills report (initialised by the caller); with diagnostics also
 * the pre-mastering checklist (dsp/diag.h).  tags (optional)
 * receives the tags the decoder found (NULL if none).  Progress is drawn
 * with label when `progress`.  On failure prints one error line and
 * returns the exit code. */
MstExit mst_cli_measure (const gchar * input, gboolean true_peak,
    gboolean diagnostics, gboolean progress, gboolean quiet,
    const gchar * label, MstReport * report, GstTagList ** tags);

/* Copies what the job saw of the input's format (decoder upmix, chained
 * streams, format changes) into the report. */
void mst_cli_report_job_format (MstReport * report, MstJob * job);

G_END_DECLS
#endif /* __MST_CLI_H__ */
