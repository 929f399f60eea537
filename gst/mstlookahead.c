/* gst-mastering — GstMstLookahead: base class of the latency-bearing
 * elements (see mstlookahead.h for the contract)
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "mstlookahead.h"
#include "mstutils.h"

GST_DEBUG_CATEGORY_STATIC (gst_mst_lookahead_debug);
#define GST_CAT_DEFAULT gst_mst_lookahead_debug

/* A run of input frames not yet fully output, with its timing. */
typedef struct
{
  guint64 start;                /* first frame, counted since reset */
  guint64 n;                    /* frames */
  GstClockTime pts;             /* of the first frame */
  guint64 offset;               /* GST_BUFFER_OFFSET of the first frame */
  gboolean discont;
} Span;

typedef struct
{
  /* under the object lock */
  gboolean configured;          /* configure succeeded for info */
  gboolean reconfigure;         /* re-create the processor before the
                                 * next buffer */
  GstAudioInfo info;            /* format of the processor */
  guint latency;                /* frames */
  gpointer scratch;             /* latency frames: discarded output */
  GList *msgs;                  /* queued by the subclass, to post */

  /* streaming thread */
  guint64 in_frames;            /* fed to the processor since reset */
  guint64 produced;             /* output frames kept since reset */
  guint64 out_frames;           /* output frames queued since reset */
  guint64 skip;                 /* start-up output still to discard */
  GQueue spans;                 /* of Span *, input not yet output */
  GQueue outq;                  /* of GstBuffer *, ready to push */
  gboolean discont;             /* next output buffer is DISCONT */
  GstFlowReturn flow;           /* of the last drain push, sticky */
  gboolean warned_non_finite;
  guint64 non_finite;
} GstMstLookaheadPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (GstMstLookahead, gst_mst_lookahead,
    GST_TYPE_AUDIO_FILTER);

#define PRIV(self) \
    ((GstMstLookaheadPrivate *) gst_mst_lookahead_get_instance_private (self))
#define parent_class gst_mst_lookahead_parent_class

static void gst_mst_lookahead_finalize (GObject * object);
static gboolean gst_mst_lookahead_setup (GstAudioFilter * filter,
    const GstAudioInfo * info);
static gboolean gst_mst_lookahead_start (GstBaseTransform * trans);
static gboolean gst_mst_lookahead_stop (GstBaseTransform * trans);
static gboolean gst_mst_lookahead_sink_event (GstBaseTransform * trans,
    GstEvent * event);
static gboolean gst_mst_lookahead_query (GstBaseTransform * trans,
    GstPadDirection direction, GstQuery * query);
static GstFlowReturn gst_mst_lookahead_submit_input_buffer
    (GstBaseTransform * trans, gboolean is_discont, GstBuffer * buf);
static GstFlowReturn gst_mst_lookahead_generate_output
    (GstBaseTransform * trans, GstBuffer ** outbuf);

static void
gst_mst_lookahead_class_init (GstMstLookaheadClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstAudioFilterClass *filter_class = GST_AUDIO_FILTER_CLASS (klass);

  GST_DEBUG_CATEGORY_INIT (gst_mst_lookahead_debug, "mstlookahead", 0,
      "gst-mastering latency/drain base class");

  gobject_class->finalize = gst_mst_lookahead_finalize;

  filter_class->setup = GST_DEBUG_FUNCPTR (gst_mst_lookahead_setup);
  trans_class->start = GST_DEBUG_FUNCPTR (gst_mst_lookahead_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_mst_lookahead_stop);
  trans_class->sink_event = GST_DEBUG_FUNCPTR (gst_mst_lookahead_sink_event);
  trans_class->query = GST_DEBUG_FUNCPTR (gst_mst_lookahead_query);
  trans_class->submit_input_buffer =
      GST_DEBUG_FUNCPTR (gst_mst_lookahead_submit_input_buffer);
  trans_class->generate_output =
      GST_DEBUG_FUNCPTR (gst_mst_lookahead_generate_output);

  gst_type_mark_as_plugin_api (GST_TYPE_MST_LOOKAHEAD, 0);
}

