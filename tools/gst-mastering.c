/* gst-mastering — command-line loudness analysis (and, later, mastering)
 *
 * This program is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * Subcommands (see `commands` below):
 *   analyze [FILE...|--demo] [--json] [--no-true-peak] [--jobs N]
 *       FILE -> uridecodebin -> audioconvert -> audioresample ->
 *       loudnessmeter -> fakesink, or the built-in demo mix through
 *       appsrc; prints a report from the meter's final message.
 *       audioresample passes through unless the rate is outside the
 *       meter's 8-384 kHz.
 *   demo-wav OUT.wav
 *       demo mix -> appsrc -> audioconvert -> wavenc -> filesink.
 *
 * Each subcommand builds its chain with MstJob (mstjob.h: sources, bus
 * handling, progress, exit codes) and reports with MstReport
 * (mstreport.h: report struct, text / JSON, targets table).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <gst/gst.h>
#include <gst/audio/audio.h>

#include "demomix.h"
#include "dsp/util.h"
#include "mstbatch.h"
#include "mstjob.h"
#include "mstreport.h"
#include "mstcli.h"
#include "mstcodec.h"
#include "mstmaster.h"
#include "mstplot.h"

#define PROGRAM MST_PROGRAM

#define EXIT_CODES_HELP \
  "Exit codes:\n" \
  "  0  success\n" \
  "  1  internal or unclassified error\n" \
  "  2  bad command line\n" \
  "  3  input file missing or unreadable\n" \
  "  4  not audio, no audio stream, or an unsupported audio format\n" \
  "  5  a decoder or another GStreamer plugin is missing\n" \
  "  6  error while decoding or processing the stream\n" \
  "  7  output file cannot be written\n" \
  "  8  master: the output misses the target (written anyway), or with\n" \
  "     --strict more limiting was needed than --max-limiting allows\n"

/* ---- finding our plugin -------------------------------------------------- */

/* TRUE if this executable is the one in the build tree. */
static gboolean
running_uninstalled (void)
{
#ifdef MST_BUILD_TOOLS_DIR
  gchar *exe = g_file_read_link ("/proc/self/exe", NULL);
  gboolean ret = FALSE;

  if (exe) {
    gchar *dir = g_path_get_dirname (exe);

    ret = g_strcmp0 (dir, MST_BUILD_TOOLS_DIR) == 0;
    g_free (dir);
    g_free (exe);
  }
  return ret;
#else
  return FALSE;
#endif
}

gboolean
mst_cli_have_element (const gchar * name)
{
  GstElementFactory *f = gst_element_factory_find (name);

  if (f)
    gst_object_unref (f);
  return f != NULL;
}

/* Makes the element available: from the registry, else from the build
 * tree's plugin directory (when run from the build tree) or the install
 * directory (which need not be on GStreamer's default path). */
gboolean
mst_cli_ensure_element (const gchar * name)
{
  const gchar *dirs[2] = { NULL, NULL };
  guint i;

  if (mst_cli_have_element (name))
    return TRUE;
#ifdef MST_BUILD_PLUGIN_DIR
  if (running_uninstalled ())
    dirs[0] = MST_BUILD_PLUGIN_DIR;
#endif
#ifdef MST_PLUGIN_INSTALL_DIR
  if (!dirs[0])
    dirs[0] = MST_PLUGIN_INSTALL_DIR;
#endif
  for (i = 0; i < G_N_ELEMENTS (dirs); i++) {
    if (!dirs[i] || !g_file_test (dirs[i], G_FILE_TEST_IS_DIR))
      continue;
    GST_INFO ("'%s' not in the registry, scanning %s", name, dirs[i]);
    gst_registry_scan_path (gst_registry_get (), dirs[i]);
    if (mst_cli_have_element (name))
      return TRUE;
  }
  return FALSE;
}

/* ---- option parsing ------------------------------------------------------ */

/* Parses argv (argv[0] is the subcommand) with entries; on failure prints
 * the error and returns FALSE. */
gboolean
mst_cli_parse_options (gint * argc, gchar *** argv, const gchar * params,
    const gchar * summary, const GOptionEntry * entries)
{
  GOptionContext *ctx;
  GError *err = NULL;
  gchar *prgname;
  gboolean ok;

  /* "Usage: gst-mastering analyze [OPTION...] [FILE]" */
  prgname = g_strdup_printf ("%s %s", PROGRAM, (*argv)[0]);
  g_set_prgname (prgname);
  g_free (prgname);
  ctx = g_option_context_new (params);

  g_option_context_set_summary (ctx, summary);
  g_option_context_set_description (ctx, EXIT_CODES_HELP);
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  ok = g_option_context_parse (ctx, argc, argv, &err);
  if (!ok) {
    g_printerr ("%s: %s\nTry '%s %s --help'.\n", PROGRAM, err->message,
        PROGRAM, (*argv)[0]);
    g_clear_error (&err);
  }
  g_option_context_free (ctx);
  return ok;
}

