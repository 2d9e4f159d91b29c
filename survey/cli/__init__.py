"""The ``cocreate`` command line, one module per command group; :mod:`survey.cli.main` builds
the app and is the console script's entry point. The top layer with the app pages."""
