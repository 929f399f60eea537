/* gst-mastering CLI — pipeline builder and runner (see mstjob.h)
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "mstjob.h"
#include "demomix.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <gst/app/gstappsrc.h>
#include <gst/audio/audio.h>
#include <gst/pbutils/missing-plugins.h>

#define DEMO_CHUNK_FRAMES 8192
#define PROGRESS_INTERVAL (100 * GST_MSECOND)
/* how long a generic flow error waits for the specific one behind it */
#define GENERIC_ERROR_WAIT (500 * GST_MSECOND)
/* how long the look at a network source that failed may take */
#define PROBE_TIMEOUT_S 5

/* decodebin's autoplug-select result (not in a public header) */
typedef enum
{
  AUTOPLUG_SELECT_TRY,
  AUTOPLUG_SELECT_EXPOSE,
  AUTOPLUG_SELECT_SKIP
} AutoplugSelectResult;

struct _MstJob
{
  GstElement *pipeline;
  GMutex lock;

  /* the first failure, under the lock */
  MstExit code;
  gchar *error;

  /* source */
  gchar *source_name;
  gchar *uri;                   /* a network URI (not file://), or NULL */
  GstElement *sink;             /* the chain the source feeds */
  gint max_channels;
  gboolean is_demo;
  gboolean linked;              /* an audio stream reached the chain */
  guint n_audio;                /* raw audio streams seen */
  GstCaps *source_caps;
  /* chained streams (e.g. concatenated Ogg files): the decoder exposes a
   * new group of pads after the first one's no-more-pads */
  gboolean group_done;          /* no-more-pads seen for the current group */
  gboolean group_taken;         /* an audio pad of this group is linked */
  /* the stream of the group that is measured: the first audio stream in
   * the container's order (decodebin exposes the decoded pads in an order
   * of its own, which can vary from run to run); NULL: the first pad */
  gchar *audio_sid;
  gboolean sid_reset;           /* a new group: look for its first stream */
  guint n_chains;               /* audio streams linked one after another */
  /* format lock (mst_job_lock_format) */
  GstElement *lock_filter;
  GstCaps *first_caps;          /* first raw caps at the chain's input */
  guint n_format_changes;
  gchar *format_change;         /* "44100 Hz 2 ch -> 48000 Hz 1 ch" */
  /* one stream downstream of the chain's input: a later chain's
   * stream-start and segment are dropped, its timestamps continue those of
   * the previous chain (encoders such as flacenc take one segment) */
  gboolean seen_stream_start;
  gboolean seen_segment;
  gboolean continuing;          /* buffers of a later chain: retimed */
  GstSegment segment;           /* the current chain's segment */
  GstClockTime ts_offset;       /* running time where the chain starts, ns */
  GstClockTime end;             /* end of the last buffer passed on, ns */
  gint coded_channels;          /* channels the container/codec states, or 0 */
  gint decoded_channels;        /* channels the decoder produced */
  GPtrArray *missing;           /* descriptions of missing plugins */

  /* demo source */
  MstDemoMix *mix;
  guint64 demo_frames;          /* frames pushed */

  MstJobMessageFunc message_func;
  gpointer message_data;

  /* stderr output */
  gboolean quiet;               /* no notes and warnings */
  gboolean progress_shown;
  gint64 t_start;               /* monotonic us when the run started */
  gint64 duration;              /* ns the demuxer announced, -1 unknown */
};

MstJob *
mst_job_new (void)
{
  MstJob *job = g_new0 (MstJob, 1);

  g_mutex_init (&job->lock);
  job->pipeline = gst_pipeline_new ("gst-mastering");
  job->missing = g_ptr_array_new_with_free_func (g_free);
  job->duration = -1;
  return job;
}

void
mst_job_free (MstJob * job)
{
  if (!job)
    return;
  gst_element_set_state (job->pipeline, GST_STATE_NULL);
  gst_object_unref (job->pipeline);
  if (job->mix)
    mst_demomix_free (job->mix);
  gst_clear_caps (&job->source_caps);
  gst_clear_caps (&job->first_caps);
  g_free (job->format_change);
  g_ptr_array_unref (job->missing);
  g_free (job->source_name);
  g_free (job->uri);
  g_free (job->audio_sid);
  g_free (job->error);
  g_mutex_clear (&job->lock);
  g_free (job);
}

GstPipeline *
mst_job_pipeline (MstJob * job)
{
  return GST_PIPELINE (job->pipeline);
}

MstExit
mst_job_fail (MstJob * job, MstExit code, const gchar * format, ...)
{
  gboolean first = FALSE;
  va_list ap;

  g_mutex_lock (&job->lock);
  if (job->code == MST_EXIT_OK) {
    va_start (ap, format);
    job->error = g_strdup_vprintf (format, ap);
    va_end (ap);
    job->code = code;
    first = TRUE;
  }
  code = job->code;
  g_mutex_unlock (&job->lock);

  /* wake up mst_job_run() */
  if (first)
    gst_element_post_message (job->pipeline,
        gst_message_new_application (GST_OBJECT (job->pipeline),
            gst_structure_new_empty ("mst-job-abort")));
  return code;
}

const gchar *
mst_job_error_message (MstJob * job)
{
  return job->error;
}

MstExit
mst_job_exit_code (MstJob * job)
{
  MstExit code;

  g_mutex_lock (&job->lock);
  code = job->code;
  g_mutex_unlock (&job->lock);
  return code;
}

GstElement *
mst_job_make (MstJob * job, const gchar * factory, const gchar * name)
{
  GstElement *e = gst_element_factory_make (factory, name);

  if (!e) {
    mst_job_fail (job, MST_EXIT_MISSING_PLUGIN,
        "the GStreamer element '%s' is missing (check your GStreamer "
        "installation)", factory);
    return NULL;
  }
  gst_bin_add (GST_BIN (job->pipeline), e);
  return e;
}

