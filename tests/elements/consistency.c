/* gst-mastering — what every element of the plugin does alike
 *
 * Expectation: the elements of the `mastering` plugin share their author
 * field; those that post messages have the same `interval` property
 * (guint64 ns, minimum 10 ms, controllable) and
 * `post-messages` (controllable), as made by gst/mstutils; their pad
 * templates offer the native-endian forms of their formats only. */
#include "config.h"

#include <gst/check/gstcheck.h>
#include <gst/audio/audio.h>


static GList *
mastering_factories (void)
{
  GList *l = gst_registry_get_feature_list_by_plugin (gst_registry_get (),
      "mastering");

  fail_unless (g_list_length (l) >= 5, "%u elements in the plugin",
      g_list_length (l));
  return l;
}

GST_START_TEST (test_authors)
{
  GList *features = mastering_factories (), *l;

  for (l = features; l; l = l->next) {
    GstElementFactory *f = GST_ELEMENT_FACTORY (l->data);

    fail_unless_equals_string (gst_element_factory_get_metadata (f,
            GST_ELEMENT_METADATA_AUTHOR), "gst-mastering developers");
  }
  gst_plugin_feature_list_free (features);
}

GST_END_TEST;

GST_START_TEST (test_message_properties)
{
  GList *features = mastering_factories (), *l;
  guint with_interval = 0;

  for (l = features; l; l = l->next) {
    GstElement *e = gst_element_factory_create (GST_ELEMENT_FACTORY
        (l->data), NULL);
    GObjectClass *klass = G_OBJECT_GET_CLASS (e);
    GParamSpec *iv = g_object_class_find_property (klass, "interval");
    GParamSpec *pm = g_object_class_find_property (klass, "post-messages");
    const gchar *name = GST_OBJECT_NAME (l->data);

    fail_unless ((iv == NULL) == (pm == NULL), "%s: interval without "
        "post-messages or the reverse", name);
    if (iv) {
      with_interval++;
      fail_unless (G_IS_PARAM_SPEC_UINT64 (iv), "%s: interval type", name);
      fail_unless_equals_uint64 (G_PARAM_SPEC_UINT64 (iv)->minimum,
          10 * GST_MSECOND);
      fail_unless (iv->flags & GST_PARAM_CONTROLLABLE, "%s: interval not "
          "controllable", name);
      fail_unless (G_IS_PARAM_SPEC_BOOLEAN (pm), "%s: post-messages type",
          name);
      fail_unless (pm->flags & GST_PARAM_CONTROLLABLE, "%s: post-messages "
          "not controllable", name);
    }
    gst_object_unref (e);
  }
  /* loudnessmeter, truepeaklimiter, multibandcomp, loudnorm */
  fail_unless (with_interval >= 4, "%u elements post messages",
      with_interval);
  gst_plugin_feature_list_free (features);
}

GST_END_TEST;

/* Every format named in a pad template of an element is native-endian
 * (or has no endianness). */
GST_START_TEST (test_native_endian)
{
  GList *features = mastering_factories (), *l;

  for (l = features; l; l = l->next) {
    const GList *t;

    for (t = gst_element_factory_get_static_pad_templates (l->data); t;
        t = t->next) {
      GstCaps *caps = gst_static_caps_get (&((GstStaticPadTemplate *)
              t->data)->static_caps);
      guint i, j;

      for (i = 0; i < gst_caps_get_size (caps); i++) {
        const GValue *v = gst_structure_get_value (gst_caps_get_structure
            (caps, i), "format");
        guint n = v && GST_VALUE_HOLDS_LIST (v) ? gst_value_list_get_size (v)
            : (v ? 1 : 0);

        for (j = 0; j < n; j++) {
          const GValue *f = GST_VALUE_HOLDS_LIST (v) ?
              gst_value_list_get_value (v, j) : v;
          const GstAudioFormatInfo *info =
              gst_audio_format_get_info (gst_audio_format_from_string
              (g_value_get_string (f)));

          fail_unless (info != NULL && GST_AUDIO_FORMAT_INFO_FORMAT (info)
              != GST_AUDIO_FORMAT_UNKNOWN, "%s: format %s",
              GST_OBJECT_NAME (l->data), g_value_get_string (f));
          fail_unless (GST_AUDIO_FORMAT_INFO_WIDTH (info) <= 8
              || GST_AUDIO_FORMAT_INFO_ENDIANNESS (info) == G_BYTE_ORDER,
              "%s: %s is not native-endian", GST_OBJECT_NAME (l->data),
              g_value_get_string (f));
        }
      }
      gst_caps_unref (caps);
    }
  }
  gst_plugin_feature_list_free (features);
}

GST_END_TEST;

static Suite *
consistency_suite (void)
{
  Suite *s = suite_create ("consistency");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_authors);
  tcase_add_test (tc, test_message_properties);
  tcase_add_test (tc, test_native_endian);
  return s;
}

GST_CHECK_MAIN (consistency);
