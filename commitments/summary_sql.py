# ruff: noqa: S608 — every name and value put into this SQL is a constant of this module, never input.
"""PostgreSQL triggers that keep `PledgeSummary` (commitments/models/summary.py) in step with the
pledges, and the SQL that rebuilds it from scratch.

Why triggers: every write reaches them, whatever path it takes (the write path in services.py,
`Pledge.change_status`, the admin, test builders, a COPY load), in the writer's own transaction,
so a rolled-back write leaves the summary as it was.

How: statement-level AFTER triggers with transition tables. Each works out, per pledge the
statement touched, the pledge's contribution before (sign −1) and after (sign +1) and adds the
difference to the (party, status, category) cells in one
`INSERT … ON CONFLICT DO UPDATE SET col = col + …`.
- On the pledge table: the old and new rows come from the transition tables; an UPDATE that
  changes none of the counted fields (a review mark, a version bump) touches no cell.
- On the pledgers table: the pledge is locked first (FOR UPDATE, in id order), then its pledgers
  are read as they are now; before the statement they were those less the inserted rows, or
  with the deleted ones. A pledge going from one pledger to two becomes joint in both rows.

Concurrency: a cell is changed by adding to the value it holds when the row lock is granted,
never by writing a value read earlier, so concurrent writers add up (READ COMMITTED re-reads
the row for ON CONFLICT DO UPDATE). Writers of the same status serialise on its cell until
they commit: fine for analysts' edits, not for thousands of parallel imports.

The SQL names the choices' stored values ('troops', 'funding', 'upon_ceasefire', 'pending')
as the migration that created it froze them; `tests/test_summary.py` recounts after every
kind of write, so a drift between this and `PledgeQuerySet._figures()` fails there. Changing the
SQL needs a new migration that re-runs `CREATE_SQL`."""

PLEDGE = "commitments_pledge"
PLEDGERS = "commitments_pledge_pledgers"
SUMMARY = "commitments_pledgesummary"
# The pledge fields a figure reads; a change to any other field leaves the summary alone.
COUNTED = "status, part_of_id, category, troops_min, troops_max, amount, amount_eur, condition, condition_state"

_HAS = "(d.troops_min IS NOT NULL OR d.troops_max IS NOT NULL)"
_MONEY = "(d.category = 'funding' OR d.amount IS NOT NULL)"
_JOINT = "(d.party <> 0 AND d.n > 1)"
# Column: the contribution of one pledge `d` to one cell, as PledgeQuerySet._figures() counts it.
_CONTRIBUTION = {
    "pledges": "1",
    "troop_pledges": f"({_HAS})::int",
    "troops_low": f"CASE WHEN {_HAS} THEN COALESCE(d.troops_min, 0) ELSE 0 END",
    "troops_max_sum": f"CASE WHEN {_HAS} THEN COALESCE(d.troops_max, 0) ELSE 0 END",
    "troop_pledges_open_ended": "(d.troops_min IS NOT NULL AND d.troops_max IS NULL)::int",
    "troop_pledges_unquantified": f"(d.category = 'troops' AND NOT {_HAS})::int",
    "money_pledges": f"({_MONEY})::int",
    "eur_pledges": "(d.amount_eur IS NOT NULL)::int",
    "eur": "COALESCE(d.amount_eur, 0)",
    "money_pledges_without_eur": f"({_MONEY} AND d.amount_eur IS NULL)::int",
    "pending_on_ceasefire": "(d.condition = 'upon_ceasefire' AND d.condition_state = 'pending')::int",
    "troop_pledges_joint": f"({_JOINT} AND {_HAS})::int",
    "eur_pledges_joint": f"({_JOINT} AND d.amount_eur IS NOT NULL)::int",
}
_COLUMNS = ", ".join(_CONTRIBUTION)


def _upsert(changes: str) -> str:
    """Add the contributions of `changes` (a CTE body with the COUNTED fields, `sign`, `parties`
    int[] and `with_all`) to the summary's cells, taken in key order: party 0 (top-level pledges),
    party −1 by category (every pledge, shares too: row counts), each pledger (top-level)."""
    sums = ",\n        ".join(f"SUM(d.sign * ({expr})) AS {name}" for name, expr in _CONTRIBUTION.items())
    updates = ", ".join(f"{name} = {SUMMARY}.{name} + EXCLUDED.{name}" for name in _CONTRIBUTION)
    return f"""
    WITH changes AS ({changes}),
    d AS (
        SELECT 0 AS party, '' AS cell_category, cardinality(c.parties) AS n, c.* FROM changes c
        WHERE c.with_all AND c.part_of_id IS NULL
        UNION ALL
        SELECT -1 AS party, c.category AS cell_category, cardinality(c.parties) AS n, c.* FROM changes c
        WHERE c.with_all
        UNION ALL
        SELECT s.party, '' AS cell_category, cardinality(c.parties) AS n, c.* FROM changes c
        CROSS JOIN LATERAL unnest(c.parties) AS s(party)
        WHERE c.part_of_id IS NULL
    )
    INSERT INTO {SUMMARY} (party, status, category, {_COLUMNS})
    SELECT d.party, d.status, d.cell_category,
        {sums}
    FROM d GROUP BY d.party, d.status, d.cell_category ORDER BY d.party, d.status, d.cell_category
    ON CONFLICT (party, status, category) DO UPDATE SET {updates};"""


def _parties(pledge: str) -> str:
    return f"ARRAY(SELECT pp.state_id FROM {PLEDGERS} pp WHERE pp.pledge_id = {pledge})"


