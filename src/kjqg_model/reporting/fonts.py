"""The CJK font: shipped by the PyPI package `mplfonts` (installed by the project's own set-up),
registered for matplotlib, and subset once per batch for the PDF renderer."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, wraps
from pathlib import Path

from ..inputs.errors import InputError

FONT_FILE = "NotoSansCJKsc-Regular.otf"
FAMILY = "Noto Sans CJK SC"


@cache
def cjk_font_path() -> Path:
    try:
        import mplfonts
    except ImportError:
        raise InputError.single(
            "font", "no package mplfonts", "the CJK font from `make setup` (pip mplfonts)"
        ) from None
    path = Path(mplfonts.__file__).parent / "fonts" / FONT_FILE
    if not path.is_file():
        raise InputError.single("font", f"no {path}", f"{FONT_FILE} shipped by mplfonts")
    return path


@cache
def _register() -> None:
    from matplotlib import font_manager

    font_manager.fontManager.addfont(str(cjk_font_path()))


def cjk_style():
    """A matplotlib rc context with the CJK font: text made inside it keeps the font (named, not the
    generic 'sans-serif' that is looked up again when drawn), and the global rcParams are left as they were."""
    import matplotlib

    _register()
    return matplotlib.rc_context(
        {
            "font.family": [FAMILY, "DejaVu Sans"],
            "axes.unicode_minus": False,  # the CJK font has no U+2212 glyph
        }
    )


def cjk_figure(draw: Callable) -> Callable:
    """Decorate a function that makes a figure: it runs inside `cjk_style()`."""

    @wraps(draw)
    def inside(*args, **kwargs):
        with cjk_style():
            return draw(*args, **kwargs)

    return inside


def subset_font(text: str, out: Path) -> Path:
    """A copy of the CJK font holding only the glyphs of `text` (plus ASCII): embedding it costs
    a fraction of a second per PDF instead of several seconds for the 16 MB original."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.name_IDs = ["*"]
    options.layout_features = ["*"]
    options.notdef_outline = True
    font = TTFont(str(cjk_font_path()))
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(set(text))) + "".join(map(chr, range(32, 127))))
    subsetter.subset(font)
    out.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(out))
    return out