static void
gst_mst_lookahead_init (GstMstLookahead * self)
{
  GstMstLookaheadPrivate *priv = PRIV (self);

  g_queue_init (&priv->spans);
  g_queue_init (&priv->outq);
  gst_audio_info_init (&priv->info);
  priv->flow = GST_FLOW_OK;
  priv->discont = TRUE;
}

static void
clear_queues (GstMstLookaheadPrivate * priv)
{
  g_queue_clear_full (&priv->spans, g_free);
  g_queue_clear_full (&priv->outq, (GDestroyNotify) gst_buffer_unref);
}

static void
gst_mst_lookahead_finalize (GObject * object)
{
  GstMstLookaheadPrivate *priv = PRIV (GST_MST_LOOKAHEAD (object));

  clear_queues (priv);
  g_list_free_full (priv->msgs, (GDestroyNotify) gst_message_unref);
  g_free (priv->scratch);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

/* ---- public helpers ------------------------------------------------------ */

void
gst_mst_lookahead_reconfigure (GstMstLookahead * self)
{
  PRIV (self)->reconfigure = TRUE;
}

void
gst_mst_lookahead_post_message (GstMstLookahead * self, GstMessage * msg)
{
  GstMstLookaheadPrivate *priv = PRIV (self);

  priv->msgs = g_list_append (priv->msgs, msg);
}

guint
gst_mst_lookahead_get_latency_frames (GstMstLookahead * self)
{
  GstMstLookaheadPrivate *priv = PRIV (self);

  return priv->configured ? priv->latency : 0;
}

GstClockTime
gst_mst_lookahead_output_time (GstMstLookahead * self, guint64 out_pos)
{
  GstMstLookaheadPrivate *priv = PRIV (self);
  GList *l;

  for (l = priv->spans.head; l; l = l->next) {
    Span *s = l->data;

    if (out_pos >= s->start && out_pos < s->start + s->n) {
      if (!GST_CLOCK_TIME_IS_VALID (s->pts))
        return GST_CLOCK_TIME_NONE;
      return s->pts + gst_util_uint64_scale_int_round (out_pos - s->start,
          GST_SECOND, GST_AUDIO_INFO_RATE (&priv->info));
    }
  }
  return GST_CLOCK_TIME_NONE;
}

/* ---- stream state (object lock held) ------------------------------------- */

/* Forgets the frames held and the stream position. */
static void
restart_stream (GstMstLookahead * self)
{
  GstMstLookaheadPrivate *priv = PRIV (self);

  g_queue_clear_full (&priv->spans, g_free);
  priv->in_frames = 0;
  priv->produced = 0;
  priv->out_frames = 0;
  priv->skip = priv->latency;
}

/* Flush or start: drops everything held, resets the processor and its
 * statistics. */
static void
flush_stream (GstMstLookahead * self)
{
  GstMstLookaheadClass *klass = GST_MST_LOOKAHEAD_GET_CLASS (self);
  GstMstLookaheadPrivate *priv = PRIV (self);

  g_queue_clear_full (&priv->outq, (GDestroyNotify) gst_buffer_unref);
  restart_stream (self);
  priv->discont = TRUE;
  priv->flow = GST_FLOW_OK;
  if (priv->configured && klass->reset)
    klass->reset (self, TRUE);
}

/* (Re)creates the processor for priv->info. */
static gboolean
configure_locked (GstMstLookahead * self)
{
  GstMstLookaheadClass *klass = GST_MST_LOOKAHEAD_GET_CLASS (self);
  GstMstLookaheadPrivate *priv = PRIV (self);

  priv->reconfigure = FALSE;
  priv->configured = klass->configure (self, &priv->info);
  if (!priv->configured) {
    priv->latency = 0;
    return FALSE;
  }
  priv->latency = klass->get_latency (self);
  g_free (priv->scratch);
  priv->scratch = g_malloc ((gsize) MAX (priv->latency, 1) *
      GST_AUDIO_INFO_BPF (&priv->info));
  restart_stream (self);
  priv->discont = TRUE;
  GST_INFO_OBJECT (self, "%s, %d Hz, %d channels: latency %u frames",
      GST_AUDIO_INFO_NAME (&priv->info), GST_AUDIO_INFO_RATE (&priv->info),
      GST_AUDIO_INFO_CHANNELS (&priv->info), priv->latency);
  return TRUE;
}

/* Runs n input frames (in NULL: silence) through the processor.  The
 * output that corresponds to input frames (after the start-up delay)
 * goes to out; returns how many frames that is.  draining: the input is
 * the drain's silence (GstMstLookaheadChunk.draining). */
static gsize
run_locked (GstMstLookahead * self, const guint8 * in, gsize n, guint8 * out,
    gsize * non_finite, gboolean draining)
{
  GstMstLookaheadClass *klass = GST_MST_LOOKAHEAD_GET_CLASS (self);
  GstMstLookaheadPrivate *priv = PRIV (self);
  const gsize bpf = GST_AUDIO_INFO_BPF (&priv->info);
  GstMstLookaheadChunk c;
  gsize done = 0;

  if (priv->skip > 0 && n > 0) {
    c.in = in;
    c.out = priv->scratch;
    c.n_frames = MIN (priv->skip, n);
    c.out_pos = 0;
    c.priming = TRUE;
    c.draining = draining;
    *non_finite += klass->process (self, &c);
    priv->skip -= c.n_frames;
    done = c.n_frames;
  }
  if (done < n) {
    c.in = in ? in + done * bpf : NULL;
    c.out = out;
    c.n_frames = n - done;
    c.out_pos = priv->produced;
    c.priming = FALSE;
    c.draining = draining;
    *non_finite += klass->process (self, &c);
    priv->produced += c.n_frames;
  }
  priv->in_frames += n;
  return n - done;
}

/* Turns n output frames in buf (starting at output frame out_frames) into
 * buffers with the timestamps of the input frames they contain, split
 * where the input was discontinuous, and queues them.  Takes buf. */
static void
queue_output (GstMstLookahead * self, GstBuffer * buf, gsize n)
{
  GstMstLookaheadPrivate *priv = PRIV (self);
  const gint rate = GST_AUDIO_INFO_RATE (&priv->info);
  const gsize bpf = GST_AUDIO_INFO_BPF (&priv->info);
  gsize done = 0;

  while (done < n) {
    Span *s = g_queue_peek_head (&priv->spans);
    guint64 pos = priv->out_frames, in_s, run;
    GstBuffer *ob;
    GList *l;
    gboolean discont;

    g_assert (s != NULL && pos >= s->start && pos < s->start + s->n);
    in_s = pos - s->start;
    discont = priv->discont || (s->discont && in_s == 0);
    run = MIN (s->start + s->n - pos, n - done);
    /* extend over following spans that continue this one in time */
    for (l = priv->spans.head->next; l && done + run < n; l = l->next) {
      Span *t = l->data, *p = l->prev->data;
      gboolean cont;

      if (t->discont)
        break;
      if (GST_CLOCK_TIME_IS_VALID (p->pts) &&
          GST_CLOCK_TIME_IS_VALID (t->pts)) {
        GstClockTime expect = p->pts +
            gst_util_uint64_scale_int_round (p->n, GST_SECOND, rate);
        GstClockTime tol = GST_SECOND / rate;

        cont = t->pts + tol >= expect && t->pts <= expect + tol;
      } else {
        cont = GST_CLOCK_TIME_IS_VALID (p->pts) ==
            GST_CLOCK_TIME_IS_VALID (t->pts);
      }
      if (!cont)
        break;
      run += MIN (t->n, n - done - run);
    }

    if (done == 0 && run == n) {
      ob = buf;                 /* the usual case: all of it */
      buf = NULL;
    } else {
      ob = gst_buffer_copy_region (buf, GST_BUFFER_COPY_MEMORY, done * bpf,
          run * bpf);
    }
    if (GST_CLOCK_TIME_IS_VALID (s->pts)) {
      GstClockTime t0 = s->pts + gst_util_uint64_scale_int_round (in_s,
          GST_SECOND, rate);
      GstClockTime t1 = s->pts + gst_util_uint64_scale_int_round (in_s + run,
          GST_SECOND, rate);

      GST_BUFFER_PTS (ob) = t0;
      GST_BUFFER_DURATION (ob) = t1 - t0;
    } else {
      GST_BUFFER_PTS (ob) = GST_CLOCK_TIME_NONE;
      GST_BUFFER_DURATION (ob) = gst_util_uint64_scale_int_round (run,
          GST_SECOND, rate);
    }
    GST_BUFFER_DTS (ob) = GST_CLOCK_TIME_NONE;
    if (s->offset != GST_BUFFER_OFFSET_NONE) {
      GST_BUFFER_OFFSET (ob) = s->offset + in_s;
      GST_BUFFER_OFFSET_END (ob) = s->offset + in_s + run;
    } else {
      GST_BUFFER_OFFSET (ob) = GST_BUFFER_OFFSET_NONE;
      GST_BUFFER_OFFSET_END (ob) = GST_BUFFER_OFFSET_NONE;
    }
    GST_BUFFER_FLAG_UNSET (ob, GST_BUFFER_FLAG_GAP);
    if (discont)
      GST_BUFFER_FLAG_SET (ob, GST_BUFFER_FLAG_DISCONT);
    else
      GST_BUFFER_FLAG_UNSET (ob, GST_BUFFER_FLAG_DISCONT);
    priv->discont = FALSE;
    g_queue_push_tail (&priv->outq, ob);

    done += run;
    priv->out_frames += run;
    /* drop the spans that are fully output */
    while ((s = g_queue_peek_head (&priv->spans)) &&
        s->start + s->n <= priv->out_frames)
      g_free (g_queue_pop_head (&priv->spans));
  }
  if (buf)
    gst_buffer_unref (buf);
}

/* Queues the held frames (feeding the processor silence), then restarts
 * the processor. */
static void
drain_locked (GstMstLookahead * self, gsize * non_finite)
{
  GstMstLookaheadClass *klass = GST_MST_LOOKAHEAD_GET_CLASS (self);
  GstMstLookaheadPrivate *priv = PRIV (self);
  const gsize bpf = GST_AUDIO_INFO_BPF (&priv->info);
  guint64 held;

  if (!priv->configured || priv->in_frames == 0)
    return;
  held = priv->in_frames - priv->out_frames;
  GST_DEBUG_OBJECT (self, "draining %" G_GUINT64_FORMAT " frames", held);
  if (held > 0) {
    GstBuffer *buf = gst_buffer_new_allocate (NULL, held * bpf, NULL);
    GstMapInfo map;
    gsize kept;

    gst_buffer_map (buf, &map, GST_MAP_WRITE);
    /* latency frames of silence push every held frame out */
    kept = run_locked (self, NULL, priv->latency, map.data, non_finite,
        TRUE);
    gst_buffer_unmap (buf, &map);
    g_assert (kept == held);
    queue_output (self, buf, kept);
  }
  /* what comes next starts afresh */
  if (klass->reset)
    klass->reset (self, FALSE);
  restart_stream (self);
}

/* Takes the queued messages (object lock held). */
static GList *
take_messages (GstMstLookahead * self)
{
  GstMstLookaheadPrivate *priv = PRIV (self);
  GList *msgs = priv->msgs;

  priv->msgs = NULL;
  return msgs;
}

static void
post_messages (GstMstLookahead * self, GList * msgs)
{
  GList *l;

  for (l = msgs; l; l = l->next)
    gst_element_post_message (GST_ELEMENT (self), l->data);
  g_list_free (msgs);
}

/* Pushes the queued output; after a failed push the rest is dropped. */
static GstFlowReturn
push_queued (GstMstLookahead * self)
{
  GstMstLookaheadPrivate *priv = PRIV (self);
  GstFlowReturn ret = GST_FLOW_OK;
  GstBuffer *b;

  while ((b = g_queue_pop_head (&priv->outq))) {
    if (ret == GST_FLOW_OK)
      ret = gst_pad_push (GST_BASE_TRANSFORM_SRC_PAD (self), b);
    else
      gst_buffer_unref (b);
  }
  return ret;
}

GstFlowReturn
gst_mst_lookahead_drain (GstMstLookahead * self)
{
  GstMstLookaheadPrivate *priv = PRIV (self);
  GstFlowReturn ret;
  GList *msgs;
  gsize nf = 0;

  GST_OBJECT_LOCK (self);
  drain_locked (self, &nf);
  msgs = take_messages (self);
  GST_OBJECT_UNLOCK (self);
  post_messages (self, msgs);
  ret = push_queued (self);
  if (ret != GST_FLOW_OK) {
    GST_INFO_OBJECT (self, "pushing the drained frames: %s",
        gst_flow_get_name (ret));
    /* returned for the next buffer */
    priv->flow = ret;
  }
  return ret;
}

/* ---- GstAudioFilter / GstBaseTransform ----------------------------------- */

static gboolean
gst_mst_lookahead_setup (GstAudioFilter * filter, const GstAudioInfo * info)
{
  GstMstLookahead *self = GST_MST_LOOKAHEAD (filter);
  GstMstLookaheadPrivate *priv = PRIV (self);
  gboolean ok;
  GList *msgs;

  GST_OBJECT_LOCK (self);
  priv->info = *info;
  ok = configure_locked (self);
  msgs = take_messages (self);
  GST_OBJECT_UNLOCK (self);
  post_messages (self, msgs);

  if (!ok) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, (NULL),
        ("cannot process %s audio, %d channels at %d Hz",
            GST_AUDIO_INFO_NAME (info), GST_AUDIO_INFO_CHANNELS (info),
            GST_AUDIO_INFO_RATE (info)));
    return FALSE;
  }
  /* the latency may have changed */
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_latency (GST_OBJECT (self)));
  return TRUE;
}

