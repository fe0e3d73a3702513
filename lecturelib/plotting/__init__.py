"""Figure functions: they take results and return a :class:`matplotlib.figure.Figure`.

They never simulate and never call ``plt.show()``. One submodule per topic.
"""
