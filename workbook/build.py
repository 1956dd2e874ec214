"""Build the template workbook from opsbook's own layout: python workbook/build.py [PATH]."""

import sys
from pathlib import Path

from opsbook.template import write_new_book

if __name__ == "__main__":
    target = (
        Path(sys.argv[1])
        if len(sys.argv) > 1
        else Path(__file__).parent / "dist" / "opsbook.xlsx"
    )
    print(write_new_book(target, overwrite=True).resolve())
