"""Response compression: gzip for text (pages, HTMX fragments, JSON, CSS, JavaScript), never for
what is compressed already (PDF, .xlsx/.docx which are zip files, images, fonts) nor for small
answers, where the gzip header and the work cost more than they save.

gzip is in Python's standard library and every browser accepts it; brotli would save about 15 %
more on the ballot page but needs a compiled package (README, "Libraries"). Litestar's
``CompressionMiddleware`` flushes after every chunk of a streamed answer, so streamed downloads
and server-sent events still arrive as they are produced.
"""

from __future__ import annotations

from litestar.config.compression import CompressionConfig
from litestar.middleware.compression import CompressionMiddleware
from litestar.types import Message, Scope, Send

MINIMUM_SIZE = 1024  # bytes: a smaller answer goes as it is
GZIP_LEVEL = 6  # zlib's default: 9 costs about twice the time for a percent or two
COMPRESSIBLE = (
    "text/",
    "application/json",
    "application/javascript",
    "application/xml",
    "image/svg+xml",
    "application/problem+json",
    "application/vnd.oai.openapi",
)


def compressible(content_type: str) -> bool:
    """Whether an answer of this ``Content-Type`` is worth compressing. Server-sent events are
    not: each event is small and must reach the page at once."""
    kind = content_type.strip().lower()
    return kind.startswith(COMPRESSIBLE) and not kind.startswith("text/event-stream")


class TextCompressionMiddleware(CompressionMiddleware):
    """Litestar's middleware, passing through answers that are not text or already encoded."""

    def create_compression_send_wrapper(self, send: Send, compression_encoding, scope: Scope) -> Send:  # type: ignore[override]
        compressing = super().create_compression_send_wrapper(send, compression_encoding, scope)
        passthrough = False

        async def wrapper(message: Message) -> None:
            nonlocal passthrough
            if message["type"] == "http.response.start":
                headers = {k.lower(): v for k, v in message.get("headers") or []}
                passthrough = b"content-encoding" in headers or not compressible(
                    headers.get(b"content-type", b"").decode("latin-1")
                )
            await (send if passthrough else compressing)(message)

        return wrapper


def compression_config() -> CompressionConfig:
    return CompressionConfig(
        backend="gzip",
        minimum_size=MINIMUM_SIZE,
        gzip_compress_level=GZIP_LEVEL,
        middleware_class=TextCompressionMiddleware,
    )