gint
mst_cli_usage_error (const gchar * command, const gchar * message)
{
  g_printerr ("%s: %s\nTry '%s %s --help'.\n", PROGRAM, message, PROGRAM,
      command);
  return MST_EXIT_USAGE;
}

/* The last error the calling thread printed (for `--json` error objects
 * and batch summaries; each batch worker has its own). */
static GPrivate last_error = G_PRIVATE_INIT (g_free);

void
mst_cli_error (const gchar * format, ...)
{
  va_list ap;
  gchar *msg;

  va_start (ap, format);
  msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_printerr ("%s: error: %s\n", PROGRAM, msg);
  g_private_replace (&last_error, msg);
}

const gchar *
mst_cli_last_error (void)
{
  return g_private_get (&last_error);
}

void
mst_cli_clear_error (void)
{
  g_private_replace (&last_error, NULL);
}

void
mst_cli_set_last_error (const gchar * msg)
{
  g_private_replace (&last_error, g_strdup (msg));
}

static gint
job_failed (MstJob * job, MstExit code)
{
  const gchar *msg = mst_job_error_message (job);

  mst_cli_error ("%s", msg ? msg : "failed");
  return code;
}

void
mst_cli_print_json_error (FILE * out, const gchar * input, const gchar * msg,
    gint code)
{
  gchar *src = g_strescape (input ? input : "demo mix", NULL);
  gchar *err = g_strescape (msg ? msg : "failed", NULL);

  fprintf (out, "{\n  \"source\": \"%s\",\n  \"error\": \"%s\",\n"
      "  \"exit_code\": %d\n}\n", src, err, code);
  fflush (out);
  g_free (src);
  g_free (err);
}

gboolean
mst_cli_stderr_is_terminal (void)
{
  return isatty (fileno (stderr));
}

/* ---- measuring (analyze, master) ----------------------------------------- */

typedef struct
{
  MstReport *report;
  GstElement *meter;
  GstTagList *tags;             /* merged from the decoder's tag messages */
  /* frame counting on the meter's sink pad (streaming thread; read after
   * the final message, which that thread posts after the last buffer) */
  gint bpf;
  gint rate;
  guint64 frames;
  /* the pre-mastering checklist (NULL when not asked for) */
  gboolean diagnostics;
  MstDiag *diag;
  GstAudioFormat format;
  gint channels;
} MeasureCtx;

/* Feeds a buffer of the meter's input to the diagnostics. */
static void
diag_buffer (MeasureCtx * ctx, GstBuffer * buf)
{
  gdouble tmp[4096];
  GstMapInfo map;
  gsize frames, done = 0, chunk;

  if (!ctx->diag || ctx->channels <= 0 ||
      !gst_buffer_map (buf, &map, GST_MAP_READ))
    return;
  frames = map.size / ctx->bpf;
  chunk = G_N_ELEMENTS (tmp) / ctx->channels;
  switch (ctx->format) {
    case GST_AUDIO_FORMAT_F32:
      mst_diag_process_f32 (ctx->diag, (const gfloat *) map.data, frames);
      break;
    case GST_AUDIO_FORMAT_F64:
      mst_diag_process_f64 (ctx->diag, (const gdouble *) map.data, frames);
      break;
    case GST_AUDIO_FORMAT_S16:
    case GST_AUDIO_FORMAT_S32:
      while (done < frames) {
        gsize n = MIN (chunk, frames - done), i;
        gsize ns = n * ctx->channels, off = done * ctx->channels;

        if (ctx->format == GST_AUDIO_FORMAT_S16)
          for (i = 0; i < ns; i++)
            tmp[i] = ((const gint16 *) map.data)[off + i] / 32768.0;
        else
          for (i = 0; i < ns; i++)
            tmp[i] = ((const gint32 *) map.data)[off + i] / 2147483648.0;
        mst_diag_process_f64 (ctx->diag, tmp, n);
        done += n;
      }
      break;
    default:
      break;
  }
  gst_buffer_unmap (buf, &map);
}

