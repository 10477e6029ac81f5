"""What a formula is, and how it is differentiated, evaluated, compiled and written.

The lowest layer: it knows nothing of files, problems or output formats."""
