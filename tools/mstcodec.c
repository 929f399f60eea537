/* gst-mastering CLI — the codec preview (see mstcodec.h)
 *
 * Bitrates are the usual delivery settings of each codec: MP3 320 kbit/s
 * CBR (the highest MPEG-1 Layer III rate, what stores sell), AAC-LC
 * 256 kbit/s (the iTunes / Apple Music delivery rate), Opus 160 kbit/s
 * (constrained VBR, opusenc's default mode; YouTube's and Spotify's
 * "very high" streams use Opus / Vorbis around that rate).  FLAC is the
 * lossless reference: its decoded true peak equals the source's, which
 * shows that the preview's own path adds nothing.
 *
 * Decoders are asked for 32-bit float where they can give it (so that
 * overshoot above 0 dBFS is measured, not clipped); a decoder that only
 * outputs integers clips there, and the report says so.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "mstcodec.h"

#include <math.h>
#include <string.h>

#include <gst/audio/audio.h>

#include "demomix.h"
#include "mstcli.h"
#include "mstreport.h"

#define PROGRAM MST_PROGRAM
#define MAX_CANDIDATES 4

typedef struct
{
  const gchar *factory;
  const gchar *props;           /* "name=value ...", set with
                                 * gst_util_set_object_arg */
} Factory;

typedef struct
{
  const gchar *name;            /* option value */
  const gchar *display;
  gint kbps;                    /* 0: lossless */
  const gchar *mode;            /* rate control, for the report */
  Factory encoders[MAX_CANDIDATES];     /* in order of preference */
  const gchar *parser;          /* between encoder and decoder, or NULL */
  const gchar *decoders[MAX_CANDIDATES];
} CodecSpec;

static const CodecSpec specs[] = {
  {"mp3", "MP3", 320, "CBR",
        {{"lamemp3enc", "target=bitrate bitrate=320 cbr=true"}},
      "mpegaudioparse", {"mpg123audiodec", "avdec_mp3float", "avdec_mp3"}},
  {"aac", "AAC-LC", 256, "",
        {{"fdkaacenc", "bitrate=256000"}, {"avenc_aac", "bitrate=256000"},
          {"voaacenc", "bitrate=256000"}},
      "aacparse", {"avdec_aac", "fdkaacdec", "faad"}},
  {"opus", "Opus", 160, "CVBR",
        {{"opusenc", "bitrate=160000"}},
      NULL, {"avdec_opus", "opusdec"}},
  {"flac", "FLAC", 0, "lossless",
        {{"flacenc", ""}},
      "flacparse", {"flacdec", "avdec_flac"}},
};

typedef struct
{
  const CodecSpec *spec;
  gboolean available;
  gchar *reason;                /* why not available */
  const gchar *encoder, *decoder;
  const gchar *enc_props;
  gboolean decoder_float;       /* FALSE: peaks above 0 dBFS clip */
  /* results */
  GstElement *meter, *enc;
  gboolean measured;
  gint rate, channels;          /* what the encoder got */
  gdouble true_peak;            /* dBTP of the decoded audio */
  gdouble integrated;           /* LUFS */
} CodecRun;

struct _MstCodecPreview
{
  GArray *runs;                 /* CodecRun */
  gdouble source_tp, source_i;  /* dBTP, LUFS */
  gdouble ceiling;              /* dBTP, NaN: none */
  gboolean ran;
};

const gchar *
mst_codec_preview_names (void)
{
  return "mp3, aac, opus, flac";
}

static const CodecSpec *
find_spec (const gchar * name)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (specs); i++)
    if (!g_ascii_strcasecmp (specs[i].name, name))
      return &specs[i];
  return NULL;
}

