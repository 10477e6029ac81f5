"""Free-text answer sheets (Markdown, LaTeX, plain text, Jupyter notebooks): the equations students
write, read into the same Answers a YAML sheet gives."""
