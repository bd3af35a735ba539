"""cuf-extract: the answers to a Word questionnaire, from the files respondents send back."""

__version__ = "0.1.0"
