"""Figure functions: they take results and return a :class:`matplotlib.figure.Figure`.

They never simulate and never call ``plt.show()``. One submodule per topic. Importing this
package inside IPython makes a returned ``Figure`` display as a PNG (see ``_display``).
"""

from ._display import figure_png, register_png_formatter

register_png_formatter()
from . import hermite  # noqa: E402  (Lecture 1)
from . import landscape  # noqa: E402  (Lecture 2)
from . import flow  # noqa: E402  (Lecture 3)
from . import proof  # noqa: E402  (Lecture 5)
from . import sgd  # noqa: E402  (Lecture 4)
from . import concentration  # noqa: E402  (Lecture 6)
from . import algorithms  # noqa: E402  (Lecture 7)
