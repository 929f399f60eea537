#!/usr/bin/env python3
"""loudnessmeter end to end on a non-steady signal, every message checked.

appsrc (F64 stereo, 48 kHz, 12 s) ! loudnessmeter interval=100 ms !
fakesink.  The signal has level steps, a quiet pause, tone bursts (170 ms
on, 330 ms off) and, in the right channel, a 12 kHz tone whose crests fall
halfway between two samples.  Each message's momentary-loudness,
shortterm-loudness, momentary-max and shortterm-max is compared with the
independent numpy reference (loudnessmeter_ref.py: analog-prototype
K-filter, window sums on the 10 ms grid) at the end of the interval it
reports; the final message's global-loudness and loudness-range with the
reference's gating (BS.1770-4) and Tech 3342 LRA, its true-peak values
with a long windowed-sinc interpolator.

Would catch, among others: a field posting another quantity (e.g.
shortterm-loudness carrying the momentary value), maxima taken over
partial windows, messages whose values lag or lead their interval, a
skipped interpolation phase in the true peak (-0.69 dB on the 12 kHz
tone).  TAP output.
"""
import math
import os
import sys
import warnings

import numpy as np

import gi
gi.require_version("Gst", "1.0")
from gi.repository import Gst  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loudnessmeter_ref as ref  # noqa: E402

RATE = 48000
SECONDS = 12.0
N = 0


def ok(cond, what):
    global N
    N += 1
    print("%sok %d - %s" % ("" if cond else "not ", N, what))
    sys.stdout.flush()
    return cond


def tone(n0, n1, freq, db, offset=0.0):
    """Sine of peak level db dBFS on frames [n0, n1), crest `offset`
    samples after the sample grid."""
    n = np.arange(n0, n1, dtype=np.float64)
    return 10 ** (db / 20.0) * np.cos(2 * math.pi * freq * (n - offset)
                                      / RATE)


