"""The course as one PDF: what Jupyter Book 1's LaTeX route (sphinx-jupyterbook-latex,
sphinx-proof, sphinx-exercise, myst-nb) needs to typeset the lectures like the website.

Everything here acts only when the builder writes LaTeX; the HTML site is untouched.

- Numbers as on the website. With parts in the table of contents sphinx-jupyterbook-latex
  sets ``numfig_secnum_depth = 2``, so the blocks are numbered per section ("Theorem 4.3.1")
  while the site numbers them per lecture ("Theorem 4.2"). It is set back to 1.
- Block bodies stay in their blocks. sphinx-proof and sphinx-exercise put a block's body in
  a ``section`` node; on the root page (the introduction) sphinx-jupyterbook-latex flattens
  every section, so the body of each definition, lemma, theorem and exercise left its box
  (an empty box, the text after it). Only real sections are flattened now.
- The introduction is an unnumbered chapter (in the table of contents) whose sections are
  unnumbered sections, instead of loose text with enlarged bold lines after the contents.
- A widget's output is its stored default figure: the image that the Output model holds in
  the notebook's widget state, with a line saying where the interactive version is, instead
  of the widget's ``VBox(children=...)`` text.
- The LaTeX styling lives in ``course-latex.sty`` next to this file (fonts, page, blocks).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import html
import json
import re
from pathlib import Path
from typing import Any, Iterator

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.transforms.post_transforms import SphinxPostTransform

HERE = Path(__file__).resolve().parent
STYLE = HERE / "course-latex.sty"

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_NOTE = (
    "Interactive figure: this is the widget's default view. The live version, with its "
    "controls, is on the course website and in the notebook {notebook}."
)

# The page: A4, text block 21 - 2 x 2.4 cm wide (tests/pdf checks that no text passes it).
HMARGIN_CM = 2.4
VMARGIN_CM = 2.5

# The block nodes whose body sphinx-proof and sphinx-exercise wrap in a ``section``.
BLOCK_MODULES = ("sphinx_proof.nodes", "sphinx_exercise.nodes")


def _is_latex(app: Sphinx) -> bool:
    return getattr(app.builder, "format", "") == "latex"


# --- widget default figures -----------------------------------------------------------

_DATA_URI = re.compile(r"""src=["']data:image/png;base64,([A-Za-z0-9+/=\s]+)["']""")
_ALT = re.compile(r"""alt=["']([^"']*)["']""")


def _joined(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def output_images(output: dict[str, Any]) -> Iterator[tuple[bytes, str]]:
    """The PNG images of one stored output, with their alternative text: ``image/png`` data,
    or ``<img src="data:image/png;base64,...">`` in ``text/html`` (what an Output widget
    stores when its figure is displayed as HTML)."""
    data = output.get("data", {}) or {}
    if "image/png" in data:
        alt = str((output.get("metadata", {}) or {}).get("image/png", {}).get("alt", ""))
        try:
            yield base64.b64decode(_joined(data["image/png"])), alt
        except (binascii.Error, ValueError):
            pass
        return
    if "text/html" in data:
        markup = _joined(data["text/html"])
        for tag in re.findall(r"<img\b[^>]*>", markup):
            found = _DATA_URI.search(tag)
            if not found:
                continue
            alt = _ALT.search(tag)
            try:
                raw = base64.b64decode(re.sub(r"\s", "", found.group(1)))
            except (binascii.Error, ValueError):
                continue
            yield raw, html.unescape(alt.group(1)) if alt else ""


def widget_default_images(notebook: dict[str, Any], model_id: str) -> list[tuple[bytes, str]]:
    """The images shown by the widget ``model_id`` in its stored state: every Output model
    reachable from it through ``IPY_MODEL_`` references (children, layout, ...), in order."""
    state = (
        (notebook.get("metadata", {}) or {}).get("widgets", {}) or {}
    ).get(WIDGET_STATE, {}).get("state", {})
    images: list[tuple[bytes, str]] = []
    seen: set[str] = set()

    def references(value: Any) -> Iterator[str]:
        if isinstance(value, str) and value.startswith("IPY_MODEL_"):
            yield value[len("IPY_MODEL_"):]
        elif isinstance(value, list):
            for item in value:
                yield from references(item)
        elif isinstance(value, dict):
            for item in value.values():
                yield from references(item)

    def visit(mid: str) -> None:
        if mid in seen or mid not in state:
            return
        seen.add(mid)
        model = state[mid]
        model_state = model.get("state", {}) or {}
        if model.get("model_name") == "OutputModel":
            for output in model_state.get("outputs", []) or []:
                images.extend(output_images(output))
        for key, value in model_state.items():
            if key != "outputs":
                for ref in references(value):
                    visit(ref)

    visit(model_id)
    return images


def _widget_model_id(bundle: nodes.Element) -> str | None:
    for child in bundle.children:
        if child.get("mime_type") != WIDGET_VIEW:
            continue
        text = child.astext()
        found = re.search(r'"model_id"\s*:\s*"([0-9a-fA-F-]+)"', text)
        if found:
            return found.group(1)
    return None


class WidgetDefaultFigures(SphinxPostTransform):
    """Replace a widget output (before myst-nb picks its ``text/plain``) by its stored default
    figure and a line saying where the interactive version is."""

    default_priority = 3  # before myst-nb's SelectMimeType (4)

    def run(self, **kwargs: Any) -> None:
        if not _is_latex(self.app):
            return
        bundles = [
            node
            for node in self.document.findall(nodes.container)
            if node.get("nb_element") == "mime_bundle"
            and any(child.get("mime_type") == WIDGET_VIEW for child in node.children)
        ]
        cache: dict[str, dict[str, Any]] = {}
        for bundle in bundles:
            model_id = _widget_model_id(bundle)
            source = Path(bundle.source or "") if bundle.source else None
            if model_id is None or source is None or source.suffix != ".ipynb" or not source.exists():
                continue
            if str(source) not in cache:
                cache[str(source)] = json.loads(source.read_text(encoding="utf-8"))
            images = widget_default_images(cache[str(source)], model_id)
            if not images:
                continue
            docname = self.env.path2doc(str(source)) or self.env.docname
            replacement: list[nodes.Node] = []
            for raw, alt in images:
                uri = self._store(raw)
                self.env.images.add_file(docname, uri)
                image = nodes.image(uri=uri, alt=alt or "default view of the widget", candidates={"*": uri})
                replacement.append(image)
            notebook = str(source.relative_to(Path(self.app.srcdir))) if source.is_relative_to(self.app.srcdir) else source.name
            note = nodes.paragraph(classes=["widget-note"])
            note += nodes.emphasis(text=WIDGET_NOTE.format(notebook=notebook))
            replacement.append(note)
            bundle.replace_self(replacement)

    def _store(self, raw: bytes) -> str:
        """Write the PNG under the build folder (as myst-nb does for outputs); the uri is
        relative to the source folder, where Sphinx looks images up."""
        folder = Path(self.app.outdir).parent / "widget_figures"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"widget-{hashlib.sha256(raw).hexdigest()}.png"
        if not path.exists() or path.read_bytes() != raw:
            path.write_bytes(raw)
        try:
            return str(path.relative_to(Path(self.app.srcdir)))
        except ValueError:
            return str(path)


# --- block bodies and the introduction ------------------------------------------------


def _block_node_types() -> tuple[type, ...]:
    import importlib

    found: list[type] = []
    for name in BLOCK_MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, nodes.Admonition) and value.__module__ == name:
                found.append(value)
    return tuple(found)


def is_block_body(section: nodes.section) -> bool:
    """A ``section`` that sphinx-proof or sphinx-exercise made to hold a block's body: its
    parent is neither a section nor the document."""
    return not isinstance(section.parent, (nodes.section, nodes.document))


class KeepBlockBodies(SphinxPostTransform):
    """Before sphinx-jupyterbook-latex flattens the root page's sections (priority 700), mark
    the bodies of blocks as not to be flattened and give real sections their depth."""

    default_priority = 650

    def run(self, **kwargs: Any) -> None:
        if not _is_latex(self.app):
            return
        for section in list(self.document.findall(nodes.section)):
            if "header_level" not in section:
                continue
            if is_block_body(section):
                del section["header_level"]
                continue
            depth, parent = 1, section.parent
            while parent is not None:
                if isinstance(parent, nodes.section) and "header_level" in parent:
                    depth += 1
                parent = parent.parent
            section["header_level"] = depth


class course_heading(nodes.Element):
    """An unnumbered heading listed in the table of contents (``\\chapter*``, ``\\section*``)."""


def visit_course_heading(self: Any, node: course_heading) -> None:
    self.body.append("\n\\" + node["command"] + "*{")


def depart_course_heading(self: Any, node: course_heading) -> None:
    level = node["command"]
    text = self.encode(node.astext())
    self.body.append("}\n\\addcontentsline{toc}{" + level + "}{" + text + "}\n")
    if level == "chapter":
        self.body.append("\\markboth{" + text + "}{" + text + "}\n")


def _skip_html(self: Any, node: nodes.Element) -> None:
    raise nodes.SkipNode


class IntroAsChapter(SphinxPostTransform):
    """After sphinx-jupyterbook-latex (700): the root page opens with an unnumbered chapter
    carrying its title, and its flattened section titles become unnumbered sections."""

    default_priority = 710

    def run(self, **kwargs: Any) -> None:
        if not _is_latex(self.app):
            return
        try:
            from sphinx_jupyterbook_latex.nodes import RootHeader
        except ImportError:
            return
        root = self.app.config.root_doc
        top = next(
            (s for s in self.document.findall(nodes.section) if s.get("docname") == root and "header_level" in s),
            None,
        )
        if top is None:
            return
        title = next((c for c in top.children if isinstance(c, nodes.title)), None)
        if title is not None:
            heading = course_heading(command="chapter")
            heading.extend(child.deepcopy() for child in title.children)
            top.insert(top.index(title) + 1, heading)
        for header in list(self.document.findall(RootHeader)):
            command = "section" if header.get("level", 2) <= 2 else "subsection"
            heading = course_heading(command=command)
            heading.extend(header.children)
            header.replace_self(heading)


class UnnumberedParts(SphinxPostTransform):
    """A part of the table of contents without ``numbered: true`` (the back matter) has no
    section numbers on the site: in LaTeX its part and chapters are unnumbered too (still in
    the table of contents), by ``secnumdepth`` around it (course-latex.sty's macros)."""

    default_priority = 711

    def run(self, **kwargs: Any) -> None:
        if not _is_latex(self.app):
            return
        numbered = self.env.toc_secnumbers
        for start in list(self.document.findall(addnodes.start_of_file)):
            part = start.get("docname")
            if part in self.env.all_docs or not start.children:
                continue  # a document, not a part made from a caption
            docs = [n.get("docname") for n in start.findall(addnodes.start_of_file) if n is not start]
            docs = [d for d in docs if d in self.env.all_docs]
            if not docs:
                continue
            is_numbered = any(numbered.get(d) for d in docs)
            macro = "\\CourseNumbered" if is_numbered else "\\CourseUnnumbered"
            start.insert(0, nodes.raw("", macro + "\n", format="latex"))


class ProofBlocks(SphinxPostTransform):
    """A proof is a block titled "Proof" that ends with a square, not an untitled box whose
    text starts with "Proof." (sphinx-proof's LaTeX)."""

    default_priority = 712

    def run(self, **kwargs: Any) -> None:
        if not _is_latex(self.app):
            return
        try:
            from sphinx_proof.nodes import proof_node
        except ImportError:
            return
        for proof in list(self.document.findall(proof_node)):
            inner = proof.children[0] if proof.children else None
            if not isinstance(inner, nodes.admonition):
                continue
            body = inner.children
            first = body[0] if body else None
            if isinstance(first, nodes.paragraph) and first.children and isinstance(first.children[0], nodes.Text):
                text = str(first.children[0])
                if text.startswith("Proof. "):
                    first.replace(first.children[0], nodes.Text(text[len("Proof. "):]))
            block = course_proof()
            block.extend(list(body))
            proof.replace_self(block)


def fitted_display(tex: str) -> str:
    """LaTeX for an unnumbered display: the formula (its parts, separated by blank lines, one
    per line) scaled down to the line's width when it is wider, never past the margin."""
    parts = [part.strip() for part in tex.split("\n\n") if part.strip()]
    body = " \\\\\n".join(parts)
    return "\\begin{equation*}\\CourseFitMath{\\begin{aligned}\n" + body + "\n\\end{aligned}}\\end{equation*}\n"


class FitDisplayMath(SphinxPostTransform):
    """Displays wider than a block's text (three equations side by side in a theorem) are
    scaled to fit instead of running into the margin."""

    default_priority = 713

    def run(self, **kwargs: Any) -> None:
        if not _is_latex(self.app):
            return
        for block in list(self.document.findall(nodes.math_block)):
            if block.get("label") or block.get("nowrap"):
                continue  # numbered equations and amsmath environments as Sphinx writes them
            block.replace_self(nodes.raw("", fitted_display(block.astext()), format="latex"))


class course_proof(nodes.Element):
    """A proof block (the ``courseproof`` environment of course-latex.sty)."""


def visit_course_proof(self: Any, node: course_proof) -> None:
    self.body.append("\n\\begin{courseproof}\n")


def depart_course_proof(self: Any, node: course_proof) -> None:
    self.body.append("\n\\end{courseproof}\n")


# --- configuration --------------------------------------------------------------------


def _configure_latex(app: Sphinx, config: Config) -> None:
    """LaTeX settings of the course (sphinx-jupyterbook-latex has already set the engine and
    appended its preamble)."""
    # sphinx-jupyterbook-latex's class (jupyterBook.cls) needs bbm.sty, which only Debian's
    # 1.4 GB texlive-fonts-extra has, and loads tikz and pgfplots that nothing here uses:
    # Sphinx's own book class, with the two cell environments defined in course-latex.sty.
    config.latex_theme = "manual"
    elements = config.latex_elements
    elements.setdefault("papersize", "a4paper")
    elements.setdefault("pointsize", "11pt")
    # Fonts are chosen in course-latex.sty (with fallbacks); Sphinx's own choice is dropped.
    elements["fontpkg"] = ""
    elements.setdefault("fncychap", "")
    # No index: the labels of the blocks are not index entries (and no makeindex/xindy run).
    elements.setdefault("printindex", "")
    elements.setdefault("makeindex", "")
    # Printed and read on screens: no blank pages before chapters, no left/right layout.
    elements.setdefault("extraclassoptions", "openany,oneside")
    elements.setdefault("maketitle", "\\sphinxmaketitle")
    elements.setdefault(
        "sphinxsetup",
        "verbatimwrapslines=true, verbatimforcewraps=true, verbatimmaxunderfull=1, "
        f"hmargin={{{HMARGIN_CM}cm,{HMARGIN_CM}cm}}, vmargin={{{VMARGIN_CM}cm,{VMARGIN_CM}cm}}",
    )
    elements["preamble"] = elements.get("preamble", "") + "\n\\usepackage{course-latex}\n"
    if str(STYLE) not in config.latex_additional_files:
        config.latex_additional_files = list(config.latex_additional_files) + [str(STYLE)]
    config.latex_domain_indices = False
    config.latex_use_xindy = False
    config.latex_show_urls = "no"


def _numbers_as_on_the_site(app: Sphinx) -> None:
    # Runs after sphinx-jupyterbook-latex's builder-inited hook (priority 500), which sets 2.
    if _is_latex(app):
        app.config.numfig_secnum_depth = 1


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_node(
        course_heading,
        latex=(visit_course_heading, depart_course_heading),
        html=(_skip_html, None),
        text=(_skip_html, None),
    )
    app.add_node(
        course_proof,
        latex=(visit_course_proof, depart_course_proof),
        html=(_skip_html, None),
        text=(_skip_html, None),
    )
    app.connect("config-inited", _configure_latex, priority=900)
    app.connect("builder-inited", _numbers_as_on_the_site, priority=900)
    app.add_post_transform(WidgetDefaultFigures)
    app.add_post_transform(KeepBlockBodies)
    app.add_post_transform(IntroAsChapter)
    app.add_post_transform(UnnumberedParts)
    app.add_post_transform(ProofBlocks)
    app.add_post_transform(FitDisplayMath)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
