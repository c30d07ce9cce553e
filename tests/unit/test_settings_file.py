"""salesmetrics.yml is parsed once per content: a run reads it ~130 times, and each parse cost ~12 ms."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pipelines.lib import config


def test_the_settings_are_parsed_once_and_a_change_is_seen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parses = []
    real = yaml.safe_load
    monkeypatch.setattr(config.yaml, "safe_load", lambda text: parses.append(text) or real(text))
    path = tmp_path / "salesmetrics.yml"
    path.write_text("audit:\n  quarantine_max_share: 0.25\n  known_stages: [Open, Won]\n")
    first = config.load_audit_config(path)
    for _ in range(5):
        assert config.load_audit_config(path) == first
    assert len(parses) == 1
    assert first.quarantine_max_share == 0.25
    assert first.known_stages == ("Open", "Won")
    # the same size, written right after: the content, not the file's time, decides
    path.write_text("audit:\n  quarantine_max_share: 0.75\n  known_stages: [Open, Won]\n")
    assert config.load_audit_config(path).quarantine_max_share == 0.75
    assert len(parses) == 2


def test_a_caller_changing_the_settings_changes_no_later_read(tmp_path: Path) -> None:
    path = tmp_path / "salesmetrics.yml"
    path.write_text("publish:\n  timezone: Europe/Paris\naudit:\n  known_stages: [Open, Won]\n")
    mine = config._settings(path)
    mine["publish"]["timezone"] = "UTC"
    mine["audit"]["known_stages"].append("Lost")
    assert config._settings(path) == {
        "publish": {"timezone": "Europe/Paris"},
        "audit": {"known_stages": ["Open", "Won"]},
    }
    assert config.load_publish_config(path).timezone == "Europe/Paris"
