"""soko.shared.config: settings from upper-cased environment variables, validated and cached."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from soko.shared.config import BaseConfig, BusConfig, ConfigError, load


class ListingsConfig(BaseConfig):
    listings_table_name: str
    page_size: int = 20


class PublishingListingsConfig(ListingsConfig, BusConfig):
    """EVENT_BUS_NAME is no BaseConfig field: a function that publishes adds BusConfig."""


class OtherConfig(BaseConfig):
    other_setting: str = "default"


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("STAGE", "APP_VERSION", "EVENT_BUS_NAME", "IDEMPOTENCY_TABLE_NAME"):
        monkeypatch.delenv(name, raising=False)
    for name in ("LISTINGS_TABLE_NAME", "PAGE_SIZE", "OTHER_SETTING"):
        monkeypatch.delenv(name, raising=False)
    load.cache_clear()


def test_from_env_reads_upper_cased_variables() -> None:
    config = PublishingListingsConfig.from_env(
        {
            "STAGE": "prod",
            "APP_VERSION": "1.4.2",
            "EVENT_BUS_NAME": "soko-bus",
            "LISTINGS_TABLE_NAME": "soko-listings",
            "PAGE_SIZE": "50",
        }
    )

    assert config.stage == "prod"
    assert config.app_version == "1.4.2"
    assert config.event_bus_name == "soko-bus"
    assert config.listings_table_name == "soko-listings"
    assert config.page_size == 50


def test_lower_case_variables_are_not_read() -> None:
    config = ListingsConfig.from_env({"LISTINGS_TABLE_NAME": "t", "stage": "prod", "page_size": "99"})

    assert config.stage == "dev"
    assert config.page_size == 20


def test_unrelated_variables_are_ignored() -> None:
    config = ListingsConfig.from_env({"LISTINGS_TABLE_NAME": "t", "PATH": "/usr/bin", "HOME": "/root"})

    assert config.listings_table_name == "t"


def test_from_env_defaults_to_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LISTINGS_TABLE_NAME", "from-os-environ")
    monkeypatch.setenv("STAGE", "local")

    config = ListingsConfig.from_env()

    assert config.listings_table_name == "from-os-environ"
    assert config.is_local


@pytest.mark.parametrize(
    ("environ", "variable"),
    [
        ({}, "LISTINGS_TABLE_NAME"),  # required and missing
        ({"LISTINGS_TABLE_NAME": "t", "PAGE_SIZE": "twenty"}, "PAGE_SIZE"),  # not an int
        ({"LISTINGS_TABLE_NAME": "t", "STAGE": "staging"}, "STAGE"),  # not a known stage
    ],
)
def test_invalid_configuration_names_the_variable(environ: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigError) as raised:
        ListingsConfig.from_env(environ)

    message = str(raised.value)
    assert variable in message
    assert "ListingsConfig" in message


def test_invalid_configuration_does_not_echo_the_value() -> None:
    with pytest.raises(ConfigError) as raised:
        ListingsConfig.from_env({"LISTINGS_TABLE_NAME": "t", "PAGE_SIZE": "sk_live_0123456789"})

    assert "PAGE_SIZE" in str(raised.value)
    assert "sk_live_0123456789" not in str(raised.value)


def test_every_invalid_variable_is_named() -> None:
    with pytest.raises(ConfigError) as raised:
        ListingsConfig.from_env({"PAGE_SIZE": "x", "STAGE": "nope"})

    for variable in ("LISTINGS_TABLE_NAME", "PAGE_SIZE", "STAGE"):
        assert variable in str(raised.value)


def test_the_bus_is_read_only_by_a_config_that_publishes() -> None:
    environ = {"LISTINGS_TABLE_NAME": "t", "EVENT_BUS_NAME": "soko-bus"}

    assert not hasattr(ListingsConfig.from_env(environ), "event_bus_name")
    with pytest.raises(ConfigError, match="EVENT_BUS_NAME"):
        PublishingListingsConfig.from_env({"LISTINGS_TABLE_NAME": "t"})


def test_configuration_is_frozen() -> None:
    config = ListingsConfig.from_env({"LISTINGS_TABLE_NAME": "t"})

    with pytest.raises(ValidationError):
        config.page_size = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    ("stage", "is_local"),
    [("local", True), ("test", True), ("dev", False), ("prod", False), ("localstack", False)],
)
def test_is_local(stage: str, is_local: bool) -> None:
    assert BaseConfig.from_env({"STAGE": stage}).is_local is is_local


def test_load_reads_the_environment_once_and_caches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LISTINGS_TABLE_NAME", "first")

    first = load(ListingsConfig)
    monkeypatch.setenv("LISTINGS_TABLE_NAME", "second")
    again = load(ListingsConfig)

    assert again is first
    assert again.listings_table_name == "first"

    load.cache_clear()
    assert load(ListingsConfig).listings_table_name == "second"


def test_load_caches_per_config_class(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LISTINGS_TABLE_NAME", "t")
    monkeypatch.setenv("OTHER_SETTING", "o")

    listings = load(ListingsConfig)
    other = load(OtherConfig)

    assert isinstance(listings, ListingsConfig)
    assert isinstance(other, OtherConfig)
    assert other.other_setting == "o"


def test_load_does_not_cache_a_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match="LISTINGS_TABLE_NAME"):
        load(ListingsConfig)

    monkeypatch.setenv("LISTINGS_TABLE_NAME", "now-set")

    assert load(ListingsConfig).listings_table_name == "now-set"
