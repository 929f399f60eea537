#!/usr/bin/env python3
"""The element presets are installed where GStreamer looks for system
presets of the install prefix (<prefix>/<datadir>/gstreamer-1.0/presets,
GstPreset's system directory when the plugin shares GStreamer's prefix)
and copied into the build tree for GST_PRESET_PATH.

    presets_installed.py BUILDDIR PRESETDIR Name.prs...

Reads meson's own record of the install plan (meson-info, written at
configure time), so it needs no install.  Prints TAP.
"""
import configparser
import json
import os
import sys


def main():
    build, preset_dir, names = sys.argv[1], sys.argv[2], sys.argv[3:]
    info = os.path.join(build, 'meson-info')
    with open(os.path.join(info, 'intro-installed.json')) as f:
        installed = json.load(f)
    with open(os.path.join(info, 'intro-buildoptions.json')) as f:
        opts = {o['name']: o['value'] for o in json.load(f)}
    want_dir = os.path.join(opts['prefix'], opts['datadir'], 'gstreamer-1.0',
                            'presets')
    dests = set(installed.values())
    print('1..%d' % (2 * len(names)))
    n = 0
    for name in names:
        n += 1
        dest = os.path.join(want_dir, name)
        print('%s %d - %s installed as %s' % (
            'ok' if dest in dests else 'not ok', n, name, dest))
        n += 1
        path = os.path.join(preset_dir, name)
        cp = configparser.ConfigParser(interpolation=None, delimiters=('=',))
        try:
            ok = bool(cp.read(path)) and '_presets_' in cp.sections() \
                and len(cp.sections()) > 1
        except configparser.Error:
            ok = False
        print('%s %d - %s in the build tree (%s) with presets: %s' % (
            'ok' if ok else 'not ok', n, name, preset_dir,
            ', '.join(s for s in cp.sections() if s != '_presets_')
            if ok else 'none'))


if __name__ == '__main__':
    main()
