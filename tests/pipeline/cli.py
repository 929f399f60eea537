#!/usr/bin/env python3
# gst-mastering — end-to-end tests of the command-line tool (TAP output)
#
# Usage: cli.py CASE PATH-TO-gst-mastering
#
# Cases (each registered as its own meson test):
#   demo       analyze --demo: exit 0, finite numbers, the demo mix's design
#              (integrated -20..-18 LUFS, true peak above sample peak,
#              22 bars at 120 BPM = 44 s), text report consistent with JSON
#   sine       997 Hz stereo sine at -20 dBFS peak, 48 kHz and 44.1 kHz:
#              integrated loudness against the analytic BS.1770 value
#   resample   the same sine at 4 kHz (below the meter's 8 kHz): measured
#              after resampling to 8 kHz, against the analytic value there
#   demo-wav   demo-wav writes a float WAV of the mix; analyzing it gives the
#              same numbers as analyze --demo (same samples)
#   errors     missing file, directory, empty file, non-audio data, too many
#              channels, bad command lines: the documented exit codes; an
#              unreachable URI, a path under a missing directory, an unknown
#              URI scheme, a video-only file: one line naming the problem
#   no-tp      --no-true-peak: true peak reported as not measured, loudness
#              unchanged
import json
import math
import os
import struct
import subprocess
import sys
import tempfile
import time
import wave

# --- TAP ---------------------------------------------------------------------

_count = 0
_failed = 0


def ok(cond, what):
    global _count, _failed
    _count += 1
    if not cond:
        _failed += 1
    print('%sok %d - %s' % ('' if cond else 'not ', _count, what))
    sys.stdout.flush()
    return cond


def close(got, want, tol, what):
    good = got is not None and not math.isnan(got) and abs(got - want) <= tol
    return ok(good, '%s: got %s, want %.4f +- %g' % (what, got, want, tol))


def diag(msg):
    for line in str(msg).splitlines():
        print('# ' + line)


def done():
    print('1..%d' % _count)
    return 1 if _failed else 0


# --- running the tool --------------------------------------------------------

TOOL = None


def run_env():
    env = dict(os.environ)
    # the tool needs the stock plugins (audioconvert, uridecodebin, wavenc,
    # ...): an empty system path, as used for the element tests, would
    # hide them
    if env.get('GST_PLUGIN_SYSTEM_PATH_1_0', None) == '':
        del env['GST_PLUGIN_SYSTEM_PATH_1_0']
    return env


def run(*args):
    """Runs the tool; returns (exit code, stdout, stderr, seconds)."""
    env = run_env()
    t0 = time.monotonic()
    p = subprocess.run([TOOL] + list(args), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=env, timeout=120)
    dt = time.monotonic() - t0
    out = p.stdout.decode('utf-8', 'replace')
    err = p.stderr.decode('utf-8', 'replace')
    if err:
        diag('stderr: ' + err.strip())
    return p.returncode, out, err, dt


def run_json(*args):
    code, out, err, dt = run('analyze', '--json', '-q', *args)
    try:
        rep = json.loads(out)
    except ValueError:
        diag('not JSON: ' + out[:500])
        rep = None
    return code, rep, err, dt


def finite(v):
    return isinstance(v, (int, float)) and math.isfinite(v)


# --- analytic expectations ---------------------------------------------------

def k_weighting_power(freq, rate):
    """|H(e^jw)|^2 of the K-weighting filter (docs/conformance.md §2
    analog-prototype recipe, as in libebur128) at freq for the given rate."""
    # shelf
    f0 = 1681.974450955533
    G = 3.999843853973347
    Q = 0.7071752369554196
    K = math.tan(math.pi * f0 / rate)
    Vh = 10 ** (G / 20.0)
    Vb = Vh ** 0.4996667741545416
    a0 = 1.0 + K / Q + K * K
    shelf_b = [(Vh + Vb * K / Q + K * K) / a0, 2.0 * (K * K - Vh) / a0,
               (Vh - Vb * K / Q + K * K) / a0]
    shelf_a = [1.0, 2.0 * (K * K - 1.0) / a0, (1.0 - K / Q + K * K) / a0]
    # RLB high-pass, numerator (1, -2, 1) not normalised
    f0 = 38.13547087602444
    Q = 0.5003270373238773
    K = math.tan(math.pi * f0 / rate)
    d = 1.0 + K / Q + K * K
    hp_b = [1.0, -2.0, 1.0]
    hp_a = [1.0, 2.0 * (K * K - 1.0) / d, (1.0 - K / Q + K * K) / d]

    w = 2.0 * math.pi * freq / rate
    z1 = complex(math.cos(-w), math.sin(-w))
    z2 = z1 * z1

    def h(b, a):
        return (b[0] + b[1] * z1 + b[2] * z2) / (a[0] + a[1] * z1 + a[2] * z2)

    return abs(h(shelf_b, shelf_a) * h(hp_b, hp_a)) ** 2


