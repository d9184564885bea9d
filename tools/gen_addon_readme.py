#!/usr/bin/env python3
"""Generate each addon's README.rst and static/description/index.html from its readme/ fragments.

The fragments are Markdown files in ``<addon>/readme/`` (DESCRIPTION.md, CONFIGURE.md, USAGE.md,
CONTRIBUTORS.md, ...). They are assembled, with what the manifest says (name, summary, version,
licence, dependencies), into one reStructuredText page, ``<addon>/README.rst`` (the long
description of the addon's wheel), which docutils then renders as
``<addon>/static/description/index.html`` (the page *Apps* shows for the module).

Usage::

    python3 tools/gen_addon_readme.py            # write the files of every addon in addons/
    python3 tools/gen_addon_readme.py --check    # fail (exit 1) when a generated file is stale
    python3 tools/gen_addon_readme.py --addons-dir addons aftersales_service

Standard library and docutils only (docutils comes with Odoo). The Markdown read is the subset
the fragments use: ``#`` headings, paragraphs, ``-`` and ``1.`` lists (nested by indentation),
tables, fenced code, and inline ``**bold**``, ``*italic*``, `` `code` ``, links and images. An
image written ``![alt](../static/description/shot.png)`` shows on both pages.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import re
import sys
import unicodedata
from pathlib import Path

from docutils.core import publish_string
from docutils.utils import SystemMessage

REPO = Path(__file__).resolve().parent.parent
GENERATOR = "tools/gen_addon_readme.py"

# Fragments, in the order they appear on the page, with their section titles.
# DESCRIPTION comes first; CONTRIBUTORS and CREDITS go in the credits at the end.
SECTIONS = [
    ("DESCRIPTION", "Features"),
    ("CONTEXT", "Use cases"),
    ("INSTALL", "Installation"),
    ("CONFIGURE", "Configuration"),
    ("USAGE", "Usage"),
    ("DEVELOP", "Development"),
    ("ROADMAP", "Known issues and roadmap"),
    ("HISTORY", "Changes"),
]
# reStructuredText underline characters: the page title, its sections, then the fragments'
# own headings (# and ## of a fragment go one and two levels below its section).
TITLE_CHAR = "="
SECTION_CHAR = "="
FRAGMENT_CHARS = ["-", "~", "^", '"']

IMAGE_PREFIX = "../static/description/"


# --------------------------------------------------------------------------- Markdown to rst


def _is_delimiter(char: str) -> bool:
    """Whether rst inline markup may start after / end before this character."""
    if not char or char.isspace():
        return True
    return unicodedata.category(char)[0] == "P" or char in "<>"


def _escape(text: str) -> str:
    """Plain Markdown text as rst text: rst's own markup characters taken literally."""
    text = text.replace("\\", "\\\\")
    text = re.sub(r"([*`|])", r"\\\1", text)
    # word_ is a reference in rst, _word_ a target
    text = re.sub(r"(?<=\w)_(?=\W|$)", r"\\_", text)
    return text


INLINE_RE = re.compile(
    r"(?P<code>`+)(?P<code_text>.+?)(?P=code)"
    r"|!\[(?P<img_alt>[^\]]*)\]\((?P<img_src>[^)\s]+)\)"
    r"|\[(?P<link_text>[^\]]+)\]\((?P<link_url>[^)\s]+)\)"
    r"|\*\*(?P<strong>[^*\s](?:.*?[^*\s])?)\*\*"
    r"|\*(?P<em>[^*\s](?:.*?[^*\s])?)\*",
    re.DOTALL,
)


