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
#include <pthread.h>
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
#include "mstbatch.h"
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

  FILE *fp;                     /* the report goes here (stdout) */
  /* the verified result (batch summaries) */
  gboolean done;
  gdouble result_lufs, result_tp;
  gboolean result_ok;
} Master;

/* ---- removing the temporary files on signals ---------------------------- */

/* The temporary files being written (several in a batch), under
 * tmp_lock.  SIGINT, SIGTERM and SIGHUP only write the signal number to a
 * pipe (async-signal-safe, whichever thread receives it); a cleanup thread
 * reads it, takes the lock — so a file is either not yet created or
 * already registered, and a rename is either not yet done or done and
 * unregistered —, removes every registered file and ends the process by
 * the same signal (its default action). */
static GMutex tmp_lock;
static GPtrArray *tmp_files;
static int signal_pipe[2] = { -1, -1 };
static mode_t file_mask;        /* the umask, read once */

static void
on_fatal_signal (int sig)
{
  unsigned char c = (unsigned char) sig;
  int saved = errno;

  if (write (signal_pipe[1], &c, 1) < 0) {
    /* nothing else is safe here */
  }
  errno = saved;
}

static gpointer
cleanup_thread (gpointer data)
{
  unsigned char c;
  sigset_t set;
  guint i;

  while (read (signal_pipe[0], &c, 1) != 1) {
    if (errno != EINTR)
      return NULL;
  }
  g_mutex_lock (&tmp_lock);     /* kept: no new file from here on */
  for (i = 0; tmp_files && i < tmp_files->len; i++)
    unlink (g_ptr_array_index (tmp_files, i));
  signal (c, SIG_DFL);
  sigemptyset (&set);
  sigaddset (&set, c);
  pthread_sigmask (SIG_UNBLOCK, &set, NULL);
  raise (c);
  _exit (128 + c);
  return NULL;
}

static void
install_cleanup (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done)) {
    static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
    struct sigaction sa;
    guint i;

    /* read before any worker thread creates files */
    file_mask = umask (0);
    umask (file_mask);
    tmp_files = g_ptr_array_new_with_free_func (g_free);
    if (pipe (signal_pipe) == 0) {
      g_thread_unref (g_thread_new ("mst-cleanup", cleanup_thread, NULL));
      memset (&sa, 0, sizeof sa);
      sa.sa_handler = on_fatal_signal;
      sa.sa_flags = SA_RESTART;
      sigemptyset (&sa.sa_mask);
      for (i = 0; i < G_N_ELEMENTS (sigs); i++)
        sigaction (sigs[i], &sa, NULL);
    } else {
      GST_WARNING ("pipe: %s", g_strerror (errno));
    }
    g_once_init_leave (&done, 1);
  }
}

/* Under tmp_lock. */
static void
forget_tmp_locked (const gchar * path)
{
  guint i;

  for (i = 0; i < tmp_files->len; i++) {
    if (!strcmp (g_ptr_array_index (tmp_files, i), path)) {
      g_ptr_array_remove_index_fast (tmp_files, i);
      return;
    }
  }
}

static void
remove_tmp (Master * m)
{
  if (m->tmp) {
    g_mutex_lock (&tmp_lock);
    g_unlink (m->tmp);
    forget_tmp_locked (m->tmp);
    g_mutex_unlock (&tmp_lock);
    g_clear_pointer (&m->tmp, g_free);
  }
}

