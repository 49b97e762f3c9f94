"""`bot nlu check` against crafted broken data files: every finding type, with file, line and a plain
Dutch explanation; the real data passes; the CLI exits non-zero on errors."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bot.config import ROOT
from bot.nlu.check import check, custom_checks, errors
from bot.nlu.files import parse

REGEXES = """- regex: order_number
  examples: |
    - \\b[Ww][Ss][ -]?\\d{6}\\b
"""


def examples(prefix: str, count: int) -> str:
    return "".join(f"    - {prefix} {i}\n" for i in range(count))


def write(tmp_path: Path, **files: str) -> Path:
    folder = tmp_path / "data" / "nlu"
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / f"{name}.yml").write_text(text)
    return tmp_path / "data"


def findings_for(tmp_path: Path, min_examples: int = 3, **files: str):
    data = write(tmp_path, **files)
    return custom_checks(parse(data), tmp_path, min_examples)


def codes(findings) -> set[str]:
    return {f.code for f in findings}


def test_the_real_data_has_no_findings():
    assert custom_checks(parse(ROOT / "data"), ROOT) == []


def test_the_same_example_under_two_intents_is_an_error_at_both_lines(tmp_path):
    found = findings_for(tmp_path, nlu=f"""version: "3.1"
nlu:
- intent: greet
  examples: |
{examples('hallo daar', 3)}    - waar is mijn pakket
- intent: order_status
  examples: |
{examples('pakket', 3)}    - waar is mijn pakket
""")
    same = [f for f in found if f.code == "dubbel-over-intents"]
    assert [(f.file, f.line) for f in same] == [("data/nlu/nlu.yml", 8), ("data/nlu/nlu.yml", 14)]
    assert "greet, order_status" in same[0].message and same[0].level == "fout"


def test_examples_that_only_differ_in_case_and_punctuation_collide(tmp_path):
    found = findings_for(tmp_path, a=f"""nlu:
- intent: greet
  examples: |
{examples('hoi', 3)}    - Hallo, is daar iemand?
""", b=f"""nlu:
- intent: request_human
  examples: |
{examples('mens', 3)}    - hallo is daar iemand
""")
    assert [(f.file, f.code) for f in found] == [("data/nlu/a.yml", "botsing"), ("data/nlu/b.yml", "botsing")]
    assert "hoofdletters en leestekens" in found[0].message


def test_too_few_examples_is_reported_at_the_intent(tmp_path):
    found = findings_for(tmp_path, min_examples=5, nlu=f"""nlu:
- intent: greet
  examples: |
{examples('hoi', 2)}""")
    [few] = found
    assert (few.code, few.line) == ("te-weinig-voorbeelden", 2) and "2 voorbeelden" in few.message


def test_faq_keys_without_an_answer_and_answers_without_examples(tmp_path):
    found = findings_for(tmp_path, faq=f"""nlu:
- intent: faq/shipping_costs
  examples: |
{examples('verzendkosten', 3)}
responses:
  utter_faq/warranty:
  - text: "Op alles zit twee jaar garantie."
""")
    assert {(f.code, f.line) for f in found} == {("faq-zonder-antwoord", 2), ("antwoord-zonder-voorbeelden", 10)}


def test_entity_annotations_that_the_regex_would_not_match(tmp_path):
    found = findings_for(tmp_path, orders=REGEXES + f"""- intent: order_status
  examples: |
{examples('pakket', 3)}    - waar is [WS-123456](order_number)
    - waar is [12345](order_number)
""")
    [wrong] = found
    assert wrong.code == "entiteit-past-niet" and wrong.line == 10 and "'12345'" in wrong.message


def test_placeholder_and_english_leftovers(tmp_path):
    found = findings_for(tmp_path, faq=f"""nlu:
- intent: faq/warranty
  examples: |
{examples('garantie', 3)}    - TODO add more examples
responses:
  utter_faq/warranty:
  - text: "Please contact the customer service about your order."
""")
    assert {(f.code, f.level, f.line) for f in found} == {("restant", "fout", 7), ("engels", "waarschuwing", 10)}


def test_broken_yaml_is_reported_with_its_line(tmp_path):
    found = findings_for(tmp_path, nlu="nlu:\n- intent: greet\n  examples: |\n    - hoi\n  - broken: [\n")
    assert [f.code for f in found] == ["yaml"] and found[0].line >= 4


def test_rasa_data_validate_is_part_of_the_check(tmp_path):
    data = write(tmp_path, nlu=f"""version: "3.1"
nlu:
- intent: not_in_the_domain
  examples: |
{examples('iets', 10)}""")
    (tmp_path / "domain.yml").write_text((ROOT / "domain.yml").read_text())
    (tmp_path / "config.yml").write_text((ROOT / "config.yml").read_text())
    found = check(tmp_path, data)
    assert "rasa-validate" in codes(errors(found))


def test_the_cli_prints_findings_and_exits_non_zero_on_errors(tmp_path):
    data = write(tmp_path, nlu=f"""nlu:
- intent: greet
  examples: |
{examples('hoi', 2)}""")
    result = subprocess.run([sys.executable, "-m", "bot", "nlu", "check", "--data", str(data), "--no-rasa",
                             "--min-examples", "5"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 1
    assert "nlu/nlu.yml:2: fout: greet heeft 2 voorbeelden" in result.stdout
    assert "1 fout" in result.stdout
    ok = subprocess.run([sys.executable, "-m", "bot", "nlu", "check", "--no-rasa"], capture_output=True, text=True, cwd=ROOT)
    assert ok.returncode == 0 and "geen fouten" in ok.stdout