MstCodecPreview *
mst_codec_preview_new (const gchar * list, gchar ** error)
{
  MstCodecPreview *cp = g_new0 (MstCodecPreview, 1);
  gchar **names = g_strsplit (list ? list : "", ",", -1);
  guint i, j;

  cp->runs = g_array_new (FALSE, TRUE, sizeof (CodecRun));
  cp->ceiling = NAN;
  for (i = 0; names[i]; i++) {
    gchar *name = g_strstrip (names[i]);
    const CodecSpec *spec;
    CodecRun run = { 0 };
    gboolean dup = FALSE;

    if (!*name)
      continue;
    spec = find_spec (name);
    if (!spec) {
      *error = g_strdup_printf ("--codec-preview: unknown codec '%s' (known: "
          "%s)", name, mst_codec_preview_names ());
      g_strfreev (names);
      mst_codec_preview_free (cp);
      return NULL;
    }
    for (j = 0; j < cp->runs->len; j++)
      dup |= g_array_index (cp->runs, CodecRun, j).spec == spec;
    if (dup)
      continue;
    run.spec = spec;
    run.true_peak = run.integrated = -INFINITY;
    g_array_append_val (cp->runs, run);
  }
  g_strfreev (names);
  if (cp->runs->len == 0) {
    *error = g_strdup_printf ("--codec-preview needs a list of codecs (%s)",
        mst_codec_preview_names ());
    mst_codec_preview_free (cp);
    return NULL;
  }
  return cp;
}

void
mst_codec_preview_free (MstCodecPreview * cp)
{
  guint i;

  if (!cp)
    return;
  for (i = 0; i < cp->runs->len; i++)
    g_free (g_array_index (cp->runs, CodecRun, i).reason);
  g_array_unref (cp->runs);
  g_free (cp);
}

/* TRUE if the factory's source pad template offers float samples. */
static gboolean
outputs_float (const gchar * factory)
{
  GstElementFactory *f = gst_element_factory_find (factory);
  const GList *l;
  gboolean fl = FALSE;

  if (!f)
    return FALSE;
  for (l = gst_element_factory_get_static_pad_templates (f); l; l = l->next) {
    GstStaticPadTemplate *t = l->data;
    GstCaps *caps;
    guint i;

    if (t->direction != GST_PAD_SRC)
      continue;
    caps = gst_static_caps_get (&t->static_caps);
    for (i = 0; i < gst_caps_get_size (caps); i++) {
      const GstStructure *s = gst_caps_get_structure (caps, i);
      const GValue *v = gst_structure_get_value (s, "format");
      gchar *str = v ? gst_value_serialize (v) : NULL;

      fl |= str && strstr (str, GST_AUDIO_NE (F32)) != NULL;
      g_free (str);
    }
    gst_caps_unref (caps);
  }
  gst_object_unref (f);
  return fl;
}

/* Picks the installed encoder, parser and decoder of a codec. */
static void
choose (CodecRun * run)
{
  const CodecSpec *spec = run->spec;
  GString *names = g_string_new (NULL);
  guint i;

  for (i = 0; i < MAX_CANDIDATES && spec->encoders[i].factory; i++) {
    g_string_append_printf (names, "%s%s", i ? ", " : "",
        spec->encoders[i].factory);
    if (!run->encoder && mst_cli_have_element (spec->encoders[i].factory)) {
      run->encoder = spec->encoders[i].factory;
      run->enc_props = spec->encoders[i].props;
    }
  }
  if (!run->encoder) {
    run->reason = g_strdup_printf ("no encoder installed (%s)", names->str);
    g_string_free (names, TRUE);
    return;
  }
  g_string_truncate (names, 0);
  for (i = 0; i < MAX_CANDIDATES && spec->decoders[i]; i++) {
    g_string_append_printf (names, "%s%s", i ? ", " : "", spec->decoders[i]);
    if (!run->decoder && mst_cli_have_element (spec->decoders[i]))
      run->decoder = spec->decoders[i];
  }
  if (!run->decoder) {
    run->reason = g_strdup_printf ("no decoder installed (%s)", names->str);
  } else if (spec->parser && !mst_cli_have_element (spec->parser)) {
    run->reason = g_strdup_printf ("no parser installed (%s)", spec->parser);
  } else {
    run->available = TRUE;
    run->decoder_float = outputs_float (run->decoder);
  }
  g_string_free (names, TRUE);
}

static void
set_props (GstElement * e, const gchar * props)
{
  gchar **kv = g_strsplit (props, " ", -1);
  guint i;

  for (i = 0; kv[i]; i++) {
    gchar *eq = strchr (kv[i], '=');

    if (!eq)
      continue;
    *eq = '\0';
    gst_util_set_object_arg (G_OBJECT (e), kv[i], eq + 1);
  }
  g_strfreev (kv);
}

