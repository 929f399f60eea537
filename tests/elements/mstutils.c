/* gst/mstutils.c: the interval bookkeeping shared by the elements.
 *
 * Expectation (analytic): after N full intervals of f frames at rate r the
 * next interval starts at round (N * f * 1e9 / r) ns after the first
 * timestamp, whatever N: rounding must not accumulate, even when an
 * interval is not a whole number of nanoseconds (110 frames at 11025 Hz =
 * 9977324.263 ns). */
#include <gst/check/gstcheck.h>

#include "gst/mstutils.h"

GST_START_TEST (test_interval_no_drift)
{
  GstMstInterval iv;
  GstBuffer *buf = gst_buffer_new ();
  const guint64 n = 1000000;    /* ~2.8 hours of 10 ms intervals */
  const GstClockTime t0 = 5 * GST_SECOND;
  guint64 i;

  gst_mst_interval_init (&iv, 10 * GST_MSECOND);
  gst_mst_interval_configure (&iv, 10 * GST_MSECOND, 11025);
  fail_unless_equals_uint64 (iv.frames_per_interval, 110);
  GST_BUFFER_PTS (buf) = t0;
  gst_mst_interval_buffer (&iv, buf);
  fail_unless_equals_uint64 (iv.start, t0);
  for (i = 0; i < n; i++) {
    fail_unless (gst_mst_interval_add (&iv, iv.frames_per_interval));
    gst_mst_interval_next (&iv);
  }
  fail_unless_equals_uint64 (iv.start,
      t0 + gst_util_uint64_scale_int_round (n * 110, GST_SECOND, 11025));

  /* DISCONT re-anchors on the buffer's timestamp */
  GST_BUFFER_PTS (buf) = 42 * GST_SECOND;
  GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_DISCONT);
  gst_mst_interval_buffer (&iv, buf);
  fail_unless_equals_uint64 (iv.start, 42 * GST_SECOND);
  fail_unless (!gst_mst_interval_add (&iv, 100));
  fail_unless (gst_mst_interval_add (&iv, 10));
  gst_mst_interval_next (&iv);
  fail_unless_equals_uint64 (iv.start, 42 * GST_SECOND
      + gst_util_uint64_scale_int_round (110, GST_SECOND, 11025));
  gst_buffer_unref (buf);
}

GST_END_TEST;

GST_START_TEST (test_db_helpers)
{
  fail_unless (isinf (gst_mst_to_db (0.0)) && gst_mst_to_db (0.0) < 0);
  fail_unless (isinf (gst_mst_to_db (NAN)) && gst_mst_to_db (NAN) < 0);
  fail_unless (fabs (gst_mst_to_db (0.5) + 6.0206) < 1e-4);
  fail_unless (fabs (gst_mst_from_db (-6.0206) - 0.5) < 1e-5);
}

GST_END_TEST;

static Suite *
mstutils_suite (void)
{
  Suite *s = suite_create ("mstutils");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_interval_no_drift);
  tcase_add_test (tc, test_db_helpers);
  return s;
}

GST_CHECK_MAIN (mstutils);
