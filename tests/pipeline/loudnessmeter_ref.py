"""Independent numpy reference for the loudnessmeter pipeline tests.

Shares no code with the plugin; a plain double-precision transcription of
the published definitions:

- K-weighting: the high-shelf and RLB high-pass analog prototypes of
  ITU-R BS.1770-4 Annex 1 (parameters as fitted by libebur128 and ffmpeg
  to the Recommendation's 48 kHz table), bilinear transform with
  pre-warping, two Direct Form I biquads.
- Windows (EBU Tech 3341 section 2): momentary 400 ms, short-term 3 s,
  rectangular, on a 10 ms grid from the start of the stream (sub-block k
  ends at frame floor((k + 1) rate / 100)); before a window is full the
  time before the start counts as silence; maxima over full windows only.
- Integrated loudness (BS.1770-4 eqs 3-7): 400 ms blocks every 100 ms,
  -70 LUFS absolute gate, relative gate 10 LU below, ">=" as libebur128.
- Loudness range (EBU Tech 3342): short-term values every 100 ms, -70 LUFS
  and -20 LU gates, 10th and 95th percentiles at round((n - 1) p).
- True peak (BS.1770-4 Annex 2): max of |x| and of a 129-tap
  Kaiser-windowed (beta 10) sinc interpolation at the 4x points.
"""
import math

import numpy as np


def k_coefficients(rate):
    """(shelf, highpass) as [b0, b1, b2, a1, a2] each."""
    f0, gain_db, q = 1681.974450955533, 3.999843853973347, 0.7071752369554196
    vh = 10.0 ** (gain_db / 20.0)
    vb = vh ** 0.4996667741545416
    k = math.tan(math.pi * f0 / rate)
    d = 1.0 + k / q + k * k
    shelf = [(vh + vb * k / q + k * k) / d, 2.0 * (k * k - vh) / d,
             (vh - vb * k / q + k * k) / d, 2.0 * (k * k - 1.0) / d,
             (1.0 - k / q + k * k) / d]
    fh, qh = 38.13547087602444, 0.5003270373238773
    kh = math.tan(math.pi * fh / rate)
    dh = 1.0 + kh / qh + kh * kh
    hp = [1.0, -2.0, 1.0, 2.0 * (kh * kh - 1.0) / dh,
          (1.0 - kh / qh + kh * kh) / dh]
    return shelf, hp


def _biquad(c, x):
    b0, b1, b2, a1, a2 = c
    y = [0.0] * len(x)
    x1 = x2 = y1 = y2 = 0.0
    for i, v in enumerate(x.tolist()):
        o = b0 * v + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2
        x2, x1, y2, y1 = x1, v, y1, o
        y[i] = o
    return np.array(y)


def k_weight(x, rate):
    shelf, hp = k_coefficients(rate)
    return _biquad(hp, _biquad(shelf, np.asarray(x, dtype=np.float64)))


def lufs(e):
    return -0.691 + 10.0 * math.log10(e) if e > 0.0 else -math.inf


class Reference:
    """Analysis of a (frames, channels) float array; channel weights w."""

    def __init__(self, x, rate, weights=None):
        x = np.asarray(x, dtype=np.float64)
        if x.ndim == 1:
            x = x[:, None]
        frames, ch = x.shape
        w = weights or [1.0] * ch
        nsub = 0
        while (nsub + 1) * rate // 100 <= frames:
            nsub += 1
        edges = np.array([k * rate // 100 for k in range(nsub + 1)])
        sub = np.zeros(nsub)
        for c in range(ch):
            z = k_weight(x[:, c], rate)
            # per sub-block sums, summed directly (no long prefix sums)
            sub += w[c] * np.array([np.sum(z[edges[k]:edges[k + 1]] ** 2)
                                    for k in range(nsub)])
        self.rate = rate
        self.subs = nsub
        self.m = np.zeros(nsub + 1)
        self.s = np.zeros(nsub + 1)
        for k in range(1, nsub + 1):
            self.m[k] = np.sum(sub[max(0, k - 40):k]) / (0.4 * rate)
            self.s[k] = np.sum(sub[max(0, k - 300):k]) / (3.0 * rate)
        self.mmax = np.full(nsub + 1, -1.0)
        self.smax = np.full(nsub + 1, -1.0)
        for k in range(1, nsub + 1):
            self.mmax[k] = max(self.mmax[k - 1],
                               self.m[k] if k >= 40 else -1.0)
            self.smax[k] = max(self.smax[k - 1],
                               self.s[k] if k >= 300 else -1.0)
        self.x = x

    def lu(self, e):
        return lufs(e)

    def momentary(self, k):
        return lufs(self.m[k])

    def shortterm(self, k):
        return lufs(self.s[k])

    def momentary_max(self, k):
        return lufs(self.mmax[k])

    def shortterm_max(self, k):
        return lufs(self.smax[k])

    def integrated(self, k):
        blocks = [self.m[j] for j in range(40, k + 1, 10)]
        passed = [e for e in blocks if lufs(e) >= -70.0]
        if not passed:
            return -math.inf
        rel = max(lufs(sum(passed) / len(passed)) - 10.0, -70.0)
        passed = [e for e in blocks if lufs(e) >= rel]
        return lufs(sum(passed) / len(passed)) if passed else -math.inf

    def loudness_range(self, k, p_lo=0.10, p_hi=0.95):
        st = [self.s[j] for j in range(300, k + 1, 10)]
        passed = [e for e in st if lufs(e) >= -70.0]
        if not passed:
            return 0.0
        gate = max(lufs(sum(passed) / len(passed)) - 20.0, -70.0)
        v = sorted(lufs(e) for e in st if lufs(e) >= gate)
        if not v:
            return 0.0
        n = len(v)
        return v[int((n - 1) * p_hi + 0.5)] - v[int((n - 1) * p_lo + 0.5)]


def true_peak(x, half=64, beta=10.0, open_end=False):
    """Linear true peak of one channel (4x points + the samples); silence
    before the start.  open_end: the stream stops without silence after
    it (a meter at EOS has not heard what follows), so the points between
    the last `half` samples, whose interpolation would need it, are left
    out."""
    x = np.asarray(x, dtype=np.float64)
    peak = float(np.max(np.abs(x))) if len(x) else 0.0
    last = len(x) - half if open_end else len(x)
    m = np.arange(-half, half + 1)
    for p in (1, 2, 3):
        t = p / 4.0 - m
        h = np.sinc(t) * np.i0(beta * np.sqrt(1.0 - (t / (half + 1.0)) ** 2)) \
            / np.i0(beta)
        # value at i + p/4 = sum_m x[i + m] h(p/4 - m)
        y = np.convolve(x, h[::-1], mode='full')[half:half + last]
        peak = max(peak, float(np.max(np.abs(y))))
    return peak
