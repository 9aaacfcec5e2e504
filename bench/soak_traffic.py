"""The soak's simulated people: parents uploading, admins at work, browsers reporting failures.

Each person is a thread with its own logged-in session (requests.Session: the session and CSRF
cookies, the CSRF header). They retry as a browser would: a failed part of an upload is sent
again and the upload resumed, a page that answered 5xx or did not answer is tried again after a
pause, a confirmation that may have been lost is checked with the upload's status. Every request
is timed and recorded with its kind, so that latency can be reported outside the fault windows.
Each person keeps a ledger of what the platform confirmed to them; the checks compare it with
the database.
"""

import itertools
import random
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import requests
from soak_platform import PASSWORD, Sample

TRANSIENT = {0, 500, 502, 503, 504}


@dataclass
class Ledger:
    """What the people saw, shared by all their threads (the lock guards every list)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: list[tuple[str, float, float, int]] = field(default_factory=list)  # kind, start, s, status
    uploads: list[tuple[int, str, str]] = field(default_factory=list)  # media id, sample kind, name
    uploads_failed: list[str] = field(default_factory=list)
    lessons: dict[int, dict[str, Any]] = field(default_factory=dict)  # id -> state, attendance
    actions: dict[str, int] = field(default_factory=dict)  # audit action -> confirmed count
    reports: list[str] = field(default_factory=list)  # markers of accepted incident reports
    optimise_bursts: list[list[int]] = field(default_factory=list)  # statuses of concurrent clicks
    no_answer: list[str] = field(default_factory=list)  # requests that got no HTTP answer, and why

    def record(self, kind: str, start: float, seconds: float, status: int) -> None:
        with self.lock:
            self.requests.append((kind, start, seconds, status))

    def action(self, name: str) -> None:
        with self.lock:
            self.actions[name] = self.actions.get(name, 0) + 1


class Person:
    def __init__(self, base: str, email: str, ledger: Ledger, stop: threading.Event) -> None:
        self.base = base
        self.email = email
        self.ledger = ledger
        self.stop = stop
        self.http = requests.Session()
        self.http.headers["Accept"] = "text/html,application/json"

    def _csrf(self) -> str:
        return self.http.cookies.get("csrftoken") or ""

    def call(
        self,
        kind: str,
        method: str,
        path: str,
        *,
        retry_for: float = 30.0,
        ok: tuple[int, ...] = (),
        **kwargs: Any,
    ) -> requests.Response | None:
        """One request as a person makes it, tried again on 5xx or no answer for `retry_for` s.

        Returns the last response (None if none came). Statuses in `ok` end the retries."""
        url = path if path.startswith("http") else self.base + path
        headers = kwargs.pop("headers", {})
        if method != "GET" and not url.startswith(self.base):
            pass  # S3: presigned, no cookies or CSRF of ours
        elif method != "GET":
            headers = {"X-CSRFToken": self._csrf(), "Referer": self.base + "/", **headers}
        deadline = time.monotonic() + retry_for
        pause = 0.5
        while True:
            start = time.time()
            try:
                response: requests.Response | None = self.http.request(
                    method, url, headers=headers, timeout=60, allow_redirects=False, **kwargs
                )
                status = response.status_code if response is not None else 0
            except requests.RequestException as exc:
                response, status = None, 0
                with self.ledger.lock:
                    self.ledger.no_answer.append(f"{kind} at {start:.1f}: {type(exc).__name__}")
            self.ledger.record(kind, start, time.time() - start, status)
            self._unsecure_cookies()
            # Not cut short when the soak stops: a person finishes what they started, within `retry_for`.
            if status not in TRANSIENT or status in ok or time.monotonic() > deadline:
                return response
            time.sleep(pause * random.uniform(0.8, 1.2))
            pause = min(pause * 2, 4.0)

    def _unsecure_cookies(self) -> None:
        """The app sets Secure cookies (it runs behind TLS in production); the soak speaks plain
        HTTP on loopback, so the jar must send them anyway."""
        for cookie in self.http.cookies:
            cookie.secure = False

    def login(self) -> None:
        self.call("login page", "GET", "/login/")
        response = self.call(
            "login", "POST", "/login/", data={"username": self.email, "password": PASSWORD}, retry_for=120
        )
        if response is None or response.status_code != 302:
            raise RuntimeError(f"{self.email} could not log in: {response and response.status_code}")

    def think(self, low: float, high: float) -> None:
        self.stop.wait(random.uniform(low, high))


class Parent(Person):
    """Uploads homework files for their own students, one after another, as the portal does."""

    def __init__(self, base: str, person: dict, samples: list[Sample], ledger: Ledger, stop: threading.Event):
        super().__init__(base, person["email"], ledger, stop)
        self.students = person["students"]
        self.samples = samples
        self.offset = random.randrange(len(samples))
        self.count = 0

    def run(self) -> None:
        self.login()
        while not self.stop.is_set():
            if random.random() < 0.2:
                self.call("portal", "GET", "/portal/")
            # Every kind of file in turn, each parent starting elsewhere: a short run sees them all.
            self.upload(self.samples[(self.offset + self.count) % len(self.samples)])
            # A parent picks the next file: about what three job workers on two shared CPUs
            # keep up with (faster, the queue only grows and the run measures the backlog).
            self.think(2.0, 6.0)

    def upload(self, sample: Sample) -> None:
        self.count += 1
        name = f"{self.email.split('@')[0]}-{self.count}-{sample.path.name}"
        size = sample.path.stat().st_size
        declaration = {
            "student": random.choice(self.students),
            "title": f"Homework {self.count}",
            "name": name,
            "size": size,
            "type": sample.content_type,
        }
        created = self.call("upload create", "POST", "/portal/homework/uploads/", json=declaration)
        if created is None or created.status_code != 201:
            self._failed(name, created)
            return
        plan = created.json()
        session = f"/portal/homework/uploads/{plan['id']}/"
        if plan["put_url"]:
            parts = [(plan["put_url"], 0, size, {"Content-Type": plan["content_type"]})]
        else:
            step = plan["part_size"]
            parts = [
                (url, n * step, min(size, (n + 1) * step), {}) for n, url in enumerate(plan["part_urls"])
            ]
        with sample.path.open("rb") as source:
            for url, start, end, headers in parts:
                source.seek(start)
                body = source.read(end - start)
                # A part that fails is sent again (the store may be away for a while): resume.
                sent = self.call("S3 part PUT", "PUT", url, data=body, headers=headers, retry_for=90)
                if sent is None or sent.status_code != 200:
                    self._failed(name, sent)
                    return
        done = self.call("upload complete", "POST", session + "complete/", retry_for=90)
        if done is not None and done.status_code == 409:
            # A retried confirmation whose first try got through: the upload says how it ended.
            done = self.call("upload status", "GET", session)
        if done is None or done.status_code != 200 or not done.json().get("media"):
            self._failed(name, done)
            return
        with self.ledger.lock:
            self.ledger.uploads.append((int(done.json()["media"]), sample.kind, name))

    def _failed(self, name: str, response: requests.Response | None) -> None:
        what = f"HTTP {response.status_code}: {response.text[:200]}" if response is not None else "no answer"
        with self.ledger.lock:
            self.ledger.uploads_failed.append(f"{name}: {what}")


_slots = itertools.count(1)
_slots_lock = threading.Lock()


def _next_slot() -> datetime:
    """A past hour no other soak lesson uses: a restore never clashes with a newer lesson."""
    with _slots_lock:
        n = next(_slots)
    top = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    return top - timedelta(hours=2 * n)


class Admin(Person):
    """Books lessons, takes attendance, deletes and restores, opens the hubs, optimises."""

    def __init__(self, base: str, email: str, students: list[int], ledger: Ledger, stop: threading.Event):
        super().__init__(base, email, ledger, stop)
        self.students = students
        self.tz = ZoneInfo("Europe/London")

    def run(self) -> None:
        self.login()
        while not self.stop.is_set():
            choice = random.random()
            if choice < 0.45:
                self.lesson_round()
            elif choice < 0.8:
                self.open_hubs()
            else:
                self.optimise_burst()
            self.think(0.5, 2.0)

    def _local(self, moment: datetime) -> str:
        return moment.astimezone(self.tz).strftime("%Y-%m-%dT%H:%M")

    def lesson_round(self) -> None:
        starts = _next_slot()
        students = random.sample(self.students, 2)
        self.call("lesson form", "GET", "/admin/academic/lessons/new/")
        form = {
            "subject": f"Soak maths {starts:%H%M%S}{random.randint(0, 999)}",
            "tutor": "Ms Soak",
            "location": "Room 1",
            "starts_at": self._local(starts),
            "ends_at": self._local(starts + timedelta(hours=1)),
            "students": students,
        }
        created = self.call("lesson create", "POST", "/admin/academic/lessons/new/", data=form)
        match = re.search(r"/lessons/(\d+)/$", created.headers.get("Location", "")) if created else None
        if match is None:
            return
        lesson = int(match.group(1))
        self.ledger.action("lesson.create")
        marks = 0
        for student in students:
            if random.random() < 0.8:
                status = random.choice(["present", "absent", "late", "excused"])
                data = {"student": student, "status": status}
                done = self.call(
                    "attendance", "POST", f"/admin/academic/lessons/{lesson}/attendance/", data=data
                )
                if done is not None and done.status_code == 302:
                    self.ledger.action("attendance.mark")
                    marks += 1
        with self.ledger.lock:
            self.ledger.lessons[lesson] = {"state": "kept", "attendance": marks}
        if random.random() < 0.5:
            return
        self.call("lesson detail", "GET", f"/admin/academic/lessons/{lesson}/")  # the confirmation
        deleted = self.call(
            "lesson delete", "POST", f"/admin/academic/lessons/{lesson}/delete/", data={"scope": "this"}
        )
        if deleted is None or deleted.status_code != 302:
            return
        self.ledger.action("lesson.delete")
        with self.ledger.lock:
            self.ledger.lessons[lesson]["state"] = "deleted"
        if random.random() < 0.5:
            return
        listing = self.call("lessons list", "GET", "/admin/academic/lessons/")
        text = listing.text if listing is not None else ""
        found = re.search(rf'data-entity="lesson:{lesson}".*?/lessons/restore/(\d+)/', text, re.DOTALL)
        if found is None:
            return
        restored = self.call("lesson restore", "POST", f"/admin/academic/lessons/restore/{found.group(1)}/")
        if restored is not None and restored.status_code == 302:
            self.ledger.action("lesson.restore")
            with self.ledger.lock:
                self.ledger.lessons[lesson]["state"] = "restored"

    def open_hubs(self) -> None:
        for kind, path in (
            ("hub jobs", "/admin/insights/jobs/"),
            ("hub media", "/admin/insights/media/"),
            ("hub incidents", "/admin/insights/incidents/"),
            ("lessons list", "/admin/academic/lessons/"),
        ):
            self.call(kind, "GET", path)

    def optimise_burst(self) -> None:
        """An impatient admin (or two) clicks Optimise on one eligible video at the same time."""
        page = self.call("hub media", "GET", "/admin/insights/media/?state=eligible")
        urls = re.findall(r'data-optimise="(/admin/insights/media/\d+/optimise/)"', page.text if page else "")
        if not urls:
            return
        url = random.choice(urls)
        statuses: list[int] = []
        barrier = threading.Barrier(3)

        def click() -> None:
            barrier.wait()
            response = self.call("optimise", "POST", url, ok=(202, 409), retry_for=5)
            statuses.append(response.status_code if response is not None else 0)

        clicks = [threading.Thread(target=click) for _ in range(3)]
        for thread in clicks:
            thread.start()
        for thread in clicks:
            thread.join()
        with self.ledger.lock:
            self.ledger.optimise_bursts.append(sorted(statuses))
        for _ in range(statuses.count(202)):
            self.ledger.action("media.optimise_requested")


class Reporter(Person):
    """A browser's incident reporter: a failed call on some page becomes one report."""

    def __init__(self, base: str, email: str, tag: str, ledger: Ledger, stop: threading.Event):
        super().__init__(base, email, ledger, stop)
        self.tag = tag
        self.count = 0

    def run(self) -> None:
        self.login()
        while not self.stop.is_set():
            self.count += 1
            marker = f"Soak {self.tag} {self.email} report {self.count}"
            body = {
                "kind": "http",
                "ui_message": f"{marker}: the upload failed; please try again.",
                "page_url": f"{self.base}/portal/",
                "request": {"method": "POST", "url": "/portal/homework/uploads/", "status": 503},
                "response": {"error": {"code": "storage_unavailable", "message": "The file store is away."}},
                "breadcrumbs": ['click button "Upload" on /portal/'],
            }
            # The reporter sends once and tries again only when nothing was stored (5xx, no answer).
            response = self.call("incident report", "POST", "/api/incidents", json=body, retry_for=10)
            if response is not None and response.status_code == 202:
                with self.ledger.lock:
                    self.ledger.reports.append(marker)
            self.think(0.2, 1.0)
