import io
import logging

import pytest

from core.logs import configure_logging
from core.settings import Settings, SettingsError


def test_production_without_secrets_refuses_to_start_naming_them():
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({"CROSSPORT_ENV": "production", "CROSSPORT_SECRET_KEY": "x" * 32})
    message = str(caught.value)
    assert "CROSSPORT_SHOPIFY_API_SECRET" in message
    assert "CROSSPORT_LWA_CLIENT_SECRET" in message
    assert "CROSSPORT_ENCRYPTION_KEYS" in message
    assert "CROSSPORT_SECRET_KEY" not in message


def test_malformed_value_names_the_variable():
    with pytest.raises(SettingsError, match="CROSSPORT_SANDBOX"):
        Settings.from_env({"CROSSPORT_SANDBOX": "perhaps"})


def test_typed_parsers_read_lists_maps_and_numbers():
    settings = Settings.from_env(
        {
            "CROSSPORT_SANDBOX": "false",
            "CROSSPORT_SPAPI_ENDPOINTS": "NA=http://a/,EU=http://b",
            "CROSSPORT_WOOCOMMERCE_SANDBOX_HOSTS": "127.0.0.1:9000, localhost:9001",
            "CROSSPORT_SPAPI_RATE_SPEEDUP": "20",
            "CROSSPORT_DATABASE_URL": "sqlite:///x.db",
        }
    )
    assert settings.sandbox is False
    assert settings.spapi_endpoints == {"NA": "http://a", "EU": "http://b"}
    assert settings.woocommerce_sandbox_hosts == ("127.0.0.1:9000", "localhost:9001")
    assert settings.spapi_rate_speedup == 20.0


def test_demo_mode_generates_and_keeps_a_development_key(tmp_path, monkeypatch):
    import core.settings as settings_module

    monkeypatch.setattr(settings_module, "VAR_DIR", tmp_path)
    first = Settings.from_env({})
    second = Settings.from_env({})
    assert first.encryption_keys and first.encryption_keys == second.encryption_keys
    assert first.secret_key == second.secret_key
    assert (tmp_path / "dev-encryption_key").exists()
    assert first.database_url.startswith("sqlite:///")


def test_no_secret_appears_in_a_log_line(app, client, test_settings):
    stream = io.StringIO()
    secrets = [test_settings.shopify_api_secret, test_settings.lwa_client_secret]
    configure_logging("INFO", secrets, stream=stream)
    log = logging.getLogger("crossport.test")
    log.info("token exchange with %s failed", test_settings.lwa_client_secret)
    log.info("refresh Atzr|IwEBIA-abcdef123 and shpat_0123456789abcdef, cs_%s", "a" * 40)
    log.info("header Authorization: Bearer abc.def.ghi")
    client.get("/health?code=Atzr|IwEBsecretcode")
    output = stream.getvalue()
    assert "token exchange with *** failed" in output
    for secret in (*secrets, "Atzr|IwEB", "shpat_0123", "cs_aaaa", "abc.def.ghi", "secretcode"):
        assert secret not in output, secret
    assert '"path": "/health"' in output
