/* gst-mastering — tests of dsp/targets (the delivery-target table)
 *
 * Expectations are written out here from the public sources, not read
 * from the table: EBU R 128 (2023) -23 LUFS / -1 dBTP; EBU R 128 s1 and
 * EBU Tech 3343: the R 128 target with maximum short-term -18 LUFS
 * (maximum momentary -15 LUFS); ATSC A/85:2013 -24 LKFS +-2 dB, -2 dBTP;
 * Spotify for Artists "Loudness normalization" -14 LUFS, -1 dBTP; Apple
 * Podcasts "Audio requirements" -16 LKFS +-1 dB, -1 dBTP; the common
 * "-19 LUFS mono" podcast practice; platform figures reported by secondary
 * sources for Apple Music (-16), YouTube (-14), Amazon Music (-14, -2 dBTP),
 * Tidal (-14) and Deezer (-15).
 */
#include <math.h>
#include <string.h>

#include "dsp/targets.h"
#include "mtest.h"

typedef struct
{
  const char *nick;
  double lufs, tolerance, ceiling, max_st;
  int channels;
} Expected;

static const Expected expected[] = {
  {"ebu-r128", -23.0, 0.5, -1.0, INFINITY, 0},
  {"ebu-r128-s1", -23.0, 0.5, -1.0, -18.0, 0},
  {"atsc-a85", -24.0, 2.0, -2.0, INFINITY, 0},
  {"spotify", -14.0, 1.0, -1.0, INFINITY, 0},
  {"apple-music", -16.0, 1.0, -1.0, INFINITY, 0},
  {"youtube", -14.0, 1.0, -1.0, INFINITY, 0},
  {"amazon-music", -14.0, 1.0, -2.0, INFINITY, 0},
  {"tidal", -14.0, 1.0, -1.0, INFINITY, 0},
  {"deezer", -15.0, 1.0, -1.0, INFINITY, 0},
  {"podcast", -16.0, 1.0, -1.0, INFINITY, 0},
  {"podcast-mono", -19.0, 1.0, -1.0, INFINITY, 1},
};

#define N_EXPECTED (sizeof expected / sizeof expected[0])

static int
is_nick (const char *s)
{
  if (!s || !*s || *s == '-')
    return 0;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
      return 0;
  return 1;
}

static void
test_values (void)
{
  size_t i;

  mt_ok (mst_targets_count () == N_EXPECTED, "%zu targets, want %zu",
      mst_targets_count (), (size_t) N_EXPECTED);
  for (i = 0; i < N_EXPECTED; i++) {
    const Expected *e = &expected[i];
    const MstTarget *t = mst_targets_find (e->nick);

    if (!mt_ok (t != NULL, "'%s' is in the table", e->nick))
      continue;
    MT_CLOSE (t->integrated_lufs, e->lufs, 0.0, "%s integrated", e->nick);
    MT_CLOSE (t->tolerance_lu, e->tolerance, 0.0, "%s tolerance", e->nick);
    MT_CLOSE (t->true_peak_dbtp, e->ceiling, 0.0, "%s ceiling", e->nick);
    MT_CLOSE (t->max_shortterm_lufs, e->max_st, 0.0, "%s max short-term",
        e->nick);
    mt_ok (t->channels == e->channels, "%s channels %d", e->nick,
        t->channels);
  }
  /* R 128 s1 also allows max. momentary -15 LUFS (EBU Tech 3343) */
  MT_CLOSE (mst_targets_find ("ebu-r128-s1")->max_momentary_lufs, -15.0,
      0.0, "ebu-r128-s1 max momentary");
}

static void
test_invariants (void)
{
  size_t i, j, n = mst_targets_count ();

  for (i = 0; i < n; i++) {
    const MstTarget *t = mst_targets_get (i);

    mt_ok (t && t->id == (MstTargetId) i, "entry %zu has id %zu", i, i);
    if (!t)
      continue;
    mt_ok (is_nick (t->nick), "'%s': lower-case hyphenated nick", t->nick);
    mt_ok (t->name && *t->name && t->source && *t->source && t->notes
        && *t->notes, "%s: name, notes and source given", t->nick);
    MT_RANGE (t->integrated_lufs, -31.0, -5.0, "%s target plausible",
        t->nick);
    MT_RANGE (t->tolerance_lu, 0.1, 3.0, "%s tolerance plausible", t->nick);
    MT_RANGE (t->true_peak_dbtp, -6.0, 0.0, "%s ceiling below full scale",
        t->nick);
    mt_ok (t->max_shortterm_lufs > t->integrated_lufs &&
        t->max_momentary_lufs > t->integrated_lufs,
        "%s: maxima above the target (or none)", t->nick);
    mt_ok (strcmp (mst_target_kind_name (t->kind), "?") != 0 &&
        strcmp (mst_target_confidence_name (t->confidence), "?") != 0,
        "%s: kind and confidence named", t->nick);
    for (j = 0; j < i; j++)
      if (strcmp (mst_targets_get (j)->nick, t->nick) == 0)
        mt_ok (0, "nick '%s' is unique", t->nick);
  }
  mt_ok (mst_targets_get (n) == NULL, "index %zu is out of range", n);
}

static void
test_find (void)
{
  const MstTarget *r128 = mst_targets_get (MST_TARGET_EBU_R128);

  mt_ok (mst_targets_find ("EBU-R128") == r128, "lookup ignores case");
  mt_ok (mst_targets_find ("ebu_r128") == r128, "'_' matches '-'");
  mt_ok (mst_targets_find ("ebu-r12") == NULL, "a prefix does not match");
  mt_ok (mst_targets_find ("ebu-r128x") == NULL, "a longer name does not");
  mt_ok (mst_targets_find ("") == NULL, "empty name: NULL");
  mt_ok (mst_targets_find (NULL) == NULL, "NULL name: NULL");
  mt_ok (mst_targets_find ("custom") == NULL, "'custom' is not a target");
  mt_ok (mst_targets_find ("podcast-mono") ==
      mst_targets_get (MST_TARGET_PODCAST_MONO), "podcast-mono by enum");
}

int
main (void)
{
  test_values ();
  test_invariants ();
  test_find ();
  return mt_done ();
}