static GstPadProbeReturn
count_frames (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  MeasureCtx *ctx = user_data;

  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);

    if (ctx->bpf > 0)
      ctx->frames += gst_buffer_get_size (buf) / ctx->bpf;
    if (ctx->diag)
      diag_buffer (ctx, buf);
    if (ctx->report->plot)
      mst_plot_audio_buffer (ctx->report->plot, buf);
  } else if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
    GstEvent *ev = GST_PAD_PROBE_INFO_EVENT (info);
    GstAudioInfo ainfo;
    GstCaps *caps;
    GstClockTime ts, dur;

    switch (GST_EVENT_TYPE (ev)) {
      case GST_EVENT_CAPS:
        gst_event_parse_caps (ev, &caps);
        if (gst_audio_info_from_caps (&ainfo, caps)) {
          ctx->bpf = GST_AUDIO_INFO_BPF (&ainfo);
          ctx->rate = GST_AUDIO_INFO_RATE (&ainfo);
          ctx->format = GST_AUDIO_INFO_FORMAT (&ainfo);
          if (ctx->report->plot)
            mst_plot_audio_caps (ctx->report->plot, &ainfo);
          /* the checklist covers the first format of the stream */
          if (ctx->diagnostics && !ctx->diag) {
            ctx->channels = GST_AUDIO_INFO_CHANNELS (&ainfo);
            ctx->diag = mst_diag_new (ctx->rate, ctx->channels);
          } else if (ctx->diag &&
              GST_AUDIO_INFO_CHANNELS (&ainfo) != ctx->channels) {
            ctx->channels = 0;
          }
        }
        break;
      case GST_EVENT_GAP:
        /* measured as silence by the meter */
        gst_event_parse_gap (ev, &ts, &dur);
        if (GST_CLOCK_TIME_IS_VALID (dur) && ctx->rate > 0)
          ctx->frames += gst_util_uint64_scale_round (dur, ctx->rate,
              GST_SECOND);
        if (ctx->report->plot)
          mst_plot_audio_gap (ctx->report->plot, dur);
        break;
      default:
        break;
    }
  }
  return GST_PAD_PROBE_OK;
}

static void
measure_message (MstJob * job, GstMessage * msg, gpointer user_data)
{
  MeasureCtx *ctx = user_data;
  const GstStructure *s;

  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_TAG) {
    GstTagList *tags = NULL;

    GstTagList *merged;

    gst_message_parse_tag (msg, &tags);
    merged = gst_tag_list_merge (ctx->tags, tags, GST_TAG_MERGE_KEEP);
    if (ctx->tags)
      gst_tag_list_unref (ctx->tags);
    ctx->tags = merged;
    gst_tag_list_unref (tags);
    return;
  }
  s = gst_message_get_structure (msg);
  if (GST_MESSAGE_SRC (msg) != GST_OBJECT (ctx->meter) || !s ||
      !gst_structure_has_name (s, "loudnessmeter"))
    return;
  if (ctx->report->plot)
    mst_plot_meter_message (ctx->report->plot, s);
  if (mst_report_update (ctx->report, s)) {
    GstPad *pad = gst_element_get_static_pad (ctx->meter, "sink");
    GstCaps *caps = gst_pad_get_current_caps (pad);

    mst_report_set_format (ctx->report, caps);
    ctx->report->frames = ctx->frames;
    if (ctx->diag) {
      mst_diag_result (ctx->diag, &ctx->report->diag);
      ctx->report->has_diag = TRUE;
    }
    gst_clear_caps (&caps);
    gst_object_unref (pad);
  }
}

/* Duration (s) a local RIFF/WAVE file's header announces for its data
 * chunk, or 0 if path is not such a file or the size is unknown
 * (0 or 0xFFFFFFFF, as streaming writers leave it).  wavparse trusts the
 * file size, so a truncated WAV is only seen here. */
static gdouble
wav_announced_seconds (const gchar * path)
{
  guint8 h[12], c[8], fmt[16];
  guint32 block = 0, rate = 0;
  gdouble secs = 0.0;
  FILE *f;

  if (!path || !(f = g_fopen (path, "rb")))
    return 0.0;
  if (fread (h, 1, 12, f) == 12 && !memcmp (h, "RIFF", 4) &&
      !memcmp (h + 8, "WAVE", 4)) {
    while (fread (c, 1, 8, f) == 8) {
      guint32 size = GST_READ_UINT32_LE (c + 4);

      if (!memcmp (c, "fmt ", 4) && size >= 16) {
        if (fread (fmt, 1, 16, f) != 16)
          break;
        rate = GST_READ_UINT32_LE (fmt + 4);
        block = GST_READ_UINT16_LE (fmt + 12);
        size -= 16;
      } else if (!memcmp (c, "data", 4)) {
        if (size != 0 && size != G_MAXUINT32 && block && rate)
          secs = (gdouble) size / block / rate;
        break;
      }
      if (fseek (f, size + (size & 1), SEEK_CUR) != 0)
        break;
    }
  }
  fclose (f);
  return secs;
}

void
mst_cli_report_job_format (MstReport * report, MstJob * job)
{
  const gchar *change = NULL;
  gint coded, decoded;

  if (mst_job_decoder_upmix (job, &coded, &decoded)) {
    report->source_channels = coded;
    report->decoded_channels = decoded;
  }
  report->chains = mst_job_n_chains (job);
  report->format_changes = mst_job_format_changes (job, &change);
  g_free (report->format_change);
  report->format_change = g_strdup (change);
}