def sine_loudness(peak_dbfs, freq, rate, channels):
    """BS.1770 loudness of a steady sine of the given peak in `channels`
    channels of weight 1 (BS.1770-4 Annex 1 eqs. (1) and (2)):
    -0.691 + 10 log10(sum G z),
    z = A^2 / 2 * |H|^2.  Every 400 ms block has the same loudness, so the
    gates change nothing."""
    a = 10 ** (peak_dbfs / 20.0)
    z = a * a / 2.0 * k_weighting_power(freq, rate)
    return -0.691 + 10.0 * math.log10(channels * z)


def write_wav_s24(path, rate, channels, frames, func):
    """24-bit PCM WAV; func(n, ch) -> sample in [-1, 1)."""
    data = bytearray()
    for n in range(frames):
        for ch in range(channels):
            v = int(round(func(n, ch) * 8388607.0))
            data += struct.pack('<i', v)[:3]
    with wave.open(path, 'wb') as w:
        w.setnchannels(channels)
        w.setsampwidth(3)
        w.setframerate(rate)
        w.writeframes(bytes(data))


def write_sine(path, rate, channels, seconds, freq, peak_dbfs):
    a = 10 ** (peak_dbfs / 20.0)
    table = [a * math.sin(2.0 * math.pi * freq * n / rate)
             for n in range(int(seconds * rate))]
    write_wav_s24(path, rate, channels, len(table), lambda n, ch: table[n])


# --- cases -------------------------------------------------------------------

# The demo mix's design (tools/demomix.h): 22 bars of 4/4 at 120 BPM.
DEMO_SECONDS = 22 * 4 * 60.0 / 120.0


