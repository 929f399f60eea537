/* gst-mastering — GstMstLookahead: base class of the elements whose
 * processor delays its output by a fixed latency (look-ahead limiters,
 * compressors, normalisers)
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#ifndef __GST_MST_LOOKAHEAD_H__
#define __GST_MST_LOOKAHEAD_H__

#include <gst/gst.h>
#include <gst/audio/audio.h>
#include <gst/audio/gstaudiofilter.h>

G_BEGIN_DECLS

/*
 * GstMstLookahead is an abstract GstAudioFilter for elements whose
 * processor (a dsp/ core) outputs its input delayed by `latency` frames,
 * as gst-plugins-good's audiofxbasefirfilter is for FIR filters.  The
 * subclass supplies the processor; the base does the stream plumbing:
 *
 * - Holds back: the first `latency` output frames of the processor after
 *   configure/reset (its start-up delay) are discarded, so output frame n
 *   is input frame n.  Each output buffer carries the timestamps of the
 *   input frames it contains (PTS = input PTS of the same samples, plus
 *   frames / rate inside a buffer), DURATION, OFFSET/OFFSET_END; it is
 *   split where the input was DISCONT or its timestamps jumped, and
 *   flagged DISCONT there.  DTS is NONE; GAP is never set on output.
 * - Drains before EOS, a SEGMENT, a GAP event and a caps change: feeds the
 *   processor `latency` frames of silence, pushes the held frames with
 *   their timestamps, then forwards the event, so the output has exactly
 *   as many frames as the input.  The flow return of that push is
 *   checked: at EOS a fatal one (NOT_LINKED, NOT_NEGOTIATED, ERROR) is
 *   posted as an element error; otherwise it is returned for the next
 *   input buffer (sticky until FLUSH_STOP).
 * - Drops what it holds on FLUSH_STOP.
 * - Answers the latency query: upstream min/max + ceil (latency / rate).
 * - GAP buffers are processed as digital silence of their size (of their
 *   duration when empty).  Segments in a format other than TIME are fine
 *   (no stream time: the controller is not synced).
 * - Syncs controlled properties per chunk: when the element has active
 *   control bindings, input is processed in chunks that end on a grid of
 *   GST_MST_CONTROL_CHUNK_MS (10) ms, counted in frames from the start of
 *   the stream (gst_mst_control_grid() in mstutils.h), and
 *   gst_object_sync_values() is called at the stream time of each chunk's
 *   first input frame.  Automation is therefore sample-accurate to 10 ms
 *   whatever the buffer size.  Without bindings a buffer is one chunk.
 * - Counts the non-finite samples process() reports and posts one
 *   warning per stream (gst_mst_warn_non_finite()).
 *
 * Threading and locking: configure, reset, get_latency and process are
 * called with the object lock held (set_property takes it too, so a
 * property setter may call the processor's setters directly).  They must
 * not post messages: queue them with gst_mst_lookahead_post_message().
 * eos is called without the lock.
 *
 * A subclass:
 *
 *   G_DECLARE_FINAL_TYPE (GstMyComp, gst_my_comp, GST, MY_COMP,
 *       GstMstLookahead);
 *   ...
 *   lookahead_class->configure = gst_my_comp_configure;   (required)
 *   lookahead_class->get_latency = gst_my_comp_get_latency; (required)
 *   lookahead_class->process = gst_my_comp_process;       (required)
 *   lookahead_class->reset = gst_my_comp_reset;
 *   lookahead_class->eos = gst_my_comp_eos;
 *
 * and adds its pad templates with gst_audio_filter_class_add_pad_templates()
 * (rates MST_RATE_MIN..MST_RATE_MAX, 1..MST_MAX_CHANNELS channels: see
 * GST_MST_AUDIO_CAPS in mstutils.h).  A property that changes the latency
 * (a look-ahead time) calls gst_mst_lookahead_reconfigure() from
 * set_property: before the next buffer, the base drains the old processor
 * into the stream (no gap, no lost frame), calls configure again and
 * posts a latency message when the latency changed.
 */

