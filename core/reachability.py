"""Can phones and other PCs reach this server? Not when it listens on, or announces, a loopback
address: ``make run`` serves on 127.0.0.1 by default, and ballot slips printed then carry a link
no phone can open. The dashboard and ``kaoping serve`` say so, and how to fix it."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from core.settings import Settings


def _is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host in ("localhost", "localhost.localdomain", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def loopback_only(settings: Settings) -> bool:
    """True when the listening address or the public address (``KAOPING_BASE_URL``) is loopback."""
    base_host = urlsplit(settings.resolved_base_url).hostname or ""
    return _is_loopback(settings.host) or _is_loopback(base_host)


def lan_address() -> str | None:
    """This machine's address on the local network (the one its default route leaves by), or None.

    A UDP socket is "connected" to a private address to learn the source address the kernel
    would pick; no packet is sent."""
    for probe in ("10.255.255.255", "192.168.255.255"):
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
                sock.connect((probe, 9))
                address = sock.getsockname()[0]
        except OSError:
            continue
        if address and not _is_loopback(address) and address != "0.0.0.0":
            return address
    return None


def hint_lines(settings: Settings, lan: str | None) -> list[str]:
    """The command line's hint (English; the dashboard shows the same in the reader's language)."""
    example = lan or "192.168.1.10"
    return [
        "Note: only this computer can reach Kaoping: it listens on or announces a loopback address "
        f"({settings.host}, {settings.resolved_base_url}). Phones and other PCs cannot open it, nor the ballot links.",
        f"  To serve the office network: KAOPING_HOST=0.0.0.0 KAOPING_BASE_URL=http://{example}:{settings.port} kaoping serve"
        + (f"   (this machine's LAN address: {lan})" if lan else ""),
    ]
