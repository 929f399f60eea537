/* gst-mastering CLI — `master` and `demo` (see mstmaster.h)
 *
 * Loudness: the render passes measure their output (before quantization)
 * with an inline loudnessmeter.  Without limiting, output loudness =
 * input loudness + gain exactly (BS.1770 is linear in energy); the
 * limiter takes some loudness away, more the harder it works, so the gain
 * is corrected from what the previous pass measured: the first correction
 * adds the shortfall, later ones follow the secant through the last two
 * passes (output loudness as a function of gain is increasing and
 * flattens as limiting grows).
 *
 * True peak: truepeaklimiter's ceiling is set CEILING_MARGIN_DB below the
 * requested ceiling, room for the dither (+-1 LSB) and for the spread
 * between true-peak meters: BS.1770 Annex 2 fixes 4x oversampling but
 * not the interpolation filter, and on content near Nyquist (clipped
 * drums) libebur128's interpolator was measured reading up to 0.12 dB
 * above the limiter's own detector.
 *
 * Output: written to "OUT.part-XXXXXX" beside OUT (same file system, so
 * the final rename is atomic), flushed to disk, verified, then renamed.
 * Any failure, and SIGINT / SIGTERM / SIGHUP, removes the temporary file.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "mstmaster.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <gst/gst.h>
#include <gst/audio/audio.h>

#include "demomix.h"
#include "dsp/targets.h"
#include "mstcli.h"
#include "mstjob.h"
#include "mstplot.h"
#include "mstquantize.h"
#include "mstreport.h"

#define PROGRAM MST_PROGRAM

#define MAX_PASSES 3
#define AIM_LU 0.05             /* a pass this close to the target is final */
#define TOLERANCE_LU 0.1        /* promised: output within +-0.1 LU */
#define CEILING_MARGIN_DB 0.2
#define DEFAULT_MAX_LIMITING_DB 8.0
#define MAX_GAIN_DB 60.0        /* truepeaklimiter's input-gain range */

typedef enum
{
  CHAIN_NONE,
  CHAIN_GENTLE
} Chain;

typedef struct
{
  /* settings */
  const gchar *input;           /* NULL: the demo mix */
  const gchar *out;             /* final output path */
  gchar *tmp;                   /* temporary output beside it */
  const MstTarget *target;
  gdouble ceiling;              /* dBTP */
  Chain chain;
  gint depth;                   /* 16, 24 or 32 (float) */
  gboolean flac;
  gboolean f64;                 /* process in double precision */
  gboolean quiet, progress;
  const MstPlotOptions *plot;   /* --plot of the output, or NULL */

  /* the gentle chain as built (NULL: not used) */
  const gchar *chain_note;
  gboolean eq_failed_noted;

  /* results of the last render pass */
  MstReport pass;               /* inline meter, before quantization */
  gdouble gr_max;               /* limiter's largest gain reduction, dB */
  guint64 safety_clips;
  guint64 quantize_clipped;
  GstElement *limiter, *meter;  /* of the running pass */
} Master;

/* ---- removing the temporary file on signals ------------------------------ */

static char cleanup_path[4096];

static void
on_fatal_signal (int sig)
{
  /* unlink() and raise() are async-signal-safe */
  if (cleanup_path[0])
    unlink (cleanup_path);
  raise (sig);                  /* SA_RESETHAND: the default action now */
}

static void
set_cleanup_path (const gchar * path)
{
  static gboolean installed = FALSE;

  if (!installed) {
    struct sigaction sa;
    static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
    guint i;

    memset (&sa, 0, sizeof sa);
    sa.sa_handler = on_fatal_signal;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset (&sa.sa_mask);
    for (i = 0; i < G_N_ELEMENTS (sigs); i++)
      sigaction (sigs[i], &sa, NULL);
    installed = TRUE;
  }
  if (path && strlen (path) < sizeof cleanup_path)
    g_strlcpy (cleanup_path, path, sizeof cleanup_path);
  else
    cleanup_path[0] = '\0';
}

static void
remove_tmp (Master * m)
{
  if (m->tmp) {
    set_cleanup_path (NULL);
    g_unlink (m->tmp);
    g_clear_pointer (&m->tmp, g_free);
  }
}

/* ---- checks before any work ---------------------------------------------- */

/* A local path for input (file name or file:// URI), or NULL. */
static gchar *
input_path (const gchar * input)
{
  if (!g_file_test (input, G_FILE_TEST_EXISTS) && strstr (input, "://")) {
    if (gst_uri_has_protocol (input, "file"))
      return g_filename_from_uri (input, NULL, NULL);
    return NULL;
  }
  return g_strdup (input);
}

/* TRUE if out names the same file as input (also through links). */
static gboolean
same_file (const gchar * input, const gchar * out)
{
  gchar *in_path = input ? input_path (input) : NULL;
  GStatBuf a, b;
  gboolean same = FALSE;

  if (in_path && g_stat (in_path, &a) == 0 && g_stat (out, &b) == 0)
    same = a.st_dev == b.st_dev && a.st_ino == b.st_ino;
  g_free (in_path);
  return same;
}