static gboolean
gst_mst_lookahead_start (GstBaseTransform * trans)
{
  GstMstLookahead *self = GST_MST_LOOKAHEAD (trans);
  GstMstLookaheadPrivate *priv = PRIV (self);

  GST_OBJECT_LOCK (self);
  flush_stream (self);
  priv->warned_non_finite = FALSE;
  priv->non_finite = 0;
  GST_OBJECT_UNLOCK (self);
  return TRUE;
}

static gboolean
gst_mst_lookahead_stop (GstBaseTransform * trans)
{
  GstMstLookahead *self = GST_MST_LOOKAHEAD (trans);
  GstMstLookaheadPrivate *priv = PRIV (self);

  GST_OBJECT_LOCK (self);
  clear_queues (priv);
  g_list_free_full (priv->msgs, (GDestroyNotify) gst_message_unref);
  priv->msgs = NULL;
  priv->configured = FALSE;
  priv->reconfigure = FALSE;
  priv->latency = 0;
  g_free (priv->scratch);
  priv->scratch = NULL;
  gst_audio_info_init (&priv->info);
  GST_OBJECT_UNLOCK (self);
  return TRUE;
}

/* Drains before an event; remembers a failed push for the next buffer. */
static void
drain_for_event (GstMstLookahead * self, GstEvent * event)
{
  GstFlowReturn ret = gst_mst_lookahead_drain (self);

  if (ret != GST_FLOW_OK)
    GST_DEBUG_OBJECT (self, "drain before %s: %s", GST_EVENT_TYPE_NAME (event),
        gst_flow_get_name (ret));
}

