"""Runtime truth: the memory limits this process really runs under, read back at start."""

import contextlib
import os
import resource
import socket
from dataclasses import dataclass
from pathlib import Path

import psutil

UNLIMITED_FROM = 1 << 60  # cgroup v1 reports "unlimited" as a huge number


@dataclass(frozen=True)
class Limits:
    own: int  # what the worker enforces per job (resident bytes)
    rlimit_as: int | None
    rlimit_data: int | None
    cgroup_memory_max: int | None

    @property
    def effective(self) -> int:
        return min(v for v in (self.own, self.rlimit_as, self.rlimit_data, self.cgroup_memory_max) if v)

    def describe(self) -> str:
        return (
            f"per-job resident limit {mib(self.own)}, RLIMIT_AS {mib(self.rlimit_as)}, "
            f"RLIMIT_DATA {mib(self.rlimit_data)}, cgroup memory.max {mib(self.cgroup_memory_max)}"
        )


def mib(value: int | None) -> str:
    return "unlimited" if value is None else f"{value / 2**20:.0f} MiB"


def _rlimit(which: int) -> int | None:
    soft, _hard = resource.getrlimit(which)
    return None if soft == resource.RLIM_INFINITY else soft


def cgroup_memory_max(
    proc_root: Path = Path("/proc/self"), fs_root: Path = Path("/sys/fs/cgroup")
) -> int | None:
    """memory.max (cgroup v2) or memory.limit_in_bytes (v1) of this process's cgroup."""
    try:
        lines = (proc_root / "cgroup").read_text().splitlines()
    except OSError:
        return None
    candidates: list[Path] = []
    for line in lines:
        _, controllers, path = line.split(":", 2)
        rel = path.lstrip("/")
        if controllers == "":
            candidates += [fs_root / rel / "memory.max", fs_root / "memory.max"]
        elif "memory" in controllers.split(","):
            candidates += [fs_root / "memory" / rel / "memory.limit_in_bytes"]
    for candidate in candidates:
        try:
            raw = candidate.read_text().strip()
        except OSError:
            continue
        if raw == "max":
            return None
        value = int(raw)
        return None if value >= UNLIMITED_FROM else value
    return None


def read_limits(own: int) -> Limits:
    return Limits(
        own=own,
        rlimit_as=_rlimit(resource.RLIMIT_AS),
        rlimit_data=_rlimit(resource.RLIMIT_DATA),
        cgroup_memory_max=cgroup_memory_max(),
    )


def check_limit(limits: Limits) -> None:
    """A limit the process cannot really have is refused, loudly, at start."""
    if limits.own < 32 * 2**20:
        raise ValueError(f"--memory-limit {mib(limits.own)} is too small to run a job (at least 32 MiB)")
    for name, value in (
        ("RLIMIT_AS", limits.rlimit_as),
        ("RLIMIT_DATA", limits.rlimit_data),
        ("cgroup memory.max", limits.cgroup_memory_max),
    ):
        if value is not None and limits.own > value:
            raise ValueError(
                f"--memory-limit {mib(limits.own)} is more than this process can really use: "
                f"{name} is {mib(value)}. Lower --memory-limit or raise {name}."
            )


def tree_rss(pid: int) -> int:
    """Resident bytes of a job process and everything it started (ffmpeg and the like)."""
    try:
        proc = psutil.Process(pid)
        total = proc.memory_info().rss
        for child in proc.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                total += child.memory_info().rss
        return total
    except psutil.Error:
        return 0


def hostname() -> str:
    return socket.gethostname()[:255]


def pid() -> int:
    return os.getpid()


def yield_cpu(nice: int) -> None:
    """Run this process, and what it starts, at niceness `nice` at least (never raised back)."""
    current = os.nice(0)
    if nice > current:
        os.nice(nice - current)