/* Creates the temporary file beside m->out; on failure prints why. */
static gboolean
create_tmp (Master * m)
{
  gchar *dir = g_path_get_dirname (m->out);
  gchar *base = g_path_get_basename (m->out);
  gchar *tmpl = g_strdup_printf ("%s%c%s.part-XXXXXX", dir, G_DIR_SEPARATOR,
      base);
  sigset_t block, old;
  mode_t mask;
  gint fd;

  /* no signal between creating the file and knowing its name in the
   * handler (else Ctrl-C right then would leave it behind) */
  set_cleanup_path (NULL);
  sigemptyset (&block);
  sigaddset (&block, SIGINT);
  sigaddset (&block, SIGTERM);
  sigaddset (&block, SIGHUP);
  sigprocmask (SIG_BLOCK, &block, &old);
  fd = g_mkstemp (tmpl);
  if (fd >= 0)
    set_cleanup_path (tmpl);
  sigprocmask (SIG_SETMASK, &old, NULL);
  if (fd < 0) {
    gchar *name = g_filename_display_name (dir);

    g_printerr ("%s: error: cannot write to %s: %s\n", PROGRAM, name,
        g_strerror (errno));
    g_free (name);
    g_free (tmpl);
    g_free (dir);
    g_free (base);
    return FALSE;
  }
  /* the mode a new file gets (g_mkstemp makes it 0600) */
  mask = umask (0);
  umask (mask);
  if (fchmod (fd, 0666 & ~mask) != 0)
    GST_WARNING ("fchmod: %s", g_strerror (errno));
  close (fd);
  m->tmp = tmpl;
  g_free (dir);
  g_free (base);
  return TRUE;
}

/* Writes the temporary file's data to disk: a full disk shows up here at
 * the latest, and a crash after the rename leaves a complete file. */
static gboolean
sync_tmp (Master * m)
{
  gint fd = g_open (m->tmp, O_RDONLY, 0);
  gboolean ok;

  if (fd < 0)
    return FALSE;
  ok = fsync (fd) == 0;
  close (fd);
  return ok;
}

/* ---- the gentle chain ---------------------------------------------------- */

/* Sets "name::prop" (child proxy) or "prop" from a string; FALSE if the
 * property does not exist or the value does not parse. */
static gboolean
set_arg (GstElement * e, const gchar * name, const gchar * value)
{
  GObject *target = NULL;
  GParamSpec *pspec = NULL;
  gboolean ok = FALSE;

  if (GST_IS_CHILD_PROXY (e)) {
    if (!gst_child_proxy_lookup (GST_CHILD_PROXY (e), name, &target, &pspec))
      return FALSE;
  } else {
    pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (e), name);
    if (!pspec)
      return FALSE;
    target = g_object_ref (G_OBJECT (e));
  }
  if (pspec->flags & G_PARAM_WRITABLE) {
    GValue v = G_VALUE_INIT;

    g_value_init (&v, pspec->value_type);
    ok = gst_value_deserialize (&v, value);
    if (ok)
      g_object_set_property (target, pspec->name, &v);
    g_value_unset (&v);
  }
  g_object_unref (target);
  return ok;
}

/* mseq for a low-end tidy: a 24 dB/oct high-pass at 30 Hz on both
 * channels (subsonic rumble) and a 12 dB/oct high-pass at 100 Hz on the
 * side (the low end in mono).  NULL if mseq cannot be set up so. */
static GstElement *
make_mseq (MstJob * job)
{
  static const gchar *const args[][2] = {
    {"num-bands", "2"},
    {"band0::type", "high-pass"}, {"band0::freq", "30"},
    {"band0::slope", "24"}, {"band0::channel", "stereo"},
    {"band1::type", "high-pass"}, {"band1::freq", "100"},
    {"band1::slope", "12"}, {"band1::channel", "side"},
  };
  GstElement *e = gst_element_factory_make ("mseq", NULL);
  guint i;

  if (!e)
    return NULL;
  for (i = 0; i < G_N_ELEMENTS (args); i++) {
    if (!set_arg (e, args[i][0], args[i][1])) {
      GST_WARNING ("mseq: cannot set %s=%s", args[i][0], args[i][1]);
      gst_object_unref (gst_object_ref_sink (e));
      return NULL;
    }
  }
  gst_bin_add (GST_BIN (mst_job_pipeline (job)), e);
  return e;
}

/* multibandcomp with its defaults (gentle glue), stereo-linked. */
static GstElement *
make_mbc (MstJob * job)
{
  GstElement *e = gst_element_factory_make ("multibandcomp", NULL);

  if (!e)
    return NULL;
  set_arg (e, "mode", "linked");
  gst_bin_add (GST_BIN (mst_job_pipeline (job)), e);
  return e;
}

/* ---- one render pass ----------------------------------------------------- */

static void
render_message (MstJob * job, GstMessage * msg, gpointer user_data)
{
  Master *m = user_data;
  const GstStructure *s = gst_message_get_structure (msg);
  gdouble gr;

  if (GST_MESSAGE_TYPE (msg) != GST_MESSAGE_ELEMENT || !s)
    return;
  if (GST_MESSAGE_SRC (msg) == GST_OBJECT (m->meter) &&
      gst_structure_has_name (s, "loudnessmeter")) {
    mst_report_update (&m->pass, s);
  } else if (GST_MESSAGE_SRC (msg) == GST_OBJECT (m->limiter) &&
      gst_structure_has_name (s, "truepeaklimiter")) {
    if (gst_structure_get_double (s, "gain-reduction-max", &gr) &&
        isfinite (gr))
      m->gr_max = MAX (m->gr_max, gr);
    gst_structure_get_uint64 (s, "safety-clips", &m->safety_clips);
  }
}