/**
 * GstMstLookaheadChunk:
 * @in: @n_frames interleaved input frames; %NULL means digital silence
 *   (a GAP buffer, or the silence fed to push the held frames out)
 * @out: room for @n_frames output frames: the processor writes the input
 *   delayed by its latency
 * @n_frames: frames in this chunk (> 0)
 * @out_pos: output frame index of out[0], counted since the last reset;
 *   gst_mst_lookahead_output_time() turns out_pos + k into a timestamp
 * @priming: %TRUE when @out is the processor's start-up delay (output
 *   before the first input frame): it is discarded, and statistics
 *   should not count it
 * @draining: %TRUE when @in is the silence fed to push the held frames
 *   out (EOS, a new segment, a gap event, a format change): it is not
 *   part of the stream, so measurements of the input should not count
 *   it (@out is real output)
 *
 * One call's worth of work for #GstMstLookaheadClass.process.
 */
typedef struct
{
  const guint8 *in;
  guint8 *out;
  gsize n_frames;
  guint64 out_pos;
  gboolean priming;
  gboolean draining;
} GstMstLookaheadChunk;

#define GST_TYPE_MST_LOOKAHEAD (gst_mst_lookahead_get_type ())
G_DECLARE_DERIVABLE_TYPE (GstMstLookahead, gst_mst_lookahead, GST,
    MST_LOOKAHEAD, GstAudioFilter);

/**
 * GstMstLookaheadClass:
 * @configure: (re)create the processor for @info (format, rate,
 *   channels) with the current properties, in its initial state (as
 *   after a reset).  Return %FALSE when the format is unsupported or the
 *   processor cannot be made; the base then posts a GST_ELEMENT_ERROR and
 *   fails the caps.  Object lock held.
 * @get_latency: latency of the processor made by the last configure, in
 *   frames.  Object lock held.
 * @process: run @chunk through the processor; return the number of
 *   non-finite input samples it replaced (0 if none).  Object lock held.
 * @reset: clear the processor's signal state.  @flush %TRUE: a flush or
 *   start, forget all stream statistics too; %FALSE: the held frames were
 *   just drained (EOS, new segment, gap, caps or latency change) and the
 *   processor starts afresh, statistics may go on.  Object lock held.
 * @eos: called at EOS after the held frames were pushed and before EOS is
 *   forwarded: post final messages here.  Object lock not held.
 */
struct _GstMstLookaheadClass
{
  GstAudioFilterClass parent_class;

  gboolean (*configure) (GstMstLookahead * self, const GstAudioInfo * info);
  guint (*get_latency) (GstMstLookahead * self);
  gsize (*process) (GstMstLookahead * self, const GstMstLookaheadChunk * chunk);
  void (*reset) (GstMstLookahead * self, gboolean flush);
  void (*eos) (GstMstLookahead * self);

  /*< private > */
  gpointer _reserved[4];
};

/* Marks the processor for re-creation (a latency-changing property was
 * set).  Lock-agnostic: callable from set_property with the object lock
 * held. */
void gst_mst_lookahead_reconfigure (GstMstLookahead * self);

/* Queues msg, posted once the object lock is released (before the output
 * of the same input is pushed).  Takes msg.  For process/reset. */
void gst_mst_lookahead_post_message (GstMstLookahead * self, GstMessage * msg);

/* Timestamp of output frame out_pos (see GstMstLookaheadChunk.out_pos):
 * the input PTS of the same sample, NONE for untimestamped input.  Valid
 * inside process for the frames of the chunk. */
GstClockTime gst_mst_lookahead_output_time (GstMstLookahead * self,
    guint64 out_pos);

/* Latency in frames (0 before caps).  Object lock held. */
guint gst_mst_lookahead_get_latency_frames (GstMstLookahead * self);

/* Pushes the held frames downstream now, as at EOS (streaming thread, no
 * lock held).  Returns the flow return of the push. */
GstFlowReturn gst_mst_lookahead_drain (GstMstLookahead * self);

G_END_DECLS
#endif /* __GST_MST_LOOKAHEAD_H__ */
