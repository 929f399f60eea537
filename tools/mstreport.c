/* gst-mastering CLI — the analysis report and the loudness targets
 * (see mstreport.h)
 */
#include "mstreport.h"
#include "mstcodec.h"

#include <math.h>
#include <string.h>

void
mst_report_init (MstReport * r)
{
  guint ch;

  memset (r, 0, sizeof (*r));
  r->integrated = r->momentary_max = r->shortterm_max = -INFINITY;
  r->relative_threshold = r->true_peak_max = r->sample_peak_max = -INFINITY;
  r->plr = -INFINITY;
  for (ch = 0; ch < MST_REPORT_MAX_CHANNELS; ch++)
    r->true_peak[ch] = r->sample_peak[ch] = -INFINITY;
}

void
mst_report_clear (MstReport * r)
{
  g_free (r->source);
  g_free (r->source_format);
  g_free (r->format);
  g_free (r->format_change);
  mst_report_init (r);
}

/* Short loudspeaker names; REAR_* are the surrounds of 5.x (Ls/Rs) and the
 * back pair of 7.x (Lb/Rb), as the meter weighs them. */
static const gchar *
position_name (GstAudioChannelPosition pos, gboolean has_side)
{
  switch (pos) {
    case GST_AUDIO_CHANNEL_POSITION_MONO:
      return "M";
    case GST_AUDIO_CHANNEL_POSITION_FRONT_LEFT:
      return "L";
    case GST_AUDIO_CHANNEL_POSITION_FRONT_RIGHT:
      return "R";
    case GST_AUDIO_CHANNEL_POSITION_FRONT_CENTER:
      return "C";
    case GST_AUDIO_CHANNEL_POSITION_LFE1:
      return "LFE";
    case GST_AUDIO_CHANNEL_POSITION_LFE2:
      return "LFE2";
    case GST_AUDIO_CHANNEL_POSITION_REAR_LEFT:
      return has_side ? "Lb" : "Ls";
    case GST_AUDIO_CHANNEL_POSITION_REAR_RIGHT:
      return has_side ? "Rb" : "Rs";
    case GST_AUDIO_CHANNEL_POSITION_SIDE_LEFT:
      return "Ls";
    case GST_AUDIO_CHANNEL_POSITION_SIDE_RIGHT:
      return "Rs";
    case GST_AUDIO_CHANNEL_POSITION_REAR_CENTER:
      return "Cs";
    case GST_AUDIO_CHANNEL_POSITION_FRONT_LEFT_OF_CENTER:
      return "Lc";
    case GST_AUDIO_CHANNEL_POSITION_FRONT_RIGHT_OF_CENTER:
      return "Rc";
    case GST_AUDIO_CHANNEL_POSITION_WIDE_LEFT:
      return "Lw";
    case GST_AUDIO_CHANNEL_POSITION_WIDE_RIGHT:
      return "Rw";
    default:
      return NULL;
  }
}

void
mst_report_set_format (MstReport * r, const GstCaps * caps)
{
  GstAudioInfo info;
  gboolean has_side = FALSE;
  gint ch;

  if (!caps || !gst_audio_info_from_caps (&info, caps))
    return;
  g_free (r->format);
  r->format = g_strdup (GST_AUDIO_INFO_NAME (&info));
  r->rate = GST_AUDIO_INFO_RATE (&info);
  r->channels = GST_AUDIO_INFO_CHANNELS (&info);

  for (ch = 0; ch < r->channels; ch++)
    if (info.position[ch] == GST_AUDIO_CHANNEL_POSITION_SIDE_LEFT ||
        info.position[ch] == GST_AUDIO_CHANNEL_POSITION_SIDE_RIGHT)
      has_side = TRUE;
  for (ch = 0; ch < r->channels && ch < MST_REPORT_MAX_CHANNELS; ch++) {
    const gchar *name = NULL;

    if (!GST_AUDIO_INFO_IS_UNPOSITIONED (&info))
      name = position_name (info.position[ch], has_side);
    if (name)
      g_strlcpy (r->channel_names[ch], name, sizeof (r->channel_names[ch]));
    else
      g_snprintf (r->channel_names[ch], sizeof (r->channel_names[ch]),
          "ch%d", ch + 1);
  }
}

void
mst_report_set_source_format (MstReport * r, const GstCaps * caps)
{
  GstAudioInfo info;

  if (!caps || !gst_audio_info_from_caps (&info, caps))
    return;
  g_free (r->source_format);
  r->source_format = g_strdup (GST_AUDIO_INFO_NAME (&info));
  r->source_rate = GST_AUDIO_INFO_RATE (&info);
  r->source_channels = GST_AUDIO_INFO_CHANNELS (&info);
}

static gdouble
get_double (const GstStructure * s, const gchar * field)
{
  gdouble v;

  if (!gst_structure_get_double (s, field, &v) || isnan (v))
    return -INFINITY;
  return v;
}

