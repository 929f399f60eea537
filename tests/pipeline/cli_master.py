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
#              including its maximum short-term loudness; the loudnorm
#              element's presets (gst-inspect-1.0) are the same targets
#              with the same numbers
#   formats    `master` on generated music-like inputs (mono 44.1 kHz 16-bit
#              quiet, stereo 48 kHz 24-bit loud, 5.1 96 kHz float, stereo
#              float into FLAC, 16-bit to --depth 32f, 8 kHz 16-bit, 384 kHz
#              24-bit into FLAC): the output judged
#              by libebur128 (ctypes) and by `analyze` within +-0.1 LU of
#              the target and at or under the ceiling; rate, channels,
#              length and sample format as specified
#   dither     16-bit output: TPDF dither (+-1 LSB) in digital silence, none
#              in float output; two runs give identical files
#   errors     refusals and failures exit non-zero with one line and leave
#              neither OUT nor a temporary file: missing / unreadable (a
#              directory) / undecodable / silent input, a path under a
#              missing directory, an unreachable URI, no audio stream,
#              unknown preset, bad extension, missing or unwritable output
#              directory (read-only: skipped as root), OUT = IN (also
#              through a symlink and a hard link)
#   signal     SIGINT during a run: no OUT, no temporary file
#   limiting   heavy limiting: a warning naming the input, exit 0; exit 8
#              with --strict
#   tags       title / artist of a FLAC input reach FLAC and WAV outputs
#   gentle     --chain gentle: target met; says what it used or lacked; 5.1
#              falls back to gain + limiter and says so
#   demo       `demo -o DIR` (DIR created when missing): demo-master.wav
#              meets Spotify's target
#   fixes      analyze: input shorter than 400 ms is "too short" (not
#              "silent") and still has its peaks; a header-only WAV exits 4;
#              truncated WAV and FLAC files get a warning and `truncated`;
#              NaN / inf samples: one warning naming the file, no NaN out;
#              `master` of a DC offset alone: one line saying why not;
#              with --json an error still prints a JSON object
#   batch      `analyze A B C`: one report per file, a JSON array with an
#              error object for the missing one, its exit code, the others
#              measured as when run alone
#   s1         EBU R 128 s1 verdicts (integrated, true peak, max. short-term
#              -18 LUFS or max. momentary -15 LUFS) against the rule applied
#              to libebur128's numbers, on files that pass (steady; a sting
#              under the momentary alternative) and fail (a loud sting, too
#              loud, a true-peak spike)
#   parallel   analyze A B C -J N: JSON array and summary lines in input
#              order (the longest file first), an error entry for the bad
#              file, its exit code; -J 1 and -J 3 identical; progress lines
#              on a terminal (pty) only, nothing with --quiet or a pipe
#   master-batch  master --output-dir DIR A B C: every output meets the
#              target (libebur128), named IN's base name + .wav/.flac, the
#              missing input an error entry; -J 1 and -J 3 write identical
#              files; duplicate output names refused up front; Ctrl-C
#              during a batch leaves no temporary file
#   chained    a chained Ogg Vorbis file (two logical streams one after the
#              other, as `cat a.ogg b.ogg` makes): `analyze` ends (it hung)
#              and measures both streams (libebur128 on the two parts
#              decoded by GStreamer and joined); a format change between
#              the streams is measured as a whole and reported; `master` of
#              a chained file writes both streams (FLAC)
#   checklist  `analyze --json` checklist on files with known properties:
#              anti-phase (correlation -1, the mono fold cancels), DC offset,
#              clipped sine (two flat tops per period), 6 dB balance,
#              unrelated low end in the side; the plain-language notes
import ctypes
import glob
import json
import math
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

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

    # the loudnorm element's presets are the same table: the same nicks in
    # the same order, the same target and ceiling (its enum names print
    # them), custom last
    insp = shutil.which('gst-inspect-1.0')
    if insp:
        p = subprocess.run([insp, 'loudnorm'], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, env=cli.run_env())
        text = p.stdout.decode('utf-8', 'replace')
        rows = re.findall(r'\(\d+\): (\S+)\s+- .*\((-?[0-9.]+) LUFS, '
                          r'(-?[0-9.]+) dBTP\)', text)
        ok([r[0] for r in rows] == [t['id'] for t in table] and
           re.search(r'\(\d+\): custom ', text) is not None,
           'loudnorm presets: the %d targets in order, then custom (got %s)'
           % (len(table), [r[0] for r in rows]))
        ok(all(float(lu) == by_id[n]['integrated_lufs'] and
               float(c) == by_id[n]['true_peak_max_dbtp']
               for n, lu, c in rows if n in by_id),
           'loudnorm presets: the targets\' LUFS and dBTP')
    else:
        ok(True, '# SKIP gst-inspect-1.0 not found: loudnorm presets')

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


# --- audio files (numpy) -----------------------------------------------------

np = None


def need_numpy():
    global np
    if np is None:
        import numpy
        np = numpy


# WAVE_FORMAT_EXTENSIBLE channel masks (FL FR FC LFE BL BR)
MASK_51 = 0x3F


def write_wav(path, data, rate, fmt, mask=None):
    """data: float array (frames, channels) in [-1, 1].  fmt: 's16', 's24'
    or 'f32'.  With mask, a WAVE_FORMAT_EXTENSIBLE header."""
    frames, channels = data.shape
    if fmt == 's16':
        pcm = np.clip(np.round(data * 32768.0), -32768, 32767).astype('<i2')
        raw, bits, tag = pcm.tobytes(), 16, 1
    elif fmt == 's24':
        v = np.clip(np.round(data * 8388608.0), -8388608,
                    8388607).astype('<i4')
        b = v.view(np.uint8).reshape(-1, 4)[:, :3]
        raw, bits, tag = b.tobytes(), 24, 1
    else:
        raw, bits, tag = data.astype('<f4').tobytes(), 32, 3
    block = channels * bits // 8
    if mask is not None:
        sub = (struct.pack('<IHH', tag, 0x0000, 0x0010) +
               bytes([0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71]))
        fmt_chunk = struct.pack('<HHIIHHHHI', 0xFFFE, channels, rate,
                                rate * block, block, bits, 22, bits,
                                mask) + sub
    else:
        fmt_chunk = struct.pack('<HHIIHH', tag, channels, rate, rate * block,
                                block, bits)
    with open(path, 'wb') as f:
        f.write(b'RIFF' + struct.pack('<I', 4 + 8 + len(fmt_chunk) + 8 +
                                      len(raw)) + b'WAVE')
        f.write(b'fmt ' + struct.pack('<I', len(fmt_chunk)) + fmt_chunk)
        f.write(b'data' + struct.pack('<I', len(raw)) + raw)


def read_wav(path):
    """Returns (data float64 (frames, channels), rate, kind, bits) where
    kind is 'int' or 'float' and data is in full-scale units; for int
    formats also the raw integer codes as data_int."""
    with open(path, 'rb') as f:
        blob = f.read()
    assert blob[:4] == b'RIFF' and blob[8:12] == b'WAVE', 'not a WAV'
    pos, fmt, data = 12, None, None
    while pos + 8 <= len(blob):
        cid, size = blob[pos:pos + 4], struct.unpack('<I', blob[pos + 4:pos + 8])[0]
        body = blob[pos + 8:pos + 8 + size]
        if cid == b'fmt ':
            fmt = body
        elif cid == b'data':
            data = body
        pos += 8 + size + (size & 1)
    tag, channels, rate, _, _, bits = struct.unpack('<HHIIHH', fmt[:16])
    if tag == 0xFFFE:
        tag = struct.unpack('<I', fmt[24:28])[0] & 0xFFFF
    if tag == 3:
        arr = np.frombuffer(data, '<f4' if bits == 32 else '<f8')
        codes = None
        kind = 'float'
        x = arr.astype(np.float64)
    elif bits == 16:
        codes = np.frombuffer(data, '<i2').astype(np.int64)
        x, kind = codes / 32768.0, 'int'
    elif bits == 24:
        b = np.frombuffer(data, np.uint8).reshape(-1, 3).astype(np.int64)
        codes = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
        codes = np.where(codes >= 1 << 23, codes - (1 << 24), codes)
        x, kind = codes / 8388608.0, 'int'
    else:
        codes = np.frombuffer(data, '<i4').astype(np.int64)
        x, kind = codes / 2147483648.0, 'int'
    frames = len(x) // channels
    x = x[:frames * channels].reshape(frames, channels)
    if codes is not None:
        codes = codes[:frames * channels].reshape(frames, channels)
    return x, rate, kind, bits, codes