gboolean
mst_job_link (MstJob * job, GstElement * first, ...)
{
  GstElement *prev = first, *next;
  gboolean ok = TRUE;
  va_list ap;

  if (!first)
    return FALSE;
  va_start (ap, first);
  while (ok && (next = va_arg (ap, GstElement *))) {
    if (!gst_element_link (prev, next)) {
      mst_job_fail (job, MST_EXIT_FAILURE, "cannot link %s to %s",
          GST_OBJECT_NAME (prev), GST_OBJECT_NAME (next));
      ok = FALSE;
    }
    prev = next;
  }
  va_end (ap);
  return ok;
}

GstCaps *
mst_job_source_caps (MstJob * job)
{
  GstCaps *caps;

  g_mutex_lock (&job->lock);
  caps = job->source_caps;
  g_mutex_unlock (&job->lock);
  return caps;
}

const gchar *
mst_job_source_name (MstJob * job)
{
  return job->source_name;
}

void
mst_job_lock_format (MstJob * job, GstElement * capsfilter)
{
  job->lock_filter = capsfilter;
}

guint
mst_job_format_changes (MstJob * job, const gchar ** first_change)
{
  guint n;

  g_mutex_lock (&job->lock);
  n = job->n_format_changes;
  if (first_change)
    *first_change = job->format_change;
  g_mutex_unlock (&job->lock);
  return n;
}

gboolean
mst_job_decoder_upmix (MstJob * job, gint * coded, gint * decoded)
{
  gboolean upmix;

  g_mutex_lock (&job->lock);
  upmix = job->coded_channels > 0 && job->decoded_channels >
      job->coded_channels;
  if (coded)
    *coded = job->coded_channels;
  if (decoded)
    *decoded = job->decoded_channels;
  g_mutex_unlock (&job->lock);
  return upmix;
}

guint
mst_job_n_chains (MstJob * job)
{
  guint n;

  g_mutex_lock (&job->lock);
  n = job->n_chains;
  g_mutex_unlock (&job->lock);
  return n;
}

void
mst_job_set_quiet (MstJob * job, gboolean quiet)
{
  job->quiet = quiet;
}

void
mst_job_set_message_func (MstJob * job, MstJobMessageFunc func,
    gpointer user_data)
{
  job->message_func = func;
  job->message_data = user_data;
}

/* ---- file / URI source --------------------------------------------------- */

/* Discards a stream nobody measures, without blocking the demuxer. */
static void
discard_pad (MstJob * job, GstPad * pad)
{
  GstElement *sink = gst_element_factory_make ("fakesink", NULL);
  GstPad *sinkpad;

  if (!sink)
    return;
  g_object_set (sink, "sync", FALSE, "async", FALSE, NULL);
  gst_bin_add (GST_BIN (job->pipeline), sink);
  sinkpad = gst_element_get_static_pad (sink, "sink");
  gst_pad_link (pad, sinkpad);
  gst_object_unref (sinkpad);
  gst_element_sync_state_with_parent (sink);
}

/* "48000 Hz, 2 channels" for messages */
static gchar *
describe_caps (const GstCaps * caps)
{
  GstAudioInfo info;

  if (!gst_audio_info_from_caps (&info, caps))
    return g_strdup ("unknown format");
  return g_strdup_printf ("%s %d Hz, %d channel%s",
      GST_AUDIO_INFO_NAME (&info), GST_AUDIO_INFO_RATE (&info),
      GST_AUDIO_INFO_CHANNELS (&info),
      GST_AUDIO_INFO_CHANNELS (&info) == 1 ? "" : "s");
}

/* The first caps at the chain's input fix what the lock filter passes
 * (rate, channels, layout, and the sample format unless the filter already
 * names one): a later change of format (a new chain of a chained Ogg file,
 * concatenated MP3s at another rate, a broadcast capture that switches
 * layout) is converted to the first format by the audioconvert and
 * audioresample in front of the filter, so the meter sees one stream and
 * measures the whole input.  Streaming thread, before the event goes on. */