static GstCaps *
format_caps (const gchar * format)
{
  return gst_caps_new_simple ("audio/x-raw", "format", G_TYPE_STRING,
      format, NULL);
}

static MstExit
render (Master * m, gdouble gain_db, const gchar * label)
{
  GstElement *conv, *resample, *filter, *amp, *lim, *meter, *enc, *sink;
  GstElement *last, *q = NULL;
  MstJob *job = mst_job_new ();
  MstExit code = MST_EXIT_OK;
  GstCaps *caps;

  mst_report_clear (&m->pass);
  m->gr_max = 0.0;
  m->safety_clips = 0;

  conv = mst_job_make (job, "audioconvert", NULL);
  resample = mst_job_make (job, "audioresample", NULL);
  filter = mst_job_make (job, "capsfilter", NULL);
  amp = mst_job_make (job, "audioamplify", NULL);
  lim = mst_job_make (job, "truepeaklimiter", "limiter");
  meter = mst_job_make (job, "loudnessmeter", "meter");
  enc = mst_job_make (job, m->flac ? "flacenc" : "wavenc", NULL);
  sink = mst_job_make (job, "filesink", NULL);
  if (!conv || !resample || !filter || !amp || !lim || !meter || !enc
      || !sink)
    goto failed;

  g_object_set (conv, "dithering", 0, "noise-shaping", 0, NULL);
  caps = format_caps (m->f64 ? "F64LE" : "F32LE");
  g_object_set (filter, "caps", caps, NULL);
  gst_caps_unref (caps);
  /* clipping-method 3 = none: float has headroom, the limiter follows */
  g_object_set (amp, "amplification", (gfloat) pow (10.0, gain_db / 20.0),
      NULL);
  gst_util_set_object_arg (G_OBJECT (amp), "clipping-method", "none");
  g_object_set (lim, "ceiling", m->ceiling - CEILING_MARGIN_DB,
      "interval", (guint64) GST_SECOND, NULL);
  g_object_set (meter, "true-peak", FALSE, "interval", (guint64) GST_SECOND,
      NULL);
  g_object_set (sink, "location", m->tmp, "sync", FALSE, NULL);
  m->limiter = lim;
  m->meter = meter;

  /* the output keeps the first format of the input: a later change of
   * rate or layout (chained Ogg, concatenated MP3s) is converted to it */
  mst_job_lock_format (job, filter);
  if (!mst_job_link (job, conv, resample, filter, amp, NULL))
    goto failed;
  last = amp;
  if (m->chain == CHAIN_GENTLE) {
    GstElement *eq = make_mseq (job), *mbc = make_mbc (job);

    /* installed but not configurable as planned (other properties) */
    if (!eq && mst_cli_have_element ("mseq") && !m->eq_failed_noted) {
      m->eq_failed_noted = TRUE;
      m->chain_note = mbc ? "multibandcomp (glue)" : NULL;
      if (!m->quiet)
        g_printerr ("%s: note: 'mseq' does not take the low-end tidy "
            "settings (its properties differ): running without it\n",
            PROGRAM);
    }
    if (eq) {
      if (!mst_job_link (job, last, eq, NULL))
        goto failed;
      last = eq;
    }
    if (mbc) {
      if (!mst_job_link (job, last, mbc, NULL))
        goto failed;
      last = mbc;
    }
  }
  if (!mst_job_link (job, last, lim, meter, NULL))
    goto failed;

  if (m->depth == 32) {
    GstElement *conv2 = mst_job_make (job, "audioconvert", NULL);
    GstElement *filter2 = mst_job_make (job, "capsfilter", NULL);

    if (!conv2 || !filter2)
      goto failed;
    caps = format_caps ("F32LE");
    g_object_set (filter2, "caps", caps, NULL);
    gst_caps_unref (caps);
    if (!mst_job_link (job, meter, conv2, filter2, enc, sink, NULL))
      goto failed;
  } else {
    q = mst_job_make (job, "mstquantize", NULL);
    if (!q)
      goto failed;
    g_object_set (q, "depth", (guint) m->depth, NULL);
    if (!mst_job_link (job, meter, q, enc, sink, NULL))
      goto failed;
  }

  if (m->input ? !mst_job_add_input (job, m->input, conv,
          MST_REPORT_MAX_CHANNELS) :
      !mst_job_add_demo (job, MST_DEMOMIX_DEFAULT_RATE, conv))
    goto failed;
  mst_job_set_message_func (job, render_message, m);
  mst_job_set_quiet (job, TRUE);

  code = mst_job_run (job, m->progress, label);
  if (code == MST_EXIT_OK && !m->pass.complete)
    code = mst_job_fail (job, MST_EXIT_NOT_AUDIO,
        "%s: no audio samples were processed", mst_job_source_name (job));
  if (code != MST_EXIT_OK)
    goto failed;
  if (q)
    g_object_get (q, "clipped", &m->quantize_clipped, NULL);
  m->limiter = m->meter = NULL;
  mst_job_free (job);
  return MST_EXIT_OK;

failed:
  code = mst_job_exit_code (job);
  g_printerr ("%s: error: %s\n", PROGRAM, mst_job_error_message (job) ?
      mst_job_error_message (job) : "rendering failed");
  m->limiter = m->meter = NULL;
  mst_job_free (job);
  return code == MST_EXIT_OK ? MST_EXIT_FAILURE : code;
}

