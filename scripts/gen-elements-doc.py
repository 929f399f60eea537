#!/usr/bin/env python3
"""Generate the reference tables of docs/elements.md from the built plugin.

Loads only the plugin in PLUGIN_DIR (private registry, no system plugins),
walks every element factory of the plugin `mastering` and writes, for each
element, a block between

    <!-- BEGIN GENERATED: <element> -->
    <!-- END GENERATED -->

holding its heading, description, classification, pad templates with caps,
properties (type, range or enum values, default, flags), the properties of
its GstChildProxy children (one table per child type), and its signals.
An index of all elements goes between the `index` markers.  Everything
outside the markers (the hand-written prose) is kept as it is.  An element
without a block yet gets one appended at the end of the file, so a new
element shows up with its tables even before anyone writes prose for it.

The output contains no version strings or paths and does not depend on the
order in which GStreamer lists things, so it is the same on every machine.

    gen-elements-doc.py --plugin-dir BUILDDIR/gst --output docs/elements.md
    gen-elements-doc.py --plugin-dir BUILDDIR/gst --check docs/elements.md

--check exits 1 and prints a unified diff when the file is not what the
build generates (the `docs-elements-current` test).  The meson target
`update-docs` runs the first form.
"""

import argparse
import difflib
import math
import os
import re
import shutil
import sys
import tempfile

PLUGIN = 'mastering'
BEGIN = '<!-- BEGIN GENERATED: %s -->'
END = '<!-- END GENERATED -->'
BEGIN_RE = re.compile(r'^<!-- BEGIN GENERATED: ([A-Za-z0-9_.-]+) -->$')

# Classes of GStreamer's libraries: their properties are listed in one line
# ("inherited"), their signals not at all.  Types between these and the
# element type (a shared base class of this plugin) are documented fully.
LIBRARY_TYPES = {
    'GObject', 'GInitiallyUnowned', 'GstObject', 'GstElement', 'GstBin',
    'GstPipeline', 'GstBaseTransform', 'GstAudioFilter', 'GstBaseSrc',
    'GstPushSrc', 'GstBaseSink', 'GstAudioSink', 'GstAudioSrc',
    'GstAudioBaseSink', 'GstAudioBaseSrc', 'GstAggregator',
    'GstAudioAggregator', 'GstAggregatorPad', 'GstAudioAggregatorPad',
    'GstPad',
}

Gst = GObject = None
RANKS = {0: 'none', 64: 'marginal', 128: 'secondary', 256: 'primary'}


def load_gst(plugin_dir, registry):
    """Import Gst with only plugin_dir on the plugin path."""
    global Gst, GObject
    os.environ['GST_PLUGIN_PATH_1_0'] = os.path.abspath(plugin_dir)
    os.environ['GST_PLUGIN_SYSTEM_PATH_1_0'] = ''
    os.environ['GST_PLUGIN_PATH'] = ''
    os.environ['GST_PLUGIN_SYSTEM_PATH'] = ''
    os.environ['GST_REGISTRY_1_0'] = registry
    os.environ['GST_REGISTRY_FORK'] = 'no'
    import gi
    gi.require_version('Gst', '1.0')
    from gi.repository import Gst as _Gst, GObject as _GObject
    Gst, GObject = _Gst, _GObject
    Gst.init(None)


# ---- formatting helpers -------------------------------------------------

def md(text):
    """Text for a Markdown table cell."""
    return (text or '').replace('|', '\\|').replace('\n', ' ').strip()


def fmt_num(v):
    if isinstance(v, bool):
        return 'true' if v else 'false'
    if isinstance(v, int):
        return str(v)
    if math.isinf(v):
        return '-inf' if v < 0 else 'inf'
    if math.isnan(v):
        return 'nan'
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return repr(v)


# Largest / smallest values of the numeric GLib types: a bound equal to
# one of these is "no bound".
TYPE_LIMITS = {
    'gint': (-2 ** 31, 2 ** 31 - 1), 'guint': (0, 2 ** 32 - 1),
    'glong': (-2 ** 63, 2 ** 63 - 1), 'gulong': (0, 2 ** 64 - 1),
    'gint64': (-2 ** 63, 2 ** 63 - 1), 'guint64': (0, 2 ** 64 - 1),
    'gchar': (-128, 127), 'guchar': (0, 255),
    'gfloat': (-3.4028234663852886e+38, 3.4028234663852886e+38),
    'gdouble': (-sys.float_info.max, sys.float_info.max),
}