/* A GST_TYPE_ARRAY of linear values to dB; returns the number read. */
static guint
get_db_array (const GstStructure * s, const gchar * field, gdouble * db)
{
  const GValue *arr = gst_structure_get_value (s, field);
  guint i, n;

  if (!arr || !GST_VALUE_HOLDS_ARRAY (arr))
    return 0;
  n = MIN (gst_value_array_get_size (arr), MST_REPORT_MAX_CHANNELS);
  for (i = 0; i < n; i++) {
    const GValue *v = gst_value_array_get_value (arr, i);
    gdouble lin = G_VALUE_HOLDS_DOUBLE (v) ? g_value_get_double (v) : 0.0;

    db[i] = (lin > 0.0 && isfinite (lin)) ? 20.0 * log10 (lin) : -INFINITY;
  }
  return n;
}

gboolean
mst_report_update (MstReport * r, const GstStructure * s)
{
  gboolean final = FALSE;

  r->integrated = get_double (s, "global-loudness");
  r->range = get_double (s, "loudness-range");
  r->momentary_max = get_double (s, "momentary-max");
  r->shortterm_max = get_double (s, "shortterm-max");
  r->relative_threshold = get_double (s, "relative-threshold");
  r->true_peak_max = get_double (s, "true-peak-max");
  r->sample_peak_max = get_double (s, "sample-peak-max");
  r->plr = get_double (s, "plr");
  get_db_array (s, "true-peak", r->true_peak);
  get_db_array (s, "sample-peak", r->sample_peak);

  gst_structure_get_boolean (s, "final", &final);
  if (final)
    r->complete = TRUE;
  return final;
}

void
mst_target_evaluate (const MstTarget * t, const MstReport * r,
    MstVerdict * v)
{
  memset (v, 0, sizeof (*v));
  v->peak_is_true_peak = r->true_peak_measured;
  v->peak = r->true_peak_measured ? r->true_peak_max : r->sample_peak_max;
  v->peak_over = v->peak - t->true_peak_dbtp;
  /* R 128 s1: max. short-term within its limit, or else max. momentary
   * within its own (either satisfies EBU Tech 3343) */
  v->shortterm_ok = !(r->shortterm_max > t->max_shortterm_lufs) ||
      !(r->momentary_max > t->max_momentary_lufs);
  v->peak_ok = !(v->peak_over > 0.0);
  v->defined = isfinite (r->integrated);
  if (!v->defined) {
    v->deviation = v->gain = -INFINITY;
    return;
  }
  v->deviation = r->integrated - t->integrated_lufs;
  v->loudness_ok = fabs (v->deviation) <= t->tolerance_lu;
  v->gain = t->integrated_lufs - r->integrated;
  v->limit = MAX (0.0, v->peak + v->gain - t->true_peak_dbtp);
  v->ok = v->loudness_ok && v->peak_ok && v->shortterm_ok;
}

/* ---- text ---------------------------------------------------------------- */

/* Shorter than one 400 ms gating block (BS.1770): no integrated loudness
 * can exist, whatever the level. */
static gboolean
too_short (const MstReport * r)
{
  return r->rate > 0 && r->frames < (guint64) r->rate * 2 / 5;
}

/* value with the given decimals, "-inf" when undefined */
static const gchar *
fmt (gchar * buf, gsize size, gdouble v, gint decimals, gboolean sign)
{
  if (isnan (v))
    g_strlcpy (buf, "n/a", size);
  else if (isinf (v))
    g_strlcpy (buf, v < 0 ? "-inf" : "+inf", size);
  else
    g_snprintf (buf, size, sign ? "%+.*f" : "%.*f", decimals,
        /* no "-0.0" */ fabs (v) < 0.5 * pow (10, -decimals) ? 0.0 : v);
  return buf;
}

static gchar *
format_duration (gdouble seconds)
{
  guint64 ms = (guint64) llround (seconds * 1000.0);
  guint64 h = ms / 3600000, m = ms / 60000 % 60, s = ms / 1000 % 60;

  if (h)
    return g_strdup_printf ("%" G_GUINT64_FORMAT ":%02u:%02u.%03u", h,
        (guint) m, (guint) s, (guint) (ms % 1000));
  return g_strdup_printf ("%u:%02u.%03u", (guint) m, (guint) s,
      (guint) (ms % 1000));
}

static void
print_layout (const MstReport * r, FILE * out)
{
  gint ch;

  fprintf (out, "%d channel%s", r->channels, r->channels == 1 ? "" : "s");
  if (r->channels > 1) {
    fprintf (out, " (");
    for (ch = 0; ch < r->channels && ch < MST_REPORT_MAX_CHANNELS; ch++)
      fprintf (out, "%s%s", ch ? " " : "", r->channel_names[ch]);
    fprintf (out, ")");
  }
}