/* ---- output format ------------------------------------------------------- */

/* Word length of a decoded format: 16, 24 or 32 (float). */
static gint
depth_of_format (const gchar * format)
{
  GstAudioFormat f = format ? gst_audio_format_from_string (format) :
      GST_AUDIO_FORMAT_UNKNOWN;
  const GstAudioFormatInfo *info;

  if (f == GST_AUDIO_FORMAT_UNKNOWN)
    return 24;
  info = gst_audio_format_get_info (f);
  if (GST_AUDIO_FORMAT_INFO_IS_FLOAT (info))
    return 32;
  return GST_AUDIO_FORMAT_INFO_DEPTH (info) <= 16 ? 16 : 24;
}

static const gchar *
depth_name (gint depth)
{
  return depth == 16 ? "16-bit PCM, TPDF dither" : depth == 24 ?
      "24-bit PCM, TPDF dither" : "32-bit float";
}

/* ---- the report ---------------------------------------------------------- */

static void
row (const gchar * label, const gchar * unit, gdouble before, gdouble after,
    const gchar * target)
{
  /* levels signed (+0.4 dBTP), ranges (LU) not */
  const gchar *f = strcmp (unit, "LU") ? "%+.1f" : "%.1f";
  gchar b1[32], b2[32];

  printf ("  %-22s %-5s %8s %8s%s%s\n", label, unit,
      isfinite (before) ? g_ascii_formatd (b1, sizeof b1, f, before) :
      "-inf", isfinite (after) ? g_ascii_formatd (b2, sizeof b2, f,
          after) : "-inf", target ? "   " : "", target ? target : "");
}

typedef struct
{
  gdouble gains[MAX_PASSES];
  gdouble measured[MAX_PASSES];
  guint passes;
  gboolean loudness_ok, peak_ok, heavy;
  gdouble max_limiting;
} Outcome;

static void
print_text (const Master * m, const MstReport * before,
    const MstReport * after, const Outcome * o)
{
  const MstTarget *t = m->target;
  gchar tgt[64], tp[64], *name = g_filename_display_name (m->out);
  guint i;

  printf ("Input          %s\n", before->source ? before->source : "?");
  printf ("Output         %s\n", name);
  printf ("Format         %s, %d Hz, %d channel%s, %s (%s)\n",
      m->flac ? "FLAC" : "WAV", after->rate, after->channels,
      after->channels == 1 ? "" : "s", depth_name (m->depth),
      after->format ? after->format : "?");
  if (before->decoded_channels > before->source_channels
      && before->source_channels > 0)
    printf ("               the stream has %d channel%s; the decoder output "
        "%d (upmix), mastered as %d\n", before->source_channels,
        before->source_channels == 1 ? "" : "s", before->decoded_channels,
        after->channels);
  if (before->chains > 1)
    printf ("               %u chained streams, mastered as one\n",
        before->chains);
  if (before->format_changes > 0)
    printf ("Format change  %u time%s in the input (first: %s); converted to "
        "the first format\n", before->format_changes,
        before->format_changes == 1 ? "" : "s",
        before->format_change ? before->format_change : "?");
  printf ("Target         %s: %.1f LUFS, true peak <= %.1f dBTP\n",
      t->name, t->integrated_lufs, m->ceiling);
  printf ("Chain          gain, %s%struepeaklimiter\n",
      m->chain_note ? m->chain_note : "", m->chain_note ? ", " : "");
  printf ("\n  %-22s %-5s %8s %8s   %s\n", "", "", "Before", "After",
      "Target");
  g_snprintf (tgt, sizeof tgt, "%.1f +- %.1f", t->integrated_lufs,
      TOLERANCE_LU);
  row ("Integrated", "LUFS", before->integrated, after->integrated, tgt);
  row ("Loudness range", "LU", before->range, after->range, NULL);
  row ("Max. momentary", "LUFS", before->momentary_max,
      after->momentary_max, NULL);
  row ("Max. short-term", "LUFS", before->shortterm_max,
      after->shortterm_max, isfinite (t->max_shortterm_lufs) ?
      g_ascii_formatd (tp, sizeof tp, "<= %.1f", t->max_shortterm_lufs) :
      NULL);
  g_snprintf (tgt, sizeof tgt, "<= %.1f", m->ceiling);
  row ("True peak", "dBTP", before->true_peak_max, after->true_peak_max,
      tgt);
  row ("Sample peak", "dBFS", before->sample_peak_max,
      after->sample_peak_max, NULL);
  row ("PLR", "LU", before->plr, after->plr, NULL);
  printf ("\n");
  printf ("Gain           %+.2f dB", o->gains[o->passes - 1]);
  if (o->passes > 1) {
    printf ("  (%u passes:", o->passes);
    for (i = 0; i < o->passes; i++)
      printf (" %+.2f dB -> %.2f LUFS%s", o->gains[i], o->measured[i],
          i + 1 < o->passes ? "," : ")");
  }
  printf ("\nLimiter        up to %.1f dB of peak reduction\n", m->gr_max);
  if (after->plot_file) {
    gchar *plot = g_filename_display_name (after->plot_file);

    printf ("Plot           %s\n", plot);
    g_free (plot);
  }
  printf ("Result         ");
  if (o->loudness_ok && o->peak_ok)
    printf ("meets %s: %.2f LUFS (%+.2f LU), true peak %.2f dBTP\n",
        t->name, after->integrated, after->integrated - t->integrated_lufs,
        after->true_peak_max);
  else
    printf ("MISSES %s: %.2f LUFS (%+.2f LU), true peak %.2f dBTP\n",
        t->name, after->integrated, after->integrated - t->integrated_lufs,
        after->true_peak_max);
  g_free (name);
}

