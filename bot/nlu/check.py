"""`bot nlu check`: Rasa's own validation plus the checks Rasa lacks, each finding with file, line and
a plain Dutch explanation for editors. Errors block a save in the desk and fail the command."""
from __future__ import annotations

import re
import subprocess
import sys
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from bot.nlu.files import ANNOTATION, NluData, parse

MIN_EXAMPLES = 10
MIN_TOPIC_EXAMPLES = 5  # an FAQ topic: the answer selector tells topics apart with fewer examples
LEFTOVERS = re.compile(r"\b(todo|fixme|tbd|lorem ipsum|placeholder|your (?:answer|text) here|example text|"
                       r"insert (?:text|answer)|hello world|xxx+)\b|<[a-z_ ]+>|\{\{.*?\}\}", re.IGNORECASE)
ENGLISH = re.compile(r"\b(the|please|your|order|thank you|shipping|refund|customer|answer)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Finding:
    level: str  # "fout" (blocks) or "waarschuwing"
    file: str
    line: int
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.level}: {self.message} [{self.code}]"


def normalise(text: str) -> str:
    """Lower case, no accents or punctuation, single spaces: how two examples can look different yet be equal."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def custom_checks(data: NluData, root: Path, min_examples: int = MIN_EXAMPLES) -> list[Finding]:
    findings: list[Finding] = []

    def add(level: str, path: Path, line: int, code: str, message: str) -> None:
        findings.append(Finding(level, _rel(path, root), line, code, message))

    for path, line, problem in data.yaml_errors:
        add("fout", path, line, "yaml", f"Dit bestand is geen geldige YAML meer ({problem}). Controleer inspringing en "
                                       "aanhalingstekens rond deze regel.")

    exact: dict[str, list] = defaultdict(list)
    loose: dict[str, list] = defaultdict(list)
    for example in data.examples:
        exact[example.plain.strip()].append(example)
        loose[normalise(example.plain)].append(example)
    for text, same in exact.items():
        intents = sorted({e.intent for e in same})
        if len(intents) > 1:
            for e in same:
                add("fout", e.file, e.line, "dubbel-over-intents",
                    f"'{text}' staat bij meer dan één intent ({', '.join(intents)}); de bot kan dan niet kiezen. "
                    "Laat het voorbeeld bij één intent staan.")
        elif len(same) > 1:
            for e in same[1:]:
                add("waarschuwing", e.file, e.line, "dubbel",
                    f"'{text}' staat twee keer bij {e.intent}; één keer is genoeg.")
    for key, same in loose.items():
        intents = sorted({e.intent for e in same})
        if len(intents) > 1 and len({e.plain.strip() for e in same}) > 1:
            for e in same:
                add("fout", e.file, e.line, "botsing",
                    f"'{e.plain}' is na het weglaten van hoofdletters en leestekens gelijk aan een voorbeeld bij een "
                    f"andere intent ({', '.join(i for i in intents if i != e.intent)}). Kies één intent.")

    counts: dict[str, int] = defaultdict(int)
    for example in data.examples:
        counts[example.intent] += 1
    for intent, (path, line) in data.blocks.items():
        needed = min(min_examples, MIN_TOPIC_EXAMPLES) if intent.startswith("faq/") else min_examples
        if counts[intent] < needed:
            add("fout", path, line, "te-weinig-voorbeelden",
                f"{intent} heeft {counts[intent]} voorbeelden; er zijn er minstens {needed} nodig om het "
                "betrouwbaar te herkennen. Voeg voorbeelden toe zoals klanten het echt zeggen.")

    answers = {a.key: a for a in data.answers}
    for intent, (path, line) in data.blocks.items():
        if "/" in intent and f"utter_{intent}" not in answers:
            add("fout", path, line, "faq-zonder-antwoord",
                f"{intent} heeft voorbeelden maar geen antwoord (utter_{intent}); de bot zou niets kunnen zeggen.")
    for key, answer in answers.items():
        if key.startswith("utter_") and "/" in key and key.removeprefix("utter_") not in data.blocks:
            add("fout", answer.file, answer.line, "antwoord-zonder-voorbeelden",
                f"{key} heeft een antwoord maar geen voorbeelden ({key.removeprefix('utter_')}); "
                "niemand komt er ooit bij. Voeg voorbeelden toe of verwijder het antwoord.")

    compiled = {name: [re.compile(p) for p in patterns] for name, patterns in data.regexes.items()}
    for example in data.examples:
        for match in ANNOTATION.finditer(example.text):
            value, entity = match.group(1), match.group(2) or match.group(3)
            if entity in compiled and not any(p.search(value) for p in compiled[entity]):
                add("fout", example.file, example.line, "entiteit-past-niet",
                    f"'{value}' is gemarkeerd als {entity}, maar het patroon voor {entity} herkent dit niet. "
                    "Controleer de waarde of de markering.")

    for example in data.examples:
        if LEFTOVERS.search(example.text):
            add("fout", example.file, example.line, "restant",
                f"'{example.text}' lijkt een overgebleven opvultekst; vervang het door een echte klantvraag.")
    for answer in data.answers:
        if LEFTOVERS.search(answer.text):
            add("fout", answer.file, answer.line, "restant",
                f"Het antwoord {answer.key} bevat opvultekst ('{LEFTOVERS.search(answer.text).group(0)}'); "
                "klanten zouden dit te zien krijgen.")
        elif len(ENGLISH.findall(answer.text)) >= 3:
            add("waarschuwing", answer.file, answer.line, "engels",
                f"Het antwoord {answer.key} lijkt (deels) Engels; de bot spreekt Nederlands met 'je'.")
    return sorted(findings, key=lambda f: (f.file, f.line, f.code))


def rasa_validate(root: Path, data_dir: Path) -> list[Finding]:
    """`rasa data validate` on the same data; its errors become findings (Rasa gives no line numbers)."""
    rasa = Path(sys.executable).parent / "rasa"
    result = subprocess.run([str(rasa), "data", "validate", "--fail-on-warnings", "--data", str(data_dir), "--domain",
                             str(root / "domain.yml"), "--config", str(root / "config.yml")],
                            cwd=root, capture_output=True, text=True, timeout=600)
    if result.returncode == 0:
        return []
    lines = [l for l in (result.stdout + result.stderr).splitlines() if "ERROR" in l or "InvalidDomain" in l
             or "YamlValidationException" in l or "YamlSyntaxException" in l]
    detail = "; ".join(l.strip()[:300] for l in lines[-3:]) or "zie `rasa data validate` voor details"
    return [Finding("fout", _rel(data_dir, root), 1, "rasa-validate", f"Rasa keurt de gegevens af: {detail}")]


def check(root: Path, data_dir: Path | None = None, *, with_rasa: bool = True,
          min_examples: int = MIN_EXAMPLES) -> list[Finding]:
    data_dir = data_dir or root / "data"
    findings = custom_checks(parse(data_dir), root, min_examples)
    if with_rasa and not any(f.code == "yaml" for f in findings):
        findings += rasa_validate(root, data_dir)
    return findings


def errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.level == "fout"]