MstExit
mst_cli_measure (const gchar * input, gboolean true_peak,
    gboolean diagnostics, gboolean progress, gboolean quiet,
    const gchar * label, MstReport * report, GstTagList ** tags)
{
  GstElement *conv, *resample, *lock, *meter, *sink;
  MeasureCtx ctx = { 0 };
  MstJob *job;
  MstExit code;
  GstPad *pad;
  GstCaps *caps;
  gint64 t0;

  if (tags)
    *tags = NULL;
  if (!mst_cli_ensure_element ("loudnessmeter")) {
    g_printerr ("%s: error: the 'loudnessmeter' element (gst-mastering "
        "plugin) was not found; set GST_PLUGIN_PATH to the directory of "
        "libgstmastering.so\n", PROGRAM);
    return MST_EXIT_MISSING_PLUGIN;
  }

  job = mst_job_new ();
  ctx.report = report;
  ctx.diagnostics = diagnostics;

  conv = mst_job_make (job, "audioconvert", NULL);
  resample = mst_job_make (job, "audioresample", NULL);
  lock = mst_job_make (job, "capsfilter", NULL);
  meter = mst_job_make (job, "loudnessmeter", "meter");
  sink = mst_job_make (job, "fakesink", NULL);
  if (!conv || !resample || !lock || !meter || !sink) {
    code = job_failed (job, mst_job_exit_code (job));
    goto done;
  }
  /* a loudness point every 100 ms for the plot */
  g_object_set (meter, "interval", report->plot ? (guint64) MST_PLOT_INTERVAL
      : (guint64) GST_SECOND, "true-peak", true_peak, NULL);
  g_object_set (sink, "sync", FALSE, NULL);
  /* one format from the first caps on: the meter measures the whole input
   * even if its format changes */
  caps = gst_caps_from_string ("audio/x-raw, format=(string){ "
      GST_AUDIO_NE (F32) ", " GST_AUDIO_NE (F64) ", " GST_AUDIO_NE (S16) ", "
      GST_AUDIO_NE (S32) " }");
  gst_caps_set_simple (caps, "rate", GST_TYPE_INT_RANGE, MST_RATE_MIN,
      MST_RATE_MAX, NULL);
  g_object_set (lock, "caps", caps, NULL);
  gst_caps_unref (caps);
  mst_job_lock_format (job, lock);
  if (!mst_job_link (job, conv, resample, lock, meter, sink, NULL)) {
    code = job_failed (job, mst_job_exit_code (job));
    goto done;
  }

  ctx.meter = meter;
  pad = gst_element_get_static_pad (meter, "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER |
      GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, count_frames, &ctx, NULL);
  gst_object_unref (pad);

  if (input ? !mst_job_add_input (job, input, conv, MST_REPORT_MAX_CHANNELS)
      : !mst_job_add_demo (job, MST_DEMOMIX_DEFAULT_RATE, conv)) {
    code = job_failed (job, mst_job_exit_code (job));
    goto done;
  }
  mst_job_set_message_func (job, measure_message, &ctx);
  mst_job_set_quiet (job, quiet);

  t0 = g_get_monotonic_time ();
  code = mst_job_run (job, progress, label);
  report->elapsed = (g_get_monotonic_time () - t0) / 1e6;

  if (code == MST_EXIT_OK && (!report->complete || report->frames == 0))
    code = mst_job_fail (job, MST_EXIT_NOT_AUDIO,
        "%s: no audio samples (an empty file?)", mst_job_source_name (job));
  if (code == MST_EXIT_OK && input && report->rate > 0 &&
      (mst_job_duration (job) > 0 || wav_announced_seconds (input) > 0)) {
    gdouble announced = MAX (mst_job_duration (job) / 1e9,
        wav_announced_seconds (input));
    gdouble decoded = (gdouble) report->frames / report->rate;

    report->container_duration = announced;
    /* more than 1 % (at least 50 ms) missing: a truncated file */
    if (decoded < announced - MAX (0.05, 0.01 * announced)) {
      report->truncated = TRUE;
      if (!quiet)
        g_printerr ("%s: warning: %s: the container announces %.2f s but "
            "only %.2f s could be decoded (truncated file?)\n", PROGRAM,
            mst_job_source_name (job), announced, decoded);
    }
  }
  if (code != MST_EXIT_OK) {
    job_failed (job, code);
    goto done;
  }

  g_free (report->source);
  report->source = g_strdup (mst_job_source_name (job));
  report->is_demo = input == NULL;
  report->true_peak_measured = true_peak;
  mst_report_set_source_format (report, mst_job_source_caps (job));
  mst_cli_report_job_format (report, job);
  if (tags) {
    *tags = ctx.tags;
    ctx.tags = NULL;
  }

done:
  if (ctx.tags)
    gst_tag_list_unref (ctx.tags);
  /* the pipeline (and the probe) is stopped before the state goes */
  mst_job_free (job);
  mst_diag_free (ctx.diag);
  return code;
}

typedef struct
{
  gboolean json, quiet, true_peak, diagnostics, progress;
} AnalyzeBatch;

