/* gst-mastering — the built-in demo mix
 *
 * A deterministic, synthesized, deliberately *unmastered* stereo mix: a
 * 22-bar arrangement at 120 BPM (44 s) in A minor — kick, snare, hi-hats
 * and crash, a bass line, a detuned pad, a lead melody with a ping-pong
 * delay.  A quiet intro, a verse, a louder and wider chorus and a short
 * outro, so the loudness range is wide; a hot drum bus clipped flat, so
 * the peaks overshoot between samples (true peak > sample peak); an
 * integrated loudness around -19 LUFS and a true peak above -1 dBTP, so a
 * mastering chain has work to do for every usual target.
 *
 * Used by `gst-mastering analyze --demo` / `demo-wav`, and by tests and
 * benchmarks that want a realistic music-like signal without a file.
 *
 * Plain C99, no GLib.  Rendering is sequential (the voices and effects
 * keep state); mst_demomix_reset() rewinds.  The output only depends on
 * the sample rate, not on how the rendering is split into calls.
 */
#ifndef MST_DEMOMIX_H
#define MST_DEMOMIX_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MST_DEMOMIX_CHANNELS 2
#define MST_DEMOMIX_DEFAULT_RATE 48000
#define MST_DEMOMIX_MIN_RATE 32000
#define MST_DEMOMIX_MAX_RATE 192000

typedef struct MstDemoMix MstDemoMix;

/* A part of the arrangement, in seconds. */
typedef struct
{
  const char *name;
  double start_s;
  double end_s;
} MstDemoMixSection;

/* Returns NULL if rate is outside [MST_DEMOMIX_MIN_RATE,
 * MST_DEMOMIX_MAX_RATE] or memory is short. */
MstDemoMix *mst_demomix_new (unsigned rate);
void mst_demomix_free (MstDemoMix * mix);
/* Rewinds to the first frame. */
void mst_demomix_reset (MstDemoMix * mix);

unsigned mst_demomix_rate (const MstDemoMix * mix);
/* Length of the mix in seconds (the same at every rate). */
double mst_demomix_duration (void);

/* Total length in frames, and the frames rendered so far. */
uint64_t mst_demomix_length (const MstDemoMix * mix);
uint64_t mst_demomix_position (const MstDemoMix * mix);

/* Renders up to n_frames interleaved stereo float frames (left, right)
 * into out.  Returns the number of frames written: n_frames, fewer at the
 * end of the mix, 0 after it. */
size_t mst_demomix_render_f32 (MstDemoMix * mix, float *out,
    size_t n_frames);

/* The sections of the arrangement in time order (intro, verse, chorus,
 * outro); *n_sections receives their number. */
const MstDemoMixSection *mst_demomix_sections (unsigned *n_sections);

#ifdef __cplusplus
}
#endif
#endif /* MST_DEMOMIX_H */
