#!/usr/bin/env python3
"""The pages against the code (make lint-man; issue 18).

The truth is the code's two tables, printed by build/pages_tables (from
tests/pages_tables.c): the policy keys (root/policy/policy.c, key_table)
and the namespaces (setuid/lib/namespaces.c). This fails, naming file:line,
when

- nsiso-policy(5) does not document a key or a namespace of the tables
  (KEYS: ".It Cm KEY =", and the entry of "namespaces": its list of names
  and an ".It Cm NAME" for each), or documents one the code does not know;
- a page (man/*, conf/default.conf, conf/examples, README.md,
  doc/DESIGN.md) says of a namespace or key the code supports that it is
  not supported, not yet there, or refused as such ("This version creates
  no network namespace", "net, cgroup, time and user are refused as not
  supported yet");
- a page says what "this version" creates and lists some namespaces but
  not all ("This version creates mount, UTS, IPC and PID namespaces");
- an example policy (conf/, the EXAMPLES of nsiso-policy(5), README's)
  does not parse with the real parser, or a commented-out line in conf/
  names a key the parser does not know.

Usage: tests/lint_pages.py PAGES_TABLES_BINARY (from the repository root).
"""
import glob
import re
import subprocess
import sys

ERRORS = []


def error(where, msg):
    ERRORS.append(f"{where}: {msg}")


def tables(binary):
    def run(arg):
        out = subprocess.run([binary, arg], check=True, capture_output=True,
                             text=True).stdout
        return [w for w in out.split() if w]
    return run("keys"), run("namespaces")


# How pages spell the namespaces in prose, besides the policy's name.
SPELLINGS = {"mount": ["mount", "mnt"], "net": ["net", "network"]}


def spellings(ns):
    return SPELLINGS.get(ns, [ns])


def pages():
    files = sorted(glob.glob("man/*.[0-9]")) + ["conf/default.conf"]
    files += sorted(glob.glob("conf/examples/*/*.conf"))
    files += ["README.md", "doc/DESIGN.md"]
    return files


ROFF_INLINE = re.compile(
    r"\b(Cm|Ar|Pa|Xr|Nm|Fn|Dv|Ev|Er|Va|Ic|Li|Ql|Dq|Sq|Pq|Po|Pc|Op|Oo|Oc|Ns|No|Em|Sy|Fl|Sx|Aq|Bq|Brq|D1|Dl|Ta)\b\s?")


def prose_lines(path):
    """(line number, text) of a page as prose: roff macros and markdown
    marks stripped, comment marks of conf files kept out."""
    out = []
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            if path.startswith("man/"):
                if line.startswith(".\\\""):
                    continue
                if line.startswith("."):
                    macro = line[1:3]
                    if macro in ("Pp", "Sh", "Ss", "Bl", "El", "Bd", "Ed", "It"):
                        # A paragraph, heading or item starts: a sentence
                        # ends.
                        out.append((n, "\x00"))
                        if macro != "It":
                            continue
                    line = ROFF_INLINE.sub("", line[1:] if line.startswith(".") else line)
                    line = line.replace(" ,", ",").replace(" .", ".")
                line = line.replace("\\&", "").replace("\\-", "-")
            elif path.endswith(".conf"):
                if not line.startswith("#"):
                    out.append((n, "\x00"))
                    continue
                line = line.lstrip("#").strip()
                if line == "":
                    out.append((n, "\x00"))
                    continue
            else:
                if line.strip() == "" or line.lstrip().startswith(("- ", "|", "#")):
                    out.append((n, "\x00"))
                line = line.replace("`", "").replace("**", "")
            out.append((n, line))
    return out


def sentences(path):
    """(first line, sentence) of a page."""
    cur, start = [], None
    result = []
    for n, text in prose_lines(path):
        if text == "\x00":
            if cur:
                result.append((start, " ".join(cur)))
            cur, start = [], None
            continue
        # Split at a full stop followed by a blank and a capital letter.
        parts = re.split(r"(?<=[.!?])\s+(?=[A-Z])", text)
        for i, part in enumerate(parts):
            if start is None:
                start = n
            cur.append(part)
            # Pages put a new sentence on a new line: one that ends a line
            # ends there.
            if i < len(parts) - 1 or re.search(r"[.!?]$", part.strip()):
                result.append((start, " ".join(cur)))
                cur, start = [], None
    if cur:
        result.append((start, " ".join(cur)))
    return result