/* One input of a batch (in a worker thread). */
static void
analyze_item (MstBatchItem * item, gpointer user_data)
{
  const AnalyzeBatch *ab = user_data;
  gchar *name = g_filename_display_name (item->input);
  MstReport report;
  gchar *buf = NULL;
  gsize size = 0;
  FILE *out;

  mst_cli_clear_error ();
  mst_report_init (&report);
  item->code = mst_cli_measure (item->input, ab->true_peak, ab->diagnostics,
      ab->progress, ab->quiet, "Analyzing", &report, NULL);
  out = open_memstream (&buf, &size);
  if (item->code == MST_EXIT_OK) {
    if (ab->json)
      mst_report_print_json (&report, out);
    else
      mst_report_print_text (&report, out);
    item->summary = g_strdup_printf ("  %-40s %7.1f LUFS %7.1f dBTP %6.1f LU",
        name, report.integrated, ab->true_peak ? report.true_peak_max :
        report.sample_peak_max, report.range);
  } else {
    if (ab->json)
      mst_cli_print_json_error (out, item->input, mst_cli_last_error (),
          item->code);
    item->summary = g_strdup_printf ("  %-40s error (exit %d): %s", name,
        item->code, mst_cli_last_error ()? mst_cli_last_error () : "failed");
  }
  fclose (out);
  item->text = buf;
  mst_report_clear (&report);
  g_free (name);
}

/* Several inputs, `jobs` at a time: a report per file in input order
 * (JSON: an array with one object per file, errors included), then one
 * summary line per file; the exit code is the first failure's (in input
 * order), the others still run. */
static gint
analyze_batch (gint n, gchar ** inputs, guint jobs, gboolean json,
    gboolean quiet, gboolean true_peak, gboolean diagnostics)
{
  AnalyzeBatch ab = { json, quiet, true_peak, diagnostics,
    !quiet && mst_cli_stderr_is_terminal ()
  };
  MstBatchItem *items = g_new0 (MstBatchItem, n);
  gint i, ret;

  if (!mst_cli_ensure_element ("loudnessmeter")) {
    g_printerr ("%s: error: the 'loudnessmeter' element (gst-mastering "
        "plugin) was not found; set GST_PLUGIN_PATH to the directory of "
        "libgstmastering.so\n", PROGRAM);
    g_free (items);
    return MST_EXIT_MISSING_PLUGIN;
  }
  for (i = 0; i < n; i++)
    items[i].input = inputs[i];
  if (json)
    printf ("[\n");
  fflush (stdout);
  ret = mst_batch_run (items, n, jobs, ab.progress, json ? ",\n" : "\n",
      analyze_item, &ab);
  if (json) {
    printf ("]\n");
  } else {
    printf ("\nSummary (%d files)%*s Integrated  %s     LRA\n", n, 24, "",
        true_peak ? "True peak" : "Sample pk");
    for (i = 0; i < n; i++)
      printf ("%s\n", items[i].summary);
  }
  mst_batch_items_clear (items, n);
  g_free (items);
  if (fflush (stdout) != 0 && ret == MST_EXIT_OK)
    ret = MST_EXIT_OUTPUT;
  return ret;
}

/* ---- analyze ------------------------------------------------------------- */

