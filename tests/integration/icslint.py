# SPDX-License-Identifier: MIT
"""Checks an iCalendar feed the way calendar apps will read it.

No validator on Debian 12 catches everything (python3-icalendar is lenient,
vobject checks structure only), so lint() checks the bytes itself:

    import icslint
    assert icslint.lint(data) == []
    assert icslint.parse_with_icalendar(data) == []
    assert icslint.validate_with_vobject(data) == []

Every function takes the feed as bytes and returns a list of problems, each a
string that names the line it is about; an empty list means none were found.
Run as a program, it checks the files it is given and exits 1 on a problem.
"""

import datetime
import re
import sys

MAX_OCTETS = 75
MAX_UID_OCTETS = 60

_NAME = re.compile(r"[A-Za-z0-9-]+")


# ---- physical lines ---------------------------------------------------------


def _physical_lines(data):
    """The lines as (number, bytes without the line break), and the problems
    of the line breaks themselves."""
    problems = []
    lines = []
    pieces = data.split(b"\n")
    for number, piece in enumerate(pieces[:-1], 1):
        if piece.endswith(b"\r"):
            piece = piece[:-1]
        else:
            problems.append(f"line {number}: bare LF (lines must end in CRLF)")
        if b"\r" in piece:
            problems.append(f"line {number}: bare CR")
        lines.append((number, piece))
    if pieces[-1]:
        problems.append(f"line {len(pieces)}: the file does not end in CRLF")
        if b"\r" in pieces[-1]:
            problems.append(f"line {len(pieces)}: bare CR")
        lines.append((len(pieces), pieces[-1]))
    return lines, problems


def _check_physical(number, line):
    problems = []
    if len(line) > MAX_OCTETS:
        problems.append(f"line {number}: {len(line)} octets, more than {MAX_OCTETS}")
    try:
        line.decode("utf-8")
    except UnicodeDecodeError as e:
        problems.append(f"line {number}: not valid UTF-8 on its own "
                        f"({e.reason} at octet {e.start})")
    if line.strip(b" \t\r\n") == b"":
        problems.append(f"line {number}: only whitespace" if line else f"line {number}: empty")
    return problems


# ---- content lines ----------------------------------------------------------


class _Line:
    def __init__(self, number, name, params, value):
        self.number = number
        self.name = name  # upper case
        self.params = params  # {NAME: value}, names upper case
        self.value = value


def _unfold(lines):
    """Joins continuation lines: yields (number of the first line, bytes)."""
    logical = []
    for number, line in lines:
        if line[:1] in (b" ", b"\t") and logical:
            logical[-1][1].extend(line[1:])
        else:
            logical.append((number, bytearray(line)))
    return [(n, bytes(b)) for n, b in logical]


def _split_params(text):
    """'DTSTART;TZID="A;B":2025' -> ('DTSTART', {'TZID': 'A;B'}, '2025')."""
    parts = []
    current = []
    quoted = False
    for i, c in enumerate(text):
        if c == '"':
            quoted = not quoted
        elif not quoted and c in ";:":
            parts.append("".join(current))
            current = []
            if c == ":":
                return parts, text[i + 1:]
            continue
        current.append(c)
    return None, None


def _parse_line(number, raw):
    text = raw.decode("utf-8", errors="replace")
    parts, value = _split_params(text)
    if parts is None:
        return None, f"line {number}: no ':' between name and value"
    name = parts[0]
    if not _NAME.fullmatch(name):
        return None, f"line {number}: bad property name {name!r}"
    params = {}
    for p in parts[1:]:
        key, eq, val = p.partition("=")
        if not eq or not _NAME.fullmatch(key):
            return None, f"line {number}: bad parameter {p!r}"
        params[key.upper()] = val.strip('"')
    return _Line(number, name.upper(), params, value), None


def _content_lines(lines):
    parsed = []
    problems = []
    for number, raw in _unfold(lines):
        line, problem = _parse_line(number, raw)
        if problem:
            problems.append(problem)
        else:
            parsed.append(line)
    return parsed, problems


# ---- components -------------------------------------------------------------


