"""Print the last text message kept for a case, decrypted: for the demo and browser tests (never a web route).

python -m casework.confirmations.peek CASE_ID
"""

from __future__ import annotations

import sys

from piccolo.utils.sync import run_sync

from casework.confirmations.texts import last_text
from enterprises.identifiers import mask_phone


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or not args[0].isdigit():
        print(f"usage: python -m casework.confirmations.peek CASE_ID (got {args!r})", file=sys.stderr)
        return 2
    kept = run_sync(last_text(int(args[0])))
    if kept is None:
        print(f"no text message for case {args[0]}", file=sys.stderr)
        return 1
    # The phone stays masked: the one who runs this needs the code, not the founder's number.
    print(f"#{kept.id} [{kept.status}] to {mask_phone(kept.phone)}: {kept.text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