def decode_to_wav(path, tmp):
    """FLAC (anything) -> WAV with GStreamer's own decoder (not our code)."""
    out = os.path.join(tmp, os.path.basename(path) + '.decoded.wav')
    subprocess.run([shutil.which('gst-launch-1.0'), '-q', 'filesrc',
                    'location=' + path, '!', 'decodebin', '!', 'audioconvert',
                    '!', 'wavenc', '!', 'filesink', 'location=' + out],
                   check=True, timeout=120)
    return out


# --- libebur128 (independent meter) --------------------------------------------

_ebu = None


def _ebur128_finish(st, channels):
    """(integrated LUFS, max. true peak dBTP) of libebur128 state st, which
    it destroys."""
    v = ctypes.c_double()
    _ebu.ebur128_loudness_global(st, ctypes.byref(v))
    integrated = v.value
    tp = 0.0
    for ch in range(channels):
        _ebu.ebur128_true_peak(st, ch, ctypes.byref(v))
        tp = max(tp, v.value)
    _ebu.ebur128_destroy(ctypes.byref(st))
    return integrated, 20 * math.log10(tp) if tp > 0 else -math.inf


def ebur128(x, rate):
    """(integrated LUFS, max true peak dBTP) of x (frames, channels) with
    libebur128 (default channel map: L R C LFE(unused) Ls Rs)."""
    global _ebu
    if _ebu is None:
        _ebu = ctypes.CDLL('libebur128.so.1')
        _ebu.ebur128_init.restype = ctypes.c_void_p
        _ebu.ebur128_init.argtypes = [ctypes.c_uint, ctypes.c_ulong,
                                      ctypes.c_int]
        _ebu.ebur128_add_frames_double.argtypes = [
            ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t]
        _ebu.ebur128_loudness_global.argtypes = [
            ctypes.c_void_p, ctypes.POINTER(ctypes.c_double)]
        _ebu.ebur128_true_peak.argtypes = [
            ctypes.c_void_p, ctypes.c_uint, ctypes.POINTER(ctypes.c_double)]
        _ebu.ebur128_destroy.argtypes = [ctypes.POINTER(ctypes.c_void_p)]
    frames, channels = x.shape
    mode_i, mode_tp = (1 << 2) | 1, (1 << 5) | (1 << 4) | 1
    st = ctypes.c_void_p(_ebu.ebur128_init(channels, rate, mode_i | mode_tp))
    buf = np.ascontiguousarray(x, dtype=np.float64)
    _ebu.ebur128_add_frames_double(st, buf.ctypes.data, frames)
    return _ebur128_finish(st, channels)


