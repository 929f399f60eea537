#!/usr/bin/env python3
# gst-mastering — inputs whose format is not one steady stream (TAP output)
#
# Usage: cli_formats.py CASE PATH-TO-gst-mastering
#
# The files are made with the stock GStreamer encoders (gst-launch-1.0);
# a case is skipped (TAP SKIP) only when an encoder it needs is absent.
# Every run of the tool has a timeout, so a hang fails instead of blocking.
#
# Cases:
#   chained-ogg   two Vorbis files concatenated (`cat a.ogg b.ogg`): same
#                 format, then another rate, then another rate and channel
#                 count: no hang, the duration is the sum of both chains,
#                 the loudness is that of both (parts 6 dB apart, so the
#                 level of either part alone is 2-4 LU off), the report
#                 says the format changed; `master` writes the whole file
#   mp3-rates     two MP3s concatenated, 44.1 kHz then 48 kHz: measured as
#                 a whole, duration of both, format change reported, also
#                 in --json; `master` likewise
#   two-streams   a Matroska file with two audio tracks (stereo at -12 dBFS,
#                 then mono at -30 dBFS), muxed several times (matroskamux
#                 draws random track UIDs, the order decodebin exposes the
#                 decoded pads in): every run of `analyze` measures the
#                 first track, as the note says, and `master` writes it
#   upmix         a mono AAC in MP4 that the decoder outputs as stereo:
#                 reported as 1 channel with the upmix noted, measured as
#                 the mono WAV it was made from; `master` writes mono
import json
import math
import os
import shutil
import subprocess
import sys
import struct
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cli  # noqa: E402  (TAP helpers, the analytic sine loudness)

from cli import ok, close, diag, sine_loudness, write_sine  # noqa: E402

TIMEOUT = 60