static void
print_peak_row (FILE * out, const gchar * label, const gchar * unit,
    const gdouble * per_channel, gint channels, gdouble max)
{
  gchar b[32];
  gint ch;

  fprintf (out, "  %-13s %-5s", label, unit);
  if (channels > 1)
    for (ch = 0; ch < channels && ch < MST_REPORT_MAX_CHANNELS; ch++)
      fprintf (out, " %7s", fmt (b, sizeof b, per_channel[ch], 1, TRUE));
  fprintf (out, " %7s\n", fmt (b, sizeof b, max, 1, TRUE));
}


/* ---- the pre-mastering checklist ----------------------------------------- */

#define DC_NOTE_DB -60.0        /* mean above 0.1 % of full scale */
#define MONO_FOLD_NOTE_LU -3.5  /* beyond what unrelated channels lose */
#define BALANCE_NOTE_LU 1.5
#define SIDE_LOW_NOTE_DB -10.0
#define CORR_BLOCK_NOTE -0.3

static gchar *
format_time (const MstReport * r, guint64 frame)
{
  gdouble s = r->rate ? (gdouble) frame / r->rate : 0.0;

  return format_duration (s);
}

static const gchar *
channel_name (const MstReport * r, guint ch)
{
  return ch < MST_REPORT_MAX_CHANNELS && r->channel_names[ch][0] ?
      r->channel_names[ch] : "?";
}

/* What the mix may need, band by band (too much / too little). */
static const gchar *const band_notes[MST_DIAG_N_BANDS][2] = {
  {"heavy sub-bass (rumble, or a sub that will eat headroom): check "
        "below 60 Hz, a high-pass may help",
      "little sub-bass: fine for many styles; check on full-range speakers"},
  {"heavy low end (boomy): the limiter will pump on it",
      "thin low end"},
  {"crowded low-mids (muddy, boxy): a gentle cut around 250-500 Hz",
      "hollow low-mids"},
  {"forward upper mids (harsh, fatiguing when louder)",
      "recessed presence (dull, vocals far back)"},
  {"a lot of air (bright, hiss or sibilance)",
      "dark top end"},
};

gchar **
mst_report_checklist_notes (const MstReport * r)
{
  const MstDiagResult *d = &r->diag;
  GPtrArray *notes = g_ptr_array_new ();
  guint ch, b;

  if (!r->has_diag) {
    g_ptr_array_add (notes, NULL);
    return (gchar **) g_ptr_array_free (notes, FALSE);
  }
  for (ch = 0; ch < d->channels && ch < MST_DIAG_MAX_CHANNELS; ch++)
    if (d->dc_db[ch] > DC_NOTE_DB)
      g_ptr_array_add (notes, g_strdup_printf ("DC offset on %s (%.1f "
              "dBFS): remove it with a high-pass (e.g. mseq, high-pass at "
              "20 Hz); it wastes headroom and clicks at edits",
              channel_name (r, ch), d->dc_db[ch]));
  if (d->clip_runs_total > 0) {
    gchar *first = format_time (r, d->clip_first_frame);
    gchar *where = format_time (r, d->clip_longest_frame);

    g_ptr_array_add (notes, g_strdup_printf ("%" G_GUINT64_FORMAT " clipped "
            "run%s (flat tops of %d or more equal samples), the first at %s, "
            "the longest %" G_GUINT64_FORMAT " samples at %s on %s: the mix "
            "was clipped before mastering; a limiter cannot undo that, a "
            "mix without the clipping can", d->clip_runs_total,
            d->clip_runs_total == 1 ? "" : "s", MST_DIAG_CLIP_RUN, first,
            d->clip_longest, where, channel_name (r,
                d->clip_longest_channel)));
    g_free (first);
    g_free (where);
  }
  if (d->correlation < 0.0)
    g_ptr_array_add (notes, g_strdup_printf ("the channels are mostly in "
            "anti-phase (correlation %+.2f): check the polarity of one "
            "channel", d->correlation));
  else if (d->correlation_min < CORR_BLOCK_NOTE) {
    gchar *t = format_time (r, d->correlation_min_frame);

    g_ptr_array_add (notes, g_strdup_printf ("passages in anti-phase "
            "(correlation %+.2f at %s): they thin out or vanish in mono",
            d->correlation_min, t));
    g_free (t);
  }
  if (d->mono_fold_lu < MONO_FOLD_NOTE_LU)
    g_ptr_array_add (notes, g_strdup_printf ("folded to mono the mix loses "
            "%.1f LU (unrelated channels lose 3): wide or phase-shifted "
            "parts will be weak on mono speakers", -d->mono_fold_lu));
  if (fabs (d->balance_lu) > BALANCE_NOTE_LU)
    g_ptr_array_add (notes, g_strdup_printf ("the %s channel is %.1f LU "
            "louder than the %s: check panning and balance",
            d->balance_lu > 0 ? "left" : "right", fabs (d->balance_lu),
            d->balance_lu > 0 ? "right" : "left"));
  if (d->side_low_db > SIDE_LOW_NOTE_DB)
    g_ptr_array_add (notes, g_strdup_printf ("low-end build-up in the side "
            "channel (%.1f dB against the mid below %.0f Hz): put the bass "
            "in mono with a side-only high-pass, e.g. mseq band0::type="
            "high-pass band0::freq=100 band0::channel=side",
            d->side_low_db, MST_DIAG_SIDE_LOW_HZ));
  for (b = 0; b < MST_DIAG_N_BANDS; b++) {
    gdouble lo, hi;

    mst_diag_band_reference ((MstDiagBand) b, &lo, &hi);
    if (d->band_db[b] > hi)
      g_ptr_array_add (notes, g_strdup_printf ("%s (%+.1f dB against pink "
              "noise, above %+.0f): %s", mst_diag_band_name (b),
              d->band_db[b], hi, band_notes[b][0]));
    else if (d->band_db[b] < lo)
      g_ptr_array_add (notes, g_strdup_printf ("%s (%+.1f dB against pink "
              "noise, below %+.0f): %s", mst_diag_band_name (b),
              d->band_db[b], lo, band_notes[b][1]));
  }
  g_ptr_array_add (notes, NULL);
  return (gchar **) g_ptr_array_free (notes, FALSE);
}

