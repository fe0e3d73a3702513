"""The one building block of every widget in the course: controls, an output area, a callback.

A lecture's widget is a few lines::

    from lecturelib.widgets._panel import panel
    import ipywidgets as W

    def hermite_explorer() -> Panel:
        return panel(
            draw=lambda k: plotting.hermite.spectrum(Link.hermite(k)),
            controls={"k": W.IntSlider(value=3, min=1, max=8, description="k")},
            title="Hermite explorer",
        )

``draw`` receives the current value of every control as a keyword argument and returns a
:class:`matplotlib.figure.Figure` (build it with ``matplotlib.figure.Figure``, not pyplot,
so that nothing is drawn twice and no global figure state is kept). The panel draws once at
construction, so the notebook's stored output (and the static site) shows the default figure.
Tests drive a panel by setting ``panel.controls[name].value`` and reading ``panel.figure``
and ``panel.draws``.

Accessibility: the figure is shown as an ``<img>`` whose alternative text says what it shows,
derived from the figure's suptitle, axes titles and axis labels (:func:`describe_figure`)
unless ``alt=`` gives it (a string, or a function of the control values like ``draw``). Every
control is named by its ``description`` (the control's key when it has none), which the
site's widget manager ties to the control (see ``_ext/widgets-setup.js``).
"""

from __future__ import annotations

import base64
import html
from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as W
from matplotlib.figure import Figure

from ..plotting import figure_png
from ..plotting._describe import describe_figure
from ._controls import name_controls

STATIC_NOTE = "<small><i>In a running notebook, moving a control recomputes the figure.</i></small>"
"""The panel's note as Python writes it. On the static website ``_ext/widget-states.js`` replaces
it with what is true there: the figures are precomputed at N settings (see ``_states.py``)."""


AltText = str | Callable[..., str] | None


class Panel:
    """A live figure driven by ipywidgets controls.

    Attributes
    ----------
    controls : dict of str to ipywidgets.ValueWidget
        The controls, keyed by the keyword argument of ``draw`` they feed.
    output : ipywidgets.Output
        Where the current figure is displayed.
    figure : matplotlib.figure.Figure
        The figure of the current control values.
    draws : int
        How many times the figure has been drawn (1 after construction).
    widget : ipywidgets.VBox
        The assembled view: title, controls, figure, and a note on the static site.
    alt_text : str
        The alternative text of the figure shown now.
    """

    def __init__(
        self,
        draw: Callable[..., Figure],
        controls: Mapping[str, W.ValueWidget],
        *,
        title: str = "",
        note: str = STATIC_NOTE,
        alt: AltText = None,
    ) -> None:
        if not callable(draw):
            raise TypeError(f"draw must be callable, got {type(draw).__name__}")
        if not controls:
            raise ValueError("controls must name at least one control, got none")
        for name, control in controls.items():
            if not isinstance(control, W.ValueWidget):
                raise TypeError(
                    f"controls[{name!r}] must be an ipywidgets value widget, "
                    f"got {type(control).__name__}"
                )
        if not (alt is None or isinstance(alt, str) or callable(alt)):
            raise TypeError(f"alt must be a string, a function of the controls' values or None, got {alt!r}")
        if isinstance(alt, str) and not alt.strip():
            raise ValueError(f"alt must describe the figure, got {alt!r}")
        self._draw = draw
        self._alt = alt
        self._title = title
        self.alt_text = ""
        self.controls: dict[str, W.ValueWidget] = name_controls(controls)
        self.output = W.Output()
        self.figure: Figure | None = None
        self.draws = 0
        header = [W.HTML(f"<b>{title}</b>")] if title else []
        self.widget = W.VBox(
            [*header, W.HBox(list(self.controls.values()), layout=W.Layout(flex_flow="row wrap")),
             self.output, W.HTML(note)]
        )
        for control in self.controls.values():
            control.observe(self.update, names="value")
        self.update()

    @property
    def values(self) -> dict[str, Any]:
        """The current value of every control, keyed as ``draw`` expects."""
        return {name: control.value for name, control in self.controls.items()}

    def update(self, change: Mapping[str, Any] | None = None) -> Figure:
        """Redraw the figure from the current control values and show it."""
        figure = self._draw(**self.values)
        if not isinstance(figure, Figure):
            raise TypeError(f"draw must return a matplotlib Figure, got {type(figure).__name__}")
        alt = self._alt_text(figure)
        self.figure = figure
        self.alt_text = alt
        self.draws += 1
        # A PNG, not the Figure object: the stored widget state then carries the image that
        # the static site shows, whatever matplotlib backend the kernel has. As an <img> with
        # its alternative text: the widget manager renders a bare image/png output without one.
        png = base64.b64encode(figure_png(figure)).decode("ascii")
        image = f'<img src="data:image/png;base64,{png}" alt="{html.escape(alt, quote=True)}"/>'
        self.output.outputs = (
            {"output_type": "display_data", "data": {"text/html": image, "text/plain": alt}, "metadata": {}},
        )
        return figure

    def _alt_text(self, figure: Figure, values: Mapping[str, Any] | None = None) -> str:
        """``alt`` (called with the control values if it is a function), else the figure's description.

        ``values`` are the control values the figure was drawn at (default: the current ones).
        """
        if callable(self._alt):
            alt = self._alt(**(self.values if values is None else values))
            if not isinstance(alt, str) or not alt.strip():
                raise ValueError(f"alt must return a non-empty string, got {alt!r}")
            return alt
        alt = self._alt or describe_figure(figure) or self._title
        if not alt:
            raise ValueError("the figure has no title or axis label to describe it: label it or pass alt=")
        return alt

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any] | None:
        return self.widget._repr_mimebundle_(**kwargs)


def panel(
    draw: Callable[..., Figure],
    controls: Mapping[str, W.ValueWidget],
    *,
    title: str = "",
    note: str = STATIC_NOTE,
    alt: AltText = None,
) -> Panel:
    """Build a :class:`Panel`: ``draw(**{name: control.value})`` is redrawn on every change.

    ``alt`` is the figure's alternative text: a string, a function of the control values (as
    ``draw``) returning one, or None to describe the figure from its titles and axis labels
    (:func:`describe_figure`).
    """
    return Panel(draw, controls, title=title, note=note, alt=alt)
