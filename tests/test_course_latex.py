"""Unit tests of _ext/course_latex.py, the course's additions to Jupyter Book's LaTeX route
(the whole PDF is checked against the site by tests/pdf, in `make pdf-check`)."""

from __future__ import annotations

import base64
import io
import sys
import types
from pathlib import Path

import pytest
from docutils import nodes

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "_ext"))
import course_latex  # noqa: E402


def png(colour: tuple[int, int, int]) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (3, 2), colour).save(buffer, format="PNG")
    return buffer.getvalue()


RED, BLUE = png((255, 0, 0)), png((0, 0, 255))


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def test_output_images_from_png_data_and_from_html_data_uri():
    as_png = {"data": {"image/png": b64(RED)}, "metadata": {"image/png": {"alt": "a red square"}}}
    assert list(course_latex.output_images(as_png)) == [(RED, "a red square")]
    as_html = {"data": {"text/html": [f'<img src="data:image/png;base64,{b64(BLUE)}" ', 'alt="x &lt; y"/>']}}
    assert list(course_latex.output_images(as_html)) == [(BLUE, "x < y")]
    assert list(course_latex.output_images({"data": {"text/html": "<b>no image</b>"}})) == []
    assert list(course_latex.output_images({"data": {"image/png": "***not base64***"}})) == []


def widget_notebook() -> dict:
    def model(name: str, **state) -> dict:
        return {"model_name": name, "state": state}

    state = {
        "box": model("VBoxModel", children=["IPY_MODEL_controls", "IPY_MODEL_out2", "IPY_MODEL_out1"]),
        "controls": model("HBoxModel", children=["IPY_MODEL_slider", "IPY_MODEL_box"]),  # a cycle
        "slider": model("IntSliderModel", layout="IPY_MODEL_layout", value=3),
        "out1": model("OutputModel", outputs=[{"output_type": "display_data", "data": {"image/png": b64(RED)}}]),
        "out2": model(
            "OutputModel",
            outputs=[{"output_type": "display_data", "data": {"text/html": f'<img src="data:image/png;base64,{b64(BLUE)}" alt="blue">'}}],
        ),
        "other": model("OutputModel", outputs=[{"output_type": "display_data", "data": {"image/png": b64(RED)}}]),
    }
    return {"metadata": {"widgets": {course_latex.WIDGET_STATE: {"state": state}}}}


def test_widget_default_images_follow_the_widget_tree_in_order():
    images = course_latex.widget_default_images(widget_notebook(), "box")
    assert images == [(BLUE, "blue"), (RED, "")]  # out2 before out1, as in the VBox; "other" not reached


def test_widget_default_images_of_unknown_model_or_notebook_without_state():
    assert course_latex.widget_default_images(widget_notebook(), "missing") == []
    assert course_latex.widget_default_images({"metadata": {}}, "box") == []


def test_block_body_is_a_section_inside_a_block_not_a_real_section():
    document = nodes.document(None, None)
    real = nodes.section()
    document += real
    block = nodes.admonition()
    body = nodes.section()
    block += body
    real += block
    sub = nodes.section()
    real += sub
    assert not course_latex.is_block_body(real)
    assert not course_latex.is_block_body(sub)
    assert course_latex.is_block_body(body)


def test_fitted_display_puts_every_part_on_its_own_line():
    tex = course_latex.fitted_display("a = b\n\n c &= d \n")
    assert tex.startswith("\\begin{equation*}\\CourseFitMath{\\begin{aligned}")
    assert "a = b \\\\\nc &= d\n" in tex
    assert tex.rstrip().endswith("\\end{aligned}}\\end{equation*}")


def fake_config(**values) -> types.SimpleNamespace:
    base = dict(latex_elements={"preamble": "% jupyterbook-latex\n"}, latex_additional_files=[], latex_theme="jupyterBook",
                latex_domain_indices=True, latex_show_urls="footnote")
    base.update(values)
    return types.SimpleNamespace(**base)


