"""lecturelib: the tested library behind the course on online SGD in high dimension.

Dependencies run one way::

    hermite -> links -> {landscape, flow, sgd} -> experiments -> plotting -> widgets

The public names used by the lectures and by outside checks are re-exported here.
"""

__version__ = "0.1.0"

from .links import Link
from .flow import flow_escape_time, gradient_flow
from .sgd import escape_times, online_sgd