def alt(words):
    return "(?:" + "|".join(re.escape(w) for w in words) + ")"


def named_namespaces(sentence, namespaces):
    """The namespaces a sentence names as namespaces: "NAME namespace(s)",
    or a list of two or more names ("net, cgroup, time and user")."""
    found = set()
    low = sentence.lower()
    every = [s for ns in namespaces for s in spellings(ns)]
    word = alt(every)
    for ns in namespaces:
        if re.search(r"\b" + alt(spellings(ns)) + r"\b(?:,? (?:and |or )?" + word +
                     r")*\s+namespaces?\b", low):
            found.add(ns)
    for m in re.finditer(r"\b" + word + r"(?:\s*,\s*(?:and\s+|or\s+)?" + word +
                         r"|\s+(?:and|or)\s+" + word + r")+\b", low):
        for ns in namespaces:
            if re.search(r"\b" + alt(spellings(ns)) + r"\b", m.group(0)):
                found.add(ns)
    return found


def named_keys(sentence, keys):
    """Keys a sentence names as keys: "KEY =", or a key with an
    underscore (no English word has one)."""
    found = set()
    for k in keys:
        if re.search(r"\b" + re.escape(k) + r"\s*=", sentence) or \
                ("_" in k and re.search(r"\b" + re.escape(k) + r"\b", sentence)):
            found.add(k)
    return found


NEGATIVE = re.compile(
    r"\b(?:not (?:yet )?supported|unsupported|not yet|does not support|"
    r"do not support|no support|creates no|makes no|has no \w+ namespace|"
    r"refused as|rejected as|not implemented|not available in this version)\b",
    re.IGNORECASE)


def check_claims(keys, namespaces):
    for path in pages():
        for line, s in sentences(path):
            if NEGATIVE.search(s):
                for ns in sorted(named_namespaces(s, namespaces)):
                    error(f"{path}:{line}",
                          f"says namespace '{ns}' is not supported, which the code supports: {s.strip()[:200]}")
                for k in sorted(named_keys(s, keys)):
                    error(f"{path}:{line}",
                          f"says key '{k}' is not supported, which the code supports: {s.strip()[:200]}")
            # "net, cgroup, time and user are refused"
            low = s.lower()
            for ns in namespaces:
                if re.search(r"\b" + alt(spellings(ns)) + r"\b(?: namespaces?)? (?:is|are) (?:\w+ )?(?:refused|rejected|ignored)\b", low) \
                        and ns in named_namespaces(s, namespaces):
                    error(f"{path}:{line}",
                          f"says namespace '{ns}' is refused, which the code supports: {s.strip()[:200]}")
            if re.search(r"\bthis version\b", low) and len(named_namespaces(s, namespaces)) >= 2:
                missing = [ns for ns in namespaces
                           if not re.search(r"\b" + alt(spellings(ns)) + r"\b", low)]
                if missing:
                    error(f"{path}:{line}",
                          f"lists what this version creates without {', '.join(missing)}: {s.strip()[:200]}")


