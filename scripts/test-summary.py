#!/usr/bin/env python3
"""Counts test results from meson's testlog.json files.

Each meson test counts once, except that a TAP test (its output has a
"1..N" plan) counts its individual checks (SKIP and TODO ones as skipped) and a GstCheck test its
"Checks: N, Failures: F, Errors: E" line, so the total reflects what was
actually checked.
Prints a per-build line and a last line "N passed, N failed".
"""
import json
import re
import sys

TAP_LINE = re.compile(r"^(not ok|ok)\b(.*)$")
TAP_PLAN = re.compile(r"^1\.\.(\d+)", re.M)
CHECK_LINE = re.compile(r"Checks: (\d+), Failures: (\d+), Errors: (\d+)")


def count(build_dir):
    passed = failed = skipped = 0
    try:
        with open(f"{build_dir}/meson-logs/testlog.json") as f:
            lines = f.readlines()
    except OSError:
        return None
    for line in lines:
        t = json.loads(line)
        res = t.get("result")
        out_text = t.get("stdout") or ""
        ck = CHECK_LINE.search(out_text)
        if ck:
            n, fl, er = (int(x) for x in ck.groups())
            bad = fl + er
            if res not in ("OK", "EXPECTEDFAIL", "SKIP") and bad == 0:
                bad = 1
            passed += max(n - fl - er, 0)
            failed += bad
            continue
        if TAP_PLAN.search(out_text):
            p = fl = sk = 0
            for out in out_text.splitlines():
                m = TAP_LINE.match(out)
                if not m:
                    continue
                directive = m.group(2).upper()
                if "# SKIP" in directive or "# TODO" in directive:
                    # a TODO check is a known gap, not a failure (TAP)
                    sk += 1
                elif m.group(1) == "ok":
                    p += 1
                else:
                    fl += 1
            plan = int(TAP_PLAN.search(out_text).group(1))
            if plan > p + fl + sk:
                fl += plan - p - fl - sk  # planned checks that never reported
            # a crashed or timed-out TAP test must not look clean
            if res not in ("OK", "EXPECTEDFAIL", "SKIP") and fl == 0:
                fl = 1
            skipped += sk
            passed += p
            failed += fl
            continue
        if res in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif res == "SKIP":
            skipped += 1
        else:
            failed += 1
    return passed, failed, skipped


def main():
    total_p = total_f = total_s = 0
    for d in sys.argv[1:]:
        r = count(d)
        if r is None:
            print(f"{d}: no test log (build or test run failed)")
            total_f += 1
            continue
        p, f, s = r
        print(f"{d}: {p} passed, {f} failed, {s} skipped")
        total_p += p
        total_f += f
        total_s += s
    print(f"{total_p} passed, {total_f} failed")
    return 1 if total_f else 0


if __name__ == "__main__":
    sys.exit(main())
