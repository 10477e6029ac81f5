"""Problem file → validated `Problem`: YAML with line numbers, the schema, and the builders that turn
networks, expressions and conv layers into named expressions. All validation of user input lives here."""