static void
track_format (MstJob * job, GstCaps * caps)
{
  GstAudioInfo first, now;

  if (!gst_audio_info_from_caps (&now, caps))
    return;
  g_mutex_lock (&job->lock);
  if (!job->first_caps) {
    gboolean upmixed;

    job->first_caps = gst_caps_copy (caps);
    job->decoded_channels = GST_AUDIO_INFO_CHANNELS (&now);
    /* a mono stream the decoder hands out as two identical channels (faad
     * does): measured as the mono it is, folded back by audioconvert */
    upmixed = job->coded_channels == 1
        && GST_AUDIO_INFO_CHANNELS (&now) == 2;
    g_mutex_unlock (&job->lock);
    if (job->lock_filter) {
      GstCaps *want, *old = NULL, *fixed;
      GstStructure *s;

      want = gst_audio_info_to_caps (&now);
      s = gst_caps_get_structure (want, 0);
      gst_structure_remove_fields (s, "layout", NULL);
      if (upmixed) {
        gst_structure_remove_field (s, "channel-mask");
        gst_structure_set (s, "channels", G_TYPE_INT, 1, NULL);
      }
      g_object_get (job->lock_filter, "caps", &old, NULL);
      if (old && !gst_caps_is_any (old)) {
        /* the first format if the filter allows it, else the filter's */
        fixed = gst_caps_intersect (old, want);
        if (gst_caps_is_empty (fixed)) {
          gst_caps_unref (fixed);
          gst_structure_remove_field (s, "format");
          fixed = gst_caps_intersect (old, want);
        }
        if (gst_caps_is_empty (fixed)) {
          /* a rate the filter does not allow: the nearest one it does */
          gst_caps_unref (fixed);
          gst_structure_remove_field (s, "rate");
          fixed = gst_caps_intersect (old, want);
          if (!gst_caps_is_empty (fixed)) {
            fixed = gst_caps_make_writable (fixed);
            gst_structure_fixate_field_nearest_int (gst_caps_get_structure
                (fixed, 0), "rate", GST_AUDIO_INFO_RATE (&now));
          }
        }
        fixed = gst_caps_fixate (fixed);
      } else {
        fixed = gst_caps_ref (want);
      }
      g_object_set (job->lock_filter, "caps", fixed, NULL);
      gst_caps_unref (fixed);
      gst_caps_unref (want);
      gst_clear_caps (&old);
    }
    return;
  }
  if (!gst_audio_info_from_caps (&first, job->first_caps)
      || (GST_AUDIO_INFO_RATE (&first) == GST_AUDIO_INFO_RATE (&now)
          && GST_AUDIO_INFO_CHANNELS (&first) == GST_AUDIO_INFO_CHANNELS (&now)
          && GST_AUDIO_INFO_FORMAT (&first) == GST_AUDIO_INFO_FORMAT (&now)
          && memcmp (first.position, now.position,
              sizeof (first.position[0]) * GST_AUDIO_INFO_CHANNELS (&now))
          == 0)) {
    g_mutex_unlock (&job->lock);
    return;
  }
  job->n_format_changes++;
  if (!job->format_change) {
    gchar *a = describe_caps (job->first_caps), *b = describe_caps (caps);

    job->format_change = g_strdup_printf ("%s -> %s", a, b);
    g_free (a);
    g_free (b);
  }
  g_mutex_unlock (&job->lock);
}

/* Multichannel caps without a channel-mask (e.g. a plain PCM WAV with more
 * than two channels) cannot be converted: mark the channels unpositioned
 * (mask 0), which loudnessmeter weighs 1.0 each without guessing a layout. */
static GstPadProbeReturn
fix_channel_mask (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  MstJob *job = user_data;
  GstEvent *ev = GST_PAD_PROBE_INFO_EVENT (info);
  const GstStructure *s;
  GstCaps *caps;
  gint channels;

  if (GST_EVENT_TYPE (ev) != GST_EVENT_CAPS)
    return GST_PAD_PROBE_OK;
  gst_event_parse_caps (ev, &caps);
  if (gst_caps_get_size (caps) < 1)
    return GST_PAD_PROBE_OK;
  s = gst_caps_get_structure (caps, 0);
  if (!gst_structure_has_name (s, "audio/x-raw"))
    return GST_PAD_PROBE_OK;
  if (gst_structure_get_int (s, "channels", &channels) && channels > 2
      && !gst_structure_has_field (s, "channel-mask")) {
    caps = gst_caps_copy (caps);
    gst_caps_set_simple (caps, "channel-mask", GST_TYPE_BITMASK,
        G_GUINT64_CONSTANT (0), NULL);
    if (!job->quiet)
      g_printerr ("gst-mastering: note: %s has no channel layout; its %d "
          "channels are measured unpositioned (each with weight 1.0)\n",
          job->source_name, channels);
    GST_PAD_PROBE_INFO_DATA (info) = gst_event_new_caps (caps);
    gst_event_unref (ev);
    track_format (job, caps);
    gst_caps_unref (caps);
    return GST_PAD_PROBE_OK;
  }
  track_format (job, caps);
  return GST_PAD_PROBE_OK;
}

/* Makes consecutive chains one stream for what follows (see MstJob). */
static GstPadProbeReturn
join_chains (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  MstJob *job = user_data;

  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
    GstClockTime pts = GST_BUFFER_PTS (buf), rt = GST_CLOCK_TIME_NONE;

    if (GST_CLOCK_TIME_IS_VALID (pts) &&
        job->segment.format == GST_FORMAT_TIME)
      rt = gst_segment_to_running_time (&job->segment, GST_FORMAT_TIME, pts);
    if (job->continuing) {
      buf = gst_buffer_make_writable (buf);
      GST_BUFFER_PTS (buf) = GST_CLOCK_TIME_IS_VALID (rt) ?
          rt + job->ts_offset : GST_CLOCK_TIME_NONE;
      GST_BUFFER_DTS (buf) = GST_CLOCK_TIME_NONE;
      GST_PAD_PROBE_INFO_DATA (info) = buf;
      rt = GST_BUFFER_PTS (buf);
    }
    if (GST_CLOCK_TIME_IS_VALID (rt))
      job->end = rt + (GST_BUFFER_DURATION_IS_VALID (buf) ?
          GST_BUFFER_DURATION (buf) : 0);
    return GST_PAD_PROBE_OK;
  }
  if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
    GstEvent *ev = GST_PAD_PROBE_INFO_EVENT (info);

    switch (GST_EVENT_TYPE (ev)) {
      case GST_EVENT_STREAM_START:
        if (job->seen_stream_start)
          return GST_PAD_PROBE_DROP;
        job->seen_stream_start = TRUE;
        break;
      case GST_EVENT_SEGMENT:
        gst_event_copy_segment (ev, &job->segment);
        if (job->seen_segment) {
          job->continuing = TRUE;
          job->ts_offset = GST_CLOCK_TIME_IS_VALID (job->end) ? job->end : 0;
          return GST_PAD_PROBE_DROP;
        }
        job->seen_segment = TRUE;
        if (job->segment.format == GST_FORMAT_TIME &&
            GST_CLOCK_TIME_IS_VALID (job->segment.stop)) {
          /* a chain's segment stops at its end: open it for the chains
           * that may follow (the samples say where the stream ends) */
          GstSegment open = job->segment;

          open.stop = GST_CLOCK_TIME_NONE;
          open.duration = GST_CLOCK_TIME_NONE;
          GST_PAD_PROBE_INFO_DATA (info) = gst_event_new_segment (&open);
          gst_event_unref (ev);
        }
        break;
      default:
        break;
    }
  }
  return GST_PAD_PROBE_OK;
}

