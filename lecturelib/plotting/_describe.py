"""What a figure shows, in words: the alternative text of the course's figures.

A figure's description is built from what its author already wrote on it (suptitle, axes
titles, axis labels, log scales, legend entries), so that a reader who cannot see the image
learns what is plotted against what. :func:`lecturelib.plotting.figure_png`'s IPython formatter
stores it as the ``alt`` metadata of every PNG output (the site's ``<img alt>``), and widget
panels use it for the figure they show.
"""

from __future__ import annotations

import re

from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = ["describe_figure"]

# Mathtext in titles and labels, read out: symbols as Unicode, wrappers dropped.
_TEX_SYMBOLS = {
    "langle": "⟨", "rangle": "⟩", "|": "‖", "nabla": "∇", "partial": "∂", "infty": "∞",
    "leq": "≤", "le": "≤", "geq": "≥", "ge": "≥", "neq": "≠", "approx": "≈", "sim": "~",
    "propto": "∝", "cdot": "·", "times": "×", "pm": "±", "to": "→", "in": "∈", "top": "ᵀ",
    "ell": "ℓ", "log": " log ", "exp": " exp ", "sin": " sin ", "cos": " cos ", "min": " min ", "max": " max ",
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν",
    "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ", "phi": "φ", "varphi": "φ",
    "chi": "χ", "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ",
    "Lambda": "Λ", "Sigma": "Σ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
    ",": " ", ";": " ", ":": " ", "!": "", " ": " ", "quad": " ", "qquad": " ",
    "left": "", "right": "", "big": "", "Big": "", "bigl": "", "bigr": "",
    "rm": "", "it": "", "bf": "", "ln": " ln ", "sup": " sup ", "inf": " inf ",
}
_TEX_WRAPPER = re.compile(r"\\(?:mathbb|mathrm|mathbf|mathcal|mathit|operatorname|text|textrm|boldsymbol)\{([^{}]*)\}")
_TEX_FONT_GROUP = re.compile(r"\{\\(?:rm|it|bf)\s+([^{}]*)\}")
_TEX_FRAC = re.compile(r"\\[dt]?frac\{([^{}]*)\}\{([^{}]*)\}")
_TEX_SQRT = re.compile(r"\\sqrt\{([^{}]*)\}")
_TEX_COMMAND = re.compile(r"\\(?:([A-Za-z]+)|([|,;:! ]))")


def _group(text: str) -> str:
    """``text``, in parentheses unless it is a single symbol."""
    return text if len(text) == 1 else f"({text})"


def _plain(text: str) -> str:
    r"""``text`` without mathtext markup: ``$\langle w, w_*\rangle$`` reads "⟨w, w_*⟩"."""
    text = text.replace("$", "")
    for _ in range(3):  # innermost groups first
        text = _TEX_FONT_GROUP.sub(r"\1", _TEX_WRAPPER.sub(r"\1", text))
        text = _TEX_FRAC.sub(lambda m: f"{_group(m[1])}/{_group(m[2])}", text)
        text = _TEX_SQRT.sub(lambda m: f"√{_group(m[1])}", text)
    text = _TEX_COMMAND.sub(lambda m: _TEX_SYMBOLS.get(m[1] or m[2], m[1] or m[2]), text)
    text = re.sub(r"([⟨∇∂√])\s+", r"\1", re.sub(r"\s+⟩", "⟩", text))
    return " ".join(text.replace("{", "").replace("}", "").split())


def _scale(ax: Axes) -> str:
    logs = (ax.get_xscale() == "log", ax.get_yscale() == "log")
    return {(True, True): " on log-log axes", (True, False): " with a logarithmic x axis",
            (False, True): " with a logarithmic y axis"}.get(logs, "")


def _describe_axes(ax: Axes) -> str:
    xlabel, ylabel = _plain(ax.get_xlabel()), _plain(ax.get_ylabel())
    if ax.get_label() == "<colorbar>":
        return f"colour scale: {ylabel or xlabel}" if (ylabel or xlabel) else ""
    title = " ".join(_plain(ax.get_title(loc)) for loc in ("left", "center", "right") if ax.get_title(loc))
    if xlabel and ylabel:
        plotted = f"{ylabel} against {xlabel}{_scale(ax)}"
    else:
        plotted = xlabel or ylabel
    legend = ax.get_legend()
    labels = [_plain(t.get_text()) for t in legend.get_texts()] if legend is not None else []
    parts = [p for p in (title, plotted) if p]
    text = ": ".join(parts)
    if labels:
        text += ("; " if text else "") + "legend: " + ", ".join(labels)
    return text


def describe_figure(figure: Figure) -> str:
    """A short description of what ``figure`` shows, for its alternative text.

    Built from the suptitle, then each axes' title and axis labels ("y against x", with the
    log scales named) and legend entries, in the order the axes were added. Empty when the
    figure has no title or label at all.
    """
    if not isinstance(figure, Figure):
        raise TypeError(f"figure must be a matplotlib Figure, got {type(figure).__name__}")
    suptitle = _plain(figure.get_suptitle())
    panels = [d for d in (_describe_axes(ax) for ax in figure.axes) if d]
    if len(panels) > 1:
        panels = [f"Figure in {len(panels)} panels", *(f"Panel {i}: {d}" for i, d in enumerate(panels, 1))]
    text = ". ".join(p for p in [suptitle, *panels] if p)
    return text + "." if text else ""