static gint
cmd_analyze (gint argc, gchar ** argv)
{
  gboolean demo = FALSE, json = FALSE, no_true_peak = FALSE, quiet = FALSE;
  gboolean no_checklist = FALSE;
  MstPlotOptions plot = { 0 };
  gchar *target = NULL, *codecs = NULL;
  MstCodecPreview *preview = NULL;
  gint jobs = 0;
  const GOptionEntry entries[] = {
    {"demo", 'd', 0, G_OPTION_ARG_NONE, &demo,
        "Analyze the built-in demo mix (the default without FILE)", NULL},
    {"json", 'j', 0, G_OPTION_ARG_NONE, &json,
        "Print the report as JSON", NULL},
    {"no-true-peak", 0, 0, G_OPTION_ARG_NONE, &no_true_peak,
        "Skip the 4x-oversampled true-peak measurement (faster)", NULL},
    {"no-checklist", 0, 0, G_OPTION_ARG_NONE, &no_checklist,
        "Skip the pre-mastering checklist (DC, clipping, stereo, spectrum, "
          "noise floor)", NULL},
    {"quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
        "No progress display and notes on stderr", NULL},
    MST_PLOT_OPTION_ENTRIES (&plot),
    {"target", 't', 0, G_OPTION_ARG_STRING, &target,
          "Delivery target drawn in the plot (band, true-peak ceiling) "
          "and judged in the codec preview", "PRESET"},
    {"jobs", 'J', 0, G_OPTION_ARG_INT, &jobs,
          "With several FILEs, analyze N at a time (default: the number of "
          "processors)", "N"},
    {"codec-preview", 0, 0, G_OPTION_ARG_STRING, &codecs,
          "Encode with each codec (mp3, aac, opus, flac), decode, and "
          "report the true peak the decoded audio reaches", "LIST"},
    {NULL}
  };
  const gchar *input = NULL;
  const MstTarget *tgt = NULL;
  MstReport report;
  MstExit code;
  gchar *msg;

  if (!mst_cli_parse_options (&argc, &argv, "[FILE...]", "Measure integrated "
          "loudness, loudness range, maximum momentary and short-term\n"
          "loudness (ITU-R BS.1770 / EBU R 128), true and sample peak, and "
          "compare them\nwith common delivery targets.  FILE is a file name "
          "or a URI of anything\nGStreamer can decode; without FILE the "
          "built-in demo mix is analyzed.", entries))
    return MST_EXIT_USAGE;
  /* --plot, --target (tools/mstplot.c) */
  msg = mst_plot_options_check (&plot);
  if (!msg && target && !(tgt = mst_targets_find (target)))
    msg = g_strdup_printf ("unknown target '%s' (see '%s targets')", target,
        PROGRAM);
  if (!msg && plot.path && argc > 2)
    msg = g_strdup ("--plot takes one input");
  /* --codec-preview (tools/mstcodec.c) */
  if (!msg && codecs && argc > 2)
    msg = g_strdup ("--codec-preview takes one input");
  if (!msg && codecs && no_true_peak)
    msg = g_strdup ("--codec-preview compares true peaks: drop "
        "--no-true-peak");
  if (!msg && codecs)
    preview = mst_codec_preview_new (codecs, &msg);
  g_free (target);
  g_free (codecs);
  if (msg) {
    code = mst_cli_usage_error ("analyze", msg);
    g_free (msg);
    mst_plot_options_clear (&plot);
    return code;
  }
  if (argc > 2) {
    if (demo)
      return mst_cli_usage_error ("analyze", "give either FILEs or --demo");
    if (jobs < 0)
      return mst_cli_usage_error ("analyze", "--jobs must be at least 1");
    return analyze_batch (argc - 1, argv + 1, jobs ? (guint) jobs :
        mst_batch_default_jobs (), json, quiet, !no_true_peak,
        !no_checklist);
  }
  if (argc == 2)
    input = argv[1];
  if (input && demo)
    return mst_cli_usage_error ("analyze", "give either FILE or --demo");
  if (!input && !demo && !quiet && !json)
    g_printerr ("%s: no input file given: analyzing the built-in demo "
        "mix\n", PROGRAM);

  mst_report_init (&report);
  if (plot.path)
    report.plot = mst_plot_new (tgt ? tgt->true_peak_dbtp : -1.0);
  code = mst_cli_measure (input, !no_true_peak, !no_checklist, !quiet &&
      mst_cli_stderr_is_terminal (), quiet, "Analyzing", &report, NULL);
  if (code == MST_EXIT_OK && plot.path) {
    code = mst_plot_write_report (&plot, &report, tgt, NULL);
    if (code != MST_EXIT_OK) {
      mst_cli_set_last_error ("cannot write the plot");
    }
  }
  if (code == MST_EXIT_OK && preview) {
    code = mst_codec_preview_run (preview, input, &report, tgt ?
        tgt->true_peak_dbtp : NAN, !quiet && mst_cli_stderr_is_terminal (),
        quiet);
    if (code != MST_EXIT_OK)
      mst_cli_set_last_error ("codec preview failed");
  }
  if (code == MST_EXIT_OK) {
    if (json)
      mst_report_print_json (&report, stdout);
    else
      mst_report_print_text (&report, stdout);
    if (fflush (stdout) != 0) {
      g_printerr ("%s: error: cannot write the report\n", PROGRAM);
      code = MST_EXIT_OUTPUT;
    }
  } else if (json) {
    /* scripts can parse every outcome */
    mst_cli_print_json_error (stdout, input, mst_cli_last_error (), code);
  }
  mst_plot_free (report.plot);
  mst_codec_preview_free (preview);
  mst_report_clear (&report);
  mst_plot_options_clear (&plot);
  return code;
}

/* ---- demo-wav ------------------------------------------------------------ */

