"""Registrable domains (Public Suffix List, offline) and the curated domain lists."""

import contextlib
from functools import cache

import tldextract

# Access and mobile networks: a PTR under these names is a subscriber line, not a company.
# Business-static ranges of the same providers (comcastbusiness.net, biz.rr.com) are listed
# too: the customer behind them cannot be read from the name.
ISP_DOMAINS = frozenset(
    [
        "comcast.net",
        "comcastbusiness.net",
        "verizon.net",
        "myvzw.com",
        "rr.com",
        "charter.com",
        "spectrum.com",
        "cox.net",
        "qwest.net",
        "centurylink.net",
        "windstream.net",
        "frontiernet.net",
        "embarqhsd.net",
        "optonline.net",
        "optimum.net",
        "mchsi.com",
        "mediacombb.net",
        "suddenlink.net",
        "wowinc.com",
        "sbcglobal.net",
        "att.net",
        "bellsouth.net",
        "ameritech.net",
        "pacbell.net",
        "swbell.net",
        "tmodns.net",
        "mycingular.net",
        "spcsdns.net",
        "sprintpcs.com",
        "bell.ca",
        "sympatico.ca",
        "telus.net",
        "shawcable.net",
        "rogers.com",
        "videotron.ca",
        "cogeco.ca",
        "btcentralplus.com",
        "bt.net",
        "ntl.com",
        "virginm.net",
        "virginmedia.net",
        "talktalk.net",
        "plus.net",
        "sky.com",
        "skybroadband.com",
        "as13285.net",
        "proxad.net",
        "free.fr",
        "wanadoo.fr",
        "orange.fr",
        "sfr.net",
        "numericable.fr",
        "bbox.fr",
        "t-ipconnect.de",
        "t-dialin.net",
        "vodafone-ip.de",
        "kabel-deutschland.de",
        "unitymediagroup.de",
        "versatel.de",
        "telefonica.de",
        "alicedsl.de",
        "arcor-ip.net",
        "telia.com",
        "chello.nl",
        "ziggo.nl",
        "kpn.net",
        "upcbroadband.cz",
        "upc.ch",
        "bigpond.net.au",
        "optusnet.com.au",
        "tpgi.com.au",
        "iinet.net.au",
        "bluewin.ch",
        "swisscom.ch",
        "rima-tde.net",
        "telecomitalia.it",
        "fastwebnet.it",
        "tiscali.it",
        "netvigator.com",
        "hinet.net",
        "ocn.ne.jp",
        "bbtec.net",
        "airtelbroadband.in",
    ]
)

# Hosting, cloud and secure web gateways: the visitor's company is hidden behind them.
HOSTING_DOMAINS = frozenset(
    [
        "amazonaws.com",
        "googleusercontent.com",
        "1e100.net",
        "cloudapp.net",
        "azure.com",
        "your-server.de",
        "hetzner.com",
        "linode.com",
        "linodeusercontent.com",
        "akamaitechnologies.com",
        "vultr.com",
        "vultrusercontent.com",
        "choopa.net",
        "contabo.net",
        "contaboserver.net",
        "ovh.net",
        "ovh.ca",
        "ovh.us",
        "kimsufi.com",
        "digitalocean.com",
        "scaleway.com",
        "poneytelecom.eu",
        "leaseweb.net",
        "leaseweb.com",
        "secureserver.net",
        "hostwindsdns.com",
        "kundenserver.de",
        "rackspace.com",
        "cloud-ips.com",
        "dreamhost.com",
        "bluehost.com",
        "hostgator.com",
        "zscaler.net",
        "zscalertwo.net",
        "zscloud.net",
        "netskope.com",
    ]
)

# Known organisations whose names are not their domain's title-cased label.
COMPANY_NAMES = {
    "ibm.com": "IBM",
    "hp.com": "HP",
    "sap.com": "SAP",
    "att.com": "AT&T",
    "3m.com": "3M",
    "ge.com": "GE",
    "kpmg.com": "KPMG",
    "pwc.com": "PwC",
    "ey.com": "EY",
    "bmw.com": "BMW",
}

_EDUCATION_LABELS = {"edu", "ac", "school", "sch"}
_GOVERNMENT_LABELS = {"gov", "gouv", "govt", "gob", "go", "mil", "gv"}
_GOVERNMENT_DOMAINS = {"gc.ca", "europa.eu", "bund.de", "admin.ch"}


@cache
def _extractor() -> tldextract.TLDExtract:
    # The bundled suffix-list snapshot only: no URLs, no cache directory, so no network.
    # Private PSL entries stay off, or ec2-...compute.amazonaws.com becomes its own domain.
    return tldextract.TLDExtract(
        suffix_list_urls=(), cache_dir=None, include_psl_private_domains=False
    )


def split_name(name: str) -> tuple[str, str]:
    """(registrable domain, public suffix) of a host name, lower-cased; ("", suffix) if none."""
    parts = _extractor()(name.strip().rstrip(".").lower())
    return parts.top_domain_under_public_suffix, parts.suffix


def registrable_domain(name: str) -> str:
    """The registrable domain of a host name ("mail.acme.co.uk" -> "acme.co.uk"), or ""."""
    return split_name(name)[0]


def sector(domain: str, suffix: str) -> str | None:
    """ "education" or "government" when the suffix or domain says so, else None."""
    labels = suffix.split(".") if suffix else []
    if suffix == "edu" or (len(labels) >= 2 and labels[0] in _EDUCATION_LABELS):
        return "education"
    if suffix in ("gov", "mil") or domain in _GOVERNMENT_DOMAINS or suffix in _GOVERNMENT_DOMAINS:
        return "government"
    if len(labels) >= 2 and labels[0] in _GOVERNMENT_LABELS:
        return "government"
    return None


def company_name(domain: str) -> str:
    """A display name derived from a registrable domain ("acme-consulting.co.uk" -> "Acme Consulting")."""
    if domain in COMPANY_NAMES:
        return COMPANY_NAMES[domain]
    label = _extractor()(domain).domain or domain.split(".")[0]
    with contextlib.suppress(UnicodeError):
        label = label.encode("ascii").decode("idna") if label.startswith("xn--") else label
    words = [word for word in label.replace("_", "-").split("-") if word]
    return " ".join(word[:1].upper() + word[1:] for word in words) or domain
