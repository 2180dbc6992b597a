"""The production image and compose file: valid, non-root, multi-stage."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]


def compose_command() -> list[str]:
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True,
                                                  check=False).returncode == 0:
        return ["docker", "compose"]
    assert shutil.which("docker-compose"), "docker compose or docker-compose is required (scripts/bootstrap --test)"
    return ["docker-compose"]


@pytest.mark.process
def test_compose_file_validates() -> None:
    result = subprocess.run([*compose_command(), "-f", str(ROOT / "docker/compose.yml"), "config"],
                            capture_output=True, text=True, check=False, timeout=60)
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load(result.stdout)
    assert {"app", "db", "idp", "migrate"} <= set(config["services"])
    env = config["services"]["app"]["environment"]
    assert env["KOMMPASS_ENV"] == "production"
    assert "kommpass_app" in env["DATABASE_URL"] and "kommpass_owner" in env["DATABASE_MIGRATION_URL"]


def test_dockerfile_is_multi_stage_and_non_root() -> None:
    text = (ROOT / "docker/Dockerfile").read_text()
    stages = [line for line in text.splitlines() if line.startswith("FROM ")]
    assert len(stages) >= 2
    user_lines = [line.split()[1] for line in text.splitlines() if line.startswith("USER ")]
    assert user_lines and user_lines[-1] not in ("root", "0")
    assert "torch==2.13.0" in text
