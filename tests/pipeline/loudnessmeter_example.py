#!/usr/bin/env python3
"""Reading loudnessmeter messages from Python (PyGObject).

This is the example of the README's loudnessmeter section; the test suite
runs it so that the example keeps working.  Give a pipeline description as
argument to meter something else, e.g.
  loudnessmeter_example.py 'filesrc location=a.flac ! decodebin ! audioconvert'
"""
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
            print("final: I = %.2f LUFS, true peak per channel:" % i,
                  ["%.4f" % v for v in result["true-peak"]])
    elif msg.type == Gst.MessageType.ERROR:
        err, dbg = msg.parse_error()
        print("error:", err.message, dbg, file=sys.stderr)
        loop.quit()
    elif msg.type == Gst.MessageType.EOS:
        loop.quit()


def main():
    Gst.init(None)
    source = sys.argv[1] if len(sys.argv) > 1 else (
        "audiotestsrc wave=sine freq=997 volume=0.1 num-buffers=300 ! "
        "audio/x-raw,format=F32LE,rate=48000,channels=2")
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
    return 0 if "global" in result else 1


if __name__ == "__main__":
    sys.exit(main())
