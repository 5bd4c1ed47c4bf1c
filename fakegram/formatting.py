"""Telegram-like parsing of HTML / MarkdownV2 / Markdown texts into plain text."""

from __future__ import annotations

import html
import re

__all__ = ["ParseError", "render"]

_HTML_TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s[^<>]*)?)>")
_HTML_ENTITY_RE = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});")
_HTML_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "span",
    "tg-spoiler",
    "a",
    "code",
    "pre",
    "blockquote",
    "tg-emoji",
    "tg-time",
}
_MDV2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_MDV2_NAMES = {
    "*": "Bold",
    "_": "Italic",
    "__": "Underline",
    "~": "Strikethrough",
    "||": "Spoiler",
    "[": "TextUrl",
}


class ParseError(ValueError):
    """Raised when a formatted text would be rejected by Telegram."""


def _offset(text: str, index: int) -> int:
    """Return the UTF-8 byte offset of a character index."""
    return len(text[:index].encode("utf-8"))


def render(text: str, parse_mode: str | None) -> str:
    """Validate `text` for `parse_mode` like Telegram and return the plain text."""
    if not parse_mode:
        return text
    mode = parse_mode.lower()
    if mode == "html":
        return _render_html(text)
    if mode == "markdownv2":
        return _render_markdown_v2(text)
    if mode == "markdown":
        return _render_markdown(text)
    raise ParseError(f"unsupported parse_mode {parse_mode!r}")


def _render_html(text: str) -> str:
    """Parse Telegram HTML and return its plain text."""
    out: list[str] = []
    stack: list[tuple[str, int]] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "<":
            m = _HTML_TAG_RE.match(text, i)
            if m is None:
                raise ParseError(
                    f"can't parse entities: Unsupported start tag at byte offset {_offset(text, i)}"
                )
            closing, name, attrs = m.group(1) == "/", m.group(2).lower(), m.group(3)
            if name not in _HTML_TAGS:
                raise ParseError(
                    f'can\'t parse entities: Unsupported start tag "{name}" '
                    f"at byte offset {_offset(text, i)}"
                )
            if closing:
                if not stack or stack[-1][0] != name:
                    raise ParseError(
                        f'can\'t parse entities: Unexpected end tag "{name}" '
                        f"at byte offset {_offset(text, i)}"
                    )
                stack.pop()
            else:
                if name == "span" and "tg-spoiler" not in attrs:
                    raise ParseError(
                        'can\'t parse entities: Tag "span" must have class "tg-spoiler" '
                        f"at byte offset {_offset(text, i)}"
                    )
                stack.append((name, i))
            i = m.end()
            continue
        if c == "&":
            m = _HTML_ENTITY_RE.match(text, i)
            if m is not None:
                body = m.group(1)
                if body.startswith("#") or body in _HTML_NAMED:
                    out.append(
                        _HTML_NAMED[body] if body in _HTML_NAMED else html.unescape(m.group(0))
                    )
                    i = m.end()
                    continue
        out.append(c)
        i += 1
    if stack:
        name, start = stack[-1]
        raise ParseError(
            f"can't parse entities: Can't find end tag corresponding to start tag \"{name}\" "
            f"at byte offset {_offset(text, start)}"
        )
    return "".join(out)


def _scan_until(text: str, i: int, end: str, escapes: bool) -> int:
    """Return the index of the next unescaped `end` at or after `i`, or -1."""
    n = len(text)
    while i < n:
        if escapes and text[i] == "\\" and i + 1 < n:
            i += 2
            continue
        if text.startswith(end, i):
            return i
        i += 1
    return -1


def _unescape_md(chunk: str) -> str:
    """Drop MarkdownV2 backslash escapes from a code/pre chunk."""
    return re.sub(r"\\([\x01-\x7e])", r"\1", chunk)


