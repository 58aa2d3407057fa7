"""`python -m dlquiz` runs the command-line interface."""

from dlquiz.cli import main

if __name__ == "__main__":
    main()