def case_demo(tmp):
    code, rep, err, dt = run_json('--demo')
    ok(code == 0, 'analyze --demo --json exits 0 (got %d)' % code)
    if not ok(rep is not None, 'output is JSON'):
        return
    diag('analysis took %.2f s (wall, whole process %.2f s)'
         % (rep.get('analysis_time_s') or -1, dt))
    for key in ('integrated_lufs', 'loudness_range_lu', 'momentary_max_lufs',
                'shortterm_max_lufs', 'relative_threshold_lufs',
                'true_peak_dbtp', 'sample_peak_dbfs', 'plr_lu', 'duration_s'):
        ok(finite(rep.get(key)), '%s is a finite number (%s)'
           % (key, rep.get(key)))
    for key in ('true_peak_channels_dbtp', 'sample_peak_channels_dbfs'):
        vals = rep.get(key) or []
        ok(len(vals) == 2 and all(finite(v) for v in vals),
           '%s: two finite values %s' % (key, vals))
    ok(rep.get('rate') == 48000 and rep.get('channels') == 2
       and rep.get('format') == 'F32LE',
       'format F32LE 48000 Hz stereo (%s %s %s)'
       % (rep.get('format'), rep.get('rate'), rep.get('channels')))
    close(rep.get('duration_s'), DEMO_SECONDS, 1e-3,
          'duration = 22 bars at 120 BPM')
    ok(rep.get('frames') == int(DEMO_SECONDS * 48000),
       'frames = %d' % int(DEMO_SECONDS * 48000))

    integ = rep.get('integrated_lufs')
    tp = rep.get('true_peak_dbtp')
    sp = rep.get('sample_peak_dbfs')
    if finite(integ) and finite(tp) and finite(sp):
        # design of the demo mix: unmastered, around -20..-18 LUFS
        ok(-20.0 <= integ <= -18.0, 'integrated %.2f LUFS in [-20, -18]'
           % integ)
        # inter-sample overs: the true peak reads above the sample peak
        ok(tp > sp + 0.3, 'true peak %.2f dBTP > sample peak %.2f + 0.3'
           % (tp, sp))
        # max of the per-channel values is the overall value
        close(max(rep['true_peak_channels_dbtp']), tp, 1e-4,
              'true peak = max over channels')
        close(max(rep['sample_peak_channels_dbfs']), sp, 1e-4,
              'sample peak = max over channels')
        # PLR = true peak - integrated (EBU Tech 3343)
        close(rep.get('plr_lu'), tp - integ, 1e-3, 'PLR = TP - I')
        # quiet intro, louder chorus: a wide loudness range
        ok(rep['loudness_range_lu'] > 5.0, 'loudness range %.1f LU > 5'
           % rep['loudness_range_lu'])
        ok(rep['momentary_max_lufs'] >= rep['shortterm_max_lufs'] - 0.05
           and rep['shortterm_max_lufs'] >= integ,
           'max M >= max S >= I')

    # verdict against the targets: the deviations follow from I alone
    targets = {t['id']: t for t in rep.get('targets', [])}
    for tid, lufs, ceiling in (('ebu-r128', -23.0, -1.0),
                               ('spotify', -14.0, -1.0),
                               ('apple-music', -16.0, -1.0),
                               ('podcast', -16.0, -1.0)):
        t = targets.get(tid)
        if not ok(t is not None, 'target %s present' % tid):
            continue
        ok(t['integrated_lufs'] == lufs and t['true_peak_max_dbtp'] == ceiling,
           '%s: %.1f LUFS, %.1f dBTP (docs/conformance.md §11)'
           % (tid, lufs, ceiling))
        if finite(integ) and finite(tp):
            close(t['deviation_lu'], integ - lufs, 1e-3,
                  '%s deviation = I - target' % tid)
            ok(t['peak_ok'] == (tp <= ceiling),
               '%s peak_ok matches TP %.2f vs %.1f' % (tid, tp, ceiling))
            want_limit = max(0.0, tp + (lufs - integ) - ceiling)
            close(t['limit_db'], want_limit, 1e-3,
                  '%s limiting needed after the gain' % tid)

    # the text report: exit 0, every section, the same numbers rounded
    code, out, err, dt = run('analyze', '--demo')
    ok(code == 0, 'analyze --demo exits 0')
    ok('nan' not in out.lower(), 'no NaN in the text report')
    for label in ('Integrated', 'Loudness range', 'Max. momentary',
                  'Max. short-term', 'True peak', 'Sample peak', 'PLR',
                  'EBU R 128', 'Spotify', 'Apple Music', 'Podcast',
                  'Verdict', 'Duration', '48000 Hz'):
        ok(label in out, 'text report shows "%s"' % label)
    if finite(integ):
        line = [l for l in out.splitlines() if l.strip().startswith(
            'Integrated')]
        ok(line and ('%.1f LUFS' % integ) in line[0],
           'text integrated %r matches JSON %.1f' % (line, integ))
    if finite(tp):
        line = [l for l in out.splitlines() if l.strip().startswith(
            'True peak')]
        ok(line and line[0].split()[-1] == '%+.1f' % tp,
           'text true peak %r matches JSON %+.1f' % (line, tp))
    # default without FILE is the demo mix, with a note on stderr
    code, out2, err, dt = run('analyze')
    ok(code == 0 and 'demo' in err and 'Integrated' in out2,
       'analyze without FILE analyses the demo mix')


