#!/usr/bin/env python3
"""Runs the curl examples of a Markdown page, in order, against a stack
and compares each answer with the one the page prints.

    doc_examples.py [--first N] PAGE.md

The stack is the one of scripts/http-stack exec (MA_STACK_URL, MA_STACK_DIR).
Prints TAP, one test per example; with --first N, numbered from N and
without a plan, for a caller that prints its own. The rules are those of docs/testing.md,
"Examples that are tested":

- An example is a line of a fenced block that starts with "$ curl", with
  the lines it continues with a trailing backslash; the printed answer is
  what follows, up to the next "$ " line or the end of the block. Any
  other line of a fenced block that runs curl is an error: every example
  is run.
- http://127.0.0.1:8080 is the stack's address.
- With -i, the status line and the headers are compared in order, all of
  them but Date, Server and Connection, which nginx adds, and X-Request-Id,
  new on every request; the page leaves them out. Then the body. Without
  -i, the body alone. Byte for byte, but for a problem's request id: the
  id after "urn:request:" matches any request id.
- The ids of the seeded library (5f0000000000000000000a01-a05, b01-b08,
  c01-c04) are as printed. Any other 24-hex-digit id in a printed answer stands for
  an id the worker generated: it matches any such id, and from then on
  stands for that id wherever it appears, in later commands too. So does
  an ETag in an answer that holds such an id.
- A comment "# MongoDB stopped" after the command runs it with the
  stack's database stopped, then starts the database again.
"""
import os
import re
import shlex
import subprocess
import sys
import time

DOC_URL = "http://127.0.0.1:8080"
LEFT_OUT = {"date", "server", "connection", "x-request-id"}
ID = re.compile(r"\b[0-9a-f]{24}\b")
SEED_ID = re.compile(r"^5f0000000000000000000(a0[1-5]|b0[1-8]|c0[1-4])$")
TAG = re.compile(r'"[0-9a-f]{16}"')
REQUEST = re.compile(r"urn:request:[A-Za-z0-9._@-]{1,64}")
ANY_REQUEST = r"urn:request:[A-Za-z0-9._@-]{1,64}"
STACK = os.path.join(os.environ.get("abs_top_srcdir", "."), "scripts", "http-stack")


def examples(path):
    """Yields (line number, command, comment, printed answer)."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    in_block = False
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("```"):
            in_block = not in_block
            i += 1
            continue
        if not in_block:
            i += 1
            continue
        if not line.startswith("$ curl"):
            if re.search(r"(^|[\s;|&(])curl\s", line):
                raise SystemExit(f"{path}:{i + 1}: a curl line that is not an example "
                                 "(\"$ curl ...\" with its answer): every curl line is run")
            i += 1
            continue
        start = i
        cmd = line[2:]
        while cmd.endswith("\\"):
            i += 1
            cmd = cmd[:-1] + " " + lines[i].strip()
        i += 1
        answer = []
        while i < len(lines) and not lines[i].startswith("$ ") and not lines[i].startswith("```"):
            answer.append(lines[i])
            i += 1
        while answer and answer[-1] == "":
            answer.pop()
        comment = ""
        words = shlex.split(cmd, comments=False)
        if "#" in words:
            comment = " ".join(words[words.index("#") + 1:])
            cmd = cmd[:cmd.rindex("#")].rstrip()
        yield start + 1, cmd, comment, "\n".join(answer)


def run_curl(cmd):
    proc = subprocess.run(["bash", "-c", cmd], capture_output=True, timeout=60)
    return proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode()


def normalize(out, with_headers):
    """The answer as the page prints it: LF line ends, headers left out."""
    if not with_headers:
        return out.rstrip("\n")
    head, _, body = out.partition("\r\n\r\n")
    lines = head.split("\r\n")
    kept = [lines[0]] + [h for h in lines[1:]
                         if h.split(":", 1)[0].strip().lower() not in LEFT_OUT]
    text = "\n".join(kept)
    body = body.rstrip("\n")
    return text + ("\n\n" + body if body else "")


def pattern(expected, bound):
    """A regex for the printed answer; new generated ids (and the tags of
    their answers) become groups, known ones their real values."""
    generated = [m.group(0) for m in ID.finditer(expected)
                 if not SEED_ID.match(m.group(0))]
    tokens = []
    for m in ID.finditer(expected):
        if not SEED_ID.match(m.group(0)):
            tokens.append((m.start(), m.end(), m.group(0), "id"))
    if generated:
        for m in TAG.finditer(expected):
            tokens.append((m.start() + 1, m.end() - 1, m.group(0)[1:-1], "tag"))
    for m in REQUEST.finditer(expected):
        tokens.append((m.start(), m.end(), m.group(0), "request"))
    tokens.sort()
    out, pos, groups, names = [], 0, {}, []
    for start, end, text, kind in tokens:
        out.append(re.escape(expected[pos:start]))
        if kind == "request":
            out.append(ANY_REQUEST)
        elif text in bound:
            out.append(re.escape(bound[text]))
        elif text in groups:
            out.append(f"(?P={groups[text]})")
        else:
            groups[text] = f"g{len(groups)}"
            names.append(text)
            width = 24 if kind == "id" else 16
            out.append(f"(?P<{groups[text]}>[0-9a-f]{{{width}}})")
        pos = end
    out.append(re.escape(expected[pos:]))
    return "".join(out), groups


def stack(command):
    subprocess.run([STACK, command, os.environ["MA_STACK_DIR"]], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_database_back(url):
    """Until every worker answers again: a run of 20 answers without a 503
    (each worker's client waits out the driver's 5 s cooldown)."""
    deadline = time.time() + 30
    run = 0
    while time.time() < deadline and run < 20:
        proc = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", url],
                              capture_output=True, text=True)
        run = run + 1 if proc.stdout not in ("503", "000") else 0
        time.sleep(0.1 if run else 0.5)


def main():
    args = sys.argv[1:]
    first = 1
    if args[0] == "--first":
        first = int(args[1])
        args = args[2:]
    page = args[0]
    url = os.environ["MA_STACK_URL"]
    found = list(examples(page))
    if first == 1:
        print(f"1..{len(found)}")
    bound = {}
    failed = 0
    name = os.path.relpath(page, os.environ.get("abs_top_srcdir", "."))
    for n, (line, cmd, comment, expected) in enumerate(found, first):
        real = cmd.replace(DOC_URL, url)
        for printed, actual in bound.items():
            real = real.replace(printed, actual)
        words = shlex.split(real)
        with_headers = any(re.fullmatch(r"-[a-zA-Z]*i[a-zA-Z]*", w) for w in words[1:])
        stopped = comment == "MongoDB stopped"
        if stopped:
            stack("mongo-stop")
        try:
            rc, out, err = run_curl(real)
        finally:
            if stopped:
                stack("mongo-start")
                wait_database_back(url + "/books")
        got = normalize(out, with_headers)
        regex, groups = pattern(expected, bound)
        m = re.fullmatch(regex, got)
        title = f"{name}:{line}: {cmd[:100]}"
        if rc == 0 and m:
            for text, group in groups.items():
                bound[text] = m.group(group)
            print(f"ok {n} - {title}")
            continue
        failed += 1
        print(f"not ok {n} - {title}")
        print("# printed:")
        for ln in expected.split("\n"):
            print("#   " + ln)
        print(f"# answered (curl exit {rc}):")
        for ln in got.split("\n"):
            print("#   " + ln)
        if err:
            print("# " + err.strip())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
