/* gst-mastering CLI — the codec preview (`analyze --codec-preview`)
 *
 * Lossy encoding adds overshoot: the decoded waveform is not the source,
 * and its peaks (between samples as well) can lie above the source's,
 * which is why delivery specifications ask for -1 or -2 dBTP.  The
 * preview encodes the input with each requested codec at a typical
 * delivery bitrate, decodes it again and measures the decoded audio with
 * loudnessmeter (true peak, integrated loudness), in one pass:
 *
 *   source -> audioconvert -> audioresample -> capsfilter -> tee
 *     tee -> queue -> audioconvert -> audioresample -> ENCODER ->
 *            [parser] -> DECODER -> capsfilter (F32 if it can) ->
 *            audioconvert -> loudnessmeter -> fakesink     (per codec)
 *
 * Codecs whose encoder (or decoder) is not installed are reported as
 * not available, not as an error.
 */
#ifndef __MST_CODEC_H__
#define __MST_CODEC_H__

#include <stdio.h>
#include <gst/gst.h>

#include "mstjob.h"
#include "mstreport.h"

G_BEGIN_DECLS

typedef struct _MstCodecPreview MstCodecPreview;

/* Parses a comma-separated list ("mp3,aac,opus"); NULL with *error set to
 * a message for mst_cli_usage_error() (g_free it) on an unknown name. */
MstCodecPreview *mst_codec_preview_new (const gchar * list, gchar ** error);
void mst_codec_preview_free (MstCodecPreview * cp);

/* The codec names the option takes, for help texts ("mp3, aac, ..."). */
const gchar *mst_codec_preview_names (void);

/* Runs the preview of input (NULL: the demo mix) against the source's
 * measurement in r (its true peak and integrated loudness); ceiling_dbtp
 * (NaN: none) marks outputs above a delivery ceiling.  Sets
 * r->codec_preview = cp.  On failure prints one error line and returns
 * the exit code. */
MstExit mst_codec_preview_run (MstCodecPreview * cp, const gchar * input,
    MstReport * r, gdouble ceiling_dbtp, gboolean progress, gboolean quiet);

/* The report's section: text, and the value of "codec_preview" in JSON
 * ("null" for cp == NULL). */
void mst_codec_preview_print_text (const MstCodecPreview * cp, FILE * out);
void mst_codec_preview_print_json (const MstCodecPreview * cp, FILE * out);

G_END_DECLS
#endif /* __MST_CODEC_H__ */
