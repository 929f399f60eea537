/* gst-mastering CLI — several inputs in parallel
 *
 * mst_batch_run() runs a function on every item of a list in `jobs`
 * worker threads (each item's GStreamer pipelines run in the worker that
 * took it: MstJob reads its bus without a main loop, so pipelines of
 * different workers are independent), and prints each item's text on
 * stdout in input order as soon as it and every item before it are done.
 * Per-item progress (one line per running item, redrawn in place) goes to
 * stderr when asked; messages printed with g_printerr() meanwhile (errors,
 * warnings) are written above the progress lines.
 */
#ifndef __MST_BATCH_H__
#define __MST_BATCH_H__

#include <glib.h>

#include "mstjob.h"

G_BEGIN_DECLS

typedef struct
{
  const gchar *input;           /* as given on the command line */
  gpointer data;                /* the caller's per-item data */
  /* filled by the worker function */
  MstExit code;
  gchar *text;                  /* printed on stdout in input order */
  gchar *summary;               /* one summary line, without newline */
  /* private */
  gboolean done;
} MstBatchItem;

typedef void (*MstBatchFunc) (MstBatchItem * item, gpointer user_data);

/* The default number of parallel jobs: the online processors. */
guint mst_batch_default_jobs (void);

/* Runs func on items[0..n-1] with at most `jobs` at a time.  `separator`
 * is printed between two non-empty item texts.  With progress, one line per
 * running item on stderr (label, percent, speed, ETA).  Returns the exit
 * code of the first item (in input order) that failed, or MST_EXIT_OK. */
MstExit mst_batch_run (MstBatchItem * items, guint n, guint jobs,
    gboolean progress, const gchar * separator, MstBatchFunc func,
    gpointer user_data);

void mst_batch_items_clear (MstBatchItem * items, guint n);

G_END_DECLS
#endif /* __MST_BATCH_H__ */
