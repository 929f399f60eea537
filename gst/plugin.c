/* gst-mastering — the `mastering` plugin */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/gst.h>

#include "elements/gstloudnessmeter.h"
#include "elements/gsttruepeaklimiter.h"
#include "elements/gstmultibandcomp.h"
#include "elements/gstmseq.h"
#include "elements/gstloudnorm.h"

static gboolean
plugin_init (GstPlugin * plugin)
{
  gboolean ret = FALSE;

  ret |= GST_ELEMENT_REGISTER (loudnessmeter, plugin);
  ret |= GST_ELEMENT_REGISTER (truepeaklimiter, plugin);
  ret |= GST_ELEMENT_REGISTER (multibandcomp, plugin);
  ret |= GST_ELEMENT_REGISTER (mseq, plugin);
  ret |= GST_ELEMENT_REGISTER (loudnorm, plugin);

  return ret;
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, mastering,
    "Loudness metering, true-peak limiting and mastering (EBU R 128)",
    plugin_init, VERSION, GST_LICENSE, GST_PACKAGE_NAME, GST_PACKAGE_ORIGIN)
