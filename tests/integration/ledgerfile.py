# SPDX-License-Identifier: MIT
"""Just enough of libconfig's syntax to read a ledger file in the tests:
settings, groups, lists, arrays, adjacent strings joined, escapes undone."""

import re

TOKEN = re.compile(r'''(?P<ws>\s+)|(?P<comment>\#[^\n]*|//[^\n]*|/\*.*?\*/)|(?P<string>"(?:[^"\\]|\\.)*")|(?P<number>-?\d+)|(?P<bool>true|false)|(?P<name>[A-Za-z_][A-Za-z0-9_-]*)|(?P<punct>[=:;,{}()\[\]])''', re.S)
ESC = {'"': '"', '\\': '\\', 'n': '\n', 'r': '\r', 't': '\t', 'f': '\f'}


def unquote(literal):
    b, res, i = literal[1:-1].encode(), bytearray(), 0
    while i < len(b):
        if b[i:i + 1] == b"\\":
            n = chr(b[i + 1])
            if n == "x":
                res.append(int(b[i + 2:i + 4], 16))
                i += 4
            else:
                res += ESC[n].encode()
                i += 2
        else:
            res += b[i:i + 1]
            i += 1
    return res.decode()


def tokens(text):
    pos = 0
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m:
            raise ValueError(f"cannot read {text[pos:pos + 20]!r}")
        pos = m.end()
        if m.lastgroup not in ("ws", "comment"):
            yield m.lastgroup, m.group()


def parse(text):
    """The settings of a libconfig file as dicts (groups) and lists."""
    toks = list(tokens(text)) + [("end", "")]
    i = 0

    def value():
        nonlocal i
        kind, v = toks[i]
        if kind == "string":
            s = ""
            while toks[i][0] == "string":
                s += unquote(toks[i][1])
                i += 1
            return s
        i += 1
        if kind == "number":
            return int(v)
        if kind == "bool":
            return v == "true"
        if v == "{":
            return group("}")
        if v in "([":
            close, items = ")" if v == "(" else "]", []
            while toks[i][1] != close:
                items.append(value())
                if toks[i][1] == ",":
                    i += 1
            i += 1
            return items
        raise ValueError(f"unexpected {v!r}")

    def group(close):
        nonlocal i
        settings = {}
        while toks[i][1] != close:
            name = toks[i][1]
            i += 1
            assert toks[i][1] in "=:", toks[i]
            i += 1
            settings[name] = value()
            if toks[i][1] in ";,":
                i += 1
        i += 1
        return settings

    return group("")
