"""`python -m dlquiz` runs the command-line interface (as the `dlquiz` command does)."""

from dlquiz.cli.launch import main

if __name__ == "__main__":
    main()