class _Component:
    def __init__(self, name, number, parent):
        self.name = name
        self.number = number
        self.parent = parent
        self.lines = []
        self.children = []

    def first(self, name):
        return next((l for l in self.lines if l.name == name), None)

    def walk(self):
        yield self
        for c in self.children:
            yield from c.walk()


def _components(parsed):
    """Builds the tree; checks that BEGIN and END nest."""
    problems = []
    top = []
    current = None
    for line in parsed:
        if line.name == "BEGIN":
            c = _Component(line.value.upper(), line.number, current)
            (current.children if current else top).append(c)
            current = c
        elif line.name == "END":
            if current is None:
                problems.append(f"line {line.number}: END:{line.value} without BEGIN")
            elif current.name != line.value.upper():
                problems.append(f"line {line.number}: END:{line.value} closes "
                                f"BEGIN:{current.name} of line {current.number}")
                current = current.parent
            else:
                current = current.parent
        elif current is None:
            problems.append(f"line {line.number}: {line.name} outside any component")
        else:
            current.lines.append(line)
    while current is not None:
        problems.append(f"line {current.number}: BEGIN:{current.name} is never ended")
        current = current.parent
    return top, problems


def _parse_time(line):
    """A DATE or DATE-TIME value as (is_date, naive datetime, zone), where zone
    is "Z", the TZID, or None for a floating time; None if unreadable."""
    m = re.fullmatch(r"(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z?))?", line.value)
    if not m:
        return None
    y, mo, d, h, mi, s, z = m.groups()
    try:
        if h is None:
            return True, datetime.datetime(int(y), int(mo), int(d)), None
        t = datetime.datetime(int(y), int(mo), int(d), int(h), int(mi), int(s))
    except ValueError:
        return None
    return False, t, "Z" if z else line.params.get("TZID")


def _aware(t, zone):
    if zone == "Z":
        return t.replace(tzinfo=datetime.timezone.utc)
    import zoneinfo
    return t.replace(tzinfo=zoneinfo.ZoneInfo(zone))


def _later(a, b):
    """Whether time b is after time a; None when they cannot be compared
    (different zones that are not Olson names, or floating against zoned)."""
    if a[2] == b[2]:
        return b[1] > a[1]
    if a[2] is None or b[2] is None:
        return None
    try:
        return _aware(b[1], b[2]) > _aware(a[1], a[2])
    except Exception:  # a TZID that zoneinfo does not know
        return None


def _check_event(event):
    problems = []
    start = event.first("DTSTART")
    end = event.first("DTEND")
    for name in ("UID", "DTSTAMP", "DTSTART"):
        if event.first(name) is None:
            problems.append(f"line {event.number}: VEVENT without {name}")
    if start is None or end is None:
        return problems
    a = _parse_time(start)
    b = _parse_time(end)
    if a is None or b is None:
        problems.append(f"line {start.number}: cannot read DTSTART {start.value!r} "
                        f"or DTEND {end.value!r}")
    elif a[0] != b[0]:
        problems.append(f"line {end.number}: DTEND and DTSTART differ in value type")
    elif a[2] is None and b[2] is not None or a[2] is not None and b[2] is None:
        problems.append(f"line {end.number}: DTEND and DTSTART mix floating and zoned times")
    elif _later(a, b) is False:
        problems.append(f"line {end.number}: DTEND {end.value} is not after "
                        f"DTSTART {start.value}")
    return problems


