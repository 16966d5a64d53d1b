"""Every page in people's words: a crawler signs in as each role of the demo clinic and as the demo home
user, follows every link it can reach (GET only, bounded), and reads each page's visible text for the
code's language: evidence ids, raw status and event codes, Python reprs, bad plurals, doubled words,
aftercare in hours, and (for the home user) clinic words."""

from __future__ import annotations

import html
import re
from collections import defaultdict
from collections.abc import Iterator
from urllib.parse import urldefrag, urlsplit

import pytest
from django.db import models
from django.test import Client as HttpClient
from django.urls import Resolver404, resolve

from pinpoint.evidence import load_evidence
from pinpoint.web.accounts.models import User
from pinpoint.web.audit.events import Event
from tests.web.conftest import World

MAX_PAGES = 400
"""Pages read per user at most (the demo has far fewer distinct pages; this only bounds a runaway)."""
PER_NAME = 6
"""Distinct URLs read per URL name (the demo's sessions: booked, running, signed, cancelled, at home)."""
SKIP_NAMES = {"logout", "sign_out", "sign_out_everywhere", "download", "feed"}
"""Signing out ends the crawl; downloads and calendar feeds are not pages."""
SKIP_PREFIXES = ("/static/", "/api/", "/documents/", "/calendar/")

BLOCK = re.compile(
    r"</?(?:p|div|td|th|tr|li|ul|ol|dl|dt|dd|h[1-6]|br|table|thead|tbody|section|article|header|footer|nav"
    r"|main|form|fieldset|legend|label|option|select|button|summary|details|figure|figcaption|aside|hr|pre)\b[^>]*>",
    re.IGNORECASE,
)
HIDDEN = re.compile(r"<(script|style|template|noscript)\b.*?</\1>", re.IGNORECASE | re.DOTALL)
TAG = re.compile(r"<[^>]+>")
HREF = re.compile(r"<a\b[^>]*\bhref=\"([^\"]+)\"", re.IGNORECASE)


