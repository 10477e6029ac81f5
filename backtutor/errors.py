"""The one exception type that reaches the user as a message rather than a traceback."""


class InputError(Exception):
    """Bad input from a file or the command line; the CLI prints it and exits with code 2."""
