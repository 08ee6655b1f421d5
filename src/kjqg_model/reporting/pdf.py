"""Notebook -> HTML without code -> PDF, offline: nbconvert's basic template wrapped in a print
stylesheet, rendered by WeasyPrint (no browser involved). The page names the CJK font by family
only, so the HTML needs no font file beside it; the PDF renderer is handed the batch's font subset
as an extra stylesheet."""

from __future__ import annotations

import html as html_lib
from pathlib import Path

PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>
<style>
@page {{ size: A4; margin: 16mm 14mm 18mm 14mm;
        @bottom-center {{ content: "{footer} — " counter(page) " / " counter(pages); font-size: 7pt; color: #666; }} }}
body {{ font-family: cjk, "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif;
       font-size: 9.5pt; line-height: 1.45; color: #222; }}
h1 {{ font-size: 17pt; margin: 0 0 4pt 0; }}
h2 {{ font-size: 12.5pt; margin-top: 14pt; border-bottom: 1px solid #999; }}
h3 {{ font-size: 10.5pt; }}
table {{ border-collapse: collapse; font-size: 7.6pt; margin: 4pt 0; page-break-inside: auto; }}
thead {{ display: table-header-group; }}
tr {{ page-break-inside: avoid; }}
th, td {{ border: 0.5px solid #bbb; padding: 1.5pt 3pt; text-align: left; vertical-align: top; }}
th {{ background: #eee; }}
img {{ max-width: 100%; page-break-inside: avoid; }}
h2, h2 + p {{ break-after: avoid; }}  /* a heading and its lead stay with what follows */
pre {{ white-space: pre-wrap; font-size: 7.5pt; }}
.anchor-link {{ display: none; }}
</style></head>
<body>
{body}
</body></html>
"""


def notebook_to_html(notebook: Path, title: str, footer: str) -> str:
    """The executed notebook as a standalone HTML page with its code cells removed."""
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="basic", exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True
    )
    body, _ = exporter.from_notebook_node(nbformat.read(str(notebook), as_version=4))
    return PAGE.format(title=html_lib.escape(title), footer=_css_string(footer), body=body)


def _css_string(text: str) -> str:
    """Text for a CSS string in the page's <style> (the footer): CSS escapes, not HTML entities,
    which CSS would print as they stand (&quot;)."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ").replace("\n", " ")


def html_to_pdf(page: str, pdf: Path, base_url: Path, font: Path) -> Path:
    """Render `page` with `font` (a file anywhere, e.g. the batch's cached subset) as family cjk."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()  # an @font-face outside the page needs it on both calls
    rule = f'@font-face {{ font-family: cjk; src: url("{Path(font).resolve().as_uri()}"); }}'
    face = weasyprint.CSS(string=rule, font_config=fonts)
    weasyprint.HTML(string=page, base_url=str(base_url)).write_pdf(str(pdf), stylesheets=[face], font_config=fonts)
    return pdf
