#!/usr/bin/env python3
"""Keeps the house as core/README.md draws it.

  scripts/check_layout.py [--list-functions N]

Checks, for the sources git tracks (or every source under the folders):
  * includes in core/ follow the wing map in core/README.md: a file in wing W
    includes only headers of W and of the wings W's row names below it;
  * no file in core/, ui/ or app/ is longer than 600 lines (generated tables
    excepted);
  * no function in core/, ui/ or app/ is longer than 80 lines (from the line
    of its opening brace to the line of its closing one).
Prints one line per problem and exits 1 if there is any.
"""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAX_FILE_LINES = 600
MAX_FUNCTION_LINES = 80
CHECKED_DIRS = ("core", "ui", "app")
GENERATED = ()


def sources():
    try:
        out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"] + list(CHECKED_DIRS),
                             cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        out = []
        for d in CHECKED_DIRS:
            for base, _, files in os.walk(os.path.join(ROOT, d)):
                out += [os.path.relpath(os.path.join(base, f), ROOT) for f in files]
    return sorted(f for f in out if f.endswith((".h", ".cpp", ".inc"))
                  and os.path.exists(os.path.join(ROOT, f)))


def read_wing_map():
    """Rows of core/README.md's wing table: | `wing/` | may include | what |."""
    path = os.path.join(ROOT, "core", "README.md")
    wings = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"\|\s*`([a-z_]+)/`\s*\|\s*([^|]*)\|", line)
            if not m:
                continue
            allowed = set(re.findall(r"`([a-z_]+)/`", m.group(2)))
            wings[m.group(1)] = allowed
    if not wings:
        sys.exit("core/README.md has no wing table (rows like | `model/` | `formats/` | ... |)")
    return wings


def wing_of(path):
    """The wing a core file lives in, or None."""
    for prefix in ("core/src/", "core/include/paretoprune/"):
        if path.startswith(prefix):
            rest = path[len(prefix):]
            return rest.split("/")[0] if "/" in rest else ""
    return None


INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]')


def check_includes(files, wings, problems):
    for path in files:
        wing = wing_of(path)
        if wing is None:
            continue
        if wing == "":
            if not path.endswith(("torch_pch.h",)):
                problems.append(f"{path}: not in a wing (move it into one of {sorted(wings)})")
            continue
        if wing not in wings:
            problems.append(f"{path}: wing '{wing}/' is not in core/README.md's map")
            continue
        allowed = wings[wing] | {wing}
        with open(os.path.join(ROOT, path), encoding="utf-8", errors="replace") as f:
            for n, line in enumerate(f, 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                inc = m.group(1)
                if inc.startswith("paretoprune/"):
                    inc = inc[len("paretoprune/"):]
                if "/" not in inc:
                    continue  # system or same-folder header
                target = inc.split("/")[0]
                if target in wings and target not in allowed:
                    problems.append(f"{path}:{n}: {wing}/ includes {m.group(1)} "
                                    f"({target}/ is not below {wing}/ in core/README.md)")


def strip_code(text):
    """The text with comments, strings and character literals blanked
    (newlines kept), so that braces can be counted."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == "R" and text.startswith('R"', i) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            m = re.match(r'R"([^(\s]*)\(', text[i:])
            if m:
                end = text.find(")" + m.group(1) + '"', i)
                end = n if end < 0 else end + len(m.group(1)) + 2
                out.append(re.sub(r"[^\n]", " ", text[i:end]))
                i = end
            else:
                out.append(c)
                i += 1
        elif c in "\"'":
            if c == "'" and i > 0 and text[i - 1].isalnum():  # digit separator 1'000
                out.append(" ")
                i += 1
                continue
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            out.append(" " * (min(j + 1, n) - i))
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


HEAD_KEYWORDS = re.compile(r"\b(namespace|class|struct|union|enum|extern)\b[^;{}()]*$")
CONTROL = re.compile(r"\b(if|for|while|switch|catch|do|else|return)\s*$")


def functions(path):
    """(name, first line, last line) of each function body in a file: an
    opening brace at namespace or class level that follows a ')' (with
    qualifiers or an initialiser list in between)."""
    with open(os.path.join(ROOT, path), encoding="utf-8", errors="replace") as f:
        text = strip_code(f.read())
    text = "\n".join("" if l.lstrip().startswith("#") else l for l in text.split("\n"))
    stack = []  # kinds of the open braces: 'scope' (namespace/class) or 'other'
    result = []
    line = 1
    last = 0  # index after the last ; { or } at this level
    for i, c in enumerate(text):
        if c == "\n":
            line += 1
        elif c == "{":
            head = text[last:i]
            in_scope = all(k == "scope" for k, _, _ in stack)
            if in_scope and HEAD_KEYWORDS.search(head.replace("\n", " ")):
                stack.append(("scope", line, None))
            elif in_scope and ")" in head and not CONTROL.search(head.split(")")[0]):
                name = re.findall(r"([~\w:]+)\s*\(", head)
                stack.append(("func", line, name[0] if name else "?"))
            else:
                stack.append(("other", line, None))
            last = i + 1
        elif c == "}":
            if stack:
                kind, start, name = stack.pop()
                if kind == "func":
                    result.append((name, start, line))
            last = i + 1
        elif c == ";":
            last = i + 1
    # Only outermost function bodies (a body inside a function's braces is
    # recorded as 'other').
    return result


def main():
    listing = None
    if len(sys.argv) == 3 and sys.argv[1] == "--list-functions":
        listing = int(sys.argv[2])
    elif len(sys.argv) != 1:
        sys.exit(__doc__)
    files = sources()
    problems = []
    if listing is None:
        check_includes(files, read_wing_map(), problems)
    long_functions = []
    for path in files:
        if path.endswith(GENERATED):
            continue
        with open(os.path.join(ROOT, path), encoding="utf-8", errors="replace") as f:
            count = sum(1 for _ in f)
        if count > MAX_FILE_LINES:
            problems.append(f"{path}: {count} lines (at most {MAX_FILE_LINES}: split it by responsibility)")
        for name, start, end in functions(path):
            length = end - start + 1
            if length > (listing if listing is not None else MAX_FUNCTION_LINES):
                long_functions.append((length, f"{path}:{start}: {name} is {length} lines"))
    for _, text in sorted(long_functions, reverse=True):
        problems.append(text + ("" if listing is not None else f" (at most {MAX_FUNCTION_LINES})"))
    for p in problems:
        print(p)
    if listing is None:
        if problems:
            print(f"{len(problems)} layout problem(s)", file=sys.stderr)
            return 1
        print(f"{len(files)} sources: wings as core/README.md maps them, files <= {MAX_FILE_LINES} lines, "
              f"functions <= {MAX_FUNCTION_LINES} lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
