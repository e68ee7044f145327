"""The explanation tree as text: from a node down to the evidence rows behind it.

:meth:`policyeval.Evaluation.explain` builds an
:class:`~policyeval.results.Explanation` (data only); this module draws it,
one indented line per node with its level, score, status and confidence,
its explanation, and each evidence row (``+`` agreeing with the consensus,
``-`` not).

>>> from policyeval.report._examples import two_unit_result
>>> tree = two_unit_result().evaluation.explain("south", "people")
>>> print(render_explanation(tree).splitlines()[0])
People [people]: fair (score 1.67, single_source, confidence low)
"""

from __future__ import annotations

from collections.abc import Iterator

from policyeval.results import Explanation

__all__ = ["explanation_lines", "render_explanation"]


def explanation_lines(explanation: Explanation, indent: int = 0) -> Iterator[str]:
    """The rendered tree, one line at a time, indented two spaces per level."""
    j = explanation.judgement
    pad = "  " * indent
    confidence = j.confidence.value if j.confidence else "-"
    score = "-" if j.score is None else f"{j.score:.2f}"
    yield (
        f"{pad}{explanation.label} [{j.node}]: {j.level or 'undefined'} "
        f"(score {score}, {j.status.value}, confidence {confidence})"
    )
    yield f"{pad}  {j.explanation}"
    agreeing = set(j.assessment.agreeing) if j.assessment else set()
    for item in explanation.evidence:
        mark = "+" if item.id in agreeing else "-"
        said = item.rating if item.rating is not None else item.value
        where = f" @ {item.origin}" if item.origin else ""
        yield (
            f"{pad}  {mark} {item.id}{where}: {said} from {item.source} "
            f"({item.category}, {item.technique})"
            + (f": {item.excerpt}" if item.excerpt else "")
            + (f" [{item.citation}]" if item.citation else "")
        )
    for child in explanation.children:
        yield from explanation_lines(child, indent + 1)


def render_explanation(explanation: Explanation) -> str:
    """The whole explanation tree as text, one line per node and evidence row.

    >>> from policyeval.report._examples import two_unit_result
    >>> tree = two_unit_result().evaluation.explain("north", "money")
    >>> print(render_explanation(tree))  # doctest: +ELLIPSIS
    Money [money]: good (score 3.00, ...)
    ...
    """
    return "\n".join(explanation_lines(explanation))