static void
preview_message (MstJob * job, GstMessage * msg, gpointer user_data)
{
  MstCodecPreview *cp = user_data;
  const GstStructure *s = gst_message_get_structure (msg);
  gboolean final = FALSE;
  guint i;

  if (GST_MESSAGE_TYPE (msg) != GST_MESSAGE_ELEMENT || !s ||
      !gst_structure_has_name (s, "loudnessmeter") ||
      !gst_structure_get_boolean (s, "final", &final) || !final)
    return;
  for (i = 0; i < cp->runs->len; i++) {
    CodecRun *run = &g_array_index (cp->runs, CodecRun, i);

    if (run->meter && GST_MESSAGE_SRC (msg) == GST_OBJECT (run->meter)) {
      GstPad *pad = gst_element_get_static_pad (run->enc, "sink");
      GstCaps *caps = gst_pad_get_current_caps (pad);
      GstAudioInfo info;

      gst_structure_get_double (s, "true-peak-max", &run->true_peak);
      gst_structure_get_double (s, "global-loudness", &run->integrated);
      run->measured = TRUE;
      /* what the encoder got (still negotiated: the pipeline runs) */
      if (caps && gst_audio_info_from_caps (&info, caps)) {
        run->rate = GST_AUDIO_INFO_RATE (&info);
        run->channels = GST_AUDIO_INFO_CHANNELS (&info);
      }
      gst_clear_caps (&caps);
      gst_object_unref (pad);
    }
  }
}

/* One branch: tee -> ... -> meter -> fakesink. */
static gboolean
add_branch (MstJob * job, GstElement * tee, CodecRun * run)
{
  GstElement *q, *conv, *res, *enc, *parse = NULL, *dec, *filter = NULL;
  GstElement *conv2, *meter, *sink;
  gchar *name = g_strdup_printf ("meter-%s", run->spec->name);

  q = mst_job_make (job, "queue", NULL);
  conv = mst_job_make (job, "audioconvert", NULL);
  res = mst_job_make (job, "audioresample", NULL);
  enc = mst_job_make (job, run->encoder, NULL);
  if (run->spec->parser)
    parse = mst_job_make (job, run->spec->parser, NULL);
  dec = mst_job_make (job, run->decoder, NULL);
  if (run->decoder_float)
    filter = mst_job_make (job, "capsfilter", NULL);
  conv2 = mst_job_make (job, "audioconvert", NULL);
  meter = mst_job_make (job, "loudnessmeter", name);
  sink = mst_job_make (job, "fakesink", NULL);
  g_free (name);
  if (!q || !conv || !res || !enc || (run->spec->parser && !parse) || !dec ||
      (run->decoder_float && !filter) || !conv2 || !meter || !sink)
    return FALSE;
  set_props (enc, run->enc_props);
  if (filter) {
    GstCaps *caps = gst_caps_from_string ("audio/x-raw, format=(string)"
        GST_AUDIO_NE (F32));

    g_object_set (filter, "caps", caps, NULL);
    gst_caps_unref (caps);
  }
  g_object_set (meter, "interval", (guint64) (10 * GST_SECOND), NULL);
  g_object_set (sink, "sync", FALSE, NULL);
  run->meter = meter;
  run->enc = enc;
  if (!mst_job_link (job, tee, q, conv, res, enc, NULL))
    return FALSE;
  if (parse && !mst_job_link (job, enc, parse, dec, NULL))
    return FALSE;
  if (!parse && !mst_job_link (job, enc, dec, NULL))
    return FALSE;
  if (filter && !mst_job_link (job, dec, filter, conv2, NULL))
    return FALSE;
  if (!filter && !mst_job_link (job, dec, conv2, NULL))
    return FALSE;
  return mst_job_link (job, conv2, meter, sink, NULL);
}