static void
on_pad_added (GstElement * dec, GstPad * pad, MstJob * job)
{
  GstCaps *caps = gst_pad_get_current_caps (pad);
  const GstStructure *s;
  gboolean audio, take = FALSE, next_chain = FALSE;
  gint channels;

  if (!caps)
    caps = gst_pad_query_caps (pad, NULL);
  s = gst_caps_get_size (caps) > 0 ? gst_caps_get_structure (caps, 0) : NULL;
  audio = s && gst_structure_has_name (s, "audio/x-raw");

  g_mutex_lock (&job->lock);
  if (job->group_done) {
    /* a pad after no-more-pads: the next chain of a chained stream; the
     * previous group has been drained and its pads go away */
    job->group_done = FALSE;
    job->group_taken = FALSE;
  }
  if (audio) {
    gchar *sid = gst_pad_get_stream_id (pad);

    job->n_audio++;
    if (!job->group_taken && (!job->audio_sid || !sid ||
            !strcmp (sid, job->audio_sid))) {
      job->group_taken = take = TRUE;
      next_chain = job->linked;
      job->linked = TRUE;
      job->n_chains++;
      if (!job->source_caps)
        gst_caps_replace (&job->source_caps, caps);
    }
    g_free (sid);
  }
  g_mutex_unlock (&job->lock);

  if (!take) {
    if (audio && !job->quiet)
      g_printerr ("gst-mastering: note: %s has more than one audio "
          "stream; only the first one is analyzed\n", job->source_name);
    discard_pad (job, pad);
  } else if (job->max_channels > 0 && gst_structure_get_int (s, "channels",
          &channels) && channels > job->max_channels) {
    /* refused rather than silently downmixed by audioconvert */
    mst_job_fail (job, MST_EXIT_NOT_AUDIO,
        "%s: %d-channel audio is not supported (at most %d channels)",
        job->source_name, channels, job->max_channels);
    discard_pad (job, pad);
  } else {
    GstPad *sinkpad = gst_element_get_static_pad (job->sink, "sink");
    GstPad *old = gst_pad_get_peer (sinkpad);
    GstPadLinkReturn ret;

    if (old) {
      /* the previous chain's pad, drained (its EOS is not forwarded) */
      gst_pad_unlink (old, sinkpad);
      gst_object_unref (old);
    }
    if (!next_chain) {
      gst_pad_add_probe (sinkpad, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
          fix_channel_mask, job, NULL);
      gst_segment_init (&job->segment, GST_FORMAT_TIME);
      job->end = GST_CLOCK_TIME_NONE;
      gst_pad_add_probe (sinkpad, GST_PAD_PROBE_TYPE_BUFFER |
          GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, join_chains, job, NULL);
    }
    ret = gst_pad_link (pad, sinkpad);
    gst_object_unref (sinkpad);
    if (GST_PAD_LINK_FAILED (ret))
      mst_job_fail (job, MST_EXIT_NOT_AUDIO,
          "%s: cannot handle this audio format (%s)", job->source_name,
          gst_pad_link_get_name (ret));
  }
  gst_caps_unref (caps);
}

static void
on_no_more_pads (GstElement * dec, MstJob * job)
{
  gboolean linked;

  g_mutex_lock (&job->lock);
  linked = job->linked;
  job->group_done = TRUE;
  job->sid_reset = TRUE;
  g_mutex_unlock (&job->lock);

  /* without an audio stream the chain never sees data nor EOS: stop, and
   * let mst_job_run() tell "no audio" from "no decoder" */
  if (!linked)
    gst_element_post_message (job->pipeline,
        gst_message_new_application (GST_OBJECT (job->pipeline),
            gst_structure_new_empty ("mst-job-no-audio")));
}

/* Every stream decodebin looks at, in the container's order: remembers
 * the first audio stream of the group.  A demuxer's streams have its
 * input's stream-id + "/" + their own, so a container recorded first (the
 * typefind caps audio/ogg, audio/x-matroska) gives way to its first track,
 * and an elementary stream (MP3, FLAC) keeps its id through parser and
 * decoder. */
static gboolean
on_autoplug_continue (GstElement * bin, GstPad * pad, GstCaps * caps,
    MstJob * job)
{
  const GstStructure *s = gst_caps_get_size (caps) > 0 ?
      gst_caps_get_structure (caps, 0) : NULL;
  gchar *sid;

  if (!s || !g_str_has_prefix (gst_structure_get_name (s), "audio/"))
    return TRUE;
  sid = gst_pad_get_stream_id (pad);
  if (!sid)
    return TRUE;
  g_mutex_lock (&job->lock);
  if (job->sid_reset) {
    job->sid_reset = FALSE;
    g_clear_pointer (&job->audio_sid, g_free);
  }
  if (!job->audio_sid || (g_str_has_prefix (sid, job->audio_sid) &&
          sid[strlen (job->audio_sid)] == '/')) {
    g_free (job->audio_sid);
    job->audio_sid = sid;
    sid = NULL;
  }
  g_mutex_unlock (&job->lock);
  g_free (sid);
  return TRUE;
}