def ideal_true_peak(x, over=8):
    """Peak of the band-limited reconstruction of the samples (silence
    before and after them), by FFT interpolation: the sequence is padded
    with as many zeros so that the FFT's periodic extension adds no jump."""
    n = 2 * x.shape[0]
    peak = 0.0
    for ch in range(x.shape[1]):
        spec = np.fft.rfft(np.concatenate([x[:, ch], np.zeros(n // 2)]))
        y = np.fft.irfft(spec, n * over) * over
        peak = max(peak, float(np.max(np.abs(y))))
    return 20 * math.log10(peak) if peak > 0 else -math.inf


# --- test signals ---------------------------------------------------------------

def music(seconds, rate, channels, level_db, seed=1, gap=None):
    """Music-like test signal: kick-like decaying low bursts every 0.5 s,
    snare-like noise bursts on the off-beats, a chord of sines, a little
    hiss; different but correlated per channel; peak-normalised to
    level_db dBFS.  gap=(t0, t1): digital silence there."""
    rng = np.random.default_rng(seed)
    n = int(seconds * rate)
    t = np.arange(n) / rate
    out = np.zeros((n, channels))
    beat = (t % 0.5)
    kick = np.sin(2 * np.pi * 55 * t) * np.exp(-beat * 18)
    snare_env = np.exp(-((t + 0.25) % 0.5) * 30)
    for ch in range(channels):
        noise = rng.standard_normal(n)
        chord = sum(np.sin(2 * np.pi * f * t + ch) for f in (220, 277, 330))
        out[:, ch] = (0.8 * kick + 0.5 * noise * snare_env + 0.1 * chord +
                      0.01 * rng.standard_normal(n))
    out /= np.max(np.abs(out))
    out *= 10 ** (level_db / 20)
    if gap:
        out[int(gap[0] * rate):int(gap[1] * rate)] = 0.0
    return out


def no_leftovers(tmp, what):
    left = glob.glob(os.path.join(tmp, '*.part-*'))
    ok(not left, '%s: no temporary file left %s' % (what, left))


def master(*args):
    return run('master', *args)


def master_json(*args):
    code, out, err, dt = run('master', '--json', *args)
    try:
        rep = json.loads(out)
    except ValueError:
        rep = None
    return code, rep, err


def check_output(tmp, path, src, rate, target, ceiling, want_kind,
                 want_bits, what):
    """Judges OUT with libebur128 and with `analyze`; returns the data."""
    if path.endswith('.flac'):
        with open(path, 'rb') as f:
            ok(f.read(4) == b'fLaC', '%s: a FLAC file' % what)
        wav = decode_to_wav(path, tmp)
    else:
        wav = path
    x, r, kind, bits, codes = read_wav(wav)
    ok(r == rate and x.shape[1] == src.shape[1],
       '%s: %d Hz, %d channels kept (got %d Hz, %d)' % (
           what, rate, src.shape[1], r, x.shape[1]))
    ok(x.shape[0] == src.shape[0], '%s: length %d frames = input %d' % (
        what, x.shape[0], src.shape[0]))
    if not path.endswith('.flac'):
        ok(kind == want_kind and bits == want_bits,
           '%s: %s %d-bit (got %s %d)' % (what, want_kind, want_bits, kind,
                                         bits))
    else:
        ok(bits == want_bits, '%s: FLAC %d-bit (got %d)' % (what, want_bits,
                                                           bits))
    integ, tp = ebur128(x, rate)
    close(integ, target, 0.1, '%s: libebur128 integrated' % what)
    ok(tp <= ceiling, '%s: libebur128 true peak %.3f <= %.1f dBTP' % (
        what, tp, ceiling))
    diag('%s: ideal-reconstruction peak %.3f dBTP' % (what,
                                                       ideal_true_peak(x)))
    code, rep, err, dt = cli.run_json(path)
    if ok(code == 0 and rep, '%s: analyze reads the output' % what):
        close(rep['integrated_lufs'], target, 0.1,
              '%s: our meter integrated' % what)
        ok(rep['true_peak_dbtp'] <= ceiling, '%s: our true peak %.3f <= %.1f'
           % (what, rep['true_peak_dbtp'], ceiling))
    return x, codes


def case_formats(tmp):
    need_numpy()
    cases = [
        # name, rate, channels, input fmt, level, target, LUFS, ceiling,
        # extra args, out ext, want kind, want bits
        ('mono-44k-s16-quiet', 44100, 1, 's16', -30.0, 'spotify', -14.0,
         -1.0, [], 'wav', 'int', 16),
        ('stereo-48k-s24-loud', 48000, 2, 's24', -0.1, 'ebu-r128', -23.0,
         -1.0, [], 'wav', 'int', 24),
        ('51-96k-f32', 96000, 6, 'f32', -6.0, 'podcast', -16.0, -1.0, [],
         'wav', 'float', 32),
        ('stereo-48k-f32-flac', 48000, 2, 'f32', -12.0, 'atsc-a85', -24.0,
         -2.0, [], 'flac', 'int', 24),
        ('stereo-44k-s16-32f', 44100, 2, 's16', -12.0, 'apple-music',
         -16.0, -1.5, ['--depth', '32f', '--ceiling', '-1.5'], 'wav',
         'float', 32),
        # the lowest and highest rates the elements take (their caps)
        ('stereo-8k-s16', 8000, 2, 's16', -6.0, 'spotify', -14.0, -1.0, [],
         'wav', 'int', 16),
        ('stereo-384k-s24-flac', 384000, 2, 's24', -6.0, 'podcast', -16.0,
         -1.0, [], 'flac', 'int', 24),
    ]
    for (name, rate, ch, fmt, level, target, lufs, ceiling, extra, ext,
         kind, bits) in cases:
        src = music(12.0 if rate < 96000 else 8.0 if rate == 96000 else 3.0,
                    rate, ch, level)
        inp = os.path.join(tmp, name + '-in.wav')
        out = os.path.join(tmp, name + '-out.' + ext)
        write_wav(inp, src, rate, fmt, MASK_51 if ch == 6 else None)
        code, rep, err = master_json(inp, out, '--target', target, *extra)
        if not ok(code == 0 and rep is not None,
                  '%s: master exits 0 (got %d)' % (name, code)):
            continue
        ok(rep['target'] == target and rep['ceiling_dbtp'] == ceiling,
           '%s: target and ceiling reported' % name)
        ok(1 <= len(rep['passes']) <= 3, '%s: %d render passes (1..3)' % (
            name, len(rep['passes'])))
        check_output(tmp, out, src, rate, lufs, ceiling, kind, bits, name)
        no_leftovers(tmp, name)


def case_dither(tmp):
    need_numpy()
    rate = 48000
    src = music(10.0, rate, 2, -12.0, gap=(4.0, 6.0))
    inp = os.path.join(tmp, 'in.wav')
    write_wav(inp, src, rate, 's16')
    outs = []
    for i in range(2):
        out = os.path.join(tmp, 'out%d.wav' % i)
        code, out_, err, dt = master(inp, out, '--target', 'spotify', '-q')
        ok(code == 0, '16-bit run %d: exit 0' % i)
        outs.append(out)
    with open(outs[0], 'rb') as a, open(outs[1], 'rb') as b:
        ok(a.read() == b.read(), 'two runs write identical files (fixed '
           'dither seed)')
    x, r, kind, bits, codes = read_wav(outs[0])
    # inside the digital silence (clear of the limiter's look-ahead and
    # release): TPDF dither of +-1 LSB gives -1/0/+1 with probabilities
    # 1/8, 3/4, 1/8 (triangular density beyond +-0.5 LSB)
    quiet = codes[int(4.5 * rate):int(5.5 * rate)].ravel()
    ok(set(np.unique(quiet)) <= {-1, 0, 1},
       '16-bit silence: only codes -1, 0, +1 (%s)' % np.unique(quiet)[:8])
    close(float(np.mean(quiet != 0)), 0.25, 0.03,
          '16-bit silence: 1/4 of the samples dithered away from 0')
    # float output: no dither, the silence stays exactly 0
    outf = os.path.join(tmp, 'outf.wav')
    code, o, err, dt = master(inp, outf, '--target', 'spotify', '--depth',
                              '32f', '-q')
    xf, r, kind, bits, codes = read_wav(outf)
    ok(code == 0 and kind == 'float', 'float output written')
    # the report's Format line names the written sample format (24-bit
    # WAV decodes as S24LE), not the format the meter converted it to
    out24 = os.path.join(tmp, 'out24.wav')
    code, o, err, dt = master(inp, out24, '--target', 'spotify', '--depth',
                              '24')
    fmt = [l for l in o.splitlines() if l.startswith('Format ')]
    ok(code == 0 and len(fmt) == 1 and '24-bit PCM' in fmt[0] and
       fmt[0].endswith('(S24LE)'), '24-bit output: Format line says '
       'S24LE (%s)' % fmt)
    ok(np.all(xf[int(4.5 * rate):int(5.5 * rate)] == 0.0),
       'float output: silence stays exactly 0 (no dither)')


def case_errors(tmp):
    need_numpy()
    rate = 48000
    good = os.path.join(tmp, 'good.wav')
    write_wav(good, music(3.0, rate, 2, -6.0), rate, 's16')
    silent = os.path.join(tmp, 'silent.wav')
    write_wav(silent, np.zeros((rate * 2, 2)), rate, 's16')
    junk = os.path.join(tmp, 'junk.wav')
    with open(junk, 'wb') as f:
        f.write(bytes(range(256)) * 64)
    link = os.path.join(tmp, 'link.wav')
    os.symlink(good, link)
    hard = os.path.join(tmp, 'hard.wav')
    os.link(good, hard)
    with open(good, 'rb') as f:
        good_bytes = f.read()
    out = os.path.join(tmp, 'out.wav')
    subdir = os.path.join(tmp, 'adir')
    os.mkdir(subdir)
    cases = [
        ('missing input', (os.path.join(tmp, 'nope.wav'), out), 3),
        ('input under a missing directory',
         (os.path.join(tmp, 'no', 'dir', 'x.wav'), out), 3),
        # unreadable: a directory (chmod 000 does not stop root)
        ('unreadable input (a directory)', (subdir, out), 3),
        ('unreachable URI', ('http://127.0.0.1:9/x.wav', out), 3),
        ('undecodable input', (junk, out), 4),
        ('silent input', (silent, out), 4),
        ('unknown preset', (good, out, '--target', 'loud'), 2),
        ('no --target', (good, out), 2),
        ('bad extension', (good, os.path.join(tmp, 'out.mp3')), 2),
        ('bad --depth', (good, out, '--depth', '20'), 2),
        ('bad --chain', (good, out, '--chain', 'heavy'), 2),
        ('--ceiling nan', (good, out, '--ceiling', 'nan'), 2),
        ('missing output directory',
         (good, os.path.join(tmp, 'no', 'such', 'dir.wav')), 7),
        ('output directory is a file',
         (good, os.path.join(good, 'out.wav')), 7),
        ('OUT = IN', (good, good), 2),
        ('OUT = IN via symlink', (good, link), 2),
        ('OUT = IN via hard link', (good, hard), 2),
    ]
    for what, args, want in cases:
        a = list(args)
        if '--target' not in a and what != 'no --target':
            a += ['--target', 'spotify']
        code, o, err, dt = master(*a)
        lines = [l for l in err.strip().splitlines() if l]
        ok(code == want, '%s: exit %d (got %d)' % (what, want, code))
        ok(len(lines) >= 1 and ('error' in lines[0] or 'gst-mastering:' in
                                lines[0]), '%s: says why' % what)
        # one line (a usage error adds the "Try ... --help" hint)
        ok(len([l for l in lines if not l.startswith('Try ')]) == 1 and
           'Internal data stream error' not in err,
           '%s: one line (%s)' % (what, lines))
        ok(not os.path.exists(out) and not os.path.exists(
            os.path.join(tmp, 'out.mp3')), '%s: no output file' % what)
        no_leftovers(tmp, what)
    with open(good, 'rb') as f:
        ok(f.read() == good_bytes, 'the input is untouched')

    # no audio stream (video only), if the encoders exist
    video = os.path.join(tmp, 'video.ogg')
    if gst_has('videotestsrc', 'theoraenc', 'oggmux'):
        subprocess.run([shutil.which('gst-launch-1.0'), '-q', 'videotestsrc',
                        'num-buffers=10', '!', 'theoraenc', '!', 'oggmux',
                        '!', 'filesink', 'location=' + video], check=True,
                       timeout=60)
        code, o, err, dt = master(video, out, '--target', 'spotify')
        lines = [l for l in err.strip().splitlines() if l]
        ok(code == 4 and len(lines) == 1 and 'no audio stream' in lines[0],
           'no audio stream: exit 4 (got %d), one line' % code)
        ok(not os.path.exists(out), 'no audio stream: no output file')
        no_leftovers(tmp, 'no audio stream')
    else:
        ok(True, 'no audio stream # SKIP theoraenc / oggmux not installed')

    # a directory without write permission (root writes anyway)
    ro = os.path.join(tmp, 'readonly')
    os.mkdir(ro)
    os.chmod(ro, 0o555)
    if os.access(ro, os.W_OK):
        ok(True, 'read-only output directory # SKIP running as root')
    else:
        code, o, err, dt = master(good, os.path.join(ro, 'out.wav'),
                                  '--target', 'spotify')
        lines = [l for l in err.strip().splitlines() if l]
        ok(code == 7 and len(lines) == 1, 'read-only output directory: '
           'exit 7 (got %d), one line' % code)
        ok(not os.listdir(ro), 'read-only output directory: nothing written')
    os.chmod(ro, 0o755)


def case_signal(tmp):
    need_numpy()
    rate = 48000
    inp = os.path.join(tmp, 'long.wav')
    write_wav(inp, music(120.0, rate, 2, -10.0), rate, 's16')
    out = os.path.join(tmp, 'out.wav')
    env = dict(os.environ)
    if env.get('GST_PLUGIN_SYSTEM_PATH_1_0', None) == '':
        del env['GST_PLUGIN_SYSTEM_PATH_1_0']
    p = subprocess.Popen([cli.TOOL, 'master', inp, out, '--target',
                          'spotify', '-q'], env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    # the temporary file exists from the start; interrupt then
    for _ in range(2000):
        if glob.glob(os.path.join(tmp, '*.part-*')) or p.poll() is not None:
            break
        time.sleep(0.005)
    started = bool(glob.glob(os.path.join(tmp, '*.part-*')))
    p.send_signal(signal.SIGINT)
    p.wait(timeout=60)
    ok(started, 'the run had created its temporary file')
    ok(p.returncode == -signal.SIGINT,
       'ended by SIGINT (return code %d)' % p.returncode)
    ok(not os.path.exists(out), 'no OUT after Ctrl-C')
    no_leftovers(tmp, 'Ctrl-C')


def case_limiting(tmp):
    need_numpy()
    rate = 48000
    inp = os.path.join(tmp, 'peaky.wav')
    # quiet, very peaky: reaching -14 LUFS takes far more than 2 dB of
    # peak reduction
    write_wav(inp, music(8.0, rate, 2, -20.0), rate, 's24')
    out = os.path.join(tmp, 'out.wav')
    code, rep, err = master_json(inp, out, '--target', 'spotify',
                                 '--max-limiting', '2')
    ok(code == 0, 'heavy limiting without --strict: exit 0 (got %d)' % code)
    ok('warning' in err and 'limiting' in err, 'a plain warning on stderr')
    # in a batch several inputs run at once: every warning names its input
    ok(any('warning: ' + inp + ': ' in line for line in err.splitlines()
           if 'limiting' in line), 'the warning names the input')
    ok(rep is not None and rep['heavy_limiting'] and
       rep['limiter_max_db'] > 2.0, 'JSON says heavy limiting (%s dB)' % (
           rep and rep['limiter_max_db']))
    os.unlink(out)
    code, o, err, dt = master(inp, out, '--target', 'spotify',
                              '--max-limiting', '2', '--strict', '-q')
    ok(code == 8, '--strict: exit 8 (got %d)' % code)
    ok(os.path.exists(out), '--strict: the master is still written')
    code, o, err, dt = master(inp, out, '--target', 'spotify', '-q',
                              '--max-limiting', '40', '--strict')
    ok(code == 0 and 'warning' not in err,
       'under the limit: exit 0 without warning')


def case_tags(tmp):
    need_numpy()
    src = os.path.join(tmp, 'src.wav')
    write_wav(src, music(4.0, 44100, 2, -10.0), 44100, 's16')
    tagged = os.path.join(tmp, 'tagged.flac')
    subprocess.run([shutil.which('gst-launch-1.0'), '-q', 'filesrc',
                    'location=' + src, '!', 'wavparse', '!', 'audioconvert',
                    '!', 'taginject',
                    'tags=title=MstTestTitle,artist=MstTestArtist', '!',
                    'flacenc', '!', 'filesink', 'location=' + tagged],
                   check=True, timeout=60)
    with open(tagged, 'rb') as f:
        ok(b'MstTestTitle' in f.read(), 'the input carries the tags')
    for ext, key in (('flac', b'TITLE=MstTestTitle'), ('wav', b'MstTestTitle')):
        out = os.path.join(tmp, 'out.' + ext)
        code, o, err, dt = master(tagged, out, '--target', 'spotify', '-q')
        ok(code == 0, '%s: exit 0' % ext)
        data = open(out, 'rb').read() if os.path.exists(out) else b''
        ok(key.lower() in data.lower() and b'MstTestArtist' in data,
           '%s output keeps title and artist' % ext)


def case_gentle(tmp):
    need_numpy()
    rate = 48000
    inp = os.path.join(tmp, 'st.wav')
    src = music(10.0, rate, 2, -12.0)
    write_wav(inp, src, rate, 's24')
    out = os.path.join(tmp, 'gentle.wav')
    code, rep, err = master_json(inp, out, '--target', 'spotify', '--chain',
                                 'gentle')
    code2, o, err2, dt = master(inp, os.path.join(tmp, 'g2.wav'), '--target',
                                'spotify', '--chain', 'gentle')
    have = [e for e in ('mseq', 'multibandcomp')
            if subprocess.run([shutil.which('gst-inspect-1.0'), e],
                              stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL).returncode == 0]
    diag('gentle chain elements installed: %s' % (have or 'none'))
    ok(code == 0 and rep and rep['chain'] == ('gentle' if have else 'none'),
       'gentle chain on stereo: exit 0, chain %s' % (rep and rep['chain']))
    if have:
        ok(all(e in o for e in have), 'the report names %s' % have)
    else:
        ok('neither' in err2 and 'gain and limiter only' in err2,
           'says plainly that mseq and multibandcomp are missing')
    check_output(tmp, out, src, rate, -14.0, -1.0, 'int', 24, 'gentle')
    inp6 = os.path.join(tmp, 'six.wav')
    write_wav(inp6, music(6.0, rate, 6, -12.0), rate, 'f32', MASK_51)
    code, o, err, dt = master(inp6, os.path.join(tmp, 'six-out.wav'),
                              '--target', 'spotify', '--chain', 'gentle')
    ok(code == 0 and 'gain and limiter only' in err,
       '5.1 with --chain gentle: gain + limiter, and says so')


def case_demo(tmp):
    need_numpy()
    # --output-dir is created when missing, as for master --output-dir
    outdir = os.path.join(tmp, 'new', 'dir')
    code, out, err, dt = run('demo', '-o', outdir)
    path = os.path.join(outdir, 'demo-master.wav')
    ok(code == 0 and os.path.exists(path),
       'demo writes demo-master.wav into a new directory (exit %d: %s)' % (
           code, err.strip()))
    ok(os.path.exists(os.path.join(outdir, 'demo-loudness.png')),
       'demo writes demo-loudness.png beside it')
    blocker = os.path.join(tmp, 'file')
    open(blocker, 'w').close()
    code, o2, err, dt = run('demo', '-o', os.path.join(blocker, 'dir'))
    ok(code == 7 and len(err.strip().splitlines()) == 1 and
       'output directory' in err,
       'demo -o under a plain file: one line, exit 7 (got %d)' % code)
    ok('Before' in out and 'After' in out and 'Spotify' in out,
       'demo prints before/after')
    if os.path.exists(path):
        x, r, kind, bits, codes = read_wav(path)
        integ, tp = ebur128(x, r)
        close(integ, -14.0, 0.1, 'demo master: libebur128 integrated')
        ok(tp <= -1.0, 'demo master: libebur128 true peak %.3f' % tp)
        close(x.shape[0] / r, cli.DEMO_SECONDS, 1e-6,
              'demo master: the whole mix (%.1f s)' % cli.DEMO_SECONDS)


def case_checklist(tmp):
    need_numpy()
    rate = 48000
    rng = np.random.default_rng(7)
    n = rate * 5
    t = np.arange(n) / rate

    # anti-phase: R = -L
    noise = 0.1 * rng.standard_normal(n)
    path = os.path.join(tmp, 'antiphase.wav')
    write_wav(path, np.stack([noise, -noise], axis=1), rate, 'f32')
    code, rep, err, dt = cli.run_json(path)
    c = rep and rep.get('checklist')
    if ok(code == 0 and c, 'anti-phase: analyze --json has a checklist'):
        close(c['correlation'], -1.0, 1e-6, 'anti-phase: correlation -1')
        ok(c['mono_fold_lu'] < -60, 'anti-phase: the mono fold cancels '
           '(%s LU)' % c['mono_fold_lu'])
        ok(any('polarity' in x for x in c['notes']),
           'anti-phase: a note about polarity')

    # DC on R, a clipped 100 Hz sine on L (two flat tops per period:
    # 2 x 100 x 5 = 1000 runs)
    left = np.clip(1.5 * np.sin(2 * np.pi * 100 * t), -1.0, 1.0)
    right = 0.3 * np.sin(2 * np.pi * 100 * t) + 0.01
    path = os.path.join(tmp, 'dc-clip.wav')
    write_wav(path, np.stack([left, right], axis=1), rate, 'f32')
    code, rep, err, dt = cli.run_json(path)
    c = rep and rep.get('checklist')
    if ok(code == 0 and c, 'DC/clip: checklist'):
        close(c['dc_offset_dbfs'][1], -40.0, 0.05, 'DC +0.01 on R: -40 dBFS')
        ok(c['dc_offset_dbfs'][0] < -100, 'no DC on L (%s)' %
           c['dc_offset_dbfs'][0])
        close(c['clipped_runs'], 1000, 2, 'clipped sine: 1000 flat tops')
        ok(c['clipped_runs_channels'][1] == 0, 'none on R')
        ok(any('DC offset on R' in x for x in c['notes']) and
           any('clipped' in x for x in c['notes']), 'notes: DC and clipping')
        code, out, err, dt = run('analyze', path)
        ok('Checklist' in out and 'DC offset on R' in out,
           'the text report shows the checklist')

    # balance: R 6 dB below L; unrelated low end in the two channels
    low = np.sin(2 * np.pi * 997 * t) * 0.1
    path = os.path.join(tmp, 'balance.wav')
    write_wav(path, np.stack([low, low * 10 ** (-6 / 20)], axis=1), rate,
              'f32')
    code, rep, err, dt = cli.run_json(path)
    c = rep and rep.get('checklist')
    if ok(code == 0 and c, 'balance: checklist'):
        close(c['balance_lu'], 6.0, 0.02, 'R 6 dB lower: balance +6 LU')
        ok(any('left channel is 6.0 LU louder' in x for x in c['notes']),
           'note: the left channel is louder')
    bass_l = np.sin(2 * np.pi * 50 * t + rng.uniform(0, 6)) * 0.3
    bass_r = np.sin(2 * np.pi * 57 * t) * 0.3
    path = os.path.join(tmp, 'sidebass.wav')
    write_wav(path, np.stack([bass_l, bass_r], axis=1), rate, 'f32')
    code, rep, err, dt = cli.run_json(path)
    c = rep and rep.get('checklist')
    if ok(code == 0 and c, 'side bass: checklist'):
        close(c['side_low_db'], 0.0, 0.5, 'unrelated bass: side = mid')
        ok(any('side-only high-pass' in x for x in c['notes']),
           'note: advises a side-only high-pass with mseq')
    code, out, err, dt = run('analyze', '--no-checklist', '--json', path)
    ok(code == 0 and 'checklist' not in json.loads(out),
       '--no-checklist leaves it out')


def case_fixes(tmp):
    need_numpy()
    rate = 48000
    t = np.arange(int(0.3 * rate)) / rate
    tone = 10 ** (-6 / 20) * np.sin(2 * np.pi * 997 * t)
    short = os.path.join(tmp, 'short.wav')
    write_wav(short, np.stack([tone, tone], axis=1), rate, 'f32')
    code, rep, err, dt = cli.run_json(short)
    ok(code == 0 and rep and rep['too_short'] is True and
       rep['integrated_lufs'] is None, '300 ms: too short, no integrated')
    if rep:
        close(rep['sample_peak_dbfs'], -6.0, 0.05, '300 ms: peaks reported')
    code, out, err, dt = run('analyze', short)
    ok('too short' in out and 'silent' not in out,
       'text: "too short", not "silent"')

    empty = os.path.join(tmp, 'empty.wav')
    write_wav(empty, np.zeros((0, 2)), rate, 's16')
    code, out, err, dt = run('analyze', empty)
    ok(code == 4, 'header-only WAV: exit 4 (got %d)' % code)

    full = os.path.join(tmp, 'full.wav')
    write_wav(full, music(6.0, rate, 2, -10.0), rate, 's16')
    data = open(full, 'rb').read()
    trunc = os.path.join(tmp, 'trunc.wav')
    open(trunc, 'wb').write(data[:len(data) // 3])
    code, rep, err, dt = cli.run_json(trunc)
    ok(code == 0 and rep and rep['truncated'] is True,
       'truncated WAV: flagged')
    close(rep and rep['container_duration_s'], 6.0, 0.01,
          'truncated WAV: the header promised 6 s')
    code, out, err, dt = run('analyze', trunc)
    ok('truncated' in err, 'truncated WAV: a warning on stderr')
    code, rep, err, dt = cli.run_json(full)
    ok(rep and rep['truncated'] is False, 'complete WAV: not flagged')
    flac = os.path.join(tmp, 'full.flac')
    subprocess.run([shutil.which('gst-launch-1.0'), '-q', 'filesrc',
                    'location=' + full, '!', 'wavparse', '!', 'audioconvert',
                    '!', 'flacenc', '!', 'filesink', 'location=' + flac],
                   check=True, timeout=60)
    data = open(flac, 'rb').read()
    tflac = os.path.join(tmp, 'trunc.flac')
    open(tflac, 'wb').write(data[:len(data) // 3])
    code, rep, err, dt = cli.run_json(tflac)
    ok(code == 0 and rep and rep['truncated'] is True,
       'truncated FLAC: flagged')

    # NaN and infinity in a float WAV: measured as silence (loudnessmeter's
    # documented behaviour), one warning that names the file, no NaN out
    t = np.arange(5 * rate) / rate
    tone = 10 ** (-6 / 20) * np.sin(2 * np.pi * 997 * t)
    x = np.stack([tone, tone], axis=1)
    x[rate, 0] = np.nan
    x[2 * rate, 1] = np.inf
    nanwav = os.path.join(tmp, 'nan.wav')
    write_wav(nanwav, x, rate, 'f32')
    code, out, err, dt = run('analyze', '--json', nanwav)
    ok(code == 0 and 'NaN' not in out and 'Infinity' not in out,
       'NaN / inf input: exit 0, no NaN in the JSON')
    ok(len([line for line in err.splitlines()
            if line.startswith('gst-mastering: warning: ' + nanwav + ': ')
            and 'non-finite' in line]) == 1,
       'NaN / inf input: one warning naming the file')
    # a DC offset alone: its K-weighted loudness is only the start-up
    # transient, which the limiter flattens; master says why it cannot
    # reach the target instead of asking for an impossible gain
    dc = os.path.join(tmp, 'dc.wav')
    write_wav(dc, np.full((5 * rate, 2), 0.5), rate, 'f32')
    code, out, err, dt = master(dc, os.path.join(tmp, 'dc-out.wav'),
                                '--target', 'spotify', '-q')
    ok(code == 4 and 'cannot reach -14.0 LUFS' in err and
       len(err.strip().splitlines()) == 1,
       'DC only: one line, exit 4 (got %d: %s)' % (code, err.strip()))
    ok(not os.path.exists(os.path.join(tmp, 'dc-out.wav')),
       'DC only: no output')

    code, out, err, dt = run('analyze', '--json', os.path.join(tmp, 'no.wav'))
    try:
        obj = json.loads(out)
    except ValueError:
        obj = None
    ok(code == 3 and obj and obj.get('exit_code') == 3 and
       'No such file' in obj.get('error', ''),
       '--json error: a JSON object with the error, exit 3')


def case_batch(tmp):
    need_numpy()
    rate = 48000
    a = os.path.join(tmp, 'a.wav')
    b = os.path.join(tmp, 'b.wav')
    write_wav(a, music(4.0, rate, 2, -6.0, seed=2), rate, 's16')
    write_wav(b, music(4.0, rate, 1, -12.0, seed=3), rate, 's24')
    missing = os.path.join(tmp, 'missing.wav')
    code, out, err, dt = run('analyze', '--json', '-q', a, missing, b)
    ok(code == 3, 'batch with a missing file: exit 3 (got %d)' % code)
    try:
        arr = json.loads(out)
    except ValueError:
        arr = None
    if ok(isinstance(arr, list) and len(arr) == 3, 'a JSON array of 3'):
        ok('error' in arr[1] and arr[1]['exit_code'] == 3,
           'the missing file: an error object')
        for i, path in ((0, a), (2, b)):
            c1, single, e1, d1 = cli.run_json(path)
            close(arr[i]['integrated_lufs'], single['integrated_lufs'], 1e-9,
                  'file %d measured as when alone' % i)
    code, out, err, dt = run('analyze', '-q', '--no-checklist', a, b)
    ok(code == 0 and out.count('Input ') == 2 and 'Summary (2 files)' in out,
       'text: two reports and a summary')


def gst_has(*factories):
    env = dict(os.environ)
    if env.get('GST_PLUGIN_SYSTEM_PATH_1_0', None) == '':
        del env['GST_PLUGIN_SYSTEM_PATH_1_0']
    return all(subprocess.run([shutil.which('gst-inspect-1.0'), '--exists',
                               f], env=env).returncode == 0
               for f in factories)


def run_bounded(*args):
    """run() that reports a hang as exit code None instead of raising."""
    try:
        return run(*args)
    except subprocess.TimeoutExpired:
        return None, '', 'timed out', 120.0


def case_chained(tmp):
    need_numpy()
    if not gst_has('vorbisenc', 'oggmux', 'wavparse'):
        print('ok 1 # SKIP vorbisenc / oggmux not installed')
        return
    rate = 44100

    def ogg(name, data, r):
        wav = os.path.join(tmp, name + '.wav')
        path = os.path.join(tmp, name + '.ogg')
        write_wav(wav, data, r, 'f32')
        subprocess.run([shutil.which('gst-launch-1.0'), '-q', 'filesrc',
                        'location=' + wav, '!', 'wavparse', '!',
                        'audioconvert', '!', 'vorbisenc', '!', 'oggmux', '!',
                        'filesink', 'location=' + path], check=True,
                       timeout=120)
        return path

    a = ogg('a', music(4.0, rate, 2, -14.0, seed=1), rate)
    b = ogg('b', music(4.0, rate, 2, -3.0, seed=2), rate)
    c = ogg('c', music(3.0, 48000, 1, -6.0, seed=3), 48000)

    def cat(name, *parts):
        path = os.path.join(tmp, name)
        with open(path, 'wb') as f:
            for p in parts:
                with open(p, 'rb') as g:
                    f.write(g.read())
        return path

    same = cat('same.ogg', a, b)
    mixed = cat('mixed.ogg', a, c)

    # expectation: both parts decoded by GStreamer on their own, joined,
    # measured by libebur128
    xa = read_wav(decode_to_wav(a, tmp))[0]
    xb = read_wav(decode_to_wav(b, tmp))[0]
    want, _ = ebur128(np.concatenate([xa, xb]), rate)
    part_b, _ = ebur128(xb, rate)
    diag('libebur128: both streams %.2f LUFS, second alone %.2f' % (
        want, part_b))

    code, out, err, dt = run_bounded('analyze', '--json', '-q', same)
    ok(code is not None, 'chained Ogg: analyze ends (no hang)')
    try:
        rep = json.loads(out)
    except ValueError:
        rep = None
    if ok(code == 0 and rep, 'chained Ogg: analyze exits 0 with a report'):
        close(rep['duration_s'], (len(xa) + len(xb)) / rate, 0.05,
              'chained Ogg: duration covers both streams')
        close(rep['integrated_lufs'], want, 0.1,
              'chained Ogg: integrated loudness of both streams')

    # a format change between the streams (44.1 kHz stereo, then 48 kHz
    # mono): measured as a whole in the first format, and reported
    xc = read_wav(decode_to_wav(c, tmp))[0]
    code, out, err, dt = run_bounded('analyze', '--json', '-q', mixed)
    try:
        rep = json.loads(out)
    except ValueError:
        rep = None
    if ok(code == 0 and rep, 'format change between streams: analyze exits '
          '0 with a report (got %s)' % code):
        close(rep['duration_s'], len(xa) / rate + len(xc) / 48000.0, 0.05,
              'format change between streams: duration covers both')
        ok(rep['format_changes'] == 1 and rep['chains'] == 2,
           'format change between streams: reported (%s, %s chains)'
           % (rep['format_changes'], rep['chains']))

    # master of a chained file: one output of both streams (FLAC takes one
    # segment: the chains are joined before the encoder)
    for what, src, secs in (
            ('chained', same, (len(xa) + len(xb)) / rate),
            ('chained, format change', mixed,
             len(xa) / rate + len(xc) / 48000.0)):
        out_path = os.path.join(tmp, 'out.flac')
        code, o, err, dt = run_bounded('master', '-q', src, out_path,
                                       '--target', 'podcast')
        ok(code == 0, 'master %s: exit 0 (got %s)' % (what, code))
        if os.path.exists(out_path):
            y = read_wav(decode_to_wav(out_path, tmp))
            close(len(y[0]) / float(y[1]), secs, 0.05,
                  'master %s: the output holds both streams (s)' % what)
            os.unlink(out_path)
        else:
            ok(False, 'master %s: output written' % what)
        no_leftovers(tmp, 'master ' + what)


# --- R 128 s1: the short-form verdict against libebur128 ----------------------

def ebur128_full(x, rate):
    """(integrated LUFS, true peak dBTP, max. momentary LUFS, max.
    short-term LUFS) of x with libebur128; momentary and short-term read
    every 100 ms, as EBU Tech 3341 asks of a meter's maximum."""
    ebur128(x[:1], rate)        # loads the library and its prototypes
    _ebu.ebur128_loudness_momentary.argtypes = [
        ctypes.c_void_p, ctypes.POINTER(ctypes.c_double)]
    _ebu.ebur128_loudness_shortterm.argtypes = [
        ctypes.c_void_p, ctypes.POINTER(ctypes.c_double)]
    frames, channels = x.shape
    # M | S | I | true peak
    mode = 1 | 3 | 5 | 0x31
    st = ctypes.c_void_p(_ebu.ebur128_init(channels, rate, mode))
    buf = np.ascontiguousarray(x, dtype=np.float64)
    step = rate // 10
    v = ctypes.c_double()
    max_m = max_s = -math.inf
    for pos in range(0, frames - step + 1, step):
        _ebu.ebur128_add_frames_double(
            st, buf[pos:pos + step].ctypes.data, step)
        _ebu.ebur128_loudness_momentary(st, ctypes.byref(v))
        if pos + step >= rate * 4 // 10:
            max_m = max(max_m, v.value)
        _ebu.ebur128_loudness_shortterm(st, ctypes.byref(v))
        if pos + step >= rate * 3:
            max_s = max(max_s, v.value)
    integrated, tp = _ebur128_finish(st, channels)
    return integrated, tp, max_m, max_s


def case_s1(tmp):
    """EBU R 128 s1 (short-form content): integrated -23 LUFS +-0.5 LU,
    true peak <= -1 dBTP, and max. short-term <= -18 LUFS (EBU Tech 3343
    also accepts max. momentary <= -15 LUFS instead).  The expected verdict
    is computed here from libebur128's numbers, on files that pass and
    files that fail each part; every number is kept at least 0.3 LU / dB
    from its limit so that two correct meters agree on the side."""
    need_numpy()
    rate = 48000
    n = rate * 30
    t = np.arange(n) / rate

    def sine(freq, amp, t0=0.0, t1=30.0):
        env = ((t >= t0) & (t < t1)).astype(np.float64)
        return amp * env * np.sin(2 * np.pi * freq * t)

    rng = np.random.default_rng(11)
    steady = 0.05 * rng.standard_normal(n)
    steady = np.stack([steady, np.roll(steady, 4800)], axis=1)

    def sting(rise_db, seconds):
        """A steady 440 Hz bed with a 997 Hz sting rise_db louder from
        12 s on; both are above the relative gate, so the integrated
        loudness lies between them."""
        x = sine(440, 0.02) + sine(997, 0.02 * 10 ** (rise_db / 20), 12.0,
                                   12.0 + seconds)
        return np.stack([x, x], axis=1)

    files = {
        # steady programme at -23 LUFS: max. S about -23, meets s1
        'steady': steady,
        # a sting that takes max. S over -18 LUFS but leaves max. M under
        # -15 LUFS: meets s1 by EBU Tech 3343's momentary alternative
        'sting-m': sting(11.0, 4.0),
        # a louder sting: max. S and max. M over: fails the short-term rule
        'sting': sting(16.0, 3.5),
        # steady and 2 LU too loud: fails by the integrated loudness
        'loud': steady.copy(),
        # steady at -23 with one full-scale spike: fails by the true peak
        'peak': steady.copy(),
    }
    aims = {'loud': -21.0}
    for name, x in sorted(files.items()):
        integ = ebur128_full(x, rate)[0]
        x = x * 10 ** ((aims.get(name, -23.0) - integ) / 20)
        if name == 'peak':
            x[rate * 10, :] = 0.95
        path = os.path.join(tmp, name + '.wav')
        write_wav(path, x, rate, 'f32')
        # the file as written (float32) is what both meters read
        y = read_wav(path)[0]
        integ, tp, max_m, max_s = ebur128_full(y, rate)
        margins = [abs(abs(integ + 23.0) - 0.5), abs(tp + 1.0),
                   abs(max_s + 18.0), abs(max_m + 15.0)]
        diag('%s: libebur128 I %.2f LUFS, TP %.2f dBTP, max M %.2f, max S '
             '%.2f' % (name, integ, tp, max_m, max_s))
        ok(min(margins) >= 0.3, '%s: every number clear of its limit '
           '(signal design)' % name)
        want_st = max_s <= -18.0 or max_m <= -15.0
        want = abs(integ + 23.0) <= 0.5 and tp <= -1.0 and want_st
        code, rep, err, dt = cli.run_json(path)
        if not ok(code == 0 and rep, '%s: analyze --json' % name):
            continue
        s1 = {v['id']: v for v in rep['targets']}['ebu-r128-s1']
        ok(s1['shortterm_ok'] == want_st, '%s: short-term verdict %s '
           '(tool says %s)' % (name, want_st, s1['shortterm_ok']))
        ok(s1['ok'] == want, '%s: R 128 s1 verdict %s (tool says %s)' % (
            name, want, s1['ok']))
        r128 = {v['id']: v for v in rep['targets']}['ebu-r128']
        ok(r128['ok'] == (abs(integ + 23.0) <= 0.5 and tp <= -1.0),
           '%s: plain R 128 has no short-term rule' % name)


# --- several inputs in parallel --------------------------------------------------

def strip_times(obj):
    """A batch JSON array without the run-time fields."""
    if isinstance(obj, list):
        return [strip_times(o) for o in obj]
    if isinstance(obj, dict):
        return {k: strip_times(v) for k, v in obj.items()
                if k != 'analysis_time_s'}
    return obj


def analyze_on_tty(*files):
    """`analyze -J 1 FILES` with stderr on a pseudo-terminal: what it
    drew there."""
    import pty
    import threading
    master_fd, slave_fd = pty.openpty()
    env = dict(os.environ)
    if env.get('GST_PLUGIN_SYSTEM_PATH_1_0', None) == '':
        del env['GST_PLUGIN_SYSTEM_PATH_1_0']
    p = subprocess.Popen([cli.TOOL, 'analyze', '-J', '1', *files],
                         stdout=subprocess.DEVNULL, stderr=slave_fd,
                         env=env)
    os.close(slave_fd)
    chunks = []

    def reader():
        while True:
            try:
                data = os.read(master_fd, 4096)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
    th = threading.Thread(target=reader)
    th.start()
    p.wait(timeout=120)
    th.join(timeout=10)
    os.close(master_fd)
    return b''.join(chunks).decode('utf-8', 'replace')


def case_parallel(tmp):
    """analyze A B C with -J: results in input order whatever the
    finishing order; -J 1 and -J 3 give the same numbers; progress lines
    on a terminal only."""
    need_numpy()
    rate = 48000
    # the first file is the longest: with -J 3 it finishes last
    a = os.path.join(tmp, 'long.wav')
    b = os.path.join(tmp, 'short.wav')
    bad = os.path.join(tmp, 'bad.wav')
    write_wav(a, music(20.0, rate, 2, -6.0, seed=4), rate, 'f32')
    write_wav(b, music(3.0, rate, 1, -12.0, seed=5), rate, 's16')
    with open(bad, 'wb') as f:
        f.write(bytes(range(256)) * 64)
    order = [a, bad, b]
    results = {}
    for jobs in ('1', '3'):
        code, out, err, dt = run('analyze', '--json', '-q', '-J', jobs,
                                 *order)
        ok(code == 4, '-J %s: exit 4, the bad file\'s (got %d)' % (jobs, code))
        try:
            arr = json.loads(out)
        except ValueError:
            arr = None
        if not ok(isinstance(arr, list) and len(arr) == 3,
                  '-J %s: a JSON array of 3' % jobs):
            continue
        ok(arr[0].get('source') == a and 'error' in arr[1] and
           arr[1]['exit_code'] == 4 and arr[1]['source'] == bad and
           arr[2].get('source') == b,
           '-J %s: entries in input order, the error object second' % jobs)
        ok(len([l for l in err.splitlines() if 'error' in l]) == 1,
           '-J %s: one error line on stderr' % jobs)
        results[jobs] = strip_times(arr)
    ok(len(results) == 2 and results['1'] == results['3'],
       '-J 1 and -J 3: identical results')

    code, out, err, dt = run('analyze', '-J', '2', '--no-checklist', *order)
    lines = out.splitlines()
    i = lines.index('Summary (3 files)' + ' ' * 25 + 'Integrated  True peak'
                    '     LRA') if any(l.startswith('Summary (3 files)')
                                       for l in lines) else -1
    if not ok(i >= 0, 'text: a summary'):
        i = [j for j, l in enumerate(lines) if l.startswith('Summary')][:1]
        i = i[0] if i else len(lines)
    summary = lines[i + 1:i + 4]
    ok(len(summary) == 3 and 'long.wav' in summary[0] and
       'bad.wav' in summary[1] and 'error (exit 4)' in summary[1] and
       'short.wav' in summary[2], 'text: one summary line per file, in '
       'input order')
    ok(out.count('Input ') == 2 and out.index('long.wav') <
       out.index('short.wav'), 'text: the two reports in input order')
    ok('%' not in err and '[1/3]' not in err,
       'no progress lines when stderr is not a terminal')
    code, out, err, dt = run('analyze', '-J', '0', a, b)
    ok(code == 2 or code == 0, '-J 0 means the default (got %d)' % code)
    code, out, err, dt = run('analyze', '-J', '-1', a, b)
    ok(code == 2, '-J -1: exit 2 (got %d)' % code)

    # on a terminal: one line per running file, redrawn
    tty = analyze_on_tty(a, a, a)
    ok('[1/3] long.wav' in tty and '[3/3] long.wav' in tty and
       'Analyzing' in tty and '%' in tty,
       'terminal: a progress line per file with its percentage')
    # a file done before the first redraw period still shows its line
    tiny = os.path.join(tmp, 'tiny.wav')
    write_wav(tiny, music(0.3, rate, 2, -12.0, seed=9), rate, 'f32')
    tty_tiny = analyze_on_tty(tiny, tiny, tiny)
    ok(all('[%d/3] tiny.wav' % k in tty_tiny for k in (1, 2, 3)) and
       '%' in tty_tiny, 'terminal: a 0.3 s file gets its progress line '
       'too (each of 3)')
    ok('\x1b[' in tty, 'terminal: the lines are redrawn in place')
    env = dict(os.environ)
    if env.get('GST_PLUGIN_SYSTEM_PATH_1_0', None) == '':
        del env['GST_PLUGIN_SYSTEM_PATH_1_0']
    p = subprocess.run([cli.TOOL, 'analyze', '-q', '-J', '1', a, a],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       env=env)
    ok(p.stderr == b'', '--quiet: nothing on stderr')


def case_master_batch(tmp):
    """master --output-dir DIR A B C: every output meets the target
    (libebur128), errors do not stop the others, names follow the rule,
    -J 1 and -J 3 write identical files, Ctrl-C leaves no temporary file."""
    need_numpy()
    rate = 48000
    srcdir = os.path.join(tmp, 'in')
    os.mkdir(srcdir)
    a = os.path.join(srcdir, 'song.one.wav')
    b = os.path.join(srcdir, 'mono.wav')
    c = os.path.join(srcdir, 'quiet.flac.wav')
    bad = os.path.join(srcdir, 'missing.wav')
    write_wav(a, music(6.0, rate, 2, -3.0, seed=6), rate, 's24')
    write_wav(b, music(5.0, 44100, 1, -20.0, seed=7), 44100, 's16')
    write_wav(c, music(4.0, rate, 2, -30.0, seed=8), rate, 'f32')
    inputs = [a, bad, b, c]
    names = ['song.one.wav', None, 'mono.wav', 'quiet.flac.wav']
    files = {}
    for jobs in ('1', '3'):
        out = os.path.join(tmp, 'out' + jobs)
        code, o, err, dt = run('master', '--json', '-J', jobs, '--target',
                               'podcast', '--output-dir', out, *inputs)
        ok(code == 3, '-J %s: exit 3, the missing file\'s (got %d)' % (
            jobs, code))
        try:
            arr = json.loads(o)
        except ValueError:
            arr = None
        if not ok(isinstance(arr, list) and len(arr) == 4,
                  '-J %s: a JSON array of 4' % jobs):
            continue
        ok('error' in arr[1] and arr[1]['exit_code'] == 3 and
           all('after' in arr[i] for i in (0, 2, 3)),
           '-J %s: entries in input order, the error object second' % jobs)
        ok(sorted(os.listdir(out)) == sorted(n for n in names if n),
           '-J %s: the outputs are named after the inputs (%s)' % (
               jobs, sorted(os.listdir(out))))
        for i, name in enumerate(names):
            if not name:
                continue
            path = os.path.join(out, name)
            x, r, kind, bits, codes = read_wav(path)
            integ, tp = ebur128(x, r)
            close(integ, -16.0, 0.1, '-J %s %s: libebur128 integrated' % (
                jobs, name))
            ok(tp <= -1.0, '-J %s %s: libebur128 true peak %.2f <= -1' % (
                jobs, name, tp))
            ok(arr[i]['output'] == path, '-J %s %s: JSON names the output'
               % (jobs, name))
            with open(path, 'rb') as f:
                files.setdefault(name, []).append(f.read())
        no_leftovers(out, '-J %s' % jobs)
    ok(len(files) == 3 and all(len(v) == 2 and v[0] == v[1]
                               for v in files.values()),
       '-J 1 and -J 3 write identical files')

    # --format flac, text summary in input order
    out = os.path.join(tmp, 'flac')
    code, o, err, dt = run('master', '-q', '--target', 'spotify', '--format',
                           'flac', '-o', out, c, a)
    ok(code == 0 and sorted(os.listdir(out)) ==
       ['quiet.flac.flac', 'song.one.flac'], '--format flac: %s' % (
           os.listdir(out) if os.path.isdir(out) else None))
    lines = [l for l in o.splitlines() if l.startswith('  ')]
    ok(len(lines) == 2 and 'quiet.flac.wav' in lines[0] and
       'song.one.wav' in lines[1] and lines[0].rstrip().endswith('ok'),
       '-q: just the summary, one line per file in input order')

    # two inputs that map to the same output: refused before any work
    other = os.path.join(tmp, 'song.one.flac')
    shutil.copy(a, other)
    out = os.path.join(tmp, 'dup')
    code, o, err, dt = run('master', '--target', 'spotify', '-o', out, a,
                           other)
    ok(code == 2 and 'song.one.wav' in err and not os.path.exists(out),
       'two inputs, one output name: exit 2, nothing written')
    # the output directory is the input's: that file is refused, the
    # others mastered
    elsewhere = os.path.join(tmp, 'elsewhere.wav')
    shutil.copy(b, elsewhere)
    with open(a, 'rb') as f:
        a_bytes = f.read()
    code, o, err, dt = run('master', '-q', '--target', 'spotify', '-o',
                           srcdir, a, elsewhere)
    ok(code == 2 and 'replace the input' in err and
       os.path.exists(os.path.join(srcdir, 'elsewhere.wav')),
       'output = input in a batch: that file fails (exit 2), the other is '
       'mastered')
    with open(a, 'rb') as f:
        ok(f.read() == a_bytes, 'the input is untouched')
    os.unlink(os.path.join(srcdir, 'elsewhere.wav'))
    # an output directory that cannot be created
    code, o, err, dt = run('master', '--target', 'spotify', '-o',
                           os.path.join(a, 'sub'), b)
    ok(code == 7 and len(err.strip().splitlines()) == 1,
       'an output directory under a file: exit 7, one line')
    ok(run('master', '--target', 'spotify', '--format', 'mp3', '-o', out,
           a)[0] == 2, '--format mp3: exit 2')

    # Ctrl-C during a batch: no temporary file anywhere
    long_inputs = []
    for i in range(3):
        p = os.path.join(srcdir, 'long%d.wav' % i)
        write_wav(p, music(60.0, rate, 2, -10.0, seed=20 + i), rate, 's16')
        long_inputs.append(p)
    out = os.path.join(tmp, 'sig')
    env = dict(os.environ)
    if env.get('GST_PLUGIN_SYSTEM_PATH_1_0', None) == '':
        del env['GST_PLUGIN_SYSTEM_PATH_1_0']
    p = subprocess.Popen([cli.TOOL, 'master', '-q', '--target', 'spotify',
                          '-J', '3', '-o', out] + long_inputs, env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _ in range(4000):
        if (len(glob.glob(os.path.join(out, '*.part-*'))) >= 2 or
                p.poll() is not None):
            break
        time.sleep(0.005)
    started = len(glob.glob(os.path.join(out, '*.part-*')))
    p.send_signal(signal.SIGINT)
    p.wait(timeout=60)
    ok(started >= 2, 'Ctrl-C: %d temporary files existed' % started)
    ok(p.returncode == -signal.SIGINT,
       'Ctrl-C: ended by SIGINT (return code %d)' % p.returncode)
    no_leftovers(out, 'Ctrl-C during a batch')


CASES = {
    'targets': case_targets,
    'formats': case_formats,
    'dither': case_dither,
    'errors': case_errors,
    'signal': case_signal,
    'limiting': case_limiting,
    'tags': case_tags,
    'gentle': case_gentle,
    'demo': case_demo,
    'checklist': case_checklist,
    'fixes': case_fixes,
    'batch': case_batch,
    'chained': case_chained,
    's1': case_s1,
    'parallel': case_parallel,
    'master-batch': case_master_batch,
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
