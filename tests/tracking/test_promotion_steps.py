"""A promotion killed at any step is finished by running it again, and recorded once (issue 13, item 5)."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest
from mlflow.exceptions import MlflowException

from scorecard.config import GatesConfig
from scorecard.tracking import registry

NAME = "application_scorecard"
MUTATIONS = ("set_model_version_tag", "set_registered_model_alias", "set_registered_model_tag",
             "delete_registered_model_alias")  # fmt: skip


class Killed(BaseException):
    """The process died here."""


class FakeRegistry:
    """The few MlflowClient calls promotion makes, in memory; ``kill_at`` kills the n-th change."""

    def __init__(self) -> None:
        self.version_tags: dict[str, dict[str, str]] = {"1": {}, "2": {}, "3": {}}
        self.aliases: dict[str, str] = {}
        self.model_tags: dict[str, str] = {}
        self.kill_at: int | None = None
        self.changes = 0

    def _change(self) -> None:
        if self.kill_at is not None and self.changes == self.kill_at:
            self.kill_at = None
            raise Killed
        self.changes += 1

    def get_model_version(self, name: str, version: str) -> Any:
        return SimpleNamespace(name=name, version=str(version), tags=dict(self.version_tags[str(version)]))

    def get_model_version_by_alias(self, name: str, alias: str) -> Any:
        if alias not in self.aliases:
            raise MlflowException(f"no alias {alias}")
        return self.get_model_version(name, self.aliases[alias])

    def get_registered_model(self, name: str) -> Any:
        return SimpleNamespace(tags=dict(self.model_tags), aliases=dict(self.aliases))

    def set_model_version_tag(self, name: str, version: str, key: str, value: str) -> None:
        self._change()
        self.version_tags[str(version)][key] = value

    def set_registered_model_alias(self, name: str, alias: str, version: str) -> None:
        self._change()
        self.aliases[alias] = str(version)

    def set_registered_model_tag(self, name: str, key: str, value: str) -> None:
        self._change()
        self.model_tags[key] = value

    def delete_registered_model_alias(self, name: str, alias: str) -> None:
        self._change()
        self.aliases.pop(alias, None)


@pytest.fixture(autouse=True)
def _passing_gates(monkeypatch: pytest.MonkeyPatch) -> None:
    report = SimpleNamespace(passed=True, failed=[], to_json=lambda: "[]", swap_set=None)
    monkeypatch.setattr(registry, "measure", lambda *a, **k: None)
    monkeypatch.setattr(registry, "evaluate_gates", lambda *a, **k: report)


def _promote(client: FakeRegistry, version: str) -> registry.Promotion:
    return registry.promote(NAME, version, GatesConfig(), client=client)  # type: ignore[arg-type]


def _history(client: FakeRegistry) -> list[dict[str, Any]]:
    return list(json.loads(client.model_tags.get(registry.HISTORY_TAG, "[]")))


def _champion_1(client: FakeRegistry) -> None:
    client.aliases[registry.CHALLENGER] = "1"
    _promote(client, "1")
    client.aliases[registry.CHALLENGER] = "2"
    client.changes = 0


def _steps() -> int:
    client = FakeRegistry()
    _champion_1(client)
    _promote(client, "2")
    return client.changes


def test_a_promotion_makes_twelve_changes() -> None:
    assert _steps() == 12  # 9 version tags, the champion alias, the history entry, the challenger alias


@pytest.mark.parametrize("step", range(12))
def test_a_promotion_killed_at_any_step_is_finished_by_rerunning_it(step: int) -> None:
    client = FakeRegistry()
    _champion_1(client)
    client.kill_at = step
    with pytest.raises(Killed):
        _promote(client, "2")
    done = _promote(client, "2")
    assert done.action in ("promoted", "completed", "unchanged")
    assert client.aliases == {registry.CHAMPION: "2"}  # the challenger alias is gone
    events = _history(client)
    assert [(e["version"], e["previous"], e["action"]) for e in events] == [("1", None, "promoted"),
                                                                            ("2", "1", "promoted")]  # fmt: skip
    assert _promote(client, "2").action == "unchanged" and _history(client) == events


def test_the_interrupted_change_is_completed_before_the_next_one(monkeypatch: pytest.MonkeyPatch) -> None:
    client = FakeRegistry()
    _champion_1(client)
    client.kill_at = next(i for i in range(20) if _kills_after_alias(i))
    with pytest.raises(Killed):
        _promote(client, "2")
    assert client.aliases[registry.CHAMPION] == "2" and len(_history(client)) == 1
    _promote(client, "3")  # another promotion first records the interrupted one
    assert [(e["version"], e["previous"]) for e in _history(client)] == [("1", None), ("2", "1"), ("3", "2")]


def _kills_after_alias(step: int) -> bool:
    client = FakeRegistry()
    _champion_1(client)
    client.kill_at = step
    try:
        _promote(client, "2")
    except Killed:
        return client.aliases.get(registry.CHAMPION) == "2"
    return False


def test_a_rollback_killed_after_the_alias_moved_is_finished_not_repeated() -> None:
    client = FakeRegistry()
    _champion_1(client)
    _promote(client, "2")
    client.changes, client.kill_at = 0, 8  # 7 version tags, the alias move, then killed before the history
    with pytest.raises(Killed):
        registry.rollback(NAME, "bad batch", client=client)  # type: ignore[arg-type]
    assert client.aliases[registry.CHAMPION] == "1" and _history(client)[-1]["version"] == "2"
    done = registry.rollback(NAME, "bad batch", client=client)  # type: ignore[arg-type]
    assert (done.action, done.version, client.aliases[registry.CHAMPION]) == ("completed", "1", "1")
    assert [(e["version"], e["previous"], e["action"]) for e in _history(client)][-1] == (
        "1",
        "2",
        "rolled back",
    )


def _hints(client: FakeRegistry) -> dict[str, str]:
    champion = client.aliases.get(registry.CHAMPION)
    recorded = {registry._change_key(e) for e in _history(client)}
    return {
        v: registry._gate_outcome(
            tags,
            registry._change_key(registry._event(v, tags)) in recorded,
            is_champion=v == champion,
            champion_change=registry._change_id(client, NAME, champion),  # type: ignore[arg-type]
        )
        for v, tags in client.version_tags.items()
    }


def _interrupt_before_alias(client: FakeRegistry, version: str) -> None:
    client.changes, client.kill_at = 0, 9  # all 9 version tags written, killed before the alias moved
    with pytest.raises(Killed):
        _promote(client, version)


def test_models_list_never_hints_a_rerun_that_would_demote_a_newer_champion() -> None:
    client = FakeRegistry()
    _champion_1(client)
    _interrupt_before_alias(client, "2")
    assert client.aliases[registry.CHAMPION] == "1"
    assert _hints(client)["2"] == "interrupted before the alias moved: run promote again"
    _promote(client, "3")  # a later champion: following v2's old hint now would demote v3
    assert _hints(client) == {
        "1": "promoted",
        "2": "promoted, interrupted; superseded by a later champion (do not rerun)",
        "3": "promoted",
    }
    registry.rollback(NAME, "v3 misbehaves", client=client)  # type: ignore[arg-type]
    assert _hints(client)["2"] == "promoted, interrupted; superseded by a later champion (do not rerun)"


def test_the_hint_does_not_trust_clocks() -> None:
    client = FakeRegistry()
    _champion_1(client)
    _interrupt_before_alias(client, "2")
    client.version_tags["2"]["champion.at"] = "1999-01-01T00:00:00+00:00"  # a machine with a wrong clock
    assert _hints(client)["2"] == "interrupted before the alias moved: run promote again"
    _promote(client, "3")
    client.version_tags["2"]["champion.at"] = "2999-01-01T00:00:00+00:00"
    assert _hints(client)["2"] == "promoted, interrupted; superseded by a later champion (do not rerun)"


def test_an_interrupted_change_from_before_change_ids_is_not_hinted() -> None:
    tags = {"champion.action": "promoted", "champion.at": "2026-01-01T00:00:00+00:00"}
    assert registry._gate_outcome(tags, False, is_champion=False, champion_change="") == (
        "promoted, interrupted; check champion.history before rerunning"
    )
    assert registry._gate_outcome(tags, False, is_champion=True, champion_change="") == (
        "champion; change not yet in the history: run promote again to record it"
    )
