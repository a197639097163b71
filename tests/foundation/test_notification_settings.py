"""Settings of the event-driven order path: the SQS queue, its ARN, AWS credentials."""

from __future__ import annotations

import pytest

from core.settings import Settings, SettingsError

PRODUCTION = {
    "CROSSPORT_ENV": "production",
    "CROSSPORT_SANDBOX": "false",
    "CROSSPORT_SECRET_KEY": "x" * 32,
    "CROSSPORT_ENCRYPTION_KEYS": "k",
    "CROSSPORT_SHOPIFY_API_KEY": "k",
    "CROSSPORT_SHOPIFY_API_SECRET": "s",
    "CROSSPORT_LWA_CLIENT_ID": "c",
    "CROSSPORT_LWA_CLIENT_SECRET": "s",
    "CROSSPORT_SPAPI_APP_ID": "a",
    "CROSSPORT_DATABASE_URL": "postgresql+psycopg://db/crossport",
    "CROSSPORT_REDIS_URL": "redis://redis:6379/0",
}
QUEUE_URL = "https://sqs.eu-west-1.amazonaws.com/123456789012/crossport-orders"


def test_production_with_notifications_needs_the_queue_and_aws_credentials():
    with pytest.raises(SettingsError) as caught:
        Settings.from_env(PRODUCTION)
    message = str(caught.value)
    for name in ("SQS_QUEUE_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        assert f"CROSSPORT_{name}" in message
    assert "CROSSPORT_AMAZON_NOTIFICATIONS=false" in message


def test_production_polling_only_needs_no_aws():
    settings = Settings.from_env({**PRODUCTION, "CROSSPORT_AMAZON_NOTIFICATIONS": "false"})
    assert not settings.notifications_active


def test_production_with_a_queue_derives_its_arn_and_keeps_the_secret_out_of_repr():
    aws = {
        "CROSSPORT_SQS_QUEUE_URL": QUEUE_URL,
        "CROSSPORT_AWS_REGION": "eu-west-1",
        "CROSSPORT_AWS_ACCESS_KEY_ID": "AKIAEXAMPLE",
        "CROSSPORT_AWS_SECRET_ACCESS_KEY": "aws-secret-value",
    }
    settings = Settings.from_env({**PRODUCTION, **aws})
    assert settings.notifications_active
    assert settings.sqs_queue_arn == "arn:aws:sqs:eu-west-1:123456789012:crossport-orders"
    assert settings.sqs_endpoint_url == ""  # AWS's own endpoint for the region
    assert "aws-secret-value" not in repr(settings)


def test_a_malformed_queue_url_or_wait_is_named():
    with pytest.raises(SettingsError, match="CROSSPORT_SQS_QUEUE_URL"):
        Settings.from_env({"CROSSPORT_SQS_QUEUE_URL": "https://sqs.example.com/crossport"})
    with pytest.raises(SettingsError, match="CROSSPORT_SQS_WAIT_SECONDS"):
        Settings.from_env({"CROSSPORT_SQS_WAIT_SECONDS": "30"})


def test_the_demo_reads_the_local_sqs_emulator_unless_told_otherwise():
    demo = Settings.from_env({})
    assert demo.sqs_queue_url.startswith("http://127.0.0.1:8104/000000000000/")
    assert demo.sqs_endpoint_url == "http://127.0.0.1:8104"
    assert demo.aws_access_key_id and demo.aws_secret_access_key
    told = Settings.from_env({"CROSSPORT_SQS_QUEUE_URL": QUEUE_URL})
    assert (told.sqs_queue_url, told.sqs_endpoint_url) == (QUEUE_URL, "")
    tests = Settings.from_env({"CROSSPORT_ENV": "test"})
    assert not tests.notifications_active  # no queue unless a test gives one


def test_notification_records_are_kept_at_least_a_day():
    assert Settings.from_env({}).notification_retention_days == 30
    kept = Settings.from_env({"CROSSPORT_NOTIFICATION_RETENTION_DAYS": "7"})
    assert kept.notification_retention_days == 7
    with pytest.raises(SettingsError, match="CROSSPORT_NOTIFICATION_RETENTION_DAYS: at least 1"):
        Settings.from_env({"CROSSPORT_NOTIFICATION_RETENTION_DAYS": "0"})
    with pytest.raises(SettingsError, match="CROSSPORT_NOTIFICATION_RETENTION_DAYS"):
        Settings.from_env({"CROSSPORT_NOTIFICATION_RETENTION_DAYS": "a week"})
