"""How pip and Keras reach the network: the proxy and index settings they read.

A proxy variable set to something that is not a proxy URL (a typo in the scheme, a port that is not
a number, no host) makes every `pip install` retry and give up, and every weights download fail,
as if the machine were offline. Whether the network itself is reachable is a live question that
facts never answer (no check probes the network); what the settings say is known before anything
runs, so it is judged here.
"""

from __future__ import annotations

from typing import FrozenSet, Iterator, Optional
from urllib.parse import urlsplit

from keras_doctor.checks.registry import CheckContext, SkipCheck, check, finding
from keras_doctor.facts.config import PROXY_URL_VARS
from keras_doctor.findings import Finding, FixStep, StepKind

# Schemes a proxy URL may have: http(s) for pip (urllib3) and urllib; socks* through PySocks.
PROXY_SCHEMES = frozenset({"http", "https", "socks4", "socks4a", "socks5", "socks5h"})
INDEX_SCHEMES = frozenset({"http", "https", "file"})


def unusable_url(value: str, schemes: FrozenSet[str]) -> Optional[str]:
    """Why neither pip nor urllib can use `value` as a proxy or index URL, or None when they can.
    A missing scheme is not a problem: both read `host:port` as `http://host:port`."""
    text = value.strip()
    if not text:
        return None  # an empty variable is the same as an unset one
    if "://" not in text:
        text = "http://" + text
    try:
        parts = urlsplit(text)
        port = parts.port  # raises ValueError on a port that is not a number in range
    except ValueError as exc:
        return f"its port is not a number from 1 to 65535 ({exc})"
    if parts.scheme.lower() not in schemes:
        return f"its scheme {parts.scheme!r} is not one of {', '.join(sorted(schemes))}"
    if not parts.hostname and parts.scheme.lower() != "file":
        return "it names no host"
    if port == 0:
        return "its port is 0"
    return None


@check(name="network-settings", area="environment", causes=["network-unreachable"],
       ok="The proxy and index settings are URLs pip and urllib can use")
def network_settings(ctx: CheckContext) -> Iterator[Finding]:
    config = ctx.facts.config
    if config is None:
        raise SkipCheck("no environment variables for this target")
    for variable in PROXY_URL_VARS:
        value = config.env.get(variable)
        if value is None:
            continue
        schemes = INDEX_SCHEMES if "INDEX_URL" in variable else PROXY_SCHEMES
        problem = unusable_url(value, schemes)
        if problem is None:
            continue
        yield finding(
            "network-unreachable",
            f"{variable}={value} cannot be used: {problem}; pip and Keras downloads through it "
            "fail as if the network were down",
            evidence={"variable": variable, "value": value, "problem": problem},
            fix=[FixStep(f"Set {variable} to a URL such as http://proxy.example.com:8080, or "
                         "unset it", StepKind.ENV, ("unset", variable))],
        )
