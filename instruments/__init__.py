"""The shipped instruments, installed as the package ``survey.instrument.shipped``.

This folder holds data only (``<id>/<version>.yaml`` and ``instruments.lock``); the module exists
so that :mod:`importlib.resources` finds the folder in an editable install and in a wheel alike
(``[tool.setuptools.package-dir]`` in ``pyproject.toml``).
"""
