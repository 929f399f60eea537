#!/usr/bin/env python3
"""Reading loudnessmeter messages from Python (PyGObject).

This is the example of the README's loudnessmeter section; the test suite
runs it so that the example keeps working.  Give a pipeline description as
argument to meter something else, e.g.
  loudnessmeter_example.py 'filesrc location=a.flac ! decodebin ! audioconvert'

Without an argument it meters its built-in test tone and then checks the
final message's values against an independent numpy computation of the
same samples (check_default(); exit status 1 if they disagree).
"""
import math
import os
import sys
import warnings

import gi
gi.require_version("Gst", "1.0")
from gi.repository import GLib, Gst  # noqa: E402


def doubles(structure, field):
    """A per-channel field (GST_TYPE_ARRAY of gdouble) as a list."""
    ok, arr = structure.get_array(field)
    with warnings.catch_warnings():
        # GValueArray is how PyGObject sees GstValueArray without gst-python
        warnings.simplefilter("ignore", DeprecationWarning)
        return [arr.get_nth(i) for i in range(arr.n_values)] if ok else []


def on_message(bus, msg, loop, result):
    if msg.type == Gst.MessageType.ELEMENT:
        s = msg.get_structure()
        if s.get_name() != "loudnessmeter":
            return
        ts = s.get_uint64("timestamp").value / Gst.SECOND
        m = s.get_double("momentary-loudness").value
        st = s.get_double("shortterm-loudness").value
        i = s.get_double("global-loudness").value
        lra = s.get_double("loudness-range").value
        tp = s.get_double("true-peak-max").value
        print("%7.2f s  M %6.1f  S %6.1f  I %6.1f LUFS  LRA %4.1f LU  "
              "TP %5.1f dBTP" % (ts, m, st, i, lra, tp))
        if s.get_boolean("final").value:
            result["global"] = i
            result["true-peak"] = doubles(s, "true-peak")
            result["sample-peak"] = doubles(s, "sample-peak")
            result["momentary"] = m
            result["shortterm"] = st
            result["loudness-range"] = lra
            result["true-peak-max"] = tp
            print("final: I = %.2f LUFS, true peak per channel:" % i,
                  ["%.4f" % v for v in result["true-peak"]])
    elif msg.type == Gst.MessageType.ERROR:
        err, dbg = msg.parse_error()
        print("error:", err.message, dbg, file=sys.stderr)
        loop.quit()
    elif msg.type == Gst.MessageType.EOS:
        loop.quit()


DEFAULT_SOURCE = (
    "audiotestsrc wave=sine freq=997 volume=0.1 num-buffers=300 ! "
    "audio/x-raw,format=F32LE,rate=48000,channels=2")


def check_default(result):
    """The final values of the default source against numpy: 300 buffers
    of 1024 frames of a 997 Hz sine at 0.1 (F32), both channels equal.
    Expectations from tests/pipeline/loudnessmeter_ref.py (K-filter from
    the BS.1770-4 analog prototypes, gating, Tech 3342 LRA, long-sinc
    true peak), which shares no code with the plugin."""
    import numpy as np
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import loudnessmeter_ref as ref

    rate, frames = 48000, 300 * 1024
    n = np.arange(1, frames + 1)
    x = (0.1 * np.sin(2 * math.pi * 997.0 * n / rate)).astype(np.float32)
    stereo = np.stack([x, x], axis=1).astype(np.float64)
    r = ref.Reference(stereo, rate)
    k = r.subs
    tp = ref.true_peak(stereo[:, 0], open_end=True)
    checks = [
        # (name, got, expected, tolerance)
        ("global-loudness", result.get("global"), r.integrated(k), 0.005),
        ("momentary-loudness", result.get("momentary"), r.momentary(k),
         0.001),
        ("shortterm-loudness", result.get("shortterm"), r.shortterm(k),
         0.001),
        ("loudness-range", result.get("loudness-range"),
         r.loudness_range(k), 0.011),
        ("true-peak-max", result.get("true-peak-max"),
         20 * math.log10(tp), 0.003),
    ]
    for ch in range(2):
        tps = result.get("true-peak") or []
        sps = result.get("sample-peak") or []
        checks.append(("true-peak[%d] (dB)" % ch,
                       20 * math.log10(tps[ch]) if len(tps) > ch else None,
                       20 * math.log10(tp), 0.003))
        checks.append(("sample-peak[%d]" % ch,
                       sps[ch] if len(sps) > ch else None,
                       float(np.max(np.abs(x))), 1e-7))
    good = True
    for name, got, want, tol in checks:
        ok = got is not None and abs(got - want) <= tol
        good = good and ok
        print("%s: %s %r, numpy %.6f (+-%g)" % (
            "ok" if ok else "MISMATCH", name, got, want, tol))
    return good


def main():
    Gst.init(None)
    source = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_SOURCE
    pipeline = Gst.parse_launch(
        source + " ! loudnessmeter interval=500000000 ! fakesink")
    loop = GLib.MainLoop()
    result = {}
    bus = pipeline.get_bus()
    bus.add_signal_watch()
    bus.connect("message", on_message, loop, result)
    pipeline.set_state(Gst.State.PLAYING)
    try:
        loop.run()
    finally:
        pipeline.set_state(Gst.State.NULL)
        bus.remove_signal_watch()
    if "global" not in result:
        return 1
    if len(sys.argv) <= 1 and not check_default(result):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
