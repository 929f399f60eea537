/* The test environment of tests/meson.build: the tests load the plugin of
 * this build tree and nothing GStreamer would find on its own.
 *
 * Expectation (the environment gst-plugins-good's meson test setup uses):
 * GST_PLUGIN_SYSTEM_PATH_1_0 is set and empty, so that GStreamer scans no
 * implicit system or user directory (~/.local/share/gstreamer-1.0/plugins,
 * the compiled-in plugin directory) where an installed, older copy of the
 * plugin could stand in for the one under test; every plugin in the
 * registry therefore lies in a directory listed in GST_PLUGIN_PATH_1_0;
 * the `mastering` plugin is the one in MST_PLUGIN_BUILDDIR; the registry
 * file lies in the build directory (MST_BUILD_ROOT). */
#include <gst/check/gstcheck.h>
#include <string.h>

/* Canonical form of a path (symbolic links resolved); a copy of `path`
 * when it cannot be resolved. */
static gchar *
canonical (const gchar * path)
{
  char *r = realpath (path, NULL);
  gchar *out = g_strdup (r ? r : path);

  free (r);
  return out;
}

/* Whether `file` lies in directory `dir` or below it (both canonical). */
static gboolean
is_under (const gchar * file, const gchar * dir)
{
  gsize n = strlen (dir);

  return strncmp (file, dir, n) == 0 && (file[n] == G_DIR_SEPARATOR
      || (n > 0 && dir[n - 1] == G_DIR_SEPARATOR));
}

GST_START_TEST (test_no_system_path)
{
  const gchar *sys = g_getenv ("GST_PLUGIN_SYSTEM_PATH_1_0");

  fail_unless (sys != NULL, "GST_PLUGIN_SYSTEM_PATH_1_0 is not set: "
      "GStreamer scans its default plugin directories");
  fail_unless_equals_string (sys, "");
}

GST_END_TEST;

GST_START_TEST (test_plugins_from_listed_dirs)
{
  const gchar *path = g_getenv ("GST_PLUGIN_PATH_1_0");
  gchar **dirs;
  GList *plugins, *l;
  guint i, n_files = 0;

  fail_unless (path != NULL && *path, "GST_PLUGIN_PATH_1_0 is not set");
  dirs = g_strsplit (path, G_SEARCHPATH_SEPARATOR_S, -1);
  for (i = 0; dirs[i]; i++) {
    gchar *c = canonical (dirs[i]);
    g_free (dirs[i]);
    dirs[i] = c;
  }

  plugins = gst_registry_get_plugin_list (gst_registry_get ());
  for (l = plugins; l; l = l->next) {
    const gchar *file = gst_plugin_get_filename (GST_PLUGIN (l->data));
    gchar *cfile;
    gboolean listed = FALSE;

    if (!file)                  /* statically registered: no file */
      continue;
    n_files++;
    cfile = canonical (file);
    for (i = 0; dirs[i] && !listed; i++)
      listed = *dirs[i] && is_under (cfile, dirs[i]);
    fail_unless (listed, "plugin %s (%s) comes from a directory that is "
        "not in GST_PLUGIN_PATH_1_0=%s", gst_plugin_get_name (l->data),
        file, path);
    g_free (cfile);
  }
  fail_unless (n_files > 0);
  gst_plugin_list_free (plugins);
  g_strfreev (dirs);
}

GST_END_TEST;

GST_START_TEST (test_mastering_from_build_tree)
{
  GstPlugin *plugin = gst_registry_find_plugin (gst_registry_get (),
      "mastering");
  gchar *file, *dir, *want;

  fail_unless (plugin != NULL, "the mastering plugin is not in the registry");
  file = canonical (gst_plugin_get_filename (plugin));
  dir = g_path_get_dirname (file);
  want = canonical (MST_PLUGIN_BUILDDIR);
  fail_unless_equals_string (dir, want);
  g_free (want);
  g_free (dir);
  g_free (file);
  gst_object_unref (plugin);
}

GST_END_TEST;

GST_START_TEST (test_registry_in_build_dir)
{
  const gchar *reg = g_getenv ("GST_REGISTRY_1_0");
  gchar *root, *dir, *creg;

  fail_unless (reg != NULL && *reg, "GST_REGISTRY_1_0 is not set: the "
      "user's registry cache would be used");
  root = canonical (MST_BUILD_ROOT);
  dir = g_path_get_dirname (reg);
  creg = canonical (dir);
  fail_unless (is_under (creg, root) || strcmp (creg, root) == 0,
      "registry %s is outside the build directory %s", reg, root);
  g_free (creg);
  g_free (dir);
  g_free (root);
}

GST_END_TEST;

static Suite *
pluginpath_suite (void)
{
  Suite *s = suite_create ("pluginpath");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_no_system_path);
  tcase_add_test (tc, test_plugins_from_listed_dirs);
  tcase_add_test (tc, test_mastering_from_build_tree);
  tcase_add_test (tc, test_registry_in_build_dir);
  return s;
}

GST_CHECK_MAIN (pluginpath);
