"""One search box over companies, IP addresses and contacts, grouped, as the user may see them."""

import ipaddress
import re
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q

from leadgen.db import ip_prefix_filter
from prospects.models import Company, Contact, Visitor

# Rows shown per group: a search is for finding one thing, not for listing.
GROUP_ROWS = 20
# Shorter queries match too much to be useful (and cost a scan for nothing).
MIN_CHARS = 2
MAX_CHARS = 200
# Something an address starts with: digits and dots, or hex digits and colons.
_IP_PREFIX = re.compile(r"^(?:[0-9]{1,3}(?:\.[0-9]{0,3}){0,3}|[0-9a-f:]*:[0-9a-f:]*)$", re.I)


@dataclass
class SearchResults:
    """What a query found: companies, visitors' addresses and contacts, each capped."""

    query: str
    message: str = ""
    companies: list = field(default_factory=list)
    addresses: list = field(default_factory=list)
    contacts: list = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.companies) + len(self.addresses) + len(self.contacts)


def _address_query(text: str) -> Q | None:
    """A whole address matches exactly (index); a start of one matches as a prefix."""
    try:
        return Q(ip=str(ipaddress.ip_address(text)))
    except ValueError:
        pass
    if len(text) >= 3 and _IP_PREFIX.match(text):
        return Q(**ip_prefix_filter("ip", text.lower()))
    return None


def search(*, user, query: str) -> SearchResults:
    """Companies by name or domain, addresses by IP, contacts by name or email: a few queries."""
    text = (query or "").strip()
    results = SearchResults(query=text)
    if len(text) < MIN_CHARS:
        results.message = f"Type at least {MIN_CHARS} characters."
        return results
    if len(text) > MAX_CHARS:
        results.message = f"Search for at most {MAX_CHARS} characters."
        return results
    # The companies the person may open: the running experiment's control stays hidden here too.
    visible = Company.objects.visible_to(user)
    results.companies = list(
        visible.filter(Q(name__icontains=text) | Q(domain__icontains=text))
        .select_related("score", "assignee", "rep")
        .order_by("name", "pk")[:GROUP_ROWS]
    )
    address = _address_query(text)
    if address is not None:
        results.addresses = list(
            # One row per address and company, however many browsers it was seen with.
            # Exists, not IN: the planner then starts from the address index, not from the
            # list of visible companies.
            Visitor.objects.filter(address, Exists(visible.filter(pk=OuterRef("company_id"))))
            .values("ip", "company_id", "company__name", "company__domain")
            .distinct()
            .order_by("ip", "company_id")[:GROUP_ROWS]
        )
    results.contacts = list(
        Contact.objects.filter(Q(name__icontains=text) | Q(email__icontains=text))
        .filter(Exists(visible.filter(pk=OuterRef("company_id"))))
        .select_related("company")
        .order_by("name", "pk")[:GROUP_ROWS]
    )
    if not results.total:
        results.message = "Nothing matches."
    return results
