"""Address keys (`visits.ipkeys.key`): cached per address, always the current secret's."""

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