def case_sine(tmp):
    # docs/conformance.md §9: 997 Hz sines; stereo identical channels at
    # -20 dBFS peak
    for rate in (48000, 44100):
        path = os.path.join(tmp, 'sine-%d.wav' % rate)
        write_sine(path, rate, 2, 10.0, 997.0, -20.0)
        want = sine_loudness(-20.0, 997.0, rate, 2)
        diag('%d Hz: analytic integrated loudness %.4f LUFS' % (rate, want))
        code, rep, err, dt = run_json(path)
        ok(code == 0, '%d Hz: exit 0 (got %d)' % (rate, code))
        if rep is None:
            ok(False, '%d Hz: JSON output' % rate)
            continue
        ok(rep.get('rate') == rate and rep.get('source_rate') == rate,
           '%d Hz: measured at the file rate, no resampling (%s)'
           % (rate, rep.get('rate')))
        close(rep.get('integrated_lufs'), want, 0.05,
              '%d Hz: integrated' % rate)
        # a steady tone: every short-term value equal, LRA 0 (Tech 3342)
        close(rep.get('loudness_range_lu'), 0.0, 0.1,
              '%d Hz: loudness range' % rate)
        # sample peak: within cos(pi f / fs) of the -20 dBFS crest
        # (24-bit quantisation is far below 0.01 dB)
        lo = -20.0 + 20 * math.log10(math.cos(math.pi * 997.0 / rate)) - 0.01
        sp = rep.get('sample_peak_dbfs')
        ok(finite(sp) and lo <= sp <= -20.0 + 0.01,
           '%d Hz: sample peak %s in [%.3f, -19.99]' % (rate, sp, lo))
        # true peak of a 997 Hz tone: the crest, within the 4x
        # interpolator's +-0.05 dB (docs/conformance.md §7: +0.005 dB at 997 Hz)
        close(rep.get('true_peak_dbtp'), -20.0, 0.05,
              '%d Hz: true peak' % rate)


    # a plain PCM WAV with three channels has no channel layout: measured
    # unpositioned, each channel weight 1.0 (loudnessmeter's documented
    # rule), so three identical channels read 10 log10(3) above one
    path = os.path.join(tmp, 'sine-3ch.wav')
    write_sine(path, 48000, 3, 5.0, 997.0, -20.0)
    want = sine_loudness(-20.0, 997.0, 48000, 3)
    code, rep, err, dt = run_json(path)
    ok(code == 0, '3 channels without layout: exit 0 (got %d)' % code)
    if rep is not None:
        ok(rep.get('channels') == 3, '3 channels measured')
        close(rep.get('integrated_lufs'), want, 0.05,
              '3 unpositioned channels: integrated')


def case_resample(tmp):
    # 4 kHz is below loudnessmeter's 8 kHz minimum: audioresample brings it
    # to 8 kHz; a 997 Hz tone is well inside the pass band, so the analytic
    # loudness at 8 kHz applies (tolerance: resampler pass-band ripple)
    path = os.path.join(tmp, 'sine-4k.wav')
    write_sine(path, 4000, 1, 10.0, 997.0, -20.0)
    want = sine_loudness(-20.0, 997.0, 8000, 1)
    code, rep, err, dt = run_json(path)
    ok(code == 0, 'exit 0 (got %d)' % code)
    if rep is None:
        ok(False, 'JSON output')
        return
    ok(rep.get('source_rate') == 4000 and rep.get('rate') == 8000,
       'source 4000 Hz measured at 8000 Hz (%s -> %s)'
       % (rep.get('source_rate'), rep.get('rate')))
    close(rep.get('integrated_lufs'), want, 0.1, 'integrated at 8 kHz')
    close(rep.get('duration_s'), 10.0, 0.01, 'duration kept')


