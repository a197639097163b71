"""What a test reading the official contracts does without them: skipped on a lone clone, saying
which file is missing; failed where CI is set (tests/support/specs.py, docs/operations.md)."""

from __future__ import annotations

import pytest

from tests.support.specs import specs_path


@pytest.fixture
def absent(monkeypatch, tmp_path):
    monkeypatch.setenv("CROSSPORT_SPECS_DIR", str(tmp_path / "nowhere"))
    return tmp_path / "nowhere"


def test_absent_contracts_skip_naming_the_missing_file(absent, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception) as skipped:
        specs_path("shopify", "admin-graphql-2026-07.schema.graphql")
    assert str(absent / "shopify" / "admin-graphql-2026-07.schema.graphql") in str(skipped.value)


@pytest.mark.parametrize("value", ["true", "1", "yes"])
def test_absent_contracts_fail_under_ci(absent, monkeypatch, value):
    monkeypatch.setenv("CI", value)
    with pytest.raises(BaseException) as outcome:  # a skip here would be the bug
        specs_path()
    assert isinstance(outcome.value, pytest.fail.Exception), type(outcome.value)
    assert "CI is set" in str(outcome.value) and str(absent) in str(outcome.value)


@pytest.mark.parametrize("value", ["", "0", "false"])
def test_ci_switched_off_still_skips(absent, monkeypatch, value):
    monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.skip.Exception):
        specs_path()


def test_present_contracts_are_returned(monkeypatch, tmp_path):
    (tmp_path / "sp-api").mkdir()
    monkeypatch.setenv("CROSSPORT_SPECS_DIR", str(tmp_path))
    monkeypatch.setenv("CI", "true")
    assert specs_path("sp-api") == tmp_path / "sp-api"
