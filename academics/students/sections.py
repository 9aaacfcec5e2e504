"""Sections a higher app adds to the admin student page, without academics importing it.

Homework shows the student's handed-in work there: it registers a section in its
`AppConfig.ready` (template + the context that template reads), and the page renders every
registered section after its own, in order.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from academics.models import Student


@dataclass(frozen=True)
class StudentSection:
    template: str
    # The variables the template reads, for one student (name them after the app: they share
    # the page's context).
    context: Callable[["Student"], Mapping[str, Any]]
    order: int = 100


_sections: dict[str, StudentSection] = {}


def register_student_section(name: str, section: StudentSection) -> None:
    """Add (or replace, by name: `ready` may run twice in tests) a section of the student page."""
    _sections[name] = section


def student_sections(student: "Student") -> tuple[list[str], dict[str, Any]]:
    """The registered sections' templates, in order, and the context they read."""
    ordered = sorted(_sections.values(), key=lambda s: s.order)
    context: dict[str, Any] = {}
    for section in ordered:
        context.update(section.context(student))
    return [s.template for s in ordered], context