static void
json_report (FILE * out, const gchar * key, const MstReport * r)
{
  gchar b[6][G_ASCII_DTOSTR_BUF_SIZE];
  const gdouble v[6] = { r->integrated, r->range, r->momentary_max,
    r->shortterm_max, r->true_peak_max, r->sample_peak_max
  };
  guint i;

  for (i = 0; i < 6; i++) {
    if (isfinite (v[i]))
      g_ascii_formatd (b[i], sizeof b[i], "%.4f", v[i]);
    else
      g_strlcpy (b[i], "null", sizeof b[i]);
  }
  fprintf (out, "  \"%s\": {\"integrated_lufs\": %s, \"loudness_range_lu\": "
      "%s, \"momentary_max_lufs\": %s, \"shortterm_max_lufs\": %s, "
      "\"true_peak_dbtp\": %s, \"sample_peak_dbfs\": %s, \"rate\": %d, "
      "\"channels\": %d, \"frames\": %" G_GUINT64_FORMAT ", \"format\": "
      "\"%s\"},\n", key, b[0], b[1], b[2], b[3], b[4], b[5], r->rate,
      r->channels, r->frames, r->format ? r->format : "");
}

static void
print_json (const Master * m, const MstReport * before,
    const MstReport * after, const Outcome * o)
{
  gchar *src = g_strescape (before->source ? before->source : "", NULL);
  gchar *out = g_strescape (m->out, NULL);
  guint i;

  printf ("{\n  \"source\": \"%s\",\n  \"output\": \"%s\",\n", src, out);
  printf ("  \"container\": \"%s\",\n  \"depth\": \"%s\",\n",
      m->flac ? "flac" : "wav", m->depth == 32 ? "32f" : m->depth == 16 ?
      "16" : "24");
  printf ("  \"target\": \"%s\",\n  \"target_lufs\": %.1f,\n"
      "  \"ceiling_dbtp\": %.2f,\n  \"chain\": \"%s\",\n",
      m->target->nick, m->target->integrated_lufs, m->ceiling,
      m->chain == CHAIN_GENTLE ? "gentle" : "none");
  printf ("  \"source_channels\": %d,\n  \"decoder_upmix\": %s,\n"
      "  \"chains\": %u,\n  \"format_changes\": %u,\n",
      before->source_channels, before->decoded_channels >
      before->source_channels ? "true" : "false", MAX (before->chains, 1),
      before->format_changes);
  json_report (stdout, "before", before);
  json_report (stdout, "after", after);
  printf ("  \"passes\": [");
  for (i = 0; i < o->passes; i++)
    printf ("%s{\"gain_db\": %.4f, \"integrated_lufs\": %.4f}", i ? ", " : "",
        o->gains[i], o->measured[i]);
  printf ("],\n  \"gain_db\": %.4f,\n  \"limiter_max_db\": %.4f,\n",
      o->gains[o->passes - 1], m->gr_max);
  printf ("  \"heavy_limiting\": %s,\n  \"max_limiting_db\": %.2f,\n",
      o->heavy ? "true" : "false", o->max_limiting);
  printf ("  \"loudness_ok\": %s,\n  \"peak_ok\": %s,\n",
      o->loudness_ok ? "true" : "false", o->peak_ok ? "true" : "false");
  if (after->plot_file) {
    gchar *plot = g_strescape (after->plot_file, NULL);

    printf ("  \"plot\": \"%s\"\n}\n", plot);
    g_free (plot);
  } else {
    printf ("  \"plot\": null\n}\n");
  }
  g_free (src);
  g_free (out);
}

/* ---- master -------------------------------------------------------------- */