/* "  - " + text wrapped at 78 columns, continuation lines indented. */
static void
print_wrapped (FILE * out, const gchar * text)
{
  gchar **words = g_strsplit (text, " ", -1), **w;
  gint col = 4;

  fputs ("  -", out);
  for (w = words; *w; w++) {
    gint len = (gint) strlen (*w);

    if (col + 1 + len > 78 && col > 4) {
      fputs ("\n   ", out);
      col = 3;
    }
    fprintf (out, " %s", *w);
    col += 1 + len;
  }
  fputc ('\n', out);
  g_strfreev (words);
}

static void
print_checklist (const MstReport * r, FILE * out)
{
  const MstDiagResult *d = &r->diag;
  gchar b1[32], b2[32], *t;
  gchar **notes, **n;
  guint ch, b;

  fprintf (out, "Checklist\n  DC offset       ");
  for (ch = 0; ch < d->channels && ch < MST_DIAG_MAX_CHANNELS; ch++)
    fprintf (out, " %s %s", channel_name (r, ch),
        fmt (b1, sizeof b1, d->dc_db[ch], 1, FALSE));
  fprintf (out, " dBFS\n  Clipped runs     %" G_GUINT64_FORMAT,
      d->clip_runs_total);
  if (d->clip_runs_total > 0) {
    t = format_time (r, d->clip_longest_frame);
    fprintf (out, " (longest %" G_GUINT64_FORMAT " samples at %s, %s)",
        d->clip_longest, t, channel_name (r, d->clip_longest_channel));
    g_free (t);
  }
  fprintf (out, "\n");
  if (d->channels == 2) {
    fprintf (out, "  Correlation      %s", fmt (b1, sizeof b1,
            d->correlation, 2, TRUE));
    if (!isnan (d->correlation_min)) {
      t = format_time (r, d->correlation_min_frame);
      fprintf (out, " (lowest 1 s: %s at %s)", fmt (b2, sizeof b2,
              d->correlation_min, 2, TRUE), t);
      g_free (t);
    }
    fprintf (out, "\n  Mono fold        %s LU\n", fmt (b1, sizeof b1,
            d->mono_fold_lu, 1, TRUE));
    fprintf (out, "  Balance L-R      %s LU\n", fmt (b1, sizeof b1,
            d->balance_lu, 1, TRUE));
    fprintf (out, "  Side low end     %s dB (side vs mid below %.0f Hz)\n",
        fmt (b1, sizeof b1, d->side_low_db, 1, TRUE), MST_DIAG_SIDE_LOW_HZ);
  }
  fprintf (out, "  Spectrum        ");
  for (b = 0; b < MST_DIAG_N_BANDS; b++)
    fprintf (out, " %s %s", mst_diag_band_name (b), fmt (b1, sizeof b1,
            d->band_db[b], 1, TRUE));
  fprintf (out, "  (dB/oct vs pink)\n");
  fprintf (out, "  Noise floor      %s dBFS RMS", fmt (b1, sizeof b1,
          d->noise_floor_db, 1, FALSE));
  if (isfinite (d->quietest_db)) {
    t = format_time (r, d->quietest_frame);
    fprintf (out, "; quietest 1 s %s dBFS at %s", fmt (b1, sizeof b1,
            d->quietest_db, 1, FALSE), t);
    g_free (t);
  }
  if (d->silence_s >= 0.05)
    fprintf (out, "; %.1f s digital silence", d->silence_s);
  fprintf (out, "\n");
  notes = mst_report_checklist_notes (r);
  for (n = notes; *n; n++)
    print_wrapped (out, *n);
  if (!notes[0])
    fprintf (out, "  - nothing to fix before mastering\n");
  fprintf (out, "\n");
  g_strfreev (notes);
}

