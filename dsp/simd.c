/* gst-mastering — run-time choice of the wide (AVX-512) loops (simd.h) */
#include "simd.h"

static int wide_allowed = 1;

void
mst_simd_set_wide (int allow)
{
  wide_allowed = allow != 0;
}

int
mst_simd_wide (void)
{
#ifdef MST_HAVE_WIDE
  __builtin_cpu_init ();
  return wide_allowed && __builtin_cpu_supports ("avx512f")
      && __builtin_cpu_supports ("avx512vl")
      && __builtin_cpu_supports ("avx512bw")
      && __builtin_cpu_supports ("avx512dq");
#else
  return 0;
#endif
}
