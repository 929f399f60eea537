/* gst-mastering — delivery targets (see targets.h)
 *
 * The numbers and where they come from.  Standards were read in the
 * published documents; platform figures come from the platforms' pages
 * where they publish one, otherwise from consistent secondary sources
 * (platforms change them without notice: check before a delivery).
 */
#include "targets.h"

#include <math.h>

#define NONE INFINITY           /* no maximum short-term / momentary */

static const MstTarget targets[MST_TARGET_COUNT] = {
  /* EBU R 128 (2023): programme loudness -23.0 LUFS, maximum true peak
   * -1 dBTP in production.  +-0.5 LU is the general tolerance of the
   * 2014 edition, the window QC checks still use; the 2023 text allows
   * +-1 LU only where the target cannot be reached (live) and +-0.2 LU
   * for measurement error. */
  {MST_TARGET_EBU_R128, "ebu-r128", "EBU R 128", -23.0, 0.5, 1, -1.0,
        NONE, NONE, 0, MST_TARGET_KIND_BROADCAST,
        MST_TARGET_CONFIDENCE_STANDARD,
        "broadcast programmes; +-1 LU accepted for live programmes",
      "EBU R 128 (2023) and its 2014 tolerance wording"},
  /* R 128 s1 (short-form content: commercials, promos, < 60 s): the
   * R 128 target, plus maximum short-term loudness -18 LUFS (target
   * +5 LU); EBU Tech 3343 also allows maximum momentary -15 LUFS instead;
   * loudness range does not apply. */
  {MST_TARGET_EBU_R128_S1, "ebu-r128-s1", "EBU R 128 s1", -23.0, 0.5, 1,
        -1.0, -18.0, -15.0, 0, MST_TARGET_KIND_SHORT_FORM,
        MST_TARGET_CONFIDENCE_STANDARD,
        "ads, promos: max. short-term -18 LUFS (or max. momentary -15)",
      "EBU R 128 s1 (2016); EBU Tech 3343 (2023), short-form content"},
  /* ATSC A/85 (US; the CALM Act makes it binding): -24 LKFS +-2 dB;
   * -2 dBTP is the commonly cited true-peak maximum. */
  {MST_TARGET_ATSC_A85, "atsc-a85", "ATSC A/85", -24.0, 2.0, 1, -2.0,
        NONE, NONE, 0, MST_TARGET_KIND_BROADCAST,
        MST_TARGET_CONFIDENCE_STANDARD,
        "US television (CALM Act); dialnorm must match the loudness",
      "ATSC A/85:2013 Recommended Practice"},
  /* Spotify for Artists, "Loudness normalization": playback normalised to
   * -14 LUFS (Normal); masters at or below -1 dBTP (-2 dBTP for loud
   * masters above -14 LUFS, to survive lossy encoding). */
  {MST_TARGET_SPOTIFY, "spotify", "Spotify", -14.0, 1.0, 0, -1.0,
        NONE, NONE, 0, MST_TARGET_KIND_MUSIC,
        MST_TARGET_CONFIDENCE_PLATFORM,
        "normalised to -14 LUFS at playback (Loud -11, Quiet -19)",
      "Spotify for Artists, \"Loudness normalization\""},
  /* Apple Music Sound Check: -16 LUFS; -1 dBTP recommended. */
  {MST_TARGET_APPLE_MUSIC, "apple-music", "Apple Music", -16.0, 1.0, 0,
        -1.0, NONE, NONE, 0, MST_TARGET_KIND_MUSIC,
        MST_TARGET_CONFIDENCE_SECONDARY,
        "Sound Check normalises to about -16 LUFS",
      "Apple Music Sound Check, as reported by secondary sources"},
  /* YouTube: -14 LUFS, turns loud uploads down only; -1 dBTP advised. */
  {MST_TARGET_YOUTUBE, "youtube", "YouTube", -14.0, 1.0, 0, -1.0,
        NONE, NONE, 0, MST_TARGET_KIND_MUSIC,
        MST_TARGET_CONFIDENCE_SECONDARY,
        "turns louder uploads down to about -14 LUFS, never up",
      "YouTube playback normalisation, as reported by secondary sources"},
  /* Amazon Music: -14 LUFS in most reports (some give -13 .. -9), -2 dBTP
   * in one; the least certain entry of the table. */
  {MST_TARGET_AMAZON_MUSIC, "amazon-music", "Amazon Music", -14.0, 1.0, 0,
        -2.0, NONE, NONE, 0, MST_TARGET_KIND_MUSIC,
        MST_TARGET_CONFIDENCE_SECONDARY,
        "reports differ (-14 .. -9 LUFS); -2 dBTP leaves codec headroom",
      "Amazon Music normalisation, as reported by secondary sources"},
  /* Tidal: -14 LUFS, -1 dBTP. */
  {MST_TARGET_TIDAL, "tidal", "Tidal", -14.0, 1.0, 0, -1.0,
        NONE, NONE, 0, MST_TARGET_KIND_MUSIC,
        MST_TARGET_CONFIDENCE_SECONDARY,
        "normalised to about -14 LUFS at playback",
      "Tidal normalisation, as reported by secondary sources"},
  /* Deezer: -15 LUFS, -1 dBTP. */
  {MST_TARGET_DEEZER, "deezer", "Deezer", -15.0, 1.0, 0, -1.0,
        NONE, NONE, 0, MST_TARGET_KIND_MUSIC,
        MST_TARGET_CONFIDENCE_SECONDARY,
        "normalised to about -15 LUFS at playback",
      "Deezer normalisation, as reported by secondary sources"},
  /* Apple Podcasts "Audio requirements": -16 LKFS +-1 dB, true peak at
   * most -1 dBFS. */
  {MST_TARGET_PODCAST, "podcast", "Podcast", -16.0, 1.0, 1, -1.0,
        NONE, NONE, 0, MST_TARGET_KIND_SPEECH,
        MST_TARGET_CONFIDENCE_PLATFORM,
        "stereo spoken word",
      "Apple Podcasts, \"Audio requirements\""},
  /* The industry's "-16 stereo / -19 mono" podcast practice: a mono file
   * played on both loudspeakers sounds about 3 LU louder than it
   * measures. */
  {MST_TARGET_PODCAST_MONO, "podcast-mono", "Podcast mono", -19.0, 1.0,
        1, -1.0, NONE, NONE, 1, MST_TARGET_KIND_SPEECH,
        MST_TARGET_CONFIDENCE_SECONDARY,
        "mono spoken word: -19 LUFS mono plays as loud as -16 stereo",
      "common podcast practice (-16 LUFS stereo / -19 LUFS mono)"},
};

