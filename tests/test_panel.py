"""The widget building block: draws at construction, redraws when a control moves."""

import ipywidgets as W
import pytest
from matplotlib.figure import Figure

from lecturelib.widgets._panel import STATIC_NOTE, panel


def _line(slope: float) -> Figure:
    fig = Figure()
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, slope])
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    return fig


def test_panel_draws_default_figure_at_construction():
    p = panel(_line, {"slope": W.FloatSlider(value=1.0, min=0, max=2)}, title="t")
    assert p.draws == 1
    assert p.figure.axes[0].lines[0].get_ydata()[1] == 1.0


def test_moving_a_control_redraws_with_the_new_value():
    p = panel(_line, {"slope": W.FloatSlider(value=1.0, min=0, max=2)})
    first = p.figure
    p.controls["slope"].value = 1.5
    assert p.draws == 2
    assert p.figure is not first
    assert p.figure.axes[0].lines[0].get_ydata()[1] == 1.5


def test_panel_view_carries_the_static_site_note():
    p = panel(_line, {"slope": W.FloatSlider(value=1.0)})
    assert any(isinstance(c, W.HTML) and c.value == STATIC_NOTE for c in p.widget.children)


def test_panel_rejects_bad_arguments():
    with pytest.raises(ValueError, match="controls"):
        panel(_line, {})
    with pytest.raises(TypeError, match="draw"):
        panel(3, {"slope": W.FloatSlider()})
    with pytest.raises(TypeError, match=r"controls\['slope'\]"):
        panel(_line, {"slope": W.Button()})
    with pytest.raises(TypeError, match="Figure"):
        panel(lambda slope: None, {"slope": W.FloatSlider()})


def test_panel_output_holds_a_png_of_the_current_figure():
    from lecturelib.plotting import figure_png

    p = panel(_line, {"slope": W.FloatSlider(value=1.0, min=0, max=2)})
    png = figure_png(p.figure)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 1000


def test_png_formatter_registers_only_inside_ipython():
    from lecturelib.plotting import register_png_formatter

    assert register_png_formatter() is False  # no IPython shell under pytest
    with pytest.raises(TypeError, match="figure"):
        from lecturelib.plotting import figure_png

        figure_png("not a figure")
