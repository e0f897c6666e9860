"""Address keys (`visits.ipkeys.key`): cached per address, always the current secret's."""

import hashlib
import hmac

from prospects.visits import ipkeys


def test_a_new_secret_gives_new_keys_not_the_cached_ones(settings):
    settings.LEADGEN_IP_MASK_KEY = "first secret"
    first = ipkeys.key("203.0.113.7")
    settings.LEADGEN_IP_MASK_KEY = "second secret"
    assert ipkeys.key("203.0.113.7") != first
    settings.LEADGEN_IP_MASK_KEY = "first secret"
    assert ipkeys.key("203.0.113.7") == first


def test_the_cache_stays_within_its_limit_and_the_keys_the_same(monkeypatch):
    monkeypatch.setattr(ipkeys, "KEY_CACHE_LIMIT", 3)
    addresses = [f"203.0.113.{n}" for n in range(10)]
    keys = [ipkeys.key(address) for address in addresses]
    assert len(set(keys)) == 10
    assert len(ipkeys._keys) <= 3
    assert [ipkeys.key(address) for address in reversed(addresses)] == keys[::-1]


def test_one_address_written_two_ways_has_one_key():
    assert ipkeys.key("2001:DB8::1") == ipkeys.key("2001:db8:0::1")


def test_keys_are_the_hmac_of_the_normal_address_as_stored_keys_were(settings):
    # Masked visitors keep keys made before: the key of an address must never change.
    settings.LEADGEN_IP_MASK_KEY = "a secret"
    for written, normal in (("203.0.113.7", "203.0.113.7"), ("2001:DB8::1", "2001:db8::1")):
        digest = hmac.new(b"a secret", normal.encode(), hashlib.sha256).digest()
        assert ipkeys.key(written) == int.from_bytes(digest[:8], "big") & (1 << 63) - 1


def test_the_normal_form_of_odd_writings():
    assert ipkeys.normal(" 198.51.100.7 ") == "198.51.100.7"
    assert ipkeys.normal("::FFFF:198.51.100.7") == "::ffff:c633:6407"
    # Not an address (leading zeros are refused, as ipaddress does): kept as written.
    assert ipkeys.normal("198.051.100.7") == "198.051.100.7"
    assert ipkeys.normal("not an address") == "not an address"