def case_demo_wav(tmp):
    path = os.path.join(tmp, 'demo.wav')
    code, out, err, dt = run('demo-wav', path)
    ok(code == 0, 'demo-wav exits 0 (got %d)' % code)
    if not ok(os.path.exists(path), 'the WAV exists'):
        return
    with open(path, 'rb') as f:
        head = f.read(64)
    ok(head[:4] == b'RIFF' and head[8:12] == b'WAVE', 'RIFF/WAVE header')
    # fmt chunk: IEEE float (3), 2 channels, 48000 Hz, 32 bits
    fmt_at = head.find(b'fmt ')
    if ok(fmt_at >= 0, 'fmt chunk'):
        tag, ch, rate = struct.unpack('<HHI', head[fmt_at + 8:fmt_at + 16])
        bits = struct.unpack('<H', head[fmt_at + 22:fmt_at + 24])[0]
        ok((tag, ch, rate, bits) == (3, 2, 48000, 32),
           'float, 2 channels, 48000 Hz, 32 bit (%s)'
           % ((tag, ch, rate, bits),))
    size = os.path.getsize(path)
    want = int(DEMO_SECONDS * 48000) * 2 * 4
    ok(want <= size <= want + 1024, 'file holds 44 s of stereo float '
       '(%d bytes, data %d)' % (size, want))

    # the same samples must measure the same
    c1, demo, e1, d1 = run_json('--demo')
    c2, wav, e2, d2 = run_json(path)
    ok(c1 == 0 and c2 == 0, 'both analyses exit 0')
    if demo and wav:
        for key in ('integrated_lufs', 'loudness_range_lu',
                    'momentary_max_lufs', 'shortterm_max_lufs',
                    'true_peak_dbtp', 'sample_peak_dbfs'):
            close(wav.get(key), demo.get(key) if finite(demo.get(key))
                  else float('nan'), 1e-3, 'WAV %s = demo %s' % (key, key))
        ok(wav.get('frames') == demo.get('frames'), 'same frame count')

    # 16-bit: the quantisation noise (-98 dBFS) cannot move the loudness
    path16 = os.path.join(tmp, 'demo16.wav')
    code, out, err, dt = run('--write-demo', path16, '--format', 's16')
    ok(code == 0, '--write-demo ... --format s16 exits 0')
    c3, w16, e3, d3 = run_json(path16)
    if demo and w16:
        close(w16.get('integrated_lufs'), demo.get('integrated_lufs') or 0,
              0.01, 's16 WAV integrated = demo integrated')
        ok(w16.get('source_format') == 'S16LE', 'S16LE file (%s)'
           % w16.get('source_format'))

    # unwritable output
    code, out, err, dt = run('demo-wav', os.path.join(tmp, 'no', 'dir',
                                                      'x.wav'))
    ok(code == 7, 'unwritable output: exit 7 (got %d)' % code)
    ok('x.wav' in err, 'message names the output file')


