"""Walks the seed fixtures and lists every citation problem: a record without a citation, a source
whose seed file does not exist, a quote that does not occur in its seed file, or a quote too long."""

import re
from collections import defaultdict
from pathlib import Path

import yaml

from commitments.models import MAX_QUOTE_WORDS, quote_words

FIXTURES_DIR = Path(__file__).resolve().parent.parent / "fixtures"
# Records that must be cited through Citation rows, and the Citation field that points at each.
CITED_THROUGH_CITATIONS = {
    "commitments.summit": "summit",
    "commitments.declaration": "declaration",
    "commitments.pledge": "pledge",
    "commitments.forcerequirement": "force_requirement",
}
TYPOGRAPHIC = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "\u00a0": " "})


def normalise(text: str) -> str:
    """Whitespace folded and typographic quotes made straight, so a quote copied from either form matches."""
    return re.sub(r"\s+", " ", text.translate(TYPOGRAPHIC)).strip()


def load_records(fixtures_dir: Path = FIXTURES_DIR) -> list[dict]:
    records = []
    for path in sorted(fixtures_dir.glob("*.yaml")):
        for record in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            records.append({**record, "_file": path.name})
    return records


def natural_key(record: dict):
    fields = record["fields"]
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

    cited = defaultdict(set)
    for record in records:
        fields = record["fields"]
        label = f"{record['_file']}: {record['model']} {natural_key(record) or fields}"
        if record["model"] == "commitments.citation":
            for field in CITED_THROUGH_CITATIONS.values():
                if fields.get(field):
                    cited[field].add(fields[field][0])
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
    return problems