def fmt_range(type_name, lo, hi):
    tlo, thi = TYPE_LIMITS.get(type_name, (None, None))
    no_lo = lo is None or (tlo is not None and (lo <= tlo or
                                                (type_name in ('gfloat', 'gdouble') and lo <= -thi)))
    no_hi = hi is None or (thi is not None and hi >= thi)
    if no_lo and no_hi:
        return 'any'
    if no_hi:
        return '≥ %s' % fmt_num(lo)
    if no_lo:
        return '≤ %s' % fmt_num(hi)
    return '%s … %s' % (fmt_num(lo), fmt_num(hi))


def is_a(gtype, fundamental):
    return GObject.type_is_a(gtype, fundamental)


def enum_values(ps):
    """[(value, nick, description)] of an enum or flags property, sorted."""
    if is_a(ps.value_type, GObject.TYPE_ENUM):
        return [(v, e.value_nick, e.value_name)
                for v, e in sorted(ps.enum_class.__enum_values__.items())]
    return [(v, e.first_value_nick, e.first_value_name)
            for v, e in sorted(ps.flags_class.__flags_values__.items())]


def pspec_default(ps):
    return fmt_value(ps, getattr(ps, 'default_value', None))


def fmt_value(ps, dv):
    """A value of the property ps as the Default column shows it."""
    vt = ps.value_type
    if is_a(vt, GObject.TYPE_ENUM):
        if dv is None:
            return ''
        if hasattr(dv, 'value_nick'):
            return '`%s`' % dv.value_nick
        nicks = [n for v, n, _ in enum_values(ps) if v == int(dv)]
        return '`%s`' % (nicks[0] if nicks else int(dv))
    if is_a(vt, GObject.TYPE_FLAGS):
        if dv is None:
            return ''
        nicks = [n for v, n, _ in enum_values(ps) if v and (int(dv) & v) == v]
        return '`%s`' % ('+'.join(nicks) if nicks else '0')
    if vt.name == 'gboolean':
        return '`%s`' % ('true' if dv else 'false')
    if vt.name in TYPE_LIMITS:
        return '`%s`' % fmt_num(dv) if dv is not None else ''
    if vt.name == 'gchararray':
        return '`"%s"`' % dv if dv else '`NULL`'
    return '—'


def pspec_range(ps):
    vt = ps.value_type
    if is_a(vt, GObject.TYPE_ENUM) or is_a(vt, GObject.TYPE_FLAGS):
        return ', '.join('`%s`' % n for _, n, _ in enum_values(ps))
    if vt.name in TYPE_LIMITS and hasattr(ps, 'minimum'):
        return fmt_range(vt.name, ps.minimum, ps.maximum)
    return ''


def pspec_flags(ps):
    f = int(ps.flags)
    out = []
    r, w = f & int(GObject.ParamFlags.READABLE), f & int(GObject.ParamFlags.WRITABLE)
    out.append('read/write' if r and w else 'read-only' if r else 'write-only')
    if f & int(GObject.ParamFlags.CONSTRUCT_ONLY):
        out.append('construct-only')
    if f & Gst.PARAM_CONTROLLABLE:
        out.append('controllable')
    if f & Gst.PARAM_MUTABLE_PLAYING:
        out.append('changeable in PLAYING')
    elif f & Gst.PARAM_MUTABLE_PAUSED:
        out.append('changeable in PAUSED')
    elif f & Gst.PARAM_MUTABLE_READY:
        out.append('changeable in READY')
    return ', '.join(out)


def type_chain(gtype):
    """gtype and its parents, most derived first."""
    out = []
    while gtype and gtype.name != 'invalid':
        out.append(gtype)
        if gtype.name == 'GObject':
            break
        gtype = gtype.parent
    return out


def own_types(gtype):
    """The types of the chain that are documented fully (not library)."""
    return [t for t in type_chain(gtype) if t.name not in LIBRARY_TYPES]


def child_defaults(ps, siblings):
    """The Default column of a child property: the pspec's default, or,
    where the children of a fresh element hold other values (an element
    that gives each child its own default), each child's value."""
    default = pspec_default(ps)
    if not siblings or not (int(ps.flags) & int(GObject.ParamFlags.READABLE)):
        return default
    shown = [(name, fmt_value(ps, c.get_property(ps.name)))
             for name, c in siblings]
    if all(v == default for _, v in shown):
        return default
    return ', '.join('%s (%s)' % (v, name) for name, v in shown)