static gint
cmd_demo_wav (gint argc, gchar ** argv)
{
  gchar *format = NULL;
  gint rate = MST_DEMOMIX_DEFAULT_RATE;
  gboolean quiet = FALSE;
  const GOptionEntry entries[] = {
    {"format", 'f', 0, G_OPTION_ARG_STRING, &format,
        "Sample format: f32 (default), s24 or s16", "FORMAT"},
    {"rate", 'r', 0, G_OPTION_ARG_INT, &rate,
          "Sample rate in Hz, 32000-192000 (default 48000; the mix is "
          "tuned at 48000)", "HZ"},
    {"quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
        "Print nothing on success", NULL},
    {NULL}
  };
  GstElement *conv, *filter, *enc, *sink;
  GstAudioFormat afmt;
  GstCaps *caps;
  MstJob *job;
  MstExit code;

  if (!mst_cli_parse_options (&argc, &argv, "OUT.wav", "Write the built-in "
          "demo mix (44 s, stereo, deliberately unmastered) to a WAV\nfile.",
          entries))
    return MST_EXIT_USAGE;
  if (argc != 2) {
    g_free (format);
    return mst_cli_usage_error ("demo-wav", argc < 2 ? "no output file given" :
        "more than one output file given");
  }
  if (!format || g_ascii_strcasecmp (format, "f32") == 0) {
    afmt = GST_AUDIO_FORMAT_F32LE;
  } else if (g_ascii_strcasecmp (format, "s24") == 0) {
    afmt = GST_AUDIO_FORMAT_S24LE;
  } else if (g_ascii_strcasecmp (format, "s16") == 0) {
    afmt = GST_AUDIO_FORMAT_S16LE;
  } else {
    g_free (format);
    return mst_cli_usage_error ("demo-wav", "--format must be f32, s24 or s16");
  }
  g_free (format);
  if (rate < MST_DEMOMIX_MIN_RATE || rate > MST_DEMOMIX_MAX_RATE)
    return mst_cli_usage_error ("demo-wav", "--rate must be 32000-192000");

  job = mst_job_new ();
  conv = mst_job_make (job, "audioconvert", NULL);
  filter = mst_job_make (job, "capsfilter", NULL);
  enc = mst_job_make (job, "wavenc", NULL);
  sink = mst_job_make (job, "filesink", NULL);
  if (!conv || !filter || !enc || !sink) {
    code = job_failed (job, mst_job_exit_code (job));
    goto done;
  }
  /* no dither noise: the same file every time */
  g_object_set (conv, "dithering", 0, NULL);
  caps = gst_caps_new_simple ("audio/x-raw", "format", G_TYPE_STRING,
      gst_audio_format_to_string (afmt), NULL);
  g_object_set (filter, "caps", caps, NULL);
  gst_caps_unref (caps);
  g_object_set (sink, "location", argv[1], NULL);

  if (!mst_job_link (job, conv, filter, enc, sink, NULL) ||
      !mst_job_add_demo (job, rate, conv)) {
    code = job_failed (job, mst_job_exit_code (job));
    goto done;
  }

  code = mst_job_run (job, !quiet && mst_cli_stderr_is_terminal (), "Writing");
  if (code != MST_EXIT_OK) {
    job_failed (job, code);
    goto done;
  }
  if (!quiet) {
    gchar *name = g_filename_display_name (argv[1]);

    printf ("Wrote the demo mix to %s (%s, %d Hz, 2 channels, %.1f s)\n",
        name, gst_audio_format_to_string (afmt), rate,
        mst_demomix_duration ());
    g_free (name);
  }

done:
  mst_job_free (job);
  return code;
}

/* ---- targets ------------------------------------------------------------- */

static void
print_targets_json (FILE * out)
{
  size_t i, n = mst_targets_count ();

  fprintf (out, "[");
  for (i = 0; i < n; i++) {
    const MstTarget *t = mst_targets_get (i);
    gchar *nick = g_strescape (t->nick, NULL);
    gchar *name = g_strescape (t->name, NULL);
    gchar *notes = g_strescape (t->notes, NULL);
    gchar *source = g_strescape (t->source, NULL);
    gchar st[G_ASCII_DTOSTR_BUF_SIZE] = "null";
    gchar mom[G_ASCII_DTOSTR_BUF_SIZE] = "null";

    if (isfinite (t->max_shortterm_lufs))
      g_snprintf (st, sizeof st, "%.1f", t->max_shortterm_lufs);
    if (isfinite (t->max_momentary_lufs))
      g_snprintf (mom, sizeof mom, "%.1f", t->max_momentary_lufs);
    fprintf (out, "%s\n  {\"id\": \"%s\", \"name\": \"%s\", "
        "\"integrated_lufs\": %.1f, \"tolerance_lu\": %.1f, "
        "\"tolerance_stated\": %s,\n   \"true_peak_max_dbtp\": %.1f, "
        "\"shortterm_max_lufs\": %s, \"momentary_max_lufs\": %s, "
        "\"channels\": %d,\n   \"kind\": \"%s\", \"confidence\": \"%s\",\n"
        "   \"notes\": \"%s\",\n   \"source\": \"%s\"}", i ? "," : "", nick,
        name, t->integrated_lufs, t->tolerance_lu,
        t->tolerance_stated ? "true" : "false", t->true_peak_dbtp, st, mom,
        t->channels, mst_target_kind_name (t->kind),
        mst_target_confidence_name (t->confidence), notes, source);
    g_free (nick);
    g_free (name);
    g_free (notes);
    g_free (source);
  }
  fprintf (out, "\n]\n");
}

static void
print_targets_text (FILE * out)
{
  size_t i, n = mst_targets_count ();

  fprintf (out, "%-14s %-16s %6s %6s %8s %7s  %s\n", "Target", "Name",
      "LUFS", "+-LU", "dBTP", "Max. S", "Confidence");
  for (i = 0; i < n; i++) {
    const MstTarget *t = mst_targets_get (i);
    gchar st[16] = "-";

    if (isfinite (t->max_shortterm_lufs))
      g_snprintf (st, sizeof st, "%.1f", t->max_shortterm_lufs);
    fprintf (out, "%-14s %-16s %6.1f %5.1f%s %8.1f %7s  %s\n", t->nick,
        t->name, t->integrated_lufs, t->tolerance_lu,
        t->tolerance_stated ? " " : "*", t->true_peak_dbtp, st,
        mst_target_confidence_name (t->confidence));
    fprintf (out, "%15s%s\n%15sSource: %s\n", "", t->notes, "", t->source);
  }
  fprintf (out, "\nLUFS: integrated loudness (ITU-R BS.1770).  +-LU: "
      "tolerance; * where the source\nstates none (a practical window).  "
      "dBTP: maximum true peak.  Max. S: maximum\nshort-term loudness.  "
      "Confidence: standard = read in the published standard,\nplatform = "
      "the platform's own page, secondary = secondary sources only\n"
      "(platforms change their numbers without notice).\n");
}

