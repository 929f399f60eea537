#!/usr/bin/env python3
# gst-mastering — end-to-end tests of `targets` and `master` (TAP output)
#
# Usage: cli_master.py CASE PATH-TO-gst-mastering
#
# Cases (each registered as its own meson test):
#   targets    `targets` and `targets --json`: every delivery target with the
#              numbers of its public source (EBU R 128, R 128 s1 / EBU Tech
#              3343, ATSC A/85, Spotify for Artists, Apple Podcasts, ...);
#              `analyze --json` judges against the same table, R 128 s1
#              including its maximum short-term loudness
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cli  # noqa: E402  (TAP helpers and the tool runner)
from cli import ok, close, diag, finite, run  # noqa: E402

# Written out from the public sources (not read from the code): nick,
# integrated LUFS, tolerance LU, ceiling dBTP, max. short-term LUFS.
EXPECTED = [
    ('ebu-r128', -23.0, 0.5, -1.0, None),      # EBU R 128
    ('ebu-r128-s1', -23.0, 0.5, -1.0, -18.0),  # R 128 s1, EBU Tech 3343
    ('atsc-a85', -24.0, 2.0, -2.0, None),      # ATSC A/85:2013
    ('spotify', -14.0, 1.0, -1.0, None),       # Spotify for Artists
    ('apple-music', -16.0, 1.0, -1.0, None),
    ('youtube', -14.0, 1.0, -1.0, None),
    ('amazon-music', -14.0, 1.0, -2.0, None),
    ('tidal', -14.0, 1.0, -1.0, None),
    ('deezer', -15.0, 1.0, -1.0, None),
    ('podcast', -16.0, 1.0, -1.0, None),       # Apple Podcasts
    ('podcast-mono', -19.0, 1.0, -1.0, None),  # -16 stereo / -19 mono
]


def case_targets(tmp):
    code, out, err, dt = run('targets', '--json')
    ok(code == 0, 'targets --json: exit 0 (got %d)' % code)
    try:
        table = json.loads(out)
    except ValueError:
        diag('not JSON: ' + out[:300])
        table = []
    by_id = {t['id']: t for t in table}
    ok([t['id'] for t in table] == [e[0] for e in EXPECTED],
       'the %d targets, in order' % len(EXPECTED))
    for nick, lufs, tol, ceiling, max_st in EXPECTED:
        t = by_id.get(nick)
        if not ok(t is not None, '%s listed' % nick):
            continue
        ok(t['integrated_lufs'] == lufs and t['tolerance_lu'] == tol
           and t['true_peak_max_dbtp'] == ceiling
           and t['shortterm_max_lufs'] == max_st,
           '%s: %.1f LUFS +-%.1f, %.1f dBTP, max S %s' % (
               nick, lufs, tol, ceiling, max_st))
        ok(bool(t.get('source')) and t.get('confidence') in
           ('standard', 'platform', 'secondary'),
           '%s: source and confidence given' % nick)

    code, out, err, dt = run('targets')
    ok(code == 0, 'targets: exit 0')
    ok(all(e[0] in out for e in EXPECTED) and out.count('Source:') ==
       len(EXPECTED), 'text lists every target with its source')
    code, out, err, dt = run('targets', 'extra')
    ok(code == 2, 'targets with an argument: exit 2 (got %d)' % code)

    # analyze judges against the same table
    code, rep, err, dt = cli.run_json('--demo')
    if not ok(code == 0 and rep is not None, 'analyze --demo --json'):
        return
    judged = {t['id']: t for t in rep['targets']}
    ok(sorted(judged) == sorted(by_id), 'analyze judges every target')
    s1 = judged.get('ebu-r128-s1')
    if s1 and finite(rep['shortterm_max_lufs']):
        # EBU Tech 3343: max. S <= -18 LUFS, or max. M <= -15 LUFS
        want = (rep['shortterm_max_lufs'] <= -18.0
                or rep['momentary_max_lufs'] <= -15.0)
        ok(s1['shortterm_ok'] == want, 'R 128 s1 short-term verdict %s '
           '(max S %.2f, max M %.2f)' % (want, rep['shortterm_max_lufs'],
                                         rep['momentary_max_lufs']))
        ok(s1['ok'] == (s1['loudness_ok'] and s1['peak_ok'] and want),
           'R 128 s1 overall verdict includes the short-term check')
    # a loud steady sine (997 Hz, -3 dBFS peak, 5 s): max. S and max. M
    # both above the R 128 s1 maxima (-18 / -15 LUFS), by the BS.1770
    # formula for a sine
    loud = os.path.join(tmp, 'loud.wav')
    cli.write_sine(loud, 48000, 2, 5.0, 997.0, -3.0)
    want_i = cli.sine_loudness(-3.0, 997.0, 48000, 2)
    code, rep2, err, dt = cli.run_json(loud)
    if ok(code == 0 and rep2 is not None, 'analyze a loud sine'):
        s1 = {t['id']: t for t in rep2['targets']}['ebu-r128-s1']
        ok(want_i > -15.0 and s1['shortterm_ok'] is False and
           s1['ok'] is False, 'R 128 s1: %.1f LUFS sine has S over' % want_i)
        sp = {t['id']: t for t in rep2['targets']}['spotify']
        ok(sp['shortterm_ok'] is True, 'Spotify has no short-term maximum')
    r128 = judged.get('ebu-r128')
    if r128 and finite(rep['integrated_lufs']):
        close(r128['deviation_lu'], rep['integrated_lufs'] + 23.0, 1e-3,
              'R 128 deviation = I + 23')


CASES = {
    'targets': case_targets,
}


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in CASES:
        print('usage: cli_master.py {%s} PATH-TO-gst-mastering'
              % '|'.join(CASES))
        return 2
    cli.TOOL = os.path.abspath(sys.argv[2])
    with tempfile.TemporaryDirectory(prefix='mst-master-') as tmp:
        CASES[sys.argv[1]](tmp)
    return cli.done()


if __name__ == '__main__':
    sys.exit(main())
