"""TODO"""


def __getattr__(name: str):
    if name == "app":  # the Typer app, imported only when asked for (the launcher's quick path needs no Typer)
        from dlquiz.cli.app import app

        return app
    raise AttributeError(name)