def make_signal():
    frames = int(SECONDS * RATE)
    x = np.zeros((frames, 2))

    def seg(c, t0, t1, freq, db, offset=0.0):
        # 5 ms raised-cosine ramps: steps stay band-limited, so that every
        # interpolator agrees on the true peak
        a, b = int(round(t0 * RATE)), int(round(t1 * RATE))
        g = np.ones(b - a)
        r = min(RATE // 200, (b - a) // 2)
        ramp = 0.5 - 0.5 * np.cos(math.pi * np.arange(r) / r)
        g[:r] = ramp
        g[b - a - r:] = ramp[::-1]
        x[a:b, c] += g * tone(a, b, freq, db, offset)

    seg(0, 0.0, 3.3037, 997.0, -30.0)
    seg(1, 0.0, 2.0, 12000.0, -14.0, 0.5)       # the right channel's peak
    seg(1, 2.0, 3.3037, 4000.0, -36.0)
    seg(0, 3.3037, 5.0, 997.0, -12.0)
    seg(1, 3.3037, 5.0, 4000.0, -40.0)
    seg(0, 5.0, 6.0, 997.0, -60.0)
    seg(1, 5.0, 6.0, 4000.0, -60.0)
    t = 6.0
    while t < 10.0 - 1e-9:
        seg(0, t, t + 0.17, 997.0, -15.0)
        seg(1, t + 0.05, t + 0.22, 2500.0, -15.0)
        seg(0, t + 0.17, t + 0.5, 997.0, -50.0)
        seg(1, t + 0.22, t + 0.5, 2500.0, -50.0)
        t += 0.5
    seg(0, 10.0, SECONDS, 997.0, -25.0)
    seg(1, 10.0, SECONDS, 150.0, -22.0)
    return x


def run_meter(x):
    pipeline = Gst.parse_launch(
        "appsrc name=src format=time ! loudnessmeter interval=100000000 "
        "! fakesink")
    src = pipeline.get_by_name("src")
    src.set_property("caps", Gst.Caps.from_string(
        "audio/x-raw,format=F64LE,layout=interleaved,rate=%d,channels=2"
        % RATE))
    bus = pipeline.get_bus()
    pipeline.set_state(Gst.State.PLAYING)
    data = np.ascontiguousarray(x, dtype="<f8")
    block = 1024
    for i in range(0, len(data), block):
        chunk = data[i:i + block]
        buf = Gst.Buffer.new_wrapped(chunk.tobytes())
        buf.pts = i * Gst.SECOND // RATE
        buf.duration = (i + len(chunk)) * Gst.SECOND // RATE - buf.pts
        if src.emit("push-buffer", buf) != Gst.FlowReturn.OK:
            break
    src.emit("end-of-stream")
    msgs = []
    while True:
        m = bus.timed_pop_filtered(
            60 * Gst.SECOND, Gst.MessageType.ELEMENT | Gst.MessageType.EOS
            | Gst.MessageType.ERROR)
        if m is None or m.type != Gst.MessageType.ELEMENT:
            if m is not None and m.type == Gst.MessageType.ERROR:
                print("# error: %s" % (m.parse_error()[0].message,))
            break
        s = m.get_structure()
        if s.get_name() == "loudnessmeter":
            msgs.append(s.copy())
    pipeline.set_state(Gst.State.NULL)
    return msgs


def doubles(s, field):
    """A per-channel field (GST_TYPE_ARRAY of gdouble) as a list."""
    with warnings.catch_warnings():
        # PyGObject without gst-python sees GstValueArray as GValueArray
        warnings.simplefilter("ignore", DeprecationWarning)
        found, arr = s.get_array(field)
        return [arr.get_nth(i) for i in range(arr.n_values)] if found else []


def field_d(s, f):
    return s.get_double(f).value


def diff(a, b):
    if math.isinf(a) or math.isinf(b):
        return 0.0 if a == b else math.inf
    return abs(a - b)


def main():
    Gst.init(None)
    x = make_signal()
    r = ref.Reference(x, RATE)
    msgs = run_meter(x)
    expected_msgs = int(SECONDS * 10)
    if not ok(len(msgs) >= expected_msgs,
              "%d messages (>= %d)" % (len(msgs), expected_msgs)):
        print("1..%d" % N)
        return 1

    names = ("momentary-loudness", "shortterm-loudness", "momentary-max",
             "shortterm-max")
    getters = (r.momentary, r.shortterm, r.momentary_max, r.shortterm_max)
    worst = [0.0] * 4
    where = [None] * 4
    for s in msgs:
        end_ns = s.get_uint64("timestamp").value + \
            s.get_uint64("duration").value
        end = int(round(end_ns * RATE / Gst.SECOND))
        k = end * 100 // RATE
        for q in range(4):
            d = diff(field_d(s, names[q]), getters[q](k))
            if d > worst[q]:
                worst[q] = d
                where[q] = (end / RATE, field_d(s, names[q]), getters[q](k))
    for q in range(4):
        ok(worst[q] <= 1e-6,
           "%s of every message vs reference: largest difference %.3g LU "
           "(tolerance 1e-6)%s" % (names[q], worst[q],
                                   "" if where[q] is None else
                                   " at %.2f s: got %.6f want %.6f"
                                   % where[q]))
    # the signal must tell the quantities apart for these to mean anything
    sep = max(abs(r.momentary(k) - r.shortterm(k))
              for k in range(300, r.subs + 1))
    ok(sep > 3.0, "the signal separates momentary from short-term "
       "(max |M - S| = %.1f LU)" % sep)

    final = msgs[-1]
    ok(final.get_boolean("final").value, "last message is final")
    k = r.subs
    gi_ = field_d(final, "global-loudness")
    want = r.integrated(k)
    ok(abs(gi_ - want) <= 0.011, "global-loudness %.4f LUFS, reference "
       "%.4f (0.01 LU histogram bins)" % (gi_, want))
    lra = field_d(final, "loudness-range")
    want = r.loudness_range(k)
    ok(abs(lra - want) <= 0.011, "loudness-range %.4f LU, reference %.4f"
       % (lra, want))
    tps = doubles(final, "true-peak")
    ok(len(tps) == 2, "two true-peak values")
    for c in range(min(2, len(tps))):
        want = ref.true_peak(x[:, c])
        got_db = 20 * math.log10(tps[c]) if tps[c] > 0 else -math.inf
        want_db = 20 * math.log10(want)
        # the element's 16-tap interpolator measured within 0.003 dB of
        # the long reference on such tones
        ok(abs(got_db - want_db) <= 0.005,
           "true-peak[%d] %.4f dBTP, reference %.4f (+-0.005)"
           % (c, got_db, want_db))
    tpmax = field_d(final, "true-peak-max")
    ok(abs(tpmax - 20 * math.log10(max(tps))) <= 1e-9,
       "true-peak-max is the largest true-peak in dB")
    print("1..%d" % N)
    return 0


if __name__ == "__main__":
    sys.exit(main())
