"""Strict parsing of settings from the environment.

A bad value stops start-up with ImproperlyConfigured naming the variable and what it accepts:
a setting the operator believes in must be the one the process really has.
"""

import builtins
import ipaddress
import os
import re
from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_SIZE = re.compile(r"^\s*(\d+)\s*([KMGT]?)(i?B)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class Env:
    def __init__(self, environ: Mapping[builtins.str, builtins.str] | None = None) -> None:
        self.environ = os.environ if environ is None else environ

    def _raw(self, name: builtins.str) -> builtins.str | None:
        value = self.environ.get(name)
        if value is None or value.strip() == "":
            return None
        return value.strip()

    def is_set(self, name: builtins.str) -> builtins.bool:
        return self._raw(name) is not None

    def str(
        self, name: builtins.str, default: builtins.str | None = None, *, required: builtins.bool = False
    ) -> builtins.str:
        value = self._raw(name)
        if value is None:
            if required or default is None:
                raise ImproperlyConfigured(f"{name} must be set.")
            return default
        return value

    def bool(self, name: builtins.str, default: builtins.bool) -> builtins.bool:
        value = self._raw(name)
        if value is None:
            return default
        if value.lower() in _TRUE:
            return True
        if value.lower() in _FALSE:
            return False
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a boolean; accepted values: 1/0, true/false, yes/no, on/off."
        )

    def int(
        self, name: builtins.str, default: builtins.int, *, minimum: builtins.int | None = None
    ) -> builtins.int:
        value = self._raw(name)
        if value is None:
            return default
        try:
            number = int(value)
        except ValueError:
            raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
        if minimum is not None and number < minimum:
            raise ImproperlyConfigured(f"{name}={number} is too small; the minimum is {minimum}.")
        return number

    def choice(
        self, name: builtins.str, default: builtins.str, choices: tuple[builtins.str, ...]
    ) -> builtins.str:
        value = self._raw(name)
        if value is None:
            return default
        if value not in choices:
            raise ImproperlyConfigured(
                f"{name}={value!r} is not valid; accepted values: {', '.join(choices)}."
            )
        return value

    def list(self, name: builtins.str, default: builtins.list[builtins.str]) -> builtins.list[builtins.str]:
        value = self._raw(name)
        if value is None:
            return default
        return [item.strip() for item in value.split(",") if item.strip()]

    def proxies(self, name: builtins.str) -> tuple[builtins.int, tuple[Network, ...]]:
        """How many proxies stand in front (a whole number), or their addresses and networks
        (a comma-separated list); unset or 0 means none."""
        value = self._raw(name)
        if value is None:
            return 0, ()
        if value.isascii() and value.isdigit():
            return int(value), ()
        networks = []
        for item in (item.strip() for item in value.split(",")):
            try:
                networks.append(ipaddress.ip_network(item, strict=True))
            except ValueError:
                raise ImproperlyConfigured(
                    f"{name}={value!r}: {item!r} is not an address or network; use the number of "
                    "proxies in front of the app (e.g. 1) or their addresses and networks, comma-"
                    "separated (e.g. 10.0.0.0/8,fd00::/8)."
                ) from None
        return 0, tuple(networks)

    def size(self, name: builtins.str, default: builtins.int) -> builtins.int:
        """A byte size such as 512M, 2G, 50MiB or a plain number of bytes."""
        value = self._raw(name)
        if value is None:
            return default
        return parse_size(value, name=name)


def parse_size(value: str, *, name: str = "size") -> int:
    match = _SIZE.match(value)
    if not match:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a size; use bytes or a number with K, M, G or T (e.g. 512M)."
        )
    return int(match.group(1)) * _UNITS[match.group(2).upper()]