static gint
run_master (Master * m, gboolean json, gboolean strict, gdouble max_limiting)
{
  MstReport before, after;
  Outcome o = { {0} };
  MstExit code;
  gdouble gain;
  guint pass;
  gint depth;

  mst_report_init (&before);
  mst_report_init (&after);
  mst_report_init (&m->pass);
  o.max_limiting = max_limiting;

  if (!mst_cli_ensure_element ("truepeaklimiter") ||
      !mst_cli_ensure_element ("loudnessmeter")) {
    g_printerr ("%s: error: the gst-mastering plugin (truepeaklimiter, "
        "loudnessmeter) was not found; set GST_PLUGIN_PATH to the "
        "directory of libgstmastering.so\n", PROGRAM);
    return MST_EXIT_MISSING_PLUGIN;
  }
  mst_quantize_register ();

  if (!create_tmp (m))
    return MST_EXIT_OUTPUT;

  /* 1. analysis */
  code = mst_cli_measure (m->input, TRUE, FALSE, m->progress, m->quiet,
      "Analyzing", &before, NULL);
  if (code != MST_EXIT_OK)
    goto done;
  if (!isfinite (before.integrated)) {
    g_printerr ("%s: error: %s: no measurable loudness (silent, or shorter "
        "than 400 ms): nothing to master\n", PROGRAM, before.source);
    code = MST_EXIT_NOT_AUDIO;
    goto done;
  }
  /* output format */
  depth = depth_of_format (before.source_format);
  m->f64 = before.source_format && g_str_has_prefix (before.source_format,
      "F64");
  if (m->depth == 0)
    m->depth = depth;
  if (m->flac && m->depth == 32) {
    if (!m->quiet)
      g_printerr ("%s: note: FLAC stores integers only: writing 24-bit\n",
          PROGRAM);
    m->depth = 24;
  }

  /* the chain */
  if (m->chain == CHAIN_GENTLE) {
    gboolean have_eq = mst_cli_ensure_element ("mseq");
    gboolean have_mbc = mst_cli_ensure_element ("multibandcomp");

    if (before.channels > 2) {
      m->chain = CHAIN_NONE;
      if (!m->quiet)
        g_printerr ("%s: note: the gentle chain is for mono and stereo; "
            "%d channels get gain and limiter only\n", PROGRAM,
            before.channels);
    } else if (!have_eq && !have_mbc) {
      m->chain = CHAIN_NONE;
      if (!m->quiet)
        g_printerr ("%s: note: neither 'mseq' nor 'multibandcomp' is "
            "installed: gain and limiter only\n", PROGRAM);
    } else {
      m->chain_note = have_eq && have_mbc ? "mseq (low-end tidy), "
          "multibandcomp (glue)" : have_eq ? "mseq (low-end tidy)" :
          "multibandcomp (glue)";
      if (!m->quiet && (!have_eq || !have_mbc))
        g_printerr ("%s: note: '%s' is not installed: the gentle chain "
            "runs without it\n", PROGRAM, have_eq ? "multibandcomp" :
            "mseq");
    }
  }

  /* 2. render, correcting the gain while the limiter takes loudness */
  gain = m->target->integrated_lufs - before.integrated;
  for (pass = 0; pass < MAX_PASSES; pass++) {
    gchar *label;
    gdouble miss;

    if (fabs (gain) > MAX_GAIN_DB) {
      g_printerr ("%s: error: %s needs %+.1f dB of gain to reach %.1f LUFS "
          "(at most +-%.0f dB)\n", PROGRAM, before.source, gain,
          m->target->integrated_lufs, MAX_GAIN_DB);
      code = MST_EXIT_NOT_AUDIO;
      goto done;
    }
    label = pass == 0 ? g_strdup ("Mastering") :
        g_strdup_printf ("Mastering (pass %u)", pass + 1);
    code = render (m, gain, label);
    g_free (label);
    if (code != MST_EXIT_OK)
      goto done;
    o.gains[pass] = gain;
    o.measured[pass] = m->pass.integrated;
    o.passes = pass + 1;
    miss = m->target->integrated_lufs - m->pass.integrated;
    if (!isfinite (miss) || fabs (miss) <= AIM_LU || pass + 1 == MAX_PASSES)
      break;
    if (pass == 0) {
      gain += miss;
    } else {
      gdouble slope = (o.measured[pass] - o.measured[pass - 1]) /
          (o.gains[pass] - o.gains[pass - 1]);

      if (!isfinite (slope))
        slope = 1.0;
      gain += miss / CLAMP (slope, 0.1, 1.0);
    }
  }
  if (!sync_tmp (m)) {
    g_printerr ("%s: error: cannot write %s: %s\n", PROGRAM, m->tmp,
        g_strerror (errno));
    code = MST_EXIT_OUTPUT;
    goto done;
  }

  /* 3. verification of the written file (and its plot) */
  if (m->plot)
    after.plot = mst_plot_new (m->ceiling);
  code = mst_cli_measure (m->tmp, TRUE, FALSE, m->progress, TRUE,
      "Verifying",
      &after, NULL);
  if (code != MST_EXIT_OK)
    goto done;
  if (g_rename (m->tmp, m->out) != 0) {
    gchar *name = g_filename_display_name (m->out);

    g_printerr ("%s: error: cannot create %s: %s\n", PROGRAM, name,
        g_strerror (errno));
    g_free (name);
    code = MST_EXIT_OUTPUT;
    goto done;
  }
  set_cleanup_path (NULL);
  g_clear_pointer (&m->tmp, g_free);
  if (m->plot) {
    gchar *base = g_path_get_basename (m->out);
    gchar *title = g_filename_display_name (base);

    code = mst_plot_write_report (m->plot, &after, m->target, title);
    g_free (title);
    g_free (base);
    if (code != MST_EXIT_OK)
      goto done;
  }

  o.loudness_ok = fabs (after.integrated - m->target->integrated_lufs) <=
      TOLERANCE_LU;
  o.peak_ok = after.true_peak_max <= m->ceiling;
  o.heavy = m->gr_max > max_limiting;
  if (json)
    print_json (m, &before, &after, &o);
  else if (!m->quiet)
    print_text (m, &before, &after, &o);

  if (o.heavy)
    g_printerr ("%s: warning: reaching %.1f LUFS took up to %.1f dB of peak "
        "limiting (more than %.1f dB): transients lose punch and the "
        "limiter may be audible; a lower target, or a mix with more "
        "controlled peaks, will sound better\n", PROGRAM,
        m->target->integrated_lufs, m->gr_max, max_limiting);
  if (m->quantize_clipped > 0 && !m->quiet)
    g_printerr ("%s: note: %" G_GUINT64_FORMAT " samples clipped at "
        "quantization (ceiling at full scale)\n", PROGRAM,
        m->quantize_clipped);
  if (!o.loudness_ok || !o.peak_ok) {
    g_printerr ("%s: warning: the output misses the target: %.2f LUFS "
        "(target %.1f +- %.1f), true peak %.2f dBTP (ceiling %.1f)\n",
        PROGRAM, after.integrated, m->target->integrated_lufs, TOLERANCE_LU,
        after.true_peak_max, m->ceiling);
    code = MST_EXIT_TARGET;
  } else if (o.heavy && strict) {
    code = MST_EXIT_TARGET;
  }

done:
  remove_tmp (m);
  mst_plot_free (after.plot);
  mst_report_clear (&before);
  mst_report_clear (&after);
  mst_report_clear (&m->pass);
  fflush (stdout);
  return code;
}

