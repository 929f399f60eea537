#!/usr/bin/env python3
# gst-mastering — end-to-end tests of `--plot` (TAP output)
#
# Usage: cli_plot.py CASE PATH-TO-gst-mastering
#
# The PNG is read by this script itself (signature, chunk CRCs, IHDR,
# zlib, the five row filters of the PNG specification, ISO/IEC 15948
# §9), never through cairo, and judged by the colours docs/cli.md
# documents: momentary #6baed6, short-term #08306b, integrated #e6550d,
# target band #1b9e77 at 16 % over white, true-peak overs #d62728.
#
# Cases:
#   plot      `analyze --plot`: a valid PNG of the default and of a
#             --plot-size size; the lines are drawn; the short-term line
#             lies above the target band for a loud file and below it for
#             a quiet one; a target's maximum short-term loudness (R 128
#             s1) is a second line; overs (true peak above the target's
#             ceiling) are
#             marked only where the signal is hot; the text and JSON
#             reports name the plot; `master --plot` and `demo` write the
#             plot of the output; bad options exit 2, an unwritable path 7
#   long      30 minutes (decimated: more points than the plot keeps): a
#             loud minute at 25:00 appears at 25/30 of the time axis
import math
import os
import struct
import sys
import tempfile
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cli  # noqa: E402
import cli_master as cm  # noqa: E402
from cli import ok, close, diag, run  # noqa: E402

np = None

C_MOMENTARY = (0x6b, 0xae, 0xd6)
C_SHORTTERM = (0x08, 0x30, 0x6b)
C_INTEGRATED = (0xe6, 0x55, 0x0d)
C_OVER = (0xd6, 0x27, 0x28)
C_TARGET = (0x1b, 0x9e, 0x77)
# the band: 16 % of #1b9e77 over white
C_BAND = tuple(round(255 * 0.84 + c * 0.16) for c in (0x1b, 0x9e, 0x77))


def need_numpy():
    global np
    cm.need_numpy()
    np = cm.np


# --- PNG, read by hand ---------------------------------------------------------

def read_png(path):
    """Returns (width, height, pixels (h, w, 3) uint8) or raises."""
    with open(path, 'rb') as f:
        blob = f.read()
    assert blob[:8] == b'\x89PNG\r\n\x1a\n', 'PNG signature'
    pos, ihdr, idat, end = 8, None, b'', False
    while pos < len(blob):
        length = struct.unpack('>I', blob[pos:pos + 4])[0]
        ctype = blob[pos + 4:pos + 8]
        body = blob[pos + 8:pos + 8 + length]
        crc = struct.unpack('>I', blob[pos + 8 + length:pos + 12 + length])[0]
        assert zlib.crc32(ctype + body) & 0xffffffff == crc, \
            'CRC of %r' % ctype
        if ctype == b'IHDR':
            ihdr = struct.unpack('>IIBBBBB', body)
        elif ctype == b'IDAT':
            idat += body
        elif ctype == b'IEND':
            end = True
            break
        pos += 12 + length
    assert ihdr and end, 'IHDR and IEND'
    w, h, depth, ctype, comp, filt, interlace = ihdr
    assert depth == 8 and ctype in (2, 6) and interlace == 0, \
        'RGB(A) 8-bit, not interlaced: %r' % (ihdr,)
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = w * bpp
    assert len(raw) == h * (stride + 1), 'image data size'
    out = np.zeros((h, stride), np.uint8)
    prev = bytearray(stride)
    for y in range(h):
        ft = raw[y * (stride + 1)]
        line = raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)]
        if ft == 0:
            cur = bytearray(line)
        elif ft == 2:
            cur = bytearray((a + b) & 0xff for a, b in zip(line, prev))
        elif ft == 1:
            # Sub: a running sum per byte position modulo 256
            v = np.frombuffer(line, np.uint8).reshape(-1, bpp)
            cur = bytearray(np.cumsum(v, axis=0, dtype=np.uint8).tobytes())
        else:
            cur = bytearray(line)
            for i in range(stride):
                a = cur[i - bpp] if i >= bpp else 0
                b = prev[i]
                if ft == 3:
                    pred = (a + b) >> 1
                else:
                    c = prev[i - bpp] if i >= bpp else 0
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    pred = a if pa <= pb and pa <= pc else \
                        b if pb <= pc else c
                cur[i] = (cur[i] + pred) & 0xff
        out[y] = np.frombuffer(bytes(cur), np.uint8)
        prev = cur
    px = out.reshape(h, w, bpp)[:, :, :3]
    return w, h, px


def mask(px, rgb, tol=40):
    d = np.abs(px.astype(np.int64) - np.array(rgb)).sum(axis=2)
    return d <= tol


def strip_rows(px):
    """Rows of the true-peak strip: mostly the strip's light grey."""
    grey = mask(px, (246, 246, 246), 3).mean(axis=1)
    return np.nonzero(grey > 0.5)[0]


