"""The two invisible characters that set a highlighted part apart in rendered math and text: a
cloze's box on the question side, the part it hid on the answer side. They take no room on
screen (Unicode's invisible times and invisible separator, of zero width for Rich too), so
layouts measure text without them; dlquiz.render.cards turns what lies between them into a style.
A module of its own so that the terminal UI can use them without importing the math layout."""

MARK_ON, MARK_OFF = "\u2062", "\u2063"
