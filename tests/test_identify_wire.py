"""DNS replies are untrusted input: the wire reader takes good ones and refuses bad ones."""

import dns.message
import dns.rrset
import pytest

from prospects.identify import wire


def reply_to(qname: str, rdtype: str, *answers: tuple[str, str, str]) -> bytes:
    query = dns.message.make_query(qname, rdtype)
    response = dns.message.make_response(query)
    for owner, atype, value in answers:
        response.answer.append(dns.rrset.from_text(owner, 300, "IN", atype, value))
    return response.to_wire()


def test_reads_a_compressed_reply_with_a_cname_chain():
    data = reply_to(
        "70.113.0.203.in-addr.arpa.",
        "PTR",
        ("70.113.0.203.in-addr.arpa.", "CNAME", "70.64-127.113.0.203.in-addr.arpa."),
        ("70.64-127.113.0.203.in-addr.arpa.", "PTR", "Office.Initech-Systems.com."),
    )

    reply = wire.parse_reply(data)

    assert (reply.rcode, reply.qname, reply.qtype) == (
        0,
        "70.113.0.203.in-addr.arpa",
        wire.TYPE_PTR,
    )
    assert wire.answer_values(reply) == (["office.initech-systems.com"], 300)


def test_query_bytes_are_what_dnspython_reads():
    query = dns.message.from_wire(wire.build_query(4660, "mail.acme-consulting.com", wire.TYPE_A))

    assert query.id == 4660
    assert query.question[0].to_text() == "mail.acme-consulting.com. IN A"


def test_odd_label_bytes_are_escaped():
    data = bytearray(reply_to("x.example-isp.net.", "A"))
    data[13:14] = b"<"  # the question's one-byte label "x" becomes "<"

    assert wire.parse_reply(bytes(data)).qname == "\\060.example-isp.net"


@pytest.mark.parametrize(
    "mangle",
    [
        lambda d: d[:11],  # shorter than a header
        lambda d: d[:-3],  # answer cut short
        lambda d: d[:12] + b"\xc0\x0c" + d[-20:],  # question name points at itself: a loop
        lambda d: d[:2] + bytes([d[2] & 0x7F]) + d[3:],  # not a response
    ],
)
def test_malformed_replies_are_refused(mangle):
    data = reply_to(
        "7.100.51.198.in-addr.arpa.", "PTR", ("7.100.51.198.in-addr.arpa.", "PTR", "gw.acme.com.")
    )

    with pytest.raises(wire.WireError):
        wire.parse_reply(mangle(data))


def test_invalid_names_are_not_sent():
    with pytest.raises(wire.WireError):
        wire.build_query(1, "a" * 64 + ".com", wire.TYPE_A)


def test_escaped_labels_are_sent_as_their_bytes_and_read_back_the_same():
    name = "gw\\032x\\046y.acme-consulting.com"
    query = wire.build_query(7, name, wire.TYPE_A)

    assert dns.message.from_wire(query).question[0].name.labels[0] == b"gw x.y"
    assert wire.read_name(query, 12)[0] == name
    with pytest.raises(wire.WireError):
        wire.build_query(7, "gw\\999.example.com", wire.TYPE_A)