static gboolean
parse_chain (const gchar * s, Chain * chain)
{
  if (!s || !g_ascii_strcasecmp (s, "none"))
    *chain = CHAIN_NONE;
  else if (!g_ascii_strcasecmp (s, "gentle"))
    *chain = CHAIN_GENTLE;
  else
    return FALSE;
  return TRUE;
}

static gboolean
parse_depth (const gchar * s, gint * depth)
{
  if (!s)
    *depth = 0;
  else if (!strcmp (s, "16"))
    *depth = 16;
  else if (!strcmp (s, "24"))
    *depth = 24;
  else if (!g_ascii_strcasecmp (s, "32f") || !g_ascii_strcasecmp (s, "32"))
    *depth = 32;
  else
    return FALSE;
  return TRUE;
}

/* The container from OUT's extension; FALSE if it is neither. */
static gboolean
parse_container (const gchar * out, gboolean * flac)
{
  gchar *lower = g_ascii_strdown (out, -1);
  gboolean ok = TRUE;

  if (g_str_has_suffix (lower, ".wav") || g_str_has_suffix (lower, ".wave"))
    *flac = FALSE;
  else if (g_str_has_suffix (lower, ".flac"))
    *flac = TRUE;
  else
    ok = FALSE;
  g_free (lower);
  return ok;
}

static gint
master_main (const gchar * command, const gchar * input, const gchar * out,
    const gchar * target, gdouble ceiling, const gchar * chain,
    const gchar * depth, gboolean json, gboolean quiet, gboolean strict,
    gdouble max_limiting, const MstPlotOptions * plot)
{
  Master m = { 0 };
  GStatBuf st;
  gint ret;

  m.input = input;
  m.out = out;
  m.plot = plot && plot->path ? plot : NULL;
  m.quiet = quiet || json;
  m.progress = !m.quiet && mst_cli_stderr_is_terminal ();
  m.target = mst_targets_find (target);
  if (!m.target) {
    gchar *msg = g_strdup_printf ("unknown target '%s' (see '%s targets')",
        target, PROGRAM);

    ret = mst_cli_usage_error (command, msg);
    g_free (msg);
    return ret;
  }
  m.ceiling = isnan (ceiling) ? m.target->true_peak_dbtp : ceiling;
  if (!isfinite (m.ceiling) || m.ceiling > 0.0 || m.ceiling < -20.0)
    return mst_cli_usage_error (command, "--ceiling must be -20 to 0 dBTP");
  if (!parse_chain (chain, &m.chain))
    return mst_cli_usage_error (command, "--chain must be none or gentle");
  if (!parse_depth (depth, &m.depth))
    return mst_cli_usage_error (command, "--depth must be 16, 24 or 32f");
  if (!isfinite (max_limiting) || max_limiting < 0.0)
    return mst_cli_usage_error (command, "--max-limiting must be >= 0 dB");
  if (!parse_container (out, &m.flac))
    return mst_cli_usage_error (command, "OUT must end in .wav or .flac");
  if (g_stat (out, &st) == 0 && S_ISDIR (st.st_mode)) {
    g_printerr ("%s: error: %s is a directory\n", PROGRAM, out);
    return MST_EXIT_OUTPUT;
  }
  if (same_file (input, out))
    return mst_cli_usage_error (command, "OUT is the same file as IN: "
        "write the master to a new file");

  ret = run_master (&m, json, strict, max_limiting);
  return ret;
}

