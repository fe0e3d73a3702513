"""Show a bare :class:`matplotlib.figure.Figure` as a PNG in IPython, with no pyplot.

The plotting functions build figures with ``Figure()`` so that no global pyplot state is
kept and nothing is drawn twice. IPython only knows how to render such a figure as an image
once matplotlib's inline backend has registered a formatter, which happens when pyplot is
imported. :func:`figure_png` and :func:`register_png_formatter` remove that dependency: a
figure returned by a notebook cell, or displayed in a widget's output, is always a PNG.
"""

from __future__ import annotations

import io

from matplotlib.figure import Figure

from ._describe import describe_figure


def figure_png(figure: Figure) -> bytes:
    """The PNG bytes of ``figure``, cropped to its drawn content."""
    if not isinstance(figure, Figure):
        raise TypeError(f"figure must be a matplotlib Figure, got {type(figure).__name__}")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    return buffer.getvalue()


def figure_png_with_alt(figure: Figure) -> tuple[bytes, dict[str, str]]:
    """The PNG of ``figure`` and its output metadata: ``alt``, what the figure shows in words.

    The course's site turns the ``alt`` metadata into the image's alternative text (see
    ``_ext/course_site.py``). A figure with no title or label has no ``alt``.
    """
    alt = describe_figure(figure)
    return figure_png(figure), ({"alt": alt} if alt else {})


def register_png_formatter() -> bool:
    """Register :func:`figure_png_with_alt` for ``Figure`` in the running IPython shell, if any.

    Returns True if a shell was found. Idempotent; outside IPython it does nothing.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency of ipywidgets
        return False
    shell = get_ipython()
    if shell is None:
        return False
    shell.display_formatter.formatters["image/png"].for_type(Figure, figure_png_with_alt)
    return True
