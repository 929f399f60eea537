# gst-mastering ORC kernels: stateless, data-parallel inner loops only.
# Recursive filters and envelopes stay in C (dsp/).  Every kernel here is
# used by the plugin (dsp/), checked against a plain-C reference by
# tests/dsp/orc.c and timed by bench/orc-kernels.  Kernels that lost to
# plain C and serve only as a measured baseline live in
# mastering-bench.orc, outside the plugin.

# Per-frame gain on mono float: d[i] = s[i] * g[i]
.function truepeaklimiter_orc_apply_gain_f32_1ch
.dest 4 d1 float
.source 4 s1 float
.source 4 g float

mulf d1, s1, g

# Per-frame gain on interleaved stereo float: both samples of frame i * g[i]
.function truepeaklimiter_orc_apply_gain_f32_2ch
.dest 8 d1 float
.source 8 s1 float
.source 4 g float
.temp 8 gg

mergelq gg, g, g
x2 mulf d1, s1, gg

# Per-frame gain on mono double: d[i] = s[i] * g[i] (gain in float)
.function truepeaklimiter_orc_apply_gain_f64_1ch
.dest 8 d1 double
.source 8 s1 double
.source 4 g float
.temp 8 gd

convfd gd, g
muld d1, s1, gd