def property_section(obj, gtype, heading, lines, siblings=None):
    """Properties of obj as a table; enums below it; inherited in a line.
    siblings: [(name, child)] of obj's type, for the children's actual
    defaults."""
    mine = [t.name for t in own_types(gtype)]
    props = sorted(obj.list_properties(), key=lambda p: p.name)
    own = [p for p in props if p.owner_type.name in mine]
    inherited = [p for p in props if p.owner_type.name not in mine]
    lines.append(heading)
    lines.append('')
    if own:
        lines.append('| Property | Type | Range / values | Default | Flags | Description |')
        lines.append('|---|---|---|---|---|---|')
        enums = []
        for p in own:
            vt = p.value_type
            if (is_a(vt, GObject.TYPE_ENUM) or is_a(vt, GObject.TYPE_FLAGS)) \
                    and vt.name not in [e.value_type.name for e in enums]:
                enums.append(p)
            lines.append('| `%s` | `%s` | %s | %s | %s | %s |' % (
                p.name, vt.name, md(pspec_range(p)),
                md(child_defaults(p, siblings)),
                pspec_flags(p), md(p.blurb)))
        lines.append('')
        for ep in enums:
            vt = ep.value_type
            kind = 'Enum' if is_a(vt, GObject.TYPE_ENUM) else 'Flags'
            lines.append('%s `%s`:' % (kind, vt.name))
            lines.append('')
            lines.append('| Value | Nick | Description |')
            lines.append('|---|---|---|')
            for v, nick, desc in enum_values(ep):
                lines.append('| %d | `%s` | %s |' % (v, nick, md(desc)))
            lines.append('')
    else:
        lines.append('None of its own.')
        lines.append('')
    if inherited:
        by_owner = {}
        for p in inherited:
            by_owner.setdefault(p.owner_type.name, []).append(p.name)
        order = [t.name for t in type_chain(gtype)]
        parts = ['%s (`%s`)' % (', '.join('`%s`' % n for n in sorted(v)), k)
                 for k, v in sorted(by_owner.items(),
                                    key=lambda kv: order.index(kv[0])
                                    if kv[0] in order else len(order))]
        lines.append('Inherited: %s.' % '; '.join(parts))
        lines.append('')


def split_top(s, sep=','):
    """Split s at sep outside brackets and quotes."""
    out, depth, cur, quote = [], 0, '', False
    for ch in s:
        if ch == '"':
            quote = not quote
        elif not quote and ch in '[{(<':
            depth += 1
        elif not quote and ch in ']})>':
            depth -= 1
        if ch == sep and depth == 0 and not quote:
            out.append(cur)
            cur = ''
        else:
            cur += ch
    out.append(cur)
    return [x.strip() for x in out]


def caps_lines(caps):
    if caps.is_any():
        return ['ANY']
    if caps.is_empty():
        return ['EMPTY']
    out = []
    for i in range(caps.get_size()):
        s = caps.get_structure(i).to_string().rstrip(';')
        f = caps.get_features(i)
        fields = split_top(s)
        name = fields[0]
        if f is not None and not f.is_any() and f.to_string() != 'memory:SystemMemory':
            name += '(%s)' % f.to_string()
        out.append(name)
        for fld in fields[1:]:
            k, _, v = fld.partition('=')
            v = re.sub(r'^\([a-zA-Z0-9_]+\)', '', v)
            out.append('  %s: %s' % (k.strip(), v.strip()))
    return out


def nick(enum_value):
    return enum_value.value_nick


def signal_section(gtype, lines):
    sigs = []
    for t in own_types(gtype):
        for sid in GObject.signal_list_ids(t):
            q = GObject.signal_query(sid)
            sigs.append(q)
    lines.append('### Signals')
    lines.append('')
    if not sigs:
        lines.append('None of its own.')
        lines.append('')
        return
    lines.append('| Signal | Kind | Returns | Arguments |')
    lines.append('|---|---|---|---|')
    for q in sorted(sigs, key=lambda q: q.signal_name):
        kind = 'action' if int(q.signal_flags) & int(GObject.SignalFlags.ACTION) else 'signal'
        args = ', '.join('`%s`' % t.name for t in q.param_types) or '—'
        lines.append('| `%s` | %s | `%s` | %s |' % (
            q.signal_name, kind, q.return_type.name, args))
    lines.append('')


