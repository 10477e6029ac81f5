from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROBLEMS = ROOT / "problems"


def has_numbers(path: Path) -> bool:
    """False for a bundled file that only describes an architecture (for `backtutor shapes`)."""
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return not ("architecture" in data and not {"network", "expressions", "layers"} & set(data))


SOLVABLE = sorted(p for p in PROBLEMS.glob("*.yaml") if has_numbers(p))  # bundled problems `solve` works
ARCHITECTURES = sorted(p for p in PROBLEMS.glob("*.yaml") if not has_numbers(p))  # for `shapes`


@pytest.fixture
def write_problem(tmp_path):
    """Write YAML text to a problem file in a temporary folder and return its path."""

    def write(text: str, name: str = "problem.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write
