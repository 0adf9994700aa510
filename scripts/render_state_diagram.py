"""Write docs/state-diagram.svg and docs/state-diagram.mmd from caseflow.states.

Usage: python scripts/render_state_diagram.py [--lang en|zh] [--out-dir docs]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from caseflow.states.diagram import to_mermaid, to_svg  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Render the diagram files and print where they went."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", choices=("en", "zh"), default="en")
    parser.add_argument("--out-dir", type=Path, default=ROOT / "docs")
    args = parser.parse_args(argv)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    for name, text in (("state-diagram.svg", to_svg(lang=args.lang)),
                       ("state-diagram.mmd", to_mermaid(lang=args.lang))):
        path = args.out_dir / name
        path.write_text(text, encoding="utf-8")
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
