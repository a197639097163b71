"""`make run` against the seller's own staging store: the demo keeps what the seller set."""

from sandbox.demo import sandbox_settings

URLS = {"woocommerce": "http://127.0.0.1:8103", "amazon": "http://127.0.0.1:8101"}


def test_the_sellers_own_store_host_stays_allowed_beside_the_emulators():
    given = {"CROSSPORT_WOOCOMMERCE_SANDBOX_HOSTS": "staging.local:8080,10.0.0.5"}
    env = sandbox_settings(URLS, given)
    hosts = env["CROSSPORT_WOOCOMMERCE_SANDBOX_HOSTS"].split(",")
    assert hosts == ["staging.local:8080", "10.0.0.5", "127.0.0.1:8103"]


def test_without_a_store_of_their_own_only_the_emulator_is_allowed():
    env = sandbox_settings(URLS, {})
    assert env["CROSSPORT_WOOCOMMERCE_SANDBOX_HOSTS"] == "127.0.0.1:8103"
