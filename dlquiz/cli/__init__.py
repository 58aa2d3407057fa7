"""The command line, on top of everything: `dlquiz` and its commands.

launch.py is the `dlquiz` entry point (the plain forms of `review` and `decks` go straight to
commands.py, without importing Typer; everything else to the Typer app); app.py is the Typer app
(`dlquiz.cli.app:app`) with every command; commands.py holds the bodies of `decks` and `review` and
the error reporting both paths share; cards.py the commands about cards and tags (`show`,
`suspend`, `unsuspend`, `tags`), registered on the app; interview.py asks `dlquiz add`'s questions.

May import anything in dlquiz, Rich and Typer; nothing in dlquiz imports this package.
"""