void
mst_report_print_text (const MstReport * r, FILE * out)
{
  gchar b1[32], b2[32], b3[32], b4[32];
  gchar *dur;
  guint i, n, n_ok = 0;
  gint ch;

  /* input */
  fprintf (out, "Input          %s\n", r->source ? r->source : "?");
  fprintf (out, "Format         ");
  if (r->source_format && r->source_rate && r->source_rate != r->rate)
    fprintf (out, "%s, %d Hz, measured at %d Hz, ", r->source_format,
        r->source_rate, r->rate);
  else
    fprintf (out, "%s, %d Hz, ", r->source_format ? r->source_format :
        (r->format ? r->format : "?"), r->rate);
  print_layout (r, out);
  fprintf (out, "\n");
  if (r->decoded_channels > r->source_channels && r->source_channels > 0)
    fprintf (out, "               the stream has %d channel%s; the decoder "
        "output %d (upmix), measured as %d\n", r->source_channels,
        r->source_channels == 1 ? "" : "s", r->decoded_channels, r->channels);
  if (r->chains > 1)
    fprintf (out, "               %u chained streams, measured as one\n",
        r->chains);
  if (r->format_changes > 0)
    fprintf (out, "Format change  %u time%s (first: %s); everything was "
        "converted to the first format and measured as a whole\n",
        r->format_changes, r->format_changes == 1 ? "" : "s",
        r->format_change ? r->format_change : "?");
  dur = format_duration (r->rate ? (gdouble) r->frames / r->rate : 0.0);
  fprintf (out, "Duration       %s", dur);
  if (r->elapsed > 0.0 && r->rate)
    fprintf (out, "  (analyzed in %.2f s, %.0fx real time)", r->elapsed,
        (gdouble) r->frames / r->rate / r->elapsed);
  fprintf (out, "\n");
  if (r->truncated)
    fprintf (out, "Note           the container announces %.2f s: the file "
        "looks truncated\n", r->container_duration);
  if (too_short (r))
    fprintf (out, "Note           shorter than 400 ms: too short for "
        "integrated loudness\n");
  fprintf (out, "\n");
  g_free (dur);

  /* loudness */
  fprintf (out, "Loudness                              "
      "ITU-R BS.1770 / EBU R 128\n");
  fprintf (out, "  Integrated            %7s LUFS\n",
      fmt (b1, sizeof b1, r->integrated, 1, FALSE));
  fprintf (out, "  Loudness range        %7s LU\n",
      fmt (b1, sizeof b1, r->range, 1, FALSE));
  fprintf (out, "  Max. momentary        %7s LUFS\n",
      fmt (b1, sizeof b1, r->momentary_max, 1, FALSE));
  fprintf (out, "  Max. short-term       %7s LUFS\n\n",
      fmt (b1, sizeof b1, r->shortterm_max, 1, FALSE));

  /* peaks: one column per channel, then the maximum */
  fprintf (out, "Peaks               ");
  if (r->channels > 1)
    for (ch = 0; ch < r->channels && ch < MST_REPORT_MAX_CHANNELS; ch++)
      fprintf (out, " %7s", r->channel_names[ch]);
  fprintf (out, " %7s\n", "max");
  if (r->true_peak_measured)
    print_peak_row (out, "True peak", "dBTP", r->true_peak, r->channels,
        r->true_peak_max);
  else
    fprintf (out, "  %-13s %-5s %*s\n", "True peak", "dBTP",
        8 * (r->channels > 1 ? r->channels + 1 : 1) - 1, "not measured");
  print_peak_row (out, "Sample peak", "dBFS", r->sample_peak, r->channels,
      r->sample_peak_max);
  fprintf (out, "  %-13s %-5s %*s\n\n", "PLR", "LU",
      8 * (r->channels > 1 ? r->channels + 1 : 1) - 1,
      r->true_peak_measured ? fmt (b1, sizeof b1, r->plr, 1, FALSE) : "n/a");

  if (r->has_diag)
    print_checklist (r, out);

  /* verdict per target */
  n = (guint) mst_targets_count ();
  fprintf (out, "Targets          Target  Ceiling  Deviation  %-20s"
      "%6s %7s\n", "Verdict", "Gain", "Limit");
  fprintf (out, "                   LUFS     dBTP         LU  %-20s"
      "%6s %7s\n", "", "dB", "dB");
  for (i = 0; i < n; i++) {
    const MstTarget *t = mst_targets_get (i);
    MstVerdict v;
    gchar verdict[64], b5[32];

    mst_target_evaluate (t, r, &v);
    if (!v.defined) {
      g_strlcpy (verdict, too_short (r) ? "too short" : "silent",
          sizeof verdict);
    } else {
      const gchar *level = v.loudness_ok ? NULL :
          v.deviation > 0 ? "too loud" : "too quiet";
      const gchar *peak = v.peak_ok ? NULL :
          v.peak_is_true_peak ? "TP over" : "peak over";
      const gchar *st = v.shortterm_ok ? NULL : "S over";

      if (level || peak || st)
        g_snprintf (verdict, sizeof verdict, "%s%s%s%s%s",
            level ? level : "", level && (peak || st) ? ", " : "",
            peak ? peak : "", peak && st ? ", " : "", st ? st : "");
      else
        g_strlcpy (verdict, "OK", sizeof verdict);
      if (v.ok)
        n_ok++;
    }
    fprintf (out, "  %-13s %7s  %7s  %9s  %-20s%6s %7s\n", t->name,
        fmt (b1, sizeof b1, t->integrated_lufs, 1, FALSE),
        fmt (b2, sizeof b2, t->true_peak_dbtp, 1, FALSE),
        fmt (b3, sizeof b3, v.deviation, 1, TRUE), verdict,
        v.defined ? fmt (b4, sizeof b4, v.gain, 1, TRUE) : "-",
        v.defined && v.limit >= 0.05 ? fmt (b5, sizeof b5, v.limit, 1,
            FALSE) : "-");
  }
  fprintf (out, "  Gain: to reach the target.  Limit: peak reduction then "
      "needed to stay under\n  the ceiling.  S over: max. short-term above "
      "the target's maximum.\n\n");

  /* one line for the impatient */
  fprintf (out, "Verdict        ");
  if (!isfinite (r->integrated) && too_short (r)) {
    fprintf (out, "too short to measure integrated loudness (under 400 ms); "
        "the peaks above are valid\n");
  } else if (!isfinite (r->integrated)) {
    fprintf (out, "no loudness: the input is silent (below -70 LUFS)\n");
  } else if (n_ok == n) {
    fprintf (out, "meets all %u targets\n", n);
  } else if (n_ok == 0) {
    fprintf (out, "meets none of the %u targets", n);
  } else {
    gboolean first = TRUE;

    fprintf (out, "meets ");
    for (i = 0; i < n; i++) {
      MstVerdict v;

      mst_target_evaluate (mst_targets_get (i), r, &v);
      if (v.ok) {
        fprintf (out, "%s%s", first ? "" : ", ",
            mst_targets_get (i)->name);
        first = FALSE;
      }
    }
  }
  if (isfinite (r->integrated) && n_ok < n) {
    const gchar *what = r->true_peak_measured ? "true peak" : "sample peak";
    guint n_over = 0;

    for (i = 0; i < n; i++) {
      MstVerdict v;

      mst_target_evaluate (mst_targets_get (i), r, &v);
      n_over += !v.peak_ok;
    }
    if (n_over == n)
      fprintf (out, "; the %s is over every ceiling", what);
    else if (n_over > 0)
      fprintf (out, "; the %s is over %u ceiling%s", what, n_over,
          n_over == 1 ? "" : "s");
    fprintf (out, "\n");
  }
  if (r->plot_file) {
    gchar *name = g_filename_display_name (r->plot_file);

    fprintf (out, "Plot           %s\n", name);
    g_free (name);
  }
  if (r->codec_preview)
    mst_codec_preview_print_text (r->codec_preview, out);
}