/* Video, image and subtitle streams are exposed undecoded and discarded. */
static AutoplugSelectResult
on_autoplug_select (GstElement * bin, GstPad * pad, GstCaps * caps,
    GstElementFactory * factory, MstJob * job)
{
  const gchar *klass = gst_element_factory_get_metadata (factory,
      GST_ELEMENT_METADATA_KLASS);
  gint channels;

  /* the channel count the stream states before decoding */
  if (klass && strstr (klass, "Decoder") && strstr (klass, "Audio")
      && gst_caps_get_size (caps) > 0
      && gst_structure_get_int (gst_caps_get_structure (caps, 0), "channels",
          &channels)) {
    gchar *sid = gst_pad_get_stream_id (pad);

    g_mutex_lock (&job->lock);
    if (!job->coded_channels && (!sid || !job->audio_sid ||
            !strcmp (sid, job->audio_sid)))
      job->coded_channels = channels;
    g_mutex_unlock (&job->lock);
    g_free (sid);
  }

  if (klass && (strstr (klass, "Decoder") || strstr (klass, "Parser"))
      && !strstr (klass, "Audio") && (strstr (klass, "Video")
          || strstr (klass, "Image") || strstr (klass, "Subtitle")))
    return AUTOPLUG_SELECT_EXPOSE;
  return AUTOPLUG_SELECT_TRY;
}

/* Checks a local file before GStreamer does, for a clear message. */
static gboolean
check_local_file (MstJob * job, const gchar * path)
{
  GStatBuf st;

  if (g_stat (path, &st) != 0) {
    mst_job_fail (job, MST_EXIT_NO_INPUT, "%s: %s", job->source_name,
        g_strerror (errno));
    return FALSE;
  }
  if (S_ISDIR (st.st_mode)) {
    mst_job_fail (job, MST_EXIT_NO_INPUT, "%s: is a directory",
        job->source_name);
    return FALSE;
  }
  if (g_access (path, R_OK) != 0) {
    mst_job_fail (job, MST_EXIT_NO_INPUT, "%s: %s", job->source_name,
        g_strerror (errno));
    return FALSE;
  }
  if (S_ISREG (st.st_mode) && st.st_size == 0) {
    mst_job_fail (job, MST_EXIT_NOT_AUDIO, "%s: the file is empty",
        job->source_name);
    return FALSE;
  }
  return TRUE;
}

gboolean
mst_job_add_input (MstJob * job, const gchar * input, GstElement * sink,
    gint max_channels)
{
  GstElement *dec;
  gchar *uri = NULL, *path = NULL;
  GError *err = NULL;

  job->sink = sink;
  job->max_channels = max_channels;

  /* an existing file wins over a URI-looking name */
  if (!g_file_test (input, G_FILE_TEST_EXISTS) && strstr (input, "://")
      && gst_uri_is_valid (input)) {
    if (gst_uri_has_protocol (input, "file"))
      path = g_filename_from_uri (input, NULL, NULL);
    else
      uri = g_strdup (input);
  } else {
    path = g_strdup (input);
  }

  if (path) {
    job->source_name = g_filename_display_name (path);
    if (!check_local_file (job, path)) {
      g_free (path);
      return FALSE;
    }
    uri = gst_filename_to_uri (path, &err);
    g_free (path);
    if (!uri) {
      mst_job_fail (job, MST_EXIT_NO_INPUT, "%s: %s", job->source_name,
          err->message);
      g_clear_error (&err);
      return FALSE;
    }
  } else {
    job->source_name = g_strdup (uri);
    job->uri = g_strdup (uri);
  }

  dec = mst_job_make (job, "uridecodebin", "decoder");
  if (!dec) {
    g_free (uri);
    return FALSE;
  }
  g_object_set (dec, "uri", uri, NULL);
  g_free (uri);
  g_signal_connect (dec, "pad-added", G_CALLBACK (on_pad_added), job);
  g_signal_connect (dec, "no-more-pads", G_CALLBACK (on_no_more_pads), job);
  g_signal_connect (dec, "autoplug-select", G_CALLBACK (on_autoplug_select),
      job);
  g_signal_connect (dec, "autoplug-continue",
      G_CALLBACK (on_autoplug_continue), job);
  return TRUE;
}

/* ---- demo source --------------------------------------------------------- */

static void
demo_need_data (GstAppSrc * src, guint length, gpointer user_data)
{
  MstJob *job = user_data;
  guint rate = mst_demomix_rate (job->mix);
  GstBuffer *buf;
  GstMapInfo map;
  gsize n;

  buf = gst_buffer_new_allocate (NULL, DEMO_CHUNK_FRAMES *
      MST_DEMOMIX_CHANNELS * sizeof (gfloat), NULL);
  gst_buffer_map (buf, &map, GST_MAP_WRITE);
  n = mst_demomix_render_f32 (job->mix, (gfloat *) map.data,
      DEMO_CHUNK_FRAMES);
  gst_buffer_unmap (buf, &map);

  if (n == 0) {
    gst_buffer_unref (buf);
    gst_app_src_end_of_stream (src);
    return;
  }
  gst_buffer_set_size (buf, n * MST_DEMOMIX_CHANNELS * sizeof (gfloat));
  GST_BUFFER_PTS (buf) = gst_util_uint64_scale_int (job->demo_frames,
      GST_SECOND, rate);
  GST_BUFFER_DURATION (buf) = gst_util_uint64_scale_int (job->demo_frames +
      n, GST_SECOND, rate) - GST_BUFFER_PTS (buf);
  GST_BUFFER_OFFSET (buf) = job->demo_frames;
  GST_BUFFER_OFFSET_END (buf) = job->demo_frames + n;
  job->demo_frames += n;
  gst_app_src_push_buffer (src, buf);
}

