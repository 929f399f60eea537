/* gst-mastering CLI — several inputs in parallel (see mstbatch.h)
 *
 * Workers take the next item from a shared counter, so a long file does
 * not hold up the others; the main thread waits on a condition variable
 * (woken when an item is done, else every 100 ms to redraw the progress
 * lines) and prints the finished items' texts in input order.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "mstbatch.h"

#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define REDRAW_US (100 * G_TIME_SPAN_MILLISECOND)

typedef struct _Batch Batch;

/* A worker and what it is doing (under display.lock). */
typedef struct
{
  Batch *batch;
  gint item;                    /* -1: idle */
  gchar label[32];
  gdouble pos, dur, speed;
  gboolean has_pos;
  gboolean need_draw;           /* waits until the main thread drew it */
} Slot;

struct _Batch
{
  MstBatchItem *items;
  guint n;
  MstBatchFunc func;
  gpointer user_data;
  gint next;                    /* atomic: the next item to take */
  GCond cond;                   /* an item is done, or a slot needs a draw */
  GCond drawn;                  /* the main thread drew the lines */
  Slot *slots;
  guint n_slots;
  gboolean progress;
};

/* The progress lines on stderr; g_printerr() goes through here while
 * they are shown.  Also guards the slots and the items' done flags. */
static struct
{
  GMutex lock;
  guint lines;                  /* lines drawn below the text */
  Batch *batch;
} display;

guint
mst_batch_default_jobs (void)
{
  return MAX (1, g_get_num_processors ());
}

void
mst_batch_items_clear (MstBatchItem * items, guint n)
{
  guint i;

  for (i = 0; i < n; i++) {
    g_clear_pointer (&items[i].text, g_free);
    g_clear_pointer (&items[i].summary, g_free);
  }
}

/* Under display.lock. */
static void
display_erase (void)
{
  if (display.lines > 0) {
    fprintf (stderr, "\033[%uA\r\033[J", display.lines);
    fflush (stderr);
  }
  display.lines = 0;
}