def element_block(factory):
    name = factory.get_name()
    longname = factory.get_metadata(Gst.ELEMENT_METADATA_LONGNAME)
    klass = factory.get_metadata(Gst.ELEMENT_METADATA_KLASS)
    desc = factory.get_metadata(Gst.ELEMENT_METADATA_DESCRIPTION)
    gtype = factory.get_element_type()
    element = factory.create(None)
    lines = ['## `%s` — %s' % (name, longname), '']
    d = desc.strip()
    lines.append(d if d.endswith('.') else d + '.')
    lines.append('')
    chain = [t.name for t in type_chain(gtype)]
    ifaces = sorted(GObject.type_name(i) for i in GObject.type_interfaces(gtype))
    lines.append('| | |')
    lines.append('|---|---|')
    lines.append('| Factory | `%s` |' % name)
    lines.append('| Classification | `%s` |' % klass)
    chain = [t for t in chain if t not in ('GObject', 'GInitiallyUnowned')]
    lines.append('| Type | %s |' % ' → '.join('`%s`' % t for t in chain))
    lines.append('| Interfaces | %s |' % (', '.join('`%s`' % i for i in ifaces) or '—'))
    lines.append('| Rank | %s |' % RANKS.get(factory.get_rank(), str(factory.get_rank())))
    lines.append('')

    lines.append('### Pads')
    lines.append('')
    templates = sorted(factory.get_static_pad_templates(),
                       key=lambda t: (int(t.direction) != int(Gst.PadDirection.SINK),
                                      t.name_template))
    lines.append('| Template | Direction | Presence |')
    lines.append('|---|---|---|')
    for t in templates:
        lines.append('| `%s` | %s | %s |' % (
            t.name_template, nick(t.direction).lower() if hasattr(t.direction, 'value_nick') else str(t.direction),
            t.presence.value_nick if hasattr(t.presence, 'value_nick') else str(t.presence)))
    lines.append('')
    shown = {}
    for t in templates:
        caps = t.static_caps.get()
        cl = caps_lines(caps)
        key = '\n'.join(cl)
        if key in shown:
            lines.append('Caps of `%s`: the same as `%s`.' % (t.name_template, shown[key]))
            lines.append('')
            continue
        shown[key] = t.name_template
        lines.append('Caps of `%s`:' % t.name_template)
        lines.append('')
        lines.append('```')
        lines.extend(cl)
        lines.append('```')
        lines.append('')

    property_section(element, gtype, '### Properties', lines)

    if isinstance(element, Gst.ChildProxy) and element.get_children_count() > 0:
        n = element.get_children_count()
        children = [element.get_child_by_index(i) for i in range(n)]
        names = [c.get_name() if isinstance(c, Gst.Object) else '#%d' % i
                 for i, c in enumerate(children)]
        lines.append('### Child objects')
        lines.append('')
        lines.append('With default properties the element has %d child object%s '
                     '(`GstChildProxy`): %s. Set their properties as '
                     '`%s::<property>` (e.g. in `gst-launch-1.0`) or through '
                     '`gst_child_proxy_set()`.' % (
                         n, '' if n == 1 else 's',
                         ', '.join('`%s`' % x for x in names),
                         names[0] if names else 'child'))
        lines.append('')
        seen = []
        for c in children:
            ct = type(c).__gtype__
            if ct.name in seen:
                continue
            seen.append(ct.name)
            same = [(nm, x) for nm, x in zip(names, children)
                    if type(x).__gtype__.name == ct.name]
            property_section(c, ct, '#### Properties of `%s`' % ct.name, lines,
                             same)

    signal_section(gtype, lines)
    element.set_state(Gst.State.NULL)
    del element
    while lines and lines[-1] == '':
        lines.pop()
    return lines


def index_block(plugin, factories):
    lines = ['| Element | Name | Description |', '|---|---|---|']
    for f in factories:
        lines.append('| [`%s`](#%s) | %s | %s |' % (
            f.get_name(), anchor(f), md(f.get_metadata(Gst.ELEMENT_METADATA_LONGNAME)),
            md(f.get_metadata(Gst.ELEMENT_METADATA_DESCRIPTION))))
    lines.append('')
    lines.append('Plugin `%s`: %s. License %s.' % (
        plugin.get_name(), plugin.get_description().rstrip('.'), plugin.get_license()))
    return lines


