"""Demo homework: one handed-in worksheet (a small text document) for the first demo student.
Idempotent; skipped with a note when the file store is unavailable."""

import tempfile
from pathlib import Path
from typing import TextIO

from academics.models import Student
from accounts.models import User
from homework.models import Homework
from media import storage

TITLE = "Fractions worksheet"
TEXT = "Fractions worksheet\n\n1. 1/2 + 1/4 = 3/4\n2. 2/3 - 1/6 = 1/2\n3. 3/5 x 5/6 = 1/2\n"


def seed(stdout: TextIO) -> None:
    from homework.services import homework_file_add

    parent = User.objects.filter(email="parent@demo.academy").first()
    student = Student.objects.filter(first_name="Alice", last_name="Andrews").first()
    from homework import demo_videos

    demo_videos.seed(stdout)
    if parent is None or student is None or Homework.objects.filter(student=student, title=TITLE).exists():
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fractions.txt"
        path.write_text(TEXT)
        key = storage.new_key("homework", path.name)
        try:
            storage.upload_from_path(path, key, content_type="text/plain")
        except storage.StorageUnavailable:
            stdout.write("  skipped demo homework: the file store is unavailable\n")
            return
    homework = Homework.objects.create(student=student, submitted_by=parent, title=TITLE)
    homework_file_add(actor=parent, homework=homework, storage_key=key, original_name=path.name)
    stdout.write(f"  created homework “{TITLE}” for {student.full_name}\n")
