"""The product's navigation. An entry shows only when its page exists (its URL name reverses),
so a section appears the day its page lands and there are never placeholder pages."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    icon: str
    also: tuple[str, ...] = ()  # paths under this entry that are not under its URL


ADMIN_NAV: list[tuple[str, list[NavEntry]]] = [
    (
        "Academic",
        [
            NavEntry("Today", "ui:admin_home", "home"),
            NavEntry("Students", "academics:student_list", "users"),
            NavEntry("Lessons", "academics:lesson_list", "calendar"),
            NavEntry("Tasks", "academics:task_list", "check-square"),
            NavEntry("Homework", "homework:admin_list", "file"),
        ],
    ),
    (
        "Insights",
        [
            NavEntry("Media", "media:insights", "film"),
            NavEntry("Jobs", "jobs:insights", "cpu"),
            NavEntry("Incidents", "incidents:list", "alert"),
        ],
    ),
    (
        "Admin",
        [
            NavEntry("Customers", "accounts:customer_list", "user"),
            NavEntry("Audit log", "audit:log", "list"),
        ],
    ),
]

PORTAL_NAV: list[NavEntry] = [
    NavEntry("My students", "portal:home", "users", also=("/portal/students/",)),
    NavEntry("Lessons", "portal:lessons", "calendar"),
    NavEntry("Tasks", "portal:tasks", "check-square"),
    NavEntry("Homework", "portal:homework", "file"),
]


def _resolve(entries: list[NavEntry], current_path: str) -> list[dict[str, object]]:
    resolved: list[dict[str, object]] = []
    for entry in entries:
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        # The portal home is "/portal/", a prefix of every portal page: match it exactly.
        active = (
            current_path == url
            or (url.count("/") > 2 and current_path.startswith(url))
            or current_path.startswith(entry.also)
        )
        resolved.append({"label": entry.label, "url": url, "icon": entry.icon, "active": active})
    return resolved


def admin_navigation(current_path: str) -> list[dict[str, object]]:
    sections: list[dict[str, object]] = []
    for title, entries in ADMIN_NAV:
        items = _resolve(entries, current_path)
        if items:
            sections.append({"title": title, "items": items})
    return sections


def portal_navigation(current_path: str) -> list[dict[str, object]]:
    return _resolve(PORTAL_NAV, current_path)
