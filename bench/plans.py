"""EXPLAIN of the queue page's and the enterprise search's statements, and what in the plans deserves a look:
full scans, sorts, non-covering index reads, and whether the queue uses the casework migration's index."""

from __future__ import annotations

from bench import rawsql
from bench.console import say

# Created by casework/piccolo_migrations/casework_2026_11_27t12_05_00_000000.py; the queue's statements should use it.
QUEUE_INDEX = "casework_case_district_state_id"


def explain_all(db: rawsql.Database, district: str, search: list[rawsql.Statement]) -> dict[str, list[str]]:
    """Plans of the queue page's statements (page 1 and 50) and of the given search statements."""
    plans = {}
    for page in (1, 50):
        for st in rawsql.queue_statements(district, "submitted", page):
            if page == 50 and st.name != "list":
                continue
            plans[f"{st.name}" + (f" (page {page})" if st.name == "list" else "")] = db.explain(st)
    for st in search:
        plans[st.name] = db.explain(st)
    return plans


def print_plans(plans: dict[str, list[str]]) -> None:
    for name, lines in plans.items():
        say(f"  {name}:")
        for line in lines:
            say(f"      {line}")


def plan_warnings(plans: dict[str, list[str]]) -> list[str]:
    """Plan lines worth a look: full scans, sorts, casework_case searches that leave work to rows, and searches
    that read every enterprise of the district to match a LIKE '%…%'."""
    warnings = []
    for name, lines in plans.items():
        for line in lines:
            text = line.strip().removeprefix("->").strip()
            why = ""
            if (text.startswith("SCAN") and "USING" not in text) or text.startswith(
                ("Seq Scan on casework_case", "Seq Scan on enterprises_")
            ):
                why = "reads the whole table"
            elif "TEMP B-TREE" in text or text.startswith("Sort ("):
                why = "sorts or groups in a temporary structure"
            elif text.startswith("Bitmap Heap Scan on casework_case") and name.startswith("count"):
                why = "reads table pages: no index-only scan"
            elif text.startswith("SEARCH casework_case USING INDEX") and name.startswith(("count", "list")):
                if name.startswith("list") and "state=" not in text:
                    why = "the index has the district only: state is checked on each row it visits"
                elif name.startswith("count"):
                    why = "not a covering index: one table-row read per index entry"
            elif name.startswith("search") and text.startswith(
                ("SEARCH enterprises_enterprise USING INDEX", "Bitmap Heap Scan on enterprises_enterprise")
            ):
                why = "every enterprise of the district is read to match LIKE '%…%' (no B-tree index can serve it)"
            if why:
                warnings.append(f"{name}: {text} — {why}")
    return warnings


def index_use(plans: dict[str, list[str]]) -> list[str]:
    """Whether the queue's statements use the index of the casework migration, as they should."""
    queue = [name for name in plans if name.startswith(("list", "count"))]
    using = [name for name in queue if any(QUEUE_INDEX in line for line in plans[name])]
    out = []
    if using:
        how = {name: next(line.strip() for line in plans[name] if QUEUE_INDEX in line) for name in using}
        out.append(f"EXPLAIN: {QUEUE_INDEX} is used by " + "; ".join(f"{n}: {line}" for n, line in how.items()))
    if missing := [name for name in queue if name not in using]:
        why = "the planner chose another path (see EXPLAIN)" if using else "is the casework migration applied?"
        out.append(f"EXPLAIN: {QUEUE_INDEX} is not used by {', '.join(missing)}: {why}")
    return out