class Inline:
    """Converts Markdown inline markup; collects the images for the caller (rst has no inline image)."""

    def __init__(self, image_src):
        self.image_src = image_src
        self.images: list[tuple[str, str]] = []

    def convert(self, text: str) -> str:
        out = []
        pos = 0
        for match in INLINE_RE.finditer(text):
            out.append(_escape(text[pos : match.start()]))
            before = text[match.start() - 1] if match.start() else ""
            after = text[match.end()] if match.end() < len(text) else ""
            markup = self._markup(match)
            if markup is None:
                out.append(_escape(match.group(0)))
            else:
                if not _is_delimiter(before):
                    out.append("\\ ")
                out.append(markup)
                if not _is_delimiter(after):
                    out.append("\\ ")
            pos = match.end()
        out.append(_escape(text[pos:]))
        return "".join(out)

    def _markup(self, match: re.Match) -> str | None:
        if match.group("code"):
            code = match.group("code_text").strip()
            return f"``{code}``" if "``" not in code else None
        if match.group("img_src") is not None:
            self.images.append((match.group("img_alt"), self.image_src(match.group("img_src"))))
            return ""
        if match.group("link_url") is not None:
            label = match.group("link_text").replace("`", "").replace("<", "").strip()
            return f"`{label} <{match.group('link_url')}>`__"
        if match.group("strong") is not None:
            return "**%s**" % match.group("strong").replace("*", "\\*")
        return "*%s*" % match.group("em").replace("*", "\\*")


LIST_RE = re.compile(r"^(?P<marker>[-*+]|\d+[.)])\s+")
HEADING_RE = re.compile(r"^(?P<level>#{1,6})\s+(?P<title>.+?)\s*#*\s*$")
FENCE_RE = re.compile(r"^(```|~~~)")
TABLE_SEPARATOR_RE = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


def _dedent(lines: list[str], width: int) -> list[str]:
    return [line[width:] if line[:width].strip() == "" else line.lstrip() for line in lines]


def _indent(lines: list[str], prefix: str) -> list[str]:
    return [prefix + line if line else "" for line in lines]


def _table_cells(line: str) -> list[str]:
    line = line.strip()
    line = line.removeprefix("|").removesuffix("|")
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", line)]


class Converter:
    """Markdown blocks to rst lines, one fragment at a time."""

    def __init__(self, heading_chars: list[str], image_src):
        self.heading_chars = heading_chars
        self.image_src = image_src

    def convert(self, text: str) -> str:
        lines = text.expandtabs(4).splitlines()
        # headings nest by their number of #, one level below the fragment's section at most:
        # a fragment may start at ## or ###, and a deeper heading never skips a level
        self.heading_stack: list[int] = []
        return "\n".join(self._blocks(lines)).strip("\n") + "\n"

    def _inline(self, text: str) -> tuple[str, list[tuple[str, str]]]:
        inline = Inline(self.image_src)
        return inline.convert(text), inline.images

    def _paragraph(self, lines: list[str]) -> list[str]:
        text, images = self._inline("\n".join(line.strip() for line in lines))
        out = []
        if text.strip():
            out += text.strip().split("\n") + [""]
        for alt, src in images:
            # img-fluid border: Odoo's Bootstrap classes, so that Apps fits and frames the picture
            out += [f".. image:: {src}", f"   :alt: {alt}", "   :class: img-fluid border", ""]
        return out

    def _blocks(self, lines: list[str]) -> list[str]:  # noqa: C901 - one loop over block kinds
        out: list[str] = []
        i = 0
        while i < len(lines):
            line = lines[i]
            if not line.strip():
                i += 1
                continue
            heading = HEADING_RE.match(line)
            if heading:
                md_level = len(heading.group("level"))
                while self.heading_stack and self.heading_stack[-1] >= md_level:
                    self.heading_stack.pop()
                level = min(len(self.heading_stack), len(self.heading_chars) - 1)
                self.heading_stack.append(md_level)
                title, _images = self._inline(heading.group("title"))
                width = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in title)
                out += [title, self.heading_chars[level] * width, ""]
                i += 1
                continue
            if FENCE_RE.match(line.strip()):
                fence = line.strip()[:3]
                body = []
                i += 1
                while i < len(lines) and not lines[i].strip().startswith(fence):
                    body.append(lines[i])
                    i += 1
                i += 1
                out += ["::", ""] + _indent(body, "    ") + [""]
                continue
            if line.lstrip().startswith("|") and i + 1 < len(lines) and TABLE_SEPARATOR_RE.match(lines[i + 1].strip()):
                rows = [_table_cells(line)]
                i += 2
                while i < len(lines) and lines[i].lstrip().startswith("|"):
                    rows.append(_table_cells(lines[i]))
                    i += 1
                out += self._table(rows)
                continue
            marker = LIST_RE.match(line)
            if marker:
                i = self._list(lines, i, out)
                continue
            para = []
            while (
                i < len(lines)
                and lines[i].strip()
                and not HEADING_RE.match(lines[i])
                and not FENCE_RE.match(lines[i].strip())
                and not (para and LIST_RE.match(lines[i]))
            ):
                para.append(lines[i])
                i += 1
            out += self._paragraph(para)
        return out

    def _list(self, lines: list[str], i: int, out: list[str]) -> int:
        """One list (consecutive items of the same kind) starting at lines[i]; returns the next index."""
        ordered = LIST_RE.match(lines[i]).group("marker")[0].isdigit()
        while i < len(lines):
            match = LIST_RE.match(lines[i])
            if not match or match.group("marker")[0].isdigit() != ordered:
                break
            width = match.end()
            item = [lines[i][width:]]
            i += 1
            while i < len(lines):
                nxt = lines[i]
                if not nxt.strip():
                    # a blank line ends the item unless the next line is indented under it
                    j = i
                    while j < len(lines) and not lines[j].strip():
                        j += 1
                    if j < len(lines) and lines[j][:width].strip() == "" and lines[j].startswith(" "):
                        item += [""] * (j - i)
                        i = j
                        continue
                    break
                if not nxt.startswith(" ") and (LIST_RE.match(nxt) or HEADING_RE.match(nxt)):
                    break
                item.append(nxt)
                i += 1
            body = self._blocks(_dedent(item, width))
            while body and not body[-1]:
                body.pop()
            marker = match.group("marker")
            bullet = (marker.rstrip(".)") + ". ") if ordered else "- "
            pad = " " * len(bullet)
            out += [bullet + body[0]] + _indent(body[1:], pad) + [""]
            while i < len(lines) and not lines[i].strip():
                j = i
                while j < len(lines) and not lines[j].strip():
                    j += 1
                if j < len(lines) and LIST_RE.match(lines[j]):
                    i = j
                else:
                    break
        return i

    def _table(self, rows: list[list[str]]) -> list[str]:
        width = max(len(row) for row in rows)
        out = [".. list-table::", "   :header-rows: 1", ""]
        for row in rows:
            row = row + [""] * (width - len(row))
            for n, cell in enumerate(row):
                text, _images = self._inline(cell)
                out.append(("   * - " if n == 0 else "     - ") + (text or ""))
        return out + [""]