_PLEDGE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION commitments_pledge_summary() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_upsert(f"SELECT {COUNTED}, 1 AS sign, {_parties('r.id')} AS parties, true AS with_all FROM new_rows r")}
    ELSIF TG_OP = 'DELETE' THEN
        {_upsert(f"SELECT {COUNTED}, -1 AS sign, {_parties('r.id')} AS parties, true AS with_all FROM old_rows r")}
    ELSE
        {
    _upsert(
        f'''SELECT {COUNTED}, -1 AS sign, {_parties("r.id")} AS parties, true AS with_all FROM old_rows r
            WHERE r.id IN (SELECT o.id FROM old_rows o JOIN new_rows n ON n.id = o.id
                           WHERE ROW(o.{COUNTED.replace(", ", ", o.")}) IS DISTINCT FROM
                                 ROW(n.{COUNTED.replace(", ", ", n.")}))
        UNION ALL
        SELECT {COUNTED}, 1, {_parties("r.id")}, true FROM new_rows r
            WHERE r.id IN (SELECT o.id FROM old_rows o JOIN new_rows n ON n.id = o.id
                           WHERE ROW(o.{COUNTED.replace(", ", ", o.")}) IS DISTINCT FROM
                                 ROW(n.{COUNTED.replace(", ", ", n.")}))'''
    )
}
    END IF;
    RETURN NULL;
END $$;
"""

_PLEDGERS_FUNCTION = f"""
CREATE OR REPLACE FUNCTION commitments_pledge_pledgers_summary() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- The pledges first, in id order: their pledgers read next are then as committed or as this
    -- transaction left them, and never change under the sums.
    PERFORM 1 FROM {PLEDGE} p WHERE p.id IN (SELECT pledge_id FROM changed_rows) ORDER BY p.id FOR UPDATE;
    IF TG_OP = 'INSERT' THEN
        {
    _upsert(
        f'''SELECT {COUNTED}, -1 AS sign,
                ARRAY(SELECT pp.state_id FROM {PLEDGERS} pp WHERE pp.pledge_id = p.id
                      EXCEPT SELECT c.state_id FROM changed_rows c WHERE c.pledge_id = p.id) AS parties,
                false AS with_all
            FROM {PLEDGE} p WHERE p.id IN (SELECT pledge_id FROM changed_rows)
        UNION ALL
        SELECT {COUNTED}, 1, {_parties("p.id")}, false
            FROM {PLEDGE} p WHERE p.id IN (SELECT pledge_id FROM changed_rows)'''
    )
}
    ELSE
        {
    _upsert(
        f'''SELECT {COUNTED}, -1 AS sign,
                ARRAY(SELECT pp.state_id FROM {PLEDGERS} pp WHERE pp.pledge_id = p.id
                      UNION SELECT c.state_id FROM changed_rows c WHERE c.pledge_id = p.id) AS parties,
                false AS with_all
            FROM {PLEDGE} p WHERE p.id IN (SELECT pledge_id FROM changed_rows)
        UNION ALL
        SELECT {COUNTED}, 1, {_parties("p.id")}, false
            FROM {PLEDGE} p WHERE p.id IN (SELECT pledge_id FROM changed_rows)'''
    )
}
    END IF;
    RETURN NULL;
END $$;
"""

_TRIGGERS = f"""
CREATE TRIGGER commitments_pledge_summary_insert AFTER INSERT ON {PLEDGE}
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION commitments_pledge_summary();
CREATE TRIGGER commitments_pledge_summary_update AFTER UPDATE ON {PLEDGE}
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION commitments_pledge_summary();
CREATE TRIGGER commitments_pledge_summary_delete AFTER DELETE ON {PLEDGE}
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION commitments_pledge_summary();
CREATE TRIGGER commitments_pledge_pledgers_summary_insert AFTER INSERT ON {PLEDGERS}
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION commitments_pledge_pledgers_summary();
CREATE TRIGGER commitments_pledge_pledgers_summary_delete AFTER DELETE ON {PLEDGERS}
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION commitments_pledge_pledgers_summary();
"""

TRIGGER_NAMES = {
    PLEDGE: [
        "commitments_pledge_summary_insert",
        "commitments_pledge_summary_update",
        "commitments_pledge_summary_delete",
    ],
    PLEDGERS: ["commitments_pledge_pledgers_summary_insert", "commitments_pledge_pledgers_summary_delete"],
}

CREATE_SQL = _PLEDGE_FUNCTION + _PLEDGERS_FUNCTION + _TRIGGERS
DROP_SQL = (
    "".join(f"DROP TRIGGER IF EXISTS {name} ON {table};\n" for table, names in TRIGGER_NAMES.items() for name in names)
    + "DROP FUNCTION IF EXISTS commitments_pledge_summary();\n"
    + "DROP FUNCTION IF EXISTS commitments_pledge_pledgers_summary();\n"
)

# From scratch, writers held off (SHARE blocks writes, not reads) until the transaction ends.
REBUILD_SQL = [
    f"LOCK TABLE {PLEDGE}, {PLEDGERS} IN SHARE MODE",
    f"LOCK TABLE {SUMMARY} IN EXCLUSIVE MODE",
    f"DELETE FROM {SUMMARY}",
    _upsert(
        f"""SELECT {COUNTED}, 1 AS sign, COALESCE(g.parties, '{{}}') AS parties, true AS with_all
        FROM {PLEDGE} r LEFT JOIN (SELECT pledge_id, array_agg(state_id) AS parties FROM {PLEDGERS}
                                   GROUP BY pledge_id) g ON g.pledge_id = r.id"""
    ).strip(),
]