gboolean
mst_job_add_demo (MstJob * job, guint rate, GstElement * sink)
{
  static const GstAudioChannelPosition stereo[2] = {
    GST_AUDIO_CHANNEL_POSITION_FRONT_LEFT,
    GST_AUDIO_CHANNEL_POSITION_FRONT_RIGHT
  };
  GstAppSrcCallbacks callbacks = { 0 };
  GstAudioInfo info;
  GstElement *src;
  GstCaps *caps;

  job->sink = sink;
  job->is_demo = TRUE;
  job->source_name = g_strdup ("demo mix (built-in, synthesized)");
  job->mix = mst_demomix_new (rate);
  if (!job->mix) {
    mst_job_fail (job, MST_EXIT_FAILURE, "cannot create the demo mix at "
        "%u Hz", rate);
    return FALSE;
  }

  src = mst_job_make (job, "appsrc", "demo");
  if (!src)
    return FALSE;
  gst_audio_info_set_format (&info, GST_AUDIO_FORMAT_F32, rate,
      MST_DEMOMIX_CHANNELS, stereo);
  caps = gst_audio_info_to_caps (&info);
  g_object_set (src, "format", GST_FORMAT_TIME, "is-live", FALSE,
      "stream-type", GST_APP_STREAM_TYPE_STREAM, NULL);
  gst_app_src_set_caps (GST_APP_SRC (src), caps);
  gst_app_src_set_duration (GST_APP_SRC (src),
      gst_util_uint64_scale_int (mst_demomix_length (job->mix), GST_SECOND,
          rate));
  job->source_caps = caps;
  job->linked = TRUE;

  callbacks.need_data = demo_need_data;
  gst_app_src_set_callbacks (GST_APP_SRC (src), &callbacks, job, NULL);

  return mst_job_link (job, src, sink, NULL);
}

/* ---- running ------------------------------------------------------------- */

/* Position in seconds (and in ns through pos), -1 if unknown. */
static gdouble
pos_seconds (MstJob * job, gint64 * pos)
{
  if (!gst_element_query_position (job->pipeline, GST_FORMAT_TIME, pos)
      || *pos < 0) {
    *pos = -1;
    return 0.0;
  }
  return *pos / 1e9;
}

typedef struct
{
  MstJobProgressFunc func;
  gpointer data;
} ThreadProgress;

static GPrivate thread_progress = G_PRIVATE_INIT (g_free);

void
mst_job_set_thread_progress (MstJobProgressFunc func, gpointer user_data)
{
  ThreadProgress *tp = NULL;

  if (func) {
    tp = g_new0 (ThreadProgress, 1);
    tp->func = func;
    tp->data = user_data;
  }
  g_private_replace (&thread_progress, tp);
}

/* Hands the position to the thread's progress function; FALSE when the
 * pipeline has no position yet (nothing reported).  final: the job is
 * done, so without a position it is at the end. */
static gboolean
progress_report (MstJob * job, const gchar * label, ThreadProgress * tp,
    gboolean final)
{
  gint64 pos = -1, dur = -1;
  gdouble elapsed = (g_get_monotonic_time () - job->t_start) / 1e6;
  gdouble secs = pos_seconds (job, &pos);

  if (!gst_element_query_duration (job->pipeline, GST_FORMAT_TIME, &dur))
    dur = -1;
  if (pos < 0 && !(final && dur > 0))
    return FALSE;
  if (pos < 0)
    secs = dur / 1e9;
  tp->func (label, secs, dur > 0 ? dur / 1e9 : 0.0, elapsed > 0.2 ?
      secs / elapsed : 0.0, tp->data);
  return TRUE;
}

/* "Analyzing  42%  120x real time  ETA 0:03" (stderr is a terminal). */
static void
progress_draw (MstJob * job, const gchar * label)
{
  gint64 pos = -1, dur = -1;
  gdouble elapsed = (g_get_monotonic_time () - job->t_start) / 1e6;
  gdouble speed = elapsed > 0.2 ? pos_seconds (job, &pos) / elapsed : 0.0;

  if (pos < 0)
    return;
  if (gst_element_query_duration (job->pipeline, GST_FORMAT_TIME, &dur)
      && dur > 0) {
    gint pct = (gint) CLAMP (100.0 * pos / dur, 0.0, 100.0);

    g_printerr ("\r%s %3d%%", label, pct);
    if (speed > 0.0) {
      gint eta = (gint) ((dur - pos) / 1e9 / speed + 0.5);

      g_printerr ("  %.0fx real time  ETA %d:%02d ", speed, eta / 60,
          eta % 60);
    }
  } else {
    g_printerr ("\r%s %" GST_TIME_FORMAT, label, GST_TIME_ARGS (pos));
    if (speed > 0.0)
      g_printerr ("  %.0fx real time ", speed);
  }
  job->progress_shown = TRUE;
}

static void
progress_clear (MstJob * job)
{
  if (job->progress_shown)
    g_printerr ("\r%72s\r", "");
  job->progress_shown = FALSE;
}

/* Maps a GStreamer error to an exit code. */
static MstExit
classify_error (MstJob * job, GstMessage * msg, const GError * err,
    const gchar * debug)
{
  gboolean from_sink = GST_IS_ELEMENT (GST_MESSAGE_SRC (msg)) &&
      GST_OBJECT_FLAG_IS_SET (GST_MESSAGE_SRC (msg), GST_ELEMENT_FLAG_SINK);

  if (err->domain == GST_RESOURCE_ERROR) {
    switch (err->code) {
      case GST_RESOURCE_ERROR_OPEN_WRITE:
      case GST_RESOURCE_ERROR_WRITE:
      case GST_RESOURCE_ERROR_NO_SPACE_LEFT:
      case GST_RESOURCE_ERROR_CLOSE:
        return MST_EXIT_OUTPUT;
      default:
        return from_sink ? MST_EXIT_OUTPUT : MST_EXIT_NO_INPUT;
    }
  }
  if (err->domain == GST_STREAM_ERROR) {
    switch (err->code) {
      case GST_STREAM_ERROR_TYPE_NOT_FOUND:
      case GST_STREAM_ERROR_WRONG_TYPE:
      case GST_STREAM_ERROR_FORMAT:
        return MST_EXIT_NOT_AUDIO;
      case GST_STREAM_ERROR_CODEC_NOT_FOUND:
        return MST_EXIT_MISSING_PLUGIN;
      default:
        break;
    }
  }
  if (err->domain == GST_CORE_ERROR) {
    if (err->code == GST_CORE_ERROR_MISSING_PLUGIN)
      return MST_EXIT_MISSING_PLUGIN;
    if (err->code == GST_CORE_ERROR_NEGOTIATION)
      return MST_EXIT_NOT_AUDIO;
  }
  /* a flow error after failed caps negotiation: an unsupported format */
  if (debug && strstr (debug, "not-negotiated"))
    return MST_EXIT_NOT_AUDIO;
  return MST_EXIT_STREAM;
}