/* Renames the temporary file to OUT; FALSE (errno set) on failure. */
static gboolean
commit_tmp (Master * m)
{
  gboolean ok;

  g_mutex_lock (&tmp_lock);
  ok = g_rename (m->tmp, m->out) == 0;
  if (ok)
    forget_tmp_locked (m->tmp);
  g_mutex_unlock (&tmp_lock);
  if (ok)
    g_clear_pointer (&m->tmp, g_free);
  return ok;
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
  gint fd, err;

  /* created and registered under the lock: Ctrl-C right then cannot
   * leave it behind */
  install_cleanup ();
  g_mutex_lock (&tmp_lock);
  fd = g_mkstemp (tmpl);
  err = errno;
  if (fd >= 0)
    g_ptr_array_add (tmp_files, g_strdup (tmpl));
  g_mutex_unlock (&tmp_lock);
  if (fd < 0) {
    gchar *name = g_filename_display_name (dir);

    mst_cli_error ("cannot write to %s: %s", name, g_strerror (err));
    g_free (name);
    g_free (tmpl);
    g_free (dir);
    g_free (base);
    return FALSE;
  }
  /* the mode a new file gets (g_mkstemp makes it 0600) */
  if (fchmod (fd, 0666 & ~file_mask) != 0)
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
  mst_cli_error ("%s", mst_job_error_message (job) ?
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
row (FILE * fp, const gchar * label, const gchar * unit, gdouble before, gdouble after,
    const gchar * target)
{
  /* levels signed (+0.4 dBTP), ranges (LU) not */
  const gchar *f = strcmp (unit, "LU") ? "%+.1f" : "%.1f";
  gchar b1[32], b2[32];

  fprintf (fp, "  %-22s %-5s %8s %8s%s%s\n", label, unit,
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

  fprintf (m->fp, "Input          %s\n", before->source ? before->source : "?");
  fprintf (m->fp, "Output         %s\n", name);
  fprintf (m->fp, "Format         %s, %d Hz, %d channel%s, %s (%s)\n",
      m->flac ? "FLAC" : "WAV", after->rate, after->channels,
      after->channels == 1 ? "" : "s", depth_name (m->depth),
      /* the written file as decoded (S24LE), not the meter's F32LE */
      after->source_format ? after->source_format :
      after->format ? after->format : "?");
  if (before->decoded_channels > before->source_channels
      && before->source_channels > 0)
    fprintf (m->fp, "               the stream has %d channel%s; the decoder output "
        "%d (upmix), mastered as %d\n", before->source_channels,
        before->source_channels == 1 ? "" : "s", before->decoded_channels,
        after->channels);
  if (before->chains > 1)
    fprintf (m->fp, "               %u chained streams, mastered as one\n",
        before->chains);
  if (before->format_changes > 0)
    fprintf (m->fp, "Format change  %u time%s in the input (first: %s); converted to "
        "the first format\n", before->format_changes,
        before->format_changes == 1 ? "" : "s",
        before->format_change ? before->format_change : "?");
  fprintf (m->fp, "Target         %s: %.1f LUFS, true peak <= %.1f dBTP\n",
      t->name, t->integrated_lufs, m->ceiling);
  fprintf (m->fp, "Chain          gain, %s%struepeaklimiter\n",
      m->chain_note ? m->chain_note : "", m->chain_note ? ", " : "");
  fprintf (m->fp, "\n  %-22s %-5s %8s %8s   %s\n", "", "", "Before", "After",
      "Target");
  g_snprintf (tgt, sizeof tgt, "%.1f +- %.1f", t->integrated_lufs,
      TOLERANCE_LU);
  row (m->fp, "Integrated", "LUFS", before->integrated, after->integrated, tgt);
  row (m->fp, "Loudness range", "LU", before->range, after->range, NULL);
  row (m->fp, "Max. momentary", "LUFS", before->momentary_max,
      after->momentary_max, NULL);
  row (m->fp, "Max. short-term", "LUFS", before->shortterm_max,
      after->shortterm_max, isfinite (t->max_shortterm_lufs) ?
      g_ascii_formatd (tp, sizeof tp, "<= %.1f", t->max_shortterm_lufs) :
      NULL);
  g_snprintf (tgt, sizeof tgt, "<= %.1f", m->ceiling);
  row (m->fp, "True peak", "dBTP", before->true_peak_max, after->true_peak_max,
      tgt);
  row (m->fp, "Sample peak", "dBFS", before->sample_peak_max,
      after->sample_peak_max, NULL);
  row (m->fp, "PLR", "LU", before->plr, after->plr, NULL);
  fprintf (m->fp, "\n");
  fprintf (m->fp, "Gain           %+.2f dB", o->gains[o->passes - 1]);
  if (o->passes > 1) {
    fprintf (m->fp, "  (%u passes:", o->passes);
    for (i = 0; i < o->passes; i++)
      fprintf (m->fp, " %+.2f dB -> %.2f LUFS%s", o->gains[i], o->measured[i],
          i + 1 < o->passes ? "," : ")");
  }
  fprintf (m->fp, "\nLimiter        up to %.1f dB of peak reduction\n", m->gr_max);
  if (after->plot_file) {
    gchar *plot = g_filename_display_name (after->plot_file);

    fprintf (m->fp, "Plot           %s\n", plot);
    g_free (plot);
  }
  fprintf (m->fp, "Result         ");
  if (o->loudness_ok && o->peak_ok)
    fprintf (m->fp, "meets %s: %.2f LUFS (%+.2f LU), true peak %.2f dBTP\n",
        t->name, after->integrated, after->integrated - t->integrated_lufs,
        after->true_peak_max);
  else
    fprintf (m->fp, "MISSES %s: %.2f LUFS (%+.2f LU), true peak %.2f dBTP\n",
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

  fprintf (m->fp, "{\n  \"source\": \"%s\",\n  \"output\": \"%s\",\n", src, out);
  fprintf (m->fp, "  \"container\": \"%s\",\n  \"depth\": \"%s\",\n",
      m->flac ? "flac" : "wav", m->depth == 32 ? "32f" : m->depth == 16 ?
      "16" : "24");
  fprintf (m->fp, "  \"target\": \"%s\",\n  \"target_lufs\": %.1f,\n"
      "  \"ceiling_dbtp\": %.2f,\n  \"chain\": \"%s\",\n",
      m->target->nick, m->target->integrated_lufs, m->ceiling,
      m->chain == CHAIN_GENTLE ? "gentle" : "none");
  fprintf (m->fp, "  \"source_channels\": %d,\n  \"decoder_upmix\": %s,\n"
      "  \"chains\": %u,\n  \"format_changes\": %u,\n",
      before->source_channels, before->decoded_channels >
      before->source_channels ? "true" : "false", MAX (before->chains, 1),
      before->format_changes);
  json_report (m->fp, "before", before);
  json_report (m->fp, "after", after);
  fprintf (m->fp, "  \"passes\": [");
  for (i = 0; i < o->passes; i++)
    fprintf (m->fp, "%s{\"gain_db\": %.4f, \"integrated_lufs\": %.4f}", i ? ", " : "",
        o->gains[i], o->measured[i]);
  fprintf (m->fp, "],\n  \"gain_db\": %.4f,\n  \"limiter_max_db\": %.4f,\n",
      o->gains[o->passes - 1], m->gr_max);
  fprintf (m->fp, "  \"heavy_limiting\": %s,\n  \"max_limiting_db\": %.2f,\n",
      o->heavy ? "true" : "false", o->max_limiting);
  fprintf (m->fp, "  \"loudness_ok\": %s,\n  \"peak_ok\": %s,\n",
      o->loudness_ok ? "true" : "false", o->peak_ok ? "true" : "false");
  if (after->plot_file) {
    gchar *plot = g_strescape (after->plot_file, NULL);

    fprintf (m->fp, "  \"plot\": \"%s\"\n}\n", plot);
    g_free (plot);
  } else {
    fprintf (m->fp, "  \"plot\": null\n}\n");
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
    mst_cli_error ("%s: no measurable loudness (silent, or shorter "
        "than 400 ms): nothing to master", before.source);
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
      g_printerr ("%s: note: %s: FLAC stores integers only: writing "
          "24-bit\n", PROGRAM, m->out);
    m->depth = 24;
  }

  /* the chain */
  if (m->chain == CHAIN_GENTLE) {
    gboolean have_eq = mst_cli_ensure_element ("mseq");
    gboolean have_mbc = mst_cli_ensure_element ("multibandcomp");

    if (before.channels > 2) {
      m->chain = CHAIN_NONE;
      if (!m->quiet)
        g_printerr ("%s: note: %s: the gentle chain is for mono and "
            "stereo; %d channels get gain and limiter only\n", PROGRAM,
            before.source, before.channels);
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

    if (fabs (gain) > MAX_GAIN_DB && pass > 0) {
      /* the correction ran away: the limiter takes back what the gain
       * adds (a DC offset, a square wave already at the ceiling) */
      mst_cli_error ("%s: cannot reach %.1f LUFS: with %+.1f dB of gain "
          "the limited output measured %.1f LUFS (the limiter takes back "
          "what more gain adds)", before.source, m->target->integrated_lufs,
          o.gains[pass - 1], o.measured[pass - 1]);
      code = MST_EXIT_NOT_AUDIO;
      goto done;
    }
    if (fabs (gain) > MAX_GAIN_DB) {
      mst_cli_error ("%s needs %+.1f dB of gain to reach %.1f LUFS "
          "(at most +-%.0f dB)", before.source, gain,
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
    mst_cli_error ("cannot write %s: %s", m->tmp,
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
  if (!commit_tmp (m)) {
    gchar *name = g_filename_display_name (m->out);

    mst_cli_error ("cannot create %s: %s", name,
        g_strerror (errno));
    g_free (name);
    code = MST_EXIT_OUTPUT;
    goto done;
  }
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
  m->done = TRUE;
  m->result_lufs = after.integrated;
  m->result_tp = after.true_peak_max;
  m->result_ok = o.loudness_ok && o.peak_ok;
  if (json)
    print_json (m, &before, &after, &o);
  else if (!m->quiet)
    print_text (m, &before, &after, &o);

  if (o.heavy)
    g_printerr ("%s: warning: %s: reaching %.1f LUFS took up to %.1f dB of "
        "peak limiting (more than %.1f dB): transients lose punch and the "
        "limiter may be audible; a lower target, or a mix with more "
        "controlled peaks, will sound better\n", PROGRAM, before.source,
        m->target->integrated_lufs, m->gr_max, max_limiting);
  if (m->quantize_clipped > 0 && !m->quiet)
    g_printerr ("%s: note: %s: %" G_GUINT64_FORMAT " samples clipped at "
        "quantization (ceiling at full scale)\n", PROGRAM, before.source,
        m->quantize_clipped);
  if (!o.loudness_ok || !o.peak_ok) {
    g_printerr ("%s: warning: %s: the output misses the target: %.2f LUFS "
        "(target %.1f +- %.1f), true peak %.2f dBTP (ceiling %.1f)\n",
        PROGRAM, m->out, after.integrated, m->target->integrated_lufs,
        TOLERANCE_LU, after.true_peak_max, m->ceiling);
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
  fflush (m->fp);
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

/* What the command line sets for every file. */
typedef struct
{
  const gchar *command;
  const MstTarget *target;
  gdouble ceiling;
  Chain chain;
  gint depth;
  gboolean json, quiet, strict;
  gdouble max_limiting;
  const MstPlotOptions *plot;   /* --plot (one input only), or NULL */
} Settings;

/* Fills st from the options; on a bad one prints why and returns FALSE
 * (the exit code is MST_EXIT_USAGE). */
static gboolean
parse_settings (Settings * st, const gchar * command, const gchar * target,
    gdouble ceiling, const gchar * chain, const gchar * depth, gboolean json,
    gboolean quiet, gboolean strict, gdouble max_limiting)
{
  st->command = command;
  st->plot = NULL;
  st->json = json;
  st->quiet = quiet;
  st->strict = strict;
  st->max_limiting = max_limiting;
  st->target = mst_targets_find (target);
  if (!st->target) {
    gchar *msg = g_strdup_printf ("unknown target '%s' (see '%s targets')",
        target, PROGRAM);

    mst_cli_usage_error (command, msg);
    g_free (msg);
    return FALSE;
  }
  st->ceiling = isnan (ceiling) ? st->target->true_peak_dbtp : ceiling;
  if (!isfinite (st->ceiling) || st->ceiling > 0.0 || st->ceiling < -20.0) {
    mst_cli_usage_error (command, "--ceiling must be -20 to 0 dBTP");
    return FALSE;
  }
  if (!parse_chain (chain, &st->chain)) {
    mst_cli_usage_error (command, "--chain must be none or gentle");
    return FALSE;
  }
  if (!parse_depth (depth, &st->depth)) {
    mst_cli_usage_error (command, "--depth must be 16, 24 or 32f");
    return FALSE;
  }
  if (!isfinite (max_limiting) || max_limiting < 0.0) {
    mst_cli_usage_error (command, "--max-limiting must be >= 0 dB");
    return FALSE;
  }
  return TRUE;
}

static void
master_init (Master * m, const Settings * st, const gchar * input,
    const gchar * out)
{
  memset (m, 0, sizeof *m);
  m->input = input;
  m->out = out;
  m->plot = st->plot && st->plot->path ? st->plot : NULL;
  m->quiet = st->quiet || st->json;
  m->progress = !m->quiet && mst_cli_stderr_is_terminal ();
  m->target = st->target;
  m->ceiling = st->ceiling;
  m->chain = st->chain;
  m->depth = st->depth;
  m->fp = stdout;
}

/* The checks of OUT against IN; prints why and returns the exit code when
 * one fails. */
static MstExit
check_output (Master * m, gboolean batch)
{
  GStatBuf st;

  if (g_stat (m->out, &st) == 0 && S_ISDIR (st.st_mode)) {
    mst_cli_error ("%s is a directory", m->out);
    return MST_EXIT_OUTPUT;
  }
  if (same_file (m->input, m->out)) {
    if (!batch)
      return mst_cli_usage_error ("master", "OUT is the same file as IN: "
          "write the master to a new file");
    mst_cli_error ("%s: the output would replace the input: choose "
        "another --output-dir", m->input);
    return MST_EXIT_USAGE;
  }
  return MST_EXIT_OK;
}

static gint
master_main (const Settings * st, const gchar * input, const gchar * out)
{
  Master m;
  MstExit code;

  master_init (&m, st, input, out);
  if (!parse_container (out, &m.flac))
    return mst_cli_usage_error (st->command, "OUT must end in .wav or .flac");
  code = check_output (&m, FALSE);
  if (code != MST_EXIT_OK)
    return code;
  return run_master (&m, st->json, st->strict, st->max_limiting);
}

/* ---- master --output-dir DIR IN... ---------------------------------------- */

/* The output file name of input in a batch: its base name without the
 * extension, plus that of the container ("mix.final.mp3" ->
 * "mix.final.wav"); NULL if input names no file. */
static gchar *
batch_output_name (const gchar * input, gboolean flac)
{
  gchar *path = input_path (input), *base, *dot, *name;

  if (path) {
    base = g_path_get_basename (path);
  } else {
    GstUri *uri = gst_uri_from_string (input);
    gchar *p = uri ? gst_uri_get_path (uri) : NULL;

    base = p && *p ? g_path_get_basename (p) : NULL;
    g_free (p);
    if (uri)
      gst_uri_unref (uri);
  }
  g_free (path);
  if (!base || !*base || !strcmp (base, ".") || !strcmp (base, "..") ||
      !strcmp (base, G_DIR_SEPARATOR_S)) {
    g_free (base);
    return NULL;
  }
  dot = strrchr (base, '.');
  if (dot && dot != base)
    *dot = '\0';
  name = g_strconcat (base, flac ? ".flac" : ".wav", NULL);
  g_free (base);
  return name;
}

typedef struct
{
  const Settings *st;
  gboolean flac;
} MasterBatch;

/* One input of the batch (in a worker thread); item->data: the output. */
static void
master_item (MstBatchItem * item, gpointer user_data)
{
  const MasterBatch *mb = user_data;
  const Settings *st = mb->st;
  const gchar *out = item->data;
  gchar *in_name = g_filename_display_name (item->input);
  gchar *out_name = g_filename_display_name (out);
  gchar *buf = NULL;
  gsize size = 0;
  Master m;

  mst_cli_clear_error ();
  master_init (&m, st, item->input, out);
  m.flac = mb->flac;
  m.progress = !st->quiet && !st->json && mst_cli_stderr_is_terminal ();
  m.fp = open_memstream (&buf, &size);
  item->code = check_output (&m, TRUE);
  if (item->code == MST_EXIT_OK)
    item->code = run_master (&m, st->json, st->strict, st->max_limiting);
  if (!m.done && st->json)
    mst_cli_print_json_error (m.fp, item->input, mst_cli_last_error (),
        item->code);
  fclose (m.fp);
  item->text = buf;
  if (m.done)
    item->summary = g_strdup_printf ("  %-30s -> %-30s %7.2f LUFS %6.2f dBTP"
        "  %s", in_name, out_name, m.result_lufs, m.result_tp,
        m.result_ok ? (item->code == MST_EXIT_OK ? "ok" :
            "ok, heavy limiting (--strict)") : "MISSES the target");
  else
    item->summary = g_strdup_printf ("  %-30s error (exit %d): %s", in_name,
        item->code, mst_cli_last_error ()? mst_cli_last_error () : "failed");
  g_free (in_name);
  g_free (out_name);
}

static gint
master_batch (const Settings * st, const gchar * dir, const gchar * format,
    gint n, gchar ** inputs, guint jobs)
{
  MasterBatch mb = { st, FALSE };
  GHashTable *seen;
  MstBatchItem *items;
  gchar **outs;
  gint i, ret = MST_EXIT_OK;

  if (!format || !g_ascii_strcasecmp (format, "wav"))
    mb.flac = FALSE;
  else if (!g_ascii_strcasecmp (format, "flac"))
    mb.flac = TRUE;
  else
    return mst_cli_usage_error (st->command, "--format must be wav or flac");

  /* every output name first: two inputs must not write the same file */
  outs = g_new0 (gchar *, n + 1);
  seen = g_hash_table_new (g_str_hash, g_str_equal);
  for (i = 0; i < n && ret == MST_EXIT_OK; i++) {
    gchar *name = batch_output_name (inputs[i], mb.flac);
    const gchar *other;

    if (!name) {
      gchar *msg = g_strdup_printf ("%s: no file name to derive the "
          "output's from", inputs[i]);

      ret = mst_cli_usage_error (st->command, msg);
      g_free (msg);
      break;
    }
    outs[i] = g_build_filename (dir, name, NULL);
    g_free (name);
    if ((other = g_hash_table_lookup (seen, outs[i]))) {
      gchar *msg = g_strdup_printf ("%s and %s would both be written to %s",
          other, inputs[i], outs[i]);

      ret = mst_cli_usage_error (st->command, msg);
      g_free (msg);
      break;
    }
    g_hash_table_insert (seen, outs[i], inputs[i]);
  }
  g_hash_table_unref (seen);
  if (ret != MST_EXIT_OK)
    goto done;

  if (g_mkdir_with_parents (dir, 0777) != 0) {
    mst_cli_error ("cannot create the output directory %s: %s", dir,
        g_strerror (errno));
    ret = MST_EXIT_OUTPUT;
    goto done;
  }
  if (!mst_cli_ensure_element ("truepeaklimiter") ||
      !mst_cli_ensure_element ("loudnessmeter")) {
    mst_cli_error ("the gst-mastering plugin (truepeaklimiter, "
        "loudnessmeter) was not found; set GST_PLUGIN_PATH to the "
        "directory of libgstmastering.so");
    ret = MST_EXIT_MISSING_PLUGIN;
    goto done;
  }
  if (st->chain == CHAIN_GENTLE) {
    mst_cli_ensure_element ("mseq");
    mst_cli_ensure_element ("multibandcomp");
  }
  mst_quantize_register ();
  /* the signal handling is set up before the workers start */
  install_cleanup ();

  items = g_new0 (MstBatchItem, n);
  for (i = 0; i < n; i++) {
    items[i].input = inputs[i];
    items[i].data = outs[i];
  }
  if (st->json)
    printf ("[\n");
  fflush (stdout);
  ret = mst_batch_run (items, n, jobs, !st->quiet && !st->json &&
      mst_cli_stderr_is_terminal (), st->json ? ",\n" : "\n", master_item,
      &mb);
  if (st->json) {
    printf ("]\n");
  } else {
    printf ("%sSummary (%d file%s, %s)\n", st->quiet ? "" : "\n", n,
        n == 1 ? "" : "s", st->target->name);
    for (i = 0; i < n; i++)
      printf ("%s\n", items[i].summary);
  }
  mst_batch_items_clear (items, n);
  g_free (items);
  if (fflush (stdout) != 0 && ret == MST_EXIT_OK)
    ret = MST_EXIT_OUTPUT;

done:
  g_strfreev (outs);
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
  gchar *dir = NULL, *format = NULL;
  gint jobs = 0;
  const GOptionEntry entries[] = {
    {"target", 't', 0, G_OPTION_ARG_STRING, &target,
        "Delivery target (required; see 'gst-mastering targets')", "PRESET"},
    {"output-dir", 'o', 0, G_OPTION_ARG_FILENAME, &dir,
          "Master every IN into DIR (created if missing), as IN's name "
          "with the --format extension", "DIR"},
    {"format", 0, 0, G_OPTION_ARG_STRING, &format,
        "With --output-dir: wav (default) or flac", "wav|flac"},
    {"jobs", 'J', 0, G_OPTION_ARG_INT, &jobs,
          "With --output-dir, master N files at a time (default: the "
          "number of processors)", "N"},
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
  Settings st;
  gint ret;

  if (!mst_cli_parse_options (&argc, &argv, "IN OUT | --output-dir DIR "
          "IN...", "Master IN to a "
          "delivery target: measure it, apply the gain that reaches\nthe "
          "target's integrated loudness and a true-peak limiter at its "
          "ceiling,\ncorrect the gain while the limiter takes loudness "
          "away (at most 3 passes),\nverify the written file and print "
          "before/after.  OUT ends in .wav or .flac;\nit is written to a "
          "temporary file beside it and renamed when complete.\nWith "
          "--output-dir, every IN is mastered into DIR, several at a time.",
          entries))
    return MST_EXIT_USAGE;

  if (dir) {
    if (demo)
      ret = mst_cli_usage_error ("master", "give either --output-dir or "
          "--demo");
    else if (argc < 2)
      ret = mst_cli_usage_error ("master", "give the input files");
    else if (jobs < 0)
      ret = mst_cli_usage_error ("master", "--jobs must be at least 1");
    else if (plot.path)
      ret = mst_cli_usage_error ("master", "--plot takes one input (not "
          "with --output-dir)");
    else if (!target)
      ret = mst_cli_usage_error ("master", "--target is required (see '"
          PROGRAM " targets')");
    else if (isnan (ceiling))
      ret = mst_cli_usage_error ("master", "--ceiling must be -20 to 0 "
          "dBTP");
    else if (!parse_settings (&st, "master", target, ceiling == G_MAXDOUBLE ?
            NAN : ceiling, chain, depth, json, quiet, strict, max_limiting))
      ret = MST_EXIT_USAGE;
    else
      ret = master_batch (&st, dir, format, argc - 1, argv + 1, jobs ?
          (guint) jobs : mst_batch_default_jobs ());
    goto done;
  }
  if (format) {
    ret = mst_cli_usage_error ("master", "--format goes with --output-dir "
        "(otherwise OUT's extension says it)");
    goto done;
  }
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
  if (!parse_settings (&st, "master", target, ceiling, chain, depth, json,
          quiet, strict, max_limiting))
    ret = MST_EXIT_USAGE;
  else {
    st.plot = &plot;
    ret = master_main (&st, input, out);
  }

done:
  mst_plot_options_clear (&plot);
  g_free (dir);
  g_free (format);
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
  Settings st;
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
  if (!parse_settings (&st, "demo", target ? target : "spotify", NAN, NULL,
          NULL, json, quiet, FALSE, DEFAULT_MAX_LIMITING_DB))
    ret = MST_EXIT_USAGE;
  else if (dir && g_mkdir_with_parents (dir, 0777) != 0) {
    /* as master --output-dir: a missing directory is created */
    gchar *name = g_filename_display_name (dir);

    mst_cli_error ("cannot create the output directory %s: %s", name,
        g_strerror (errno));
    g_free (name);
    ret = MST_EXIT_OUTPUT;
  } else {
    st.plot = &plot;
    ret = master_main (&st, NULL, out);
  }
  mst_plot_options_clear (&plot);
  g_free (out);
  g_free (dir);
  g_free (target);
  return ret;
}