/* ---- JSON ---------------------------------------------------------------- */

static void
json_string (FILE * out, const gchar * str)
{
  const guchar *p;

  if (!str) {
    fputs ("null", out);
    return;
  }
  fputc ('"', out);
  for (p = (const guchar *) str; *p; p++) {
    if (*p == '"' || *p == '\\')
      fprintf (out, "\\%c", *p);
    else if (*p == '\n')
      fputs ("\\n", out);
    else if (*p == '\t')
      fputs ("\\t", out);
    else if (*p < 0x20)
      fprintf (out, "\\u%04x", *p);
    else
      fputc (*p, out);
  }
  fputc ('"', out);
}

/* JSON has no infinities: undefined values are null */
void
mst_json_number (FILE * out, gdouble v)
{
  gchar buf[G_ASCII_DTOSTR_BUF_SIZE];

  /* locale independent: JSON always has a decimal point */
  if (isfinite (v))
    fputs (g_ascii_formatd (buf, sizeof buf, "%.4f", v), out);
  else
    fputs ("null", out);
}

static void
json_db_array (FILE * out, const gdouble * v, gint n)
{
  gint i;

  fputc ('[', out);
  for (i = 0; i < n && i < MST_REPORT_MAX_CHANNELS; i++) {
    if (i)
      fputs (", ", out);
    mst_json_number (out, v[i]);
  }
  fputc (']', out);
}

