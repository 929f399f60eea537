# gst-mastering ORC kernels kept as baselines for bench/orc-kernels and
# tests/dsp/orc.c only: they are not linked into the plugin.  The
# true-peak FIR (dsp/truepeak.c) measured faster written with the GCC
# vector extension than as passes of mastering_orc_fir4_f32, and folds the
# absolute maximum into the same loop instead of a separate
# mastering_orc_abs_max_f32 pass; bench/orc-kernels prints both figures.

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
