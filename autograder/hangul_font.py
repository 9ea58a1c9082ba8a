"""The Hangul font bpkit ships, so that Korean figures render on every machine.

The Korean edition's figures carry Korean titles, labels and legends (bpkit's own and those in
the lessons' code cells). A machine without a font that has Hangul would draw boxes and print a
missing-glyph warning to stderr, and nbgrader scores a test cell that writes to stderr 0; a
student cannot be asked to install fonts first. So bpkit carries a subset of Noto Sans CJK KR
(SIL Open Font License 1.1): the 2,350 Hangul syllables of KS X 1001 (all of everyday Korean),
every other Hangul syllable the course's catalogs use, the Hangul letters, and the Latin,
punctuation and symbols the CJK font has -- 0.6 MB instead of 19 MB. It is renamed "bpkit
Hangul", as the license asks of a modified font, and bpkit.i18n registers it with matplotlib
when a notebook chooses Korean.

    python -m autograder.hangul_font [--source NotoSansCJK-Regular.ttc]

writes bpkit/fonts/bpkit-hangul.otf. Run it again (on a machine with Debian's fonts-noto-cjk)
when tests/test_i18n_font.py says a translation uses a syllable the font lacks.
"""

import argparse
import io
import re
import sys
from pathlib import Path

from .lessons import COURSE_ROOT

FONT = Path("bpkit") / "fonts" / "bpkit-hangul.otf"
FAMILY = "bpkit Hangul"
SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
SOURCE_FACE = "Noto Sans CJK KR"
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
# Besides the syllables: Hangul letters, Latin, punctuation, arrows and math signs, CJK symbols.
EXTRA_RANGES = [(0x20, 0x7E), (0xA0, 0x17F), (0x2000, 0x206F), (0x2190, 0x21FF),
                (0x2200, 0x22FF), (0x3000, 0x303F), (0x3130, 0x318F), (0x1100, 0x11FF)]


def everyday_syllables():
    """The 2,350 Hangul syllables of KS X 1001 (the EUC-KR character set)."""
    found = []
    for high in range(0xB0, 0xC9):
        for low in range(0xA1, 0xFF):
            try:
                found.append(bytes([high, low]).decode("euc-kr"))
            except UnicodeDecodeError:
                pass
    return found


def course_syllables(root=COURSE_ROOT):
    """Every Hangul syllable in the course's Korean catalogs."""
    catalogs = sorted((root / "solutions" / "ko").glob("*.po"))
    catalogs += sorted((root / "bpkit" / "locale").glob("*/LC_MESSAGES/*.po"))
    used = set()
    for path in catalogs:
        used.update(_HANGUL.findall(path.read_text(encoding="utf-8")))
    return sorted(used)


def wanted_code_points(root=COURSE_ROOT):
    points = {ord(c) for c in everyday_syllables() + course_syllables(root)}
    for first, last in EXTRA_RANGES:
        points.update(range(first, last + 1))
    return sorted(points)


def build(source=SOURCE, root=COURSE_ROOT):
    """The subset font's bytes."""
    from fontTools import subset
    from fontTools.ttLib import TTCollection, TTFont

    faces = TTCollection(str(source)).fonts
    face = next((f for f in faces if f["name"].getDebugName(1) == SOURCE_FACE), None)
    if face is None:
        raise SystemExit(f"{source} has no face named {SOURCE_FACE!r}")
    buffer = io.BytesIO()
    face.save(buffer)
    buffer.seek(0)
    font = TTFont(buffer)
    options = subset.Options()
    options.name_IDs = ["*"]  # keep the copyright and license records
    options.name_languages = [0x409]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=wanted_code_points(root))
    subsetter.subset(font)
    _rename(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _rename(font):
    """Call the font "bpkit Hangul" (OFL: a modified font does not keep the original's name)."""
    names = font["name"]
    for record in list(names.names):
        if record.nameID in (1, 3, 4, 6, 16, 17, 21, 22):
            names.removeNames(nameID=record.nameID)
    for name_id, value in ((1, FAMILY), (2, "Regular"), (3, f"{FAMILY} Regular; subset of "
                           f"{SOURCE_FACE} by the bpkit course"), (4, f"{FAMILY} Regular"),
                           (6, "bpkitHangul-Regular")):
        names.setName(value, name_id, 3, 1, 0x409)
    if "CFF " in font:
        cff = font["CFF "].cff
        old = cff.fontNames[0]
        cff.fontNames[0] = "bpkitHangul-Regular"
        top = cff[old] if old in cff else cff.topDictIndex[0]
        for key in ("FamilyName", "FullName"):
            if hasattr(top, key):
                setattr(top, key, FAMILY if key == "FamilyName" else f"{FAMILY} Regular")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m autograder.hangul_font",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--source", type=Path, default=SOURCE,
                        help=f"the Noto Sans CJK collection (default: {SOURCE})")
    args = parser.parse_args(argv)
    if not args.source.is_file():
        parser.exit(2, f"error: {args.source} not found: install Debian's fonts-noto-cjk\n")
    data = build(args.source)
    target = COURSE_ROOT / FONT
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    print(f"{FONT.as_posix()}: {len(data) / 1e6:.2f} MB, {len(wanted_code_points())} characters")
    return 0


if __name__ == "__main__":
    sys.exit(main())
