"""The course's PDF (`make pdf`) against the notebooks and the built site.

Everything expected is read at test time from the table of contents, the notebooks and the
HTML pages in COURSE_SITE, so the checks follow the lectures as they change: every lecture's
title, every numbered block with the site's number and title, in the site's order, each
exercise's and solution's body inside its own block, the bibliography, every stored figure
and every widget's default figure (matched by a hash of their decoded pixels), working
internal links, no raw source or object text, no text past the right margin, no empty page.
Two pages (a theorem with a figure, code) are rendered to _build/screenshots/pdf/.

Tools: poppler-utils (pdftotext, pdfimages, pdftoppm, pdfinfo) and pypdf (pinned).
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import os
import re
import subprocess
import sys
import unicodedata
from functools import lru_cache
from pathlib import Path

import pytest
import yaml
from PIL import Image

REPO = Path(__file__).resolve().parents[2]
PDF = Path(os.environ.get("COURSE_PDF", REPO / "_build/pdf/online-sgd-in-high-dimension.pdf"))
SITE = Path(os.environ.get("COURSE_SITE", REPO / "_build/html"))
SCREENSHOTS = REPO / "_build/screenshots/pdf"

sys.path.insert(0, str(REPO / "_ext"))
import course_latex  # noqa: E402

LEAKS = ("$$", "\\frac", "\\mathbb", "{prf:", "{exercise}", ":label:", "VBox(", "HBox(", "<Figure size")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


# --- normalized text: math letters, ligatures, quotes, hyphenation ---------------------


def norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)  # 𝑤 -> w, ﬁ -> fi
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    text = re.sub(r"[-‐‑]\s*\n\s*", "", text)  # a word broken at the end of a line
    text = re.sub(r"[-‐‑–—]", "", text)
    return re.sub(r"\s+", " ", text).strip()


@lru_cache(maxsize=None)
def pages() -> tuple[str, ...]:
    return tuple(run("pdftotext", "-enc", "UTF-8", str(PDF), "-").split("\f")[:page_count()])


@lru_cache(maxsize=None)
def page_count() -> int:
    return int(re.search(r"^Pages:\s+(\d+)", run("pdfinfo", str(PDF)), re.M).group(1))


@lru_cache(maxsize=None)
def text() -> str:
    return norm("\n".join(pages()))


# --- what the course contains: table of contents, notebooks, site ---------------------


@lru_cache(maxsize=None)
def documents() -> tuple[str, ...]:
    toc = yaml.safe_load((REPO / "_toc.yml").read_text(encoding="utf-8"))
    docs = [toc["root"]]
    for part in toc.get("parts", []):
        docs += [chapter["file"] for chapter in part.get("chapters", [])]
    return tuple(docs)


def source(doc: str) -> Path:
    for suffix in (".ipynb", ".md"):
        if (REPO / (doc + suffix)).exists():
            return REPO / (doc + suffix)
    raise FileNotFoundError(doc)


def notebooks() -> list[Path]:
    return [source(d) for d in documents() if source(d).suffix == ".ipynb"]


def lectures() -> list[str]:
    """The documents whose page on the site shows numbered blocks or a title (not the
    bibliography page, checked on its own)."""
    return [d for d in documents() if (SITE / (d + ".html")).exists()]


def site_page(doc: str) -> str:
    path = SITE / (doc + ".html")
    if not path.exists():
        pytest.fail(f"no built site page {path}: run `make site` first")
    return path.read_text(encoding="utf-8")


def plain(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def longest_plain_run(fragment: str, words: int = 8) -> str:
    """The longest stretch of the fragment's text with no mathematics in it (mathematics is
    typeset differently in HTML and PDF), cut to ``words`` words."""
    fragment = re.sub(r'<span class="math[^"]*">.*?</span>', "\x00", fragment, flags=re.S)
    fragment = re.sub(r'<div class="math[^"]*">.*?</div>', "\x00", fragment, flags=re.S)
    fragment = re.sub(r"<(p|li|div|td|th|tr|ul|ol|table)\b[^>]*>", "\x00", fragment)
    runs = [norm(plain(part)).split(" ") for part in fragment.split("\x00")]
    best = max(runs, key=len, default=[])
    return " ".join(best[:words])


def keywords(fragment: str, count: int = 12) -> tuple[str, ...]:
    """Distinct words of five letters or more in the fragment's text outside mathematics, in
    order: PDF text extraction interleaves a formula's superscripts with the words around it,
    so a body is recognised by its words rather than by a verbatim sentence."""
    fragment = re.sub(r'<span class="math[^"]*">.*?</span>', " ", fragment, flags=re.S)
    fragment = re.sub(r'<div class="math[^"]*">.*?</div>', " ", fragment, flags=re.S)
    words: list[str] = []
    for word in re.findall(r"\b[A-Za-z]{5,}\b", norm(plain(fragment))):
        if word not in words:
            words.append(word)
    return tuple(words[:count])


def has_words(window: str, words: tuple[str, ...]) -> bool:
    if not words:
        return True
    found = sum(bool(re.search(r"\b" + re.escape(w) + r"\b", window)) for w in words)
    return found >= max(1, round(0.8 * len(words)))


BLOCK = re.compile(
    r'<div class="(?P<classes>[^"]*\b(?:proof|exercise|solution)\b[^"]*)" id="(?P<label>[^"]+)">\s*'
    r'<p class="admonition-title"[^>]*>(?P<title>.*?)</p>\s*'
    r'<section[^>]*id="(?:proof|exercise|solution)-content">(?P<body>.*?)</section>\s*</div>',
    re.S,
)


@lru_cache(maxsize=None)
def site_blocks() -> tuple[dict[str, str], ...]:
    """Every numbered block (and every solution) of the site, in reading order."""
    found = []
    for doc in lectures():
        for m in BLOCK.finditer(site_page(doc)):
            number = re.search(r'<span class="caption-number">([^<]*)</span>', m["title"])
            title = norm(plain(m["title"]))
            if "solution" in m["classes"].split():
                caption = title  # "Solution to Exercise 4.1"
            elif number:
                caption = norm(number.group(1))
            else:
                continue  # proofs and unnumbered blocks carry no number
            found.append(
                {
                    "doc": doc,
                    "label": m["label"],
                    "caption": caption,
                    "title": keywords(m["title"].split("</span>", 1)[-1]) if number else (),
                    "body": keywords(m["body"]),
                    "kind": "solution" if "solution" in m["classes"].split() else "block",
                }
            )
    return tuple(found)


def locate_blocks() -> list[tuple[dict[str, str], int]]:
    """Find each block of the site in the PDF's text, in order: its caption with the same
    number ("Theorem 4.2", not "Theorem 4.21"), its title's words right after it, and its
    body's words after that (a cross-reference to the block has neither)."""
    pdf, cursor, located = text(), 0, []
    for block in site_blocks():
        pattern = re.compile(re.escape(block["caption"]) + r"(?![\d]|\.\d)")
        position = -1
        for match in pattern.finditer(pdf, cursor):
            start = match.end()
            if has_words(pdf[start : start + 300], block["title"]) and has_words(pdf[start : start + 4000], block["body"]):
                position = match.start()
                break
        assert position >= 0, (
            f"{block['doc']}: {block['caption']} ({block['label']}) not found in the PDF after the "
            f"previous block, with its title {block['title']} and body {block['body']}"
        )
        located.append((block, position))
        cursor = position + len(block["caption"])
    return located


