"""The register as one data package: a zip of one CSV per table and a `datapackage.json`
describing them in the Frictionless Data Package standard (https://specs.frictionlessdata.io/):
every field's type and meaning, primary and foreign keys, licence, sources, generation time and
content hashes. `frictionless validate datapackage.json` checks a package (CI does).

The zip is the same byte for byte for the same data, but for the generation time in
`datapackage.json`: its entries carry a fixed date, tables and rows come in a fixed order, and the
`hash` of the data (sha256 over the CSV files' bytes, in the order of `resources`) is stable.
Each CSV is compressed as it is written, so memory stays flat whatever the row count."""

import datetime
import hashlib
import json
import zipfile

from django.utils import timezone

from .. import models
from .files import csv_chunks
from .package_tables import DATETIME_FORMAT, PACKAGE_TABLES, PackageTable

NAME = "ukraine-security-guarantees-register"
TITLE = "Ukraine security guarantees tracker: the register"
DESCRIPTION = (
    "Who promised Ukraine what security guarantees, where, on which condition, and where each "
    "promise stands; the meetings, texts, instruments, people and statements behind them, and the "
    "source and quoted phrase each fact rests on. One CSV per table (UTF-8, RFC 4180). A reference "
    "to another record is that record's natural key (a state's code, a slug, a source's key). "
    "Blank means unknown (for text: empty). A text value beginning with =, +, -, @, a tab, a "
    "carriage return or ' is written with one more ' in front, so that spreadsheets do not run it "
    "as a formula: remove one leading ' from text to get the stored value. Times are UTC."
)
LICENSES = [
    {
        "name": "CC-BY-4.0",
        "title": "Creative Commons Attribution 4.0 International (the register's compilation)",
        "path": "https://creativecommons.org/licenses/by/4.0/",
    }
]
LICENSE_NOTE = (
    "The compilation (the selection, arrangement and the analysts' own texts) is licensed under "
    "CC BY 4.0. The sources are cited news reports and official texts; the short phrases quoted "
    "from them (at most 25 words each) are quotations with attribution, and their copyright stays "
    "with their publishers."
)
# Entries carry this date, not the time of writing, so that two exports of the same data are equal.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
DESCRIPTOR = "datapackage.json"


def resource_path(table: PackageTable) -> str:
    return f"data/{table.name}.csv"


def package_sources() -> list[dict]:
    """The register's sources as Data Package `sources`: title (with publisher and date) and address."""
    found = []
    for key, title, publisher, published_on, url in models.Source.objects.order_by("key").values_list(
        "key", "title", "publisher", "published_on", "url"
    ):
        details = ", ".join(filter(None, [publisher, published_on.isoformat() if published_on else ""]))
        source = {"title": f"{title} ({details})" if details else title, "key": key}
        if url:
            source["path"] = url
        found.append(source)
    return found


def descriptor(resources: list[dict], content_hash: str, created: datetime.datetime) -> dict:
    return {
        "profile": "tabular-data-package",
        "name": NAME,
        "title": TITLE,
        "description": DESCRIPTION,
        "licenses": LICENSES,
        "licenseNote": LICENSE_NOTE,
        "created": created.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "hash": content_hash,
        "sources": package_sources(),
        "resources": resources,
    }


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def write_package(fileobj, *, created: datetime.datetime | None = None) -> dict:
    """Write the package as a zip to `fileobj` (seekable or not); return its descriptor."""
    created = created or timezone.now()
    resources = []
    content = hashlib.sha256()
    with zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in PACKAGE_TABLES.values():
            digest, size = hashlib.sha256(), 0
            with archive.open(_entry(resource_path(table)), "w", force_zip64=True) as out:
                for chunk in csv_chunks(table.columns, table.csv_rows()):
                    data = chunk.encode("utf-8")
                    digest.update(data)
                    content.update(data)
                    size += len(data)
                    out.write(data)
            resources.append(
                {
                    "profile": "tabular-data-resource",
                    "name": table.name,
                    "path": resource_path(table),
                    "description": table.description,
                    "format": "csv",
                    "mediatype": "text/csv",
                    "encoding": "utf-8",
                    "bytes": size,
                    "hash": f"sha256:{digest.hexdigest()}",
                    "schema": table.schema(),
                }
            )
        package = descriptor(resources, f"sha256:{content.hexdigest()}", created)
        text = json.dumps(package, ensure_ascii=False, indent=2) + "\n"
        archive.writestr(_entry(DESCRIPTOR), text.encode("utf-8"))
    return package


__all__ = ["DATETIME_FORMAT", "DESCRIPTOR", "LICENSES", "NAME", "TITLE", "descriptor", "write_package"]