# --------------------------------------------------------------------------- the page


def read_manifest(addon_dir: Path) -> dict:
    return ast.literal_eval((addon_dir / "__manifest__.py").read_text(encoding="utf-8"))


def read_fragments(addon_dir: Path) -> dict[str, str]:
    readme = addon_dir / "readme"
    fragments = {}
    if readme.is_dir():
        for path in sorted(readme.glob("*.md")):
            fragments[path.stem.upper()] = path.read_text(encoding="utf-8")
    return fragments


def source_digest(addon_dir: Path) -> str:
    """Digest of what the page is made of: manifest, fragments and this generator."""
    digest = hashlib.sha256()
    paths = [addon_dir / "__manifest__.py", Path(__file__).resolve()]
    paths += sorted((addon_dir / "readme").glob("*.md"))
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _title(text: str, char: str, overline: bool = False) -> list[str]:
    width = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    rule = char * width
    return ([rule] if overline else []) + [text, rule, ""]


def build_rst(addon_dir: Path, image_src) -> str:
    name = addon_dir.name
    manifest = read_manifest(addon_dir)
    fragments = read_fragments(addon_dir)
    converter = Converter(FRAGMENT_CHARS, image_src)
    website = manifest.get("website", "").rstrip("/")

    lines = [
        f".. This page is generated by {GENERATOR} from readme/*.md and __manifest__.py:",
        "   edit those and run the generator; changes made here are overwritten.",
        f"   source digest: sha256:{source_digest(addon_dir)}",
        "",
    ]
    lines += _title(manifest["name"], TITLE_CHAR, overline=True)
    if manifest.get("summary"):
        lines += [f"*{_escape(manifest['summary'])}*", ""]
    fields = [
        ("Technical name", f"``{name}``"),
        ("Version", manifest.get("version", "")),
        ("License", manifest.get("license", "")),
        ("Depends on", ", ".join(f"``{dep}``" for dep in manifest.get("depends", []))),
        (
            "Python packages",
            ", ".join(f"``{dep}``" for dep in manifest.get("external_dependencies", {}).get("python", [])),
        ),
        ("Website", website),
    ]
    # a table rather than a field list: Apps drops the page's stylesheet but styles Bootstrap tables
    lines += [".. list-table::", "   :class: table table-sm w-auto", ""]
    for label, value in fields:
        if value:
            lines += [f"   * - {label}", f"     - {value}"]
    lines.append("")
    lines += ["**Contents**", "", ".. contents::", "   :local:", "   :depth: 2", ""]

    for key, title in SECTIONS:
        if fragments.get(key, "").strip():
            lines += _title(title, SECTION_CHAR)
            lines += converter.convert(fragments[key]).split("\n")

    lines += _title("Bug tracker", SECTION_CHAR)
    tracker = f"`the project's issue tracker <{website}/issues>`__" if website else "the project's issue tracker"
    lines += [
        f"Problems and ideas go to {tracker}. Please look there first: your case may be known",
        f"already. A new report says which addon (``{name}``), which version, what you did, what you",
        "expected and what happened instead.",
        "",
    ]

    lines += _title("Credits", SECTION_CHAR)
    lines += _title("Authors", FRAGMENT_CHARS[0])
    lines += [f"- {_escape(author.strip())}" for author in manifest.get("author", "").split(",") if author.strip()]
    lines.append("")
    for key, title in [("CONTRIBUTORS", "Contributors"), ("CREDITS", "Other credits")]:
        if fragments.get(key, "").strip():
            lines += _title(title, FRAGMENT_CHARS[0])
            lines += Converter(FRAGMENT_CHARS[1:], image_src).convert(fragments[key]).split("\n")
    lines += _title("Maintainers", FRAGMENT_CHARS[0])
    maintainer = manifest.get("author", "").split(",")[0].strip()
    source = f" Its source is at {website}." if website else ""
    lines += [f"This addon is maintained by {_escape(maintainer)}.{source}", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def render_html(rst: str, source_path: str) -> str:
    settings = {
        "embed_stylesheet": True,
        "doctitle_xform": True,
        "output_encoding": "unicode",
        "xml_declaration": False,
        "report_level": 2,  # warnings and up are printed
        "halt_level": 2,  # and stop the generation: a page must not render with a warning
        "syntax_highlight": "none",
        "_disable_config": True,
        "traceback": True,
    }
    return publish_string(rst, source_path=source_path, writer_name="html5", settings_overrides=settings)


def generate(addon_dir: Path) -> dict[Path, str]:
    """The generated files of one addon, path -> content."""
    name = addon_dir.name

    def readme_image(src: str) -> str:  # README.rst sits in the addon's folder
        return src[3:] if src.startswith(IMAGE_PREFIX) else src

    def html_image(src: str) -> str:  # Odoo serves a bare file name from static/description/
        return src[len(IMAGE_PREFIX) :] if src.startswith(IMAGE_PREFIX) else src

    readme = build_rst(addon_dir, readme_image)
    html = render_html(build_rst(addon_dir, html_image), f"{name}/README.rst")
    return {
        addon_dir / "README.rst": readme,
        addon_dir / "static" / "description" / "index.html": html,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("addons", nargs="*", help="addon names (default: every addon with a readme/ folder)")
    parser.add_argument("--addons-dir", default=str(REPO / "addons"), help="folder of the addons (default: addons/)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 when a generated file is stale")
    args = parser.parse_args(argv)

    addons_dir = Path(args.addons_dir).resolve()
    names = args.addons or sorted(
        p.name for p in addons_dir.iterdir() if (p / "__manifest__.py").is_file() and (p / "readme").is_dir()
    )
    stale = []
    for name in names:
        try:
            files = generate(addons_dir / name)
        except SystemMessage as error:
            print(f"{name}: {error}", file=sys.stderr)
            return 2
        for path, content in files.items():
            current = path.read_text(encoding="utf-8") if path.is_file() else None
            if current == content:
                continue
            stale.append(path)
            if not args.check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(content, encoding="utf-8")
    for path in stale:
        verb = "stale" if args.check else "written"
        print(f"{verb}: {path.relative_to(addons_dir.parent) if path.is_relative_to(addons_dir.parent) else path}")
    if args.check and stale:
        print(f"Run `python3 {GENERATOR}` and commit the result.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