def visible_text(page: str) -> str:
    """The words a person sees: scripts, styles and tags (with their attributes) removed, one line per block."""
    text = HIDDEN.sub(" ", page)
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.DOTALL)
    text = BLOCK.sub("\n", text)
    text = TAG.sub("", text)
    text = html.unescape(text)
    lines = (re.sub(r"\s+", " ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _is_code(word: str) -> bool:
    return "_" in word or any(ch.isdigit() for ch in word)


def _evidence_ids() -> set[str]:
    ev = load_evidence()
    ids: set[str] = set()
    for table in (ev.zones, ev.indications, ev.devices, ev.contraindications, ev.anaesthetics, ev.aftercare, ev.policy):
        ids |= set(table)
    ids |= {rule.field for rule in ev.contraindications.values()}
    outcomes, photos = ev.extra["outcomes"], ev.extra["photos"]
    ids |= set(outcomes.scales) | set(outcomes.adverse_events) | set(photos.views) | set(photos.series)
    ids |= {"emla", "lmx4"}  # product ids that are not words (the names are EMLA, LMX 4)
    return {i for i in ids if _is_code(i) or i in {"emla", "lmx4"}}


def _status_codes() -> set[str]:
    from django.apps import apps

    codes: set[str] = {e.value for e in Event}
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if isinstance(f, models.CharField) and f.choices:
                codes |= {str(v) for v, _ in f.flatchoices if isinstance(v, str) and _is_code(v)}
    return codes


def _word_pattern(words: set[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    # "(policy home_course_sessions)" cites the policy item a clinic can change, as a plan cites its sources.
    return re.compile(rf"(?<![\w./@-])(?<!policy )(?<!default \()(?:{alternatives})(?![\w@-]|\.\w)")


CHECKS_ALL: list[tuple[str, re.Pattern[str]]] = [
    ("python repr", re.compile(r"\{'|[{,] '\w+': |\[\]|\bNone\b|\bTrue\b|\bFalse\b")),
    ("bad plural", re.compile(r"\b1 (?:days|uses|weeks|sessions|hours|passes|photos|minutes|zones|hairs)\b")),
    # a word, not a number: "2026-11-02 02:20" (a day, then a time in the second hour) repeats no word
    ("doubled word", re.compile(r"\b([^\W\d]\w*) \1\b", re.IGNORECASE)),
    ("hours for aftercare", re.compile(r"\b\d+ ?[-–] ?\d+ ?h\b|\b\d+ ?h\)")),
]
CHECKS_HOME: list[tuple[str, re.Pattern[str]]] = [
    (
        "clinic word for a home user",
        re.compile(r"\bclients?\b|\bAudit\b|Aftercare to hand over|contact your practitioner", re.IGNORECASE),
    ),
]


KNOWN: tuple[tuple[str, str, str, str], ...] = (
    ("clinic word for a home user", r"^/exports/$", "clients", "exports/everything.html speaks to a clinic"),
    ("clinic word for a home user", r"^/exports/$", "audit trail", "exports/everything.html lists the audit trail"),
    (
        "clinic word for a home user",
        r"^/exports/clients/\d+/erase/$",
        "client",
        "exports/erase.html speaks to a clinic",
    ),
    ("clinic word for a home user", r"^/clients/\d+/courses/new/$", "client", "treatments/forms.py override help"),
    ("clinic word for a home user", r"^/clients/\d+/courses/new/$", "audit trail", "treatments/forms.py override help"),
    (
        "clinic word for a home user",
        r"^/accounts/org/policy/$",
        "client",
        "policy descriptions in evidence/policy.toml",
    ),
    ("clinic word for a home user", r"^/courses/\d+/$", "contact your practitioner", "aftercare text mn_infection"),
    ("clinic word for a home user", r"^/follow-up/courses/\d+/$", "Client", "outcomes/forms.py rater choice"),
)
"""Offences left where this page's owner or the evidence text has to change them: (kind, page, words, where)."""


def _known(kind: str, url: str, snippet: str) -> bool:
    return any(k == kind and re.search(page, url) and words.lower() in snippet.lower() for k, page, words, _ in KNOWN)


def _links(page: str) -> Iterator[str]:
    for href in HREF.findall(page):
        url = urldefrag(html.unescape(href)).url
        if url.startswith("/") and not url.startswith("//"):
            yield url


def _name(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def crawl(client: HttpClient) -> dict[str, str]:
    """Every page reachable from the start page: ``{url: visible text}``."""
    seen: set[str] = set()
    per_name: dict[str, int] = defaultdict(int)
    queue = ["/"]
    pages: dict[str, str] = {}
    while queue and len(pages) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        path = urlsplit(url).path
        name = _name(path)
        if name is None or name.rsplit(":", 1)[-1] in SKIP_NAMES or path.startswith(SKIP_PREFIXES):
            continue
        if per_name[name] >= PER_NAME:
            continue
        per_name[name] += 1
        response = client.get(url, follow=True)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        if response.redirect_chain and urlsplit(response.redirect_chain[-1][0]).path.startswith("/accounts/login"):
            continue
        body = response.content.decode()
        pages[url] = visible_text(body)
        queue.extend(link for link in _links(body) if link not in seen)
    return pages


def offences(pages: dict[str, str], checks: list[tuple[str, re.Pattern[str]]]) -> dict[str, list[str]]:
    """``{kind: ["url: …snippet…", …]}`` for every match of every check on every page."""
    found: dict[str, list[str]] = defaultdict(list)
    for url, text in pages.items():
        for kind, pattern in checks:
            snippets = []
            for m in pattern.finditer(text):
                line_start = text.rfind("\n", 0, m.start()) + 1
                line_end = text.find("\n", m.end())
                line = text[line_start : line_end if line_end != -1 else len(text)]
                at = m.start() - line_start
                snippet = line[max(0, at - 40) : at + len(m.group(0)) + 40]
                if snippet not in snippets:
                    snippets.append(snippet)
            found[kind].extend(f"{url}: …{s}…" for s in snippets if not _known(kind, url, s))
    return {k: v for k, v in found.items() if v}


def _checks(home: bool) -> list[tuple[str, re.Pattern[str]]]:
    checks = [
        ("evidence id", _word_pattern(_evidence_ids())),
        ("raw code", _word_pattern(_status_codes())),
        *CHECKS_ALL,
    ]
    return [*checks, *CHECKS_HOME] if home else checks


def _report(user: User, pages: dict[str, str], found: dict[str, list[str]]) -> str:
    lines = [f"{user.email}: {sum(len(v) for v in found.values())} snippets on {len(pages)} pages"]
    for kind, items in sorted(found.items()):
        lines.append(f"  {kind} ({len(items)}):")
        lines.extend(f"    {item}" for item in items)
    return "\n".join(lines)


def test_visible_text_drops_tags_attributes_and_scripts() -> None:
    page = '<p title="acne_scars">Acne <b>scars</b></p><script>var x = {"a": None}</script><td>1</td><td>days</td>'
    assert visible_text(page) == "Acne scars\n1\ndays"


def test_the_checks_catch_what_the_walk_through_found() -> None:
    text = "acne_scars (clinic)\npen_14 · Booked booked · 1 uses · for 120-336 h · {'zone': 'cheek'}\nin_progress"
    assert not offences({"/y/": "signed on 2026-11-02 02:20"}, _checks(home=False))
    found = offences({"/x/": text}, _checks(home=True))
    assert sorted(found) == [
        "bad plural",
        "doubled word",
        "evidence id",
        "hours for aftercare",
        "python repr",
        "raw code",
    ]
    assert found["evidence id"] == [
        "/x/: …acne_scars (clinic)…",
        "/x/: …pen_14 · Booked booked · 1 uses · for 120-336 …",
    ]
    assert found["doubled word"] == ["/x/: …pen_14 · Booked booked · 1 uses · for 120-336 h · {'zone': 'ch…"]


@pytest.mark.parametrize("who", ["owner", "practitioner", "assistant", "home_user"])
def test_every_reachable_page_speaks_peoples_words(world: World, who: str) -> None:
    user: User = getattr(world, who)
    pages = crawl(world.login(user))
    assert len(pages) >= (5 if who == "home_user" else 15), sorted(pages)
    found = offences(pages, _checks(home=who == "home_user"))
    assert not found, _report(user, pages, found)