def _check_tree(top):
    problems = []
    if len(top) != 1 or top[0].name != "VCALENDAR":
        problems.append("the file is not exactly one VCALENDAR")
    everything = [c for t in top for c in t.walk()]
    for cal in (t for t in top if t.name == "VCALENDAR"):
        for name in ("VERSION", "PRODID"):
            if cal.first(name) is None:
                problems.append(f"line {cal.number}: VCALENDAR without {name}")
    zones = {c.first("TZID").value for c in everything
             if c.name == "VTIMEZONE" and c.first("TZID") is not None}
    uids = {}
    for c in everything:
        for line in c.lines:
            tzid = line.params.get("TZID")
            if tzid is not None and tzid not in zones:
                problems.append(f"line {line.number}: TZID {tzid!r} has no VTIMEZONE")
            if line.name in ("DTSTAMP", "LAST-MODIFIED") and not line.value.endswith("Z"):
                problems.append(f"line {line.number}: {line.name} {line.value!r} is not UTC (…Z)")
        if c.name != "VEVENT":
            continue
        problems += _check_event(c)
        uid = c.first("UID")
        if uid is None:
            continue
        if len(uid.value.encode("utf-8")) > MAX_UID_OCTETS:
            problems.append(f"line {uid.number}: UID of {len(uid.value.encode())} octets, "
                            f"more than {MAX_UID_OCTETS}")
        if uid.value in uids:
            problems.append(f"line {uid.number}: UID {uid.value!r} also on line {uids[uid.value]}")
        uids.setdefault(uid.value, uid.number)
    return problems


# ---- the checks -------------------------------------------------------------


def lint(data: bytes) -> list:
    """The byte-level and structural rules that calendar apps depend on."""
    if not data:
        return ["the file is empty"]
    lines, problems = _physical_lines(data)
    for number, line in lines:
        problems += _check_physical(number, line)
    parsed, more = _content_lines(lines)
    problems += more
    top, more = _components(parsed)
    problems += more
    problems += _check_tree(top)
    return problems


def parse_with_icalendar(data: bytes) -> list:
    """python3-icalendar's reading: what it could not parse (component.errors)
    and any U+FFFD in what it read, the mark of UTF-8 cut by a fold."""
    import icalendar

    try:
        cal = icalendar.Calendar.from_ical(data)
    except Exception as e:  # it raises ValueError and others on bad input
        return [f"icalendar: {type(e).__name__}: {e}"]
    problems = []
    for component in cal.walk():
        for prop, error in getattr(component, "errors", []):
            problems.append(f"icalendar: {component.name}.{prop}: {error}")
        for name, value in component.property_items(recursive=False):
            text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
            if "\ufffd" in text:
                problems.append(f"icalendar: {component.name}.{name} holds U+FFFD")
    return problems


def validate_with_vobject(data: bytes) -> list:
    """vobject's validate(raiseException=True): one UID and DTSTAMP per
    VEVENT, DTEND or DURATION but not both, a PRODID."""
    import vobject

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        return [f"vobject: not UTF-8: {e}"]
    problems = []
    try:
        for component in vobject.readComponents(text, validate=False):
            component.validate(raiseException=True)
    except Exception as e:  # vobject raises its own ValidateError, ParseError…
        problems.append(f"vobject: {type(e).__name__}: {e}")
    return problems


def import_with_calcurse(data: bytes, directory) -> list:
    """calcurse -i into a fresh calcurse home under directory: it must exit 0
    and report every VEVENT imported and none skipped."""
    import pathlib
    import subprocess

    directory = pathlib.Path(directory)
    ics, home = directory / "calcurse.ics", directory / "calcurse"
    ics.write_bytes(data)
    home.mkdir()
    p = subprocess.run(["calcurse", "-D", str(home), "-i", str(ics)], capture_output=True,
                       text=True, timeout=60)
    if p.returncode != 0:
        return [f"calcurse: exit {p.returncode}: {p.stderr}"]
    report = p.stdout + p.stderr
    n = len(re.findall(rb"^UID:(\S+)\r$", data, re.M))
    problems = [] if n else ["calcurse: the feed holds no event"]
    if not re.search(rf"\b{n} events?\b", report):
        problems.append(f"calcurse: not {n} events imported: {report}")
    if not re.search(r"\b0 skipped\b", report):
        problems.append(f"calcurse: some skipped: {report}")
    return problems


def check(data: bytes) -> list:
    """All of the above."""
    return lint(data) + parse_with_icalendar(data) + validate_with_vobject(data)


def main(argv):
    if len(argv) < 2:
        print(f"usage: {argv[0]} FILE.ics...", file=sys.stderr)
        return 2
    failed = False
    for path in argv[1:]:
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as e:
            print(f"{path}: {e.strerror}", file=sys.stderr)
            failed = True
            continue
        for problem in check(data):
            print(f"{path}: {problem}")
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