def test_configure_latex_loads_the_course_style_and_keeps_other_preambles():
    config = fake_config()
    course_latex._configure_latex(None, config)
    assert config.latex_theme == "manual"  # not jupyterBook.cls, which needs bbm.sty
    assert config.latex_elements["preamble"].startswith("% jupyterbook-latex\n")
    assert "\\usepackage{course-latex}" in config.latex_elements["preamble"]
    assert config.latex_additional_files == [str(course_latex.STYLE)]
    assert f"hmargin={{{course_latex.HMARGIN_CM}cm" in config.latex_elements["sphinxsetup"]
    assert "verbatimforcewraps=true" in config.latex_elements["sphinxsetup"]
    assert config.latex_elements["extraclassoptions"] == "openany,oneside"
    assert config.latex_domain_indices is False
    course_latex._configure_latex(None, config)  # twice: the style file is listed once
    assert config.latex_additional_files == [str(course_latex.STYLE)]
    assert course_latex.STYLE.is_file()


@pytest.mark.parametrize(("builder_format", "expected"), [("latex", 1), ("html", 2)])
def test_numbers_per_lecture_only_for_latex(builder_format, expected):
    app = types.SimpleNamespace(builder=types.SimpleNamespace(format=builder_format),
                                config=types.SimpleNamespace(numfig_secnum_depth=2))
    course_latex._numbers_as_on_the_site(app)
    assert app.config.numfig_secnum_depth == expected


def test_style_defines_what_the_extension_emits():
    style = course_latex.STYLE.read_text(encoding="utf-8")
    for name in ("courseproof", "CourseFitMath", "CourseNumbered", "CourseUnnumbered", "sphinxVerbatimInput", "sphinxVerbatimOutput"):
        assert name in style, name
    source = Path(course_latex.__file__).read_text(encoding="utf-8")
    for emitted in ("courseproof", "CourseFitMath", "CourseNumbered", "CourseUnnumbered"):
        assert emitted in source


ROOT = """\
# The root page

## A section

```{prf:theorem} A theorem
:label: thm-a

The body of the theorem.
```

```{exercise}
:label: ex-a

The body of the exercise.
```

```{solution} ex-a
The body of the solution.
```

```{toctree}
chapter
```
"""

CHAPTER = """\
# A chapter

```{prf:lemma} A lemma
:label: lem-b

The body of the lemma, after {prf:ref}`thm-a`.
```

```{prf:proof}
The body of the proof.
```
"""


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")  # sphinx-jupyterbook-latex's traverse()
def test_latex_of_a_small_book_keeps_block_bodies_in_their_blocks(tmp_path):
    """A real Sphinx LaTeX build with sphinx-jupyterbook-latex, sphinx-proof and
    sphinx-exercise: on the root page each body stays inside its block, which is numbered."""
    from sphinx.application import Sphinx

    src = tmp_path / "src"
    src.mkdir()
    (src / "index.md").write_text(ROOT, encoding="utf-8")
    (src / "chapter.md").write_text(CHAPTER, encoding="utf-8")
    (src / "conf.py").write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(REPO / '_ext')!r})\n"
        "extensions = ['myst_parser', 'sphinx_proof', 'sphinx_exercise', 'sphinx_jupyterbook_latex', 'course_latex']\n"
        "myst_enable_extensions = ['colon_fence', 'dollarmath']\n"
        "numfig = True\n"
        "latex_documents = [('index', 'book.tex', 'Book', 'Team', 'manual')]\n",
        encoding="utf-8",
    )
    app = Sphinx(str(src), str(src), str(tmp_path / "out"), str(tmp_path / "doctrees"), "latex",
                 status=None, warning=io.StringIO(), freshenv=True)
    app.build()
    tex = (tmp_path / "out" / "book.tex").read_text(encoding="utf-8")
    blocks = tex.split("\\begin{sphinxadmonition}")
    theorem = next(b for b in blocks if b.startswith("{note}{Theorem 1 (A theorem)}"))
    assert "The body of the theorem." in theorem.split("\\end{sphinxadmonition}")[0]
    exercise = next(b for b in blocks if b.startswith("{note}{Exercise 1}"))
    assert "The body of the exercise." in exercise.split("\\end{sphinxadmonition}")[0]
    solution = next(b for b in blocks if b.startswith("{note}{Solution to Exercise 1}"))
    assert "The body of the solution." in solution.split("\\end{sphinxadmonition}")[0]
    assert "\\begin{courseproof}" in tex and "The body of the proof." in tex.split("\\begin{courseproof}")[1]
    assert "\\chapter*{The root page}" in tex and "\\section*{A section}" in tex
    assert "\\sphinxstylestrong{\\Large" not in tex  # sphinx-jupyterbook-latex's enlarged bold lines
