"""The README documents every objectName a test or a teacher's script may drive."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LITERAL = re.compile(r"""(?:setObjectName\(|objectName=)["']([A-Za-z][A-Za-z0-9_]*)["']""")


def test_every_literal_object_name_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    names = set()
    for path in [
        *(ROOT / "lrexplorer" / "gui").rglob("*.py"),
        *(ROOT / "lrexplorer" / "plots").rglob("*.py"),
    ]:
        names |= set(LITERAL.findall(path.read_text(encoding="utf-8")))
    assert len(names) > 50
    missing = sorted(n for n in names if f"`{n}`" not in readme)
    assert not missing, f"objectNames missing from README.md: {missing}"


def test_readme_names_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run" in readme and "make test" in readme
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci
