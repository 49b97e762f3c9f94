"""Reading and editing the NLU YAML files as text, so that an edit keeps every other byte (formatting,
comments, order) and git diffs stay one line long.

A parse here knows line numbers, which the YAML libraries do not give for list items in a block
scalar; the result is checked against a real YAML load after every edit.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

BLOCK = re.compile(r"^- (intent|regex|synonym|lookup):\s*(.+?)\s*$")
EXAMPLES = re.compile(r"^(\s+)examples:\s*\|[-+]?\s*$")
ITEM = re.compile(r"^(\s+)- (.*)$")
RESPONSE_KEY = re.compile(r"^(\s+)(utter_[\w/]+):\s*$")
RESPONSE_TEXT = re.compile(r"^(\s+)- text:\s*(.*)$")
ANNOTATION = re.compile(r"\[([^\]]+)\](?:\((\w+)(?::[^)]+)?\)|\{\s*\"entity\"\s*:\s*\"(\w+)\"[^}]*\})")


@dataclass
class Example:
    file: Path
    line: int
    intent: str
    text: str  # as written, with entity annotations

    @property
    def plain(self) -> str:
        """The example as a customer would type it (annotations removed)."""
        return ANNOTATION.sub(lambda m: m.group(1), self.text)


@dataclass
class Answer:
    file: Path
    line: int
    key: str  # e.g. utter_faq/return_policy
    text: str


@dataclass
class NluData:
    examples: list[Example] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)
    regexes: dict[str, list[str]] = field(default_factory=dict)
    blocks: dict[str, tuple[Path, int]] = field(default_factory=dict)  # intent -> where it starts
    yaml_errors: list[tuple[Path, int, str]] = field(default_factory=list)


def nlu_files(data_dir: Path) -> list[Path]:
    folder = data_dir / "nlu" if (data_dir / "nlu").is_dir() else data_dir
    return sorted(folder.glob("*.yml"))


def _unquote(raw: str) -> str:
    raw = raw.strip()
    if raw[:1] in "\"'":
        try:
            return str(yaml.safe_load(raw))
        except yaml.YAMLError:
            return raw.strip("\"'")
    return raw


def parse(data_dir: Path, extra_files: tuple[Path, ...] = ()) -> NluData:
    data = NluData()
    for path in [*nlu_files(data_dir), *extra_files]:
        text = path.read_text(encoding="utf-8")
        try:
            yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            data.yaml_errors.append((path, (mark.line + 1) if mark else 1, str(getattr(exc, "problem", exc))))
            continue
        kind = name = None
        in_examples = in_responses = False
        response_key = None
        for number, line in enumerate(text.splitlines(), start=1):
            if line.startswith("responses:"):
                in_responses, kind, in_examples = True, None, False
                continue
            if line and not line[0].isspace() and not line.startswith("- ") and not line.startswith("#"):
                in_responses = line.startswith("responses:")
                kind, in_examples = None, False
            block = BLOCK.match(line)
            if block and not in_responses:
                kind, name, in_examples = block.group(1), _unquote(block.group(2)), False
                if kind == "intent":
                    data.blocks.setdefault(name, (path, number))
                continue
            if in_responses:
                key = RESPONSE_KEY.match(line)
                if key:
                    response_key = key.group(2)
                    continue
                said = RESPONSE_TEXT.match(line)
                if said and response_key:
                    data.answers.append(Answer(path, number, response_key, _unquote(said.group(2))))
                continue
            if EXAMPLES.match(line):
                in_examples = True
                continue
            item = ITEM.match(line)
            if in_examples and item and kind:
                value = item.group(2).rstrip()
                if kind == "intent":
                    data.examples.append(Example(path, number, name, value))
                elif kind == "regex":
                    data.regexes.setdefault(name, []).append(value)
            elif line.strip() and not line.startswith("    ") and in_examples:
                in_examples = False
    return data


class EditError(ValueError):
    """The edit could not be made; the message says why (Dutch, for editors)."""


def file_for(data_dir: Path, intent: str) -> Path:
    """The file an example for `intent` belongs in: where the intent already is, else by topic."""
    data = parse(data_dir)
    if intent in data.blocks:
        return data.blocks[intent][0]
    raise EditError(f"De intent '{intent}' bestaat niet in de NLU-bestanden.")


def add_example(data_dir: Path, intent: str, example: str) -> tuple[Path, int]:
    """Appends `- example` to the intent's examples, with the file's own indentation. Returns where."""
    example = " ".join(example.split())
    if not example:
        raise EditError("Een leeg voorbeeld kan niet worden toegevoegd.")
    if len(example) > 300:
        raise EditError("Een voorbeeld is hooguit 300 tekens lang.")
    path = file_for(data_dir, intent)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    data = parse(data_dir)
    existing = [e for e in data.examples if e.intent == intent and e.file == path]
    if not existing:
        raise EditError(f"De intent '{intent}' heeft nog geen voorbeelden om bij aan te sluiten.")
    last = max(e.line for e in existing)
    indent = ITEM.match(lines[last - 1].rstrip("\n")).group(1)
    newline = "\n" if lines[last - 1].endswith("\n") else ""
    if not newline:
        lines[last - 1] += "\n"
    lines.insert(last, f"{indent}- {_scalar_safe(example)}\n")
    _write_checked(path, "".join(lines), lambda loaded: _has_example(loaded, intent, example))
    return path, last + 1


def set_answer(data_dir: Path, key: str, text: str) -> tuple[Path, int]:
    """Replaces the text of response `key` (first variant), quoted safely. Returns where."""
    text = " ".join(text.split())
    if not text:
        raise EditError("Een antwoord mag niet leeg zijn.")
    if len(text) > 1000:
        raise EditError("Een antwoord is hooguit 1000 tekens lang.")
    answers = [a for a in parse(data_dir).answers if a.key == key]
    if not answers:
        raise EditError(f"Er is geen antwoord '{key}' om te wijzigen.")
    answer = answers[0]
    lines = answer.file.read_text(encoding="utf-8").splitlines(keepends=True)
    indent = RESPONSE_TEXT.match(lines[answer.line - 1].rstrip("\n")).group(1)
    lines[answer.line - 1] = f"{indent}- text: {json.dumps(text, ensure_ascii=False)}\n"
    _write_checked(answer.file, "".join(lines), lambda loaded: _answer_is(loaded, key, text))
    return answer.file, answer.line


def _scalar_safe(example: str) -> str:
    # Inside a literal block every character is literal; only a leading "- " or "#" could confuse a reader.
    return example.replace("\n", " ")


def _has_example(loaded: dict, intent: str, example: str) -> bool:
    for block in loaded.get("nlu") or []:
        if block.get("intent") == intent:
            return example in [line[2:].strip() for line in str(block.get("examples", "")).splitlines()]
    return False


def _answer_is(loaded: dict, key: str, text: str) -> bool:
    variants = (loaded.get("responses") or {}).get(key) or []
    return bool(variants) and variants[0].get("text") == text


def _write_checked(path: Path, new_text: str, check) -> None:
    """Writes only when the new text still loads as YAML and contains the edit."""
    try:
        loaded = yaml.safe_load(new_text)
    except yaml.YAMLError as exc:
        raise EditError(f"Deze wijziging zou {path.name} onleesbaar maken ({exc}).") from exc
    if not check(loaded):
        raise EditError(f"De wijziging kwam niet goed in {path.name} terecht; er is niets opgeslagen.")
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(new_text, encoding="utf-8")
    tmp.replace(path)


# --- topics: FAQ keys with their examples and answer, created, retired and re-labelled by editors ---------
TOPIC_KEY = re.compile(r"^[a-z][a-z0-9_]{2,40}$")


def _faq_file(data_dir: Path) -> Path:
    """The file with the FAQ answers (a `responses:` section), where new topics go."""
    data = parse(data_dir)
    for answer in data.answers:
        if answer.key.startswith("utter_faq/"):
            return answer.file
    raise EditError("Er is geen bestand met FAQ-antwoorden (utter_faq/...) om een onderwerp aan toe te voegen.")


def add_topic(data_dir: Path, key: str, examples: list[str], answer: str) -> tuple[Path, int]:
    """A new FAQ topic: `- intent: faq/<key>` with its examples before `responses:`, and
    `utter_faq/<key>` at the end of the responses. Returns where the topic starts."""
    if not TOPIC_KEY.match(key):
        raise EditError("Een sleutel bestaat uit 3 tot 41 kleine letters, cijfers of _ en begint met een letter, "
                        "bijvoorbeeld cadeau_inpakken.")
    cleaned = list(dict.fromkeys(" ".join(e.split()) for e in examples if e.strip()))
    if any(len(e) > 300 for e in cleaned):
        raise EditError("Een voorbeeld is hooguit 300 tekens lang.")
    answer = " ".join(answer.split())
    if not answer:
        raise EditError("Een onderwerp heeft een antwoord nodig.")
    if len(answer) > 1000:
        raise EditError("Een antwoord is hooguit 1000 tekens lang.")
    intent = f"faq/{key}"
    if intent in parse(data_dir).blocks:
        raise EditError(f"Het onderwerp {intent} bestaat al.")
    path = _faq_file(data_dir)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    at = next(i for i, line in enumerate(lines) if line.startswith("responses:"))
    block = [f"- intent: {intent}\n", "  examples: |\n"] + [f"    - {_scalar_safe(e)}\n" for e in cleaned]
    lines[at:at] = block
    lines += [f"  utter_{intent}:\n", f"  - text: {json.dumps(answer, ensure_ascii=False)}\n"]

    def landed(loaded: dict) -> bool:
        return all(_has_example(loaded, intent, e) for e in cleaned) and _answer_is(loaded, f"utter_{intent}", answer)

    _write_checked(path, "".join(lines), landed)
    return path, at + 1


def retire_topic(data_dir: Path, key: str) -> tuple[Path, int]:
    """Takes a topic out of the training data: its examples and its answer (git keeps them)."""
    intent = f"faq/{key}"
    data = parse(data_dir)
    if intent not in data.blocks:
        raise EditError(f"Het onderwerp {intent} bestaat niet.")
    path, start = data.blocks[intent]
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    end = start  # the block runs until the next top-level item or section
    while end < len(lines) and (lines[end].startswith(" ") or not lines[end].strip()):
        end += 1
    del lines[start - 1:end]
    response = f"utter_{intent}"
    for i, line in enumerate(lines):
        match = RESPONSE_KEY.match(line.rstrip("\n"))
        if match and match.group(2) == response:
            j = i + 1
            while j < len(lines) and lines[j].startswith(match.group(1)) and not RESPONSE_KEY.match(lines[j].rstrip("\n")):
                j += 1
            del lines[i:j]
            break

    def gone(loaded: dict) -> bool:
        blocks = [b.get("intent") for b in loaded.get("nlu") or []]
        return intent not in blocks and response not in (loaded.get("responses") or {})

    _write_checked(path, "".join(lines), gone)
    return path, start


def example_at(data_dir: Path, file: Path, line: int) -> Example:
    for example in parse(data_dir).examples:
        if example.file.resolve() == file.resolve() and example.line == line:
            return example
    raise EditError("Dit voorbeeld staat niet (meer) op die plek; vernieuw de pagina.")


def delete_example(data_dir: Path, file: Path, line: int, text: str) -> tuple[Path, int]:
    """Removes one example line; `text` must still be what the editor saw there."""
    example = example_at(data_dir, file, line)
    if example.text != text:
        raise EditError("Dit voorbeeld is intussen gewijzigd; vernieuw de pagina.")
    lines = example.file.read_text(encoding="utf-8").splitlines(keepends=True)
    del lines[line - 1]
    _write_checked(example.file, "".join(lines), lambda loaded: not _has_example(loaded, example.intent, text))
    return example.file, line


def move_example(data_dir: Path, file: Path, line: int, text: str, target: str) -> tuple[Path, int]:
    """An example filed under the wrong intent goes to `target`."""
    example = example_at(data_dir, file, line)
    if example.intent == target:
        raise EditError(f"Dit voorbeeld staat al bij {target}.")
    if target not in parse(data_dir).blocks:
        raise EditError(f"De intent '{target}' bestaat niet in de NLU-bestanden.")
    delete_example(data_dir, file, line, text)
    return add_example(data_dir, target, example.plain)