# --- the checks ----------------------------------------------------------------------------


def test_pdf_opens_with_pages():
    assert PDF.is_file(), f"no PDF at {PDF}: run `make pdf`"
    assert page_count() > 10
    info = run("pdfinfo", str(PDF))
    assert "Page size" in info


def site_title(doc: str) -> str:
    main = site_page(doc).split("<main", 1)[-1]
    return norm(plain(re.search(r"<h1[^>]*>(.*?)</h1>", main, re.S).group(1))).rstrip("#").strip()


def test_every_lecture_title():
    for doc in lectures():
        title = site_title(doc)
        title = re.sub(r"^\d+(\.\d+)*\.? ", "", title)  # the site's section number
        assert title in text(), f"title of {doc} ({title!r}) missing in the PDF"


def test_every_numbered_block_with_the_sites_number():
    blocks = site_blocks()
    assert sum(b["kind"] == "block" for b in blocks) >= 20, "too few numbered blocks read from the site"
    assert {b["doc"] for b in blocks} >= set(lectures()) - {documents()[-1]}, "a lecture without numbered blocks"
    located = locate_blocks()
    assert len(located) == len(blocks)


def test_no_section_numbered_blocks():
    """The LaTeX route's own numbering ('Theorem 4.3.1') must not show anywhere."""
    found = re.findall(r"\b(?:Theorem|Lemma|Definition|Proposition|Remark|Exercise|Corollary) \d+\.\d+\.\d+", text())
    assert not found, f"section-level numbers in the PDF: {sorted(set(found))[:10]}"


