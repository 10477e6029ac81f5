"""Check reports as JSON, for programs: every verdict, and the counts a teacher marks by."""

from __future__ import annotations

from typing import Any

from ...check import Report, Verdict
from ...check.places import Place
from ...text import json_dumps


def place_dict(where: Place | None) -> dict[str, Any] | None:
    """Where an answer was written: its file, line and (in a notebook) cell, both counted from 1."""
    return None if where is None else {"file": where.file, "line": where.line, "cell": where.cell}


def report_dict(report: Report) -> dict[str, Any]:
    first = report.first_error
    return {
        "sheet": report.sheet,
        "score": report.score,
        "right": report.right,
        "own_errors": report.own_errors,
        "misconceptions": report.misconceptions,
        "carried": report.carried,
        "undecided": report.undecided,
        "total": len(report.verdicts),
        "first_error": None
        if first is None
        else {
            "id": first.id,
            "slip": first.slip,
            "explanation": first.explanation,
            **_diagnosis(first),
            "where": place_dict(first.where),
        },
        "note": report.note or None,
        **_assignment(report),
        "verdicts": [
            {
                "id": v.id,
                "element": v.element or None,  # a matrix answer's element as written, dE/dW1[1,2]
                "answer": v.answer,
                "expected": v.expected,
                "status": v.status,
                "slip": v.slip,
                "explanation": v.explanation,
                "carried_from": v.source or None,
                "same_slip_as": v.again or None,
                **_diagnosis(v),
                "where": place_dict(v.where),
                **({"largest_error": v.largest} if v.largest else {}),
            }
            for v in report.verdicts
        ],
        "unmatched": [  # a write-up's lines with a number that no step was found for
            {"where": place_dict(u.where), "text": u.text, "why": u.why, "candidates": list(u.candidates)}
            for u in report.unmatched
        ],
    }


def _assignment(report: Report) -> dict[str, Any]:
    """With an assignment: the points, each question's, and the score line that counts them."""
    if not report.scores:
        return {}
    earned, out_of = report.points
    return {
        "summary": report.summary,
        "points": float(earned),
        "max_points": float(out_of),
        "questions": [
            {
                "title": s.title,
                "points": float(s.earned),
                "max_points": float(s.points),
                "steps": list(s.steps),
            }
            for s in report.scores
        ],
    }


def _diagnosis(v: Verdict) -> dict[str, Any]:
    """How sure the diagnosis of an own error is: "one slip", "several" (with the candidates), "none"
    or "two slips" (the candidates: the sure one, then the second or those it is one of); null for any
    other verdict."""
    return {"confidence": v.confidence or None, "candidates": list(v.candidates)}


def render_reports(reports: list[Report]) -> str:
    docs = [report_dict(r) for r in reports]
    return json_dumps(docs[0] if len(docs) == 1 else docs) + "\n"
