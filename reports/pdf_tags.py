"""What WeasyPrint 70's tagger leaves out of a PDF/UA structure tree, added after the fact.

WeasyPrint gives every header cell an /ID and every data cell a /Headers list of those ids, but
writes no /IDTree, so a reader cannot resolve one of them; and it writes no /Scope on TH, which
PDF/UA asks for. An SVG figure's /Alt is its <title> only, without its <desc>. And it tags all
text as content: a leader's dots become one "." element each. `finish_tags` adds the IDTree, the
scopes and the descriptions, and turns the text set in LEADER_FONT into artifacts; everything
else (scopes in the HTML, one link per contents entry, term and value pairs) is fixed in the
print templates, where the cause is.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from pathlib import Path
from xml.etree.ElementTree import Element

import pikepdf

SVG = "{http://www.w3.org/2000/svg}"

# The font print.css sets the contents page's leader dots in, and nothing else: text drawn in
# it is decoration (PDF/UA: an artifact), not content. Matched on the embedded font's name.
LEADER_FONT = "DejaVu-Sans-Mono"


def figure_descriptions(root: Element) -> dict[str, str]:
    """Each SVG's <title> text -> its <desc> text, from the parsed HTML of a report (the
    keys are the /Alt WeasyPrint writes for the figure)."""
    found = {}
    for svg in root.iter(f"{SVG}svg"):
        title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
        if title is not None and title.text and desc is not None and desc.text:
            found[title.text] = " ".join(desc.text.split())
    return found


def _kids(element: pikepdf.Dictionary) -> Iterator[pikepdf.Dictionary]:
    """The structure elements directly under `element` (not marked content or annotations)."""
    kids = element.get("/K")
    if kids is None:
        return
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield kid


def _walk(element: pikepdf.Dictionary) -> Iterator[pikepdf.Dictionary]:
    # Iterative: a 500-row report's tree is deep and wide enough to matter for recursion.
    stack = [element]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(list(_kids(node))))


def _rows(table: pikepdf.Dictionary) -> list[pikepdf.Dictionary]:
    """The table's TR elements in order, through THead, TBody and TFoot (as the tagger counts)."""
    rows = []
    for kid in _kids(table):
        if kid.S == "/TR":
            rows.append(kid)
        elif kid.S in ("/THead", "/TBody", "/TFoot"):
            rows.extend(r for r in _kids(kid) if r.S == "/TR")
    return rows


def _header_ids(cell: pikepdf.Dictionary) -> list[str]:
    attributes = cell.get("/A")
    if not isinstance(attributes, pikepdf.Dictionary) or "/Headers" not in attributes:
        return []
    return [str(h) for h in attributes.Headers]


def _set_scopes(table: pikepdf.Dictionary) -> None:
    """/Scope on each TH of `table`, as the tagger used it: a header the data cells of its own
    row name is a row header, one named from other rows a column header. A header no cell
    names (a corner, a table without data) is a column header in THead or in a row of headers
    only, and a row header otherwise."""
    rows = _rows(table)
    named_from: dict[str, set[int]] = {}
    for index, row in enumerate(rows):
        for cell in _kids(row):
            if cell.S == "/TD":
                for header in _header_ids(cell):
                    named_from.setdefault(header, set()).add(index)
    for index, row in enumerate(rows):
        cells = list(_kids(row))
        in_head = row.get("/P") is not None and row.P.get("/S") == "/THead"
        for cell in cells:
            if cell.S != "/TH":
                continue
            rows_naming = named_from.get(str(cell.get("/ID", "")), set())
            if rows_naming:
                scope = "/Row" if index in rows_naming else "/Column"
            elif in_head or all(c.S == "/TH" for c in cells):
                scope = "/Column"
            else:
                scope = "/Row"
            attributes = cell.get("/A")
            if not isinstance(attributes, pikepdf.Dictionary):
                attributes = pikepdf.Dictionary(O=pikepdf.Name.Table)
                cell.A = attributes
            attributes.Scope = pikepdf.Name(scope)


def _describe_figure(figure: pikepdf.Dictionary, descriptions: Mapping[str, str]) -> None:
    alt = str(figure.get("/Alt", ""))
    description = descriptions.get(alt)
    if description and description not in alt:
        figure.Alt = pikepdf.String(f"{alt}. {description}")


