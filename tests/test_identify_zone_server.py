"""The test/demo DNS server answers like an authoritative server for its zone file."""

import json

import dns.resolver

from prospects.demo.zone_server import ZoneServer


def resolver_for(server: ZoneServer) -> dns.resolver.Resolver:
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = [server.host]
    resolver.port = server.port
    resolver.lifetime = 1
    return resolver


def test_zone_file_with_ip_form_ptr_names(tmp_path):
    zone = tmp_path / "zone.json"
    zone.write_text(
        json.dumps(
            {
                "records": [
                    {"type": "PTR", "name": "198.51.100.7", "value": "mail.acme-consulting.com"},
                    {
                        "type": "A",
                        "name": "mail.acme-consulting.com",
                        "value": "198.51.100.7",
                        "ttl": 600,
                    },
                ]
            }
        )
    )

    with ZoneServer.from_file(zone) as server:
        resolver = resolver_for(server)
        ptr = resolver.resolve("7.100.51.198.in-addr.arpa", "PTR")
        forward = resolver.resolve("mail.acme-consulting.com", "A")
        try:
            resolver.resolve("8.100.51.198.in-addr.arpa", "PTR")
            missing = "answered"
        except dns.resolver.NXDOMAIN:
            missing = "nxdomain"
        try:
            resolver.resolve("mail.acme-consulting.com", "AAAA")
            empty = "answered"
        except dns.resolver.NoAnswer:
            empty = "no answer"

    assert ptr[0].target.to_text() == "mail.acme-consulting.com."
    assert (forward[0].address, forward.rrset.ttl) == ("198.51.100.7", 600)
    assert (missing, empty) == ("nxdomain", "no answer")
    assert server.queries == 4


def test_port_is_free_and_released_after_stop():
    with ZoneServer.from_records([]) as first, ZoneServer.from_records([]) as second:
        assert first.port != second.port > 0
    with ZoneServer.from_records([], port=first.port) as again:
        assert again.port == first.port