static guint
terminal_columns (void)
{
  struct winsize ws;

  if (ioctl (STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
    return ws.ws_col;
  return 80;
}

/* Under display.lock: one line per busy worker, in input order of the
 * items they run, each shorter than the terminal (no wrapping, so the
 * cursor can go back over them). */
static void
display_draw (Batch * b)
{
  guint cols = terminal_columns (), w;
  GString *line = g_string_new (NULL);
  gint *order = g_new (gint, b->n_slots);
  guint k = 0, i, j;

  for (w = 0; w < b->n_slots; w++)
    if (b->slots[w].item >= 0)
      order[k++] = w;
  /* few slots: insertion sort by item */
  for (i = 1; i < k; i++)
    for (j = i; j > 0 && b->slots[order[j]].item <
        b->slots[order[j - 1]].item; j--) {
      gint t = order[j];

      order[j] = order[j - 1];
      order[j - 1] = t;
    }
  for (i = 0; i < k; i++) {
    const Slot *s = &b->slots[order[i]];
    gchar *disp = g_filename_display_basename (b->items[s->item].input);
    GString *state = g_string_new (NULL);
    glong room;

    g_string_append_printf (state, "  %-10s", s->label[0] ? s->label :
        "Starting");
    if (s->has_pos) {
      if (s->dur > 0) {
        g_string_append_printf (state, " %3d%%", (gint) CLAMP (100.0 *
                s->pos / s->dur, 0.0, 100.0));
      } else {
        g_string_append_printf (state, " %d:%02d", (gint) s->pos / 60,
            (gint) s->pos % 60);
      }
      if (s->speed > 0.0) {
        g_string_append_printf (state, "  %.0fx real time", s->speed);
        if (s->dur > 0) {
          gint eta = (gint) ((s->dur - s->pos) / s->speed + 0.5);

          g_string_append_printf (state, "  ETA %d:%02d", MAX (eta, 0) / 60,
              MAX (eta, 0) % 60);
        }
      }
    }
    g_string_printf (line, "[%u/%u] ", s->item + 1, b->n);
    room = (glong) cols - 1 - (glong) line->len - (glong) state->len;
    if (room < 8)
      room = 8;
    if (g_utf8_strlen (disp, -1) > room) {
      gchar *cut = g_utf8_substring (disp, 0, room - 3);

      g_string_append_printf (line, "%s...", cut);
      g_free (cut);
    } else {
      g_string_append_printf (line, "%-*s", (gint) room, disp);
    }
    g_string_append (line, state->str);
    if (g_utf8_strlen (line->str, -1) >= (glong) cols) {
      gchar *cut = g_utf8_substring (line->str, 0, cols - 1);

      g_string_assign (line, cut);
      g_free (cut);
    }
    fprintf (stderr, "%s\n", line->str);
    display.lines++;
    g_string_free (state, TRUE);
    g_free (disp);
  }
  fflush (stderr);
  g_free (order);
  g_string_free (line, TRUE);
}

/* g_printerr() while the progress lines are shown: above them (they are
 * drawn again at the next tick). */
static void
batch_printerr (const gchar * string)
{
  g_mutex_lock (&display.lock);
  display_erase ();
  fputs (string, stderr);
  fflush (stderr);
  g_mutex_unlock (&display.lock);
}

static void
slot_progress (const gchar * label, gdouble pos, gdouble dur, gdouble speed,
    gpointer user_data)
{
  Slot *s = user_data;

  g_mutex_lock (&display.lock);
  /* the first position of an item and every new stage are drawn before
   * the worker goes on, so that even a file processed in less than a
   * redraw period shows a line (one wait per stage, not per update) */
  if (!s->has_pos || strcmp (s->label, label ? label : "") != 0)
    s->need_draw = TRUE;
  g_strlcpy (s->label, label ? label : "", sizeof s->label);
  s->pos = pos;
  s->dur = dur;
  s->speed = speed;
  s->has_pos = TRUE;
  if (s->need_draw) {
    g_cond_signal (&s->batch->cond);
    while (s->need_draw && display.batch)
      g_cond_wait (&s->batch->drawn, &display.lock);
  }
  g_mutex_unlock (&display.lock);
}

static gpointer
worker (gpointer data)
{
  Slot *s = data;
  Batch *b = s->batch;

  if (b->progress)
    mst_job_set_thread_progress (slot_progress, s);
  for (;;) {
    gint i = g_atomic_int_add (&b->next, 1);

    if (i >= (gint) b->n)
      break;
    g_mutex_lock (&display.lock);
    s->item = i;
    s->label[0] = '\0';
    s->has_pos = FALSE;
    g_mutex_unlock (&display.lock);

    b->func (&b->items[i], b->user_data);

    g_mutex_lock (&display.lock);
    b->items[i].done = TRUE;
    s->item = -1;
    g_cond_signal (&b->cond);
    g_mutex_unlock (&display.lock);
  }
  mst_job_set_thread_progress (NULL, NULL);
  return NULL;
}

MstExit
mst_batch_run (MstBatchItem * items, guint n, guint jobs, gboolean progress,
    const gchar * separator, MstBatchFunc func, gpointer user_data)
{
  Batch b = { 0 };
  GThread **threads;
  GPrintFunc old_printerr = NULL;
  MstExit ret = MST_EXIT_OK;
  guint printed = 0, w;
  gboolean any_text = FALSE;

  if (n == 0)
    return MST_EXIT_OK;
  b.items = items;
  b.n = n;
  b.func = func;
  b.user_data = user_data;
  b.progress = progress;
  b.n_slots = CLAMP (jobs, 1, n);
  b.slots = g_new0 (Slot, b.n_slots);
  g_cond_init (&b.cond);
  g_cond_init (&b.drawn);
  threads = g_new0 (GThread *, b.n_slots);

  g_mutex_lock (&display.lock);
  display.batch = &b;
  display.lines = 0;
  g_mutex_unlock (&display.lock);
  if (progress)
    old_printerr = g_set_printerr_handler (batch_printerr);

  for (w = 0; w < b.n_slots; w++) {
    b.slots[w].batch = &b;
    b.slots[w].item = -1;
    threads[w] = g_thread_new ("mst-batch", worker, &b.slots[w]);
  }

  g_mutex_lock (&display.lock);
  while (printed < n) {
    gboolean wrote = FALSE;

    while (printed < n && items[printed].done) {
      MstBatchItem *it = &items[printed];

      if (!wrote)
        display_erase ();
      wrote = TRUE;
      if (it->text && it->text[0]) {
        if (any_text && separator)
          fputs (separator, stdout);
        fputs (it->text, stdout);
        any_text = TRUE;
      }
      if (it->code != MST_EXIT_OK && ret == MST_EXIT_OK)
        ret = it->code;
      printed++;
    }
    if (wrote)
      fflush (stdout);
    if (printed == n)
      break;
    g_cond_wait_until (&b.cond, &display.lock, g_get_monotonic_time () +
        REDRAW_US);
    if (progress) {
      display_erase ();
      display_draw (&b);
      for (w = 0; w < b.n_slots; w++)
        b.slots[w].need_draw = FALSE;
      g_cond_broadcast (&b.drawn);
    }
  }
  display_erase ();
  display.batch = NULL;
  g_cond_broadcast (&b.drawn);
  g_mutex_unlock (&display.lock);

  for (w = 0; w < b.n_slots; w++)
    g_thread_join (threads[w]);
  if (progress)
    g_set_printerr_handler (old_printerr);
  g_free (threads);
  g_free (b.slots);
  g_cond_clear (&b.cond);
  g_cond_clear (&b.drawn);
  return ret;
}
