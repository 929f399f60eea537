/* gst-mastering CLI — pipeline builder and runner
 *
 * An MstJob is one pipeline run by a subcommand: the subcommand creates
 * its processing chain with mst_job_make() / mst_job_link(), attaches a
 * source to the chain's first element (a file or URI through uridecodebin,
 * or the built-in demo mix through appsrc) and runs it to EOS with
 * mst_job_run(), which reads the bus, hands element messages to the
 * subcommand, shows progress and turns every failure into a message and
 * one of the documented exit codes.
 */
#ifndef __MST_JOB_H__
#define __MST_JOB_H__

#include <gst/gst.h>

G_BEGIN_DECLS

/* Exit codes of gst-mastering (documented in --help and the README). */
typedef enum
{
  MST_EXIT_OK = 0,
  MST_EXIT_FAILURE = 1,         /* internal or unclassified error */
  MST_EXIT_USAGE = 2,           /* bad command line */
  MST_EXIT_NO_INPUT = 3,        /* input missing or unreadable */
  MST_EXIT_NOT_AUDIO = 4,       /* not audio, no audio stream, unsupported */
  MST_EXIT_MISSING_PLUGIN = 5,  /* decoder or GStreamer element missing */
  MST_EXIT_STREAM = 6,          /* error while decoding / processing */
  MST_EXIT_OUTPUT = 7,          /* output cannot be written */
  MST_EXIT_TARGET = 8,          /* master: the result misses the target
                                 * (or, with --strict, needed more
                                 * limiting than allowed) */
} MstExit;

typedef struct _MstJob MstJob;

/* Called from mst_job_run() (the thread that runs the job) for every
 * element message and every tag message. */
typedef void (*MstJobMessageFunc) (MstJob * job, GstMessage * msg,
    gpointer user_data);

MstJob *mst_job_new (void);
void mst_job_free (MstJob * job);

GstPipeline *mst_job_pipeline (MstJob * job);

/* Creates an element from factory, adds it to the pipeline and returns it
 * (owned by the pipeline); NULL, with a MISSING_PLUGIN failure recorded,
 * if the factory does not exist. */
GstElement *mst_job_make (MstJob * job, const gchar * factory,
    const gchar * name);
/* Links the NULL-terminated list of elements; records a failure and
 * returns FALSE if a link fails. */
gboolean mst_job_link (MstJob * job, GstElement * first, ...)
    G_GNUC_NULL_TERMINATED;

/* Sources.  Both link to the sink pad of `sink`.
 *
 * add_input: a file name or a URI, decoded with uridecodebin; the first
 * raw audio stream goes to `sink`, other streams are discarded.  Checks
 * local files up front (missing, unreadable, directory).  max_channels
 * (0: any) rejects streams the chain cannot handle.
 *
 * add_demo: the built-in demo mix (tools/demomix.h), F32 stereo at rate,
 * through appsrc. */
gboolean mst_job_add_input (MstJob * job, const gchar * input,
    GstElement * sink, gint max_channels);
gboolean mst_job_add_demo (MstJob * job, guint rate, GstElement * sink);

/* Caps of the decoded stream that was linked (or the demo caps); NULL
 * before.  Transfer none. */
GstCaps *mst_job_source_caps (MstJob * job);
/* Display name of the input ("demo mix (built-in)" or the file name). */
const gchar *mst_job_source_name (MstJob * job);

/* The first decoded caps fix the rate, channel count and layout (and the
 * sample format, unless capsfilter's caps already name one) that
 * `capsfilter` — preceded by audioconvert and audioresample in the chain —
 * lets through: a format change in the middle of the input (chained Ogg,
 * concatenated MP3s at another rate, a layout switch) is converted to the
 * first format, so what follows sees one stream.  Call before running. */
void mst_job_lock_format (MstJob * job, GstElement * capsfilter);
/* Format changes seen at the chain's input after the first caps, and a
 * description of the first one ("F32LE 44100 Hz, 2 channels -> ..."),
 * valid until the job is freed. */
guint mst_job_format_changes (MstJob * job, const gchar ** first_change);
/* TRUE if the decoder produced more channels than the stream states
 * (e.g. a mono AAC decoded as stereo); a format lock then folds a mono
 * stream back to one channel. */
gboolean mst_job_decoder_upmix (MstJob * job, gint * coded, gint * decoded);
/* Audio streams that were measured one after another (chained streams:
 * more than 1). */
guint mst_job_n_chains (MstJob * job);

void mst_job_set_message_func (MstJob * job, MstJobMessageFunc func,
    gpointer user_data);
/* Quiet: no notes and warnings on stderr (errors are still returned). */
void mst_job_set_quiet (MstJob * job, gboolean quiet);

/* Runs the pipeline until EOS or an error.  With progress, a percentage
 * labelled `label` is drawn on stderr (callers pass TRUE only when stderr
 * is a terminal), or handed to the calling thread's progress function. */
MstExit mst_job_run (MstJob * job, gboolean progress, const gchar * label);

/* Where the progress of jobs run by the calling thread goes instead of a
 * line on stderr (NULL: back to the line): pos and dur in seconds (dur
 * <= 0 if unknown), speed in x real time (0 if not known yet).  Used by
 * batch workers (mstbatch.h), which draw one line per running input. */
typedef void (*MstJobProgressFunc) (const gchar * label, gdouble pos,
    gdouble dur, gdouble speed, gpointer user_data);
void mst_job_set_thread_progress (MstJobProgressFunc func,
    gpointer user_data);

/* Duration of the input as the container announced it at EOS (ns), -1
 * if unknown (demo mix, or a stream without duration). */
gint64 mst_job_duration (MstJob * job);

/* Records a failure (the first one wins) and returns its code.  Safe from
 * any thread; a running job stops. */
MstExit mst_job_fail (MstJob * job, MstExit code, const gchar * format, ...)
    G_GNUC_PRINTF (3, 4);
/* The recorded failure: message (NULL if none) and code. */
const gchar *mst_job_error_message (MstJob * job);
MstExit mst_job_exit_code (MstJob * job);

G_END_DECLS
#endif /* __MST_JOB_H__ */