size_t
mst_targets_count (void)
{
  return MST_TARGET_COUNT;
}

const MstTarget *
mst_targets_get (size_t i)
{
  return i < MST_TARGET_COUNT ? &targets[i] : NULL;
}

static char
fold (char c)
{
  if (c >= 'A' && c <= 'Z')
    return (char) (c - 'A' + 'a');
  return c == '_' ? '-' : c;
}

const MstTarget *
mst_targets_find (const char *nick)
{
  size_t i;

  if (!nick)
    return NULL;
  for (i = 0; i < MST_TARGET_COUNT; i++) {
    const char *a = nick, *b = targets[i].nick;

    while (*a && *b && fold (*a) == *b) {
      a++;
      b++;
    }
    if (!*a && !*b)
      return &targets[i];
  }
  return NULL;
}

const char *
mst_target_kind_name (MstTargetKind kind)
{
  switch (kind) {
    case MST_TARGET_KIND_BROADCAST:
      return "broadcast";
    case MST_TARGET_KIND_SHORT_FORM:
      return "short-form";
    case MST_TARGET_KIND_MUSIC:
      return "music streaming";
    case MST_TARGET_KIND_SPEECH:
      return "speech";
  }
  return "?";
}

const char *
mst_target_confidence_name (MstTargetConfidence confidence)
{
  switch (confidence) {
    case MST_TARGET_CONFIDENCE_STANDARD:
      return "standard";
    case MST_TARGET_CONFIDENCE_PLATFORM:
      return "platform";
    case MST_TARGET_CONFIDENCE_SECONDARY:
      return "secondary";
  }
  return "?";
}