static void
handle_error (MstJob * job, GstMessage * msg)
{
  GError *err = NULL;
  gchar *debug = NULL;
  MstExit code;

  gst_message_parse_error (msg, &err, &debug);
  code = classify_error (job, msg, err, debug);
  if (code == MST_EXIT_NOT_AUDIO && debug && strstr (debug, "not-negotiated"))
    mst_job_fail (job, code, "%s: unsupported audio format (%s)",
        job->source_name, err->message);
  else if (code == MST_EXIT_MISSING_PLUGIN && job->missing->len > 0)
    mst_job_fail (job, code, "%s: missing GStreamer plugin: %s",
        job->source_name, (const gchar *) g_ptr_array_index (job->missing,
            0));
  else if (code == MST_EXIT_OUTPUT)
    /* the sink's message names the output */
    mst_job_fail (job, code, "%s", err->message);
  else if (code == MST_EXIT_NOT_AUDIO && err->domain == GST_STREAM_ERROR
      && (err->code == GST_STREAM_ERROR_TYPE_NOT_FOUND
          || err->code == GST_STREAM_ERROR_WRONG_TYPE))
    mst_job_fail (job, code, "%s: not an audio file (%s)", job->source_name,
        err->message);
  else
    mst_job_fail (job, code, "%s: %s", job->source_name ? job->source_name :
        GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)), err->message);
  GST_DEBUG ("error from %s: %s (%s)", GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)),
      err->message, GST_STR_NULL (debug));
  g_clear_error (&err);
  g_free (debug);
}

/* TRUE for GStreamer's generic "Internal data stream error": an element
 * saw a flow error downstream or from its source.  The element that
 * caused it usually posts its own, specific error as well, but not
 * always before it (and some sources, e.g. souphttpsrc on a refused
 * connection, at times not at all). */
static gboolean
is_generic_error (GstMessage * msg)
{
  GError *err = NULL;
  gboolean generic;

  gst_message_parse_error (msg, &err, NULL);
  generic = err->domain == GST_STREAM_ERROR &&
      err->code == GST_STREAM_ERROR_FAILED;
  g_clear_error (&err);
  return generic;
}

/* TRUE if msg comes from a source element (filesrc, souphttpsrc, ...). */
static gboolean
is_source_message (GstMessage * msg)
{
  GstObject *src = GST_MESSAGE_SRC (msg);

  return GST_IS_ELEMENT (src) && GST_OBJECT_FLAG_IS_SET (src,
      GST_ELEMENT_FLAG_SOURCE);
}

/* TRUE if msg is a source's generic error about its own reading (flow
 * "error", not e.g. not-negotiated further down). */
static gboolean
is_source_read_error (GstMessage * msg)
{
  gchar *debug = NULL;
  gboolean read_error;

  if (!is_source_message (msg))
    return FALSE;
  gst_message_parse_error (msg, NULL, &debug);
  read_error = debug && strstr (debug, "reason error");
  g_free (debug);
  return read_error;
}

/* After a generic error from a network source: tries to reach the
 * server, for a message that says what went wrong.  TRUE if a failure
 * was recorded. */
static gboolean
probe_network_source (MstJob * job)
{
  static const struct
  {
    const gchar *scheme;
    guint16 port;
  } ports[] = { {"http", 80}, {"https", 443}, {"rtsp", 554}, {"rtsps", 322},
  {"rtmp", 1935}, {"mms", 1755}
  };
  GSocketConnectable *addr = NULL;
  GSocketConnection *conn;
  GSocketClient *client;
  GError *err = NULL;
  gchar *scheme;
  guint i;

  if (!job->uri)
    return FALSE;
  scheme = gst_uri_get_protocol (job->uri);
  for (i = 0; scheme && !addr && i < G_N_ELEMENTS (ports); i++)
    if (!g_ascii_strcasecmp (scheme, ports[i].scheme))
      addr = g_network_address_parse_uri (job->uri, ports[i].port, NULL);
  g_free (scheme);
  if (!addr)
    return FALSE;
  client = g_socket_client_new ();
  g_socket_client_set_timeout (client, PROBE_TIMEOUT_S);
  conn = g_socket_client_connect (client, addr, NULL, &err);
  if (conn) {
    g_io_stream_close (G_IO_STREAM (conn), NULL, NULL);
    g_object_unref (conn);
  } else {
    mst_job_fail (job, MST_EXIT_NO_INPUT, "%s: %s", job->source_name,
        err->message);
    g_clear_error (&err);
  }
  g_object_unref (client);
  g_object_unref (addr);
  return conn == NULL;
}

