"""Problem → ArraySolution: a network of matrix layers worked by a vectorised NumPy engine, at the
size courses give it (no scalar graph); see records.py and rules.py."""