def run(*args):
    """Runs the tool with a timeout: a hang is a failure, not a block."""
    env = dict(os.environ)
    if env.get('GST_PLUGIN_SYSTEM_PATH_1_0', None) == '':
        del env['GST_PLUGIN_SYSTEM_PATH_1_0']
    try:
        p = subprocess.run([cli.TOOL] + list(args), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, env=env, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        ok(False, 'gst-mastering %s finishes within %d s (it hung)'
           % (' '.join(args), TIMEOUT))
        return None, '', ''
    err = p.stderr.decode('utf-8', 'replace')
    if err:
        diag('stderr: ' + err.strip())
    return p.returncode, p.stdout.decode('utf-8', 'replace'), err


def analyze_json(path):
    code, out, err = run('analyze', '--json', '-q', '--no-checklist', path)
    try:
        return code, json.loads(out)
    except ValueError:
        diag('not JSON: ' + out[:300])
        return code, None


def have(element):
    env = dict(os.environ)
    env.pop('GST_PLUGIN_SYSTEM_PATH_1_0', None)
    return subprocess.run(['gst-inspect-1.0', '--exists', element],
                          env=env).returncode == 0


def encode(wav, out, chain):
    """wav -> out through `chain` (gst-launch syntax)."""
    env = dict(os.environ)
    env.pop('GST_PLUGIN_SYSTEM_PATH_1_0', None)
    cmd = ('gst-launch-1.0 -q filesrc location=%s ! wavparse ! audioconvert '
           '! %s ! filesink location=%s' % (wav, chain, out))
    subprocess.run(cmd.split(), env=env, check=True, timeout=TIMEOUT)


def cat(out, *parts):
    with open(out, 'wb') as f:
        for p in parts:
            with open(p, 'rb') as g:
                f.write(g.read())


def wav_seconds(path):
    """(seconds, channels) from a RIFF WAV's fmt and data chunks (any sample
    format, float included)."""
    with open(path, 'rb') as f:
        data = f.read()
    pos, rate, channels, block = 12, 0, 0, 0
    while pos + 8 <= len(data):
        cid = data[pos:pos + 4]
        size = struct.unpack('<I', data[pos + 4:pos + 8])[0]
        if cid == b'fmt ':
            _, channels, rate = struct.unpack('<HHI', data[pos + 8:pos + 16])
            block = struct.unpack('<H', data[pos + 20:pos + 22])[0]
        elif cid == b'data':
            return size / float(block) / rate, channels
        pos += 8 + size + (size & 1)
    return 0.0, channels


def combined(parts):
    """Integrated loudness of steady parts one after the other: every 400 ms
    block of a part has that part's loudness, both pass the gates (6 dB
    apart, the relative gate is -10 LU), so BS.1770-4 Annex 1 eq. (6) is the
    duration-weighted mean of the block powers (the few blocks across the
    boundary shift it by < 0.1 LU)."""
    total = sum(d for d, _ in parts)
    power = sum(d * 10 ** ((l + 0.691) / 10.0) for d, l in parts) / total
    return -0.691 + 10.0 * math.log10(power)


def skip_all(why):
    print('1..0 # SKIP %s' % why)
    sys.exit(0)


def check_master(tmp, src, seconds, channels, what):
    out = os.path.join(tmp, 'master-%s.wav'
                       % ''.join(c if c.isalnum() else '-' for c in what))
    code, text, err = run('master', '-q', '--json', src, out,
                          '--target', 'spotify')
    if code is None:
        return
    ok(code == 0, '%s: master exits 0 (got %s)' % (what, code))
    if not os.path.exists(out):
        ok(False, '%s: master wrote its output' % what)
        return
    secs, ch = wav_seconds(out)
    # the output is the whole input (not only its first or last part)
    close(secs, seconds, 0.1, '%s: master output duration (s)' % what)
    ok(ch == channels, '%s: master output has %d channel(s) (got %d)'
       % (what, channels, ch))
    try:
        rep = json.loads(text)
    except ValueError:
        rep = None
    return rep


# --- cases -------------------------------------------------------------------

def case_chained_ogg(tmp):
    if not (have('vorbisenc') and have('oggmux') and have('vorbisdec')):
        skip_all('vorbisenc/oggmux/vorbisdec not installed')
    # (rate, channels, peak dBFS) of the second chain; the first is
    # 44.1 kHz stereo at -12 dBFS, 3 s, 997 Hz
    seconds = 3.0
    first = os.path.join(tmp, 'a.wav')
    write_sine(first, 44100, 2, seconds, 997.0, -12.0)
    a = os.path.join(tmp, 'a.ogg')
    encode(first, a, 'vorbisenc quality=0.8 ! oggmux')
    la = sine_loudness(-12.0, 997.0, 44100, 2)
    for rate, ch, peak in ((44100, 2, -18.0), (48000, 2, -18.0),
                           (32000, 1, -18.0)):
        what = 'chained Ogg 44100/2 + %d/%d' % (rate, ch)
        second = os.path.join(tmp, 'b%d%d.wav' % (rate, ch))
        write_sine(second, rate, ch, seconds, 997.0, peak)
        b = os.path.join(tmp, 'b%d%d.ogg' % (rate, ch))
        encode(second, b, 'vorbisenc quality=0.8 ! oggmux')
        ab = os.path.join(tmp, 'ab%d%d.ogg' % (rate, ch))
        cat(ab, a, b)
        code, rep = analyze_json(ab)
        if code is None:
            continue
        ok(code == 0, '%s: analyze exits 0 (got %s)' % (what, code))
        if not rep:
            continue
        # both chains: 6 s (Vorbis adds no samples at the ends)
        close(rep['duration_s'], 2 * seconds, 0.05, what + ': duration (s)')
        ok(rep['chains'] == 2, what + ': 2 chains reported (got %s)'
           % rep['chains'])
        changed = rate != 44100 or ch != 2
        ok((rep['format_changes'] > 0) == changed,
           what + ': format change reported: %s' % rep['format_changes'])
        ok(rep['rate'] == 44100 and rep['channels'] == 2,
           what + ': measured in the first format (%s Hz, %s ch)'
           % (rep['rate'], rep['channels']))
        if ch == 2:
            want = combined([(seconds, la),
                             (seconds, sine_loudness(peak, 997.0, rate, 2))])
            close(rep['integrated_lufs'], want, 0.3,
                  what + ': integrated loudness of both chains (LUFS)')
        code, text, err = run('analyze', '-q', '--no-checklist', ab)
        if changed:
            ok('Format change' in text, what + ': text report says so')
        if rate == 48000:
            check_master(tmp, ab, 2 * seconds, 2, what)


def case_mp3_rates(tmp):
    if not (have('lamemp3enc') and have('mpg123audiodec')
            or have('lamemp3enc') and have('avdec_mp3')):
        skip_all('no MP3 encoder or decoder installed')
    seconds = 3.0
    parts = []
    files = []
    for rate, peak in ((44100, -12.0), (48000, -18.0)):
        w = os.path.join(tmp, 'p%d.wav' % rate)
        write_sine(w, rate, 2, seconds, 997.0, peak)
        m = os.path.join(tmp, 'p%d.mp3' % rate)
        encode(w, m, 'lamemp3enc target=bitrate bitrate=256 cbr=true')
        code, rep = analyze_json(m)
        ok(code == 0 and rep is not None, 'MP3 at %d Hz alone' % rate)
        if not rep:
            return
        # the decoded duration of each part includes the codec's padding
        parts.append((rep['duration_s'], sine_loudness(peak, 997.0, rate, 2)))
        files.append(m)
    both = os.path.join(tmp, 'both.mp3')
    cat(both, *files)
    code, rep = analyze_json(both)
    if code is None:
        return
    ok(code == 0, 'concatenated MP3s: analyze exits 0 (got %s)' % code)
    if not rep:
        return
    total = sum(d for d, _ in parts)
    close(rep['duration_s'], total, 0.06, 'concatenated MP3s: duration (s)')
    ok(rep['format_changes'] >= 1, 'concatenated MP3s: format change '
       'reported (%s)' % rep['format_changes'])
    ok(rep['format_change'] and '44100' in rep['format_change']
       and '48000' in rep['format_change'],
       'concatenated MP3s: the change is described: %s'
       % rep['format_change'])
    close(rep['integrated_lufs'], combined(parts), 0.3,
          'concatenated MP3s: integrated loudness of both parts (LUFS)')
    code, text, err = run('analyze', '-q', '--no-checklist', both)
    ok('Format change' in text, 'concatenated MP3s: the text report says '
       'the format changed')
    rep = check_master(tmp, both, total, 2, 'concatenated MP3s')
    ok(rep is not None and rep.get('format_changes', 0) >= 1,
       'concatenated MP3s: master --json reports the format change')


def case_upmix(tmp):
    enc = None
    for e in ('avenc_aac', 'fdkaacenc', 'voaacenc'):
        if have(e):
            enc = e
            break
    if not enc or not have('mp4mux'):
        skip_all('no AAC encoder (avenc_aac, fdkaacenc, voaacenc) or mp4mux')
    w = os.path.join(tmp, 'mono.wav')
    write_sine(w, 48000, 1, 4.0, 997.0, -12.0)
    m4a = os.path.join(tmp, 'mono.m4a')
    encode(w, m4a, '%s ! mp4mux' % enc)
    code, rep = analyze_json(m4a)
    if code is None or not rep:
        ok(False, 'mono AAC: analyze --json')
        return
    ok(code == 0, 'mono AAC: analyze exits 0 (got %s)' % code)
    ok(rep['source_channels'] == 1, 'mono AAC: 1 source channel reported '
       '(got %s)' % rep['source_channels'])
    ok(rep['channels'] == 1, 'mono AAC: measured as 1 channel (got %s)'
       % rep['channels'])
    diag('decoder output %s channel(s); upmix %s' % (rep['decoded_channels'],
                                                     rep['decoder_upmix']))
    if rep['decoded_channels'] > 1:
        ok(rep['decoder_upmix'] is True, 'mono AAC: the upmix is noted')
        code, text, err = run('analyze', '-q', '--no-checklist', m4a)
        ok('upmix' in text, 'mono AAC: the text report notes the upmix')
    # a mono programme is measured with its one channel (BS.1770-4
    # Annex 1: G = 1.0), not as two copies (+3 dB)
    close(rep['integrated_lufs'], sine_loudness(-12.0, 997.0, 48000, 1), 0.3,
          'mono AAC: integrated loudness of the mono sine (LUFS)')
    check_master(tmp, m4a, rep['duration_s'], 1, 'mono AAC')


def case_two_streams(tmp):
    if not (have('flacenc') and have('matroskamux') and have('flacdec')):
        skip_all('flacenc/matroskamux/flacdec not installed')
    seconds = 2.0
    first = os.path.join(tmp, 'first.wav')
    second = os.path.join(tmp, 'second.wav')
    write_sine(first, 48000, 2, seconds, 997.0, -12.0)
    write_sine(second, 48000, 1, seconds, 997.0, -30.0)
    want = sine_loudness(-12.0, 997.0, 48000, 2)
    env = dict(os.environ)
    env.pop('GST_PLUGIN_SYSTEM_PATH_1_0', None)
    runs = []
    for i in range(3):
        mkv = os.path.join(tmp, 'two%d.mkv' % i)
        cmd = ('gst-launch-1.0 -q matroskamux name=mux ! filesink location=%s '
               'filesrc location=%s ! wavparse ! audioconvert ! flacenc ! '
               'mux.audio_0 filesrc location=%s ! wavparse ! audioconvert ! '
               'flacenc ! mux.audio_1' % (mkv, first, second))
        subprocess.run(cmd.split(), env=env, check=True, timeout=TIMEOUT)
        for r in range(4):
            code, rep = analyze_json(mkv)
            runs.append((code, rep and rep['channels'],
                         rep and rep['integrated_lufs']))
    diag('(exit, channels, LUFS) per run: %s' % runs)
    ok(all(c == 0 and ch == 2 for c, ch, _ in runs),
       'two audio tracks: every run measures the first (stereo) one')
    ok(all(lufs is not None and abs(lufs - want) <= 0.1
           for _, _, lufs in runs),
       'two audio tracks: its loudness every time (%.2f LUFS)' % want)
    code, out, err = run('analyze', '--no-checklist', mkv)
    ok('more than one audio stream' in err and 'first' in err,
       'two audio tracks: a note says only the first is measured')
    out_path = os.path.join(tmp, 'two-master.wav')
    code, o, err = run('master', '-q', mkv, out_path, '--target', 'podcast')
    secs, ch = wav_seconds(out_path) if code == 0 else (0.0, 0)
    ok(code == 0 and ch == 2, 'two audio tracks: master writes the first '
       '(exit %s, %s channels)' % (code, ch))


CASES = {
    'chained-ogg': case_chained_ogg,
    'mp3-rates': case_mp3_rates,
    'upmix': case_upmix,
    'two-streams': case_two_streams,
}


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in CASES:
        print('usage: cli_formats.py {%s} PATH-TO-gst-mastering'
              % '|'.join(CASES))
        return 2
    cli.TOOL = os.path.abspath(sys.argv[2])
    if not shutil.which('gst-launch-1.0'):
        skip_all('gst-launch-1.0 not found')
    with tempfile.TemporaryDirectory(prefix='mst-cli-formats-') as tmp:
        CASES[sys.argv[1]](tmp)
    return cli.done()


if __name__ == '__main__':
    sys.exit(main())
