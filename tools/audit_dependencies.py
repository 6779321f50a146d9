"""Known vulnerabilities in the installed dependencies (pip-audit), for CI.

pip-audit asks the package index for each dependency's advisories. Where the index has no
advisory data (a mirror) or cannot be reached, this says so and exits 0: CI must not fail
for the network. A vulnerability found fails it, with the fix versions.

Usage: python tools/audit_dependencies.py PIP_AUDIT SITE_PACKAGES
"""

from __future__ import annotations

import json
import subprocess
import sys


def main(pip_audit: str, site_packages: str) -> int:
    run = subprocess.run(
        [
            pip_audit,
            "--path",
            site_packages,
            "--skip-editable",
            "--progress-spinner",
            "off",
            "--timeout",
            "20",
            "-f",
            "json",
        ],
        capture_output=True,
        text=True,
    )
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        last = (run.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"dependency audit: the advisory database could not be reached ({last}); going on")
        return 0
    found = report.get("dependencies", [])
    audited = [d for d in found if "skip_reason" not in d]
    vulnerable = [d for d in audited if d.get("vulns")]
    if not audited:
        print(
            f"dependency audit: the index has no advisory data for any of {len(found)} "
            "packages (a mirror?); nothing audited, going on"
        )
        return 0
    for d in vulnerable:
        for v in d["vulns"]:
            fixes = ", ".join(v.get("fix_versions", [])) or "none yet"
            print(f"dependency audit: {d['name']} {d['version']}: {v['id']} (fixed in {fixes})")
    print(
        f"dependency audit: {len(audited)} of {len(found)} packages audited, "
        f"{len(vulnerable)} with known vulnerabilities"
    )
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
