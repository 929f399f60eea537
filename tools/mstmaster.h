/* gst-mastering CLI — `master` and `demo`
 *
 * master IN OUT --target PRESET: measures IN (loudnessmeter), then renders
 *   IN -> gain -> [mseq -> multibandcomp] -> truepeaklimiter ->
 *   loudnessmeter -> (mstquantize | float) -> wavenc/flacenc -> OUT.part
 * correcting the gain and rendering again (at most 3 render passes) while
 * the limiter takes loudness away, measures the written file once more,
 * renames it to OUT and prints before / after.
 * master --output-dir DIR IN...: the same for every IN, several at a time
 *   (mstbatch.h), into DIR/IN's base name with .wav or .flac.
 * demo: master of the built-in demo mix to `spotify`.
 */
#ifndef __MST_MASTER_H__
#define __MST_MASTER_H__

#include <glib.h>

G_BEGIN_DECLS

gint mst_cmd_master (gint argc, gchar ** argv);
gint mst_cmd_demo (gint argc, gchar ** argv);

G_END_DECLS
#endif /* __MST_MASTER_H__ */