static gboolean
gst_mst_lookahead_sink_event (GstBaseTransform * trans, GstEvent * event)
{
  GstMstLookahead *self = GST_MST_LOOKAHEAD (trans);
  GstMstLookaheadClass *klass = GST_MST_LOOKAHEAD_GET_CLASS (self);
  GstMstLookaheadPrivate *priv = PRIV (self);

  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_EOS:{
      GstFlowReturn ret = gst_mst_lookahead_drain (self);

      /* no buffer follows to return the flow to: tell the application,
       * as a source would */
      if (ret == GST_FLOW_NOT_LINKED || ret < GST_FLOW_EOS)
        GST_ELEMENT_FLOW_ERROR (self, ret);
      if (klass->eos)
        klass->eos (self);
      break;
    }
    case GST_EVENT_SEGMENT:
      /* the held samples belong to the old segment */
      drain_for_event (self, event);
      break;
    case GST_EVENT_GAP:
      /* the held samples come before the gap: out with them first, so
       * that downstream sees time in order (the gap itself is silence,
       * which is what the drain feeds the processor) */
      drain_for_event (self, event);
      break;
    case GST_EVENT_CAPS:{
      GstCaps *caps, *cur;

      gst_event_parse_caps (event, &caps);
      cur = gst_pad_get_current_caps (GST_BASE_TRANSFORM_SINK_PAD (trans));
      if (cur && !gst_caps_is_equal (cur, caps))
        drain_for_event (self, event);
      if (cur)
        gst_caps_unref (cur);
      break;
    }
    case GST_EVENT_FLUSH_STOP:
      GST_OBJECT_LOCK (self);
      flush_stream (self);
      GST_OBJECT_UNLOCK (self);
      break;
    case GST_EVENT_STREAM_START:
      priv->warned_non_finite = FALSE;
      priv->non_finite = 0;
      break;
    default:
      break;
  }

  return GST_BASE_TRANSFORM_CLASS (parent_class)->sink_event (trans, event);
}

