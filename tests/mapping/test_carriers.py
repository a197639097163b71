"""Store carrier names become Amazon carrier codes."""

import pytest

from mapping.carriers import amazon_carrier


@pytest.mark.parametrize(
    ("store", "expected"),
    [
        ("UPS", ("UPS", None)),
        ("ups ground", ("UPS", None)),
        ("DHL Express", ("DHL", None)),
        ("Deutsche Post", ("Deutsche Post", None)),
        ("ヤマト運輸", ("Yamato Transport", None)),
        ("Royal-Mail", ("Royal Mail", None)),
        ("Bob's Couriers", ("Other", "Bob's Couriers")),
        ("", ("Other", "Other")),
        (None, ("Other", "Other")),
    ],
)
def test_amazon_carrier(store, expected):
    assert amazon_carrier(store) == expected