def _render_markdown_v2(text: str) -> str:
    """Parse Telegram MarkdownV2 and return its plain text."""
    out: list[str] = []
    stack: list[tuple[str, int]] = []
    i, n = 0, len(text)

    def toggle(marker: str, at: int) -> None:
        if stack and stack[-1][0] == marker:
            stack.pop()
        elif any(m == marker for m, _ in stack):
            raise ParseError(
                f"can't parse entities: Can't find end of {_MDV2_NAMES[marker]} entity "
                f"at byte offset {_offset(text, at)}"
            )
        else:
            stack.append((marker, at))

    while i < n:
        c = text[i]
        if c == "\\":
            if i + 1 < n and 0 < ord(text[i + 1]) < 127:
                out.append(text[i + 1])
                i += 2
                continue
            out.append(c)
            i += 1
            continue
        if c == "`":
            fence = "```" if text.startswith("```", i) else "`"
            end = _scan_until(text, i + len(fence), fence, escapes=True)
            if end < 0:
                kind = "Pre" if fence == "```" else "Code"
                raise ParseError(
                    f"can't parse entities: Can't find end of {kind} entity "
                    f"at byte offset {_offset(text, i)}"
                )
            body = text[i + len(fence) : end]
            if fence == "```" and "\n" in body:
                first, rest = body.split("\n", 1)
                if first and " " not in first:
                    body = rest
            out.append(_unescape_md(body))
            i = end + len(fence)
            continue
        if c in "*~":
            toggle(c, i)
            i += 1
            continue
        if c == "_":
            marker = "__" if text.startswith("__", i) else "_"
            toggle(marker, i)
            i += len(marker)
            continue
        if c == "|" and text.startswith("||", i):
            toggle("||", i)
            i += 2
            continue
        if c == "[":
            stack.append(("[", i))
            i += 1
            continue
        if c == "]" and stack and stack[-1][0] == "[":
            if not text.startswith("(", i + 1):
                raise ParseError(
                    f"can't parse entities: Can't find end of TextUrl entity "
                    f"at byte offset {_offset(text, stack[-1][1])}"
                )
            end = _scan_until(text, i + 2, ")", escapes=True)
            if end < 0:
                raise ParseError(
                    f"can't parse entities: Can't find end of a URL at byte offset {_offset(text, i)}"
                )
            stack.pop()
            i = end + 1
            continue
        if c == ">" and (i == 0 or text[i - 1] == "\n"):
            i += 1
            continue
        if c == "!" and text.startswith("[", i + 1):
            i += 1
            continue
        if c in _MDV2_RESERVED:
            raise ParseError(
                f"can't parse entities: Character '{c}' is reserved and must be escaped "
                "with the preceding '\\'"
            )
        out.append(c)
        i += 1
    if stack:
        marker, start = stack[-1]
        raise ParseError(
            f"can't parse entities: Can't find end of {_MDV2_NAMES[marker]} entity "
            f"at byte offset {_offset(text, start)}"
        )
    return "".join(out)


def _render_markdown(text: str) -> str:
    """Parse legacy Telegram Markdown and return its plain text."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n and text[i + 1] in "_*`[":
            out.append(text[i + 1])
            i += 2
            continue
        if c in "*_`" or c == "[":
            if c == "`" and text.startswith("```", i):
                end_marker = "```"
            elif c == "[":
                end_marker = "]"
            else:
                end_marker = c
            end = text.find(end_marker, i + len(end_marker))
            if end < 0:
                raise ParseError(
                    "can't parse entities: Can't find end of the entity starting "
                    f"at byte offset {_offset(text, i)}"
                )
            out.append(text[i + len(end_marker) : end])
            i = end + len(end_marker)
            if c == "[" and text.startswith("(", i):
                close = text.find(")", i)
                if close < 0:
                    raise ParseError(
                        "can't parse entities: Can't find end of the entity starting "
                        f"at byte offset {_offset(text, i)}"
                    )
                i = close + 1
            continue
        out.append(c)
        i += 1
    return "".join(out)