MstExit
mst_codec_preview_run (MstCodecPreview * cp, const gchar * input,
    MstReport * r, gdouble ceiling_dbtp, gboolean progress, gboolean quiet)
{
  GstElement *conv, *res, *lock, *tee;
  MstJob *job = NULL;
  MstExit code = MST_EXIT_OK;
  GstCaps *caps;
  guint i, n_avail = 0;

  cp->source_tp = r->true_peak_max;
  cp->source_i = r->integrated;
  cp->ceiling = ceiling_dbtp;
  r->codec_preview = cp;
  for (i = 0; i < cp->runs->len; i++) {
    CodecRun *run = &g_array_index (cp->runs, CodecRun, i);

    choose (run);
    n_avail += run->available;
  }
  if (n_avail == 0)
    return MST_EXIT_OK;

  job = mst_job_new ();
  conv = mst_job_make (job, "audioconvert", NULL);
  res = mst_job_make (job, "audioresample", NULL);
  lock = mst_job_make (job, "capsfilter", NULL);
  tee = mst_job_make (job, "tee", NULL);
  if (!conv || !res || !lock || !tee)
    goto failed;
  caps = gst_caps_from_string ("audio/x-raw, format=(string)"
      GST_AUDIO_NE (F32));
  g_object_set (lock, "caps", caps, NULL);
  gst_caps_unref (caps);
  /* one format from the first caps on, as the analysis */
  mst_job_lock_format (job, lock);
  if (!mst_job_link (job, conv, res, lock, tee, NULL))
    goto failed;
  for (i = 0; i < cp->runs->len; i++) {
    CodecRun *run = &g_array_index (cp->runs, CodecRun, i);

    if (run->available && !add_branch (job, tee, run))
      goto failed;
  }
  if (input ? !mst_job_add_input (job, input, conv, MST_REPORT_MAX_CHANNELS)
      : !mst_job_add_demo (job, MST_DEMOMIX_DEFAULT_RATE, conv))
    goto failed;
  mst_job_set_message_func (job, preview_message, cp);
  mst_job_set_quiet (job, TRUE);
  code = mst_job_run (job, progress, "Codec preview");
  if (code != MST_EXIT_OK)
    goto failed;
  for (i = 0; i < cp->runs->len; i++) {
    CodecRun *run = &g_array_index (cp->runs, CodecRun, i);

    if (run->available && !run->measured)
      mst_job_fail (job, MST_EXIT_STREAM, "codec preview: %s: no "
          "decoded audio was measured", run->spec->display);
  }
  if (mst_job_exit_code (job) != MST_EXIT_OK)
    goto failed;
  for (i = 0; i < cp->runs->len; i++)
    g_array_index (cp->runs, CodecRun, i).meter =
        g_array_index (cp->runs, CodecRun, i).enc = NULL;
  cp->ran = TRUE;
  mst_job_free (job);
  return MST_EXIT_OK;

failed:
  code = mst_job_exit_code (job);
  g_printerr ("%s: error: codec preview: %s\n", PROGRAM,
      mst_job_error_message (job) ? mst_job_error_message (job) : "failed");
  for (i = 0; i < cp->runs->len; i++)
    g_array_index (cp->runs, CodecRun, i).meter =
        g_array_index (cp->runs, CodecRun, i).enc = NULL;
  mst_job_free (job);
  r->codec_preview = NULL;
  return code == MST_EXIT_OK ? MST_EXIT_FAILURE : code;
}

/* ---- printing ------------------------------------------------------------- */

/* A lossy codec whose decoder gives integers: overshoot above 0 dBFS is
 * clipped.  (A lossless one gives back the source's integers.) */
static gboolean
clips (const CodecRun * run)
{
  return run->spec->kbps > 0 && !run->decoder_float;
}

static gchar *
bitrate_text (const CodecRun * run)
{
  if (run->spec->kbps == 0)
    return g_strdup (run->spec->mode);
  return g_strdup_printf ("%d kbit/s %s", run->spec->kbps, run->spec->mode);
}

static gchar *
fmt (const gchar * f, gdouble v)
{
  gchar buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isfinite (v))
    return g_strdup ("-");
  if (fabs (v) < 0.05)
    v = 0.0;                    /* no "-0.0" */
  return g_strdup (g_ascii_formatd (buf, sizeof buf, f, v));
}

