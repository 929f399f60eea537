/* gst-mastering — helpers shared by the element tests (GstCheck)
 *
 * The checks every element test repeats: pulling F32 output while
 * checking its timestamps against a frame count, the latency query, and
 * the caps limits of dsp/util.h.
 */
#ifndef MST_CHECK_H
#define MST_CHECK_H

#include <gst/gst.h>
#include <gst/check/gstharness.h>

G_BEGIN_DECLS

/* A harness around a new `factory` element; with bus, a bus of its own
 * for the element's messages (*bus, freed by mst_check_harness_free);
 * with caps, these source caps. */
GstHarness *mst_check_harness_new (const gchar * factory, const gchar * caps,
    GstBus ** bus);
void mst_check_harness_free (GstHarness * h, GstBus * bus);

/* Time of frame `frame` at `rate`, rounded to ns. */
GstClockTime mst_check_frame_time (guint64 frame, gint rate);

/* Pulls every F32 buffer of `ch` channels the harness has.  Each must
 * carry the time of its first frame counted from *count on a timeline
 * that starts at frame 0 (within 1 ns: an element stamps output that
 * starts inside an input buffer with that buffer's pts + frames / rate,
 * rounded), a duration that ends within 1 ns of the time of its last
 * frame + 1, OFFSET/OFFSET_END = *count and *count + n when set, no DTS
 * and no GAP flag.  Appends the data to out (if not NULL) at frame
 * *count; advances *count; returns the frames pulled. */
gsize mst_check_pull_f32 (GstHarness * h, gint ch, gint rate, gfloat * out,
    gsize * count);

/* Pushes x (frames x ch F32 samples) in buffers of `block` frames whose
 * timestamps continue a timeline at frame first_frame (pts the time of
 * the buffer's first frame, duration up to the next buffer's); every push
 * must return GST_FLOW_OK. */
void mst_check_push_f32 (GstHarness * h, const gfloat * x, gsize frames,
    gint ch, gint rate, gsize block, guint64 first_frame);

/* Copies of the structures of the element messages named `name` on bus,
 * in order (the other messages are dropped); free with
 * g_list_free_full (l, (GDestroyNotify) gst_structure_free). */
GList *mst_check_collect_messages (GstBus * bus, const gchar * name);

/* min latency answered by the element's peer query from the sink side. */
GstClockTime mst_check_query_latency (GstHarness * h);

/* The element accepts MST_RATE_MIN and MST_RATE_MAX Hz with
 * MST_MAX_CHANNELS unpositioned channels of `format`, and refuses
 * MST_RATE_MIN - 1 and MST_RATE_MAX + 1 Hz. */
void mst_check_caps_limits (const gchar * factory, const gchar * format);

/* Every writable double property of element, and of its children if it is
 * a GstChildProxy (the bands), refuses NaN, +infinity and -infinity
 * (except an infinity its range includes, as a compressor's ratio):
 * given through the class's set_property (past GObject's range check,
 * which not every caller goes through), the value read back is the
 * previous one, and each refusal logs one warning saying "rejected,
 * keeping the previous value".  Returns the number of properties
 * checked. */
guint mst_check_non_finite_properties (GstElement * element);

G_END_DECLS
#endif /* MST_CHECK_H */