static gint
cmd_targets (gint argc, gchar ** argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    {"json", 'j', 0, G_OPTION_ARG_NONE, &json,
        "Print the table as JSON", NULL},
    {NULL}
  };

  if (!mst_cli_parse_options (&argc, &argv, "", "List the delivery targets "
          "(presets of 'master --target' and of the loudnorm\nelement): "
          "integrated loudness, tolerance, true-peak ceiling, source.",
          entries))
    return MST_EXIT_USAGE;
  if (argc > 1)
    return mst_cli_usage_error ("targets", "unexpected argument");
  if (json)
    print_targets_json (stdout);
  else
    print_targets_text (stdout);
  if (fflush (stdout) != 0)
    return MST_EXIT_OUTPUT;
  return MST_EXIT_OK;
}

/* ---- main ---------------------------------------------------------------- */

typedef struct
{
  const gchar *name;
  gint (*func) (gint argc, gchar ** argv);
  const gchar *args;
  const gchar *summary;
} Command;

static const Command commands[] = {
  {"analyze", cmd_analyze, "[FILE...|--demo] [--json] [--no-true-peak] "
        "[--jobs N]",
      "Measure loudness, loudness range and true peak, with a verdict\n"
        "      against delivery targets (EBU R 128, Spotify, ...)."},
  {"master", mst_cmd_master,
        "IN OUT --target PRESET [--ceiling DBTP] [--chain none|gentle]\n"
        "      [--depth 16|24|32f]  |  --output-dir DIR IN... [--jobs N]",
      "Master a file to a delivery target: gain, true-peak limiter,\n"
        "      verified result, before/after report."},
  {"demo", mst_cmd_demo, "[--output-dir DIR]",
      "Master the built-in demo mix to Spotify's target\n"
        "      (writes demo-master.wav)."},
  {"targets", cmd_targets, "[--json]",
      "List the delivery targets (loudness, tolerance, true-peak\n"
        "      ceiling, source)."},
  {"demo-wav", cmd_demo_wav, "OUT.wav [--format f32|s24|s16] [--rate HZ]",
      "Write the built-in demo mix to a WAV file (also: --write-demo\n"
        "      OUT.wav)."},
};

static void
print_usage (FILE * out)
{
  guint i;

  fprintf (out, "Usage: %s COMMAND [OPTION...] [ARG...]\n\n"
      "Loudness analysis and mastering, with GStreamer.\n\nCommands:\n",
      PROGRAM);
  for (i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %s %s\n      %s\n", commands[i].name, commands[i].args,
        commands[i].summary);
  fprintf (out, "\nRun '%s COMMAND --help' for all options of a command.\n"
      "\n%s", PROGRAM, EXIT_CODES_HELP);
}

int
main (int argc, char **argv)
{
  const gchar *name;
  guint i;

  /* character set for GLib's messages; numbers stay in the C locale so
   * that the reports (and JSON) always use a decimal point */
  setlocale (LC_CTYPE, "");

  if (argc < 2) {
    print_usage (stderr);
    return MST_EXIT_USAGE;
  }
  name = argv[1];
  if (!strcmp (name, "--help") || !strcmp (name, "-h") ||
      !strcmp (name, "help")) {
    if (!strcmp (name, "help") && argc > 2) {
      /* help COMMAND = COMMAND --help */
      argv[1] = argv[2];
      argv[2] = (gchar *) "--help";
      return main (argc, argv);
    }
    print_usage (stdout);
    return MST_EXIT_OK;
  }
  if (!strcmp (name, "--version")) {
    gst_init (NULL, NULL);
    printf ("%s %s (%s)\n", PROGRAM, VERSION, gst_version_string ());
    return MST_EXIT_OK;
  }
  if (!strcmp (name, "--write-demo"))
    name = "demo-wav";

  for (i = 0; i < G_N_ELEMENTS (commands); i++) {
    if (!strcmp (name, commands[i].name)) {
      gint ret;

      argv[1] = (gchar *) commands[i].name;
      /* argv[0] of the subcommand is its name (for GOption's messages) */
      ret = commands[i].func (argc - 1, argv + 1);
      gst_deinit ();
      return ret;
    }
  }
  g_printerr ("%s: unknown command '%s'\n\n", PROGRAM, name);
  print_usage (stderr);
  return MST_EXIT_USAGE;
}
