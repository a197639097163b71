"""Production never starts on the sandbox's settings, and the demo's credentials exist only in the
demo (and the tests): a production start with the sandbox flag left at its default, a private
WooCommerce host allowed, a sped-up SP-API clock or a demo credential is refused, naming the
setting; an unknown environment name is refused instead of getting the demo's credentials."""

from __future__ import annotations

from dataclasses import replace

import pytest
from cryptography.fernet import Fernet

from core.settings import DEMO_APP_CREDENTIALS, Settings, SettingsError

PRODUCTION = {
    "CROSSPORT_ENV": "production",
    "CROSSPORT_SECRET_KEY": "p" * 40,
    "CROSSPORT_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "CROSSPORT_SHOPIFY_API_KEY": "live-api-key",
    "CROSSPORT_SHOPIFY_API_SECRET": "live-api-secret-long-enough-for-hs256",
    "CROSSPORT_LWA_CLIENT_ID": "amzn1.application-oa2-client.live",
    "CROSSPORT_LWA_CLIENT_SECRET": "live-lwa-secret",
    "CROSSPORT_SPAPI_APP_ID": "amzn1.sp.solution.live",
    "CROSSPORT_DATABASE_URL": "sqlite://",
    "CROSSPORT_REDIS_URL": "redis://127.0.0.1:1/0",
    "CROSSPORT_AMAZON_NOTIFICATIONS": "false",
}
SAFE = {**PRODUCTION, "CROSSPORT_SANDBOX": "false"}

# Each sandbox setting a production start must refuse, and the name its error must give.
SANDBOX_SETTINGS = {
    "sandbox left at its default": ({}, "CROSSPORT_SANDBOX"),
    "sandbox on": ({"CROSSPORT_SANDBOX": "true"}, "CROSSPORT_SANDBOX"),
    "private WooCommerce hosts": (
        {"CROSSPORT_WOOCOMMERCE_SANDBOX_HOSTS": "127.0.0.1:8103"},
        "CROSSPORT_WOOCOMMERCE_SANDBOX_HOSTS",
    ),
    "sped-up SP-API clock": (
        {"CROSSPORT_SPAPI_RATE_SPEEDUP": "50"},
        "CROSSPORT_SPAPI_RATE_SPEEDUP",
    ),
    **{
        f"demo {name}": ({f"CROSSPORT_{name.upper()}": value}, f"CROSSPORT_{name.upper()}")
        for name, value in DEMO_APP_CREDENTIALS.items()
    },
}


def test_a_production_start_with_every_setting_right_is_accepted():
    settings = Settings.from_env(SAFE)
    assert settings.production and not settings.sandbox


@pytest.mark.parametrize("case", list(SANDBOX_SETTINGS), ids=list(SANDBOX_SETTINGS))
def test_production_refuses_to_start_on_a_sandbox_setting_naming_it(case):
    changed, name = SANDBOX_SETTINGS[case]
    environ = (
        {**PRODUCTION, **changed} if case == "sandbox left at its default" else {**SAFE, **changed}
    )
    with pytest.raises(SettingsError) as caught:
        Settings.from_env(environ)
    assert name in str(caught.value)
    assert "production" in str(caught.value)


def test_the_app_refuses_a_ready_production_settings_object_on_the_sandbox():
    """create_app is also handed Settings objects directly (tests, tools): same guard."""
    from app import create_app

    settings = Settings.from_env(SAFE)
    with pytest.raises(SettingsError, match="CROSSPORT_SANDBOX"):
        create_app({"SETTINGS": replace(settings, sandbox=True)})


@pytest.mark.parametrize("env", ["staging", "prod", "Production", ""])
def test_an_unknown_environment_is_refused_not_given_the_demo_credentials(env):
    with pytest.raises(SettingsError, match="CROSSPORT_ENV"):
        Settings.from_env({"CROSSPORT_ENV": env})


@pytest.mark.parametrize("env", ["demo", "test"])
def test_the_demo_credentials_are_filled_in_only_in_the_demo_and_the_tests(
    env, tmp_path, monkeypatch
):
    import core.settings as settings_module

    monkeypatch.setattr(settings_module, "VAR_DIR", tmp_path)
    settings = Settings.from_env({"CROSSPORT_ENV": env})
    for name, value in DEMO_APP_CREDENTIALS.items():
        assert getattr(settings, name) == value


def test_a_production_page_cannot_be_framed_by_a_local_address():
    """The sandbox lets 127.0.0.1 frame the pages (the emulators' admins); whatever production
    start is accepted serves pages only the store admins may frame."""
    from app import create_app

    for environ in (PRODUCTION, SAFE):
        try:
            settings = Settings.from_env(environ)
        except SettingsError:
            continue  # refused to start: nothing is served
        app = create_app({"SETTINGS": settings, "TESTING": True})
        policy = app.test_client().get("/app").headers["Content-Security-Policy"]
        ancestors = policy.split("frame-ancestors", 1)[1]
        assert "127.0.0.1" not in ancestors and "localhost" not in ancestors, environ