static void
json_checklist (const MstReport * r, FILE * out)
{
  const MstDiagResult *d = &r->diag;
  gdouble dc[MST_DIAG_MAX_CHANNELS];
  gchar **notes, **n;
  guint ch, b;

  for (ch = 0; ch < MST_DIAG_MAX_CHANNELS; ch++)
    dc[ch] = d->dc_db[ch];
  fprintf (out, ",\n  \"checklist\": {\n    \"dc_offset_dbfs\": ");
  json_db_array (out, dc, (gint) d->channels);
  fprintf (out, ",\n    \"clipped_runs\": %" G_GUINT64_FORMAT
      ", \"clipped_runs_channels\": [", d->clip_runs_total);
  for (ch = 0; ch < d->channels; ch++)
    fprintf (out, "%s%" G_GUINT64_FORMAT, ch ? ", " : "", d->clip_runs[ch]);
  fprintf (out, "],\n    \"clipped_longest_samples\": %" G_GUINT64_FORMAT
      ", \"clipped_longest_s\": ", d->clip_longest);
  mst_json_number (out, d->clip_runs_total && r->rate ?
      (gdouble) d->clip_longest_frame / r->rate : NAN);
  fprintf (out, ", \"clipped_longest_channel\": ");
  if (d->clip_runs_total)
    json_string (out, channel_name (r, d->clip_longest_channel));
  else
    fputs ("null", out);
  fprintf (out, ", \"clipped_first_s\": ");
  mst_json_number (out, d->clip_runs_total && r->rate ?
      (gdouble) d->clip_first_frame / r->rate : NAN);
  fprintf (out, ",\n    \"correlation\": ");
  mst_json_number (out, d->correlation);
  fprintf (out, ", \"correlation_min\": ");
  mst_json_number (out, d->correlation_min);
  fprintf (out, ", \"correlation_min_s\": ");
  mst_json_number (out, !isnan (d->correlation_min) && r->rate ?
      (gdouble) d->correlation_min_frame / r->rate : NAN);
  fprintf (out, ",\n    \"mono_fold_lu\": ");
  /* -inf (a fold that cancels completely) as a very large drop */
  mst_json_number (out, isinf (d->mono_fold_lu) ? -999.0 : d->mono_fold_lu);
  fprintf (out, ", \"balance_lu\": ");
  mst_json_number (out, d->balance_lu);
  fprintf (out, ", \"side_low_db\": ");
  mst_json_number (out, d->side_low_db);
  fprintf (out, ",\n    \"spectrum_db\": {");
  for (b = 0; b < MST_DIAG_N_BANDS; b++) {
    fprintf (out, "%s\"%s\": ", b ? ", " : "", mst_diag_band_name (b));
    mst_json_number (out, d->band_db[b]);
  }
  fprintf (out, "},\n    \"noise_floor_dbfs\": ");
  mst_json_number (out, d->noise_floor_db);
  fprintf (out, ", \"quietest_dbfs\": ");
  mst_json_number (out, d->quietest_db);
  fprintf (out, ", \"quietest_s\": ");
  mst_json_number (out, isfinite (d->quietest_db) && r->rate ?
      (gdouble) d->quietest_frame / r->rate : NAN);
  fprintf (out, ", \"digital_silence_s\": ");
  mst_json_number (out, d->silence_s);
  fprintf (out, ",\n    \"notes\": [");
  notes = mst_report_checklist_notes (r);
  for (n = notes; *n; n++) {
    fprintf (out, "%s\n      ", n == notes ? "" : ",");
    json_string (out, *n);
  }
  fprintf (out, "]\n  }");
  g_strfreev (notes);
}

