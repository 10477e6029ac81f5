"""Answer sheets → verdicts: right, carried forward, or an error of its own with the slip named."""
