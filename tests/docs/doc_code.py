#!/usr/bin/env python3
"""Writes the C files of a Markdown page into a folder, as a reader who
copies its code blocks would:

    doc_code.py PAGE.md DIR

Every ```c block starts with a comment naming its file: "/* NAME */"
starts the file, "/* NAME, continued */" appends to it (a function may go
on over several blocks, with prose between). A block without that first
line, a file continued before it was started, or started twice, is an
error: every block of the page is built. Prints the names written.
"""
import os
import re
import sys

FIRST = re.compile(r"^\s*/\* ([A-Za-z0-9_.-]+\.[ch])(, continued)? \*/$")


def main():
    page, out = sys.argv[1], sys.argv[2]
    with open(page, encoding="utf-8") as f:
        lines = f.read().split("\n")
    files = {}
    block = None
    for n, line in enumerate(lines, 1):
        if block is None:
            if line == "```c":
                block = (n, [])
            continue
        if line != "```":
            block[1].append(line)
            continue
        start, body = block
        block = None
        m = FIRST.match(body[0]) if body else None
        if not m:
            sys.exit(f"{page}:{start}: a C block must start with /* FILE */ "
                     "or /* FILE, continued */")
        name, continued = m.group(1), bool(m.group(2))
        if continued != (name in files):
            sys.exit(f"{page}:{start}: {name} " +
                     ("is continued before it starts" if continued else "starts twice"))
        files.setdefault(name, []).extend(body[1:] if continued else body)
    if block is not None:
        sys.exit(f"{page}:{block[0]}: the C block does not end")
    for name, body in files.items():
        with open(os.path.join(out, name), "w", encoding="utf-8") as f:
            f.write("\n".join(body) + "\n")
        print(name)


if __name__ == "__main__":
    main()
