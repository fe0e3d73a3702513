"""The widget building block: draws at construction, redraws when a control moves."""

import base64
import html
import re

import ipywidgets as W
import pytest
from matplotlib.figure import Figure

from lecturelib.widgets._panel import STATIC_NOTE, describe_figure, panel


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


def _shown(p) -> tuple[bytes, str]:
    """The PNG bytes and the alt attribute of the <img> that the panel's output shows."""
    (output,) = p.output.outputs
    markup = output["data"]["text/html"]
    match = re.fullmatch(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)" alt="([^"]*)"/>', markup)
    assert match, markup[:120]
    return base64.b64decode(match[1]), html.unescape(match[2])


def test_panel_output_holds_a_png_of_the_current_figure():
    from lecturelib.plotting import figure_png

    p = panel(_line, {"slope": W.FloatSlider(value=1.0, min=0, max=2)})
    png, _ = _shown(p)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 1000
    assert png == figure_png(p.figure)


def test_png_formatter_registers_only_inside_ipython():
    from lecturelib.plotting import register_png_formatter

    assert register_png_formatter() is False  # no IPython shell under pytest
    with pytest.raises(TypeError, match="figure"):
        from lecturelib.plotting import figure_png

        figure_png("not a figure")


# --- accessibility: alternative text of the figure, names of the controls --------------


def _decay(rate: float) -> Figure:
    fig = Figure()
    fig.suptitle(f"Decay at rate {rate}")
    ax = fig.add_subplot(1, 2, 1)
    ax.loglog([1, 10, 100], [1, 0.1, 0.01], label="measured")
    ax.loglog([1, 100], [1, 0.01], label=r"slope $-1$")
    ax.legend()
    ax.set(title="power law", xlabel="time $t$", ylabel=r"overlap $\langle w, w_* \rangle$")
    right = fig.add_subplot(1, 2, 2)
    right.semilogy([0, 1], [1, 2])
    right.set(xlabel=r"step $\eta$", ylabel=r"$\mathbb{E}\|\nabla L\|$ over $\sqrt{d}$")
    return fig


def test_widget_figure_alt_text_is_derived_from_its_titles_and_axis_labels():
    p = panel(_decay, {"rate": W.FloatSlider(value=0.5, min=0, max=1, description="rate")})
    expected = (
        "Decay at rate 0.5. Figure in 2 panels. "
        "Panel 1: power law: overlap ⟨w, w_*⟩ against time t on log-log axes; legend: measured, slope -1. "
        "Panel 2: E‖∇L‖ over √d against step η with a logarithmic y axis."
    )
    assert p.alt_text == expected
    assert _shown(p)[1] == expected


def test_widget_figure_alt_text_follows_the_controls():
    p = panel(_decay, {"rate": W.FloatSlider(value=0.5, min=0, max=1)})
    p.controls["rate"].value = 0.25
    assert p.alt_text.startswith("Decay at rate 0.25.")
    assert _shown(p)[1].startswith("Decay at rate 0.25.")


def test_alt_argument_overrides_the_derived_text():
    fixed = panel(_line, {"slope": W.FloatSlider(value=1.0)}, alt="A straight line through the origin.")
    assert _shown(fixed)[1] == "A straight line through the origin."
    live = panel(_line, {"slope": W.FloatSlider(value=1.0, min=0, max=2)},
                 alt=lambda slope: f"A line of slope {slope:g} through the origin.")
    live.controls["slope"].value = 1.5
    assert live.alt_text == "A line of slope 1.5 through the origin."


def test_alt_text_is_escaped_in_the_img_tag():
    p = panel(_line, {"slope": W.FloatSlider(value=1.0)}, alt='Slope "s" <1> & more')
    assert 'alt="Slope &quot;s&quot; &lt;1&gt; &amp; more"' in p.output.outputs[0]["data"]["text/html"]
    assert p.output.outputs[0]["data"]["text/plain"] == 'Slope "s" <1> & more'


def test_unlabelled_figure_falls_back_to_the_panel_title_or_is_refused():
    def bare(slope: float) -> Figure:
        fig = Figure()
        fig.add_subplot().plot([0, 1], [0, slope])
        return fig

    assert describe_figure(bare(1.0)) == ""
    assert panel(bare, {"slope": W.FloatSlider()}, title="Lines").alt_text == "Lines"
    with pytest.raises(ValueError, match="alt="):
        panel(bare, {"slope": W.FloatSlider()})


def test_panel_rejects_bad_alt():
    with pytest.raises(TypeError, match="alt"):
        panel(_line, {"slope": W.FloatSlider()}, alt=3)
    with pytest.raises(ValueError, match="alt"):
        panel(_line, {"slope": W.FloatSlider()}, alt="  ")
    with pytest.raises(ValueError, match="alt"):
        panel(_line, {"slope": W.FloatSlider()}, alt=lambda slope: "")


def test_every_control_is_named_by_its_description():
    unnamed = W.IntSlider(value=1, min=0, max=3)
    named = W.Dropdown(options=["a", "b"], description="link function")
    p = panel(lambda k, link: _line(k), {"k": unnamed, "link": named})
    assert p.controls["k"].description == "k"
    assert p.controls["link"].description == "link function"
    assert all(c.description.strip() for c in p.controls.values())


def test_describe_figure_names_a_colour_scale_and_rejects_non_figures():
    fig = Figure()
    ax = fig.add_subplot()
    image = ax.imshow([[0, 1], [1, 0]])
    ax.set(title="heat map", xlabel="i", ylabel="j")
    fig.colorbar(image, ax=ax, label="value")
    assert describe_figure(fig) == "Figure in 2 panels. Panel 1: heat map: j against i. Panel 2: colour scale: value."
    with pytest.raises(TypeError, match="figure"):
        describe_figure("not a figure")


def test_png_formatter_stores_the_figure_description_as_alt_metadata():
    from lecturelib.plotting._display import figure_png, figure_png_with_alt

    png, metadata = figure_png_with_alt(_line(1.0))
    assert png == figure_png(_line(1.0))
    assert metadata == {"alt": "y against x."}
    bare = Figure()
    bare.add_subplot().plot([0, 1])
    assert figure_png_with_alt(bare)[1] == {}


def test_mathtext_is_read_out_in_plain_symbols():
    from lecturelib.plotting._describe import _plain

    assert _plain(r"$m - m_{\rm flow}(\tau)$") == "m - m_flow(τ)"
    assert _plain(r"$\frac{1}{4}\ln(d/c^2)$") == "1/4 ln (d/c^2)"
    assert _plain(r"$\sqrt{d}$ and $\sqrt{d\eta}$") == "√d and √(dη)"
    assert _plain(r"$\eta = c\,d^{-k/2}$") == "η = c d^-k/2"
