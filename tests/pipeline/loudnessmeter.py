#!/usr/bin/env python3
"""End-to-end test of loudnessmeter through gst-launch-1.0 -m.

Runs audiotestsrc (997 Hz sine) ! loudnessmeter ! fakesink, parses the
`loudnessmeter` element messages gst-launch prints and checks their count,
time fields, the final message and the loudness against the analytic value:

  stereo, both channels a 997 Hz sine of peak A:
    I = K(997 Hz) + 20*log10(A) + 10*log10(2)
  with K = -3.0103 LUFS at 48 kHz, -3.0075 LUFS at 44.1 kHz
  (docs/conformance.md §9: "mono 997 Hz 0 dBFS").  volume=0.1 gives
  A = -20 dBFS.

Usage: loudnessmeter.py /path/to/gst-launch-1.0
"""

import math
import re
import subprocess
import sys

K_997 = {48000: -3.0103, 44100: -3.0075}
TOL = 0.005          # the [V] values of docs/conformance.md have 4 decimals
SECOND = 1000000000

MSG_RE = re.compile(r'^Got message #\d+ from element "([^"]+)" \(element\): '
                    r'(loudnessmeter, .*);\s*$')
FIELD_RE = re.compile(r'([a-z-]+)=\(([a-z0-9]+)\)(<[^>]*>|[^,]+)')

FIELDS = ["timestamp", "stream-time", "running-time", "duration",
          "momentary-loudness", "shortterm-loudness", "global-loudness",
          "relative-threshold", "loudness-range", "sample-peak", "true-peak",
          "momentary-max", "shortterm-max", "true-peak-max",
          "sample-peak-max", "plr", "final"]

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def parse_value(typ, text):
    text = text.strip()
    if text.startswith("<"):
        return [float(v) for v in text.strip("<> ").split(",") if v.strip()]
    if typ == "boolean":
        return text == "true"
    if typ == "guint64":
        return int(text)
    return float(text)


def run(gst_launch, fmt, rate, seconds, interval_ns, volume=0.1):
    spb = rate // 100                       # 10 ms buffers
    nbuf = int(seconds * 100)
    cmd = [gst_launch, "-m", "audiotestsrc", "wave=sine", "freq=997",
           "volume=%g" % volume, "samplesperbuffer=%d" % spb,
           "num-buffers=%d" % nbuf, "!",
           "audio/x-raw,format=%s,rate=%d,channels=2" % (fmt, rate), "!",
           "loudnessmeter", "interval=%d" % interval_ns, "!", "fakesink"]
    print("#", " ".join(cmd))
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True, timeout=120)
    check(p.returncode == 0, "gst-launch exit status %d: %s"
          % (p.returncode, p.stderr.strip()))
    msgs = []
    for line in p.stdout.splitlines():
        m = MSG_RE.match(line)
        if not m:
            continue
        check(m.group(1).startswith("loudnessmeter"), "message source")
        fields = {name: parse_value(typ, val)
                  for name, typ, val in FIELD_RE.findall(m.group(2))}
        msgs.append(fields)
    return msgs


def verify(msgs, rate, seconds, interval_ns, amp_db):
    label = "%d Hz, %g s, interval %d ms" % (rate, seconds,
                                             interval_ns // 1000000)
    n_full = int(round(seconds * SECOND)) // interval_ns
    rest = int(round(seconds * SECOND)) - n_full * interval_ns
    check(len(msgs) == n_full + 1, "%s: %d messages, expected %d + final"
          % (label, len(msgs), n_full))
    for i, m in enumerate(msgs):
        missing = [f for f in FIELDS if f not in m]
        check(not missing, "%s: message %d lacks %s" % (label, i, missing))
        if missing:
            return
        for f in FIELDS:
            v = m[f]
            for x in (v if isinstance(v, list) else [v]):
                check(not (isinstance(x, float) and math.isnan(x)),
                      "%s: %s is NaN" % (label, f))
        check(len(m["sample-peak"]) == 2 and len(m["true-peak"]) == 2,
              "%s: per-channel peak arrays" % label)
        check(m["final"] == (i == len(msgs) - 1),
              "%s: message %d final=%s" % (label, i, m["final"]))
        check(m["timestamp"] == i * interval_ns,
              "%s: message %d timestamp %d" % (label, i, m["timestamp"]))
        check(m["running-time"] == m["timestamp"] and
              m["stream-time"] == m["timestamp"],
              "%s: message %d running/stream time" % (label, i))
        want_dur = interval_ns if i < n_full else rest
        check(m["duration"] == want_dur, "%s: message %d duration %d != %d"
              % (label, i, m["duration"], want_dur))

    final = msgs[-1]
    expected = K_997[rate] + amp_db + 10 * math.log10(2)
    g = final["global-loudness"]
    print("# %s: I = %.5f LUFS (expected %.5f), TP %.3f dBTP, "
          "SP %.4f dBFS, LRA %.3f" % (label, g, expected,
                                      final["true-peak-max"],
                                      final["sample-peak-max"],
                                      final["loudness-range"]))
    check(abs(g - expected) <= TOL, "%s: global %.5f, expected %.5f"
          % (label, g, expected))
    # BS.1770-4 Annex 1: steady tone, every block passes both gates
    check(abs(final["relative-threshold"] - (g - 10)) < 1e-6,
          "%s: relative threshold" % label)
    # a steady tone: no loudness range (Tech 3342), M and S equal I
    check(abs(final["loudness-range"]) < 0.05, "%s: LRA" % label)
    check(abs(final["momentary-loudness"] - expected) < 0.01,
          "%s: momentary" % label)
    if seconds >= 3:
        check(abs(final["shortterm-loudness"] - expected) < 0.01,
              "%s: short-term" % label)
    # peaks: the sine's crest, S16 rounded to 1 LSB (< 0.003 dB here)
    check(abs(final["sample-peak-max"] - amp_db) < 0.005,
          "%s: sample peak %.4f" % (label, final["sample-peak-max"]))
    tp = final["true-peak-max"]
    # Tech 3341 true-peak tolerance +0.2 / -0.4 dB (docs/conformance.md §7)
    check(amp_db - 0.4 <= tp <= amp_db + 0.2, "%s: true peak %.4f"
          % (label, tp))
    check(abs(final["plr"] - (tp - g)) < 1e-9, "%s: plr" % label)
    for ch in range(2):
        check(abs(20 * math.log10(final["sample-peak"][ch]) - amp_db) < 0.005,
              "%s: sample-peak[%d]" % (label, ch))


def main():
    gst_launch = sys.argv[1] if len(sys.argv) > 1 else "gst-launch-1.0"
    amp_db = 20 * math.log10(0.1)

    msgs = run(gst_launch, "F32LE", 48000, 10, 100 * 1000000)
    verify(msgs, 48000, 10, 100 * 1000000, amp_db)

    # another rate, format and interval; 4.5 s = 4 full seconds + 500 ms
    msgs = run(gst_launch, "S16LE", 44100, 4.5, SECOND)
    verify(msgs, 44100, 4.5, SECOND, amp_db)

    if failures:
        print("%d check(s) failed" % len(failures))
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