def case_errors(tmp):
    missing = os.path.join(tmp, 'does-not-exist.wav')
    code, out, err, dt = run('analyze', missing)
    ok(code == 3, 'missing file: exit 3 (got %d)' % code)
    ok('does-not-exist.wav' in err and 'No such file' in err,
       'missing file: message names the file and the reason')
    ok(out == '', 'missing file: nothing on stdout')

    code, out, err, dt = run('analyze', tmp)
    ok(code == 3, 'directory: exit 3 (got %d)' % code)

    empty = os.path.join(tmp, 'empty.wav')
    open(empty, 'wb').close()
    code, out, err, dt = run('analyze', empty)
    ok(code == 4, 'empty file: exit 4 (got %d)' % code)

    text = os.path.join(tmp, 'notes.txt')
    with open(text, 'w') as f:
        f.write('These are not the samples you are looking for.\n' * 200)
    code, out, err, dt = run('analyze', text)
    ok(code == 4, 'text file: exit 4 (got %d)' % code)
    ok('notes.txt' in err, 'text file: message names the file')

    noise = os.path.join(tmp, 'noise.bin')
    with open(noise, 'wb') as f:
        # deterministic bytes without any container signature
        x = 12345
        buf = bytearray()
        for _ in range(65536):
            x = (1103515245 * x + 12345) & 0x7fffffff
            buf.append((x >> 16) & 0xff)
        f.write(bytes(buf))
    code, out, err, dt = run('analyze', noise)
    ok(code == 4, 'random bytes: exit 4 (got %d)' % code)

    # loudnessmeter measures up to 8 channels: 10 is refused, not downmixed
    ch10 = os.path.join(tmp, 'ch10.wav')
    write_wav_s24(ch10, 48000, 10, 4800, lambda n, ch: 0.1 * math.sin(
        2 * math.pi * 997 * n / 48000))
    code, out, err, dt = run('analyze', ch10)
    ok(code == 4, '10 channels: exit 4 (got %d)' % code)
    ok('10-channel' in err, '10 channels: message says why')

    # an unreachable URI and a path under a missing directory: one line
    # that names the input and the problem, not GStreamer's generic
    # "Internal data stream error" (souphttpsrc does not always post a
    # specific error for a refused connection; the tool then asks the
    # server itself)
    for what, arg, codes, text in (
            ('unreachable URI', 'http://127.0.0.1:9/x.wav', (3, 5),
             'connect'),
            ('missing directory', os.path.join(tmp, 'no', 'dir', 'x.wav'),
             (3,), 'No such file or directory'),
            ('unknown URI scheme', 'nosuchscheme://host/x.wav', (3, 5),
             'nosuchscheme'),
            ('file URI of a missing file', 'file://' + missing, (3,),
             'No such file')):
        code, out, err, dt = run('analyze', arg)
        lines = [l for l in err.splitlines() if l.strip()]
        ok(code in codes, '%s: exit %s (got %d)' % (what, codes, code))
        ok(len(lines) == 1 and lines[0].startswith('gst-mastering: error: ')
           and arg.split('://')[-1].split('/')[-1] in lines[0]
           and text.lower() in lines[0].lower() and
           'Internal data stream error' not in lines[0],
           '%s: one line naming the input and the problem (%s)' % (
               what, lines))

    # a file without an audio stream (video only), if the encoders exist
    video = os.path.join(tmp, 'video.ogg')
    made = subprocess.run(['gst-launch-1.0', '-q', 'videotestsrc',
                           'num-buffers=10', '!', 'theoraenc', '!', 'oggmux',
                           '!', 'filesink', 'location=' + video],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                          env=run_env()).returncode == 0
    if made:
        code, out, err, dt = run('analyze', video)
        lines = [l for l in err.splitlines() if l.strip()]
        ok(code == 4, 'video only: exit 4 (got %d)' % code)
        ok(len(lines) == 1 and 'no audio stream' in lines[0],
           'video only: one line, "no audio stream"')
    else:
        ok(True, 'video only # SKIP theoraenc / oggmux not installed')

    # command line errors: exit 2
    for args in (('analyze', '--bogus'),
                 ('analyze', '--demo', 'a.wav', 'b.wav'),
                 ('analyze', '--demo', missing), ('frobnicate',), (),
                 ('demo-wav',), ('demo-wav', '--format', 'mp3', 'x.wav')):
        code, out, err, dt = run(*args)
        ok(code == 2, 'usage error %s: exit 2 (got %d)' % (args, code))
    code, out, err, dt = run('--help')
    ok(code == 0 and 'Exit codes' in out and 'analyze' in out,
       '--help lists commands and exit codes')


def case_no_tp(tmp):
    c1, a, e1, d1 = run_json('--demo')
    c2, b, e2, d2 = run_json('--demo', '--no-true-peak')
    ok(c1 == 0 and c2 == 0, 'both exit 0')
    if a and b:
        ok(b.get('true_peak_measured') is False
           and b.get('true_peak_dbtp') is None and b.get('plr_lu') is None,
           'true peak not measured: null values')
        close(b.get('integrated_lufs'), a.get('integrated_lufs') or 0, 1e-6,
              'integrated unchanged')
        close(b.get('sample_peak_dbfs'), a.get('sample_peak_dbfs') or 0,
              1e-6, 'sample peak unchanged')
    code, out, err, dt = run('analyze', '--demo', '--no-true-peak')
    ok(code == 0 and 'not measured' in out, 'text says "not measured"')


CASES = {
    'demo': case_demo,
    'sine': case_sine,
    'resample': case_resample,
    'demo-wav': case_demo_wav,
    'errors': case_errors,
    'no-tp': case_no_tp,
}


def main():
    global TOOL
    if len(sys.argv) != 3 or sys.argv[1] not in CASES:
        print('usage: cli.py {%s} PATH-TO-gst-mastering' % '|'.join(CASES))
        return 2
    TOOL = os.path.abspath(sys.argv[2])
    with tempfile.TemporaryDirectory(prefix='mst-cli-') as tmp:
        CASES[sys.argv[1]](tmp)
    return done()


if __name__ == '__main__':
    sys.exit(main())