void
mst_report_print_json (const MstReport * r, FILE * out)
{
  guint i, n;
  gint ch;

  fprintf (out, "{\n  \"source\": ");
  json_string (out, r->source);
  fprintf (out, ",\n  \"demo\": %s,\n", r->is_demo ? "true" : "false");
  fprintf (out, "  \"source_format\": ");
  json_string (out, r->source_format);
  fprintf (out, ",\n  \"source_rate\": %d,\n  \"source_channels\": %d,\n",
      r->source_rate, r->source_channels);
  fprintf (out, "  \"decoded_channels\": %d,\n  \"decoder_upmix\": %s,\n",
      r->decoded_channels ? r->decoded_channels : r->source_channels,
      r->decoded_channels > r->source_channels ? "true" : "false");
  fprintf (out, "  \"chains\": %u,\n  \"format_changes\": %u,\n",
      MAX (r->chains, 1), r->format_changes);
  fprintf (out, "  \"format_change\": ");
  json_string (out, r->format_change);
  fprintf (out, ",\n");
  fprintf (out, "  \"format\": ");
  json_string (out, r->format);
  fprintf (out, ",\n  \"rate\": %d,\n  \"channels\": %d,\n", r->rate,
      r->channels);
  fprintf (out, "  \"channel_names\": [");
  for (ch = 0; ch < r->channels && ch < MST_REPORT_MAX_CHANNELS; ch++) {
    if (ch)
      fputs (", ", out);
    json_string (out, r->channel_names[ch]);
  }
  fprintf (out, "],\n  \"frames\": %" G_GUINT64_FORMAT ",\n", r->frames);
  fprintf (out, "  \"duration_s\": ");
  mst_json_number (out, r->rate ? (gdouble) r->frames / r->rate : 0.0);
  fprintf (out, ",\n  \"container_duration_s\": ");
  mst_json_number (out, r->container_duration > 0 ? r->container_duration :
      NAN);
  fprintf (out, ",\n  \"truncated\": %s,\n  \"too_short\": %s",
      r->truncated ? "true" : "false", too_short (r) ? "true" : "false");

  fprintf (out, ",\n  \"integrated_lufs\": ");
  mst_json_number (out, r->integrated);
  fprintf (out, ",\n  \"loudness_range_lu\": ");
  mst_json_number (out, r->range);
  fprintf (out, ",\n  \"momentary_max_lufs\": ");
  mst_json_number (out, r->momentary_max);
  fprintf (out, ",\n  \"shortterm_max_lufs\": ");
  mst_json_number (out, r->shortterm_max);
  fprintf (out, ",\n  \"relative_threshold_lufs\": ");
  mst_json_number (out, r->relative_threshold);
  fprintf (out, ",\n  \"true_peak_measured\": %s",
      r->true_peak_measured ? "true" : "false");
  fprintf (out, ",\n  \"true_peak_dbtp\": ");
  mst_json_number (out, r->true_peak_measured ? r->true_peak_max : NAN);
  fprintf (out, ",\n  \"true_peak_channels_dbtp\": ");
  if (r->true_peak_measured)
    json_db_array (out, r->true_peak, r->channels);
  else
    fputs ("null", out);
  fprintf (out, ",\n  \"sample_peak_dbfs\": ");
  mst_json_number (out, r->sample_peak_max);
  fprintf (out, ",\n  \"sample_peak_channels_dbfs\": ");
  json_db_array (out, r->sample_peak, r->channels);
  fprintf (out, ",\n  \"plr_lu\": ");
  mst_json_number (out, r->true_peak_measured ? r->plr : NAN);
  fprintf (out, ",\n  \"analysis_time_s\": ");
  mst_json_number (out, r->elapsed);

  if (r->has_diag)
    json_checklist (r, out);

  fprintf (out, ",\n  \"targets\": [");
  n = (guint) mst_targets_count ();
  for (i = 0; i < n; i++) {
    const MstTarget *t = mst_targets_get (i);
    MstVerdict v;

    mst_target_evaluate (t, r, &v);
    fprintf (out, "%s\n    {\"id\": ", i ? "," : "");
    json_string (out, t->nick);
    fprintf (out, ", \"name\": ");
    json_string (out, t->name);
    fprintf (out, ", \"integrated_lufs\": ");
    mst_json_number (out, t->integrated_lufs);
    fprintf (out, ",\n     \"tolerance_lu\": ");
    mst_json_number (out, t->tolerance_lu);
    fprintf (out, ", \"true_peak_max_dbtp\": ");
    mst_json_number (out, t->true_peak_dbtp);
    fprintf (out, ",\n     \"deviation_lu\": ");
    mst_json_number (out, v.deviation);
    fprintf (out, ", \"loudness_ok\": %s", v.defined && v.loudness_ok ?
        "true" : "false");
    fprintf (out, ", \"peak_over_db\": ");
    mst_json_number (out, v.peak_over);
    fprintf (out, ",\n     \"peak_ok\": %s", v.peak_ok ? "true" : "false");
    fprintf (out, ", \"gain_db\": ");
    mst_json_number (out, v.gain);
    fprintf (out, ", \"limit_db\": ");
    mst_json_number (out, v.defined ? v.limit : NAN);
    fprintf (out, ", \"shortterm_ok\": %s", v.shortterm_ok ? "true" :
        "false");
    fprintf (out, ", \"ok\": %s}", v.ok ? "true" : "false");
  }
  fprintf (out, "\n  ],\n  \"plot\": ");
  json_string (out, r->plot_file);
  fprintf (out, ",\n  \"codec_preview\": ");
  mst_codec_preview_print_json (r->codec_preview, out);
  fprintf (out, "\n}\n");
}