static gboolean
gst_mst_lookahead_query (GstBaseTransform * trans, GstPadDirection direction,
    GstQuery * query)
{
  GstMstLookahead *self = GST_MST_LOOKAHEAD (trans);
  GstMstLookaheadPrivate *priv = PRIV (self);
  gboolean res;

  res = GST_BASE_TRANSFORM_CLASS (parent_class)->query (trans, direction,
      query);

  if (res && direction == GST_PAD_SRC &&
      GST_QUERY_TYPE (query) == GST_QUERY_LATENCY) {
    gboolean live;
    GstClockTime min, max, ours = 0;

    gst_query_parse_latency (query, &live, &min, &max);
    GST_OBJECT_LOCK (self);
    if (priv->configured)
      ours = gst_util_uint64_scale_int_ceil (priv->latency, GST_SECOND,
          GST_AUDIO_INFO_RATE (&priv->info));
    GST_OBJECT_UNLOCK (self);
    GST_DEBUG_OBJECT (self, "our latency %" GST_TIME_FORMAT ", upstream min %"
        GST_TIME_FORMAT " max %" GST_TIME_FORMAT, GST_TIME_ARGS (ours),
        GST_TIME_ARGS (min), GST_TIME_ARGS (max));
    min += ours;
    if (GST_CLOCK_TIME_IS_VALID (max))
      max += ours;
    gst_query_set_latency (query, live, min, max);
  }
  return res;
}

