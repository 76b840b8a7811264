"""Walks the seed fixtures and lists every citation problem: a record without a citation, a source
whose seed file does not exist, a quote that does not occur in its seed file, or a quote too long
(every sourced fact: attendances, counts, parties, components, status changes, instrument parties,
posts, statements…); a pledge's or an instrument's status change whose quote lacks the wording the
evidence ladder (commitments/evidence.py) accepts for its status, that is at agreed or above without
a quote, or that puts a pledge recorded in a draft above proposed; a statement whose quote lacks the
wording of its stance, that is about nothing or said by no one; a summit role (host, chair,
organiser) or an instrument's mandate or condition no citation backs."""

from collections import defaultdict
from pathlib import Path

import yaml

from commitments import evidence
from commitments.choices import DeclarationStatus, Status
from commitments.integrity import normalise  # the same matching as `check_data`
from commitments.models import MAX_QUOTE_WORDS, quote_words
from commitments.models.statements import ABOUT as STATEMENT_ABOUT

FIXTURES_DIR = Path(__file__).resolve().parent.parent / "fixtures"
# Records that must be cited through Citation rows, and the Citation field that points at each.
CITED_THROUGH_CITATIONS = {
    "commitments.summit": "summit",
    "commitments.declaration": "declaration",
    "commitments.pledge": "pledge",
    "commitments.forcerequirement": "force_requirement",
    "commitments.instrument": "instrument",
}
# Fields that, when given, a citation with the same `field` must back.
SUMMIT_ROLES = ("hosts", "chairs", "organisers")
FIELDS_CITED = {
    "commitments.summit": SUMMIT_ROLES,
    "commitments.instrument": ("mandate", "condition_text"),
}
# A citation's `field` for an instrument's condition is `condition` (as for pledges).
CITATION_FIELD = {"condition_text": "condition"}


def load_records(fixtures_dir: Path = FIXTURES_DIR) -> list[dict]:
    records = []
    for path in sorted(fixtures_dir.glob("*.yaml")):
        for record in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            records.append({**record, "_file": path.name})
    return records


def natural_key(record: dict):
    fields = record["fields"]
    if record["model"] == "commitments.statuschange":
        return f"{fields['pledge'][0]} #{fields['sequence']}"
    if record["model"] == "commitments.instrumentstatuschange":
        return f"{fields['instrument'][0]} #{fields['sequence']}"
    if record["model"] == "commitments.instrumentparty":
        return f"{fields['instrument'][0]} / {fields['state'][0]} / {fields['role']}"
    return fields.get("slug") or fields.get("key") or fields.get("code")


def walk(records: list[dict], seed_dir: Path) -> list[str]:
    problems = []
    sources = {r["fields"]["key"]: r["fields"] for r in records if r["model"] == "commitments.source"}
    texts = {}
    for key, source in sources.items():
        path = seed_dir / source["seed_file"] if source.get("seed_file") else None
        if path is None or not path.is_file():
            problems.append(f"source {key}: seed file {source.get('seed_file')!r} does not exist in {seed_dir}")
        else:
            texts[key] = normalise(path.read_text(encoding="utf-8"))

    drafts = {
        r["fields"]["slug"]
        for r in records
        if r["model"] == "commitments.declaration" and r["fields"].get("status") == DeclarationStatus.DRAFT
    }
    in_draft = {
        r["fields"]["slug"]: r["fields"]["declaration"][0]
        for r in records
        if r["model"] == "commitments.pledge" and (r["fields"].get("declaration") or [None])[0] in drafts
    }
    cited = defaultdict(set)
    cited_fields = defaultdict(set)  # (target field, natural key) -> the record fields its citations back
    for record in records:
        fields = record["fields"]
        label = f"{record['_file']}: {record['model']} {natural_key(record) or fields}"
        if record["model"] == "commitments.citation":
            for field in CITED_THROUGH_CITATIONS.values():
                if fields.get(field):
                    cited[field].add(fields[field][0])
                    cited_fields[field, fields[field][0]].add(fields.get("field") or "")
        if record["model"] == "commitments.statuschange":
            for problem in evidence.problems(fields.get("quote") or "", fields["to_status"]):
                problems.append(f"{label}: status {fields['to_status']}: {problem}")
            draft = in_draft.get(fields["pledge"][0])
            if draft and evidence.rank(fields["to_status"]) > evidence.rank(Status.PROPOSED):
                problems.append(
                    f"{label}: status {fields['to_status']}: the pledge is recorded in the draft {draft}, "
                    "whose content is at most proposed"
                )
        if record["model"] == "commitments.instrumentstatuschange":
            for problem in evidence.instrument_problems(fields.get("quote") or "", fields["to_status"]):
                problems.append(f"{label}: status {fields['to_status']}: {problem}")
        if record["model"] == "commitments.statement":
            problems.extend(f"{label}: {problem}" for problem in _statement_problems(fields))
        if "source" not in fields:
            continue
        source_key = (fields["source"] or [None])[0]
        quote = fields.get("quote") or ""
        if source_key not in sources:
            problems.append(f"{label}: cites unknown source {source_key!r}")
            continue
        if not quote.strip():
            problems.append(f"{label}: no quoted phrase")
            continue
        if quote_words(quote) > MAX_QUOTE_WORDS:
            problems.append(f"{label}: quote has {quote_words(quote)} words (at most {MAX_QUOTE_WORDS})")
        if source_key in texts and normalise(quote) not in texts[source_key]:
            problems.append(f"{label}: quote not found in {sources[source_key]['seed_file']}: {quote!r}")

    for record in records:
        field = CITED_THROUGH_CITATIONS.get(record["model"])
        if field and natural_key(record) not in cited[field]:
            problems.append(f"{record['_file']}: {record['model']} {natural_key(record)} has no citation")
        for name in FIELDS_CITED.get(record["model"], ()):
            cited_as = CITATION_FIELD.get(name, name)
            if record["fields"].get(name) and cited_as not in cited_fields[field, natural_key(record)]:
                problems.append(
                    f"{record['_file']}: {record['model']} {natural_key(record)}: {name} given without a "
                    f"citation for the field '{cited_as}'"
                )
    return problems


def _statement_problems(fields: dict) -> list[str]:
    """A statement's stance per the ladder, what it is about, and who said it."""
    found = evidence.stance_problems(fields.get("quote") or "", fields["stance"])
    if not any(fields.get(name) for name in STATEMENT_ABOUT):
        found.append("is about nothing: link a pledge, instrument, declaration or meeting")
    if not fields.get("speaker") and not fields.get("state"):
        found.append("no speaker or party: say who made it")
    return found