def test_each_exercise_body_in_its_block_and_its_solution_after_it():
    located = locate_blocks()
    exercises = [(b, p) for b, p in located if b["caption"].startswith("Exercise")]
    assert exercises, "no exercise found on the site"
    pdf = text()
    for index, (block, position) in enumerate(located):
        if not (block["caption"].startswith("Exercise") or block["kind"] == "solution"):
            continue
        end = located[index + 1][1] if index + 1 < len(located) else len(pdf)
        assert block["body"], f"{block['label']}: no text to look for in its body"
        assert has_words(pdf[position:end], block["body"]), (
            f"{block['caption']} ({block['doc']}): its body {block['body']!r} is not inside its block"
        )
    solutions = {b["caption"].removeprefix("Solution to ").strip() for b, _ in located if b["kind"] == "solution"}
    missing = {b["caption"] for b, _ in exercises} - solutions
    assert not missing, f"exercises whose solution is not in the PDF: {sorted(missing)}"


def test_bibliography_entries():
    page = site_page(documents()[-1]) if "references" in documents()[-1] else None
    assert page, "the last document of the table of contents is not the bibliography"
    entries = re.findall(r'<div class="citation" id="[^"]+"[^>]*>.*?<p>(.*?)</p>', page, re.S)
    assert entries, "no bibliography entries on the site"
    pdf = text()
    start = pdf.rfind("References")
    for entry in entries:
        run_ = longest_plain_run(entry)
        assert run_ in pdf[start:], f"bibliography entry missing from the PDF: {run_!r}"


def pixels(png: bytes) -> str:
    image = Image.open(io.BytesIO(png)).convert("RGB")  # alpha goes to a separate mask in PDF
    return hashlib.sha256(f"{image.size}".encode() + image.tobytes()).hexdigest()


@lru_cache(maxsize=None)
def pdf_images(tmp: str) -> frozenset[str]:
    folder = Path(tmp)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("img-*"):
        old.unlink()
    subprocess.run(["pdfimages", "-png", str(PDF), str(folder / "img")], check=True)
    return frozenset(pixels(f.read_bytes()) for f in sorted(folder.glob("img-*.png")))


def expected_figures() -> tuple[dict[str, str], dict[str, str]]:
    """(stored figures, widget default figures): pixel hash -> where it comes from."""
    figures, widgets = {}, {}
    for path in notebooks():
        nb = json.loads(path.read_text(encoding="utf-8"))
        for n, cell in enumerate(nb["cells"]):
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                if "image/png" in data:
                    raw = base64.b64decode("".join(data["image/png"]) if isinstance(data["image/png"], list) else data["image/png"])
                    figures[pixels(raw)] = f"{path.name} cell {n}"
                if WIDGET_VIEW in data:
                    model = data[WIDGET_VIEW]["model_id"]
                    images = course_latex.widget_default_images(nb, model)
                    assert images, f"{path.name} cell {n}: the widget has no stored default figure"
                    for raw, _alt in images:
                        widgets[pixels(raw)] = f"{path.name} cell {n} (widget)"
    return figures, widgets


def test_every_stored_figure_and_widget_default_figure(tmp_path_factory):
    figures, widgets = expected_figures()
    for path in notebooks():  # every lecture has figures and a widget (DESIGN.md)
        assert any(path.name in where for where in figures.values()), f"{path.name}: no stored figure"
        assert any(path.name in where for where in widgets.values()), f"{path.name}: no widget figure"
    found = pdf_images(str(tmp_path_factory.mktemp("pdfimages")))
    missing = sorted(where for digest, where in {**figures, **widgets}.items() if digest not in found)
    assert not missing, f"{len(missing)} figures not in the PDF: {missing[:8]}"
    print(f"{len(figures)} stored figures and {len(widgets)} widget default figures matched by pixel hash")


def test_widget_note_with_each_widget():
    _figures, widgets = expected_figures()
    note = norm(course_latex.WIDGET_NOTE.split("{notebook}")[0])
    assert text().count(note) == len(widgets), "each widget figure comes with its note on the interactive version"


def test_no_raw_source_or_object_text():
    found = []
    for n, page in enumerate(pages(), 1):
        for leak in LEAKS:
            at = page.find(leak)
            if at >= 0:
                snippet = " ".join(page[max(0, at - 80) : at + 40].split())
                found.append(f"page {n}: {leak!r} in ...{snippet}...")
    assert not found, "raw source or object text in the PDF:\n" + "\n".join(found)


def test_no_character_missing_from_the_fonts():
    log = PDF.parent.parent / "latex" / "book.log"
    assert log.is_file(), f"no LaTeX log at {log}"
    missing = sorted(set(re.findall(r"Missing character: There is no (.+?) in font", log.read_text(errors="replace"))))
    assert not missing, f"characters no font has (dropped from the PDF): {missing}"


