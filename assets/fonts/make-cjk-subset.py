#!/usr/bin/env python3
"""Makes assets/fonts/NotoSansCJKsc-subset.otf, the CJK font R2V Studio bundles.

Source: Noto Sans CJK SC Regular (SIL Open Font License 1.1), face 2 of Debian's
fonts-noto-cjk NotoSansCJK-Regular.ttc. Kept: every character of GB2312 (simplified
Chinese, with kana), JIS X 0208 level 1 (common Japanese kanji), the KS X 1001 Hangul
syllables (common Korean), CJK punctuation, kana and full-width forms.

Needs: apt-get install fonts-noto-cjk; pip install fonttools.
Run from anywhere: python3 assets/fonts/make-cjk-subset.py
"""
import os
import subprocess
import sys

SOURCE = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
FACE = 2  # Noto Sans CJK SC
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "NotoSansCJKsc-subset.otf")


def decodable(codec, lead_range, trail_range):
    chars = set()
    for lead in lead_range:
        for trail in trail_range:
            try:
                chars.add(bytes([lead, trail]).decode(codec))
            except UnicodeDecodeError:
                pass
    return chars


def main():
    chars = set()
    chars |= decodable("gb2312", range(0xA1, 0xF8), range(0xA1, 0xFF))
    # JIS X 0208 symbols, kana and level-1 kanji (the common ones); rarer kanji
    # come from the system fonts when the machine has them.
    chars |= decodable("euc_jp", range(0xA1, 0xD0), range(0xA1, 0xFF))
    chars |= {c for c in decodable("euc_kr", range(0xB0, 0xC9), range(0xA1, 0xFF)) if "\uac00" <= c <= "\ud7a3"}
    ranges = [
        (0x3000, 0x303F),  # CJK symbols and punctuation
        (0x3040, 0x30FF),  # hiragana, katakana
        (0x3130, 0x318F),  # Hangul compatibility jamo
        (0xFF00, 0xFFEF),  # half- and full-width forms
        (0x2010, 0x2027),  # dashes, quotes, ellipsis
        (0x00B7, 0x00B7),
    ]
    for lo, hi in ranges:
        chars |= {chr(c) for c in range(lo, hi + 1)}
    chars = sorted(c for c in chars if len(c) == 1 and ord(c) > 0x7F)
    unicodes = ",".join(f"U+{ord(c):04X}" for c in chars)
    cmd = [
        "pyftsubset", SOURCE, f"--font-number={FACE}", f"--unicodes={unicodes}",
        f"--output-file={OUT}", "--no-hinting",
        "--name-IDs=*", "--name-languages=*",
    ]
    subprocess.run(cmd, check=True)
    print(f"{OUT}: {len(chars)} characters, {os.path.getsize(OUT) // 1024} KiB")


if __name__ == "__main__":
    sys.exit(main())
