# SPDX-License-Identifier: MIT
"""Reads a QR code from its modules, by ISO/IEC 18004 (model 2, versions 1
to 6): format information, unmasking, the codewords in their zigzag, the
blocks de-interleaved, every block's error correction checked (it must be
exactly what Reed-Solomon gives: a code we read must be a valid one, not
just one we can guess at), then the segments (numeric, alphanumeric,
8-bit). Written from the standard, independently of libqrencode, so that a
test knows what a phone's camera would read from a page's <svg class="qr">.
"""

import re

# Error correction codewords per block and number of blocks, by level and
# version (ISO/IEC 18004:2015 table 9), versions 1 to 6.
ECC_PER_BLOCK = {"L": [7, 10, 15, 20, 26, 18], "M": [10, 16, 26, 18, 24, 16],
                 "Q": [13, 22, 18, 26, 18, 24], "H": [17, 28, 22, 16, 22, 28]}
BLOCKS = {"L": [1, 1, 1, 1, 1, 2], "M": [1, 1, 1, 2, 2, 4],
          "Q": [1, 1, 2, 2, 4, 4], "H": [1, 1, 2, 4, 4, 4]}
LEVEL_BITS = {"L": 1, "M": 0, "Q": 3, "H": 2}
ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

MASKS = [
    lambda x, y: (x + y) % 2 == 0,
    lambda x, y: y % 2 == 0,
    lambda x, y: x % 3 == 0,
    lambda x, y: (x + y) % 3 == 0,
    lambda x, y: (x // 3 + y // 2) % 2 == 0,
    lambda x, y: x * y % 2 + x * y % 3 == 0,
    lambda x, y: (x * y % 2 + x * y % 3) % 2 == 0,
    lambda x, y: ((x + y) % 2 + x * y % 3) % 2 == 0,
]


class QRError(ValueError):
    pass


def modules_of_svg(svg):
    """The dark modules of ledgerd's <svg class="qr">: a set of (x, y) and
    the symbol's width, without the quiet zone (which must be 4 wide and
    white)."""
    (vb,) = re.findall(r'viewBox="0 0 (\d+) (\d+)"', svg)[:1]
    assert vb[0] == vb[1], vb
    total = int(vb[0])
    (d,) = re.findall(r' d="([^"]*)"', svg)
    run = r"M(\d+) (\d+)h(\d+)v1h-(\d+)z"  # a run of dark modules in a row
    assert re.sub(run, "", d) == "", "a path of something else than runs of modules"
    dark = set()
    for x, y, n, back in re.findall(run, d):
        assert n == back and int(n) > 0, f"a run that does not close: {n}, {back}"
        dark |= {(int(x) + i, int(y)) for i in range(int(n))}
    width = total - 8
    assert all(4 <= x < 4 + width and 4 <= y < 4 + width for x, y in dark), "modules in the quiet zone"
    return {(x - 4, y - 4) for x, y in dark}, width


def _format_bits(level, mask):
    data = LEVEL_BITS[level] << 3 | mask
    rem = data
    for _ in range(10):
        rem = (rem << 1) ^ ((rem >> 9) * 0x537)
    return (data << 10 | rem) ^ 0x5412


def _format_positions(size):
    """(x, y) of the 15 bits of both copies of the format information, bit 0 first."""
    first = [(8, i) for i in range(6)] + [(8, 7), (8, 8), (7, 8)] + [(14 - i, 8) for i in range(9, 15)]
    second = [(size - 1 - i, 8) for i in range(8)] + [(8, size - 15 + i) for i in range(8, 15)]
    return first, second


def _alignment_positions(version):
    if version == 1:
        return []
    n = version // 7 + 2
    step = (version * 8 + n * 3 + 5) // (n * 4 - 4) * 2
    size = version * 4 + 17
    return [6] + sorted(size - 7 - i * step for i in range(n - 1))


def _function_modules(version):
    size = version * 4 + 17
    f = set()
    for y in range(size):
        f.add((6, y))
        f.add((y, 6))
    # Finders with their separators, the format information and the dark module.
    for x0, y0 in [(0, 0), (size - 8, 0), (0, size - 8)]:
        for y in range(y0, y0 + (9 if y0 == 0 else 8)):
            for x in range(x0, x0 + (9 if x0 == 0 else 8)):
                f.add((x, y))
    pos = _alignment_positions(version)
    for ay in pos:
        for ax in pos:
            if (ax, ay) in [(6, 6), (6, size - 7), (size - 7, 6)]:
                continue
            for dy in range(-2, 3):
                for dx in range(-2, 3):
                    f.add((ax + dx, ay + dy))
    return f


def _raw_codewords(version):
    bits = (16 * version + 128) * version + 64
    if version >= 2:
        n = version // 7 + 2
        bits -= (25 * n - 10) * n - 55
    return bits // 8


def _gf_mul(a, b):
    z = 0
    for i in range(7, -1, -1):
        z = (z << 1) ^ ((z >> 7) * 0x11D)
        z ^= ((b >> i) & 1) * a
    return z & 0xFF


def _rs_remainder(data, degree):
    divisor = [0] * (degree - 1) + [1]
    root = 1
    for _ in range(degree):
        for j in range(degree):
            divisor[j] = _gf_mul(divisor[j], root)
            if j + 1 < degree:
                divisor[j] ^= divisor[j + 1]
        root = _gf_mul(root, 0x02)
    result = [0] * degree
    for b in data:
        factor = b ^ result.pop(0)
        result.append(0)
        for i, coef in enumerate(divisor):
            result[i] ^= _gf_mul(coef, factor)
    return result


def decode(dark, size):
    """The text a QR code of these dark modules holds (UTF-8)."""
    if (size - 17) % 4 or not 1 <= (size - 17) // 4 <= 6:
        raise QRError(f"a symbol {size} modules wide: not version 1 to 6")
    version = (size - 17) // 4
    on = lambda x, y: (x, y) in dark  # noqa: E731
    # Finder patterns, timing: what every QR code has.
    for cx, cy in [(0, 0), (size - 7, 0), (0, size - 7)]:
        for y in range(7):
            for x in range(7):
                ring = max(abs(x - 3), abs(y - 3))
                if on(cx + x, cy + y) != (ring != 2):
                    raise QRError(f"no finder pattern at ({cx}, {cy})")
    for i in range(8, size - 8):
        if on(i, 6) != (i % 2 == 0) or on(6, i) != (i % 2 == 0):
            raise QRError("no timing pattern")
    # Format: both copies must say the same, exactly.
    first, second = _format_positions(size)
    read1 = sum(on(x, y) << i for i, (x, y) in enumerate(first))
    read2 = sum(on(x, y) << i for i, (x, y) in enumerate(second))
    found = [(lv, m) for lv in LEVEL_BITS for m in range(8) if _format_bits(lv, m) == read1]
    if len(found) != 1 or read2 != read1:
        raise QRError(f"format information {read1:015b} / {read2:015b} is no level and mask")
    level, mask = found[0]
    if not on(8, size - 8):
        raise QRError("no dark module")
    # The codewords, in their zigzag, unmasked.
    function = _function_modules(version)
    bits = []
    right = size - 1
    while right >= 1:
        if right == 6:
            right = 5
        for vert in range(size):
            for j in range(2):
                x = right - j
                upward = ((right + 1) & 2) == 0
                y = size - 1 - vert if upward else vert
                if (x, y) not in function:
                    bits.append(on(x, y) ^ MASKS[mask](x, y))
        right -= 2
    raw = _raw_codewords(version)
    codewords = [sum(bits[i * 8 + k] << (7 - k) for k in range(8)) for i in range(raw)]
    # De-interleave: short blocks first, each one data codeword shorter.
    n_blocks, ecc = BLOCKS[level][version - 1], ECC_PER_BLOCK[level][version - 1]
    n_short = n_blocks - raw % n_blocks
    short_len = raw // n_blocks
    lengths = [short_len - ecc + (1 if i >= n_short else 0) for i in range(n_blocks)]
    data_blocks = [[] for _ in range(n_blocks)]
    k = 0
    for i in range(max(lengths)):
        for b in range(n_blocks):
            if i < lengths[b]:
                data_blocks[b].append(codewords[k])
                k += 1
    ecc_blocks = [[] for _ in range(n_blocks)]
    for i in range(ecc):
        for b in range(n_blocks):
            ecc_blocks[b].append(codewords[k])
            k += 1
    assert k == raw
    for b in range(n_blocks):
        if _rs_remainder(data_blocks[b], ecc) != ecc_blocks[b]:
            raise QRError(f"block {b}: its error correction does not match its data")
    data = [c for blk in data_blocks for c in blk]
    # The segments.
    stream = "".join(f"{c:08b}" for c in data)
    pos = 0
    out = bytearray()

    def take(n):
        nonlocal pos
        if pos + n > len(stream):
            raise QRError("the data ends inside a segment")
        v = int(stream[pos:pos + n], 2)
        pos += n
        return v

    while pos + 4 <= len(stream):
        mode = take(4)
        if mode == 0:
            break
        if mode == 1:  # numeric
            count = take(10)
            digits = ""
            while len(digits) + 3 <= count:
                digits += f"{take(10):03d}"
            rest = count - len(digits)
            if rest == 2:
                digits += f"{take(7):02d}"
            elif rest == 1:
                digits += f"{take(4):01d}"
            out += digits.encode()
        elif mode == 2:  # alphanumeric
            count = take(9)
            chars = ""
            for _ in range(count // 2):
                v = take(11)
                chars += ALPHANUMERIC[v // 45] + ALPHANUMERIC[v % 45]
            if count % 2:
                chars += ALPHANUMERIC[take(6)]
            out += chars.encode()
        elif mode == 4:  # 8-bit
            count = take(8)
            out += bytes(take(8) for _ in range(count))
        else:
            raise QRError(f"segment mode {mode:04b} is not one this reader knows")
    return out.decode("utf-8")