void
mst_codec_preview_print_text (const MstCodecPreview * cp, FILE * out)
{
  gboolean ceiling, clipped = FALSE;
  gchar *tp, *li, *c;
  guint i;

  if (!cp)
    return;
  ceiling = isfinite (cp->ceiling);
  tp = fmt ("%+.1f", cp->source_tp);
  li = fmt ("%.1f", cp->source_i);
  fprintf (out, "\nCodec preview  encoded, decoded and measured again "
      "(source: %s dBTP, %s LUFS)\n", tp, li);
  g_free (tp);
  g_free (li);
  tp = ceiling ? fmt ("%.1f", cp->ceiling) : NULL;
  c = tp ? g_strconcat ("<= ", tp, NULL) : NULL;
  g_free (tp);
  fprintf (out, "  %-7s %-12s %-16s %10s %10s %11s%s%s\n", "Codec", "Encoder",
      "Bitrate", "True peak", "Overshoot", "Integrated", ceiling ? "  " : "",
      ceiling ? "Ceiling" : "");
  fprintf (out, "  %-7s %-12s %-16s %10s %10s %11s%s%s\n", "", "", "", "dBTP",
      "dB", "LUFS", ceiling ? "  " : "", ceiling ? c : "");
  g_free (c);
  for (i = 0; i < cp->runs->len; i++) {
    const CodecRun *run = &g_array_index (cp->runs, CodecRun, i);
    gchar *br, *ov;

    if (!run->available) {
      fprintf (out, "  %-7s not available: %s\n", run->spec->display,
          run->reason ? run->reason : "?");
      continue;
    }
    br = bitrate_text (run);
    tp = fmt ("%+.1f", run->true_peak);
    ov = fmt ("%+.1f", run->true_peak - cp->source_tp);
    li = fmt ("%.1f", run->integrated);
    fprintf (out, "  %-7s %-12s %-16s %9s%s %10s %11s", run->spec->display,
        run->encoder, br, tp, clips (run) ? "*" : " ", ov, li);
    if (ceiling)
      fprintf (out, "  %s", run->true_peak > cp->ceiling ? "OVER" : "ok");
    fprintf (out, "\n");
    clipped |= clips (run);
    g_free (br);
    g_free (tp);
    g_free (ov);
    g_free (li);
  }
  fprintf (out, "  Overshoot: the decoded true peak minus the source's.  "
      "Lossy encoding adds\n  it; a master meant for these codecs needs "
      "that much room under the ceiling.\n");
  if (clipped)
    fprintf (out, "  * decoded to integers (no float decoder installed): "
        "peaks above 0 dBFS are\n    clipped, the value is a lower "
        "bound.\n");
}

void
mst_codec_preview_print_json (const MstCodecPreview * cp, FILE * out)
{
  guint i;

  if (!cp) {
    fputs ("null", out);
    return;
  }
  fprintf (out, "{\"source_true_peak_dbtp\": ");
  mst_json_number (out, cp->source_tp);
  fprintf (out, ", \"source_integrated_lufs\": ");
  mst_json_number (out, cp->source_i);
  fprintf (out, ", \"ceiling_dbtp\": ");
  mst_json_number (out, cp->ceiling);
  fprintf (out, ",\n    \"codecs\": [");
  for (i = 0; i < cp->runs->len; i++) {
    const CodecRun *run = &g_array_index (cp->runs, CodecRun, i);

    fprintf (out, "%s\n      {\"codec\": \"%s\", \"name\": \"%s\", "
        "\"available\": %s", i ? "," : "", run->spec->name,
        run->spec->display, run->available ? "true" : "false");
    if (!run->available) {
      gchar *why = g_strescape (run->reason ? run->reason : "", NULL);

      fprintf (out, ", \"reason\": \"%s\"}", why);
      g_free (why);
      continue;
    }
    fprintf (out, ", \"encoder\": \"%s\", \"decoder\": \"%s\",\n       "
        "\"bitrate_kbps\": ", run->encoder, run->decoder);
    if (run->spec->kbps > 0)
      fprintf (out, "%d", run->spec->kbps);
    else
      fputs ("null", out);
    fprintf (out, ", \"mode\": \"%s\", \"rate\": %d, \"channels\": %d, "
        "\"decoder_float\": %s,\n       \"true_peak_dbtp\": ",
        run->spec->mode, run->rate, run->channels,
        run->decoder_float ? "true" : "false");
    mst_json_number (out, run->true_peak);
    fprintf (out, ", \"overshoot_db\": ");
    mst_json_number (out, run->true_peak - cp->source_tp);
    fprintf (out, ", \"integrated_lufs\": ");
    mst_json_number (out, run->integrated);
    fprintf (out, ", \"over_ceiling\": ");
    if (isfinite (cp->ceiling))
      fputs (run->true_peak > cp->ceiling ? "true" : "false", out);
    else
      fputs ("null", out);
    fputs ("}", out);
  }
  fprintf (out, "\n    ]}");
}