def strip_overs(px):
    """(rows of the strip, columns with an over tick inside it, the
    strip's first and last column: the plot's time axis)."""
    rows = strip_rows(px)
    if not len(rows):
        return rows, np.array([], int), 0, 0
    grey = np.nonzero(mask(px[rows], (246, 246, 246), 3).any(axis=0))[0]
    red = mask(px[rows], C_OVER, 30).any(axis=0)
    red[:grey.min()] = False
    red[grey.max() + 1:] = False
    return rows, np.nonzero(red)[0], grey.min(), grey.max()


# --- signals -------------------------------------------------------------------

def tone(seconds, rate, level_db, freq=997.0):
    t = np.arange(int(seconds * rate)) / rate
    x = 10 ** (level_db / 20) * np.sin(2 * np.pi * freq * t)
    return np.stack([x, x], axis=1)


# --- cases ---------------------------------------------------------------------

def case_plot(tmp):
    need_numpy()
    rate = 48000
    png = os.path.join(tmp, 'demo.png')
    code, out, err, _ = run('analyze', '--demo', '-q', '--plot', png)
    ok(code == 0 and os.path.exists(png), 'analyze --demo --plot: exit 0, '
       'file written')
    ok('Plot           ' + png in out, 'the text report names the plot')
    w, h, px = read_png(png)
    ok((w, h) == (1200, 600), 'default size 1200x600: %dx%d' % (w, h))
    n_m, n_s, n_i = (int(mask(px, c, t).sum()) for c, t in
                     ((C_MOMENTARY, 30), (C_SHORTTERM, 10),
                      (C_INTEGRATED, 10)))
    ok(n_m > 500 and n_s > 1000 and n_i > 300,
       'momentary, short-term and integrated lines drawn (%d, %d, %d px)'
       % (n_m, n_s, n_i))
    ok(not mask(px, C_BAND, 6).any(), 'no target: no band')

    png2 = os.path.join(tmp, 'small.png')
    code, _, _, _ = run('analyze', '--demo', '-q', '--plot', png2,
                        '--plot-size', '640x360')
    w, h, _ = read_png(png2)
    ok(code == 0 and (w, h) == (640, 360), '--plot-size 640x360: %dx%d'
       % (w, h))

    # loud and quiet against Spotify's band (-14 LUFS +- 1): the
    # short-term line above the band, then below it
    where = {}
    for name, level in (('loud', -3.0), ('quiet', -40.0)):
        wav = os.path.join(tmp, name + '.wav')
        cm.write_wav(wav, tone(8, rate, level), rate, 's16')
        p = os.path.join(tmp, name + '.png')
        code, rep, _, _ = cli.run_json(wav, '--plot', p, '--plot-size',
                                       '800x400', '--target', 'spotify')
        ok(code == 0 and rep and rep.get('plot') == p,
           '%s: --json names the plot' % name)
        w, h, px = read_png(p)
        band = np.nonzero(mask(px, C_BAND, 6).sum(axis=1) > w // 3)[0]
        body = px[int(0.2 * h):]
        rows = np.nonzero(mask(body, C_SHORTTERM, 10).any(axis=1))[0]
        if not ok(len(band) > 0 and len(rows) > 0,
                  '%s: band and short-term line drawn' % name):
            continue
        line = float(np.median(rows)) + int(0.2 * h)
        where[name] = (line, band.min(), band.max())
        diag('%s: short-term line row %.0f, band rows %d-%d'
             % (name, line, band.min(), band.max()))
    if len(where) == 2:
        ok(where['loud'][0] < where['loud'][1], 'loud (about -3 LUFS): line above '
           'the band')
        ok(where['quiet'][0] > where['quiet'][2], 'quiet (about -40 LUFS): line '
           'below the band')

    # EBU R 128 s1 has a maximum short-term loudness: a second green line
    # (dotted) besides the target's
    groups = {}
    for target in ('ebu-r128', 'ebu-r128-s1'):
        p = os.path.join(tmp, target + '.png')
        run('analyze', '--demo', '-q', '--no-checklist', '--plot', p,
            '--target', target)
        w, h, px = read_png(p)
        _, _, x0, x1 = strip_overs(px)
        green = mask(px[:, x0 + 1:x1], C_TARGET, 10).sum(axis=1) > 20
        rows = np.nonzero(green)[0]
        groups[target] = int(np.sum(np.diff(rows) > 2) + 1) if len(rows) \
            else 0
    ok(groups == {'ebu-r128': 1, 'ebu-r128-s1': 2}, 'green lines: the '
       'target, and for R 128 s1 also its maximum short-term loudness (%s)'
       % groups)

    # overs: -12 dBFS for 10 s, then -0.2 dBFS (true peak > -1 dBTP) for
    # 10 s: red ticks in the strip, only in the right half
    x = np.concatenate([tone(10, rate, -12.0), tone(10, rate, -0.2)])
    hot = os.path.join(tmp, 'hot.wav')
    cm.write_wav(hot, x, rate, 's16')
    p = os.path.join(tmp, 'hot.png')
    code, _, _, _ = run('analyze', hot, '-q', '--plot', p, '--target',
                        'spotify')
    w, h, px = read_png(p)
    rows, cols, x0, x1 = strip_overs(px)
    ok(code == 0 and len(rows) > 5, 'the true-peak strip is there (%d rows)'
       % len(rows))
    ok(len(cols) > 20 and cols.min() >= (x0 + x1) / 2 - 2,
       'overs marked in the hot half only (%d columns from x=%s, axis '
       '%d-%d)' % (len(cols), cols.min() if len(cols) else None, x0, x1))
    cool = os.path.join(tmp, 'cool.wav')
    cm.write_wav(cool, x[:rate * 10], rate, 's16')
    p = os.path.join(tmp, 'cool.png')
    run('analyze', cool, '-q', '--plot', p, '--target', 'spotify')
    w, h, px = read_png(p)
    rows, cols, _, _ = strip_overs(px)
    ok(len(rows) > 5 and not len(cols), 'no overs at -12 dBFS: no tick')

    # master and demo plot their output
    out = os.path.join(tmp, 'hot-master.wav')
    p = os.path.join(tmp, 'hot-master.png')
    code, rep, _ = cm.master_json(hot, out, '--target', 'spotify', '--plot',
                                  p, '--plot-size', '900x500')
    ok(code == 0 and rep and rep.get('plot') == p and os.path.exists(p),
       'master --plot: written, named in --json')
    if os.path.exists(p):
        w, h, px = read_png(p)
        rows, cols, _, _ = strip_overs(px)
        ok((w, h) == (900, 500) and len(rows) > 5 and not len(cols),
           'master --plot: 900x500, no overs after the limiter')
    d = os.path.join(tmp, 'demo')
    os.mkdir(d)
    code, _, _, _ = run('demo', '-q', '-o', d)
    p = os.path.join(d, 'demo-loudness.png')
    ok(code == 0 and os.path.exists(p), 'demo writes demo-loudness.png')
    if os.path.exists(p):
        w, h, px = read_png(p)
        ok((w, h) == (1200, 600) and mask(px, C_BAND, 6).sum() > 10000,
           'demo-loudness.png: 1200x600 with the Spotify band')

    # errors
    for args, want, what in (
            (['--plot-size', '100x100', '--plot', png], 2, 'too small'),
            (['--plot-size', '800', '--plot', png], 2, 'no height'),
            (['--plot-size', '800x400'], 2, 'size without --plot'),
            (['--target', 'nowhere', '--plot', png], 2, 'unknown target'),
            (['--plot', os.path.join(tmp, 'no', 'dir.png')], 7,
             'missing directory')):
        code, _, err, _ = run('analyze', '--demo', '-q', *args)
        ok(code == want and err.strip().count('\n') <= 1,
           'error: %s: exit %s (want %d), one line' % (what, code, want))
    code, _, _, _ = run('analyze', hot, cool, '--plot', png)
    ok(code == 2, '--plot with two inputs: exit 2')
    ok(not os.path.exists(os.path.join(tmp, 'no')), 'nothing created')


def case_long(tmp):
    need_numpy()
    rate = 8000
    minutes = 30
    rng = np.random.default_rng(3)
    n = minutes * 60 * rate
    x = 0.02 * rng.standard_normal(n)
    x[25 * 60 * rate:26 * 60 * rate] *= 12.0
    wav = os.path.join(tmp, 'long.wav')
    cm.write_wav(wav, x.reshape(-1, 1), rate, 's16')
    del x
    p = os.path.join(tmp, 'long.png')
    code, _, _, _ = run('analyze', wav, '-q', '--no-checklist', '--plot', p)
    ok(code == 0, 'analyze --plot of 30 minutes: exit 0')
    w, h, px = read_png(p)
    s = mask(px[int(0.2 * h):], C_SHORTTERM, 10)
    cols = np.nonzero(s.any(axis=0))[0]
    top = np.nonzero(s.any(axis=1))[0].min()
    peak_cols = np.nonzero(s[top:top + 3].any(axis=0))[0]
    frac = (np.median(peak_cols) - cols.min()) / (cols.max() - cols.min())
    close(frac, 25.5 / 30, 0.02, 'the loud minute sits at 25:00-26:00 of '
          'the time axis (fraction)')


CASES = {
    'plot': case_plot,
    'long': case_long,
}


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in CASES:
        print('usage: cli_plot.py {%s} PATH-TO-gst-mastering'
              % '|'.join(CASES))
        return 2
    cli.TOOL = os.path.abspath(sys.argv[2])
    with tempfile.TemporaryDirectory(prefix='mst-plot-') as tmp:
        CASES[sys.argv[1]](tmp)
    return cli.done()


if __name__ == '__main__':
    sys.exit(main())