static GstFlowReturn
gst_mst_lookahead_submit_input_buffer (GstBaseTransform * trans,
    gboolean is_discont, GstBuffer * buf)
{
  GstMstLookahead *self = GST_MST_LOOKAHEAD (trans);
  GstMstLookaheadPrivate *priv = PRIV (self);
  GstClockTime pts = GST_BUFFER_PTS (buf);
  GstMstFrames f;
  GstMapInfo out_map = GST_MAP_INFO_INIT;
  GstBuffer *out = NULL;
  GList *msgs = NULL;
  gsize bpf, n, done = 0, kept = 0, nf = 0;
  guint64 grid;
  gint rate;
  gboolean latency_changed = FALSE;
  GstAudioInfo info;

  if (G_UNLIKELY (priv->flow != GST_FLOW_OK)) {
    /* the push of drained frames failed: that is this buffer's fate */
    gst_buffer_unref (buf);
    return priv->flow;
  }

  GST_OBJECT_LOCK (self);
  if (G_UNLIKELY (!priv->configured)) {
    GST_OBJECT_UNLOCK (self);
    gst_buffer_unref (buf);
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, (NULL),
        ("no format negotiated before the first buffer"));
    return GST_FLOW_NOT_NEGOTIATED;
  }
  if (G_UNLIKELY (priv->reconfigure)) {
    guint old = priv->latency;

    /* new latency: out with what the old processor holds, then a new
     * one; the drained frames are continuous with what follows */
    drain_locked (self, &nf);
    if (!configure_locked (self)) {
      msgs = take_messages (self);
      GST_OBJECT_UNLOCK (self);
      gst_buffer_unref (buf);
      post_messages (self, msgs);
      GST_ELEMENT_ERROR (self, CORE, FAILED, (NULL),
          ("cannot re-create the processor with the new settings"));
      return GST_FLOW_ERROR;
    }
    priv->discont = FALSE;
    latency_changed = old != priv->latency;
  }
  info = priv->info;
  GST_OBJECT_UNLOCK (self);
  bpf = GST_AUDIO_INFO_BPF (&info);
  rate = GST_AUDIO_INFO_RATE (&info);

  if (!gst_mst_frames_map (&f, GST_ELEMENT (self), buf, &info)) {
    gst_buffer_unref (buf);
    return GST_FLOW_ERROR;
  }
  n = f.n_frames;

  if (n > 0) {
    Span *span = g_new0 (Span, 1);

    span->start = priv->in_frames;
    span->n = n;
    span->pts = pts;
    span->offset = GST_BUFFER_OFFSET (buf);
    /* the buffer's own flag, not is_discont: GstBaseTransform keeps that
     * set from the first buffer on, as it only clears it when it pushes
     * (and this class pushes itself) */
    span->discont = GST_BUFFER_IS_DISCONT (buf);
    g_queue_push_tail (&priv->spans, span);
    out = gst_buffer_new_allocate (NULL, n * bpf, NULL);
    gst_buffer_map (out, &out_map, GST_MAP_WRITE);
  }

  /* chunks of the controller grid (the whole buffer without bindings),
   * each with the controlled values of its first frame's time */
  grid = gst_mst_control_grid (GST_OBJECT (self), rate);
  do {
    gsize m = gst_mst_control_chunk (grid, priv->in_frames, n - done);

    gst_mst_sync_values (trans, GST_CLOCK_TIME_IS_VALID (pts) ?
        pts + gst_util_uint64_scale_int_round (done, GST_SECOND, rate) :
        GST_CLOCK_TIME_NONE);
    if (m == 0)
      break;
    GST_OBJECT_LOCK (self);
    kept += run_locked (self, f.data ? f.data + done * bpf : NULL, m,
        out_map.data + kept * bpf, &nf, FALSE);
    GST_OBJECT_UNLOCK (self);
    done += m;
  } while (done < n);

  GST_OBJECT_LOCK (self);
  msgs = take_messages (self);
  GST_OBJECT_UNLOCK (self);
  if (out) {
    gst_buffer_unmap (out, &out_map);
    if (kept > 0) {
      gst_buffer_resize (out, 0, kept * bpf);
      queue_output (self, out, kept);
    } else {
      gst_buffer_unref (out);
    }
  }
  gst_mst_frames_unmap (&f);
  gst_buffer_unref (buf);

  gst_mst_warn_non_finite (GST_ELEMENT (self), &priv->warned_non_finite,
      &priv->non_finite, nf, pts);
  post_messages (self, msgs);
  if (latency_changed)
    gst_element_post_message (GST_ELEMENT (self),
        gst_message_new_latency (GST_OBJECT (self)));
  /* pushed here rather than handed to GstBaseTransform through
   * generate_output: it would flag the first output after a DISCONT input
   * as DISCONT, but that output is frames from before the discontinuity;
   * queue_output flags the right buffer */
  return push_queued (self);
}

static GstFlowReturn
gst_mst_lookahead_generate_output (GstBaseTransform * trans,
    GstBuffer ** outbuf)
{
  *outbuf = NULL;
  return GST_FLOW_OK;
}