gint
mst_cmd_master (gint argc, gchar ** argv)
{
  gchar *target = NULL, *chain = NULL, *depth = NULL;
  /* G_MAXDOUBLE: not given (NaN is what "--ceiling nan" parses to) */
  gdouble ceiling = G_MAXDOUBLE, max_limiting = DEFAULT_MAX_LIMITING_DB;
  gboolean demo = FALSE, json = FALSE, quiet = FALSE, strict = FALSE;
  MstPlotOptions plot = { 0 };
  const GOptionEntry entries[] = {
    {"target", 't', 0, G_OPTION_ARG_STRING, &target,
        "Delivery target (required; see 'gst-mastering targets')", "PRESET"},
    {"ceiling", 'c', 0, G_OPTION_ARG_DOUBLE, &ceiling,
        "True-peak ceiling in dBTP, -20 to 0 (default: the target's)",
        "DBTP"},
    {"chain", 0, 0, G_OPTION_ARG_STRING, &chain,
          "Processing before the limiter: none (default; gain only) or "
          "gentle (mseq low-end tidy + multibandcomp glue, mono/stereo)",
        "none|gentle"},
    {"depth", 0, 0, G_OPTION_ARG_STRING, &depth,
          "Output sample format: 16, 24 (TPDF-dithered) or 32f (float); "
          "default: as the input (float into FLAC: 24)", "16|24|32f"},
    {"max-limiting", 0, 0, G_OPTION_ARG_DOUBLE, &max_limiting,
          "Warn when the limiter must reduce peaks by more than this, in dB "
          "(default 8)", "DB"},
    {"strict", 0, 0, G_OPTION_ARG_NONE, &strict,
        "Exit with code 8 when more limiting than --max-limiting was needed",
        NULL},
    {"demo", 'd', 0, G_OPTION_ARG_NONE, &demo,
        "Master the built-in demo mix (then only OUT is given)", NULL},
    {"json", 'j', 0, G_OPTION_ARG_NONE, &json,
        "Print the before/after report as JSON", NULL},
    {"quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
        "No progress, notes or report (warnings and errors only)", NULL},
    MST_PLOT_OPTION_ENTRIES (&plot),
    {NULL}
  };
  const gchar *input = NULL, *out = NULL;
  gchar *msg;
  gint ret;

  if (!mst_cli_parse_options (&argc, &argv, "IN OUT", "Master IN to a "
          "delivery target: measure it, apply the gain that reaches\nthe "
          "target's integrated loudness and a true-peak limiter at its "
          "ceiling,\ncorrect the gain while the limiter takes loudness "
          "away (at most 3 passes),\nverify the written file and print "
          "before/after.  OUT ends in .wav or .flac;\nit is written to a "
          "temporary file beside it and renamed when complete.", entries))
    return MST_EXIT_USAGE;

  if (demo && argc == 2) {
    out = argv[1];
  } else if (!demo && argc == 3) {
    input = argv[1];
    out = argv[2];
  } else {
    ret = mst_cli_usage_error ("master", demo ? "with --demo give only OUT" :
        argc < 3 ? "give IN and OUT" : "too many arguments");
    goto done;
  }
  if (!target) {
    ret = mst_cli_usage_error ("master", "--target is required (see '"
        PROGRAM " targets')");
    goto done;
  }
  if (isnan (ceiling)) {
    ret = mst_cli_usage_error ("master", "--ceiling must be -20 to 0 dBTP");
    goto done;
  }
  if (ceiling == G_MAXDOUBLE)
    ceiling = NAN;
  if ((msg = mst_plot_options_check (&plot))) {
    ret = mst_cli_usage_error ("master", msg);
    g_free (msg);
    goto done;
  }
  ret = master_main ("master", input, out, target, ceiling, chain, depth,
      json, quiet, strict, max_limiting, &plot);

done:
  mst_plot_options_clear (&plot);
  g_free (target);
  g_free (chain);
  g_free (depth);
  return ret;
}

gint
mst_cmd_demo (gint argc, gchar ** argv)
{
  gchar *dir = NULL, *target = NULL, *out;
  gboolean json = FALSE, quiet = FALSE;
  MstPlotOptions plot = { 0 };
  const GOptionEntry entries[] = {
    {"output-dir", 'o', 0, G_OPTION_ARG_FILENAME, &dir,
          "Directory for demo-master.wav and demo-loudness.png (default: "
          "the current one)", "DIR"},
    {"target", 't', 0, G_OPTION_ARG_STRING, &target,
        "Delivery target (default spotify)", "PRESET"},
    {"json", 'j', 0, G_OPTION_ARG_NONE, &json,
        "Print the before/after report as JSON", NULL},
    {"quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
        "No progress, notes or report", NULL},
    {NULL}
  };
  gint ret;

  if (!mst_cli_parse_options (&argc, &argv, "", "Master the built-in, "
          "deliberately unmastered demo mix to Spotify's target and\n"
          "write demo-master.wav and its loudness plot demo-loudness.png: a\n"
          "mastering run without any input file.",
          entries))
    return MST_EXIT_USAGE;
  if (argc > 1) {
    g_free (dir);
    g_free (target);
    return mst_cli_usage_error ("demo", "unexpected argument");
  }
  out = g_build_filename (dir ? dir : ".", "demo-master.wav", NULL);
  plot.path = g_build_filename (dir ? dir : ".", "demo-loudness.png", NULL);
  g_free (mst_plot_options_check (&plot));
  ret = master_main ("demo", NULL, out, target ? target : "spotify", NAN,
      NULL, NULL, json, quiet, FALSE, DEFAULT_MAX_LIMITING_DB, &plot);
  mst_plot_options_clear (&plot);
  g_free (out);
  g_free (dir);
  g_free (target);
  return ret;
}
