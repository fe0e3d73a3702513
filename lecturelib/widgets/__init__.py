"""Thin ipywidgets panels over :mod:`lecturelib.plotting` and the engines.

Each panel is built with :func:`lecturelib.widgets._panel.panel`: controls, an output area
and one callback. Panels hold no mathematics. One submodule per lecture topic.
"""

from . import hermite  # Lecture 1
from . import landscape  # Lecture 2
from . import flow  # Lecture 3
from . import proof  # Lecture 5
from . import sgd  # Lecture 4
from . import concentration  # Lecture 6
from . import algorithms  # Lecture 7
