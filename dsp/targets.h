/* gst-mastering — delivery targets (loudness presets)
 *
 * ONE table of the loudness targets that broadcast standards and
 * streaming / podcast platforms ask for.  The `loudnorm` element (its
 * `preset` property) and the `gst-mastering` tool (`master --target`,
 * `targets`, the verdicts of `analyze`) both read it, so a preset means
 * the same thing everywhere.
 *
 * Each entry: a nick for command lines and enum nicks ("ebu-r128"), a
 * display name, the integrated loudness target (LUFS, ITU-R BS.1770
 * gated), the tolerance around it (+- LU), the maximum true peak (dBTP,
 * BS.1770 Annex 2), an optional maximum short-term / momentary loudness
 * (R 128 s1 for short-form content), the kind of content (which tells a
 * leveller how fast it may move), how firm the numbers are, notes and the
 * public source.
 *
 * Where a platform states no tolerance (streaming services normalise at
 * playback themselves), the table's tolerance is +-1 LU, a practical
 * delivery window; `tolerance_stated` says which case applies.
 *
 * Platforms change their numbers without notice; `confidence` says how
 * the numbers were established.  Plain C99, no GLib; the table is
 * constant, so every function is thread-safe.
 */
#ifndef MST_TARGETS_H
#define MST_TARGETS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Stable indices into the table (mst_targets_get()); an element may use
 * them as its enum values.  New targets are added before MST_TARGET_COUNT. */
typedef enum
{
  MST_TARGET_EBU_R128 = 0,
  MST_TARGET_EBU_R128_S1,
  MST_TARGET_ATSC_A85,
  MST_TARGET_SPOTIFY,
  MST_TARGET_APPLE_MUSIC,
  MST_TARGET_YOUTUBE,
  MST_TARGET_AMAZON_MUSIC,
  MST_TARGET_TIDAL,
  MST_TARGET_DEEZER,
  MST_TARGET_PODCAST,
  MST_TARGET_PODCAST_MONO,
  MST_TARGET_COUNT
} MstTargetId;

/* What kind of delivery the target is for. */
typedef enum
{
  MST_TARGET_KIND_BROADCAST,    /* long programmes, slow levelling */
  MST_TARGET_KIND_SHORT_FORM,   /* commercials, promos, trailers (< 60 s) */
  MST_TARGET_KIND_MUSIC,        /* music streaming (normalised at playback) */
  MST_TARGET_KIND_SPEECH        /* podcasts, spoken word: fast levelling */
} MstTargetKind;

/* How the numbers were established. */
typedef enum
{
  MST_TARGET_CONFIDENCE_STANDARD,       /* read in the published standard */
  MST_TARGET_CONFIDENCE_PLATFORM,       /* the platform's own published page */
  MST_TARGET_CONFIDENCE_SECONDARY       /* consistent secondary sources only */
} MstTargetConfidence;

typedef struct
{
  MstTargetId id;
  const char *nick;             /* "ebu-r128": lower case, hyphenated */
  const char *name;             /* "EBU R 128", for humans */
  double integrated_lufs;       /* target integrated loudness, LUFS */
  double tolerance_lu;          /* accepted deviation, +- LU */
  int tolerance_stated;         /* 1: the source states it; 0: practical */
  double true_peak_dbtp;        /* maximum true peak (ceiling), dBTP */
  double max_shortterm_lufs;    /* maximum short-term loudness, LUFS;
                                 * +INFINITY when the target has none */
  double max_momentary_lufs;    /* maximum momentary loudness, LUFS;
                                 * +INFINITY when the target has none */
  int channels;                 /* 1: meant for mono files; 0: any */
  MstTargetKind kind;
  MstTargetConfidence confidence;
  const char *notes;            /* one line, plain language */
  const char *source;           /* the public source of the numbers */
} MstTarget;

/* Number of targets (MST_TARGET_COUNT). */
size_t mst_targets_count (void);

/* Target i (0 <= i < mst_targets_count(), in display order; the entry's
 * `id` equals i), or NULL when i is out of range. */
const MstTarget *mst_targets_get (size_t i);

/* The target whose nick is `nick`, compared ignoring ASCII case and
 * treating '_' as '-' ("EBU_R128" finds "ebu-r128"); NULL if none (or
 * nick is NULL). */
const MstTarget *mst_targets_find (const char *nick);

/* Display names of the enums ("broadcast", "standard", ...). */
const char *mst_target_kind_name (MstTargetKind kind);
const char *mst_target_confidence_name (MstTargetConfidence confidence);

#ifdef __cplusplus
}
#endif
#endif /* MST_TARGETS_H */