static void
handle_warning (MstJob * job, GstMessage * msg)
{
  GError *err = NULL;
  gchar *debug = NULL;

  gst_message_parse_warning (msg, &err, &debug);
  /* missing decoders are reported through the missing-plugin messages;
   * they only matter when no audio could be decoded */
  if (!(err->domain == GST_STREAM_ERROR &&
          err->code == GST_STREAM_ERROR_CODEC_NOT_FOUND) &&
      !(err->domain == GST_CORE_ERROR &&
          err->code == GST_CORE_ERROR_MISSING_PLUGIN) && !job->quiet)
    g_printerr ("gst-mastering: warning: %s: %s\n", job->source_name ?
        job->source_name : "input", err->message);
  g_clear_error (&err);
  g_free (debug);
}

MstExit
mst_job_run (MstJob * job, gboolean progress, const gchar * label)
{
  GstBus *bus;
  GstClockTime last_draw = 0;
  gboolean done = FALSE, reported = FALSE;
  ThreadProgress *tp = progress ? g_private_get (&thread_progress) : NULL;
  /* a generic error waiting for a specific one (until the deadline, us) */
  GstMessage *generic = NULL;
  gint64 generic_deadline = 0;

  if (mst_job_exit_code (job) != MST_EXIT_OK)
    return mst_job_exit_code (job);

  job->t_start = g_get_monotonic_time ();
  bus = gst_element_get_bus (job->pipeline);
  if (gst_element_set_state (job->pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE) {
    /* the reason, if any, is on the bus */
    GstMessage *msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);

    if (msg) {
      handle_error (job, msg);
      gst_message_unref (msg);
    } else {
      mst_job_fail (job, MST_EXIT_FAILURE, "%s: cannot start the pipeline",
          job->source_name ? job->source_name : "input");
    }
    done = TRUE;
  }

  while (!done) {
    GstClockTime wait = progress ? PROGRESS_INTERVAL : GST_CLOCK_TIME_NONE;
    GstMessage *msg;

    if (generic) {
      gint64 left = generic_deadline - g_get_monotonic_time ();

      wait = MIN (wait, (GstClockTime) MAX (left, 0) * GST_USECOND);
    }
    msg = gst_bus_timed_pop (bus, wait);

    if (msg) {
      switch (GST_MESSAGE_TYPE (msg)) {
        case GST_MESSAGE_EOS:
          /* what the container announced, to tell a truncated file */
          if (!gst_element_query_duration (job->pipeline, GST_FORMAT_TIME,
                  &job->duration))
            job->duration = -1;
          done = TRUE;
          break;
        case GST_MESSAGE_ERROR:
          /* the first specific error says most; a generic one waits a
           * moment for it.  When the generic one is a source's (its
           * reading failed), what fails downstream of it afterwards
           * (typefind: "not enough data") is a consequence: only the
           * source itself can still say more. */
          if (is_generic_error (msg)) {
            if (!generic) {
              generic = gst_message_ref (msg);
              generic_deadline = g_get_monotonic_time () +
                  GENERIC_ERROR_WAIT / GST_USECOND;
            }
          } else if (!generic || !is_source_read_error (generic) ||
              GST_MESSAGE_SRC (msg) == GST_MESSAGE_SRC (generic)) {
            handle_error (job, msg);
          }
          break;
        case GST_MESSAGE_WARNING:
          handle_warning (job, msg);
          break;
        case GST_MESSAGE_ELEMENT:
          if (gst_is_missing_plugin_message (msg)) {
            g_ptr_array_add (job->missing,
                gst_missing_plugin_message_get_description (msg));
          } else if (job->message_func) {
            job->message_func (job, msg, job->message_data);
          }
          break;
        case GST_MESSAGE_TAG:
          if (job->message_func)
            job->message_func (job, msg, job->message_data);
          break;
        case GST_MESSAGE_APPLICATION:
          if (gst_message_has_name (msg, "mst-job-no-audio")) {
            if (job->missing->len > 0)
              mst_job_fail (job, MST_EXIT_MISSING_PLUGIN,
                  "%s: missing GStreamer plugin: %s (no audio stream could "
                  "be decoded)", job->source_name,
                  (const gchar *) g_ptr_array_index (job->missing, 0));
            else
              mst_job_fail (job, MST_EXIT_NOT_AUDIO,
                  "%s: no audio stream found", job->source_name);
          }
          break;
        default:
          break;
      }
      gst_message_unref (msg);
    }
    if (generic && mst_job_exit_code (job) == MST_EXIT_OK &&
        (done || g_get_monotonic_time () >= generic_deadline)) {
      /* no specific error came: find out what we can, else report it */
      if (!probe_network_source (job)) {
        if (is_source_read_error (generic))
          mst_job_fail (job, MST_EXIT_NO_INPUT, "%s: reading failed (the "
              "source stopped with an error)", job->source_name ?
              job->source_name : GST_OBJECT_NAME (GST_MESSAGE_SRC (generic)));
        else
          handle_error (job, generic);
      }
    }
    if (mst_job_exit_code (job) != MST_EXIT_OK)
      done = TRUE;

    if (progress && !done) {
      GstClockTime now = (GstClockTime) g_get_monotonic_time () * GST_USECOND;

      if (now - last_draw >= PROGRESS_INTERVAL) {
        if (!tp) {
          progress_draw (job, label);
          last_draw = now;
        } else if (progress_report (job, label, tp, FALSE)) {
          /* (no position yet: try again at the next message) */
          reported = TRUE;
          last_draw = now;
        }
      }
    }
  }
  /* a file done before its first report still gets one (its line in a
   * batch's progress display) */
  if (tp && !reported && mst_job_exit_code (job) == MST_EXIT_OK)
    progress_report (job, label, tp, TRUE);

  if (generic)
    gst_message_unref (generic);
  progress_clear (job);
  gst_element_set_state (job->pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  return mst_job_exit_code (job);
}

gint64
mst_job_duration (MstJob * job)
{
  return job->duration;
}