def check_policy_page(keys, namespaces):
    path = "man/nsiso-policy.5"
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    section = None
    doc_keys = {}
    ns_at = None         # the line of ".It Cm namespaces ="
    ns_items = {}        # ".It Cm NAME" in its nested list
    depth = 0
    in_ns = False
    for n, line in enumerate(lines, 1):
        if line.startswith(".Sh "):
            section = line[4:]
            continue
        if section != "KEYS":
            continue
        if line.startswith(".Bl"):
            depth += 1
        elif line.startswith(".El"):
            depth -= 1
        elif line.startswith(".It ") and depth == 1:
            for m in re.finditer(r"Cm ([a-z_]+) =", line):
                doc_keys.setdefault(m.group(1), n)
            in_ns = line.startswith(".It Cm namespaces =")
            if in_ns:
                ns_at = n
        elif in_ns and depth == 2 and re.match(r"\.It Cm [a-z]+$", line):
            ns_items.setdefault(line[len(".It Cm "):], n)
    for k in keys:
        if k not in doc_keys:
            error(path, f"key '{k}' (root/policy/policy.c) is not documented in KEYS (.It Cm {k} = ...)")
    for k, n in doc_keys.items():
        if k not in keys:
            error(f"{path}:{n}", f"documents key '{k}', which the parser does not know")
    if ns_at is None:
        error(path, "KEYS has no entry '.It Cm namespaces ='")
        return
    # Its first sentence lists them all: ".Cm mount , uts , ... and .Cm user ;
    # each at most once."
    ns_list = []
    for line in lines[ns_at:]:
        if line.startswith(".Cm "):
            ns_list += [w for w in re.split(r"[\s,;]+", line[4:]) if re.fullmatch(r"[a-z]+", w)]
        if "at most once" in line or line.startswith(".Bl"):
            break
    for ns in namespaces:
        if ns not in ns_list:
            error(f"{path}:{ns_at}", f"the list of namespaces under 'namespaces' lacks '{ns}' (setuid/lib/namespaces.c)")
        if ns not in ns_items:
            error(f"{path}:{ns_at}", f"namespace '{ns}' has no entry (.It Cm {ns}) under 'namespaces'")
    for ns in ns_list:
        if ns not in namespaces:
            error(f"{path}:{ns_at}", f"the list of namespaces names '{ns}', which the code does not know")
    for ns, n in ns_items.items():
        if ns not in namespaces:
            error(f"{path}:{n}", f"documents namespace '{ns}', which the code does not know")


def parse(binary, kind, label, text):
    r = subprocess.run([binary, "parse", kind, label], input=text,
                       capture_output=True, text=True)
    if r.returncode != 0:
        error(label, "example policy does not parse: " + (r.stdout + r.stderr).strip())


def kind_of(text):
    if re.search(r"^\s*priority\s*=", text, re.M):
        return "group"
    if re.search(r"^\s*uid_min\s*=", text, re.M):
        return "default"
    return "user"


def check_examples(binary, keys):
    files = [("conf/default.conf", "default")]
    files += [(p, "user") for p in sorted(glob.glob("conf/examples/user/*.conf"))]
    files += [(p, "group") for p in sorted(glob.glob("conf/examples/group/*.conf"))]
    for path, kind in files:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        parse(binary, kind, path, text)
        for n, line in enumerate(text.split("\n"), 1):
            m = re.match(r"#([a-z_]+)\s*=\s*\S", line)
            if m and m.group(1) not in keys:
                error(f"{path}:{n}", f"a commented-out line names key '{m.group(1)}', which the parser does not know")
    # The literal blocks of nsiso-policy(5), EXAMPLES.
    with open("man/nsiso-policy.5", encoding="utf-8") as f:
        lines = f.read().split("\n")
    section, block, start = None, None, 0
    for n, line in enumerate(lines, 1):
        if line.startswith(".Sh "):
            section = line[4:]
        elif section == "EXAMPLES" and line.startswith(".Bd -literal"):
            block, start = [], n + 1
        elif block is not None and line.startswith(".Ed"):
            text = "\n".join(block) + "\n"
            parse(binary, kind_of(text), f"man/nsiso-policy.5:{start}", text)
            block = None
        elif block is not None:
            block.append(line)
    # README's policy: the indented block under "# /etc/security/nsiso/default.conf".
    with open("README.md", encoding="utf-8") as f:
        lines = f.read().split("\n")
    for n, line in enumerate(lines, 1):
        if line.strip() == "# /etc/security/nsiso/default.conf":
            block = []
            for l in lines[n:]:
                if not l.startswith("    "):
                    break
                block.append(l[4:])
            parse(binary, "default", f"README.md:{n}", "\n".join(block) + "\n")


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().split("\n")[-1], file=sys.stderr)
        return 2
    binary = sys.argv[1]
    keys, namespaces = tables(binary)
    if len(keys) < 10 or len(namespaces) < 4:
        print(f"lint_pages: {binary} printed {len(keys)} keys and {len(namespaces)} namespaces",
              file=sys.stderr)
        return 1
    check_policy_page(keys, namespaces)
    check_claims(keys, namespaces)
    check_examples(binary, keys)
    for e in ERRORS:
        print(e)
    if ERRORS:
        print(f"pages against the code: {len(ERRORS)} problem(s)")
        return 1
    print(f"pages against the code: clean ({len(keys)} keys, {len(namespaces)} namespaces)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