def anchor(factory):
    """GitHub's anchor of the heading `## \\`name\\` — Long name`."""
    h = '%s — %s' % (factory.get_name(), factory.get_metadata(Gst.ELEMENT_METADATA_LONGNAME))
    h = h.lower()
    h = re.sub(r'[^\w\- ]', '', h)
    return h.replace(' ', '-')


# ---- document assembly ---------------------------------------------------

def parse_doc(text):
    """Split into [('text', [lines]) | ('gen', name, [lines])]."""
    parts, cur = [], []
    lines = text.split('\n')
    i = 0
    while i < len(lines):
        m = BEGIN_RE.match(lines[i])
        if m:
            if cur:
                parts.append(('text', cur))
                cur = []
            j = i + 1
            while j < len(lines) and lines[j] != END:
                if BEGIN_RE.match(lines[j]):
                    raise SystemExit('elements.md: %s: BEGIN without END' % m.group(1))
                j += 1
            if j == len(lines):
                raise SystemExit('elements.md: %s: BEGIN without END' % m.group(1))
            parts.append(('gen', m.group(1), lines[i + 1:j]))
            i = j + 1
            continue
        cur.append(lines[i])
        i += 1
    if cur:
        parts.append(('text', cur))
    return parts


SKELETON = """# Element reference

The tables between the GENERATED markers are written by
`scripts/gen-elements-doc.py` from the built plugin (`ninja -C build
update-docs`); edit the prose around them.

<!-- BEGIN GENERATED: index -->
<!-- END GENERATED -->
"""


def generate(text, blocks):
    """text with every generated block replaced; new elements appended."""
    parts = parse_doc(text)
    out, done = [], set()
    for p in parts:
        if p[0] == 'text':
            out.extend(p[1])
            continue
        name = p[1]
        if name not in blocks:
            print('gen-elements-doc: dropping the block of `%s`: no such '
                  'element in the plugin' % name, file=sys.stderr)
            continue
        out.append(BEGIN % name)
        out.extend(blocks[name])
        out.append(END)
        done.add(name)
    missing = [n for n in blocks if n not in done]
    if missing:
        while out and out[-1] == '':
            out.pop()
        for n in missing:
            out.extend(['', BEGIN % n])
            out.extend(blocks[n])
            out.append(END)
        out.append('')
    return '\n'.join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--plugin-dir', required=True,
                    help='directory holding the built libgstmastering.so')
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument('--output', help='rewrite this file (docs/elements.md)')
    g.add_argument('--check', help='compare this file with what would be '
                   'generated; exit 1 with a diff when they differ')
    ap.add_argument('--plugin', default=PLUGIN, help=argparse.SUPPRESS)
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix='gen-elements-doc-')
    try:
        load_gst(args.plugin_dir, os.path.join(tmp, 'registry.bin'))
        reg = Gst.Registry.get()
        plugin = reg.find_plugin(args.plugin)
        if plugin is None:
            print('gen-elements-doc: plugin `%s` not found in %s' % (
                args.plugin, args.plugin_dir), file=sys.stderr)
            return 2
        factories = sorted(
            (f for f in reg.get_feature_list_by_plugin(args.plugin)
             if isinstance(f, Gst.ElementFactory)),
            key=lambda f: f.get_name())
        factories = [f.load() or f for f in factories]
        blocks = {'index': index_block(plugin, factories)}
        for f in factories:
            blocks[f.get_name()] = element_block(f)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    path = args.output or args.check
    try:
        with open(path, encoding='utf-8') as fh:
            old = fh.read()
    except FileNotFoundError:
        old = SKELETON
    new = generate(old, blocks)

    if args.output:
        if new != old:
            with open(path, 'w', encoding='utf-8') as fh:
                fh.write(new)
            print('gen-elements-doc: updated %s' % path)
        else:
            print('gen-elements-doc: %s is up to date' % path)
        return 0

    if new == old:
        print('%s matches the built plugin' % path)
        return 0
    sys.stdout.writelines(difflib.unified_diff(
        old.splitlines(True), new.splitlines(True),
        'docs/elements.md (committed)', 'docs/elements.md (generated from the build)'))
    print('\nFAIL: docs/elements.md is not what the built plugin generates '
          '(an element, property, blurb, pad template or signal changed).\n'
          'Fix: ninja -C <builddir> update-docs   then commit docs/elements.md '
          '(write prose for a new element below its generated block).')
    return 1


if __name__ == '__main__':
    sys.exit(main())
