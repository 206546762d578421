"""Read the questions file (bibliography/questions.yaml): the open questions claims take sides on."""

from __future__ import annotations

from pathlib import Path

from litgraph.model import Problem, Question
from litgraph.s1_read.claims import check_id, check_keys, items_of, string_list, texts_by_language
from litgraph.s1_read.yamlfile import load_yaml_text

QUESTION_KEYS = {"id", "text", "themes"}


def read_questions_text(path: Path, text: str) -> tuple[list[Question], list[Problem]]:
    """The questions of the file's text, each with its texts by language and its themes (as written)."""
    problems: list[Problem] = []
    questions: list[Question] = []
    for item in items_of(path, load_yaml_text(path, text, problems), "questions", problems):
        check_keys(path, item, QUESTION_KEYS, problems)
        qid = check_id(path, item, problems)
        given = item.get("text")
        texts: dict[str, str] = {}
        if isinstance(given, str):
            texts = {"en": given.strip()}
        elif isinstance(given, dict):
            texts = texts_by_language(path, item, given, problems)
        else:
            problems.append(
                Problem(path, item.line_of("text"), f"question {qid or '?'} needs text", "text: {en: ..., nb: ...}")
            )
        if qid and texts:
            questions.append(Question(qid, texts, string_list(path, item, "themes", problems), path, item.line))
    return questions, problems
