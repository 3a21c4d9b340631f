"""Resolve Java artifacts from Maven Central with the machine's `mvn`."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from scan_analytics.errors import ServiceError


def _mvn(args: list[str], log_file: Path) -> None:
    mvn = shutil.which("mvn")
    if mvn is None:
        raise ServiceError("maven: `mvn` is not on PATH; install Maven (apt-get install maven)")
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("ab") as log:
        result = subprocess.run([mvn, "-B", "-q", *args], stdout=log, stderr=subprocess.STDOUT)
    if result.returncode != 0:
        raise ServiceError(f"maven: `mvn {' '.join(args)}` failed; see {log_file}")


def copy_dependencies(pom: Path, version_property: str, version: str, out_dir: Path, log_file: Path) -> None:
    """Copy the runtime dependencies of pom (with a version override) into out_dir."""
    tmp = out_dir.with_name(out_dir.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    _mvn(
        [
            "-f",
            str(pom),
            f"-D{version_property}={version}",
            "dependency:copy-dependencies",
            "-DincludeScope=runtime",
            f"-DoutputDirectory={tmp}",
        ],
        log_file,
    )
    shutil.rmtree(out_dir, ignore_errors=True)
    tmp.rename(out_dir)


def copy_artifact(coordinates: str, out_dir: Path, log_file: Path) -> Path:
    """Copy one artifact (group:artifact:version[:type[:classifier]]) into out_dir."""
    out_dir.mkdir(parents=True, exist_ok=True)
    _mvn(["dependency:copy", f"-Dartifact={coordinates}", f"-DoutputDirectory={out_dir}"], log_file)
    parts = coordinates.split(":")
    artifact, version = parts[1], parts[2]
    kind = parts[3] if len(parts) > 3 else "jar"
    classifier = f"-{parts[4]}" if len(parts) > 4 else ""
    path = out_dir / f"{artifact}-{version}{classifier}.{kind}"
    if not path.exists():
        raise ServiceError(f"maven: {coordinates} was not copied to {path}; see {log_file}")
    return path
