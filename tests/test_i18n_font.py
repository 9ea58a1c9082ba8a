"""Korean figures render on any machine: bpkit ships its own Hangul font.

- every Hangul syllable the catalogs use is in bpkit/fonts/bpkit-hangul.otf;
- on a machine with no Hangul font at all (the system's removed from matplotlib's list), a
  Korean figure draws with bpkit's font: no missing-glyph warning, nothing on stderr; the
  picture is saved to screenshots/ko-figure-without-system-fonts.png;
- with bpkit's font gone too, bpkit's own figure text falls back to English, again silently.
"""

import re
import subprocess
import sys
from pathlib import Path

from fontTools.ttLib import TTFont

from autograder import hangul_font
from autograder.lessons import COURSE_ROOT
from bpkit import i18n

SCREENSHOTS = COURSE_ROOT / "screenshots"


def test_the_shipped_font_has_every_syllable_the_catalogs_use():
    font = TTFont(COURSE_ROOT / hangul_font.FONT)
    covered = set(font.getBestCmap())
    missing = [c for c in hangul_font.course_syllables() if ord(c) not in covered]
    assert not missing, (
        f"bpkit Hangul lacks {''.join(missing[:20])}: run `python -m autograder.hangul_font` "
        f"on a machine with fonts-noto-cjk and commit bpkit/fonts/bpkit-hangul.otf")
    assert font["name"].getDebugName(1) == i18n.SHIPPED_FAMILY
    assert "Open Font License" in (COURSE_ROOT / "bpkit" / "fonts" / "OFL.txt").read_text()


DRAW = r'''
import sys, warnings
warnings.simplefilter("error")  # a missing glyph is a warning: make it fail loudly
import matplotlib
matplotlib.use("Agg")
from matplotlib import font_manager
import matplotlib.pyplot as plt
# A machine without Hangul fonts: drop every system font that has Hangul from matplotlib's list.
font_manager.fontManager.ttflist = [
    f for f in font_manager.fontManager.ttflist if "CJK" not in f.name and "KR" not in f.name]
from bpkit import i18n, viz
if sys.argv[2] == "no-shipped-font":
    i18n.SHIPPED_FONT = i18n.SHIPPED_FONT.with_name("missing.otf")
i18n.use_language("ko")
print("font:", i18n.korean_font())
figure, (graph, plot) = plt.subplots(1, 2, figsize=(10, 3))
viz.draw_graph(viz.apple_graph(), ax=graph)
plot.plot([0, 1, 2], [2.3, 0.9, 0.2])
plot.set_title(i18n.figure_text(sys.argv[3]))  # a sentence of bpkit's, through its catalog
if sys.argv[2] == "shipped-font":
    plot.set_xlabel("단계 (a label typed into a lesson's code cell)")
texts = [t.get_text() for t in figure.findobj(matplotlib.text.Text) if t.get_text().strip()]
print("texts:", " | ".join(texts))
figure.tight_layout()
figure.savefig(sys.argv[1], dpi=80)
'''


# A sentence of bpkit's with a Korean translation, to stand for a figure title.
SENTENCE = "✗ Check failed"


def _draw(tmp_path, mode):
    target = tmp_path / f"{mode}.png"
    done = subprocess.run([sys.executable, "-c", DRAW, str(target), mode, SENTENCE],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stderr == "", f"the figure wrote to stderr:\n{done.stderr}"
    return done.stdout, target


def test_a_korean_figure_renders_with_no_system_font(tmp_path):
    out, picture = _draw(tmp_path, "shipped-font")
    assert "font: bpkit Hangul" in out, out
    texts = out.split("texts:", 1)[1]
    assert re.search(r"[\uac00-\ud7a3]", texts), f"the figure has no Korean text: {texts}"
    SCREENSHOTS.mkdir(exist_ok=True)
    Path(SCREENSHOTS / "ko-figure-without-system-fonts.png").write_bytes(picture.read_bytes())


def test_without_any_hangul_font_bpkit_figures_fall_back_to_english(tmp_path):
    out, _ = _draw(tmp_path, "no-shipped-font")
    assert "font: None" in out, out
    texts = out.split("texts:", 1)[1]
    assert not re.search(r"[\uac00-\ud7a3]", texts), f"Korean text with no font for it: {texts}"
    assert SENTENCE in texts, texts