def test_no_text_beyond_the_right_margin():
    cm = 72 / 2.54
    bbox = run("pdftotext", "-bbox", str(PDF), "-")
    over = []
    for n, page in enumerate(re.findall(r'<page width="([\d.]+)" height="[\d.]+">(.*?)</page>', bbox, re.S), 1):
        width = float(page[0])
        limit = width - course_latex.HMARGIN_CM * cm + 1.0  # 1 pt for glyph overhang
        for x_max, word in re.findall(r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">(.*?)</word>', page[1]):
            if float(x_max) > limit:
                over.append((n, word, round(float(x_max) - limit + 1.0, 1)))
    assert not over, f"text past the right margin (page, word, pt over): {over[:10]}"


def test_no_empty_page():
    listing = run("pdfimages", "-list", str(PDF)).splitlines()[2:]
    with_images = {int(line.split()[0]) for line in listing if line.strip()}
    empty = [n for n, page in enumerate(pages(), 1) if not page.strip() and n not in with_images]
    assert not empty, f"empty pages: {empty}"


def test_internal_links_work():
    from pypdf import PdfReader

    reader = PdfReader(str(PDF))
    names = set(reader.named_destinations)
    internal, broken = 0, []
    for n, page in enumerate(reader.pages, 1):
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/Subtype") != "/Link":
                continue
            action = annot.get("/A")
            dest = annot.get("/Dest")
            if action is not None and action.get_object().get("/S") == "/GoTo":
                dest = action.get_object().get("/D")
            if dest is None:
                continue
            internal += 1
            if isinstance(dest, str) or hasattr(dest, "original_bytes"):
                if str(dest) not in names:
                    broken.append((n, str(dest)))
    assert not broken, f"links to missing destinations (page, name): {broken[:10]}"
    # Every cross-reference to a numbered block and every citation of the site is a link here.
    refs = sum(
        len(re.findall(r'<a class="reference internal" href="[^"]*#[^"]+"', site_page(doc).split('<main', 1)[-1].split("</main>", 1)[0]))
        for doc in lectures()
    )
    assert internal >= refs * 0.9, f"{internal} internal links in the PDF for {refs} internal references on the site"


def test_cross_references_carry_the_sites_numbers():
    """A reference to a block reads as on the site ("Theorem 4.2"): the intro's references
    to the lectures' blocks, found in the intro's part of the PDF."""
    page = site_page(documents()[0])
    refs = set(
        re.findall(
            r'<a class="reference internal" href="[^"#]+\.html#[^"]+"[^>]*>(?:<span[^>]*>)?'
            r"((?:Theorem|Lemma|Definition|Proposition|Exercise|Remark|Corollary) \d+\.\d+)\b",
            page,
        )
    )
    assert refs, "no cross-reference from the intro to a lecture's block on the site"
    located = locate_blocks()
    first_lecture = next(p for b, p in located if b["doc"] != documents()[0])
    intro = text()[located[0][1] - 5000 : first_lecture]
    missing = sorted(r for r in refs if not re.search(re.escape(r) + r"(?![.\d])", intro))
    assert not missing, f"the intro's references in the PDF lack {missing}"


def page_with(predicate) -> int:
    for n, page in enumerate(pages(), 1):
        if predicate(n, norm(page)):
            return n
    raise AssertionError("no such page")


def test_render_two_pages(tmp_path_factory):
    """A page with a theorem and a figure, and a page with code: rendered for a person to look at."""
    listing = run("pdfimages", "-list", str(PDF)).splitlines()[2:]
    with_images = {int(line.split()[0]) for line in listing if line.strip()}
    theorem = page_with(lambda n, t: n in with_images and re.search(r"\bTheorem \d+\.\d+ \(", t))
    code_lines = [
        line.strip()
        for path in notebooks()
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]
        if cell["cell_type"] == "code"
        for line in "".join(cell["source"]).splitlines()
        if len(line.strip()) >= 40
    ]
    assert code_lines, "no code line of 40 characters or more in the notebooks"
    # The longest line of code (the course keeps them within 77 characters; the right-margin
    # check covers any that would not fit): its page is the one with code to look at.
    start = norm(max(code_lines, key=len)[:40])
    code = page_with(lambda n, t: start in t)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name, number in (("theorem-and-figure", theorem), ("code", code)):
        target = SCREENSHOTS / f"page-{number:03d}-{name}"
        subprocess.run(["pdftoppm", "-r", "110", "-png", "-singlefile", "-f", str(number), "-l", str(number), str(PDF), str(target)], check=True)
        assert (target.with_suffix(".png")).stat().st_size > 10_000
