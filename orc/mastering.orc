# gst-mastering ORC kernels: stateless, data-parallel inner loops only.
# Recursive filters and envelopes stay in C (dsp/).  Every kernel here is
# checked against a plain-C reference by tests/dsp/orc.c and timed by
# bench/orc-kernels.

# One pass of four taps of a polyphase FIR branch:
# d[i] = acc[i] + c1*s1[i] + c2*s2[i] + c3*s3[i] + c4*s4[i]
# (s1..s4 are the input shifted by one sample each).
.function mastering_orc_fir4_f32
.dest 4 d1 float
.source 4 acc float
.source 4 s1 float
.source 4 s2 float
.source 4 s3 float
.source 4 s4 float
.floatparam 4 c1
.floatparam 4 c2
.floatparam 4 c3
.floatparam 4 c4
.temp 4 t
.temp 4 u

mulf t, s1, c1
addf u, acc, t
mulf t, s2, c2
addf u, u, t
mulf t, s3, c3
addf u, u, t
mulf t, s4, c4
addf d1, u, t

# d[i] = max (d[i], |s[i]|): folds one oversampling phase into a peak
# envelope.  |x| by clearing the sign bit.
.function mastering_orc_abs_max_f32
.dest 4 d1 float
.source 4 s1 float
.temp 4 t

andl t, s1, 0x7fffffff
maxf d1, d1, t

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