def _leader_fonts(page: pikepdf.Page) -> set[str]:
    resources = page.obj.get("/Resources")
    fonts = resources.get("/Font") if isinstance(resources, pikepdf.Dictionary) else None
    if not isinstance(fonts, pikepdf.Dictionary):
        return set()
    return {
        str(name)
        for name, font in fonts.items()
        if str(font.get("/BaseFont", "")).split("+")[-1] == LEADER_FONT
    }


def _artifact_leaders(pdf: pikepdf.Pdf) -> dict[int, set[int]]:
    """Re-mark the marked-content sequences that draw text in LEADER_FONT as /Artifact.
    Returns page index -> the MCIDs that are no longer content."""
    removed: dict[int, set[int]] = {}
    for index, page in enumerate(pdf.pages):
        fonts = _leader_fonts(page)
        if not fonts:
            continue
        instructions = list(pikepdf.parse_content_stream(page))
        # WeasyPrint draws each text box in its own BDC ... EMC with one Tf: find the
        # sequences whose font is the leader font.
        leaders: list[tuple[int, int]] = []  # (position of BDC, MCID)
        opened: tuple[int, int] | None = None
        for position, instruction in enumerate(instructions):
            operator = str(instruction.operator)
            if operator == "BDC":
                properties = instruction.operands[1]
                if isinstance(properties, pikepdf.Dictionary) and "/MCID" in properties:
                    opened = (position, int(properties.MCID))
            elif operator == "EMC":
                opened = None
            elif operator == "Tf" and opened and str(instruction.operands[0]) in fonts:
                leaders.append(opened)
                opened = None
        if not leaders:
            continue
        for position, _ in leaders:
            instructions[position] = pikepdf.ContentStreamInstruction(
                [pikepdf.Name.Artifact], pikepdf.Operator("BMC")
            )
        page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(instructions))
        removed[index] = {mcid for _, mcid in leaders}
    return removed


def _untag(root: pikepdf.Dictionary, removed: dict[int, set[int]]) -> None:
    """Take the MCIDs in `removed` out of the structure tree and the ParentTree, and drop the
    elements left empty by it."""
    nums = root.ParentTree.Nums
    pages = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    for page_index, mcids in removed.items():
        refs = pages[page_index]
        for mcid in mcids:
            element = refs[mcid]
            refs[mcid] = None
            while isinstance(element, pikepdf.Dictionary) and "/S" in element:
                kids = element.K
                kept = [k for k in kids if not (isinstance(k, int) and k == mcid)]
                element.K = pikepdf.Array(kept)
                if kept:
                    break
                # Empty now: unlink it from its parent and look at the parent in turn.
                parent = element.P
                parent.K = pikepdf.Array(
                    [
                        k
                        for k in parent.K
                        if not (isinstance(k, pikepdf.Dictionary) and k.objgen == element.objgen)
                    ]
                )
                element, mcid = parent, -1
                if parent.K:
                    break


def finish_tags(
    pdf: bytes | Path, *, figure_descriptions: Mapping[str, str] | None = None
) -> bytes:
    """The PDF with an /IDTree for its header cells' ids, a /Scope on every TH and, for each
    figure whose /Alt is a key of `figure_descriptions`, that description added to its /Alt.
    Safe to run twice (the second run rebuilds the same tree)."""
    descriptions = figure_descriptions or {}
    source = pikepdf.open(io.BytesIO(pdf) if isinstance(pdf, bytes) else pdf)
    with source:
        root = source.Root.get("/StructTreeRoot")
        if not isinstance(root, pikepdf.Dictionary):  # not tagged: nothing to finish
            return pdf if isinstance(pdf, bytes) else pdf.read_bytes()
        removed = _artifact_leaders(source)
        if removed:
            _untag(root, removed)
        ids = pikepdf.NameTree.new(source)
        for top in _kids(root):
            for element in _walk(top):
                if "/ID" in element:
                    ids[str(element.ID)] = element
                if element.S == "/Table":
                    _set_scopes(element)
                elif element.S == "/Figure":
                    _describe_figure(element, descriptions)
        root.IDTree = ids.obj
        out = io.BytesIO()
        source.save(out)
        return out.getvalue()
