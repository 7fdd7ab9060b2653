#!/usr/bin/python3
"""check-schemas: vigil's SARIF and JUnit outputs against their schemas.
    /usr/bin/python3 tests/check-schemas.py VIGIL [INSTALLED]      (from the repository root)
`check --format sarif` is validated against the official SARIF 2.1.0 JSON
schema (tests/schemas/sarif-schema-2.1.0.json, with Debian's
python3-jsonschema) and `test --junit` against the JUnit XSD of Jenkins' xUnit
plugin (tests/schemas/junit-10.xsd, with xmllint); tests/schemas/README.md
says where they come from.  Beyond the schemas, the SARIF log must be what
code scanning needs (docs/CLI.md, "SARIF output"): an absolute
informationUri; one driver rule per code used, each result pointing at its
rule by ruleIndex, the rule's help the text `vigil explain` prints; notes on
the result they belong to (relatedLocations, and a fix for a did-you-mean),
never results of their own; file URIs percent-encoded, relative to the
SRCROOT uriBaseId (the current folder) or absolute file: URIs outside it.
INSTALLED, a vigil that `make install` put in PREFIX/bin (make test: its
DESTDIR stage), must name PREFIX/share/doc/vigil/DIAGNOSTICS.md as its
informationUri.  Scenes: a clean pack, errors with did-you-mean and first-declared notes,
warnings, a file whose name has a space, '#', '%' and non-ASCII letters, a
file outside the current folder, passing, failing and broken tests.  Prints
one line and exits 0 when all is well; otherwise each failure, exit 1."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse

import jsonschema

ROOT = os.getcwd()
VIGIL = os.path.abspath(sys.argv[1])
INSTALLED = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else None
SCHEMAS = os.path.join(ROOT, "tests", "schemas")
failures = []
checked = {"sarif": 0, "junit": 0}


def fail(scene, what):
    failures.append(f"{scene}: {what}")


def vigil(cwd, *args, program=None):
    env = dict(os.environ, NO_COLOR="1", TZ="UTC", LC_ALL="C.UTF-8")
    return subprocess.run([program or VIGIL, *args], cwd=cwd, env=env, capture_output=True)


with open(os.path.join(SCHEMAS, "sarif-schema-2.1.0.json"), encoding="utf-8") as f:
    SARIF_SCHEMA = json.load(f)
SARIF = jsonschema.Draft4Validator(SARIF_SCHEMA, format_checker=jsonschema.FormatChecker())
URI_CHARS = re.compile(r"^([A-Za-z0-9\-._~/:]|%[0-9A-F]{2})*$")


def explain(code):
    p = vigil(ROOT, "explain", code)
    return p.stdout.decode("utf-8")


def uri_path(scene, loc, base):
    """The file an artifactLocation names (checking its form), or None."""
    uri = loc.get("uri", "")
    if not URI_CHARS.match(uri):
        fail(scene, f"uri {uri!r} is not percent-encoded")
    if "uriBaseId" in loc:
        if loc["uriBaseId"] != "SRCROOT":
            fail(scene, f"uriBaseId {loc['uriBaseId']!r} is not SRCROOT")
        if urllib.parse.urlparse(uri).scheme or uri.startswith("/"):
            fail(scene, f"uri {uri!r} with a uriBaseId is not relative")
        uri = base + uri
    elif not uri.startswith("file:///"):
        fail(scene, f"uri {uri!r} has neither a uriBaseId nor is an absolute file: URI")
        return None
    return urllib.parse.unquote_to_bytes(uri[len("file://"):])


def check_sarif(scene, cwd, out, expect):
    """expect: {'files': [bytes paths as given], 'codes': set, 'dym': (code, name) or None,
    'related': text of a note that must be a related location, or None}"""
    checked["sarif"] += 1
    try:
        log = json.loads(out)
    except ValueError as e:
        fail(scene, f"not JSON: {e}")
        return
    for e in sorted(SARIF.iter_errors(log), key=lambda e: list(e.path)):
        fail(scene, f"SARIF schema: {'/'.join(map(str, e.path))}: {e.message[:300]}")
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    info = driver.get("informationUri", "")
    if not urllib.parse.urlparse(info).scheme:
        fail(scene, f"informationUri {info!r} is not absolute")
    elif info.startswith("file:") and not os.path.exists(urllib.parse.unquote(info[len("file://"):])):
        fail(scene, f"informationUri {info!r} names no file")
    base = run.get("originalUriBaseIds", {}).get("SRCROOT", {}).get("uri", "")
    want_base = "file://" + urllib.parse.quote(os.path.realpath(cwd)) + "/"
    if base != want_base:
        fail(scene, f"originalUriBaseIds.SRCROOT is {base!r}, not {want_base!r}")
    rules = driver.get("rules", [])
    ids = [r.get("id") for r in rules]
    if len(set(ids)) != len(ids):
        fail(scene, f"rules repeat: {ids}")
    used = set()
    paths = set()
    for res in run["results"]:
        rid, idx = res.get("ruleId"), res.get("ruleIndex")
        if not isinstance(idx, int) or not 0 <= idx < len(rules) or rules[idx].get("id") != rid:
            fail(scene, f"result {rid}: ruleIndex {idx!r} does not point at its rule")
        used.add(rid)
        text = res["message"]["text"]
        if res.get("level") == "note" or text.startswith("did you mean") or text.endswith("declared here"):
            fail(scene, f"a note as a result of its own: {text!r}")
        for loc in res.get("locations", []) + res.get("relatedLocations", []):
            pl = loc.get("physicalLocation")
            if pl:
                paths.add(uri_path(scene, pl["artifactLocation"], base))
        for fix in res.get("fixes", []):
            for ch in fix["artifactChanges"]:
                paths.add(uri_path(scene, ch["artifactLocation"], base))
    if used != set(ids):
        fail(scene, f"rules {sorted(ids)} are not the codes used {sorted(used)}")
    if used != expect["codes"]:
        fail(scene, f"codes {sorted(used)}, expected {sorted(expect['codes'])}")
    for r in rules:
        if r["id"] == "vigil":
            continue
        for key in ("shortDescription", "fullDescription", "help"):
            if not r.get(key, {}).get("text"):
                fail(scene, f"rule {r['id']} has no {key}")
        if r.get("help", {}).get("text") != explain(r["id"]):
            fail(scene, f"rule {r['id']}: help is not what `vigil explain {r['id']}` prints: {r.get('help')!r}")
    for given in expect["files"]:
        want = os.path.normpath(os.path.join(os.fsencode(os.path.realpath(cwd)), given))
        if want not in paths:
            fail(scene, f"no location names {given!r} (the URIs name {sorted(p for p in paths if p)})")
    if expect.get("dym"):
        code, name = expect["dym"]
        res = [r for r in run["results"] if r["ruleId"] == code]
        rel = [l for r in res for l in r.get("relatedLocations", [])
               if l.get("message", {}).get("text") == f"did you mean '{name}'?"]
        if not rel:
            fail(scene, f"the did-you-mean of {code} is not a related location")
        fixes = [rp for r in res for fx in r.get("fixes", []) for ch in fx["artifactChanges"] for rp in ch["replacements"]]
        if not any(rp.get("insertedContent", {}).get("text") == name for rp in fixes):
            fail(scene, f"the did-you-mean of {code} is not a fix inserting {name!r}")
        for r in res:
            for fx in r.get("fixes", []):
                for ch in fx["artifactChanges"]:
                    for rp in ch["replacements"]:
                        reg, loc = rp["deletedRegion"], r["locations"][0]["physicalLocation"]["region"]
                        if reg != loc:
                            fail(scene, f"the fix deletes {reg}, not the result's span {loc}")
    if expect.get("related"):
        texts = [l.get("message", {}).get("text") for r in run["results"] for l in r.get("relatedLocations", [])]
        if expect["related"] not in texts:
            fail(scene, f"no related location {expect['related']!r} (have {texts})")


def check_junit(scene, path, want):
    checked["junit"] += 1
    p = subprocess.run(["xmllint", "--noout", "--schema", os.path.join(SCHEMAS, "junit-10.xsd"), path],
                       capture_output=True)
    if p.returncode != 0:
        fail(scene, "JUnit XSD: " + p.stderr.decode("utf-8", "replace").strip()[:1500])
    with open(path, encoding="utf-8") as f:
        xml = f.read()
    for w in want:
        if not re.search(w, xml):
            fail(scene, f"JUnit XML has no match for {w!r}")


def write(path, text):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "wb") as f:
        f.write(text.encode("utf-8") if isinstance(text, str) else text)


BAD = """source s { table sales_snapshot; key rep_id; time snapshot_date }
rule r on s {
  red when conversoin_rate < 0.1
}
rule r on s {
  red when conversion_rate < 0.1
}
"""


def main():
    t = tempfile.mkdtemp(prefix="vigil-schemas-")
    try:
        scenes(t)
    finally:
        shutil.rmtree(t)
    for f in failures:
        print("check-schemas: FAIL:", f, file=sys.stderr)
    print(f"check-schemas: {checked['sarif']} SARIF logs and {checked['junit']} JUnit files checked"
          + (f", {len(failures)} failures" if failures else ""))
    return 1 if failures else 0


def scenes(t):
    cwd = os.path.join(t, "work dir")
    os.makedirs(cwd)
    shutil.copy(os.path.join(ROOT, "tests", "golden", "errors", "schema.sql"), os.path.join(cwd, "schema.sql"))
    p = vigil(cwd, "new", "pack", "p")
    if p.returncode != 0:
        fail("setup", f"vigil new pack: {p.stderr!r}")
        return

    # a clean pack
    p = vigil(cwd, "check", "--format", "sarif", "p")
    check_sarif("clean pack", cwd, p.stdout, {"files": [], "codes": set()})

    # the installed vigil links to the installed documents
    if INSTALLED:
        p = vigil(cwd, "check", "--format", "sarif", "p", program=INSTALLED)
        check_sarif("installed", cwd, p.stdout, {"files": [], "codes": set()})
        info = json.loads(p.stdout or "{}").get("runs", [{}])[0].get("tool", {}).get("driver", {}).get("informationUri")
        want = "file://" + urllib.parse.quote(os.path.join(os.path.dirname(os.path.dirname(INSTALLED)),
                                                           "share", "doc", "vigil", "DIAGNOSTICS.md"))
        if info != want:
            fail("installed", f"informationUri {info!r}, not {want!r}")

    # errors with did-you-mean and first-declared notes
    write(os.path.join(cwd, "bad.rules"), BAD)
    p = vigil(cwd, "check", "--schema", "schema.sql", "--format", "sarif", "bad.rules")
    if p.returncode != 1:
        fail("errors", f"exit status {p.returncode}, not 1")
    check_sarif("errors", cwd, p.stdout, {"files": [b"bad.rules"], "codes": {"E-unknown-column", "E-duplicate"},
                                          "dym": ("E-unknown-column", "conversion_rate"),
                                          "related": "first declared here"})

    # an error without a code, and a note without a result ("N more errors not shown")
    p = vigil(cwd, "check", "--schema", "missing.sql", "--format", "sarif", "bad.rules")
    check_sarif("error without a code", cwd, p.stdout, {"files": [], "codes": {"vigil"}})
    p = vigil(cwd, "check", "--schema", "schema.sql", "--max-errors", "1", "--format", "sarif", "bad.rules")
    check_sarif("notification", cwd, p.stdout, {"files": [b"bad.rules"], "codes": {"E-duplicate"},
                                                "related": "first declared here"})
    notes = json.loads(p.stdout or "{}").get("runs", [{}])[0].get("invocations", [{}])[0].get("toolExecutionNotifications", [])
    if [n.get("message", {}).get("text") for n in notes] != ["1 more error not shown (at most 1 are listed)"]:
        fail("notification", f"toolExecutionNotifications {notes}")

    # warnings
    shutil.copytree(os.path.join(cwd, "p"), os.path.join(cwd, "w"))
    with open(os.path.join(cwd, "w", "00_pack.rules"), "a", encoding="utf-8") as f:
        f.write("\nparam never_used = 3\n")
    p = vigil(cwd, "check", "--format", "sarif", "w")
    check_sarif("warnings", cwd, p.stdout, {"files": [b"w/00_pack.rules"], "codes": {"W-unused-param"}})

    # a file name with a space, '#', '%' and non-ASCII letters, and a file outside the folder
    odd = "dir \u00e9/my rules #1%.rules"
    write(os.path.join(cwd, odd), BAD.split("rule r on s {\n  red when conversion_rate")[0])
    outside = os.path.join(t, "out side", "\u00fc.rules")
    write(outside, BAD.split("rule r on s {\n  red when conversion_rate")[0])
    p = vigil(cwd, "check", "--schema", "schema.sql", "--format", "sarif", odd, outside)
    check_sarif("odd names", cwd, p.stdout, {"files": [os.fsencode(odd), os.fsencode(outside)],
                                             "codes": {"E-unknown-column"},
                                             "dym": ("E-unknown-column", "conversion_rate")})
    log = json.loads(p.stdout) if p.stdout else {"runs": [{"results": []}]}
    uris = [l["physicalLocation"]["artifactLocation"] for r in log["runs"][0]["results"] for l in r.get("locations", [])]
    want_rel = {"uri": "dir%20%C3%A9/my%20rules%20%231%25.rules", "uriBaseId": "SRCROOT"}
    want_abs = {"uri": "file://" + urllib.parse.quote(os.path.realpath(outside))}
    if want_rel not in uris or want_abs not in uris:
        fail("odd names", f"artifact locations {uris}, expected {want_rel} and {want_abs}")

    # JUnit: passing, failing and broken tests
    junit = os.path.join(t, "pass.xml")
    vigil(cwd, "test", "--junit", junit, "p")
    check_junit("passing tests", junit, [r'<testsuite [^>]*timestamp="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d"',
                                         r'<testsuite [^>]*hostname="[^"]+"', r"<testcase "])
    shutil.copytree(os.path.join(cwd, "p"), os.path.join(cwd, "f"))
    tp = os.path.join(cwd, "f", "tests", "p.rules")
    with open(tp, encoding="utf-8") as f:
        text = f.read()
    write(tp, text.replace("expect yellow", "expect orange") + text.replace('"goal_snapshot missing"', '"second"'))
    junit = os.path.join(t, "fail.xml")
    p = vigil(cwd, "test", "--junit", junit, "f")
    if p.returncode != 1:
        fail("failing tests", f"exit status {p.returncode}, not 1")
    check_junit("failing tests", junit, [r"<failure ", r'failures="1"'])
    shutil.copytree(os.path.join(cwd, "p"), os.path.join(cwd, "b"))
    with open(os.path.join(cwd, "b", "10_rules.rules"), "a", encoding="utf-8") as f:
        f.write("\nrule broken on goal_snapshot { red when nonsense_name > 1 }\n")
    junit = os.path.join(t, "broken.xml")
    vigil(cwd, "test", "--junit", junit, "b", "p")
    check_junit("broken pack", junit, [r"<error ", r'name="\(pack\)"'])


if __name__ == "__main__":
    sys.exit(main())
